"""Reading a part of a movie: where decoding starts, and which frames a range passes on.

On a seekable file the demuxer seeks to the keyframe before the start and decoding goes
forward from there, so a range costs what it holds: :func:`start_point` finds that keyframe
and the index it has among all the movie's frames, and the decode loop resumes there as
from a checkpoint (same indices and times as a pass from the beginning). The index is
counted, never decoded:

* when the container indexes every frame (MP4, MOV: ``index_entries`` as long as the
  stream), from the keyframe's place in that index, plus the open GOP's leading frames that
  follow it in decode order but come before it on screen, less the packets at the stream's
  beginning timed before its start (demuxed);
* otherwise (Matroska, WebM, NUT, y4m, ...) by demuxing the file again from its beginning
  up to the keyframe without decoding, one frame per packet, as ``--fast`` counts.

Either way a packet timed before the stream's start is no frame (:func:`.leading.before_start`,
the rule of every mode).

Streams (pipes, FIFOs), files whose timestamps may jump (MPEG-TS/PS) or carry decode times
only (AVI), and anything the checks here do not trust are decoded from the beginning, the
frames before the start dropped: slower, never different.

:func:`within` cuts the decoded frames to the range, keeping the frame just before the
start and the first one at or after the end, so the sampler decides every pick inside the
range from the same neighbours as in a pass over the whole movie.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from typing import Any, TypeVar

import av
import av.error

from .. import interrupt
from ..errors import ParameterError
from ..model import DecodeStats, ResumePoint, SourceInfo, TimeRange
from .leading import before_start
from .open import open_container
from .skip import LOOKAHEAD_PACKETS, Wanted
from .timeline import DISCONTINUOUS_FORMATS, DTS_TIMES_FORMATS, Timeline, picture_end

log = logging.getLogger("streamprint")

#: How many keyframes further back the start's keyframe is looked for, when the one the
#: demuxer finds lies at or after the start (B-frame delay, seek granularity).
MAX_STEPS_BACK = 8

T = TypeVar("T")


def within(frames: Iterator[T], start: float, end: float | None) -> Iterator[T]:
    """``frames`` (anything with ``.time``, in time order) from the last one before
    ``start`` to the first one at or after ``end`` (seconds), both included; then stops
    reading (the caller keeps only those inside [start, end))."""
    before = None
    for frame in frames:
        t = frame.time  # type: ignore[attr-defined]
        if t < start:
            before = frame
            continue
        if before is not None:
            yield before
            before = None
        yield frame
        if end is not None and t >= end:
            return


def seen_span(span: TimeRange, info: SourceInfo, timeline: Timeline | None, passed: Passed,
              live: bool = False) -> TimeRange:
    """``span`` as far as the input went: an end past the movie's end is its end. A range
    whose end no frame reached, in an input that ended before it (``passed.ended``), ends at
    the stated duration or where the last frame read ends, whichever is later (a stream
    that ended at 10 s of ``--end 100`` was drawn with its 10 s squeezed into the first
    tenth); a ``live`` snapshot, mid-run, ends where the last frame read ends. Not when only
    keyframes are decoded (``passed.keyframes``): the last keyframe is not where the movie
    ends. A range whose end lies past the stated duration ends there too, however the
    reading stopped (``--samples`` stops after its last time: ``--end 1:00:00`` of a 12-s
    file was said and saved as 0:00:00 to 1:00:00); with every frame read, not before the
    last frame's end (a header that understates the length)."""
    if passed.after is not None:
        return span
    if span.end is None:
        # a snapshot of a file read so far (--flush) ends where the reading got, not at the
        # file's end: its last sample stood for the whole unread rest (36 s of a 60-s movie,
        # 61 % of the movie's palette)
        if not (live and not passed.ended and not passed.keyframes and info.duration is not None):
            return span
        end = picture_end(info, timeline)
        return TimeRange(span.start, end) if end is not None and span.start < end < info.duration else span
    # picture_end: after every frame read, so after every sample
    if not passed.keyframes and live and not passed.ended:
        # a snapshot mid-run (or the last, of a run an interrupt stopped) of a range: where
        # the reading got, not the file's end (its last sample was drawn over 17 s never read)
        end = picture_end(info, timeline) or span.end
    elif not passed.keyframes and passed.ended:
        end = max(info.duration or 0.0, picture_end(info, timeline) or 0.0)
    elif info.duration is not None and span.end > info.duration:
        end = info.duration if passed.keyframes else max(info.duration, picture_end(info, timeline) or 0.0)
    else:
        return span
    return TimeRange(span.start, end) if span.start < end < span.end else span


