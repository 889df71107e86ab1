"""Every op's forward and gradients against torch.autograd, float64, explicit tolerances."""

import numpy as np
import pytest
from engine_op_cases import CASE_IDS, CASES

from dlnd.engine import Tensor

torch = pytest.importorskip("torch")

FWD = {"rtol": 1e-10, "atol": 1e-12}
GRAD = {"rtol": 1e-8, "atol": 1e-10}


def run_both(case):
    arrays = case.inputs()
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = case.engine(*ours)
    ref = case.torch(torch, *theirs)
    upstream = np.random.default_rng(99).standard_normal(ref.shape)
    out.backward(upstream)
    ref.backward(torch.tensor(upstream))
    return ours, theirs, out, ref


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_op_matches_torch(case):
    ours, theirs, out, ref = run_both(case)
    assert out.dtype == np.float64
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), **FWD)
    for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        expected = b.grad.numpy() if b.grad is not None else np.zeros(a.shape)
        assert a.grad is not None, f"input {i} got no gradient"
        np.testing.assert_allclose(a.grad, expected, **GRAD, err_msg=f"input {i}")


def test_float32_default_matches_torch_float32():
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    ours = Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    ((ours @ ours.T).tanh().sum() * 0.5).backward()
    ((theirs @ theirs.T).tanh().sum() * 0.5).backward()
    assert ours.grad.dtype == np.float32
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-5, atol=1e-6)
