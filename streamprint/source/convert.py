"""What a decoded frame is converted to for analysis: its size (the displayed aspect kept,
never upscaled) and, for a frame whose colours are not tagged, the Y'CbCr matrix players
assume."""

from __future__ import annotations

import av
import numpy as np
from av.video.reformatter import Interpolation

#: libswscale's threads for every analysis conversion (SDR to rgb24, HDR to 16-bit Y'CbCr or
#: float RGB). One: the image is small (160 x 90 by default) and the decoder's threads hold
#: the cores. With one thread per core every frame took 5-8 % longer on the 1080p H.264 and
#: MPEG-2 clips, the same on 4K HEVC and AV1; on a PQ-tagged copy of the 4K HEVC clip both
#: took the same time (within 1 %, default sampling and every frame). The output is the same
#: either way (checked on H.264, VP9 and 10-bit HEVC frames, and tone-mapped PQ frames).
SWSCALE_THREADS = 1

#: libswscale's scaling for an SDR analysis image: AREA (each analysis pixel the mean of the
#: stored pixels it covers) with FULL_CHR_H_INT. Without it swscale's RGB output from
#: subsampled chroma (4:2:0, 4:2:2, ...) comes out up to 2 levels low whenever it scales:
#: white (Y 235) as 253, pure blue as (0, 0, 253), a BT.709 10-bit ProRes #c04020 as
#: (190, 61, 30); with it 255, (0, 0, 255) and (192, 64, 32), the published formulas' values
#: (FFmpeg 8.1 in PyAV 18; 0.05 ms more on a 1080p frame, about 8 %). ACCURATE_RND: a frame
#: not scaled (at the analysis size or smaller) otherwise goes through swscale's table
#: converter, up to 2 levels off (BT.601 #2080c0 as (31, 128, 191)), so a larger analysis
#: size gave worse colours; scaled frames came out the same, in the same time.
SDR_SCALING = Interpolation.AREA | Interpolation.FULL_CHR_H_INT | Interpolation.ACCURATE_RND

#: libswscale's flags for an SDR frame with alpha, converted at its stored size (then scaled
#: alpha-weighted: :func:`~streamprint.color.alpha.area_weighted`). POINT: subsampled chroma
#: upsampled from each pixel's own chroma sample, not interpolated with its neighbour's, which
#: on the edge of an alpha mask is the hidden colour's (an opaque red pixel next to a
#: transparent green one in a yuva420p WebM came out (111, 79, 0) with AREA); ACCURATE_RND:
#: unscaled, yuva420p otherwise goes through swscale's table converter, which truncates (#2080c0,
#: BT.601 limited Y'CbCr 108, 170, 81, came out (31, 128, 191); with it (32, 129, 192), the
#: published formula's (32.1, 128.9, 191.8) rounded; 4:2:2, 4:4:4, 10-16-bit alike). About
#: 12 ms for a 1080p frame against 7.
STORED_SIZE_SCALING = Interpolation.POINT | Interpolation.FULL_CHR_H_INT | Interpolation.ACCURATE_RND


def widened(frame: av.VideoFrame) -> av.VideoFrame:
    """``frame``, or, converted at its own size first (libswscale's unscaled conversions are
    exact where its scaling path is not):

    - 15/16-bit RGB (rgb555, rgb565: QuickTime RLE, Microsoft Video 1, old screen captures)
      to rgb24: the scaling path fills their low bits with zeros (white read as 248), the
      unscaled one repeats the top bits (255); big-endian ones are byte-swapped to their
      little-endian twin before, as FFmpeg 8.1's unscaled big-endian route garbles them
      ((181, 101, 49) came out (33, 215, 156));
    - paletted frames (``pal8``: PNG, old QuickTime and AVI codecs) to rgba, their palette's
      alpha kept: the scaling path put levels one off (180 came out 181);
    - packed RGB of 3 or 4 bits a channel (:data:`_LOW_BIT_RGB`: raw, old screen captures) to
      rgb24 here, each n-bit code v as round(255 v / (2^n - 1)): libswscale's paths both
      filled the low bits with zeros (4-bit white came out 240, 3-bit 252)."""
    name = frame.format.name
    if name == "pal8":
        return frame.reformat(format="rgba")
    if name in _LOW_BIT_RGB:
        return _expanded(frame, *_LOW_BIT_RGB[name])
    if frame.format.is_rgb and min(c.bits for c in frame.format.components) in (5, 6):
        return (_little_endian(frame) if name.endswith("be") else frame).reformat(format="rgb24")
    return frame


