"""Fast neural style transfer as Johnson et al. (2016) made it: a feed-forward network."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.fast_style_transfer.config import FastStyleTransferConfig
from dlnd.shared.vision.files import files

PROJECT = Project(
    name="fast-style-transfer",
    teaches="Johnson's fast style transfer: train a transformer network (residual blocks, "
            "instance norm, upsampling convs) on the Gatys losses, stylise in one pass",
    engine="torch",
    config=FastStyleTransferConfig,
    module="dlnd.projects.fast_style_transfer.train",
    data=files("cifar10-sample"),  # the default content images
    target_text="held-out style loss (relative Gram distance) <= 0.1 with content loss "
                "<= 0.5 (no course target: the course ran a script)",
    target=(Criterion("style_loss", "<=", 0.1), Criterion("content_loss", "<=", 0.5)),
    primary_metric="style_loss",
    epoch_metrics=("train/loss", "style/loss", "content/loss", "val/loss"),
    sweep_metric="val/loss",
    offers=("predict",),
    # 2 epochs over 24 CIFAR images at 32 px with a tiny network and 16 random filters per
    # octave; timing and pictures at 96 px
    quick={"content_limit": 28, "val_size": 4, "image_size": 32, "width": 8, "res_blocks": 1,
           "epochs": 2, "batch_size": 4, "lr": 3e-3, "random_octaves": 3,
           "random_channels": 16, "style_size": 64, "predict_size": 96, "threads": 1},
    order=45,
)
