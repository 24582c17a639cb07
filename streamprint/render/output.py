"""Drawing a whole fingerprint as :class:`~streamprint.model.RenderOptions` say, and
writing it atomically: PNG, JPEG, WebP (encoded by Pillow), SVG, or (plot) PDF."""

from __future__ import annotations

import io
import os

import numpy as np

from .. import __version__, params
from ..atomic import SOFTWARE, atomic_output
from ..enums import ImageFormat, Style
from ..errors import InputError
from ..model import Fingerprint, RenderOptions
from .columns import columns_for_width, timeline
from .strip import render, render_stacked


def _check(fp: Fingerprint, options: RenderOptions) -> None:
    params.check_render(options, fp.options.sampling)
    if len(fp) == 0:
        raise InputError("nothing to draw: the fingerprint has no samples")


def _size(fp: Fingerprint, options: RenderOptions) -> tuple[int, int]:
    """(width, height) px of the picture, checked against the pixel limit."""
    proportional = fp.options.sampling.time_proportional
    seconds = float(fp.spans().sum()) if proportional else None
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


def draw(fp: Fingerprint, options: RenderOptions) -> np.ndarray:
    """The picture as a uint8 sRGB array: (height, width, 3) for the strips and the plot,
    (height, width, 4) RGBA for ``ring`` (transparent around it and in its hole).

    A strip is ``samples x column_width`` px wide (with neither ``width`` nor
    ``column_width``: each sample repeated until the strip is at least
    :data:`params.MIN_WIDTH` px); given ``width``, or with keyframe sampling (columns as
    wide as their time: ``column_width`` px per second), its columns are resampled by
    time (:func:`~.columns.columns_for_width`)."""
    _check(fp, options)
    if options.style == Style.PLOT:
        from PIL import Image

        return np.asarray(Image.open(io.BytesIO(plot_bytes(fp, options, ImageFormat.PNG))).convert("RGB"))
    if options.style == Style.RING:
        from .ring import ring, ring_strip_size

        width, height = _size(fp, options)
        diameter = min(width, height)
        columns, rows = ring_strip_size(diameter)
        strip = render(fp.palettes, Style.STACKED, rows, 1, options.order)[:, columns_for_width(fp, columns)]
        return ring(strip, diameter, canvas=(width, height))
    strip = render(fp.palettes, options.style, options.height, 1, options.order, smooth=options.smooth)
    return strip[:, picture_columns(fp, options)]


def plot_bytes(fp: Fingerprint, options: RenderOptions, fmt: ImageFormat | None = None) -> bytes:
    """The plot style, encoded as ``fmt`` (default: ``options.format``; PNG, SVG or PDF),
    exactly ``width`` (default :data:`params.PLOT_WIDTH`) x ``height`` px."""
    from .plot import plot

    _check(fp, options)
    width, height = _size(fp, options)
    strip = render_stacked(fp.palettes, height=100, order=options.order)[:, columns_for_width(fp, width)]
    start, end = timeline(fp)
    return plot(strip, start, end, width, height, options.title, fmt or options.format)


def plot_png(fp: Fingerprint, options: RenderOptions) -> bytes:
    """The plot style as PNG bytes (see :func:`plot_bytes`)."""
    return plot_bytes(fp, options, ImageFormat.PNG)


def save_image(fp: Fingerprint, path: str | os.PathLike[str], options: RenderOptions) -> tuple[int, int]:
    """Draw ``fp`` and write it to ``path`` atomically, in ``options.format``; returns the
    picture's (width, height) in px (a page's: its strip's). A ring written as JPEG, which
    has no transparency, stands on ``options.background``. HTML: the movie's page
    (:func:`streamprint.render.page.save_page`)."""
    _check(fp, options)
    if options.format == ImageFormat.HTML:
        from .page import save_page

        return save_page(fp, path, options)
    if options.style == Style.PLOT:
        if options.format in (ImageFormat.SVG, ImageFormat.PDF):
            write_image(plot_bytes(fp, options), path, options.format)
        else:
            write_image(plot_bytes(fp, options, ImageFormat.PNG), path, options.format)
        return _size(fp, options)
    if options.format == ImageFormat.SVG:
        from .svg import svg

        columns = picture_columns(fp, options)
        write_image(svg(fp.palettes, options.style, options.height, order=options.order, columns=columns), path)
        return len(columns), options.height
    image = draw(fp, options)
    write_image(image, path, options.format, options.background)
    return image.shape[1], image.shape[0]


def flatten(image: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """An RGBA image (straight alpha) composited over ``background``, as RGB (the sRGB
    values mixed by alpha, as browsers and image viewers do); RGB passes through."""
    if image.shape[2] == 3:
        return image
    alpha = image[..., 3:].astype(np.float64) / 255.0
    mixed = image[..., :3] * alpha + np.asarray(background, np.float64) * (1.0 - alpha)
    return np.rint(mixed).astype(np.uint8)


def encode(image: np.ndarray, fmt: ImageFormat = ImageFormat.PNG) -> bytes:
    """PNG, JPEG or WebP bytes of an (h, w, 3) or, but for JPEG, (h, w, 4) RGBA uint8
    image, with streamprint's mark (PNG: a Software text chunk; JPEG and WebP: EXIF
    Software). WebP is lossless (strips are flat colours); JPEG quality 95."""
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    img = Image.fromarray(np.ascontiguousarray(image))
    buf = io.BytesIO()
    mark = f"{SOFTWARE} {__version__}"
    if fmt == ImageFormat.PNG:
        info = PngInfo()
        info.add_text("Software", mark)
        img.save(buf, format="PNG", optimize=False, pnginfo=info)
    else:
        exif = Image.Exif()
        exif[0x0131] = mark
        if fmt == ImageFormat.JPEG:
            img.save(buf, format="JPEG", quality=95, exif=exif.tobytes())
        else:
            img.save(buf, format="WEBP", lossless=True, exif=exif.tobytes())
    return buf.getvalue()


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an (h, w, 3) uint8 image, marked as streamprint's."""
    return encode(image, ImageFormat.PNG)


def write_image(image: np.ndarray | bytes | str, path: str | os.PathLike[str],
                fmt: ImageFormat = ImageFormat.PNG, background: tuple[int, int, int] = (255, 255, 255)) -> None:
    """Write ``image`` to ``path`` atomically, as ``fmt``: an array (RGBA is flattened onto
    ``background`` for JPEG), SVG text, or encoded bytes (PNG, re-encoded for JPEG and
    WebP; SVG and PDF written as they are)."""
    if isinstance(image, str):
        with atomic_output(path, "w") as f:
            f.write(image)
        return
    if isinstance(image, bytes):
        if fmt in (ImageFormat.PNG, ImageFormat.SVG, ImageFormat.PDF):
            data = image
        else:
            from PIL import Image

            data = encode(np.asarray(Image.open(io.BytesIO(image)).convert("RGB")), fmt)
    else:
        params.check_pixels("output", image.shape[1], image.shape[0])
        data = encode(flatten(image, background) if fmt == ImageFormat.JPEG else image, fmt)
    with atomic_output(path, "wb") as f:
        f.write(data)
