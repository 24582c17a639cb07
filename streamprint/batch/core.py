"""Batch runs over a movie library: one strip and one data file per movie, resumable.

A manifest in the output folder records, for every input, its status, the options used,
how its strip was drawn, its size and mtime, the time taken and any error. A re-run skips
what is done and unchanged, redraws (from the saved data, without decoding) what only
needs other drawing, redoes what changed, retries what is pending, and retries failures
only when asked. Every output, the manifest included, is written atomically, so a crash
or a kill costs only the movies in progress (the manifest, written at most once a second,
may lag: what a kill keeps it from recording is found finished by the next run); one
batch at a time writes to an output folder (:mod:`.lock`). Where the movies are worked on is an executor's business
(:mod:`.executors`); what is done with each is written once, here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .. import interrupt, params
from ..atomic import make_folders
from ..enums import Status
from ..errors import InputError, Interrupted, OutputError, ParameterError, StreamprintError, one_line
from ..formats import read_manifest, write_manifest
from ..formats.manifest import check_place
from ..model import JobResult, ManifestEntry, Options, RenderOptions
from ..reserved import MANIFEST, RESERVED
from .checkpoints import remove_stale
from .dask import Dask
from .executors import Executor, Processes, WorkerCrashed, local, no_workers
from .lock import outdir_lock
from .outdir import ManifestWrites, remove_stale_temp_files, take_back
from .summary import Summary
from .plan import Redraw, discover, left_in_outdir, pending, plan, unmarked_own, withdraw
from .worker import Job, Task, fingerprint_one, found_finished, outputs_for, redraw_saved

if TYPE_CHECKING:
    from ..render.gallery import Cards

log = logging.getLogger("streamprint")

#: Seconds at least between two writes of the manifest while movies finish, and at most
#: from a change to its write, unless a write is slow (:class:`.outdir.ManifestWrites`). It
#: is also written at the end and on any stop; a kill loses the records of the last second
#: or so, and the next run finds those movies' outputs finished (:func:`.plan.plan`).
MANIFEST_EVERY = 1.0

__all__ = ["MANIFEST", "Job", "Summary", "Task", "discover", "outputs_for", "run_batch"]


#: Who works on the movies, given more than one way (see run_batch): what to give instead.
_ONE_OF = {"executor": "give one; Processes(jobs) is jobs local worker processes, Dask(address, key=...) a "
                       "Dask cluster",
           "dask": "a Dask cluster's workers are its own"}


def _lost(task: Task, exc: BaseException) -> JobResult:
    """A task whose worker (or cluster) failed it: not the movie's fault, so pending; done
    if its outputs are there and whole all the same (the worker finished, and only its
    answer was lost with the scheduler or the connection), drawn again as this run says
    (:func:`.worker.found_finished`); failed when the movie killed
    its worker when it ran alone in its pool, after a worker died beside it (a decoder's
    crash on a damaged file, or more memory than the machine has: every run would end the
    same way; ``--retry-failed`` runs it again, if the machine was to blame)."""
    found = found_finished(task)
    if found is not None:
        return JobResult(Status.DONE, 0.0, None, found)
    if isinstance(exc, WorkerCrashed) and exc.alone:
        return JobResult(Status.FAILED, 0.0, one_line(f"killed its worker when run alone: {exc}"))
    # one line: Dask's texts run over several (a scheduler lost: its reason, then advice)
    return JobResult(Status.PENDING, 0.0, one_line(f"worker lost: {type(exc).__name__}: {exc}"))


@interrupt.scoped
def run_batch(
    library: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    options: Options,
    render: RenderOptions | None = None,
    jobs: int | None = None,
    retry_failed: bool = False,
    on_file: Callable[[str, str], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    dask: str | None = None,
    checkpoint_every: float = 60.0,
    on_samples: Callable[[str, int, int | None], None] | None = None,
    executor: Executor | None = None,
    rebuild_manifest: bool = False,
    summary: Summary | None = None,
) -> Summary:
    """Fingerprint every movie under ``library`` into ``outdir``; see the module docstring.

    ``render`` says how strips are drawn. The movies are worked on by ``executor`` (see
    :mod:`.executors`); by default ``jobs`` local worker processes (default: one per core;
    where none can start, as from a program read from standard input, this process, one
    movie at a time, with a warning: :func:`.executors.no_workers`), or, given ``dask`` (a
    scheduler's address, ``tcp://host:8786``), one task per movie on
    that cluster, whose workers must see ``library`` and ``outdir`` at the same paths. The
    cores are shared among the tasks that run at once as decoder threads. ``on_plan(n)`` is
    called with the number of files to process, ``on_file(rel, status)`` after each one,
    and ``on_samples(rel, samples, expected)`` now and then while a movie is being worked
    on. ``rebuild_manifest`` recreates the manifest from the finished outputs (when it is
    lost or unreadable). The manifest is written by this process alone, under a lock that
    keeps any other batch out of ``outdir`` for the whole run. A run that is interrupted
    (or stopped by a failure of its own, not a movie's) records the movies it did not
    finish as pending, retried by the next run; ``summary``, when given, is the
    :class:`Summary` filled as the run goes, so that the caller has it also then.
    """
    if not isinstance(options, Options):
        raise ParameterError("options", f"must be an Options, not {type(options).__name__}")
    if not isinstance(render, (RenderOptions, type(None))):
        raise ParameterError("render", f"must be a RenderOptions or None, not {type(render).__name__}")
    if not isinstance(summary, (Summary, type(None))):
        raise ParameterError("summary", f"must be a Summary or None, not {type(summary).__name__}")
    params.check_all(on_file=on_file, on_plan=on_plan, on_samples=on_samples, retry_failed=retry_failed,
                     rebuild_manifest=rebuild_manifest, executor=executor)
    given = [name for name, value in (("executor", executor), ("dask", dask), ("jobs", jobs)) if value is not None]
    if len(given) > 1:  # one was ignored in silence (the executor's workers, a cluster's, are its own)
        raise ParameterError(given[0], f"and {{param:{given[1]}}} cannot be used together: {_ONE_OF[given[0]]}")
    if isinstance(executor, Processes) and no_workers():  # (the default is Serial there, with a warning)
        raise ParameterError("executor", f"{no_workers()}; use Serial(), or run the batch from a script file")
    for name, path in (("library", library), ("outdir", outdir)):
        if not isinstance(path, (str, bytes, os.PathLike)):
            raise ParameterError(name, f"must be a path, not {type(path).__name__}")
    lib, out = Path(os.fsdecode(library)), Path(os.fsdecode(outdir))
    jobs = params.check("jobs", jobs)
    checkpoint_every = params.check("checkpoint_every", checkpoint_every)
    render = render or RenderOptions()
    params.check_render(render, options.sampling)
    if render.format not in params.STRIP_FORMATS:
        raise ParameterError("image_format", f"{render.format}: a batch's strips are "
                                             f"{', '.join(params.STRIP_FORMATS)} (each movie gets a page besides)")
    if not lib.is_dir():
        raise ParameterError("library", f"{lib}: not a directory")
    try:  # before OUTDIR is made: an unreadable library was "nothing to do", and success
        with os.scandir(lib):
            pass
    except OSError as exc:
        raise InputError(f"{lib}: cannot read the library ({exc.strerror or exc})") from exc
    if out.exists() and not out.is_dir():
        raise ParameterError("outdir", f"{out}: exists and is not a directory")
    if out.resolve() == lib.resolve():  # its outputs were read as movies by the next run
        raise ParameterError("outdir", f"{out}: is LIBRARY itself; give the outputs a folder of their own "
                                       "(one inside LIBRARY is left out of it)")
    if executor is None:
        # keys of this run's own (two batches on one scheduler with the same movie names got
        # each other's results: the second reported done what the first had written elsewhere)
        run_key = uuid.uuid4().hex
        executor = Dask(dask, key=lambda task: f"streamprint-{run_key}-{task.job.rel}") if dask is not None \
            else local(jobs)
    # a scheduler is reached before OUTDIR is touched: one that cannot be leaves nothing there
    with executor.connected() if isinstance(executor, Dask) else contextlib.nullcontext():
        made = make_folders(out)
        return _run_in(lib, out.resolve(), options, render, retry_failed, on_file, on_plan, checkpoint_every,
                       on_samples, executor, rebuild_manifest, Summary() if summary is None else summary, made)


def _run_in(lib: Path, out: Path, options: Options, render: RenderOptions, retry_failed: bool,
            on_file: Callable[[str, str], None] | None, on_plan: Callable[[int], None] | None,
            checkpoint_every: float, on_samples: Callable[[str, int, int | None], None] | None,
            executor: Executor, rebuild_manifest: bool, summary: Summary, made: list[Path]) -> Summary:
    """The run in ``out``, made (``made``: the folders this run made) and resolved (workers,
    here or on other machines, write where this process asked), under its lock; the gallery
    is written however it ends, unless the run was refused and took back what it made."""
    from ..render.gallery import Cards

    with outdir_lock(out) as remove_lock_file:
        cards = Cards(out)
        try:
            _run_locked(lib, out, options, render, retry_failed, on_file, on_plan, checkpoint_every,
                        on_samples, executor, rebuild_manifest, cards, summary)
        except BaseException as exc:  # interrupted, or failed: the gallery still shows what is finished,
            # unless the run was refused before any movie was handed out (a Dask key shared by movies)
            if not (isinstance(exc, ParameterError) and take_back(out, made, remove_lock_file, _own_files())):
                summary.gallery = _write_gallery(cards, quiet=True)
            raise
        summary.gallery = _write_gallery(cards)
        return summary


def _run_locked(lib: Path, out: Path, options: Options, render: RenderOptions, retry_failed: bool,
                on_file: Callable[[str, str], None] | None, on_plan: Callable[[int], None] | None,
                checkpoint_every: float, on_samples: Callable[[str, int, int | None], None] | None,
                executor: Executor, rebuild_manifest: bool, cards: Cards, summary: Summary) -> None:
    """The run itself, counted in ``summary``; ``cards`` gets each movie's data file as it
    finishes (the gallery is the caller's to write, however this ends). The plan draws
    nothing; the records of the movies to work on are withdrawn (:func:`.plan.withdraw`) and
    written before any output changes; then the redraws, then the movies to fingerprint,
    each counted and said to ``on_file`` as it ends. However the run stops, every movie not
    finished by then is counted pending."""
    remove_stale_temp_files(out)
    manifest_path = out / MANIFEST
    check_place(manifest_path)  # (before any work: a file of the user's there is never rebuilt over)
    entries = {} if rebuild_manifest else read_manifest(manifest_path)
    try:
        _run_recorded(lib, out, options, render, retry_failed, on_file, on_plan, checkpoint_every, on_samples,
                      executor, cards, summary, entries, manifest_path)
    finally:  # the gallery shows the finished movies only (a movie now undecodable kept its old card)
        cards.unfinished = unfinished_cards(entries)
        # (counted at the end: the outputs found finished, with a manifest rebuilt, are the batch's)
        left = left_in_outdir(lib, out, entries, {out / name for name in _own_files()})
        if left:
            summary.in_outdir = len(left)
            log.warning("%s: OUTDIR is inside LIBRARY and left out of it: %d file(s) there that are not this "
                        "batch's outputs are not fingerprinted (%s%s)", out, len(left), left[0].relative_to(out),
                        ", ..." if len(left) > 1 else "")


def _run_recorded(lib: Path, out: Path, options: Options, render: RenderOptions, retry_failed: bool,
                  on_file: Callable[[str, str], None] | None, on_plan: Callable[[int], None] | None,
                  checkpoint_every: float, on_samples: Callable[[str, int, int | None], None] | None,
                  executor: Executor, cards: Cards, summary: Summary, entries: dict[str, ManifestEntry],
                  manifest_path: Path) -> None:
    """:func:`_run_locked` once the manifest's ``entries`` are read."""

    def record(job: Job, result: JobResult) -> None:  # (every strip this run has is drawn as it says)
        entries[job.rel] = ManifestEntry(result.status, options, job.size, job.mtime_ns, result.seconds,
                                         result.error, result.outputs, result.resumed_from_frame, render)

    def make_task(job: Job, owned: tuple[str, ...], findable: bool) -> Task:
        return Task(job, str(out), options, render, executor.threads_per_task, checkpoint_every, owned, findable)

    summary.begun = True
    planned = plan(lib, out, options, render, retry_failed, make_task, entries, record, summary)
    if isinstance(executor, Dask):  # refused here, before any movie is handed out or recorded pending
        executor.keys(planned.todo)
    todo = list(planned.todo)
    unfinished = {job.rel: job for job in [r.job for r in planned.redraws] + [t.job for t in todo]}

    def finish(task: Task, result: JobResult) -> None:
        with writes.changing():
            record(task.job, result)
            unfinished.pop(task.job.rel, None)
        if result.status == Status.DONE:
            cards.add(outputs_for(out, task.job.rel, render)[1])
        summary.count(task.job.rel, result.status, result.error)
        if on_file:
            on_file(task.job.rel, result.status)

    writes = ManifestWrites(entries, manifest_path, MANIFEST_EVERY)
    try:
        try:
            if unfinished:
                withdraw(entries, planned, options)
                write_manifest(entries, manifest_path)  # before any output changes: a kill leaves it true
            if on_plan:
                on_plan(len(unfinished))
            for r in planned.redraws:
                with writes.changing():
                    status = _redrawn(out, r, render, record, summary)
                    if status is not None:
                        unfinished.pop(r.job.rel)
                if status is None:  # the saved data cannot be drawn: fingerprinted again
                    todo.append(make_task(r.job, unmarked_own(r.entry), True))
                elif on_file:
                    on_file(r.job.rel, status)
            if todo:
                executor.run(fingerprint_one, todo, finish,
                             (lambda item: on_samples(*item)) if on_samples else None, _lost)
        finally:
            writes.close()
    except BaseException as exc:  # the movies not finished are pending, whatever stopped the run
        why = "interrupted" if isinstance(exc, (KeyboardInterrupt, Interrupted)) \
            else f"the batch stopped ({type(exc).__name__}: {exc})"
        for task in todo:  # (those still to redraw are recorded as such already: see withdraw())
            if task.job.rel in unfinished:
                entries[task.job.rel] = pending(task.job, options, entries.get(task.job.rel), why)
        summary.pending += len(unfinished)  # counted, not listed one by one: a library may hold thousands
        try:
            write_manifest(entries, manifest_path)
        except Exception as failed:  # the stop is the error to report (a full disk, say)
            log.warning("the manifest was not updated: %s", failed)
        raise
    write_manifest(entries, manifest_path)
    remove_stale(out, entries, planned.seen)


def _redrawn(out: Path, r: Redraw, render: RenderOptions, record: Callable[[Job, JobResult], None],
             summary: Summary) -> Status | None:
    """Draw the strip and page of a finished movie (its outputs ``r.outputs``) again from its
    saved data, as ``render`` says, and record and count it: redrawn (``r.entry``: its
    record, of other drawing), or found finished (None: how its strip was drawn is not known,
    and a record with no drawing options had the next run draw it again); pending when the
    output folder refuses. Its status, or None when the saved data cannot be drawn:
    fingerprint it again."""
    job, entry = r.job, r.entry
    try:
        drawn = redraw_saved(out, job, r.outputs, render, unmarked_own(entry), "fingerprinting again", (OutputError,))
    except OutputError as exc:  # a full disk: decoding the movie again would not help
        record(job, JobResult(Status.PENDING, 0.0, f"cannot redraw: {exc}"))
        summary.count(job.rel, Status.PENDING, str(exc))
        return Status.PENDING
    if drawn is None:
        return None
    if entry is None:
        record(job, JobResult(Status.DONE, 0.0, None, drawn))
        summary.found += 1
    else:
        record(job, JobResult(Status.DONE, entry.seconds, None, drawn, entry.resumed_from_frame))
        summary.redrawn += 1
    return Status.DONE


def unfinished_cards(entries: dict[str, ManifestEntry]) -> frozenset[str]:
    """The data files (relative to OUTDIR) whose cards a batch's gallery leaves out: those
    of the movies whose records in ``entries`` (its manifest) are not done (failed, pending,
    not finished), whatever their data files on disk from an earlier run say. Data files the
    manifest does not name stay in."""
    return frozenset(outputs_for(Path(), rel)[1].as_posix() for rel, e in entries.items() if e.status != Status.DONE)


def gallery_leave_out(out: str | os.PathLike[str]) -> frozenset[str]:
    """:func:`unfinished_cards` of the manifest in ``out`` (none without one): what the
    gallery of a batch's folder leaves out, written by the batch or by the gallery command.
    DataFormatError when the manifest cannot be read."""
    return unfinished_cards(read_manifest(Path(out) / MANIFEST))


def _write_gallery(cards: Cards, quiet: bool = False) -> int | None:
    """OUTDIR/index.html, the gallery of the finished movies; the number of movies in it,
    or None when a batch cannot write it (a foreign index.html, a full disk): it says so
    and goes on, the movies are done. ``quiet``: on the way out of a run that failed,
    whose own error is the one to report."""
    try:
        return cards.write()
    except StreamprintError as exc:
        log.warning("the gallery was not written: %s", exc)
    except Exception as exc:
        if not quiet:
            raise
        log.warning("the gallery was not written: %s: %s", type(exc).__name__, exc)
    return None


def _own_files() -> set[str]:
    """The files a batch writes at the top of OUTDIR besides the lock: manifest and gallery."""
    return set(RESERVED)
