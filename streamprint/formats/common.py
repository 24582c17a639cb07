"""What every reader and writer shares: reading a file that trusts nothing, typed access
to its fields with errors that name the file and the field, and atomic writing."""

from __future__ import annotations

import builtins
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .. import params
from ..atomic import atomic_output
from ..errors import DataFormatError, InputError, InputNotFoundError

T = TypeVar("T")

#: Files larger than this are not read as data (a fingerprint of a 24-hour stream sampled
#: every second is about 25 MiB).
MAX_DATA_BYTES = 1 << 30
#: The whole numbers a data file may hold: numpy keeps frames and counts as int64.
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def read_text(path: str | os.PathLike[str]) -> str:
    """The UTF-8 text of ``path`` (without a byte-order mark); InputNotFoundError, InputError
    or DataFormatError."""
    p = Path(params.file_name(path))
    if not p.exists():
        raise InputNotFoundError(f"{p}: no such file")
    if not p.is_file():
        raise InputError(f"{p}: not a regular file")
    try:
        if p.stat().st_size > MAX_DATA_BYTES:
            raise DataFormatError(f"{p}: too large to be a streamprint data file")
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror or exc})") from exc
    try:  # utf-8-sig drops a byte-order mark, as Excel and Notepad save UTF-8; bytes that are
        # not UTF-8 are kept as Python keeps them in file names: a TSV or CSV names a Latin-1
        # movie with them (write_text); a binary file is no text at all
        return data.decode("utf-8-sig", "strict" if b"\0" in data else "surrogateescape")
    except UnicodeDecodeError as exc:
        raise DataFormatError(f"{p}: not a text file ({exc.reason})") from exc


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, name: str) -> Any:
    """Parse JSON text from file ``name``; NaN and Infinity are refused."""
    try:
        return json.loads(text, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise DataFormatError(f"{name}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc
    except (ValueError, RecursionError) as exc:
        raise DataFormatError(f"{name}: not valid JSON ({exc})") from exc


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically; the stray bytes of a file name that is
    not UTF-8 (Python's lone surrogates) as the bytes they are, as :func:`read_text` reads
    them back (a TSV or CSV naming ``caf\xe9.mkv`` stopped as "a bug")."""
    write_bytes(path, text.encode("utf-8", "surrogateescape"))


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (:func:`~streamprint.atomic.atomic_output`)."""
    with atomic_output(path, "wb") as f:
        f.write(data)


class Fields:
    """Typed access to one JSON object read from a file. Every accessor checks the field's
    type (and range, where given) and raises :class:`DataFormatError` naming the file and
    the field's place (``movie.json: samples[3].weights: ...``)."""

    # Its accessors are named for the types they read (str, bool, ...): in annotations
    # after them, the builtin types are written builtins.str, builtins.bool.

    def __init__(self, data: Any, file: str, where: str = "") -> None:
        if not isinstance(data, dict):
            raise DataFormatError(f"{file}: {where or 'the file'}: expected an object, got {_kind(data)}")
        self.data, self.file, self.where = data, file, where

    def fail(self, message: str, key: str | None = None) -> DataFormatError:
        return DataFormatError(f"{self.file}: {self._at(key)}{message}")

    def _at(self, key: str | None) -> str:
        place = ".".join(p for p in (self.where, key) if p)
        return f"{place}: " if place else ""

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str, default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise self.fail("missing", key)
            return default
        return self.data[key]

    def obj(self, key: str) -> Fields:
        return Fields(self.raw(key), self.file, ".".join(p for p in (self.where, key) if p))

    def objects(self, key: str) -> list[Fields]:
        items = self.list(key)
        return [Fields(item, self.file, f"{self._at(key)[:-2]}[{i}]") for i, item in enumerate(items)]

    def list(self, key: str) -> list[Any]:
        return self._typed(key, list, "a list")

    def str(self, key: str, default: Any = ..., optional: bool = False) -> Any:
        return self._typed(key, str, "text", default, optional)

    def bool(self, key: builtins.str, default: Any = ...) -> builtins.bool:
        return self._typed(key, bool, "true or false", default)

    def int(self, key: builtins.str, low: int | None = None, default: Any = ..., optional: builtins.bool = False,
            high: int | None = None) -> Any:
        value = self.raw(key, default)
        if value is None and optional:
            return None
        # numpy keeps them as int64 (a frame of 2**63 was "a bug"): within it, whatever the bounds
        whole = isinstance(value, int) and not isinstance(value, bool)
        if whole and not INT64_MIN <= value <= INT64_MAX:  # (said with both ends of the range)
            low, high = INT64_MIN if low is None else low, INT64_MAX if high is None else high
        if not whole or (low is not None and value < low) or (high is not None and value > high):
            bound = f" from {low} to {high}" if low is not None and high is not None \
                else f" >= {low}" if low is not None else "" if high is None else f" <= {high}"
            raise self.fail(f"expected a whole number{bound}, got {_short(value)}", key)
        return value

    def float(self, key: builtins.str, low: float | None = None, positive: builtins.bool = False,
              default: Any = ..., optional: builtins.bool = False) -> Any:
        value = self.raw(key, default)
        if value is None and optional:
            return None
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and finite(value)
        if ok and ((low is not None and value < low) or (positive and value <= 0)):
            ok = False
        if not ok:
            bound = " > 0" if positive else "" if low is None else f" >= {low:g}"
            raise self.fail(f"expected a finite number{bound}, got {_short(value)}", key)
        return float(value)

    def number(self, key: builtins.str, default: Any = ...) -> builtins.float:
        """A number (not true or false) as a float, and nothing more checked: for a value
        whose rules are the model's, which checks them (a sample's time, a palette's inertia)."""
        value = self.raw(key, default)
        number = _float(value)
        if number is None:
            raise self.fail(f"expected a number, got {_short(value)}", key)
        return number

    def numbers(self, key: builtins.str) -> builtins.list[builtins.float]:
        """A list of numbers, each as :meth:`number` takes it."""
        values = self.list(key)
        numbers = list(map(_float, values))
        if None in numbers:
            raise self.fail(f"expected numbers, got {_short(values[numbers.index(None)])}", key)
        return numbers  # type: ignore[return-value]

    def build(self, key: builtins.str | None, make: Callable[[], T]) -> T:
        """``make()``, with the ValueError or TypeError a model value raises on construction
        turned into a DataFormatError at ``key``."""
        try:
            return make()
        except (ValueError, TypeError) as exc:
            raise self.fail(str(exc), key) from exc

    def _typed(self, key: builtins.str, kind: type, what: builtins.str, default: Any = ...,
               optional: builtins.bool = False) -> Any:
        value = self.raw(key, default)
        if value is None and optional:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"expected {what}, got {_short(value)}", key)
        return value


def _float(value: Any) -> float | None:
    """A JSON number (not true or false) as a float; None for anything else, or a whole
    number past a float's range (10**400)."""
    if type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            pass
    return None


def finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer too large for a float
        return False


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def _short(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) or math.isfinite(value) else repr(value)
    if isinstance(value, int) and len(text) > 40:
        return f"a {len(text)}-digit number"
    return text if len(text) <= 40 else text[:37] + "..."
