"""The state of a run in progress, for checkpoints, and a batch job's result."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..enums import Status
from ..errors import InvalidValue
from .colors import _set, frozen_array, same_array
from .fingerprint import ColorReport, DecodeStats, RenderOptions
from .samples import Samples
from .sampling import Options
from .thumbnails import Thumbnails


@dataclass(frozen=True, eq=False)
class ClustererState:
    """A clusterer's warm-start state: the last fit's centroids ((m, 3) float64 in the
    clustering space's units, read-only) and mean squared distance, and its fit counts."""

    centroids: np.ndarray | None
    inertia: float | None
    n_fits: int = 0
    n_cold: int = 0

    def __post_init__(self) -> None:
        c = None if self.centroids is None else frozen_array(self.centroids, np.float64, (None, 3))
        if c is not None and not np.all(np.isfinite(c)):
            raise InvalidValue("centroids must be finite")
        inertia = None if self.inertia is None else float(self.inertia)
        if inertia is not None and not (math.isfinite(inertia) and inertia >= 0):
            raise InvalidValue("inertia must be a finite number >= 0")
        if min(self.n_fits, self.n_cold) < 0 or self.n_cold > self.n_fits:
            raise InvalidValue("fit counts must be >= 0, cold starts at most fits")
        _set(self, centroids=c, inertia=inertia, n_fits=int(self.n_fits), n_cold=int(self.n_cold))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ClustererState):
            return NotImplemented
        return same_array(self.centroids, other.centroids) and (self.inertia, self.n_fits, self.n_cold) == (other.inertia, other.n_fits, other.n_cold)

    def __hash__(self) -> int:
        """By content, as ``==`` compares, like every frozen value of the model: a
        :class:`Checkpoint`, which holds one, was unhashable for it alone (``+ 0.0`` makes
        -0.0, which equals 0.0, hash as it does)."""
        centroids = None if self.centroids is None else (self.centroids.shape, (self.centroids + 0.0).tobytes())
        return hash((centroids, self.inertia, self.n_fits, self.n_cold))


@dataclass(frozen=True)
class SamplerState:
    """Where the sampler stands: time targets already done, index of the last frame taken."""

    next_target: int = 0
    last_emitted: int = -1

    def __post_init__(self) -> None:
        if self.next_target < 0 or self.last_emitted < -1:
            raise InvalidValue("sampler state out of range")


@dataclass(frozen=True)
class ResumePoint:
    """Where an earlier pass stood: a frame's pts (stream time base) and index, the time
    origin in seconds that pass used, and its decode counts up to that frame."""

    pts: int
    index: int
    origin: float | None
    stats: DecodeStats

    def __post_init__(self) -> None:
        if self.index < 0 or (self.origin is not None and not math.isfinite(self.origin)):
            raise InvalidValue("resume point out of range")


@dataclass(frozen=True)
class Checkpoint:
    """A run's state after a sample: enough to resume it and get exactly what an
    uninterrupted run gives. ``input`` is the movie's (size in bytes, mtime in ns) when
    known, so a checkpoint is used only for the very file it was made from."""

    options: Options
    samples: Samples
    clusterer: ClustererState
    sampler: SamplerState
    resume: ResumePoint
    input: tuple[int, int] | None = None
    color: ColorReport = ColorReport()
    """What the conversion of the samples so far found and did."""
    thumbnails: Thumbnails | None = None
    """The thumbnails kept so far, when the run makes them."""

    def __post_init__(self) -> None:
        _set(self, samples=Samples.of(self.samples))
        if self.thumbnails is not None and self.thumbnails.indices and \
                self.thumbnails.indices[-1] >= len(self.samples):
            raise InvalidValue("a checkpoint's thumbnails must be of its samples")
        if self.samples and self.samples[-1].frame != self.resume.index:
            raise InvalidValue("a checkpoint's last sample must be its resume frame")
        if self.clusterer.n_fits != len(self.samples):
            raise InvalidValue("a checkpoint's clusterer must have fitted each of its samples")


@dataclass(frozen=True)
class JobResult:
    """What one movie of a batch came to: its status, seconds of work, the error message
    (failures), its outputs (paths relative to the output folder) and the frame it resumed
    from, if it did."""

    status: Status
    seconds: float
    error: str | None = None
    outputs: tuple[str, ...] = ()
    resumed_from_frame: int | None = None

    def __post_init__(self) -> None:
        _set(self, status=Status(self.status), seconds=max(0.0, float(self.seconds)), outputs=tuple(self.outputs))


@dataclass(frozen=True)
class ManifestEntry:
    """A batch manifest's record of one input: what became of it, with which options, the
    file's size (bytes) and mtime (ns) then, seconds of work, and its result's details."""

    status: Status
    options: Options
    size: int
    mtime_ns: int
    seconds: float = 0.0
    error: str | None = None
    outputs: tuple[str, ...] = ()
    resumed_from_frame: int | None = None
    render: RenderOptions | None = None
    """How the strip was drawn (None: not recorded, by streamprint 0.1)."""

    def __post_init__(self) -> None:
        if self.size < 0 or self.seconds < 0 or (self.resumed_from_frame is not None and self.resumed_from_frame < 0):
            raise InvalidValue("manifest entry out of range")
        _set(self, status=Status(self.status), outputs=tuple(self.outputs))
