"""Stage 3, the clusterer: the dominant colours of one frame, warm-started from the last.

:class:`FrameClusterer` checks its parameters once, in the constructor, against their rules
in :mod:`streamprint.params`; ``seed`` makes it deterministic; :meth:`FrameClusterer.fit`
returns a :class:`~streamprint.model.Palette`. Between calls it keeps the previous frame's centroids and
starts the next fit from them (a warm start). At a scene cut those centroids are stale: the
frame's pixels, assigned to the old centroids, cost far more than the last frame's final
fit did. Then the clusterer restarts cold (k-means++).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import params
from .color.alpha import opaque
from .color.spaces import decode, encode, mean_color
from .enums import Algorithm, Space
from .errors import ParameterError
from .kmeans import kmeans_planar, lloyd, nearest, planar
from .model import ClustererState, Palette
from .warned import caught

#: A warm start is abandoned when the frame's cost under the previous centroids exceeds
#: this multiple of the previous frame's final cost (a scene cut or a big change).
DEFAULT_RESTART_RATIO = 1.5
#: ... or this many squared 0-255 units per pixel above it (so near-solid frames, whose
#: cost is close to zero, do not restart on sensor noise alone).
RESTART_FLOOR = 25.0


def distinct_colors(pixels: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """If ``pixels`` (n, 3) uint8 hold at most ``limit`` distinct colours: those colours
    ((m, 3) int) and their pixel counts; else None. A 256-pixel probe rules most images
    out without keying, let alone sorting, them all. (The probe's keys are counted by
    sorting, not ``np.unique``: without counts that calls ``np.ma.is_masked``, and importing
    ``numpy.ma`` took 12-15 ms, a twentieth of a whole ``--fast`` run.)"""
    weights = np.array([65536, 256, 1], dtype=np.int32)
    probe = np.sort(pixels[:: max(1, len(pixels) // 256)].astype(np.int32) @ weights)
    if 1 + np.count_nonzero(probe[1:] != probe[:-1]) > limit:
        return None
    uniq, counts = np.unique(pixels.astype(np.int32) @ weights, return_counts=True)
    if uniq.size > limit:
        return None
    return np.stack([(uniq >> 16) & 255, (uniq >> 8) & 255, uniq & 255], axis=1), counts


class FrameClusterer:
    """k-means per frame, each fit warm-started from the previous frame's centroids.

    Parameters (each checked against its rule in :mod:`streamprint.params`)
    ----------
    colors : clusters per frame (k), 1-64.
    algorithm : ``"kmeans"`` (full-batch Lloyd, the default: faster and closer to the optimum
        than MiniBatchKMeans on 160-px frames, as measured by benchmarks/bench_fingerprint.py)
        or ``"minibatch"`` (MiniBatchKMeans).
    seed : the same seed and frames give the same palettes.
    restart_ratio : cold-restart threshold (see :data:`DEFAULT_RESTART_RATIO`).
    max_iter : Lloyd iterations per fit (``minibatch``: epochs); batch_size: minibatch only.
    max_fit_pixels : ``kmeans`` fits at most about this many pixels (an even stride through
        the image); weights and inertia are then computed on every pixel. 160x90 frames are fitted
        on every third pixel: measured 1.001x the full fit's inertia at well under the cost.
    cold_n_init : k-means++ initialisations tried on a cold start.
    space : where to cluster: ``"rgb"`` (sRGB), ``"lab"`` (CIELAB) or ``"oklab"``; centroids
        are converted back to sRGB. Inertia is in that space's units (see color.spaces).
    """

    def __init__(
        self,
        colors: int = 5,
        algorithm: Algorithm | str = Algorithm.KMEANS,
        seed: int = 0,
        restart_ratio: float = DEFAULT_RESTART_RATIO,
        max_iter: int | None = None,
        batch_size: int = 2048,
        cold_n_init: int = 3,
        max_fit_pixels: int = 5000,
        space: Space | str = Space.RGB,
    ) -> None:
        self.n_colors: int = params.check("colors", colors)
        self.algorithm: Algorithm = params.check("algorithm", algorithm)
        self.random_state: int = params.check("seed", seed)
        self.restart_ratio: float = params.check("restart_ratio", restart_ratio)
        # MiniBatchKMeans counts max_iter in epochs: one epoch of 2048-pixel batches (about
        # 7 steps on a 160x90 frame) is enough from a warm start; see benchmarks/ and README.
        default_iter = 1 if self.algorithm == Algorithm.MINIBATCH else 50
        self.max_iter: int = params.check("max_iter", default_iter if max_iter is None else max_iter)
        self.batch_size: int = params.check("batch_size", batch_size)
        self.cold_n_init: int = params.check("cold_n_init", cold_n_init)
        self.max_fit_pixels: int = params.check("max_fit_pixels", max_fit_pixels)
        if self.max_fit_pixels < 64 * self.n_colors:
            raise ParameterError("max_fit_pixels", f"must be at least 64 x {{param:colors}} = {64 * self.n_colors}")
        self.space: Space = params.check("space", space)
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

    def get_state(self) -> ClustererState:
        """The warm-start state, for checkpoints."""
        return ClustererState(self.centroids_, self.inertia_, self.n_fits_, self.n_cold_)

    def set_state(self, state: ClustererState) -> None:
        """Continue from ``state`` (as :meth:`get_state` gave it, possibly in another process)."""
        if state.centroids is not None and len(state.centroids) > self.n_colors:
            raise ValueError("the state has more centroids than this clusterer's colors")
        self.centroids_ = None if state.centroids is None else np.array(state.centroids)
        self.inertia_ = state.inertia
        self.n_fits_ = state.n_fits
        self.n_cold_ = state.n_cold

    def fit(self, image: np.ndarray) -> Palette:
        """Cluster one image: shape (h, w, 3) or (n, 3), dtype uint8, sRGB 0-255; or
        (h, w, 4) RGBA, of which the opaque pixels count (:func:`~streamprint.color.alpha.opaque`;
        all of them when none is)."""
        image = np.asarray(image)
        if image.dtype != np.uint8 or not ((image.ndim == 3 and image.shape[2] in (3, 4))
                                           or (image.ndim == 2 and image.shape[1] == 3)):
            raise ParameterError("image", f"must be an (h, w, 3), (h, w, 4) or (n, 3) uint8 array, "
                                          f"got shape {image.shape} of {image.dtype}")
        pixels = image[..., :3].reshape(-1, 3)
        if image.ndim == 3 and image.shape[2] == 4:
            seen = opaque(pixels, image[..., 3])
            pixels = seen if len(seen) else pixels
        if pixels.shape[0] == 0:
            raise ParameterError("image", "holds no pixels")
        # Every cold start draws from the same random state, set by the seed alone: a shot
        # after a cut gets the same palette wherever it is in the movie (and whatever came
        # before it), so a movie's repeated footage gets the same columns.
        seed = self.random_state % (2**32)
        self.n_fits_ += 1
        channels = np.ascontiguousarray(pixels.T)  # (3, n) uint8
        Xt = planar(encode(pixels, self.space)) if self.space != Space.RGB else channels.astype(np.float32)
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

        # the previous centroids, when this fit starts from them
        previous = self.centroids_ if not cut and self.centroids_ is not None \
            and len(self.centroids_) == self.n_colors else None
        warm = previous is not None
        if not warm:
            self.n_cold_ += 1
        if self.algorithm == Algorithm.KMEANS:
            # Full-batch k-means on a strided subset: Lloyd from the previous centroids
            # (what KMeans(init=previous, n_init=1) does), or k-means++ cold. Deterministic
            # numpy (see streamprint.kmeans): byte-identical results run after run.
            if previous is not None:
                centroids, _, _ = lloyd(fit_X, previous, max_iter=self.max_iter, final=False,
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

        with caught(ConvergenceWarning), sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            init = self.centroids_.astype(np.float32) if warm and self.centroids_ is not None else None
            model = self._model(init, seed)
            model.fit(X)
        return model.cluster_centers_.astype(np.float64)

    def _model(self, init: np.ndarray | None, seed: int) -> Any:
        from sklearn.cluster import MiniBatchKMeans

        return MiniBatchKMeans(self.n_colors, init="k-means++" if init is None else init,
                               n_init=self.cold_n_init if init is None else 1, max_iter=self.max_iter,
                               batch_size=self.batch_size, random_state=seed)
