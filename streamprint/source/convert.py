"""What a decoded frame is converted to for analysis: its size (the displayed aspect kept,
never upscaled) and, for a frame whose colours are not tagged, the Y'CbCr matrix players
assume."""

from __future__ import annotations

import av

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
