"""Reinforcement learning benches. One JSON object per line.

``cartpole`` (the anchor): our DQN (dlnd.shared.rl with dqn-cartpole's settings: Double DQN and
5-step returns) and stable-baselines3's DQN, both with rl-baselines3-zoo's CartPole-v1
hyperparameters (lr 2.3e-3, batch 64, buffer 100k, learning_starts 1000, gamma 0.99,
target_update_interval 10, train_freq 256, gradient_steps 128, exploration_fraction 0.16,
exploration_final_eps 0.04, net 256x256, 5e4 steps), 5 seeds each, one torch thread each. Every
1,000 environment steps both are scored by the same evaluator: greedy episodes from seeds 1e6, 1e6
+ 1, ...; 10 first and, when their mean reaches 475, all 100. ``steps_to_475`` is the first such
point whose 100-episode mean is >= 475 (the step budget, 50,000, when none is); ``final_eval_mean``
is the 100-episode mean of the last network; ``wall_s`` is training time without the evaluations.
Then one line per agent with ``"seed": "median"``. ``--set KEY=VALUE`` changes our agent's settings
(``DqnCartPoleConfig``, e.g. ``--set double=false --set n_step=1`` for the original DQN, as sb3's);
its lines then carry ``"set"``.

``flappy`` / ``traffic``: train the flappy-bird / deep-traffic project with its defaults, then
play 20 evaluation games with it, a random agent and a hand-written heuristic (flappy) or the
environment's idle policy (traffic); ``--baselines-only`` scores the baselines alone (``wall_s``:
the agent's training time, or the baseline's playing time).

    flock /tmp/dlnd-bench.lock nice -n 5 .venv/bin/python bench/rl.py cartpole
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time

import numpy as np
import torch

from dlnd.core import config
from dlnd.projects.dqn_cartpole.config import DqnCartPoleConfig
from dlnd.shared import rl

EVAL_EVERY = 1000  # environment steps
SCREEN, FULL, GOAL = 10, 100, 475.0
ZOO = {"learning_rate": 2.3e-3, "batch_size": 64, "buffer_size": 100_000,
       "learning_starts": 1000, "gamma": 0.99, "target_update_interval": 10, "train_freq": 256,
       "gradient_steps": 128, "exploration_fraction": 0.16, "exploration_final_eps": 0.04}
STEPS = 50_000


def cartpole_env(render_mode=None):
    import gymnasium as gym

    return gym.make("CartPole-v1", render_mode=render_mode)


class Scorer:
    """Evaluations at fixed step counts, timed apart from training."""

    def __init__(self):
        self.steps_to_goal: int | None = None
        self.eval_s = 0.0

    def check(self, policy, steps: int) -> None:
        if self.steps_to_goal is not None:
            return
        start = time.perf_counter()
        screen = rl.evaluate(policy, cartpole_env, SCREEN, rl.EVAL_SEED)
        if rl.mean_return(screen) >= GOAL:
            if rl.mean_return(rl.evaluate(policy, cartpole_env, FULL, rl.EVAL_SEED)) >= GOAL:
                self.steps_to_goal = steps
        self.eval_s += time.perf_counter() - start

    def final(self, policy) -> float:
        return rl.mean_return(rl.evaluate(policy, cartpole_env, FULL, rl.EVAL_SEED))


def run_dlnd(seed: int, overrides: dict[str, str]) -> dict:
    cfg = config.build(DqnCartPoleConfig, {"seed": seed, "epochs": STEPS // EVAL_EVERY,
                                      "steps_per_epoch": EVAL_EVERY}, overrides)
    torch.manual_seed(seed)
    env = cartpole_env()
    agent = rl.DQNAgent.build(4, 2, cfg.hidden, lr=cfg.lr, gamma=cfg.gamma, double=cfg.double,
                              huber=cfg.huber, max_grad_norm=cfg.max_grad_norm)
    buffer = rl.ReplayBuffer(cfg.buffer_size, (4,))
    trainer = rl.DQNTrainer(agent, buffer, cfg.settings(), np.random.default_rng(seed))
    scorer = Scorer()
    start = time.perf_counter()
    for epoch in range(cfg.epochs):
        trainer.run_epoch(env, cfg.steps_per_epoch, rl.epoch_seed(seed, epoch))
        scorer.check(agent.greedy, trainer.counters["env_steps"])
    wall = time.perf_counter() - start - scorer.eval_s
    return {"steps_to_475": scorer.steps_to_goal or STEPS,
            "final_eval_mean": scorer.final(agent.greedy), "wall_s": round(wall, 1)}


def run_sb3(seed: int) -> dict:
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import BaseCallback

    scorer = Scorer()

    def greedy(model):
        def policy(obs):
            with torch.no_grad():
                return model.q_net(torch.as_tensor(obs)).argmax(1).numpy()
        return policy

    class Every(BaseCallback):
        def _on_step(self) -> bool:
            if self.num_timesteps % EVAL_EVERY == 0:
                scorer.check(greedy(self.model), self.num_timesteps)
            return True

    model = DQN("MlpPolicy", cartpole_env(), policy_kwargs={"net_arch": [256, 256]},
                seed=seed, device="cpu", verbose=0, **ZOO)
    start = time.perf_counter()
    model.learn(STEPS, callback=Every())
    wall = time.perf_counter() - start - scorer.eval_s
    return {"steps_to_475": scorer.steps_to_goal or STEPS,
            "final_eval_mean": scorer.final(greedy(model)), "wall_s": round(wall, 1)}


def cartpole(seeds: int, agents: list[str], overrides: dict[str, str]) -> None:
    torch.set_num_threads(1)
    for agent in agents:
        rows = []
        changed = {"set": overrides} if overrides and agent == "dlnd" else {}
        for seed in range(seeds):
            row = {"agent": agent, **changed, "seed": seed,
                   **(run_dlnd(seed, overrides) if agent == "dlnd" else run_sb3(seed))}
            rows.append(row)
            print(json.dumps(row), flush=True)
        print(json.dumps({
            "agent": agent, **changed, "seed": "median",
            "steps_to_475": statistics.median(r["steps_to_475"] for r in rows),
            "final_eval_mean": statistics.median(r["final_eval_mean"] for r in rows),
            "wall_s": round(statistics.median(r["wall_s"] for r in rows), 1),
            "seeds_final_ge_475": sum(r["final_eval_mean"] >= GOAL for r in rows)}), flush=True)


def games(project: str, games: int, overrides: dict, baselines_only: bool = False) -> None:
    """Train ``project`` with its defaults (unless ``baselines_only``), then score it and the
    baselines on ``games`` evaluation games (the same seeds for all)."""
    import dlnd

    proj = dlnd.projects.get(project)
    impl = proj.implementation()
    with tempfile.TemporaryDirectory() as out:
        rows, wall = {}, {}
        if baselines_only:
            config = proj.make_config()
        else:
            summary = dlnd.run(project, out=out, verbose=True, **overrides)
            model = dlnd.load(summary["run_dir"])
            config, wall["dlnd"] = model.config, round(summary["wall_s"], 1)
            rows["dlnd"] = model.play(episodes=games, seed=rl.FINAL_EVAL_SEED)
        for name, policy in impl.baselines().items():
            start = time.perf_counter()
            rows[name] = impl.play_policy(policy, config, episodes=games,
                                          seed=rl.FINAL_EVAL_SEED)
            wall[name] = round(time.perf_counter() - start, 1)
        for name, result in rows.items():
            print(json.dumps({"project": project, "agent": name, "games": games,
                              **{k: round(v, 4) for k, v in result.items()},
                              "wall_s": wall[name]}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["cartpole", "flappy", "traffic"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--agents", default="dlnd,sb3")
    parser.add_argument("--games", type=int, default=20)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="cartpole: a setting of our agent (repeatable)")
    parser.add_argument("--baselines-only", action="store_true",
                        help="flappy/traffic: score only the baselines (no training)")
    args = parser.parse_args()
    if args.what == "cartpole":
        cartpole(args.seeds, args.agents.split(","), config.parse_assignments(args.set))
    else:
        games("flappy-bird" if args.what == "flappy" else "deep-traffic", args.games, {},
              args.baselines_only)


if __name__ == "__main__":
    main()
