"""The temporary files beside outputs (:mod:`streamprint.atomic`), and the removal of those a
killed run left behind.

A run killed outright (``kill -9``, the OOM killer, a segfault) runs no clean-up: its
temporary files stay beside the outputs. A later run writing the same output removes them,
but only those *provably* abandoned, never one a live run is writing (removing that would
make its rename fail and lose its output). So every temporary file is named

    ``.streamprint-<output>-<kernel>-<pid>-<random>.tmp``

(``<output>``: a hash of the output's file name; ``<kernel>``: a hash of this boot's
``/proc/sys/kernel/random/boot_id``; ``<pid>``: its writer's) and its writer holds an
``flock`` on it from the moment it is made until it is renamed or removed; so is the
previous output kept while a run's outputs are renamed together (:func:`backup`). One is
abandoned when all three hold:

* it was written under this very kernel (the same boot tag): only there do its pid and
  its lock mean anything. A file written on another machine sharing the folder (NFS, SMB)
  or before a reboot is left alone: on NFS mounted ``nolock`` (or ``local_lock``) the
  other machine's lock is invisible here, and its pid names some process of ours;
* no process holds its lock (taken here with ``LOCK_NB``): the kernel drops a lock when
  its last holder dies, however it dies; the lock alone would misjudge a file between its
  creation and its writer's ``flock``, so the writer checks, once it holds the lock, that
  the name still leads to its file, and makes another if a cleaner took it;
* its pid is no live process (``kill(pid, 0)``): a reused pid makes a dead writer look
  alive, which keeps a stale file (the safe side), never the other way round; and a live
  writer in another pid namespace (a container on this kernel) still holds its lock.

Without a boot id (not Linux) or ``fcntl``, nothing is ever removed. The files of another
output, and those named as earlier versions named them (no pid, no lock), are left alone.
A batch removes every temporary file of its output folder under its own lock
(:func:`streamprint.batch.outdir.remove_stale_temp_files`).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import secrets
import shutil
import stat
import tempfile
import threading
from pathlib import Path

try:
    import fcntl
except ImportError:  # (no flock: no lock is held, and nothing is judged abandoned)
    fcntl = None  # type: ignore[assignment]

from .errors import log

#: Temporary files are ``.streamprint-….tmp`` beside their target: at most 55 bytes, so any
#: name the file system takes as a target also fits as a temporary name.
TEMP_PREFIX, TEMP_SUFFIX = ".streamprint-", ".tmp"

_NAME = re.compile(re.escape(TEMP_PREFIX) + r"([0-9a-f]{8})-([0-9a-f]{12})-(\d{1,10})-[a-z0-9_]+" + re.escape(TEMP_SUFFIX))
#: The boot tag written when this kernel's boot id is unknown (never judged: see :func:`_kernel`).
_NO_KERNEL = "0" * 12


def _output_tag(target: Path) -> str:
    return hashlib.sha256(os.fsencode(target.name)).hexdigest()[:8]


@functools.cache
def _kernel() -> str | None:
    """A tag of this boot of this kernel (shared by its containers, new at each boot)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", "rb") as f:
            boot = f.read().strip()
    except OSError:
        return None
    return hashlib.sha256(boot).hexdigest()[:12] if boot else None


def _prefix(target: Path) -> str:
    return f"{TEMP_PREFIX}{_output_tag(target)}-{_kernel() or _NO_KERNEL}-{os.getpid()}-"


def directory_of(target: Path) -> Path:
    """The folder ``target`` is written in (``.`` for a bare name)."""
    return target.parent if str(target.parent) else Path(".")


