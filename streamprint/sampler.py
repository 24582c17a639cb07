"""Stage 2, the sampler: choose which decoded frames become columns of the strip.

Three policies, all driven by each frame's own timestamp so variable frame rate works:

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
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from .errors import UsageError

Mode = Literal["every", "interval", "samples", "keyframes"]

#: The default policy: one column per second of film.
DEFAULT_INTERVAL = 1.0


class Timed(Protocol):
    @property
    def index(self) -> int: ...

    @property
    def time(self) -> float: ...


F = TypeVar("F", bound=Timed)


@dataclass(frozen=True)
class Sampling:
    """A sampling policy. Build with :meth:`every`, :meth:`interval` or :meth:`samples`."""

    mode: Mode
    value: float

    @classmethod
    def every(cls, n: int) -> Sampling:
        """Every ``n``-th frame (n >= 1)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise UsageError(f"--every needs a whole number >= 1, got {n!r}")
        return cls("every", n)

    @classmethod
    def interval(cls, seconds: float) -> Sampling:
        """The frame nearest to every multiple of ``seconds``."""
        if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
            raise UsageError(f"--interval needs a positive number of seconds, got {seconds!r}")
        return cls("interval", float(seconds))

    @classmethod
    def samples(cls, n: int) -> Sampling:
        """``n`` frames evenly spaced over the duration (needs a known duration)."""
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise UsageError(f"--samples needs a whole number >= 1, got {n!r}")
        return cls("samples", n)

    @classmethod
    def keyframes(cls) -> Sampling:
        """Every keyframe; the decoder skips all other frames (fast, approximate)."""
        return cls("keyframes", 0)

    @property
    def time_proportional(self) -> bool:
        """True when columns stand for unequal spans of time (keyframes)."""
        return self.mode == "keyframes"

    @classmethod
    def default(cls) -> Sampling:
        return cls.interval(DEFAULT_INTERVAL)

    def describe(self) -> str:
        if self.mode == "every":
            return f"every {int(self.value)} frame(s)"
        if self.mode == "interval":
            return f"one frame every {self.value:g} s"
        if self.mode == "keyframes":
            return "keyframes only"
        return f"{int(self.value)} frames evenly spaced"

    def to_dict(self) -> dict[str, float | str]:
        return {"mode": self.mode, "value": int(self.value) if self.mode != "interval" else self.value}

    @classmethod
    def from_dict(cls, data: dict) -> Sampling:
        mode, value = data["mode"], data["value"]
        if mode == "every":
            return cls.every(int(value))
        if mode == "interval":
            return cls.interval(float(value))
        if mode == "samples":
            return cls.samples(int(value))
        if mode == "keyframes":
            return cls.keyframes()
        raise UsageError(f"unknown sampling mode {mode!r}")

    def expected_count(self, duration: float | None, frame_count: int | None) -> int | None:
        """How many samples to expect, for progress bars; None when unknown."""
        if self.mode == "samples":
            return int(self.value)
        if self.mode == "keyframes":
            return None
        if self.mode == "every":
            return math.ceil(frame_count / self.value) if frame_count else None
        return max(1, math.ceil(duration / self.value)) if duration else None

    def target(self, k: int, duration: float | None) -> float:
        """The ``k``-th target time in seconds (k >= 0) of a time-based mode; ``samples``
        needs ``duration`` and has targets only for k < N."""
        if self.mode == "interval":
            return k * self.value
        if self.mode == "samples" and duration is not None:
            return (k + 0.5) * duration / int(self.value)
        raise ValueError("frame-count sampling has no time targets")

    def targets(self, duration: float | None) -> Iterator[float]:
        """Target times in seconds for the time-based modes (infinite for ``interval``)."""
        if self.mode == "samples" and duration is None:
            raise UsageError(
                "--samples needs the duration, which this input does not state; "
                "use --every N or --interval SECONDS instead"
            )
        count = int(self.value) if self.mode == "samples" else None
        for k in itertools.count() if count is None else range(count):
            yield self.target(k, duration)


def target_test(sampling: Sampling, duration: float | None) -> Callable[[float, float], bool] | None:
    """For the time-based modes: a test ``wanted(a, b)``, True when a target time (seconds)
    lies in (a, b]. The source uses it to let the decoder skip frames no target can pick
    (see :class:`streamprint.source._NonrefSkip`). None for the other modes."""
    if sampling.mode == "interval":
        step, offset, count = sampling.value, 0.0, None
    elif sampling.mode == "samples" and duration:
        count = int(sampling.value)
        step, offset = duration / count, 0.5
    else:
        return None

    def wanted(a: float, b: float) -> bool:
        if b < 0:
            return False
        if math.isinf(b):
            return True
        k = math.floor(b / step - offset)  # the last target <= b, give or take rounding
        if count is not None:
            k = min(k, count - 1)
        return any(a < sampling.target(j, duration) <= b for j in (k - 1, k, k + 1)
                   if j >= 0 and (count is None or j < count))

    return wanted


def select(frames: Iterable[F], sampling: Sampling, duration: float | None = None,
           state: dict[str, int] | None = None) -> Iterator[F]:
    """Yield the frames ``sampling`` picks from ``frames`` (which must be in time order).

    For ``samples``, ``duration`` (seconds) is required. Frames that are not picked are
    dropped as soon as the next frame arrives: at most one frame is held back.

    ``state`` makes the selection resumable: it is read at the start (``next_target``: how
    many time targets are already done; ``last_emitted``: the index of the last frame
    yielded) and kept up to date before every yield. Resuming from a saved state with the
    frames from the last yielded one onwards yields exactly what the first run would have.
    """
    state = state if state is not None else {}
    state.setdefault("next_target", 0)
    last_emitted = state.setdefault("last_emitted", -1)
    if sampling.mode in ("keyframes", "every"):  # keyframes: the decoder dropped the others
        n = int(sampling.value) if sampling.mode == "every" else 1
        for frame in frames:
            if frame.index % n == 0 and frame.index > last_emitted:
                last_emitted = state["last_emitted"] = frame.index
                yield frame
        return

    targets = itertools.islice(sampling.targets(duration), state["next_target"], None)
    k = state["next_target"]
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
                last_emitted = state["last_emitted"] = chosen.index
                state["next_target"] = k
                yield chosen
            target = next(targets, None)
        prev = frame
        if target is None:
            return
    # ``samples`` only: a target past the last frame still gets it when within half a slice,
    # since a container's duration is an estimate (it may include the last frame's length).
    if prev is not None and target is not None and prev.index > last_emitted and sampling.mode == "samples":
        if target - prev.time <= (duration or 0.0) / sampling.value / 2:
            state["last_emitted"], state["next_target"] = prev.index, k + 1
            yield prev
