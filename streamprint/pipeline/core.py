"""fingerprint(): the pipeline's one pass, as a short flow. The options are checked and the
input opened, and the part of it to read resolved and checked against it, before anything is
decoded; then each analysis image (:mod:`.images`) becomes a sample, with progress,
checkpoints and flushes (:mod:`.flushing`) as they fall due; at the end, what was sampled is
checked and said (:mod:`.report`).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Mapping
from typing import BinaryIO

from .. import blas, interrupt, params
from ..clusterer import FrameClusterer
from ..enums import Algorithm, Crop, SamplingMode, Space, ToneMap
from ..errors import NoFramesError, NotAVideoError, ParameterError
from ..model import (
    DEFAULT_ANALYSIS_SIZE,
    Checkpoint,
    ColorReport,
    DecodeStats,
    Fingerprint,
    Options,
    Progress,
    ResumePoint,
    Sample,
    SamplerState,
    SampleStore,
    Sampling,
    SourceInfo,
    TimeRange,
)
from ..resuming import check_fits, check_resume, file_identity
from ..source import VideoSource
from ..source.avoptions import check_demuxer_options
from ..source.open import STILL_IMAGE_DEMUXERS, maybe_still, still_image
from ..source.ranges import Passed, seen_span
from ..source.stream import movie_input
from ..source.timeline import checked_length, picture_end, with_joined_duration
from ..thumbnails import ThumbnailCollector
from .flushing import FlushSchedule
from .images import analysis_images
from .report import log_decoded, log_tone_mapped, report_color, warn_fewer_columns


ProgressCallback = Callable[[Progress], None]
CheckpointCallback = Callable[[Checkpoint], None]
FlushCallback = Callable[[Fingerprint], None]


@interrupt.scoped
def fingerprint(
    path: str | bytes | os.PathLike[str] | BinaryIO,
    *,
    sampling: Sampling | None = None,
    colors: int = 5,
    algorithm: Algorithm | str = Algorithm.KMEANS,
    seed: int = 0,
    analysis_size: int = DEFAULT_ANALYSIS_SIZE,
    space: Space | str = Space.RGB,
    crop: Crop | str = Crop.AUTO,
    tonemap: ToneMap | str = ToneMap.AUTO,
    time_range: TimeRange | None = None,
    format: str | None = None,
    demuxer_options: Mapping[str, str] | None = None,
    threads: int = 0,
    skip_unsampled: bool = True,
    progress: ProgressCallback | None = None,
    checkpoint: CheckpointCallback | None = None,
    checkpoint_every: float = 60.0,
    resume: Checkpoint | None = None,
    before_decoding: Callable[[SourceInfo, int | None], None] | None = None,
    flush: FlushCallback | None = None,
    flush_every: float = 10.0,
    thumbnails: bool = False,
) -> Fingerprint:
    """Fingerprint a movie in one streaming pass.

    Options are keyword arguments, named as in :class:`~streamprint.model.Options` (and
    as the CLI's flags): ``sampling`` (default: one frame per second), ``colors``,
    ``algorithm``, ``seed``, ``analysis_size`` (pixels), ``space``, ``crop``, ``tonemap``
    (``auto``: HDR frames are tone-mapped to SDR, decided per frame), ``time_range`` (a
    :class:`~streamprint.model.TimeRange`: only that part of the movie; default all of it).
    Every value is checked before the input is opened, and the range against the movie's
    duration before anything is decoded. With an :class:`Options` at hand, pass
    ``**options.fields()``.

    ``path`` is a file path (text, bytes as the OS gives them, or a path: bytes are a
    file's name, never a movie's contents, unlike :func:`~streamprint.extract_palette`'s;
    for a movie in memory pass ``io.BytesIO(data)``), ``"-"`` for standard input, or a
    binary file object;
    ``format`` and ``demuxer_options`` are passed to FFmpeg's demuxer (a key FFmpeg knows
    as no option is a ParameterError: it would be ignored). ``threads`` is the
    decoder's thread count (0 = automatic). With time-based sampling the decoder skips
    non-reference frames that no sample can be (same result, less decoding);
    ``skip_unsampled=False`` decodes every frame anyway. ``progress`` is called after
    every sample with a :class:`~streamprint.model.Progress`, but the first frame of what
    may be a still image (:func:`~streamprint.source.open.maybe_still`: no movie, refused).

    ``checkpoint``, if given, is called with a :class:`~streamprint.model.Checkpoint`
    after a sample whenever ``checkpoint_every`` seconds have passed since the last call
    (0: never; it meant after every sample, each checkpoint holding every sample so far:
    quadratic, 57.6 s for a 30-s clip that takes 19.5 s without);
    passing one back as ``resume`` continues from it (seeking, not decoding from the
    start) and gives exactly the fingerprint an uninterrupted run gives.

    ``flush``, if given, is called with the fingerprint so far (its samples a view that
    later samples do not change; its movie palette made from colour sums kept for all but
    the newest samples, see :func:`streamprint.summary.time_weights`) after a sample whenever
    ``flush_every`` seconds of wall-clock time have passed since the last call, and the
    run has spent 30 times as long on other work as on the calls so far (the first call's
    one-time set-up aside), so flushing costs about 3 % of the run at most; a call over a
    second is logged as a warning, once. With ``flush``, a stop request
    (:func:`streamprint.interrupt.request`, which the CLI makes on SIGINT and SIGTERM) ends
    the input as its end would: what was read is sampled and the fingerprint so far is
    returned.

    ``before_decoding(info, expected)`` is called once the input is probed, before the
    first frame is decoded, with what is known of it and the number of samples to expect
    (None when unknown): a caller's last chance to refuse the run cheaply.

    ``thumbnails``: also keep small WebP pictures of the sampled frames (for a page), made
    from the image each sample was clustered from, so nothing is decoded twice and the
    colours are the same either way; at most a bounded number are kept (see
    :mod:`streamprint.thumbnails`).

    Raises a :class:`~streamprint.errors.StreamprintError` subclass on bad input.
    """
    options = Options(sampling=Sampling.default() if sampling is None else sampling, colors=colors,
                      algorithm=algorithm, seed=seed, analysis_size=analysis_size, space=space, crop=crop,
                      tonemap=tonemap, time_range=time_range)

    threads = params.check("threads", threads)
    checkpoint_every = params.check("checkpoint_every", checkpoint_every)
    if checkpoint_every == 0:  # no checkpoints (the batch's --checkpoint 0 too)
        checkpoint = None
    if flush is not None:
        flush_every = params.check("flush_every", flush_every)
    thumbnails, skip_unsampled = params.check("thumbnails", thumbnails), params.check("skip_unsampled", skip_unsampled)
    params.check_all(progress=progress, checkpoint=checkpoint, flush=flush, before_decoding=before_decoding,
                     demuxer_options=demuxer_options)
    check_demuxer_options(demuxer_options)  # (a key FFmpeg knows as no option did nothing, silently)
    path = movie_input(path)  # (bytes, a name as the OS gives it, were taken for a file object)
    identity = file_identity(path)  # the file's (size, mtime), for checkpoints
    if resume is not None:
        check_resume(resume, options, thumbnails, identity)
    clusterer = FrameClusterer(options.colors, options.algorithm, options.seed, space=options.space)

    keyframes = options.sampling.mode == SamplingMode.KEYFRAMES
    with VideoSource(path, format=format, options=demuxer_options, threads=threads,
                     keyframes_only=keyframes) as source:
        span, length = _part(source, options, path, format, demuxer_options)
        if resume is not None:
            check_fits(resume, source.info, source.time_base)
        expected = _expected_samples(source.info, options, span, length)
        if before_decoding is not None:
            before_decoding(source.info, expected)
        run = _Run(source, options, span, clusterer, resume, thumbnails, identity)
        color = run.sample(length, skip_unsampled, expected, progress, checkpoint, checkpoint_every,
                           flush, flush_every)
        stats = source.stats
        # a run stopped on request (--flush) holds what was read, as its snapshots did: the
        # last sample drawn over the unread rest of the movie stood for it
        result = run.so_far(color, live=interrupt.requested())
    return run.finish(result, stats, length)


def _part(source: VideoSource, options: Options, path: str | os.PathLike[str] | BinaryIO,
          format: str | None, demuxer_options: Mapping[str, str] | None) -> tuple[TimeRange, float | None]:
    """The part of the input to read, resolved, and its length in seconds (None: unknown),
    with the sampling checked against them and the stream's clock. A still image is no
    movie: :class:`NotAVideoError`, not an option's error."""
    if options.sampling.mode == SamplingMode.SAMPLES or not options.time_range.whole:
        # spread over the duration, or a range: in times of the one timeline decoding builds
        source.info = with_joined_duration(source.info, path, format, demuxer_options)
    info = source.info
    try:
        span = options.time_range.resolve(info.duration)
        length = span.length(info.duration)
        options.sampling.require_duration(length)
    except ParameterError:  # not the option's fault when the input is no movie at all
        if info.container in STILL_IMAGE_DEMUXERS and still_image(path, info.path, format, demuxer_options,
                                                                  source.frames):
            raise NotAVideoError(f"{info.path}: a still image, not a movie") from None
        raise
    # (An interval below one tick of the stream's clock takes every frame, as any interval below
    # a frame's length does: a y4m or raw stream's tick is a frame, and below 1 fps the default
    # interval was refused as "shorter than one tick", the same interval AVI refused and
    # Matroska took.)
    return span, length


