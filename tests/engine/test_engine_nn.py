"""Modules, state dicts, training, speed, init schemes, optimizer checkpoints, draw (no torch)."""

import os
import stat
import time

import numpy as np
import pytest

from dlnd.engine import F, Tensor, check_grads, draw, init, nn, optim


def small_cnn(rng):
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=rng), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(0.2, rng=rng), nn.Linear(4 * 4 * 4, 3, rng=rng),
    )  # fmt: skip


# --------------------------------------------------------------- modules
def test_parameter_discovery_and_names():
    rng = np.random.default_rng(0)

    class Net(nn.Module):
        def __init__(self):
            self.body = nn.Sequential(nn.Linear(3, 4, rng=rng), nn.Tanh(), nn.Linear(4, 2, rng=rng))
            self.heads = [nn.Linear(2, 1, rng=rng), nn.Linear(2, 1, bias=False, rng=rng)]
            self.scale = nn.Parameter(np.ones(1))
            self.shared = self.scale  # same parameter twice: listed once

        def forward(self, x):
            return self.body(x)

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == [
        "scale",
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
        "heads.0.weight",
        "heads.0.bias",
        "heads.1.weight",
    ]
    assert net.num_parameters() == 1 + 12 + 4 + 8 + 2 + 2 + 1 + 2
    assert net.body[0].weight.shape == (4, 3) and net.body[0].weight.dtype == np.float32
    net.eval()
    assert not net.body.training and not net.heads[1].training
    net.train()
    assert net.heads[0].training
    assert "Linear(in_features=3, out_features=4)" in repr(net)


def test_linear_default_init_bounds():
    layer = nn.Linear(100, 50, rng=np.random.default_rng(0))
    assert np.abs(layer.weight.data).max() <= 0.1
    assert np.abs(layer.weight.data).max() > 0.09


def test_state_dict_round_trip_through_npz(tmp_path):
    rng = np.random.default_rng(1)
    model = small_cnn(rng)
    x = Tensor(rng.standard_normal((5, 1, 8, 8)))
    model(x)  # updates the BatchNorm running statistics
    model.eval()
    expected = model(x).data
    state = model.state_dict()
    assert {
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
        "6.weight",
        "6.bias",
    } == set(state)
    assert int(state["1.num_batches_tracked"]) == 1
    model.save(tmp_path / "model.npz")

    fresh = small_cnn(np.random.default_rng(2)).eval()
    assert not np.allclose(fresh(x).data, expected)
    weight_before = fresh[0].weight  # loading writes in place: same Parameter objects
    fresh.load(tmp_path / "model.npz")
    assert fresh[0].weight is weight_before
    np.testing.assert_array_equal(fresh(x).data, expected)
    np.testing.assert_array_equal(fresh[1].running_var, model[1].running_var)


def test_load_state_dict_errors():
    model = nn.Sequential(nn.Linear(3, 2))
    state = model.state_dict()
    with pytest.raises(KeyError, match=r"missing keys \['0.bias'\]"):
        model.load_state_dict({"0.weight": state["0.weight"]})
    with pytest.raises(ValueError, match=r"'0.weight' has shape \(3, 2\).*\(2, 3\)"):
        model.load_state_dict({**state, "0.weight": np.zeros((3, 2))})


def test_module_to_float64_and_gradcheck_through_a_module():
    model = nn.Sequential(
        nn.Linear(3, 4, rng=np.random.default_rng(3)),
        nn.Tanh(),
        nn.Linear(4, 2, rng=np.random.default_rng(4)),
    ).to(np.float64)
    assert all(p.dtype == np.float64 for p in model.parameters())
    x = np.random.default_rng(5).standard_normal((6, 3))
    assert check_grads(lambda x: model(x), x)


def test_cnn_backward_reaches_every_parameter():
    rng = np.random.default_rng(6)
    model = small_cnn(rng)
    loss = F.cross_entropy(model(Tensor(rng.standard_normal((4, 1, 8, 8)))), [0, 1, 2, 1])
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
        assert np.abs(p.grad).sum() > 0, name


