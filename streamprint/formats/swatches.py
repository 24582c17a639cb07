"""Palettes for design tools, written (never read: streamprint reads its palettes from JSON
or TSV): a GIMP palette (``.gpl``), Adobe Swatch Exchange (``.ase``) and CSS custom
properties (``.css``). Each palette is named after its picture or movie: the file's name
without folders (:func:`label`); each colour after the palette and its place, 1 the most
frequent, in the order :class:`~streamprint.model.Palette` keeps them (by share). Colours
are the palette's 8-bit sRGB values, which it rounded from the clusters' centres.

- GPL (GIMP's format, https://developer.gimp.org/core/standards/gpl): ``GIMP Palette``,
  ``Name:``, ``Columns:``, ``#`` comments (streamprint's mark, sealed with a digest of the
  file (:func:`streamprint.marks.seal`), and each colour's share before its line), then
  ``R G B<TAB>name`` a colour. One palette a file: several are a
  :class:`~streamprint.errors.ParameterError` (:func:`check_count`).
- ASE (big-endian): ``ASEF``, version 1.0, the number of blocks, then for each palette a
  group (start block 0xC001 with its name, one colour block 0x0001 a colour: name, model
  ``RGB ``, three float32 0-1, type normal; end block 0xC002). Names are UTF-16BE with a
  terminating NUL, their length counted in 16-bit units, NUL included. ASE has no place for
  a mark that every reader skips (GIMP reads a colour block without its length, others read
  blocks to the end of the file), so an existing ASE file is replaced only when told
  (:func:`streamprint.marks.why_not_own`).
- CSS: ``@charset "UTF-8";``, the mark in a comment (sealed, as in GPL), then ``:root { ... }`` with one
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
from ..marks import SEAL_SLOT, SOFTWARE, seal
from ..model import Palette

#: The longest name a palette gets, characters (a file's name is at most 255 bytes).
MAX_LABEL = 255
#: Characters no name keeps, each written U+FFFD: controls (a line break would end a GPL
#: line), line and paragraph separators, surrogates (the bytes of a file name that is not
#: UTF-8) by category, and the bidirectional controls (Unicode's Bidi_Control property:
#: U+202E would turn the text after it around). Other format characters stay: U+200C and
#: U+200D join Persian words and emoji, U+00AD is a soft hyphen.
_UNSAFE = frozenset(("Cc", "Cs", "Zl", "Zp"))
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: Code points CSS takes in an identifier beyond ASCII letters, digits, ``_`` and ``-``
#: (CSS Syntax Module Level 3, "non-ASCII ident code point"), inclusive ranges.
_CSS_IDENT_RANGES = ((0xB7, 0xB7), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x37D), (0x37F, 0x1FFF), (0x200C, 0x200D),
                     (0x203F, 0x2040), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF),
                     (0xFDF0, 0xFFFD), (0x10000, 0x10FFFF))

GPL_MAGIC = "GIMP Palette"
ASE_MAGIC, ASE_VERSION = b"ASEF", (1, 0)
ASE_GROUP_START, ASE_GROUP_END, ASE_COLOR = 0xC001, 0xC002, 0x0001
ASE_RGB = b"RGB "
#: Colour types of an ASE entry: 0 global, 1 spot, 2 normal (a process colour).
ASE_NORMAL = 2
CSS_CHARSET = '@charset "UTF-8";'

Named = Sequence[tuple[str, Palette]]


def label(name: str) -> str:
    """What a palette is called: ``name``'s last path component (standard input, ``-`` or
    its :data:`~streamprint.params.STDIN_NAME`, is ``stdin``), its unsafe characters
    (:data:`_UNSAFE`, :data:`_BIDI_CONTROLS`) written U+FFFD, without the spaces around it
    (GIMP strips them), at most :data:`MAX_LABEL` characters; ``palette`` when nothing is
    left."""
    base = "stdin" if name in (params.STDIN, params.STDIN_NAME) else os.path.basename(name)
    safe = "".join("\ufffd" if c in _BIDI_CONTROLS or unicodedata.category(c) in _UNSAFE else c for c in base)
    return safe.strip()[:MAX_LABEL] or "palette"


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
    if fmt == DataFormat.ASE:
        return _ase(named)
    return seal((_gpl(*named[0]) if fmt == DataFormat.GPL else _css(named)).encode("utf-8"))


def _share(weight: float) -> str:
    return f"{100 * weight:.1f}%"


def _gpl(name: str, palette: Palette) -> str:
    lines = [GPL_MAGIC, f"Name: {name}", f"Columns: {len(palette)}",
             (f"# {SOFTWARE} {__version__}{SEAL_SLOT}: the dominant colours of {name}, most frequent first, "
              "each after a comment giving its share")]
    for i, (c, w) in enumerate(zip(palette.colors.tolist(), palette.weights.tolist(), strict=True), start=1):
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


def _css_ident(c: str) -> bool:
    """Whether CSS takes ``c`` in an identifier as it is (:data:`_CSS_IDENT_RANGES`)."""
    if c.isascii():
        return c.isalnum() or c == "_"
    return any(low <= ord(c) <= high for low, high in _CSS_IDENT_RANGES)


def css_name(name: str) -> str:
    """``name`` as the start of a custom property's name: lower case, each run of
    characters CSS does not take in an identifier (:func:`_css_ident`; ``-`` included) one
    ``-`` (so ``Sunset.JPG`` is ``sunset-jpg``); ``palette`` when nothing is left. Letters
    beyond ASCII stay (the file says it is UTF-8)."""
    kept = "".join(c if _css_ident(c) else "-" for c in name.lower())
    return re.sub(r"-+", "-", kept).strip("-") or "palette"


def _comment(text: str) -> str:
    """``text`` as it can sit in a CSS comment, which the first ``*/`` ends."""
    return text.replace("*/", "*\\/")


def _css(named: list[tuple[str, Palette]]) -> str:
    lines = [CSS_CHARSET, (f"/* {SOFTWARE} {__version__}{SEAL_SLOT}: the dominant colours of each picture, "
                           "most frequent first, with their shares */"), ":root {"]
    stems: set[str] = set()  # (a property's name less its "-N" says its stem: one stem, one palette)
    for name, palette in named:
        first = stem = css_name(name)
        for n in range(2, len(named) + 2):
            if stem not in stems:
                break
            stem = f"{first}-{n}"
        stems.add(stem)
        lines.append(f"  /* {_comment(name)} */")
        for i, (c, w) in enumerate(zip(palette.hex, palette.weights.tolist(), strict=True), start=1):
            lines.append(f"  --{stem}-{i}: {c}; /* {_share(w)} */")
    return "\n".join(lines + ["}"]) + "\n"