#: How a file is opened to be locked, not written: never through a link, never waiting on a FIFO.
_OPEN_TO_LOCK = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _held_at(fd: int, name: str, wait: bool = True) -> bool:
    """Lock the file open as ``fd``, and whether ``name`` still leads to it (a cleaner that
    took the lock first may have removed it). ``wait``: for the lock, which only a cleaner
    holds, for microseconds, on a new file; not on a backup, a link to an output whose lock
    anyone may hold (it is then guarded by its pid and that holder's lock)."""
    if fcntl is None:
        return True
    with contextlib.suppress(OSError):  # (a file system without locks: the pid still guards it)
        fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        here, there = os.fstat(fd), os.lstat(name)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def create(target: Path) -> tuple[int, str, int]:
    """A new temporary file beside ``target``: (fd to write, its name, a second fd holding its
    lock: close it, with :func:`release`, once the file is renamed or removed). OSError when
    it cannot be made."""
    while True:
        fd, name = tempfile.mkstemp(prefix=_prefix(target), suffix=TEMP_SUFFIX, dir=directory_of(target))
        try:
            if _held_at(fd, name):
                return fd, name, os.dup(fd)  # (the same open file: its lock outlives the writing fd)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        os.close(fd)  # removed by a cleaner before it was locked: another


def backup(target: Path) -> tuple[str, int | None] | None:
    """Another name for ``target``'s present file beside it (a hard link, else a copy), to
    put it back with, and the fd holding its lock (:func:`release`); None when there is none."""
    if not os.path.lexists(target):
        return None
    while True:
        name = os.path.join(directory_of(target), f"{_prefix(target)}{secrets.token_hex(4)}{TEMP_SUFFIX}")
        try:
            os.link(target, name, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links
            fd, name, lock = create(target)
            try:
                with os.fdopen(fd, "wb") as copy, open(target, "rb") as old:
                    shutil.copyfileobj(old, copy)
                shutil.copystat(target, name, follow_symlinks=False)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(name)
                release(lock)
                raise
            return name, lock
        try:
            fd = os.open(name, _OPEN_TO_LOCK)
        except FileNotFoundError:
            continue  # removed by a cleaner before it was opened: another
        except OSError:  # a link (a loop of links in the target's place): no cleaner opens it either
            return name, None
        if _held_at(fd, name, wait=False):
            return name, fd
        os.close(fd)


def release(lock: int | None) -> None:
    if lock is not None:
        with contextlib.suppress(OSError):
            os.close(lock)


def _alive(pid: int) -> bool:
    """Whether ``pid`` may be a live process (True when that cannot be told)."""
    if pid <= 0:  # (kill(0, …) is the process group's)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):  # (EPERM: another user's, alive; no pid that large)
        return True
    return True


#: Each folder's temporary files as first listed in this process, by output tag: a folder is
#: listed once (a batch writes thousands of outputs into one), each output's judged once.
_LISTED: dict[str, dict[str, list[str]]] = {}
_LISTED_LOCK = threading.Lock()


def remove_abandoned(target: Path) -> None:
    """Remove the temporary files of ``target`` (an output about to be written) that a dead
    process left beside it (see the module docstring). Never fails: what cannot be judged or
    removed stays."""
    kernel = _kernel()
    if kernel is None or fcntl is None:
        return
    directory = directory_of(target)
    key = os.path.abspath(directory)
    try:
        with _LISTED_LOCK:
            if key not in _LISTED:
                found: dict[str, list[str]] = {}
                with os.scandir(directory) as entries:
                    for entry in entries:
                        m = _NAME.fullmatch(entry.name)
                        if m is not None and m.group(2) == kernel:
                            found.setdefault(m.group(1), []).append(entry.name)
                _LISTED[key] = found
            names = _LISTED[key].pop(_output_tag(target), [])
    except OSError as exc:
        log.debug("%s: not looked for abandoned temporary files: %s", directory, exc)
        return
    for name in names:
        m = _NAME.fullmatch(name)
        if m is not None and not _alive(int(m.group(3))):
            _remove_if_unlocked(directory / name, int(m.group(3)))


def _remove_if_unlocked(path: Path, pid: int) -> None:
    assert fcntl is not None
    try:
        fd = os.open(path, _OPEN_TO_LOCK)
    except OSError:
        return
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by a live writer (or no locks here: cannot tell)
            return
        there = os.lstat(path)
        if (there.st_dev, there.st_ino) == (st.st_dev, st.st_ino):
            os.unlink(path)
            log.debug("%s: removed, a temporary file left by process %d, which is gone", path, pid)
    except OSError as exc:
        log.debug("%s: not removed: %s", path, exc)
    finally:
        os.close(fd)
