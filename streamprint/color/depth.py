"""How deep an image file's samples are, and those samples as the 8-bit levels the rest of
streamprint reads: one rule, a level of v at a depth whose largest value is M being
v x 255 / M to the nearest (16-bit: v x 255 / 65535), for grey, RGB, RGBA and grey with
alpha alike, and colour keys (PNG tRNS) compared at the file's own depth; where a gAMA or a
grey profile says how 16-bit values show, they are brought to sRGB at full depth. Pillow reads a
16-bit colour PNG or TIFF by cutting each sample to its high byte, leaves a low-depth grey key at
the file's depth beside 8-bit pixels, and reads a deep PGM as 32-bit "I" with no depth.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from ..atomic import file_state
from .embedded import curve_spent, deep_curve, grey16_table, portable_info

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


def deep16(img: Any, cicp: Any = None) -> Any | None:
    """A 16-bit RGB, RGBA or (PNG) grey-and-alpha PNG or TIFF not yet read, decoded at full
    depth and brought to 8 bits by rounding, v x 255 / 65535 (Pillow keeps the high byte:
    20 x 256 + 200 came out 20, not 21); where its gAMA / cHRM (:func:`~.embedded.deep_curve`)
    or, for grey and alpha, its grey ICC profile (:func:`~.embedded.grey16_table`) say how
    its values show, brought to sRGB at full depth instead, the tag spent (a linear 200 of
    65535 came out 13, not 10). An RGB profile is left for :func:`~.embedded.as_srgb`, at 8
    bits: Pillow hands LittleCMS no 16-bit RGB image. A PNG's colour key (tRNS) compared at
    16 bits, an RGB image with one coming back "RGBA" (a pixel differing from the key in its
    low bytes alone is opaque). With its info but the key (``cicp``: what
    :func:`~.embedded.file_cicp` found, which wins over gAMA), and its EXIF orientation
    still to apply (Pillow turns a TIFF as it reads it). None for any other image. Pillow is
    asked for the high bytes, then for the low ones (grey and alpha: both at once), from the
    file again, and the 8-bit levels written over the high bytes band by band: two decoded
    images at most, where a 24-megapixel PNG took 430 MB; ``img`` itself is never decoded."""
    from PIL import Image

    tiles = getattr(img, "tile", None) or []
    raws = set(_rawmodes(img))
    if img.format == "PNG" and len(tiles) == 1 and len(raws) == 1 and raws <= _PNG16.keys():
        rawmode = raws.pop()
    elif img.format == "TIFF" and len(raws) == 1 and raws <= _TIFF16 and img.mode in ("RGB", "RGBA"):
        rawmode = raws.pop()
    else:
        return None
    if getattr(img, "fp", None) is None or getattr(img, "tell", lambda: 0)() != 0:  # (a later frame: not reopened)
        return None
    opened = _reopener(img)

    def decoded(raw: str) -> Any:
        with opened() as file:
            other = Image.open(file)
            other.tile = [t._replace(args=raw if isinstance(t.args, str) else (raw, *(t.args or ())[1:]))
                          for t in other.tile]
            other.load()
        return other

    grey = rawmode == "LA;16B"
    high = decoded("RGBA" if grey else rawmode)  # grey and alpha as 8-bit RGBA: grey high, low, alpha high, low
    # its info read from this copy, loaded: asking ``img`` for its EXIF made Pillow decode it (a
    # PNG's eXIf may follow its pixels) again, and load a caller's image, which a second call
    # then read at 8 bits (a colour key's image: "every pixel is transparent")
    info = {k: v for k, v in portable_info(high).items() if k != "transparency"}
    table = grey16_table(info["icc_profile"]) if grey and info.get("icc_profile") else None
    curve = deep_curve(high, grey, cicp) if table is None else None
    if table is not None:
        del info["icc_profile"]
    if curve is not None:
        info = curve_spent(info)
    key, mode = img.info.get("transparency"), _PNG16.get(rawmode, img.mode)
    keyed = img.format == "PNG" and mode == "RGB" and isinstance(key, tuple) and len(key) == 3
    mode = "RGBA" if keyed or table is not None else mode
    low = high if grey else decoded(_other_byte(rawmode))
    out = high if mode == high.mode else Image.new(mode, high.size)  # written over the high bytes where it can be
    w, h = high.size
    for top in range(0, h, BAND_ROWS):  # in bands: the temporaries bounded by the band, not the image
        box = (0, top, w, min(h, top + BAND_ROWS))
        hi, lo = np.asarray(high.crop(box)), np.asarray(low.crop(box))
        v = _values(hi[..., 0::2], hi[..., 1::2]) if grey else _values(hi, lo)
        colour, alpha = (v[..., :1], v[..., 1:]) if grey else (v[..., :3], v[..., 3:])
        shown = table[colour[..., 0]] if table is not None else \
            curve.srgb(colour) if curve is not None else _TO_8[colour]
        levels = [shown, _TO_8[alpha]]
        if keyed:
            levels.append(np.where((v == np.asarray(key, np.uint16)).all(axis=-1, keepdims=True), 0, 255)
                          .astype(np.uint8))
        out.paste(Image.fromarray(np.ascontiguousarray(np.concatenate(levels, axis=-1)), mode=mode), box[:2])
    del low, high
    out.info = info
    return out


def _reopener(img: Any) -> Callable[[], IO[bytes]]:
    """What opens the file of ``img`` (a PIL image not yet read) anew, as a binary file to
    close once read: the file it was opened from, by its path, while that path still names
    the same file, unchanged; else its bytes (a BytesIO's, not copied; a file's, read from
    the handle ``img`` holds). (A file replaced or removed while the palette was made gave
    the other file's pixels, or its high bytes with the other's low ones.)"""
    fp = img.fp
    if isinstance(fp, io.BytesIO):
        data = fp.getvalue()
        return lambda: io.BytesIO(data)

    kept: list[bytes] = []  # the file's bytes, once read (both decodes need them)

    def copied() -> IO[bytes]:
        if not kept:
            where = fp.tell()
            try:
                fp.seek(0)
                kept.append(fp.read())
            finally:
                fp.seek(where)
        return io.BytesIO(kept[0])

    name = getattr(img, "filename", None)
    try:
        held = file_state(fp.fileno()) if name and getattr(fp, "name", None) == name else None
    except (OSError, AttributeError, io.UnsupportedOperation):
        held = None
    if held is None:
        return copied
    path: Any = name  # (str or bytes, as Pillow was given it)

    def by_path() -> IO[bytes]:
        with contextlib.suppress(OSError):
            file = open(path, "rb")  # noqa: SIM115 - the caller closes it
            if file_state(file.fileno()) == held:
                return file
            file.close()
        return copied()

    return by_path


def to_8_bits(values: np.ndarray, top: int) -> np.ndarray:
    """Whole-number samples 0-``top`` as 8-bit levels: v x 255 / top to the nearest (the one
    rule for every depth; int64 in, int64 out)."""
    return (values * 255 + top // 2) // top


#: The 8-bit level of each 16-bit sample (:func:`to_8_bits`; no ties: 65535 is odd).
_TO_8 = to_8_bits(np.arange(65536, dtype=np.int64), 65535).astype(np.uint8)


def _at_16_bits(values: np.ndarray, top: int) -> np.ndarray:
    """Whole-number samples 0-``top`` as 16-bit values, v x 65535 / top to the nearest."""
    if top == 65535:
        return values
    return ((values.astype(np.int64) * 65535 + top // 2) // top).astype(np.uint16)


def _values(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """16-bit samples given as their high and low bytes (uint8 arrays of one shape): the two
    bytes side by side read as big-endian 16-bit values (indices into :data:`_TO_8`, a
    fifth of the time of the arithmetic on 32-bit arrays)."""
    return np.stack([high, low], axis=-1).view(">u2")[..., 0]


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
    depth = next((_LOW_GREY_DEPTHS.get(mode) for mode in _rawmodes(img)), None)
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
    if "I;16B" in _rawmodes(img):
        return 65535  # read raw: the file's own values
    for tile in getattr(img, "tile", None) or ():
        args = tile[3]
        if isinstance(args, tuple) and args and isinstance(args[-1], int) and 255 < args[-1] < 65536:
            return args[-1]
    return None


def stated_tiff_range(img: Any) -> tuple[int, int] | None:
    """The lowest and highest values a grey integer TIFF Pillow reads as 32-bit "I" says its
    samples take, by its BitsPerSample and SampleFormat (2 signed; 1 or none, unsigned): 32-bit
    signed 0 to 2^31 - 1, negatives below black (Pillow writes every "I" image signed, most
    never negative: their 0 stays black); 32-bit unsigned 0 to 2^32 - 1 (which Pillow stores
    wrapped in the same 32 bits); 16-bit signed ("I;16S") its whole range, -32768 to 32767, as
    ImageMagick reads it (the sample plus 32768, then 16-bit): -32768 black, 0 mid-grey. None
    for any other image. Such a file's values were clipped at 0 and 65535: 2^30, half of the
    32-bit signed range, came out white; a signed 16-bit image's 0 and below black."""
    if img.format != "TIFF" or img.mode != "I":
        return None
    tags = getattr(img, "tag_v2", None) or {}

    def first(value: Any) -> Any:
        return value[0] if isinstance(value, tuple) and value else value

    bits, kind = first(tags.get(258)), first(tags.get(339, 1))
    if bits == 16 and kind == 2:
        return -(1 << 15), (1 << 15) - 1
    if bits != 32 or kind not in (1, 2):
        return None
    return (0, (1 << 31) - 1) if kind == 2 else (0, (1 << 32) - 1)


