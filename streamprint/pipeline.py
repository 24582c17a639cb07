"""The pipeline: source -> sampler -> clusterer, joined into one streaming pass that
returns a :class:`~streamprint.model.Fingerprint`.

Decoding and sampling run in a producer thread; conversion and clustering run on the
caller's side of a bounded queue, so memory stays flat however long the movie.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO

from threadpoolctl import threadpool_limits

from . import params
from .clusterer import FrameClusterer
from .color.letterbox import crop_letterbox
from .enums import Algorithm, Crop, SamplingMode, Space
from .errors import ParameterError
from .model import (
    DEFAULT_ANALYSIS_SIZE,
    Checkpoint,
    Fingerprint,
    Options,
    Progress,
    ResumePoint,
    Sample,
    SamplerState,
    Sampling,
)
from .sampler import select_with_state, target_test
from .source import VideoSource

log = logging.getLogger("streamprint")

ProgressCallback = Callable[[Progress], None]
CheckpointCallback = Callable[[Checkpoint], None]


#: Sampled frames decoded ahead of the clusterer (bounds memory: one decoded frame each).
QUEUE_DEPTH = 8

_DONE = object()


def _analysis_images(source: VideoSource, options: Options, resume: ResumePoint | None = None,
                     sampler_state: SamplerState | None = None,
                     skip_unsampled: bool = True) -> Iterator[tuple[Any, ...]]:
    """(frame index, time in seconds, (h, w, 3) uint8 image, pts, sampler state, decode
    stats) of each sampled frame; the last three are what a checkpoint needs to resume.

    Decoding and sampling run in a producer thread, so they overlap with the conversion and
    clustering done on the caller's side (PyAV and libswscale release the GIL). The producer
    does nothing but keep FFmpeg's frame threads fed: converting there too stalled it for
    the length of each swscale call (measured: every frame of the 1080p benchmark clip
    took 1.51x the decoder's time that way, 1.42x this way). The queue is bounded, so
    memory stays flat; closing this generator stops the producer.
    """
    images: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                images.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            wanted = target_test(options.sampling, source.info.duration) if skip_unsampled else None
            frames = source.frames(resume, wanted=wanted)
            for frame, state in select_with_state(frames, options.sampling, source.info.duration, sampler_state):
                if not put((frame, state, source.stats)):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)

    producer = threading.Thread(target=produce, name="streamprint-decode", daemon=True)
    producer.start()
    try:
        while True:
            item = images.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            frame, state, stats = item
            image = frame.to_rgb(options.analysis_size)
            if options.crop == Crop.AUTO:
                image = crop_letterbox(image)
            yield frame.index, frame.time, image, frame.pts, state, stats
    finally:
        stop.set()
        producer.join()


def fingerprint(
    path: str | os.PathLike[str] | BinaryIO,
    *,
    sampling: Sampling | None = None,
    colors: int = 5,
    algorithm: Algorithm | str = Algorithm.KMEANS,
    seed: int = 0,
    analysis_size: int = DEFAULT_ANALYSIS_SIZE,
    space: Space | str = Space.RGB,
    crop: Crop | str = Crop.AUTO,
    format: str | None = None,
    demuxer_options: Mapping[str, str] | None = None,
    threads: int = 0,
    skip_unsampled: bool = True,
    progress: ProgressCallback | None = None,
    checkpoint: CheckpointCallback | None = None,
    checkpoint_every: float = 60.0,
    resume: Checkpoint | None = None,
) -> Fingerprint:
    """Fingerprint a movie in one streaming pass.

    Options are keyword arguments, named as in :class:`~streamprint.model.Options` (and
    as the CLI's flags): ``sampling`` (default: one frame per second), ``colors``,
    ``algorithm``, ``seed``, ``analysis_size`` (pixels), ``space``, ``crop``. Every value
    is checked before the input is opened. With an :class:`Options` at hand, pass
    ``**options.fields()``.

    ``path`` is a file path, ``"-"`` for standard input, or a binary file object;
    ``format`` and ``demuxer_options`` are passed to FFmpeg's demuxer. ``threads`` is the
    decoder's thread count (0 = automatic). With time-based sampling the decoder skips
    non-reference frames that no sample can be (same result, less decoding);
    ``skip_unsampled=False`` decodes every frame anyway. ``progress`` is called after
    every sample with a :class:`~streamprint.model.Progress`.

    ``checkpoint``, if given, is called with a :class:`~streamprint.model.Checkpoint`
    after a sample whenever ``checkpoint_every`` seconds have passed since the last call;
    passing one back as ``resume`` continues from it (seeking, not decoding from the
    start) and gives exactly the fingerprint an uninterrupted run gives.

    Raises a :class:`~streamprint.errors.StreamprintError` subclass on bad input.
    """
    options = Options(sampling=Sampling.default() if sampling is None else sampling, colors=colors,
                      algorithm=algorithm, seed=seed, analysis_size=analysis_size, space=space, crop=crop)

    threads = params.check("threads", threads)
    checkpoint_every = params.check("checkpoint_every", checkpoint_every)
    if resume is not None and resume.options != options:
        raise ParameterError("resume", "was made with other options")
    clusterer = FrameClusterer(options.colors, options.algorithm, options.seed, space=options.space)

    keyframes = options.sampling.mode == SamplingMode.KEYFRAMES
    with VideoSource(path, format=format, options=demuxer_options, threads=threads,
                     keyframes_only=keyframes) as source:
        info = source.info
        options.sampling.require_duration(info.duration)
        if info.hdr:
            log.warning("%s: HDR video (%s transfer) is not tone-mapped; colours will look washed out",
                        info.path, info.color_transfer)
        expected = options.sampling.expected_count(info.duration, info.frame_count)
        samples: list[Sample] = []
        point, sampler_state = None, None
        if resume is not None:
            point, sampler_state = resume.resume, resume.sampler
            clusterer.set_state(resume.clusterer)
            samples = list(resume.samples)
        last_checkpoint = time.monotonic()
        with threadpool_limits(limits=1):
            for index, t, image, pts, state, stats in _analysis_images(source, options, point, sampler_state,
                                                                       skip_unsampled):
                palette = clusterer.fit(image)
                samples.append(Sample(index, t, palette))
                if progress is not None:
                    progress(Progress(len(samples), expected, t, info.duration, index + 1))
                if checkpoint is not None and pts is not None and time.monotonic() - last_checkpoint >= checkpoint_every:
                    checkpoint(Checkpoint(options, tuple(samples), clusterer.get_state(), state,
                                          ResumePoint(int(pts), index, source.origin, stats)))
                    last_checkpoint = time.monotonic()
        stats = source.stats
    log.info("%s: %d frames decoded, %d samples, %d cold starts",
             info.path, stats.frames, len(samples), clusterer.n_cold_)
    return Fingerprint(info, options, tuple(samples), stats)
