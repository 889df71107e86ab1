"""Settings of q-learning: two Q-tables, one per game, trained side by side."""

import math
from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_STEPS, BaseConfig, param
from dlnd.core.errors import ConfigError

CARTPOLE_LIMIT = 200  # CartPole-v0's episode limit: "solved" = mean >= 195 over 100 episodes


@dataclass
class QLearningConfig(BaseConfig):
    epochs: int = param(20, "epochs; an epoch is a fixed chunk of environment steps in each "
                        "game (frozen_lake_steps, cartpole_steps), each game restarted from a "
                        "seed of (seed, epoch) so that a resumed run replays exactly", min=1,
                        max=MAX_EPOCHS)
    frozen_lake_steps: int = param(10_000, "FrozenLake steps per epoch (200k in all: the table "
                                   "reaches the optimal policy after ~100k)", min=1,
                                   max=MAX_STEPS)
    frozen_lake_alpha: float = param(0.05, "FrozenLake step size at the start; it falls "
                                     "linearly to a tenth by the end (slippery moves make each "
                                     "target noisy: a small, falling step averages them)",
                                     gt=0, max=1)
    frozen_lake_epsilon: float = param(0.5, "FrozenLake exploration, constant: Q-learning is "
                                       "off-policy, so the table learns the greedy policy's "
                                       "values while half the moves explore", min=0, max=1)
    frozen_lake_gamma: float = param(0.99, "FrozenLake discount: near 1 so that reaching the "
                                     "goal at all matters more than reaching it soon (0.9 "
                                     "learns a policy that succeeds 0.730 instead of 0.740)",
                                     min=0, max=1)
    cartpole_steps: int = param(5_000, "CartPole steps per epoch (100k in all)", min=1,
                                max=MAX_STEPS)
    cartpole_bins: tuple[int, ...] = param(
        (1, 1, 6, 12), "bins of cart position, cart velocity, pole angle, pole angular "
        "velocity: the angle and its rate decide; a single bin ignores the cart (72 states)",
        min=1, max=1000)
    cartpole_alpha: float = param(0.5, "CartPole step size at the start, falling linearly to "
                                  "a tenth over the first half of training", gt=0, max=1)
    cartpole_epsilon: float = param(1.0, "CartPole exploration at the start, falling linearly "
                                    "to 0.05 over the first half of training", min=0, max=1)
    cartpole_gamma: float = param(0.99, "CartPole discount", min=0, max=1)
    eval_episodes: int = param(10, "greedy CartPole episodes after each epoch", min=1,
                               max=10_000)
    final_eval_episodes: int = param(100, "greedy CartPole episodes that score the final table "
                                     "(100: the 'solved' rule)", min=1, max=10_000)

    def check(self) -> None:
        super().check()
        if len(self.cartpole_bins) != 4:
            raise ConfigError("cartpole_bins needs 4 numbers (cart position, cart velocity, "
                              "pole angle, pole angular velocity)")
        if math.prod(self.cartpole_bins) > 10_000_000:
            raise ConfigError("cartpole_bins make more than 10 million states; use fewer bins")
