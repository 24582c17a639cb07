"""HDR transfer functions of BT.2100: PQ (SMPTE ST 2084) and HLG (ARIB STD-B67), in numpy.

Signals are non-linear 0-1; PQ display light is absolute, cd/m² (0-10000); HLG scene light
is relative, 0-1, and its OOTF renders it for a display of nominal peak ``Lw`` cd/m².
float32 for whole images; the ``dtype`` variants let the tone curve run in float64.
"""

from __future__ import annotations

import enum
import math

import numpy as np
import numpy.typing as npt

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
