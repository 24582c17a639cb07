"""Every parameter's type and range, stated once (in the spirit of scikit-learn's
``_parameter_constraints``), and the rules that say which options combine.

The library checks values here, on construction of the typed values in
:mod:`streamprint.model` and at the start of each entry point, before any decoding or
writing starts. Errors are :class:`~streamprint.errors.ParameterError`, which name the
*parameter* (``colors must be a whole number from 1 to 64, got 100``); the CLI shows the
flag's name instead (``--colors must be ...``).
"""

from __future__ import annotations

import math
import numbers
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .enums import SVG_STYLES, Algorithm, Crop, DataFormat, ImageFormat, Order, SamplingMode, Space, Style, ToneMap
from .errors import ParameterError

if TYPE_CHECKING:
    from .model import RenderOptions, Sampling


@dataclass(frozen=True)
class Integer:
    """A whole number (not a bool) from ``low`` to ``high``, both included (None: open)."""

    low: int | None = None
    high: int | None = None

    def check(self, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ParameterError(name, f"must be a whole number{self._range()}, got {value!r}")
        v = int(value)
        if (self.low is not None and v < self.low) or (self.high is not None and v > self.high):
            raise ParameterError(name, f"must be a whole number{self._range()}, got {v}")
        return v

    def _range(self) -> str:
        if self.low is not None and self.high is not None:
            return f" from {self.low} to {self.high}"
        if self.low is not None:
            return f" >= {self.low}"
        return f" <= {self.high}" if self.high is not None else ""


@dataclass(frozen=True)
class Real:
    """A finite number above ``low`` (or at it, unless ``low_open``) and at most ``high``;
    ``unit`` names what it counts, for the message."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    unit: str = ""

    def check(self, name: str, value: Any) -> float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
        if ok:
            v = float(value)
            ok = not ((self.low is not None and (v < self.low or (self.low_open and v == self.low)))
                      or (self.high is not None and v > self.high))
        if not ok:
            raise ParameterError(name, f"must be {self._describe()}, got {value!r}")
        return v

    def _describe(self) -> str:
        what = f"a number of {self.unit}" if self.unit else "a number"
        parts = []
        if self.low is not None:
            parts.append(f"{'>' if self.low_open else '>='} {self.low:g}")
        if self.high is not None:
            parts.append(f"<= {self.high:g}")
        return f"{what} {' and '.join(parts)}".strip()


@dataclass(frozen=True)
class Choice:
    """A member of ``enum`` (or its value as a string); returns the member."""

    enum: type[StrEnum]

    def check(self, name: str, value: Any) -> StrEnum:
        try:
            return self.enum(value)
        except ValueError:
            choices = ", ".join(m.value for m in self.enum)
            raise ParameterError(name, f"must be one of {choices}, got {value!r}") from None


@dataclass(frozen=True)
class Text:
    """A string, or None when ``optional``."""

    optional: bool = True

    def check(self, name: str, value: Any) -> str | None:
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            raise ParameterError(name, f"must be text, got {value!r}")
        return value


@dataclass(frozen=True)
class Color:
    """An sRGB colour: ``(r, g, b)`` of 0-255 whole numbers, ``"#rrggbb"`` or ``"r,g,b"``."""

    def check(self, name: str, value: Any) -> tuple[int, int, int]:
        from .model import parse_color

        try:
            return parse_color(value)
        except ValueError:
            raise ParameterError(name, f"must be a colour, #rrggbb or r,g,b (0-255), got {value!r}") from None


@dataclass(frozen=True)
class Optional:
    """None, or a value ``rule`` accepts."""

    rule: Any

    def check(self, name: str, value: Any) -> Any:
        return None if value is None else self.rule.check(name, value)


#: FFmpeg's two forms of a time duration (ffmpeg-utils, "Time duration"):
#: ``[-][HH:]MM:SS[.m...]`` (MM and SS of at most two digits, below 60) and
#: ``[-]S+[.m...][s|ms|us]``.
_CLOCK_TIME = re.compile(r"(-)?(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)")
_SECONDS_TIME = re.compile(r"(-)?(\d+(?:\.\d*)?|\.\d+)(s|ms|us)?")
_TIME_UNITS = {None: 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6}
#: How a time may be written, for messages.
TIME_SYNTAX = "seconds (90, 1.5) or [HH:]MM:SS[.m] (1:30, 1:02:03.5)"


def parse_time(text: str) -> float | None:
    """Seconds from a time in FFmpeg's duration syntax (``90``, ``1.5``, ``200ms``,
    ``1:30``, ``1:02:03.5``, ``-8:00``); None when ``text`` is not one."""
    t = text.strip()
    m = _CLOCK_TIME.fullmatch(t)
    if m:
        sign, hours, minutes, seconds = m.groups()
        if int(minutes) >= 60 or float(seconds) >= 60:
            return None
        value = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
        return -value if sign else value
    m = _SECONDS_TIME.fullmatch(t)
    if m:
        sign, number, unit = m.groups()
        value = float(number) * _TIME_UNITS[unit]
        return -value if sign else value
    return None


@dataclass(frozen=True)
class Time:
    """A time in seconds: a number, or text in FFmpeg's syntax (:func:`parse_time`).
    ``negative``: below zero is allowed (counted back from the end); ``zero``: zero is."""

    negative: bool = False
    zero: bool = True

    def check(self, name: str, value: Any) -> float:
        seconds: float | None = None
        if isinstance(value, str):
            seconds = parse_time(value)
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            seconds = float(value)
        if seconds is not None and math.isfinite(seconds) and seconds > -MAX_SECONDS and seconds < MAX_SECONDS:
            if (seconds > 0 or (seconds == 0 and self.zero) or (seconds < 0 and self.negative)):
                return seconds + 0.0  # no -0.0
        bound = "" if self.negative else " >= 0" if self.zero else " > 0"
        raise ParameterError(name, f"must be a time{bound} in {TIME_SYNTAX}, got {value!r}")


#: The longest time streamprint takes, seconds (a year; beyond it a typo is likelier).
MAX_SECONDS = 366 * 86400.0

#: The largest side of a drawn image, pixels.
MAX_SIDE = 65_535

#: name -> rule. Each parameter of the library appears here once; everything that takes
#: it checks it through :func:`check`.
RULES: dict[str, Any] = {
    # what a fingerprint computes
    "sampling": Choice(SamplingMode),
    "every": Integer(1),
    "interval": Real(0.0, low_open=True, unit="seconds"),
    "samples": Integer(1),
    "colors": Integer(1, 64),
    "algorithm": Choice(Algorithm),
    "seed": Integer(0, 2**32 - 1),
    "analysis_size": Integer(8, 4096),
    "space": Choice(Space),
    "crop": Choice(Crop),
    "tonemap": Choice(ToneMap),
    # how the input is read
    # FFmpeg warns above 16 threads (MAX_AUTO_THREADS) and thread creation is per thread.
    "threads": Integer(0, 64),
    "checkpoint_every": Real(0.0, unit="seconds"),
    # the part of the input that is read (see check_time_range)
    "start": Time(),
    "end": Time(negative=True, zero=False),
    "duration": Time(zero=False),
    # live streams: outputs rewritten every this many seconds of wall-clock time
    "flush_every": Real(0.1, unit="seconds"),
    "rate": Real(0.0, low_open=True, unit="frames per second"),
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
    "column_width": Integer(1, MAX_SIDE),
    "width": Optional(Integer(1, MAX_SIDE)),
    "title": Text(),
    "background": Color(),
    "smooth": Integer(0, 1000),
    # image palettes and their cards
    "bar": Real(0.0, 1.0, low_open=True, unit="image heights"),
    "buffer": Real(0.0, 1.0, unit="image heights"),
    "buffer_color": Color(),
    "card_size": Integer(0),
    # batch
    "jobs": Optional(Integer(1, 1024)),
}


def check(name: str, value: Any) -> Any:
    """``value`` checked against ``name``'s rule, converted (a string to its enum member,
    an integral float to int where a whole number is wanted, ...)."""
    return RULES[name].check(name, value)


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
        end = duration + end
    if duration is not None and start >= duration:
        raise ParameterError("start", f"({start:g} s) lies past the end of this {duration:.3f}-s movie")
    return start, end


def check_size(name: str, text: str) -> tuple[int, int]:
    """``"WIDTHxHEIGHT"`` in pixels (e.g. ``"1920x1080"``) as (width, height)."""
    w, sep, h = str(text).strip().lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and 0 < int(w) <= MAX_SIDE and 0 < int(h) <= MAX_SIDE):
        raise ParameterError(name, f"must be WIDTHxHEIGHT in pixels, e.g. 1920x1080, got {text!r}")
    return int(w), int(h)


#: File extensions (lower case) and the formats they mean.
IMAGE_EXTENSIONS = {".png": ImageFormat.PNG, ".jpg": ImageFormat.JPEG, ".jpeg": ImageFormat.JPEG,
                    ".webp": ImageFormat.WEBP, ".svg": ImageFormat.SVG}
DATA_EXTENSIONS = {".json": DataFormat.JSON, ".csv": DataFormat.CSV, ".tsv": DataFormat.TSV}
#: Images a style other than the vector ones can be written as.
RASTER_FORMATS = (ImageFormat.PNG, ImageFormat.JPEG, ImageFormat.WEBP)
#: The most pixels one drawn image may have (2^28: 16384 x 16384, 768 MiB as RGB).
MAX_PIXELS = 1 << 28


def _extension(path: str | os.PathLike[str]) -> str:
    return os.path.splitext(os.fspath(path))[1].lower()


def image_format_for(path: str | os.PathLike[str], name: str = "output",
                     allowed: tuple[ImageFormat, ...] = tuple(ImageFormat)) -> ImageFormat:
    """The image format ``path``'s extension names; ParameterError for any other."""
    fmt = IMAGE_EXTENSIONS.get(_extension(path))
    if fmt is None or fmt not in allowed:
        names = ", ".join(ext for ext, f in IMAGE_EXTENSIONS.items() if f in allowed)
        raise ParameterError(name, f"{os.fspath(path)}: the extension must say the image format: {names}")
    return fmt


