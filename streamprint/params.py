"""Every parameter's type and range, stated once (in the spirit of scikit-learn's
``_parameter_constraints``), and the rules that say which options combine.

The library checks values here, on construction of the typed values in
:mod:`streamprint.model` and at the start of each entry point, before any decoding or
writing starts. Errors are :class:`~streamprint.errors.ParameterError`, which name the
*parameter* (``colors must be a whole number from 1 to 64, got 100``); the CLI shows the
flag's name instead (``--colors must be ...``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .enums import PAGE_STYLES, Algorithm, Crop, ImageFormat, Order, SamplingMode, Space, Style, ToneMap
from .errors import ParameterError
# the file-format tables and the rules of file names, stated in filetypes.py: re-exported
# (params.STRIP_FORMATS, params.image_format_for, ...), hence the aliases
from .filetypes import (DATA_EXTENSIONS as DATA_EXTENSIONS, FINGERPRINT_DATA as FINGERPRINT_DATA,
                        FORMAT_MAX_SIDE as FORMAT_MAX_SIDE, IMAGE_EXTENSIONS as IMAGE_EXTENSIONS,
                        PAGE_EXTENSIONS as PAGE_EXTENSIONS, PALETTE_DATA as PALETTE_DATA,
                        RASTER_FORMATS as RASTER_FORMATS, STRIP_FORMATS as STRIP_FORMATS,
                        STYLE_FORMATS as STYLE_FORMATS, check_extension as check_extension,
                        data_format_for as data_format_for, extension_for as extension_for, file_name as file_name,
                        image_format_for as image_format_for, named_file as named_file, palette_only as palette_only,
                        readable_data_format as readable_data_format)
from .kinds import (Choice, Color, Flag, Function, Instance, Integer, Items, Numbers, Optional, Rate, Real, Runner,
                    Text, TextMap, Time)
from .numerals import as_int, numeral, parse_time as parse_time  # (re-exported: the CLI reads times too)

if TYPE_CHECKING:
    from .model import RenderOptions, Sampling


#: The path that names standard input, for every command that reads one; what it is called
#: in messages and in a fingerprint's ``source.path``.
STDIN, STDIN_NAME = "-", "standard input"

#: The largest side of a drawn image, pixels.
MAX_SIDE = 65_535

#: Decoder threads (0: FFmpeg's choice): FFmpeg warns above 16 (MAX_AUTO_THREADS).
THREADS = Integer(0, 64)
#: name -> rule. Each parameter of the library appears here once; everything that takes
#: it checks it through :func:`check`.
RULES: dict[str, Any] = {
    # what a fingerprint computes
    "sampling": Choice(SamplingMode),
    "every": Integer(1),
    # at least a millisecond: a shorter one (under a tick of each stream's clock) failed each movie
    "interval": Real(0.001, unit="seconds"),
    "samples": Integer(1),
    "colors": Integer(1, 64),
    "algorithm": Choice(Algorithm),
    "seed": Integer(0, 2**32 - 1),
    "analysis_size": Integer(8, 4096),
    "space": Choice(Space),
    "crop": Choice(Crop),
    "tonemap": Choice(ToneMap),
    # how the input is read
    "threads": THREADS,
    "checkpoint_every": Real(0.0, unit="seconds"),
    "thumbnails": Flag(),
    "skip_unsampled": Flag(),
    "keyframes_only": Flag(),  # (VideoSource)
    "demuxer_options": Optional(TextMap()),
    # what writes over a file streamprint did not write (atomic.check_replace)
    "overwrite": Flag(),
    # what the library calls back, with what (see streamprint.fingerprint and run_batch)
    "progress": Optional(Function(("a Progress",))),
    "checkpoint": Optional(Function(("a Checkpoint",))),
    "flush": Optional(Function(("the Fingerprint so far",))),
    "before_decoding": Optional(Function(("a SourceInfo", "the expected number of samples"))),
    "on_plan": Optional(Function(("the number of files",))),
    "on_file": Optional(Function(("a file's path", "its Status"))),
    "on_samples": Optional(Function(("a file's path", "its samples so far", "the number expected"))),
    # the part of the input that is read (see check_time_range)
    "start": Time(),
    "end": Time(negative=True, zero=False),
    "duration": Time(zero=False),
    # live streams: outputs rewritten every this many seconds of wall-clock time
    "flush_every": Real(0.1, unit="seconds"),
    "rate": Rate(),
    # the clusterer's tuning
    "restart_ratio": Real(1.0, low_open=True),
    "max_iter": Integer(1),
    "batch_size": Integer(1),
    "cold_n_init": Integer(1),
    "max_fit_pixels": Integer(64),
    # how a fingerprint is drawn
    "style": Choice(Style),
    "order": Choice(Order),
    "image_format": Choice(ImageFormat),
    "height": Integer(1, MAX_SIDE),
    "column_width": Optional(Integer(1, MAX_SIDE)),
    "width": Optional(Integer(1, MAX_SIDE)),
    "title": Text(),
    "name": Text(),  # how an in-memory image is named (extract_palette)
    "background": Color(),
    "smooth": Integer(0, 1000),
    # what the render helpers take (streamprint.render); "side": a size that must be given
    "fp": Instance("Fingerprint"),
    "palettes": Items("Palette", least=1),
    "side": Integer(1, MAX_SIDE),
    "count": Integer(1),  # of columns (a strip without a width has one per sample, however many)
    "pixels": Integer(0, MAX_SIDE),  # a length to share out, which may be none
    "origin": Optional(Real(unit="seconds")),
    "widths": Optional(Numbers(0.0)),
    "starts": Numbers(),
    "spans": Numbers(0.0),
    "weights": Numbers(0.0),
    "columns": Numbers(0.0),  # which palette each pixel column shows (whole numbers)
    # image palettes and their cards
    "bar": Real(0.0, 1.0, low_open=True, unit="image heights"),
    "buffer": Real(0.0, 1.0, unit="image heights"),
    "buffer_color": Color(),
    "card_size": Integer(0),
    "proportional": Flag(),  # swatches as wide as their shares
    "labels": Flag(),  # each swatch's hex on it (a card), each tile's title under it (a grid)
    "image_palettes": Items("ImagePalette"),  # write_palettes' ``palettes``
    # grids of strips
    "gutter": Integer(0, MAX_SIDE),
    # batch
    "jobs": Optional(Integer(1, 1024)),
    "retry_failed": Flag(),
    "rebuild_manifest": Flag(),
    "executor": Optional(Runner(THREADS)),
    "key": Function(("a task",)),  # a Dask executor's task key
    "connect_timeout": Real(0.0, 3600.0, low_open=True, unit="seconds"),
    # searching by colour
    "color": Color(),
    "threshold": Real(0.0, 100.0, low_open=True, unit="CIEDE2000 units"),
}

#: How close (CIEDE2000) a colour must be to count as near the one searched for, by default.
DEFAULT_THRESHOLD = 10.0
#: What a ring's transparent parts become in JPEG unless told (``RenderOptions.background``).
DEFAULT_BACKGROUND = (255, 255, 255)
#: The smooth style's radius, columns, unless told (``RenderOptions.smooth``).
DEFAULT_SMOOTH = 5
#: Drawing options for one style alone: given with another, they would do nothing.
STYLE_ONLY = {"title": Style.PLOT, "smooth": Style.SMOOTH}


def check(name: str, value: Any, rule: str | None = None) -> Any:
    """``value`` checked against ``name``'s rule (or ``rule``'s, where one name means two
    kinds of value: ``palettes`` of images, of samples), converted (a string to its enum
    member, an integral float to int where a whole number is wanted, ...)."""
    return RULES[rule or name].check(name, value)


def check_all(**values: Any) -> None:
    """Each of ``values`` (``name=value``) checked against its rule."""
    for name, value in values.items():
        check(name, value)


def check_time_range(start: Any, end: Any = None, duration: Any = None) -> tuple[float, float | None]:
    """(start, end) in seconds of a part of a movie asked for as ``start`` and either
    ``end`` (negative: counted back from the end) or ``duration``; numbers or FFmpeg time
    text. The combination rules that need no movie: end and duration exclude each other, and
    an end from the start must come after the start."""
    begin = check("start", 0.0 if start is None else start)
    if end is not None and duration is not None:
        raise ParameterError("duration", "and {param:end} cannot be used together: give one of them")
    if duration is not None:
        return begin, begin + check("duration", duration)
    stop = None if end is None else check("end", end)
    if stop is not None and stop > 0 and stop <= begin:
        raise ParameterError("end", f"({stop:g} s) must come after {{param:start}} ({begin:g} s)")
    return begin, stop


def resolve_time_range(start: float, end: float | None, duration: float | None) -> tuple[float, float | None]:
    """(start, end) for a movie of ``duration`` seconds (None: not stated): an end counted
    back from the end becomes a time from the start. A range that lies outside the movie, or
    a negative end when the duration is unknown, is a ParameterError, raised before
    decoding. An end past the movie's end is its end."""
    if end is not None and end < 0:
        if duration is None:
            raise ParameterError("end", f"{end:g} counts back from the end, but this input does not state its "
                                        "duration (a pipe?): give the end as a time from the start")
        if duration + end <= start:
            raise ParameterError("end", f"{end:g} s before the end of this {duration:.3f}-s movie leaves nothing "
                                        f"after {{param:start}} ({start:g} s)")
        # to the microsecond: a joined stream's duration, summed from its parts, carries float
        # noise (its 20 s less 3 gave 16.999999999999996 in the data file)
        end = round(duration + end, 6)
    if duration is not None and start >= duration:
        raise ParameterError("start", f"({start:g} s) lies past the end of this {duration:.3f}-s movie")
    return start, end


