"""What a decoded frame is converted to for analysis: its size (the displayed aspect kept,
never upscaled) and, for a frame whose colours are not tagged, the Y'CbCr matrix players
assume."""

from __future__ import annotations

import av

#: libswscale's threads for every analysis conversion (SDR to rgb24, HDR to 16-bit Y'CbCr or
#: float RGB). One: the image is small (160 x 90 by default) and the decoder's threads hold
#: the cores. With one thread per core every frame took 5-8 % longer on the 1080p H.264 and
#: MPEG-2 clips, the same on 4K HEVC and AV1; on a PQ-tagged copy of the 4K HEVC clip both
#: took the same time (within 1 %, default sampling and every frame). The output is the same
#: either way (checked on H.264, VP9 and 10-bit HEVC frames, and tone-mapped PQ frames).
SWSCALE_THREADS = 1

#: FFmpeg's AVCOL_SPC_UNSPECIFIED.
_UNSPECIFIED = 2


def untagged_matrix(frame: av.VideoFrame) -> str | None:
    """The Y'CbCr matrix to assume for a frame whose colorspace is not tagged (y4m, raw,
    many old files), as players do: BT.709 for HD (width >= 1280 or height > 576), BT.601
    below. None (use the frame's own tag) when it is tagged or the frame is RGB."""
    if int(frame.colorspace or 0) != _UNSPECIFIED and frame.colorspace is not None:
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
