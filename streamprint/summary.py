"""What a whole fingerprint comes to: the movie's own palette, and how much of its time is
near a colour.

Both count every colour of every sample by its share of that sample's frame times the
seconds the sample stands for (:meth:`~streamprint.model.Fingerprint.spans`), so a colour
that fills half the frame for ten minutes weighs as much as one that fills all of it for
five, however densely the movie was sampled.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from . import params
from .color.spaces import ciede2000, decode, encode, linear_to_srgb, srgb_to_lab, srgb_to_linear
from .kmeans import kmeans_planar, planar
from .model.colors import Palette
from .model.samples import CHUNK

if TYPE_CHECKING:
    from .model import Fingerprint

#: Per run (a sample store), what its chunks already complete sum to: (chunks, keys, sums,
#: linear-light sum (3,), its weight), see :func:`_totals`.
_DONE: weakref.WeakKeyDictionary[Any, tuple[int, np.ndarray, np.ndarray, np.ndarray, float]] = \
    weakref.WeakKeyDictionary()


def _sums(colors: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each distinct colour (a 24-bit key, sorted) of (m, 3) uint8 ``colors`` and the sum of
    its ``weights``, added in the order given."""
    c = colors.astype(np.int64)
    keys, inverse = np.unique((c[:, 0] << 16) | (c[:, 1] << 8) | c[:, 2], return_inverse=True)
    return keys, np.bincount(inverse.ravel(), weights=weights, minlength=len(keys))


def time_weights(fp: Fingerprint) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct colour of ``fp``'s samples and its share of the movie's time:
    ((m, 3) uint8 sRGB sorted by colour, (m,) float64 summing to 1). A sample's colour
    weighs its share of the frame x the seconds the sample stands for (every sample
    alike when no time is known).

    Summed a chunk of samples at a time (:meth:`~streamprint.model.Samples.palette_chunks`),
    the chunks' sums added in order, so memory stays bounded however many samples; the sums
    of a run's complete chunks are kept, so a live run's fingerprint so far, taken again and
    again as it grows, costs its new samples (and the same bits as a fingerprint made once)."""
    unique, shares, _ = _totals(fp)
    return unique, shares


def _totals(fp: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`time_weights`' colours and shares, and the movie's average colour, summed in
    one pass (its chunks' sums kept for a growing run, see :func:`time_weights`).

    The average, (3,) uint8 sRGB, is the mean in linear light of the samples' own averages
    (``Palette.mean``, each of its whole analysis image), each weighing the seconds it
    stands for; a sample without one (data from before them) counts its palette's colours
    by their shares. Not the mean of the palette's centroids: k-means takes those in
    gamma-encoded values (or CIELAB), so half red, half blue frames averaged #800080 with
    one colour, where their linear-light mean is #bc00bc."""
    real = fp.spans()
    spans = real if np.any(real > 0) else np.ones(len(fp))
    samples = fp.samples
    kept = _DONE.get(samples.key)
    done: int
    keys: np.ndarray
    sums: np.ndarray
    if kept is None or kept[0] * CHUNK >= len(samples):  # nothing kept, or kept of more samples than these
        done, keys, sums, linear, total = 0, np.zeros(0, np.int64), np.zeros(0), np.zeros(3), 0.0
    else:
        done, keys, sums, linear, total = kept
    for (c, colors, weights, counts), (_, means, has) in zip(samples.palette_chunks(done),
                                                             samples.mean_chunks(done), strict=True):
        held = np.arange(colors.shape[1])[None, :] < counts[:, None]  # a sample's own colours, in rank order
        span = spans[c * CHUNK:c * CHUNK + len(counts)]
        part = _sums(colors[held], (weights * span[:, None])[held])
        if len(keys):
            merged, inverse = np.unique(np.concatenate([keys, part[0]]), return_inverse=True)
            keys, sums = merged, np.bincount(inverse.ravel(), weights=np.concatenate([sums, part[1]]),
                                             minlength=len(merged))
        else:
            keys, sums = part
        # each sample's linear-light average: its own mean, else its colours by share
        own = np.where(has[:, None], srgb_to_linear(means),
                       np.einsum("mk,mkc->mc", np.where(held, weights, 0.0), srgb_to_linear(colors)))
        linear, total = linear + span @ own, total + float(span.sum())
        # complete, its spans final (gaps to the next sample), and never all alike (a gap > 0)
        if (c + 1) * CHUNK < len(samples) and np.any(real[:(c + 1) * CHUNK] > 0):
            _DONE[samples.key] = (c + 1, keys, sums, linear, total)
    unique = np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], axis=1).astype(np.uint8)
    mean = np.clip(np.rint(linear_to_srgb(linear / total)), 0, 255).astype(np.uint8) if total > 0 \
        else np.zeros(3, np.uint8)
    return unique, sums / sums.sum(), mean


def movie_palette(fp: Fingerprint) -> Palette:
    """The movie's own palette: ``fp.options.colors`` dominant colours of the whole movie,
    weighted by time (see :func:`time_weights`), found by weighted k-means in the
    fingerprint's clustering space (``options.space``), seeded by ``options.seed`` (best
    of 3 k-means++ starts), so the same fingerprint always gives the same palette.
    ``weights`` are shares of the movie's time; ``mean`` is its average colour
    (in linear light, whatever the number of colours: see :func:`_totals`); ``inertia`` the
    weighted mean squared distance in the space's units."""
    colors, weights, mean = _totals(fp)
    k = fp.options.colors
    if len(colors) <= k:
        return Palette.from_centroids(colors.astype(np.float64), weights, 0.0, False, mean)
    space = fp.options.space
    X = planar(encode(colors, space), np.float64)
    centroids, labels, inertia = kmeans_planar(X, k, seed=fp.options.seed, n_init=3, sample_weight=weights)
    shares = np.bincount(labels, weights=weights, minlength=k)
    return Palette.from_centroids(decode(centroids, space), shares, inertia, False, mean)


def share_near(fp: Fingerprint, color: Any, threshold: float = params.DEFAULT_THRESHOLD) -> float:
    """The share of ``fp``'s time (0-1) whose colours lie within CIEDE2000 ``threshold`` of
    ``color`` (#rrggbb, r,g,b or a sequence of three 0-255 values), in CIELAB (D65)."""
    target = np.array(params.check("color", color), dtype=np.uint8)
    threshold = params.check("threshold", threshold)
    colors, weights = time_weights(fp)
    near = ciede2000(srgb_to_lab(colors), srgb_to_lab(target)) <= threshold
    return float(weights[near].sum())
