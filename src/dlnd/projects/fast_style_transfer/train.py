"""Johnson et al. 2016: train a transformer network so that its output for any content image
has the style image's feature Gram matrices and the content image's deep features - the same
losses as Gatys' method, but learnt once, then applied in one forward pass."""

from __future__ import annotations

import time
from pathlib import Path

import torch

from dlnd.core import runs, torch_common
from dlnd.core.errors import DataError
from dlnd.projects.fast_style_transfer import data
from dlnd.projects.fast_style_transfer.config import FastStyleTransferConfig
from dlnd.projects.fast_style_transfer.model import Stylist, TransformerNet
from dlnd.shared import plots, style

PROJECT_NAME = "fast-style-transfer"


def train(cfg: FastStyleTransferConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    images, held_out = data.split(data.content_images(cfg), cfg.val_size, cfg.seed)
    style_image = data.style_image(cfg)
    features, about = style.feature_network(cfg, run)
    targets = style.StyleTargets(features.to(ts.device), style_image.to(ts.device))
    model = TransformerNet(cfg.width, cfg.res_blocks).to(ts.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    order_rng = torch.Generator().manual_seed(cfg.seed)
    run.track(model=model, optimizer=optimizer, order_rng=order_rng)
    steps = len(images) // cfg.batch_size
    if steps == 0:
        raise DataError(f"{len(images)} training images make no batch of {cfg.batch_size}")
    weights = (cfg.content_weight, cfg.style_weight, cfg.tv_weight)
    run.say(f"{len(images)} content images ({cfg.content}) at {cfg.image_size} px, "
            f"{len(held_out)} held out; {cfg.features} features; "
            f"{sum(p.numel() for p in model.parameters()):,} parameters; {ts.describe()}")

    def losses(x: torch.Tensor):
        x = x.to(ts.device).float() / 255
        c, s, t = targets.losses(model(x), targets.content_features(x))
        return weights[0] * c + weights[1] * s + weights[2] * t, c, s, t

    for epoch in run.epochs(cfg.epochs):
        model.train()
        order = torch.randperm(len(images), generator=order_rng)
        sums = torch.zeros(4)
        for b in range(steps):
            loss, c, s, t = losses(images[order[b * cfg.batch_size:(b + 1) * cfg.batch_size]])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            sums += torch.stack([loss, c, s, t]).detach().cpu()
        val = evaluate(losses, held_out, cfg.batch_size)
        metrics = {"train/loss": float(sums[0]) / steps, "style/loss": float(sums[2]) / steps,
                   "content/loss": float(sums[1]) / steps, "val/loss": val[0]}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    model.eval()
    val = evaluate(losses, held_out, cfg.batch_size)
    final = {"val_loss": val[0], "content_loss": val[1], "style_loss": val[2], "tv_loss": val[3],
             "per_image_s": time_one_image(model, cfg.predict_size, ts.device), **about}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    show(run, model, cfg, held_out, style_image, ts.device)
    plots.learning_curves(run, title="Training loss (total, style, content) and held-out loss")
    return final, ts.describe()


@torch.no_grad()
def evaluate(losses, images: torch.Tensor, batch_size: int) -> list[float]:
    """Mean (total, content, style, tv) loss over ``images``."""
    sums, n = torch.zeros(4), 0
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size]
        sums += torch.stack([v.detach().cpu() for v in losses(batch)]) * len(batch)
        n += len(batch)
    return [float(v) / n for v in sums]


@torch.no_grad()
def time_one_image(model: TransformerNet, side: int, device: torch.device) -> float:
    """Seconds for one forward pass on a ``side`` x ``side`` image (``predict_size``: 512 by
    default), the best of three after a warm-up."""
    model.eval()
    side = -(-side // 4) * 4
    x = torch.rand(1, 3, side, side, generator=torch.Generator().manual_seed(0))
    x = x.to(device)
    model(x)
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        model(x)
        if device.type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - began)
    return best


@torch.no_grad()
def show(run, model, cfg, held_out, style_image, device) -> None:
    """result.png (a drawn landscape stylised at 256 px) and comparison.png (held-out content
    images, the style, and their stylised versions)."""
    model.eval()
    scene = style.landscape(min(256, cfg.predict_size // 4 * 4), seed=cfg.seed).to(device)
    result = model(scene)
    style.save_png(result, run.path / "result.png")
    shown = {"drawn landscape": scene, "style": style_image, "stylised": result}
    first = held_out[:2].to(device).float() / 255
    for i, (x, y) in enumerate(zip(first, model(first), strict=True)):
        shown[f"held-out {i + 1}"], shown[f"stylised {i + 1}"] = x, y
    style.side_by_side(run, "comparison", shown,
                       f"Fast style transfer ({cfg.features} features): one forward pass each")


def load(run_dir: Path) -> Stylist:
    trained = runs.Trained(run_dir, FastStyleTransferConfig)
    net = TransformerNet(trained.config.width, trained.config.res_blocks)
    net.load_state_dict(trained.weights("model"))
    return Stylist(PROJECT_NAME, trained.config, net)


def example_inputs(folder: Path) -> list[str]:
    """A drawn landscape as a PNG file in ``folder`` (for dlnd predict)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [str(style.save_png(style.landscape(96, seed=7), folder / "landscape.png"))]
