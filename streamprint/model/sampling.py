"""What a fingerprint computes: :class:`Sampling` and the clustering :class:`Options`."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypedDict

from .. import params
from ..enums import Algorithm, Crop, SamplingMode, Space, ToneMap
from ..errors import InvalidValue, ParameterError
from .colors import _set
from .timerange import TimeRange


@dataclass(frozen=True, init=False)
class Sampling:
    """Which frames become columns: a :class:`~streamprint.enums.SamplingMode` and its
    value (``every``: frames, ``interval``: seconds, ``samples``: a count, ``keyframes``:
    0). Invalid combinations cannot be built; the class methods read best."""

    mode: SamplingMode
    value: float

    # Written out, not made by @dataclass: it takes the mode's name as well as its member.
    def __init__(self, mode: SamplingMode | str, value: float) -> None:
        checked: SamplingMode = params.check("sampling", mode)
        if checked == SamplingMode.KEYFRAMES:
            if value not in (0, None):
                raise ParameterError("sampling", f"keyframes takes no value, got {value!r}")
            value = 0
        else:
            value = params.check(checked.value, value)
        _set(self, mode=checked, value=value)

    @classmethod
    def every(cls, n: int) -> Sampling:
        """Every ``n``-th decoded frame (n >= 1)."""
        return cls(SamplingMode.EVERY, n)

    @classmethod
    def interval(cls, seconds: float) -> Sampling:
        """The frame nearest to every multiple of ``seconds``."""
        return cls(SamplingMode.INTERVAL, seconds)

    @classmethod
    def samples(cls, n: int) -> Sampling:
        """``n`` frames evenly spaced over the duration (needs a known duration)."""
        return cls(SamplingMode.SAMPLES, n)

    @classmethod
    def keyframes(cls) -> Sampling:
        """Every keyframe; the decoder skips all other frames (fast, approximate)."""
        return cls(SamplingMode.KEYFRAMES, 0)

    @classmethod
    def default(cls) -> Sampling:
        """One frame per second."""
        return cls.interval(DEFAULT_INTERVAL)

    @property
    def time_proportional(self) -> bool:
        """True when columns stand for unequal spans of time (keyframes)."""
        return self.mode == SamplingMode.KEYFRAMES

    def describe(self) -> str:
        """The sampling in words, for messages: ``one frame every 1 s``."""
        if self.mode == SamplingMode.EVERY:
            return f"every {int(self.value)} frame(s)"
        if self.mode == SamplingMode.INTERVAL:
            return f"one frame every {self.value:g} s"
        if self.mode == SamplingMode.KEYFRAMES:
            return "keyframes only"
        return f"{int(self.value)} frames evenly spaced"

    def expected_count(self, duration: float | None, frame_count: int | None) -> int | None:
        """How many samples to expect, for progress bars; None when unknown."""
        if self.mode == SamplingMode.SAMPLES:
            return int(self.value)
        if self.mode == SamplingMode.KEYFRAMES:
            return None
        if self.mode == SamplingMode.EVERY:
            return math.ceil(frame_count / self.value) if frame_count else None
        return max(1, math.ceil(duration / self.value)) if duration else None

    def require_duration(self, duration: float | None) -> None:
        """``samples`` spreads its frames over the duration: refuse it when none is known."""
        if self.mode == SamplingMode.SAMPLES and duration is None:
            raise ParameterError("samples", "needs the duration, which this input does not state; "
                                            "use {param:every} or {param:interval} instead, or give the part's "
                                            "{param:end} or {param:duration}")

    def target(self, k: int, duration: float | None, offset: float = 0.0) -> float:
        """The ``k``-th target time in seconds (k >= 0) of a time-based mode; ``samples``
        needs ``duration`` and has targets only for k < N. ``interval`` targets are multiples
        of its seconds on the movie's own clock, also within a part of it; ``samples`` spreads
        them over ``duration`` seconds from ``offset`` (a part's start)."""
        if self.mode == SamplingMode.INTERVAL:
            return k * self.value
        if self.mode == SamplingMode.SAMPLES and duration is not None:
            return offset + (k + 0.5) * duration / int(self.value)
        raise InvalidValue("frame-count sampling has no time targets")

    def targets(self, duration: float | None, offset: float = 0.0) -> Iterator[float]:
        """Target times in seconds for the time-based modes (infinite for ``interval``)."""
        self.require_duration(duration)
        count = int(self.value) if self.mode == SamplingMode.SAMPLES else None
        for k in itertools.count() if count is None else range(count):
            yield self.target(k, duration, offset)


#: The default sampling: one column per second of film.
DEFAULT_INTERVAL = 1.0
#: Default long side, in pixels, of the image each frame is shrunk to before clustering.
DEFAULT_ANALYSIS_SIZE = 160


class OptionFields(TypedDict):
    """:meth:`Options.fields`: the options as keyword arguments of
    :func:`streamprint.fingerprint`, each with its type."""

    sampling: Sampling
    colors: int
    algorithm: Algorithm
    seed: int
    analysis_size: int
    space: Space
    crop: Crop
    tonemap: ToneMap
    time_range: TimeRange


@dataclass(frozen=True, init=False)
class Options:
    """Everything that decides a fingerprint's content (not how it is drawn): the sampling
    and the clustering options. The choices may be given as their names (``space="lab"``);
    they are held as their enums."""

    sampling: Sampling
    colors: int
    """Dominant colours per frame (k)."""
    algorithm: Algorithm
    seed: int
    analysis_size: int
    """Long side in pixels of the downscaled frame that is clustered."""
    space: Space
    """Colour space the clustering happens in (results are always sRGB)."""
    crop: Crop
    """``auto``: leave letterbox / pillarbox black bars out of the clustering."""
    tonemap: ToneMap
    """``auto``: HDR (PQ/HLG) frames are tone-mapped to SDR before clustering."""
    time_range: TimeRange
    """The part of the movie to read (default: all of it), as asked for: an end counted
    back from the end is resolved per movie."""

    # Written out, not made by @dataclass: it takes a choice's name as well as its enum
    # member, and None for the whole movie, where the fields hold only the checked value.
    def __init__(self, sampling: Sampling | None = None, colors: int = 5, algorithm: Algorithm | str = Algorithm.KMEANS,
                 seed: int = 0, analysis_size: int = DEFAULT_ANALYSIS_SIZE, space: Space | str = Space.RGB,
                 crop: Crop | str = Crop.AUTO, tonemap: ToneMap | str = ToneMap.AUTO,
                 time_range: TimeRange | None = None) -> None:
        """``sampling`` defaults to :meth:`Sampling.default` (one frame a second),
        ``time_range`` to all of the movie."""
        sampling = Sampling.default() if sampling is None else sampling
        if not isinstance(sampling, Sampling):
            raise ParameterError("sampling", f"must be a Sampling, got {sampling!r}")
        time_range = TimeRange() if time_range is None else time_range
        if not isinstance(time_range, TimeRange):
            raise ParameterError("time_range", f"must be a TimeRange, got {time_range!r}")
        checked = {name: params.check(name, value) for name, value in (
            ("colors", colors), ("algorithm", algorithm), ("seed", seed), ("analysis_size", analysis_size),
            ("space", space), ("crop", crop), ("tonemap", tonemap))}
        _set(self, sampling=sampling, time_range=time_range, **checked)

    def fields(self) -> OptionFields:
        """The options as keyword arguments, e.g. for :func:`streamprint.fingerprint`
        (``fingerprint(path, **options.fields())``)."""
        return OptionFields(sampling=self.sampling, colors=self.colors, algorithm=self.algorithm, seed=self.seed,
                            analysis_size=self.analysis_size, space=self.space, crop=self.crop,
                            tonemap=self.tonemap, time_range=self.time_range)
