"""A live stream's strip, kept at ``width`` pixels however long the stream runs (a day in
1,920 px), so that every rewrite costs the same.

The time from the first sample is cut into at most 2 x width buckets of equal length;
when the stream outgrows them, the length doubles and neighbouring buckets merge. Each
bucket remembers the first sample that falls in it. Drawing resamples by time: each pixel
column shows the last of those samples at or before its middle time (a sample stands for
the time until the next one; within a bucket's length, at most a pixel, of the exact last
sample). Only the samples shown are made into palettes, and, for the styles that draw a
column from its palette alone (stacked, dominant, average; not ``stable`` order), each
column is drawn once and kept. A sample costs O(1), a rewrite O(width). (Minimal, for live
strips: the general ``width`` for every style may take its place.)"""

from __future__ import annotations

import statistics
from collections import deque

import numpy as np

from ..enums import ImageFormat, Order, Style
from ..model import Fingerprint, Palette, RenderOptions
from .strip import render

#: The first bucket length, seconds (it doubles as the stream grows).
FIRST_BUCKET = 1e-3


class LiveStrip:
    """The kept-width strip of one run's samples, given its fingerprint so far at each
    :meth:`draw` (whose samples must extend the last call's, as a run's do)."""

    def __init__(self, options: RenderOptions) -> None:
        assert options.width is not None
        self.options = options
        self.size = 2 * options.width  # buckets
        self.step = FIRST_BUCKET
        self.start: float | None = None
        self.sample = np.full(self.size, -1, np.int64)  # each bucket's first sample, -1: none
        self.time = np.full(self.size, np.inf)  # its time
        self.palettes: list[Palette | None] = [None] * self.size  # made when first shown (not column styles)
        self.independent = (options.style in (Style.STACKED, Style.DOMINANT, Style.AVERAGE)
                            and options.order != Order.STABLE and options.format != ImageFormat.SVG)
        self.columns = np.zeros((options.height, self.size, 3), np.uint8) if self.independent else None
        self.drawn = np.zeros(self.size, bool)
        self.seen = 0
        self.gaps: deque[float] = deque(maxlen=16)
        self.last: float | None = None

    def _add(self, fp: Fingerprint) -> None:
        if self.start is None:
            self.start = float(fp.times[0])
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

    def draw(self, fp: Fingerprint, final: bool = False) -> np.ndarray | bytes | str:
        """The strip of ``fp`` (which extends the last call's) as an array, PNG bytes (plot)
        or SVG text, covering the time from its first sample to the end of the last one's
        span: while the run goes on, the usual gap between the latest samples; ``final``,
        :meth:`Fingerprint.spans`'s (the range's or the stream's end when known), as every
        picture of a whole fingerprint is drawn."""
        self._add(fp)
        o = self.options
        width = o.width
        assert width is not None and self.start is not None and self.last is not None
        end = self.last + (float(fp.spans()[-1]) if final else statistics.median(self.gaps) if self.gaps else 1.0)
        filled = self.sample >= 0
        last = np.maximum.accumulate(np.where(filled, np.arange(self.size), -1))  # last filled bucket <= b
        before = np.concatenate([[-1], last[:-1]])  # last filled bucket < b
        middles = self.start + (np.arange(width) + 0.5) * ((end - self.start) / width)
        b = np.clip(np.floor((middles - self.start) / self.step).astype(np.int64), 0, self.size - 1)
        index = np.where(self.time[b] <= middles, b, before[b])
        index[index < 0] = int(np.argmax(filled))  # before the first sample: the first
        for j in np.unique(index).tolist():
            if self.columns is not None:  # each column drawn once; its palette is not needed again
                if not self.drawn[j]:
                    palette = fp.samples[int(self.sample[j])].palette
                    self.columns[:, j] = render([palette], o.style, o.height, 1, o.order)[:, 0]
                    self.drawn[j] = True
            elif self.palettes[j] is None:
                self.palettes[j] = fp.samples[int(self.sample[j])].palette
        if self.columns is not None:
            return self.columns[:, index]
        palettes = [self.palettes[j] for j in index.tolist()]
        if o.format == ImageFormat.SVG:
            from .svg import svg

            return svg(palettes, o.style, o.height, 1, o.order)  # type: ignore[arg-type]
        if o.style == Style.PLOT:
            from .plot import plot
            from .strip import render_stacked

            strip = render_stacked(palettes, height=100, order=o.order)  # type: ignore[arg-type]
            return plot(strip, self.start, end, width, o.height, o.title)
        return render(palettes, o.style, o.height, 1, o.order, smooth=o.smooth)  # type: ignore[arg-type]