def _rawmodes(img: Any) -> list[str]:
    """The raw mode each of Pillow's tiles of ``img`` is decoded with (its args are the mode,
    or a tuple that begins with it); none once the image is read."""
    modes = []
    for tile in getattr(img, "tile", None) or ():
        args = tile[3]
        mode = args[0] if isinstance(args, tuple) and args else args
        if isinstance(mode, str):
            modes.append(mode)
    return modes


def deep_grey(img: Any, maxval: int | None = None, cicp: Any = None,
              stated: tuple[int, int] | None = None) -> tuple[Any, np.ndarray | None]:
    """A 16-bit, 32-bit or float grey image as 8-bit "L", with what says how its values
    show (its ICC profile, a PNG's gAMA, sRGB chunk); an integer one whose grey ICC profile
    LittleCMS can use (:func:`~.embedded.grey16_table`, as "RGB") or whose gAMA
    (:func:`~.embedded.deep_curve`; ``cicp``, what :func:`~.embedded.file_cicp` found, wins
    over it) says how its values show, brought to sRGB at full depth, the tag spent (cut to
    8 bits first, a linear 200 of 65535 came out 13, not 10). And its PNG colour key as a
    mask (uint8 (h, w), 0 where transparent; None without a key), compared at full depth.
    16-bit grey is 0-65535 however dark (a dark 16-bit PNG read as 8-bit came out light);
    A PGM's ``maxval`` (:func:`stated_maxval`) says its range: level v is v x 255 / maxval,
    rounded (Pillow's 0-65535 scaling undone first, exactly); an integer TIFF's ``stated``
    range (:func:`stated_tiff_range`), lowest to highest, says it the same way: level v is
    (v - lowest) x 255 / (highest - lowest), rounded. Any other 32-bit "I" says
    nothing of its range: 16 bits when it goes past 255, clipped there, rounded to the
    nearest 8-bit level. Float grey (a scientific or HDR TIFF): 0-1 when
    no finite value goes past 1 (it came out black, clipped as 0-255), else 0-255; NaN and
    -inf black, +inf white.
    The new image kept none of the original's info: a 16-bit PNG's grey profile and
    colour key were dropped (its values taken as sRGB, its transparent pixels counted)."""
    from PIL import Image

    key, mask, info = img.info.get("transparency"), None, {k: v for k, v in img.info.items() if k != "transparency"}
    if img.mode == "F":  # the range from its finite values: one +inf made a 0-1 image "0-255", black
        arr = np.asarray(img, dtype=np.float64)
        scale = 255.0 if arr.max(initial=0.0, where=np.isfinite(arr)) <= 1.0 else 1.0
        arr = np.where(np.isnan(arr), 0.0, arr) * scale  # (+inf stays +inf: white once clipped; -inf black)
        out = Image.fromarray(np.rint(np.clip(arr, 0, 255)).astype(np.uint8), mode="L")
        out.info.update(info)
        return out, mask
    raw = np.asarray(img)  # "I;16": uint16; "I": int32
    if isinstance(key, int):
        mask = np.where(raw == key, 0, 255).astype(np.uint8)
    v: np.ndarray  # its values, 0-top
    if stated is not None:  # an integer TIFF's (stated_tiff_range): the file's own values
        low, high = stated
        own = raw.view(np.uint32) if high > (1 << 31) else raw  # (unsigned 32-bit: stored wrapped)
        v, top = np.clip(own.astype(np.int64), low, high) - low, high - low
        v = v.astype(np.uint16) if top == 65535 else v
    elif maxval is not None:  # Pillow scaled v to round(v / maxval x 65535): back to v
        v, top = (np.clip(raw, 0, 65535).astype(np.int64) * maxval + 32767) // 65535, maxval
    elif img.mode == "I" and raw.max(initial=0) <= 255:  # 8-bit values
        v, top = np.clip(raw, 0, 255), 255
    else:
        v, top = np.clip(raw, 0, 65535).astype(np.uint16), 65535
    del raw
    if (icc := info.get("icc_profile")) and (table := grey16_table(icc)) is not None:
        out = Image.fromarray(table[_at_16_bits(v, top)], mode="RGB")
        del info["icc_profile"]
    elif (curve := deep_curve(img, True, cicp)) is not None:
        out, info = Image.fromarray(curve.srgb(_at_16_bits(v, top)), mode="L"), curve_spent(info)
    else:
        out = Image.fromarray(_TO_8[v] if top == 65535 else to_8_bits(v, top).astype(np.uint8), mode="L")
    out.info.update(info)
    return out, mask


def with_alpha(img: Any, mask: np.ndarray) -> Any:
    """An "L" or "RGB" image and an alpha mask as "LA" or "RGBA", keeping the image's info
    (its profile)."""
    from PIL import Image

    out = Image.merge("LA" if img.mode == "L" else "RGBA", (*img.split(), Image.fromarray(mask, mode="L")))
    out.info.update(img.info)
    return out
