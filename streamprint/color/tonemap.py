"""HDR (PQ or HLG, BT.2020 or other primaries) to SDR (sRGB, BT.709) conversion, vectorised in
numpy float32; and SDR in primaries other than BT.709, or in a transfer other than BT.709's
(linear light, gamma 2.2, ...), to BT.709 (``sdr_to_srgb``).

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
   (BT.2408 HDR reference white, 203 cd/m²), so reference white is SDR white, 1.0, before
   step 3 makes room for the highlights: with a source peak above reference white, reference
   white itself ends a little below 1 (249 of 255 for a 1000 cd/m² peak).
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

4. **Gamut mapping to BT.709 in Oklab.**  The linear colour is converted to linear BT.709
   with the matrix derived from its xy primaries (``params.primaries``: BT.2020 unless the
   stream says BT.709 or P3-D65; :mod:`.primaries`) and the D65 white (for BT.2020,
   BT.2087's matrix, in full precision).  Colours inside the BT.709 cube are left
   alone.  For the others, Oklab (Björn Ottosson, 2020) L and hue are held constant and the
   chroma (a, b) is scaled by the largest factor in [0, 1] for which the colour is inside the
   BT.709 cube (the ray scanned in 16 steps, then 9 of bisection: to 1/8192 of the chroma);
   L is first limited to [0, 1] so that a grey of that L, the end point of the search, is in
   gamut. A colour within 10-bit quantisation's reach of the cube counts as inside.  No
   per-channel clipping, which would shift hue (by ~10° for the BT.2020 green primary and
   ~19° for the blue one).

5. **Encoding**: IEC 61966-2-1 sRGB curve, times 255, rounded to nearest, uint8.

The transfer functions are in :mod:`streamprint.color.transfer`, the Oklab matrices and the
sRGB curve in :mod:`streamprint.color.spaces`; reading a decoded PyAV frame (its signal, tags
and light-level metadata) is :mod:`streamprint.source.hdr`'s job.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .primaries import Primaries, luminance, to_bt709
from .spaces import LMS_FROM_LINEAR_SRGB, OKLAB_FROM_LMS, linear_to_srgb
from .transfer import (
    AS_IS,
    BT709_SHOWN,
    CONVERTED,
    bt709_oetf,
    DEFAULT_PEAK_NITS,
    PQ_PEAK,
    Transfer,
    hlg_gamma,
    hlg_inverse_oetf,
    hlg_oetf,
    hlg_ootf,
    hlg_reference_white_nits,
    pq_eotf,
    pq_eotf_as,
    pq_inverse_eotf,
    pq_inverse_eotf_as,
    sdr_light,
)

__all__ = [
    "BT2020_TO_BT709",
    "DEFAULT_PEAK_NITS",
    "KNEE",
    "REFERENCE_WHITE_NITS",
    "HdrParams",
    "Transfer",
    "bt2020_to_bt709",
    "gamut_map_oklab",
    "hlg_gamma",
    "hlg_inverse_oetf",
    "hlg_oetf",
    "hlg_ootf",
    "hlg_reference_white_nits",
    "pq_eotf",
    "pq_inverse_eotf",
    "sdr_to_srgb",
    "srgb_encode",
    "tone_curve",
    "tonemap_to_srgb",
]

#: BT.2408 HDR reference white ("graphics white"), cd/m².
REFERENCE_WHITE_NITS = 203.0
#: Fraction of reference white below which linear light is left unchanged.
KNEE = 0.9

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
    ``primaries``: the signal's RGB primaries (BT.2020 unless the stream says otherwise).
    """

    transfer: Transfer
    peak_nits: float = DEFAULT_PEAK_NITS
    reference_white_nits: float = REFERENCE_WHITE_NITS
    primaries: Primaries = Primaries.BT2020

    def __post_init__(self) -> None:
        if not isinstance(self.transfer, Transfer):
            raise TypeError(f"transfer must be a Transfer, got {self.transfer!r}")
        if not isinstance(self.primaries, Primaries):
            raise TypeError(f"primaries must be a Primaries, got {self.primaries!r}")
        for name in ("peak_nits", "reference_white_nits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number of cd/m², got {value!r}")
            object.__setattr__(self, name, float(value))
        if not 0 < self.reference_white_nits <= PQ_PEAK:
            raise ValueError(f"reference_white_nits must be in (0, 10000] cd/m², got {self.reference_white_nits}")
        if self.transfer is Transfer.PQ and not 0 < self.peak_nits <= PQ_PEAK:
            raise ValueError(f"PQ peak_nits must be in (0, 10000] cd/m², got {self.peak_nits}")
        if self.transfer is Transfer.HLG and not 400 <= self.peak_nits <= 2000:
            raise ValueError(f"HLG peak_nits (display peak Lw) must be in [400, 2000] cd/m², got {self.peak_nits}")


