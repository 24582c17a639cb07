"""Stage 1, the source: open a movie with PyAV and yield its frames in presentation order.

Frames are not converted here until asked: :meth:`SourceFrame.to_rgb` downscales and
converts to sRGB inside libswscale in one call, so frames the sampler drops cost only
their decode. Conversion honours each frame's own colour matrix and range (PyAV >= 17).
"""

from __future__ import annotations

import bisect
import heapq
import logging
import math
import os
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.error
import numpy as np
from av.video.reformatter import VideoReformatter

from .errors import (
    CorruptInputError,
    InputError,
    InputNotFoundError,
    NoFramesError,
    NotAVideoError,
)

log = logging.getLogger("streamprint")

#: Transfer characteristics that mark HDR video (PQ and HLG), by FFmpeg's enum values.
HDR_TRANSFERS = {16: "PQ", 18: "HLG"}

#: Consecutive damaged packets tolerated before the input is declared unreadable.
MAX_CONSECUTIVE_ERRORS = 200

STDIN = "-"


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a video before decoding it. Sizes in pixels, times in seconds."""

    path: str
    container: str
    codec: str
    width: int
    height: int
    display_width: int
    """Width as displayed, after the sample aspect ratio (rotation is per frame)."""
    frame_rate: float | None
    """Average frames per second, when the container states it."""
    duration: float | None
    """Best estimate of the stream's duration, or None (pipes, some MKV/TS)."""
    frame_count: int | None
    """Best estimate of the number of frames, or None."""
    pix_fmt: str | None
    colorspace: str | None
    color_range: str | None
    color_transfer: str | None
    pixel_aspect: float = 1.0

    @property
    def hdr(self) -> bool:
        """True when the transfer function is PQ or HLG (not tone-mapped yet)."""
        return self.color_transfer in {"PQ", "HLG"}

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True)
class DecodeStats:
    """Counts gathered while decoding."""

    frames: int
    """Frames in presentation order up to the last one delivered, skipped ones included."""
    corrupt_packets: int
    corrupt_frames: int
    skipped: int = 0
    """Non-reference frames the decoder was told to drop because no sample could need them."""


class ResumeError(InputError):
    """A resume point could not be found again (the checkpoint is ignored, not the movie)."""


@dataclass(frozen=True)
class ResumePoint:
    """Where an earlier pass stood: a frame's pts (stream time base) and index, the time
    origin in seconds that pass used, and its decode counts up to that frame."""

    pts: int
    index: int
    origin: float | None
    stats: DecodeStats


