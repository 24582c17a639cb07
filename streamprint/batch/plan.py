"""A batch's plan: which files of the library are movies to fingerprint, which only need
their strips drawn again, and which need nothing (unchanged, not video, failed before); and
the records of the movies about to be worked on, withdrawn before any of their outputs
changes (:func:`withdraw`), so that a kill at any moment leaves a manifest the next run
repairs from, never one that claims outputs they no longer are."""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..enums import Status
from ..model import JobResult, ManifestEntry, Options, RenderOptions
from ..reserved import reserved_as
from .checkpoints import say_refused
from .damage import MISSING, damaged
from .summary import Summary
from .worker import Job, Task, finished_outputs, outputs_for, regular_file

log = logging.getLogger("streamprint")


def discover(library: Path, outdir: Path, summary: Summary | None = None,
             folders: set[str] | None = None) -> Iterator[Job]:
    """Every regular file under ``library``, recursively, in a stable order; hidden files and
    folders and the output folder are left out (the hidden files counted in ``summary``).
    Whether a file is a video is found out by opening it, not from its name. A folder that
    cannot be read is said in a warning and counted, and so is a link to a folder (not
    followed), and what is not a file is counted (a dangling link, a FIFO, a device):
    nothing is left out in silence. ``folders`` gets the folders looked into (relative to
    ``library``: mirrored in OUTDIR), each before any file beside it is yielded."""
    library, outdir = library.resolve(), outdir.resolve()

    def unreadable(exc: OSError) -> None:
        if summary is not None:
            summary.unreadable += 1
        log.warning("%s: cannot read this folder, its files are left out (%s)", exc.filename, exc.strerror or exc)

    def followed(folder: Path) -> bool:  # (a link to a folder is said, not followed: it may loop)
        if not folder.is_symlink():
            return True
        if summary is not None:
            summary.not_files += 1
        log.warning("%s: a link to a folder, not followed: its files are left out", folder)
        return False

    for root, dirs, files in os.walk(library, onerror=unreadable):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != outdir
                         and followed(here / d))
        if folders is not None:
            folders.update((here / d).relative_to(library).as_posix() for d in dirs)
        for name in sorted(files):
            if name.startswith("."):
                if summary is not None:
                    summary.hidden += 1
                continue
            p = here / name
            st = regular_file(p)  # (None: a dangling link, a FIFO, a device, or gone since the folder was read)
            if st is not None:
                yield Job(str(p), p.relative_to(library).as_posix(), st.st_size, st.st_mtime_ns)
            elif summary is not None:
                summary.not_files += 1


def left_in_outdir(lib: Path, out: Path, entries: dict[str, ManifestEntry], own: set[Path]) -> list[Path]:
    """The files in ``out``, when it is inside ``lib`` (its folder left out of the library,
    so that a batch never reads its own outputs), that are not this batch's: neither its
    ``own`` files nor outputs its manifest ``entries`` list, nor hidden (its lock, its
    checkpoints, temporary files). They are not fingerprinted, and are counted: nothing is
    left out in silence."""
    lib, out = lib.resolve(), out.resolve()
    if lib not in out.parents or any(part.startswith(".") for part in out.relative_to(lib).parts):
        return []  # (not inside LIBRARY, or in a hidden folder of it: left out as such)
    ours = own | {out / o for e in entries.values() for o in e.outputs}
    found = []
    for root, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".") and Path(root) / f not in ours]
    return found


def unchanged(entry: ManifestEntry | None, job: Job, options: Options) -> bool:
    """True if ``entry`` is of this very file and these options."""
    return entry is not None and same_file(entry, job) and entry.options == options


#: What each of a finished movie's outputs is, in its manifest's order.
_OUTPUT_NAMES = ("strip", "data file", "page")


