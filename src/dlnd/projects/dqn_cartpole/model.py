"""A trained CartPole agent: plays greedily with its Q-network."""

from __future__ import annotations

from pathlib import Path

from dlnd.projects.dqn_cartpole import data
from dlnd.projects.dqn_cartpole.config import DqnCartPoleConfig
from dlnd.shared import rl


class CartPoleAgent:
    project = "dqn-cartpole"

    def __init__(self, agent: rl.DQNAgent, config: DqnCartPoleConfig):
        self.agent, self.config = agent, config

    def play(self, episodes: int = 10, seed: int = 0, gif: Path | None = None) -> dict:
        """Greedy episodes from seeds ``seed, seed + 1, ...``: ``mean_return`` (500 = the pole
        stayed up to the time limit), min, max; ``gif`` records the first."""
        results, _ = rl.play(self.agent.greedy, data.make_env, episodes, seed, gif, fps=50,
                             gif_every=2)
        return results
