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

Order = Literal["weight", "lightness", "stable"]
ORDERS: tuple[str, ...] = ("weight", "lightness", "stable")
Style = Literal["stacked", "dominant", "average", "smooth", "ring", "plot"]
STYLES: tuple[str, ...] = ("stacked", "dominant", "average", "smooth", "ring", "plot")
#: Styles that can be written as SVG.
SVG_STYLES: tuple[str, ...] = ("stacked", "dominant", "average")


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
    if order == "stable":
        raise ValueError("stable order depends on the previous column: use stable_orders()")
    raise UsageError(f"--order must be one of {', '.join(ORDERS)}, got {order!r}")


def stable_orders(palettes: Sequence[Palette]) -> list[np.ndarray]:
    """For each palette, the permutation (top first) that keeps each colour in the row of
    the previous column's colour it matches best (Hungarian matching in CIELAB), so stacked
    strips do not flicker when two shares swap rank. At a cut, and where colours are left
    over, order is by share."""
    from scipy.optimize import linear_sum_assignment

    from .colorspace import srgb_to_lab

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


def _ordered(palettes: Sequence[Palette], order: Order) -> list[tuple[np.ndarray, np.ndarray]]:
    if order == "stable":
        return [(p.colors[o], p.weights[o]) for p, o in zip(palettes, stable_orders(palettes))]
    return [order_palette(p, order) for p in palettes]


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
    for x, (colors, weights) in enumerate(_ordered(palettes, order)):
        strip[:, x] = np.repeat(colors, segment_heights(weights, height), axis=0)
    return _widen(strip, column_width, widths, width)


def _widen(strip: np.ndarray, column_width: int, widths: np.ndarray | None, width: int | None) -> np.ndarray:
    """Repeat each one-pixel column ``column_width`` times, or in proportion to ``widths``."""
    n = strip.shape[1]
    if widths is not None:
        w = np.asarray(widths, dtype=np.float64)
        if w.shape != (n,) or w.sum() <= 0:
            raise ValueError("widths needs one positive entry per palette")
        return np.repeat(strip, segment_heights(w, width or n), axis=1)
    if column_width > 1:
        strip = np.repeat(strip, column_width, axis=1)
    return strip


def column_colors(palettes: Sequence[Palette], style: Style) -> np.ndarray:
    """One colour per column, (n, 3) uint8: the most frequent (dominant) or the average
    taken in linear light (average; for palettes without a stored average, the weighted
    mean of their colours, also in linear light)."""
    if style == "dominant":
        return np.stack([p.colors[0] for p in palettes])
    from .colorspace import linear_to_srgb, srgb_to_linear

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
    from .colorspace import linear_to_srgb, srgb_to_linear

    if radius < 1 or len(colors) < 2:
        return colors
    x = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (x / (radius / 2)) ** 2)
    kernel /= kernel.sum()
    lin = srgb_to_linear(colors)
    padded = np.concatenate([np.repeat(lin[:1], radius, 0), lin, np.repeat(lin[-1:], radius, 0)])
    blended = np.stack([np.convolve(padded[:, c], kernel, mode="valid") for c in range(3)], axis=1)
    return np.clip(np.rint(linear_to_srgb(blended)), 0, 255).astype(np.uint8)


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


def render(
    palettes: Sequence[Palette],
    style: Style = "stacked",
    height: int = 200,
    column_width: int = 1,
    order: Order = "weight",
    widths: np.ndarray | None = None,
    width: int | None = None,
    smooth: int = 5,
) -> np.ndarray:
    """Any raster style but ``plot`` (which needs times: see :func:`plot`). For ``ring``,
    ``height`` is the ring's diameter in px."""
    if style == "stacked":
        return render_stacked(palettes, height, column_width, order, widths, width)
    if style in ("dominant", "average", "smooth"):
        if height < 1 or column_width < 1:
            raise UsageError("--height and --column-width must be at least 1 pixel")
        colors = column_colors(palettes, "dominant" if style == "dominant" else "average")
        if style == "smooth":
            colors = smooth_colors(colors, smooth)
        strip = np.repeat(colors[None], height, axis=0)
        return _widen(strip, column_width, widths, width)
    if style == "ring":
        strip = render_stacked(palettes, max(1, height // 2), 1, order, widths, width or len(palettes))
        return ring(strip, height)
    raise UsageError(f"--style must be one of {', '.join(STYLES)}, got {style!r}")


def svg(palettes: Sequence[Palette], style: Style = "stacked", height: int = 200, column_width: int = 1,
        order: Order = "weight") -> str:
    """The strip as SVG: one rectangle per colour band (stacked) or per column."""
    if style not in SVG_STYLES:
        raise UsageError(f"SVG output is available for {', '.join(SVG_STYLES)}, not {style}")
    width = len(palettes) * column_width
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">']
    if style == "stacked":
        for x, (colors, weights) in enumerate(_ordered(palettes, order)):
            y = 0
            for c, hgt in zip(colors, segment_heights(weights, height)):
                if hgt:
                    parts.append(f'<rect x="{x * column_width}" y="{y}" width="{column_width}" height="{hgt}" '
                                 f'fill="#{int(c[0]):02x}{int(c[1]):02x}{int(c[2]):02x}"/>')
                y += int(hgt)
    else:
        for x, c in enumerate(column_colors(palettes, style)):
            parts.append(f'<rect x="{x * column_width}" y="0" width="{column_width}" height="{height}" '
                         f'fill="#{int(c[0]):02x}{int(c[1]):02x}{int(c[2]):02x}"/>')
    parts.append("</svg>\n")
    return "\n".join(parts)


def plot(strip: np.ndarray, duration: float, width: int, height: int, title: str | None = None) -> bytes:
    """A matplotlib figure of the strip with a time axis in h:mm:ss: PNG bytes of exactly
    ``width`` x ``height`` px. ``duration`` is the time the strip spans, in seconds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    try:
        ax = fig.add_axes((0.04, 0.18 if not title else 0.16, 0.92, 0.62 if title else 0.72))
        ax.imshow(strip, aspect="auto", extent=(0.0, max(duration, 1e-9), 0.0, 1.0), interpolation="nearest")
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 3, 5, 6, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: _hms(t)))
        ax.set_xlabel("time (h:mm:ss)")
        if title:
            ax.set_title(title)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        plt.close(fig)
    return buf.getvalue()


def _hms(seconds: float) -> str:
    s = int(round(max(0.0, seconds)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an (h, w, 3) uint8 image."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def write_image(image: np.ndarray | bytes | str, path: str | os.PathLike[str]) -> None:
    """Write ``image`` (an array, encoded PNG bytes, or SVG text) to ``path`` atomically."""
    if isinstance(image, str):
        with atomic_output(path, "w") as f:
            f.write(image)
        return
    data = image if isinstance(image, bytes) else encode_png(image)
    with atomic_output(path, "wb") as f:
        f.write(data)
