"""A small, deterministic k-means in numpy (k-means++ seeding, then Lloyd).

Used for every k-means fit streamprint makes (``--algorithm minibatch`` aside): the palette
command (importing scikit-learn alone takes over a second, more than the whole palette of a
24-megapixel JPEG may take), and the video clusterer, whose fits must give byte-identical
results run after run (scikit-learn's BLAS-based distances differ in the last bits with
memory alignment). Same algorithm as ``sklearn.cluster.KMeans`` (greedy k-means++ with
2 + log(k) local trials, Lloyd iterations, best of ``n_init``); tests compare its inertia
with scikit-learn's.

Pixels are held *planar*: ``Xt`` has shape (d, n), one contiguous row per channel, and
distances have shape (k, n). Every numpy call then runs over n contiguous values; with the
usual (n, d) layout the innermost loops are d = 3 or k = 5 long, and a 160 x 90 frame took
nine times as long. Distances are elementwise arithmetic, never BLAS, so results do not
depend on alignment or thread count.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from .errors import InvalidValue


def planar(X: np.ndarray, dtype: type = np.float32) -> np.ndarray:
    """(n, d) points as a contiguous (d, n) array of ``dtype``."""
    return np.ascontiguousarray(np.asarray(X).T, dtype=dtype)


def _buffer(work: dict | None, name: str, shape: tuple[int, ...], dtype: npt.DTypeLike) -> np.ndarray:
    """A scratch array from ``work`` (reused call after call: fresh arrays of a few hundred
    KiB cost page faults every time), or a new one without it."""
    if work is None:
        return np.empty(shape, dtype=dtype)
    key = (name, shape, np.dtype(dtype))
    buf = work.get(key)
    if buf is None:
        buf = work[key] = np.empty(shape, dtype=dtype)
    return buf


def sq_distances(Xt: np.ndarray, C: np.ndarray, work: dict | None = None) -> np.ndarray:
    """Squared distances between the points of ``Xt`` (d, n) and centres ``C`` (k, d):
    shape (k, n), in ``Xt``'s dtype. With ``work`` the result is a scratch buffer, valid
    until the next call with the same ``work``."""
    C = np.asarray(C, dtype=Xt.dtype)
    shape = (len(C), Xt.shape[1])
    out = _buffer(work, "dist", shape, Xt.dtype)
    tmp = _buffer(work, "tmp", shape, Xt.dtype)
    np.subtract(Xt[0][None, :], C[:, 0:1], out=out)
    np.multiply(out, out, out=out)
    for j in range(1, Xt.shape[0]):
        np.subtract(Xt[j][None, :], C[:, j:j + 1], out=tmp)
        np.multiply(tmp, tmp, out=tmp)
        np.add(out, tmp, out=out)
    return out


def nearest(Xt: np.ndarray, C: np.ndarray, work: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For each point of ``Xt`` (d, n): the index of its nearest centre in ``C`` (k, d),
    the first on a tie (as ``argmin``), and the squared distance to it. Shapes (n,), (n,);
    both are new arrays."""
    dist = sq_distances(Xt, C, work)
    best = dist[0].copy()
    labels = np.zeros(Xt.shape[1], dtype=np.intp)
    closer = _buffer(work, "closer", (Xt.shape[1],), np.bool_)
    for c in range(1, len(dist)):  # a running minimum: argmin(axis=0) is 4x slower
        np.less(dist[c], best, out=closer)
        np.putmask(labels, closer, c)
        np.minimum(best, dist[c], out=best)
    return labels, best


def kmeans_plusplus(Xt: np.ndarray, k: int, rng: np.random.Generator,
                    sample_weight: np.ndarray | None = None) -> np.ndarray:
    """Greedy k-means++ seeding: (k, d) float64 centroids chosen among the points of ``Xt`` (d, n).
    With ``sample_weight`` ((n,) >= 0, not all 0) a point counts that many times: the first
    centre is drawn by weight, later ones by weight x squared distance."""
    n = Xt.shape[1]
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    trials = 2 + int(math.log(k))
    centers = np.empty((k, Xt.shape[0]), dtype=np.float64)
    if w is None:
        centers[0] = Xt[:, rng.integers(n)]
    else:
        centers[0] = Xt[:, min(int(np.searchsorted(np.cumsum(w), rng.random() * w.sum())), n - 1)]
    closest = sq_distances(Xt, centers[:1])[0]
    for c in range(1, k):
        potential = closest if w is None else closest * w
        total = float(potential.sum(dtype=np.float64))
        if total <= 0:  # fewer distinct points than k: repeat one
            centers[c:] = centers[0]
            break
        candidates = np.searchsorted(np.cumsum(potential, dtype=np.float64), rng.random(trials) * total)
        candidates = np.minimum(candidates, n - 1)
        d = np.minimum(closest[None, :], sq_distances(Xt, Xt[:, candidates].T))
        best = int(np.argmin((d if w is None else d * w).sum(axis=1, dtype=np.float64)))
        centers[c] = Xt[:, candidates[best]]
        closest = d[best]
    return centers


