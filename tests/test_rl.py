"""The reinforcement-learning parts (dlnd.shared.rl): Q-learning, the replay buffer, n-step
returns, the target network's schedule, Double-DQN targets, resuming a DQN run; the projects'
offers."""

import numpy as np
import pytest
import torch

import dlnd
from dlnd import projects
from dlnd.core import config as config_mod
from dlnd.core import runs
from dlnd.shared import rl


class Corridor:
    """A deterministic 1 x 5 grid: start at 0, actions left (0) and right (1), reward 1 on
    reaching cell 4 (terminal), 0 otherwise."""

    n_states, n_actions, goal = 5, 2, 4

    def step(self, s, a):
        s2 = max(s - 1, 0) if a == 0 else min(s + 1, self.goal)
        return s2, float(s2 == self.goal), s2 == self.goal


def test_q_learning_finds_the_optimal_policy_of_a_deterministic_grid():
    grid, gamma = Corridor(), 0.9
    table = rl.QTable(grid.n_states, grid.n_actions, alpha=0.5, gamma=gamma)
    rng = np.random.default_rng(0)
    for _ in range(300):
        s, done = 0, False
        while not done:
            a = table.act(s, 1.0, rng)  # uniformly random behaviour: Q-learning is off-policy
            s2, r, done = grid.step(s, a)
            table.update(s, a, r, s2, done)
            s = s2
    assert list(table.policy()[:grid.goal]) == [1, 1, 1, 1]  # always right
    # Q*(s, right) = gamma^(steps to the goal - 1); Q*(s, left) = gamma * V*(left neighbour)
    right = [gamma ** (grid.goal - 1 - s) for s in range(grid.goal)]
    left = [gamma * right[max(s - 1, 0)] for s in range(grid.goal)]
    np.testing.assert_allclose(table.q[:grid.goal, 1], right, atol=1e-6)
    np.testing.assert_allclose(table.q[:grid.goal, 0], left, atol=1e-6)


def test_replay_buffer_wraps_keeping_the_newest():
    buffer = rl.ReplayBuffer(4, (1,))
    for i in range(6):
        buffer.add([i], i % 2, float(i), [i + 1], i == 5)
    assert len(buffer) == 4 and buffer.pos == 2
    assert sorted(buffer.rewards.tolist()) == [2.0, 3.0, 4.0, 5.0]  # 0 and 1 overwritten
    assert buffer.obs[0, 0] == 4 and buffer.obs[1, 0] == 5 and buffer.terminated[1] == 1.0


def test_replay_buffer_samples_uniformly():
    buffer = rl.ReplayBuffer(10, (1,))
    for i in range(7):
        buffer.add([i], 0, float(i), [i], False)
    rng = np.random.default_rng(0)
    drawn = np.concatenate([buffer.sample(100, rng)["rewards"] for _ in range(700)])
    counts = np.bincount(drawn.astype(int), minlength=10)
    assert counts[7:].sum() == 0  # never an empty slot
    expected = len(drawn) / 7
    chi2 = ((counts[:7] - expected) ** 2 / expected).sum()
    assert chi2 < 22.5  # chi-squared, 6 degrees of freedom: p = 0.001


def test_replay_buffer_state_round_trips():
    buffer = rl.ReplayBuffer(3, (2,))
    for i in range(4):
        buffer.add([i, -i], 1, 1.0, [i, i], False, steps=i + 1)
    again = rl.ReplayBuffer(3, (2,))
    again.load_state_dict(buffer.state_dict())
    for name in ("obs", "next_obs", "actions", "rewards", "terminated", "steps"):
        np.testing.assert_array_equal(getattr(again, name), getattr(buffer, name))
    assert (again.pos, again.size) == (buffer.pos, buffer.size)
    with pytest.raises(ValueError):
        rl.ReplayBuffer(5, (2,)).load_state_dict(buffer.state_dict())