# --- tone curve -------------------------------------------------------------------------------

@functools.lru_cache(maxsize=64)
def _curve_constants(peak: float, white: float) -> tuple[float, float, float]:
    """(k, t, c) of the PQ-domain shoulder; c = 0 means no shoulder (identity up to t)."""
    k, t, p = (float(pq_inverse_eotf_as(v, np.float64)) for v in (KNEE * white, white, peak))
    c = 1 / (t - k) - 1 / (p - k) if peak > white else 0.0
    return k, t, c


def _shoulder(nits: np.ndarray, peak: float, white: float) -> np.ndarray:
    """The PQ-domain highlight curve on display light (cd/m², any shape) -> display light, <= white.

    In float64 (it only runs on the pixels above the knee, one value each), so that it is
    monotonic to the last bit; float32 PQ round trips jitter by ~4e-5 near white.
    """
    k, t, c = _curve_constants(peak, white)
    e = pq_inverse_eotf_as(nits, np.float64)
    if c > 0:
        d = np.maximum(e - k, 0.0)
        e = np.where(e > k, k + d / (1 + c * d), e)
    return pq_eotf_as(np.minimum(e, t), np.float64).astype(np.float32)


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
    return hlg_ootf(hlg_inverse_oetf(signal), params.peak_nits, luminance(params.primaries))


# --- gamut ------------------------------------------------------------------------------------

#: Linear BT.2020 RGB to linear BT.709 RGB (float64), the inverse of BT.2087's matrix.
BT2020_TO_BT709 = to_bt709(Primaries.BT2020)

# Oklab (Björn Ottosson, 2020), from linear sRGB / BT.709: color.spaces' matrices, in float32.
_OK_M1_INV = np.linalg.inv(LMS_FROM_LINEAR_SRGB).astype(np.float32)
_OK_M2_INV = np.linalg.inv(OKLAB_FROM_LMS).astype(np.float32)
_OK_M1 = LMS_FROM_LINEAR_SRGB.astype(np.float32)
_OK_M2 = OKLAB_FROM_LMS.astype(np.float32)
#: The chroma search: the ray from grey (0) to the colour (1) sampled at this many equal
#: steps, then bisected between the last in-gamut sample and the next.
_SCAN_STEPS = 8
_BISECT_STEPS = 10
#: How far outside [0, 1] a linear BT.709 channel may be and still count as in gamut, then be
#: clipped: 10-bit quantisation alone puts an in-gamut colour this far out, more the brighter
#: it is (pure blue had red at -3e-5, a green (0, 221, 0) blue at -3e-3, (0, 255, 153) at SDR
#: white red at -7e-3, yellow at white green at 1.0075), and such colours were desaturated by up
#: to 89 levels. Below 0: ``_GAMUT_LOW + _GAMUT_LOW_PER_MAX`` x the colour's largest channel;
#: clipping there keeps the other two channels, the least change there is. Above 1, clipping
#: this much moves a channel by at most 2 levels.
_GAMUT_LOW = -1e-3
_GAMUT_LOW_PER_MAX = -1.2e-2
_GAMUT_HIGH = 1 + 2e-2
#: The chroma search's own bound: float32 rounding only.
_STRICT = 1e-6
#: From an excess of this fraction of a colour's largest channel beyond the tolerance on, the
#: colour is mapped alone; below it, blended with its clipped self (continuity).
_BLEND = 0.05


