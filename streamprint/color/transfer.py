"""Transfer functions, in numpy: HDR's of BT.2100, PQ (SMPTE ST 2084) and HLG (ARIB STD-B67);
and the SDR ones of ITU-T H.273 Table 3 (:func:`sdr_light`).

Signals are non-linear 0-1; PQ display light is absolute, cd/m² (0-10000); HLG scene light
is relative, 0-1, and its OOTF renders it for a display of nominal peak ``Lw`` cd/m².
float32 for whole images; the ``dtype`` variants let the tone curve run in float64.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .spaces import srgb_decode

#: Source peak assumed when a PQ stream carries no light-level metadata, and the nominal peak
#: of the BT.2100 / BT.2408 reference display HLG is rendered for, cd/m².
DEFAULT_PEAK_NITS = 1000.0

# --- SMPTE ST 2084 (PQ) -----------------------------------------------------------------------
_PQ_M1 = 2610 / 16384
_PQ_M2 = 2523 / 4096 * 128
_PQ_C1 = 3424 / 4096
_PQ_C2 = 2413 / 4096 * 32
_PQ_C3 = 2392 / 4096 * 32
PQ_PEAK = 10000.0

# --- ARIB STD-B67 (HLG) -----------------------------------------------------------------------
_HLG_A = 0.17883277
_HLG_B = 1 - 4 * _HLG_A
_HLG_C = 0.5 - _HLG_A * math.log(4 * _HLG_A)
#: BT.2100 luminance coefficients of BT.2020 linear light (also the Y'CbCr Kr, Kg, Kb).
BT2100_Y = (0.2627, 0.6780, 0.0593)


class Transfer(enum.Enum):
    """HDR transfer function of a stream."""

    PQ = "pq"    #: SMPTE ST 2084 / BT.2100 PQ (AVCOL_TRC_SMPTE2084 = 16)
    HLG = "hlg"  #: ARIB STD-B67 / BT.2100 HLG (AVCOL_TRC_ARIB_STD_B67 = 18)


#: FFmpeg AVColorTransferCharacteristic values.
TRC = {16: Transfer.PQ, 18: Transfer.HLG}
#: H.273 TransferCharacteristics 13: IEC 61966-2-1, the sRGB curve (Display P3 video and
#: images are tagged with it).
SRGB_TRANSFER = 13


# --- transfer functions -----------------------------------------------------------------------

def pq_eotf_as(signal: np.ndarray, dtype: type) -> np.ndarray:
    e: np.ndarray = np.clip(np.asarray(signal, dtype=dtype), 0.0, 1.0)
    p = e ** dtype(1 / _PQ_M2)
    y = np.maximum(p - dtype(_PQ_C1), 0.0) / (dtype(_PQ_C2) - dtype(_PQ_C3) * p)
    return dtype(PQ_PEAK) * y ** dtype(1 / _PQ_M1)


def pq_inverse_eotf_as(nits: npt.ArrayLike, dtype: type) -> np.ndarray:
    y = np.clip(np.asarray(nits, dtype=dtype) / dtype(PQ_PEAK), 0.0, 1.0)
    p = y ** dtype(_PQ_M1)
    return ((dtype(_PQ_C1) + dtype(_PQ_C2) * p) / (1 + dtype(_PQ_C3) * p)) ** dtype(_PQ_M2)


def pq_eotf(signal: np.ndarray) -> np.ndarray:
    """PQ signal (0-1, non-linear) to display light in cd/m² (0-10000), float32. ST 2084 / BT.2100."""
    return pq_eotf_as(signal, np.float32)


def pq_inverse_eotf(nits: np.ndarray) -> np.ndarray:
    """Display light in cd/m² (clipped to 0-10000) to PQ signal 0-1, float32. ST 2084 / BT.2100."""
    return pq_inverse_eotf_as(nits, np.float32)


def hlg_oetf(scene: np.ndarray) -> np.ndarray:
    """HLG OETF: scene linear light 0-1 to signal 0-1. ARIB STD-B67 / BT.2100."""
    e = np.clip(np.asarray(scene, dtype=np.float32), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.float32(_HLG_A) * np.log(np.maximum(12 * e - np.float32(_HLG_B), 1e-12)) + np.float32(_HLG_C)
    return np.where(e <= 1 / 12, np.sqrt(3 * e), log).astype(np.float32)


def hlg_inverse_oetf(signal: npt.ArrayLike) -> np.ndarray:
    """HLG signal 0-1 to scene linear light 0-1 (the inverse OETF). ARIB STD-B67 / BT.2100."""
    e = np.clip(np.asarray(signal, dtype=np.float32), 0.0, 1.0)
    high = (np.exp((e - np.float32(_HLG_C)) / np.float32(_HLG_A)) + np.float32(_HLG_B)) / 12
    return np.where(e <= 0.5, e * e / 3, high).astype(np.float32)


#: BT.709 OETF constants (ITU-R BT.709-6 item 1.2; BT.2020-2's for 10 bits are the same).
_BT709_ALPHA, _BT709_BETA = 1.099, 0.018


def bt709_oetf(light: np.ndarray) -> np.ndarray:
    """BT.709 / BT.2020 OETF: linear light 0-1 to signal 0-1, float32 (clipped to 0-1 first)."""
    lin = np.clip(np.asarray(light, dtype=np.float32), 0.0, 1.0)
    return np.where(lin < _BT709_BETA, np.float32(4.5) * lin,
                    np.float32(_BT709_ALPHA) * lin ** np.float32(0.45) - np.float32(_BT709_ALPHA - 1)
                    ).astype(np.float32)


def bt709_inverse_oetf(signal: np.ndarray) -> np.ndarray:
    """The inverse of :func:`bt709_oetf`: signal 0-1 to linear light 0-1, float32."""
    v = np.clip(np.asarray(signal, dtype=np.float32), 0.0, 1.0)
    return np.where(v < np.float32(4.5 * _BT709_BETA), v / np.float32(4.5),
                    ((v + np.float32(_BT709_ALPHA - 1)) / np.float32(_BT709_ALPHA)) ** np.float32(1 / 0.45)
                    ).astype(np.float32)


def hlg_gamma(peak_nits: float) -> float:
    """BT.2100 HLG system gamma for a display of nominal peak ``peak_nits`` cd/m²."""
    return 1.2 + 0.42 * math.log10(peak_nits / 1000.0)


def hlg_ootf(scene_rgb: np.ndarray, peak_nits: float = DEFAULT_PEAK_NITS,
             luminance: tuple[float, float, float] = BT2100_Y) -> np.ndarray:
    """HLG OOTF: scene linear RGB 0-1 (..., 3) to display light in cd/m².

    ``F_D = Lw * Ys**(gamma - 1) * E`` (BT.2100, black level 0), ``Lw = peak_nits``; ``Ys``
    the scene luminance, by ``luminance`` (BT.2100's BT.2020 coefficients; for a signal in
    other primaries, theirs).
    """
    e = np.asarray(scene_rgb, dtype=np.float32)
    ys = e @ np.asarray(luminance, dtype=np.float32)
    gain = np.float32(peak_nits) * np.maximum(ys, 0.0) ** np.float32(hlg_gamma(peak_nits) - 1)
    return e * gain[..., None]


def hlg_reference_white_nits(peak_nits: float = DEFAULT_PEAK_NITS) -> float:
    """Display light, cd/m², of a 75 % HLG grey (BT.2408 reference white) on a ``peak_nits`` display."""
    scene = float(hlg_inverse_oetf(np.float32(0.75)))
    return peak_nits * scene ** hlg_gamma(peak_nits)


# --- SDR transfer characteristics: ITU-T H.273 Table 3 -----------------------------------------
# Each one's signal V (0-1) back to its light L (0-1: scene light Lc of a camera curve, display
# light Lo of a display one), as H.273 Table 3 states the forward curve:
#   1, 6, 14, 15 BT.709 / BT.601 / BT.2020; 11 IEC 61966-2-4 (xvYCC) and 12 BT.1361: the BT.709
#     OETF, V = 4.5 L below 0.018, else 1.099 L^0.45 - 0.099 (11 and 12 extend it below 0 and
#     above 1 only, beyond what a signal clipped to 0-1 holds); 2, unspecified, is read as it;
#   7 SMPTE 240M: V = 4 L below 0.0228, else 1.1115 L^0.45 - 0.1115;
#   4 and 5, the "assumed display gamma" of BT.470 System M and B, G: V = L^(1/2.2), L^(1/2.8);
#   8 linear: V = L;
#   9 logarithmic, 100:1: V = 1 + log10(L) / 2 from L = 0.01 up, 0 below;
#   10 logarithmic, 100 sqrt(10):1: V = 1 + log10(L) / 2.5 from L = sqrt(10) / 1000 up, 0 below
#     (V = 0 of either stands for all the light below that end: it is read as 0, black);
#   13 IEC 61966-2-1, the sRGB curve (:func:`.spaces.srgb_decode`);
#   17 SMPTE ST 428-1: V = (48 L / 52.37)^(1/2.6), L relative to 48 cd/m² (white, V = 1, is
#     52.37 / 48 = 1.09).

#: SMPTE 240M's OETF constants (H.273 Table 3, value 7).
_SMPTE240M_ALPHA, _SMPTE240M_BETA = 1.1115, 0.0228


def _unit(signal: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(signal, dtype=np.float32), 0.0, 1.0)


def smpte240m_inverse_oetf(signal: np.ndarray) -> np.ndarray:
    """SMPTE 240M signal 0-1 to scene linear light 0-1, float32."""
    v = _unit(signal)
    return np.where(v < np.float32(4 * _SMPTE240M_BETA), v / np.float32(4),
                    ((v + np.float32(_SMPTE240M_ALPHA - 1)) / np.float32(_SMPTE240M_ALPHA)) ** np.float32(1 / 0.45)
                    ).astype(np.float32)


def _power(gamma: float) -> Callable[[np.ndarray], np.ndarray]:
    def light(signal: np.ndarray) -> np.ndarray:
        return _unit(signal) ** np.float32(gamma)
    return light


def _logarithmic(decades: float) -> Callable[[np.ndarray], np.ndarray]:
    def light(signal: np.ndarray) -> np.ndarray:
        v = _unit(signal)
        return np.where(v > 0, np.float32(10) ** (np.float32(decades) * (v - np.float32(1))), np.float32(0)
                        ).astype(np.float32)
    return light


def _st428_light(signal: np.ndarray) -> np.ndarray:
    return np.float32(52.37 / 48) * _unit(signal) ** np.float32(2.6)


_SDR_LIGHT: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    1: bt709_inverse_oetf, 2: bt709_inverse_oetf, 6: bt709_inverse_oetf, 11: bt709_inverse_oetf,
    12: bt709_inverse_oetf, 14: bt709_inverse_oetf, 15: bt709_inverse_oetf, 7: smpte240m_inverse_oetf,
    4: _power(2.2), 5: bt709_inverse_oetf, 8: _unit, 9: _logarithmic(2), 10: _logarithmic(2.5),
    SRGB_TRANSFER: lambda v: srgb_decode(v, np.float32), 17: _st428_light}
#: The SDR transfers (H.273 codes) whose light is shown by the BT.709 OETF: the camera curves a
#: display shows as it shows BT.709 (BT.1886's), so their light is encoded again by BT.709's and
#: shown as a BT.709 signal is. Every other one's light is shown by the sRGB curve, as an sRGB
#: display shows it (display-referred curves: gamma 2.2, ST 428; linear light, as in
#: OpenEXR, and the logarithmic curves, as linear-light images are viewed).
BT709_SHOWN = frozenset({1, 2, 5, 6, 7, 11, 12, 14, 15})
#: The SDR transfers whose signal is shown as it is (in BT.709 primaries): BT.709's curve and
#: its twins within 0-1, the sRGB curve, and BT.470 B, G's (5): its "assumed display gamma
#: 2.8" is the CRT a PAL signal was once meant for, while PAL cameras' curve is BT.601's (as
#: BT.709's); PAL DVDs carry the tag, and players show them as BT.601 video (decoded as
#: V^2.8 a 0.5 signal showed as 106, not 128: every PAL DVD darker than it is seen).
AS_IS = frozenset({1, 2, 5, 6, 11, 12, SRGB_TRANSFER, 14, 15})
#: The SDR transfers decoded to light and shown by another curve (:func:`sdr_light`).
CONVERTED = frozenset(_SDR_LIGHT) - AS_IS


def sdr_light(signal: np.ndarray, transfer: int) -> np.ndarray:
    """An SDR signal (0-1, any shape) with H.273 TransferCharacteristics ``transfer`` to its
    linear light, float32 (see the table above; a transfer not in it is read as BT.709's)."""
    return _SDR_LIGHT.get(transfer, bt709_inverse_oetf)(signal)


def decodes(transfer: int) -> bool:
    """Whether streamprint knows how the H.273 TransferCharacteristics ``transfer`` shows: an
    SDR curve of :func:`sdr_light`, PQ or HLG (:data:`TRC`), or 0, read as unspecified (2)."""
    return transfer in _SDR_LIGHT or transfer in TRC or transfer == 0
