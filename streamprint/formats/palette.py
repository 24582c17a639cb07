"""Image palettes as files and text: JSON (a list, one entry per image), TSV (one row per
colour: image, #hex, [r, g, b], share), and the table the palette command prints."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .. import params
from ..enums import DataFormat
from ..errors import DataFormatError
from ..model import ImagePalette, Palette, from_hex
from .common import Fields, parse_json, read_text, write_text

FORMAT_NAME = "streamprint-palettes"
FORMAT_VERSION = 1
#: TSV: this mark line, then the header, then one row per colour.
TSV_MARK = f"# {FORMAT_NAME} {FORMAT_VERSION}"
TSV_HEADER = "image\thex\trgb\tshare"


def _rgb(c: np.ndarray) -> str:
    return f"[{int(c[0])}, {int(c[1])}, {int(c[2])}]"


def palette_to_dict(p: ImagePalette) -> dict[str, Any]:
    return {
        "image": p.path, "width": p.width, "height": p.height, "space": p.space,
        "colors": [{"hex": h, "rgb": [int(v) for v in c], "share": float(w)}
                   for h, c, w in zip(p.hex, p.colors, p.weights)],
    }


def palette_table(p: ImagePalette) -> str:
    """HEX, 8-bit RGB and share, one colour a line, under the image's name."""
    lines = [f"{p.path}", f"  {'hex':<8} {'rgb':<16} {'share':>6}"]
    for h, c, w in zip(p.hex, p.colors, p.weights):
        lines.append(f"  {h:<8} {_rgb(c):<16} {100 * w:5.1f}%")
    return "\n".join(lines)


def _is_tsv(path: str | os.PathLike[str]) -> bool:
    return params.data_format_for(path, allowed=(DataFormat.JSON, DataFormat.TSV)) == DataFormat.TSV


def write_palettes(palettes: list[ImagePalette], path: str | os.PathLike[str]) -> None:
    """TSV when ``path`` ends in .tsv, JSON when in .json; atomically."""
    if _is_tsv(path):
        rows = [TSV_MARK, TSV_HEADER] + [f"{p.path}\t{h}\t{_rgb(c)}\t{w:.6f}"
                               for p in palettes for h, c, w in zip(p.hex, p.colors, p.weights)]
        write_text(path, "\n".join(rows) + "\n")
    else:
        data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "palettes": [palette_to_dict(p) for p in palettes]}
        write_text(path, json.dumps(data, indent=1) + "\n")


def _palette(name: str, where: str, colors: list[tuple[int, int, int]], shares: list[float]) -> Palette:
    try:
        return Palette(np.array(colors, np.uint8).reshape(-1, 3), np.array(shares, np.float64) / sum(shares))
    except (ValueError, ZeroDivisionError) as exc:
        raise DataFormatError(f"{name}: {where}: {exc}") from exc


def read_palettes(path: str | os.PathLike[str]) -> list[ImagePalette]:
    """Palettes written by :func:`write_palettes` (or by streamprint 0.1, without the mark).
    TSV keeps no image sizes (read as 1 x 1)."""
    name = str(Path(path))
    text = read_text(path)
    out: list[ImagePalette] = []
    if _is_tsv(path):
        lines = text.splitlines()
        if lines and lines[0] == TSV_MARK:
            lines = lines[1:]
        if not lines or lines[0] != TSV_HEADER:
            raise DataFormatError(f"{name}: not a streamprint palette TSV")
        groups: dict[str, tuple[list, list]] = {}
        for n, line in enumerate(lines[1:], start=2):
            parts = line.split("\t")
            try:
                image, hexcode, _, share = parts
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
    for i, item in enumerate(data):
        f = Fields(item, name, f"[{i}]")
        entries = f.objects("colors")
        colors = [e.build("hex", lambda e=e: from_hex(e.str("hex"))) for e in entries]
        shares = [e.float("share", low=0.0) for e in entries]
        out.append(f.build(None, lambda f=f, c=colors, s=shares: ImagePalette(
            f.str("image"), _palette(name, f"[{i}]", c, s), f.int("width", low=1), f.int("height", low=1),
            f.str("space", default="rgb"))))
    return out
