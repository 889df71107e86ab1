"""The environments (gymnasium's FrozenLake 4x4 slippery and CartPole with v0's 200-step limit)
and the discretisation of CartPole's continuous observation into a table index."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from dlnd.projects.q_learning.config import CARTPOLE_LIMIT

FROZEN_LAKE_LIMIT = 100  # FrozenLake-v1's episode limit
# Where CartPole's observations are cut into bins: the cart's +-2.4 m track and +-3 m/s, the
# pole's +-12 degrees (beyond it the episode ends) and +-50 degrees/s; values outside fall into
# the end bins.
LOWS = np.array([-2.4, -3.0, -math.radians(12), -math.radians(50)])
HIGHS = -LOWS


def frozen_lake(render_mode: str | None = None) -> Any:
    import gymnasium as gym

    return gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True, render_mode=render_mode)


def cartpole(render_mode: str | None = None) -> Any:
    import gymnasium as gym

    return gym.make("CartPole-v1", max_episode_steps=CARTPOLE_LIMIT, render_mode=render_mode)


class Discretiser:
    """A CartPole observation -> one table row: each of the four values cut into its bins."""

    def __init__(self, bins: tuple[int, ...]):
        self.bins = np.array(bins)
        self.states = int(np.prod(self.bins))
        self._place = np.cumprod([1, *self.bins[:-1]])

    def __call__(self, obs) -> int:
        scaled = (np.clip(obs, LOWS, HIGHS) - LOWS) / (HIGHS - LOWS)
        index = np.minimum((scaled * self.bins).astype(int), self.bins - 1)
        return int(index @ self._place)


def success_probability(env: Any, policy: np.ndarray, horizon: int = FROZEN_LAKE_LIMIT) -> float:
    """The exact probability that ``policy`` (an action per state) reaches FrozenLake's goal
    within ``horizon`` steps from the start, from the environment's transition table: no
    sampling noise, so two policies compare exactly."""
    P = env.unwrapped.P
    states = len(P)
    where = np.zeros(states)
    where[0] = 1.0
    reached = 0.0
    for _ in range(horizon):
        nxt = np.zeros(states)
        for s in np.flatnonzero(where):
            for prob, s2, reward, terminated in P[s][int(policy[s])]:
                if terminated:
                    reached += where[s] * prob * reward
                else:
                    nxt[s2] += where[s] * prob
        where = nxt
    return float(reached)


def optimal_q(env: Any, gamma: float, sweeps: int = 2000) -> np.ndarray:
    """Q* of FrozenLake by value iteration on its transition table (the yardstick)."""
    P = env.unwrapped.P
    states, actions = len(P), len(P[0])
    q = np.zeros((states, actions))
    for _ in range(sweeps):
        v = q.max(axis=1)
        q = np.array([[sum(p * (r + (0.0 if t else gamma * v[s2])) for p, s2, r, t in P[s][a])
                       for a in range(actions)] for s in range(states)])
    return q
