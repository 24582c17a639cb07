"""The ring style: a stacked strip bent into a circle."""

from __future__ import annotations

import numpy as np


def ring(strip: np.ndarray, size: int, inner: float = 0.35,
         background: tuple[int, int, int] = (0, 0, 0)) -> np.ndarray:
    """Bend a strip into a ring: time runs clockwise from the top, the strip's top edge on
    the outside. ``size`` is the square output's side in px; ``inner`` the hole's radius as
    a fraction of the outer radius. Returns (size, size, 3) uint8."""
    h, w, _ = strip.shape
    c = (size - 1) / 2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    dx, dy = xx - c, yy - c
    r = np.hypot(dx, dy) / (size / 2)
    theta = np.mod(np.arctan2(dx, -dy), 2 * np.pi) / (2 * np.pi)  # 0 at the top, clockwise
    inside = (r >= inner) & (r < 1.0)
    col = np.minimum((theta * w).astype(np.int64), w - 1)
    row = np.clip(((1.0 - r) / (1.0 - inner) * h).astype(np.int64), 0, h - 1)
    out = np.empty((size, size, 3), np.uint8)
    out[:] = background
    out[inside] = strip[row[inside], col[inside]]
    return out
