"""Palettes for design tools, written (never read: streamprint reads its palettes from JSON
or TSV): a GIMP palette (``.gpl``), Adobe Swatch Exchange (``.ase``) and CSS custom
properties (``.css``). Each palette is named after its picture or movie: the file's name
without folders (:func:`label`); each colour after the palette and its place, 1 the most
frequent, in the order :class:`~streamprint.model.Palette` keeps them (by share). Colours
are the palette's 8-bit sRGB values, which it rounded from the clusters' centres.

- GPL (GIMP's format, https://developer.gimp.org/core/standards/gpl): ``GIMP Palette``,
  ``Name:``, ``Columns:``, ``#`` comments (streamprint's mark, and each colour's share
  before its line), then ``R G B<TAB>name`` a colour. One palette a file: several are a
  :class:`~streamprint.errors.ParameterError` (:func:`check_count`).
- ASE (big-endian): ``ASEF``, version 1.0, the number of blocks, then for each palette a
  group (start block 0xC001 with its name, one colour block 0x0001 a colour: name, model
  ``RGB ``, three float32 0-1, type normal; end block 0xC002). Names are UTF-16BE with a
  terminating NUL, their length counted in 16-bit units, NUL included. ASE has no place for
  a mark that every reader skips (GIMP reads a colour block without its length, others read
  blocks to the end of the file), so streamprint tells its own by their form
  (:func:`is_own_ase`).
- CSS: ``@charset "UTF-8";``, the mark in a comment, then ``:root { ... }`` with one
  custom property a colour, ``--NAME-1: #rrggbb; /* 41.2% */``, the palette's name made an
  identifier by :func:`css_name` (names that come out the same get ``-2``, ``-3``, ...).
"""

from __future__ import annotations

import os
import re
import struct
import unicodedata
from collections.abc import Sequence

from .. import __version__, params
from ..enums import DataFormat
from ..errors import ParameterError
from ..marks import SOFTWARE
from ..model import Palette

#: The longest name a palette gets, characters (a file's name is at most 255 bytes).
MAX_LABEL = 255
#: Characters no name keeps, each written U+FFFD: controls (a line break would end a GPL
#: line), format characters (U+202E would turn the text after it around), line and paragraph
#: separators, and surrogates (the bytes of a file name that is not UTF-8).
_UNSAFE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))

GPL_MAGIC = "GIMP Palette"
ASE_MAGIC, ASE_VERSION = b"ASEF", (1, 0)
ASE_GROUP_START, ASE_GROUP_END, ASE_COLOR = 0xC001, 0xC002, 0x0001
ASE_RGB = b"RGB "
#: Colour types of an ASE entry: 0 global, 1 spot, 2 normal (a process colour).
ASE_NORMAL = 2
CSS_CHARSET = '@charset "UTF-8";'

Named = Sequence[tuple[str, Palette]]


def label(name: str) -> str:
    """What a palette is called: ``name``'s last path component (``-``, standard input, is
    ``stdin``), its unsafe characters (:data:`_UNSAFE`) written U+FFFD, at most
    :data:`MAX_LABEL` characters; ``palette`` when nothing is left."""
    base = "stdin" if name == params.STDIN else os.path.basename(name)
    safe = "".join("\ufffd" if unicodedata.category(c) in _UNSAFE else c for c in base)
    return safe[:MAX_LABEL] or "palette"


def check_count(fmt: DataFormat, count: int, path: str, name: str = "path") -> None:
    """A GIMP palette holds one palette: ParameterError (naming the parameter ``name``) for
    ``count`` other than 1 written as GPL, and for none written as any swatch format."""
    if count < 1:
        raise ParameterError(name, f"{path}: no palette to save")
    if fmt == DataFormat.GPL and count > 1:
        raise ParameterError(name, f"{path}: a GIMP palette holds one palette, not {count}: write one .gpl "
                                   "per image, or all of them to .ase, .css, .json or .tsv")


def encode(fmt: DataFormat, palettes: Named) -> bytes:
    """The bytes of a swatch file of format ``fmt`` holding ``palettes``, (name, palette)
    pairs, the names as given (file paths; :func:`label` makes them safe)."""
    named = [(label(n), p) for n, p in palettes]
    if fmt == DataFormat.GPL:
        return _gpl(*named[0]).encode("utf-8")
    if fmt == DataFormat.ASE:
        return _ase(named)
    return _css(named).encode("utf-8")


def _share(weight: float) -> str:
    return f"{100 * weight:.1f}%"


