"""HDR (PQ or HLG, BT.2020) to SDR (sRGB, BT.709) conversion, vectorised in numpy float32.

Pipeline, per pixel (``tonemap_to_srgb``):

1. **Signal to display light.**  The input is the non-linear BT.2020 R'G'B' signal, 0-1.
   PQ: the SMPTE ST 2084 / BT.2100 EOTF gives absolute display light, cd/m².
   HLG: the ARIB STD-B67 / BT.2100 inverse OETF gives scene light 0-1, and the BT.2100
   OOTF for a display of nominal peak ``Lw = params.peak_nits`` (default 1000 cd/m², the
   BT.2100 / BT.2408 reference display, black level 0) gives display light,
   ``F_D = Lw * Ys**(gamma - 1) * E`` with ``gamma = 1.2 + 0.42 log10(Lw / 1000)`` and
   ``Ys`` the BT.2100 luminance of the scene light.  No quantisation happens on the way: all
   arithmetic is float32 on the float signal.

2. **Reference white.**  Display light is divided by ``params.reference_white_nits``
   (BT.2408 HDR reference white, 203 cd/m²), so reference white becomes SDR white, 1.0.
   For HLG on the 1000 cd/m² reference display BT.2408 puts reference white at a 75 %
   signal; ``hlg_reference_white_nits(1000)`` = 203.1 cd/m², the same level.

3. **Highlight compression** on ``M = max(R, G, B)`` of the BT.2020 linear light; all three
   channels are then scaled by ``f(M) / M``, which keeps the RGB ratios, so chromaticity and
   the Oklab hue are unchanged (Oklab hue is invariant under scaling of linear light).
   ``f`` works in the PQ domain, like BT.2390's EETF: with ``e = PQ^-1(M)`` (ST 2084 inverse
   EOTF of cd/m²), ``k = PQ^-1(0.9 W)`` (the knee, 90 % of reference white ``W``),
   ``t = PQ^-1(W)`` (the target, SDR white) and ``p = PQ^-1(P)`` (the source peak ``P``)::

       e <= k:  f = e                                   (identity, no change at all)
       e >  k:  f = k + d / (1 + c d),   d = e - k,   c = 1/(t - k) - 1/(p - k)

   then ``min(f, t)``.  This is a rational (Reinhard-type) shoulder on the excess above the
   knee: slope 1 at the knee (C1-continuous), strictly increasing, and ``f(p) = t`` exactly,
   so the source peak lands on SDR white.  Values above the stated peak keep rising until
   they reach ``t`` and stay there.  When ``P <= W`` nothing needs compressing and ``f`` is
   the identity up to ``t``.
   Why not BT.2390's own Hermite spline with its knee moved to 90 % of reference white: the
   spline is only monotonic when the knee ``KS <= 1.5 maxLum - 0.5`` (BT.2390's default
   knee sits exactly on that bound); for a 1000 cd/m² source mapped to 203 cd/m² that bound
   is 0.66 while 90 % of reference white is at 0.76 (PQ normalised to the source peak),
   so the spline would overshoot SDR white and come back down.

   The source peak ``P`` is ``params.peak_nits``: from the stream's content light level
   (MaxCLL) or mastering display metadata when present (``hdr_params_for``), else
   ``DEFAULT_PEAK_NITS`` = 1000 cd/m².

4. **Gamut mapping BT.2020 -> BT.709 in Oklab.**  The linear BT.2020 colour is converted to
   linear BT.709 with the matrix derived from the BT.2020 and BT.709 xy primaries and the D65
   white (BT.2087's matrix, in full precision).  Colours inside the BT.709 cube are left
   alone.  For the others, Oklab (Björn Ottosson, 2020) L and hue are held constant and the
   chroma (a, b) is scaled by the largest factor in [0, 1] for which the colour is inside the
   BT.709 cube (found by bisection, 12 steps: to 1/4096 of the chroma); L is first limited to
   [0, 1] so that a grey of that L, the end point of the search, is in gamut.  No
   per-channel clipping, which would shift hue (by ~10° for the BT.2020 green primary and
   ~19° for the blue one).

5. **Encoding**: IEC 61966-2-1 sRGB curve, times 255, rounded to nearest, uint8.

The frame helpers use PyAV: ``frame_to_signal_rgb`` downsizes and converts a decoded frame in
one libswscale call, ``hdr_params_for`` reads the transfer and the light-level metadata.
"""

from __future__ import annotations

import enum
import functools
import math
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import av

