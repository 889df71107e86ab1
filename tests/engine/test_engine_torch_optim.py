"""Optimizers and LR schedules stepped 20 times side by side with torch.optim (float64)."""

import numpy as np
import pytest

from dlnd.engine import F, Tensor, nn, optim

torch = pytest.importorskip("torch")

STEPS = 20

CONFIGS = {
    "sgd": (lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "sgd_momentum": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    ),
    "sgd_nesterov": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    ),
    "sgd_weight_decay_dampening": (
        lambda p: optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.1, weight_decay=0.01),
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, dampening=0.1, weight_decay=0.01),
    ),
    "adam": (lambda p: optim.Adam(p, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    "adam_l2_amsgrad": (
        lambda p: optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
        lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True),
    ),
    "adamw": (
        lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1),
        lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1),
    ),
    "rmsprop": (lambda p: optim.RMSprop(p, lr=0.01), lambda p: torch.optim.RMSprop(p, lr=0.01)),
    "rmsprop_centered_momentum_wd": (
        lambda p: optim.RMSprop(
            p, lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01
        ),
        lambda p: torch.optim.RMSprop(
            p, lr=0.005, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.01
        ),
    ),
}

SCHEDULES = {
    None: (None, None),
    "step": (
        lambda o: optim.StepLR(o, step_size=4, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.5),
    ),
    "cosine": (
        lambda o: optim.CosineAnnealingLR(o, T_max=8, eta_min=0.001),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.001),
    ),
}


def tiny_nets():
    torch.manual_seed(0)
    ref = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
    ).double()
    ours = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).to(np.float64)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def run(config, schedule):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, 16)
    ours, ref = tiny_nets()
    make_ours, make_ref = CONFIGS[config]
    opt, ref_opt = make_ours(ours.parameters()), make_ref(ref.parameters())
    make_sched, make_ref_sched = SCHEDULES[schedule]
    sched = make_sched(opt) if make_sched else None
    ref_sched = make_ref_sched(ref_opt) if make_ref_sched else None
    lrs = []
    for _ in range(STEPS):
        opt.zero_grad()
        F.cross_entropy(ours(Tensor(x)), y).backward()
        opt.step()
        ref_opt.zero_grad()
        ref_loss = torch.nn.functional.cross_entropy(ref(torch.tensor(x)), torch.tensor(y))
        ref_loss.backward()
        ref_opt.step()
        if sched:
            sched.step()
            ref_sched.step()
            lrs.append((opt.lr, ref_sched.get_last_lr()[0]))
    return ours, ref, lrs


@pytest.mark.parametrize("config", list(CONFIGS))
def test_optimizer_matches_torch_over_20_steps(config):
    ours, ref, _ = run(config, None)
    start = tiny_nets()[0]
    moved = 0.0
    for (name, p), (_, tp), p0 in zip(
        ours.named_parameters(), ref.named_parameters(), start.parameters(), strict=True
    ):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-9, atol=1e-11, err_msg=name)
        moved += np.abs(p.data - p0.data).sum()
    assert moved > 1e-2  # the optimizer really changed the parameters


@pytest.mark.parametrize("schedule", ["step", "cosine"])
@pytest.mark.parametrize("config", ["sgd_momentum", "adam"])
def test_schedules_match_torch(config, schedule):
    ours, ref, lrs = run(config, schedule)
    assert len(lrs) == STEPS
    for ours_lr, ref_lr in lrs:
        assert ours_lr == pytest.approx(ref_lr, rel=1e-12, abs=1e-15)
    for p, tp in zip(ours.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-9, atol=1e-11)
