"""Train the DQN driver on highway-fast-v0; load a trained run as a driver that plays."""

from __future__ import annotations

from pathlib import Path

from dlnd.core import runs
from dlnd.projects.deep_traffic import data
from dlnd.projects.deep_traffic.config import DeepTrafficConfig
from dlnd.projects.deep_traffic.model import (
    DeepTrafficAgent,
    Policy,
    idle,
    play_policy,
    random_policy,
    summarise,
)
from dlnd.shared import plots, rl


def train(cfg: DeepTrafficConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    make_env = data.env_maker(cfg.duration)

    def extra(episodes: list[rl.Episode]) -> dict[str, float]:
        s = summarise(episodes)
        return {"eval/speed": s["mean_speed"], "eval/collision": s["collision_rate"]}

    trained = rl.train_dqn(cfg, run, make_env, preprocess=data.flatten, measure=data.measure,
                           epoch_extra=extra)
    s = summarise(trained.final_episodes)
    final = {**trained.final, "eval_mean_speed": s["mean_speed"],
             "eval_collision_rate": s["collision_rate"]}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    plots.learning_curves(run, title="DeepTraffic: return, speed (m/s) and collisions of the "
                          "greedy evaluation episodes; TD loss, epsilon",
                          xlabel=f"epoch ({cfg.steps_per_epoch:,} decisions)")
    rl.plot_returns(run, [e.ret for e in trained.final_episodes],
                    steps_per_epoch=cfg.steps_per_epoch,
                    title=f"Return per episode (right: the {len(trained.final_episodes)} final "
                    f"episodes of epoch {trained.best.epoch + 1}'s network)")
    frames, _ = rl.record_episode(trained.agent.greedy, lambda: make_env("rgb_array"),
                                  rl.FINAL_EVAL_SEED, preprocess=data.flatten,
                                  max_frames=cfg.gif_frames)
    rl.write_gif(frames, run.path / "drive.gif", fps=5)
    return final, trained.device


def baselines() -> dict[str, Policy]:
    """What bench/rl.py compares the driver with."""
    return {"idle": idle, "random": random_policy(0)}


def load(run_dir: Path) -> DeepTrafficAgent:
    """The best epoch's network (by mean evaluation return), on the CPU."""
    trained = runs.Trained(run_dir, DeepTrafficConfig)
    return DeepTrafficAgent(rl.load_dqn(trained, data.env_maker(trained.config.duration),
                                        preprocess=data.flatten), trained.config)


__all__ = ["baselines", "load", "play_policy", "train"]