def test_n_step_returns_match_a_hand_computation():
    returns = rl.NStepReturns(3, gamma=0.5)
    stored = []
    for t, reward in enumerate([1.0, 2.0, 3.0, 4.0, 5.0]):  # states 0..4, then terminal 5
        stored += returns.push(t, 0, reward, t + 1, terminated=t == 4)
    # (obs, action, discounted reward sum, state it bootstraps from, terminated, steps)
    assert stored == [(0, 0, 1 + 0.5 * 2 + 0.25 * 3, 3, False, 3),
                      (1, 0, 2 + 0.5 * 3 + 0.25 * 4, 4, False, 3),
                      (2, 0, 3 + 0.5 * 4 + 0.25 * 5, 5, True, 3),
                      (3, 0, 4 + 0.5 * 5, 5, True, 2),
                      (4, 0, 5.0, 5, True, 1)]
    assert returns.pending == []
    # a cut (epoch end, time limit) flushes what is pending, still bootstrapping
    returns.push(10, 1, 1.0, 11, terminated=False)
    assert returns.flush(11) == [(10, 1, 1.0, 11, False, 1)]
    one = rl.NStepReturns(1, gamma=0.5)  # n = 1: each step as it comes
    assert one.push(0, 1, 2.0, 1, terminated=False) == [(0, 1, 2.0, 1, False, 1)]


def test_n_step_targets_discount_by_the_steps_spanned():
    agent = rl.DQNAgent.build(1, 2, (), lr=0.1, gamma=0.5, double=False)
    with torch.no_grad():  # Q(s) = (s, 2s)
        agent.online[0].weight.copy_(torch.tensor([[1.0], [2.0]]))
        agent.online[0].bias.zero_()
    agent.sync_target()
    batch = {"obs": np.zeros((3, 1)), "actions": np.zeros(3, dtype=np.int64),
             "rewards": np.array([1.0, 1.0, 1.0]), "next_obs": np.array([[4.0], [4.0], [4.0]]),
             "terminated": np.array([0.0, 0.0, 1.0]), "steps": np.array([1, 3, 3])}
    # max Q(s') = 8: 1 + 0.5 * 8, 1 + 0.125 * 8, and the terminal one just its reward sum
    np.testing.assert_allclose(agent.targets(batch).numpy(), [5.0, 2.0, 1.0])


def test_trainer_with_n_step_stores_discounted_sums():
    trainer = make_trainer(n_step=3, learning_starts=100)  # acting only
    trainer.run_epoch(FixedEnv(), 10, env_seed=0)  # an episode of 7 steps, then 3 cut
    buffer, gamma = trainer.buffer, trainer.agent.gamma
    assert len(buffer) == 10
    assert buffer.steps[:10].tolist() == [3, 3, 3, 3, 3, 2, 1, 3, 2, 1]
    np.testing.assert_allclose(buffer.rewards[:10], [1 + gamma + gamma ** 2] * 5
                               + [1 + gamma, 1, 1 + gamma + gamma ** 2, 1 + gamma, 1], rtol=1e-6)
    assert buffer.terminated[:10].tolist() == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert trainer.returns.pending == []  # nothing carried over to the next epoch


def test_epsilon_falls_linearly_then_stays():
    assert rl.linear_epsilon(0, 1000, 0.1, 1.0, 0.05) == 1.0
    assert rl.linear_epsilon(50, 1000, 0.1, 1.0, 0.05) == pytest.approx(0.525)
    assert rl.linear_epsilon(100, 1000, 0.1, 1.0, 0.05) == pytest.approx(0.05)
    assert rl.linear_epsilon(900, 1000, 0.1, 1.0, 0.05) == pytest.approx(0.05)


class FixedEnv:
    """A gymnasium-like environment of 3-d observations and 2 actions; episodes of 7 steps."""

    class Space:
        n = 2

    action_space = Space()

    def __init__(self):
        self.t, self.rng = 0, np.random.default_rng(0)

    def reset(self, seed=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        self.t = 0
        return self.rng.normal(size=3).astype(np.float32), {}

    def step(self, action):
        self.t += 1
        return self.rng.normal(size=3).astype(np.float32), 1.0, self.t == 7, False, {}


def make_trainer(**overrides):
    torch.manual_seed(0)
    settings = rl.DQNSettings(**{"total_steps": 100, "batch_size": 4, "learning_starts": 10,
                                 "train_freq": 5, "gradient_steps": 2,
                                 "target_update_interval": 20, **overrides})
    agent = rl.DQNAgent.build(3, 2, (8,), lr=1e-2, gamma=0.9)
    return rl.DQNTrainer(agent, rl.ReplayBuffer(50, (3,)), settings, np.random.default_rng(0))


def same_weights(a, b):
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                  b.state_dict().values(), strict=True))


