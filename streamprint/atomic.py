"""Safe output: atomic writes, which files may be replaced, and "an output is never an input".

Every file streamprint writes goes to a temporary file beside the target and is renamed
over it, so a crash, Ctrl-C or full disk never leaves a half-written output (and the
temporary files a killed run left of an output are removed when it is written again, those
provably abandoned only: :mod:`streamprint.tempfiles`). The files one run writes together
(a picture and its data file) are renamed together, inside
:func:`together`: all of them written first, then renamed; if a rename fails, those renamed
before it are put back, so the files never mix two runs. Every output carries streamprint's
mark (:mod:`streamprint.marks`), so that streamprint can tell its own files from the
user's: :func:`check_replace` is the rule, for the library's writers and the commands
alike, that a file streamprint did not write is replaced only when told (``overwrite``),
and :func:`check_outputs`, a command's check before any work, refuses besides any output
that is one of the inputs.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import signal
import stat
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from . import params
from .errors import ForeignFileError, OutputError, ParameterError
from .marks import why_not_own, written_by_streamprint
from .tempfiles import TEMP_PREFIX, TEMP_SUFFIX, backup, create, directory_of, release, remove_abandoned

log = logging.getLogger("streamprint")


def file_state(file: str | bytes | os.PathLike[str] | int) -> tuple[int, int, int, int] | None:
    """Which file is at the path ``file`` (through links) or open as the descriptor ``file``,
    as it is: device, inode, size and mtime in ns (an atomic replacement is a new inode; a
    file changed in place has another size or mtime); None when there is none."""
    try:
        st = os.stat(file)
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def through_links(target: Path) -> Path:
    """Where writing ``target`` goes: the file a symbolic link at ``target`` points to
    (through every link, made when the link dangles), so that the new file takes the
    target's place and the link stays (it was replaced by a regular file, and the file it
    points to kept the old output); ``target`` itself when it is no link, or a loop of
    links. Whether that file may be replaced is :func:`check_replace`'s rule, which reads
    through links too."""
    if not target.is_symlink():
        return target
    try:
        return Path(os.path.realpath(target, strict=True))
    except FileNotFoundError:  # a link to a file yet to be made
        return Path(os.path.realpath(target))
    except OSError:  # a loop of links, which names no file: replaced, as a file would be
        return target


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], mode: str = "wb", sync: bool = True) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on clean exit, fsync and rename it over ``path``.

    On any exception the temporary file is removed and ``path`` is left untouched.
    Raises :class:`OutputError` when the directory is missing or not writable. Without
    ``sync`` (a live run's rewrites in the middle) there is no fsync: readers still see the
    old file or the new one whole, but after a power cut the new one may be lost. Inside
    :func:`together`, the rename waits for the others'. A symbolic link at ``path`` is
    written through (:func:`through_links`). The temporary files of ``path`` that a killed
    run left are removed first, those provably abandoned only (:mod:`.tempfiles`).
    """
    target = through_links(Path(params.file_name(path)))
    directory = directory_of(target)
    if not directory.is_dir():
        raise OutputError(f"cannot write {target}: directory {directory} does not exist")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a directory")
    remove_abandoned(target)
    try:
        fd, tmp_name, lock = create(target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(target))  # mkstemp creates 0600
        group = _GROUP.get()
        if group is not None:  # renamed with the others when the group ends (locked till then)
            group.add(tmp_name, target, lock)
            return
        os.replace(tmp_name, target)
        release(lock)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        release(lock)
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
    """The temporary files of a :func:`together` block, their targets and the fds holding
    their locks (:mod:`.tempfiles`)."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, Path, int]] = []

    def add(self, tmp_name: str, target: Path, lock: int) -> None:
        self.pending.append((tmp_name, target, lock))

    def discard(self) -> None:
        for tmp_name, _, lock in self.pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            release(lock)
        self.pending = []

    def commit(self) -> None:
        try:
            with _stop_signals_held():
                self._commit()
        finally:
            self.discard()  # (what _commit did not take: a signal before it began)

    def _commit(self) -> None:
        pending, self.pending = self.pending, []
        # each target's previous file (but the last one's) and the fd holding its lock
        backups: list[tuple[str, int | None] | None] = []
        renamed, target = 0, None
        try:
            for _, target, _ in pending[:-1]:  # the last rename failing changes nothing: no copy
                backups.append(backup(target))
            for tmp_name, target, _ in pending:
                os.replace(tmp_name, target)
                renamed += 1
        except BaseException as exc:  # (an interrupt waits: :func:`_stop_signals_held`)
            # the renamed ones: fewer than the backups made (or, if a backup failed, none)
            for (_, done, _), previous in reversed(list(zip(pending[:renamed], backups, strict=False))):
                _restore(done, None if previous is None else previous[0])
            for tmp_name, _, _ in pending[renamed:]:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
            if isinstance(exc, OSError):
                raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
            raise
        finally:
            for _, _, lock in pending:
                release(lock)
            for previous in backups:  # (one put back is gone already)
                if previous is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(previous[0])
                    release(previous[1])


#: Signals that stop a run (Ctrl-C, kill, a closed terminal), held while outputs are renamed.
_STOP_SIGNALS = frozenset(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Stop signals wait until the block ends, then reach the handler they were meant for: a
    handler that raises (Python's own for SIGINT, the command's) went off between two
    renames, or in the middle of putting files back, and parted a picture from its data
    file. Renames take microseconds; the run stops right after. Python runs signal handlers
    in the main thread only, so elsewhere nothing can go off in the block."""
    caught: list[int] = []
    previous: dict[int, Any] = {}  # each handler swapped, put back however the block ends
    try:
        for sig in sorted(_STOP_SIGNALS) if threading.current_thread() is threading.main_thread() else ():
            handler = signal.getsignal(sig)
            if handler in (signal.SIG_IGN, None):  # (None: not set from Python; left alone)
                continue
            previous[sig] = handler  # first: a signal in between goes to it, which it is still
            try:
                signal.signal(sig, lambda signum, frame: caught.append(signum))
            except ValueError:  # not the main interpreter: its handlers are not Python's to run
                del previous[sig]
                break
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _deliver(list(dict.fromkeys(caught)))