@dataclass(frozen=True)
class SourceFrame:
    """One decoded frame. ``time`` is seconds since the stream's start (from its pts)."""

    index: int
    time: float
    frame: av.VideoFrame = field(repr=False, compare=False)
    pixel_aspect: float = 1.0
    """Sample aspect ratio of the stream (display width of one stored pixel)."""
    reformatter: VideoReformatter | None = field(default=None, repr=False, compare=False)
    """Shared by a source's frames: swscale's context and threads are built once, not per
    frame (measured 3x faster on 1080p)."""

    @property
    def rotation(self) -> int:
        """Display rotation in degrees counter-clockwise: 0, 90, 180 or 270."""
        return int(round(float(self.frame.rotation or 0) / 90.0)) % 4 * 90

    def analysis_size(self, long_side: int) -> tuple[int, int]:
        """(width, height) in pixels of the stored frame scaled so the *displayed* long side
        is ``long_side`` (never upscaled), keeping the display aspect ratio."""
        return analysis_size(self.frame.width, self.frame.height, self.pixel_aspect, long_side)

    def to_rgb(self, long_side: int) -> np.ndarray:
        """Downscale so the displayed long side is ``long_side`` pixels and convert to sRGB,
        in one libswscale call with AREA interpolation (averages the covered pixels).

        Returns shape (height, width, 3), dtype uint8, values 0-255, in display orientation.
        """
        width, height = self.analysis_size(long_side)
        reformatter = self.reformatter or VideoReformatter()
        rgb = reformatter.reformat(self.frame, width=width, height=height, format="rgb24",
                                   interpolation="AREA", src_colorspace=untagged_matrix(self.frame),
                                   threads=0).to_ndarray()
        if self.rotation:
            rgb = np.ascontiguousarray(np.rot90(rgb, k=self.rotation // 90))
        return rgb


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


def _transfer_name(value: int | None) -> str | None:
    if value is None:
        return None
    if int(value) in HDR_TRANSFERS:
        return HDR_TRANSFERS[int(value)]
    try:
        from av.video.reformatter import ColorTrc

        return ColorTrc(int(value)).name
    except (ImportError, ValueError):
        return str(int(value))


#: Wanted(a, b): could a frame whose neighbours in time are at a and b seconds (a < b,
#: either may be infinite) be sampled? True when a target time lies in (a, b].
Wanted = Callable[[float, float], bool]

#: Packets demuxed ahead of the decoder, so each packet's neighbours in time are known.
LOOKAHEAD_PACKETS = 24


class _NonrefSkip:
    """Lets the decoder drop non-reference frames (``skip_frame = "NONREF"``) that no
    sample can need, without changing which frames are sampled.

    A time-based sampler only ever takes the frame just before or just after a target
    time, so a frame at time t can be sampled only if a target lies in (prev, next], its
    neighbours in presentation order. Packets are demuxed :data:`LOOKAHEAD_PACKETS` ahead,
    so for each packet the times nearest its own among all packets seen so far are known:
    ``a`` (below) <= prev and ``b`` (above) >= next, which makes (a, b] a superset of
    (prev, next]. A packet may be skipped only if (a, b] holds no target. Skipping a
    non-reference frame leaves every other frame's decode unchanged; the frames the decoder
    drops are counted back into the frame index from the gaps in the pts it delivers."""

    def __init__(self, wanted: Wanted, time_base: Fraction) -> None:
        self.wanted = wanted
        self.time_base = time_base
        self.seen: list[int] = []  # sorted pts of packets demuxed, most recent ones
        self.pending: list[int] = []  # heap: pts of packets sent with NONREF, not yet delivered
        self.enabled = True

    def see(self, pts: int | None) -> None:
        if pts is None:  # times unknown: nothing can be proven, so skip nothing from here on
            self.enabled = False
            return
        bisect.insort(self.seen, pts)
        if len(self.seen) > 16 * LOOKAHEAD_PACKETS:  # forget the oldest (a only gets smaller)
            del self.seen[: 8 * LOOKAHEAD_PACKETS]

    def may_skip(self, pts: int | None, origin: float | None) -> bool:
        if not self.enabled or pts is None or origin is None:
            return False
        i = bisect.bisect_left(self.seen, pts)
        j = bisect.bisect_right(self.seen, pts)
        if j >= len(self.seen):  # no later packet known: it may be the next one
            return False
        a = self._time(self.seen[i - 1], origin) if i > 0 else -math.inf
        b = self._time(self.seen[j], origin)
        return not self.wanted(a - 1e-6, b + 1e-6)  # widened: float rounding must not matter

    def _time(self, pts: int, origin: float) -> float:
        return max(0.0, float(pts * self.time_base) - origin)

    def sent(self, pts: int) -> None:
        heapq.heappush(self.pending, pts)

    def delivered(self, pts: int | None) -> int:
        """A frame with ``pts`` came out: how many frames sent before it, earlier in
        presentation order, the decoder dropped."""
        if pts is None:
            self.enabled = False
            return 0
        dropped = 0
        while self.pending and self.pending[0] <= pts:
            if heapq.heappop(self.pending) < pts:
                dropped += 1
        return dropped


class VideoSource:
    """A video stream opened for one pass of decoding.

    Use as a context manager::

        with VideoSource("movie.mkv") as source:
            print(source.info.duration)
            for frame in source.frames():
                ...

    ``path`` may be ``"-"`` (standard input) or a binary file object. ``format`` forces a
    demuxer (FFmpeg's name, e.g. ``"matroska"``); ``options`` are demuxer options
    (e.g. ``{"video_size": "320x240"}`` for raw video). ``threads`` is the decoder's thread
    count (0 = one per core). ``keyframes_only`` makes the decoder skip every non-key frame.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | BinaryIO,
        *,
        format: str | None = None,
        options: Mapping[str, str] | None = None,
        threads: int = 0,
        keyframes_only: bool = False,
    ) -> None:
        if isinstance(path, (str, os.PathLike)):
            self._name = "standard input" if os.fspath(path) == STDIN else os.fspath(path)
        else:
            self._name = str(getattr(path, "name", None) or "stream")
        self._container = _open_container(path, self._name, format, options)
        try:
            self._stream = _best_video_stream(self._container, self._name)
            ctx = self._stream.codec_context
            # Threading must be configured before the first packet is decoded. Keyframes
            # only: frame threads would pay a hand-over per skipped packet (measured 2.3x
            # slower than slice threads on a 1080p h264 clip).
            ctx.thread_type = "SLICE" if keyframes_only else "AUTO"
            ctx.thread_count = threads
            if keyframes_only:
                ctx.skip_frame = "NONKEY"
            self.info = _probe(self._container, self._stream, str(self._name))
        except BaseException:
            self._container.close()
            raise
        self.keyframes_only = keyframes_only
        self.stats = DecodeStats(0, 0, 0)
        self._reformatter = VideoReformatter()
        self.origin: float | None = None
        """Seconds subtracted from frame times (the stream's start), once known."""
        self._used = False

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def frames(self, resume: ResumePoint | None = None, wanted: Wanted | None = None) -> Iterator[SourceFrame]:
        """Decode the stream once, in presentation order, through to the decoder's flush.

        Damaged packets are skipped and counted in :attr:`stats`; after
        :data:`MAX_CONSECUTIVE_ERRORS` in a row :class:`CorruptInputError` is raised.
        Raises :class:`NoFramesError` if the stream yields no frame at all.

        ``resume`` starts at a frame seen in an earlier pass instead of the beginning: the
        demuxer seeks to the keyframe before it, frames before it are decoded and dropped,
        and it is recognised by its pts, so it and every later frame get the index and time
        the full pass gave them. :class:`ResumeError` if it cannot be found.

        ``wanted`` (see :data:`Wanted`), from a time-based sampler, lets the decoder drop
        non-reference frames that cannot be sampled (:class:`_NonrefSkip`); the frames
        delivered then are a subset, with the same indices and times as without it.
        """
        if self._used:
            raise RuntimeError("a VideoSource can be decoded only once")
        self._used = True
        stream = self._stream
        origin: float | None = None
        if stream.start_time is not None and stream.time_base is not None:
            origin = float(stream.start_time * stream.time_base)
        step = 1.0 / self.info.frame_rate if self.info.frame_rate else 1.0 / 25.0
        index = 0
        last_time = -math.inf
        corrupt_packets = corrupt_frames = consecutive = 0
        aspect = self.info.pixel_aspect
        syncing = resume is not None
        if resume is not None:
            origin, index = resume.origin, resume.index
            corrupt_packets, corrupt_frames = resume.stats.corrupt_packets, resume.stats.corrupt_frames
            try:
                self._container.seek(resume.pts, backward=True, any_frame=False, stream=stream)
            except (av.error.FFmpegError, OSError, ValueError) as exc:
                raise ResumeError(f"{self._name}: cannot seek to resume ({exc})") from exc
        self.origin = origin
        skip = None
        if wanted is not None and stream.time_base is not None and not self.keyframes_only:
            skip = _NonrefSkip(wanted, stream.time_base)
        skipped = resume.stats.skipped if resume is not None else 0

        for packet_frames in self._decoded(skip):
            if isinstance(packet_frames, BaseException):
                corrupt_packets += 1
                consecutive += 1
                log.debug("skipping damaged packet: %s", packet_frames)
                if consecutive >= MAX_CONSECUTIVE_ERRORS:
                    self.stats = DecodeStats(index, corrupt_packets, corrupt_frames, skipped)
                    raise CorruptInputError(
                        f"{self._name}: {consecutive} damaged packets in a row after {index} frames; giving up"
                    )
                continue
            consecutive = 0
            for frame in packet_frames:
                dropped = skip.delivered(frame.pts) if skip is not None else 0
                if syncing:
                    assert resume is not None
                    if frame.pts is None or frame.pts > resume.pts:
                        raise ResumeError(f"{self._name}: the frame to resume from was not found after seeking")
                    if frame.pts < resume.pts:
                        continue
                    syncing = False
                    dropped = 0  # before the resume point: counted by the earlier pass
                elif frame.is_corrupt:
                    corrupt_frames += 1
                index += dropped
                skipped += dropped
                t = frame.time
                if t is None:
                    t = (last_time + step) if index else 0.0
                    rel = t
                else:
                    if origin is None:
                        origin = self.origin = t
                    rel = t - origin
                rel = max(0.0, rel)
                last_time = rel
                yield SourceFrame(index=index, time=rel, frame=frame, pixel_aspect=aspect,
                                  reformatter=self._reformatter)
                index += 1
                self.stats = DecodeStats(index, corrupt_packets, corrupt_frames, skipped)
        if skip is not None and skip.pending:  # dropped after the last frame delivered
            index += len(skip.pending)
            skipped += len(skip.pending)
        self.stats = DecodeStats(index, corrupt_packets, corrupt_frames, skipped)
        if skipped:
            log.debug("%s: the decoder skipped %d non-reference frames no sample needed", self._name, skipped)
        if corrupt_packets or corrupt_frames:
            log.warning("%s: %d damaged packet(s) skipped, %d frame(s) decoded with errors",
                        self._name, corrupt_packets, corrupt_frames)
        if index == 0:
            raise NoFramesError(f"{self._name}: no decodable video frames")

    def _packets(self) -> Iterator[av.Packet | BaseException]:
        """The stream's packets as demuxed (the last one empty, FFmpeg's flush), or the
        exception a damaged stretch raised. Demuxing restarts after a demuxer error."""
        container, stream = self._container, self._stream
        while True:
            try:
                yield from container.demux(stream)
                break
            except (av.error.EOFError, EOFError):
                break
            except (av.error.FFmpegError, IndexError) as exc:
                # The demuxer failed on damaged data (IndexError: PyAV cannot follow a stream
                # that damaged MPEG-TS makes appear mid-file). Count it and read on.
                yield exc
                continue
            except (OSError, MemoryError) as exc:
                yield exc
                break

    def _decoded(self, skip: _NonrefSkip | None = None) -> Iterator[list[av.VideoFrame] | BaseException]:
        """Per packet, the frames it decoded to, or the exception it raised.

        The decoder is flushed at the end so no frame held back by frame threading or
        B-frame reordering is lost. With ``skip``, packets are demuxed ahead and each is
        sent with ``skip_frame`` NONREF or DEFAULT as ``skip`` decides.
        """
        ctx = self._stream.codec_context
        packets: Iterator[av.Packet | BaseException] = self._packets()
        if skip is not None:
            packets = _lookahead(packets, skip)
        flushed = False
        nonref = False
        for packet in packets:
            if isinstance(packet, BaseException):
                yield packet
                continue
            if packet.size == 0 and packet.dts is None:
                flushed = True
            if skip is not None:
                drop = packet.size > 0 and skip.may_skip(packet.pts, self.origin)
                if drop != nonref:
                    ctx.skip_frame = "NONREF" if drop else "DEFAULT"
                    nonref = drop
                if drop:
                    skip.sent(packet.pts)
            try:
                yield packet.decode()
            except (av.error.EOFError, EOFError):
                pass
            except av.error.FFmpegError as exc:
                yield exc
        if not flushed:
            try:
                yield ctx.decode(None)
            except (av.error.EOFError, EOFError):
                pass
            except av.error.FFmpegError as exc:
                yield exc


def _lookahead(packets: Iterator[av.Packet | BaseException], skip: _NonrefSkip) -> Iterator[av.Packet | BaseException]:
    """``packets``, each released once :data:`LOOKAHEAD_PACKETS` more have been seen by ``skip``."""
    buffer: deque[av.Packet | BaseException] = deque()
    for packet in packets:
        if isinstance(packet, av.Packet) and packet.size > 0:
            skip.see(packet.pts)
        buffer.append(packet)
        if len(buffer) > LOOKAHEAD_PACKETS:
            yield buffer.popleft()
    yield from buffer


#: How much of a pipe is read ahead to recognise its format.
PIPE_PEEK_BYTES = 1 << 16

PIPE_MP4_HINT = ("an MP4/MOV stream cannot be read from a pipe (its index comes after the frames); "
                 "on the producer side use -f matroska - or -f mpegts - instead")


class _PrefixedReader:
    """A read-only file object that returns ``prefix`` and then the rest of ``raw``.

    Lets the source peek at the start of a pipe (which cannot seek back) before FFmpeg
    reads it."""

    def __init__(self, prefix: bytes, raw: BinaryIO) -> None:
        self._prefix = memoryview(prefix)
        self._raw = raw
        self.name = "standard input"

    def read(self, n: int = -1) -> bytes:
        if self._prefix.nbytes:
            if n < 0:
                out = bytes(self._prefix) + self._raw.read()
                self._prefix = memoryview(b"")
                return out
            out = bytes(self._prefix[:n])
            self._prefix = self._prefix[n:]
            return out
        return self._raw.read(n)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


def _mp4_layout(head: bytes) -> str | None:
    """For data starting with an ISO-BMFF ``ftyp`` box: ``"index-first"`` when ``moov`` comes
    before ``mdat`` (streamable), ``"index-last"`` when ``mdat`` comes first, ``"unknown"``
    when the prefix is too short to tell; None when it is not MP4/MOV at all."""
    if len(head) < 8 or head[4:8] != b"ftyp":
        return None
    pos = 0
    while pos + 8 <= len(head):
        size = int.from_bytes(head[pos:pos + 4], "big")
        kind = head[pos + 4:pos + 8]
        if kind == b"moov":
            return "index-first"
        if kind == b"mdat":
            return "index-last"
        if size == 1 and pos + 16 <= len(head):
            size = int.from_bytes(head[pos + 8:pos + 16], "big")
        if size < 8:
            return "unknown"
        pos += size
    return "unknown"


def _open_container(path: Any, name: str, format: str | None, options: Mapping[str, str] | None) -> Any:
    kwargs: dict[str, Any] = {"mode": "r", "metadata_errors": "ignore"}
    if format:
        kwargs["format"] = format
    if options:
        kwargs["options"] = dict(options)
    target: Any = path
    if isinstance(path, (str, os.PathLike)):
        if os.fspath(path) == STDIN:
            import sys

            raw = sys.stdin.buffer
            head = raw.read(PIPE_PEEK_BYTES) if hasattr(raw, "read") else b""
            if not head:
                raise NotAVideoError("standard input: no data (empty pipe)")
            if format is None and _mp4_layout(head) == "index-last":
                raise NotAVideoError(f"standard input: {PIPE_MP4_HINT}")
            target = _PrefixedReader(head, raw)
        else:
            p = Path(path)
            if not p.exists():
                raise InputNotFoundError(f"{p}: no such file")
            if p.is_dir():
                raise InputError(f"{p}: is a directory, not a video file")
            try:
                if p.stat().st_size == 0:
                    raise NotAVideoError(f"{p}: file is empty")
            except OSError as exc:
                raise InputError(f"{p}: {exc.strerror or exc}") from exc
            target = os.fspath(p)
    try:
        return av.open(target, **kwargs)
    except av.error.FileNotFoundError as exc:
        raise InputNotFoundError(f"{name}: no such file") from exc
    except av.error.PermissionError as exc:
        raise InputError(f"{name}: permission denied") from exc
    except av.error.EOFError as exc:
        raise NoFramesError(f"{name}: no decodable video frames (the file ends before the first one)") from exc
    except av.error.InvalidDataError as exc:
        if _looks_like_mp4(target):
            if name == "standard input":
                raise NotAVideoError(f"{name}: {PIPE_MP4_HINT}") from exc
            raise NotAVideoError(f"{name}: MP4/MOV file without a readable index (moov atom): "
                                 "truncated, or not fully written") from exc
        raise NotAVideoError(f"{name}: not a video file FFmpeg can read ({_reason(exc)})") from exc
    except av.error.FFmpegError as exc:
        raise NotAVideoError(f"{name}: cannot open ({_reason(exc)})") from exc
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot open ({exc})") from exc


def _looks_like_mp4(target: Any) -> bool:
    try:
        if isinstance(target, _PrefixedReader):
            return _mp4_layout(bytes(target._prefix)) is not None
        if isinstance(target, str):
            with open(target, "rb") as f:
                return _mp4_layout(f.read(64)) is not None
    except OSError:
        pass
    return False


def _reason(exc: BaseException) -> str:
    strerror = getattr(exc, "strerror", None)
    return str(strerror or exc).strip() or type(exc).__name__


def _best_video_stream(container: Any, name: str) -> Any:
    streams = [
        s
        for s in container.streams.video
        if not (int(s.disposition) & int(av.stream.Disposition.attached_pic))
    ]
    if not streams:
        kinds = sorted({s.type for s in container.streams})
        what = ", ".join(kinds) if kinds else "no streams"
        raise NotAVideoError(f"{name}: no video stream (found {what})")
    try:
        best = container.streams.best("video")
    except Exception:  # pragma: no cover - defensive; best() may fail on odd inputs
        best = None
    if best is None or best not in streams:
        best = max(streams, key=lambda s: (s.codec_context.width or 0) * (s.codec_context.height or 0))
    if best.codec_context is None or not best.codec_context.name:
        raise NotAVideoError(f"{name}: video stream has no decoder")
    return best


def _probe(container: Any, stream: Any, name: str) -> SourceInfo:
    ctx = stream.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width <= 0 or height <= 0:
        raise NotAVideoError(f"{name}: video stream has no frame size")
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    frame_rate = float(rate) if rate and float(rate) > 0 and math.isfinite(float(rate)) else None

    duration: float | None = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / 1_000_000
    frame_count: int | None = int(stream.frames) if stream.frames else None
    if duration is None and frame_count and frame_rate:
        duration = frame_count / frame_rate
    if frame_count is None and duration and frame_rate:
        frame_count = max(1, round(duration * frame_rate))
    if duration is not None and (not math.isfinite(duration) or duration <= 0):
        duration = None

    sar = ctx.sample_aspect_ratio or stream.sample_aspect_ratio
    pixel_aspect = float(Fraction(sar)) if sar and Fraction(sar) > 0 else 1.0

    trc = _transfer_name(_int_or_none(ctx.color_trc))
    return SourceInfo(
        path=name,
        container=str(container.format.name),
        codec=str(ctx.name),
        width=width,
        height=height,
        display_width=max(1, round(width * pixel_aspect)),
        frame_rate=frame_rate,
        duration=duration,
        frame_count=frame_count,
        pix_fmt=ctx.pix_fmt,
        colorspace=_colorspace_name(ctx.colorspace),
        color_range=_range_name(ctx.color_range),
        color_transfer=trc,
        pixel_aspect=pixel_aspect,
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _colorspace_name(value: Any) -> str | None:
    names = {0: "RGB", 1: "BT709", 2: None, 4: "FCC", 5: "BT470BG", 6: "SMPTE170M", 7: "SMPTE240M",
             8: "YCGCO", 9: "BT2020_NCL", 10: "BT2020_CL"}
    v = _int_or_none(value)
    return None if v is None else names.get(v, str(v))


def _range_name(value: Any) -> str | None:
    v = _int_or_none(value)
    return {1: "limited", 2: "full"}.get(v) if v is not None else None