__all__ = [
    "BT2020_TO_BT709",
    "DEFAULT_PEAK_NITS",
    "KNEE",
    "REFERENCE_WHITE_NITS",
    "HdrMetadata",
    "HdrParams",
    "Transfer",
    "bt2020_to_bt709",
    "frame_to_signal_rgb",
    "gamut_map_oklab",
    "hdr_metadata",
    "hdr_params_for",
    "hlg_gamma",
    "hlg_inverse_oetf",
    "hlg_oetf",
    "hlg_ootf",
    "hlg_reference_white_nits",
    "pq_eotf",
    "pq_inverse_eotf",
    "srgb_encode",
    "tone_curve",
    "tonemap_to_srgb",
]

#: Source peak assumed when a PQ stream carries no light-level metadata, cd/m².
DEFAULT_PEAK_NITS = 1000.0
#: BT.2408 HDR reference white ("graphics white"), cd/m².
REFERENCE_WHITE_NITS = 203.0
#: Fraction of reference white below which linear light is left unchanged.
KNEE = 0.9

# --- SMPTE ST 2084 (PQ) -----------------------------------------------------------------------
_PQ_M1 = 2610 / 16384
_PQ_M2 = 2523 / 4096 * 128
_PQ_C1 = 3424 / 4096
_PQ_C2 = 2413 / 4096 * 32
_PQ_C3 = 2392 / 4096 * 32
_PQ_PEAK = 10000.0

# --- ARIB STD-B67 (HLG) -----------------------------------------------------------------------
_HLG_A = 0.17883277
_HLG_B = 1 - 4 * _HLG_A
_HLG_C = 0.5 - _HLG_A * math.log(4 * _HLG_A)
#: BT.2100 luminance coefficients of BT.2020 linear light (also the Y'CbCr Kr, Kg, Kb).
_BT2100_Y = (0.2627, 0.6780, 0.0593)


class Transfer(enum.Enum):
    """HDR transfer function of a stream."""

    PQ = "pq"    #: SMPTE ST 2084 / BT.2100 PQ (AVCOL_TRC_SMPTE2084 = 16)
    HLG = "hlg"  #: ARIB STD-B67 / BT.2100 HLG (AVCOL_TRC_ARIB_STD_B67 = 18)


#: FFmpeg AVColorTransferCharacteristic values.
_TRC = {16: Transfer.PQ, 18: Transfer.HLG}


@dataclass(frozen=True)
class HdrParams:
    """How to tone-map one stream.

    ``peak_nits``: cd/m².  PQ: the source peak, the brightest display light the content
    reaches (MaxCLL, or the mastering display's maximum luminance); it lands on SDR white.
    0 < peak <= 10000.  HLG: the nominal peak ``Lw`` of the display the OOTF renders for,
    400-2000 (BT.2100's range for its system gamma formula), which is also the brightest
    display light the signal can produce.
    ``reference_white_nits``: cd/m², the display light that becomes SDR white (BT.2408: 203;
    for HLG that is the 75 % signal on a 1000 cd/m² display).
    """

    transfer: Transfer
    peak_nits: float = DEFAULT_PEAK_NITS
    reference_white_nits: float = REFERENCE_WHITE_NITS

    def __post_init__(self) -> None:
        if not isinstance(self.transfer, Transfer):
            raise TypeError(f"transfer must be a Transfer, got {self.transfer!r}")
        for name in ("peak_nits", "reference_white_nits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number of cd/m², got {value!r}")
            object.__setattr__(self, name, float(value))
        if not 0 < self.reference_white_nits <= _PQ_PEAK:
            raise ValueError(f"reference_white_nits must be in (0, 10000] cd/m², got {self.reference_white_nits}")
        if self.transfer is Transfer.PQ and not 0 < self.peak_nits <= _PQ_PEAK:
            raise ValueError(f"PQ peak_nits must be in (0, 10000] cd/m², got {self.peak_nits}")
        if self.transfer is Transfer.HLG and not 400 <= self.peak_nits <= 2000:
            raise ValueError(f"HLG peak_nits (display peak Lw) must be in [400, 2000] cd/m², got {self.peak_nits}")


# --- transfer functions -----------------------------------------------------------------------

def _pq_eotf(signal: np.ndarray, dtype: type) -> np.ndarray:
    e = np.clip(np.asarray(signal, dtype=dtype), 0.0, 1.0)
    p = e ** dtype(1 / _PQ_M2)
    y = np.maximum(p - dtype(_PQ_C1), 0.0) / (dtype(_PQ_C2) - dtype(_PQ_C3) * p)
    return dtype(_PQ_PEAK) * y ** dtype(1 / _PQ_M1)