def test_mlp_trains_loss_falls():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((128, 10)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] * x[:, 2] > 0).astype(int) + (x[:, 3] > 1).astype(int)
    model = nn.Sequential(nn.Linear(10, 32, rng=rng), nn.ReLU(), nn.Linear(32, 3, rng=rng))
    opt = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for _ in range(100):
        opt.zero_grad()
        loss = F.cross_entropy(model(Tensor(x)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    accuracy = (model(Tensor(x)).argmax(axis=1) == y).mean()
    assert accuracy > 0.85


def test_conv2d_mnist_sized_batch_is_fast():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32), requires_grad=True)
    conv = nn.Conv2d(1, 32, 3, rng=rng)
    conv(x).sum().backward()  # warm-up
    start = time.perf_counter()
    out = conv(x)
    out.sum().backward()
    elapsed = time.perf_counter() - start
    assert out.shape == (64, 32, 26, 26) and x.grad.shape == x.shape
    assert elapsed < 1.0, f"conv2d forward+backward took {elapsed:.2f}s"


def test_recurrent_shapes_batch_first_and_unbatched():
    rng = np.random.default_rng(0)
    lstm = nn.LSTM(3, 5, num_layers=2, batch_first=True, rng=rng)
    out, (h, c) = lstm(Tensor(rng.standard_normal((4, 7, 3))))
    assert out.shape == (4, 7, 5) and h.shape == (2, 4, 5) and c.shape == (2, 4, 5)
    rnn = nn.RNN(3, 5, rng=rng)
    out, h = rnn(Tensor(rng.standard_normal((7, 3))))
    assert out.shape == (7, 5) and h.shape == (1, 5)
    with pytest.raises(ValueError, match=r"input shape \(7, 4\) does not match input_size 3"):
        rnn(Tensor(np.ones((7, 4))))


def test_embedding_repeated_indices_accumulate():
    emb = nn.Embedding(5, 2, rng=np.random.default_rng(0))
    emb(np.array([[1, 1], [4, 1]])).sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[:, 0], [0, 3, 0, 0, 1])


def test_batchnorm_needs_more_than_one_value_when_training():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3\)"):
        bn(Tensor(np.ones((1, 3))))
    bn.eval()
    assert bn(Tensor(np.ones((1, 3)))).shape == (1, 3)


# ------------------------------------------------------------------ init
SHAPE = (200, 300)  # (fan_out, fan_in)


def test_init_reproducible_with_explicit_generator():
    a = init.xavier_uniform(SHAPE, rng=np.random.default_rng(42))
    b = init.xavier_uniform(SHAPE, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(a, b)
    assert a.dtype == np.float32 and a.shape == SHAPE
    init.manual_seed(3)
    c = init.normal(SHAPE)
    init.manual_seed(3)
    np.testing.assert_array_equal(c, init.normal(SHAPE))


@pytest.mark.parametrize(
    "scheme, expected_std",
    [
        (lambda r: init.uniform(SHAPE, -0.5, 0.5, rng=r), 1 / np.sqrt(12)),
        (lambda r: init.normal(SHAPE, 0.0, 0.1, rng=r), 0.1),
        (lambda r: init.xavier_uniform(SHAPE, rng=r), np.sqrt(2 / 500)),
        (lambda r: init.xavier_normal(SHAPE, rng=r), np.sqrt(2 / 500)),
        (lambda r: init.kaiming_uniform(SHAPE, rng=r), np.sqrt(2 / 300)),
        (lambda r: init.he_normal(SHAPE, mode="fan_out", rng=r), np.sqrt(2 / 200)),
        (lambda r: init.lecun_normal(SHAPE, rng=r), np.sqrt(1 / 300)),
        (lambda r: init.lecun_uniform(SHAPE, rng=r), 1 / 30),  # bound / sqrt(3)
        # a N(0,1) truncated at 2 std has std 0.8796
        (lambda r: init.truncated_normal(SHAPE, 0.0, 0.1, rng=r), 0.08796),
    ],
)
def test_init_scheme_statistics(scheme, expected_std):
    w = scheme(np.random.default_rng(0))
    assert abs(w.mean()) < 0.05 * expected_std * 10
    assert w.std() == pytest.approx(expected_std, rel=0.02)


def test_truncated_normal_stays_within_two_std_and_uniform_bounds():
    w = init.truncated_normal((100, 100), mean=1.0, std=0.5, rng=np.random.default_rng(0))
    assert w.min() >= 0.0 and w.max() <= 2.0
    bound = np.sqrt(6 / 500)
    w = init.xavier_uniform(SHAPE, rng=np.random.default_rng(0))
    assert w.max() <= bound and w.max() > 0.99 * bound
    np.testing.assert_array_equal(init.zeros((2, 3)), 0)
    np.testing.assert_array_equal(init.ones(4), 1)
    assert init.calculate_fans((8, 3, 5, 5)) == (75, 200)
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)


