"""Stage 4, the renderer: palettes in, a strip image out.

Images are numpy arrays of shape (height, width, 3), dtype uint8, sRGB 0-255; sizes are
in pixels. Writing is atomic (:mod:`streamprint.atomic`).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Literal

import numpy as np
from PIL import Image

from .atomic import atomic_output
from .clusterer import Palette
from .errors import UsageError

Order = Literal["weight", "lightness"]
ORDERS: tuple[str, ...] = ("weight", "lightness")


def segment_heights(weights: np.ndarray, height: int) -> np.ndarray:
    """Split ``height`` pixels among ``weights`` (which sum to 1) by rounding the cumulative
    sum, so the parts always add up to ``height`` exactly. Returns int64 of len(weights)."""
    w = np.asarray(weights, dtype=np.float64)
    total = w.sum()
    if total <= 0:
        raise ValueError("weights must sum to a positive number")
    edges = np.rint(np.cumsum(w) / total * height).astype(np.int64)
    edges[-1] = height
    return np.diff(np.concatenate([[0], edges]))


def order_palette(palette: Palette, order: Order = "weight") -> tuple[np.ndarray, np.ndarray]:
    """(colors, weights) in drawing order, top first: by share, or lightest first."""
    if order == "weight":
        return palette.colors, palette.weights
    if order == "lightness":
        luma = palette.colors.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
        idx = np.argsort(-luma, kind="stable")
        return palette.colors[idx], palette.weights[idx]
    raise UsageError(f"--order must be one of {', '.join(ORDERS)}, got {order!r}")


def render_stacked(
    palettes: Sequence[Palette],
    height: int = 200,
    column_width: int = 1,
    order: Order = "weight",
    widths: np.ndarray | None = None,
    width: int | None = None,
) -> np.ndarray:
    """One column per palette, its colours stacked top to bottom with heights proportional
    to their weights. Columns are ``column_width`` px wide, or, given ``widths`` (any
    positive units, e.g. seconds) and a total ``width`` in px, proportional to ``widths``
    (rounded cumulatively, so a column may get 0 px). Returns (height, W, 3) uint8."""
    if height < 1 or column_width < 1 or (width is not None and width < 1):
        raise UsageError("--height, --column-width and --width must be at least 1 pixel")
    if not palettes:
        raise ValueError("nothing to render: no samples")
    strip = np.empty((height, len(palettes), 3), dtype=np.uint8)
    for x, palette in enumerate(palettes):
        colors, weights = order_palette(palette, order)
        strip[:, x] = np.repeat(colors, segment_heights(weights, height), axis=0)
    if widths is not None:
        w = np.asarray(widths, dtype=np.float64)
        if w.shape != (len(palettes),) or w.sum() <= 0:
            raise ValueError("widths needs one positive entry per palette")
        return np.repeat(strip, segment_heights(w, width or len(palettes)), axis=1)
    if column_width > 1:
        strip = np.repeat(strip, column_width, axis=1)
    return strip


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an (h, w, 3) uint8 image."""
    buf = io.BytesIO()
    Image.fromarray(image, mode="RGB").save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def write_image(image: np.ndarray, path: str | os.PathLike[str]) -> None:
    """Write ``image`` as PNG to ``path`` atomically (temp file + rename)."""
    data = encode_png(image)
    with atomic_output(path, "wb") as f:
        f.write(data)
