"""One writer per output folder: an OS lock held for a batch's whole run."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import OutputError

LOCK_FILE = ".streamprint.lock"
#: Times the lock is tried again after the file it locked was gone from the path.
RETRIES = 5


class BusyError(OutputError):
    """Another streamprint batch is writing to the same output folder."""


@contextlib.contextmanager
def outdir_lock(outdir: Path) -> Iterator[Callable[[], None]]:
    """Hold ``flock`` on OUTDIR/.streamprint.lock (with this process's pid in it) while the
    block runs; :class:`BusyError`, at once, when another process holds it. The kernel
    drops the lock when its holder dies, however it dies.

    The block gets a function that removes the lock file, the lock still held (a refused
    run taking back the folder it made). A batch that opened the file before that, and
    locks it once it is let go, holds the lock of a file no longer there: the lock is
    taken when the file locked is the one at the path (the same inode), else tried again."""
    path = outdir / LOCK_FILE
    for attempt in range(RETRIES + 1):
        try:
            # (a FIFO there: no wait; a symbolic link: not followed, its target is not ours to write)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NONBLOCK | os.O_NOFOLLOW, 0o644)
        except FileNotFoundError as exc:
            if attempt:  # OUTDIR itself taken back by a refused batch since this one made it
                raise BusyError(f"{outdir}: another streamprint batch removed this folder as this one "
                                "began; run again") from exc
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        except OSError as exc:
            if exc.errno == errno.ELOOP and path.is_symlink():
                raise OutputError(f"{path}: a symbolic link; streamprint keeps its batch lock there, "
                                  "remove the link") from exc
            raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OutputError(f"{path}: not a regular file; streamprint keeps its batch lock there")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BusyError(f"{outdir}: another streamprint batch (pid {holder}) is writing here; "
                            "wait for it to finish") from None
        except BaseException:
            os.close(fd)
            raise
        if _is_at(fd, path):
            break
        os.close(fd)  # removed by the holder that let go of it: the lock is the file there now
    else:
        raise BusyError(f"{path}: the lock file was replaced {RETRIES + 1} times while this batch "
                        "took it; is another program removing it?")
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield lambda: path.unlink(missing_ok=True)
    finally:
        os.close(fd)  # releases the lock


def _is_at(fd: int, path: Path) -> bool:
    """Whether the file open as ``fd`` is the one at ``path``."""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)
