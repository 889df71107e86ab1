"""Settings of dqn-cartpole: rl-baselines3-zoo's tuned CartPole-v1 DQN, plus Double DQN."""

from dataclasses import dataclass

from dlnd.shared.rl import DQNConfig

ENV_ID = "CartPole-v1"  # 500 steps at most, +1 per step the pole stays up


@dataclass
class DqnCartPoleConfig(DQNConfig):
    """All of :class:`dlnd.shared.rl.DQNConfig`: 50 epochs of 1,000 steps = the zoo's 5e4."""
