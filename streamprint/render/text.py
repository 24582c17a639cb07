"""Text on pictures: hex labels on palette swatches, titles under grid tiles.

Text is drawn with Pillow's built-in scalable font, antialiased, in black or white:
whichever contrasts more with what it stands on by WCAG 2's contrast ratio (relative
luminance from linear-light sRGB). One of the two always reaches 4.58:1, above WCAG's
4.5:1 for normal text.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BLACK, WHITE = (0, 0, 0), (255, 255, 255)
#: The smallest text drawn, in px (font size); a label that does not fit at this size
#: is left out (hex labels) or shortened with an ellipsis (titles).
MIN_TEXT_PX = 8


def relative_luminance(rgb: Any) -> float:
    """WCAG 2's relative luminance of an 8-bit sRGB colour: 0 (black) to 1 (white)."""
    from ..color.spaces import luminance

    return float(luminance(rgb))


def contrast_ratio(a: Any, b: Any) -> float:
    """WCAG 2's contrast ratio of two 8-bit sRGB colours, 1 to 21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_color_on(rgb: Any) -> tuple[int, int, int]:
    """Black or white, whichever contrasts more with ``rgb``."""
    return BLACK if contrast_ratio(BLACK, rgb) >= contrast_ratio(WHITE, rgb) else WHITE


def font(px: int) -> Any:
    """Pillow's built-in scalable font at ``px`` pixels."""
    from PIL import ImageFont

    return ImageFont.load_default(size=max(1, int(px)))


def fit_text(text: str, size: int, width: int, shorten: bool = False) -> tuple[str, int] | None:
    """(text, font px) of ``text`` at ``size`` px or smaller, down to :data:`MIN_TEXT_PX`,
    so that it is at most ``width`` px wide; with ``shorten``, cut with an ellipsis when
    it does not fit even then. None when it cannot fit."""
    for px in range(int(size), MIN_TEXT_PX - 1, -1):
        if font(px).getlength(text) <= width:
            return text, px
    if shorten and size >= MIN_TEXT_PX:
        f = font(MIN_TEXT_PX)
        for n in range(len(text) - 1, 0, -1):
            cut = text[:n].rstrip() + "…"
            if f.getlength(cut) <= width:
                return cut, MIN_TEXT_PX
    return None


def draw_text(image: np.ndarray, text: str, box: tuple[int, int, int, int], size: int,
              color: tuple[int, int, int] | None = None, shorten: bool = False) -> tuple[int, int, int] | None:
    """Draw ``text`` centred in ``box`` = (left, top, right, bottom) px of an (h, w, 3)
    uint8 ``image``, in place, at ``size`` px or smaller to fit (see :func:`fit_text`),
    in ``color`` (default: black or white for the box's middle pixel, see
    :func:`text_color_on`), keeping 2 px clear at each side. Returns the colour used, or
    None when the text did not fit and nothing was drawn."""
    from PIL import Image, ImageDraw

    left, top, right, bottom = box
    if right - left < 4 or bottom - top < MIN_TEXT_PX:
        return None
    fitted = fit_text(text, min(size, bottom - top), right - left - 4, shorten)
    if fitted is None:
        return None
    text, px = fitted
    if color is None:
        color = text_color_on(image[(top + bottom) // 2, (left + right) // 2, :3])
    region = Image.fromarray(np.ascontiguousarray(image[top:bottom, left:right, :3]))
    ImageDraw.Draw(region).text(((right - left) / 2, (bottom - top) / 2), text, fill=color, font=font(px),
                                anchor="mm")
    image[top:bottom, left:right, :3] = np.asarray(region)
    return color
