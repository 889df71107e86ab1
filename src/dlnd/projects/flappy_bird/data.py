"""The environment: flappy-bird-gymnasium's FlappyBird-v0 with its 12 features."""

from __future__ import annotations

from typing import Any

from dlnd.projects.flappy_bird.config import ENV_ID

BIRD_X = 57 / 288  # the bird's left edge (0.2 of the 288-pixel screen), normalised
PIPE_WIDTH = 52 / 288
BIRD_HEIGHT = 24 / 512
RULE_MARGIN = 0.02  # the hand-written rule flaps ~10 pixels (0.02 of 512) above the gap's floor


def env_maker(max_frames: int):
    def make_env(render_mode: str | None = None) -> Any:
        import flappy_bird_gymnasium  # noqa: F401  (registers FlappyBird-v0)
        import gymnasium as gym

        return gym.make(ENV_ID, use_lidar=False, render_mode=render_mode,
                        max_episode_steps=max_frames)
    return make_env


def score(info: dict) -> dict[str, float]:
    """The game's score (pipes passed so far), for the evaluation loop to keep."""
    return {"score": float(info.get("score", 0))}
