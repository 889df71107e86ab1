"""0-d tensors (a single number, shape ()) through the whole engine, against torch.

NumPy ufuncs on 0-d arrays return NumPy scalars, which are immutable: an in-place ``+=`` on
one rebinds a name instead of writing into a buffer. These tests pin down that gradients of a
node used several times still add up, and port micrograd's two checks (karpathy/micrograd,
``test/test_engine.py``) to 0-d Tensors.
"""

import numpy as np
import pytest

from dlnd.engine import Tensor, optim

torch = pytest.importorskip("torch")

TOL = {"rtol": 1e-6, "atol": 1e-6}  # micrograd's own tolerance for these two expressions


def test_zero_d_node_used_three_times_gets_all_its_gradient():
    x = Tensor(np.float64(3.0), requires_grad=True)
    y = x * x + x * x + x * x  # dy/dx = 6x = 18
    y.backward()
    assert isinstance(x.grad, np.ndarray) and x.grad.shape == ()
    assert x.grad == pytest.approx(18.0)
    y.backward()  # a second pass accumulates into .grad
    assert isinstance(x.grad, np.ndarray) and x.grad == pytest.approx(36.0)


def test_zero_d_intermediate_used_three_times_and_retained():
    x = Tensor(np.float64(2.0), requires_grad=True)
    h = (x * 1.5).retain_grad()  # an inner node with three consumers
    y = h.exp() + h * h + h.tanh()
    y.backward()
    t = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    th = t * 1.5
    th.retain_grad()
    (th.exp() + th * th + th.tanh()).backward()
    np.testing.assert_allclose(h.grad, th.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_zero_d_gradient_recycled_by_zero_grad():
    x = Tensor(np.float64(3.0), requires_grad=True)
    (x * x).backward()
    first = x.grad
    assert isinstance(first, np.ndarray) and first == pytest.approx(6.0)
    x.zero_grad()
    (x * 4).backward()  # written into the set-aside 0-d array
    assert x.grad is first and x.grad == pytest.approx(4.0)


def test_zero_d_float32_default():
    x = Tensor(3.0, requires_grad=True)  # a Python float: float32, shape ()
    y = x * x + x * x + x * x
    y.backward()
    assert x.shape == () and x.grad.dtype == np.float32
    assert x.grad == pytest.approx(18.0)


# ------------------------------------------------------ micrograd's checks
def _sanity(x):
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    return h + q + q * x


def _more_ops(a, b):
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def _pair(value):
    ours = Tensor(np.float64(value), requires_grad=True)
    theirs = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    return ours, theirs


def test_micrograd_sanity_check():
    x, xt = _pair(-4.0)
    y, yt = _sanity(x), _sanity(xt)
    y.backward()
    yt.backward()
    assert y.shape == () and x.grad.shape == ()
    np.testing.assert_allclose(y.data, yt.item(), **TOL)  # -20
    np.testing.assert_allclose(x.grad, xt.grad.item(), **TOL)  # 46


def test_micrograd_more_ops():
    (a, at), (b, bt) = _pair(-4.0), _pair(2.0)
    g, gt = _more_ops(a, b), _more_ops(at, bt)
    g.backward()
    gt.backward()
    np.testing.assert_allclose(g.data, gt.item(), **TOL)  # 24.7041
    np.testing.assert_allclose(a.grad, at.grad.item(), **TOL)  # 138.8338
    np.testing.assert_allclose(b.grad, bt.grad.item(), **TOL)  # 645.5773


# ------------------------------------------------------------ optimizers
OPTIMIZERS = {
    "sgd_momentum_nesterov_wd": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    ),
    "adam_amsgrad": (
        lambda p: optim.Adam(p, lr=0.05, weight_decay=0.01, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.01, amsgrad=True),
    ),
    "adamw": (
        lambda p: optim.AdamW(p, lr=0.05, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=0.1),
    ),
    "rmsprop_centered_momentum": (
        lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
        lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01),
    ),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_steps_a_zero_d_parameter_like_torch(name):
    """A 0-d parameter used three times per loss, stepped 10 times with zero_grad recycling."""
    make, make_ref = OPTIMIZERS[name]
    (a, at), (b, bt) = _pair(0.7), _pair(-1.3)
    opt, ref = make([a, b]), make_ref([at, bt])
    for _ in range(10):
        for o, p, q in ((opt, a, b), (ref, at, bt)):
            o.zero_grad()
            loss = (p * q - 1) ** 2 + p * p + (p + q).tanh()
            loss.backward()
            o.step()
        assert isinstance(a.data, np.ndarray) and a.shape == () and b.shape == ()
    np.testing.assert_allclose(a.data, at.item(), rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(b.data, bt.item(), rtol=1e-9, atol=1e-11)
    assert abs(a.item() - 0.7) > 1e-2  # it really moved
    state = opt.state_dict()
    fresh = make([Tensor(np.float64(0.0), requires_grad=True)] * 2)
    fresh.load_state_dict(state)  # 0-d state arrays round-trip
    assert all(v.shape == () for s in fresh.state for v in s.values() if hasattr(v, "shape"))


def test_optimizer_updates_a_parameter_whose_data_became_a_numpy_scalar():
    p = Tensor(np.float64(1.0), requires_grad=True)
    p.data = p.data * 2  # a ufunc on a 0-d array: np.float64(2.0), an immutable scalar
    assert not isinstance(p.data, np.ndarray)
    opt = optim.SGD([p], lr=0.1)
    (p * p).backward()  # grad 2p = 4
    opt.step()
    assert isinstance(p.data, np.ndarray) and p.item() == pytest.approx(1.6)
