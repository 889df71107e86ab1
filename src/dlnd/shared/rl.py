"""What the reinforcement-learning projects share: a Q-table, a replay buffer, n-step returns, a
DQN agent (online and target network, Double DQN, Huber loss, gradient clipping), the epsilon
schedule, the training loop that runs a fixed number of environment steps per epoch, a batched
evaluation loop and GIFs of episodes.

Everything with state is trackable by :meth:`dlnd.core.runs.Run.track` (``state_dict`` /
``load_state_dict``), so a resumed run continues from its step count with its buffer and both
networks restored, without save code in the projects. The environment's own state is not saved:
instead every epoch starts from ``env.reset(seed=epoch_seed(seed, epoch))`` (the episode running
at the end of an epoch is cut there, stored as *not* terminal so that its value is still
bootstrapped), so each epoch is reproducible from the checkpoint before it and a resumed run
equals an uninterrupted one exactly (same CPU, same thread count).

torch is imported only where a network is made, so the tabular project does not load it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dlnd.core.config import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_STEPS,
    MAX_THREADS,
    MAX_UNITS,
    BaseConfig,
    check_memory,
    mlp_parameters,
    param,
)
from dlnd.core.errors import ConfigError

# ----- seeds -----


def epoch_seed(seed: int, epoch: int, stream: int = 0) -> int:
    """The environment seed of one epoch (``stream`` tells apart several environments of one
    run): a function of (seed, epoch) only, so an epoch replays the same after a resume."""
    return int(np.random.SeedSequence([seed, epoch, stream]).generate_state(1)[0])


# ----- the tabular agent -----


class QTable:
    """Tabular Q-learning: ``Q[s, a] += alpha * (r + gamma * max_a' Q[s', a'] - Q[s, a])``, the
    max left out at a terminal state."""

    def __init__(self, states: int, actions: int, alpha: float, gamma: float,
                 initial: float = 0.0):
        self.q = np.full((states, actions), float(initial))
        self.alpha, self.gamma = alpha, gamma

    def greedy(self, state: int, rng: np.random.Generator | None = None) -> int:
        """The best action in ``state``; ties broken at random with ``rng`` (else the first)."""
        row = self.q[state]
        if rng is None:
            return int(np.argmax(row))
        best = np.flatnonzero(row == row.max())
        return int(best[rng.integers(len(best))]) if len(best) > 1 else int(best[0])

    def act(self, state: int, epsilon: float, rng: np.random.Generator) -> int:
        if rng.random() < epsilon:
            return int(rng.integers(self.q.shape[1]))
        return self.greedy(state, rng)

    def update(self, state: int, action: int, reward: float, next_state: int,
               terminated: bool, alpha: float | None = None) -> float:
        """One Q-learning step; returns the TD error."""
        target = reward + (0.0 if terminated else self.gamma * self.q[next_state].max())
        error = target - self.q[state, action]
        self.q[state, action] += (self.alpha if alpha is None else alpha) * error
        return float(error)

    def policy(self) -> np.ndarray:
        return self.q.argmax(axis=1)

    def state_dict(self) -> dict[str, Any]:
        return {"q": self.q.copy()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.q = np.array(state["q"], dtype=np.float64)


# ----- replay buffer -----


class ReplayBuffer:
    """A ring buffer of transitions (obs, action, reward, next_obs, terminated, steps): the
    newest ``capacity`` are kept, each as likely to be sampled as any other. ``terminated`` is
    true only when the episode really ended (not at a time limit or an epoch's cut), so the
    target of a cut transition still bootstraps from its next state. ``steps`` is how many
    environment steps the transition spans (1; up to n with :class:`NStepReturns`, whose
    ``reward`` is then their discounted sum and ``next_obs`` the state n steps on)."""

    def __init__(self, capacity: int, obs_shape: Sequence[int], obs_dtype: Any = np.float32):
        self.capacity = int(capacity)
        shape = (self.capacity, *obs_shape)
        self.obs = np.zeros(shape, dtype=obs_dtype)
        self.next_obs = np.zeros(shape, dtype=obs_dtype)
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity, dtype=np.float32)
        self.terminated = np.zeros(self.capacity, dtype=np.float32)
        self.steps = np.ones(self.capacity, dtype=np.int64)
        self.pos = 0  # where the next transition goes
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def add(self, obs, action: int, reward: float, next_obs, terminated: bool,
            steps: int = 1) -> None:
        i = self.pos
        self.obs[i], self.next_obs[i] = obs, next_obs
        self.actions[i], self.rewards[i], self.terminated[i] = action, reward, float(terminated)
        self.steps[i] = steps
        self.pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """``batch_size`` transitions drawn uniformly, with replacement."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty replay buffer")
        idx = rng.integers(0, self.size, size=batch_size)
        return {"obs": self.obs[idx], "actions": self.actions[idx],
                "rewards": self.rewards[idx], "next_obs": self.next_obs[idx],
                "terminated": self.terminated[idx], "steps": self.steps[idx]}

    def state_dict(self) -> dict[str, Any]:
        n = self.size  # only the filled part: a young buffer checkpoints small
        return {"capacity": self.capacity, "pos": self.pos, "size": n,
                "obs": self.obs[:n].copy(), "next_obs": self.next_obs[:n].copy(),
                "actions": self.actions[:n].copy(), "rewards": self.rewards[:n].copy(),
                "terminated": self.terminated[:n].copy(), "steps": self.steps[:n].copy()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        if int(state["capacity"]) != self.capacity:
            raise ValueError(f"a replay buffer of {state['capacity']} transitions cannot be "
                             f"loaded into one of {self.capacity}")
        n = int(state["size"])
        self.pos, self.size = int(state["pos"]), n
        # checkpoints from before n-step returns have no steps: all their transitions span one
        fields = ("obs", "next_obs", "actions", "rewards", "terminated", "steps")
        self.steps[:n] = 1
        for name in (f for f in fields if f != "steps" or "steps" in state):
            getattr(self, name)[:n] = np.asarray(state[name]).reshape(
                getattr(self, name)[:n].shape)


class NStepReturns:
    """Turns the one-step transitions of an episode into n-step ones (Sutton 1988; Rainbow,
    Hessel et al. 2018): each state's stored reward is the discounted sum of the next ``n``
    rewards, ``r_t + gamma r_{t+1} + ... + gamma^{n-1} r_{t+n-1}``, and its target bootstraps
    from the state ``n`` steps on with ``gamma^n``. A learner then looks ``n`` steps ahead per
    target-network copy instead of one. The last states of an episode (ended, truncated or cut)
    span fewer steps. The rewards are those of the behaviour policy (epsilon-greedy, older
    networks), not corrected: small n keeps that bias small. ``n = 1`` is the plain DQN."""

    def __init__(self, n: int, gamma: float):
        self.n, self.gamma = int(n), gamma
        self.pending: list[tuple[Any, int, float]] = []  # (obs, action, reward), oldest first

    def push(self, obs, action: int, reward: float, next_obs, terminated: bool,
             truncated: bool = False) -> list[tuple]:
        """Record one environment step; returns the transitions now complete, each as
        ``(obs, action, reward, next_obs, terminated, steps)`` for :meth:`ReplayBuffer.add`."""
        self.pending.append((obs, action, float(reward)))
        if terminated or truncated:
            return self.flush(next_obs, terminated)
        if len(self.pending) < self.n:
            return []
        return [self._pop(next_obs, False)]

    def flush(self, next_obs, terminated: bool = False) -> list[tuple]:
        """The episode ends (or is cut) at ``next_obs``: every pending state's transition."""
        done = []
        while self.pending:
            done.append(self._pop(next_obs, terminated))
        return done

    def _pop(self, next_obs, terminated: bool) -> tuple:
        ret = sum(self.gamma ** k * r for k, (_, _, r) in enumerate(self.pending))
        obs, action, _ = self.pending.pop(0)
        return obs, action, ret, next_obs, terminated, len(self.pending) + 1


# ----- schedules and counters -----


def linear_epsilon(step: int, total: int, fraction: float, start: float = 1.0,
                   end: float = 0.05) -> float:
    """Epsilon falls linearly from ``start`` to ``end`` over the first ``fraction`` of
    ``total`` environment steps, then stays at ``end`` (stable-baselines3's schedule)."""
    span = fraction * total
    if span <= 0:
        return end
    return start + (end - start) * min(1.0, step / span)


class Counters:
    """Named integer counters (environment steps, gradient updates, episodes) as trackable
    state: a resumed run continues counting where the checkpoint stopped."""

    def __init__(self, **values: int):
        self.values = dict(values)

    def __getitem__(self, name: str) -> int:
        return self.values[name]

    def __setitem__(self, name: str, value: int) -> None:
        self.values[name] = int(value)

    def state_dict(self) -> dict[str, int]:
        return dict(self.values)

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.values = {k: int(v) for k, v in state.items()}


# ----- DQN -----


def mlp(inputs: int, hidden: Sequence[int], outputs: int):
    """A ReLU multilayer perceptron (torch ``nn.Sequential``)."""
    from torch import nn

    layers: list = []
    for width in hidden:
        layers += [nn.Linear(inputs, width), nn.ReLU()]
        inputs = width
    layers.append(nn.Linear(inputs, outputs))
    return nn.Sequential(*layers)


class DQNAgent:
    """An online Q-network trained towards a target network's values.

    ``targets``: ``r + gamma^k * Q_target(s', a*)`` (0 bootstrap at a terminal state; ``k``
    the steps the transition spans, 1 but for :class:`NStepReturns`), with
    ``a* = argmax_a Q_online(s', a)`` for Double DQN (van Hasselt et al. 2016, which lessens
    the max operator's over-estimation) or ``argmax_a Q_target(s', a)`` for the original DQN.
    The loss is the Huber loss (``smooth_l1``, quadratic within 1, linear beyond: a big TD error
    does not blow up the gradient) or the squared error; gradients are clipped by norm."""

    def __init__(self, online, target, optimizer, *, gamma: float, double: bool = True,
                 huber: bool = True, max_grad_norm: float = 10.0, device: Any = "cpu"):
        self.online, self.target, self.optimizer = online, target, optimizer
        self.gamma, self.double, self.huber = gamma, double, huber
        self.max_grad_norm, self.device = max_grad_norm, device
        self.target.load_state_dict(self.online.state_dict())
        self.target.requires_grad_(False)

    @classmethod
    def build(cls, obs_dim: int, n_actions: int, hidden: Sequence[int], *, lr: float,
              gamma: float, double: bool = True, huber: bool = True,
              max_grad_norm: float = 10.0, device: Any = "cpu") -> DQNAgent:
        """An MLP agent with Adam (draws its initial weights from torch's global RNG)."""
        import torch

        online = mlp(obs_dim, hidden, n_actions).to(device)
        target = mlp(obs_dim, hidden, n_actions).to(device)
        # fused: one kernel for all parameters; a third less time per DQN update on a CPU
        optimizer = torch.optim.Adam(online.parameters(), lr=lr, fused=True)
        return cls(online, target, optimizer, gamma=gamma, double=double, huber=huber,
                   max_grad_norm=max_grad_norm, device=device)

    def sync_target(self) -> None:
        """Copy the online weights into the target network."""
        self.target.load_state_dict(self.online.state_dict())

    def q_values(self, obs: np.ndarray) -> np.ndarray:
        """Online Q-values of a batch of observations."""
        import torch

        with torch.no_grad():
            x = torch.as_tensor(np.asarray(obs, dtype=np.float32), device=self.device)
            return self.online(x).float().cpu().numpy()

    def greedy(self, obs: np.ndarray) -> np.ndarray:
        """The best action of each observation of a batch (ties: the first)."""
        return self.q_values(obs).argmax(axis=1)

    def act(self, obs: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
        """Epsilon-greedy: a uniformly random action with probability ``epsilon``."""
        n_actions = self.online[-1].out_features
        if rng.random() < epsilon:
            return int(rng.integers(n_actions))
        return int(self.greedy(np.asarray(obs)[None])[0])

    def targets(self, batch: dict[str, np.ndarray]):
        """The TD targets of a batch (a torch tensor; no gradient)."""
        return self._targets(self._tensors(batch))

    def _targets(self, t: dict[str, Any]):
        import torch

        with torch.no_grad():
            next_target = self.target(t["next_obs"])
            if self.double:
                chosen = self.online(t["next_obs"]).argmax(dim=1, keepdim=True)
            else:
                chosen = next_target.argmax(dim=1, keepdim=True)
            next_value = next_target.gather(1, chosen).squeeze(1)
            discount = self.gamma ** t["steps"] if "steps" in t else self.gamma
            return t["rewards"] + (1.0 - t["terminated"]) * discount * next_value

    def learn(self, batch: dict[str, np.ndarray]) -> float:
        """One gradient step on a batch; returns its loss."""
        import torch
        from torch.nn import functional as F

        t = self._tensors(batch)
        target = self._targets(t)
        q = self.online(t["obs"]).gather(1, t["actions"][:, None]).squeeze(1)
        loss = F.smooth_l1_loss(q, target) if self.huber else F.mse_loss(q, target)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.online.parameters(), self.max_grad_norm)
        self.optimizer.step()
        return float(loss.detach())

    def _tensors(self, batch: dict[str, np.ndarray]) -> dict[str, Any]:
        import torch

        out = {}
        for key, value in batch.items():
            dtype = torch.int64 if key == "actions" else torch.float32  # steps: float powers
            out[key] = torch.as_tensor(np.asarray(value), dtype=dtype, device=self.device)
        return out


@dataclass
class DQNSettings:
    """How :class:`DQNTrainer` interleaves acting and learning (environment steps throughout;
    stable-baselines3's meaning of each setting)."""

    total_steps: int  # all environment steps of the run: the epsilon schedule spans them
    batch_size: int = 64
    learning_starts: int = 1000  # uniformly random actions, and no learning, before this step
    train_freq: int = 256  # learn every this many environment steps ...
    gradient_steps: int = 128  # ... this many gradient steps on sampled batches
    target_update_interval: int = 10  # copy online -> target every this many environment steps
    exploration_fraction: float = 0.16
    exploration_initial_eps: float = 1.0
    exploration_final_eps: float = 0.04
    n_step: int = 1  # rewards summed per stored transition (NStepReturns); 1 = plain DQN


@dataclass
class EpochStats:
    """What one epoch of :meth:`DQNTrainer.run_epoch` saw."""

    returns: list[float] = field(default_factory=list)  # episodes that ended in the epoch
    partial_return: float = 0.0  # of the episode cut at the epoch's end
    losses: list[float] = field(default_factory=list)
    epsilon: float = 1.0  # at the epoch's end

    @property
    def mean_return(self) -> float:
        """Mean return of the episodes that ended; the cut episode's return when none did (a
        lower bound of its return: it was still going)."""
        return float(np.mean(self.returns)) if self.returns else self.partial_return

    @property
    def mean_loss(self) -> float:
        return float(np.mean(self.losses)) if self.losses else 0.0


class DQNTrainer:
    """The DQN loop: act epsilon-greedily, store each transition, learn every ``train_freq``
    steps, copy the target network every ``target_update_interval`` steps. Counters, buffer,
    networks, optimizer and RNG are all trackable, so track them and call :meth:`run_epoch`
    once per epoch."""

    def __init__(self, agent: DQNAgent, buffer: ReplayBuffer, settings: DQNSettings,
                 rng: np.random.Generator, preprocess: Callable[[Any], np.ndarray] | None = None):
        self.agent, self.buffer, self.settings, self.rng = agent, buffer, settings, rng
        self.counters = Counters(env_steps=0, updates=0, target_syncs=0, episodes=0)
        # empty between epochs (each epoch's last episode is cut and flushed): nothing to track
        self.returns = NStepReturns(settings.n_step, agent.gamma)
        self.preprocess = preprocess or (lambda obs: np.asarray(obs, dtype=np.float32))

    def epsilon(self) -> float:
        s = self.settings
        return linear_epsilon(self.counters["env_steps"], s.total_steps, s.exploration_fraction,
                              s.exploration_initial_eps, s.exploration_final_eps)

    def run_epoch(self, env, steps: int, env_seed: int) -> EpochStats:
        """``steps`` environment steps from ``env.reset(seed=env_seed)``."""
        s, c = self.settings, self.counters
        stats = EpochStats()
        obs = self.preprocess(env.reset(seed=env_seed)[0])
        episode_return = 0.0
        for _ in range(steps):
            if c["env_steps"] < s.learning_starts:
                action = int(self.rng.integers(env.action_space.n))
            else:
                action = self.agent.act(obs, self.epsilon(), self.rng)
            raw, reward, terminated, truncated, _ = env.step(action)
            next_obs = self.preprocess(raw)
            for transition in self.returns.push(obs, action, reward, next_obs, terminated,
                                                truncated):
                self.buffer.add(*transition)
            episode_return += float(reward)
            c["env_steps"] += 1
            if c["env_steps"] % s.target_update_interval == 0:
                self.agent.sync_target()
                c["target_syncs"] += 1
            if c["env_steps"] % s.train_freq == 0 and c["env_steps"] > s.learning_starts:
                for _ in range(s.gradient_steps):
                    stats.losses.append(self.agent.learn(self.buffer.sample(s.batch_size,
                                                                            self.rng)))
                    c["updates"] += 1
            if terminated or truncated:
                stats.returns.append(episode_return)
                c["episodes"] += 1
                episode_return = 0.0
                obs = self.preprocess(env.reset()[0])
            else:
                obs = next_obs
        for transition in self.returns.flush(obs):  # the cut episode's last states
            self.buffer.add(*transition)
        stats.partial_return = episode_return
        stats.epsilon = self.epsilon()
        return stats


# ----- evaluation -----


@dataclass
class Episode:
    """One evaluation episode: its return and length, and the per-step measures' means
    (``mean_<key>``) and last values (``last_<key>``)."""

    ret: float
    length: int
    measures: dict[str, float] = field(default_factory=dict)


def evaluate(policy: Callable[[np.ndarray], np.ndarray], make_env: Callable[[], Any],
             episodes: int, seed: int, *, parallel: int = 100,
             preprocess: Callable[[Any], np.ndarray] | None = None,
             measure: Callable[[dict], dict[str, float]] | None = None) -> list[Episode]:
    """Play ``episodes`` episodes, episode ``i`` from ``reset(seed=seed + i)``, with up to
    ``parallel`` environments stepped side by side so that ``policy`` (a batch of observations
    -> a batch of actions) sees them as one batch. Deterministic for a deterministic policy.
    ``measure(info)`` turns each step's info into numbers to average over the episode."""
    prep = preprocess or (lambda obs: np.asarray(obs, dtype=np.float32))
    results: list[Episode | None] = [None] * episodes
    envs = [make_env() for _ in range(min(parallel, episodes))]
    try:
        next_episode = 0
        slots: list[dict | None] = [None] * len(envs)

        def start(k: int) -> None:
            nonlocal next_episode
            if next_episode >= episodes:
                slots[k] = None
                return
            obs, _ = envs[k].reset(seed=seed + next_episode)
            slots[k] = {"i": next_episode, "obs": prep(obs), "ret": 0.0, "len": 0, "sums": {},
                        "last": {}}
            next_episode += 1

        for k in range(len(envs)):
            start(k)
        while any(slot is not None for slot in slots):
            live = [k for k, slot in enumerate(slots) if slot is not None]
            actions = policy(np.stack([slots[k]["obs"] for k in live]))
            for k, action in zip(live, actions, strict=True):
                slot = slots[k]
                obs, reward, terminated, truncated, info = envs[k].step(int(action))
                slot["obs"], slot["ret"], slot["len"] = prep(obs), slot["ret"] + reward, \
                    slot["len"] + 1
                if measure is not None:
                    for key, value in measure(info).items():
                        slot["sums"][key] = slot["sums"].get(key, 0.0) + float(value)
                        slot["last"][key] = float(value)
                if terminated or truncated:
                    measures = {f"mean_{k2}": v / slot["len"] for k2, v in slot["sums"].items()}
                    measures.update({f"last_{k2}": v for k2, v in slot["last"].items()})
                    results[slot["i"]] = Episode(float(slot["ret"]), slot["len"], measures)
                    start(k)
    finally:
        for env in envs:
            env.close()
    return [r for r in results if r is not None]


def mean_return(episodes: Sequence[Episode]) -> float:
    return float(np.mean([e.ret for e in episodes])) if episodes else math.nan


# ----- GIFs -----


def record_episode(policy: Callable[[np.ndarray], np.ndarray], make_env: Callable[[], Any],
                   seed: int, *, preprocess: Callable[[Any], np.ndarray] | None = None,
                   max_frames: int = 2000) -> tuple[list[np.ndarray], float]:
    """The frames (``env.render()`` in ``rgb_array`` mode) and return of one episode from
    ``reset(seed=seed)``; ``make_env`` must make its environment with that render mode. At most
    ``max_frames`` frames are kept (the episode still plays to its end)."""
    import os

    # pygame draws the frames off screen; without a display it would complain on stderr
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    prep = preprocess or (lambda obs: np.asarray(obs, dtype=np.float32))
    env = make_env()
    try:
        obs, _ = env.reset(seed=seed)
        frames, total, done = [env.render()], 0.0, False
        while not done:
            action = int(policy(prep(obs)[None])[0])
            obs, reward, terminated, truncated, _ = env.step(action)
            total += float(reward)
            done = terminated or truncated
            if len(frames) < max_frames:
                frames.append(env.render())
    finally:
        env.close()
    return [f for f in frames if f is not None], total


def write_gif(frames: Sequence[np.ndarray], path: Path, fps: float = 30.0,
              every: int = 1) -> Path:
    """An animated GIF of ``frames`` (H x W x 3 uint8 arrays), every ``every``-th one, that
    loops forever."""
    from PIL import Image

    from dlnd.core.errors import UsageError

    path = Path(path)
    images = [Image.fromarray(np.asarray(f, dtype=np.uint8)) for f in frames[::max(every, 1)]]
    if not images:
        raise UsageError("the episode rendered no frames: nothing to write as a GIF")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        images[0].save(path, save_all=True, append_images=images[1:], loop=0,
                       duration=max(int(1000 * max(every, 1) / fps), 20), optimize=False)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


# ----- what a trained agent offers -----


def play(policy: Callable[[np.ndarray], np.ndarray], make_env: Callable[..., Any],
         episodes: int = 10, seed: int = 0, gif: Path | None = None, *,
         preprocess: Callable[[Any], np.ndarray] | None = None,
         measure: Callable[[dict], dict[str, float]] | None = None, fps: float = 30.0,
         gif_every: int = 1) -> tuple[dict[str, float], list[Episode]]:
    """``episodes`` greedy episodes from seeds ``seed, seed + 1, ...`` (the same seed gives the
    same games) and, with ``gif``, the first one again rendered to that file.
    ``make_env(render_mode=None)`` makes the environment. Returns (``mean_return``,
    ``min_return``, ``max_return``, ``mean_length``) and the episodes."""
    if episodes < 1:
        from dlnd.core.errors import UsageError

        raise UsageError("play needs at least one episode")
    played = evaluate(policy, make_env, episodes, seed, preprocess=preprocess, measure=measure)
    returns = [e.ret for e in played]
    results = {"mean_return": float(np.mean(returns)), "min_return": float(np.min(returns)),
               "max_return": float(np.max(returns)),
               "mean_length": float(np.mean([e.length for e in played]))}
    if gif is not None:
        frames, _ = record_episode(policy, lambda: make_env(render_mode="rgb_array"), seed,
                                   preprocess=preprocess)
        write_gif(frames, gif, fps=fps, every=gif_every)
    return results, played


# ----- settings and the training run the DQN projects share -----



@dataclass
class DQNConfig(BaseConfig):
    """DQN settings; the defaults are rl-baselines3-zoo's tuned CartPole-v1 DQN (projects
    override what their game needs)."""

    epochs: int = param(50, "epochs of training; an epoch is a fixed chunk of steps_per_epoch "
                        "environment steps (not a pass over data: the agent makes its own), "
                        "after which the run evaluates, logs and checkpoints", min=1,
                        max=MAX_EPOCHS)
    steps_per_epoch: int = param(1000, "environment steps per epoch; each epoch starts a fresh "
                                 "episode from a seed derived from (seed, epoch), so a resumed "
                                 "run replays exactly", min=1, max=MAX_STEPS)
    lr: float = param(2.3e-3, "Adam step size (zoo: 2.3e-3)", gt=0)
    batch_size: int = param(64, "transitions per gradient step (zoo: 64)", min=1, max=MAX_BATCH)
    buffer_size: int = param(100_000, "replay buffer capacity in transitions; the oldest are "
                             "overwritten (zoo: 100k)", min=1, max=MAX_STEPS)
    learning_starts: int = param(1000, "environment steps of uniformly random actions before "
                                 "the first gradient step (zoo: 1000)", min=0, max=MAX_STEPS)
    gamma: float = param(0.99, "discount of future rewards (zoo: 0.99)", min=0, max=1)
    train_freq: int = param(256, "learn every this many environment steps ... (zoo: 256)",
                            min=1, max=MAX_STEPS)
    gradient_steps: int = param(128, "... this many gradient steps (zoo: 128)", min=1,
                                max=MAX_STEPS)
    target_update_interval: int = param(
        10, "copy the online network into the target network every this many environment "
        "steps (zoo: 10, so the target stays fixed through each burst of gradient steps)",
        min=1, max=MAX_STEPS)
    exploration_fraction: float = param(0.16, "epsilon falls linearly over this fraction of "
                                        "all training steps (zoo: 0.16)", min=0, max=1)
    exploration_final_eps: float = param(0.04, "epsilon after the fall (zoo: 0.04)", min=0,
                                         max=1)
    hidden: tuple[int, ...] = param((256, 256), "ReLU layers of the Q-network (zoo: 256,256)",
                                    min=1, max=MAX_UNITS)
    double: bool = param(True, "Double DQN: the online network picks the next action, the "
                         "target network values it (sb3's DQN: false)")
    n_step: int = param(1, "rewards summed into each stored transition before its target "
                        "bootstraps from the network (n-step returns; 1 = the DQN of sb3 and "
                        "the zoo): each target-network copy then carries value n steps back "
                        "instead of one", min=1, max=1000)
    huber: bool = param(True, "Huber (smooth L1) loss instead of the squared TD error, as sb3")
    max_grad_norm: float = param(10.0, "clip the gradient to this norm (sb3's default)", gt=0)
    eval_episodes: int = param(10, "greedy episodes after each epoch (seeds fixed across "
                               "epochs); the best epoch by their mean return is kept", min=1,
                               max=10_000)
    final_eval_episodes: int = param(100, "greedy episodes, on other seeds, that score the kept "
                                     "network at the end", min=1, max=10_000)
    threads: int = param(1, "torch CPU threads; 1 because a small MLP gains nothing from more "
                         "and two runs then share a 2-core machine fairly (0 = torch's "
                         "default)", min=0, max=MAX_THREADS)

    def check(self) -> None:
        super().check()
        if self.exploration_final_eps > 1:
            raise ConfigError("exploration_final_eps must be at most 1")
        check_memory("hidden or batch_size", mlp_parameters([64, *self.hidden, 8]),
                     activations=self.batch_size * sum(self.hidden) * 3)

    def settings(self) -> DQNSettings:
        return DQNSettings(
            total_steps=self.epochs * self.steps_per_epoch, batch_size=self.batch_size,
            learning_starts=self.learning_starts, train_freq=self.train_freq,
            gradient_steps=self.gradient_steps,
            target_update_interval=self.target_update_interval,
            exploration_fraction=self.exploration_fraction,
            exploration_final_eps=self.exploration_final_eps, n_step=self.n_step)


EVAL_SEED = 1_000_000  # evaluation episodes' seeds: far from the training epochs' seeds
FINAL_EVAL_SEED = 2_000_000  # the final score's: not those the best epoch was chosen on


@dataclass
class DQNRun:
    """A trained DQN run: the agent (best epoch's weights loaded), its trainer and best."""

    agent: DQNAgent
    trainer: DQNTrainer
    best: Any
    device: str
    final: dict[str, float]
    final_episodes: list[Episode]


def train_dqn(cfg: DQNConfig, run: Any, make_env: Callable[..., Any], *,
              preprocess: Callable[[Any], np.ndarray] | None = None,
              measure: Callable[[dict], dict[str, float]] | None = None,
              epoch_extra: Callable[[list[Episode]], dict[str, float]] | None = None,
              ) -> DQNRun:
    """The DQN projects' training run: ``cfg.epochs`` epochs of ``cfg.steps_per_epoch``
    environment steps, each followed by ``cfg.eval_episodes`` greedy episodes, logged as
    ``train/return``, ``train/loss``, ``train/epsilon``, ``eval/return`` (plus
    ``epoch_extra(episodes)``); online and target network, optimizer, replay buffer, counters
    and RNGs tracked; at the end the best epoch's weights are scored on
    ``cfg.final_eval_episodes`` other episodes."""
    from dlnd.core import runs, torch_common

    ts = torch_common.setup(cfg, run)
    env = make_env()
    obs_space = env.observation_space
    prep = preprocess or (lambda obs: np.asarray(obs, dtype=np.float32))
    obs_shape = prep(obs_space.sample()).shape
    agent = DQNAgent.build(int(np.prod(obs_shape)), int(env.action_space.n), cfg.hidden,
                           lr=cfg.lr, gamma=cfg.gamma, double=cfg.double, huber=cfg.huber,
                           max_grad_norm=cfg.max_grad_norm, device=ts.device)
    buffer = ReplayBuffer(min(cfg.buffer_size, cfg.epochs * cfg.steps_per_epoch), obs_shape)
    rng = np.random.default_rng(cfg.seed)
    trainer = DQNTrainer(agent, buffer, cfg.settings(), rng, preprocess=prep)
    best = runs.Best("eval/return", mode="max", model=agent.online)
    run.track(online=agent.online, target=agent.target, optimizer=agent.optimizer,
              buffer=buffer, counters=trainer.counters, rng=rng,
              torch_rng=torch_common.TorchRNG(), best=best)
    run.say(f"{sum(p.numel() for p in agent.online.parameters()):,} parameters; "
            f"{cfg.epochs} epochs of {cfg.steps_per_epoch} steps; {ts.describe()}")
    try:
        for epoch in run.epochs(cfg.epochs):
            stats = trainer.run_epoch(env, cfg.steps_per_epoch, epoch_seed(cfg.seed, epoch))
            episodes = evaluate(agent.greedy, make_env, cfg.eval_episodes, EVAL_SEED,
                                preprocess=prep, measure=measure)
            metrics = {"train/return": stats.mean_return, "train/loss": stats.mean_loss,
                       "train/epsilon": stats.epsilon, "eval/return": mean_return(episodes)}
            if epoch_extra is not None:
                metrics.update(epoch_extra(episodes))
            run.log(epoch, metrics)
            run.report(epoch, cfg.epochs, metrics)
            best.update(epoch, metrics)
    finally:
        env.close()
    best.restore()
    final_episodes = evaluate(agent.greedy, make_env, cfg.final_eval_episodes, FINAL_EVAL_SEED,
                              preprocess=prep, measure=measure)
    returns = [e.ret for e in final_episodes]
    final = {"eval_mean_return": float(np.mean(returns)),
             "eval_min_return": float(np.min(returns)), "best_epoch": float(best.epoch + 1),
             "env_steps": float(trainer.counters["env_steps"]),
             "gradient_steps": float(trainer.counters["updates"]),
             "env_steps_per_s": trainer.counters["env_steps"] / max(run.wall_s(), 1e-9)}
    return DQNRun(agent, trainer, best, ts.describe(), final, final_episodes)


def load_dqn(trained: Any, make_env: Callable[..., Any],
             preprocess: Callable[[Any], np.ndarray] | None = None) -> DQNAgent:
    """The agent of a trained run (the kept best epoch's online weights), on the CPU."""
    cfg = trained.config
    env = make_env()
    try:
        prep = preprocess or (lambda obs: np.asarray(obs, dtype=np.float32))
        obs_dim = int(np.prod(prep(env.observation_space.sample()).shape))
        n_actions = int(env.action_space.n)
    finally:
        env.close()
    agent = DQNAgent.build(obs_dim, n_actions, cfg.hidden, lr=cfg.lr, gamma=cfg.gamma,
                           double=cfg.double, huber=cfg.huber)
    agent.online.load_state_dict(trained.weights("online"))
    agent.sync_target()
    agent.online.eval()
    return agent


# ----- pictures -----


def plot_returns(run: Any, final_returns: Sequence[float], *, goal: float | None = None,
                 title: str = "", steps_per_epoch: int = 0,
                 names: Sequence[str] = ("train/return", "eval/return"),
                 final_label: str = "return") -> Path:
    """``returns.png``: the return curve (mean return of each epoch's training episodes and
    greedy evaluation episodes, with the goal) beside the final evaluation episodes' returns (or
    another per-episode figure, named ``final_label``)."""
    from dlnd.shared import plots

    curves = plots.history(run, names)
    fig = plots.figure(10, 3.6)
    left, right = fig.subplots(1, 2, width_ratios=(3, 2))
    labels = {"train/return": "training episodes (epsilon-greedy)",
              "eval/return": "greedy evaluation episodes"}
    for i, (name, points) in enumerate(curves.items()):
        x = [e * steps_per_epoch if steps_per_epoch else e for e, _ in points]
        left.plot(x, [v for _, v in points], marker=plots.MARKERS[i], markersize=3,
                  color=plots.COLOURS[i], label=labels.get(name, name))
    if goal is not None:
        left.axhline(goal, color="grey", linestyle=":", label=f"goal {goal:g}")
        if final_label == "return":
            right.axvline(goal, color="grey", linestyle=":")
    left.set_xlabel("environment steps" if steps_per_epoch else "epoch")
    left.set_ylabel("mean return")
    left.legend(fontsize=8)
    left.set_title("Return curve")
    right.hist(list(final_returns), bins=min(20, max(len(final_returns), 1)), color="tab:green")
    right.set_xlabel(final_label)
    right.set_ylabel("episodes")
    right.set_title(f"Final evaluation: mean {np.mean(final_returns):.1f}")
    if title:
        fig.suptitle(title)
    return plots.save(run, "returns", fig, step=max(len(v) for v in curves.values()) - 1
                      if curves else 0)
