"""Train the DQN on Flappy Bird; load a trained run as an agent that plays."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dlnd.core import runs
from dlnd.projects.flappy_bird import data
from dlnd.projects.flappy_bird.config import FlappyBirdConfig
from dlnd.projects.flappy_bird.model import (
    FlappyBirdAgent,
    Policy,
    play_policy,
    random_policy,
    rule,
)
from dlnd.shared import plots, rl


def mean_score(episodes: list[rl.Episode]) -> float:
    return float(np.mean([e.measures["last_score"] for e in episodes]))


def train(cfg: FlappyBirdConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    make_env = data.env_maker(cfg.max_frames)
    trained = rl.train_dqn(cfg, run, make_env, measure=data.score,
                           epoch_extra=lambda episodes: {"eval/score": mean_score(episodes)})
    final = {**trained.final, "eval_mean_score": mean_score(trained.final_episodes)}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title="Flappy Bird: return per game (training, greedy "
                          "evaluation), pipes passed, TD loss, epsilon",
                          xlabel=f"epoch ({cfg.steps_per_epoch:,} frames)")
    rl.plot_returns(run, [e.measures["last_score"] for e in trained.final_episodes],
                    steps_per_epoch=cfg.steps_per_epoch, final_label="score (pipes passed)",
                    title=f"Flappy Bird: return per game (right: the pipes passed in the "
                    f"{len(trained.final_episodes)} final games of epoch "
                    f"{trained.best.epoch + 1}'s network)")
    frames, _ = rl.record_episode(trained.agent.greedy, lambda: make_env("rgb_array"),
                                  rl.FINAL_EVAL_SEED, max_frames=cfg.gif_frames)
    rl.write_gif(frames, run.path / "game.gif", fps=30, every=3)
    return final, trained.device


def baselines() -> dict[str, Policy]:
    """What bench/rl.py compares the agent with."""
    return {"random": random_policy(0), "rule": rule}


def load(run_dir: Path) -> FlappyBirdAgent:
    """The best epoch's network (by mean evaluation return), on the CPU."""
    trained = runs.Trained(run_dir, FlappyBirdConfig)
    return FlappyBirdAgent(rl.load_dqn(trained, data.env_maker(trained.config.max_frames)),
                           trained.config)


__all__ = ["baselines", "load", "play_policy", "train"]
