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
#: H.273 MatrixCoefficients 0, identity: the planes hold G, B and R, each quantised as luma.
IDENTITY = 0
#: The H.273 names of the matrices nothing here converts, for the error that says so.
UNSUPPORTED = {3: "reserved (3)", 10: "BT.2020 constant luminance", 11: "SMPTE ST 2085 (Y'D'zD'x)",
               12: "chromaticity-derived non-constant luminance",
               13: "chromaticity-derived constant luminance", 14: "ICtCp", 15: "IPT-C2 (SMPTE ST 2128)",
               16: "YCgCo-Re", 17: "YCgCo-Ro"}


def converts(code: int) -> bool:
    """Whether :func:`frame_to_signal_rgb` undoes the Y'CbCr matrix ``code`` (H.273)."""
    return code in KR_KB or code in (YCGCO, IDENTITY)


def is_gray(frame: Any) -> bool:
    """A grey frame (gray, gray10le, grayf32le, ya8, ...: luma, maybe alpha, no chroma)."""
    return str(frame.format.name).startswith(("gray", "ya"))


def needs_matrix(frame: Any) -> bool:
    """Whether the frame's samples are Y'CbCr, read through a matrix: not RGB, paletted (its
    palette holds RGB; PyAV does not call ``pal8`` RGB) or grey."""
    return not (frame.format.is_rgb or frame.format.name == "pal8" or is_gray(frame))


def _matrix_tag(frame: Any) -> int:
    """The frame's MatrixCoefficients tag; 2, unspecified, when it has none."""
    return int(frame.colorspace if frame.colorspace is not None else 2)


def readable(frame: Any) -> bool:
    """Whether :func:`frame_to_signal_rgb` can read the frame (as :func:`matrix_of` would not
    refuse it): RGB, paletted or grey, or Y'CbCr in a matrix :func:`converts` takes."""
    return not needs_matrix(frame) or converts(_matrix_tag(frame))


def matrix_of(frame: Any, fallback: bool = False) -> int | None:
    """The frame's Y'CbCr matrix code (None for RGB, paletted and grey frames), when it can
    be converted.

    Raises :class:`UnsupportedColorError` naming the matrix when it cannot; with
    ``fallback`` (a frame already reported as not shown right: Dolby Vision without a
    compatible base) such a frame is read as unspecified, 2, instead."""
    if not needs_matrix(frame):
        return None
    code = _matrix_tag(frame)
    if converts(code):
        return code
    if fallback:
        return 2
    name = UNSUPPORTED.get(code, f"unknown ({code})")
    raise UnsupportedColorError(f"colours coded with the {name} matrix (H.273 MatrixCoefficients "
                                f"{code}) are not supported")


#: Planar formats of each bit depth, by kind: libswscale resamples into a frame's own depth
#: without touching its codes, where into another depth it shifts or rescales them
#: depending on whether it scales (8-bit grey read 200 as 200.8 unscaled and 199.2 scaled;
#: full-range white came out 254).
_PLANAR = {"yuv": {8: "yuv444p", 9: "yuv444p9le", 10: "yuv444p10le", 12: "yuv444p12le", 14: "yuv444p14le",
                   16: "yuv444p16le"},
           "gray": {8: "gray", 9: "gray9le", 10: "gray10le", 12: "gray12le", 14: "gray14le", 16: "gray16le"},
           "gbr": {8: "gbrp", 9: "gbrp9le", 10: "gbrp10le", 12: "gbrp12le", 14: "gbrp14le", 16: "gbrp16le"}}


def _depth(frame: Any) -> int:
    """The bit depth of the frame's colour samples (its alpha's aside; 8 for a format without
    components)."""
    return max(c.bits for c in frame.format.components if not c.is_alpha) if frame.format.components else 8


def misread_by_swscale(frame: Any) -> bool:
    """Whether libswscale's 8-bit RGB output reads the frame's codes otherwise than H.273:
    full-range samples of more than 8 bits (Y'CbCr tagged full range, any RGB), whose n-bit
    code D it takes as D / 2^(n-8) where H.273 has D / (2^n - 1) (10-bit full-range grey 900
    came out 225 where 900 / 1023 x 255 is 224.3; up to 1.3 levels high at 10 and 12 bits).
    Limited range, where D / 2^(n-8) is H.273's own scaling, and 8-bit samples it reads right."""
    if int(frame.color_range or 0) != 2 and needs_matrix(frame):  # AVCOL_RANGE_JPEG, full
        return False
    return _depth(frame) > 8


def _codes(frame: av.VideoFrame, width: int, height: int, reformat: Any, kind: str,
           **colorspaces: Any) -> tuple[list[np.ndarray], int]:
    """The frame resampled (AREA) to ``width`` x ``height`` in the planar format of ``kind``
    at its own bit depth (at least 8: 5-bit RGB is widened to 8): its stored codes D as
    float32 planes (the format's plane order), and that depth n."""
    depth = _depth(frame)
    depths = _PLANAR[kind]
    n = min((d for d in depths if d >= depth), default=16)
    out = reformat(frame, width=width, height=height, format=depths[n], interpolation="AREA",
                   threads=SWSCALE_THREADS, **colorspaces)
    dtype = np.uint8 if n == 8 else np.dtype("<u2")
    planes = []
    for plane in out.planes:  # (to_ndarray does not take every one of these formats)
        stride = plane.line_size // np.dtype(dtype).itemsize
        codes = np.frombuffer(memoryview(plane), dtype=dtype).reshape(-1, stride)[:plane.height, :plane.width]
        planes.append(codes.astype(np.float32))
    return planes, n


