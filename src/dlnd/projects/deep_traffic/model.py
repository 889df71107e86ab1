"""A trained driver, and the two policies it is compared with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from dlnd.projects.deep_traffic import data
from dlnd.projects.deep_traffic.config import DeepTrafficConfig
from dlnd.shared import rl

Policy = Callable[[np.ndarray], np.ndarray]


def idle(obs: np.ndarray) -> np.ndarray:
    """highway-env's idle action: keep lane and speed."""
    return np.full(len(obs), data.IDLE)


def random_policy(seed: int) -> Policy:
    rng = np.random.default_rng(seed)
    return lambda obs: rng.integers(0, 5, size=len(obs))


def summarise(played: list[rl.Episode]) -> dict[str, float]:
    return {"mean_speed": float(np.mean([e.measures["mean_speed"] for e in played])),
            "collision_rate": float(np.mean([e.measures["last_crashed"] for e in played]))}


def play_policy(policy: Policy, config: DeepTrafficConfig, episodes: int = 10, seed: int = 0,
                gif: Path | None = None) -> dict:
    results, played = rl.play(policy, data.env_maker(config.duration), episodes, seed, gif,
                              preprocess=data.flatten, measure=data.measure, fps=5)
    return {**results, **summarise(played)}


class DeepTrafficAgent:
    project = "deep-traffic"

    def __init__(self, agent: rl.DQNAgent, config: DeepTrafficConfig):
        self.agent, self.config = agent, config

    def play(self, episodes: int = 10, seed: int = 0, gif: Path | None = None) -> dict:
        """Greedy episodes from seeds ``seed, seed + 1, ...``: ``mean_return``, ``mean_speed``
        (m/s, averaged over each episode's steps) and ``collision_rate`` (episodes ended by a
        crash); ``gif`` records the first."""
        return play_policy(self.agent.greedy, self.config, episodes, seed, gif)
