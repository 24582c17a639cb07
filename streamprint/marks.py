"""Streamprint's mark on its outputs, and how a file is told to be one of them.

Every output carries a mark (a PNG text chunk, EXIF Software in JPEG and WebP, an SVG or
HTML comment, a PDF's Creator, a format key in JSON, a first line in CSV and TSV, a first
comment in a GIMP palette or CSS file), so that streamprint can tell its own files from the
user's (:func:`written_by_streamprint`); which of them it may replace is
:func:`streamprint.atomic.check_replace`'s rule. Streamprint's own bookkeeping files (a
batch's manifest, the gallery's cache) are no outputs: their rule is
:func:`bookkeeping_refused`. A GIMP palette's or CSS file's mark also
carries a digest of the rest of the file (:func:`seal`), since users add to such files: one
changed since streamprint wrote it is the user's. An ASE file has no room for a mark that
every reader skips, so no ASE file is streamprint's (:func:`why_not_own` says which).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

from .warned import caught

#: The mark's text: "Software" in images, a comment in SVG.
SOFTWARE = "streamprint"

#: The kinds of data file that are outputs (a command's ``--data``, palette data), by the
#: format they name (``streamprint-fingerprint``). The other formats a JSON file of
#: streamprint's names (the manifest, the gallery's cache) are its own bookkeeping, never
#: a command's output.
DATA_KINDS = ("fingerprint", "palettes")
#: The format a JSON file of streamprint's names first.
_JSON_FORMAT = re.compile(rb'^\s*\{\s*"format"\s*:\s*"streamprint-([a-z-]+)"')
#: streamprint 0.1's manifest, which named no format: as its ``json.dumps(indent=1)`` began.
_MANIFEST_0_1 = re.compile(rb'^\{\n "version": 1,\n "entries": \{')
_SVG_MARK = re.compile(rb"^(?:<\?xml [^>]*>\s*)?(?:<!DOCTYPE [^>]*>\s*)?<svg [^>]*>\n<!-- " + SOFTWARE.encode() + rb" ")
#: A PDF's document information names streamprint as its Creator. The information
#: dictionary is written last, just before the cross-reference table and the trailer.
_PDF_INFO = re.compile(rb"/Info (\d+) 0 R")
_PDF_TAIL = 1 << 16
_HTML_MARK = re.compile(rb"^<!DOCTYPE html>\n<!-- " + SOFTWARE.encode() + rb" ")
_TEXT_MARK = re.compile(rb"^# streamprint-(" + "|".join(DATA_KINDS).encode() + rb") ")
#: Palettes for design tools (:mod:`streamprint.formats.swatches`): a GIMP palette's first
#: comment, after its header; a CSS file's first comment, after its @charset rule. Both
#: carry a seal (:func:`seal`).
_GPL_MARK = re.compile(rb"^GIMP Palette\nName: [^\n]*\nColumns: \d+\n# " + SOFTWARE.encode() + rb" ")
_CSS_MARK = re.compile(rb'^@charset "UTF-8";\n/\* ' + SOFTWARE.encode() + rb" ")
#: Where :func:`seal` puts the digest in a text: a character no such text holds otherwise
#: (:func:`streamprint.formats.swatches.label` makes names' controls U+FFFD).
SEAL_SLOT = "\x00"
#: The seal in a mark: the mark is the first line that starts as one (a name, which comes
#: before it in a GIMP palette, holds no line break, so none can pass for it).
_SEAL = re.compile(rb"(?:^|\n)(?:# |/\* )" + SOFTWARE.encode() + rb" [^ \n]*( \(sha256 ([0-9a-f]{32})\))")
#: The largest sealed file read whole to check its seal, bytes.
_SEALED_MAX = 1 << 26
#: How a file with no room for a mark starts: Adobe Swatch Exchange.
_UNMARKABLE = (b"ASEF",)


def _digest(data: bytes) -> bytes:
    return hashlib.sha256(data).hexdigest()[:32].encode()


def seal(data: bytes) -> bytes:
    """``data`` (a text output with one :data:`SEAL_SLOT`, in its mark) with that slot
    replaced by `` (sha256 HEX)``: the first 128 bits of the SHA-256 of ``data`` without the
    slot, so that a file changed since (a rule added to a CSS file, a colour to a GIMP
    palette) no longer passes :func:`sealed`."""
    slot = SEAL_SLOT.encode()
    at = data.index(slot)
    rest = data[:at] + data[at + len(slot):]
    return data[:at] + b" (sha256 " + _digest(rest) + b")" + data[at + len(slot):]


def sealed(data: bytes) -> bool:
    """Whether ``data`` holds a seal that :func:`seal` made of the rest of it, unchanged."""
    m = _SEAL.search(data)
    return m is not None and hmac.compare_digest(m.group(2), _digest(data[:m.start(1)] + data[m.end(1):]))


def why_not_own(path: str | os.PathLike[str]) -> str:
    """Why the file at ``path``, which is not :func:`written_by_streamprint`, is not taken for
    streamprint's, in words that follow "PATH exists and": a format with no room for a mark
    (ASE), streamprint's mark over contents changed since (or a GIMP palette or CSS file
    written before marks were sealed), or no mark at all."""
    head = _head(Path(path)) or b""
    if head.startswith(_UNMARKABLE):
        return "is an ASE file, which has no room for a mark to tell streamprint's own"
    if _GPL_MARK.match(head) or _CSS_MARK.match(head):
        return "was changed since streamprint wrote it"
    return "was not written by streamprint"


def _head(path: Path) -> bytes | None:
    """The first 4 KiB of a regular file (a FIFO would block), or None."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with open(path, "rb") as f:
            return f.read(4096)
    except OSError:
        return None


