"""Drawing a whole fingerprint as :class:`~streamprint.model.RenderOptions` say, and
writing it atomically: PNG, JPEG, WebP (encoded by Pillow), SVG, or (plot) PDF."""

from __future__ import annotations

import dataclasses
import functools
import io
import os
import struct
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .. import __version__, params
from ..atomic import atomic_output, check_replace
from ..enums import ImageFormat, Style
from ..errors import InputError, ParameterError
from ..marks import SOFTWARE
from ..model import Fingerprint, Palette, RenderOptions
from .columns import columns_for_width, timeline
from .strip import render, stacked_columns

if TYPE_CHECKING:
    from PIL.PngImagePlugin import PngInfo


def _check(fp: Fingerprint, options: RenderOptions) -> None:
    if not isinstance(fp, Fingerprint) or not isinstance(options, RenderOptions):
        raise ParameterError("options", f"draws a Fingerprint with RenderOptions, got {type(fp).__name__} and "
                                        f"{type(options).__name__}")
    params.check_render(options, fp.options.sampling)
    if len(fp) == 0:
        raise InputError("nothing to draw: the fingerprint has no samples")


def _size(fp: Fingerprint, options: RenderOptions) -> tuple[int, int]:
    """(width, height) px of the picture, checked against the pixel limit."""
    proportional = fp.options.sampling.time_proportional
    start, end = timeline(fp)
    seconds = end - start if proportional else None  # column_width px per second of the picture's time
    params.check_drawn_size(options, proportional, len(fp), seconds)
    width, height = params.drawn_size(options, proportional, len(fp), seconds)
    assert width is not None
    return width, height


def picture_columns(fp: Fingerprint, options: RenderOptions) -> np.ndarray:
    """The sample each pixel column of ``fp``'s strip shows (int64, shape (width,)):
    :func:`~.columns.columns_for_width` when the width is given or the columns are as wide
    as their time (keyframes); else each sample repeated :func:`params.column_repeat` times."""
    _check(fp, options)
    width, _ = _size(fp, options)
    if options.width is not None or fp.options.sampling.time_proportional:
        return columns_for_width(fp, width)
    return np.repeat(np.arange(len(fp)), params.column_repeat(options, len(fp)))


#: For ``n`` pixel columns, the palette each one shows (int64, shape (n,)).
Columns = Callable[[int], np.ndarray]


def picture(palettes: Sequence[Palette], columns: Columns, start: float, end: float, options: RenderOptions,
            size: tuple[int, int], fmt: ImageFormat) -> np.ndarray | bytes | str:
    """``palettes`` drawn as ``options`` say, ``size`` (width, height) px, in ``fmt``:
    ``columns(n)`` says which palette each of ``n`` pixel columns shows, over the time from
    ``start`` to ``end`` seconds (the plot's axis). A plot is encoded bytes (SVG or PDF when
    ``fmt`` says so, else PNG), a strip in SVG text, anything else an array (a ring's RGBA).
    The one place the styles are told apart, for whole fingerprints (:func:`draw`) and live
    strips kept at a width (:class:`~.live.LiveStrip`) alike."""
    width, height = size
    if options.style == Style.PLOT:
        from .plot import plot

        # as many rows as the picture (more than its axes): a band is its share of them to
        # 1 px (100 rows, stretched, moved shares in steps of 1 %, 9 px at 1000 px high)
        strip = stacked_columns(palettes, height, options.order, columns(width))
        return plot(strip, start, end, width, height, options.title, fmt)
    if options.style == Style.RING:
        from .ring import ring, ring_strip_size

        diameter = min(width, height)
        n, rows = ring_strip_size(diameter)
        # only the columns the ring shows: drawing every sample first took 433 MB for 100k samples
        return ring(stacked_columns(palettes, rows, options.order, columns(n)), diameter, canvas=(width, height))
    if fmt == ImageFormat.SVG:
        from .svg import svg

        return svg(palettes, options.style, height, order=options.order, columns=columns(width))
    strip = render(palettes, options.style, height, 1, options.order, smooth=options.smooth)
    return strip[:, columns(width)]


