"""Raw frames (``ffmpeg ... -f rawvideo -``): FFmpeg's demuxer options for them, and the
check that the input holds whole frames of the size and pixel format it was said to."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import av

from ..errors import InputError

log = logging.getLogger("streamprint")

#: FFmpeg's bounds on one raw frame: its ``av_image_check_size`` ((width + 128) x (height +
#: 128) below INT_MAX / 8) and a packet of at most INT_MAX bytes; beyond them the input could
#: not be opened ("Invalid argument").
_INT_MAX = 2 ** 31 - 1


def raw_demuxer(size: str, pix_fmt: str = "rgb24", rate: float | Fraction | str = 25,
                format: str | None = None) -> tuple[str, dict[str, str]]:
    """FFmpeg's demuxer name and options for raw frames of ``size`` (``"WIDTHxHEIGHT"``
    pixels), ``pix_fmt`` (FFmpeg's name) and ``rate`` (frames per second: a number, or text
    such as ``"30000/1001"``), handed to FFmpeg as the exact fraction (:class:`~streamprint.kinds.Rate`)."""
    from .. import params
    from ..errors import ParameterError

    if format not in (None, "rawvideo"):
        raise ParameterError("raw", f"reads raw frames; it cannot be combined with {{param:format}} {format}")
    w, h = params.check_size("raw", size)
    fps: Fraction = params.check("rate", rate)
    try:
        layout = av.VideoFormat(pix_fmt)
    except (ValueError, TypeError):
        raise ParameterError("pix_fmt", f"{pix_fmt!r} is not a pixel format FFmpeg knows (e.g. rgb24, yuv420p)") from None
    if not layout.components:  # cuda, vaapi, ...: FFmpeg could not open the input
        raise ParameterError("pix_fmt", f"{pix_fmt!r} is a hardware surface format, not pixels in memory: raw frames "
                                        "are in a software one (e.g. rgb24, yuv420p, nv12)")
    if (w + 128) * (h + 128) >= _INT_MAX // 8 or w * h * layout.padded_bits_per_pixel > 8 * _INT_MAX:
        raise ParameterError("raw", f"frames of {w}x{h} {pix_fmt} are larger than FFmpeg reads (under 268 million "
                                    "pixels, with some room, and 2 GiB a frame)")
    return "rawvideo", {"video_size": f"{w}x{h}", "pixel_format": pix_fmt, "framerate": f"{fps.numerator}:{fps.denominator}"}


def whole_frames(packets: Iterator[Any], name: str, info: Any, streaming: bool,
                 total: int | None = None) -> Iterator[Any]:
    """``packets`` (:class:`av.Packet`, or the exceptions damaged data raised) of raw frames,
    checked: FFmpeg's rawvideo demuxer cuts its input into packets of one frame's bytes, so
    only the last can be shorter. In a file that means the frames are not of the size or
    pixel format given (``info``, the opened stream's :class:`~streamprint.model.SourceInfo`):
    :class:`InputError`, at the first frame when the file's size (``total`` bytes) says so
    (it came at the last, after the progress bar had been drawn). On a stream
    (``streaming``: a pipe, a FIFO) the writer may also have stopped mid-frame (killed, a
    dropped connection), so the whole frames before are kept and the partial one is left
    out, with a warning that names both causes."""
    size = None
    for packet in packets:
        if isinstance(packet, av.Packet) and packet.size:
            left = total % packet.size if size is None and not streaming and total and total > 0 else 0
            size = size or packet.size
            if packet.size != size or left:
                what = f"{info.width}x{info.height} {info.pix_fmt}"
                if not streaming:
                    raise InputError(f"{name}: the raw frames do not fit {what} ({left or packet.size} bytes left "
                                     f"over after whole frames of {size}): check the raw frame size and pixel format")
                log.warning("%s: the stream ended %d bytes into a raw frame of %d (%s): cut mid-frame, so that "
                            "part is left out; if the frames look wrong, check the raw frame size and pixel format",
                            name, packet.size, size, what)
                continue
        yield packet
