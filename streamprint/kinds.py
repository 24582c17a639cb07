"""The kinds of value a parameter can be, each with its one check: whole numbers, numbers,
exact frame rates, choices from an enum, text, flags, colours, times in FFmpeg's syntax, and
None or another kind (numbers and times in text are read by :mod:`streamprint.numerals`).
Which parameter is which kind is :data:`streamprint.params.RULES`; a failed check is a
:class:`~streamprint.errors.ParameterError` naming the parameter."""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

import numpy as np

from .errors import ParameterError
from .numerals import TIME_SYNTAX, as_fraction, as_int, numeral, parse_time


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


#: The largest numerator and denominator of a frame rate FFmpeg takes as text
#: (av_parse_video_rate reduces any other to the nearest it can).
MAX_RATE_TERM = 1001000


@dataclass(frozen=True)
class Rate:
    """A frame rate in frames per second, exact: a positive number, or text as FFmpeg and
    ffprobe write one (``30000/1001``) or a decimal (``29.97``, ``1e-5``), read as the
    fraction it says, never through a float. Returns a :class:`~fractions.Fraction` FFmpeg
    takes as it is (numerator and denominator at most :data:`MAX_RATE_TERM`; a finer one is
    the nearest that is: FFmpeg would have made it so in silence)."""

    def check(self, name: str, value: Any) -> Fraction:
        rate = None
        try:
            if isinstance(value, str):
                if not numeral(value):  # (before the pattern, whose \d reads any script's digits)
                    raise ValueError(value)
                exponent = re.search(r"[eE]\s*([+-]?\d+)\s*$", value)
                if exponent and abs(as_int(exponent.group(1))) > 30:  # 1e100000000 took minutes to make
                    raise ParameterError(name, f"must be a frame rate from 1/{MAX_RATE_TERM} to {MAX_RATE_TERM} "
                                               f"frames per second, got {value!r}")
                rate = as_fraction(value.strip())
            elif isinstance(value, numbers.Rational) and not isinstance(value, bool):
                rate = Fraction(value)
            elif isinstance(value, numbers.Real) and not isinstance(value, bool):
                rate = Fraction(repr(float(value)))  # the decimal it was written as (29.97: 2997/100)
        except ParameterError:  # (a ValueError too: the range of a long exponent, said above)
            raise
        except (ValueError, ZeroDivisionError, TypeError, OverflowError):
            rate = None
        if rate is None or rate <= 0:
            raise ParameterError(name, f"must be a frame rate > 0 in frames per second (25, 29.97, 30000/1001), "
                                       f"got {value!r}")
        limit = MAX_RATE_TERM
        while rate > 0 and (rate.denominator > MAX_RATE_TERM or rate.numerator > MAX_RATE_TERM) and limit >= 1:
            limit = min(limit, max(1, math.floor(MAX_RATE_TERM / rate)))  # numerator ~ rate x denominator
            rate, limit = rate.limit_denominator(limit), limit - 1
        if rate <= 0 or rate.numerator > MAX_RATE_TERM:
            raise ParameterError(name, f"must be a frame rate from 1/{MAX_RATE_TERM} to {MAX_RATE_TERM} frames per "
                                       f"second, got {value!r}")
        return rate


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
class Flag:
    """True or False (numpy's bool too, as numpy's whole numbers are whole numbers), never
    a number or a string that Python would take as true: ``overwrite="no"`` replaced the
    user's file."""

    def check(self, name: str, value: Any) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise ParameterError(name, f"must be True or False, got {value!r}")
        return bool(value)


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


@dataclass(frozen=True)
class Function:
    """Something to call: a callback, called with ``args`` (what each positional argument
    is, for the message). It is checked when given, its signature too, not when it is first
    called, which may be an hour into a run (one that took no argument was a TypeError
    from inside at the first sample). A callable whose signature Python cannot tell (some
    built-ins) is taken on trust."""

    args: tuple[str, ...] = ()

    def check(self, name: str, value: Any) -> Any:
        import inspect

        if not callable(value):
            raise ParameterError(name, f"must be a function to call, got {value!r}")
        if any(inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f)
               for f in (value, getattr(value, "__call__", None))):  # (its calls made coroutines never run)
            raise ParameterError(name, "is an async function, which streamprint calls without awaiting: give a "
                                       "plain function")
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):
            return value
        try:
            signature.bind(*self.args)
        except TypeError as exc:
            called = getattr(value, "__qualname__", None) or type(value).__name__
            given = " and ".join([", ".join(self.args[:-1]), self.args[-1]] if len(self.args) > 1 else self.args)
            raise ParameterError(name, f"is called with {given or 'no argument'}, and {called}{signature} cannot "
                                       f"take {'them' if len(self.args) > 1 else 'that'}: {exc}") from None
        return value


