"""A DQN agent that plays Flappy Bird (flappy-bird-gymnasium, feature observations)."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.flappy_bird.config import FlappyBirdConfig

PROJECT = Project(
    name="flappy-bird",
    teaches="DQN on a game: the Flappy Bird agent the course notes wanted to understand, "
            "against a random agent and a hand-written rule",
    engine="torch",
    config=FlappyBirdConfig,
    module="dlnd.projects.flappy_bird.train",
    data=(),  # the agent makes its own data in flappy-bird-gymnasium's FlappyBird-v0
    target_text="mean score (pipes passed) over 20 evaluation games above the hand-written "
                "rule's (bench/rl.py flappy measures both; the rule scored 58.15 over the 20 "
                "evaluation games, 60.3 over 10 others) and far above a random agent's (0)",
    target=(Criterion("eval_mean_score", ">", 60.0),),
    primary_metric="eval_mean_score",
    epoch_metrics=("train/return", "train/loss", "train/epsilon", "eval/return", "eval/score"),
    sweep_metric="eval/return",
    direction="maximize",
    offers=("play",),
    # 2 epochs of 300 frames with a small network: every part runs, the bird learns nothing
    quick={"epochs": 2, "steps_per_epoch": 300, "learning_starts": 100, "train_freq": 4,
           "gradient_steps": 1, "hidden": (32, 32), "buffer_size": 1000, "eval_episodes": 2,
           "final_eval_episodes": 3, "max_frames": 300, "gif_frames": 30},
    order=62,
)
