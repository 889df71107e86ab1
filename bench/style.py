"""Neural style transfer per method and feature network: one JSON line each with the losses
reached and the time taken, measured on this CPU.

- Gatys (style-transfer): the drawn landscape and painting at 512 px, 100 L-BFGS iterations
  from the content image; ``s_per_100_iters`` is the optimisation time.
- Johnson (fast-style-transfer): the transformer network trained for 2 epochs on the first
  500 of the CIFAR-10 sample's training photos (484 after the held-out 16; upsampled to 96 px)
  against the drawn painting; its losses are on the 16 held-out photos; ``ms_per_512px_image``
  is one forward pass on a 512x512 image.

Feature networks: random multi-scale filters and the small VGG dlnd trains on the CIFAR-10
sample; ImageNet VGG-19 only with ``VGG19_WEIGHTS=path/to/vgg19-dcbb9e9d.pth`` (dlnd ships no
ImageNet weights). Without them, VGG-19's speed is still measured, on random weights (its
losses are then meaningless and not printed). The side-by-side picture of the Gatys results is
written to ``$OUT/features_comparison.png``.

    DLND_DATA_DIR=../shared/data flock /tmp/dlnd-bench.lock nice -n 5 python bench/style.py
"""

import json
import os
import time
from pathlib import Path

import torch

import dlnd
from dlnd.projects.fast_style_transfer.model import TransformerNet
from dlnd.projects.fast_style_transfer.train import time_one_image
from dlnd.shared import style

THREADS = int(os.environ.get("THREADS", "1"))
OUT = Path(os.environ.get("OUT", "runs/bench-style"))
WEIGHTS = os.environ.get("VGG19_WEIGHTS")
SIZE, ITERATIONS = 512, 100
NETWORKS = ["random", "trained"] + (["vgg19"] if WEIGHTS else [])
JOHNSON = {"epochs": 2, "content_limit": 500, "width": 16, "res_blocks": 5, "image_size": 96,
           "batch_size": 4}  # 484 training photos: ~10 min per network on a busy 2-core CPU


def emit(**row) -> None:
    print(json.dumps(row), flush=True)


def rounded(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


results = {}


class _Picture:  # side_by_side writes through a run's log_figure; here a plain file will do
    path = OUT

    def log_figure(self, name, fig, step=0):
        target = OUT / f"{name}.png"
        fig.savefig(target, dpi=100)
        return target


def gatys(features: str) -> None:
    extra = {"weights": WEIGHTS} if features == "vgg19" else {}
    summary = dlnd.run("style-transfer", out=OUT, verbose=False, size=SIZE, epochs=1,
                       steps=ITERATIONS, features=features, threads=THREADS, **extra)
    m = summary["metrics"]
    results[features] = Path(summary["run_dir"]) / "result.png"
    emit(method="gatys", features=features, size=SIZE, iterations=ITERATIONS,
         style_loss=rounded(m["style_loss"]), content_loss=rounded(m["content_loss"]),
         style_ratio=rounded(m["style_ratio"]), s_per_100_iters=round(m["per_100_iters_s"], 1),
         feature_net_acc=m.get("feature_net_acc"), wall_s=round(summary["wall_s"], 1),
         device=summary["device"])
    shown = {"content (drawn)": style.landscape(SIZE), "style (drawn)": style.painting(SIZE)}
    for name, path in results.items():
        shown[f"Gatys, {name} features"] = style.read_rgb(str(path), SIZE)
    style.side_by_side(_Picture(), "features_comparison", shown,
                       f"Gatys at {SIZE} px, {ITERATIONS} L-BFGS iterations, per feature network")


def vgg19_speed() -> None:
    """VGG-19's speed only: random weights, a few iterations (its losses mean nothing)."""
    net = style.VGGFeatures("vgg19")
    targets = style.StyleTargets(net, style.painting(SIZE))
    content = style.landscape(SIZE)
    content_feats = targets.content_features(content)
    pixels = content.clone().requires_grad_(True)
    steps = 5
    optimizer = torch.optim.LBFGS([pixels], max_iter=steps, max_eval=2 * steps,
                                  tolerance_grad=0.0, tolerance_change=0.0,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        c, s, t = targets.losses(pixels, content_feats)
        loss = c + 10 * s + 0.01 * t
        loss.backward()
        return loss

    began = time.perf_counter()
    optimizer.step(closure)
    seconds = time.perf_counter() - began
    emit(method="gatys", features="vgg19 (random weights: timing only)", size=SIZE,
         iterations=steps, style_loss=None, content_loss=None,
         s_per_100_iters=round(100 * seconds / steps, 1), wall_s=round(seconds, 1),
         device=f"cpu, {torch.get_num_threads()} thread(s)")


def johnson(features: str) -> None:
    extra = {"weights": WEIGHTS} if features == "vgg19" else {}
    summary = dlnd.run("fast-style-transfer", out=OUT, verbose=False, features=features,
                       threads=THREADS, **JOHNSON, **extra)
    m = summary["metrics"]
    emit(method="johnson", features=features, style_loss=rounded(m["style_loss"]),
         content_loss=rounded(m["content_loss"]),
         ms_per_512px_image=round(1000 * m["per_image_s"], 1), **JOHNSON,
         feature_net_acc=m.get("feature_net_acc"), wall_s=round(summary["wall_s"], 1),
         device=summary["device"])


def johnson_speed() -> None:
    for width in (16, 32):  # the trained width and Johnson et al.'s: speed only
        seconds = time_one_image(TransformerNet(width, 5), SIZE, torch.device("cpu"))
        emit(method="johnson", features="any (speed of the network alone)", width=width,
             ms_per_512px_image=round(1000 * seconds, 1), wall_s=round(seconds, 2),
             device=f"cpu, {torch.get_num_threads()} thread(s)")


# Quick measurements first, so that an interrupted bench has printed the most it could.
OUT.mkdir(parents=True, exist_ok=True)
gatys("random")
torch.set_num_threads(THREADS)  # dlnd.run puts the process's count back after each run
if not WEIGHTS:
    vgg19_speed()
johnson_speed()
johnson("random")
for features in NETWORKS[1:]:
    gatys(features)
for features in NETWORKS[1:]:
    johnson(features)
