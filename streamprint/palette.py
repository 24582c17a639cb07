"""The palette of a single image, and the palette card: the image between swatch bars.

Imports neither PyAV nor scikit-learn (see :mod:`streamprint.kmeans`), so the palette of
a 24-megapixel JPEG takes a fraction of a second as a whole process. JPEGs are decoded at
reduced size (Pillow's draft mode) since clustering needs only a few thousand pixels.
"""

from __future__ import annotations

import io
import itertools
import os
import struct
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import params
from .clusterer import distinct_colors
from .color.alpha import opaque
from .color.embedded import CICP, as_srgb, file_cicp
from .color.spaces import decode, encode
from .enums import Space
from .errors import InputError, InputNotFoundError, NotAVideoError, ParameterError, StreamprintError
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


#: EXIF orientations that turn the picture a quarter (its width and height swap on display).
_QUARTER_TURNS = (5, 6, 7, 8)
#: What Pillow raises on a damaged image, besides ``OSError`` and ``ValueError`` (its PNG
#: reader raises ``SyntaxError`` for a bad chunk; its AVIF and HEIF readers ``RuntimeError``).
_DAMAGED = (SyntaxError, RuntimeError, EOFError, struct.error)


def _open(image: ImageSource) -> Any:
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    if not isinstance(image, (str, os.PathLike, bytes, np.ndarray)):
        raise ParameterError("image", f"must be a file path, image bytes, a PIL image or a uint8 array, "
                                      f"not {type(image).__name__}")
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


def load_image(image: ImageSource, max_side: int, resample: bool = True,
               name: str | None = None) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Open an image as it is displayed (EXIF orientation applied), shrunk so its long side
    is at most ``max_side`` px (0: full size). Returns (rgb (h, w, 3) uint8, alpha (h, w)
    uint8 or None, original (width, height)). Handles greyscale, palette, CMYK, 16-bit and
    transparent images; JPEGs are decoded at reduced size where possible (draft mode).
    ``resample=False`` stops after the decoder's own reduction (the result may be larger).
    ``name``: how messages name the image (default: :func:`source_name`)."""
    from PIL import Image, UnidentifiedImageError

    name = name or source_name(image)
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
            raise ParameterError("image", f"must be an (h, w), (h, w, 3) or (h, w, 4) uint8 array, "
                                          f"got {image.shape} {image.dtype}")
        if image.size == 0:
            raise ParameterError("image", "holds no pixels")
    try:
        with warnings.catch_warnings():
            # Pillow warns (on stderr, even with -q) past half its pixel limit; past the
            # limit it raises DecompressionBombError, a one-line error below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = _open(image)
            return _load(img, max_side, resample, own=not isinstance(image, Image.Image))
    except StreamprintError:  # a missing file or a wrong type is said as such, not as "not an image"
        raise
    except UnidentifiedImageError as exc:  # its text only names the file again
        raise NotAVideoError(f"{name}: not an image Pillow can read") from exc
    except Image.DecompressionBombError as exc:  # an image, past Pillow's guard: not "not an image"
        guard = Image.MAX_IMAGE_PIXELS  # (the error comes only with a guard: never None here)
        limit = f" of {2 * guard:,} pixels" if guard else ""
        raise NotAVideoError(f"{name}: too large to read: more than Pillow's limit{limit} "
                             "(a guard against decompression bombs)") from exc
    except (OSError, ValueError, *_DAMAGED) as exc:
        raise NotAVideoError(f"{name}: not an image Pillow can read ({exc})") from exc


def _load(img: Any, max_side: int, resample: bool,
          own: bool) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """:func:`load_image` of an opened PIL image; ``own``: opened here, so it may be changed
    (draft mode), where a caller's image is left as it was."""
    from PIL import Image, ImageOps

    # read before the pixels are (their tile then goes)
    size, key16, cicp = img.size, _rgb16_png_key(img), file_cicp(img)
    if 0 in size:  # a caller's PIL image of no pixels (a file of none is refused by Pillow)
        raise ParameterError("image", "holds no pixels")
    if img.getexif().get(0x0112) in _QUARTER_TURNS:
        size = size[::-1]  # the size as displayed, as the card shows it
    if own and max_side and img.format == "JPEG":
        w, h = img.size
        scale = max_side / max(w, h)
        if scale < 1:
            img.draft(img.mode if img.mode != "CMYK" else "RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
    # upright: a file opened here in place (Pillow copies an upright image, 432 MB more for
    # a 144-megapixel PNG), a caller's image as a copy, so it is left as it was
    if own:
        ImageOps.exif_transpose(img, in_place=True)
    else:
        img = ImageOps.exif_transpose(img)
    mask = None
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        img, mask = _deep_grey(img)
    if key16 is not None:
        img.info["transparency"] = key16
    # transparency: an alpha channel, a palette's, or a PNG colour key (tRNS) on RGB or grey
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode in ("P", "RGB", "L") and "transparency" in img.info)
    if mask is not None:
        img, has_alpha = _with_alpha(img, mask), True
    if cicp is not None:
        img.info[CICP] = cicp
    img = as_srgb(img, "RGBA" if has_alpha else "RGB")
    if resample and max_side and max(img.size) > max_side:
        img.thumbnail((max_side, max_side), Image.Resampling.BOX)
    arr = np.asarray(img)
    if has_alpha:
        return np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3]), size
    return arr, None, size


