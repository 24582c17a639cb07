"""An output folder's housekeeping, under its lock (:mod:`.lock`): the temporary files of a
killed run, what a refused run made, and the manifest's writes while movies finish."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..atomic import is_temp_file, remove_folders
from ..formats import write_manifest
from .lock import LOCK_FILE

log = logging.getLogger("streamprint")


def take_back(out: Path, made: list[Path], remove_lock_file: Callable[[], None], own: set[str]) -> bool:
    """Take back the folders a refused run made (``made``:
    :func:`~streamprint.atomic.make_folders`'), as long as OUTDIR holds nothing but what the
    run itself wrote there before it was refused: its lock file and ``own`` (manifest and
    gallery). Called under the lock, held until every one is gone, the lock file last (a
    batch that opened it before locks it after, finds it gone and makes another:
    :func:`~.lock.outdir_lock`); whether it took them back."""
    try:
        if not made or not set(os.listdir(out)) <= own | {LOCK_FILE}:
            return False
        for name in own:
            (out / name).unlink(missing_ok=True)
        remove_lock_file()
    except OSError as exc:  # the refusal is the error to report
        log.debug("%s: not removed after the refusal: %s", out, exc)
        return False
    if not remove_folders(made):
        log.debug("%s: not removed after the refusal: it is not empty", out)
        return False
    return True


def remove_stale_temp_files(outdir: Path) -> None:
    """Temporary files of outputs that a killed run never renamed; only under the lock, so
    never another batch's of this folder; folders below with a lock of their own (another
    batch's OUTDIR) are left alone."""
    for root, dirs, files in os.walk(outdir):
        dirs[:] = [d for d in dirs if not (Path(root) / d / LOCK_FILE).exists()]
        for name in files:
            if is_temp_file(Path(name)):
                try:
                    os.unlink(os.path.join(root, name))
                except OSError:
                    pass


#: A write of the manifest while movies finish is followed by at least this many times its
#: own length before the next (:class:`ManifestWrites`): at most a tenth of the time writing.
WRITING_SHARE_INVERSE = 10


class ManifestWrites:
    """The manifest ``entries`` written to ``path`` while a batch's movies finish: at most
    once every ``every`` seconds (it is written whole: once per movie, a library of 1,600
    small files took a quadratic 100 s), and within about ``every`` seconds of a change even
    while no movie finishes (a thread looks; records waited for the next movie to finish,
    minutes behind a long one, and a kill lost them). A write that takes long (a manifest of
    20,000 movies, 4.4 s a write under load) waits ten times its own length before the next,
    counted from its start, so that writing never takes more than about a tenth of the run (it
    counted ``every`` from a write's end: the batch did little but write the manifest).
    Change ``entries`` only inside :meth:`changing`; :meth:`close` stops the thread and
    writes what is left."""

    def __init__(self, entries: dict[str, Any], path: Path, every: float) -> None:
        self.entries, self.path, self.every = entries, path, every
        self._lock = threading.Lock()
        self._dirty, self._next, self._warned = False, time.monotonic() + every, False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._look, name="streamprint-manifest", daemon=True)
        self._thread.start()

    @contextlib.contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change to ``entries``: written after it if ``every`` s have passed."""
        with self._lock:
            yield
            self._dirty = True
            if time.monotonic() >= self._next:
                self._write()

    def _write(self) -> None:
        """A write while movies finish; one that fails (a full disk for a moment, an
        immutable or unreachable manifest) is said once and tried again later: it stopped the
        whole batch, and a movie that had just finished was counted pending. The caller's
        last write, as the run ends, reports a failure that lasts."""
        began = time.monotonic()
        try:
            write_manifest(self.entries, self.path)
        except Exception as exc:
            if not self._warned:
                self._warned = True
                log.warning("the manifest could not be written (%s); the batch goes on and tries again", exc)
        else:
            self._dirty = False
        self._next = began + max(self.every, WRITING_SHARE_INVERSE * (time.monotonic() - began))

    def _look(self) -> None:
        while not self._stop.wait(self.every):
            with self._lock:
                if self._dirty and time.monotonic() >= self._next:
                    self._write()

    def close(self) -> None:
        """Stop looking; then the caller writes the manifest as the run ends."""
        self._stop.set()
        self._thread.join()
