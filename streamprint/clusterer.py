"""Stage 3, the clusterer: the dominant colours of one frame, warm-started from the last.

:class:`FrameClusterer` follows scikit-learn's conventions: parameters are validated once
in the constructor, ``random_state`` makes it deterministic, and :meth:`FrameClusterer.fit`
returns a :class:`Palette`. Between calls it keeps the previous frame's centroids and
starts the next fit from them (a warm start). At a scene cut those centroids are stale: the
frame's pixels, assigned to the old centroids, cost far more than the last frame's final
fit did. Then the clusterer restarts cold (k-means++).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .colorspace import Space, check_space, decode, encode, mean_color
from .errors import UsageError
from .kmeans import kmeans_planar, lloyd, nearest, planar

Algorithm = Literal["minibatch", "kmeans"]

#: Default long side, in pixels, of the image each frame is shrunk to before clustering.
DEFAULT_ANALYSIS_SIZE = 160
ALGORITHMS: tuple[str, ...] = ("kmeans", "minibatch")

#: A warm start is abandoned when the frame's cost under the previous centroids exceeds
#: this multiple of the previous frame's final cost (a scene cut or a big change).
DEFAULT_RESTART_RATIO = 1.5
#: ... or this many squared 0-255 units per pixel above it (so near-solid frames, whose
#: cost is close to zero, do not restart on sensor noise alone).
RESTART_FLOOR = 25.0


@dataclass(frozen=True)
class Palette:
    """The dominant colours of one image.

    ``colors``: shape (k, 3), dtype uint8, sRGB 0-255, most frequent first.
    ``weights``: shape (k,), float64, the share of pixels of each colour; sums to 1.
    ``inertia``: mean squared distance of a pixel to its colour, in (0-255 units)^2.
    ``cut``: True when this image does not continue the previous one (the first image, or
    a scene cut detected by the warm-start test); the fit then started cold.
    """

    colors: np.ndarray
    weights: np.ndarray
    inertia: float = 0.0
    cut: bool = field(default=False, compare=False)
    mean: np.ndarray | None = field(default=None, compare=False)
    """The image's average colour taken in linear light: (3,) uint8 sRGB, or None."""

    def __post_init__(self) -> None:
        if self.colors.ndim != 2 or self.colors.shape[1] != 3 or self.colors.dtype != np.uint8:
            raise ValueError("colors must be a (k, 3) uint8 array")
        if self.weights.shape != (self.colors.shape[0],):
            raise ValueError("weights must have one entry per colour")

    def __len__(self) -> int:
        return int(self.colors.shape[0])

    @property
    def hex(self) -> list[str]:
        """Colours as ``#rrggbb`` strings."""
        return [to_hex(c) for c in self.colors]

    @classmethod
    def from_centroids(cls, centroids: np.ndarray, counts: np.ndarray, inertia: float = 0.0,
                       cut: bool = False, mean: np.ndarray | None = None) -> Palette:
        """Round float 0-255 centroids to 8-bit, merge those that round to the same colour,
        drop empty clusters, and sort by share (ties: by colour, so the order is stable)."""
        colors = np.clip(np.rint(centroids), 0, 255).astype(np.uint8).tolist()
        merged: dict[tuple[int, ...], float] = {}
        for color, count in zip(map(tuple, colors), np.asarray(counts, dtype=np.float64).tolist()):
            merged[color] = merged.get(color, 0.0) + count
        # Plain Python: k is small, and numpy's per-call overhead was most of this function.
        items = sorted(((c, n) for c, n in merged.items() if n > 0), key=lambda cn: (-cn[1], cn[0]))
        if not items:
            raise ValueError("a palette needs at least one pixel")
        out = np.array([c for c, _ in items], dtype=np.uint8)
        merged_counts = np.array([n for _, n in items])
        return cls(out, merged_counts / merged_counts.sum(), float(inertia), cut, mean)


#: A border row or column is letterbox black when its brightest pixel's luma is below this.
BAR_LUMA = 24


def crop_letterbox(image: np.ndarray) -> np.ndarray:
    """``image`` (h, w, 3) uint8 without black bars: leading and trailing rows (and columns)
    whose brightest pixel is darker than :data:`BAR_LUMA`. A frame that is mostly dark
    (bars would leave under a quarter of it) is returned whole: it is a dark scene."""
    weights = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)
    if all(float((edge.astype(np.float32) @ weights).max()) >= BAR_LUMA
           for edge in (image[0], image[-1], image[:, 0], image[:, -1])):
        return image  # no edge is dark: no bars (the common case, decided cheaply)
    luma = image.astype(np.float32) @ weights
    h, w = luma.shape

    def bars(dark: np.ndarray) -> tuple[int, int]:
        n = len(dark)
        lead = int(np.argmin(dark)) if not dark.all() else n
        trail = int(np.argmin(dark[::-1])) if not dark.all() else n
        return (lead, trail) if lead + trail <= 0.75 * n else (0, 0)

    top, bottom = bars(luma.max(axis=1) < BAR_LUMA)
    left, right = bars(luma.max(axis=0) < BAR_LUMA)
    if top or bottom or left or right:
        return image[top:h - bottom, left:w - right]
    return image


