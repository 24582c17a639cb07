"""An image file (or bytes, a PIL image, an array) read as the sRGB pixels a viewer shows:
upright by its EXIF orientation, its bit depth, colour key, alpha and colour tags honoured.

The palette reads every pixel it samples from the full-size decode (:func:`read_srgb`,
:func:`pixels_at`); the card may take a JPEG decoded at reduced size (:func:`load_image`).
:func:`read_image` decodes an image once for both: the card of any other shares the decode.
"""

from __future__ import annotations

import io
import logging
import math
import os
import struct
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from .color.depth import (BAND_ROWS, deep16, deep_grey, low_depth_grey_key, stated_maxval, stated_tiff_range,
                          with_alpha)
from . import params
from .color.embedded import CICP, as_srgb, file_cicp, portable_info
from .errors import InputError, InputNotFoundError, NotAVideoError, ParameterError, StreamprintError
from .jpegend import mended_jpeg
from .pngend import cut_short as png_cut_short
from .warned import caught

if TYPE_CHECKING:
    from PIL import Image as PILImage

log = logging.getLogger("streamprint")

#: What :func:`extract_palette` takes: a file path, encoded image bytes, a PIL image, or an
#: (h, w, 3) / (h, w, 4) uint8 array (sRGB, alpha last).
ImageSource = Union[str, "os.PathLike[str]", bytes, "PILImage.Image", np.ndarray]

def source_name(image: ImageSource | DecodedImage) -> str:
    """How messages and palette files name ``image``."""
    if isinstance(image, DecodedImage):
        return image.name
    if isinstance(image, (str, os.PathLike)):
        return os.fspath(image)
    return {bytes: "image bytes", np.ndarray: "image array"}.get(type(image), "image")


#: What Pillow raises on a damaged image, besides ``OSError`` and ``ValueError`` (its PNG
#: reader raises ``SyntaxError`` for a bad chunk; its AVIF and HEIF readers ``RuntimeError``).
_DAMAGED = (SyntaxError, RuntimeError, EOFError, struct.error)


def _open(image: ImageSource) -> Any:
    from PIL import Image

    if isinstance(image, Image.Image):
        return image
    if not isinstance(image, (str, os.PathLike, bytes, np.ndarray)):
        raise ParameterError("image", f"must be a file path, image bytes, a PIL image or a uint8 array, "
                                      f"not {type(image).__name__}")
    if isinstance(image, np.ndarray):
        return Image.fromarray(np.ascontiguousarray(image))
    if isinstance(image, bytes):
        if (named := params.named_file(image)) is not None:  # (fingerprint() takes b"m.mp4")
            raise ParameterError("image", f"bytes are an image's contents, not its file name: for the file "
                                          f"{named}, pass a str or a Path")
        return Image.open(io.BytesIO(image))
    p = Path(image)
    if not p.exists():
        raise InputNotFoundError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not an image")
    return Image.open(p)


@dataclass(frozen=True)
class DecodedImage:
    """An image decoded once (:func:`read_image`), upright, its pixels as stored: not yet
    in sRGB. What a palette samples and its card shows; neither changes it. ``image``: the
    decoded PIL image; ``has_alpha``: it has transparency (an alpha channel, a palette's, a
    PNG colour key); ``size``: its displayed (width, height); ``source``: what it was read
    from, for a JPEG's card to be decoded again at reduced size (:func:`load_image`)."""

    image: Any
    has_alpha: bool
    size: tuple[int, int]
    name: str
    source: ImageSource = field(repr=False)
    #: A JPEG decoded at full size here, whose card is better decoded again in draft mode.
    redraft: bool = False


def read_image(image: ImageSource, name: str | None = None) -> DecodedImage:
    """``image`` decoded once, at full size, for its palette and its card to share
    (:func:`~streamprint.palette.extract_palette`, :func:`load_image` take it): a PNG's card
    decoded it again, a 16-bit one's twice more. Its warnings are said anew (:func:`say_anew`),
    then once for both."""
    name = name or source_name(image)
    say_anew(name)
    return _decode(image, 0, name)


