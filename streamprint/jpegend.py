"""A JPEG whose end-of-image marker (the last two bytes, FF D9) is missing, mended when
every pixel is still there: a copy or download that stopped two bytes short, which Pillow
refuses as "image file is truncated" though nothing of the picture is lost.

Pillow's own remedy, ``ImageFile.LOAD_TRUNCATED_IMAGES``, is one flag for the whole process
(threads reading other images share it), and shows what was never in the file as grey
(libjpeg fills what is missing with zero coefficients). Here the bytes are decoded again
with the marker appended, twice: after the data as it is, and after filler bytes. A scan
whose every block is there stops before the filler (libjpeg skips what follows the last
block up to the marker), so both decodes agree; a scan cut short reads the filler as
blocks, and they differ: nothing is mended then.
"""

from __future__ import annotations

import io
from typing import Any

#: The end-of-image marker.
EOI = b"\xff\xd9"
#: Bytes a cut scan reads as blocks unlike libjpeg's fill (0x55: alternating bits, never a
#: marker's 0xFF, and not the run of zero bits a zero-coefficient block may be coded as).
_FILLER = b"\x55" * 256


def mended_jpeg(data: bytes) -> bytes | None:
    """``data``, a JPEG Pillow found truncated, with its end marker appended, when that is
    all it lacked (every block of its scans is there); else None."""
    if data.endswith(EOI):
        return None
    mended = data + EOI
    try:
        plain, filled = _decoded(mended), _decoded(data + _FILLER + EOI)
    except Exception:  # (anything else wrong with it: the first error stands)
        return None
    return mended if _same(plain, filled) else None


def _decoded(data: bytes) -> Any:
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    if img.format != "JPEG":
        raise ValueError("not a JPEG")
    img.load()
    return img


def _same(a: Any, b: Any) -> bool:
    """Whether two decodes hold the same pixels, compared a band of rows at a time (not two
    more whole copies of a large photo)."""
    if a.mode != b.mode or a.size != b.size:
        return False
    w, h = a.size
    step = max(1, (1 << 22) // max(1, w * len(a.getbands())))
    return all(a.crop((0, top, w, min(h, top + step))).tobytes() == b.crop((0, top, w, min(h, top + step))).tobytes()
               for top in range(0, h, step))