def test_target_network_updates_on_schedule():
    trainer = make_trainer(target_update_interval=21)
    agent, env = trainer.agent, FixedEnv()
    assert same_weights(agent.online, agent.target)  # a copy from the start
    syncs, trained_since_sync = [], False
    for step in range(1, 64):
        trainer.run_epoch(env, 1, env_seed=step)
        trained_since_sync |= step % 5 == 0 and step > 10  # train_freq 5, learning_starts 10
        if trainer.counters["target_syncs"] > len(syncs):
            syncs.append(step)
            trained_since_sync = False
        # the target is the online network as of the last copy: equal until learning moves it
        assert same_weights(agent.online, agent.target) == (not trained_since_sync), step
    assert syncs == [21, 42, 63]
    # learning: every train_freq steps after learning_starts, gradient_steps updates each
    assert trainer.counters["updates"] == 2 * len(range(15, 64, 5))


def test_double_dqn_targets_match_a_hand_computation():
    agent = rl.DQNAgent.build(2, 3, (), lr=0.1, gamma=0.5, double=True)
    with torch.no_grad():  # linear networks: Q(s) = W s
        agent.online[0].weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]))
        agent.online[0].bias.zero_()
        agent.target[0].weight.copy_(torch.tensor([[10.0, 0.0], [0.0, 20.0], [30.0, 30.0]]))
        agent.target[0].bias.zero_()
    batch = {"obs": np.zeros((2, 2)), "actions": np.array([0, 1]),
             "rewards": np.array([1.0, 2.0]), "next_obs": np.array([[2.0, 1.0], [1.0, 3.0]]),
             "terminated": np.array([0.0, 1.0])}
    # online picks argmax of (2, 1, 0) = action 0 for the first; target values it 10 * 2 = 20
    # -> 1 + 0.5 * 20 = 11. The second is terminal: just its reward.
    np.testing.assert_allclose(agent.targets(batch).numpy(), [11.0, 2.0])
    agent.double = False  # the original DQN: the target's own max, (20, 20, 90) -> 90
    np.testing.assert_allclose(agent.targets(batch).numpy(), [1 + 0.5 * 90, 2.0])


def test_dqn_learner_matches_stable_baselines3_on_the_same_batches():
    """The anchor: from the same weights and on the same 128 batches, our original-DQN update
    (Huber loss, Adam, clipping at norm 10) gives stable-baselines3's weights."""
    sb3 = pytest.importorskip("stable_baselines3")
    import gymnasium as gym
    from stable_baselines3.common.type_aliases import ReplayBufferSamples

    torch.manual_seed(0)
    theirs = sb3.DQN("MlpPolicy", gym.make("CartPole-v1"), learning_rate=2.3e-3, batch_size=64,
                     gamma=0.99, policy_kwargs={"net_arch": [64, 64]}, seed=0, device="cpu")
    theirs._setup_learn(1)  # their logger, which train() records to
    ours = rl.DQNAgent.build(4, 2, (64, 64), lr=2.3e-3, gamma=0.99, double=False)
    ours.online.load_state_dict(theirs.q_net.q_net.state_dict())
    ours.sync_target()
    rng = np.random.default_rng(0)
    batches = [{"obs": rng.normal(size=(64, 4)).astype(np.float32),
                "actions": rng.integers(0, 2, 64),
                "rewards": np.ones(64, dtype=np.float32),
                "next_obs": rng.normal(size=(64, 4)).astype(np.float32),
                "terminated": (rng.random(64) < 0.1).astype(np.float32)} for _ in range(128)]
    feed = iter(batches)

    def sample(batch_size, env=None):
        b = next(feed)
        return ReplayBufferSamples(
            torch.as_tensor(b["obs"]), torch.as_tensor(b["actions"])[:, None],
            torch.as_tensor(b["next_obs"]), torch.as_tensor(b["terminated"])[:, None],
            torch.as_tensor(b["rewards"])[:, None])

    theirs.replay_buffer.sample = sample
    theirs.train(gradient_steps=len(batches), batch_size=64)  # one target, as between copies
    initial = {name: w.clone() for name, w in ours.online.state_dict().items()}
    for batch in batches:
        ours.learn(batch)
    for name, weight in theirs.q_net.q_net.state_dict().items():
        assert (weight - initial[name]).abs().max() > 1e-3  # the updates moved every tensor
        torch.testing.assert_close(ours.online.state_dict()[name], weight, atol=1e-5, rtol=0)


