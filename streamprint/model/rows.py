"""Samples as plain values (:data:`Row`), and the rules of many rows checked at once.

A data file's reader makes its samples from rows (``Samples._from_rows``): made one by one,
as :class:`~.colors.Palette` and :class:`~.colors.Sample` check one, 70,000 samples took
seconds, so :func:`columns` checks each of their rules once for all the rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import numpy as np

from ..errors import InvalidValue
from .colors import (COLOURS_RULE, FRAME_RULE, INERTIA_RULE, TIME_RULE, WEIGHTS_RULE, Sample, by_share, inertia_ok,
                     times_ok, weights_ok)

#: One sample as plain Python values, for writers: (frame, time, [[r, g, b], ...] 0-255,
#: [weight, ...], inertia, cut, [r, g, b] average or None).
Row = tuple[int, float, list[list[int]], list[float], float, bool, Optional[list[int]]]


def row_of(s: Sample) -> Row:
    """``s`` as a :data:`Row`."""
    p = s.palette
    return (s.frame, s.time, p.colors.tolist(), p.weights.tolist(), p.inertia, p.cut,
            None if p.mean is None else p.mean.tolist())


def not_increasing(what: str, value: float, before: float) -> str:
    """What is said of a frame index or time not after the one before (by
    ``SampleStore.append`` of one sample, by :func:`columns` of many)."""
    return f"frame indices must increase (frame {value} after {before})" if what == "frame" \
        else f"times must increase ({value:g} s after {before:g} s)"


def _first_bad(ok: np.ndarray, rule: str) -> None:
    if not ok.all():  # (the first sample that breaks it, by its number)
        raise InvalidValue(f"sample {int(np.argmin(ok))}: {rule}")


def columns(rows: Sequence[Row]) -> dict[str, np.ndarray]:
    """The columns of a store's chunk (see ``samples._Chunk``) holding ``rows`` (at least
    one), each rule of :class:`~.colors.Palette`, :class:`~.colors.Sample` and
    ``SampleStore.append`` checked once for all of them; InvalidValue names the first
    sample that breaks one."""
    frames, times, rgbs, weights, inertia, cuts, means = zip(*rows, strict=True)
    n, ncolors = len(rows), np.fromiter(map(len, rgbs), np.int64, len(rows))
    _first_bad(ncolors >= 1, COLOURS_RULE)
    _first_bad(np.fromiter(map(len, weights), np.int64, n) == ncolors, "expected one weight a colour")
    k = int(ncolors.max())
    if (ncolors != k).any():  # padded with black of no share, as a chunk pads them
        rgbs = tuple(c if len(c) == k else [*c, *[[0, 0, 0]] * (k - len(c))] for c in rgbs)
        weights = tuple(w if len(w) == k else [*w, *[0.0] * (k - len(w))] for w in weights)
    try:  # (numpy refuses what the types cannot hold: a colour of 300, a frame past int64)
        cols: dict[str, np.ndarray] = {
            "frame": np.array(frames, np.int64), "time": np.array(times, np.float64), "colors": np.array(rgbs, np.uint8),
            "weights": np.array(weights, np.float64), "inertia": np.array(inertia, np.float64),
            "cut": np.array(cuts, bool), "mean": np.array([(0, 0, 0) if m is None else m for m in means], np.uint8),
            "has_mean": np.array([m is not None for m in means], bool), "ncolors": ncolors.astype(np.uint16)}
    except OverflowError as exc:
        raise InvalidValue(f"a value out of its type's range ({exc})") from None
    except ValueError:  # (ragged: a colour that is not three numbers)
        raise InvalidValue("expected [r, g, b] colours and an [r, g, b] average or None") from None
    if cols["colors"].shape != (n, k, 3) or cols["weights"].shape != (n, k) or cols["mean"].shape != (n, 3):
        raise InvalidValue("expected [r, g, b] colours, one weight each, and an [r, g, b] average or None")
    for ok, rule in ((weights_ok(cols["weights"]), WEIGHTS_RULE), (inertia_ok(cols["inertia"]), INERTIA_RULE),
                     (cols["frame"] >= 0, FRAME_RULE), (times_ok(cols["time"]), TIME_RULE)):
        _first_bad(ok, rule)
    for name in ("frame", "time"):
        up = np.diff(cols[name]) > 0
        if not up.all():
            i = int(np.argmin(up)) + 1
            raise InvalidValue(f"sample {i}: {not_increasing(name, cols[name][i].item(), cols[name][i - 1].item())}")
    cols["colors"], cols["weights"] = by_share(cols["colors"], cols["weights"])
    return cols
