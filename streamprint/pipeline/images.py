"""A run's analysis images: decoding and sampling run in a producer thread, conversion (to
the analysis size, in sRGB, letterbox cropped) on the caller's side of a bounded queue, so
the two overlap and memory stays flat however long the movie."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from typing import Any, TypeVar

from .. import interrupt
from ..color.letterbox import crop_letterbox
from ..enums import Crop
from ..errors import UnconvertibleFrameError, UnsupportedColorError
from ..model import Options, ResumePoint, SamplerState, TimeRange
from ..sampler import select_with_state, target_test
from ..source import SourceFrame, VideoSource
from ..source.ranges import Passed, restrict, within

T = TypeVar("T")

#: Sampled frames decoded ahead of the clusterer (bounds memory: one decoded frame each).
QUEUE_DEPTH = 8

_DONE = object()
#: How long an interrupted run waits for the decoding thread to stop, seconds.
JOIN_SECONDS = 1.0
#: With ``flush``, how long after an interrupt frames already read are still sampled, seconds.
DRAIN_SECONDS = 0.8


def analysis_images(source: VideoSource, options: Options, span: TimeRange, length: float | None,
                    resume: ResumePoint | None = None, sampler_state: SamplerState | None = None,
                    skip_unsampled: bool = True, live: bool = False,
                    passed: Passed | None = None) -> Iterator[tuple[Any, ...]]:
    """(frame index, time in seconds, (h, w, 3) uint8 image, its :class:`FrameHdr`, pts,
    sampler state, decode stats) of each sampled frame in ``span`` (a resolved range,
    ``length`` seconds long when known); the last three are what a checkpoint needs to
    resume.

    Decoding and sampling run in a producer thread, so they overlap with the conversion and
    clustering done on the caller's side (PyAV and libswscale release the GIL). The producer
    does nothing but keep FFmpeg's frame threads fed: converting there too stalled it for
    the length of each swscale call (measured: every frame of the 1080p benchmark clip
    took 1.51x the decoder's time that way, 1.42x this way). The queue is bounded, so
    memory stays flat; closing this generator stops the producer.

    An interrupt raises :class:`~streamprint.errors.Interrupted`; with ``live`` it ends the
    input instead: what was read by then (a stream's reads end at once) is still delivered,
    for up to :data:`DRAIN_SECONDS`. ``passed`` watches the frames go by (to say why a
    range gave no sample).
    """
    images: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
    stop = threading.Event()
    producer = threading.Thread(target=interrupt.carried(_produce), name="streamprint-decode", daemon=True,
                                args=(images, stop, source, options, span, length, resume, sampler_state,
                                      skip_unsampled, live, passed))
    producer.start()
    deadline = None
    try:
        while True:
            if live and deadline is None and interrupt.requested():
                deadline = time.monotonic() + DRAIN_SECONDS
            if deadline is not None and time.monotonic() > deadline:
                return
            try:
                item = images.get(timeout=0.1)
            except queue.Empty:
                if not live:
                    interrupt.check()
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            if not live:  # also when the queue is never empty: clustering slower than decoding
                interrupt.check()
            frame, state, stats = item
            try:
                image, hdr = frame.convert(options.analysis_size, tonemap=options.tonemap)
            except (UnsupportedColorError, UnconvertibleFrameError) as exc:  # said by the frame, which knows no name
                raise type(exc)(f"{source.info.path}: {exc}") from None
            if options.crop == Crop.AUTO:
                image = crop_letterbox(image)
            yield frame.index, frame.time, image, hdr, frame.pts, state, stats
    finally:
        stop.set()
        producer.join(timeout=JOIN_SECONDS)
        if producer.is_alive():  # stuck inside FFmpeg: leave it the container, the process ends
            source.abandon()


def _produce(images: queue.Queue, stop: threading.Event, source: VideoSource, options: Options,
             span: TimeRange, length: float | None, resume: ResumePoint | None,
             sampler_state: SamplerState | None, skip_unsampled: bool, live: bool,
             passed: Passed | None) -> None:
    """The producer thread: each sampled frame in ``span`` put on ``images`` with its
    sampler state and the decode stats so far, then ``_DONE``, or the exception that ended
    the decoding (the consumer re-raises it). Gives up once ``stop`` is set."""

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                images.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    try:
        frames = _frames(source, options, span, length, resume, skip_unsampled, live, passed)
        for frame, state in select_with_state(frames, options.sampling, length, sampler_state, span.start):
            if span.holds(frame.time) and not put((frame, state, source.stats)):
                return
        put(_DONE)
    except BaseException as exc:  # handed to the consumer, which re-raises it
        put(exc)


def _frames(source: VideoSource, options: Options, span: TimeRange, length: float | None,
            resume: ResumePoint | None, skip_unsampled: bool, live: bool,
            passed: Passed | None) -> Iterator[SourceFrame]:
    """The frames of ``span`` that the sampler chooses from: decoded from ``resume`` or the
    part's start (skipping what no sample can be, unless not ``skip_unsampled``), ended at
    an interrupt when ``live``, watched by ``passed``."""
    wanted = target_test(options.sampling, length, span.start) if skip_unsampled else None
    point = resume or (source.seek_point(span.start) if span.start > 0 else None)
    frames = source.frames(point, wanted=restrict(wanted, span.start))
    if live and not source.streaming:  # a stream's reads end at an interrupt; a file's must be ended
        frames = _until_interrupted(frames)
    if passed is not None:
        frames = passed.watch(frames)
    return within(frames, span.start, span.end)


def _until_interrupted(frames: Iterator[T]) -> Iterator[T]:
    for frame in frames:
        if interrupt.requested():
            return
        yield frame
