"""A part of a movie: :class:`TimeRange`."""

from __future__ import annotations

from dataclasses import dataclass

from .. import params
from .colors import _set


def hms(seconds: float) -> str:
    """``h:mm:ss`` of a time in seconds, with as many decimals as it has to the millisecond
    (``0:00:04.2``): a part from 4.2 to 8.5 s was "0:00:04 to 0:00:08", and 1.5 to 2.5 s
    "0:00:02 to 0:00:02"."""
    ms = int(round(max(0.0, seconds) * 1000))
    s, frac = divmod(ms, 1000)
    text = f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{text}.{frac:03d}".rstrip("0") if frac else text


@dataclass(frozen=True, init=False)
class TimeRange:
    """The part of a movie that is fingerprinted: from ``start`` up to (not including)
    ``end``, in seconds of the movie's own timeline (the times samples carry, from the
    stream's start). ``end`` None: to the end of the input; negative: that many seconds
    before the end, which needs the movie's duration (:meth:`resolve`).

    Each of ``start``, ``end`` and ``duration`` (given instead of ``end``: ``end = start +
    duration``) is a number of seconds or text in FFmpeg's time syntax: ``90``, ``1:30``,
    ``1:02:03.5``, ``-8:00``. ``TimeRange()`` is the whole movie."""

    start: float
    end: float | None

    # Written out, not made by @dataclass: it takes text as well as seconds, and a
    # duration instead of the end, where the fields hold seconds.
    def __init__(self, start: float | str = 0.0, end: float | str | None = None,
                 duration: float | str | None = None) -> None:
        start, end = params.check_time_range(start, end, duration)
        _set(self, start=start, end=end)

    @property
    def whole(self) -> bool:
        """True for the whole movie."""
        return self.start == 0 and self.end is None

    @property
    def resolved(self) -> bool:
        """True when the end, if any, is a time from the start (not counted back)."""
        return self.end is None or self.end > 0

    def resolve(self, duration: float | None) -> TimeRange:
        """This range in a movie of ``duration`` seconds (None: not known), with an end
        counted back from the end made a time from the start. ParameterError when it lies
        outside the movie, or counts back from an end that is not known."""
        return TimeRange(*params.resolve_time_range(self.start, self.end, duration))

    def length(self, duration: float | None) -> float | None:
        """Seconds of film the (resolved) range covers in a movie of ``duration`` seconds;
        None when unknown."""
        end = self.end if duration is None else duration if self.end is None else min(self.end, duration)
        return None if end is None else max(0.0, end - self.start)

    def holds(self, seconds: float) -> bool:
        """True when a frame at ``seconds`` lies in the range."""
        return seconds >= self.start and (self.end is None or self.end <= 0 or seconds < self.end)

    def describe(self) -> str:
        """``0:01:30 to 1:52:00``, ``0:01:30 to the end``, ``to 8:00 before the end``."""
        start = hms(self.start)
        if self.end is None:
            return f"{start} to the end"
        if self.end < 0:
            return f"{start} to {hms(-self.end)} before the end"
        return f"{start} to {hms(self.end)}"