def _picture(fp: Fingerprint, options: RenderOptions, fmt: ImageFormat) -> np.ndarray | bytes | str:
    """:func:`picture` of a whole fingerprint: a strip's columns as :func:`picture_columns`
    says, a ring's and a plot's resampled by time."""
    _check(fp, options)

    def columns(n: int) -> np.ndarray:
        if options.style in (Style.RING, Style.PLOT):
            return columns_for_width(fp, n)
        return picture_columns(fp, options)

    return picture(fp.palettes, columns, *timeline(fp), options, _size(fp, options), fmt)


def draw(fp: Fingerprint, options: RenderOptions) -> np.ndarray:
    """The picture as a uint8 sRGB array: (height, width, 3) for the strips and the plot,
    (height, width, 4) RGBA for ``ring`` (transparent around it and in its hole).

    A strip is ``samples x column_width`` px wide (with neither ``width`` nor
    ``column_width``: each sample repeated until the strip is at least
    :data:`params.MIN_WIDTH` px); given ``width``, or with keyframe sampling (columns as
    wide as their time: ``column_width`` px per second), its columns are resampled by
    time (:func:`~.columns.columns_for_width`)."""
    return as_array(_picture(fp, options, ImageFormat.PNG))


def as_array(image: np.ndarray | bytes | str) -> np.ndarray:
    """A picture of :func:`picture` (drawn as PNG) as an array: a plot's PNG decoded."""
    if isinstance(image, np.ndarray):
        return image
    from PIL import Image

    assert isinstance(image, bytes)
    return np.asarray(Image.open(io.BytesIO(image)).convert("RGB"))


def plot_bytes(fp: Fingerprint, options: RenderOptions, fmt: ImageFormat | None = None) -> bytes:
    """The plot style, encoded as ``fmt`` (default: ``options.format``; PNG, SVG or PDF),
    exactly ``width`` (default :data:`params.PLOT_WIDTH`) x ``height`` px, its axis the
    movie's own time (a part of a movie: from where the part starts)."""
    image = _picture(fp, dataclasses.replace(options, style=Style.PLOT, background=params.DEFAULT_BACKGROUND,
                                             smooth=None),
                     fmt or options.format)  # (a ring's background, for JPEG, and a blend are nothing to a plot)
    assert isinstance(image, bytes)
    return image


def plot_png(fp: Fingerprint, options: RenderOptions) -> bytes:
    """The plot style as PNG bytes (see :func:`plot_bytes`)."""
    return plot_bytes(fp, options, ImageFormat.PNG)


def save_image(fp: Fingerprint, path: str | os.PathLike[str], options: RenderOptions,
               sync: bool = True, *, overwrite: bool = False) -> tuple[int, int]:
    """Draw ``fp`` and write it to ``path`` atomically, in ``options.format``; returns the
    picture's (width, height) in px (a page's: its strip's). A ring written as JPEG, which
    has no transparency, stands on ``options.background``. HTML: the movie's page
    (:func:`streamprint.render.page.save_page`). ``sync``: see
    :func:`~streamprint.atomic.atomic_output`. ``path``'s extension must name the format.
    A file at ``path`` that streamprint did not write is replaced only with ``overwrite``
    (:func:`~streamprint.atomic.check_replace`; checked before drawing)."""
    _check(fp, options)
    params.check_extension(path, options.format)
    check_replace(path, overwrite)
    if options.format == ImageFormat.HTML:
        from .page import save_page

        return save_page(fp, path, options, sync=sync, overwrite=True)  # (checked above)
    write_image(_picture(fp, options, options.format), path, options.format, options.background, sync=sync,
                overwrite=True)
    return _size(fp, options)