def _pq_inverse_eotf(nits: np.ndarray, dtype: type) -> np.ndarray:
    y = np.clip(np.asarray(nits, dtype=dtype) / dtype(_PQ_PEAK), 0.0, 1.0)
    p = y ** dtype(_PQ_M1)
    return ((dtype(_PQ_C1) + dtype(_PQ_C2) * p) / (1 + dtype(_PQ_C3) * p)) ** dtype(_PQ_M2)


def pq_eotf(signal: np.ndarray) -> np.ndarray:
    """PQ signal (0-1, non-linear) to display light in cd/m² (0-10000), float32. ST 2084 / BT.2100."""
    return _pq_eotf(signal, np.float32)


def pq_inverse_eotf(nits: np.ndarray) -> np.ndarray:
    """Display light in cd/m² (clipped to 0-10000) to PQ signal 0-1, float32. ST 2084 / BT.2100."""
    return _pq_inverse_eotf(nits, np.float32)


def hlg_oetf(scene: np.ndarray) -> np.ndarray:
    """HLG OETF: scene linear light 0-1 to signal 0-1. ARIB STD-B67 / BT.2100."""
    e = np.clip(np.asarray(scene, dtype=np.float32), 0.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        log = np.float32(_HLG_A) * np.log(np.maximum(12 * e - np.float32(_HLG_B), 1e-12)) + np.float32(_HLG_C)
    return np.where(e <= 1 / 12, np.sqrt(3 * e), log).astype(np.float32)


def hlg_inverse_oetf(signal: np.ndarray) -> np.ndarray:
    """HLG signal 0-1 to scene linear light 0-1 (the inverse OETF). ARIB STD-B67 / BT.2100."""
    e = np.clip(np.asarray(signal, dtype=np.float32), 0.0, 1.0)
    high = (np.exp((e - np.float32(_HLG_C)) / np.float32(_HLG_A)) + np.float32(_HLG_B)) / 12
    return np.where(e <= 0.5, e * e / 3, high).astype(np.float32)


def hlg_gamma(peak_nits: float) -> float:
    """BT.2100 HLG system gamma for a display of nominal peak ``peak_nits`` cd/m²."""
    return 1.2 + 0.42 * math.log10(peak_nits / 1000.0)


def hlg_ootf(scene_rgb: np.ndarray, peak_nits: float = DEFAULT_PEAK_NITS) -> np.ndarray:
    """HLG OOTF: scene linear BT.2020 RGB 0-1 (..., 3) to display light in cd/m².

    ``F_D = Lw * Ys**(gamma - 1) * E`` (BT.2100, black level 0), ``Lw = peak_nits``.
    """
    e = np.asarray(scene_rgb, dtype=np.float32)
    ys = e @ np.asarray(_BT2100_Y, dtype=np.float32)
    gain = np.float32(peak_nits) * np.maximum(ys, 0.0) ** np.float32(hlg_gamma(peak_nits) - 1)
    return e * gain[..., None]


def hlg_reference_white_nits(peak_nits: float = DEFAULT_PEAK_NITS) -> float:
    """Display light, cd/m², of a 75 % HLG grey (BT.2408 reference white) on a ``peak_nits`` display."""
    scene = float(hlg_inverse_oetf(np.float32(0.75)))
    return peak_nits * scene ** hlg_gamma(peak_nits)


# --- tone curve -------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _curve_constants(peak: float, white: float) -> tuple[float, float, float]:
    """(k, t, c) of the PQ-domain shoulder; c = 0 means no shoulder (identity up to t)."""
    k, t, p = (float(_pq_inverse_eotf(v, np.float64)) for v in (KNEE * white, white, peak))
    c = 1 / (t - k) - 1 / (p - k) if peak > white else 0.0
    return k, t, c


def _shoulder(nits: np.ndarray, peak: float, white: float) -> np.ndarray:
    """The PQ-domain highlight curve on display light (cd/m², any shape) -> display light, <= white.

    In float64 (it only runs on the pixels above the knee, one value each), so that it is
    monotonic to the last bit; float32 PQ round trips jitter by ~4e-5 near white.
    """
    k, t, c = _curve_constants(peak, white)
    e = _pq_inverse_eotf(nits, np.float64)
    if c > 0:
        d = np.maximum(e - k, 0.0)
        e = np.where(e > k, k + d / (1 + c * d), e)
    return _pq_eotf(np.minimum(e, t), np.float64).astype(np.float32)


def tone_curve(nits: np.ndarray, params: HdrParams) -> np.ndarray:
    """The highlight curve on one value: display light in cd/m² -> SDR linear light, 1.0 = SDR white.

    Identity (divided by reference white) up to ``KNEE`` of reference white; the PQ-domain
    rational shoulder described in the module docstring above it; ``params.peak_nits`` maps
    to 1.0 and nothing maps above 1.0.
    """
    x = np.asarray(nits, dtype=np.float32)
    white = params.reference_white_nits
    knee_nits = KNEE * white
    out = np.where(x > knee_nits, _shoulder(np.maximum(x, knee_nits), params.peak_nits, white), x)
    return np.minimum(out / np.float32(white), np.float32(1.0)).astype(np.float32)


def _display_light(signal: np.ndarray, params: HdrParams) -> np.ndarray:
    if params.transfer is Transfer.PQ:
        return pq_eotf(signal)
    return hlg_ootf(hlg_inverse_oetf(signal), params.peak_nits)


# --- gamut ------------------------------------------------------------------------------------

def _rgb_to_xyz(primaries: tuple[tuple[float, float], ...], white: tuple[float, float]) -> np.ndarray:
    """Normalised primary matrix (SMPTE RP 177) from xy chromaticities of R, G, B and white."""
    def xyz(x: float, y: float) -> np.ndarray:
        return np.array([x / y, 1.0, (1 - x - y) / y])
    m = np.stack([xyz(*p) for p in primaries], axis=1)
    scale = np.linalg.solve(m, xyz(*white))
    return m * scale


_D65 = (0.3127, 0.3290)
_BT709_XY = ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060))
_BT2020_XY = ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046))
#: Linear BT.2020 RGB to linear BT.709 RGB (float64), the inverse of BT.2087's matrix.
BT2020_TO_BT709 = np.linalg.solve(_rgb_to_xyz(_BT709_XY, _D65), _rgb_to_xyz(_BT2020_XY, _D65))
_M2020_709_T = BT2020_TO_BT709.T.astype(np.float32)

