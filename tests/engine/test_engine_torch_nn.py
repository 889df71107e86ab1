"""Layers against torch.nn in float64: conv/pool grids, LSTM/RNN, BatchNorm, Embedding."""

import numpy as np
import pytest

from dlnd.engine import F, Tensor, init, nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {"rtol": 1e-9, "atol": 1e-11}


def both(array):
    """The same float64 data as an engine leaf and a torch leaf."""
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


def assert_close(ours, theirs, **tol):
    expected = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    np.testing.assert_allclose(
        ours.data if isinstance(ours, Tensor) else ours, expected, **(tol or TOL)
    )


def backward_both(out, ref, seed=0):
    upstream = np.random.default_rng(seed).standard_normal(ref.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))


# ---------------------------------------------------------------- conv/pool
@pytest.mark.parametrize(
    "shape, kernel, stride, padding",
    [
        ((2, 3, 8, 8), 3, 1, 0),
        ((2, 3, 8, 8), 3, 1, 1),
        ((2, 3, 9, 7), 3, 2, 1),
        ((2, 1, 10, 10), 5, 3, 2),
        ((1, 2, 6, 9), (2, 4), (1, 2), (1, 0)),
        ((3, 4, 5, 5), 1, 2, 0),
    ],
)
def test_conv2d_matches_torch(shape, kernel, stride, padding):
    rng = np.random.default_rng(0)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    (x, tx), (w, tw), (b, tb) = (
        both(rng.standard_normal(s)) for s in [shape, (4, shape[1], kh, kw), (4,)]
    )
    out = F.conv2d(x, w, b, stride, padding)
    ref = TF.conv2d(tx, tw, tb, stride, padding)
    assert_close(out, ref)
    backward_both(out, ref)
    for ours, theirs in [(x, tx), (w, tw), (b, tb)]:
        assert_close(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize(
    "kernel, stride, padding",
    [(2, None, 0), (3, 1, 1), (3, 2, 1), (2, 1, 0), ((2, 3), (2, 1), (1, 1))],
)
def test_pool_matches_torch(kind, kernel, stride, padding):
    x, tx = both(np.random.default_rng(1).standard_normal((2, 3, 7, 8)))
    ours_fn, torch_fn = (
        (F.max_pool2d, TF.max_pool2d) if kind == "max" else (F.avg_pool2d, TF.avg_pool2d)
    )
    out = ours_fn(x, kernel, stride, padding)
    ref = torch_fn(tx, kernel, stride, padding)
    assert_close(out, ref)
    backward_both(out, ref)
    assert_close(x.grad, tx.grad.numpy())


def test_conv2d_module_loads_torch_weights():
    ref = torch.nn.Conv2d(3, 5, 3, stride=2, padding=1).double()
    ours = nn.Conv2d(3, 5, 3, stride=2, padding=1).to(np.float64)
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(2).standard_normal((2, 3, 9, 9))
    assert_close(ours(Tensor(x)), ref(torch.tensor(x)))


# --------------------------------------------------------------- recurrent
def copy_weights(ours, ref):
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_matches_torch(batch_first, with_state):
    rng = np.random.default_rng(3)
    torch.manual_seed(0)
    ref = torch.nn.LSTM(4, 6, num_layers=2, batch_first=batch_first).double()
    ours = nn.LSTM(4, 6, num_layers=2, batch_first=batch_first).to(np.float64)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in ref.named_parameters()]
    copy_weights(ours, ref)

    x, tx = both(rng.standard_normal((3, 5, 4)))  # (T, N, I) or (N, T, I)
    n = 3 if batch_first else 5
    (h0, th0), (c0, tc0) = (
        both(rng.standard_normal((2, n, 6))),
        both(rng.standard_normal((2, n, 6))),
    )
    out, (h, c) = ours(x, (h0, c0)) if with_state else ours(x)
    ref_out, (rh, rc) = ref(tx, (th0, tc0)) if with_state else ref(tx)
    for a, b in [(out, ref_out), (h, rh), (c, rc)]:
        assert_close(a, b)

    g = [np.random.default_rng(i).standard_normal(t.shape) for i, t in enumerate([out, h, c])]
    loss = (out * g[0]).sum() + (h * g[1]).sum() + (c * g[2]).sum()
    ref_loss = sum((t * torch.tensor(gi)).sum() for t, gi in zip([ref_out, rh, rc], g, strict=True))
    loss.backward()
    ref_loss.backward()
    assert_close(x.grad, tx.grad.numpy())
    if with_state:
        assert_close(h0.grad, th0.grad.numpy())
        assert_close(c0.grad, tc0.grad.numpy())
    for (name, p), (_, tp) in zip(ours.named_parameters(), ref.named_parameters(), strict=True):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), **TOL, err_msg=name)


