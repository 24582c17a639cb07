"""The video's own length where its container states none for the stream (NUT, FLV; or,
for a stream that states no start, one FFmpeg copied from the container's):
FFmpeg's container duration there is the longest stream's, often the audio's (a 3-s picture
with 6 s of sound was "6 s" long, warned of as cut short, and ``--end -1`` counted back
from the sound's end), and is where the last timestamp lies rather than how long the
picture lasts (B-frames start a stream 2 frames late: NUT's 3-s clip was 3.04 s, FLV's
3.08 s). :func:`measured_length` reads it from the last packets instead: a seek near the
end and a demux to it, no decoding (a NUT file's index lands the seek). It reads at most
:data:`MAX_READ_BYTES`: an FLV without a keyframe index (FFmpeg writes none unless told) is
demuxed from its start to seek, about 0.2 s per 100 MB once cached; past the budget the
container's length stands. (64 MiB, the first budget, gave a 146-MB FLV its audio's length
again.)"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from typing import Any

import av
import av.error

from .. import interrupt
from ..errors import Interrupted, StreamprintError
from .timeline import cut_short_slack

log = logging.getLogger("streamprint")

#: How far before the container's end (seconds) the first look for the video's last packets
#: starts; each further look starts four times as far back, until the stream's start.
FIRST_LOOK_SECONDS = 8.0
#: Packets demuxed between two checks for an interrupt.
_CHECK_EVERY = 2048
#: The most a measurement reads, bytes (a seek, then the packets to the end).
MAX_READ_BYTES = 1 << 30


class _Budget(io.RawIOBase):
    """A file read through at most ``limit`` bytes, then at its end (FFmpeg's reads see
    EOF: an exception raised to them is printed by PyAV and dropped); ``spent`` says so."""

    def __init__(self, path: str | os.PathLike[str], limit: int) -> None:
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - closed with this
        self._left, self.spent = limit, False

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            self.spent = True
            return 0
        n = self._file.readinto(memoryview(buffer)[:self._left]) or 0
        self._left -= n
        return n

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def measured_length(path: str | os.PathLike[str], demuxer: str, stream_index: int, frame_rate: float | None,
                    limit: int = MAX_READ_BYTES) -> float | None:
    """Seconds from the video stream's start (where it states none, its first frame shown:
    :func:`first_shown`) to the end of its last frame in presentation order (its largest pts
    plus that packet's duration, one frame at ``frame_rate`` where the packet states none), from the file at ``path`` opened again with ``demuxer``, reading at
    most ``limit`` bytes. None when it cannot be measured (no timestamps, a seek FFmpeg
    refuses, a damaged end, the bytes spent), and when every stream ends well before the
    container says the longest does (a file cut short, whose header states the whole
    length: kept, the cut is found and said by the frames missing)."""
    try:
        with _Budget(path, limit) as budget, \
                contextlib.closing(av.open(budget, format=demuxer.split(",")[0], metadata_errors="ignore")) as c:
            length = _length(c, c.streams[stream_index], frame_rate)
    except Interrupted:
        raise
    except (av.error.FFmpegError, StreamprintError, OSError, ValueError, IndexError) as exc:
        log.debug("the video's own length could not be measured: %s", exc)
        return None
    if budget.spent:
        log.debug("the video's own length was not measured: it took more than %d bytes to reach", limit)
        return None
    return length


def first_shown(container: Any, stream: Any) -> int | None:
    """The pts of the first frame ``stream`` shows, where its times count from when it states
    no start (:func:`.leading.before_start`): its first keyframe's, read from the packets
    (decode order; those timed before it are its leading pictures, which no decoder shows:
    a NUT cut at an open GOP's keyframe states no start, and its length counted from them,
    8.083 s for 8.0 s of frames). None when that keyframe has no pts."""
    for n, packet in enumerate(container.demux(stream)):
        if n % _CHECK_EVERY == 0:
            interrupt.check()
        if packet.size and packet.is_keyframe:
            return packet.pts
    return None


def _length(container: Any, stream: Any, frame_rate: float | None) -> float | None:
    tb = stream.time_base
    if not tb or not container.duration:
        return None
    start = stream.start_time if stream.start_time is not None else first_shown(container, stream)
    if start is None:
        return None
    stated = container.duration / av.time_base
    stated_end = (container.start_time or 0) / av.time_base + stated  # seconds, as the pts are
    frame = 1 / (frame_rate * tb) if frame_rate else 0
    back = FIRST_LOOK_SECONDS
    while True:
        target = max(start, int(stated_end / tb - back / tb))
        container.seek(target, stream=stream, backward=True)
        ends: dict[int, tuple[int, Any]] = {}  # per stream: the latest end seen, ticks, and the time base
        untimed = False
        for n, packet in enumerate(container.demux()):
            if n % _CHECK_EVERY == 0:
                interrupt.check()
            index = packet.stream.index
            if not packet.size or packet.stream.time_base is None:
                continue
            if packet.pts is None:
                untimed = untimed or index == stream.index
                continue
            ticks = packet.pts + (packet.duration or (frame if index == stream.index else 0))
            if index not in ends or ticks > ends[index][0]:
                ends[index] = (ticks, packet.stream.time_base)
        last = ends[stream.index][0] if stream.index in ends else None
        if last is not None:  # the video's last packets lie after where this look began
            longest = max(float(ticks * base) for ticks, base in ends.values())  # (seconds, once per stream)
            if stated_end - longest > cut_short_slack(stated):
                return None  # every stream ends short of the stated end: cut short
            return float((last - start) * tb)
        if untimed or target <= start:
            return None
        back *= 4
