"""Image palettes as files and text: JSON (a list, one entry per image), TSV (one row per
colour: image, #hex, [r, g, b], share), the formats of design tools (written by
:mod:`.swatches`), and the table the palette command prints."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from typing import Any

import numpy as np

from .. import params
from ..atomic import check_replace
from ..enums import SWATCH_FORMATS, DataFormat
from ..errors import DataFormatError, ParameterError, one_line
from ..model import ImagePalette, Palette, from_hex, to_hex
from ..model.colors import weights_ok
from . import swatches
from .common import Fields, parse_json, read_text, write_bytes, write_text

FORMAT_NAME = "streamprint-palettes"
FORMAT_VERSION = 1
#: TSV: this mark line, then the header, then one row per colour. Version 2 writes the
#: image's name escaped (:data:`TSV_ESCAPES`); versions 1 and 0.1 (no mark) wrote it raw.
TSV_VERSION = 2
TSV_MARK = f"# {FORMAT_NAME} {TSV_VERSION}"
_OLD_TSV_MARK = f"# {FORMAT_NAME} 1"
TSV_HEADER = "image\thex\trgb\tshare"
#: How a TSV row writes the characters of a name that would end its field or its line.
TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {v[1]: k for k, v in TSV_ESCAPES.items()}
_ESCAPED = re.compile(r"\\(.?)", re.DOTALL)


def _escape(name: str) -> str:
    return "".join(TSV_ESCAPES.get(c, c) for c in name)


def _unescape(field: str) -> str:
    def one(m: re.Match) -> str:
        if m.group(1) not in _UNESCAPES:
            raise ValueError(f"unknown escape {m.group()!r} in {field!r}")
        return _UNESCAPES[m.group(1)]
    return _ESCAPED.sub(one, field)


def _rgb(c: np.ndarray) -> str:
    return f"[{int(c[0])}, {int(c[1])}, {int(c[2])}]"


def palette_to_dict(p: ImagePalette) -> dict[str, Any]:
    """One image's palette as JSON data: everything :func:`read_palettes` needs to give it
    back equal (``inertia``, ``cut`` and ``average`` as a fingerprint's palettes have them;
    files without them, from before, read as 0, false and none)."""
    return {
        "image": p.path, "width": p.width, "height": p.height, "space": p.space,
        "colors": [{"hex": h, "rgb": [int(v) for v in c], "share": float(w)}
                   for h, c, w in zip(p.hex, p.colors, p.weights, strict=True)],
        "inertia": p.palette.inertia, "cut": p.palette.cut,
        "average": None if p.palette.mean is None else to_hex(p.palette.mean),
    }


def palette_table(p: ImagePalette) -> str:
    """HEX, 8-bit RGB and share, one colour a line, under the image's name."""
    lines = [one_line(p.path), f"  {'hex':<8} {'rgb':<16} {'share':>6}"]
    for h, c, w in zip(p.hex, p.colors, p.weights, strict=True):
        lines.append(f"  {h:<8} {_rgb(c):<16} {100 * w:5.1f}%")
    return "\n".join(lines)


def write_palettes(palettes: Iterable[ImagePalette], path: str | os.PathLike[str], *,
                   overwrite: bool = False) -> None:
    """``palettes`` (a list, a tuple, a generator of :class:`ImagePalette`) as TSV when
    ``path`` ends in .tsv, JSON when in .json, and for design tools a GIMP palette (.gpl,
    one palette only), Adobe Swatch Exchange (.ase) or CSS (.css) (:mod:`.swatches`);
    atomically. A file at ``path`` that streamprint did not write is
    replaced only with ``overwrite`` (:func:`~streamprint.atomic.check_replace`)."""
    items: list[ImagePalette] = params.check("palettes", palettes, rule="image_palettes")
    fmt = params.data_format_for(path, "path", params.PALETTE_DATA)
    if fmt in SWATCH_FORMATS:
        swatches.check_count(fmt, len(items), os.fspath(path))
    check_replace(path, overwrite)
    if fmt in SWATCH_FORMATS:
        write_bytes(path, swatches.encode(fmt, [(p.path, p.palette) for p in items]))
    elif fmt == DataFormat.TSV:
        names = [p.path for p in items]
        twice = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if twice is not None:  # its rows would read back as one palette
            raise ParameterError("palettes", f"hold two palettes named {twice!r}, and a TSV row tells its palette by the "
                                             "image's name: name them apart, or write JSON")
        rows = [TSV_MARK, TSV_HEADER] + [f"{_escape(p.path)}\t{h}\t{_rgb(c)}\t{w:.6f}"
                                         for p in items for h, c, w in zip(p.hex, p.colors, p.weights, strict=True)]
        write_text(path, "\n".join(rows) + "\n")
    else:
        data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "palettes": [palette_to_dict(p) for p in items]}
        write_text(path, json.dumps(data, indent=1) + "\n")


