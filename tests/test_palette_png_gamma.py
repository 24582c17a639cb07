"""PNG gAMA and cHRM without an iCCP or sRGB chunk: browsers render the samples through them,
so the palette must too (PNG, W3C 3rd edition: an sRGB chunk, or an ICC profile, wins).

Images are made here (Pillow, the chunks inserted by hand); truth from the published formulas
written below, not streamprint's helpers: PNG gAMA, light = (sample / 255) ** (1 / gamma);
SMPTE RP 177 normalised primary matrices from the cHRM xy values (D65 white, so no
adaptation); per-channel clip (ICC relative colorimetric); IEC 61966-2-1 sRGB encoding.
Tolerance: 1/255 per channel (rounding).
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from streamprint import extract_palette

from . import icc

COLOURS = [(200, 60, 40), (37, 132, 63), (230, 200, 120), (20, 40, 160)]
BT709 = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060))
BT2020 = ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))
D65 = (0.3127, 0.3290)


def npm(xy, white=D65):
    """SMPTE RP 177 normalised primary matrix, linear RGB -> XYZ."""
    return icc.rgb_to_xyz(xy, white)


def srgb_oetf(lin):
    """IEC 61966-2-1, 0-255 out."""
    return 255 * icc.srgb_encode(lin)


def png(pixels, mode, chunks):
    """PNG bytes of ``pixels`` with ``chunks`` ((type, data), ...) right after IHDR."""
    buf = io.BytesIO()
    Image.fromarray(pixels, mode).save(buf, "PNG")
    data, at = buf.getvalue(), 8 + 8 + 13 + 4
    extra = b"".join(struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
                     for t, d in chunks)
    return data[:at] + extra + data[at:]


def bands(colours):
    return np.repeat(np.array(colours, np.uint8)[None], 8, axis=0).repeat(8, axis=1)


def palette_of(data, k):
    pal = extract_palette(data, colors=k)
    return np.array(sorted(map(tuple, pal.colors.astype(int))))


def gama(gamma):
    return (b"gAMA", struct.pack(">I", round(gamma * 100000)))


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_gama_1_means_linear_samples(mode):
    colours = COLOURS if mode == "RGB" else [64, 128]
    pixels = bands(colours) if mode == "RGB" else np.repeat(np.array(colours, np.uint8)[None], 8, 0).repeat(8, 1)
    got = palette_of(png(pixels, mode, [gama(1.0)]), len(colours))
    lin = np.array(colours, float).reshape(len(colours), -1) / 255
    truth = np.array(sorted(map(tuple, np.broadcast_to(srgb_oetf(lin), (len(colours), 3)))))
    assert np.abs(got - truth).max() <= 1, (got.tolist(), np.rint(truth).tolist())


def test_chrm_primaries_are_converted():
    chrm = (b"cHRM", struct.pack(">8I", *(round(v * 100000) for v in (*D65, *BT2020[0], *BT2020[1], *BT2020[2]))))
    got = palette_of(png(bands(COLOURS), "RGB", [gama(1 / 2.2), chrm]), len(COLOURS))
    lin = (np.array(COLOURS) / 255) ** 2.2
    truth = np.array(sorted(map(tuple, srgb_oetf(lin @ np.linalg.solve(npm(BT709), npm(BT2020)).T))))
    assert np.abs(got - truth).max() <= 1, (got.tolist(), np.rint(truth).tolist())


def test_an_srgb_chunk_wins_and_gama_of_srgb_changes_nothing():
    """gAMA 1/2.2 alone, or with sRGB's own cHRM (BT.709 primaries, D65: what many encoders
    write for sRGB), is sRGB's stand-in, as libpng takes it: with the cHRM it was read as a
    pure 2.2 power, and a dark 10 came out 3."""
    srgb_chrm = (b"cHRM", struct.pack(">8I", *(round(v * 100000) for v in (*D65, *BT709[0], *BT709[1], *BT709[2]))))
    dark = COLOURS + [(10, 20, 30)]
    for chunks in ([(b"sRGB", b"\0"), gama(1.0)], [gama(1 / 2.2)], [gama(1 / 2.2), srgb_chrm]):
        got = palette_of(png(bands(dark), "RGB", chunks), len(dark))
        assert got.tolist() == sorted(map(list, dark)), chunks


def test_a_broken_chrm_beside_gama_of_srgb_is_ignored_whole():
    """A cHRM whose white has y = 0 is ignored with a warning; beside gAMA 1/2.2 the image
    then is sRGB's, unchanged (it was read as a pure 2.2 power: a dark 10 came out 3)."""
    broken = (b"cHRM", struct.pack(">8I", 31270, 0, *(round(v * 100000) for xy in BT709 for v in xy)))
    dark = COLOURS + [(10, 20, 30)]
    got = palette_of(png(bands(dark), "RGB", [gama(1 / 2.2), broken]), len(dark))
    assert got.tolist() == sorted(map(list, dark))
