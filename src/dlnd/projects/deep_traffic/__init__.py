"""DeepTraffic on highway-env: a DQN driver that changes lanes and speed in dense traffic."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.deep_traffic.config import DeepTrafficConfig

PROJECT = Project(
    name="deep-traffic",
    teaches="DeepTraffic: a DQN driver choosing lane changes and speed on a busy highway, "
            "rewarded for speed and punished for collisions",
    engine="torch",
    config=DeepTrafficConfig,
    module="dlnd.projects.deep_traffic.train",
    data=(),  # the agent makes its own data in highway-env's highway-fast-v0
    target_text="over 20 evaluation episodes, faster than the idle policy (which holds its "
                "starting 25 m/s) with a collision rate of at most 0.2 (bench/rl.py traffic "
                "reports the idle and random policies beside it)",
    target=(Criterion("eval_mean_speed", ">", 25.0),
            Criterion("eval_collision_rate", "<=", 0.2)),
    primary_metric="eval_mean_speed",
    epoch_metrics=("train/return", "train/loss", "train/epsilon", "eval/return", "eval/speed",
                   "eval/collision"),
    sweep_metric="eval/return",
    direction="maximize",
    offers=("play",),
    # 2 epochs of 6 decisions in 5-second episodes: highway-env simulates slowly (tens of
    # decisions a second on a busy CPU), so the quick run only checks that every part runs
    quick={"epochs": 2, "steps_per_epoch": 6, "learning_starts": 2, "train_freq": 1,
           "gradient_steps": 1, "hidden": (32, 32), "buffer_size": 100, "batch_size": 4,
           "eval_episodes": 1, "final_eval_episodes": 1, "duration": 5, "gif_frames": 5},
    order=63,
)