# ------------------------------------------------------------- optimizers
def _train(model, opt, sched, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(Tensor(x)), y).backward()
        opt.step()
        if sched is not None:
            sched.step()


@pytest.mark.parametrize(
    "make_opt",
    [
        lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        lambda ps: optim.Adam(ps, lr=0.01, amsgrad=True),
        lambda ps: optim.AdamW(ps, lr=0.01),
        lambda ps: optim.RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    ],
)
def test_optimizer_checkpoint_resume_matches_uninterrupted(make_opt, tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, 16)

    def make():
        return nn.Sequential(
            nn.Linear(4, 8, rng=np.random.default_rng(1)),
            nn.Tanh(),
            nn.Linear(8, 3, rng=np.random.default_rng(2)),
        )

    model = make()
    opt = make_opt(model.parameters())
    sched = optim.StepLR(opt, step_size=3, gamma=0.5)
    _train(model, opt, sched, x, y, 5)
    model.save(tmp_path / "model.npz")
    np.savez(tmp_path / "opt.npz", **opt.state_dict())
    np.savez(tmp_path / "sched.npz", **sched.state_dict())
    saved_lr = opt.lr
    _train(model, opt, sched, x, y, 5)

    resumed = make().load(tmp_path / "model.npz")
    opt2 = make_opt(resumed.parameters())
    sched2 = optim.StepLR(opt2, step_size=3, gamma=0.5)
    with np.load(tmp_path / "opt.npz") as f:
        opt2.load_state_dict(dict(f))
    with np.load(tmp_path / "sched.npz") as f:
        sched2.load_state_dict(dict(f))
    assert opt2.lr == saved_lr and sched2.last_epoch == 5
    _train(resumed, opt2, sched2, x, y, 5)
    assert opt2.lr == opt.lr
    for a, b in zip(model.parameters(), resumed.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_sgd_one_step_by_hand_and_zero_grad():
    p = nn.Parameter(np.array([1.0, -2.0]))
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.5)
    p.grad = np.array([1.0, 1.0])
    opt.step()  # g = grad + 0.5 p = [1.5, 0]; buffer = g; p -= 0.1 g
    np.testing.assert_allclose(p.data, [0.85, -2.0])
    p.grad = np.array([1.0, 1.0])
    opt.step()  # g = [1.425, 0]; buffer = 0.9 * [1.5, 0] + g = [2.775, 0]
    np.testing.assert_allclose(p.data, [0.85 - 0.2775, -2.0])
    opt.zero_grad()
    assert p.grad is None
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])


def test_schedules_closed_form():
    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=1.0)
    step = optim.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(6):
        step.step()
        lrs.append(opt.lr)
    assert lrs == [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]

    opt = optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    cos = optim.CosineAnnealingLR(opt, T_max=4, eta_min=0.01)
    lrs = []
    for _ in range(8):
        cos.step()
        lrs.append(cos.get_last_lr())
    assert lrs[1] == pytest.approx(0.055) and lrs[3] == pytest.approx(0.01)
    assert lrs[7] == pytest.approx(0.1)  # past T_max the cosine comes back up, like torch


# ------------------------------------------------------------------ draw
def test_draw_dot_text_and_files(tmp_path, monkeypatch):
    w = nn.Parameter(np.ones((3, 2)))
    x = Tensor(np.ones((4, 3)), name="x")
    loss = (x @ w).relu().sum()
    dot = draw(loss)
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    for label in [
        "matmul\\n(4, 2)",
        "relu\\n(4, 2)",
        "sum\\n()",
        "x: const\\n(4, 3)",
        "param\\n(3, 2)",
    ]:
        assert label in dot, label
    assert dot.count("->") == 4

    system_path = os.environ.get("PATH", "")
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert draw(loss, tmp_path / "g.png") == dot
    assert (tmp_path / "g.dot").read_text() == dot and not (tmp_path / "g.png").exists()

    fake = tmp_path / "bin" / "dot"  # a stand-in Graphviz that copies its input
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\ncp "$2" "$4"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{system_path}")
    draw(loss, tmp_path / "h.png")
    assert (tmp_path / "h.png").read_text() == dot
