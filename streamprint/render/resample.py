"""Columns by time: which sample each pixel column of a strip of fixed width shows.

A live stream's strip is kept at ``width`` pixels however long the stream runs (a day in
1,920 px), so that every rewrite costs the same. (Minimal, for live strips; the general
``width`` for every style may take its place.)"""

from __future__ import annotations

import numpy as np


def resample_by_time(times: np.ndarray, start: float, end: float, width: int) -> np.ndarray:
    """For each of ``width`` columns that split [``start``, ``end``) seconds evenly, the index
    of the sample it shows: the last one at or before the column's middle (a sample stands
    for the time until the next one), the first one for columns before it. ``times``:
    float64 (n,), increasing, n >= 1. Returns int64 (width,).

    A sample's share of the columns is its share of the time, as keyframe strips draw it."""
    middles = start + (np.arange(width, dtype=np.float64) + 0.5) * ((end - start) / width)
    return np.clip(np.searchsorted(times, middles, side="right") - 1, 0, len(times) - 1).astype(np.int64)
