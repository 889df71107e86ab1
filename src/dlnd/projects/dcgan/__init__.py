"""DCGAN (Radford et al. 2015): convolutional generator and discriminator with batch norm."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.dcgan.config import DcganConfig
from dlnd.shared.vision.files import files

PROJECT = Project(
    name="dcgan",
    teaches="DCGAN: transposed convolutions, batch norm in both networks, Adam(2e-4, beta1 "
            "0.5); sample quality measured, not eyeballed",
    engine="torch",
    config=DcganConfig,
    module="dlnd.projects.dcgan.train",
    data=files("mnist"),  # the default; other datasets are resolved when chosen
    target_text="all 10 classes covered and a lower FID (domain classifier) than gan-mnist's "
                "fully connected GAN on the same dataset (bench/gans.py compares them)",
    target=(Criterion("classes_covered", ">=", 10),),
    primary_metric="fid_domain",
    epoch_metrics=("train/d_loss", "train/g_loss", "train/d_real", "train/d_fake",
                   "val/fid_domain"),
    sweep_metric="val/fid_domain",
    offers=("generate",),
    # 2 epochs of 8 steps of a narrow DCGAN; a token domain classifier and scores on 500
    # samples against 500 test digits keep the run to a few seconds
    quick={"epochs": 2, "train_limit": 512, "width": 8, "fid_samples": 500,
           "eval_samples": 200, "test_limit": 500, "classifier_width": 2,
           "classifier_limit": 500, "threads": 1},
    order=51,
)
