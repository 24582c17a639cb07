"""Thumbnails of sampled frames, for a movie's page: made from the image the clusterer was
given (no second decode), kept encoded, and thinned so that their number stays bounded.

A run keeps the thumbnails of the samples whose number is a multiple of a stride, a power
of two; whenever more than :data:`~streamprint.model.thumbnails.MAX_THUMBNAILS` would be
kept, the stride doubles and every other one is dropped. So the kept set depends only on
how many samples there are (the smallest stride s with ceil(n / s) <= the limit), and a run
resumed from a checkpoint keeps exactly what an uninterrupted one keeps.
"""

from __future__ import annotations

import io

import numpy as np

from .enums import ImageFormat
from .errors import ResumeError
from .model import Thumbnails
from .model.thumbnails import MAX_THUMBNAILS

#: Long side of a thumbnail, pixels (the analysis image is used as it is when smaller).
THUMBNAIL_SIZE = 128
#: WebP quality (0-100) and method (0-6, effort): about 1 KB per thumbnail of a film frame.
#: Method 0 takes a quarter of the time method 4 (Pillow's default) takes, for files 20 %
#: larger at the same quality; quality 50 brings them back (measured on the benchmark
#: clip's frames: 1.0 KB either way, 0.7 against 2.7 ms).
THUMBNAIL_QUALITY = 50
THUMBNAIL_METHOD = 0


def encode_thumbnail(image: np.ndarray, size: int = THUMBNAIL_SIZE, quality: int = THUMBNAIL_QUALITY) -> bytes:
    """WebP bytes of an (h, w, 3) uint8 sRGB image (or (h, w, 4) RGBA, kept transparent),
    shrunk (box filter) so its long side is at most ``size`` pixels. No metadata: the same
    image always gives the same bytes."""
    from PIL import Image

    im = Image.fromarray(np.ascontiguousarray(image))
    long_side = max(im.size)
    if long_side > size:
        im = im.resize((max(1, round(im.width * size / long_side)), max(1, round(im.height * size / long_side))),
                       Image.Resampling.BOX)
    buf = io.BytesIO()
    im.save(buf, format="WEBP", quality=quality, method=THUMBNAIL_METHOD)
    return buf.getvalue()


def stride_for(samples: int, limit: int = MAX_THUMBNAILS) -> int:
    """The stride (a power of two) at which a run of ``samples`` samples keeps thumbnails."""
    stride = 1
    while -(-samples // stride) > limit:
        stride *= 2
    return stride


class ThumbnailCollector:
    """Encodes and keeps the thumbnails of a run's samples (see the module docstring);
    memory: at most ``limit`` encoded images. ``start``: the thumbnails of a checkpoint
    with ``samples`` samples, to continue from."""

    def __init__(self, limit: int = MAX_THUMBNAILS, start: Thumbnails | None = None, samples: int = 0) -> None:
        self.limit = limit
        self.stride = stride_for(samples, limit)
        self.indices = list(start.indices) if start is not None else []
        self.images = list(start.images) if start is not None else []
        if self.indices != list(range(0, samples, self.stride)):
            raise ResumeError("the checkpoint's thumbnails do not fit its samples")

    def add(self, index: int, image: np.ndarray) -> None:
        """Sample number ``index`` (the next one) was clustered from ``image``."""
        if index % self.stride == 0:
            self.indices.append(index)
            self.images.append(encode_thumbnail(image))
        if len(self.indices) > self.limit:
            self.stride *= 2
            keep = [i for i, n in enumerate(self.indices) if n % self.stride == 0]
            self.indices = [self.indices[i] for i in keep]
            self.images = [self.images[i] for i in keep]

    def result(self) -> Thumbnails:
        return Thumbnails(tuple(self.indices), tuple(self.images), ImageFormat.WEBP)


def within_budget(thumbnails: Thumbnails, budget: int) -> Thumbnails:
    """As many of ``thumbnails`` as fit in ``budget`` bytes of base64 text, spread evenly
    over them (the first and the last kept): all of them when they fit, none when not even
    one does."""
    sizes = [4 * -(-len(b) // 3) for b in thumbnails.images]

    def spread(k: int) -> list[int]:
        n = len(sizes)
        return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)}) if k > 1 else [0][:k]

    def fits(k: int) -> bool:
        return sum(sizes[j] for j in spread(k)) <= budget

    lo, hi = 0, len(sizes)  # lo fits (none always does)
    if fits(hi):
        return thumbnails
    while lo < hi - 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    keep = spread(lo)
    return Thumbnails(tuple(thumbnails.indices[j] for j in keep), tuple(thumbnails.images[j] for j in keep),
                      thumbnails.format)
