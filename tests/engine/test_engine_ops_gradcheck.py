"""Every op's backward against central finite differences (``check_grads``), float64."""

import numpy as np
import pytest
from engine_op_cases import CASE_IDS, CASES

from dlnd.engine import F, Tensor, check_grads
from dlnd.engine.tensor import _make


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_op_gradient_matches_finite_differences(case):
    inputs = case.inputs()
    report = check_grads(case.engine, *inputs, eps=1e-6, atol=1e-6, rtol=1e-4)
    assert report, str(report)
    assert report.n_checked == sum(x.size for x in inputs)


@pytest.mark.parametrize(
    "stride,padding,kernel",
    [(1, 0, 3), (2, 1, 3), (3, 2, 2), ((2, 1), (0, 1), (2, 3))],
)
def test_conv2d_gradcheck_strides_and_paddings(stride, padding, kernel):
    rng = np.random.default_rng(7)
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x, w, b = (
        rng.standard_normal((2, 2, 6, 5)),
        rng.standard_normal((3, 2, kh, kw)),
        rng.standard_normal(3),
    )
    report = check_grads(lambda x, w, b: F.conv2d(x, w, b, stride, padding), x, w, b)
    assert report, str(report)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 1, 1), (3, 2, 1), (2, 3, 0)])
def test_pool_gradcheck(pool, kernel, stride, padding):
    x = np.random.default_rng(3).standard_normal((2, 2, 7, 6))
    report = check_grads(lambda x: pool(x, kernel, stride, padding), x)
    assert report, str(report)


def test_check_grads_catches_a_wrong_backward_and_reports_where():
    def bad_square(x):  # d(x^2)/dx is 2x; this claims 3x
        return _make(x.data**2, (x,), "bad_square", lambda g: (g * 3 * x.data,))

    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    report = check_grads(lambda x: bad_square(x).sum(), x)
    assert not report and not report.ok
    i, idx, analytic, numeric = report.worst
    assert (i, idx) == (0, (1, 1))  # largest error where |x| is largest
    assert analytic == pytest.approx(9.0) and numeric == pytest.approx(6.0, abs=1e-6)
    text = str(report)
    assert "MISMATCH" in text and "input 0" in text and "(1, 1)" in text and "analytic 9" in text


def test_check_grads_passes_through_integer_arguments_and_notes_float32():
    target = np.array([0, 2, 1])
    logits = np.random.default_rng(0).standard_normal((3, 4))
    report = check_grads(lambda z, t: F.cross_entropy(z, t), logits, target)
    assert report and report.n_checked == 12 and report.note == ""

    loose = check_grads(lambda z: (z.astype(np.float32) * 2).sum(), logits, atol=1e-2)
    assert "float32" in loose.note


def test_check_grads_checks_numpy_scalar_inputs_as_0d():
    for x in (np.float32(3.0), np.float64(3.0), 3.0, np.array(3.0)):
        report = check_grads(lambda x: x * x + x * x + x * x, x)
        assert report and report.n_checked == 1, (type(x), str(report))


def test_check_grads_requires_a_float_input():
    with pytest.raises(ValueError, match="no floating-point inputs"):
        check_grads(lambda t: Tensor(t), np.array([1, 2]))