def lloyd(Xt: np.ndarray, centers: np.ndarray, max_iter: int = 100, tol: float = 1e-4,
          final: bool = True, assigned: tuple[np.ndarray, np.ndarray] | None = None,
          work: dict | None = None, sample_weight: np.ndarray | None = None,
          ) -> tuple[np.ndarray, np.ndarray | None, float | None]:
    """Lloyd iterations on ``Xt`` (d, n) from ``centers`` (k, d). Returns (centres as
    float64, labels, inertia = sum of squared distances); with ``final=False`` the closing
    labelling pass is skipped and labels and inertia are None. ``assigned``, if given, is
    :func:`nearest` of ``Xt`` and ``centers``, already computed by the caller; ``work``
    holds scratch buffers (see :func:`sq_distances`).
    Stops when no label changes or the centres' squared shift is below ``tol`` x the data's
    mean variance per dimension. An empty cluster is moved to the point farthest from its centre.
    ``sample_weight`` ((n,) >= 0): each point counts that many times (centres are weighted
    means, inertia a weighted sum)."""
    k = len(centers)
    threshold = tol * float(np.mean(np.var(Xt, axis=1)))
    labels = np.full(Xt.shape[1], -1, dtype=np.intp)
    C = np.asarray(centers, dtype=np.float64)
    for _ in range(max_iter):
        new, dist = assigned if assigned is not None else nearest(Xt, C, work)
        assigned = None
        counts = np.bincount(new, weights=sample_weight, minlength=k)
        moved = C.copy()
        for j in range(Xt.shape[0]):
            sums = np.bincount(new, weights=Xt[j] if sample_weight is None else Xt[j] * sample_weight, minlength=k)
            np.divide(sums, counts, out=moved[:, j], where=counts > 0)
        for c in np.flatnonzero(counts == 0):
            moved[c] = Xt[:, int(dist.argmax())]
        shift = float(((moved - C) ** 2).sum())
        C = moved
        done = np.array_equal(new, labels) or shift <= threshold
        labels = new
        if done:
            break
    if not final:
        return C, None, None
    labels, dist = nearest(Xt, C, work)
    return C, labels, float((dist if sample_weight is None else dist * sample_weight).sum(dtype=np.float64))


def kmeans(X: np.ndarray, k: int, seed: int = 0, n_init: int = 3, max_iter: int = 100,
           sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Best of ``n_init`` runs on points ``X`` (n, d), in float64: (centres (k, d) float64,
    labels (n,), inertia). :func:`kmeans_planar` takes planar points. ``sample_weight``
    ((n,) >= 0): how many times each point counts."""
    return kmeans_planar(planar(X, np.float64), k, seed, n_init, max_iter, sample_weight=sample_weight)


def kmeans_planar(Xt: np.ndarray, k: int, seed: int = 0, n_init: int = 3, max_iter: int = 100,
                  rng: np.random.Generator | None = None, work: dict | None = None,
                  sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """:func:`kmeans` on planar points ``Xt`` (d, n), in their dtype."""
    rng = np.random.default_rng(seed) if rng is None else rng
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _ in range(n_init):
        centers, labels, inertia = lloyd(Xt, kmeans_plusplus(Xt, k, rng, sample_weight), max_iter=max_iter,
                                         work=work, sample_weight=sample_weight)
        assert labels is not None and inertia is not None  # final=True: always labelled
        if best is None or inertia < best[2]:
            best = centers, labels, inertia
    if best is None:
        raise InvalidValue(f"n_init must be at least 1, got {n_init}")
    return best
