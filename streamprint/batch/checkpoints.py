"""A batch's checkpoints: ``OUTDIR/.streamprint-checkpoints/REL.json``, the saved state of a
movie being fingerprinted, from which a later run resumes it (:func:`usable_checkpoint`).

One is kept only while its movie is pending: a worker removes it when the movie is
finished in any way, done, failed or not a video (:func:`drop`; a photo's, holding its
thumbnail, stayed for good), and a run that ends removes those of movies finished, or gone
from the library when it saw the whole library, with the folders left empty
(:func:`remove_stale`). Anything else where the folder goes (a file of the user's) is never
touched: the batch goes on without checkpoints (:func:`refused`)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from ..enums import Status
from ..errors import DataFormatError, InputError
from ..formats import read_checkpoint
from ..model import Checkpoint, ManifestEntry, Options

log = logging.getLogger("streamprint")

CHECKPOINTS = ".streamprint-checkpoints"
#: A checkpoint's name: its movie's path in the library and this.
SUFFIX = ".json"


def checkpoint_path(outdir: Path, rel: str) -> Path:
    return outdir / CHECKPOINTS / (rel + SUFFIX)


def refused(outdir: Path) -> str | None:
    """Why no checkpoint can be kept in ``outdir``'s checkpoint folder, in words that follow
    its path: something else is there, a file of the user's, a FIFO, a link that leads
    nowhere (each movie was left pending, every run, with "FileExistsError"); None when it
    is a folder, or a link to one, or nothing yet (it is made when first needed). One
    ``stat``; nothing there is opened or changed."""
    folder = outdir / CHECKPOINTS
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return "is a link that leads nowhere" if os.path.islink(folder) else None
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    return None if stat.S_ISDIR(st.st_mode) else "is not a folder"


def say_refused(outdir: Path) -> None:
    """Warn, once for a run, when checkpoints cannot be kept (:func:`refused`)."""
    why = refused(outdir)
    if why is not None:
        log.warning("%s %s, and is left as it is: no checkpoints are saved, so a movie stopped before its end "
                    "starts again from the beginning (move it away to have them)", outdir / CHECKPOINTS, why)


def usable_checkpoint(path: Path, rel: str, identity: tuple[int, int], options: Options) -> Checkpoint | None:
    """The saved state for the movie ``rel`` if there is one, it reads back whole, and it
    belongs to this very file (``identity``: its size and mtime) and these options; else
    None (with a warning when a checkpoint was there but unusable)."""
    if not path.exists():
        return None
    try:
        state = read_checkpoint(path)
    except (DataFormatError, InputError) as exc:
        log.warning("%s: checkpoint unusable, starting from the beginning (%s)", rel, exc)
        return None
    if state.input != identity or state.options != options:
        why = "another version of the movie" if state.input != identity else "other options"
        log.warning("%s: checkpoint of %s, starting from the beginning", rel, why)
        return None
    return state


def drop(outdir: Path, rel: str) -> None:
    """Remove the checkpoint of the movie ``rel``, finished: no run resumes it. Only the
    file: a folder left empty is :func:`remove_stale`'s, once no worker may be about to
    write into it. One that cannot be removed is left to that too."""
    try:
        checkpoint_path(outdir, rel).unlink(missing_ok=True)
    except OSError as exc:
        log.debug("%s: checkpoint not removed (%s)", rel, exc)


def remove_stale(outdir: Path, entries: Mapping[str, ManifestEntry], seen: frozenset[str] | None) -> None:
    """At the end of a run, when no worker writes checkpoints: remove those that no run
    will resume, of the movies whose records in ``entries`` are finished (done, failed, not
    a video), and, given ``seen`` (the movies of a scan that saw the whole library), of the
    movies not in it (gone from the library, or no longer files); then the folders left
    empty, the checkpoint folder too. Without ``seen`` (a folder of the library could not
    be read), a movie the manifest does not know keeps its checkpoint. Nothing is touched
    where the folder is :func:`refused`, nor any file there not named as a checkpoint."""
    root = outdir / CHECKPOINTS
    if refused(outdir) is not None or not root.is_dir():
        return
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            path = Path(folder) / name
            if not name.endswith(SUFFIX) or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()[:-len(SUFFIX)]
            entry = entries.get(rel)
            resumable = entry.status == Status.PENDING if entry is not None else seen is None
            if resumable and (seen is None or rel in seen):
                continue
            try:
                path.unlink()
            except OSError as exc:
                log.debug("%s: checkpoint not removed (%s)", rel, exc)
        try:
            os.rmdir(folder)  # (one that is not empty stays)
        except OSError:
            pass
