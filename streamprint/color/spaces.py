"""sRGB, linear light, CIELAB (D65) and Oklab, in numpy.

Clustering spaces are scaled isotropically into "0-255-like" units, so distances keep each
space's geometry and thresholds tuned in 8-bit RGB stay meaningful: ``rgb`` is sRGB 0-255,
``lab`` is CIELAB x 2.55 (L 0-255), ``oklab`` is Oklab x 255 (L 0-255).
"""

from __future__ import annotations

import numpy as np

from ..enums import Space

# IEC 61966-2-1 (sRGB) primaries to CIE XYZ, D65 white.
_RGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
_XYZ_TO_RGB = np.linalg.inv(_RGB_TO_XYZ)
_D65 = np.array([0.95047, 1.0, 1.08883])

# Oklab (Björn Ottosson, 2020): linear sRGB (BT.709) to LMS, and LMS cube roots to (L, a, b).
LMS_FROM_LINEAR_SRGB = np.array([[0.4122214708, 0.5363325363, 0.0514459929],
                 [0.2119034982, 0.6806995451, 0.1073969566],
                 [0.0883024619, 0.2817188376, 0.6299787005]])
OKLAB_FROM_LMS = np.array([[0.2104542553, 0.7936177850, -0.0040720468],
                 [1.9779984951, -2.4285922050, 0.4505937099],
                 [0.0259040371, 0.7827717662, -0.8086757660]])
_LAB_INV = np.array([[1.0, 0.3963377774, 0.2158037573],
                     [1.0, -0.1055613458, -0.0638541728],
                     [1.0, -0.0894841775, -1.2914855480]])
_LMS_INV = np.array([[4.0767416621, -3.3077115913, 0.2309699292],
                     [-1.2684380046, 2.6097574011, -0.3413193965],
                     [-0.0041960863, -0.7034186147, 1.7076147010]])

_SCALE = {Space.RGB: 1.0, Space.LAB: 2.55, Space.OKLAB: 255.0}


