"""The decode loop: one pass over the video stream in presentation order, with damaged
packets skipped and counted, resume from a checkpoint, and non-reference skipping; each
frame's index and time (best-effort timestamps, one timeline across discontinuities) are
given here, from the frames :mod:`.packets` decodes.

Frames are not converted here until asked: :meth:`.frame.SourceFrame.to_rgb` downscales and
converts to sRGB inside libswscale in one call, so frames the sampler drops cost only
their decode. Conversion honours each frame's own colour matrix and range (PyAV >= 17).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import BinaryIO

import av
import av.error
from av.video.reformatter import VideoReformatter

from .. import interrupt, params
from ..errors import CorruptInputError, NoFramesError, NotAVideoError, ResumeError, UsageError
from ..model import DecodeStats, ResumePoint
from .av1 import Av1References
from .avoptions import check_demuxer_options
from .codecs import alpha_decoder, decodable_alpha, open_decoder, stream_tags
from .frame import FrameAspect, SourceFrame
from .hdr import inherit_stream_tags
from .leading import LeadingFrames
from .mpeg4 import unpacked
from .open import STDIN, best_video_stream, maybe_still, open_container, opened_fragmented_mp4
from .packets import decoded, demuxed, held_back
from .stream import handle_name, movie_input
from .probe import as_decoded, probe
from .ranges import reopener, start_point
from .raw import whole_frames
from .spacing import Spacing
from .skip import KeyframeIndex, NonrefSkip, Wanted, keyframe_index_for, keyframe_packets, lookahead
from .timeline import DISCONTINUOUS_FORMATS, DTS_TIMES_FORMATS, BestEffort, Jumps, Timeline, exact_origin, numbered

log = logging.getLogger("streamprint")

#: Consecutive damaged packets tolerated before the input is declared unreadable.
MAX_CONSECUTIVE_ERRORS = 200


class VideoSource:
    """A video stream opened for one pass of decoding.

    A context manager: ``with VideoSource("movie.mkv") as source: for frame in source.frames(): ...``

    ``path`` is a file name (text, bytes or a path), ``"-"`` (standard input) or a binary
    file object, as :func:`streamprint.fingerprint` takes (:func:`.stream.movie_input`). ``format`` forces a
    demuxer (FFmpeg's name, e.g. ``"matroska"``); ``options`` are demuxer options
    (e.g. ``{"video_size": "320x240"}`` for raw video). ``threads`` is the decoder's thread
    count (0: chosen per decoder, see :mod:`.codecs`). ``keyframes_only`` makes the decoder
    skip every non-key frame.
    """

    def __init__(
        self,
        path: str | bytes | os.PathLike[str] | BinaryIO,
        *,
        format: str | None = None,
        options: Mapping[str, str] | None = None,
        threads: int = 0,
        keyframes_only: bool = False,
    ) -> None:
        # the checks fingerprint() makes of the same values: a wrong type was PyAV's TypeError
        path = movie_input(path)
        threads = params.check("threads", threads)
        check_demuxer_options(options := params.check("options", options, "demuxer_options"), "options")
        keyframes_only = params.check("keyframes_only", keyframes_only)
        if isinstance(path, (str, os.PathLike)):
            self._name = "standard input" if os.fspath(path) == STDIN else os.fspath(path)
        else:
            self._name = handle_name(path)
        self._container, self._reader = open_container(path, self._name, format, options)
        self._reopen = reopener(path, self._name, format, options) if self._reader is None else None
        try:
            self._stream = best_video_stream(self._container, self._name)
            # threads, options and skip_frame per decoder (.codecs), before the first packet
            self._ctx, self.rules = open_decoder(self._stream, keyframes_only, threads, self._name)
            self.info = probe(self._container, self._stream, str(self._name),
                              streamed=self._reader is not None,
                              fragmented=opened_fragmented_mp4(self._container, self._reader, path),
                              path=self._container.name if self._reopen is not None else None)
        except BaseException:
            self._container.close()
            raise
        self.keyframes_only = keyframes_only
        self._unpacks = self.rules.unpack_bframes and not keyframes_only  # (.codecs)
        self.stats = DecodeStats(0, 0, 0)
        self.timeline: Timeline | None = None
        """The timeline of the frames delivered so far (its ``last`` time and longest ``gap``)."""
        self._reformatter = VideoReformatter()
        self.origin: float | None = None
        """Seconds subtracted from frame times (the stream's start), once known."""
        self.frames_read: int | None = None
        """Once the pass read the stream to its end, how many frames it held: those decoded, or with
        keyframes only those its packets held (None: not known, see :attr:`.skip.KeyframeIndex.read`)."""
        self.ended = False
        """The pass read the stream to its end (not: a sampler stopped taking frames, an error,
        a stop request)."""
        self.spacing = Spacing(self._stream.time_base)  # the bytes between video packets (.spacing)
        self._used = False
        self._abandoned = False
        self._closed = False

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._abandoned:  # a decoding thread may still be inside FFmpeg with it
            return
        self._closed = True
        self._container.close()
        if self._reader is not None:
            self._reader.close()

    def abandon(self) -> None:
        """Leave the container open for good: a thread that is still decoding it (stuck in
        FFmpeg after an interrupt) must not have it closed under it. The process is about
        to end."""
        self._abandoned = True

    @property
    def time_base(self) -> float | None:
        """Seconds per tick of the stream's timestamps, when known."""
        tb = self._stream.time_base
        return float(tb) if tb else None

    @property
    def damaged(self) -> bool | None:
        """Damage seen in what was read, which tells a hole from a still: damaged packets or
        frames, or bytes skipped over the longest gap (:meth:`.spacing.Spacing.skipped`); None: unknown."""
        if self.stats.corrupt_packets or self.stats.corrupt_frames:
            return True
        return self.spacing.skipped(self.timeline.gap[0]) if self.timeline is not None else None

    @property
    def streaming(self) -> bool:
        """A stream (pipe, FIFO): read once from the start; an interrupt ends its reads."""
        return self._reader is not None

    @property
    def seeks(self) -> bool:
        """Whether a part or a checkpoint is reached by seeking: not in a stream, nor in a WebM
        whose alpha libvpx decodes (a seek lands where it may not decode: .codecs)."""
        return not self.streaming and not alpha_decoder(self._ctx)

    def seek_point(self, seconds: float) -> ResumePoint | None:
        """Where :meth:`frames` resumes for a part from ``seconds`` (:func:`.ranges.start_point`;
        None: from the beginning, where it does not :attr:`seek <seeks>`)."""
        self._check_open()
        return start_point(self._container, self._stream, seconds, self.keyframes_only, self._reopen) \
            if self.seeks else None

    def frames(self, resume: ResumePoint | None = None,
               wanted: Wanted | None = None) -> Iterator[SourceFrame]:
        """Decode the stream once, in presentation order, through to the decoder's flush.

        Damaged packets are skipped and counted in :attr:`stats`; after
        :data:`MAX_CONSECUTIVE_ERRORS` in a row :class:`CorruptInputError` is raised.
        Raises :class:`NoFramesError` if the stream yields no frame at all.

        ``resume`` starts at a frame seen in an earlier pass instead of the beginning: the
        demuxer seeks to the keyframe before it, frames before it are decoded and dropped,
        and it is recognised by its pts, so it and every later frame get the index and time
        the full pass gave them. :class:`ResumeError` if it cannot be found.

        ``wanted`` (see :data:`Wanted`), from a time-based sampler, lets the decoder drop
        non-reference frames that cannot be sampled (:class:`NonrefSkip`); the frames
        delivered then are a subset, with the same indices and times as without it.
        """
        self._check_open()
        if self._used:
            raise RuntimeError("a VideoSource can be decoded only once")
        self._used = True
        stream, demuxer = self._stream, self._container.format.name
        # Frames without timestamps are one frame apart: the codec's own rate (an
        # elementary stream's SPS timing) before the container's average.
        rate = stream.guessed_rate or self.info.frame_rate
        step = 1.0 / float(rate) if rate and float(rate) > 0 else 1.0 / 25.0
        best = BestEffort()
        # AVI stores no presentation times: FFmpeg 8 fills in reordered pts that go backwards
        # with packed B-frames (and with the early frames before guess_correct_pts notices),
        # where FFmpeg 5's ffprobe shows none; each frame's dts is its best-effort timestamp.
        # (Keyframes only: the decoder holds each keyframe back until the next one, so its
        # dts is a whole GOP late, while its pts is the packet's.)
        dts_times = demuxer in DTS_TIMES_FORMATS and not self.keyframes_only
        timeline = self.timeline = Timeline(step, jumps_forward=demuxer in DISCONTINUOUS_FORMATS)
        tags = stream_tags(stream, self.rules)  # for frames without their own (.codecs)
        trusted = True  # pts-based reasoning (skipping, keyframe indices, resume) holds
        consecutive = 0
        aspect = FrameAspect(stream, self.info.pixel_aspect, self.info.container)
        syncing = resume is not None
        # where timestamps may jump, packets are judged by their decode times (.skip._Monotonic)
        jumps = Jumps(stream.time_base, step) if stream.time_base and demuxer in DISCONTINUOUS_FORMATS else None
        avi_keys = self.keyframes_only and demuxer == "avi"
        first: tuple[float, int] | None = None  # (time, index) of the first keyframe, AVI
        # keyframes only: each delivered keyframe's index counted from the packets; ``index`` counts
        # the frames delivered
        keyframe_index = keyframe_index_for(stream, avi_keys, resume, jumps) if self.keyframes_only else None
        # the origin itself (exact: times are exact differences of ticks), and the counts so far
        exact, index, corrupt_packets, corrupt_frames, skipped = self._start(resume, keyframe_index)
        skip, rules = None, self.rules  # non-reference frames skipped where decoder and container allow
        if wanted is not None and stream.time_base is not None and not self.keyframes_only \
                and rules.nonref_skip and (not dts_times or (rules.nonref_skip_in_avi and demuxer == "avi")):
            skip = NonrefSkip(wanted, stream.time_base, jumps=jumps, start=stream.start_time)
        # the frames before the first one delivered, which it could not decode, count in the
        # indices (as with keyframes only, and in a resumed pass's); AVI/ASF are timed by dts
        leading = LeadingFrames(stream.start_time) if resume is None and keyframe_index is None and not dts_times else None

        last_index = -1
        uncounted = False  # keyframes only: said that their frame numbers are no longer counted
        turned = False  # self.info turned as the first frame delivered is
        for packet_frames in self._decoded(skip or keyframe_index, leading):
            if isinstance(packet_frames, BaseException):
                corrupt_packets += 1
                consecutive += 1
                log.debug("skipping damaged packet: %s", packet_frames)
                if consecutive >= MAX_CONSECUTIVE_ERRORS:
                    self.stats = DecodeStats(index, corrupt_packets, corrupt_frames, skipped,
                                             len(timeline.discontinuities))
                    raise CorruptInputError(f"{self._name}: {consecutive} damaged packets in a row after "
                                            f"{index} frames; giving up")
                continue
            consecutive = 0
            for frame in packet_frames:
                inherit_stream_tags(frame, *tags)
                dropped = skip.delivered(frame.pts) if skip is not None else 0
                # AVI: the frames flushed out at the end have no dts (nor a time in ffprobe); their
                # made-up pts may go back (H.264's are decode order), so they are placed a frame
                # after the frame before them (below: after the frames the decoder dropped too)
                ts = frame.dts if dts_times else best(frame.pts, frame.dts)
                if syncing:
                    assert resume is not None
                    if ts is None or ts > resume.pts:
                        raise self._not_found()
                    if ts < resume.pts:
                        continue
                    syncing = False
                    dropped = 0  # before the resume point: counted by the earlier pass
                elif frame.is_corrupt:
                    corrupt_frames += 1
                index += dropped
                skipped += dropped
                if leading is not None:  # the first frame delivered (dropped: some of those before it)
                    index, leading = max(index, leading.before(frame.pts)), None
                raw = None
                time_base = frame.time_base or stream.time_base
                if ts is not None and time_base is not None:
                    if exact is None:
                        exact = ts * time_base
                        self.origin = float(exact)
                    raw = float(ts * time_base - exact)
                at = index if keyframe_index is None else keyframe_index.index_of(frame.pts)
                if keyframe_index is not None and keyframe_index.before is not None and raw is not None:
                    # the frames the decoder skipped before this keyframe: judge jumps from them
                    # (exact is set with raw)
                    timeline.extend(float(keyframe_index.before * time_base - exact))  # type: ignore[operator]
                if (avi_keys and keyframe_index.packed  # type: ignore[union-attr]  # a KeyframeAvi
                        and resume is None and at is not None and raw is not None):
                    first = first or (raw, at)
                    raw = first[0] + (at - first[1]) * step
                elif avi_keys and raw is not None:
                    shown = keyframe_index.shown_at(frame.pts)  # type: ignore[union-attr]
                    if shown is not None:
                        raw = float(shown * time_base - exact)
                counted = at is not None or keyframe_index is None or keyframe_index.enabled
                last_index = at = max(last_index + 1, index if at is None else at)
                rel = timeline.place(raw, at, frames=1 + dropped)  # (at: a jump is said at its frame)
                if trusted and (timeline.discontinuities or not best.pts_reliable):
                    # pts can no longer be trusted to order or identify frames: stop
                    # reasoning from them rather than give wrong indices (the keyframe count
                    # follows a jump by itself, from the packets).
                    trusted = False
                    if skip is not None:
                        skip.enabled = False
                if not counted and not uncounted:
                    uncounted = True  # (a packet without a time whose place is unknown: .skip)
                    log.warning("%s: packets without timestamps: the frames between keyframes cannot be counted "
                                "from %.3f s on; the keyframes there are numbered one after another (decode "
                                "everything for their frame numbers)", self._name, rel)
                delivered = SourceFrame(index=at, time=rel, frame=frame, pts=ts if trusted else None,
                                        pixel_aspect=aspect(), reformatter=self._reformatter)
                if not turned:  # the stream's display matrix, which FFmpeg puts on every frame; the
                    # colour tags the frames state, which the conversion reads
                    self.info, turned = as_decoded(self.info.turned(delivered.rotation), frame), True
                yield delivered
                self._check_open()  # FFmpeg crashed reading on from a closed container
                index += 1
                self.stats = DecodeStats(index, corrupt_packets, corrupt_frames, skipped,
                                         len(timeline.discontinuities))
        self._ended(syncing, skip, index, skipped, corrupt_packets, corrupt_frames)
        self.frames_read = self.stats.frames
        if keyframe_index is not None:  # the frames between keyframes were read, not decoded
            # (not when pts stopped being trusted: timestamps that jumped or went back)
            read = keyframe_index.read if trusted and exact is not None and stream.time_base else None
            self.frames_read = None if read is None else read[0]
            if read is not None:  # the video ends with its last packet, not its last keyframe
                end = float(read[1] * stream.time_base - exact)
                if avi_keys and keyframe_index.packed and first is not None:  # type: ignore[attr-defined]
                    end = first[0] + (read[0] - 1 - first[1]) * step  # placed a frame apart, as the keyframes
                timeline.extend(end)

    def _start(self, resume: ResumePoint | None,
               keyframe_index: KeyframeIndex | None) -> tuple[Fraction | None, int, int, int, int]:
        """Where the pass starts: the stream's origin as an exact number of seconds (None:
        unknown until a frame has a time), and the frames, damaged packets, damaged frames
        and skipped frames counted before it; also sets :attr:`origin`. From the stream's
        start, or from ``resume``, seeked to (:class:`ResumeError` where it cannot be), whose
        count of frames is the pass's ``index`` where a ``keyframe_index`` gives the frames'."""
        stream = self._stream
        origin: float | None = None
        exact: Fraction | None = None
        if stream.start_time is not None and stream.time_base is not None:
            exact = stream.start_time * stream.time_base
            origin = float(exact)
        index = corrupt_packets = corrupt_frames = skipped = 0
        if resume is not None:
            if alpha_decoder(self._ctx):  # (see seeks)
                raise ResumeError(f"{self._name}: a WebM with alpha is read from its beginning")
            origin, index = resume.origin, resume.index
            exact = exact_origin(origin, stream.time_base)
            if keyframe_index is not None:
                index = resume.stats.frames
            corrupt_packets, corrupt_frames = resume.stats.corrupt_packets, resume.stats.corrupt_frames
            skipped = resume.stats.skipped
            try:
                self._container.seek(resume.pts, backward=True, any_frame=False, stream=stream)
            except (av.error.FFmpegError, OSError, ValueError) as exc:
                raise ResumeError(f"{self._name}: cannot seek to resume ({exc})") from exc
        self.origin = origin
        return exact, index, corrupt_packets, corrupt_frames, skipped

    def _ended(self, syncing: bool, skip: NonrefSkip | None, index: int, skipped: int, corrupt_packets: int,
               corrupt_frames: int) -> None:
        """The pass's end: its :attr:`stats` final (with the frames ``skip`` had the decoder
        drop after the last one delivered), said, and checked."""
        if syncing:
            raise self._not_found()
        if skip is not None and skip.pending:  # dropped after the last frame delivered
            index += len(skip.pending)
            skipped += len(skip.pending)
        assert self.timeline is not None
        jumps = len(self.timeline.discontinuities)
        self.stats = DecodeStats(index, corrupt_packets, corrupt_frames, skipped, jumps)
        self.ended = not interrupt.requested()  # (a stop request ends a live read as its end would)
        if skipped:
            log.debug("%s: the decoder skipped %d non-reference frames no sample needed", self._name, skipped)
        if corrupt_packets or corrupt_frames:
            log.warning("%s: %d damaged packet(s) skipped, %d frame(s) decoded with errors",
                        self._name, corrupt_packets, corrupt_frames)
        if index == 0:
            raise NoFramesError(f"{self._name}: no decodable video frames")
        if maybe_still(self.info.container, index):  # (none: NoFramesError above)
            raise NotAVideoError(f"{self._name}: a still image, not a movie")

    def _check_open(self) -> None:
        """:class:`UsageError` once :meth:`close` has been called (the ``with`` block left): the
        container's memory is freed, and reading on from it crashed the process."""
        if self._closed:
            raise UsageError(f"{self._name}: the source is closed; read its frames before close() "
                             "(inside its with block)")

    def _not_found(self) -> ResumeError:
        return ResumeError(f"{self._name}: the frame to resume from was not found after seeking")

    def _decoded(self, skip: NonrefSkip | KeyframeIndex | None, leading: LeadingFrames | None = None,
                 ) -> Iterator[list[av.VideoFrame] | BaseException]:
        """Per packet, the frames it decoded to, or the exception it raised
        (:func:`.packets.decoded`), from the packets as this input needs them: raw frames
        made whole, packed B-frames unpacked, keyframes numbered, demuxed ahead for ``skip``
        and ``leading`` (which see each packet: :func:`.skip.lookahead`), keyframe packets alone where the
        decoder ignores ``skip_frame`` or is drained, WebM alpha from its first keyframe."""
        ctx = self._ctx  # the stream's, or libvpx's for VP8/VP9 with alpha (.codecs)
        stream, rules = self._stream, self.rules
        packets = self.spacing.watched(held_back(demuxed(self._container, stream), self._reader, self._name))
        if self.info.container == "rawvideo":
            packets = whole_frames(packets, self._name, self.info, self.streaming, self._container.size)
        if self._unpacks:
            packets = unpacked(packets, ctx.extradata)
        if self.keyframes_only:
            packets = numbered(packets, stream.time_base, stream.guessed_rate or self.info.frame_rate)
        watchers = [w for w in (skip, leading) if w is not None]
        if watchers:
            packets = lookahead(packets, *watchers)
        if self.keyframes_only and rules.keyframe_packets:
            packets = keyframe_packets(packets)  # the decoder ignores skip_frame, or is drained
        packets = decodable_alpha(packets, ctx.name, self._name, self.keyframes_only)  # (WebM, libvpx)
        nonref = skip if isinstance(skip, NonrefSkip) else None
        refs = Av1References(ctx.extradata) if nonref is not None and rules.nonref_packets == "av1" else None
        return decoded(ctx, packets, nonref, refs, self.keyframes_only and rules.keyframe_drain, self)
