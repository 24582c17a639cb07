"""Full-range SDR video of more than 8 bits reads its codes as ITU-T H.273 says.

libswscale's 8-bit RGB output read an n-bit full-range code D as D / 2^(n-8) where H.273
(equations 23-25 for Y'CbCr, and likewise each R'G'B' plane) has D / (2^n - 1): 10-bit grey
900 came out 225, where 900 / 1023 x 255 = 224.3 (up to 1.3 levels high at 10 and 12 bits).

Each clip is made here: 4:4:4 codes written raw and muxed losslessly by FFmpeg (FFV1 in
Matroska, tags set by ``setparams``, no conversion). Truth is the published inverse of the
stored codes, never streamprint's helpers:

- full range: E'Y = D / (2^n - 1), E'Cb = (D - 2^(n-1)) / (2^n - 1), likewise Cr; RGB planes
  E = D / (2^n - 1);
- limited range: E'Y = (D / 2^(n-8) - 16) / 219, E'Cb = (D / 2^(n-8) - 128) / 224;
- R' = Y' + 2 (1 - Kr) Cr, B' = Y' + 2 (1 - Kb) Cb, G' = (Y' - Kr R' - Kb B') / (1 - Kr - Kb),
  (Kr, Kb) of BT.601 (0.299, 0.114), BT.709 (0.2126, 0.0722), BT.2020 (0.2627, 0.0593);
- the level shown: 255 E', clipped to 0-255.

Tolerance: the nearest level, within 0.51 of the truth (float noise at .5).
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from .test_colour_tags import clip, colours_of

KR_KB = {"smpte170m": (0.299, 0.114), "bt709": (0.2126, 0.0722), "bt2020nc": (0.2627, 0.0593)}
COLOURS = [(200, 60, 40), (37, 132, 63), (230, 180, 150), (40, 60, 220), (255, 255, 255), (0, 0, 0)]
#: 10-bit full-range greys the report measured (175, 225, 235 and 250 against 174.5, 224.3,
#: 234.3 and 249.3), as codes of n bits: shifted left by n - 10.
GREYS_10 = [700, 900, 940, 1000]


def _codes(matrix: str, bits: int, full: bool) -> np.ndarray:
    """Y', Cb, Cr codes of :data:`COLOURS` (R'G'B' = level / 255) and of the greys."""
    kr, kb = KR_KB[matrix]
    rgb = np.array(COLOURS, float) / 255
    y = rgb @ [kr, 1 - kr - kb, kb]
    ycc = np.stack([y, (rgb[:, 2] - y) / (2 * (1 - kb)), (rgb[:, 0] - y) / (2 * (1 - kr))], axis=-1)
    if full:
        codes = ycc * (2 ** bits - 1) + [0, 2 ** (bits - 1), 2 ** (bits - 1)]
    else:
        codes = (ycc * [219, 224, 224] + [16, 128, 128]) * 2 ** (bits - 8)
    codes = np.clip(np.rint(codes), 0, 2 ** bits - 1).astype(int)
    greys = [(g << (bits - 10), 1 << (bits - 1), 1 << (bits - 1)) for g in GREYS_10]
    return np.vstack([codes, greys])


def _truth(codes: np.ndarray, matrix: str, bits: int, full: bool) -> np.ndarray:
    kr, kb = KR_KB[matrix]
    d = codes.astype(float)
    if full:
        y, cb, cr = (d - [0, 2 ** (bits - 1), 2 ** (bits - 1)]).T / (2 ** bits - 1)
    else:
        y, cb, cr = ((d / 2 ** (bits - 8) - [16, 128, 128]) / [219, 224, 224]).T
    r, b = y + 2 * (1 - kr) * cr, y + 2 * (1 - kb) * cb
    g = (y - kr * r - kb * b) / (1 - kr - kb)
    return np.clip(np.stack([r, g, b], axis=-1), 0, 1) * 255


@pytest.mark.parametrize("bits", [10, 12])
@pytest.mark.parametrize("matrix", ["smpte170m", "bt709", "bt2020nc"], ids=["BT.601", "BT.709", "BT.2020"])
def test_full_range_ycbcr_codes_are_read_by_h273(tmp_path, matrix, bits):
    """Tagged with the matrix only (primaries unspecified: shown as BT.709, so no primaries
    conversion takes another path); scaled to the analysis size on the way."""
    codes = _codes(matrix, bits, full=True)
    path = clip(tmp_path, f"full-{matrix}-{bits}", codes, bits, {"colorspace": matrix, "range": "pc"}, (320, 180))
    truth = _truth(codes, matrix, bits, full=True)
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())


@pytest.mark.parametrize("full", [True, False], ids=["full", "limited"])
def test_ten_bits_unscaled(tmp_path, full):
    """At or below the analysis size (libswscale converts without scaling: another of its
    paths) full range is read by H.273 too, and limited range stays as it was, right."""
    codes = _codes("bt709", 10, full)
    path = clip(tmp_path, "unscaled", codes, 10, {"colorspace": "bt709", "range": "pc" if full else "tv"})
    truth = _truth(codes, "bt709", 10, full)
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())


@pytest.mark.parametrize("fmt, bits", [("gbrp10le", 10), ("gbrp12le", 12)])
def test_deep_rgb_codes_are_read_by_h273(tmp_path, fmt, bits):
    """RGB (full range by nature) of 10 and 12 bits, each plane E = D / (2^n - 1): 10-bit 1000
    came out 250, not 249.3."""
    levels = np.array([[g << (bits - 10)] * 3 for g in GREYS_10] + [[1000 << (bits - 10), 300 << (bits - 10), 37]])
    w, h = 320, 180
    raw = b"".join(np.full((3, h, w), c[[1, 2, 0]][:, None, None], "<u2").tobytes() for c in levels)  # G, B, R
    path = tmp_path / f"{fmt}.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", fmt, "-s", f"{w}x{h}", "-r", "5",
                    "-i", "-", "-c:v", "ffv1", str(path)], input=raw, check=True)
    truth = levels / (2 ** bits - 1) * 255
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())
