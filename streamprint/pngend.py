"""A PNG whose image data ends before its last row: a compressed stream complete in
itself (an encoder that stopped, a file spliced together) followed by IEND. Pillow
(13.0) decodes it without a word (its decoder stops where the stream does, the check that
image and data end together left out), the missing rows black as its new images are:
a palette of black. FFmpeg says "IEND without all image". A file that ends in the middle
of the stream Pillow refuses itself ("image file is truncated").

The rows a PNG's header (IHDR) states make a known number of bytes once inflated (PNG
specification, 3rd edition, 7.2 and 8.2: each row a filter byte and its pixels' bits, by
pass for Adam7); here the stream is inflated again, a piece at a time, and counted. That
doubles the inflating, so it is done only where the decoded image could be short: a
non-interlaced image with an edge all zeros (where its last stored row may have gone once
turned upright; a PNG whose last row is truly black pays it), and any interlaced one.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from typing import Any, BinaryIO

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Samples per pixel of each PNG colour type (grey, RGB, palette, grey and alpha, RGBA).
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
#: Adam7's passes: (first row, first column, row step, column step).
_ADAM7 = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1))
#: Bytes read, and inflated, at a time.
_PIECE = 1 << 20


def raw_size(width: int, height: int, depth: int, color_type: int, interlaced: bool) -> int:
    """The bytes a PNG's image data inflates to: per row a filter byte and the row's bits
    rounded up to whole bytes, for the whole image or for each Adam7 pass (a pass with no
    rows or columns has no bytes)."""
    bits = depth * _CHANNELS[color_type]

    def rows(w: int, h: int) -> int:
        return h * (1 + (w * bits + 7) // 8) if w > 0 and h > 0 else 0

    if not interlaced:
        return rows(width, height)
    return sum(rows(max(0, -(-(width - x) // dx)), max(0, -(-(height - y) // dy))) for y, x, dy, dx in _ADAM7)


def cut_short(source: bytes | str | os.PathLike[str], decoded: Any) -> bool:
    """Whether the PNG in ``source`` (its bytes or its path), which Pillow decoded without
    complaint as ``decoded`` (the image as streamprint read it, maybe turned upright), holds
    less image data than its header states (see the module docstring)."""
    with (io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")) as f:
        header = _header(f)
        if header is None:
            return False
        if not header[4] and not _zero_edge(decoded):  # its last row is there
            return False
        return _inflated(f, raw_size(*header))


def _header(f: BinaryIO) -> tuple[int, int, int, int, bool] | None:
    """(width, height, bit depth, colour type, interlaced) of the PNG read from ``f``, left
    after its IHDR chunk; None for what is no PNG this module knows."""
    head = f.read(8 + 8 + 13 + 4)
    if len(head) < 33 or not head.startswith(SIGNATURE) or head[12:16] != b"IHDR":
        return None
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", head[16:29])
    if color_type not in _CHANNELS:
        return None
    return width, height, depth, color_type, bool(interlace)


def _zero_edge(img: Any) -> bool:
    """Whether a row or column at an edge of ``img`` is all zero bytes (as rows the stream
    never reached are)."""
    w, h = img.size
    return any(not np.asarray(img.crop(box)).any() for box in ((0, 0, w, 1), (0, h - 1, w, h),
                                                               (0, 0, 1, h), (w - 1, 0, w, h)))


def _inflated(f: BinaryIO, expected: int) -> bool:
    """Whether the IDAT chunks from ``f`` on inflate to fewer than ``expected`` bytes (a
    damaged stream or chunk is not this module's to say: False)."""
    inflate, total = zlib.decompressobj(), 0
    seen = False
    while total < expected and not inflate.eof:
        head = f.read(8)
        if len(head) < 8:
            break
        length, kind = struct.unpack(">I", head[:4])[0], head[4:]
        if kind != b"IDAT":
            if seen:  # the image data is over
                break
            f.seek(length + 4, os.SEEK_CUR)
            continue
        seen = True
        left = length
        while left > 0 and total < expected and not inflate.eof:
            data = f.read(min(left, _PIECE))
            if not data:
                return False
            left -= len(data)
            try:
                while not inflate.eof:
                    out = inflate.decompress(data, _PIECE)
                    total, data = total + len(out), inflate.unconsumed_tail
                    if not data and len(out) < _PIECE:  # (a full piece may leave output to come)
                        break
            except zlib.error:
                return False
        f.seek(left + 4, os.SEEK_CUR)  # the rest of the chunk (once enough is counted), its CRC
    return seen and total < expected
