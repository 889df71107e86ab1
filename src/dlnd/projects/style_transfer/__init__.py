"""Neural style transfer as Gatys et al. (2016) made it: optimise an image's pixels."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.style_transfer.config import StyleTransferConfig

PROJECT = Project(
    name="style-transfer",
    teaches="Gatys style transfer: match Gram matrices of features (style) and deep features "
            "(content) by optimising pixels with L-BFGS or Adam",
    engine="torch",
    config=StyleTransferConfig,
    module="dlnd.projects.style_transfer.train",
    data=(),  # drawn images by default; features=trained reads the CIFAR-10 sample when chosen
    target_text="style loss (relative Gram distance) at most 20% of the content image's, "
                "with content loss at most 0.5 (no course target: the course ran a script)",
    target=(Criterion("style_ratio", "<=", 0.2), Criterion("content_loss", "<=", 0.5)),
    primary_metric="style_loss",
    epoch_metrics=("train/loss", "style/loss", "content/loss", "tv/loss"),
    sweep_metric="train/loss",
    # 2 blocks of 10 L-BFGS iterations on a 48-pixel image with 16 random filters at 3 octaves
    quick={"size": 48, "epochs": 2, "steps": 10, "random_octaves": 3,
           "random_channels": 16, "threads": 1},
    order=44,  # after transfer-learning: the CNN part of the course
)
