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


#: The largest diameter, px, whose strip (:func:`ring_strip_size`) is at most
#: :data:`~streamprint.params.MAX_SIDE` columns: ceil(pi x d) <= 65535.
MAX_DIAMETER = int(params.MAX_SIDE / np.pi)


def ring_strip_size(diameter: int, inner: float = INNER, name: str = "diameter") -> tuple[int, int]:
    """(columns, rows) of the strip ``ring`` bends at ``diameter`` px: a column per pixel
    of the outer circumference, a row per pixel across the ring. (Borders between colours
    are antialiased whatever the strip's size: they fall between subsamples.) ``name``:
    the parameter the diameter was given as (:func:`~.strip.render`'s ``height``), which a
    ParameterError names: a ring too large was blamed on a width never given."""
    diameter = params.check(name, diameter, rule="side")
    radius = diameter / 2
    columns = max(1, int(np.ceil(2 * np.pi * radius)))
    if columns > params.MAX_SIDE:
        raise ParameterError(name, f"is the ring's diameter: at most {MAX_DIAMETER} px, as the ring is bent from a "
                                   f"strip of a column per pixel of its circumference ({columns} here, at most "
                                   f"{params.MAX_SIDE}); got {diameter}")
    return columns, max(1, int(np.ceil(radius * (1 - inner))))


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
    lut_total = lut.copy()  # a level s*s times, summed one at a time as the subsamples are
    for _ in range(s * s - 1):
        lut_total += lut
    offsets = (np.arange(s) + 0.5) / s
    x0, x1 = max(0, int(np.floor(cx - radius))), min(width, int(np.ceil(cx + radius)))
    y0, y1 = max(0, int(np.floor(cy - radius))), min(height, int(np.ceil(cy + radius)))
    if x1 <= x0 or y1 <= y0:
        return out
    # A pixel whose subsamples all fall on one colour of the strip (most: the strip has a
    # column per pixel of the circumference, in runs of one sample's colours) takes that
    # colour, summed and divided as the subsamples' would be (so bit for bit the same);
    # only the others are supersampled (:func:`_supersampled`): 12 % of an 8000-px ring's
    # pixels on 1500 samples, where every pixel was (355 s before, 61 s after, measured apart).
    xs = np.arange(x0, x1)
    flat = strip.reshape(-1, 3)
    across = max(radius - hole, 1e-9)
    column_run, row_run = _runs(strip)
    geometry = (cx, cy, radius, across, w, h)
    reach = (1 - 1 / s) / 2 * np.sqrt(2)  # from a pixel's centre to its farthest subsample
    slack = 0.05 + 1e-6 * max(w, h)  # strip cells of room for float32's rounding
    rows_per_chunk = max(1, _CHUNK // (len(xs) * s))
    for top in range(y0, y1, rows_per_chunk):
        ys = np.arange(top, min(y1, top + rows_per_chunk))
        ddx, ddy = xs[None, :] + 0.5 - cx, ys[:, None] + 0.5 - cy
        dc = np.hypot(ddx, ddy)
        turn = np.mod(np.arctan2(ddx, -ddy) / (2 * np.pi), 1.0)
        spread = np.arcsin(np.minimum(1.0, reach / np.maximum(dc, 1e-9))) / (2 * np.pi)
        col_lo, col_hi = (turn - spread) * w - slack, (turn + spread) * w + slack
        row_lo = np.clip((radius - dc - reach) / across, 0.0, 1.0) * h - slack
        row_hi = np.clip((radius - dc + reach) / across, 0.0, 1.0) * h + slack
        simple = (dc > reach + 1) & (col_lo >= 0) & (col_hi < w)  # (not at the centre, nor across the top)
        c0, c1 = (np.clip(np.floor(c), 0, w - 1).astype(np.int64) for c in (col_lo, col_hi))
        r0, r1 = (np.clip(np.floor(r), 0, h - 1).astype(np.int64) for r in (row_lo, row_hi))
        run = column_run[c0]
        simple &= (column_run[c1] == run) & (row_run[r0, run] == row_run[r1, run])
        total = lut_total[flat[r0 * w + c0]]
        py, px = np.nonzero(~simple)
        total[py, px] = _supersampled(ys[py], xs[px], offsets, flat, lut, geometry)
        mean = total / np.float32(s * s)
        # Alpha: the pixel's coverage by the annulus, from its centre's distance to each edge.
        dc32 = np.hypot((xs + 0.5 - cx).astype(np.float32)[None, :], (ys + 0.5 - cy).astype(np.float32)[:, None])
        alpha = np.clip(radius - dc32 + 0.5, 0.0, 1.0) * np.clip(dc32 - hole + 0.5, 0.0, 1.0)
        block = out[ys[0]:ys[-1] + 1, x0:x1]
        block[..., :3] = np.rint(linear_to_srgb(mean)).astype(np.uint8)
        block[..., 3] = np.rint(alpha * 255).astype(np.uint8)
    out[out[..., 3] == 0] = 0  # fully transparent pixels carry no colour
    return out


def _supersampled(ys: np.ndarray, xs: np.ndarray, offsets: np.ndarray, flat: np.ndarray, lut: np.ndarray,
                  geometry: tuple[float, float, float, float, int, int]) -> np.ndarray:
    """The summed linear colours of the subsamples of the pixels at (``ys``, ``xs``), in the
    order of the offsets, row by row (the order numpy's mean over them took). Each
    subsample's radius is clamped into the ring, so edge pixels take the edge's colour
    (their coverage is alpha's job)."""
    cx, cy, radius, across, w, h = geometry
    turn = np.float32(2 * np.pi)
    total = np.zeros((len(ys), 3), np.float32)
    for i, oy in enumerate(offsets):
        dy = ((ys + oy) - cy).astype(np.float32)
        for j, ox in enumerate(offsets):
            dx = ((xs + ox) - cx).astype(np.float32)
            theta = np.mod(np.arctan2(dx, -dy), turn) / turn
            col = np.minimum((theta * w).astype(np.int64), w - 1)
            depth = np.clip((radius - np.hypot(dx, dy)) / across, 0.0, 1.0)
            row = np.minimum((depth * h).astype(np.int64), h - 1)
            colour = lut[flat[row * w + col]]
            total = colour if i == j == 0 else np.add(total, colour, out=total)
    return total


def _runs(strip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the strip's colours stay the same: each column's run (of identical columns,
    numbered from 0), and for each run's column, each row's run of one colour down it
    (numbered from 0): cells (r0, c0) and (r1, c1) bound a block of one colour when their
    columns share a run and, in it, rows r0 and r1 do."""
    h, w, _ = strip.shape
    new = np.ones(w, bool)
    for left in range(1, w, 4096):  # (bounds the comparison's memory)
        right = min(w, left + 4096)
        new[left:right] = (strip[:, left:right] != strip[:, left - 1:right - 1]).any(axis=(0, 2))
    column_run = np.cumsum(new) - 1
    firsts = strip[:, np.flatnonzero(new)]
    changes = np.zeros(firsts.shape[:2], bool)
    changes[1:] = (firsts[1:] != firsts[:-1]).any(axis=2)
    return column_run, np.cumsum(changes, axis=0, dtype=np.uint16 if h <= 0xFFFF else np.uint32)  # (no wrap)