def flatten(image: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """An RGBA image (straight alpha) composited over ``background``, as RGB (the sRGB
    values mixed by alpha, as browsers and image viewers do); RGB passes through."""
    if image.shape[2] == 3:
        return image
    alpha = image[..., 3:].astype(np.float64) / 255.0
    mixed = image[..., :3] * alpha + np.asarray(background, np.float64) * (1.0 - alpha)
    return np.rint(mixed).astype(np.uint8)


def png_info() -> PngInfo:
    """The chunks every PNG streamprint writes carries (a Pillow ``PngInfo``): its mark, a
    Software text chunk, and an sRGB chunk (rendering intent 0, perceptual) saying that its
    values are sRGB, so a colour-managed viewer shows them as such (untagged, some take them
    for the display's own)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Software", f"{SOFTWARE} {__version__}")
    info.add(b"sRGB", b"\x00")
    return info


@functools.cache
def srgb_icc() -> bytes:
    """An sRGB ICC profile (LittleCMS's built-in one, 588 bytes) for JPEG and WebP outputs,
    which have no sRGB tag of their own. Its creation date is fixed: LittleCMS stamps the
    time it made the profile, and the same input must give the same bytes."""
    from PIL import ImageCms

    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[24:36] = struct.pack(">6H", 2000, 1, 1, 0, 0, 0)  # (ICC.1 header: dateTimeNumber)
    return bytes(icc)


def encode(image: np.ndarray, fmt: ImageFormat = ImageFormat.PNG) -> bytes:
    """PNG, JPEG or WebP bytes of an (h, w, 3) or, but for JPEG, (h, w, 4) RGBA uint8
    image, with streamprint's mark (PNG: a Software text chunk; JPEG and WebP: EXIF
    Software) and its colours tagged sRGB (PNG: an sRGB chunk, :func:`png_info`; JPEG and
    WebP: an sRGB ICC profile, :func:`srgb_icc`). WebP is lossless (strips are flat colours);
    JPEG quality 95 with full-resolution chroma (4:4:4): Pillow's default 4:2:0 halves the
    colour's resolution, so a 1-px column took half its neighbour's colour, up to 96 levels off."""
    from PIL import Image

    img = Image.fromarray(np.ascontiguousarray(image))
    buf = io.BytesIO()
    if fmt == ImageFormat.PNG:
        img.save(buf, format="PNG", optimize=False, pnginfo=png_info())
    else:
        exif = Image.Exif()
        exif[0x0131] = f"{SOFTWARE} {__version__}"
        if fmt == ImageFormat.JPEG:
            img.save(buf, format="JPEG", quality=95, subsampling=0, exif=exif.tobytes(), icc_profile=srgb_icc())
        else:
            img.save(buf, format="WEBP", lossless=True, exif=exif.tobytes(), icc_profile=srgb_icc())
    return buf.getvalue()


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an (h, w, 3) uint8 image, marked as streamprint's."""
    return encode(image, ImageFormat.PNG)


def write_image(image: np.ndarray | bytes | str, path: str | os.PathLike[str],
                fmt: ImageFormat | str = ImageFormat.PNG, background: tuple[int, int, int] = (255, 255, 255),
                sync: bool = True, name: str = "output", *, overwrite: bool = False) -> None:
    """Write ``image`` to ``path`` atomically, as ``fmt``: an array (RGBA is flattened onto
    ``background`` for JPEG), SVG text, or encoded bytes (PNG, re-encoded for JPEG and
    WebP; SVG and PDF written as they are). ``sync``: see :func:`~streamprint.atomic.atomic_output`.
    ``name``: the parameter an array too large for ``fmt`` (or a file in the way) is blamed
    on. ``path``'s extension must name ``fmt``. A file at ``path`` that streamprint did not
    write is replaced only with ``overwrite`` (:func:`~streamprint.atomic.check_replace`)."""
    image_format: ImageFormat = params.check("image_format", fmt)
    params.check_extension(path, image_format, name)
    check_replace(path, overwrite, name)
    if isinstance(image, str):
        with atomic_output(path, "w", sync=sync) as f:
            f.write(image)
        return
    if isinstance(image, bytes):
        if image_format in (ImageFormat.PNG, ImageFormat.SVG, ImageFormat.PDF):
            data = image
        else:
            from PIL import Image

            data = encode(np.asarray(Image.open(io.BytesIO(image)).convert("RGB")), image_format)
    else:
        image = np.asarray(image)
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in (3, 4) or not image.size:
            raise ParameterError("image", f"must be an (h, w, 3) or (h, w, 4) uint8 array, got shape "
                                          f"{image.shape} of {image.dtype}")
        params.check_pixels(name, image.shape[1], image.shape[0], image_format)
        data = encode(flatten(image, background) if image_format == ImageFormat.JPEG else image, image_format)
    with atomic_output(path, "wb", sync=sync) as f:
        f.write(data)
