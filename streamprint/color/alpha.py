"""Transparency: which pixels of an image with an alpha channel count as its colours."""

from __future__ import annotations

import numpy as np

#: Alpha (0-255) below which a pixel is transparent and not counted.
ALPHA_THRESHOLD = 128


def opaque(rgb: np.ndarray, alpha: np.ndarray, threshold: int = ALPHA_THRESHOLD) -> np.ndarray:
    """The pixels of ``rgb`` ((h, w, 3) or (n, 3) uint8) whose ``alpha`` ((h, w) or (n,),
    0-255) is at least ``threshold`` (:data:`ALPHA_THRESHOLD`), as (m, 3); m may be 0. The
    colour a transparent pixel stores is hidden (a GIF's unused palette entry, whatever an
    editor left under a mask) and is no colour of the picture."""
    return np.asarray(rgb).reshape(-1, 3)[np.asarray(alpha).reshape(-1) >= threshold]


def faint_threshold(alpha: np.ndarray) -> int | None:
    """For an image none of whose pixels reaches :data:`ALPHA_THRESHOLD`: the alpha from
    which its pixels are counted instead, half its greatest (rounded up), as the threshold
    is half of opaque; None when every pixel is wholly transparent (alpha 0). An image
    semi-transparent everywhere (a tint, a watermark, alpha 127) was refused as "every pixel
    is transparent", though a viewer shows its colours."""
    top = int(np.asarray(alpha).max(initial=0))
    return (top + 1) // 2 if top > 0 else None


def edge_counted(alpha: np.ndarray) -> bool:
    """Whether a straight-scaled alpha plane ((h, w) 0-255) has a pixel that counts (at least
    :data:`ALPHA_THRESHOLD`) and is not opaque: scaled straight, such a pixel's colour holds
    some of what its transparent part hides, which :func:`area_weighted` keeps out. Where
    none has, straight scaling counts the same colours (a pixel of mean alpha 255 has at
    most 0.5/255 of its weight transparent), as on every frame of a wholly opaque alpha
    channel."""
    a = np.asarray(alpha)
    return bool(((a >= ALPHA_THRESHOLD) & (a < 255)).any())


#: Weight of a fully transparent pixel against an opaque one's 1 in :func:`area_weighted`:
#: where an output pixel covers nothing but transparent pixels, their plain mean; anywhere
#: else nothing measurable (a counted pixel, alpha >= 1/2, moves by at most 2^-16 x 2 x 255,
#: under 0.01 of a level).
_FLOOR = np.float32(2.0 ** -16)


#: Values (float32) of the premultiplied planes held at once by :func:`area_weighted`: 4 MiB.
_BAND_VALUES = 1 << 20


def area_weighted(color: np.ndarray, alpha: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """``color`` ((h, w, c), any real dtype and units) and its ``alpha`` ((h, w) uint8,
    0-255) scaled to ``width`` x ``height`` pixels by area, as libswscale's AREA scaling
    does (each output pixel the mean of the stored pixels it covers, those it covers in
    part in proportion), but each pixel's colour weighted by its alpha (premultiplied):
    colour = sum(a * c) / sum(a) over the covered area. A transparent pixel's hidden colour
    then leaks into no edge pixel, where a straight mean mixed it in (half covered over a
    hidden blue, an opaque red came out (128, 0, 127)). An output pixel over transparent
    pixels alone keeps their plain mean (a frame with no opaque pixel is clustered as
    stored). Returns (colour (height, width, c) float32 in ``color``'s units, alpha
    (height, width) uint8, the covered area's mean alpha rounded). 19-25 ms for a
    1920 x 1080 frame to 160 x 90 on two shared cores (load 2); planes, not interleaved
    pixels, took half the time."""
    alpha, color = np.asarray(alpha), np.asarray(color)
    h, w = alpha.shape
    k = color.shape[-1]
    rows = np.empty((k + 1, h, width), np.float32)             # each stored row summed across
    band = max(1, _BAND_VALUES // (w * (k + 1)))
    for top in range(0, h, band):                              # in bands: 4K took 180 MB at once
        weights = alpha[top:top + band].astype(np.float32) * np.float32(1 / 255) + _FLOOR
        planes = np.empty((k + 1, *weights.shape), np.float32)
        planes[:k] = np.moveaxis(color[top:top + band], -1, 0)
        planes[k] = 1.0
        planes *= weights                                      # premultiplied; the last plane: the weights
        rows[:, top:top + band] = _area_sums(planes, width, axis=2)
    sums = _area_sums(rows, height, axis=1)
    out = np.ascontiguousarray(np.moveaxis(sums[:k] / sums[k], 0, -1))
    mean_alpha = sums[k] * np.float32(width * height / (h * w)) - _FLOOR
    return out, np.clip(np.rint(mean_alpha * 255), 0, 255).astype(np.uint8)


def _area_sums(x: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    """``x`` summed along ``axis`` over ``n_out`` equal spans of its length: each span the
    stored pixels wholly inside it plus the covered fraction of those it cuts."""
    n = x.shape[axis]
    ends = np.arange(n_out + 1, dtype=np.int64) * n          # span edges, in units of 1 / n_out pixel
    first, cut = ends // n_out, (ends % n_out).astype(np.float32) * np.float32(1 / n_out)
    shape = [1] * x.ndim
    shape[axis] = -1
    sums = np.add.reduceat(x, first[:-1], axis=axis)           # pixels first[i] .. first[i + 1] - 1
    empty = first[:-1] == first[1:]                            # (reduceat gives that pixel for an empty span)
    if empty.any():
        np.moveaxis(sums, axis, 0)[empty] = 0
    sums -= cut[:-1].reshape(shape) * np.take(x, first[:-1], axis=axis)  # less the part before its start
    inside = np.flatnonzero(first[1:] < n)
    np.moveaxis(sums, axis, 0)[inside] += np.moveaxis(                   # plus the part up to its end
        cut[1:][inside].reshape(shape) * np.take(x, first[1:][inside], axis=axis), axis, 0)
    return sums