def data_format_for(path: str | os.PathLike[str], name: str = "data",
                    allowed: tuple[DataFormat, ...] = (DataFormat.JSON, DataFormat.CSV)) -> DataFormat:
    """The data format ``path``'s extension names; ParameterError for any other."""
    fmt = DATA_EXTENSIONS.get(_extension(path))
    if fmt is None or fmt not in allowed:
        names = ", ".join(ext for ext, f in DATA_EXTENSIONS.items() if f in allowed)
        raise ParameterError(name, f"{os.fspath(path)}: the extension must say the data format: {names}")
    return fmt


def check_pixels(name: str, width: float, height: float) -> None:
    """An image of ``width`` x ``height`` pixels must fit :data:`MAX_PIXELS`."""
    if width * height > MAX_PIXELS:
        raise ParameterError(name, f"would make an image of {int(width)} x {int(height)} pixels, more than "
                                   f"{MAX_PIXELS:,} (2^28); make it smaller")


#: The plot style's least default width, pixels.
PLOT_MIN_WIDTH = 800


def drawn_size(render: RenderOptions, proportional: bool, samples: int | None,
               seconds: float | None) -> tuple[int | None, int]:
    """(width, height) in pixels of what ``render`` draws for ``samples`` columns spanning
    ``seconds`` of film (``proportional``: keyframe columns, as wide as their time); the
    width is None when it is not known yet."""
    if render.style == Style.RING:
        return render.height, render.height
    if render.style == Style.PLOT:
        return render.width or max(PLOT_MIN_WIDTH, (samples or 0) * render.column_width), render.height
    if render.width is not None:  # keyframes, or a live strip kept at its width
        return render.width, render.height
    if proportional:
        return (None if seconds is None else max(1, round(seconds * render.column_width))), render.height
    return (None if samples is None else samples * render.column_width), render.height


