"""The environment: gymnasium's CartPole-v1 (the agent makes its own data by playing)."""

from __future__ import annotations

from typing import Any

from dlnd.projects.dqn_cartpole.config import ENV_ID


def make_env(render_mode: str | None = None) -> Any:
    import gymnasium as gym

    return gym.make(ENV_ID, render_mode=render_mode)