#: Packed RGB formats of 3 or 4 bits a channel, as FFmpeg's pixfmt.h lays them out: (word
#: dtype, (shift, bits) of R, G, B). (1- and 2-bit ones, rgb4_byte and its kin, libswscale
#: widens right: 1 is 255, 2-bit levels 85 apart.)
_LOW_BIT_RGB = {"rgb444le": ("<u2", ((8, 4), (4, 4), (0, 4))), "rgb444be": (">u2", ((8, 4), (4, 4), (0, 4))),
                "bgr444le": ("<u2", ((0, 4), (4, 4), (8, 4))), "bgr444be": (">u2", ((0, 4), (4, 4), (8, 4))),
                "rgb8": ("u1", ((5, 3), (2, 3), (0, 2))), "bgr8": ("u1", ((0, 3), (3, 3), (6, 2)))}


def _expanded(frame: av.VideoFrame, dtype: str, fields: tuple[tuple[int, int], ...]) -> av.VideoFrame:
    """A packed low-bit RGB frame (:data:`_LOW_BIT_RGB`) as rgb24, each field's code v as
    round(255 v / (2^n - 1)) (by a table of its 2^n levels)."""
    plane = frame.planes[0]
    size = np.dtype(dtype).itemsize
    words = np.frombuffer(memoryview(plane), dtype=dtype).reshape(-1, plane.line_size // size)
    words = words[:frame.height, :frame.width].astype(np.uint16)
    rgb = np.empty((frame.height, frame.width, 3), np.uint8)
    for i, (shift, bits) in enumerate(fields):
        top = (1 << bits) - 1
        levels = ((np.arange(top + 1) * 255 + top // 2) // top).astype(np.uint8)
        rgb[..., i] = levels[(words >> shift) & top]
    out = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    out.pts, out.time_base = frame.pts, frame.time_base
    return out


def _little_endian(frame: av.VideoFrame) -> av.VideoFrame:
    """A 16-bit packed big-endian frame as its little-endian twin (same pixels)."""
    twin = av.VideoFrame(frame.width, frame.height, frame.format.name[:-2] + "le")
    src, dst = frame.planes[0], twin.planes[0]
    pixels = np.frombuffer(memoryview(src), dtype=">u2").reshape(-1, src.line_size // 2)[:frame.height, :frame.width]
    out = np.zeros((dst.buffer_size // dst.line_size, dst.line_size // 2), dtype="<u2")
    out[:frame.height, :frame.width] = pixels
    dst.update(out.tobytes())
    return twin


#: FFmpeg's AVCOL_SPC_UNSPECIFIED.
_UNSPECIFIED = 2
#: The Y'CbCr matrices (H.273 MatrixCoefficients) libswscale accepts; others it refuses
#: (EOPNOTSUPP). It reads 0, identity (G, B, R planes), as BT.601 Y'CbCr ((200, 40, 40)
#: came out (141, 19, 0)), so such frames go the float path (:mod:`.frame`); here 0 only
#: means a Y'CbCr -> Y'CbCr call may pass the frame's own tag.
SWSCALE_MATRICES = frozenset({0, 1, 2, 4, 5, 6, 7, 9})


#: The H.273 matrix codes of :func:`untagged_matrix`'s libswscale names.
UNTAGGED_CODES = {"ITU709": 1, "ITU601": 6}


def untagged_matrix(frame: av.VideoFrame) -> str | None:
    """The Y'CbCr matrix to assume for a frame whose colorspace is not tagged (y4m, raw,
    many old files), as players do: BT.709 for HD (width >= 1280 or height > 576), BT.601
    below; also for one tagged with a matrix libswscale cannot read (for what it reads
    anyway: an alpha plane; a Dolby Vision frame without a compatible base). None (use the
    frame's own tag) when it is tagged with one it can, or the frame is RGB."""
    if frame.colorspace is not None and int(frame.colorspace) != _UNSPECIFIED \
            and int(frame.colorspace) in SWSCALE_MATRICES:
        return None
    name = frame.format.name
    if name.startswith(("rgb", "bgr", "gbr", "argb", "abgr", "gray", "pal8", "0rgb", "0bgr")):
        return None
    return "ITU709" if frame.width >= 1280 or frame.height > 576 else "ITU601"


def analysis_size(width: int, height: int, pixel_aspect: float, long_side: int) -> tuple[int, int]:
    """Target (width, height) for a stored ``width`` x ``height`` frame whose pixels are
    ``pixel_aspect`` wide, so that the displayed long side becomes at most ``long_side``."""
    if long_side < 1:
        raise ValueError("long_side must be >= 1")
    display_w = width * pixel_aspect
    scale = min(1.0, long_side / max(display_w, height))
    return max(1, round(display_w * scale)), max(1, round(height * scale))
