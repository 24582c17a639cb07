"""The video's own length where its container states none for the stream (NUT, FLV):
FFmpeg's container duration there is the longest stream's, often the audio's (a 3-s picture
with 6 s of sound was "6 s" long, warned of as cut short, and ``--end -1`` counted back
from the sound's end), and is where the last timestamp lies rather than how long the
picture lasts (B-frames start a stream 2 frames late: NUT's 3-s clip was 3.04 s, FLV's
3.08 s). :func:`measured_length` reads it from the last packets instead: a seek near the
end and a demux to it, no decoding (a NUT file's index lands the seek; an FLV without one
is demuxed through once, about 0.2 s per 100 MB)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import av
import av.error

from .. import interrupt
from ..errors import Interrupted, StreamprintError
from .timeline import CUT_SHORT_SECONDS, CUT_SHORT_SHARE

log = logging.getLogger("streamprint")

#: How far before the container's end (seconds) the first look for the video's last packets
#: starts; each further look starts four times as far back, until the stream's start.
FIRST_LOOK_SECONDS = 8.0
#: Packets demuxed between two checks for an interrupt.
_CHECK_EVERY = 2048


def measured_length(reopen: Callable[[], Any], stream_index: int, frame_rate: float | None) -> float | None:
    """Seconds from the video stream's start to the end of its last frame in presentation
    order (its largest pts plus that packet's duration, one frame at ``frame_rate`` where the
    packet states none), from a container of its own (``reopen``). None when it cannot be
    measured (no timestamps, a seek FFmpeg refuses, a damaged end), and when every stream
    ends well before the container says the longest does (a file cut short, whose header
    states the whole length: kept, the cut is found and said by the frames missing)."""
    try:
        with contextlib.closing(reopen()) as container:
            return _length(container, container.streams[stream_index], frame_rate)
    except Interrupted:
        raise
    except (av.error.FFmpegError, StreamprintError, OSError, ValueError, IndexError) as exc:
        log.debug("the video's own length could not be measured: %s", exc)
        return None


def _length(container: Any, stream: Any, frame_rate: float | None) -> float | None:
    tb, start = stream.time_base, stream.start_time
    if not tb or start is None or not container.duration:
        return None
    stated = container.duration / av.time_base
    stated_end = (container.start_time or 0) / av.time_base + stated  # seconds, as the pts are
    frame = 1 / (frame_rate * tb) if frame_rate else 0
    back = FIRST_LOOK_SECONDS
    while True:
        target = max(start, int(stated_end / tb - back / tb))
        container.seek(target, stream=stream, backward=True)
        last, longest, untimed = None, -float("inf"), False
        for n, packet in enumerate(container.demux()):
            if n % _CHECK_EVERY == 0:
                interrupt.check()
            if not packet.size or packet.stream.time_base is None:
                continue
            if packet.pts is None:
                untimed = untimed or packet.stream.index == stream.index
                continue
            ticks = packet.pts + (packet.duration or (frame if packet.stream.index == stream.index else 0))
            longest = max(longest, float(ticks * packet.stream.time_base))
            if packet.stream.index == stream.index:
                last = ticks if last is None else max(last, ticks)
        if last is not None:  # the video's last packets lie after where this look began
            if stated_end - longest > max(CUT_SHORT_SHARE * stated, CUT_SHORT_SECONDS):
                return None  # every stream ends short of the stated end: cut short
            return float((last - start) * tb)
        if untimed or target <= start:
            return None
        back *= 4