# Oklab (Björn Ottosson, 2020), from linear sRGB / BT.709.
_OK_M1 = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                   [0.2119034982, 0.6806995451, 0.1073969566],
                   [0.0883024619, 0.2817188376, 0.6299787005]])
_OK_M2 = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                   [1.9779984951, -2.4285922050, 0.4505937099],
                   [0.0259040371, 0.7827717662, -0.8086757660]])
_OK_M1_INV = np.linalg.inv(_OK_M1).astype(np.float32)
_OK_M2_INV = np.linalg.inv(_OK_M2).astype(np.float32)
_OK_M1 = _OK_M1.astype(np.float32)
_OK_M2 = _OK_M2.astype(np.float32)
_BISECT_STEPS = 12
_GAMUT_EPS = 1e-6


def bt2020_to_bt709(rgb: np.ndarray) -> np.ndarray:
    """Linear BT.2020 RGB (..., 3) to linear BT.709 RGB, unclipped, float32."""
    return np.asarray(rgb, dtype=np.float32) @ _M2020_709_T


def gamut_map_oklab(lin709: np.ndarray) -> np.ndarray:
    """Bring linear BT.709 RGB (..., 3) into [0, 1]³ at constant Oklab L and hue (float32 copy).

    In-gamut colours come back unchanged; the others get the largest chroma that fits
    (bisection on the chroma scale), after their L is limited to [0, 1].
    """
    rgb = np.array(lin709, dtype=np.float32, copy=True).reshape(-1, 3)
    lo_c = np.minimum(np.minimum(rgb[:, 0], rgb[:, 1]), rgb[:, 2])
    hi_c = np.maximum(np.maximum(rgb[:, 0], rgb[:, 1]), rgb[:, 2])
    out = (lo_c < -_GAMUT_EPS) | (hi_c > 1 + _GAMUT_EPS)
    if out.any():
        sub = np.ascontiguousarray(rgb[out].T)                     # (3, n), planar
        lab = _OK_M2 @ np.cbrt(_OK_M1 @ sub)
        lightness = np.clip(lab[0], 0.0, 1.0)
        # Oklab -> LMS' is L * (1, 1, 1) + a * col1 + b * col2 of M2^-1 (its first column is 1).
        direction = _OK_M2_INV[:, 1:] @ lab[1:]
        lo = np.zeros(sub.shape[1], np.float32)
        step = np.float32(0.5)
        for _ in range(_BISECT_STEPS):
            mid = lo + step
            lms = lightness + mid * direction
            cand = _OK_M1_INV @ (lms * lms * lms)
            ok = (cand.min(axis=0) >= -_GAMUT_EPS) & (cand.max(axis=0) <= 1 + _GAMUT_EPS)
            lo = np.where(ok, mid, lo)
            step *= np.float32(0.5)
        lms = lightness + lo * direction
        rgb[out] = (_OK_M1_INV @ (lms * lms * lms)).T
    np.clip(rgb, 0.0, 1.0, out=rgb)
    return rgb.reshape(np.shape(lin709))


