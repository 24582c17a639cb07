"""The palette of a single image, and the palette card: the image between swatch bars.

Imports neither PyAV nor scikit-learn (see :mod:`streamprint.kmeans`), so the palette of
a 24-megapixel JPEG takes a fraction of a second as a whole process. JPEGs are decoded at
reduced size (Pillow's draft mode) since clustering needs only a few thousand pixels.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import params
from .clusterer import distinct_colors
from .color.alpha import opaque
from .color.spaces import decode, encode
from .enums import Space
from .errors import InputError, InputNotFoundError, NotAVideoError, ParameterError
from .kmeans import kmeans_planar, nearest, planar
from .model import ImagePalette, Palette

if TYPE_CHECKING:
    from PIL import Image as PILImage

#: What :func:`extract_palette` takes: a file path, encoded image bytes, a PIL image, or an
#: (h, w, 3) / (h, w, 4) uint8 array (sRGB, alpha last).
ImageSource = Union[str, "os.PathLike[str]", bytes, "PILImage.Image", np.ndarray]

#: Long side, in pixels, of the image the clustering sees.
CLUSTER_SIZE = 256
#: The k-means fit sees at most this many of those pixels; shares count them all.
FIT_PIXELS = 10_000
#: Long side, in pixels, of the image shown on the card (0 keeps the original size).
DEFAULT_CARD_SIZE = 1600


def source_name(image: ImageSource) -> str:
    """How messages and palette files name ``image``."""
    if isinstance(image, (str, os.PathLike)):
        return os.fspath(image)
    return {bytes: "image bytes", np.ndarray: "image array"}.get(type(image), "image")


def _open(image: ImageSource) -> Any:
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    if isinstance(image, np.ndarray):
        return Image.fromarray(np.ascontiguousarray(image))
    if isinstance(image, bytes):
        return Image.open(io.BytesIO(image))
    p = Path(image)
    if not p.exists():
        raise InputNotFoundError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not an image")
    return Image.open(p)


def load_image(image: ImageSource, max_side: int,
               resample: bool = True) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Open an image as it is displayed (EXIF orientation applied), shrunk so its long side
    is at most ``max_side`` px (0: full size). Returns (rgb (h, w, 3) uint8, alpha (h, w)
    uint8 or None, original (width, height)). Handles greyscale, palette, CMYK, 16-bit and
    transparent images; JPEGs are decoded at reduced size where possible (draft mode).
    ``resample=False`` stops after the decoder's own reduction (the result may be larger)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = source_name(image)
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
            raise ParameterError("image", f"must be an (h, w), (h, w, 3) or (h, w, 4) uint8 array, "
                                          f"got {image.shape} {image.dtype}")
        if image.size == 0:
            raise ParameterError("image", "holds no pixels")
    try:
        img = _open(image)
        size = img.size
        if max_side and img.format == "JPEG":
            w, h = size
            scale = max_side / max(w, h)
            if scale < 1:
                img.draft(img.mode if img.mode != "CMYK" else "RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
        img = ImageOps.exif_transpose(img)
        if img.mode in ("I;16", "I;16B", "I;16L", "I"):
            # 16-bit grey is 0-65535 however dark (a dark 16-bit PNG read as 8-bit came out
            # light); 32-bit "I" says nothing of its range: 16 bits when it goes past 255,
            # clipped there, rounded to the nearest 8-bit level
            arr = np.asarray(img, dtype=np.int64)
            top = 65535 if img.mode != "I" or arr.max(initial=0) > 255 else 255
            arr = np.clip(arr, 0, top)
            img = Image.fromarray(((arr * 255 + top // 2) // top).astype(np.uint8), mode="L")
        # transparency: an alpha channel, a palette's, or a PNG colour key (tRNS) on RGB or grey
        has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode in ("P", "RGB", "L") and "transparency" in img.info)
        img = img.convert("RGBA" if has_alpha else "RGB")
        if resample and max_side and max(img.size) > max_side:
            img.thumbnail((max_side, max_side), Image.Resampling.BOX)
        arr = np.asarray(img)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAVideoError(f"{name}: not an image Pillow can read ({exc})") from exc
    if has_alpha:
        return np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3]), size
    return arr, None, size


def extract_palette(image: ImageSource, colors: int = 6, space: Space | str = Space.RGB,
                    seed: int = 0) -> ImagePalette:
    """The ``colors`` dominant colours of an image, with their shares of its opaque pixels.

    ``image`` is a file path, encoded image bytes, a PIL image, or a uint8 array of shape
    (h, w, 3) sRGB or (h, w, 4) with alpha."""
    colors, space, seed = params.check("colors", colors), params.check("space", space), params.check("seed", seed)
    rgb, alpha, (w, h) = load_image(image, CLUSTER_SIZE, resample=False)
    # An even stride, not a resampling filter: the pixels clustered are the image's own,
    # with no blends invented along colour edges.
    step = max(1, -(-max(rgb.shape[:2]) // CLUSTER_SIZE))
    rgb = rgb[::step, ::step]
    alpha = None if alpha is None else alpha[::step, ::step]
    return palette_of(rgb, alpha, colors, space, seed, source_name(image), (w, h))


def palette_of(rgb: np.ndarray, alpha: np.ndarray | None, colors: int, space: Space, seed: int,
               name: str = "image", size: tuple[int, int] | None = None) -> ImagePalette:
    """Palette of an (h, w, 3) uint8 image; pixels with alpha < 128 are not counted."""
    pixels = rgb.reshape(-1, 3) if alpha is None else opaque(rgb, alpha)
    if len(pixels) == 0:
        raise InputError(f"{name}: every pixel is transparent")
    exact = distinct_colors(pixels, colors)
    if exact is not None:
        centers, counts = exact[0].astype(np.float64), exact[1]
    else:
        Xt = planar(encode(pixels, space), np.float64)
        # Fit on an even stride of at most FIT_PIXELS pixels, then label every pixel.
        step = max(1, -(-Xt.shape[1] // FIT_PIXELS))
        centroids, _, _ = kmeans_planar(np.ascontiguousarray(Xt[:, ::step]), colors, seed=seed, n_init=3)
        counts = np.bincount(nearest(Xt, centroids)[0], minlength=colors)
        centers = decode(centroids, space)
    pal = Palette.from_centroids(centers, counts)  # rounded, merged, sorted by share
    w, h = size or (rgb.shape[1], rgb.shape[0])
    return ImagePalette(name, pal, int(w), int(h), str(space))


def swatch_edges(palette: ImagePalette, width: int, proportional: bool = False) -> np.ndarray:
    """Left edges of the swatches in a bar ``width`` px wide, and its right end: int64,
    len(palette) + 1. Equal widths, or by share."""
    from .render.strip import segment_heights

    n = len(palette.colors)
    weights = palette.weights if proportional else np.full(n, 1.0 / n)
    return np.concatenate([[0], np.cumsum(segment_heights(weights, width))])


def swatch_bar(palette: ImagePalette, width: int, height: int, proportional: bool = False,
               labels: bool = False) -> np.ndarray:
    """A (height, width, 3) bar of the palette's colours, equal widths or by share; with
    ``labels``, each swatch's hex written on it, in black or white, whichever contrasts
    more with the swatch (a swatch too narrow for its label at 8 px gets none)."""
    from .render.text import draw_text

    edges = swatch_edges(palette, width, proportional)
    bar = np.repeat(palette.colors[None, :, :], height, axis=0).repeat(np.diff(edges), axis=1)
    if labels:
        size = max(1, round(height * 0.45))
        for (left, right), hex_ in zip(zip(edges[:-1].tolist(), edges[1:].tolist()), palette.hex):
            draw_text(bar, hex_, (left, 0, right, height), size)
    return bar


def card(rgb: np.ndarray, palette: ImagePalette, bar: float = 0.08, buffer: float = 0.02,
         buffer_color: tuple[int, int, int] = (255, 255, 255), proportional: bool = False,
         labels: bool = False) -> np.ndarray:
    """Top to bottom: buffer bar, swatch bar, the image, swatch bar, buffer bar. Bar heights
    are fractions of the image height (at least 1 px). With ``labels``, the lower swatch
    bar carries each colour's hex (see :func:`swatch_bar`). Returns (H, w, 3) uint8."""
    bar, buffer = params.check("bar", bar), params.check("buffer", buffer)
    buffer_color = params.check("buffer_color", buffer_color)
    h, w, _ = rgb.shape
    bh, fh = max(1, round(h * bar)), round(h * buffer)
    swatches = swatch_bar(palette, w, bh, proportional)
    lower = swatch_bar(palette, w, bh, proportional, labels=True) if labels else swatches
    pad = np.empty((fh, w, 3), np.uint8)
    pad[:] = buffer_color
    return np.concatenate([pad, swatches, rgb, lower, pad], axis=0)


def save_card(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write the card as PNG, JPEG or WebP (by extension), atomically, with streamprint's mark."""
    from .render.output import write_image

    write_image(image, path, params.image_format_for(path, "card", params.RASTER_FORMATS))
