"""What is done for one movie of a batch: fingerprint it (resuming from its checkpoint),
redraw its strip from saved data, or recognise outputs that are already finished."""

from __future__ import annotations

import dataclasses
import logging
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import params
from ..atomic import check_name
from ..enums import ImageFormat, Status
from ..errors import Interrupted, NotAVideoError, OutputError, ParameterError, \
    ResumeError, StreamprintError
from ..formats import read_fingerprint, write_checkpoint
from ..marks import written_by_streamprint
from ..model import Checkpoint, JobResult, Options, RenderOptions
from .damage import empty
from .checkpoints import checkpoint_path, drop, refused, usable_checkpoint

log = logging.getLogger("streamprint")

#: Extensions of movie files: one of these that cannot be opened is a failed movie (damaged,
#: truncated), not a file that is "not video".
VIDEO_EXTENSIONS = frozenset({
    ".3g2", ".3gp", ".asf", ".avi", ".divx", ".dv", ".f4v", ".flv", ".m2ts", ".m2v", ".m4v", ".mkv", ".mov",
    ".mp4", ".mpeg", ".mpg", ".mts", ".mxf", ".nut", ".ogv", ".rm", ".rmvb", ".ts", ".vob", ".webm", ".wmv",
    ".xvid", ".y4m", ".h264", ".h265", ".hevc",
})


@dataclass(frozen=True)
class Job:
    """One input file. ``rel`` is its path under the library (POSIX separators)."""

    path: str
    rel: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Task:
    """One movie to fingerprint, with everything a worker process needs; ``outdir`` is
    absolute, so that workers on other machines write where this one asked."""

    job: Job
    outdir: str
    options: Options
    render: RenderOptions
    threads: int
    checkpoint_every: float
    owned: tuple[str, ...] = ()
    """Outputs the manifest lists for this movie (relative to ``outdir``) that streamprint
    wrote before outputs carried a mark: its own, though unmarked (see ``plan.unmarked_own``)."""
    findable: bool = True
    """Whether outputs found finished under this movie's name may be its own: not when the
    manifest knew another file by that name (see ``core._lost``)."""


def outputs_for(outdir: Path, rel: str, render: RenderOptions | None = None) -> tuple[Path, Path, Path]:
    """Strip, data and page paths for input ``rel``: the folder structure mirrored, the
    input's own extension kept (movie.mkv -> movie.mkv.png, movie.mkv.json, movie.mkv.html)
    so names never collide."""
    base = outdir / rel
    ext = params.extension_for(render.format if render is not None else ImageFormat.PNG)
    return base.with_name(base.name + ext), base.with_name(base.name + ".json"), base.with_name(base.name + ".html")


#: What a worker says of a movie gone from the library since the batch began (a library
#: unmounted; a link's target gone): not the movie's fault, it is pending.
GONE = "gone from the library since the batch began"


