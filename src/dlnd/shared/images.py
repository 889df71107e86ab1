"""A user's image files as classifier inputs (``dlnd predict``), NumPy only.

Every image classifier reads its files here, so all of them treat a file alike:

* a file that is missing, not an image, damaged, or too large to decode is one clear sentence
  naming it (a ``UsageError``), never a traceback; a huge image is refused from its header,
  before its pixels are decoded;
* the picture keeps its aspect ratio: it is scaled to fit the model's input and the rest is
  filled with its own border colour, instead of being stretched;
* for models trained on light strokes on a dark ground (MNIST and Fashion-MNIST), a picture on a
  light ground (a photo of a digit on paper, a garment on a white background) is inverted first.
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from dlnd.core.errors import UsageError

FORMATS = "PNG, JPEG, GIF, BMP, TIFF, WebP ..."


def read_image(path: str, channels: int, height: int, width: int,
               light_on_dark: bool = False) -> np.ndarray:
    """The image file at ``path`` as uint8 pixels ``(height, width, channels)`` (1 = grey,
    3 = RGB): upright (EXIF orientation), transparency over white, scaled to fit and padded with
    its border colour. With ``light_on_dark``, an image whose border is light is inverted."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        # Pillow refuses, from the header, to decode images above twice its MAX_IMAGE_PIXELS
        # (~179 million pixels) as possible decompression bombs; below that it only warns,
        # which is noise here: a 100-megapixel photo is a legitimate, if large, input.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                image = ImageOps.exif_transpose(opened)
                image = on_white(image).convert("L" if channels == 1 else "RGB")
    except FileNotFoundError:
        raise UsageError(f"image file {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not an image file") from None
    except PermissionError:
        raise UsageError(f"image file {path} cannot be read: permission denied") from None
    except UnidentifiedImageError:
        raise UsageError(f"{path} is not an image file that can be read ({FORMATS})") from None
    except Image.DecompressionBombError as exc:
        counts = [f"{int(n):,}" for n in re.findall(r"\d+", str(exc))] + ["?", "?"]
        raise UsageError(f"image file {path} has {counts[0]} pixels, more than the {counts[1]} "
                         f"that are safe to decode; scale it down first") from None
    except Exception as exc:  # a damaged file can fail anywhere in a decoder
        raise UsageError(f"image file {path} is damaged or truncated: {exc}") from None
    fill = border_colour(image)
    image = ImageOps.pad(image, (width, height), color=fill)
    pixels = np.asarray(image, dtype=np.uint8).reshape(height, width, channels)
    if light_on_dark and np.mean(fill) > 127:
        pixels = 255 - pixels
    return pixels


def on_white(image):
    """An image with transparency, composited over white (a drawing on a transparent canvas
    reads as a drawing on paper); other images as they are."""
    from PIL import Image

    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode not in ("RGBA", "LA", "PA"):
        return image
    image = image.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", image.size, "white"), image).convert("RGB")


def border_colour(image) -> int | tuple[int, ...]:
    """The median colour of the outermost rows and columns of a grey ("L") or "RGB" image: the
    background, for padding and to tell a light ground from a dark one."""
    w, h = image.size
    strips = [image.crop(box) for box in ((0, 0, w, 1), (0, h - 1, w, h), (0, 0, 1, h),
                                          (w - 1, 0, w, h))]
    pixels = np.concatenate([np.asarray(s).reshape(-1, len(image.getbands())) for s in strips])
    median = np.median(pixels, axis=0).round().astype(int)
    return int(median[0]) if len(median) == 1 else tuple(int(v) for v in median)