def test_a_resumed_dqn_run_continues_with_its_buffer_and_both_networks(tmp_path):
    from dlnd.projects.dqn_cartpole.config import DqnCartPoleConfig
    from dlnd.projects.dqn_cartpole.data import make_env

    project = projects.get("dqn-cartpole")
    cfg = project.make_config(quick=True, overrides={"epochs": 3, "target_update_interval": 7,
                                                     "threads": 1})
    summary = dlnd.run("dqn-cartpole", out=tmp_path / "full", verbose=False,
                       **config_mod.to_dict(cfg))
    full = runs.Trained(summary["run_dir"], DqnCartPoleConfig)

    # the same run stopped after its second epoch, then resumed
    run = runs.Run.create(tmp_path / "cut", "dqn-cartpole", cfg, verbose=False)
    try:
        rl.train_dqn(cfg, _Stop(run, 2), make_env)
    finally:
        run.close()
    cut = runs.Trained(run.path, DqnCartPoleConfig)
    assert cut.step == 1 and cut.state["counters"]["env_steps"] == 2 * cfg.steps_per_epoch
    assert cut.state["buffer"]["size"] == min(cfg.buffer_size, 2 * cfg.steps_per_epoch)
    dlnd.run("dqn-cartpole", resume=run.path, verbose=False)
    resumed = runs.Trained(run.path, DqnCartPoleConfig)
    assert resumed.state["counters"] == full.state["counters"]
    assert resumed.state["counters"]["env_steps"] == 3 * cfg.steps_per_epoch
    for name in ("online", "target", "buffer"):
        want, got = full.state[name], resumed.state[name]
        for key in want:
            a, b = np.asarray(want[key]), np.asarray(got[key])
            np.testing.assert_array_equal(a, b, err_msg=f"{name}.{key}")


class _Stop:
    """A run that ends its epoch loop after ``epochs`` epochs, as Ctrl-C would."""

    def __init__(self, run, epochs):
        self._run, self._epochs = run, epochs

    def __getattr__(self, name):
        return getattr(self._run, name)

    def epochs(self, total):
        for epoch in self._run.epochs(total):
            yield epoch
            if epoch + 1 == self._epochs:
                self._run.stop("interrupted")


def test_frozen_lake_success_is_exact_and_value_iteration_is_the_best():
    from dlnd.projects.q_learning import data

    env = data.frozen_lake()
    optimal = data.optimal_q(env, 0.99)
    best = data.success_probability(env, optimal.argmax(axis=1))
    assert best == pytest.approx(0.7402, abs=1e-4)  # the known ~74% of the slippery 4x4 lake
    rng = np.random.default_rng(0)
    for _ in range(20):  # no random policy does better
        assert data.success_probability(env, rng.integers(0, 4, size=16)) <= best
    # the exact figure agrees with sampled games of the same policy
    policy = optimal.argmax(axis=1)
    games = rl.evaluate(lambda obs: policy[obs.astype(int)], data.frozen_lake, 2000, seed=0)
    assert rl.mean_return(games) == pytest.approx(best, abs=0.03)


def test_cartpole_discretiser_cuts_each_value_into_its_bins():
    from dlnd.projects.q_learning.data import Discretiser

    d = Discretiser((1, 1, 6, 12))
    assert d.states == 72
    assert d(np.array([0.0, 0.0, -1.0, -10.0])) == 0  # beyond the range: the end bins
    assert d(np.array([0.0, 0.0, 1.0, 10.0])) == 71
    assert d(np.array([2.0, -2.0, 0.0, 0.0])) == 3 + 6 * 6  # the cart is ignored (one bin)


def test_evaluation_is_deterministic_for_a_seed_and_gifs_are_written(tmp_path):
    from dlnd.projects.dqn_cartpole.data import make_env

    flip = lambda obs: (obs[:, 2] > 0).astype(int)  # noqa: E731  push towards the pole's lean
    results, played = rl.play(flip, make_env, episodes=3, seed=5, gif=tmp_path / "a.gif")
    again, _ = rl.play(flip, make_env, episodes=3, seed=5)
    assert results == again and len(played) == 3 and results["mean_return"] > 20
    from PIL import Image

    with Image.open(tmp_path / "a.gif") as gif:
        # the first episode: reset + each step (Pillow merges frames that repeat the last)
        assert played[0].length // 2 < gif.n_frames <= played[0].length + 1