def bt2020_to_bt709(rgb: np.ndarray) -> np.ndarray:
    """Linear BT.2020 RGB (..., 3) to linear BT.709 RGB, unclipped, float32."""
    return _to_bt709(rgb, Primaries.BT2020)


@functools.lru_cache(maxsize=None)
def _to_bt709_t32(primaries: Primaries) -> np.ndarray:
    """:func:`.primaries.to_bt709`, transposed, in float32 (made once, not per frame; read-only,
    as every caller shares it)."""
    from ..model.colors import sealed

    return sealed(to_bt709(primaries).T, np.float32)


def _to_bt709(rgb: np.ndarray, primaries: Primaries) -> np.ndarray:
    """Linear RGB in ``primaries`` (..., 3) to linear BT.709 RGB, unclipped, float32."""
    if primaries is Primaries.BT709:
        return np.asarray(rgb, dtype=np.float32)
    return np.asarray(rgb, dtype=np.float32) @ _to_bt709_t32(primaries)


def gamut_map_oklab(lin709: np.ndarray) -> np.ndarray:
    """Bring linear BT.709 RGB (..., 3) into [0, 1]³ at constant Oklab L and hue (float32 copy).

    In-gamut colours (within quantisation's reach of the cube, ``_GAMUT_LOW`` to
    ``_GAMUT_HIGH``) come back clipped to it; the others get the largest chroma scale in
    [0, 1] that fits, after their L is limited to [0, 1], blended with their clipped selves
    just past that reach (see below). The gamut along the ray is not one interval from grey (each channel is a cubic in the chroma scale: near the blue corner it
    leaves the cube at 0.85 and comes back at 1), so the ray is scanned first and the
    bisection runs between its last in-gamut sample and the next; a bisection from grey alone
    found the first exit and took 72 % of the BT.2020 blue primary's chroma.
    """
    rgb = np.array(lin709, dtype=np.float32, copy=True).reshape(-1, 3)
    # How far past quantisation's reach the colour lies. Near the cube's blue corner the
    # constant-hue ray grazes the cube, and mapping jumps from the colour to one far less
    # saturated: so a colour just past the reach is blended from its clipped self to its
    # mapping, mapped alone from an excess of _BLEND of its largest channel on (clipped up
    # to the reach and mapped beyond it, a bright blue moved 70 levels for 0.001 of red).
    r, g, b = rgb[:, 0], rgb[:, 1], rgb[:, 2]  # (min/max across a row's 3 values: 10x slower as .max(axis=1))
    hi, lo_c = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    top = np.maximum(hi, 0)
    excess = np.maximum(_GAMUT_LOW + _GAMUT_LOW_PER_MAX * top - lo_c, hi - _GAMUT_HIGH)
    out = excess > 0
    if out.any():
        sub = np.ascontiguousarray(rgb[out].T)                     # (3, n), planar
        # a cone response below 0 (a colour far outside any display's gamut) counts as 0:
        # its cube root pulled L below the colour's own, and a dark blue came out black
        lab = _OK_M2 @ np.cbrt(np.maximum(_OK_M1 @ sub, 0))
        lightness = np.clip(lab[0], 0.0, 1.0)
        # Oklab -> LMS' is L * (1, 1, 1) + a * col1 + b * col2 of M2^-1 (its first column is 1).
        direction = _OK_M2_INV[:, 1:] @ lab[1:]

        def fits(scale: np.ndarray) -> np.ndarray:  # strictly: a clip after it would move the hue
            lms = lightness + scale * direction
            return _in_gamut(_OK_M1_INV @ (lms * lms * lms), -_STRICT, 1 + _STRICT)

        # the scan, all its scales at once: (scales, 3, n); grey (scale 0) always fits
        scales = (np.arange(1, _SCAN_STEPS, dtype=np.float32) / np.float32(_SCAN_STEPS))[:, None, None]
        lms = lightness + scales * direction
        cand = np.einsum("ij,sjn->sin", _OK_M1_INV, lms * lms * lms)
        ok = _in_gamut(cand, -_STRICT, 1 + _STRICT)
        lo = np.max(np.where(ok, scales[:, :, 0], np.float32(0)), axis=0)
        step = np.float32(1 / _SCAN_STEPS)
        for _ in range(_BISECT_STEPS):
            step *= np.float32(0.5)
            mid = lo + step
            lo = np.where(fits(mid), mid, lo)
        lms = lightness + lo * direction
        mapped = np.clip((_OK_M1_INV @ (lms * lms * lms)).T, 0.0, 1.0)
        near = np.clip(rgb[out], 0.0, 1.0)
        blend = np.clip(excess[out] / np.maximum(_BLEND * top[out], 1e-6), 0, 1)[:, None].astype(np.float32)
        rgb[out] = near + blend * (mapped - near)
    np.clip(rgb, 0.0, 1.0, out=rgb)  # (the rest: in the cube, or within quantisation's reach of it)
    return rgb.reshape(np.shape(lin709))