def regular_file(path: str | os.PathLike[str]) -> os.stat_result | None:
    """The status of the file at ``path`` (through links) when it is a regular file, else
    None (a FIFO, a device, a folder, a dangling link, nothing): the one rule for what a
    batch takes from its library as a file to open, which the scan follows
    (:func:`.plan.discover`) and a worker again before it opens the movie. Opens nothing (a
    FIFO's open waits for a writer)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _foreign(paths: tuple[Path, ...], owned: tuple[Path, ...] = ()) -> Path | None:
    """The first of ``paths`` that exists and was not written by streamprint (``owned``:
    files the manifest says it wrote), unless it is empty: nobody's data (an output emptied
    by a failed copy, which :func:`.plan.plan` has mended)."""
    return next((p for p in paths if p.exists() and p not in owned and not empty(p) and not written_by_streamprint(p)),
                None)


def _not_a_folder(outdir: Path, folder: Path) -> Path | None:
    """The first of the folders from ``outdir`` down to ``folder`` that is there and is not
    a folder (a strip of a movie named as the folder is, written before the clash was found:
    :func:`.plan._clash`), or None."""
    parts = folder.relative_to(outdir).parts
    return next((p for p in (outdir.joinpath(*parts[:i]) for i in range(1, len(parts) + 1))
                 if os.path.lexists(p) and not p.is_dir()), None)


def fingerprint_one(task: Task, progress: Any = None) -> JobResult:
    """Worker: fingerprint one movie and write its strip and data; never raises for a bad
    input (the error is the result), only for an interrupt.

    Every ``checkpoint_every`` seconds of work the state is saved (atomically) under
    OUTDIR/.streamprint-checkpoints; a later run of the same file and options resumes from
    it (seeking to it, not decoding from the start) and gives the same bytes. ``progress``:
    a queue (or anything with ``put``) that gets (rel, samples, expected) now and then, and
    once more before the outputs are written (a Dask task's stops it there when the batch no
    longer wants it: :class:`.dask._Wanted`).

    A movie that cannot be decoded is ``failed``; a failure that is not the movie's (the
    output cannot be written: a full disk, a lost mount) leaves it ``pending``. Its
    checkpoint is removed once it is finished in any way (:func:`.checkpoints.drop`); where
    no checkpoint can be kept (:func:`.checkpoints.refused`: a file of the user's in the
    way), it is fingerprinted without."""
    outdir = Path(task.outdir)
    keep = refused(outdir) is None
    result = _fingerprint(task, progress, keep)
    if keep and result.status != Status.PENDING:  # (a photo's, holding its thumbnail, stayed for good)
        drop(outdir, task.job.rel)
    return result


def _fingerprint(task: Task, progress: Any, keep: bool) -> JobResult:
    """:func:`fingerprint_one`, with checkpoints when ``keep``."""
    from ..outputs import RunOutputs
    from ..pipeline import fingerprint

    job, outdir = task.job, Path(task.outdir)
    t = time.perf_counter()
    outputs = outputs_for(outdir, job.rel, task.render)
    ckpt = checkpoint_path(outdir, job.rel)

    def failed(status: Status, message: str) -> JobResult:
        return JobResult(status, time.perf_counter() - t, message)

    try:  # the movie's name makes output names no file system takes: its own failure
        for path in outputs:
            check_name(path)
    except OutputError as exc:
        return failed(Status.FAILED, f"{exc} (rename the movie)")
    if regular_file(job.path) is None:  # replaced since the scan: a FIFO's open blocked the batch for good
        return failed(Status.PENDING, GONE if not os.path.lexists(job.path) else "no longer a file since the "
                      "batch began (a FIFO, a folder or a device); the next run leaves it out")
    try:
        blocked = _not_a_folder(outdir, outputs[0].parent)
        foreign = _foreign(outputs, tuple(outdir / o for o in task.owned))
        resume = usable_checkpoint(ckpt, job.rel, (job.size, job.mtime_ns), task.options) if keep else None
    except OSError as exc:  # the output folder's trouble (a lost mount), not the movie's
        return failed(Status.PENDING, f"{type(exc).__name__}: {exc}")
    if blocked is not None:  # (mkdir: "File exists")
        return failed(Status.PENDING, f"{blocked.relative_to(outdir)} is a file where this movie's folder goes; "
                                      "move it away")
    if foreign is not None:  # not the movie's fault: pending, so the next run tries again
        return failed(Status.PENDING, f"{foreign.relative_to(outdir)} " + (
            "is a folder where an output of this movie goes" if foreign.is_dir() else
            "exists and was not written by streamprint") + "; move it away")

    def save_checkpoint(state: Checkpoint) -> None:
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        write_checkpoint(dataclasses.replace(state, input=(job.size, job.mtime_ns)), ckpt)

    last_report = 0.0
    expected: int | None = None  # the samples the run expects (fits: known before any report)

    def report(p: Any) -> None:  # (none for a photo's one frame: fingerprint() holds it back)
        nonlocal last_report
        if progress is not None and time.monotonic() - last_report >= 0.25:
            last_report = time.monotonic()
            progress.put((job.rel, p.samples, p.expected))

    def run(resume_from: Checkpoint | None) -> Any:  # fingerprint() holds BLAS at one thread itself
        return fingerprint(job.path, **task.options.fields(), threads=task.threads,
                           checkpoint=save_checkpoint if keep else None,
                           checkpoint_every=task.checkpoint_every, resume=resume_from, progress=report,
                           before_decoding=fits, thumbnails=True)

    def fits(info: Any, samples: int | None) -> None:  # the strip's size, before decoding
        nonlocal expected  # (for the last report: an animation sampled at its first frame alone makes no other)
        expected = samples
        params.check_drawn_size(task.render, task.options.sampling.time_proportional, samples, info.duration)

    try:
        try:
            fp = run(resume)
        except (ResumeError, ParameterError) as exc:
            if resume is None:
                raise
            log.warning("%s: cannot resume (%s), starting from the beginning", job.rel, exc)
            fp, resume = run(None), None
        if progress is not None:  # a last report, however soon after the one before: a Dask task no
            # longer wanted stops there (dask._Wanted), as at every report, before it writes into OUTDIR
            progress.put((job.rel, len(fp), expected))
        outputs[0].parent.mkdir(parents=True, exist_ok=True)
        # The data file last: once it exists, the strip and the page do too, so a client that
        # gives up on this worker (see core._lost) finds the movie finished, not half done.
        # overwrite: the batch's own rule, above, decided (the manifest's files are the batch's)
        # (the page names the movie by its path in the library; the data file keeps the path
        # it was read from, by which a later run finds these outputs finished: finished_outputs)
        RunOutputs(outputs[0], task.render, outputs[1], page=outputs[2], overwrite=True, page_file=job.rel).write(fp)
    except Interrupted:
        raise
    except NotAVideoError as exc:
        video = Path(job.rel).suffix.lower() in VIDEO_EXTENSIONS
        return failed(Status.FAILED if video else Status.NOT_VIDEO, str(exc))
    except OutputError as exc:
        return failed(Status.PENDING, str(exc))
    except StreamprintError as exc:
        if not os.path.exists(job.path):  # moved away while the batch ran (a library unmounted; a link's target)
            return failed(Status.PENDING, f"{exc} ({GONE})")
        return failed(Status.FAILED, str(exc))
    except OSError as exc:  # the machine's trouble, not the movie's
        return failed(Status.PENDING, f"{type(exc).__name__}: {exc}")
    except MemoryError:  # the machine's too (a decoder's ENOMEM): retried by the next run
        return failed(Status.PENDING, "out of memory")
    except Exception as exc:  # a bug must not take the whole batch down
        return failed(Status.FAILED, f"{type(exc).__name__}: {exc}")
    rels = tuple(p.relative_to(outdir).as_posix() for p in outputs)
    return JobResult(Status.DONE, time.perf_counter() - t, None, rels,
                     None if resume is None else resume.resume.index)


def redraw(outdir: Path, job: Job, data_rel: str, old_strip_rel: str, render: RenderOptions,
           owned: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Draw a finished movie's strip and page again from its saved data, as ``render`` says
    (no decoding); returns the new (strip, data, page) paths relative to ``outdir``. The old
    strip is removed when the new one has another name (another format). ``owned``: as
    :attr:`Task.owned`."""
    fp = read_fingerprint(outdir / data_rel)
    strip, _, page = outputs_for(outdir, job.rel, render)
    old = outdir / old_strip_rel
    owned_paths = tuple(outdir / o for o in owned)
    foreign = _foreign((strip, page), owned_paths)
    if foreign is not None:
        raise OutputError(f"{foreign} exists and was not written by streamprint")
    from ..outputs import RunOutputs

    # the strip, then the page (checked above), which names the movie by its path in the library
    RunOutputs(strip, render, page=page, overwrite=True, page_file=job.rel).write(fp)
    strips = {outputs_for(outdir, job.rel, RenderOptions(format=f))[0] for f in params.STRIP_FORMATS}
    # this movie's strip in another format, unless a picture of the user's is there now
    if old != strip and old in strips and old.exists() and _foreign((old,), owned_paths) is None:
        old.unlink()
    return strip.relative_to(outdir).as_posix(), data_rel, page.relative_to(outdir).as_posix()


