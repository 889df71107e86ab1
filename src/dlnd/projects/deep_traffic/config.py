"""Settings of deep-traffic: DQN on highway-fast-v0's kinematics of the 5 nearest vehicles;
defaults after highway-env's own DQN example (sb3): lr 5e-4, buffer 15k, gamma 0.8, 2e4 steps."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_STEPS, param
from dlnd.shared.rl import DQNConfig

ENV_ID = "highway-fast-v0"  # 3 lanes, 20 vehicles, 1 decision a second
# actions: 0 lane left, 1 idle, 2 lane right, 3 faster, 4 slower


@dataclass
class DeepTrafficConfig(DQNConfig):
    epochs: int = param(20, "epochs; an epoch is a fixed chunk of steps_per_epoch decisions "
                        "(environment steps, one a simulated second), after which the run "
                        "evaluates, logs and checkpoints (20 x 1,000 = highway-env's 2e4)",
                        min=1, max=MAX_EPOCHS)
    steps_per_epoch: int = param(1000, "decisions per epoch; each epoch starts a fresh road "
                                 "from a seed derived from (seed, epoch)", min=1,
                                 max=MAX_STEPS)
    lr: float = param(5e-4, "Adam step size (highway-env's example)", gt=0)
    batch_size: int = param(32, "transitions per gradient step", min=1, max=65_536)
    buffer_size: int = param(15_000, "replay buffer capacity in transitions", min=1,
                             max=MAX_STEPS)
    learning_starts: int = param(200, "random decisions before learning", min=0, max=MAX_STEPS)
    gamma: float = param(0.8, "discount: a driver looks ~5 seconds ahead", min=0, max=1)
    train_freq: int = param(1, "learn every this many decisions ...", min=1, max=MAX_STEPS)
    gradient_steps: int = param(1, "... this many gradient steps", min=1, max=MAX_STEPS)
    target_update_interval: int = param(50, "copy online -> target every this many decisions",
                                        min=1, max=MAX_STEPS)
    exploration_fraction: float = param(0.7, "epsilon falls over this fraction of training",
                                        min=0, max=1)
    exploration_final_eps: float = param(0.05, "epsilon after the fall", min=0, max=1)
    eval_episodes: int = param(5, "greedy episodes after each epoch", min=1, max=10_000)
    final_eval_episodes: int = param(20, "greedy episodes, on other seeds, that score the kept "
                                     "network (the issue's 20)", min=1, max=10_000)
    duration: int = param(30, "seconds (decisions) per episode, highway-fast-v0's 30", min=1,
                          max=100_000)
    gif_frames: int = param(60, "frames of the evaluation episode written to drive.gif", min=1,
                            max=MAX_STEPS)
