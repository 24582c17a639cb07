"""An output folder's housekeeping, under its lock (:mod:`.lock`): the temporary files of a
killed run, and what a refused run made."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from ..atomic import is_temp_file
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
        for folder in reversed(made):
            folder.rmdir()
    except OSError as exc:  # the refusal is the error to report
        log.debug("%s: not removed after the refusal: %s", out, exc)
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
