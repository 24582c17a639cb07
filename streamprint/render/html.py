"""What the HTML outputs (a movie's page, a library's gallery) share: their templates and
scripts (package data under ``render/assets/``), filling a template, escaping, data URIs,
times as h:mm:ss, and streamprint's mark.

Every page is one self-contained file: styles, scripts and images inline, and a Content
Security Policy that lets it load nothing from anywhere (``default-src 'none'``), so it
works from ``file://`` and cannot make a network request.
"""

from __future__ import annotations

import base64
import html
import json
import math
import os
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from .. import __version__
from ..atomic import atomic_output
from ..marks import SOFTWARE

#: The first two lines of every HTML output: what :func:`streamprint.marks.written_by_streamprint`
#: recognises.
MARK = f"<!DOCTYPE html>\n<!-- {SOFTWARE} {__version__} -->\n"
#: Inline styles and scripts, images as data: URIs, and nothing else.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

_SLOT = re.compile(r"<!--sp:([a-z_]+)-->|/\*sp:([a-z_]+)\*/")
#: Surrogates that stand for no byte of a file name (Python's surrogateescape uses
#: U+DC80-U+DCFF): halves of a pair that a JSON file may spell alone, as \ud800.
_LONE_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


@cache
def asset(name: str) -> str:
    """The text of ``render/assets/NAME`` (package data)."""
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with every slot (``<!--sp:NAME-->`` or ``/*sp:NAME*/``) replaced by
    ``values[NAME]``, in one pass (what is put in is never scanned for slots)."""
    missing = {a or b for a, b in _SLOT.findall(template)} - set(values)
    if missing:
        raise KeyError(f"no value for the template's slots {sorted(missing)}")
    return _SLOT.sub(lambda m: values[m.group(1) or m.group(2)], template)


def page(template: str, values: Mapping[str, str]) -> str:
    """A whole HTML document: the mark, then ``template`` filled, its ``head`` slot with
    what every page's head begins with (``head.html``: the CSP, the generator)."""
    head = fill(asset("head.html"), {"csp": CSP, "version": esc(__version__)})
    return MARK + fill(asset(template), {"head": head, **values})


def shown(text: Any) -> str:
    """``text`` as it can be shown: a file name's bytes that are not UTF-8 (Python keeps them
    as lone surrogates, which no page can be written with) and any other lone surrogate (a
    data file's JSON may hold one) become U+FFFD."""
    text = _LONE_SURROGATE.sub("\ufffd", str(text))
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def esc(text: Any) -> str:
    """``text`` escaped for HTML text and attribute values (and :func:`shown`)."""
    return html.escape(shown(text), quote=True)


def isolated(text: str) -> str:
    """``text`` as a Unicode bidi isolate (FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE):
    direction controls in it (a file name's U+202E) cannot turn around text that follows it
    on the same line (a ``<title>``, where no element can hold it apart)."""
    return f"\u2068{text}\u2069"


def script_json(value: Any) -> str:
    """``value`` as compact JSON that can sit inside a ``<script>`` element (its strings
    :func:`shown`)."""
    text = shown(json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def base64_text(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64_text(data)}"


def clock(seconds: float, decimals: int = 0) -> str:
    """``h:mm:ss`` (with ``decimals`` digits of the second) of a time in seconds, cut off,
    not rounded, as players show it: 59.99 s is 0:00:59. The pages show the times made
    here (their scripts make none)."""
    scale = 10**decimals
    ticks = math.floor(max(0.0, seconds) * scale + 1e-6)
    whole, part = divmod(ticks, scale)
    text = f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"
    return f"{text}.{part:0{decimals}d}" if decimals else text


def permille(share: float) -> int:
    """A share (0-1) in tenths of a percent, rounded: the one rounding of a share any page
    shows (the scripts are given these and only format them, as :func:`percent` does)."""
    return round(float(share) * 1000)


def percent(share: float) -> str:
    """A share (0-1) as the pages show it: ``12.3%``."""
    return f"{permille(share) / 10:.1f}%"


def write_html(text: str, path: str | os.PathLike[str], sync: bool = True) -> None:
    """Write an HTML document atomically (``sync``: see :func:`~streamprint.atomic.atomic_output`)."""
    with atomic_output(path, "w", sync=sync) as f:
        f.write(text)
