"""The palette of a single image, and the palette card: the image between swatch bars.

Imports neither PyAV nor scikit-learn (see :mod:`streamprint.kmeans`), so the palette of
a 24-megapixel JPEG takes about half a second as a whole process. The palette's pixels come
from the full-size decode: a JPEG decoded at reduced size (Pillow's draft mode) averages
2 x 2 to 8 x 8 pixels, and a fine checkerboard of red and blue came out purple. Only the
card, a picture, is drafted.
"""

from __future__ import annotations

import itertools
import logging
import os

import numpy as np

from . import params
from .clusterer import distinct_colors
from .color.alpha import faint_threshold, opaque
from .color.spaces import decode, encode
from .enums import Space
from .errors import InputError
from .imagefile import DecodedImage, ImageSource, load_image, read_image, read_srgb, say_anew, source_name
from .kmeans import kmeans_planar, nearest, planar
from .model import ImagePalette, Palette

__all__ = ["ImageSource", "DecodedImage", "read_image", "load_image", "source_name", "extract_palette", "sample_grid", "palette_of",
           "swatch_edges", "swatch_bar", "card", "save_card"]

log = logging.getLogger("streamprint")

#: The shortest swatch bar labels are written on: 8-px text (the smallest drawn) and a pixel
#: clear above and below.
LABEL_BAR_PX = 10
#: Long side, in pixels, of the image the clustering sees.
CLUSTER_SIZE = 256
#: The k-means fit sees at most this many of those pixels; shares count them all.
FIT_PIXELS = 10_000
#: Long side, in pixels, of the image shown on the card (0 keeps the original size).
DEFAULT_CARD_SIZE = 1600