def load_image(image: ImageSource | DecodedImage, max_side: int,
               name: str | None = None) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Open an image as it is displayed (EXIF orientation applied), shrunk so its long side
    is at most ``max_side`` px (0: full size). Returns (rgb (h, w, 3) uint8, alpha (h, w)
    uint8 or None, original (width, height)). Handles greyscale, palette, CMYK, 16-bit and
    transparent images; JPEGs are decoded at reduced size where possible (draft mode: it
    blends neighbouring pixels, so a palette's pixels come from :func:`read_srgb` at full
    size), a JPEG's :class:`DecodedImage` too, from its source; any other is shown as it was
    decoded. ``name``: how messages name the image (default: :func:`source_name`)."""
    from PIL import Image

    if isinstance(image, DecodedImage):  # (its warnings were said as it was read: not again)
        decoded = image
    else:  # a new image: its own warnings said
        name = name or source_name(image)
        say_anew(name)
        decoded = _decode(image, max_side, name)
    if decoded.redraft and max_side and max(decoded.size) > max_side:
        decoded = _decode(decoded.source, max_side, decoded.name)
    img, size = read_srgb(decoded)
    if max_side and max(img.size) > max_side:  # (img may be the decoded image: resized, not thumbnailed in place)
        img = img.resize(_fitted(img.size, max_side), Image.Resampling.BOX, reducing_gap=2.0)
    arr = np.asarray(img)
    if img.mode == "RGBA":
        return np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3]), size
    return arr, None, size


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size of an image of ``size`` shrunk into a ``side`` x ``side`` square as Pillow's
    ``thumbnail`` makes it: the long side ``side``, the short one whichever of the whole
    numbers about it keeps the aspect ratio closest (the smaller on a tie), at least 1."""
    w, h = size
    aspect = w / h
    if h >= w:
        n = side * aspect
        return max(min(math.floor(n), math.ceil(n), key=lambda m: abs(aspect - m / side)), 1), side
    n = side / aspect
    return side, max(min(math.floor(n), math.ceil(n), key=lambda m: 0 if m == 0 else abs(aspect - side / m)), 1)


#: Which pixels of an upright image of (height, width) to keep: row and column indices.
Sampler = Callable[[tuple[int, int]], tuple[np.ndarray, np.ndarray]]


def read_srgb(image: ImageSource | DecodedImage, draft: int = 0, name: str | None = None,
              sample: Sampler | None = None) -> tuple[Any, tuple[int, int]]:
    """``image`` decoded (or as :func:`read_image` decoded it), upright, as a PIL image in
    sRGB: "RGBA" when it has transparency (an alpha channel, a palette's, a PNG colour key),
    else "RGB"; and its displayed (width, height). ``draft``: a JPEG opened here may be
    decoded at reduced size, down to this long side (0: full size). ``sample``: only the
    pixels it picks (rows and columns of the upright image, sorted as :func:`pixels_at`
    takes them) are kept, as an image of the indices' shape, and only they are brought to
    sRGB (every conversion is pixel by pixel): a 24-megapixel Display P3 photo converted
    whole took 0.9 s and 230 MB. Every failure to read is one :class:`NotAVideoError`.
    The image returned may be a :class:`DecodedImage`'s own: not to be changed."""
    decoded = image if isinstance(image, DecodedImage) else _decode(image, draft, name or source_name(image))
    with _reading(decoded.name):
        img = decoded.image
        if sample is not None:
            img = _sampled(img, *sample(img.size[::-1]), decoded.has_alpha)
        out = as_srgb(img, "RGBA" if decoded.has_alpha else "RGB")
        out.load()
        return out, decoded.size


def _decode(image: ImageSource, draft: int, name: str) -> DecodedImage:
    """:func:`read_image`, with a JPEG opened here decoded at reduced size down to ``draft``
    (0: full size)."""
    if isinstance(image, np.ndarray):
        if image.dtype != np.uint8 or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (3, 4))):
            raise ParameterError("image", f"must be an (h, w), (h, w, 3) or (h, w, 4) uint8 array, "
                                          f"got {image.shape} {image.dtype}")
        if image.size == 0:
            raise ParameterError("image", "holds no pixels")
    with _reading(name):
        from PIL import Image

        img = _open(image)
        own = not isinstance(image, Image.Image)
        redraft = own and not draft and img.format == "JPEG"
        try:
            out, has_alpha, size = _load(img, draft, own)
            out.load()  # decoded here, where a damaged file is said to be one
        except OSError as exc:
            if not (img.format == "JPEG" and isinstance(image, (bytes, str, os.PathLike)) and _truncated(exc)):
                raise
            if (mended := mended_jpeg(image if isinstance(image, bytes) else Path(image).read_bytes())) is None:
                raise
            log.warning("%s: cut short: its JPEG end marker is missing (every pixel is there)", name)
        else:
            if img.format == "PNG" and isinstance(image, (bytes, str, os.PathLike)) and png_cut_short(image, out):
                # (Pillow fills the rows that never came with black, silently)
                raise NotAVideoError(f"{name}: cut short: its image data ends before its last row")
            return DecodedImage(out, has_alpha, size, name, image, redraft)
    return _decode(mended, draft, name)  # (its card, drafted, decodes the mended bytes too)


