"""Train the two Q-tables side by side; load a trained run as an agent that plays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dlnd.core import runs
from dlnd.projects.q_learning import data
from dlnd.projects.q_learning.config import QLearningConfig
from dlnd.projects.q_learning.model import QLearningAgent
from dlnd.shared import plots, rl

ARROWS = {0: (-1, 0), 1: (0, 1), 2: (1, 0), 3: (0, -1)}  # left, down, right, up as (dx, dy)
FINAL_CARTPOLE_EPSILON = 0.05


def run_steps(env: Any, table: rl.QTable, steps: int, env_seed: int, rng: np.random.Generator,
              state: Callable[[Any], int], schedule: Callable[[], tuple[float, float]],
              count: Callable[[], None]) -> tuple[list[float], float]:
    """``steps`` Q-learning steps from ``env.reset(seed=env_seed)``: the returns of the episodes
    that ended and the return so far of the one cut at the end."""
    s = state(env.reset(seed=env_seed)[0])
    returns, ret = [], 0.0
    for _ in range(steps):
        alpha, epsilon = schedule()
        action = table.act(s, epsilon, rng)
        obs, reward, terminated, truncated, _ = env.step(action)
        s2 = state(obs)
        table.update(s, action, float(reward), s2, terminated, alpha=alpha)
        count()
        ret += float(reward)
        if terminated or truncated:
            returns.append(ret)
            ret = 0.0
            s2 = state(env.reset()[0])
        s = s2
    return returns, ret


def train(cfg: QLearningConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    rng = np.random.default_rng(cfg.seed)
    lake_env, pole_env = data.frozen_lake(), data.cartpole()
    discretise = data.Discretiser(cfg.cartpole_bins)
    lake = rl.QTable(lake_env.observation_space.n, lake_env.action_space.n,
                     cfg.frozen_lake_alpha, cfg.frozen_lake_gamma)
    pole = rl.QTable(discretise.states, pole_env.action_space.n, cfg.cartpole_alpha,
                     cfg.cartpole_gamma)
    counters = rl.Counters(frozen_lake_steps=0, cartpole_steps=0)
    run.track(frozen_lake=lake, cartpole=pole, counters=counters, rng=rng)
    lake_total, pole_total = cfg.epochs * cfg.frozen_lake_steps, cfg.epochs * cfg.cartpole_steps
    agent = QLearningAgent(lake, pole, cfg)

    def lake_schedule() -> tuple[float, float]:
        done = counters["frozen_lake_steps"] / lake_total
        return cfg.frozen_lake_alpha * (1 - 0.9 * done), cfg.frozen_lake_epsilon

    def pole_schedule() -> tuple[float, float]:
        done = min(1.0, counters["cartpole_steps"] / (0.5 * pole_total))
        return (cfg.cartpole_alpha * (1 - 0.9 * done),
                cfg.cartpole_epsilon + (FINAL_CARTPOLE_EPSILON - cfg.cartpole_epsilon) * done)

    def count(key: str) -> Callable[[], None]:
        def step() -> None:
            counters[key] += 1
        return step

    for epoch in run.epochs(cfg.epochs):
        lake_returns, _ = run_steps(lake_env, lake, cfg.frozen_lake_steps,
                                    rl.epoch_seed(cfg.seed, epoch, 0), rng, int, lake_schedule,
                                    count("frozen_lake_steps"))
        pole_returns, cut = run_steps(pole_env, pole, cfg.cartpole_steps,
                                      rl.epoch_seed(cfg.seed, epoch, 1), rng, discretise,
                                      pole_schedule, count("cartpole_steps"))
        evaluation = rl.evaluate(agent.cartpole_policy, data.cartpole, cfg.eval_episodes,
                                 rl.EVAL_SEED)
        metrics = {
            "frozen_lake/success": data.success_probability(lake_env, lake.policy()),
            "frozen_lake/train_return": float(np.mean(lake_returns)) if lake_returns else 0.0,
            "cartpole/train_return": float(np.mean(pole_returns)) if pole_returns else cut,
            "cartpole/eval_return": rl.mean_return(evaluation),
            "cartpole/epsilon": pole_schedule()[1]}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    optimal = data.optimal_q(lake_env, cfg.frozen_lake_gamma)
    final_episodes = rl.evaluate(agent.cartpole_policy, data.cartpole, cfg.final_eval_episodes,
                                 rl.FINAL_EVAL_SEED)
    final = {"frozen_lake_success": data.success_probability(lake_env, lake.policy()),
             "frozen_lake_optimal_success": data.success_probability(lake_env,
                                                                     optimal.argmax(axis=1)),
             "frozen_lake_optimal_actions": optimal_share(lake_env, lake.q, optimal),
             "cartpole_mean_return": rl.mean_return(final_episodes),
             "cartpole_min_return": float(min(e.ret for e in final_episodes))}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    lake_env.close()
    pole_env.close()
    plots.learning_curves(run, title="FrozenLake: exact success of the greedy policy; CartPole: "
                          "returns and epsilon", xlabel="epoch")
    rl.plot_returns(run, [e.ret for e in final_episodes], goal=195.0,
                    names=("cartpole/train_return", "cartpole/eval_return"),
                    steps_per_epoch=cfg.cartpole_steps,
                    title="CartPole (200-step limit) with a discretised Q-table")
    plot_frozen_lake(run, data.frozen_lake(), lake.q, optimal, final)
    return final, "cpu (numpy)"


def optimal_share(env: Any, q: np.ndarray, optimal: np.ndarray) -> float:
    """The share of FrozenLake's non-terminal states where the learned greedy action is one of
    the optimal ones (within 1e-6 of Q*'s best)."""
    desc = env.unwrapped.desc.flatten()
    states = [s for s in range(len(desc)) if desc[s] not in (b"H", b"G")]
    good = [optimal[s, int(np.argmax(q[s]))] >= optimal[s].max() - 1e-6 for s in states]
    return float(np.mean(good))


def plot_frozen_lake(run: runs.Run, env: Any, q: np.ndarray, optimal: np.ndarray,
                     final: dict[str, float]) -> None:
    """``frozen_lake.png``: the learned greedy policy (arrows) and values (max Q, colour and
    number) on the grid, beside value iteration's optimum."""
    desc = env.unwrapped.desc
    rows, cols = desc.shape
    fig = plots.figure(10, 4.8)
    axes = fig.subplots(1, 2)
    titles = (f"Q-learning: success {final['frozen_lake_success']:.3f}",
              f"Value iteration (optimal): success {final['frozen_lake_optimal_success']:.3f}")
    for ax, table, title in zip(axes, (q, optimal), titles, strict=True):
        values = table.max(axis=1).reshape(rows, cols)
        image = ax.imshow(values, cmap="Blues", vmin=0, vmax=max(float(optimal.max()), 1e-9))
        for r in range(rows):
            for c in range(cols):
                cell, s = desc[r, c].decode(), r * cols + c
                if cell == "H":
                    ax.add_patch(plots_rect(c, r, "dimgray"))
                    ax.text(c, r, "hole", ha="center", va="center", color="white", fontsize=9)
                    continue
                if cell == "G":
                    ax.add_patch(plots_rect(c, r, "gold"))
                    ax.text(c, r, "goal", ha="center", va="center", fontsize=9)
                    continue
                dx, dy = ARROWS[int(np.argmax(table[s]))]
                ax.annotate("", xy=(c + 0.3 * dx, r + 0.3 * dy), xytext=(c, r),
                            arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2})
                ax.text(c, r + 0.38, f"{values[r, c]:.2f}", ha="center", va="center",
                        fontsize=8)
                if cell == "S":
                    ax.text(c - 0.38, r - 0.35, "start", fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=10)
    fig.colorbar(image, ax=list(axes), label="value: max_a Q(s, a)", shrink=0.8)
    fig.suptitle("FrozenLake 4x4 (slippery): greedy action and value of each square")
    plots.save(run, "frozen_lake", fig)


def plots_rect(c: int, r: int, colour: str) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((c - 0.5, r - 0.5), 1, 1, color=colour)


def load(run_dir: Path) -> QLearningAgent:
    """The two Q-tables of the last epoch."""
    trained = runs.Trained(run_dir, QLearningConfig)
    cfg = trained.config
    lake = rl.QTable(16, 4, cfg.frozen_lake_alpha, cfg.frozen_lake_gamma)
    pole = rl.QTable(data.Discretiser(cfg.cartpole_bins).states, 2, cfg.cartpole_alpha,
                     cfg.cartpole_gamma)
    lake.load_state_dict(trained.weights("frozen_lake"))
    pole.load_state_dict(trained.weights("cartpole"))
    return QLearningAgent(lake, pole, cfg)
