"""Frame times a viewer sees: FFmpeg's best-effort timestamp per frame, and one monotonic
timeline across timestamp discontinuities (joined MPEG-TS, broken captures, 33-bit wraps).

PyAV 18 does not expose ``AVFrame.best_effort_timestamp``; :class:`BestEffort` computes it
from the two values it is made of, the frame's reordered pts and its packet's dts
(``frame.pts``, ``frame.dts``), the way libavcodec's ``guess_correct_pts`` does: count the
times each sequence failed to increase, and trust the pts unless it failed more often than
the dts (or there is no dts). That is what ``ffprobe -show_frames`` prints as
``best_effort_timestamp_time``; on AVI with packed B-frames the pts go backwards and the dts
are what players use. :func:`with_joined_duration` measures that timeline's length before
decoding (from the packets alone), for sampling that spreads over the duration.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from .. import interrupt
from ..model import SourceInfo
from .open import STDIN, best_video_stream, open_container
from .stream import is_stream

log = logging.getLogger("streamprint")

#: A forward jump longer than this (seconds) in a container whose timestamps may be
#: discontinuous (MPEG-TS, MPEG-PS) is a discontinuity, not a gap in the footage: FFmpeg's
#: own ``-dts_delta_threshold`` default for such formats.
JUMP_SECONDS = 10.0
#: A backward step of at most this many frame durations is timestamp jitter (a duplicate or
#: a slightly early pts): the frame is placed one frame after the last one, without a warning.
JITTER_FRAMES = 2.0
#: FFmpeg demuxers whose timestamps can jump (AVFMT_TS_DISCONT).
DISCONTINUOUS_FORMATS = frozenset({"mpegts", "mpeg", "vob", "mpegvideo", "dvd", "svcd", "mpegtsraw", "rtp",
                                   "h264", "hevc", "m4v", "rtsp"})

#: Demuxers whose packets carry decode times only (one chunk per frame interval): a frame's
#: time is its packet dts, never a pts reordered by the decoder. ASF as FFmpeg writes and
#: reads it: H.264's pts are the dts plus one frame, in decode order, as in AVI.
DTS_TIMES_FORMATS = frozenset({"avi", "asf"})


#: A file whose frames end this much short of the count its container states was most
#: likely cut short (a copy or download that stopped): a share of that count, and seconds
#: of frames (containers estimate counts from durations that may include a longer audio).
CUT_SHORT_SHARE = 0.05
CUT_SHORT_SECONDS = 2.0


def cut_short_slack(length: float) -> float:
    """Seconds a stream of ``length`` seconds may end short of it before it is taken for cut
    short (the slack above)."""
    return max(CUT_SHORT_SHARE * length, CUT_SHORT_SECONDS)


def frames_missing(info: SourceInfo, frames: int, timeline: Timeline | None = None,
                   holes: bool = True, damaged: bool | None = None) -> tuple[int, float | None]:
    """How many of the frames ``info`` states the stream has were never found, when that is
    more than the slack above (else 0): ``frames`` is the count read to the end; and where
    they are missing: None at the end (the file looks cut short), else the time (seconds)
    where the longest gap between two frames starts (a hole: an unfinished download that
    preallocated the file). With the ``timeline`` the frames were placed on, a count alone
    is not enough: the frames must also end short of the stated length, or leave a gap, by
    more than the slack. A count is often not stated but estimated from the duration and the
    average rate (Matroska, WebM), which overstates a variable frame rate, and AVI states the
    empty chunks of dropped frames, which FFmpeg drops, in its count; the frames span the
    whole length without a long gap in both. The stated length is the duration, and in AVI
    and ASF the longer of it and the count at the frame rate: FFmpeg measures a truncated
    AVI's duration from what is left of it, while its header still states every frame.
    (Elsewhere the count may hold frames never shown: an MP4 cut with ``-c copy`` counts
    the frames before its edit list's start, decoded as references only, and a 20-s cut
    with 2.3 s of them was said to be cut short.) Without ``holes`` (keyframes only: the
    gaps between the frames placed are the GOPs'), the frames are missing at the end or
    not at all. ``damaged``: whether the file shows damage (a stretch of bytes the demuxer
    skipped between two video packets, damaged packets or frames): a gap without it is a
    variable frame rate's still, which the file holds no frames for (a Matroska slideshow with
    a 6-s still was said to be damaged there), not a hole; None: not known (the gap alone)."""
    if info.frame_count is None:
        return 0, None
    rate = info.frame_rate or 24.0
    missing = info.frame_count - frames
    slack = max(CUT_SHORT_SHARE * info.frame_count, CUT_SHORT_SECONDS * rate)
    end = picture_end(info, timeline)
    if missing <= slack or timeline is None or end is None:
        return (missing, None) if missing > slack else (0, None)
    counted = info.frame_count / rate
    length = max(info.duration or 0.0, counted) if info.container in DTS_TIMES_FORMATS or not info.duration \
        else info.duration
    allowed = cut_short_slack(length)
    if length - end > allowed:
        return missing, None
    if not holes or damaged is False:
        return 0, None
    gap, at = timeline.gap
    return (missing, at) if gap - 1 / rate > allowed else (0, None)


def picture_end(info: SourceInfo, timeline: Timeline | None) -> float | None:
    """Seconds from the start to the end of the last frame placed on ``timeline`` (it lasts
    one frame at ``info``'s rate), None before any."""
    if timeline is None or not math.isfinite(timeline.last):
        return None
    return timeline.last + 1 / (info.frame_rate or 24.0)


def checked_length(info: SourceInfo, frames: int, timeline: Timeline | None, joined: bool = False,
                   holes: bool = True, damaged: bool | None = None) -> SourceInfo:
    """``info`` once the stream was read to the end: a warning when frames are missing
    (:func:`frames_missing`); and a duration that is where the picture ends, when it is
    known to end elsewhere than stated: a file cut short ends at its last frame (a strip
    drawn by time, a page and a gallery card showed its last frame over the missing rest),
    a stream whose timestamps jumped (``joined``) is as long as the one timeline its
    parts were joined into (FFmpeg's duration covers the first part), and one that states
    no length is as long as it was read. ``holes``, ``damaged``: as :func:`frames_missing` takes them."""
    missing, hole = frames_missing(info, frames, timeline, holes, damaged)
    end = picture_end(info, timeline)
    if missing and hole is None:
        log.warning("%s: the video ends after %d of the %d frames its container states: the file looks cut short; "
                    "the strip shows what is there", info.path, frames, info.frame_count)
        return info if end is None else dataclasses.replace(info, duration=end)
    if missing:
        log.warning("%s: %d of the %d frames its container states are missing, most at %.1f s: the file looks "
                    "damaged there; the strip shows what is there", info.path, missing, info.frame_count, hole)
    if end is not None and (info.duration is None or (joined and end > info.duration)):
        # a stream that states no length (a pipe) has the one it was read to: its strip was
        # drawn to a guess, its last sample over half of it, and its data file held none
        return dataclasses.replace(info, duration=end)
    return info


def exact_origin(origin: float | None, time_base: Fraction | None) -> Fraction | None:
    """The stream's start ``origin`` (seconds, a float as a resume point keeps it) as the
    whole number of ``time_base`` ticks it was made from, so that frame times stay exact
    differences of ticks (``float(start_time * time_base)`` always rounds back to it); the
    float itself when it is no such number, None when unknown."""
    if origin is None:
        return None
    if time_base:
        exact = round(Fraction(origin) / time_base) * time_base
        if float(exact) == origin:
            return exact
    return Fraction(origin)


class BestEffort:
    """libavcodec's best-effort timestamp, per frame, in the stream's time base."""

    def __init__(self) -> None:
        self.faulty_pts = self.faulty_dts = 0
        self.last_pts: int | None = None
        self.last_dts: int | None = None

    def __call__(self, pts: int | None, dts: int | None) -> int | None:
        if dts is not None:
            self.faulty_dts += self.last_dts is not None and dts <= self.last_dts
            self.last_dts = dts
        elif pts is not None:
            self.last_dts = pts
        if pts is not None:
            self.faulty_pts += self.last_pts is not None and pts <= self.last_pts
            self.last_pts = pts
        elif dts is not None:
            self.last_pts = dts
        if (self.faulty_pts <= self.faulty_dts or dts is None) and pts is not None:
            return pts
        return dts

    @property
    def pts_reliable(self) -> bool:
        """False once a frame's pts failed to increase: pts-based reasoning (which packets to
        skip, keyframe indices) must not be trusted from then on."""
        return self.faulty_pts == 0


@dataclass(frozen=True)
class Discontinuity:
    """Where the timeline was joined: the frame's index, the time it was placed at, and how
    far its own timestamp had jumped (seconds, negative = back)."""

    index: int
    time: float
    jump: float


def jumped(last: float, t: float, step: float, forward: bool) -> bool:
    """The rule of a discontinuity, in every mode: a time ``t`` (seconds) that comes right
    after ``last`` in the order times increase in (frames in presentation order, as decoding
    places them; packets' decode times in decode order, as keyframes only, skipping and
    :func:`joined_length` split a stream into parts: :mod:`.skip`) lies more than
    :data:`JITTER_FRAMES` frames (``step`` seconds) before it, or, where the format's
    timestamps may jump (``forward``), more than :data:`JUMP_SECONDS` after it."""
    return last - t > JITTER_FRAMES * step or (forward and t - last > JUMP_SECONDS)


@dataclass(frozen=True)
class Jumps:
    """A stream whose timestamps may jump (a format in :data:`DISCONTINUOUS_FORMATS`): its
    ``time_base`` (seconds per tick) and one frame's length (``step``, seconds), with which
    its packets' decode times are judged by :func:`jumped`."""

    time_base: Fraction
    step: float


class Timeline:
    """Stream times (seconds from the stream's start, possibly jumping) to one timeline that
    always increases: after a jump back, or a jump forward of more than :data:`JUMP_SECONDS`
    where timestamps may be discontinuous, the new part continues one frame after the old."""

    def __init__(self, step: float, jumps_forward: bool, offset: float = 0.0, last: float = -math.inf,
                 quiet: bool = False) -> None:
        self.step = step
        self.jumps_forward = jumps_forward
        self.offset = offset
        self.last = last
        self.quiet = quiet  # no warning per jump (a measuring pass; the decoding pass warns)
        self.discontinuities: list[Discontinuity] = []
        self.gap = (0.0, 0.0)
        """The longest step from one frame placed to the next, and where it starts (seconds)."""

    def extend(self, raw: float) -> None:
        """A frame at ``raw`` (the stream's own time, as :meth:`place` takes it) came before
        the next one placed, though it is not placed itself (the decoder skipped it): the
        next one is judged, and after a jump placed, from there."""
        self.last = max(self.last, raw + self.offset)

    def place(self, raw: float | None, index: int, frames: int = 1) -> float:
        """The time of frame ``index`` whose own time is ``raw`` (None: unknown, placed
        ``frames`` frames after the last one placed: more than one when the frames between
        were skipped)."""
        if raw is None:
            t = self.last + frames * self.step if math.isfinite(self.last) else 0.0
        else:
            t = raw + self.offset
            if math.isfinite(self.last):
                discontinuous = jumped(self.last, t, self.step, self.jumps_forward)
                if discontinuous or t <= self.last:
                    target = self.last + self.step
                    if discontinuous:
                        jump = t - self.last
                        self.discontinuities.append(Discontinuity(index, target, jump))
                        if not self.quiet:
                            log.warning("timestamps jump %s by %.3f s at frame %d: the next part is placed "
                                        "right after the previous one, at %.3f s",
                                        "back" if jump < 0 else "forward", abs(jump), index, target)
                        self.offset += target - t  # the frames after it follow it
                    t = target  # jitter: this frame alone moves
            t = max(0.0, t)
        if math.isfinite(self.last) and t - self.last > self.gap[0]:
            self.gap = (t - self.last, self.last)
        self.last = t
        return t


def numbered(packets: Iterator[Any], time_base: Fraction | None, rate: float | Fraction | None) -> Iterator[Any]:
    """Keyframes only, in a stream without timestamps (raw H.264/HEVC): each packet is given
    its place in decode order, one frame apart at ``rate`` (frames per second), as its pts
    and dts in ``time_base`` ticks. A keyframe opens its GOP, so the packets before it are
    the frames before it (an open GOP's leading frames make this approximate), and the
    keyframe count and the timeline work from these as from real timestamps. Stops at the
    first real timestamp. ``packets`` may hold exceptions (damaged stretches): passed on."""
    if time_base is None or not rate or float(rate) <= 0:
        yield from packets
        return
    ticks = 1.0 / (float(rate) * float(time_base))
    position = 0
    for packet in packets:
        if position >= 0 and isinstance(packet, av.Packet) and packet.size:
            if packet.pts is None and packet.dts is None:
                packet.pts = packet.dts = round(position * ticks)
                position += 1
            else:
                position = -1  # the stream has timestamps after all
        yield packet


def joined_length(packets: Iterable[tuple[int | None, int | None]], time_base: float, origin: float | None,
                  step: float, jumps_forward: bool) -> tuple[float | None, int]:
    """(seconds, discontinuities): how long the one timeline the decoding pass builds will be,
    measured from the video packets' (pts, dts) in decode order (stream time base ticks,
    ``time_base`` seconds each) without decoding. The dts, which increase in decode order,
    find the jumps the way :class:`Timeline` does and so split the stream into parts; the
    timeline puts each part one frame (``step`` s) after the last frame of the one before,
    so its length is the sum of the parts' spans of pts, plus one frame each (a container's
    duration includes its last frame's). The first part starts at ``origin`` (the stream's
    start, seconds; None: its earliest pts). None when a packet has no timestamp at all."""
    line = Timeline(step, jumps_forward, quiet=True)
    first = None
    parts: list[list[float]] = []  # [earliest, latest] pts of each part, seconds
    for i, (pts, dts) in enumerate(packets):
        decode_time = dts if dts is not None else pts
        if decode_time is None:
            return None, len(line.discontinuities)
        d = decode_time * time_base
        first = d if first is None else first
        jumps = len(line.discontinuities)
        line.place(d - first, i)
        shown = (pts if pts is not None else decode_time) * time_base
        if not parts or len(line.discontinuities) > jumps:
            parts.append([shown, shown])
        else:
            parts[-1] = [min(parts[-1][0], shown), max(parts[-1][1], shown)]
    if not parts:
        return None, 0
    if origin is not None:
        parts[0][0] = origin
    return sum(last - start + step for start, last in parts), len(line.discontinuities)


#: Packets demuxed between two checks for an interrupt while measuring a joined timeline.
_SCAN_CHECK_EVERY = 2048


def with_joined_duration(info: SourceInfo, path: Any, format: str | None,
                         options: Mapping[str, str] | None) -> SourceInfo:
    """``info``, with the length of the one timeline decoding will build when the stream's
    timestamps jump (MPEG-TS/PS joined with ``cat``, broken captures): FFmpeg's duration is
    the last pts minus the first, which after a reset covers the first part only, and after
    a far jump forward includes the gap. Measured from one demuxing pass over the video
    packets (no decoding; about 0.2 s per 100 MB read); done only for a file whose format
    may jump, since only the time-spread sampling (``samples``) needs the duration in
    advance, and a time range is checked against the duration. ``info`` unchanged when
    nothing jumps or it cannot be measured."""
    if info.container not in DISCONTINUOUS_FORMATS or not isinstance(path, (str, os.PathLike)) \
            or is_stream(path) or (os.fspath(path) != STDIN and not Path(path).is_file()):
        return info
    container, _ = open_container(path, info.path, format, options)
    with container:
        stream = best_video_stream(container, info.path)
        if stream.time_base is None:
            return info
        rate = stream.guessed_rate or info.frame_rate
        step = 1.0 / float(rate) if rate and float(rate) > 0 else 1.0 / 25.0
        origin = float(stream.start_time * stream.time_base) if stream.start_time is not None else None

        def packets() -> Any:
            for n, packet in enumerate(container.demux(stream)):
                if n % _SCAN_CHECK_EVERY == 0:
                    interrupt.check()
                if packet.size:
                    yield packet.pts, packet.dts

        try:
            length, jumps = joined_length(packets(), float(stream.time_base), origin, step,
                                          jumps_forward=True)
        except (av.error.FFmpegError, OSError, IndexError):  # damaged: the decoding pass will say
            return info
    if not jumps or length is None or length <= 0:
        return info
    frame_count = max(1, round(length * info.frame_rate)) if info.frame_rate else info.frame_count
    log.info(
        "%s: the timestamps jump %d time(s): the joined timeline is %.3f s long (the container says %s)",
        info.path, jumps, length, "nothing" if info.duration is None else f"{info.duration:.3f} s")
    return dataclasses.replace(info, duration=length, frame_count=frame_count)

