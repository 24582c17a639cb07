"""Whether a finished movie's outputs are still whole, told cheaply enough to ask of every
movie of a large library on every run: a ``stat`` and a file's last bytes, no more.

Every file a batch writes ends alike: a PNG with its IEND chunk, a JPEG with its end
marker, an SVG with ``</svg>``, a page with ``</html>``, a data file with the closing
brace of its object alone on its line; a WebP's RIFF header states its length. One that
ends otherwise was cut short (a copy or an rsync of OUTDIR that stopped, a disk's
error), and one of no bytes was emptied. What this cannot see: damage inside a file of
the right length and end (telling it would take reading every byte of every output, every
run), and a WebP strip cut short, whose mark of streamprint's is at its end (so it is
none of streamprint's any more, as below).

A file whose end is wrong but that carries no mark of streamprint's is the user's (a
picture of their own saved over a strip), never damage; a data file whose end is wrong is
read whole before it is called damaged (to fingerprint a movie again is to decode it
whole)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import StreamprintError
from ..formats import read_fingerprint
from ..marks import written_by_streamprint

MISSING, EMPTY, CUT = "missing", "empty", "cut short"
#: How each kind of file a batch writes ends, by its extension (the page's and the
#: gallery's templates end in ``</html>`` and a newline, ``render/svg.py`` ends an SVG so,
#: and ``formats/fingerprint.py`` writes JSON indented, its object's brace alone last).
ENDS = {".png": b"\x00\x00\x00\x00IEND\xaeB`\x82", ".jpg": b"\xff\xd9", ".jpeg": b"\xff\xd9",
        ".svg": b"</svg>\n", ".html": b"</html>\n", ".json": b"\n}\n"}
#: How a WebP file begins: RIFF, the length of what follows, WEBP.
_RIFF, _WEBP = b"RIFF", b"WEBP"


def empty(path: Path) -> bool:
    """Whether ``path`` is a regular file of no bytes: nobody's data (an output emptied by a
    copy that failed, ``touch``), which a batch writes over as it does its own."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == 0


def damage(path: Path) -> str | None:
    """How the output at ``path`` is not whole (:data:`MISSING`, :data:`EMPTY`, :data:`CUT`),
    or None when it looks whole, is none of streamprint's (see the module docstring), or is
    not a regular file (a FIFO, a folder: the user's, said if the batch is to write there)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # (a FIFO: no wait for a writer)
    except (FileNotFoundError, NotADirectoryError):
        return MISSING
    except OSError:  # (a folder, a file it may not read: not its to mend)
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        if st.st_size == 0:
            return EMPTY
        if _ends_whole(fd, st.st_size, path.suffix.lower()):
            return None
    except OSError:
        return None
    finally:
        os.close(fd)
    if not written_by_streamprint(path):
        return None
    if path.suffix.lower() == ".json":  # (the rest of it would be decoded again: sure first)
        try:
            read_fingerprint(path)
        except (StreamprintError, OSError):
            return CUT
        return None
    return CUT


def _ends_whole(fd: int, size: int, ext: str) -> bool:
    """Whether the regular file open at ``fd``, of ``size`` bytes, ends as one of ``ext``
    that streamprint wrote does (:data:`ENDS`); True of other extensions."""
    if ext == ".webp":
        head = _read(fd, 0, 12)
        return head[:4] == _RIFF and head[8:12] == _WEBP and int.from_bytes(head[4:8], "little") + 8 == size
    end = ENDS.get(ext)
    return end is None or (size >= len(end) and _read(fd, size - len(end), len(end)) == end)


def _read(fd: int, at: int, n: int) -> bytes:
    os.lseek(fd, at, os.SEEK_SET)
    return os.read(fd, n)


def damaged(outdir: Path, outputs: tuple[str, ...]) -> dict[str, str]:
    """Those of ``outputs`` (relative to ``outdir``) that are not whole, and how
    (:func:`damage`)."""
    return {o: why for o in outputs if (why := damage(outdir / o)) is not None}
