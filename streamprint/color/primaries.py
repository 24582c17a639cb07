"""Colour primaries: the one table of the RGB primaries streamprint converts from, and the
matrices derived from their xy chromaticities (SMPTE RP 177).

Keys are H.273 ColourPrimaries codes (FFmpeg's AVColorPrimaries): 1 BT.709 (sRGB), 9 BT.2020
(BT.2100), 12 P3-D65 (SMPTE EG 432-1, Display P3's primaries). All three have the D65
white, so the conversions between them need no chromatic adaptation. Anything else is
treated by the caller's rule (:func:`primaries_for`).
"""

from __future__ import annotations

import enum
import functools
from typing import overload

import numpy as np

#: CIE D65, the white point of every entry in :data:`PRIMARIES_XY`.
D65 = (0.3127, 0.3290)


class Primaries(enum.Enum):
    """RGB primaries a signal may be in; the value is the H.273 ColourPrimaries code."""

    BT709 = 1    #: ITU-R BT.709-6 item 1.3 (also sRGB, IEC 61966-2-1)
    BT2020 = 9   #: ITU-R BT.2020-2 table 3 (also BT.2100)
    P3_D65 = 12  #: SMPTE EG 432-1 (P3 primaries, D65 white)


#: xy chromaticities of the red, green and blue primaries.
PRIMARIES_XY: dict[Primaries, tuple[tuple[float, float], ...]] = {
    Primaries.BT709: ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060)),
    Primaries.BT2020: ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046)),
    Primaries.P3_D65: ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060)),
}


#: Adobe RGB (1998) (Adobe Systems, "Adobe RGB (1998) Color Image Encoding", 2005): xy of
#: its red, green and blue primaries (its white is D65), and its gamma: light = value **
#: (563/256), value 0-1. No H.273 code names it, so it is not a :class:`Primaries`.
ADOBE_RGB_XY: tuple[tuple[float, float], ...] = ((0.6400, 0.3300), (0.2100, 0.7100), (0.1500, 0.0600))
ADOBE_RGB_GAMMA = 563 / 256

@overload
def primaries_for(code: int | None, default: Primaries) -> Primaries: ...
@overload
def primaries_for(code: int | None, default: None) -> Primaries | None: ...
def primaries_for(code: int | None, default: Primaries | None) -> Primaries | None:
    """The :class:`Primaries` of an H.273 ColourPrimaries code; ``default`` for codes not in
    the table (unspecified, BT.601's, ...)."""
    try:
        return Primaries(int(code)) if code is not None else default
    except ValueError:
        return default


def rgb_to_xyz(primaries: tuple[tuple[float, float], ...], white: tuple[float, float] = D65) -> np.ndarray:
    """Normalised primary matrix (SMPTE RP 177) from xy chromaticities of R, G, B and white."""
    def xyz(x: float, y: float) -> np.ndarray:
        return np.array([x / y, 1.0, (1 - x - y) / y])
    m = np.stack([xyz(*p) for p in primaries], axis=1)
    scale = np.linalg.solve(m, xyz(*white))
    return m * scale


#: Bradford's cone response matrix (Lam 1985, as in ICC.1 Annex E), for chromatic adaptation.
_BRADFORD = np.array([[0.8951, 0.2664, -0.1614], [-0.7502, 1.7135, 0.0367], [0.0389, -0.0685, 1.0296]])


def xy_to_bt709(primaries: tuple[tuple[float, float], ...], white: tuple[float, float] = D65) -> np.ndarray:
    """Linear RGB of the primaries and white given by their xy chromaticities (a PNG's cHRM,
    or a row of :data:`PRIMARIES_XY`) to linear BT.709 RGB, (3, 3) float64: SMPTE RP 177's
    matrices, a white other than D65 adapted to it by Bradford."""
    to_xyz = rgb_to_xyz(primaries, white)
    bt709 = rgb_to_xyz(PRIMARIES_XY[Primaries.BT709])
    if tuple(white) != D65:
        cones = np.diag((_BRADFORD @ bt709.sum(axis=1)) / (_BRADFORD @ to_xyz.sum(axis=1)))
        to_xyz = np.linalg.solve(_BRADFORD, cones @ _BRADFORD) @ to_xyz
    return np.linalg.solve(bt709, to_xyz)


@functools.lru_cache(maxsize=None)
def to_bt709(primaries: Primaries) -> np.ndarray:
    """Linear RGB in ``primaries`` to linear BT.709 RGB, (3, 3) float64 (read-only)."""
    from ..model.colors import sealed

    return sealed(xy_to_bt709(PRIMARIES_XY[primaries]))


@functools.lru_cache(maxsize=None)
def luminance(primaries: Primaries) -> tuple[float, float, float]:
    """Relative luminance Y of each primary at unit drive (the second row of RP 177's matrix):
    for BT.2020, BT.2100's (0.2627, 0.6780, 0.0593) to four places."""
    y = rgb_to_xyz(PRIMARIES_XY[primaries])[1]
    return float(y[0]), float(y[1]), float(y[2])