def _mend(out: Path, job: Job, entry: ManifestEntry) -> bool | None:
    """Whether a finished movie (``entry``: its record, of this file and these options)
    needs mending, its outputs looked at (:func:`.damage.damaged`: a copy of OUTDIR that
    stopped, a disk's error, a file deleted): None when they are whole; True when its data
    file is whole, so that the rest is drawn again from it; False when the movie is to be
    fingerprinted again. Damage is said in a warning, an output missing alone in a note."""
    broken = damaged(out, entry.outputs)
    if not broken:
        return None
    data = len(entry.outputs) > 1 and entry.outputs[1] not in broken
    what = ", ".join(f"its {_OUTPUT_NAMES[entry.outputs.index(o)]} {Path(o).name} is {why}" for o, why in broken.items())
    (log.info if set(broken.values()) == {MISSING} else log.warning)(
        "%s: %s; %s", job.rel, what, "drawing it again from its data file" if data else "fingerprinting it again")
    return data


def same_file(entry: ManifestEntry, job: Job) -> bool:
    """Whether ``entry`` was recorded of the file ``job`` is now (its size and mtime)."""
    return (entry.size, entry.mtime_ns) == (job.size, job.mtime_ns)


def unmarked_own(entry: ManifestEntry | None) -> tuple[str, ...]:
    """The outputs ``entry`` lists, when streamprint 0.1 wrote them: before outputs carried a
    mark, and before the manifest recorded how a strip was drawn or movies had pages, so
    they are streamprint's own though unmarked (a changed movie is done again over them, a
    strip redrawn). Since, every output is marked, and an unmarked file where one was is
    one the user put there (a strip replaced by a picture of their own): never replaced."""
    if entry is None or entry.render is not None or len(entry.outputs) > 2:
        return ()
    return entry.outputs


@dataclass(frozen=True)
class Redraw:
    """A finished movie whose strip and page are to be drawn again from its saved data:
    ``outputs`` (strip, data[, page]) as they are; ``entry``, its record when it is done and
    unchanged but drawn otherwise, or None when its outputs were found finished."""

    job: Job
    outputs: tuple[str, ...]
    entry: ManifestEntry | None


@dataclass(frozen=True)
class Plan:
    """What a run is to do with the movies that need work: redraw some, fingerprint others."""

    redraws: tuple[Redraw, ...]
    todo: tuple[Task, ...]
    seen: frozenset[str] | None = None
    """Every file of the library (paths relative to it), or None when the scan did not see
    it whole (a folder it could not read)."""


def plan(lib: Path, out: Path, options: Options, render: RenderOptions, retry_failed: bool,
         make_task: Callable[[Job, tuple[str, ...], bool], Task], entries: dict[str, ManifestEntry],
         record: Callable[[Job, JobResult], None], summary: Summary) -> Plan:
    """Go through the library: count (and record) what needs nothing (unchanged, not video,
    failed, outputs named as the batch's own files: :mod:`streamprint.reserved`), and say what is to be
    redrawn and what fingerprinted (``make_task(job, owned, findable)``: see
    :class:`.worker.Task`). Nothing is drawn here."""
    redraws: list[Redraw] = []
    todo: list[Task] = []
    seen: set[str] = set()
    folders: set[str] = set()
    unreadable = summary.unreadable
    for job in discover(lib, out, summary, folders):
        seen.add(job.rel)
        entry = entries.get(job.rel)
        error = _clash(out, outputs_for(out, job.rel, render), folders)
        if error is not None:
            record(job, JobResult(Status.FAILED, 0.0, error))
            summary.count(job.rel, Status.FAILED, error)
            continue
        if unchanged(entry, job, options):
            assert entry is not None
            if entry.status == Status.DONE:
                mend = _mend(out, job, entry)
                if mend is False:  # its data file is not whole
                    todo.append(make_task(job, unmarked_own(entry), True))
                # None: drawn how, unknown; two outputs: made before movies had pages
                elif mend or entry.render != render or len(entry.outputs) < 3:
                    redraws.append(Redraw(job, entry.outputs, entry))
                else:
                    summary.skipped += 1
                continue
            if entry.status == Status.NOT_VIDEO:
                summary.not_video += 1
                continue
            if entry.status == Status.FAILED and not retry_failed and not (entry.error or "").startswith(CLASH):
                summary.count(job.rel, Status.FAILED, entry.error)
                continue
        # finished after all (a worker that outlived its client, a lost manifest), and drawn
        # again as this run says; not when the manifest knew another file by this name: those
        # outputs may be that one's (a movie replaced by a copy with an older mtime kept the old one's strip)
        findable = entry is None or same_file(entry, job)
        found = finished_outputs(out, job, options, render) if findable else None
        if found is not None:
            redraws.append(Redraw(job, found, None))
        else:
            todo.append(make_task(job, unmarked_own(entry), findable))
    if any(task.checkpoint_every > 0 for task in todo):
        say_refused(out)
    return Plan(tuple(redraws), tuple(todo), frozenset(seen) if summary.unreadable == unreadable else None)


