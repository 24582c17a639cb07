"""Fingerprints built directly from known colours and times, without a movie: for tests of
drawing (sizes, time resampling, plots, rings, grids) where decoding would only cost time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from streamprint import Fingerprint, Options, Palette, Sample, Sampling, SourceInfo


def palette(*colors_and_weights: tuple[tuple[int, int, int], float]) -> Palette:
    """A palette of (colour, share) pairs, shares summing to 1, most frequent first."""
    colors = np.array([c for c, _ in colors_and_weights], np.uint8)
    return Palette(colors, np.array([w for _, w in colors_and_weights], np.float64))


def fingerprint(palettes: Sequence[Palette], times: Sequence[float], duration: float | None,
                sampling: Sampling | None = None, path: str = "movie.mkv") -> Fingerprint:
    """A fingerprint of the given palettes at the given times (seconds), of a movie
    ``duration`` seconds long (None: unknown)."""
    info = SourceInfo(path, "matroska", "h264", 64, 36, 64, 24.0, duration, None, "yuv420p", None, None, None)
    samples = tuple(Sample(int(round(t * 24)), float(t), p) for t, p in zip(times, palettes))
    return Fingerprint(info, Options(sampling=sampling or Sampling.default()), samples)


def flat(colors: Sequence[tuple[int, int, int]], times: Sequence[float], duration: float | None,
         sampling: Sampling | None = None, path: str = "movie.mkv") -> Fingerprint:
    """A fingerprint whose sample i is the single colour ``colors[i]``."""
    return fingerprint([palette((c, 1.0)) for c in colors], times, duration, sampling, path)


def long_movie(hours: float = 2.0, interval: float = 1.0) -> Fingerprint:
    """A movie of ``hours`` at one sample per ``interval`` s: a hue that turns once round
    the colour wheel, over a dark band that takes 30 % of each frame."""
    n = int(hours * 3600 / interval)
    hue = np.arange(n) / n
    rgb = np.stack([np.abs(hue * 6 - 3) - 1, 2 - np.abs(hue * 6 - 2), 2 - np.abs(hue * 6 - 4)], axis=1)
    rgb = np.rint(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    pals = [palette((tuple(int(v) for v in c), 0.7), ((20, 20, 30), 0.3)) for c in rgb]
    return fingerprint(pals, np.arange(n) * interval, hours * 3600, Sampling.interval(interval))
