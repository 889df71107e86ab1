"""Gatys et al. 2016: start from the content image (or noise) and change its pixels until its
deep features match the content image's and its feature Gram matrices match the style image's.
An epoch is a block of ``steps`` optimiser iterations; the image and the optimiser (L-BFGS's
memory of past gradients included) are saved after each."""

from __future__ import annotations

import time
from pathlib import Path

import torch

from dlnd.core import runs, torch_common
from dlnd.projects.style_transfer import data
from dlnd.projects.style_transfer.config import StyleTransferConfig
from dlnd.projects.style_transfer.model import Canvas, StylisedImage
from dlnd.shared import plots, style

PROJECT_NAME = "style-transfer"


def make_optimizer(cfg: StyleTransferConfig, canvas: Canvas) -> torch.optim.Optimizer:
    if cfg.optimizer == "lbfgs":
        # one step() call runs a whole epoch's iterations; tolerances off so that it does
        return torch.optim.LBFGS([canvas.pixels], lr=cfg.lr or 1.0, max_iter=cfg.steps,
                                 max_eval=2 * cfg.steps, tolerance_grad=0.0,
                                 tolerance_change=0.0, history_size=50,
                                 line_search_fn="strong_wolfe")
    return torch.optim.Adam([canvas.pixels], lr=cfg.lr or 0.02)


def train(cfg: StyleTransferConfig, run: runs.Run) -> tuple[dict[str, float], str]:
    ts = torch_common.setup(cfg, run)
    content = data.content_image(cfg).to(ts.device)
    style_image = data.style_image(cfg).to(ts.device)
    net, about = style.feature_network(cfg, run)
    targets = style.StyleTargets(net.to(ts.device), style_image)
    content_feats = targets.content_features(content)
    start = content if cfg.init == "content" else \
        torch.rand(content.shape, generator=torch.Generator().manual_seed(cfg.seed)).to(ts.device)
    canvas = Canvas(start)
    optimizer = make_optimizer(cfg, canvas)
    run.track(canvas=canvas, optimizer=optimizer)
    run.keep(content=content.cpu(), style=style_image.cpu())
    weights = (cfg.content_weight, cfg.style_weight, cfg.tv_weight)

    def losses(image):
        c, s, t = targets.losses(image, content_feats)
        return weights[0] * c + weights[1] * s + weights[2] * t, c, s, t

    with torch.no_grad():
        _, _, reference_style, _ = losses(content)  # how far the content image is from the style
    run.say(f"{content.shape[-1]}x{content.shape[-2]} pixels, {cfg.features} features, "
            f"{cfg.optimizer}; {ts.describe()}")

    def closure():
        optimizer.zero_grad(set_to_none=True)
        loss = losses(canvas.pixels)[0]
        loss.backward()
        return loss

    seconds, iterations = 0.0, 0
    for epoch in run.epochs(cfg.epochs):
        began = time.perf_counter()
        if cfg.optimizer == "lbfgs":
            optimizer.step(closure)
        else:
            for _ in range(cfg.steps):
                optimizer.step(closure)
        seconds += time.perf_counter() - began
        iterations += cfg.steps
        with torch.no_grad():
            total, c, s, t = losses(canvas.image())
        metrics = {"train/loss": float(total), "style/loss": float(s),
                   "content/loss": float(c), "tv/loss": float(t)}
        run.log(epoch, metrics)
        run.report(epoch, cfg.epochs, metrics)

    with torch.no_grad():
        total, c, s, t = losses(canvas.image())
    final = {"loss": float(total), "style_loss": float(s), "content_loss": float(c),
             "tv_loss": float(t), "style_ratio": float(s / reference_style.clamp_min(1e-12)),
             # this process's optimisation time only (a resumed run times its own blocks)
             "per_100_iters_s": 100 * seconds / max(iterations, 1), **about}
    run.log(cfg.epochs, {f"final/{k}": v for k, v in final.items()})
    style.save_png(canvas.image(), run.path / "result.png")
    style.side_by_side(run, "comparison", {"content": content, "style": style_image,
                                           f"result ({cfg.features} features)": canvas.image()},
                       f"Gatys style transfer: style loss {float(s):.3g} (content image's "
                       f"{float(reference_style):.3g}), content loss {float(c):.3g}")
    plots.learning_curves(run, title="Total, style, content and total-variation loss",
                          xlabel=f"epoch ({cfg.steps} {cfg.optimizer} iterations)")
    return final, ts.describe()


def load(run_dir: Path) -> StylisedImage:
    """The run's stylised image (as of its last saved epoch) and its content and style."""
    trained = runs.Trained(run_dir, StyleTransferConfig)
    pixels = trained.weights("canvas")["pixels"]
    kept = trained.artifacts
    return StylisedImage(PROJECT_NAME, trained.config, pixels.clamp(0, 1), kept["content"],
                         kept["style"])
