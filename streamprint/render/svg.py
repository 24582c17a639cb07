"""Strips as SVG: one rectangle per colour band (stacked) or per column."""

from __future__ import annotations

from collections.abc import Sequence

from .. import __version__
from ..atomic import SOFTWARE
from ..enums import SVG_STYLES, Order, Style
from ..errors import ParameterError
from ..model import Palette, to_hex
from .strip import column_colors, ordered, segment_heights


def svg(palettes: Sequence[Palette], style: Style = Style.STACKED, height: int = 200, column_width: int = 1,
        order: Order = Order.WEIGHT) -> str:
    """The strip as SVG text, ``len(palettes) x column_width`` by ``height`` px."""
    if style not in SVG_STYLES:
        raise ParameterError("style", f"{style}: SVG output is available for "
                                      f"{', '.join(SVG_STYLES)} only")
    width = len(palettes) * column_width
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" shape-rendering="crispEdges">', f"<!-- {SOFTWARE} {__version__} -->"]

    def rect(x: int, y: int, h: int, color: object) -> str:
        return (f'<rect x="{x * column_width}" y="{y}" width="{column_width}" height="{h}" '
                f'fill="{to_hex(color)}"/>')  # type: ignore[arg-type]

    if style == Style.STACKED:
        for x, (colors, weights) in enumerate(ordered(palettes, order)):
            y = 0
            for c, hgt in zip(colors, segment_heights(weights, height)):
                if hgt:
                    parts.append(rect(x, y, int(hgt), c))
                y += int(hgt)
    else:
        for x, c in enumerate(column_colors(palettes, style)):
            parts.append(rect(x, 0, height, c))
    parts.append("</svg>\n")
    return "\n".join(parts)