def _truncated(exc: BaseException) -> bool:
    """Whether Pillow's error says the file ended before the image did."""
    return "truncated" in str(exc).lower()


@contextmanager
def _reading(name: str) -> Iterator[None]:
    """Pillow's failures while an image is read, as one :class:`NotAVideoError` line."""
    from PIL import Image, UnidentifiedImageError

    try:
        # Pillow warns past half its pixel limit; past the limit it raises
        # DecompressionBombError, a one-line error below
        with caught(Image.DecompressionBombWarning, record=True) as said, _said_once(name):
            try:
                yield
            finally:
                _log_warnings(name, said)
    except StreamprintError:  # a missing file or a wrong type is said as such, not as "not an image"
        raise
    except UnidentifiedImageError as exc:  # its text only names the file again
        raise NotAVideoError(f"{name}: not an image Pillow can read") from exc
    except Image.DecompressionBombError as exc:  # an image, past Pillow's guard: not "not an image"
        guard = Image.MAX_IMAGE_PIXELS  # (the error comes only with a guard: never None here)
        limit = f" of {2 * guard:,} pixels" if guard else ""
        raise NotAVideoError(f"{name}: too large to read: more than Pillow's limit{limit} "
                             "(a guard against decompression bombs)") from exc
    except (OSError, ValueError, *_DAMAGED) as exc:
        if _truncated(exc):  # an image, but not all of it: not "not an image"
            raise NotAVideoError(f"{name}: cut short: the file ends before its image does ({exc})") from exc
        raise NotAVideoError(f"{name}: not an image Pillow can read ({exc})") from exc


#: The warnings said already in this thread, by image name: one is said once, however often
#: the image is read for one palette and its card (:func:`say_anew` at each new image; a
#: thread's images are its own: two threads reading "image bytes" silenced each other).
_SAID = threading.local()


def say_anew(name: str) -> None:
    """Forget the warnings said: a new image (``name``) says its own again (a library's
    images given as bytes are all "image bytes": a warning was said for the first alone)."""
    _SAID.texts = set()


def _first_time(name: str, text: str) -> bool:
    """Whether the warning ``text`` about ``name`` is yet to be said (then it is now)."""
    said = getattr(_SAID, "texts", None)
    if said is None:
        said = _SAID.texts = set()
    if (name, text) in said:
        return False
    said.add((name, text))
    return True


class _OncePerImage(logging.Filter):
    """Lets through each of streamprint's own warnings about an image once (a broken ICC
    profile was said for the palette, then again for its card), in the thread reading it,
    each naming the image: those said where the name is not known (the colour tags' in
    :mod:`~.color.embedded`, "ignoring the image's ICC profile ...") are prefixed with
    "IMAGE: " here, as Pillow's are (of several images, the user could not tell which)."""

    def __init__(self, image: str) -> None:
        super().__init__()
        self.image, self.thread = image, threading.get_ident()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING or record.thread != self.thread:
            return True
        text = record.getMessage()
        if not text.startswith(f"{self.image}: "):
            record.msg, record.args = f"{self.image}: {text}", ()
            text = record.msg
        return _first_time(self.image, text)


@contextmanager
def _said_once(name: str) -> Iterator[None]:
    """While ``name`` is read (or brought to sRGB), its warnings in streamprint's log said once."""
    once = _OncePerImage(name)
    log.addFilter(once)
    try:
        yield
    finally:
        log.removeFilter(once)


def _log_warnings(name: str, caught: list[warnings.WarningMessage]) -> None:
    """Pillow's warnings while ``name`` was read (a damaged EXIF block, a truncated chunk),
    each once, as one line in streamprint's log: as Python's warnings they reached stderr
    as two raw lines (file, line, then the source line), even with -q."""
    for w in caught:
        text = " ".join(str(w.message).split())
        if _first_time(name, text):
            log.warning("%s: %s", name, text)


