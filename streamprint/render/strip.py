"""Raster strips: palettes in, an (height, width, 3) uint8 sRGB image out, one column per
palette (stacked, dominant, average, smooth). Sizes are pixels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import params
from ..enums import Order, Style
from ..errors import ParameterError
from ..model import Palette
from .columns import columns_by_time

#: Styles drawn as one colour per column.
FLAT_STYLES = (Style.DOMINANT, Style.AVERAGE, Style.SMOOTH)


def segment_heights(weights: np.ndarray, height: int) -> np.ndarray:
    """Split ``height`` pixels among ``weights`` (which sum to 1) by rounding the cumulative
    sum, so the parts always add up to ``height`` exactly. Returns int64 of len(weights)."""
    w, height = params.check("weights", weights), params.check("height", height, rule="pixels")
    if not w.sum() > 0:
        raise ParameterError("weights", "must sum to a positive number")
    return _heights(w[None, :], height)[0]


def _heights(weights: np.ndarray, height: int) -> np.ndarray:
    """:func:`segment_heights` of each row of ``weights`` ((m, k) float, rows summing to a
    positive number; checked by the caller), (m, k) int64: one rule for a column and for
    thousands at once (row by row, a 70,000-sample strip took seconds in numpy's overhead).
    Row sums and running sums are those of each row alone, so the rounding is too."""
    edges = np.rint(np.cumsum(weights, axis=1) / weights.sum(axis=1, keepdims=True) * height).astype(np.int64)
    edges[:, -1] = height
    return np.diff(edges, axis=1, prepend=0)


def _stacks(stacks: Sequence[tuple[np.ndarray, np.ndarray]], height: int) -> np.ndarray:
    """Columns of ``stacks`` ((colours (k, 3) uint8, weights (k,)) each, top first) stacked
    ``height`` px tall: (height, len(stacks), 3) uint8, drawn together, those of one k at a time."""
    strip = np.empty((len(stacks), height, 3), dtype=np.uint8)
    by_k: dict[int, list[int]] = {}
    for i, (colors, _) in enumerate(stacks):
        by_k.setdefault(len(colors), []).append(i)
    for k, which in by_k.items():
        colors = np.stack([stacks[i][0] for i in which]).reshape(-1, 3)
        heights = _heights(np.stack([stacks[i][1] for i in which]).astype(np.float64, copy=False), height)
        strip[which] = np.repeat(colors, heights.ravel(), axis=0).reshape(len(which), height, 3)
    return strip.transpose(1, 0, 2)


def order_palette(palette: Palette, order: Order | str = Order.WEIGHT) -> tuple[np.ndarray, np.ndarray]:
    """(colors, weights) in drawing order, top first: by share, or lightest first (by
    relative luminance, from linear light; ties by share)."""
    checked: Order = params.check("order", order)
    if checked == Order.STABLE:
        raise ParameterError("order", "stable depends on the previous column: use stable_orders()")
    return _in_order(palette, checked)


def _in_order(palette: Palette, order: Order) -> tuple[np.ndarray, np.ndarray]:
    """:func:`order_palette` of a checked ``order``, weight or lightness."""
    if order == Order.WEIGHT:
        return palette.colors, palette.weights
    from ..color.spaces import luminance

    idx = np.argsort(-luminance(palette.colors), kind="stable")
    return palette.colors[idx], palette.weights[idx]


def stable_orders(palettes: Sequence[Palette]) -> list[np.ndarray]:
    """For each palette, the permutation (top first) that keeps each colour in the row of
    the previous column's colour it matches best (Hungarian matching in CIELAB), so stacked
    strips do not flicker when two shares swap rank. At a cut, and where colours are left
    over, order is by share."""
    return _stable_orders(params.check("palettes", palettes))


def _stable_orders(palettes: Sequence[Palette]) -> list[np.ndarray]:
    """:func:`stable_orders` of checked ``palettes``."""
    from scipy.optimize import linear_sum_assignment

    from ..color.spaces import srgb_to_lab

    orders: list[np.ndarray] = []
    prev_lab: np.ndarray | None = None
    for p in palettes:
        n = len(p)
        lab = srgb_to_lab(p.colors)
        if prev_lab is None or p.cut:
            order = np.arange(n)
        else:
            cost = np.linalg.norm(prev_lab[:, None, :] - lab[None, :, :], axis=2)
            rows, cols = linear_sum_assignment(cost)
            matched = cols[np.argsort(rows)]  # current colours, in the previous rows' order
            rest = np.array([i for i in range(n) if i not in set(matched.tolist())], dtype=np.int64)
            order = np.concatenate([matched, rest]).astype(np.int64)
        orders.append(order)
        prev_lab = lab[order]
    return orders


def ordered(palettes: Sequence[Palette], order: Order | str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each of ``palettes`` (checked by the caller) as (colours, weights) in drawing order."""
    checked: Order = params.check("order", order)
    if checked == Order.STABLE:
        return [(p.colors[o], p.weights[o]) for p, o in zip(palettes, _stable_orders(palettes), strict=True)]
    return [_in_order(p, checked) for p in palettes]


def render_stacked(
    palettes: Sequence[Palette],
    height: int = 200,
    column_width: int = 1,
    order: Order | str = Order.WEIGHT,
    widths: np.ndarray | None = None,
    width: int | None = None,
) -> np.ndarray:
    """One column per palette, its colours stacked top to bottom with heights proportional
    to their weights. Columns are ``column_width`` px wide, or, given ``widths`` (any
    positive units, e.g. seconds) and a total ``width`` in px, proportional to ``widths``
    (rounded cumulatively, so a column may get 0 px); ``height`` is in px. Returns
    (height, W, 3) uint8 sRGB 0-255."""
    height, column_width = params.check("height", height), params.check("column_width", column_width)
    palettes, width = params.check("palettes", palettes), params.check("width", width)
    return _render_stacked(palettes, height, column_width, order, widths, width)


def _render_stacked(palettes: Sequence[Palette], height: int, column_width: int, order: Order | str,
                    widths: np.ndarray | None, width: int | None) -> np.ndarray:
    """:func:`render_stacked` of checked ``palettes``, ``height``, ``column_width`` and
    ``width`` (a pass over every palette each: one is enough for a public call)."""
    return _widen(_stacks(ordered(palettes, order), height), column_width, widths, width)


def stacked_columns(palettes: Sequence[Palette], height: int, order: Order | str, pick: np.ndarray) -> np.ndarray:
    """The stacked strip's pixel columns ``pick`` (the palette each shows, int, shape (w,)),
    ``height`` px tall: (height, w, 3) uint8, as ``render_stacked(...)[:, pick]`` but
    drawing only the palettes shown, so its memory is the picture's, however many samples.
    ``palettes`` are the caller's to check (a fingerprint's: see :func:`.output.picture`)."""
    stacks = ordered(palettes, order)
    shown, where = np.unique(np.asarray(pick, dtype=np.int64), return_inverse=True)
    return _stacks([stacks[i] for i in shown.tolist()], params.check("height", height))[:, where.ravel()]


def _widen(strip: np.ndarray, column_width: int, widths: np.ndarray | None, width: int | None) -> np.ndarray:
    """Repeat each one-pixel column ``column_width`` times, or, given ``widths`` (the time
    each column stands for), resample to ``width`` columns by time (see :mod:`.columns`)."""
    n = strip.shape[1]
    w = params.check("widths", widths)
    if w is not None:
        if w.shape != (n,) or not w.sum() > 0:
            raise ParameterError("widths", f"must give one width >= 0 per palette ({n}), not all 0, got {len(w)}")
        return strip[:, columns_by_time(np.concatenate([[0.0], np.cumsum(w)[:-1]]), w, width or n)]
    if column_width > 1:
        strip = np.repeat(strip, column_width, axis=1)
    return strip


def column_colors(palettes: Sequence[Palette], style: Style) -> np.ndarray:
    """One colour per column, (n, 3) uint8: the most frequent (dominant) or the average
    taken in linear light (average; for palettes without a stored average, the weighted
    mean of their colours, also in linear light)."""
    if style == Style.DOMINANT:
        return np.stack([p.colors[0] for p in palettes])
    from ..color.spaces import linear_to_srgb, srgb_to_linear

    out = []
    for p in palettes:
        if p.mean is not None:
            out.append(p.mean)
        else:
            lin = (srgb_to_linear(p.colors) * p.weights[:, None]).sum(axis=0)
            out.append(np.clip(np.rint(linear_to_srgb(lin)), 0, 255).astype(np.uint8))
    return np.stack(out).astype(np.uint8)


def smooth_colors(colors: np.ndarray, radius: int) -> np.ndarray:
    """Blend each column's colour with its neighbours (Gaussian, sigma = radius / 2, in
    linear light, edges held). (n, 3) uint8 in and out."""
    from ..color.spaces import linear_to_srgb, srgb_to_linear

    radius = params.check("radius", radius, rule="smooth")
    if radius < 1 or len(colors) < 2:
        return colors
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (x / (radius / 2)) ** 2)
    kernel /= kernel.sum()
    lin = srgb_to_linear(colors)
    padded = np.concatenate([np.repeat(lin[:1], radius, 0), lin, np.repeat(lin[-1:], radius, 0)])
    blended = np.stack([np.convolve(padded[:, c], kernel, mode="valid") for c in range(3)], axis=1)
    return np.clip(np.rint(linear_to_srgb(blended)), 0, 255).astype(np.uint8)


