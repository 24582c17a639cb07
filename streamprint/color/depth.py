"""How deep an image file's samples are, and those samples as the 8-bit levels the rest of
streamprint reads: one rule, a level of v at a depth whose largest value is M being
v x 255 / M to the nearest (16-bit: v x 255 / 65535), for grey, RGB, RGBA and grey with
alpha alike, and colour keys (PNG tRNS) compared at the file's own depth. Pillow reads a
16-bit colour PNG or TIFF by cutting each sample to its high byte, leaves a low-depth grey key at
the file's depth beside 8-bit pixels, and reads a deep PGM as 32-bit "I" with no depth.
"""

from __future__ import annotations

import io
import sys
from typing import Any

import numpy as np

from .embedded import grey16_table

#: Rows of an image worked on at once (:func:`deep16`, :func:`streamprint.imagefile.pixels_at`):
#: the temporaries are bounded by the band, not the image.
BAND_ROWS = 256
#: Raw modes of a 16-bit colour PNG (Pillow's), and what it decodes each to.
_PNG16 = {"RGB;16B": "RGB", "RGBA;16B": "RGBA", "LA;16B": "LA"}
#: Raw modes of a 16-bit RGB or RGBA TIFF (Pillow's: big-, little-, native-endian samples).
_TIFF16 = frozenset(f"{m};16{e}" for m in ("RGB", "RGBA") for e in "BLN")


def _other_byte(rawmode: str) -> str:
    """The raw mode whose unpacker reads the other byte of each 16-bit sample: Pillow's
    unpackers keep the high byte of the order they name, so the other order's keeps the low."""
    native = "L" if sys.byteorder == "little" else "B"
    head, order = rawmode[:-1], rawmode[-1].replace("N", native)
    return head + ("L" if order == "B" else "B")


def deep16(img: Any) -> tuple[Any, int | None] | None:
    """A 16-bit RGB, RGBA or (PNG) grey-and-alpha PNG or TIFF not yet read, decoded at full
    depth and brought to 8 bits by rounding, v x 255 / 65535 (Pillow keeps the high byte:
    20 x 256 + 200 came out 20, not 21); a PNG's colour key (tRNS) compared at 16 bits, an
    RGB image with one coming back "RGBA" (a pixel differing from the key in its low bytes
    alone is opaque). With its info but the key, and the EXIF orientation still to apply
    (:func:`upright`; Pillow turns a TIFF as it reads it). None for any other image. Pillow
    is asked for the high bytes, then for the low ones, from the file's bytes: twice the
    decoding time of such an image; ``img`` itself is never decoded."""
    from PIL import Image

    from .embedded import portable_info

    tiles = getattr(img, "tile", None) or []
    raws = {t[3] if isinstance(t[3], str) else t[3][0] for t in tiles}
    if img.format == "PNG" and len(tiles) == 1 and raws <= _PNG16.keys():
        rawmode = raws.pop()
    elif img.format == "TIFF" and len(raws) == 1 and raws <= _TIFF16 and img.mode in ("RGB", "RGBA"):
        rawmode = raws.pop()
    else:
        return None
    if getattr(img, "fp", None) is None or getattr(img, "tell", lambda: 0)() != 0:  # (a later frame: not reopened)
        return None
    where = img.fp.tell()
    try:
        img.fp.seek(0)
        data = img.fp.read()
    finally:
        img.fp.seek(where)
    turned: list[int | None] = [None]
    info: dict[str, Any] = {}

    def decoded(raw: str) -> np.ndarray:
        other = Image.open(io.BytesIO(data))
        other.tile = [t._replace(args=raw if isinstance(t.args, str) else (raw, *(t.args or ())[1:]))
                      for t in other.tile]
        other.load()
        turned[0] = other.getexif().get(0x0112)  # None for a TIFF: Pillow turned it as it read it
        # read from this copy, loaded: asking ``img`` for its EXIF made Pillow decode it (a PNG's
        # eXIf may follow its pixels) a third time, and load a caller's image, which a second
        # call then read at 8 bits (a colour key's image: "every pixel is transparent")
        info.update(portable_info(other))
        return np.asarray(other)

    if rawmode == "LA;16B":  # as 8-bit RGBA: grey high, grey low, alpha high, alpha low
        high = low = decoded("RGBA")
        high_of, low_of = [0, 2], [1, 3]
    else:
        high, low = decoded(rawmode), decoded(_other_byte(rawmode))
        high_of = low_of = list(range(high.shape[2]))
    key, mode = img.info.get("transparency"), _PNG16.get(rawmode, img.mode)
    keyed = img.format == "PNG" and mode == "RGB" and isinstance(key, tuple) and len(key) == 3
    if keyed:
        mode = "RGBA"
    h, channels = high.shape[0], len(high_of)
    levels = np.empty((h, high.shape[1], channels + keyed), np.uint8)
    for top in range(0, h, BAND_ROWS):  # in bands: the temporaries bounded by the band, not the image
        hi, lo = high[top:top + BAND_ROWS][..., high_of], low[top:top + BAND_ROWS][..., low_of]
        levels[top:top + BAND_ROWS, :, :channels] = _rounded(hi, lo)
        if keyed:
            match = (hi == np.asarray([k >> 8 for k in key])) & (lo == np.asarray([k & 255 for k in key]))
            levels[top:top + BAND_ROWS, :, -1] = np.where(match.all(axis=-1), 0, 255)
    del high, low
    out = Image.fromarray(levels, mode=mode)
    out.info.update({k: v for k, v in info.items() if k != "transparency"})
    return out, turned[0]


