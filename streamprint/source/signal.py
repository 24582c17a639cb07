"""A decoded frame's non-linear R'G'B' signal in float32, for what libswscale's 8-bit RGB
output cannot do: HDR before its tone curve, primaries other than BT.709, and Y'CbCr
matrices libswscale does not know (YCgCo). Which matrices are converted, and how, is
decided here and only here (:func:`matrix_of`).
"""

from __future__ import annotations

from typing import Any

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from ..errors import UnsupportedColorError
from .convert import SWSCALE_MATRICES, SWSCALE_THREADS

#: (Kr, Kb) of the H.273 MatrixCoefficients (FFmpeg AVColorSpace) undone here in float:
#: BT.709, FCC, BT.601 (625 and 525), SMPTE 240M, BT.2020 non-constant luminance; 2 is
#: unspecified, read as BT.2020 (HDR; SDR callers pass the matrix players assume).
KR_KB = {1: (0.2126, 0.0722), 4: (0.30, 0.11), 5: (0.299, 0.114), 6: (0.299, 0.114),
         7: (0.212, 0.087), 9: (0.2627, 0.0593), 2: (0.2627, 0.0593)}
#: H.273 MatrixCoefficients 8, YCgCo (ITU-T H.273 equations 47-50): not in libswscale.
YCGCO = 8
#: The H.273 names of the matrices nothing here converts, for the error that says so.
UNSUPPORTED = {3: "reserved (3)", 10: "BT.2020 constant luminance", 11: "SMPTE ST 2085 (Y'D'zD'x)",
               12: "chromaticity-derived non-constant luminance",
               13: "chromaticity-derived constant luminance", 14: "ICtCp", 15: "IPT-C2 (SMPTE ST 2128)",
               16: "YCgCo-Re", 17: "YCgCo-Ro"}


def converts(code: int) -> bool:
    """Whether :func:`frame_to_signal_rgb` undoes the Y'CbCr matrix ``code`` (H.273)."""
    return code in KR_KB or code == YCGCO


def is_gray(frame: Any) -> bool:
    """A grey frame (gray, gray10le, grayf32le, ya8, ...: luma, maybe alpha, no chroma)."""
    return str(frame.format.name).startswith(("gray", "ya"))


def matrix_of(frame: Any, fallback: bool = False) -> int | None:
    """The frame's Y'CbCr matrix code (None for RGB and grey frames), when it can be converted.

    Raises :class:`UnsupportedColorError` naming the matrix when it cannot; with
    ``fallback`` (a frame already reported as not shown right: Dolby Vision without a
    compatible base) such a frame is read as unspecified, 2, instead."""
    if frame.format.is_rgb or is_gray(frame):
        return None
    code = int(frame.colorspace if frame.colorspace is not None else 2)
    if code in SWSCALE_MATRICES or code == YCGCO:
        return code
    if fallback:
        return 2
    name = UNSUPPORTED.get(code, f"unknown ({code})")
    raise UnsupportedColorError(f"colours coded with the {name} matrix (H.273 MatrixCoefficients "
                                f"{code}) are not supported")