def srgb_encode(lin: np.ndarray) -> np.ndarray:
    """Linear light 0-1 to 8-bit sRGB (IEC 61966-2-1), rounded to nearest, uint8."""
    c = np.clip(np.asarray(lin, dtype=np.float32), 0.0, 1.0)
    v = np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** np.float32(1 / 2.4) - 0.055)
    return np.rint(v * np.float32(255)).astype(np.uint8)


def tonemap_to_srgb(rgb: np.ndarray, params: HdrParams) -> np.ndarray:
    """Non-linear BT.2020 R'G'B' signal (h, w, 3), 0-1, float -> sRGB (h, w, 3) uint8.

    The signal is what libswscale gives for PQ / HLG Y'CbCr converted to float RGB: matrix
    and range undone, transfer not (``frame_to_signal_rgb``).  See the module docstring for
    the steps.  Any shape (..., 3) works.
    """
    signal = np.asarray(rgb, dtype=np.float32)
    if signal.ndim < 1 or signal.shape[-1] != 3:
        raise ValueError(f"expected an (h, w, 3) R'G'B' array, got shape {signal.shape}")
    shape = signal.shape
    signal = np.nan_to_num(signal.reshape(-1, 3), nan=0.0)
    light = _display_light(signal, params)                     # BT.2020 display light, cd/m²
    white = params.reference_white_nits
    peak = np.maximum(np.maximum(light[:, 0], light[:, 1]), light[:, 2])
    knee_nits = KNEE * white
    hot = peak > knee_nits
    if hot.any():
        m = peak[hot]
        light[hot] *= (_shoulder(m, params.peak_nits, white) / m)[:, None]
    lin709 = bt2020_to_bt709(light * np.float32(1 / white))
    return srgb_encode(gamut_map_oklab(lin709)).reshape(shape)


# --- PyAV frame helpers -----------------------------------------------------------------------

#: (Kr, Kb) of FFmpeg AVColorSpace values this module converts; 2 = unspecified, read as BT.2020.
_MATRIX = {9: (0.2627, 0.0593), 2: (0.2627, 0.0593), 1: (0.2126, 0.0722),
           5: (0.299, 0.114), 6: (0.299, 0.114)}


