"""Drawing a whole fingerprint as :class:`~streamprint.model.RenderOptions` say, and
writing it: PNG (encoded by Pillow) or SVG, atomically."""

from __future__ import annotations

import io
import os

import numpy as np

from .. import __version__, params
from ..atomic import SOFTWARE, atomic_output
from ..enums import ImageFormat, Style
from ..errors import InputError
from ..model import Fingerprint, RenderOptions
from .strip import render, render_stacked


def _check(fp: Fingerprint, options: RenderOptions) -> None:
    params.check_render(options, fp.options.sampling)
    if len(fp) == 0:
        raise InputError("nothing to draw: the fingerprint has no samples")


def draw(fp: Fingerprint, options: RenderOptions) -> np.ndarray:
    """The strip as an (height, width, 3) uint8 sRGB array, in any raster style but
    ``plot`` (see :func:`plot_png`); for ``ring``, ``height`` is the diameter.

    Columns are ``column_width`` px each, so width = n x column_width; except for
    keyframe sampling, where each column's width is proportional to the time it stands
    for and ``width`` defaults to one ``column_width`` per second of film."""
    _check(fp, options)
    proportional = fp.options.sampling.time_proportional
    widths = fp.spans() if proportional else None
    params.check_drawn_size(options, proportional, len(fp), None if widths is None else float(widths.sum()))
    width = params.drawn_size(options, True, len(fp), float(widths.sum()))[0] if proportional else options.width
    return render(fp.palettes, options.style, options.height, options.column_width, options.order, widths,
                  width, options.smooth)


def plot_png(fp: Fingerprint, options: RenderOptions) -> bytes:
    """The plot style: PNG bytes of exactly ``width`` (default: max(800, n x column
    width)) x ``height`` px."""
    from .plot import plot

    _check(fp, options)
    params.check_drawn_size(options, False, len(fp), None)
    width, _ = params.drawn_size(options, False, len(fp), None)
    assert width is not None
    spans = fp.spans()
    strip = render_stacked(fp.palettes, height=100, order=options.order, widths=spans, width=max(width, len(fp)))
    return plot(strip, float(fp.times[0] + spans.sum()), width, options.height, options.title)


def save_image(fp: Fingerprint, path: str | os.PathLike[str], options: RenderOptions) -> None:
    """Draw ``fp`` and write it to ``path`` atomically, in ``options.format`` (HTML: the
    movie's page, :func:`streamprint.render.page.save_page`)."""
    if options.format == ImageFormat.HTML:
        from .page import save_page

        save_page(fp, path, options)
    elif options.format == ImageFormat.SVG:
        from .svg import svg

        _check(fp, options)
        write_image(svg(fp.palettes, options.style, options.height, options.column_width, options.order), path)
    elif options.style == Style.PLOT:
        write_image(plot_png(fp, options), path, options.format)
    else:
        write_image(draw(fp, options), path, options.format)


def encode(image: np.ndarray, fmt: ImageFormat = ImageFormat.PNG) -> bytes:
    """PNG, JPEG or WebP bytes of an (h, w, 3) uint8 image, with streamprint's mark
    (PNG: a Software text chunk; JPEG and WebP: EXIF Software). WebP is lossless (strips
    are flat colours); JPEG quality 95."""
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
                fmt: ImageFormat = ImageFormat.PNG) -> None:
    """Write ``image`` (an array, encoded PNG bytes, or SVG text) to ``path`` atomically,
    as ``fmt`` (SVG text is written as it is)."""
    if isinstance(image, str):
        with atomic_output(path, "w") as f:
            f.write(image)
        return
    if isinstance(image, bytes):
        if fmt == ImageFormat.PNG:
            data = image
        else:
            from PIL import Image

            data = encode(np.asarray(Image.open(io.BytesIO(image)).convert("RGB")), fmt)
    else:
        params.check_pixels("output", image.shape[1], image.shape[0])
        data = encode(image, fmt)
    with atomic_output(path, "wb") as f:
        f.write(data)
