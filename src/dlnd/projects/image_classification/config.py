"""Settings of the image-classification project (Project 2)."""

from dataclasses import dataclass
from typing import Literal

from dlnd.core.config import (
    MAX_BATCH,
    MAX_EPOCHS,
    MAX_THREADS,
    MAX_UNITS,
    BaseConfig,
    check_memory,
    param,
)
from dlnd.core.errors import ConfigError

IMAGE_SIDE = {"fashion-mnist": 28, "mnist": 28, "cifar10": 32, "cifar10-sample": 32}
IMAGE_CHANNELS = {"fashion-mnist": 1, "mnist": 1, "cifar10": 3, "cifar10-sample": 3}
CLASSES = 10


def conv_parameters(widths: tuple[int, ...], channels: int) -> int:
    """Weights of the stem conv, each block's two 3x3 convs, batch norms and the head."""
    total = 9 * channels * widths[0] + 2 * widths[0]
    for cin, cout in zip(widths, widths[1:], strict=False):
        total += 9 * cin * cout + 9 * cout * cout + 4 * cout
    return total + widths[-1] * CLASSES


def conv_activations(widths: tuple[int, ...], side: int) -> int:
    """Floats one image keeps for the backward pass: conv, batch-norm and GELU outputs (three
    per conv) at each block's resolution, plus the pre-pool conv output."""
    total, pixels = 3 * widths[0] * side * side, side * side
    for cout in widths[1:]:
        total += cout * pixels  # the conv before its 2x2 max pool
        pixels = (int(pixels ** 0.5) // 2) ** 2
        total += 6 * cout * pixels
    return total


@dataclass
class ImageClassificationConfig(BaseConfig):
    dataset: Literal["fashion-mnist", "mnist", "cifar10", "cifar10-sample"] = param(
        "fashion-mnist", "image set: Fashion-MNIST and MNIST (28x28 grey), CIFAR-10 (32x32 "
        "colour, the course's; needs the full tarball) or its 2,000-image offline sample")
    widths: tuple[int, ...] = param(
        (16, 32, 64, 128), "channels of the stem conv, then of each block (each block halves "
        "the resolution); 16-128 fits a 1-core CPU budget, airbench-class CIFAR-10 on a GPU "
        "uses 64,128,256,512", min=1, max=MAX_UNITS)
    epochs: int = param(
        11, "passes over the training images (a full-size Fashion-MNIST epoch takes 35-66 s "
        "on 2 idle CPU cores, by machine; a 20x20 one about half); the one-cycle schedule ends "
        "at lr 0 on the last one",
        min=1, max=MAX_EPOCHS)
    low_res_share: float = param(
        0.55, "share of the epochs (the first ones, rounded down: 6 of 11, 1 of 2) that train "
        "on images scaled down to low_res_side: progressive resizing (fast.ai's DAWNBench "
        "recipe). A 20x20 step costs about half a 28x28 one; the full-size epochs that follow "
        "adapt the net to the test images' size (see the README); 0 = every epoch at full size",
        min=0, max=1)
    low_res_side: int = param(
        20, "side in pixels of those scaled-down images (the full side is 28, 32 for CIFAR-10; "
        "a larger value is used as the full side)", min=8, max=512)
    batch_size: int = param(
        256, "images per SGD step, summed over all DDP processes", min=1, max=MAX_BATCH)
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
        2, "random shift of each training image, in pixels each way (zero fill; at most 8, a "
        "quarter of the image: more shifts the object out of it)", min=0, max=8)
    flip: bool = param(
        True, "random left-right mirroring in training and averaging the logits of both "
        "mirrors at test time; ignored for MNIST, where a mirrored digit is another symbol")
    val_size: int = param(
        5000, "training images held out (at random) to validate each epoch; the test set stays "
        "unseen until the end (at most 45,000: CIFAR-10 has 50,000 training images)", min=1,
        max=45_000)
    train_limit: int | None = param(
        None, "use only this many training images (after the validation split); None = all",
        min=1, max=60_000)  # the largest training set (MNIST's)
    test_limit: int | None = param(
        None, "score only the first this many test images (quick runs); None = all 10,000",
        min=1, max=10_000)
    threads: int = param(
        0, "CPU threads for torch (0 = torch's default); benchmarks pass 1 so that runs sharing "
        "a machine each get one core", min=0, max=MAX_THREADS)
    channels_last: bool = param(
        True, "NHWC memory layout: 1.6x faster convolutions on CPU (oneDNN) and tensor cores")
    compile: bool = param(
        False, "torch.compile the model (CUDA only; pays off in runs over a few seconds)")

    def check(self) -> None:
        super().check()
        if len(self.widths) < 2:
            raise ConfigError("widths needs the stem's channels and at least one block's")
        side = IMAGE_SIDE[self.dataset]
        blocks = len(self.widths) - 1  # each halves the resolution: at most down to 1 pixel
        if 2 ** blocks > side:
            raise ConfigError(f"widths has {blocks} blocks, but {side}-pixel images can be "
                              f"halved only {side.bit_length() - 1} times: give at most "
                              f"{side.bit_length()} widths")
        if self.low_res_share > 0 and 2 ** blocks > self.low_res_side:
            raise ConfigError(f"low_res_side {self.low_res_side} is too small for {blocks} "
                              f"blocks that each halve it: give at least {2 ** blocks}, or "
                              f"low_res_share 0")
        check_memory("widths or batch_size", conv_parameters(self.widths, IMAGE_CHANNELS[
            self.dataset]), activations=self.batch_size * conv_activations(self.widths, side))
