"""A trained Flappy Bird agent, and the two baselines it is compared with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from dlnd.projects.flappy_bird import data
from dlnd.projects.flappy_bird.config import FlappyBirdConfig
from dlnd.shared import rl

Policy = Callable[[np.ndarray], np.ndarray]


def rule(obs: np.ndarray) -> np.ndarray:
    """The hand-written rule: flap when the bird's lower edge comes within ~10 pixels (0.02 of
    the screen's height) of the next gap's lower edge (the first pipe not yet behind the
    bird)."""
    actions = []
    for o in obs:
        pipes = o[:9].reshape(3, 3)  # (x, gap top, gap bottom) of three pipes, nearest first
        ahead = next((p for p in pipes if p[0] + data.PIPE_WIDTH > data.BIRD_X), pipes[-1])
        actions.append(int(o[9] + data.BIRD_HEIGHT > ahead[2] - data.RULE_MARGIN))
    return np.array(actions)


def random_policy(seed: int) -> Policy:
    """Flap or not with equal odds, from its own generator (same seed, same games)."""
    rng = np.random.default_rng(seed)
    return lambda obs: rng.integers(0, 2, size=len(obs))


def play_policy(policy: Policy, config: FlappyBirdConfig, episodes: int = 10, seed: int = 0,
                gif: Path | None = None) -> dict:
    results, played = rl.play(policy, data.env_maker(config.max_frames), episodes, seed, gif,
                              measure=data.score, fps=30, gif_every=3)
    results["mean_score"] = float(np.mean([e.measures["last_score"] for e in played]))
    results["max_score"] = float(np.max([e.measures["last_score"] for e in played]))
    return results


class FlappyBirdAgent:
    project = "flappy-bird"

    def __init__(self, agent: rl.DQNAgent, config: FlappyBirdConfig):
        self.agent, self.config = agent, config

    def play(self, episodes: int = 10, seed: int = 0, gif: Path | None = None) -> dict:
        """Greedy games from seeds ``seed, seed + 1, ...``: ``mean_return`` (the game's reward:
        +0.1 a frame, +1 a pipe, -1 a crash) and ``mean_score`` (pipes passed); a game ends
        after ``max_frames`` frames at most; ``gif`` records the first."""
        return play_policy(self.agent.greedy, self.config, episodes, seed, gif)
