"""Project 5: face generation. A DCGAN on MNIST first, then on CelebA's faces."""

from dlnd.core.project import Project
from dlnd.core.runs import Criterion
from dlnd.projects.face_generation.config import FaceGenerationConfig
from dlnd.shared.vision.files import files

PROJECT = Project(
    name="face-generation",
    teaches="Project 5: a DCGAN that draws digits after 2 epochs on MNIST, then faces "
            "(CelebA, or any folder of face images)",
    engine="torch",
    config=FaceGenerationConfig,
    module="dlnd.projects.face_generation.train",
    data=files("mnist"),  # the default; celeba or a folder is resolved when chosen
    target_text="recognisable digits after 2 epochs on MNIST (Project 5 rubric), measured: all "
                "10 classes covered in the samples",
    target=(Criterion("classes_covered", ">=", 10),),
    primary_metric="fid_domain",
    epoch_metrics=("train/d_loss", "train/g_loss", "train/d_real", "train/d_fake",
                   "val/fid_domain"),
    sweep_metric="val/fid_domain",
    offers=("generate",),
    # as dcgan's quick run: 2 epochs of 8 steps, a token domain classifier, 500 samples
    quick={"epochs": 2, "train_limit": 512, "width": 8, "fid_samples": 500,
           "eval_samples": 200, "test_limit": 500, "classifier_width": 2,
           "classifier_limit": 500, "threads": 1},
    order=52,
)