def srgb_decode(c: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """sRGB 0-1 (IEC 61966-2-1) to linear light 0-1, clipped, computed in ``dtype``; the
    inverse of :func:`linear_to_srgb` (which gives 0-255)."""
    c = np.clip(np.asarray(c, dtype=dtype), dtype(0.0), dtype(1.0))
    return np.where(c <= dtype(0.04045), c / dtype(12.92), ((c + dtype(0.055)) / dtype(1.055)) ** dtype(2.4))


def _srgb_lut() -> np.ndarray:
    return srgb_decode(np.arange(256) / 255.0)


SRGB_TO_LINEAR = _srgb_lut()
"""Linear light (0-1) of each 8-bit sRGB value."""
_SRGB_TO_LINEAR_32 = SRGB_TO_LINEAR.astype(np.float32)


def srgb_to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB (uint8 0-255, or float 0-255) to linear light 0-1, float64."""
    rgb = np.asarray(rgb)
    if rgb.dtype == np.uint8:
        return SRGB_TO_LINEAR[rgb]
    return srgb_decode(rgb.astype(np.float64) / 255.0)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance Y (0 black to 1 white; WCAG 2's, BT.709 weights on linear light)
    of 8-bit sRGB colours, shape (..., 3) in, (...) float64 out."""
    return srgb_to_linear(np.asarray(rgb, dtype=np.uint8)) @ np.array([0.2126, 0.7152, 0.0722])


def linear_to_srgb(lin: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """Linear light 0-1 to sRGB float 0-255 (clipped, not rounded), computed in ``dtype``
    (float32: a seventh of float64's time, for whole images rounded to 8 bits)."""
    c: np.ndarray = np.clip(np.asarray(lin, dtype=dtype), dtype(0.0), dtype(1.0))
    return dtype(255.0) * np.where(c <= dtype(0.0031308), dtype(12.92) * c,
                                   dtype(1.055) * c ** dtype(1 / 2.4) - dtype(0.055))


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0-255 (..., 3) to CIELAB D65 (L 0-100)."""
    xyz = srgb_to_linear(rgb) @ _RGB_TO_XYZ.T / _D65
    e = (6 / 29) ** 3
    f = np.where(xyz > e, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def lab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """CIELAB D65 to sRGB float 0-255 (out-of-gamut values clipped)."""
    lab = np.asarray(lab, dtype=np.float64)
    fy = (lab[..., 0] + 16) / 116
    f = np.stack([fy + lab[..., 1] / 500, fy, fy - lab[..., 2] / 200], axis=-1)
    xyz = np.where(f > 6 / 29, f**3, 3 * (6 / 29) ** 2 * (f - 4 / 29)) * _D65
    return linear_to_srgb(xyz @ _XYZ_TO_RGB.T)


def srgb_to_oklab(rgb: np.ndarray) -> np.ndarray:
    """sRGB 0-255 (..., 3) to Oklab (L 0-1)."""
    return np.cbrt(srgb_to_linear(rgb) @ LMS_FROM_LINEAR_SRGB.T) @ OKLAB_FROM_LMS.T


def oklab_to_srgb(lab: np.ndarray) -> np.ndarray:
    """Oklab to sRGB float 0-255 (out-of-gamut values clipped)."""
    lms = (np.asarray(lab, dtype=np.float64) @ _LAB_INV.T) ** 3
    return linear_to_srgb(lms @ _LMS_INV.T)


def encode(rgb: np.ndarray, space: Space) -> np.ndarray:
    """sRGB 0-255 (n, 3) into clustering units of ``space``, float32."""
    if space == Space.RGB:
        return np.asarray(rgb, dtype=np.float32)
    conv = srgb_to_lab if space == Space.LAB else srgb_to_oklab
    return (conv(rgb) * _SCALE[space]).astype(np.float32)


def decode(values: np.ndarray, space: Space) -> np.ndarray:
    """Clustering units of ``space`` back to sRGB float 0-255."""
    v = np.asarray(values, dtype=np.float64)
    if space == Space.RGB:
        return np.clip(v, 0, 255)
    conv = lab_to_srgb if space == Space.LAB else oklab_to_srgb
    return conv(v / _SCALE[space])


def mean_color(rgb: np.ndarray, planar: bool = False) -> np.ndarray:
    """The average of sRGB pixels (n, 3) uint8 (or (3, n) with ``planar``), taken in
    linear light: sRGB float 0-255."""
    channels = np.asarray(rgb, dtype=np.uint8)
    channels = channels.reshape(3, -1) if planar else np.ascontiguousarray(channels.reshape(-1, 3).T)
    lin = _SRGB_TO_LINEAR_32.take(channels).sum(axis=1).astype(np.float64) / channels.shape[1]
    return linear_to_srgb(lin)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference ΔE00 between CIELAB colours (..., 3), broadcast against
    each other, with k_L = k_C = k_H = 1 (CIE 142-2001, as written out by Sharma, Wu and
    Dalal, Color Res. Appl. 30(1), 2005: hue means and differences taken the short way
    round, and a hue of 0 for a colour of zero chroma). float64."""
    lab1, lab2 = np.asarray(lab1, dtype=np.float64), np.asarray(lab2, dtype=np.float64)
    L1, a1, b1 = lab1[..., 0], lab1[..., 1], lab1[..., 2]
    L2, a2, b2 = lab2[..., 0], lab2[..., 1], lab2[..., 2]
    c_mean7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c_mean7 / (c_mean7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.where((a1p == 0) & (b1 == 0), 0.0, np.degrees(np.arctan2(b1, a1p)) % 360)
    h2p = np.where((a2p == 0) & (b2 == 0), 0.0, np.degrees(np.arctan2(b2, a2p)) % 360)
    chromatic = (c1p * c2p) != 0
    diff = h2p - h1p
    dhp = np.where(diff > 180, diff - 360, np.where(diff < -180, diff + 360, diff))
    dhp = np.where(chromatic, dhp, 0.0)
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dhp) / 2)
    total = h1p + h2p
    far = np.abs(h1p - h2p) > 180
    hbar = np.where(far, np.where(total < 360, total + 360, total - 360), total) / 2
    hbar = np.where(chromatic, hbar, total)
    lbar, cbar = (L1 + L2) / 2, (c1p + c2p) / 2
    t = (1 - 0.17 * np.cos(np.radians(hbar - 30)) + 0.24 * np.cos(np.radians(2 * hbar))
         + 0.32 * np.cos(np.radians(3 * hbar + 6)) - 0.20 * np.cos(np.radians(4 * hbar - 63)))
    dtheta = 30 * np.exp(-(((hbar - 275) / 25) ** 2))
    cbar7 = cbar**7
    rc = 2 * np.sqrt(cbar7 / (cbar7 + 25.0**7))
    sl = 1 + 0.015 * (lbar - 50) ** 2 / np.sqrt(20 + (lbar - 50) ** 2)
    sc = 1 + 0.045 * cbar
    sh = 1 + 0.015 * cbar * t
    rt = -np.sin(np.radians(2 * dtheta)) * rc
    dl, dc, dh = (L2 - L1) / sl, (c2p - c1p) / sc, dHp / sh
    return np.sqrt(np.maximum(dl**2 + dc**2 + dh**2 + rt * dc * dh, 0.0))