def _json_format(head: bytes) -> str | None:
    """The format a file that begins with ``head`` names, without its ``streamprint-``,
    when it begins as streamprint's JSON files do (``{"format": "streamprint-..."``, or as
    0.1's manifest did); else None."""
    m = _JSON_FORMAT.match(head)
    return m.group(1).decode() if m else "manifest" if _MANIFEST_0_1.match(head) else None


def _json_format_anywhere(path: str | os.PathLike[str]) -> str | None:
    """The format a JSON object at ``path`` names (``"format": "streamprint-..."``, without
    its ``streamprint-``) wherever the key stands among the others, or None: read whole,
    only when the sniff of its head found none."""
    import json

    try:
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
            data = json.loads(f.read())
    except (OSError, ValueError, RecursionError):
        return None
    name = data.get("format") if isinstance(data, dict) else None
    return name.removeprefix("streamprint-") if isinstance(name, str) and name.startswith("streamprint-") else None


def data_kind(path: str | os.PathLike[str]) -> str | None:
    """``"fingerprint"`` or ``"palettes"`` when ``path`` is a regular file that starts as
    streamprint's data files of that kind do (JSON or CSV/TSV); else None. A sniff only:
    reading it is the formats' job, which validates everything."""
    head = _head(Path(path))
    if head is None:
        return None
    kind = _json_format(head)
    m = _TEXT_MARK.match(head)
    return kind if kind in DATA_KINDS else m.group(1).decode() if m else None


