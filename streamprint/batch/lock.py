"""One writer per output folder: an OS lock held for a batch's whole run."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import OutputError

LOCK_FILE = ".streamprint.lock"


class BusyError(OutputError):
    """Another streamprint batch is writing to the same output folder."""


@contextlib.contextmanager
def outdir_lock(outdir: Path) -> Iterator[None]:
    """Hold ``flock`` on OUTDIR/.streamprint.lock (with this process's pid in it) while the
    block runs; :class:`BusyError`, at once, when another process holds it. The kernel
    drops the lock when its holder dies, however it dies."""
    path = outdir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise BusyError(f"{outdir}: another streamprint batch (pid {holder}) is writing here; "
                            "wait for it to finish") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
