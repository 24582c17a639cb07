"""Colours and palettes: hex codes, read-only arrays, :class:`Palette` and :class:`Sample`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..enums import Space
from ..errors import InvalidValue
from ..numerals import as_int

#: The latest time, seconds, a movie's sample or duration may be: past any time a 64-bit
#: timestamp can state (a broken file's jump of 2e9 s is a time), far below float's limit
#: (times of 1.7e308 in a hand-edited data file overflowed to infinity when drawn).
MAX_SECONDS = 1e30


def whole(value: Any, low: int) -> bool:
    """Whether ``value`` is a whole number (not a bool) of at least ``low``."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and bool(value >= low)


def same_array(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    """Whether two optional arrays are both None, or equal in shape and contents."""
    if a is None or b is None:
        return a is None and b is None
    return bool(np.array_equal(a, b))


def number(value: Any) -> float | None:
    """``value`` as a float when it is a number (not a bool) that a float holds, else None."""
    if not isinstance(value, (int, float, np.integer, np.floating)) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def real(value: Any, low: float, above: bool = False) -> bool:
    """Whether ``value`` is a finite number (not a bool) of at least ``low``, or more than
    ``low`` when ``above``; a whole number too large for a float is not one (10**400 s)."""
    n = number(value)
    return n is not None and math.isfinite(n) and (n > low if above else n >= low)


# The rules of a palette's and a sample's numbers, each written once and taking one value or
# an array of many (a data file's 70,000 samples are checked at once: Samples._from_rows).

#: What :func:`times_ok` requires.
TIME_RULE = f"a sample's time must be a number of seconds from 0 to {MAX_SECONDS:g}"
#: What :func:`weights_ok` requires.
WEIGHTS_RULE = "weights must be finite, >= 0 and sum to 1"
#: What a palette and a sample's frame index must be.
COLOURS_RULE, INERTIA_RULE = "a palette needs at least one colour", "inertia must be a finite number >= 0"
FRAME_RULE = "a sample's frame index must be a whole number >= 0"


def weights_ok(weights: np.ndarray) -> Any:
    """Whether each palette's weights (float64, its colours along the last axis; a palette
    with fewer colours padded with zeros) are shares: finite, >= 0, summing to 1."""
    return np.isfinite(weights).all(axis=-1) & (weights >= 0).all(axis=-1) & (np.abs(weights.sum(axis=-1) - 1.0) < 1e-6)


def inertia_ok(inertia: Any) -> Any:
    """Whether each inertia (float64) is a finite number >= 0."""
    return np.isfinite(inertia) & (inertia >= 0)


def times_ok(times: Any) -> Any:
    """Whether each sample time (seconds, float64) is finite and from 0 to :data:`MAX_SECONDS`."""
    return np.isfinite(times) & (times >= 0) & (times <= MAX_SECONDS)


def by_share(colors: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each palette's colours (..., k, 3) and weights (..., k) sorted by share, most first,
    ties as given (zeros padding a palette with fewer colours stay last); the very arrays
    when every palette is in that order already (a data file another tool wrote may not be)."""
    if not (np.diff(weights, axis=-1) > 0).any():
        return colors, weights
    order = np.argsort(-weights, axis=-1, kind="stable")  # (of a palette in order: itself)
    return np.take_along_axis(colors, order[..., None], axis=-2), np.take_along_axis(weights, order, axis=-1)


#: ``#rrggbb``, as a %-format of three whole numbers 0-255.
HEX_FORMAT = "#%02x%02x%02x"


def to_hex(color: Sequence[int] | np.ndarray) -> str:
    """``#rrggbb`` of an 8-bit sRGB colour."""
    r, g, b = color
    return HEX_FORMAT % (int(r), int(g), int(b))


def from_hex(text: str) -> tuple[int, int, int]:
    """An 8-bit sRGB colour from ``#rrggbb`` (or ``rrggbb``); ValueError otherwise."""
    t = text.strip().removeprefix("#") if isinstance(text, str) else ""
    if len(t) != 6 or any(c not in "0123456789abcdefABCDEF" for c in t):
        raise InvalidValue(f"not a #rrggbb colour: {text!r}")
    return int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16)


def parse_color(value: Any) -> tuple[int, int, int]:
    """``#rrggbb``, ``rrggbb``, ``r,g,b`` or a sequence of three 0-255 whole numbers."""
    if isinstance(value, str):
        if "," not in value:
            return from_hex(value)
        try:
            value = [as_int(v) for v in value.split(",")]
        except ValueError:
            raise InvalidValue(f"not a colour: {value!r}") from None
    parts = tuple(value) if isinstance(value, (tuple, list, np.ndarray)) else ()
    if len(parts) != 3 or not all(isinstance(v, (int, np.integer)) and 0 <= v <= 255 for v in parts):
        raise InvalidValue(f"not a colour: {value!r}")
    return int(parts[0]), int(parts[1]), int(parts[2])


def sealed(value: Any, dtype: Any = None) -> np.ndarray:
    """A read-only copy of ``value`` (as ``dtype``, if given) that cannot be made writable
    again: its memory is an immutable ``bytes`` object, so ``flags.writeable = True``
    raises ValueError, on it and on its base alike. The one way streamprint makes an array
    it shares read-only: ``setflags(write=False)`` on an array that owns its memory, or on
    a view of a writable one, is undone by anyone holding it, who then writes into the
    shared values (a fingerprint's times, a sample store's chunks, a cached matrix)."""
    arr = np.asarray(value, dtype=dtype)
    return np.ndarray(arr.shape, arr.dtype, arr.tobytes())  # (as fast as a copy made read-only)


def frozen_array(value: Any, dtype: Any, shape: tuple[int | None, ...]) -> np.ndarray:
    """A read-only copy of ``value`` as ``dtype`` (:func:`sealed`), checked against ``shape``
    (None: any length). ValueError when it does not fit."""
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim != len(shape) or any(n is not None and arr.shape[i] != n for i, n in enumerate(shape)):
        raise InvalidValue(f"expected an array of shape {shape}, got {arr.shape}")
    return sealed(arr)


def _set(obj: object, **values: Any) -> None:
    for name, value in values.items():
        object.__setattr__(obj, name, value)


@dataclass(frozen=True, eq=False)
class Palette:
    """The dominant colours of one image.

    ``colors``: (k, 3) uint8 sRGB 0-255, most frequent first (colours given in another
    order are sorted by share, ties kept as given). ``weights``: (k,) float64, each
    colour's share of the pixels, summing to 1. ``inertia``: mean squared distance of
    a pixel to its cluster's centre, in the clustering space as streamprint scales it
    (:mod:`streamprint.color.spaces`), squared: ``rgb`` 8-bit sRGB levels (0-255);
    ``lab`` CIELAB × 2.55, so inertia / 2.55² is the mean ΔE76²; ``oklab`` Oklab × 255, so
    inertia / 255² is the mean squared Oklab distance. ``cut``: this image does
    not continue the previous one (the first image, or a scene cut); the fit started cold.
    ``mean``: the image's average colour taken in linear light, (3,) uint8 sRGB, or None.
    """

    colors: np.ndarray
    weights: np.ndarray
    inertia: float = 0.0
    cut: bool = False
    mean: np.ndarray | None = None

    def __post_init__(self) -> None:
        colors = np.asarray(self.colors)
        if colors.dtype != np.uint8:
            raise InvalidValue("colors must be a (k, 3) uint8 array")
        colors = frozen_array(colors, np.uint8, (None, 3))
        given = np.asarray(self.weights)
        if given.dtype.kind not in "iuf":  # (["1"] and [True] were taken as 1.0, ["x"] a bare ValueError)
            raise InvalidValue(f"{WEIGHTS_RULE}: numbers, not {self.weights!r}"[:200])
        weights = frozen_array(given, np.float64, (len(colors),))
        if len(colors) == 0:
            raise InvalidValue(COLOURS_RULE)
        if not weights_ok(weights):
            raise InvalidValue(WEIGHTS_RULE)
        ordered = by_share(colors, weights)
        if ordered[1] is not weights:  # listed in another order
            colors, weights = sealed(ordered[0]), sealed(ordered[1])
        inertia = number(self.inertia)
        if inertia is None or not inertia_ok(inertia):
            raise InvalidValue(f"{INERTIA_RULE}, not {self.inertia!r}")
        if not isinstance(self.cut, (bool, np.bool_)):
            raise InvalidValue(f"cut must be True or False, not {self.cut!r}")
        mean = None
        if self.mean is not None:
            raw = np.asarray(self.mean)
            if raw.shape != (3,) or not np.issubdtype(raw.dtype, np.integer) or raw.min() < 0 or raw.max() > 255:
                raise InvalidValue(f"mean must be three whole numbers 0-255, not {self.mean!r}")
            mean = frozen_array(raw.astype(np.uint8), np.uint8, (3,))
        _set(self, colors=colors, weights=weights, inertia=inertia, cut=bool(self.cut), mean=mean)

    @classmethod
    def _trusted(cls, colors: np.ndarray, weights: np.ndarray, inertia: float, cut: bool,
                 mean: np.ndarray | None) -> Palette:
        """A palette from values that were validated when the palette was first made (a
        sample store's rows, :mod:`.samples`): read-only arrays taken as they are."""
        palette = object.__new__(cls)
        _set(palette, colors=colors, weights=weights, inertia=inertia, cut=cut, mean=mean)
        return palette

    def __len__(self) -> int:
        return int(self.colors.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Palette):
            return NotImplemented
        return (np.array_equal(self.colors, other.colors) and np.array_equal(self.weights, other.weights)
                and self.inertia == other.inertia and self.cut == other.cut
                and same_array(self.mean, other.mean))

    def __hash__(self) -> int:
        return hash((self.colors.tobytes(), self.weights.tobytes(), self.inertia, self.cut))

    @property
    def hex(self) -> list[str]:
        """Colours as ``#rrggbb`` strings."""
        return [to_hex(c) for c in self.colors]

    @classmethod
    def from_centroids(cls, centroids: np.ndarray, counts: np.ndarray, inertia: float = 0.0,
                       cut: bool = False, mean: np.ndarray | None = None) -> Palette:
        """Round float 0-255 centroids to 8 bits, merge those that round to the same colour,
        drop empty clusters, and sort by share (ties: by colour, so the order is stable)."""
        colors = np.clip(np.rint(centroids), 0, 255).astype(np.uint8).tolist()
        counts = np.asarray(counts, dtype=np.float64)
        if counts.shape != (len(colors),):
            raise InvalidValue(f"expected one count per centroid ({len(colors)}), got shape {counts.shape}")
        merged: dict[tuple[int, ...], float] = {}
        for color, count in zip(map(tuple, colors), counts.tolist(), strict=True):
            merged[color] = merged.get(color, 0.0) + count
        # Plain Python: k is small, and numpy's per-call overhead was most of this function.
        items = sorted(((c, n) for c, n in merged.items() if n > 0), key=lambda cn: (-cn[1], cn[0]))
        if not items:
            raise InvalidValue("a palette needs at least one pixel")
        out = np.array([c for c, _ in items], dtype=np.uint8)
        merged_counts = np.array([n for _, n in items])
        return cls(out, merged_counts / merged_counts.sum(), float(inertia), cut, mean)


@dataclass(frozen=True)
class Sample:
    """One column: the frame's index (presentation order, from 0), its time in seconds
    since the stream's start, and its palette."""

    frame: int
    time: float
    palette: Palette

    def __post_init__(self) -> None:
        if not whole(self.frame, 0):
            raise InvalidValue(f"{FRAME_RULE}, got {self.frame!r}")
        time = number(self.time)
        if time is None or not times_ok(time):
            raise InvalidValue(f"{TIME_RULE}, got {self.time!r}")
        if not isinstance(self.palette, Palette):
            raise InvalidValue("a sample's palette must be a Palette")
        _set(self, frame=int(self.frame), time=time)

    @classmethod
    def _trusted(cls, frame: int, time: float, palette: Palette) -> Sample:
        """A sample from values validated when it was first made (see :meth:`Palette._trusted`)."""
        sample = object.__new__(cls)
        _set(sample, frame=frame, time=time, palette=palette)
        return sample


@dataclass(frozen=True)
class ImagePalette:
    """The palette of one image: where it came from (``path``, or a name for in-memory
    images), its :class:`Palette` (shares of the opaque pixels), the original image's size
    in pixels, and the colour space it was clustered in."""

    path: str
    palette: Palette
    width: int
    height: int
    space: str = "rgb"

    def __post_init__(self) -> None:
        if not isinstance(self.path, str):
            raise InvalidValue("path must be a str (an image's path or name)")
        if not isinstance(self.palette, Palette):
            raise InvalidValue("palette must be a Palette")
        for side in (self.width, self.height):
            if not whole(side, 1):
                raise InvalidValue("width and height are whole numbers of pixels, at least 1")
        if not isinstance(self.space, str) or self.space not in set(Space):
            raise InvalidValue(f"space must be one of {', '.join(Space)}, not {self.space!r}")
        _set(self, width=int(self.width), height=int(self.height), space=str(Space(self.space)))

    @property
    def colors(self) -> np.ndarray:
        """(k, 3) uint8 sRGB, most frequent first."""
        return self.palette.colors

    @property
    def weights(self) -> np.ndarray:
        """(k,) float64 shares, summing to 1."""
        return self.palette.weights

    @property
    def hex(self) -> list[str]:
        """Colours as ``#rrggbb`` strings, most frequent first."""
        return self.palette.hex
