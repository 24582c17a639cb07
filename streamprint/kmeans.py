"""A small, deterministic k-means in numpy (k-means++ seeding, then Lloyd).

Used where scikit-learn cannot be: the palette command (importing scikit-learn alone takes
over a second, more than the whole palette of a 24-megapixel JPEG may take), and the video
clusterer's warm-started Lloyd steps, which must give byte-identical results run after run
(scikit-learn's BLAS-based distances differ in the last bits with memory alignment). Same algorithm as ``sklearn.cluster.KMeans``
(greedy k-means++ with 2 + log(k) local trials, Lloyd iterations, best of ``n_init``);
tests compare its inertia with scikit-learn's.
"""

from __future__ import annotations

import math

import numpy as np


def sq_distances(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    """Squared distances between rows of X (n, d) and C (k, d), shape (n, k), by
    broadcasting per coordinate: no BLAS, so the result does not depend on memory
    alignment or thread count (byte-identical outputs)."""
    d = np.zeros((len(X), len(C)), dtype=np.result_type(X.dtype, C.dtype))
    for j in range(X.shape[1]):
        diff = X[:, j, None] - C[None, :, j]
        d += diff * diff
    return d


def kmeans_plusplus(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding: (k, d) centroids chosen among the rows of ``X``."""
    n = len(X)
    trials = 2 + int(math.log(k))
    centers = np.empty((k, X.shape[1]), dtype=X.dtype)
    centers[0] = X[rng.integers(n)]
    closest = sq_distances(X, centers[:1])[:, 0]
    for c in range(1, k):
        total = closest.sum()
        if total <= 0:  # fewer distinct points than k: repeat one
            centers[c:] = centers[0]
            break
        candidates = np.searchsorted(np.cumsum(closest), rng.random(trials) * total)
        candidates = np.minimum(candidates, n - 1)
        d = np.minimum(closest[:, None], sq_distances(X, X[candidates]))
        best = int(np.argmin(d.sum(axis=0)))
        centers[c] = X[candidates[best]]
        closest = d[:, best]
    return centers


def lloyd(X: np.ndarray, centers: np.ndarray, max_iter: int = 100, tol: float = 1e-4,
          final: bool = True) -> tuple[np.ndarray, np.ndarray | None, float | None]:
    """Lloyd iterations from ``centers`` (in ``X``'s dtype; float32 halves the work).
    Returns (centers as float64, labels, inertia = sum of squared distances); with
    ``final=False`` the closing labelling pass is skipped and labels and inertia are None.
    Stops when no label changes or the centres' squared shift is below ``tol`` x the data's
    variance. An empty cluster is moved to the point farthest from its centre."""
    threshold = tol * float(np.mean(np.var(X, axis=0)))
    labels = np.full(len(X), -1)
    C = np.asarray(centers, dtype=np.float64)
    for _ in range(max_iter):
        d = sq_distances(X, C.astype(X.dtype))
        new = d.argmin(axis=1)
        counts = np.bincount(new, minlength=len(C))
        sums = np.stack([np.bincount(new, weights=X[:, j], minlength=len(C)) for j in range(X.shape[1])], axis=1)
        moved = C.copy()
        nonempty = counts > 0
        moved[nonempty] = sums[nonempty] / counts[nonempty, None]
        for j in np.flatnonzero(~nonempty):
            far = int(d[np.arange(len(X)), new].argmax())
            moved[j] = X[far]
        shift = float(((moved - C) ** 2).sum())
        C = moved
        if np.array_equal(new, labels) or shift <= threshold:
            labels = new
            break
        labels = new
    if not final:
        return C, None, None
    d = sq_distances(X, C.astype(X.dtype))
    labels = d.argmin(axis=1)
    inertia = float(d[np.arange(len(X)), labels].sum())
    return C, labels, inertia


def kmeans(X: np.ndarray, k: int, seed: int = 0, n_init: int = 3,
           max_iter: int = 100) -> tuple[np.ndarray, np.ndarray, float]:
    """Best of ``n_init`` runs: (centers (k, d), labels (n,), inertia)."""
    X = np.asarray(X, dtype=np.float64)
    rng = np.random.default_rng(seed)
    best = None
    for _ in range(n_init):
        result = lloyd(X, kmeans_plusplus(X, k, rng), max_iter=max_iter)
        if best is None or result[2] < best[2]:
            best = result
    assert best is not None
    return best
