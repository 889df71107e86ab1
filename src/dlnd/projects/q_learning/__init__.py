"""Tabular Q-learning: FrozenLake 4x4 (slippery) and CartPole with discretised observations."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.q_learning.config import QLearningConfig

PROJECT = Project(
    name="q-learning",
    teaches="Q-learning with a Q-table: the Bellman update, epsilon-greedy exploration, "
            "discretising a continuous state (FrozenLake, CartPole)",
    engine="numpy",
    config=QLearningConfig,
    module="dlnd.projects.q_learning.train",
    data=(),  # the agent makes its own data in gymnasium's FrozenLake and CartPole
    target_text="FrozenLake 4x4 slippery: the greedy policy reaches the goal within 100 steps "
                "with probability >= 0.72 (the optimal policy's: 0.740); CartPole with "
                "CartPole-v0's 200-step limit solved: mean return >= 195 over 100 episodes",
    target=(Criterion("frozen_lake_success", ">=", 0.72),
            Criterion("cartpole_mean_return", ">=", 195.0)),
    primary_metric="cartpole_mean_return",
    epoch_metrics=("frozen_lake/success", "frozen_lake/train_return", "cartpole/train_return",
                   "cartpole/eval_return", "cartpole/epsilon"),
    sweep_metric="cartpole/eval_return",
    direction="maximize",
    offers=("play",),
    # 2 epochs of 3,000 + 3,000 steps: the pole stays up ~150 steps already, FrozenLake's
    # slowly learning table is still far from the optimum (it needs ~100k steps)
    quick={"epochs": 2, "frozen_lake_steps": 3000, "cartpole_steps": 3000,
           "eval_episodes": 5, "final_eval_episodes": 10},
    order=60,
)
