"""Which sample each pixel column of a picture shows: a fingerprint resampled by time.

A picture of a fingerprint spans its timeline, from the start of the part made (0 for a
whole movie; the first sample's time if that is earlier) to the end of the last sample's span (:meth:`~streamprint.model.Fingerprint.spans`: until the next sample,
the last one until the end of the stream). Drawn ``width`` px wide, column ``x`` stands for
the time slice ``[start + x·d, start + (x+1)·d)``, ``d = (end - start) / width``, and shows
the sample that covers the middle of that slice: the last sample at or before it. So a
sample gets as many columns as its share of the time (none when its span is shorter than
one column), whatever the sampling, and every column shows one sample's colours, unblended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import params
from ..errors import ParameterError

if TYPE_CHECKING:
    from ..model import Fingerprint


def columns_by_time(starts: np.ndarray, spans: np.ndarray, width: int, origin: float | None = None) -> np.ndarray:
    """For ``width`` columns over the time from ``origin`` (default ``starts[0]``; never
    later than it) to ``starts[-1] + spans[-1]`` (seconds, float, shape (n,); starts not
    decreasing, spans >= 0), the index of the sample each column shows (int64, shape
    (width,)); columns before the first sample show it. When the samples span no time at
    all, the columns are shared out by index instead."""
    starts, spans = params.check("starts", starts), params.check("spans", spans)
    width = params.check("width", width, rule="count")
    n = len(starts)
    if n == 0 or spans.shape != (n,):
        raise ParameterError("spans", f"must give one span per start, at least one: {len(spans)} for {n}")
    origin = params.check("origin", origin)
    starts = np.maximum.accumulate(starts)  # a timeline never runs backwards
    start = float(starts[0]) if origin is None else min(float(origin), float(starts[0]))
    end = float(starts[-1] + max(0.0, spans[-1]))
    middles = (np.arange(width, dtype=np.float64) + 0.5) / width
    if not end > start:
        return np.minimum((middles * n).astype(np.int64), n - 1)
    index = np.searchsorted(starts, start + middles * (end - start), side="right") - 1
    return np.clip(index, 0, n - 1).astype(np.int64)


def columns_for_width(fp: Fingerprint, width: int) -> np.ndarray:
    """The sample each of ``width`` pixel columns shows when ``fp`` is drawn that wide,
    resampled by time (see the module's docstring): int64, shape (width,)."""
    params.check("fp", fp)
    return columns_by_time(fp.times, fp.spans(), width, picture_start(fp))


def picture_start(fp: Fingerprint) -> float:
    """Where a picture of ``fp`` starts, seconds: the part's start (0 for a whole movie), or
    the first sample's time if that is earlier. ``--samples 6`` puts its first sample at 1 s
    of a 12-s movie, whose first sixth it stands for: from the first sample, a picture 1200
    px wide gave it 100 px less than the others, and put every shot cut 100 px early."""
    return min(float(fp.times[0]), fp.time_range.start)


def timeline(fp: Fingerprint) -> tuple[float, float]:
    """(start, end) in seconds of the time ``fp``'s samples stand for: from
    :func:`picture_start` to the end of the last sample's span."""
    times, spans = fp.times, fp.spans()
    return picture_start(fp), float(max(times[0], times[-1] + spans[-1]))
