"""Device choice and the step-size schedule shared by the PyTorch projects."""

import math

import pytest
import torch

from dlnd.core.errors import UsageError
from dlnd.core.torch_common import resolve_device, scheduled_lr


def test_auto_device_follows_torch_and_cuda_without_a_gpu_is_a_usage_error():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(UsageError, match="no CUDA GPU"):
            resolve_device("cuda:0")


def test_cosine_schedule_falls_from_lr_to_zero_and_constant_stays():
    assert scheduled_lr(0.1, "constant", 7, 10) == 0.1
    assert scheduled_lr(0.1, "cosine", 0, 10) == pytest.approx(0.1)
    assert scheduled_lr(0.1, "cosine", 5, 10) == pytest.approx(0.05)
    assert scheduled_lr(0.1, "cosine", 10, 10) == pytest.approx(0.0, abs=1e-12)
    steps = [scheduled_lr(0.1, "cosine", s, 10) for s in range(11)]
    assert all(a > b for a, b in zip(steps, steps[1:], strict=False))
    assert steps[2] == pytest.approx(0.05 * (1 + math.cos(math.pi * 0.2)))
