"""Core Tensor behaviour: dtypes, graph walking, accumulation, no_grad, detach, errors."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from dlnd.engine import F, Tensor, concat, no_grad, stack, tensor, unbroadcast
from dlnd.engine.tensor import is_grad_enabled

SRC = Path(__file__).resolve().parents[2] / "src"


# ------------------------------------------------------------------ dtypes
def test_float32_by_default_float64_kept():
    assert Tensor([1, 2, 3]).dtype == np.float32
    assert Tensor(2.5).dtype == np.float32
    assert Tensor(np.arange(3)).dtype == np.float32  # integer arrays become float32
    assert Tensor(np.zeros(2)).dtype == np.float64  # float64 arrays stay float64
    assert Tensor([1.0], dtype=np.float64).dtype == np.float64
    x = Tensor([1.0, 2.0])
    assert (x * 2.0).dtype == np.float32 and (x + np.float64(1)).dtype == np.float32
    assert (1.0 - x).dtype == np.float32 and (x**2).dtype == np.float32
    with pytest.raises(TypeError, match="floating point"):
        Tensor([1, 2], dtype=np.int64)


def test_tensor_copies_and_detach_shares():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = tensor(a, requires_grad=True)
    a[0] = 9
    assert t.data[0] == 1 and t.requires_grad
    d = t.detach()
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.data, t.data)


def test_numpy_array_on_the_left_gives_a_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x + np.ones(2)
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_comparisons_return_arrays_and_tensors_stay_hashable():
    x = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(x > 1.5, [False, True, True])
    np.testing.assert_array_equal(x == Tensor([1.0, 0.0, 3.0]), [True, False, True])
    assert isinstance(x <= 2, np.ndarray)
    assert len({x, x}) == 1


# ------------------------------------------------------------- backward
def test_reused_node_x_times_x_plus_x():
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * x.data + 1)


def test_node_used_100_times_accumulates():
    x = Tensor([0.5, -1.5], requires_grad=True)
    h = x * 3  # an intermediate node, used 100 times below
    total = h
    for _ in range(99):
        total = total + h
    total.sum().backward()
    np.testing.assert_allclose(x.grad, [300.0, 300.0])
    assert h.grad is None  # only leaves keep .grad


def test_10000_step_chain_without_recursion():
    assert sys.getrecursionlimit() < 10_000
    x = Tensor(1.0, requires_grad=True, dtype=np.float64)
    y = x
    for _ in range(10_000):
        y = y * 1.0001 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0001**10_000, rel=1e-9)


def test_diamond_graph_gradient():
    x = Tensor(2.0, requires_grad=True, dtype=np.float64)
    a, b = x * 3, x.exp()
    (a * b).backward()  # d/dx 3x e^x = 3 e^x (1 + x)
    assert x.grad == pytest.approx(3 * np.exp(2.0) * 3)


def test_second_backward_accumulates_and_zero_grad_resets():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0])
    y.backward()  # graph is kept: allowed, and gradients add up like in PyTorch
    np.testing.assert_allclose(x.grad, [4.0, 8.0])
    x.zero_grad()
    y.backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


def test_zero_grad_recycles_the_gradient_array_with_fresh_values():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    first = x.grad
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    assert x.grad is first  # written into the old memory, documented in zero_grad
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    x.zero_grad()
    x.data = x.data.astype(np.float64)  # a changed dtype gets a new array, never a wrong one
    (x * 2).sum().backward()
    assert x.grad is not first and x.grad.dtype == np.float64


def test_gradient_of_two_leaves_is_not_shared():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    y = (a + b).sum()
    y.backward()
    a.grad += 100  # must not leak into b.grad
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    y.backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])


def test_retain_grad_and_explicit_upstream_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = (x * 2).retain_grad()
    out = h * h
    out.backward(np.array([1.0, 0.0, -1.0]))
    np.testing.assert_allclose(h.grad, [4.0, 0.0, -12.0])
    np.testing.assert_allclose(x.grad, [8.0, 0.0, -24.0])
    assert not h.is_leaf and x.is_leaf


def test_backward_errors():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element.*\(2,\)"):
        (x * 2).backward()
    with pytest.raises(ValueError, match=r"grad shape \(3,\) does not match tensor shape \(2,\)"):
        (x * 2).backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_no_grad_context_and_decorator():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
        with no_grad():
            pass
        assert not is_grad_enabled()  # nested block restores the outer state
    assert is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError):
        y.sum().backward()

    @no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad and is_grad_enabled()
    assert (x * 2).requires_grad


def test_detach_stops_gradient():
    x = Tensor([1.0, 3.0], requires_grad=True)
    (x.detach() * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 3.0])


def test_max_ties_split_gradient():
    x = Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.5, 0.5])


def test_indexing_scatter_adds_repeats_and_per_step_slices():
    x = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    y = x[[0, 0, 2]].sum() + x[0].sum() + sum((x[t] * (t + 1)).sum() for t in range(3))
    y.backward()
    np.testing.assert_array_equal(x.grad, [[4.0, 4.0], [2.0, 2.0], [4.0, 4.0]])


def test_concat_stack_shapes():
    a, b = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.zeros((2, 1)))
    assert concat([a, b], axis=1).shape == (2, 4)
    assert stack([a, a], axis=2).shape == (2, 3, 2)


# ----------------------------------------------------------- unbroadcast
def test_unbroadcast():
    g = np.ones((2, 3, 4))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), np.full((3, 1), 8.0))
    np.testing.assert_array_equal(unbroadcast(g, (4,)), np.full(4, 6.0))
    np.testing.assert_array_equal(unbroadcast(g, ()), 24.0)
    assert unbroadcast(g, (2, 3, 4)) is g
    with pytest.raises(ValueError, match=r"\(2, 3, 4\) cannot reduce to \(5,\)"):
        unbroadcast(g, (5,))


# ------------------------------------------------------------ bad shapes
@pytest.mark.parametrize(
    "fn, message",
    [
        (
            lambda: Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5))),
            "matmul: shapes (2, 3) and (4, 5) do not align",
        ),
        (
            lambda: Tensor(np.ones((2, 3))) + Tensor(np.ones((4,))),
            "add: shapes (2, 3) and (4,) cannot be broadcast together",
        ),
        (
            lambda: Tensor(np.ones((2, 3))) * np.ones((2, 2)),
            "mul: shapes (2, 3) and (2, 2) cannot be broadcast together",
        ),
        (
            lambda: Tensor(np.ones((2, 3))).reshape(4),
            "reshape: cannot reshape shape (2, 3) into (4,)",
        ),
        (
            lambda: concat([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 3)))], axis=1),
            "concat: cannot join shapes (2, 3), (3, 3) along axis 1",
        ),
        (
            lambda: F.conv2d(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 1, 3, 3)))),
            "conv2d: input shape (1, 3, 5, 5) and weight shape (2, 1, 3, 3) do not match",
        ),
        (
            lambda: F.cross_entropy(Tensor(np.ones((4, 3))), np.zeros(5, dtype=int)),
            "cross_entropy: input shape (4, 3) and target shape (5,) do not match",
        ),
        (
            lambda: F.mse_loss(Tensor(np.ones((4, 1))), np.ones(4)),
            "mse_loss: input shape (4, 1) and target shape (4,) differ",
        ),
        (
            lambda: F.linear(Tensor(np.ones((2, 5))), Tensor(np.ones((3, 4)))),
            "linear: input shape (2, 5) does not match weight shape (3, 4)",
        ),
    ],
)
def test_bad_shapes_name_both_shapes(fn, message):
    with pytest.raises(ValueError) as err:
        fn()
    assert message in str(err.value)


def test_index_errors_are_clear():
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        F.cross_entropy(Tensor(np.ones((2, 3))), np.array([0, 3]))
    with pytest.raises(IndexError, match=r"weight of shape \(4, 2\)"):
        F.embedding(np.array([1, 4]), Tensor(np.ones((4, 2))))


# ------------------------------------------------------------- dropout
def test_dropout_train_eval_and_gradient():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = F.dropout(x, 0.3, training=True, rng=np.random.default_rng(0))
    kept = y.data != 0
    assert 0.65 < kept.mean() < 0.75
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)
    assert F.dropout(x, 0.3, training=False) is x
    same = F.dropout(x, 0.3, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(same.data, y.data)


# ----------------------------------------------------------- isolation
def test_engine_imports_only_numpy():
    code = (
        "import sys; import dlnd.engine; "
        "bad = sorted(m for m in ('torch', 'scipy', 'matplotlib', 'tensorboard') "
        "if m in sys.modules); assert not bad, bad"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_engine_leaves_malloc_alone():
    """mallopt is process-wide, so only an explicit tune_allocator() call may use it: a fresh
    interpreter imports the engine with mallopt spied on, then opts in."""
    code = (
        "import ctypes, sys, numpy\n"
        "calls = []\n"
        "class Spy:\n"
        "    def __init__(self, *a, **k): pass\n"
        "    def mallopt(self, param, value): calls.append((param, value)); return 1\n"
        "real, ctypes.CDLL = ctypes.CDLL, Spy\n"
        "import dlnd.engine as E\n"
        "assert calls == [], calls\n"
        "assert not E.memory.allocator_tuned()\n"
        "linux = sys.platform.startswith('linux')\n"
        "assert E.tune_allocator() is linux\n"  # the spy works: the opt-in does call mallopt
        "assert len(calls) == (2 if linux else 0) and E.memory.allocator_tuned() is linux\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DLND_ENGINE_MALLOC"}
    env["PYTHONPATH"] = str(SRC)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_malloc_tuning_can_be_switched_off(monkeypatch):
    from dlnd.engine import memory, tune_allocator

    assert tune_allocator is memory.tune_allocator
    monkeypatch.setenv("DLND_ENGINE_MALLOC", "default")
    assert memory.tune_allocator() is False
    monkeypatch.delenv("DLND_ENGINE_MALLOC")
    # glibc Linux accepts the thresholds; elsewhere the engine leaves malloc alone
    expected = sys.platform.startswith("linux") and "glibc" in " ".join(platform.libc_ver())
    assert memory.tune_allocator() is expected
    assert memory.allocator_tuned() is expected