class Passed:
    """What the frames around a range were (times, seconds), to say why it gave no sample:
    :meth:`watch` them go by, then ask :meth:`error`."""

    def __init__(self, start: float, end: float | None, keyframes: bool = False) -> None:
        self.start, self.end, self.keyframes = start, end, keyframes
        self.ended = False  # the frames ran out (the input ended), not the sampling's wants
        self.before: float | None = None  # the last frame before the start
        self.after: float | None = None  # the first frame at or after the end
        self.after_index: int | None = None  # and its index
        self.indices: tuple[int, int] | None = None  # of the first and last frame seen inside
        self.last: float | None = None

    def watch(self, frames: Iterator[T]) -> Iterator[T]:
        for frame in frames:
            t = self.last = frame.time  # type: ignore[attr-defined]
            if t < self.start:
                self.before = t
            elif self.end is None or t < self.end:
                index = frame.index  # type: ignore[attr-defined]
                self.indices = (index, index) if self.indices is None else (self.indices[0], index)
            elif self.after is None:
                self.after, self.after_index = t, frame.index  # type: ignore[attr-defined]
            yield frame
        # not reached when the consumer stops pulling (--samples past its last); and a stop
        # request (--flush) ends the frames before the input ends
        self.ended = not interrupt.requested()

    def frames_inside(self, first_sampled: int | None = None) -> int | None:
        """How many frames the range holds, skipped ones included: from the first one seen
        inside it (or ``first_sampled``, the index of the first sample's frame, when that
        is earlier: a run resumed from a checkpoint saw none before it) to the first one at
        or after its end, or to the last one seen when the input ended first. None when
        none was seen inside."""
        if self.indices is None:
            return None
        first, last = self.indices
        if first_sampled is not None:
            first = min(first, first_sampled)
        return (self.after_index if self.after_index is not None else last + 1) - first

    def error(self, name: str, what: str = "frame") -> ParameterError:
        """The usage error of a range that gave no sample: it lies past the last frame (a
        stream, whose duration was not known), between two frames, or holds frames the
        sampling picks none of. ``what``: "keyframe" when only keyframes are read."""
        span = f"{self.start:g} s to {'the end' if self.end is None else f'{self.end:g} s'}"
        if self.indices is not None:
            # which frames, not how many: a count of the frames seen would leave out those
            # skipped as no sample's ("holds 5 frames" where there were 15)
            first, last = self.indices
            held = f"{what} {first}" if first == last else f"{what}s {first}-{last}"
            return ParameterError("time_range", f"({span}) holds {held} of {name}, but the sampling picks "
                                                "none of them")
        if self.after is None:
            return ParameterError("start", f"({self.start:g} s) lies past the last {what} of {name}"
                                           + ("" if self.last is None else f", at {self.last:.3f} s"))
        if self.before is None:
            return ParameterError("time_range", f"holds no {what}: {span} of {name} ends before its first "
                                                f"{what}, at {self.after:.3f} s")
        return ParameterError("time_range", f"holds no {what}: {span} of {name} lies between the {what}s at "
                                            f"{self.before:.3f} s and {self.after:.3f} s")


def restrict(wanted: Wanted | None, start: float) -> Wanted | None:
    """``wanted`` (see :data:`.skip.Wanted`) for a range from ``start``: a frame whose later
    neighbour lies before the start cannot decide any pick inside the range."""
    if wanted is None or start <= 0:
        return wanted
    return lambda a, b: b >= start - 1e-6 and wanted(a, b)


