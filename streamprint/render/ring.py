"""The ring style: a stacked strip bent into a circle, on a transparent background.

Edges are antialiased: the ring's outline (outer edge and hole) by analytic coverage (the
share of each pixel inside the ring, from its centre's distance to the edge, so alpha is 0
outside, 255 well inside and in between on the edge), and the borders between colours
inside the ring by supersampling (the mean, in linear light, of ``SUPERSAMPLE`` x
``SUPERSAMPLE`` points per pixel).
"""

from __future__ import annotations

import numpy as np

from .. import params
from ..errors import ParameterError

#: Points per pixel side averaged for the colours inside the ring.
SUPERSAMPLE = 4
#: The hole's radius as a fraction of the outer radius.
INNER = 0.35
#: Subsample points computed at a time (bounds memory: ~50 bytes each).
_CHUNK = 1 << 21


def ring_strip_size(diameter: int, inner: float = INNER) -> tuple[int, int]:
    """(columns, rows) of the strip ``ring`` bends at ``diameter`` px: a column per pixel
    of the outer circumference, a row per pixel across the ring. (Borders between colours
    are antialiased whatever the strip's size: they fall between subsamples.)"""
    radius = params.check("diameter", diameter, rule="side") / 2
    return max(1, int(np.ceil(2 * np.pi * radius))), max(1, int(np.ceil(radius * (1 - inner))))


def ring(strip: np.ndarray, size: int, inner: float = INNER,
         canvas: tuple[int, int] | None = None) -> np.ndarray:
    """Bend a strip into a ring: time runs clockwise from the top (the strip's columns are
    equal slices of it), the strip's top edge on the outside. ``size`` is the ring's outer
    diameter in px, ``inner`` the hole's radius as a fraction of the outer radius, and
    ``canvas`` the output's (width, height) in px (default: ``size`` square), the ring in
    its middle. Returns (height, width, 4) uint8 sRGB with straight (not premultiplied)
    alpha: transparent around the ring and in the hole."""
    from ..color.spaces import SRGB_TO_LINEAR, linear_to_srgb

    size = params.check("size", size, rule="side")
    width = height = size
    if canvas is not None:
        if not isinstance(canvas, (tuple, list)) or len(canvas) != 2:
            raise ParameterError("canvas", f"must be (width, height) in pixels, got {canvas!r}")
        width, height = (params.check("canvas", side, rule="side") for side in canvas)
    strip = np.asarray(strip)
    if strip.ndim != 3 or strip.shape[2] != 3 or strip.dtype != np.uint8 or 0 in strip.shape:
        raise ParameterError("strip", f"must be an (h, w, 3) uint8 array, got shape {strip.shape} ({strip.dtype})")
    h, w, _ = strip.shape
    out = np.zeros((height, width, 4), np.uint8)
    radius, cx, cy = size / 2, width / 2, height / 2
    hole = inner * radius
    lut = SRGB_TO_LINEAR.astype(np.float32)
    s = SUPERSAMPLE
    offsets = (np.arange(s) + 0.5) / s
    x0, x1 = max(0, int(np.floor(cx - radius))), min(width, int(np.ceil(cx + radius)))
    y0, y1 = max(0, int(np.floor(cy - radius))), min(height, int(np.ceil(cy + radius)))
    if x1 <= x0 or y1 <= y0:
        return out
    dx = ((np.arange(x0, x1)[:, None] + offsets[None, :]).ravel() - cx).astype(np.float32)
    dx_centre = (np.arange(x0, x1) + 0.5 - cx).astype(np.float32)
    rows_per_chunk = max(1, _CHUNK // (len(dx) * s))
    for top in range(y0, y1, rows_per_chunk):
        ys = np.arange(top, min(y1, top + rows_per_chunk))
        dy = ((ys[:, None] + offsets[None, :]).ravel() - cy).astype(np.float32)[:, None]
        # Colours: every subsample, its radius clamped into the ring, so edge pixels take
        # the edge's colour (their coverage is alpha's job).
        d = np.hypot(dx[None, :], dy)
        theta = np.mod(np.arctan2(dx[None, :], -dy), np.float32(2 * np.pi)) / np.float32(2 * np.pi)
        col = np.minimum((theta * w).astype(np.int64), w - 1)
        depth = np.clip((radius - d) / max(radius - hole, 1e-9), 0.0, 1.0)
        row = np.minimum((depth * h).astype(np.int64), h - 1)
        mean = lut[strip[row, col]].reshape(len(ys), s, len(dx) // s, s, 3).mean(axis=(1, 3))
        # Alpha: the pixel's coverage by the annulus, from its centre's distance to each edge.
        dc = np.hypot(dx_centre[None, :], (ys + 0.5 - cy).astype(np.float32)[:, None])
        alpha = np.clip(radius - dc + 0.5, 0.0, 1.0) * np.clip(dc - hole + 0.5, 0.0, 1.0)
        block = out[ys[0]:ys[-1] + 1, x0:x1]
        block[..., :3] = np.rint(linear_to_srgb(mean)).astype(np.uint8)
        block[..., 3] = np.rint(alpha * 255).astype(np.uint8)
    out[out[..., 3] == 0] = 0  # fully transparent pixels carry no colour
    return out
