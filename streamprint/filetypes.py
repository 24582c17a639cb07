"""Which file formats streamprint writes and reads: what each file extension means, which
formats a fingerprint's and an image's data files, each style and a batch's strips can be,
and how large a picture each format holds; and the rules that check a file's name against
them (``image_format_for``, ``data_format_for``, ...), which :mod:`streamprint.params`
re-exports with every other rule."""

from __future__ import annotations

import os
from typing import Any

from .enums import PAGE_STYLES, SVG_STYLES, SWATCH_FORMATS, DataFormat, ImageFormat, Style
from .errors import ParameterError

#: File extensions (lower case) and the formats they mean.
IMAGE_EXTENSIONS = {".png": ImageFormat.PNG, ".jpg": ImageFormat.JPEG, ".jpeg": ImageFormat.JPEG,
                    ".webp": ImageFormat.WEBP, ".svg": ImageFormat.SVG, ".pdf": ImageFormat.PDF,
                    ".html": ImageFormat.HTML, ".htm": ImageFormat.HTML}
#: What a movie's page may be named with, in the order a gallery looks for one.
PAGE_EXTENSIONS = tuple(ext for ext, fmt in IMAGE_EXTENSIONS.items() if fmt == ImageFormat.HTML)
DATA_EXTENSIONS = {".json": DataFormat.JSON, ".csv": DataFormat.CSV, ".tsv": DataFormat.TSV,
                   ".gpl": DataFormat.GPL, ".ase": DataFormat.ASE, ".css": DataFormat.CSS}
#: What a fingerprint's data file can be: the whole record (JSON, CSV), or its movie's own
#: palette for design tools; and an image's palettes: JSON, TSV, or those tools' formats.
FINGERPRINT_DATA = (DataFormat.JSON, DataFormat.CSV, *SWATCH_FORMATS)
PALETTE_DATA = (DataFormat.JSON, DataFormat.TSV, *SWATCH_FORMATS)
#: Raster images: what every style, the grid and the palette card can be written as.
RASTER_FORMATS = (ImageFormat.PNG, ImageFormat.JPEG, ImageFormat.WEBP)
#: The formats each style can be written as (the output's extension says which).
STYLE_FORMATS: dict[Style, tuple[ImageFormat, ...]] = {
    style: RASTER_FORMATS + ((ImageFormat.SVG,) if style in SVG_STYLES else ()) for style in Style}
STYLE_FORMATS[Style.PLOT] = RASTER_FORMATS + (ImageFormat.SVG, ImageFormat.PDF)
for _style in PAGE_STYLES:  # a page shows a strip whose columns run left to right in time
    STYLE_FORMATS[_style] += (ImageFormat.HTML,)
#: Formats of a strip file (a batch's per movie, beside its page).
STRIP_FORMATS = (*RASTER_FORMATS, ImageFormat.SVG)
#: The longest side, pixels, a picture of each format can have: WebP stores sizes in 14
#: bits, and libjpeg refuses more than 65500 (PNG's 2^31 - 1 is past
#: :data:`~streamprint.params.MAX_PIXELS`).
FORMAT_MAX_SIDE = {ImageFormat.WEBP: ("WebP", 16383), ImageFormat.JPEG: ("JPEG", 65500)}


def check_extension(path: str | os.PathLike[str], fmt: ImageFormat, name: str = "output") -> None:
    """``path``'s extension must name ``fmt``: a picture is never written in one format
    under another's name (``save_image(fp, "x.jpg", options)`` wrote PNG bytes)."""
    named = IMAGE_EXTENSIONS.get(_extension(path, name))
    if named != fmt:
        raise ParameterError(name, f"{os.fspath(path)}: the extension must say the format, {fmt} "
                                   f"({', '.join(ext for ext, f in IMAGE_EXTENSIONS.items() if f == fmt)})")