def redraw_saved(outdir: Path, job: Job, outputs: tuple[str, ...], render: RenderOptions, owned: tuple[str, ...],
                 then: str, passes: tuple[type[StreamprintError], ...] = ()) -> tuple[str, ...] | None:
    """:func:`redraw` of a finished movie's ``outputs`` (strip, data, page: relative to
    ``outdir``), or None when they cannot be drawn again (the saved data unreadable, a file
    of the user's in the way), with a warning that ends in ``then``, what is done instead.
    The errors of a kind in ``passes`` are the caller's to handle, as an interrupt is."""
    try:
        return redraw(outdir, job, outputs[1], outputs[0], render, owned)
    except Interrupted:
        raise
    except StreamprintError as exc:
        if isinstance(exc, passes):
            raise
        log.warning("%s: cannot redraw from the saved data (%s); %s", job.rel, exc, then)
        return None


def finished_outputs(outdir: Path, job: Job, options: Options, render: RenderOptions) -> tuple[str, ...] | None:
    """The outputs of ``job`` if they are already there and whole, though the manifest does
    not say so (a worker that finished after its client gave up; a lost manifest): all
    three files streamprint's (the data file is written last), the data readable, made from this
    file (its path, and not older than it) with these options. Else None."""
    outputs = outputs_for(outdir, job.rel, render)
    data = outputs[1]
    try:
        if not all(p.exists() and written_by_streamprint(p) for p in outputs):
            return None
        if os.stat(data).st_mtime_ns < job.mtime_ns:
            return None
        fp = read_fingerprint(data)
    except (StreamprintError, OSError):
        return None
    if fp.options != options or os.path.abspath(fp.source.path) != os.path.abspath(job.path):
        return None
    return tuple(p.relative_to(outdir).as_posix() for p in outputs)


def found_finished(task: Task) -> tuple[str, ...] | None:
    """The outputs of a task whose worker was lost (see ``core._lost``), found finished and
    drawn again from their saved data as this run says (as the plan draws outputs it finds):
    whoever wrote them, they are then what the manifest records. The lost worker may never have run, and a worker of an
    earlier run with other drawing (one that outlived its client) may have written them:
    a dominant strip was recorded as stacked, and the next runs took it as done in that
    style. None when none are found, when the manifest knew another file by this name (a
    movie replaced by a copy with an older mtime was recorded done with the old one's
    outputs), or when they cannot be drawn again."""
    out = Path(task.outdir)
    found = finished_outputs(out, task.job, task.options, task.render) if task.findable else None
    if found is None:
        return None
    return redraw_saved(out, task.job, found, task.render, task.owned, "found finished, it is run again next time")