def frame_to_signal_rgb(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    """Decoded Y'CbCr frame -> non-linear R'G'B' (height, width, 3) float32 0-1, channels R, G, B.

    One libswscale call does the downscale (AREA) and the chroma upsampling to
    ``yuv444p16le`` in the frame's own range; then the matrix of the frame's colorspace
    (BT.2020 non-constant luminance for HDR, also used when unspecified) and its range
    (limited unless tagged full) are undone here in float32.  Why not swscale's own float
    RGB (``gbrpf32le``): for 10-bit limited-range input FFmpeg 8.1's swscale scales it by
    0.9961 (measured: 10-bit white, 940, comes out as 0.99614, not 1.0), about 2 % of display
    light at reference white; its ``yuv444p16le`` output is the 10-bit code shifted left by 6,
    which is exact for limited range.  Full range: luma is rescaled to 0-65535 by swscale and
    read as such; chroma is read as (v - 32768) / 65535, off by at most 1/1024 of chroma.
    RGB frames go straight to ``gbrpf32le``.  Raises ValueError for matrices it cannot undo
    (BT.2020 constant luminance, ICtCp, ...).
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}x{height}")
    if frame.format.is_rgb:
        out = frame.reformat(width=width, height=height, format="gbrpf32le", interpolation="AREA")
        return np.clip(out.to_ndarray(), 0.0, 1.0)
    coefficients = _MATRIX.get(int(frame.colorspace))
    if coefficients is None:
        raise ValueError(f"cannot convert colorspace {frame.colorspace} (AVColorSpace) to R'G'B'")
    kr, kb = coefficients
    kg = 1 - kr - kb
    ycc = frame.reformat(width=width, height=height, format="yuv444p16le", interpolation="AREA")
    v = ycc.to_ndarray().astype(np.float32)
    if int(frame.color_range) == 2:                  # AVCOL_RANGE_JPEG, full range
        y = v[..., 0] * np.float32(1 / 65535)
        cb, cr = ((v[..., i] - 32768) * np.float32(1 / 65535) for i in (1, 2))
    else:                                            # limited: 16-bit code = (219 E + 16) * 256
        y = (v[..., 0] - 4096) * np.float32(1 / 56064)
        cb, cr = ((v[..., i] - 32768) * np.float32(1 / 57344) for i in (1, 2))
    r = y + np.float32(2 * (1 - kr)) * cr
    b = y + np.float32(2 * (1 - kb)) * cb
    g = (y - np.float32(kr) * r - np.float32(kb) * b) * np.float32(1 / kg)
    return np.clip(np.stack([r, g, b], axis=-1), 0.0, 1.0)


@dataclass(frozen=True)
class HdrMetadata:
    """Static HDR metadata of a frame, cd/m²; None when the frame carries none."""

    max_luminance: float | None = None   #: mastering display maximum luminance
    min_luminance: float | None = None   #: mastering display minimum luminance
    max_cll: int | None = None           #: content light level: MaxCLL
    max_fall: int | None = None          #: content light level: MaxFALL


def _side_data(frame: Any, name: str) -> bytes | None:
    try:
        return bytes(frame.side_data[name])
    except (KeyError, AttributeError):
        return None


def hdr_metadata(frame: av.VideoFrame) -> HdrMetadata:
    """Mastering display and content light level metadata of a decoded frame.

    PyAV 18 exposes them as ``frame.side_data["MASTERING_DISPLAY_METADATA"]`` (an 88-byte
    AVMasteringDisplayMetadata: 10 AVRationals, then has_primaries, has_luminance) and
    ``frame.side_data["CONTENT_LIGHT_LEVEL"]`` (AVContentLightMetadata: MaxCLL, MaxFALL).
    """
    max_lum = min_lum = None
    raw = _side_data(frame, "MASTERING_DISPLAY_METADATA")
    if raw is not None and len(raw) >= 88:
        v = struct.unpack_from("=22i", raw)
        if v[21] and v[17] > 0 and v[19] > 0:          # has_luminance; denominators
            min_lum, max_lum = v[16] / v[17], v[18] / v[19]
    max_cll = max_fall = None
    raw = _side_data(frame, "CONTENT_LIGHT_LEVEL")
    if raw is not None and len(raw) >= 8:
        max_cll, max_fall = struct.unpack_from("=2I", raw)
    return HdrMetadata(max_lum, min_lum, max_cll, max_fall)


def hdr_params_for(source: Any, default_peak_nits: float = DEFAULT_PEAK_NITS,
                   reference_white_nits: float = REFERENCE_WHITE_NITS) -> HdrParams | None:
    """HdrParams for a decoded ``av.VideoFrame`` (or an ``av.VideoStream``), None if not PQ/HLG.

    Transfer from ``color_trc`` (16 PQ, 18 HLG).  PQ peak: MaxCLL when present and non-zero,
    else the mastering display's maximum luminance, else ``default_peak_nits``; capped at
    10000.  HLG: the 1000 cd/m² reference display (HLG is scene-referred; its metadata does
    not change the OOTF).  A stream gives the transfer only: PyAV 18 does not expose a
    stream's coded side data, so its peak is the default.
    """
    trc = getattr(source, "color_trc", None)
    if trc is None and hasattr(source, "codec_context"):
        trc = source.codec_context.color_trc
    transfer = _TRC.get(int(trc)) if trc is not None else None
    if transfer is None:
        return None
    if transfer is Transfer.HLG:
        return HdrParams(Transfer.HLG, DEFAULT_PEAK_NITS, reference_white_nits)
    peak = default_peak_nits
    if hasattr(source, "side_data"):
        meta = hdr_metadata(source)
        if meta.max_cll:
            peak = float(meta.max_cll)
        elif meta.max_luminance and meta.max_luminance > 0:
            peak = meta.max_luminance
    return HdrParams(Transfer.PQ, min(peak, _PQ_PEAK), reference_white_nits)
