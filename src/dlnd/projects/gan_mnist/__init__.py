"""The course's GAN lesson: a fully connected generator and discriminator on MNIST digits."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.gan_mnist.config import GanMnistConfig
from dlnd.shared.vision.files import files

PROJECT = Project(
    name="gan-mnist",
    teaches="GANs: a fully connected generator and discriminator (leaky ReLU, tanh, one-sided "
            "label smoothing) playing their game on MNIST",
    engine="torch",
    config=GanMnistConfig,
    module="dlnd.projects.gan_mnist.train",
    data=files("mnist"),  # the default; fashion-mnist's files are resolved when chosen
    target_text="samples of all 10 digit classes (the course: digits recognisable by eye); "
                "measured by the FID (domain classifier), its floor, class coverage and "
                "precision/recall",
    target=(Criterion("classes_covered", ">=", 10),),
    primary_metric="fid_domain",
    epoch_metrics=("train/d_loss", "train/g_loss", "train/d_real", "train/d_fake",
                   "val/fid_domain"),
    sweep_metric="val/fid_domain",
    offers=("generate",),
    # 2 epochs over 3,000 digits; a token domain classifier (500 digits, width 2) and scores
    # on 500 samples against 500 test digits keep the whole run to a few seconds
    quick={"epochs": 2, "train_limit": 3000, "fid_samples": 500, "eval_samples": 200,
           "test_limit": 500, "classifier_width": 2, "classifier_limit": 500, "threads": 1},
    order=50,
)
