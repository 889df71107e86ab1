"""Settings of the image-classification project (Project 2)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import BaseConfig, param
from dlnd.core.errors import ConfigError


@dataclass
class ImageClassificationConfig(BaseConfig):
    dataset: Literal["fashion-mnist", "mnist", "cifar10", "cifar10-sample"] = param(
        "fashion-mnist", "image set: Fashion-MNIST and MNIST (28x28 grey), CIFAR-10 (32x32 "
        "colour, the course's; needs the full tarball) or its 2,000-image offline sample")
    widths: tuple[int, ...] = param(
        (16, 32, 64, 128), "channels of the stem conv, then of each block (each block halves "
        "the resolution); 16-128 fits a 1-core CPU budget, airbench-class CIFAR-10 on a GPU "
        "uses 64,128,256,512", min=1)
    epochs: int = param(
        12, "passes over the training images (~35 s each for Fashion-MNIST on 2 idle CPU "
        "cores: 94.2% test in 7 min); the one-cycle schedule ends at lr 0 on the last one",
        min=1)
    batch_size: int = param(
        256, "images per SGD step, summed over all DDP processes", min=1)
    lr: float = param(
        0.2, "peak SGD learning rate (Nesterov momentum 0.9); batch norm keeps this high rate "
        "stable", gt=0)
    warmup: float = param(
        0.15, "fraction of the steps over which lr rises linearly from 0 to its peak; it "
        "then falls linearly to 0 (one-cycle)", min=0, max=1)
    weight_decay: float = param(
        5e-4, "L2 penalty per step on conv and linear weights (not on batch-norm parameters)",
        min=0)
    label_smoothing: float = param(
        0.1, "share of each target spread evenly over all classes; stops the net chasing "
        "certainty on mislabeled or ambiguous images", min=0, max=0.9)
    translate: int = param(
        2, "random shift of each training image, in pixels each way (zero fill)", min=0)
    flip: bool = param(
        True, "random left-right mirroring in training and averaging the logits of both "
        "mirrors at test time; ignored for MNIST, where a mirrored digit is another symbol")
    val_size: int = param(
        5000, "training images held out (at random) to validate each epoch; the test set stays "
        "unseen until the end", min=1)
    train_limit: int | None = param(
        None, "use only this many training images (after the validation split); None = all",
        min=1)
    test_limit: int | None = param(
        None, "score only the first this many test images (quick runs); None = all 10,000",
        min=1)
    threads: int = param(
        0, "CPU threads for torch (0 = torch's default); benchmarks pass 1 so that runs sharing "
        "a machine each get one core", min=0)
    channels_last: bool = param(
        True, "NHWC memory layout: 1.6x faster convolutions on CPU (oneDNN) and tensor cores")
    compile: bool = param(
        False, "torch.compile the model (CUDA only; pays off in runs over a few seconds)")

    def check(self) -> None:
        super().check()
        if self.val_size >= 50000:
            raise ConfigError(f"val_size {self.val_size} leaves too few training images")
        if len(self.widths) < 2:
            raise ConfigError("widths needs the stem's channels and at least one block's")
