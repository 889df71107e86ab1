"""The environment: highway-env's highway-fast-v0 (observations: presence, x, y, vx, vy of the
5 nearest vehicles, the agent's first, flattened to 25 numbers)."""

from __future__ import annotations

from typing import Any

import numpy as np

from dlnd.projects.deep_traffic.config import ENV_ID

IDLE = 1


def env_maker(duration: int):
    def make_env(render_mode: str | None = None) -> Any:
        import gymnasium as gym
        import highway_env  # noqa: F401  (registers highway-fast-v0)

        return gym.make(ENV_ID, render_mode=render_mode, config={"duration": duration})
    return make_env


def flatten(obs: Any) -> np.ndarray:
    return np.asarray(obs, dtype=np.float32).reshape(-1)


def measure(info: dict) -> dict[str, float]:
    """Speed (m/s) and collision (0/1) of each step, for the evaluation loop to keep."""
    return {"speed": float(info.get("speed", 0.0)), "crashed": float(info.get("crashed", 0))}