def file_name(path: Any, name: str = "path") -> str:
    """``path`` (text, bytes as the OS gives them, or an ``os.PathLike``) as text, as Python
    keeps names that are not UTF-8; ParameterError for anything else (bytes were taken for
    a name without an extension, and ``load(b"m.json")`` raised TypeError)."""
    if isinstance(path, (str, bytes, os.PathLike)):
        text = os.fsdecode(os.fspath(path))
        if not text:  # (taken for ".", the folder: "cannot write .: it is a directory")
            raise ParameterError(name, "must be a file name, got an empty one")
        return text
    raise ParameterError(name, f"must be a file name (text, bytes or a path), got {type(path).__name__}")


def named_file(data: bytes) -> str | None:
    """The regular file ``data`` names, as written or before a line ending
    (``echo photo.png | streamprint palette -``): bytes read or given as an image's or a
    movie's contents that name a file were meant as its name. None for anything else (over
    4 KiB, a NUL, no such file)."""
    if len(data) > 4096 or b"\0" in data:
        return None
    return next((os.fsdecode(n) for n in (data, data.rstrip(b"\r\n")) if n and os.path.isfile(n)), None)


def _extension(path: str | os.PathLike[str], name: str) -> str:
    return os.path.splitext(file_name(path, name))[1].lower()


def image_format_for(path: str | os.PathLike[str], name: str = "output",
                     allowed: tuple[ImageFormat, ...] = tuple(ImageFormat)) -> ImageFormat:
    """The image format ``path``'s extension names; ParameterError for any other."""
    fmt = IMAGE_EXTENSIONS.get(_extension(path, name))
    if fmt is None or fmt not in allowed:
        names = ", ".join(ext for ext, f in IMAGE_EXTENSIONS.items() if f in allowed)
        raise ParameterError(name, f"{os.fspath(path)}: the extension must say the image format: {names}")
    return fmt


def extension_for(fmt: ImageFormat) -> str:
    """The usual file extension of an image format (``.png``, ``.jpg``, ...)."""
    return next(ext for ext, f in IMAGE_EXTENSIONS.items() if f == fmt)


def data_format_for(path: str | os.PathLike[str], name: str = "data",
                    allowed: tuple[DataFormat, ...] = (DataFormat.JSON, DataFormat.CSV)) -> DataFormat:
    """The data format ``path``'s extension names; ParameterError for any other."""
    fmt = DATA_EXTENSIONS.get(_extension(path, name))
    if fmt is None or fmt not in allowed:
        names = ", ".join(ext for ext, f in DATA_EXTENSIONS.items() if f in allowed)
        raise ParameterError(name, f"{os.fspath(path)}: the extension must say the data format: {names}")
    return fmt


def palette_only(path: str | os.PathLike[str], name: str = "data") -> bool:
    """Whether fingerprint data written to ``path`` is the movie's own palette alone (a format
    for design tools: :data:`~streamprint.enums.SWATCH_FORMATS`); ParameterError, naming
    ``name``, for an extension fingerprint data does not take."""
    return data_format_for(path, name, FINGERPRINT_DATA) in SWATCH_FORMATS


def readable_data_format(path: str | os.PathLike[str], kind: tuple[DataFormat, ...], name: str = "path") -> DataFormat:
    """The format of a data file to read, of ``kind`` (:data:`FINGERPRINT_DATA` or
    :data:`PALETTE_DATA`): formats for design tools are written, never read, so a path
    ending in one is refused, saying which files streamprint reads back."""
    readable = tuple(f for f in kind if f not in SWATCH_FORMATS)
    written = DATA_EXTENSIONS.get(_extension(path, name))
    if written in SWATCH_FORMATS:
        raise ParameterError(name, f"{os.fspath(path)}: a .{written} file holds a palette for design tools alone, "
                                   f"and streamprint reads none back: give the "
                                   f"{' or '.join(f'.{f}' for f in readable)} file saved with {{param:data}}")
    return data_format_for(path, name, readable)