@dataclass(frozen=True)
class Items:
    """Any iterable (a list, a tuple, a generator) of at least ``least`` instances of the
    :mod:`streamprint.model` class named ``what``; returns them as a list (a generator is
    read once, here: written as TSV, one was used up by the check of its names, and the
    file held no palette)."""

    what: str
    least: int = 0

    def check(self, name: str, value: Any) -> list[Any]:
        from . import model

        kind = getattr(model, self.what)
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise ParameterError(name, f"must be a list or other iterable of {self.what}, got "
                                       f"{type(value).__name__}")
        items = list(value)
        wrong = [item for item in items if not isinstance(item, kind)]
        if wrong:
            raise ParameterError(name, f"must hold {self.what} values only, got {type(wrong[0]).__name__}")
        if len(items) < self.least:
            raise ParameterError(name, f"must hold at least {self.least} {self.what}, got {len(items)}")
        return items


@dataclass(frozen=True)
class Instance:
    """An instance of the :mod:`streamprint.model` class named ``what``."""

    what: str

    def check(self, name: str, value: Any) -> Any:
        from . import model

        if not isinstance(value, getattr(model, self.what)):
            raise ParameterError(name, f"must be a {self.what}, got {type(value).__name__}")
        return value


@dataclass(frozen=True)
class Runner:
    """A batch's executor (:mod:`streamprint.batch.executors`): an object, not a class, whose
    ``run`` takes what a batch hands it and whose ``threads_per_task`` (each movie's decoder
    threads) the kind ``threads`` takes (the ``threads`` parameter's)."""

    threads: Any
    what = "an executor (streamprint.batch: Serial(), Processes(jobs), Dask(address, key=...))"

    def check(self, name: str, value: Any) -> Any:
        if isinstance(value, type):
            raise ParameterError(name, f"must be {self.what}, got the class {value.__name__}: make one")
        if not callable(getattr(value, "run", None)):
            raise ParameterError(name, f"must be {self.what}, got {type(value).__name__}")
        Function(("work", "tasks", "finish", "on_report", "lost")).check(name, value.run)
        try:
            self.threads.check("threads", getattr(value, "threads_per_task", None))
        except ParameterError as exc:
            raise ParameterError(name, f"(its threads_per_task) {exc.detail}") from None
        return value


@dataclass(frozen=True)
class Numbers:
    """A one-dimensional array (or list, tuple) of finite numbers, each at least ``low``
    (None: any); returns it as float64."""

    low: float | None = None

    def check(self, name: str, value: Any) -> Any:
        import numpy as np

        bound = "" if self.low is None else f" >= {self.low:g}"
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError, OverflowError):  # (ragged lists)
            arr = np.asarray(None)
        if arr.ndim != 1 or arr.dtype.kind not in "iuf":
            raise ParameterError(name, f"must be a one-dimensional array of numbers{bound}, got "
                                       f"{type(value).__name__} of shape {arr.shape} ({arr.dtype})")
        arr = arr.astype(np.float64)
        if not np.all(np.isfinite(arr)) or (self.low is not None and np.any(arr < self.low)):
            bad = arr[~np.isfinite(arr) | (arr < (-np.inf if self.low is None else self.low))][0]
            raise ParameterError(name, f"must be a one-dimensional array of finite numbers{bound}, got {bad:g} "
                                       "among them")
        return arr


@dataclass(frozen=True)
class TextMap:
    """A mapping of text to text (options handed to FFmpeg)."""

    def check(self, name: str, value: Any) -> dict[str, str]:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in value.items()):
            raise ParameterError(name, f"must map text to text, got {value!r}")
        return dict(value)


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
        if seconds is not None and abs(seconds) >= MAX_SECONDS:  # (inf too; it was told it "must be a time")
            raise ParameterError(name, f"is too large: a time must be under {MAX_SECONDS:.0f} s (366 days) "
                                       f"either way, got {value!r}")
        if self.negative:  # (--end 0 was told it "must be a time", as if 0 were none)
            bound = "" if self.zero else " other than 0 (a negative one counts back from the end)"
        else:
            bound = " >= 0" if self.zero else " > 0"
        raise ParameterError(name, f"must be a time{bound} in {TIME_SYNTAX}, got {value!r}")


#: The longest time streamprint takes, seconds (a year; beyond it a typo is likelier).
MAX_SECONDS = 366 * 86400.0