def pixels_at(img: Any, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The pixels of a decoded PIL image at ``rows``, ``cols`` (int arrays of one shape, rows
    sorted along the first axis, as :func:`~streamprint.palette.sample_grid` makes them), as
    an array of that shape and the image's channels. Read a band of rows at a time: the
    whole image as an array was another copy of it (and a third in passing), 220 MB more
    for a 24-megapixel photo."""
    rows, cols = np.asarray(rows), np.asarray(cols)
    out: np.ndarray | None = None
    first, n = 0, rows.shape[0]
    while first < n:
        top = int(rows[first].min())
        last = first + 1
        while last < n and int(rows[last].max()) < top + BAND_ROWS:
            last += 1
        bottom = int(rows[first:last].max()) + 1
        band = np.asarray(img.crop((0, top, img.size[0], bottom)))
        got = band[rows[first:last] - top, cols[first:last]]
        if out is None:
            out = np.empty(rows.shape + got.shape[2:], got.dtype)
        out[first:last] = got
        first = last
    assert out is not None  # rows holds at least one row of cells
    return out


def _load(img: Any, draft: int, own: bool) -> tuple[Any, bool, tuple[int, int]]:
    """:func:`_decode` of an opened PIL image: the image upright, whether it has transparency,
    its displayed size; ``own``: opened here, so it may be changed (draft mode), where a
    caller's image is left as it was."""
    from PIL import ImageOps

    # read before the pixels are (their tile then goes)
    size, cicp, low_key = img.size, file_cicp(img), low_depth_grey_key(img)
    maxval, stated = stated_maxval(img), stated_tiff_range(img)
    deep = deep16(img, cicp)  # a 16-bit colour PNG or TIFF, at full depth (Pillow cuts to the high bytes)
    if 0 in size:  # a caller's PIL image of no pixels (a file of none is refused by Pillow)
        raise ParameterError("image", "holds no pixels")
    if own and draft and img.format == "JPEG":
        w, h = img.size
        scale = draft / max(w, h)
        if scale < 1:
            img.draft(img.mode if img.mode != "CMYK" else "RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
    # upright: a file opened here (or its deep decode, made here) in place (Pillow copies an
    # upright image, 432 MB more for a 144-megapixel PNG), a caller's image as a copy, so it
    # is left as it was
    stored = img.size
    if deep is not None or own:
        img = img if deep is None else deep
        ImageOps.exif_transpose(img, in_place=True)
    else:
        img = ImageOps.exif_transpose(img)
    if img.size != stored:  # a quarter turn: the size as displayed, as the card shows it. Seen,
        size = size[::-1]   # not read from the tag: Pillow has turned a TIFF's size already
    mask = None
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        img, mask = deep_grey(img, maxval, cicp, stated)
    if low_key is not None:  # as 8-bit "L", the level its pixels are read at
        img = img.convert("L") if img.mode == "1" else img
        img.info.pop("transparency", None)
        if low_key >= 0:
            img.info["transparency"] = low_key
    # transparency: an alpha channel, a palette's, or a PNG colour key (tRNS) on RGB or grey
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode in ("P", "RGB", "L") and "transparency" in img.info)
    if mask is not None:
        img, has_alpha = with_alpha(img, mask), True
    if cicp is not None:
        img.info[CICP] = cicp
    return img, has_alpha, size


#: Modes whose pixels come out of numpy as they went in (others are converted first).
_ARRAY_MODES = frozenset({"L", "LA", "RGB", "RGBA", "CMYK"})


def _sampled(img: Any, rows: np.ndarray, cols: np.ndarray, has_alpha: bool) -> Any:
    """The pixels of ``img`` at ``rows``, ``cols`` as an image of their shape, in its mode
    (a palette image's colours, a bilevel image's levels taken first), with its info and what
    :func:`~.color.embedded.as_srgb` reads from the image itself (:func:`portable_info`)."""
    from PIL import Image

    img.load()  # here, where a damaged file is said to be one
    if img.mode not in _ARRAY_MODES:
        img = img.convert("L" if img.mode == "1" else "RGBA" if has_alpha else "RGB")
    out = Image.fromarray(np.ascontiguousarray(pixels_at(img, rows, cols)), mode=img.mode)
    out.info.update(portable_info(img))
    return out




