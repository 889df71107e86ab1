"""Settings of flappy-bird: DQN on the game's 12 features (pipes' positions, the bird's height,
speed and angle), one action per frame (flap or not)."""

from dataclasses import dataclass

from dlnd.core.config import MAX_EPOCHS, MAX_STEPS, MAX_UNITS, param
from dlnd.shared.rl import DQNConfig

ENV_ID = "FlappyBird-v0"  # reward: +0.1 per frame alive, +1 per pipe passed, -1 on a crash


@dataclass
class FlappyBirdConfig(DQNConfig):
    epochs: int = param(200, "epochs; an epoch is a fixed chunk of steps_per_epoch frames "
                        "(environment steps), after which the run evaluates, logs and "
                        "checkpoints (200 x 5,000 = 1M frames, ~16 min on one thread: at 200k "
                        "frames the agent passed 2-4 pipes, the gaps came after ~800k)", min=1,
                        max=MAX_EPOCHS)
    steps_per_epoch: int = param(5000, "frames per epoch; each epoch starts a fresh game from "
                                 "a seed derived from (seed, epoch)", min=1, max=MAX_STEPS)
    lr: float = param(5e-4, "Adam step size (1e-4 had learnt less at 200k frames: 2.3 pipes "
                      "against 4.15)", gt=0)
    batch_size: int = param(64, "transitions per gradient step", min=1, max=65_536)
    buffer_size: int = param(100_000, "replay buffer capacity in transitions", min=1,
                             max=MAX_STEPS)
    learning_starts: int = param(5000, "frames of random play before learning", min=0,
                                 max=MAX_STEPS)
    train_freq: int = param(4, "learn every this many frames ... (the DQN paper's 4)", min=1,
                            max=MAX_STEPS)
    gradient_steps: int = param(1, "... this many gradient steps", min=1, max=MAX_STEPS)
    target_update_interval: int = param(1000, "copy online -> target every this many frames",
                                        min=1, max=MAX_STEPS)
    exploration_fraction: float = param(0.1, "epsilon falls over this fraction of training",
                                        min=0, max=1)
    exploration_final_eps: float = param(0.001, "epsilon after the fall: a random flap at the "
                                         "wrong moment costs a game, so almost none", min=0,
                                         max=1)
    hidden: tuple[int, ...] = param((256, 256), "ReLU layers of the Q-network", min=1,
                                    max=MAX_UNITS)
    eval_episodes: int = param(5, "greedy games after each epoch", min=1, max=10_000)
    final_eval_episodes: int = param(20, "greedy games, on other seeds, that score the kept "
                                     "network (the issue's 20)", min=1, max=10_000)
    max_frames: int = param(20_000, "a game is cut after this many frames (~500 pipes), so an "
                            "agent that never crashes still ends its evaluation", min=1,
                            max=MAX_STEPS)
    observation: str = param("features", "features: the game's 12 numbers (pixel observations, "
                             "as DeepLearningFlappyBird used, are not implemented yet)",
                             choices=("features",))
    gif_frames: int = param(900, "frames of the evaluation game written to game.gif (every "
                            "3rd kept)", min=1, max=MAX_STEPS)