def _palette(name: str, where: str, colors: list[tuple[int, int, int]], shares: list[float], inertia: float = 0.0,
             cut: bool = False, mean: tuple[int, int, int] | None = None) -> Palette:
    """The palette of ``colors`` and their ``shares``: as written when they sum to 1 (so
    JSON's read back equal), else scaled to (TSV's six decimals)."""
    try:
        if not weights_ok(np.array(shares, np.float64)):  # (the model's own rule of shares)
            shares = [s / sum(shares) for s in shares]
        return Palette(np.array(colors, np.uint8).reshape(-1, 3), np.array(shares, np.float64), inertia, cut,
                       None if mean is None else np.array(mean, np.uint8))
    except (ValueError, ZeroDivisionError) as exc:
        raise DataFormatError(f"{name}: {where}: {exc}") from exc


def read_palettes(path: str | os.PathLike[str]) -> list[ImagePalette]:
    """Palettes written by :func:`write_palettes` (or by streamprint 0.1, without the mark).
    JSON gives them back equal (``==``). A TSV row is one colour (image, hex, rgb, share),
    with no place for what is the whole image's: read back, a TSV palette's image is 1 x 1,
    its space ``"rgb"``, its inertia 0 and its shares those written, to six decimals (summing
    to 1). GPL, ASE and CSS files are for design tools, not read here."""
    name = params.file_name(path)
    fmt = params.readable_data_format(path, params.PALETTE_DATA)  # before reading: .ase is no text
    text = read_text(path)
    if fmt == DataFormat.TSV:
        # not splitlines(), which also ends a line at a form feed or the like in a name
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        if lines and lines[-1] == "":
            lines.pop()
        escaped = bool(lines) and lines[0] == TSV_MARK
        if lines and lines[0] in (TSV_MARK, _OLD_TSV_MARK):
            lines = lines[1:]
        if not lines or lines[0] != TSV_HEADER:
            raise DataFormatError(f"{name}: not a streamprint palette TSV")
        groups: dict[str, tuple[list, list]] = {}
        for n, line in enumerate(lines[1:], start=2):
            parts = line.split("\t")
            try:
                image, hexcode, _, share = parts
                image = _unescape(image) if escaped else image
                colors, shares = groups.setdefault(image, ([], []))
                colors.append(from_hex(hexcode))
                shares.append(float(share))
            except ValueError as exc:
                raise DataFormatError(f"{name}: line {n}: malformed row ({exc})") from exc
        return [ImagePalette(img, _palette(name, img, c, s), 1, 1) for img, (c, s) in groups.items()]
    data = parse_json(text, name)
    if isinstance(data, dict) and data.get("format") == FORMAT_NAME:
        if data.get("version") != FORMAT_VERSION:
            raise DataFormatError(f"{name}: unsupported palette file version {data.get('version')!r}")
        data = data.get("palettes")
    if not isinstance(data, list):
        raise DataFormatError(f"{name}: not a streamprint palette file")
    return [_image_palette(Fields(item, name, f"[{i}]"), name, f"[{i}]") for i, item in enumerate(data)]


def _image_palette(f: Fields, name: str, where: str) -> ImagePalette:
    """One palette of a JSON palette file, ``f`` its object at ``where``."""
    entries = f.objects("colors")
    colors = [_hex_color(e) for e in entries]
    shares = [e.float("share", low=0.0) for e in entries]
    average = f.str("average", default=None, optional=True)
    mean = None if average is None else f.build("average", lambda: from_hex(average))
    palette = _palette(name, where, colors, shares, f.number("inertia", default=0.0), f.bool("cut", default=False),
                       mean)
    return f.build(None, lambda: ImagePalette(f.str("image"), palette,
                                              f.int("width", low=1), f.int("height", low=1),
                                              f.str("space", default="rgb")))


def _hex_color(e: Fields) -> tuple[int, int, int]:
    return e.build("hex", lambda: from_hex(e.str("hex")))
