"""Reading numbers and times from text, the one way every parser does: ASCII digits only
(:func:`numeral`), and times in FFmpeg's duration syntax (:func:`parse_time`)."""

from __future__ import annotations

import re
from fractions import Fraction


def numeral(text: str) -> bool:
    """Whether ``text`` may be read as a number, a time, a size or a frame rate: written
    in ASCII, with no underscore. Python's int(), float() and Fraction, and re's ``\\d``,
    take the digits of any script (``--start`` with the Arabic-Indic digit one was read as
    1 s) and any kind of space, and int(), float() and Fraction Python's digit separators
    (``--colors 1_0`` made ten colours); streamprint's numbers are written as FFmpeg's are."""
    return text.isascii() and "_" not in text


def as_int(text: str) -> int:
    """``int(text)`` of a :func:`numeral`; ValueError for any other text, as int() raises for
    text that is no number. With :func:`as_float` and :func:`as_fraction`, the one way a
    parser reads a number from text: a parser that looks into the text first (a pattern, a
    split) asks :func:`numeral` of the whole text before it does."""
    return int(_numeral(text))


def as_float(text: str) -> float:
    """``float(text)`` of a :func:`numeral`; ValueError otherwise (see :func:`as_int`)."""
    return float(_numeral(text))


def as_fraction(text: str) -> Fraction:
    """``Fraction(text)`` of a :func:`numeral`; ValueError otherwise (see :func:`as_int`)."""
    return Fraction(_numeral(text))


def _numeral(text: str) -> str:
    if not numeral(text):
        raise ValueError(f"not a number in ASCII digits: {text!r}")
    return text


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
    if not numeral(text):  # (before the patterns, whose \d reads any script's digits)
        return None
    t = text.strip()
    m = _CLOCK_TIME.fullmatch(t)
    if m:
        sign, hours, minutes, seconds = m.groups()
        if as_int(minutes) >= 60 or as_float(seconds) >= 60:
            return None
        value = as_int(hours or "0") * 3600 + as_int(minutes) * 60 + as_float(seconds)
        return -value if sign else value
    m = _SECONDS_TIME.fullmatch(t)
    if m:
        sign, number, unit = m.groups()
        value = as_float(number) * _TIME_UNITS[unit]
        return -value if sign else value
    return None
