"""Small pictures of sampled frames, kept encoded, for a movie's page."""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass

from ..enums import ImageFormat
from ..errors import InvalidValue
from .colors import _set

#: The most bytes one thumbnail may take (a 128-px WebP takes 1-3 KB).
MAX_THUMBNAIL_BYTES = 64 * 1024
#: The most thumbnails a fingerprint keeps; beyond it they are thinned (see
#: :mod:`streamprint.thumbnails`), so memory stays bounded however long the movie.
MAX_THUMBNAILS = 4096
#: Formats a thumbnail may be in, and how each file begins.
THUMBNAIL_FORMATS = (ImageFormat.WEBP, ImageFormat.JPEG)


def looks_like(fmt: ImageFormat, data: bytes) -> bool:
    """Whether ``data`` begins as a ``fmt`` file does (WebP: RIFF....WEBP; JPEG: FF D8 FF)."""
    if fmt == ImageFormat.WEBP:
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return data[:3] == b"\xff\xd8\xff"


@dataclass(frozen=True)
class Thumbnails:
    """Encoded thumbnails of some of a fingerprint's samples: ``indices`` are the sample
    numbers (0-based, increasing) that have one, ``images`` their encoded files, in
    ``format`` (WebP, or JPEG). A page shows, for every sample, the nearest one."""

    indices: tuple[int, ...]
    images: tuple[bytes, ...]
    format: ImageFormat = ImageFormat.WEBP

    def __post_init__(self) -> None:
        try:
            indices, images = tuple(self.indices), tuple(self.images)
        except TypeError:
            raise InvalidValue("thumbnail indices and images must be sequences") from None
        try:
            fmt = ImageFormat(self.format)
        except ValueError:
            fmt = None
        if fmt is None or fmt not in THUMBNAIL_FORMATS:
            raise InvalidValue(f"thumbnails must be {' or '.join(THUMBNAIL_FORMATS)}, got {self.format!r}")
        if len(indices) != len(images):
            raise InvalidValue(f"expected one image per thumbnail index ({len(indices)}), got {len(images)}")
        if len(indices) > MAX_THUMBNAILS:
            raise InvalidValue(f"at most {MAX_THUMBNAILS} thumbnails, got {len(indices)}")
        # any whole number (numpy's np.int64 too: it was refused), held as int
        if not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) and i >= 0 for i in indices):
            raise InvalidValue("thumbnail indices must be whole numbers >= 0")
        indices = tuple(int(i) for i in indices)
        if any(b <= a for a, b in itertools.pairwise(indices)):
            raise InvalidValue("thumbnail indices must increase")
        # bytes-like (a bytearray, a memoryview) held as bytes
        images = tuple(bytes(b) if isinstance(b, (bytearray, memoryview)) else b for b in images)
        for i, data in zip(indices, images, strict=True):
            if not isinstance(data, bytes) or not 0 < len(data) <= MAX_THUMBNAIL_BYTES:
                raise InvalidValue(f"thumbnail {i}: expected 1 to {MAX_THUMBNAIL_BYTES} bytes")
            if not looks_like(fmt, data):
                raise InvalidValue(f"thumbnail {i}: not a {fmt} image")
        _set(self, indices=indices, images=images, format=fmt)

    def __len__(self) -> int:
        return len(self.indices)

    @property
    def nbytes(self) -> int:
        """Bytes of all the encoded images."""
        return sum(len(b) for b in self.images)

    def __repr__(self) -> str:
        # a summary: the images' bytes (480 WebPs: a 2.5 MB repr of a fingerprint) say nothing to read
        which = f", samples {self.indices[0]} to {self.indices[-1]}" if self.indices else ""
        return f"Thumbnails({len(self)} {self.format} images, {self.nbytes} bytes{which})"
