"""Safe output: atomic writes, the mark on every output, and "an output is never an input".

Every file streamprint writes goes to a temporary file beside the target and is renamed
over it, so a crash, Ctrl-C or full disk never leaves a half-written output. The files one
run writes together (a picture and its data file) are renamed together, inside
:func:`together`: all of them written first, then renamed; if a rename fails, those renamed
before it are put back, so the files never mix two runs. Every output
carries a mark (a PNG text chunk, EXIF Software in JPEG and WebP, an SVG or HTML comment,
a PDF's Creator, a format key in JSON, a first line in CSV and TSV), so that streamprint can tell its own files from
the user's: :func:`check_outputs` refuses to replace a file streamprint did not write (unless
told to overwrite) and, always, any output that is one of the inputs.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import secrets
import shutil
import re
import stat
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError, ParameterError

log = logging.getLogger("streamprint")

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
def atomic_output(path: str | os.PathLike[str], mode: str = "wb", sync: bool = True) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on clean exit, fsync and rename it over ``path``.

    On any exception the temporary file is removed and ``path`` is left untouched.
    Raises :class:`OutputError` when the directory is missing or not writable. Without
    ``sync`` (a live run's rewrites in the middle) there is no fsync: readers still see the
    old file or the new one whole, but after a power cut the new one may be lost.
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
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(target))  # mkstemp creates 0600
        group = _GROUP.get()
        if group is not None:  # renamed with the others when the group ends
            group.add(tmp_name, target)
            return
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        raise


#: The group of outputs written now in this thread (or task), inside :func:`together`.
_GROUP: contextvars.ContextVar[_Group | None] = contextvars.ContextVar("streamprint_outputs", default=None)


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Write several outputs as one: every :func:`atomic_output` inside the block writes its
    temporary file whole and waits; when the block ends, they are renamed over their
    targets in the order they were written. When one cannot be written, none is renamed;
    when a rename fails, the targets renamed before it get their previous files back (or
    are removed, when there was none). Either way no temporary file is left, and the
    error is the failed file's :class:`OutputError`. So a picture and its data file are
    both the new run's or both the old one's, as far as the file system allows (a machine
    that stops between two renames can still leave them apart). A block inside another
    joins it."""
    if _GROUP.get() is not None:
        yield
        return
    group = _Group()
    token = _GROUP.set(group)
    try:
        yield
    except BaseException:
        group.discard()
        raise
    finally:
        _GROUP.reset(token)
    group.commit()


class _Group:
    """The temporary files of a :func:`together` block, and their targets."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, Path]] = []

    def add(self, tmp_name: str, target: Path) -> None:
        self.pending.append((tmp_name, target))

    def discard(self) -> None:
        for tmp_name, _ in self.pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        self.pending = []

    def commit(self) -> None:
        pending, self.pending = self.pending, []
        backups: list[str | None] = []  # each target's previous file, but the last one's
        renamed, target = 0, None
        try:
            for _, target in pending[:-1]:  # the last rename failing changes nothing: no copy
                backups.append(_backup(target))
            for tmp_name, target in pending:
                os.replace(tmp_name, target)
                renamed += 1
        except BaseException as exc:  # (an interrupt too: the files go back as they were)
            for (_, done), backup in reversed(list(zip(pending[:renamed], backups))):
                _restore(done, backup)
            for tmp_name, _ in pending[renamed:]:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
            raise
        finally:
            for backup in backups:  # (one put back is gone already)
                if backup is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(backup)


def _backup(target: Path) -> str | None:
    """Another name for ``target``'s present file, beside it (a hard link, else a copy), to
    put it back with; None when there is none."""
    if not os.path.lexists(target):
        return None
    while True:
        name = os.path.join(_directory(target), f"{TEMP_PREFIX}{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            os.link(target, name, follow_symlinks=False)
            return name
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            try:
                shutil.copy2(target, name, follow_symlinks=False)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(name)
                raise
            return name


def _restore(target: Path, backup: str | None) -> None:
    """Put ``target``'s previous file back (``backup``; None: it had none, remove it)."""
    try:
        if backup is None:
            os.unlink(target)
        else:
            os.replace(backup, target)
    except OSError as exc:
        log.warning("cannot put back the previous %s (%s): it holds the new output", target, exc.strerror or exc)