def bookkeeping_refused(path: str | os.PathLike[str], format_name: str) -> str | None:
    """The rule for a bookkeeping file of streamprint's (a batch's manifest, the gallery's
    cache: JSON files that name ``format_name``, ``streamprint-manifest``), as
    :func:`streamprint.atomic.check_replace` is for outputs: why the file at ``path`` is
    none that streamprint may read as its own or replace, in words that follow "it" (``is a
    directory``, ``was not written by streamprint``); or None: there is none (nor at the
    end of a link: written where it leads, as an output is), an empty file (nobody's data:
    ``touch``, a copy cut short), or one that names ``format_name`` first, whole or damaged
    (its reader says what becomes of a damaged one). Anything else is never replaced,
    whatever ``overwrite`` says of outputs: a file of the user's or a link to one, a FIFO,
    a device, a folder, and a file of streamprint's of another kind (a data file is a
    user's output; a manifest is no cache). Read through links; a FIFO is never read."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            return "is a directory"
        if not stat.S_ISREG(mode):
            return "is not a regular file (a FIFO, a device or a socket)"
        with open(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:  # (a FIFO since: no wait)
            st = os.fstat(f.fileno())
            head = f.read(4096) if stat.S_ISREG(st.st_mode) else None
    except FileNotFoundError:
        return None
    except OSError as exc:  # a loop of links, a file it may not read
        return f"cannot be read ({exc.strerror or exc})"
    if head is None:
        return "is not a regular file (a FIFO, a device or a socket)"
    if not head:  # (empty)
        return None
    found, wanted = _json_format(head), format_name.removeprefix("streamprint-")
    if found is None and head.lstrip().startswith(b"{"):
        found = _json_format_anywhere(path)  # (its keys reordered by a tool: jq -S puts "entries" first)
    if found is None:
        return "was not written by streamprint"
    return None if found == wanted else \
        f"is streamprint's {found.replace('-', ' ')} file, not its {wanted.replace('-', ' ')}"


def written_by_streamprint(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` is an output streamprint wrote for a user (see the module
    docstring): a strip, a card, fingerprint or palette data. A batch's own bookkeeping
    (manifest, checkpoints) does not count: it is never a command's output. Only regular
    files are read (a FIFO would block)."""
    p = Path(path)
    head = _head(p)
    if head is None:
        return False
    if _json_format(head) in DATA_KINDS or any(m.match(head) for m in (_SVG_MARK, _HTML_MARK, _TEXT_MARK)):
        return True
    if _GPL_MARK.match(head) or _CSS_MARK.match(head):
        return _sealed_file(p)
    if head.startswith(b"%PDF-"):
        return _pdf_marked(p)
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8") or head[8:12] == b"WEBP":
        try:
            # the format's own reader, not Image.open, and WebP's chunks read here: the mark
            # is read without Pillow's pixel limit, which streamprint's own large strips (up
            # to 2^28 pixels) pass
            from PIL import Image, JpegImagePlugin, PngImagePlugin

            with caught(Warning):  # Pillow's "Corrupt EXIF data": nobody's mark, said in one place
                if head[8:12] == b"WEBP":
                    exif = Image.Exif()
                    exif.load(_riff_chunk(p, b"EXIF"))
                    software = exif.get(0x0131) or ""
                else:
                    reader = PngImagePlugin.PngImageFile if head.startswith(b"\x89PNG") else JpegImagePlugin.JpegImageFile
                    with reader(os.fspath(p)) as im:
                        software = im.info.get("Software") or im.getexif().get(0x0131) or ""
        except Exception:  # a damaged image is nobody's mark
            return False
        return str(software).startswith(SOFTWARE)
    return False


def _riff_chunk(path: Path, fourcc: bytes) -> bytes:
    """The data of the first ``fourcc`` chunk of a RIFF file (WebP), b"" without one; only
    the chunks' headers are read on the way."""
    with open(path, "rb") as f:
        end = 8 + int.from_bytes(f.read(12)[4:8], "little")
        while f.tell() + 8 <= end:
            header = f.read(8)
            if len(header) < 8:  # the file is shorter than its RIFF size says
                break
            size = int.from_bytes(header[4:8], "little")
            if header[:4] == fourcc:
                return f.read(size)
            f.seek(size + (size & 1), os.SEEK_CUR)
    return b""


def _sealed_file(path: Path) -> bool:
    """Whether the file at ``path`` (read whole, up to :data:`_SEALED_MAX` bytes) is
    :func:`sealed`."""
    try:
        if path.stat().st_size > _SEALED_MAX:
            return False
        return sealed(path.read_bytes())
    except OSError:
        return False


def _pdf_marked(path: Path) -> bool:
    """Whether the PDF at ``path`` names streamprint as its Creator: the trailer's /Info
    object, found in the file's last 64 KiB, must hold ``/Creator (streamprint ...)``."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - _PDF_TAIL))
            tail = f.read()
    except OSError:
        return False
    infos = _PDF_INFO.findall(tail)
    if not infos:
        return False
    obj = re.search(rb"(?:^|[\r\n])" + infos[-1] + rb" 0 obj\s*<<(.*?)>>\s*endobj", tail, re.S)
    return obj is not None and re.search(rb"/Creator\s*\(" + SOFTWARE.encode() + rb"[ )]", obj.group(1)) is not None