def _in_gamut(planar: np.ndarray, low: float, high: float) -> np.ndarray:
    """Which colours of a (..., 3, n) linear BT.709 array are in [low, high]³: (..., n) bool."""
    r, g, b = planar[..., 0, :], planar[..., 1, :], planar[..., 2, :]
    return (np.minimum(np.minimum(r, g), b) >= low) & (np.maximum(np.maximum(r, g), b) <= high)


def srgb_encode(lin: np.ndarray) -> np.ndarray:
    """Linear light 0-1 to 8-bit sRGB (IEC 61966-2-1, :func:`color.spaces.linear_to_srgb`,
    in float32), rounded to nearest, uint8."""
    return np.rint(linear_to_srgb(lin, np.float32)).astype(np.uint8)


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
    lin709 = _to_bt709(light * np.float32(1 / white), params.primaries)
    return srgb_encode(gamut_map_oklab(lin709)).reshape(shape)


def sdr_to_srgb(rgb: np.ndarray, primaries: Primaries, transfer: int = 1) -> np.ndarray:
    """Non-linear SDR R'G'B' signal (..., 3), 0-1, in ``primaries`` with H.273
    TransferCharacteristics ``transfer`` -> 8-bit R'G'B' in BT.709 (..., 3) uint8, the sRGB a
    viewer sees.

    BT.709 primaries with BT.709's curve or the sRGB curve (:data:`.transfer.AS_IS`): shown as
    it is, as the SDR path shows BT.709 R'G'B'. Otherwise the signal is decoded to linear light
    by its curve (:func:`.transfer.sdr_light`; transfer 13, IEC 61966-2-1, as Display P3 video
    is tagged, by the sRGB curve), the primaries converted to BT.709 (SMPTE RP 177), colours
    outside the BT.709 cube brought in as for HDR (:func:`gamut_map_oklab`), and the light
    encoded again: by the BT.709 OETF for BT.709's kin (:data:`.transfer.BT709_SHOWN`, SMPTE
    240M among them: shown as a BT.709 signal is), by the sRGB curve for the others (linear,
    gamma 2.2 and 2.8, logarithmic, ST 428, and sRGB itself); so greys, and BT.709 signals,
    come back unchanged. A transfer not known here (reserved) is read as BT.709's.
    """
    signal = np.nan_to_num(np.asarray(rgb, dtype=np.float32), nan=0.0)
    if signal.ndim < 1 or signal.shape[-1] != 3:
        raise ValueError(f"expected an (h, w, 3) R'G'B' array, got shape {signal.shape}")
    if transfer not in AS_IS and transfer not in CONVERTED:
        transfer = 1
    if primaries is Primaries.BT709 and transfer in AS_IS:
        return np.rint(np.clip(signal, 0.0, 1.0) * np.float32(255)).astype(np.uint8)
    light = sdr_light(signal, transfer)
    if primaries is not Primaries.BT709:
        light = gamut_map_oklab(_to_bt709(light, primaries))
    if transfer not in BT709_SHOWN:  # IEC 61966-2-1 in float32
        return srgb_encode(light)
    return np.rint(np.clip(bt709_oetf(light), 0.0, 1.0) * np.float32(255)).astype(np.uint8)
