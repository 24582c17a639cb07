"""Strips as SVG: one rectangle per colour band (stacked) or per column."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .. import __version__, params
from ..enums import SVG_STYLES, Order, Style
from ..errors import ParameterError
from ..marks import SOFTWARE
from ..model import Palette, to_hex
from .strip import column_colors, ordered, segment_heights


def svg(palettes: Sequence[Palette], style: Style = Style.STACKED, height: int = 200, column_width: int = 1,
        order: Order = Order.WEIGHT, columns: np.ndarray | None = None) -> str:
    """The strip as SVG text, ``height`` px tall: ``len(palettes) x column_width`` px wide,
    or, given ``columns`` (the palette each pixel column shows, as
    :func:`~.output.picture_columns` gives), ``len(columns)`` px wide. A run of columns
    showing one palette is one rectangle per colour."""
    palettes, style = params.check("palettes", palettes), params.check("style", style)
    height, column_width = params.check("height", height), params.check("column_width", column_width)
    if style not in SVG_STYLES:
        raise ParameterError("style", f"{style}: SVG output is available for "
                                      f"{', '.join(SVG_STYLES)} only")
    if columns is None:
        columns = np.repeat(np.arange(len(palettes)), column_width)
    columns = params.check("columns", columns)
    if columns.size == 0 or columns.max() >= len(palettes) or np.any(columns % 1):
        raise ParameterError("columns", f"must name a palette (0 to {len(palettes) - 1}) for each pixel column, at "
                                        "least one")
    columns = columns.astype(np.int64)
    width = len(columns)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">', f"<!-- {SOFTWARE} {__version__} -->"]
    # Runs of equal columns: (first pixel column, run length, palette index).
    starts = np.flatnonzero(np.diff(columns, prepend=-1))
    runs = zip(starts.tolist(), np.diff(np.append(starts, width)).tolist(), columns[starts].tolist(), strict=True)

    def rect(x: int, w: int, y: int, h: int, color: np.ndarray) -> str:
        return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{to_hex(color)}"/>'

    if style == Style.STACKED:
        stacks = ordered(palettes, order)
        for x, w, i in runs:
            colors, weights = stacks[i]
            y = 0
            for c, hgt in zip(colors, segment_heights(weights, height), strict=True):
                if hgt:
                    parts.append(rect(x, w, y, int(hgt), c))
                y += int(hgt)
    else:
        flat = column_colors(palettes, style)
        for x, w, i in runs:
            parts.append(rect(x, w, 0, height, flat[i]))
    parts.append("</svg>\n")
    return "\n".join(parts)
