"""Safe output: atomic writes, the mark on every output, and "an output is never an input".

Every file streamprint writes goes to a temporary file beside the target and is renamed
over it, so a crash, Ctrl-C or full disk never leaves a half-written output. Every output
carries a mark (a PNG text chunk, EXIF Software in JPEG and WebP, an SVG or HTML comment,
a format key in JSON, a first line in CSV and TSV), so that streamprint can tell its own files from
the user's: :func:`check_outputs` refuses to replace a file streamprint did not write (unless
told to overwrite) and, always, any output that is one of the inputs.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError, ParameterError

#: The mark's text: "Software" in images, a comment in SVG.
SOFTWARE = "streamprint"
#: Temporary files are ``.streamprint-XXXXXXXX.tmp`` beside their target: short, so any
#: name the file system takes as a target also fits as a temporary name.
TEMP_PREFIX, TEMP_SUFFIX = ".streamprint-", ".tmp"


def _directory(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def _temp(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on clean exit, fsync and rename it over ``path``.

    On any exception the temporary file is removed and ``path`` is left untouched.
    Raises :class:`OutputError` when the directory is missing or not writable.
    """
    target = Path(path)
    directory = _directory(target)
    if not directory.is_dir():
        raise OutputError(f"cannot write {target}: directory {directory} does not exist")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a directory")
    try:
        fd, tmp_name = _temp(directory)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; give the output the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


def check_writable(path: str | os.PathLike[str]) -> None:
    """Fail early, before hours of decoding, if ``path`` cannot be written: try creating
    (and removing) a temporary file beside it, named as the real one's will be."""
    p = Path(path)
    parent = _directory(p)
    if p.is_dir():
        raise OutputError(f"cannot write {p}: it is a directory")
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise OutputError(f"cannot write {p}: {parent} {what}")
    if len(p.name.encode()) > 255:
        raise OutputError(f"cannot write {p}: file name too long")
    try:
        fd, name = _temp(parent)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError(f"cannot write {p}: {exc.strerror or exc}") from exc


def is_temp_file(path: Path) -> bool:
    """True for a temporary file :func:`atomic_output` makes (left behind by a kill)."""
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)


_JSON_MARK = re.compile(rb'^\s*\{\s*"format"\s*:\s*"streamprint-(fingerprint|palettes)"')
_SVG_MARK = re.compile(rb"^<svg [^>]*>\n<!-- " + SOFTWARE.encode() + rb" ")
_HTML_MARK = re.compile(rb"^<!DOCTYPE html>\n<!-- " + SOFTWARE.encode() + rb" ")
_TEXT_MARKS = (b"# streamprint-fingerprint ", b"# streamprint-palettes ")


def written_by_streamprint(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` is an output streamprint wrote for a user (see the module
    docstring): a strip, a card, fingerprint or palette data. A batch's own bookkeeping
    (manifest, checkpoints) does not count: it is never a command's output. Only regular
    files are read (a FIFO would block)."""
    p = Path(path)
    try:
        if not stat.S_ISREG(p.stat().st_mode):
            return False
        with open(p, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    if _JSON_MARK.match(head) or _SVG_MARK.match(head) or _HTML_MARK.match(head) or head.startswith(_TEXT_MARKS):
        return True
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8") or head[8:12] == b"WEBP":
        try:
            from PIL import Image

            with Image.open(p) as im:
                software = im.info.get("Software") or im.getexif().get(0x0131) or ""
        except Exception:  # a damaged image is nobody's mark
            return False
        return str(software).startswith(SOFTWARE)
    return False


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def check_outputs(outputs: Iterable[tuple[str, str | os.PathLike[str]]],
                  inputs: Iterable[str | os.PathLike[str]] = (), overwrite: bool = False) -> None:
    """Refuse, before any work, outputs that would destroy something: an output that is an
    input (same path or same file, whatever ``overwrite`` says), two outputs that are one
    file, and an existing file streamprint did not write (unless ``overwrite``).
    ``outputs`` are (parameter name, path) pairs, so the error can say which one."""
    outs = [(name, Path(p)) for name, p in outputs]
    ins = [Path(p) for p in inputs if os.fspath(p) != "-"]
    for _, out in outs:
        if len(out.name.encode()) > 255 or len(os.fsencode(out)) > 4095:
            raise OutputError(f"cannot write {out}: file name too long")
    for i, (name, out) in enumerate(outs):
        for src in ins:
            if _same(out, src):
                raise ParameterError(name, f"{out} is the input: streamprint never writes over its input")
        for other_name, other in outs[:i]:
            if _same(out, other):
                raise ParameterError(name, f"{out} is also the {{param:{other_name}}} file")
        try:
            exists, is_dir = out.exists(), out.is_dir()
            special = exists and not is_dir and not stat.S_ISREG(out.stat().st_mode)
        except OSError as exc:
            raise OutputError(f"cannot write {out}: {exc.strerror or exc}") from exc
        if is_dir:
            raise OutputError(f"cannot write {out}: it is a directory")
        if special:
            raise OutputError(f"cannot write {out}: it is not a regular file (a FIFO, a device or a socket)")
        if exists and not overwrite and not written_by_streamprint(out):
            raise ParameterError(name, f"{out} exists and was not written by streamprint; pass "
                                       "{param:overwrite} to replace it")
        check_writable(out)