def is_float(frame: Any) -> bool:
    """A frame of floating-point samples (``gbrpf32le``, ``grayf32le``, ...): full range, 0-1."""
    return "f32" in frame.format.name or "f16" in frame.format.name


def frame_to_signal_rgb(frame: av.VideoFrame, width: int, height: int,
                        reformatter: VideoReformatter | None = None, matrix: int | None = None) -> np.ndarray:
    """Decoded frame -> non-linear R'G'B' (height, width, 3) float32 0-1, channels R, G, B.

    One libswscale call does the downscale (AREA) and the chroma upsampling to 4:4:4 at the
    frame's own bit depth n (:data:`_PLANAR`: its codes D are kept exactly); then the range
    and the matrix (``matrix``, else the frame's own; unspecified is read as BT.2020
    non-constant luminance) are undone here in float32, by H.273: limited range E'Y =
    (D / 2^(n-8) - 16) / 219, E'Cb = (D / 2^(n-8) - 128) / 224; full range E'Y = D / (2^n -
    1), E'Cb = (D - 2^(n-1)) / (2^n - 1). (Not libswscale's own float RGB: it scales 10-bit
    limited range by 0.9961.) YCgCo: R' = Y' - Cg + Co, G' = Y' + Cg, B' = Y' - Cg - Co,
    Cg and Co quantised like Cb and Cr. RGB and paletted frames: D / (2^n - 1) (float ones
    as they are); grey ones as :func:`gray_signal` says. Raises
    :class:`UnsupportedColorError` (a ValueError) for matrices it cannot undo (BT.2020
    constant luminance, ICtCp, ...). ``reformatter``: a libswscale context shared across
    frames (building one per 4K frame costs more than the conversion).
    """
    reformat = (reformatter or VideoReformatter()).reformat
    if width <= 0 or height <= 0:
        raise ValueError(f"width and height must be positive, got {width}x{height}")
    if not needs_matrix(frame) and not is_gray(frame):  # RGB, paletted
        if is_float(frame):
            out = reformat(frame, width=width, height=height, format="gbrpf32le", interpolation="AREA",
                           threads=SWSCALE_THREADS)
            return np.clip(out.to_ndarray(), 0.0, 1.0)
        (g, b, r), n = _codes(frame, width, height, reformat, "gbr")
        return np.clip(np.stack([r, g, b], axis=-1) * np.float32(1 / (2 ** n - 1)), 0.0, 1.0)
    if is_gray(frame):
        return np.repeat(gray_signal(frame, width, height, reformatter)[..., None], 3, axis=-1)
    code = matrix if matrix is not None else matrix_of(frame)
    if code is None or not converts(code):
        raise UnsupportedColorError(f"cannot convert colorspace {code} (AVColorSpace) to R'G'B'")
    # Y'CbCr to Y'CbCr keeps the codes whatever the matrix: naming one libswscale knows keeps
    # it from refusing a frame whose matrix it does not (YCgCo).
    neutral = None if _matrix_tag(frame) in SWSCALE_MATRICES else "ITU709"
    (y, cb, cr), n = _codes(frame, width, height, reformat, "yuv", src_colorspace=neutral, dst_colorspace=neutral)
    full = int(frame.color_range) == 2               # AVCOL_RANGE_JPEG
    scale, unit = np.float32(1 / (2 ** n - 1)), np.float32(1 / 2 ** (n - 8))
    if code == IDENTITY:                             # G, B, R, each quantised as luma
        g, b, r = ((c * scale) if full else (c * unit - 16) * np.float32(1 / 219) for c in (y, cb, cr))
        return np.clip(np.stack([r, g, b], axis=-1), 0.0, 1.0)
    if full:
        y, cb, cr = y * scale, (cb - 2 ** (n - 1)) * scale, (cr - 2 ** (n - 1)) * scale
    else:
        y = (y * unit - 16) * np.float32(1 / 219)
        cb, cr = ((c * unit - 128) * np.float32(1 / 224) for c in (cb, cr))
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
    out 16-235) and reads ``grayf32le`` as limited (200/255 came out 215). The frame is
    resampled at its own depth n (:data:`_PLANAR`), its codes D kept: frames tagged limited
    give E = (D / 2^(n-8) - 16) / 219 (BT.601 / BT.709), the rest E = D / (2^n - 1); float
    frames are full range, as they are."""
    reformat = (reformatter or VideoReformatter()).reformat
    if is_float(frame):
        out = reformat(frame, width=width, height=height, format="grayf32le", interpolation="AREA",
                       threads=SWSCALE_THREADS)
        return np.clip(out.to_ndarray().astype(np.float32), 0.0, 1.0)
    (code,), n = _codes(frame, width, height, reformat, "gray")
    if int(frame.color_range or 0) == 1:                           # AVCOL_RANGE_MPEG, limited
        e = (code * np.float32(1 / 2 ** (n - 8)) - 16) * np.float32(1 / 219)
    else:
        e = code * np.float32(1 / (2 ** n - 1))
    return np.clip(e, 0.0, 1.0)