def render(
    palettes: Sequence[Palette],
    style: Style | str = Style.STACKED,
    height: int = 200,
    column_width: int = 1,
    order: Order | str = Order.WEIGHT,
    widths: np.ndarray | None = None,
    width: int | None = None,
    smooth: int | None = None,
) -> np.ndarray:
    """Any raster style but ``plot`` (which needs times: see :mod:`.plot`): (height, W, 3)
    uint8. For ``ring``, ``height`` is the ring's diameter in px and the result is RGBA,
    (height, height, 4). ``smooth``: the smooth style's radius (None:
    :data:`~streamprint.params.DEFAULT_SMOOTH`), for that style alone."""
    style, palettes = params.check("style", style), params.check("palettes", palettes)
    params.check_style_options(style, smooth=smooth)
    if style == Style.STACKED:
        height, column_width = params.check("height", height), params.check("column_width", column_width)
        return _render_stacked(palettes, height, column_width, order, widths, params.check("width", width))
    if style in FLAT_STYLES:
        height, column_width = params.check("height", height), params.check("column_width", column_width)
        colors = column_colors(palettes, Style.DOMINANT if style == Style.DOMINANT else Style.AVERAGE)
        if style == Style.SMOOTH:
            colors = smooth_colors(colors, params.check("smooth", params.DEFAULT_SMOOTH if smooth is None else smooth))
        strip = np.repeat(colors[None], height, axis=0)
        return _widen(strip, column_width, widths, width)
    if style == Style.RING:
        from .ring import ring, ring_strip_size

        columns, rows = ring_strip_size(height, name="height")  # (a ring too large for them: the height's fault)
        if widths is None:
            widths = np.ones(len(palettes))
        return ring(_render_stacked(palettes, rows, 1, order, widths, columns), height)
    raise ParameterError("style", f"{style} is not a raster strip style: draw it with streamprint.render.draw")