def reopener(path: Any, name: str, format: str | None, options: Mapping[str, str] | None) -> Callable[[], Any] | None:
    """A way to open the file ``path`` again (a container of its own, for
    :func:`start_point` to count frames in), None when it is no file name (a file object)."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    return lambda: open_container(path, name, format, options)[0]


def start_point(container: Any, stream: Any, start: float, keyframes_only: bool,
                reopen: Callable[[], Any] | None) -> ResumePoint | None:
    """Where decoding starts for a range from ``start`` seconds (see the module
    docstring): the keyframe before the start, its index among all frames and its time
    origin, as a :class:`ResumePoint`; None to decode from the beginning.

    ``container`` (the one that will be decoded) is only looked at, never moved: the seeks
    that find the keyframe happen in a container of their own (``reopen``), so that when
    the answer is None, decoding still starts at the first packet."""
    tb = stream.time_base
    untrusted = container.format.name in DISCONTINUOUS_FORMATS or container.format.name in DTS_TIMES_FORMATS
    if not tb or stream.start_time is None or start <= 0 or untrusted or reopen is None:
        return None
    origin = float(stream.start_time * tb)
    # in ticks, exactly: a keyframe at the start itself must not pass for one before it. The
    # decimal the start was written as (repr), not the float's binary value: Fraction(3.6) is
    # 3.6000000000000000888, so a keyframe at 3.6 s passed for one before it, decoding began
    # on the start frame, and the sampler never saw the frame before it it needed
    ticks = Fraction(repr(float(start))) / tb
    try:
        with contextlib.closing(reopen()) as probe:
            key = _key_before(probe, probe.streams[stream.index], stream.start_time + math.floor(ticks),
                              ticks, stream.start_time)
        if key is None:
            return None
        pts, dts, leading = key
        counted = _index_count(stream, dts, keyframes_only)
        early = _demux_count(reopen, stream.index, stream.start_time, None) if counted is not None else None
        if counted is not None and early is not None:  # (early: the packets timed before the start)
            frames, keyframes = counted[0] + leading - early[0], counted[1] - early[1]
        else:
            counted = _demux_count(reopen, stream.index, pts, stream.start_time)
            if counted is None:
                return None
            frames, keyframes = counted
    except (av.error.FFmpegError, OSError, ValueError, IndexError) as exc:
        log.debug("cannot seek to the range's start (%s): decoding from the beginning", exc)
        return None
    log.debug("range from %.3f s: decoding from the keyframe at %.3f s, frame %d", start,
              float(pts * tb) - origin, frames)
    return ResumePoint(int(pts), frames, origin, DecodeStats(keyframes if keyframes_only else frames, 0, 0))


def _key_before(container: Any, stream: Any, target: int, start: Fraction,
                first: int) -> tuple[int, int | None, int] | None:
    """(pts, dts (None when the packet has none), leading) of the last keyframe strictly before ``start`` (ticks after the
    stream's ``first`` pts, exact), found by seeking (the demuxer lands on the keyframe at or
    before ``target``, in ticks); leading: packets after it in decode order that are shown
    before it. None if the seek cannot be trusted (it lands on no keyframe, or on the first
    one: decode from the beginning)."""
    for _ in range(MAX_STEPS_BACK):
        found = _seek_key(container, stream, target)
        if found is None:
            return None
        pts, dts, _ = found
        if pts - first < start:
            if pts <= first:
                return None  # the first keyframe: nothing to skip
            again = _seek_key(container, stream, pts)  # where the decode loop will land
            return (pts, dts, again[2]) if again is not None and again[0] == pts else None
        target = min(dts if dts is not None else pts, pts) - 1
        if target < first:
            return None
    return None


def _seek_key(container: Any, stream: Any, target: int) -> tuple[int, int | None, int] | None:
    """Seek to ``target`` ticks as the decode loop's resume does; (pts, dts, leading) of
    the keyframe it lands on, None when the first packet is no keyframe or has no pts."""
    container.seek(target, backward=True, any_frame=False, stream=stream)
    first = None
    leading = 0
    seen = 0
    for packet in container.demux(stream):
        if packet.size == 0:
            break
        if first is None:
            if not packet.is_keyframe or packet.pts is None:
                return None
            first = packet
        else:
            if packet.pts is None:
                return None
            leading += packet.pts < first.pts
            seen += 1
            if seen >= LOOKAHEAD_PACKETS:
                break
    if first is None:
        return None
    return int(first.pts), None if first.dts is None else int(first.dts), leading


def _index_count(stream: Any, dts: int | None, keyframes_only: bool) -> tuple[int, int] | None:
    """(frames, keyframes) before the keyframe whose decode time is ``dts``, in decode order,
    from a container index that holds every frame (MP4, MOV); None when there is none."""
    entries = stream.index_entries
    if dts is None or not stream.frames or len(entries) != stream.frames:
        return None
    pos = entries.search_timestamp(dts, backward=True, any_frame=True)
    if pos < 0 or entries[pos].timestamp != dts or not entries[pos].is_keyframe:
        return None
    frames = keyframes = 0
    for i in range(pos):
        entry = entries[i]
        if not entry.is_discard:  # dropped by the demuxer's edit list, never shown
            frames += 1
            keyframes += entry.is_keyframe
    return frames, keyframes


def _demux_count(reopen: Callable[[], Any], index: int, pts: int, start: int | None) -> tuple[int, int] | None:
    """(frames, keyframes) whose pts lies below ``pts`` and not before the stream's ``start``
    (ticks; None: every one), one per packet, by demuxing the file again from its beginning
    without decoding; None if a packet has no pts."""
    frames = keyframes = after = 0
    container = reopen()
    with contextlib.closing(container):
        stream = container.streams[index]
        for other in container.streams:
            if other.index != index:
                other.discard = "all"  # the demuxer need not even read them
        for packet in container.demux(stream):
            if packet.size == 0 or packet.is_discard:  # discarded: before an edit list's start, no frame
                continue
            if packet.pts is None:
                return None
            if packet.pts < pts:
                counted = not before_start(packet.pts, start)
                frames += counted
                keyframes += counted and packet.is_keyframe
                after = 0
            else:
                after += 1
            # decode time past pts: every later packet is shown later; no dts: a window
            if (packet.dts is not None and packet.dts > pts) or after > LOOKAHEAD_PACKETS:
                break
    return frames, keyframes
