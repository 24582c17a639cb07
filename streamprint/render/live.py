"""A live stream's picture, kept at ``width`` pixels however long the stream runs (a day in
1,920 px), so that every rewrite costs the same.

The rule is the one every picture with a width follows (:mod:`.columns`): each pixel column
shows the last sample at or before the middle of its time slice. Holding every sample's
palette for that would grow without end, so the time from the picture's start (the part's start,
or the first sample's time if earlier: :func:`~.columns.picture_start`) is cut into at
most 2 x width buckets of equal length, each remembering the first sample that falls in it;
when the stream outgrows them, the length doubles and neighbouring buckets merge. A picture
is :func:`~.columns.columns_by_time` over the buckets' samples, so a column shows, within a
bucket's length (at most a pixel), the sample a whole redraw would show.

Only the buckets' samples are made into palettes, and, for the styles that draw a column
from its palette alone (raster stacked, dominant, average; not ``stable`` order), each
column is drawn once and kept. A sample costs O(1), a rewrite O(width). Every style and
format is drawn by :func:`~.output.picture`, as a whole fingerprint is.
"""

from __future__ import annotations

import statistics
from collections import deque

import numpy as np

from ..enums import ImageFormat, Order, Style
from ..model import Fingerprint, Palette, RenderOptions
from .columns import columns_by_time, picture_start
from .output import picture
from .strip import render

#: The first bucket length, seconds (it doubles as the stream grows).
FIRST_BUCKET = 1e-3


class LiveStrip:
    """The kept-width picture of one run's samples, given its fingerprint so far at each
    :meth:`draw` (whose samples must extend the last call's, as a run's do)."""

    def __init__(self, options: RenderOptions) -> None:
        assert options.width is not None
        self.options = options
        self.size = 2 * options.width  # buckets
        self.step = FIRST_BUCKET
        self.start: float | None = None
        self.sample = np.full(self.size, -1, np.int64)  # each bucket's first sample, -1: none
        self.time = np.full(self.size, np.inf)  # its time
        self.palettes: list[Palette | None] = [None] * self.size  # made when first drawn (not kept columns)
        self.independent = (options.style in (Style.STACKED, Style.DOMINANT, Style.AVERAGE)
                            and options.order != Order.STABLE and options.format != ImageFormat.SVG)
        self.columns = np.zeros((options.height, self.size, 3), np.uint8) if self.independent else None
        self.drawn = np.zeros(self.size, bool)
        self.seen = 0
        self.gaps: deque[float] = deque(maxlen=16)
        self.last: float | None = None

    def _add(self, fp: Fingerprint) -> None:
        if self.start is None:  # as a whole fingerprint's picture starts
            self.start = picture_start(fp)
        for i, t in enumerate(fp.samples.times_since(self.seen).tolist(), start=self.seen):
            if self.last is not None:
                self.gaps.append(t - self.last)
            self.last = t
            b = int((t - self.start) // self.step)
            while b >= self.size:
                self._halve()
                b = int((t - self.start) // self.step)
            if self.sample[b] < 0:
                self.sample[b], self.time[b] = i, t
        self.seen = len(fp.samples)

    def _halve(self) -> None:
        """Twice as long buckets: each pair merged into the first of its samples."""
        pairs = np.arange(0, self.size, 2)
        pick = np.where(self.sample[pairs] >= 0, pairs, pairs + 1)
        n = len(pick)
        for name in ("sample", "time", "drawn"):
            array = getattr(self, name)
            array[:n] = array[pick]
            array[n:] = -1 if name == "sample" else np.inf if name == "time" else False
        self.palettes = [self.palettes[i] for i in pick.tolist()] + [None] * (self.size - n)
        if self.columns is not None:
            self.columns[:, :n] = self.columns[:, pick]
        self.step *= 2

    def end(self, fp: Fingerprint, final: bool) -> float:
        """Where the picture's time ends, seconds: ``final``, where a whole fingerprint's
        picture ends (:func:`~.columns.timeline`: the range's or the stream's end when known);
        while the run goes on, the usual gap between the latest samples after the last one."""
        assert self.last is not None
        return self.last + (float(fp.spans()[-1]) if final else statistics.median(self.gaps) if self.gaps else 1.0)

    def buckets(self, n: int, end: float) -> np.ndarray:
        """The bucket each of ``n`` pixel columns shows over the time from the picture's start
        to ``end``: :func:`~.columns.columns_by_time` over the buckets' first samples, each
        standing for the time until the next one (int64, shape (n,))."""
        filled = np.flatnonzero(self.sample >= 0)
        times = self.time[filled]
        spans = np.zeros(len(filled))
        spans[-1] = max(0.0, end - times[-1])
        return filled[columns_by_time(times, spans, n, self.start)]

    def _palette(self, fp: Fingerprint, j: int) -> Palette:
        palette = self.palettes[j]
        if palette is None:
            palette = self.palettes[j] = fp.samples[int(self.sample[j])].palette
        return palette

    def draw(self, fp: Fingerprint, final: bool = False) -> np.ndarray | bytes | str:
        """The picture of ``fp`` (which extends the last call's), as :func:`~.output.picture`
        draws it (an array, a plot's encoded bytes, or SVG text), ``width`` x ``height`` px."""
        self._add(fp)
        o = self.options
        assert o.width is not None and self.start is not None
        end = self.end(fp, final)
        if self.columns is not None:  # each column drawn once; its palette is not needed again
            index = self.buckets(o.width, end)
            for j in np.unique(index).tolist():
                if not self.drawn[j]:
                    palette = fp.samples[int(self.sample[j])].palette
                    self.columns[:, j] = render([palette], o.style, o.height, 1, o.order)[:, 0]
                    self.drawn[j] = True
            return self.columns[:, index]
        filled = np.flatnonzero(self.sample >= 0)
        palettes = [self._palette(fp, j) for j in filled.tolist()]
        position = np.full(self.size, -1, np.int64)
        position[filled] = np.arange(len(filled))
        return picture(palettes, lambda n: position[self.buckets(n, end)], self.start, end, o,
                       (o.width, o.height), o.format)