#: How the failure of a movie whose outputs' names clash (:func:`_clash`) begins: not the
#: movie's, it is tried again once the clash is gone (a folder of the library renamed).
CLASH = "its output "


def _clash(out: Path, outputs: tuple[Path, ...], folders: set[str]) -> str | None:
    """Why a movie fails before it is opened, in words beginning :data:`CLASH`, when one of
    its ``outputs`` would be one of the batch's own files (a movie named ``index``,
    ``INDEX`` or ``streamprint-manifest``, with no extension), or the folder that mirrors
    one of the library's ``folders`` in OUTDIR (``clip.mkv`` beside a folder
    ``clip.mkv.png``: each run, whichever came first, the strip or a movie of the folder,
    left the other pending, "Is a directory", "File exists"); else None."""
    for p in outputs:
        own = reserved_as(p, out)
        if own is not None:
            return f"{CLASH}{p.name} would be this batch's {own}" + \
                ("" if p.name == own else " where case is ignored (macOS, Windows, shares)") + ": rename it"
        rel = p.relative_to(out).as_posix()
        if rel in folders:
            return f"{CLASH}{p.name} would be the folder that mirrors the library's folder {rel}: rename the movie " \
                   "or the folder"
    return None


def withdraw(entries: dict[str, ManifestEntry], planned: Plan, options: Options) -> None:
    """The records of the movies ``planned`` is to work on, no longer claiming what their
    outputs are about to stop being: to be written (durably) before any is touched. A movie
    to be redrawn is done, drawn how not known (a kill amid the redraws left strips drawn
    in the new style recorded in the old, taken as done and unchanged ever after: now the
    next run redraws them); one to be fingerprinted, or whose found outputs are to be
    redrawn, is pending with these ``options`` (a kill after a movie finished with new
    analysis options, before its record was written, left the new outputs under the old
    record, called unchanged by every later run with the old options)."""
    for r in planned.redraws:
        if r.entry is not None and len(r.entry.outputs) == 3:
            entries[r.job.rel] = dataclasses.replace(r.entry, render=None)
        else:
            entries[r.job.rel] = pending(r.job, options, entries.get(r.job.rel))
    for task in planned.todo:
        entries[task.job.rel] = pending(task.job, options, entries.get(task.job.rel))


def pending(job: Job, options: Options, entry: ManifestEntry | None, why: str = "not finished yet") -> ManifestEntry:
    """A pending record of ``job`` (``entry``: its record before), which keeps the unmarked
    outputs of streamprint 0.1 that ``entry`` lists as streamprint's own, and, when
    ``entry`` was of another file by this name, that file's size and mtime: the outputs
    there may be that one's, never to be found finished as this one's (see :func:`plan`)."""
    known = (job.size, job.mtime_ns) if entry is None or same_file(entry, job) else (entry.size, entry.mtime_ns)
    return ManifestEntry(Status.PENDING, options, *known, 0.0, why, unmarked_own(entry), None, None)