def to_8_bits(values: np.ndarray, top: int) -> np.ndarray:
    """Whole-number samples 0-``top`` as 8-bit levels: v x 255 / top to the nearest (the one
    rule for every depth; int64 in, int64 out)."""
    return (values * 255 + top // 2) // top


#: The 8-bit level of each 16-bit sample (:func:`to_8_bits`; no ties: 65535 is odd).
_TO_8 = to_8_bits(np.arange(65536, dtype=np.int64), 65535).astype(np.uint8)


def _rounded(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """The 8-bit levels of 16-bit samples given as their high and low bytes (uint8 arrays
    of one shape): the two bytes side by side read as big-endian 16-bit values, looked up
    in :data:`_TO_8` (a fifth of the time of the arithmetic on 32-bit arrays)."""
    pair = np.stack([high, low], axis=-1)
    return np.take(_TO_8, pair.view(">u2")[..., 0])


def upright(img: Any, orientation: int | None) -> Any:
    """``img`` turned as its EXIF ``orientation`` says (as ImageOps.exif_transpose does)."""
    from PIL import Image

    method = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270,
              7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_90}.get(orientation or 1)
    if method is None:
        return img
    out = img.transpose(method)
    out.info.update(img.info)
    return out


#: Bits a sample of a grey PNG Pillow reads at 8 bits, by its raw mode.
_LOW_GREY_DEPTHS = {"1": 1, "L;2": 2, "L;4": 4}


def low_depth_grey_key(img: Any) -> int | None:
    """The colour key (tRNS) of a 1-, 2- or 4-bit grey PNG not yet read, as the 8-bit level
    Pillow reads its pixels at (level x 255 / (2^depth - 1)); -1 for a key past the depth
    (no pixel is transparent); None for any other image. Pillow leaves the key at the
    file's depth, so a 2-bit key of 1 matched 8-bit 1, not 85; a 1-bit image's key (which
    Pillow makes 0 or 255) was not read at all: every see-through pixel was counted."""
    key = img.info.get("transparency")
    if img.format != "PNG" or img.mode not in ("1", "L") or not isinstance(key, int):
        return None
    depth = next((_LOW_GREY_DEPTHS.get(str(tile[3][0] if isinstance(tile[3], tuple) else tile[3]))
                  for tile in getattr(img, "tile", None) or ()), None)
    if depth is None:
        return None
    if depth == 1:  # Pillow has made this key 0 or 255 already; its pixels are left unkeyed
        return key
    top = (1 << depth) - 1
    return key * 255 // top if 0 <= key <= top else -1


def stated_maxval(img: Any) -> int | None:
    """The largest value a PGM's header says its samples take, for a PGM Pillow reads as
    32-bit "I" (maxval past 255; Pillow scales other maxvals to 0-65535); None for any other
    image, or one already read. Read from Pillow's tile: a 16-bit PGM's values all at most
    255 were taken as 8-bit (200 of 65535 came out 200, not 1)."""
    if img.format != "PPM" or img.mode != "I":
        return None
    for tile in getattr(img, "tile", None) or ():
        args = tile[3]
        if args == "I;16B" or (isinstance(args, tuple) and args[0] == "I;16B"):
            return 65535  # read raw: the file's own values
        if isinstance(args, tuple) and isinstance(args[-1], int) and 255 < args[-1] < 65536:
            return args[-1]
    return None


def deep_grey(img: Any, maxval: int | None = None) -> tuple[Any, np.ndarray | None]:
    """A 16-bit, 32-bit or float grey image as 8-bit "L", with what says how its values
    show (its ICC profile, a PNG's gAMA, sRGB chunk); an integer one with a grey ICC profile
    LittleCMS can use, as "RGB" in sRGB, converted at full depth (:func:`grey16_table`),
    its profile spent. And its PNG colour key as a mask
    (uint8 (h, w), 0 where transparent; None without a key), compared at full depth.
    16-bit grey is 0-65535 however dark (a dark 16-bit PNG read as 8-bit came out light);
    A PGM's ``maxval`` (:func:`stated_maxval`) says its range: level v is v x 255 / maxval,
    rounded (Pillow's 0-65535 scaling undone first, exactly). Any other 32-bit "I" says
    nothing of its range: 16 bits when it goes past 255, clipped there, rounded to the
    nearest 8-bit level. Float grey (a scientific or HDR TIFF): 0-1 when
    nothing goes past 1 (it came out black, clipped as 0-255), else 0-255; NaN black.
    The new image kept none of the original's info: a 16-bit PNG's grey profile and
    colour key were dropped (its values taken as sRGB, its transparent pixels counted)."""
    from PIL import Image

    key, mask = img.info.get("transparency"), None
    if img.mode == "F":
        arr = np.nan_to_num(np.asarray(img, dtype=np.float64), nan=0.0)
        scale = 255.0 if arr.max(initial=0.0) <= 1.0 else 1.0
        grey = np.rint(np.clip(arr * scale, 0, 255)).astype(np.uint8)
    else:
        arr = np.asarray(img, dtype=np.int64)
        if isinstance(key, int):
            mask = np.where(arr == key, 0, 255).astype(np.uint8)
        if maxval is not None:  # Pillow scaled v to round(v / maxval x 65535): back to v
            arr = np.clip(arr, 0, 65535)
            arr, top = (arr * maxval + 32767) // 65535, maxval
        else:
            top = 65535 if img.mode != "I" or arr.max(initial=0) > 255 else 255
        arr = np.clip(arr, 0, top)
        grey = to_8_bits(arr, top).astype(np.uint8)
    out = Image.fromarray(grey, mode="L")
    out.info.update({k: v for k, v in img.info.items() if k != "transparency"})
    if img.mode != "F" and (icc := img.info.get("icc_profile")) and (table := grey16_table(icc)) is not None:
        deep = arr if top == 65535 else (arr * 65535 + top // 2) // top
        out = Image.fromarray(table[deep], mode="RGB")  # through its profile at full depth
        out.info.update({k: v for k, v in img.info.items() if k not in ("transparency", "icc_profile")})
    return out, mask


def with_alpha(img: Any, mask: np.ndarray) -> Any:
    """An "L" or "RGB" image and an alpha mask as "LA" or "RGBA", keeping the image's info
    (its profile)."""
    from PIL import Image

    out = Image.merge("LA" if img.mode == "L" else "RGBA", (*img.split(), Image.fromarray(mask, mode="L")))
    out.info.update(img.info)
    return out
