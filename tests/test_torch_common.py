"""The torch setup (device, threads, seed, processes), the global RNG as trackable state, the
step-size schedule and side-by-side branches, shared by the PyTorch projects."""

import math

import pytest
import torch

from dlnd.core.errors import UsageError
from dlnd.core.torch_common import (
    TorchRNG,
    TorchSetup,
    cpu_computes_bf16,
    flushes_denormals,
    resolve_device,
    scheduled_lr,
    setup,
    side_by_side,
)


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


class FakeRun:
    def __init__(self):
        self.callbacks = []

    def at_close(self, callback):
        self.callbacks.append(callback)

    def close(self):
        for callback in reversed(self.callbacks):
            callback()


class Cfg:
    device, seed = "cpu", 3

    def __init__(self, threads):
        self.threads = threads


def test_setup_sets_threads_for_the_run_and_puts_them_back():
    before = torch.get_num_threads()
    run = FakeRun()
    ts = setup(Cfg(threads=1 if before != 1 else 2), run)
    assert torch.get_num_threads() != before and ts.device == torch.device("cpu")
    assert (ts.rank, ts.world) == (0, 1) and "cpu" in ts.describe()
    run.close()
    assert torch.get_num_threads() == before


def test_setup_flushes_denormals_for_the_run_and_puts_the_setting_back():
    torch.set_flush_denormal(False)  # torch's default
    assert not flushes_denormals()
    run = FakeRun()
    setup(Cfg(threads=0), run)
    assert flushes_denormals() and (torch.tensor([1e-40]) * 2.0).item() == 0.0
    assert (torch.tensor([1e-30]) * 2.0).item() == pytest.approx(2e-30)  # normal floats stay
    run.close()
    assert not flushes_denormals() and (torch.tensor([1e-40]) * 2.0).item() > 0.0


def test_setup_seeds_torch_and_the_global_rng_is_trackable():
    setup(Cfg(threads=0), FakeRun())
    first = torch.rand(3)
    rng = TorchRNG()
    state = rng.state_dict()
    after = torch.rand(3)
    torch.manual_seed(99)
    rng.load_state_dict(state)
    assert torch.equal(torch.rand(3), after)
    setup(Cfg(threads=0), FakeRun())
    assert torch.equal(torch.rand(3), first)


@pytest.mark.parametrize("asked", [False, True])
def test_cpu_autocasts_to_bf16_only_when_the_config_asks_and_the_cpu_computes_it(asked,
                                                                                  monkeypatch):
    cfg = Cfg(threads=0)
    cfg.bf16 = asked
    a, b = torch.ones(4, 4), torch.ones(4, 4)
    for computes in (False, True):
        monkeypatch.setattr("dlnd.core.torch_common.cpu_computes_bf16", lambda c=computes: c)
        ts = setup(cfg, FakeRun())
        with ts.autocast():
            product = a @ b
        on = asked and computes
        assert product.dtype == (torch.bfloat16 if on else torch.float32)
        assert ts.cpu_bf16 == on and ("bf16" in ts.describe()) == on
    assert not setup(Cfg(threads=0), FakeRun()).cpu_bf16  # a config without the setting
    assert isinstance(cpu_computes_bf16(), bool)


def test_share_splits_a_batch_over_processes_or_says_why_not():
    alone = TorchSetup(torch.device("cpu"))
    batch = torch.arange(8)
    assert alone.share(batch) is batch and alone.autocast() is not None
    assert TorchSetup(torch.device("cpu"), rank=1, world=2).share(batch).tolist() == [4, 5, 6, 7]
    with pytest.raises(UsageError, match="batch of 8 does not split over 3 processes"):
        TorchSetup(torch.device("cpu"), rank=0, world=3).share(batch)


@pytest.mark.parametrize("threads", [1, 2])
def test_side_by_side_branches_give_the_gradients_of_one_after_the_other(threads):
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)  # one thread: the plain path; two: a thread per branch
    try:
        torch.manual_seed(0)
        gru, lstm = torch.nn.GRU(5, 4, batch_first=True), torch.nn.LSTM(5, 3, batch_first=True)
        lstm.bias_hh_l0.requires_grad_(False)  # a frozen parameter gets no gradient
        x = torch.randn(3, 7, 5, dtype=torch.float64, requires_grad=True)
        gru.double(), lstm.double()
        parameters = [x, *gru.parameters(), *[p for p in lstm.parameters() if p.requires_grad]]

        def loss(outputs):
            return (outputs[0] ** 2).sum() + outputs[1].sin().sum()

        expected = torch.autograd.grad(loss([gru(x)[0], lstm(x.flip(1))[0]]), parameters)
        outputs = side_by_side([gru, lstm], [x, x.flip(1)], call=lambda rnn, x: rnn(x)[0])
        assert [o.shape for o in outputs] == [(3, 7, 4), (3, 7, 3)]
        got = torch.autograd.grad(loss(outputs), parameters)
        for e, g in zip(expected, got, strict=True):
            torch.testing.assert_close(g, e, rtol=1e-10, atol=1e-12)
        with torch.no_grad():  # evaluation: the same outputs, no graph
            evaluated = side_by_side([gru, lstm], [x, x.flip(1)], call=lambda rnn, x: rnn(x)[0])
        assert not evaluated[0].requires_grad
        torch.testing.assert_close(evaluated[1], outputs[1])
    finally:
        torch.set_num_threads(previous)