def _rgb16_png_key(img: Any) -> tuple[int, int, int] | None:
    """The colour key (tRNS) of a 16-bit RGB PNG not yet read, as the 8-bit levels Pillow
    decodes its samples to (the high bytes); None for any other image. Pillow keeps the key
    at 16 bits beside 8-bit pixels, so no pixel matched it and every see-through pixel was
    counted. A pixel differing from the key in its low bytes alone is see-through too."""
    key = img.info.get("transparency")
    if img.format != "PNG" or img.mode != "RGB" or not isinstance(key, tuple) or len(key) != 3:
        return None
    if not any(";16" in str(tile[3]) for tile in getattr(img, "tile", ())):
        return None
    return (key[0] >> 8, key[1] >> 8, key[2] >> 8)


def _deep_grey(img: Any) -> tuple[Any, np.ndarray | None]:
    """A 16-bit, 32-bit or float grey image as 8-bit "L", with what says how its values
    show (its ICC profile, a PNG's gAMA, sRGB chunk), and its PNG colour key as a mask
    (uint8 (h, w), 0 where transparent; None without a key), compared at full depth.
    16-bit grey is 0-65535 however dark (a dark 16-bit PNG read as 8-bit came out light);
    32-bit "I" says nothing of its range: 16 bits when it goes past 255, clipped there,
    rounded to the nearest 8-bit level. Float grey (a scientific or HDR TIFF): 0-1 when
    nothing goes past 1 (it came out black, clipped as 0-255), else 0-255; NaN black.
    The new image kept none of the original's info: a 16-bit PNG's grey profile and
    colour key were dropped (its values taken as sRGB, its transparent pixels counted)."""
    from PIL import Image

    key, mask = img.info.get("transparency"), None
    if img.mode == "F":
        arr = np.nan_to_num(np.asarray(img, dtype=np.float64), nan=0.0)
        scale = 255.0 if arr.max(initial=0.0) <= 1.0 else 1.0
        grey = np.rint(np.clip(arr * scale, 0, 255)).astype(np.uint8)
    else:
        arr = np.asarray(img, dtype=np.int64)
        if isinstance(key, int):
            mask = np.where(arr == key, 0, 255).astype(np.uint8)
        top = 65535 if img.mode != "I" or arr.max(initial=0) > 255 else 255
        arr = np.clip(arr, 0, top)
        grey = ((arr * 255 + top // 2) // top).astype(np.uint8)
    out = Image.fromarray(grey, mode="L")
    out.info.update({k: v for k, v in img.info.items() if k != "transparency"})
    return out, mask


def _with_alpha(img: Any, mask: np.ndarray) -> Any:
    """An "L" image and an alpha mask as "LA", keeping the image's info (its profile)."""
    from PIL import Image

    out = Image.merge("LA", (img, Image.fromarray(mask, mode="L")))
    out.info.update(img.info)
    return out


def extract_palette(image: ImageSource, colors: int = 6, space: Space | str = Space.RGB,
                    seed: int = 0, name: str | None = None) -> ImagePalette:
    """The ``colors`` dominant colours of an image, with their shares of its opaque pixels.

    ``image`` is a file path, encoded image bytes, a PIL image, or a uint8 array of shape
    (h, w, 3) sRGB or (h, w, 4) with alpha. ``name`` is the palette's ``path`` and how
    messages name the image (default: the path, or "image bytes", "image array", "image")."""
    colors, seed = params.check("colors", colors), params.check("seed", seed)
    clustered_in: Space = params.check("space", space)
    name = params.check("name", name) or source_name(image)
    rgb, alpha, (w, h) = load_image(image, CLUSTER_SIZE, resample=False, name=name)
    rows, cols = sample_grid(rgb.shape[:2], CLUSTER_SIZE, np.random.default_rng(seed))
    rgb = rgb[rows, cols]
    alpha = None if alpha is None else alpha[rows, cols]
    return palette_of(rgb, alpha, colors, clustered_in, seed, name, (w, h))


def sample_grid(shape: tuple[int, int], side: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Which pixels of an image of ``shape`` (h, w) stand for it at most ``side`` px on its
    long side: the image cut into a grid of equal cells (about square, as many as an even
    stride would take), one pixel at a uniformly random place in each (jittered, or
    stratified, sampling). Returns row and column indices, int64 arrays of one shape; every
    pixel when the image is no larger than ``side``.

    The pixels are the image's own, so no blend is invented along colour edges (as a
    resampling filter would), and, unlike an even stride, a pattern finer than the cells (a
    checkerboard, dithering, a halftone, a one-pixel grid) keeps its shares: a stride falls
    on the same phase of the pattern in every cell, and a 50/50 checkerboard came out one
    colour. Equal cells make each sample stand for the same area, so a share is the area's
    in expectation."""
    h, w = shape
    step = max(1, -(-max(h, w) // side))
    n_rows, n_cols = -(-h // step), -(-w // step)
    rows = ((np.arange(n_rows)[:, None] + rng.random((n_rows, n_cols))) * (h / n_rows)).astype(np.int64)
    cols = ((np.arange(n_cols)[None, :] + rng.random((n_rows, n_cols))) * (w / n_cols)).astype(np.int64)
    return np.minimum(rows, h - 1), np.minimum(cols, w - 1)


def palette_of(rgb: np.ndarray, alpha: np.ndarray | None, colors: int, space: Space, seed: int,
               name: str = "image", size: tuple[int, int] | None = None) -> ImagePalette:
    """Palette of an (h, w, 3) uint8 image; pixels with alpha < 128 are not counted."""
    pixels = rgb.reshape(-1, 3) if alpha is None else opaque(rgb, alpha)
    if len(pixels) == 0:
        raise InputError(f"{name}: every pixel is transparent")
    exact = distinct_colors(pixels, colors)
    if exact is not None:  # every pixel is one of the colours: no distance to them
        centers, counts, inertia = exact[0].astype(np.float64), exact[1], 0.0
    else:
        Xt = planar(encode(pixels, space), np.float64)
        # Fit on an even stride of at most FIT_PIXELS pixels, then label every pixel.
        step = max(1, -(-Xt.shape[1] // FIT_PIXELS))
        centroids, _, _ = kmeans_planar(np.ascontiguousarray(Xt[:, ::step]), colors, seed=seed, n_init=3)
        labels, distances = nearest(Xt, centroids)
        counts = np.bincount(labels, minlength=colors)
        inertia = float(distances.mean())  # over every pixel, as Palette defines it
        centers = decode(centroids, space)
    pal = Palette.from_centroids(centers, counts, inertia)  # rounded, merged, sorted by share
    w, h = size or (rgb.shape[1], rgb.shape[0])
    return ImagePalette(name, pal, int(w), int(h), str(space))


def swatch_edges(palette: ImagePalette, width: int, proportional: bool = False) -> np.ndarray:
    """Left edges of the swatches in a bar ``width`` px wide, and its right end: int64,
    len(palette) + 1. Equal widths, or by share; by share, every colour the palette lists
    keeps at least 1 px where the bar has room for that (a 0.1 % share of a 500-px bar
    rounded to nothing, and the card showed fewer colours than it reported)."""
    from .render.strip import segment_heights

    n = len(palette.colors)
    weights = palette.weights if proportional else np.full(n, 1.0 / n)
    floor = 1 if proportional and width >= n else 0
    return np.concatenate([[0], np.cumsum(floor + segment_heights(weights, width - floor * n))])


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
        for (left, right), hex_ in zip(itertools.pairwise(edges.tolist()), palette.hex, strict=True):
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


def save_card(path: str | os.PathLike[str], image: np.ndarray, *, overwrite: bool = False) -> None:
    """Write the card as PNG, JPEG or WebP (by extension), atomically, with streamprint's mark;
    a file at ``path`` that streamprint did not write is replaced only with ``overwrite``."""
    from .render.output import write_image

    write_image(image, path, params.image_format_for(path, "card", params.RASTER_FORMATS), name="card",
                overwrite=overwrite)
