"""Stage 2, the sampler: choose which decoded frames become columns of the strip.

Four policies (:class:`~streamprint.model.Sampling`), the time-based ones driven by each
frame's own timestamp so variable frame rate works:

* ``every``: every nth decoded frame (frame 0, n, 2n, ...);
* ``interval``: the frame nearest to each multiple of S seconds (0, S, 2S, ...) up to the
  last frame;
* ``samples``: N frames, nearest to the middles of N equal slices of the duration;
* ``keyframes``: every keyframe, and only keyframes are decoded (the fast mode). Encoders
  put keyframes at scene cuts, so a column is close to a shot; the renderer gives each
  column a width proportional to the time until the next keyframe.

A frame is used at most once: when a variable-rate stream leaves a gap longer than the
interval, the targets inside it fall on the same frame and yield one column.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from .enums import SamplingMode
from .model import SamplerState, Sampling


class Timed(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def time(self) -> float: ...


F = TypeVar("F", bound=Timed)


def target_test(sampling: Sampling, duration: float | None, offset: float = 0.0) -> Callable[[float, float], bool] | None:
    """For the time-based modes: a test ``wanted(a, b)``, True when a target time (seconds)
    lies in (a, b]. The source uses it to let the decoder skip frames no target can pick
    (see :class:`streamprint.source._NonrefSkip`). None for the other modes. ``duration``
    and ``offset``: as for :meth:`Sampling.target`."""
    if sampling.mode == SamplingMode.INTERVAL:
        step, phase, count, offset = sampling.value, 0.0, None, 0.0  # multiples of step, from 0
    elif sampling.mode == SamplingMode.SAMPLES and duration:
        count = int(sampling.value)
        step, phase = duration / count, 0.5
    else:
        return None

    def wanted(a: float, b: float) -> bool:
        if b < 0:
            return False
        if math.isinf(b):
            return True
        k = math.floor((b - offset) / step - phase)  # the last target <= b, give or take rounding
        if count is not None:
            k = min(k, count - 1)
        return any(a < sampling.target(j, duration, offset) <= b for j in (k - 1, k, k + 1)
                   if j >= 0 and (count is None or j < count))

    return wanted


def _next_candidate(sampling: Sampling, k: int, prev: Timed | None, frame: Timed, took_frame: bool) -> int:
    """For ``interval`` sampling, after target k - 1 picked ``prev`` or ``frame``: the
    first target from k on that could pick anything not yet picked. After ``frame`` it is
    the first target past ``frame``; after ``prev``, the first that is nearer ``frame``."""
    step = sampling.value
    if took_frame or prev is None:
        def done(j: int) -> bool:  # target j would pick frame again
            return sampling.target(j, None) <= frame.time
    else:
        def done(j: int) -> bool:  # target j would pick prev again
            t = sampling.target(j, None)
            return t <= frame.time and (t - prev.time) < (frame.time - t)
    if not done(k):
        return k
    edge = frame.time if took_frame or prev is None else (prev.time + frame.time) / 2
    j = max(k + 1, int(math.floor(edge / step)) - 1)
    while j > k + 1 and not done(j - 1):
        j -= 1
    while done(j):
        j += 1
    return j


def select(frames: Iterable[F], sampling: Sampling, duration: float | None = None) -> Iterator[F]:
    """The frames ``sampling`` picks from ``frames`` (which must be in time order); see
    :func:`select_with_state`."""
    for frame, _ in select_with_state(frames, sampling, duration):
        yield frame


def select_with_state(frames: Iterable[F], sampling: Sampling, duration: float | None = None,
                      start: SamplerState | None = None, offset: float = 0.0) -> Iterator[tuple[F, SamplerState]]:
    """Each frame ``sampling`` picks from ``frames`` (in time order), with the sampler's
    state just after picking it.

    For ``samples``, ``duration`` (seconds) is required; its targets are spread over
    ``duration`` seconds from ``offset`` (a part of the movie). Frames that are not picked are
    dropped as soon as the next frame arrives: at most one frame is held back.

    Resuming from a yielded state (``start``) with the frames from that state's last picked
    frame onwards yields exactly what the first run would have yielded after it.
    """
    start = start or SamplerState()
    k, last_emitted = start.next_target, start.last_emitted
    if sampling.mode in (SamplingMode.KEYFRAMES, SamplingMode.EVERY):  # keyframes: the decoder dropped the others
        n = int(sampling.value) if sampling.mode == SamplingMode.EVERY else 1
        for frame in frames:
            if frame.index % n == 0 and frame.index > last_emitted:
                last_emitted = frame.index
                yield frame, SamplerState(k, last_emitted)
        return

    targets: Iterator[float] = itertools.islice(sampling.targets(duration, offset), k, None)
    target = next(targets, None)
    prev: F | None = None
    for frame in frames:
        while target is not None and target <= frame.time:
            # The target lies between prev and this frame: take the nearer one.
            chosen = frame
            if prev is not None and (target - prev.time) < (frame.time - target):
                chosen = prev
            k += 1
            if chosen.index > last_emitted:
                last_emitted = chosen.index
                yield chosen, SamplerState(k, last_emitted)
            if sampling.mode == SamplingMode.INTERVAL:
                # Many targets between two frames (an interval far below the frame duration):
                # skip those that would pick the frame just picked, in O(1) rather than one
                # by one. Picks and states are exactly those of the one-by-one loop.
                k = _next_candidate(sampling, k, prev, frame, chosen is frame)
                targets = (sampling.target(j, duration, offset) for j in itertools.count(k))
            target = next(targets, None)
        prev = frame
        if target is None:
            return
    # ``samples`` only: a target past the last frame still gets it when within half a slice,
    # since a container's duration is an estimate (it may include the last frame's length).
    if prev is not None and target is not None and prev.index > last_emitted and sampling.mode == SamplingMode.SAMPLES:
        if target - prev.time <= (duration or 0.0) / sampling.value / 2:
            yield prev, SamplerState(k + 1, prev.index)