def test_lstm_unbatched_matches_torch():
    torch.manual_seed(1)
    ref = torch.nn.LSTM(3, 4).double()
    ours = nn.LSTM(3, 4).to(np.float64)
    copy_weights(ours, ref)
    x = np.random.default_rng(4).standard_normal((6, 3))
    out, (h, c) = ours(Tensor(x))
    ref_out, (rh, rc) = ref(torch.tensor(x))
    assert_close(out, ref_out)
    assert_close(h, rh)
    assert_close(c, rc)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_matches_torch(nonlinearity):
    torch.manual_seed(2)
    ref = torch.nn.RNN(3, 5, num_layers=2, nonlinearity=nonlinearity).double()
    ours = nn.RNN(3, 5, num_layers=2, nonlinearity=nonlinearity).to(np.float64)
    copy_weights(ours, ref)
    x, tx = both(np.random.default_rng(5).standard_normal((7, 2, 3)))
    out, h = ours(x)
    ref_out, rh = ref(tx)
    assert_close(out, ref_out)
    assert_close(h, rh)
    backward_both(out, ref_out)
    assert_close(x.grad, tx.grad.numpy())
    for (name, p), (_, tp) in zip(ours.named_parameters(), ref.named_parameters(), strict=True):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), **TOL, err_msg=name)


# --------------------------------------------------------------- batch norm
@pytest.mark.parametrize(
    "ours_cls, ref_cls, shape, momentum",
    [
        (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3), 0.1),
        (nn.BatchNorm1d, torch.nn.BatchNorm1d, (8, 3, 5), 0.3),
        (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 6), 0.1),
        (nn.BatchNorm2d, torch.nn.BatchNorm2d, (4, 3, 5, 6), None),
    ],
)
def test_batchnorm_train_eval_and_running_stats_match_torch(ours_cls, ref_cls, shape, momentum):
    rng = np.random.default_rng(6)
    ref = ref_cls(3, momentum=momentum).double()
    ours = ours_cls(3, momentum=momentum).to(np.float64)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(rng.uniform(0.5, 1.5, 3)))
        ref.bias.copy_(torch.tensor(rng.standard_normal(3)))
    copy_weights(ours, ref)
    for step in range(3):  # training steps update the running statistics
        x, tx = both(rng.standard_normal(shape) * 2 + step)
        out, ref_out = ours(x), ref(tx)
        assert_close(out, ref_out)
        backward_both(out, ref_out, seed=step)
        assert_close(x.grad, tx.grad.numpy())
    assert_close(ours.weight.grad, ref.weight.grad.numpy())
    assert_close(ours.bias.grad, ref.bias.grad.numpy())
    assert_close(ours.running_mean, ref.running_mean.numpy())
    assert_close(ours.running_var, ref.running_var.numpy())
    assert int(ours.num_batches_tracked) == int(ref.num_batches_tracked) == 3

    ours.eval()
    ref.eval()
    x, tx = both(rng.standard_normal(shape))
    out, ref_out = ours(x), ref(tx)
    assert_close(out, ref_out)
    backward_both(out, ref_out)
    assert_close(x.grad, tx.grad.numpy())
    assert_close(ours.running_mean, ref.running_mean.numpy())  # eval leaves stats alone


# ---------------------------------------------------------- small pieces
def test_embedding_matches_torch():
    ref = torch.nn.Embedding(7, 3).double()
    ours = nn.Embedding(7, 3).to(np.float64)
    copy_weights(ours, ref)
    idx = np.array([[1, 6, 1], [0, 1, 5]])
    out, ref_out = ours(idx), ref(torch.tensor(idx))
    assert_close(out, ref_out)
    backward_both(out, ref_out)
    assert_close(ours.weight.grad, ref.weight.grad.numpy())


def test_mlp_state_dict_from_torch_gives_same_outputs():
    ref = torch.nn.Sequential(
        torch.nn.Linear(5, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 2)
    ).double()
    ours = nn.Sequential(nn.Linear(5, 4), nn.Sigmoid(), nn.Linear(4, 2)).to(np.float64)
    copy_weights(ours, ref)
    x = np.random.default_rng(7).standard_normal((3, 5))
    assert_close(ours(Tensor(x)), ref(torch.tensor(x)))


@pytest.mark.parametrize(
    "name, param",
    [("tanh", None), ("relu", None), ("leaky_relu", 0.2), ("sigmoid", None), ("selu", None)],
)
def test_calculate_gain_matches_torch(name, param):
    assert init.calculate_gain(name, param) == pytest.approx(
        torch.nn.init.calculate_gain(name, param)
    )


def test_fans_match_torch():
    w = torch.empty(8, 3, 5, 4)
    assert init.calculate_fans(w.shape) == torch.nn.init._calculate_fan_in_and_fan_out(w)


def test_max_pool_gives_a_tied_window_one_winner_like_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 2:, 2:] = [[1.0, 3.0], [3.0, 2.0]]  # a tie at 3; other windows all-zero ties
    ours, ref = both(x)
    F.max_pool2d(ours, 2).sum().backward()
    TF.max_pool2d(ref, 2).sum().backward()
    np.testing.assert_array_equal(ours.grad, ref.grad.numpy())
