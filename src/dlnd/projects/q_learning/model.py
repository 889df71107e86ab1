"""A trained pair of Q-tables that play: greedily, each game with its own table."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.projects.q_learning import data
from dlnd.projects.q_learning.config import QLearningConfig
from dlnd.shared import rl


class QLearningAgent:
    project = "q-learning"

    def __init__(self, frozen_lake: rl.QTable, cartpole: rl.QTable, config: QLearningConfig):
        self.frozen_lake, self.cartpole, self.config = frozen_lake, cartpole, config
        self.discretise = data.Discretiser(config.cartpole_bins)

    def cartpole_policy(self, obs: np.ndarray) -> np.ndarray:
        return np.array([self.cartpole.greedy(self.discretise(o)) for o in obs])

    def frozen_lake_policy(self, obs: np.ndarray) -> np.ndarray:
        return np.array([self.frozen_lake.greedy(int(o)) for o in obs])

    def play(self, episodes: int = 10, seed: int = 0, gif: Path | None = None) -> dict:
        """``episodes`` greedy CartPole episodes (``mean_return``; 200 = the time limit) and as
        many FrozenLake games (``frozen_lake_success``: the fraction that reached the goal),
        from seeds ``seed, seed + 1, ...``; ``gif`` records the first CartPole episode."""
        results, _ = rl.play(self.cartpole_policy, data.cartpole, episodes, seed, gif, fps=50,
                             gif_every=2)
        lake = rl.evaluate(self.frozen_lake_policy, data.frozen_lake, episodes, seed)
        results["frozen_lake_success"] = rl.mean_return(lake)
        return results
