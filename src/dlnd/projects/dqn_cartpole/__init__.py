"""DQN on CartPole-v1: replay buffer, target network, Double DQN, epsilon schedule, Huber loss."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.dqn_cartpole.config import DqnCartPoleConfig

PROJECT = Project(
    name="dqn-cartpole",
    teaches="Deep Q-learning: a replay buffer, a target network, Double DQN, an epsilon "
            "schedule and the Huber loss balance a pole on a cart",
    engine="torch",
    config=DqnCartPoleConfig,
    module="dlnd.projects.dqn_cartpole.train",
    data=(),  # the agent makes its own data in gymnasium's CartPole-v1
    target_text="CartPole-v1 solved: mean return >= 475 over 100 greedy evaluation episodes",
    target=(Criterion("eval_mean_return", ">=", 475.0),),
    primary_metric="eval_mean_return",
    epoch_metrics=("train/return", "train/loss", "train/epsilon", "eval/return"),
    sweep_metric="eval/return",
    direction="maximize",
    offers=("play",),
    # 2 epochs of 300 steps with a small network: it learns little, but every part runs (random
    # warm-up, epsilon-greedy acting, bursts of gradient steps, target copies, evaluation)
    quick={"epochs": 2, "steps_per_epoch": 300, "learning_starts": 100, "train_freq": 50,
           "gradient_steps": 10, "hidden": (32, 32), "buffer_size": 1000, "eval_episodes": 3,
           "final_eval_episodes": 5},
    order=61,
)
