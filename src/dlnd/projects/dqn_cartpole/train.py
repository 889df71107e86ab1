"""Train the DQN on CartPole-v1; load a trained run as an agent that plays."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.dqn_cartpole import data
from dlnd.projects.dqn_cartpole.config import DqnCartPoleConfig
from dlnd.projects.dqn_cartpole.model import CartPoleAgent
from dlnd.shared import plots, rl


def train(cfg: DqnCartPoleConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    trained = rl.train_dqn(cfg, run, data.make_env)
    run.log(cfg.epochs, {f"final/{k}": v for k, v in trained.final.items()})
    plots.learning_curves(run, title="Return per episode (training episodes, greedy "
                          "evaluation), TD loss, epsilon", xlabel=f"epoch "
                          f"({cfg.steps_per_epoch:,} environment steps)")
    rl.plot_returns(run, [e.ret for e in trained.final_episodes], goal=475,
                    steps_per_epoch=cfg.steps_per_epoch,
                    title=f"{len(trained.final_episodes)} greedy evaluation episodes of the "
                    f"kept network (epoch {trained.best.epoch + 1})")
    return trained.final, trained.device


def load(run_dir: Path) -> CartPoleAgent:
    """The best epoch's network (by mean evaluation return), on the CPU."""
    trained = runs.Trained(run_dir, DqnCartPoleConfig)
    return CartPoleAgent(rl.load_dqn(trained, data.make_env), trained.config)