def extract_palette(image: ImageSource | DecodedImage, colors: int = 6, space: Space | str = Space.RGB,
                    seed: int = 0, name: str | None = None) -> ImagePalette:
    """The ``colors`` dominant colours of an image, with their shares of its opaque pixels.

    ``image`` is a file path (a str or a path object), encoded image bytes (a file's
    contents, never its name, unlike :func:`~streamprint.fingerprint`'s), a PIL image, or a uint8 array of shape
    (h, w, 3) sRGB or (h, w, 4) with alpha; or one decoded by :func:`read_image`, which its
    card then shares (:func:`load_image`). ``name`` is the palette's ``path`` and how
    messages name the image (default: the path, or "image bytes", "image array", "image")."""
    colors, seed = params.check("colors", colors), params.check("seed", seed)
    clustered_in: Space = params.check("space", space)
    name = params.check("name", name) or source_name(image)
    if not isinstance(image, DecodedImage):  # (read_image said its warnings anew)
        say_anew(name)
    # full size: the sampled pixels are the image's own (a reduced decode blends them)
    rng = np.random.default_rng(seed)
    img, (w, h) = read_srgb(image, name=name, sample=lambda shape: sample_grid(shape, CLUSTER_SIZE, rng))
    pixels = np.asarray(img)
    alpha = pixels[..., 3] if img.mode == "RGBA" else None
    return palette_of(np.ascontiguousarray(pixels[..., :3]), alpha, colors, clustered_in, seed, name, (w, h))


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
    """Palette of an (h, w, 3) uint8 image; pixels with alpha < 128 are not counted, but
    where none reaches 128, those at least half as opaque as the most opaque one are (with a
    warning: :func:`~.color.alpha.faint_threshold`)."""
    pixels = rgb.reshape(-1, 3) if alpha is None else opaque(rgb, alpha)
    if len(pixels) == 0:
        assert alpha is not None  # (an image without alpha has pixels)
        least = faint_threshold(alpha)
        if least is None:
            raise InputError(f"{name}: every pixel is transparent")
        log.warning("%s: no pixel is as much as half opaque (the most opaque has alpha %d of 255): the colours "
                    "of those with alpha %d or more are counted", name, int(alpha.max()), least)
        pixels = opaque(rgb, alpha, least)
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
    len(palette) + 1. Equal widths, or by share (:func:`_widths_by_share`)."""
    from .render.strip import segment_heights

    n, proportional = len(palette.colors), params.check("proportional", proportional)
    widths = _widths_by_share(palette.weights, width) if proportional else segment_heights(np.full(n, 1.0 / n), width)
    return np.concatenate([[0], np.cumsum(widths)])


def _widths_by_share(weights: np.ndarray, width: int) -> np.ndarray:
    """``width`` px split by ``weights``, largest remainder first: each its whole part, the
    pixels left one each to the largest fractional parts (ties to the colour listed first,
    the larger share). Where the bar has room, a colour whose part comes to 0 px gets 1 px,
    and the others split the rest the same way (a 0.1 % share of a 500-px bar rounded to
    nothing, and the card showed fewer colours than it reported); only those: a 1-px floor
    under every colour made an exact 50/30/20 of 200 px 99/61/40, not 100/60/40."""
    w = np.asarray(weights, np.float64)
    floored = np.zeros(len(w), bool)
    while True:
        rest = width - int(floored.sum())
        shares = np.where(floored, 0.0, w)
        ideal = shares / shares.sum() * rest
        widths = np.floor(ideal).astype(np.int64)
        widths[np.argsort(widths - ideal, kind="stable")[:rest - int(widths.sum())]] += 1
        widths[floored] = 1
        starved = (widths == 0) & ~floored
        if not starved.any() or width < len(w):  # (a bar narrower than the colours: some get none)
            return widths
        floored |= starved


def swatch_bar(palette: ImagePalette, width: int, height: int, proportional: bool = False,
               labels: bool = False) -> np.ndarray:
    """A (height, width, 3) bar of the palette's colours, equal widths or by share; with
    ``labels``, each swatch's hex written on it, in black or white, whichever contrasts
    more with the swatch (a swatch too narrow for its label at 8 px gets none; a bar under
    :data:`LABEL_BAR_PX` tall gets none, with a warning)."""
    from .render.text import MIN_TEXT_PX, draw_text

    labels = params.check("labels", labels)
    edges = swatch_edges(palette, width, proportional)
    bar = np.repeat(palette.colors[None, :, :], height, axis=0).repeat(np.diff(edges), axis=1)
    if labels and height < LABEL_BAR_PX:
        log.warning("%s: the swatch bar is %d px tall, too short for labels (they need %d px: raise --bar)",
                    palette.path, height, LABEL_BAR_PX)
    elif labels:  # 45 % of the bar, but never under the smallest text drawn (a 16-px bar asked 7 px: none)
        size = max(MIN_TEXT_PX, round(height * 0.45))
        for (left, right), hex_ in zip(itertools.pairwise(edges.tolist()), palette.hex, strict=True):
            draw_text(bar, hex_, (left, 0, right, height), size)
    return bar


def card(rgb: np.ndarray, palette: ImagePalette, bar: float = 0.08, buffer: float = 0.02,
         buffer_color: tuple[int, int, int] = (255, 255, 255), proportional: bool = False,
         labels: bool = False, alpha: np.ndarray | None = None) -> np.ndarray:
    """Top to bottom: buffer bar, swatch bar, the image, swatch bar, buffer bar. Bar heights
    are fractions of the image height (at least 1 px). With ``labels``, the lower swatch
    bar carries each colour's hex (see :func:`swatch_bar`). ``alpha`` ((h, w) uint8, straight)
    is shown as a viewer shows it on a page of ``buffer_color``
    (:func:`~streamprint.render.output.flatten`): a transparent pixel's hidden colour, which
    the palette does not count, was shown. Returns (H, w, 3) uint8."""
    from .render.output import flatten

    bar, buffer = params.check("bar", bar), params.check("buffer", buffer)
    buffer_color = params.check("buffer_color", buffer_color)
    proportional, labels = params.check("proportional", proportional), params.check("labels", labels)
    if alpha is not None:
        rgb = flatten(np.dstack([rgb, alpha]), buffer_color)
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