def _mode_for(target: Path) -> int:
    """The permissions an output gets: those of the file it replaces (a user's 0640 stays
    0640, as when a program writes into an existing file), else the usual 0666 less the umask."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def check_name(path: str | os.PathLike[str]) -> None:
    """OutputError when ``path``'s name (or the whole path) is longer than file systems take
    (255 bytes a name, 4095 a path), so that no work is done for an output that cannot be."""
    p = Path(path)
    if len(os.fsencode(p.name)) > 255 or len(os.fsencode(p)) > 4095:
        raise OutputError(f"cannot write {p}: file name too long")


def make_folders(folder: str | os.PathLike[str]) -> list[Path]:
    """Make ``folder`` and its missing parents; returns those it made, outermost first.
    OutputError, one line, when it cannot be made (a file in the way, no permission, /proc)."""
    folder = Path(folder)
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    return missing


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
    check_name(p)
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
_SVG_MARK = re.compile(rb"^(?:<\?xml [^>]*>\s*)?(?:<!DOCTYPE [^>]*>\s*)?<svg [^>]*>\n<!-- " + SOFTWARE.encode() + rb" ")
#: A PDF's document information names streamprint as its Creator. The information
#: dictionary is written last, just before the cross-reference table and the trailer.
_PDF_INFO = re.compile(rb"/Info (\d+) 0 R")
_PDF_TAIL = 1 << 16
_HTML_MARK = re.compile(rb"^<!DOCTYPE html>\n<!-- " + SOFTWARE.encode() + rb" ")
_TEXT_MARK = re.compile(rb"^# streamprint-(fingerprint|palettes) ")


def _head(path: Path) -> bytes | None:
    """The first 4 KiB of a regular file (a FIFO would block), or None."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        with open(path, "rb") as f:
            return f.read(4096)
    except OSError:
        return None


def data_kind(path: str | os.PathLike[str]) -> str | None:
    """``"fingerprint"`` or ``"palettes"`` when ``path`` is a regular file that starts as
    streamprint's data files of that kind do (JSON or CSV/TSV); else None. A sniff only:
    reading it is the formats' job, which validates everything."""
    head = _head(Path(path))
    m = None if head is None else _JSON_MARK.match(head) or _TEXT_MARK.match(head)
    return m.group(1).decode() if m else None


def written_by_streamprint(path: str | os.PathLike[str]) -> bool:
    """Whether the file at ``path`` is an output streamprint wrote for a user (see the module
    docstring): a strip, a card, fingerprint or palette data. A batch's own bookkeeping
    (manifest, checkpoints) does not count: it is never a command's output. Only regular
    files are read (a FIFO would block)."""
    p = Path(path)
    head = _head(p)
    if head is None:
        return False
    if _JSON_MARK.match(head) or _SVG_MARK.match(head) or _HTML_MARK.match(head) or _TEXT_MARK.match(head):
        return True
    if head.startswith(b"%PDF-"):
        return _pdf_marked(p)
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8") or head[8:12] == b"WEBP":
        try:
            # the format's own reader, not Image.open, and WebP's chunks read here: the mark
            # is read without Pillow's pixel limit, which streamprint's own large strips (up
            # to 2^28 pixels) pass
            from PIL import Image, JpegImagePlugin, PngImagePlugin

            with warnings.catch_warnings():  # Pillow's "Corrupt EXIF data": nobody's mark, said in one place
                warnings.simplefilter("ignore")
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


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11's resolve)
        return False


def _stdin_is(out: Path) -> bool:
    """Whether standard input is redirected from the file at ``out`` (``- < out``)."""
    try:
        st, o = os.fstat(0), out.stat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) == (o.st_dev, o.st_ino)


def check_outputs(outputs: Iterable[tuple[str, str | os.PathLike[str]]],
                  inputs: Iterable[str | os.PathLike[str]] = (), overwrite: bool = False) -> None:
    """Refuse, before any work, outputs that would destroy something: an output that is an
    input (same path or same file, whatever ``overwrite`` says), two outputs that are one
    file, and an existing file streamprint did not write (unless ``overwrite``).
    ``outputs`` are (parameter name, path) pairs, so the error can say which one."""
    outs = [(name, Path(p)) for name, p in outputs]
    inputs = [os.fspath(p) for p in inputs]
    ins = [Path(p) for p in inputs if p != "-"]
    for _, out in outs:
        check_name(out)
    for i, (name, out) in enumerate(outs):
        for src in ins:
            if _same(out, src):
                raise ParameterError(name, f"{out} is the input: streamprint never writes over its input")
        if "-" in inputs and _stdin_is(out):
            raise ParameterError(name, f"{out} is the input (standard input reads it): streamprint never writes "
                                       "over its input")
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