def check_drawn_size(render: RenderOptions, proportional: bool, samples: int | None, seconds: float | None) -> None:
    """What ``render`` would draw (see :func:`drawn_size`) must fit :data:`MAX_PIXELS`."""
    width, height = drawn_size(render, proportional, samples, seconds)
    if width is not None:
        name = "height" if render.style == Style.RING else "width" if render.width else "column_width"
        check_pixels(name, width, height)


def check_render(render: RenderOptions, sampling: Sampling | None, live: bool = False) -> None:
    """The combination rules of drawing, checked before any decoding or writing.

    ``sampling`` is the fingerprint's (None when not known yet: only the rules that do not
    depend on it are checked). ``live``: the strip is rewritten while a stream runs
    (``flush``), where ``width`` keeps it at that width in every style."""
    proportional = sampling is not None and sampling.mode == SamplingMode.KEYFRAMES
    if render.title is not None and render.style != Style.PLOT:
        raise ParameterError("title", "applies to the plot style only")
    samples = int(sampling.value) if sampling is not None and sampling.mode == SamplingMode.SAMPLES else None
    check_drawn_size(render, proportional, samples, None)
    if render.format == ImageFormat.SVG:
        if render.style not in SVG_STYLES:
            raise ParameterError("style", f"{render.style}: SVG output is available for "
                                          f"{', '.join(SVG_STYLES)} only")
        if proportional:
            raise ParameterError("image_format", "SVG is not available for keyframe sampling; write PNG")
    if render.width is not None and sampling is not None and not proportional and render.style != Style.PLOT \
            and not live:
        raise ParameterError("width", "applies with {param:keyframes} sampling and the plot {param:style}; otherwise "
                                      "the width is the number of samples x {param:column_width}")
