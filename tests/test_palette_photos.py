"""Colour truth of photos: known colours in, the same colours out, whatever the file says
about how its values show (an ICC profile, EXIF's colour space, a colour key), with the
truth computed from the published definitions (IEC 61966-2-1, Adobe RGB (1998)), not by
streamprint's code."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from streamprint import extract_palette

from . import icc


def srgb_level(linear: float) -> int:
    """The 8-bit sRGB level of a linear light 0-1, by IEC 61966-2-1."""
    return int(np.rint(icc.srgb_encode(np.array(linear)) * 255))


def png(image: Image.Image, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **kw)
    return out.getvalue()


def test_16_bit_and_float_grey_keep_their_icc_profile():
    """A 16-bit grey PNG and a float grey TIFF whose profiles say linear light: 90/255 of
    white's luminance is sRGB 160. Their conversion to 8 bits dropped the profile, and the
    values were taken as sRGB (90). Within 2 levels (LittleCMS's fixed-point arithmetic)."""
    linear = icc.grey_profile("linear grey, test", 1.0)
    truth = srgb_level(90 / 255)
    deep = png(Image.fromarray(np.full((20, 20), 90 * 257, np.uint16)), icc_profile=linear)
    tiff = io.BytesIO()
    Image.fromarray(np.full((20, 20), 90 / 255, np.float32)).save(tiff, "TIFF", icc_profile=linear)
    for data, mode in ((deep, "I;16"), (tiff.getvalue(), "F")):
        assert Image.open(io.BytesIO(data)).mode == mode
        (colour,) = extract_palette(data, colors=2).colors.tolist()
        assert max(abs(c - truth) for c in colour) <= 2, (mode, colour, truth)


def test_a_16_bit_grey_colour_key_is_transparency():
    """A 16-bit grey PNG's tRNS colour key (1000 of 65535): half the pixels are transparent
    and not counted; they were (4 % of white counted as half the palette). The key is
    compared at 16 bits: 1000 and 1001 are both 8-bit level 4, and only 1000 is see-through."""
    grey = np.full((20, 20), 40000, np.uint16)
    grey[:10] = 1000
    grey[:5, :10] = 1001  # opaque, though 8-bit level 4 as the key is
    pal = extract_palette(png(Image.fromarray(grey), transparency=1000), colors=3)
    got = {tuple(c): round(float(w), 3) for c, w in zip(pal.colors.tolist(), pal.weights)}
    light, dark = round(40000 * 255 / 65535), round(1000 * 255 / 65535)
    assert got == {(light,) * 3: round(200 / 250, 3), (dark,) * 3: round(50 / 250, 3)}, got