def _gpl(name: str, palette: Palette) -> str:
    lines = [GPL_MAGIC, f"Name: {name}", f"Columns: {len(palette)}",
             (f"# {SOFTWARE} {__version__}: the dominant colours of {name}, most frequent first, each after a "
              "comment giving its share")]
    for i, (c, w) in enumerate(zip(palette.colors.tolist(), palette.weights.tolist()), start=1):
        lines += [f"# {_share(w)}", f"{c[0]} {c[1]} {c[2]}\t{name} {i}"]
    return "\n".join(lines) + "\n"


def _ase_name(name: str) -> bytes:
    units = (name + "\0").encode("utf-16-be")
    return struct.pack(">H", len(units) // 2) + units


def _ase_block(kind: int, body: bytes) -> bytes:
    return struct.pack(">HI", kind, len(body)) + body


def _ase(named: list[tuple[str, Palette]]) -> bytes:
    blocks = []
    for name, palette in named:
        blocks.append(_ase_block(ASE_GROUP_START, _ase_name(name)))
        for i, c in enumerate(palette.colors.tolist(), start=1):
            values = struct.pack(">3fH", *(v / 255 for v in c), ASE_NORMAL)
            blocks.append(_ase_block(ASE_COLOR, _ase_name(f"{name} {i}") + ASE_RGB + values))
        blocks.append(_ase_block(ASE_GROUP_END, b""))
    return ASE_MAGIC + struct.pack(">HHI", *ASE_VERSION, len(blocks)) + b"".join(blocks)


def css_name(name: str) -> str:
    """``name`` as the start of a custom property's name: lower case, each run of
    characters that are neither letters, digits nor ``_`` one ``-`` (so ``Sunset.JPG`` is
    ``sunset-jpg``); ``palette`` when nothing is left. Letters beyond ASCII stay (CSS takes
    them in identifiers; the file says it is UTF-8)."""
    return re.sub(r"[^\w]+", "-", name.lower()).strip("-") or "palette"


def _comment(text: str) -> str:
    """``text`` as it can sit in a CSS comment, which the first ``*/`` ends."""
    return text.replace("*/", "*\\/")


def _css(named: list[tuple[str, Palette]]) -> str:
    lines = [CSS_CHARSET, (f"/* {SOFTWARE} {__version__}: the dominant colours of each picture, most frequent "
                           "first, with their shares */"), ":root {"]
    stems: set[str] = set()  # (a property's name less its "-N" says its stem: one stem, one palette)
    for name, palette in named:
        first = stem = css_name(name)
        for n in range(2, len(named) + 2):
            if stem not in stems:
                break
            stem = f"{first}-{n}"
        stems.add(stem)
        lines.append(f"  /* {_comment(name)} */")
        for i, (c, w) in enumerate(zip(palette.hex, palette.weights.tolist()), start=1):
            lines.append(f"  --{stem}-{i}: {c}; /* {_share(w)} */")
    return "\n".join(lines + ["}"]) + "\n"


def is_own_ase(data: bytes) -> bool:
    """Whether ``data`` is an ASE file of exactly the form :func:`encode` writes: its header,
    then groups, each a start block, colour blocks named ``GROUP 1``, ``GROUP 2``, ... (RGB,
    normal, each value an 8-bit level), an end block; every length exact, nothing after."""
    try:
        if data[:4] != ASE_MAGIC or struct.unpack_from(">HHI", data, 4)[:2] != ASE_VERSION:
            return False
        count, at, group, index = struct.unpack_from(">I", data, 8)[0], 12, None, 0
        for _ in range(count):
            kind, length = struct.unpack_from(">HI", data, at)
            body, at = data[at + 6:at + 6 + length], at + 6 + length
            if len(body) != length:
                return False
            if kind == ASE_GROUP_END:
                if group is None or index == 0 or length:
                    return False
                group = None
                continue
            units = struct.unpack_from(">H", body)[0]
            name = body[2:2 + 2 * units].decode("utf-16-be")
            if not name.endswith("\0"):
                return False
            rest = body[2 + 2 * units:]
            if kind == ASE_GROUP_START and group is None and not rest:
                group, index = name[:-1], 0
            elif kind == ASE_COLOR and group is not None and name[:-1] == f"{group} {index + 1}" and len(rest) == 18:
                values = struct.unpack(">3fH", rest[4:])
                if rest[:4] != ASE_RGB or values[3] != ASE_NORMAL or any(
                        not 0 <= v <= 1 or abs(v * 255 - round(v * 255)) > 1e-3 for v in values[:3]):
                    return False
                index += 1
            else:
                return False
        return group is None and count > 0 and at == len(data)
    except (struct.error, UnicodeDecodeError):
        return False