def frame_to_signal_rgb(frame: av.VideoFrame, width: int, height: int,
                        reformatter: VideoReformatter | None = None, matrix: int | None = None) -> np.ndarray:
    """Decoded frame -> non-linear R'G'B' (height, width, 3) float32 0-1, channels R, G, B.

    One libswscale call does the downscale (AREA) and the chroma upsampling to
    ``yuv444p16le`` in the frame's own range; then the matrix (``matrix``, else the frame's
    own; unspecified is read as BT.2020 non-constant luminance) and the range (limited
    unless tagged full) are undone here in float32.  Why not swscale's own float RGB
    (``gbrpf32le``): for 10-bit limited-range input FFmpeg 8.1's swscale scales it by
    0.9961 (measured: 10-bit white, 940, comes out as 0.99614, not 1.0), about 2 % of display
    light at reference white; its ``yuv444p16le`` output is the 10-bit code shifted left by 6,
    which is exact for limited range.  Full range: luma is rescaled to 0-65535 by swscale and
    read as such; chroma is read as (v - 32768) / 65535, off by at most 1/1024 of chroma.
    YCgCo: R' = Y' - Cg + Co, G' = Y' + Cg, B' = Y' - Cg - Co (H.273), Cg and Co quantised
    like Cb and Cr. RGB frames go straight to ``gbrpf32le``; grey ones as :func:`gray_signal`
    says.  Raises
    :class:`UnsupportedColorError` (a ValueError) for matrices it cannot undo (BT.2020
    constant luminance, ICtCp, ...).  ``reformatter``: a libswscale context shared across
    frames (building one per 4K frame costs more than the conversion).
    """
    reformat = (reformatter or VideoReformatter()).reformat
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}x{height}")
    if frame.format.is_rgb:
        out = reformat(frame, width=width, height=height, format="gbrpf32le", interpolation="AREA",
                       threads=SWSCALE_THREADS)
        return np.clip(out.to_ndarray(), 0.0, 1.0)
    if is_gray(frame):
        return np.repeat(gray_signal(frame, width, height, reformatter)[..., None], 3, axis=-1)
    code = matrix if matrix is not None else matrix_of(frame)
    if code is None or not converts(code):
        raise UnsupportedColorError(f"cannot convert colorspace {code} (AVColorSpace) to R'G'B'")
    # Y'CbCr to Y'CbCr keeps the codes whatever the matrix: naming one libswscale knows keeps
    # it from refusing a frame whose matrix it does not (YCgCo).
    neutral = None if int(frame.colorspace or 2) in SWSCALE_MATRICES else "ITU709"
    ycc = reformat(frame, width=width, height=height, format="yuv444p16le", interpolation="AREA",
                   threads=SWSCALE_THREADS, src_colorspace=neutral, dst_colorspace=neutral)
    v = ycc.to_ndarray().astype(np.float32)
    if int(frame.color_range) == 2:                  # AVCOL_RANGE_JPEG, full range
        y = v[..., 0] * np.float32(1 / 65535)
        cb, cr = ((v[..., i] - 32768) * np.float32(1 / 65535) for i in (1, 2))
    else:                                            # limited: 16-bit code = (219 E + 16) * 256
        y = (v[..., 0] - 4096) * np.float32(1 / 56064)
        cb, cr = ((v[..., i] - 32768) * np.float32(1 / 57344) for i in (1, 2))
    if code == YCGCO:                                # cb holds Cg, cr holds Co
        t = y - cb
        rgb = np.stack([t + cr, y + cb, t - cr], axis=-1)
    else:
        kr, kb = KR_KB[code]
        r = y + np.float32(2 * (1 - kr)) * cr
        b = y + np.float32(2 * (1 - kb)) * cb
        g = (y - np.float32(kr) * r - np.float32(kb) * b) * np.float32(1 / (1 - kr - kb))
        rgb = np.stack([r, g, b], axis=-1)
    return np.clip(rgb, 0.0, 1.0)


def gray_signal(frame: av.VideoFrame, width: int, height: int,
                reformatter: VideoReformatter | None = None) -> np.ndarray:
    """A grey frame's luma signal E (height, width) float32 0-1, in its own range.

    libswscale's RGB output ignores a grey frame's range (limited-range grey, Y' 16-235, came
    out 16-235) and reads ``grayf32le`` as limited (200/255 came out 215); its ``grayf32le``
    output is exact: the n-bit code shifted to 16 bits, over 65535, or a float frame's own
    value. Float frames are full range; integer ones tagged limited give E = (D / 2^(n-8) -
    16) / 219 (BT.601 / BT.709), the rest E = D / (2^n - 1), as before."""
    out = (reformatter or VideoReformatter()).reformat(frame, width=width, height=height, format="grayf32le",
                                                       interpolation="AREA", threads=SWSCALE_THREADS)
    v = out.to_ndarray().astype(np.float32)
    if "f32" in frame.format.name or "f16" in frame.format.name:
        return np.clip(v, 0.0, 1.0)
    bits = frame.format.components[0].bits
    # the stored n-bit code D: swscale gives D / 255 for 8 bits, D shifted to 16 bits over
    # 65535 for more (measured, FFmpeg 8.1; one rule for both read 8-bit 200 as 200.8)
    code = v * np.float32(255 if bits == 8 else 65535 / 2 ** (16 - bits))
    if int(frame.color_range or 0) == 1:                           # AVCOL_RANGE_MPEG, limited
        e = (code * np.float32(1 / 2 ** (bits - 8)) - 16) * np.float32(1 / 219)
    else:
        e = code * np.float32(1 / (2 ** bits - 1))
    return np.clip(e, 0.0, 1.0)
