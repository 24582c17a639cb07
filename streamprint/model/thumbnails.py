"""Small pictures of sampled frames, kept encoded, for a movie's page."""

from __future__ import annotations

import itertools
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
        indices, images = tuple(self.indices), tuple(self.images)
        fmt = ImageFormat(self.format)
        if fmt not in THUMBNAIL_FORMATS:
            raise InvalidValue(f"thumbnails must be {' or '.join(THUMBNAIL_FORMATS)}, got {fmt}")
        if len(indices) != len(images):
            raise InvalidValue(f"expected one image per thumbnail index ({len(indices)}), got {len(images)}")
        if len(indices) > MAX_THUMBNAILS:
            raise InvalidValue(f"at most {MAX_THUMBNAILS} thumbnails, got {len(indices)}")
        if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in indices):
            raise InvalidValue("thumbnail indices must be whole numbers >= 0")
        if any(b <= a for a, b in itertools.pairwise(indices)):
            raise InvalidValue("thumbnail indices must increase")
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
