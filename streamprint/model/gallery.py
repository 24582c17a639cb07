"""One movie of a gallery: what its card shows and what searching by colour needs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidValue
from .colors import Palette, _set, frozen_array

#: Colours are counted in bins of 16 levels per channel (the top 4 bits of each 8-bit sRGB
#: value): bin = (r >> 4) << 8 | (g >> 4) << 4 | (b >> 4), 4096 bins in all. (Measured by
#: benchmarks/bench_page.py on a colourful 2-hour film: a search's shares are 0.2
#: percentage points from the exact ones on average; 32 levels per channel, capped to a
#: movie's largest 1024 bins to stay as small, lost half its time.)
BIN_BITS = 4
BINS = 1 << (3 * BIN_BITS)
#: Shares are in units of 1 / SHARE_UNIT of the movie's time.
SHARE_UNIT = 65535


@dataclass(frozen=True, eq=False)
class GalleryEntry:
    """A movie as a gallery shows it. ``title``: its name (the data file's path in the
    folder, without ``.json``); ``data`` and ``page``: paths of its data file and page
    relative to the gallery (``page`` None when it has none); ``duration`` in seconds;
    ``samples``: its number of columns; ``palette``: the movie's own palette;
    ``brightness``: mean CIELAB L* (0-100) and ``colorfulness``: mean chroma C*ab over its
    time; ``hue``: the hue angle of its mean colour direction (a*, b*) in degrees 0-360, or
    None when that is too close to grey to have one; ``strip``: a small WebP picture of the
    strip; ``bins`` and ``shares``: the colour bins its time falls in (see :data:`BIN_BITS`)
    and their shares, uint16 arrays of one length, bins increasing."""

    title: str
    data: str
    page: str | None
    duration: float
    samples: int
    palette: Palette
    brightness: float
    colorfulness: float
    hue: float | None
    strip: bytes
    bins: np.ndarray
    shares: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not isinstance(self.data, str) or not self.data:
            raise InvalidValue("title and data must be text")
        if self.page is not None and not isinstance(self.page, str):
            raise InvalidValue("page must be text or None")
        if not isinstance(self.palette, Palette):
            raise InvalidValue("palette must be a Palette")
        for name, value, high in (("duration", self.duration, math.inf), ("brightness", self.brightness, 100.0),
                                  ("colorfulness", self.colorfulness, 200.0)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and 0 <= value <= high):
                raise InvalidValue(f"{name} must be a finite number from 0 to {high:g}, got {value!r}")
        if self.hue is not None and not (isinstance(self.hue, (int, float)) and 0 <= self.hue < 360):
            raise InvalidValue(f"hue must be in [0, 360) degrees or None, got {self.hue!r}")
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or self.samples < 1:
            raise InvalidValue("samples must be a whole number >= 1")
        if not isinstance(self.strip, bytes) or not (self.strip[:4] == b"RIFF" and self.strip[8:12] == b"WEBP"):
            raise InvalidValue("strip must be a WebP image")
        bins = frozen_array(self.bins, np.uint16, (None,))
        shares = frozen_array(self.shares, np.uint16, (len(bins),))
        if len(bins) and int(bins.max()) >= BINS:
            raise InvalidValue(f"colour bins must be below {BINS}")
        if np.any(np.diff(bins.astype(np.int64)) <= 0) or np.any(shares == 0):
            raise InvalidValue("colour bins must increase and have shares > 0")
        if int(shares.sum(dtype=np.int64)) > SHARE_UNIT + len(bins):  # each share is rounded
            raise InvalidValue("the colour bins' shares add up to more than the whole")
        _set(self, duration=float(self.duration), brightness=float(self.brightness),
             colorfulness=float(self.colorfulness), hue=None if self.hue is None else float(self.hue),
             bins=bins, shares=shares)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GalleryEntry):
            return NotImplemented
        return all(np.array_equal(getattr(self, f), getattr(other, f)) if f in ("bins", "shares")
                   else getattr(self, f) == getattr(other, f) for f in self.__dataclass_fields__)

    __hash__ = None  # type: ignore[assignment]