def check_size(name: str, text: str) -> tuple[int, int]:
    """``"WIDTHxHEIGHT"`` in pixels (e.g. ``"1920x1080"``) as (width, height)."""
    w, sep, h = str(text).strip().lower().partition("x")
    if not (sep and numeral(text) and w.isdigit() and h.isdigit() and 0 < as_int(w) <= MAX_SIDE
            and 0 < as_int(h) <= MAX_SIDE):
        raise ParameterError(name, f"must be WIDTHxHEIGHT in pixels, each 1 to {MAX_SIDE}, e.g. 1920x1080, got {text!r}")
    return as_int(w), as_int(h)


#: The most pixels one drawn image may have (2^28: 16384 x 16384, 768 MiB as RGB).
MAX_PIXELS = 1 << 28


def check_pixels(name: str, width: float, height: float, fmt: ImageFormat | None = None, *,
                 cause: str = "", remedy: str = "make it smaller") -> None:
    """An image of ``width`` x ``height`` pixels must fit :data:`MAX_PIXELS` and, written as
    ``fmt``, its :data:`FORMAT_MAX_SIDE`. The error says ``name``, then ``cause`` (what
    about it makes the size, when that is not plain), and ``remedy``."""
    if width * height > MAX_PIXELS:
        raise ParameterError(name, f"{cause}would make an image of {int(width)} x {int(height)} pixels, more than "
                                   f"{MAX_PIXELS:,} (2^28); {remedy}")
    if fmt in FORMAT_MAX_SIDE and max(width, height) > FORMAT_MAX_SIDE[fmt][1]:
        label, side = FORMAT_MAX_SIDE[fmt]
        raise ParameterError(name, f"{cause}would make a {int(width)} x {int(height)} picture, and a {label} "
                                   f"picture is at most {side} px on a side; {remedy}, or write PNG")