def _deliver(signals: list[int]) -> None:
    """Raise each of ``signals`` again, in order, each reaching its handler even when one
    before it raised (SIGINT's KeyboardInterrupt must not swallow a SIGTERM)."""
    for i, sig in enumerate(signals):
        try:
            signal.raise_signal(sig)
        except BaseException:
            _deliver(signals[i + 1:])
            raise


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
    OutputError, one line, when it cannot be made (a file in the way, no permission, /proc),
    and the parents made on the way are removed again (new1/new2 were left behind)."""
    folder = Path(folder)  # (os.path.exists: Path.exists() raised on a name too long, ENAMETOOLONG)
    missing = [p for p in (folder, *folder.parents) if not os.path.exists(p)][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        remove_folders([p for p in missing if os.path.isdir(p)])  # (those it made before it failed)
        raise OutputError(f"cannot create the folder {folder}: {exc.strerror or exc}") from exc
    return missing


def remove_folders(made: list[Path]) -> bool:
    """Remove the folders :func:`make_folders` made (``made``), innermost first, each only
    when empty (one holding anything is someone else's now); whether all went."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            return False  # (and so is every folder around it)
    return True


def check_writable(path: str | os.PathLike[str]) -> None:
    """Fail early, before hours of decoding, if ``path`` cannot be written: try creating
    (and removing) a temporary file beside it (beside the file a link there points to),
    named as the real one's will be."""
    p = through_links(Path(path))
    parent = directory_of(p)
    if p.is_dir():
        raise OutputError(f"cannot write {p}: it is a directory")
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise OutputError(f"cannot write {p}: {parent} {what}")
    check_name(p)
    try:
        fd, name, lock = create(p)
        os.close(fd)
        os.unlink(name)
        release(lock)
    except OSError as exc:
        raise OutputError(f"cannot write {p}: {exc.strerror or exc}") from exc


def is_temp_file(path: Path) -> bool:
    """True for a temporary file :func:`atomic_output` makes (left behind by a kill)."""
    return path.name.startswith(TEMP_PREFIX) and path.name.endswith(TEMP_SUFFIX)


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
    overwrite = params.check("overwrite", overwrite)
    outs = [(name, Path(params.file_name(p, name))) for name, p in outputs]  # (none empty)
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
        check_replace(out, overwrite, name)
        check_writable(out)


def check_replace(path: str | os.PathLike[str], overwrite: bool, name: str = "path") -> None:
    """The rule for replacing a file, the one every writer of outputs follows (the library's
    ``save``, ``save_image``, ``write_image``, ... and the commands): an existing file
    streamprint did not write (it has no mark, or one sealed over other contents, see
    :mod:`streamprint.marks`; an ASE file is never known to be streamprint's) is replaced
    only with ``overwrite``; else :class:`ForeignFileError`, naming the file and the
    parameter ``name``. (A folder in the way is :func:`atomic_output`'s error. Streamprint's
    own bookkeeping files are no outputs: :func:`~streamprint.marks.bookkeeping_refused`.)"""
    overwrite = params.check("overwrite", overwrite)  # (a truthy "no" replaced the user's file)
    p = Path(params.file_name(path, name))
    if not overwrite and p.exists() and not p.is_dir() and not written_by_streamprint(p):
        raise ForeignFileError(name, p, why_not_own(p))