def distinct_colors(pixels: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """If ``pixels`` (n, 3) uint8 hold at most ``limit`` distinct colours: those colours
    ((m, 3) int) and their pixel counts; else None. A 256-pixel probe rules most images
    out without keying, let alone sorting, them all."""
    weights = np.array([65536, 256, 1], dtype=np.int32)
    probe = pixels[:: max(1, len(pixels) // 256)]
    if np.unique(probe.astype(np.int32) @ weights).size > limit:
        return None
    uniq, counts = np.unique(pixels.astype(np.int32) @ weights, return_counts=True)
    if uniq.size > limit:
        return None
    return np.stack([(uniq >> 16) & 255, (uniq >> 8) & 255, uniq & 255], axis=1), counts


def to_hex(color: np.ndarray | tuple[int, int, int]) -> str:
    r, g, b = (int(v) for v in color)
    return f"#{r:02x}{g:02x}{b:02x}"


def from_hex(text: str) -> tuple[int, int, int]:
    t = text.strip().lstrip("#")
    if len(t) != 6:
        raise ValueError(f"not a #rrggbb colour: {text!r}")
    return int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16)


class FrameClusterer:
    """k-means per frame, each fit warm-started from the previous frame's centroids.

    Parameters
    ----------
    n_colors : clusters per frame (k), 1-64.
    algorithm : ``"kmeans"`` (full-batch Lloyd, the default: faster and closer to the optimum
        than MiniBatchKMeans on 160-px frames, as measured by benchmarks/bench_fingerprint.py)
        or ``"minibatch"`` (MiniBatchKMeans).
    random_state : seed; the same seed and frames give the same palettes.
    restart_ratio : cold-restart threshold (see :data:`DEFAULT_RESTART_RATIO`).
    max_iter, batch_size : passed to scikit-learn (batch_size: minibatch only).
    max_fit_pixels : ``kmeans`` fits at most about this many pixels (an even stride through
        the image); weights and inertia are then computed on every pixel. 160x90 frames are fitted
        on every third pixel: measured 1.001x the full fit's inertia at well under the cost.
    cold_n_init : k-means++ initialisations tried on a cold start.
    space : where to cluster: ``"rgb"`` (sRGB), ``"lab"`` (CIELAB) or ``"oklab"``; centroids
        are converted back to sRGB. Inertia is in that space's units (see colorspace).
    """

    def __init__(
        self,
        n_colors: int = 5,
        algorithm: Algorithm = "kmeans",
        random_state: int = 0,
        restart_ratio: float = DEFAULT_RESTART_RATIO,
        max_iter: int | None = None,
        batch_size: int = 2048,
        cold_n_init: int = 3,
        max_fit_pixels: int = 5000,
        space: Space = "rgb",
    ) -> None:
        if not isinstance(n_colors, int) or isinstance(n_colors, bool) or not 1 <= n_colors <= 64:
            raise UsageError(f"--colors must be a whole number from 1 to 64, got {n_colors!r}")
        if algorithm not in ALGORITHMS:
            raise UsageError(f"--algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
        if not isinstance(random_state, int) or random_state < 0:
            raise UsageError(f"--seed must be a whole number >= 0, got {random_state!r}")
        if not restart_ratio > 1.0:
            raise UsageError("restart_ratio must be > 1")
        self.n_colors = n_colors
        self.algorithm: Algorithm = algorithm
        self.random_state = random_state
        self.restart_ratio = float(restart_ratio)
        # MiniBatchKMeans counts max_iter in epochs: one epoch of 2048-pixel batches (about
        # 7 steps on a 160x90 frame) is enough from a warm start; see benchmarks/ and README.
        self.max_iter = max_iter if max_iter is not None else (1 if algorithm == "minibatch" else 50)
        self.batch_size = int(batch_size)
        self.cold_n_init = int(cold_n_init)
        if max_fit_pixels < 64 * n_colors:
            raise UsageError(f"max_fit_pixels must be at least {64 * n_colors}")
        self.max_fit_pixels = int(max_fit_pixels)
        self.space: Space = check_space(space)
        self._work: dict = {}  # scratch buffers for the distance computations
        self.reset()

    def reset(self) -> None:
        """Forget the previous frame: the next fit starts cold."""
        self.centroids_: np.ndarray | None = None
        """The last fit's centroids, (m, 3) float64 in 0-255 units, m <= n_colors."""
        self.inertia_: float | None = None
        """The last fit's mean squared distance per pixel."""
        self.n_fits_ = 0
        self.n_cold_ = 0

    def get_state(self) -> dict:
        """The warm-start state, for checkpoints: plain lists and numbers."""
        return {
            "centroids": None if self.centroids_ is None else self.centroids_.tolist(),
            "inertia": self.inertia_,
            "n_fits": self.n_fits_,
            "n_cold": self.n_cold_,
        }

    def set_state(self, state: dict) -> None:
        c = state.get("centroids")
        self.centroids_ = None if c is None else np.asarray(c, dtype=np.float64).reshape(-1, 3)
        self.inertia_ = state.get("inertia")
        self.n_fits_ = int(state.get("n_fits", 0))
        self.n_cold_ = int(state.get("n_cold", 0))

    def fit(self, image: np.ndarray) -> Palette:
        """Cluster one image: shape (h, w, 3) or (n, 3), dtype uint8, sRGB 0-255."""
        pixels = np.asarray(image).reshape(-1, 3)
        if pixels.shape[0] == 0:
            raise ValueError("cannot cluster an empty image")
        seed = (self.random_state * 1_000_003 + self.n_fits_) % (2**32)
        self.n_fits_ += 1
        channels = np.ascontiguousarray(pixels.T)  # (3, n) uint8
        Xt = planar(encode(pixels, self.space)) if self.space != "rgb" else channels.astype(np.float32)
        mean = np.clip(np.rint(mean_color(channels, planar=True)), 0, 255).astype(np.uint8)
        stride = max(1, -(-Xt.shape[1] // self.max_fit_pixels))
        fit_X = np.ascontiguousarray(Xt[:, ::stride])
        # The previous centroids' labelling of the fit pixels: the scene-cut test, and then
        # the first step of the warm fit.
        assigned = None if self.centroids_ is None else nearest(fit_X, self.centroids_, self._work)
        cut = self._is_cut(assigned)

        # Fewer distinct colours than clusters (solid frames, titles): exact answer, no k-means.
        exact = distinct_colors(pixels, self.n_colors)
        if exact is not None:
            colors, counts = exact
            self.centroids_ = encode(colors, self.space).astype(np.float64)
            self.inertia_ = 0.0
            return Palette.from_centroids(colors.astype(np.float64), counts, 0.0, cut, mean)

        warm = not cut and self.centroids_ is not None and len(self.centroids_) == self.n_colors
        if not warm:
            self.n_cold_ += 1
        if self.algorithm == "kmeans":
            # Full-batch k-means on a strided subset: Lloyd from the previous centroids
            # (what KMeans(init=previous, n_init=1) does), or k-means++ cold. Deterministic
            # numpy (see streamprint.kmeans): byte-identical results run after run.
            if warm:
                centroids, _, _ = lloyd(fit_X, self.centroids_, max_iter=self.max_iter, final=False,
                                        assigned=assigned, work=self._work)
            else:
                centroids, _, _ = kmeans_planar(fit_X, self.n_colors, n_init=self.cold_n_init,
                                                max_iter=self.max_iter, rng=np.random.default_rng(seed),
                                                work=self._work)
        else:
            centroids = self._fit_minibatch(Xt.T, warm, seed)
        labels, dist = nearest(Xt, centroids, self._work)
        counts = np.bincount(labels, minlength=self.n_colors)
        inertia = float(dist.mean(dtype=np.float64))
        self.centroids_ = centroids
        self.inertia_ = inertia
        return Palette.from_centroids(decode(centroids, self.space), counts, inertia, cut, mean)

    def _is_cut(self, assigned: tuple[np.ndarray, np.ndarray] | None) -> bool:
        """True if the previous centroids no longer describe this frame (or there are none):
        its cost under them (``assigned``: :func:`~streamprint.kmeans.nearest` of a strided
        subset of its pixels) exceeds ``restart_ratio`` x the previous fit's + a floor."""
        if assigned is None or self.inertia_ is None:
            return True
        return float(assigned[1].mean(dtype=np.float64)) > self.restart_ratio * self.inertia_ + RESTART_FLOOR

    def _fit_minibatch(self, X: np.ndarray, warm: bool, seed: int) -> np.ndarray:
        """MiniBatchKMeans on pixels ``X`` (n, 3), warm-started from the last centroids."""
        # Parameters were validated once, in __init__: spare scikit-learn re-checking them
        # (and the pixels, always finite) on every frame, a third of a warm fit's time.
        import sklearn  # imported on first use: importing it takes over a second
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings(), sklearn.config_context(skip_parameter_validation=True,
                                                                assume_finite=True):
            warnings.simplefilter("ignore", ConvergenceWarning)
            init = self.centroids_.astype(np.float32) if warm and self.centroids_ is not None else None
            model = self._model(init, seed)
            model.fit(X)
        return model.cluster_centers_.astype(np.float64)

    def _model(self, init: np.ndarray | None, seed: int) -> Any:
        from sklearn.cluster import MiniBatchKMeans

        return MiniBatchKMeans(self.n_colors, init="k-means++" if init is None else init,
                               n_init=self.cold_n_init if init is None else 1, max_iter=self.max_iter,
                               batch_size=self.batch_size, random_state=seed)
