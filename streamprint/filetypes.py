"""Which file formats streamprint writes and reads: what each file extension means, which
formats a fingerprint's and an image's data files, each style and a batch's strips can be,
and how large a picture each format holds. The rules that check a path against them are
:mod:`streamprint.params`' (``image_format_for``, ``data_format_for``, ...)."""

from __future__ import annotations

from .enums import PAGE_STYLES, SVG_STYLES, SWATCH_FORMATS, DataFormat, ImageFormat, Style

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