#: The least width, pixels, of a strip drawn with neither ``width`` nor ``column_width``:
#: columns are repeated a whole number of times until the strip is at least this wide.
MIN_WIDTH = 400
#: The plot style's width, pixels, when ``width`` is not given.
PLOT_WIDTH = 1600
#: The smallest plot, (width, height) px, with room for its labels and a strip; the largest,
#: px: matplotlib draws one at ~120 bytes a pixel (65535 x 4096 took 23 GB, and was killed).
PLOT_MIN_SIZE, PLOT_MAX_PIXELS = (200, 60), 1 << 24


def column_repeat(render: RenderOptions, samples: int) -> int:
    """Pixels per sample of a strip of ``samples`` equal columns: ``column_width``, or, when
    neither it nor ``width`` is given, the least whole number that makes the strip at least
    :data:`MIN_WIDTH` px wide (1 from 400 samples on)."""
    if render.column_width is not None:
        return render.column_width
    return max(1, -(-MIN_WIDTH // max(1, samples)))


def drawn_size(render: RenderOptions, proportional: bool, samples: int | None,
               seconds: float | None) -> tuple[int | None, int]:
    """(width, height) in pixels of what ``render`` draws for ``samples`` columns spanning
    ``seconds`` of film (``proportional``: keyframe columns, as wide as their time); the
    width is None when it is not known yet.

    ``width`` when given, for every style; else a ring is ``height`` wide (square), a plot
    :data:`PLOT_WIDTH`, a keyframe strip ``column_width`` (default 1) px per second, and
    any other strip ``samples`` x :func:`column_repeat` px. Strips drawn with neither
    ``width`` nor ``column_width`` are at least :data:`MIN_WIDTH` px wide."""
    if render.width is not None:
        return render.width, render.height
    if render.style == Style.RING:
        return render.height, render.height
    if render.style == Style.PLOT:
        return PLOT_WIDTH, render.height
    if proportional:
        if seconds is None:
            return None, render.height
        width = max(1, round(seconds * (render.column_width or 1)))
        return (width if render.column_width is not None else max(MIN_WIDTH, width)), render.height
    return (None if samples is None else samples * column_repeat(render, samples)), render.height


def check_drawn_size(render: RenderOptions, proportional: bool, samples: int | None, seconds: float | None) -> None:
    """What ``render`` would draw (see :func:`drawn_size`) must fit :data:`MAX_PIXELS`."""
    width, height = drawn_size(render, proportional, samples, seconds)
    if width is None:
        return
    side = FORMAT_MAX_SIDE.get(render.format, ("", MAX_PIXELS))[1]
    if height > side or (width * height > MAX_PIXELS and height > width and width <= side):
        check_pixels("height", width, height, render.format)  # the height is at fault, not the columns
        return
    width_named = "width" if render.width else "height" if render.style in (Style.RING, Style.PLOT) else "column_width"
    if render.column_width == 1:  # the least already: only a width given makes it narrower
        check_pixels(width_named, width, height, render.format,
                     remedy="draw it narrower with {param:width} (columns by time)")
    if render.width is None and render.column_width is None and render.style not in (Style.RING, Style.PLOT):
        # the width is the samples' (or with keyframes the seconds') own: no size option was
        # given, and blaming the column width, already the least, left nothing to do
        made = f"{seconds:.0f} s at 1 px a second" if proportional else f"{samples} samples, a column each"
        check_pixels("sampling", width, height, render.format, cause=f"gives {made}, which ",
                     remedy="draw it narrower with {param:width} (columns by time)")
        return
    check_pixels(width_named, width, height, render.format)


def check_render(render: RenderOptions, sampling: Sampling | None) -> None:
    """The combination rules of drawing, checked before any decoding or writing.

    ``sampling`` is the fingerprint's (None when not known yet: only the rules that do not
    depend on it are checked)."""
    proportional = sampling is not None and sampling.mode == SamplingMode.KEYFRAMES
    check_style_options(render.style, title=render.title, smooth=render.smooth)
    if render.column_width is not None:
        if render.style in (Style.RING, Style.PLOT):
            raise ParameterError("column_width", f"applies to strips, not the {render.style} style: its size is "
                                                 "{param:width} x {param:height}")
        if render.width is not None:
            raise ParameterError("column_width", "and {param:width} cannot be used together: the width is "
                                                 "either given or samples x column width")
    samples = int(sampling.value) if sampling is not None and sampling.mode == SamplingMode.SAMPLES else None
    check_drawn_size(render, proportional, samples, None)
    if render.style == Style.PLOT:
        width, height = drawn_size(render, proportional, samples, None)
        assert width is not None
        if width < PLOT_MIN_SIZE[0] or height < PLOT_MIN_SIZE[1]:
            raise ParameterError("width" if width < PLOT_MIN_SIZE[0] else "height",
                                 f"{width} x {height} px is too small for a plot: it needs at least "
                                 f"{PLOT_MIN_SIZE[0]} x {PLOT_MIN_SIZE[1]} px")
        if width * height > PLOT_MAX_PIXELS:
            raise ParameterError("width" if render.width else "height", f"makes a plot of {width} x {height} px, too "
                                 f"large: at most {PLOT_MAX_PIXELS:,} px (e.g. 8192 x 2048)")
    if render.format == ImageFormat.HTML and render.style not in PAGE_STYLES:
        raise ParameterError("style", f"{render.style}: a page shows a strip whose columns run left to right in "
                                      f"time: {', '.join(PAGE_STYLES)}")
    if render.format not in STYLE_FORMATS[render.style]:
        fmt = render.format.upper()
        styles = ", ".join(s for s, formats in STYLE_FORMATS.items() if render.format in formats)
        raise ParameterError("style", f"{render.style}: {fmt} output is available for {styles} only")
    if render.background != DEFAULT_BACKGROUND and not background_fills(render.style, render.format):
        raise ParameterError("background", "fills a ring's transparent parts in JPEG; " + (  # and nothing else
            f"a {render.style} picture has none" if render.style != Style.RING else f"{render.format.upper()} keeps them transparent"))


def check_style_options(style: Style | str, **given: Any) -> None:
    """Each of ``given`` (name=value; None: not given) that :data:`STYLE_ONLY` names must be
    drawn in its style: ``smooth=9`` with the stacked style was ignored without a word."""
    for name, value in given.items():
        if value is not None and style != STYLE_ONLY[name]:
            raise ParameterError(name, f"applies to the {STYLE_ONLY[name]} style only")


def background_fills(style: str, image_format: str) -> bool:
    """Whether a picture of this style and format has anything for ``background`` to fill:
    a ring's transparent parts in JPEG, and nothing else."""
    return (style, image_format) == (Style.RING, ImageFormat.JPEG)


def check_thumbnails(thumbnails: bool, data: bool, render: RenderOptions) -> None:
    """Thumbnails are kept in a data file of the whole record (``data``: JSON or CSV, not a
    palette for design tools) or shown on a page (an HTML output): asking for them with
    neither would make them for nothing."""
    if thumbnails and not data and render.format != ImageFormat.HTML:
        raise ParameterError("thumbnails", "are kept in a JSON or CSV {param:data} file or shown on a page (an .html "
                                           "output), and there is neither")