def _expected_samples(info: SourceInfo, options: Options, span: TimeRange,
                      length: float | None) -> int | None:
    """How many samples the run should give (None: unknown)."""
    frames_in = info.frame_count if span.whole or info.frame_rate is None or length is None \
        else round(length * info.frame_rate)
    return options.sampling.expected_count(length, frames_in)


class _Run:
    """One run's samples, thumbnails and clusterer (from the checkpoint it resumes, if any),
    and what is made of them: the fingerprint so far, a checkpoint, the final fingerprint."""

    def __init__(self, source: VideoSource, options: Options, span: TimeRange, clusterer: FrameClusterer,
                 resume: Checkpoint | None, thumbnails: bool, identity: tuple[int, int] | None) -> None:
        self.source, self.options, self.span, self.clusterer = source, options, span, clusterer
        self.identity = identity
        self.samples = SampleStore(options.colors)
        self.point, self.sampler_state, self.color = None, None, ColorReport()
        if resume is not None:
            self.point, self.sampler_state, self.color = resume.resume, resume.sampler, resume.color
            clusterer.set_state(resume.clusterer)
            self.samples.extend(resume.samples)
        self.thumbs = None
        if thumbnails:
            self.thumbs = ThumbnailCollector(start=resume.thumbnails if resume is not None else None,
                                             samples=len(self.samples))
        self.passed = Passed(span.start, span.end, source.keyframes_only)

    def sample(self, length: float | None, skip_unsampled: bool, expected: int | None,
               progress: ProgressCallback | None, checkpoint: CheckpointCallback | None,
               checkpoint_every: float, flush: FlushCallback | None, flush_every: float) -> ColorReport:
        """Cluster each analysis image into a sample, with ``progress``, ``checkpoint`` and
        ``flush`` called as they fall due; the colour report of all the samples."""
        source, options, clusterer = self.source, self.options, self.clusterer
        samples, thumbs, info, color = self.samples, self.thumbs, source.info, self.color
        last_checkpoint = started = time.monotonic()
        checkpoint = checkpoint if source.seeks or source.streaming else None  # (never resumed: alpha WebM)
        schedule = FlushSchedule(flush_every, started)
        said: set[str] = set()  # (the colour problems warned of)
        with blas.one_thread():
            for index, t, image, hdr, pts, state, stats in analysis_images(
                    source, options, self.span, length, self.point, self.sampler_state, skip_unsampled,
                    live=flush is not None, passed=self.passed):
                color = report_color(color, hdr, options, info.path, said)
                palette = clusterer.fit(image)
                samples.append(Sample(index, t, palette))
                if thumbs is not None:
                    thumbs.add(len(samples) - 1, image)
                if progress is not None and not maybe_still(info.container, index + 1):
                    progress(Progress(len(samples), expected, t, info.duration, index + 1, self.span.start,
                                      self.span.end))
                if checkpoint is not None and pts is not None \
                        and time.monotonic() - last_checkpoint >= checkpoint_every:
                    checkpoint(self.checkpoint(color, state, pts, index, stats))
                    last_checkpoint = time.monotonic()
                if flush is not None and schedule.due(time.monotonic()) and not interrupt.requested():
                    began = time.monotonic()
                    flush(self.so_far(color, live=True))
                    schedule.done(began, time.monotonic(), len(samples))
        return color

    def so_far(self, color: ColorReport, live: bool = False) -> Fingerprint:
        """The fingerprint of the samples so far (a view that later samples do not change)."""
        source, thumbs = self.source, self.thumbs
        return Fingerprint(source.info, self.options, self.samples.view(), source.stats, color=color,
                           time_range=seen_span(self.span, source.info, source.timeline, self.passed, live),
                           thumbnails=None if thumbs is None else thumbs.result())

    def checkpoint(self, color: ColorReport, sampler: SamplerState, pts: int, index: int,
                   stats: DecodeStats) -> Checkpoint:
        """What resumes the run after its latest sample: frame ``index`` at ``pts``, with the
        sampler's state and the decode stats then."""
        source, thumbs = self.source, self.thumbs
        return Checkpoint(self.options, self.samples.view(), self.clusterer.get_state(), sampler,
                          ResumePoint(int(pts), index, source.origin, stats), self.identity, color=color,
                          thumbnails=None if thumbs is None else thumbs.result())

    def finish(self, result: Fingerprint, stats: DecodeStats, length: float | None) -> Fingerprint:
        """``result``, the run's fingerprint, once its input is closed: an error if it has no
        sample, else said, and with the movie's length checked against the frames decoded
        when it was read to its end (``--samples`` stops at its last sample: the frames after it
        were never counted, and the movie was called cut short there). A part read to the
        input's end is checked as the whole movie is (its frames are counted from the movie's
        first, a seek's skipped ones too): a part of a file cut short ends where its frames
        do, not at the header's length (``--start 1 --end 10`` of a file that stops at 5.2 s
        said "0:09 of video (0:00:01 to 0:00:10)")."""
        info, options, span, samples = self.source.info, self.options, self.span, len(self.samples)
        if not samples and not span.whole and not interrupt.requested():
            raise self.passed.error(info.path, "keyframe" if self.source.keyframes_only else "frame")
        if not samples:
            raise NoFramesError(f"{info.path}: no frame could be sampled ({stats.frames} decoded)")
        log_decoded(info, stats, span, samples, self.clusterer.n_cold_)
        to_the_end = span.whole or (self.passed.ended and self.passed.after is None)
        # (keyframes only: the frames their packets held, the timeline to the last packet's end;
        # a file cut short was said to last its header's length, its last keyframe drawn over the rest)
        frames = self.source.frames_read
        if to_the_end and self.source.ended and frames is not None:
            timeline, joined = self.source.timeline, stats.discontinuities > 0
            checked = checked_length(info, frames, timeline, joined=joined, holes=not self.source.keyframes_only,
                                     damaged=self.source.damaged)
            if checked != info:
                result = dataclasses.replace(result, source=checked,
                                             time_range=seen_span(span, checked, timeline, self.passed))
        if options.sampling.mode == SamplingMode.SAMPLES and samples < options.sampling.value \
                and not interrupt.requested():  # (stopped: the columns not reached are no mystery)
            # where the input was seen to end: a part's end, or a whole movie's checked length
            seen = result.time_range.end if result.time_range.end is not None else result.source.duration
            if not span.whole and self.passed.ended and self.passed.after is None:
                # the input ended inside the part: where its last frame ends, if a frame or more
                # short of that (a part of a file cut short keeps the header's length, and its
                # missing columns were said to fall "on a frame already taken")
                end = picture_end(info, self.source.timeline)
                if end is not None and (seen is None or end < seen - 1 / (info.frame_rate or 24.0)):
                    seen = end
            # a part's own frames, not the movie's up to the part's end (a seek counts those
            # before its keyframe): "the movie has 120 frames" of --start 3.5 --end 5 at 24 fps
            held = stats.frames if span.whole else \
                self.passed.frames_inside(self.samples.view()[0].frame) or stats.frames
            warn_fewer_columns(info, samples, int(options.sampling.value), stats, seen, span, length, held)
        log_tone_mapped(result.color, info.path)
        return result
