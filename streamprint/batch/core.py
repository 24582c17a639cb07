"""Batch runs over a movie library: one strip and one data file per movie, resumable.

A manifest in the output folder records, for every input, its status, the options used,
its size and mtime, the time taken and any error. A re-run skips what is done and
unchanged, redoes what changed, and retries failures only when asked. Every output, the
manifest included, is written atomically, so a crash or a kill costs only the movies in
progress. Where the movies are worked on is an executor's business (:mod:`.executors`);
what is done with each is written once, here.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import params
from ..enums import Status
from ..errors import EXIT_OK, EXIT_PARTIAL, DataFormatError, InputError, NotAVideoError, ParameterError, \
    ResumeError, StreamprintError
from ..formats import read_checkpoint, read_manifest, write_checkpoint, write_fingerprint, write_manifest
from ..model import Checkpoint, JobResult, ManifestEntry, Options, RenderOptions
from .executors import Dask, Executor, local

log = logging.getLogger("streamprint")

MANIFEST = "streamprint-manifest.json"
CHECKPOINTS = ".streamprint-checkpoints"
#: Demuxers of still images: a poster.jpg in a library is not a movie.
IMAGE_DEMUXERS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif",
                  "gif_pipe", "svg_pipe", "jpegxl_pipe", "pam_pipe", "ppm_pipe", "pgm_pipe", "qoi_pipe"}


@dataclass(frozen=True)
class Job:
    """One input file. ``rel`` is its path under the library (POSIX separators)."""

    path: str
    rel: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Task:
    """One movie to fingerprint, with everything a worker process needs."""

    job: Job
    outdir: str
    options: Options
    render: RenderOptions
    threads: int
    checkpoint_every: float


@dataclass
class Summary:
    """What a batch run did. Counts of inputs by outcome, and the failures' messages."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    not_video: int = 0
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_PARTIAL if self.failed else EXIT_OK

    def count(self, rel: str, status: Status, error: str | None) -> None:
        if status == Status.DONE:
            self.done += 1
        elif status == Status.NOT_VIDEO:
            self.not_video += 1
        else:
            self.failed += 1
            self.errors[rel] = error or "failed"

    def table(self) -> str:
        rows = [("fingerprinted now", self.done), ("already done, unchanged", self.skipped),
                ("not video (skipped)", self.not_video), ("failed", self.failed)]
        lines = [f"{label:<26} {n:>6}" for label, n in rows]
        for rel, message in sorted(self.errors.items()):
            lines.append(f"  failed: {rel}: {message}")
        return "\n".join(lines)


def discover(library: Path, outdir: Path) -> Iterator[Job]:
    """Every regular file under ``library``, recursively, in a stable order; hidden files and
    folders and the output folder are left out. Whether a file is a video is found out by
    opening it, not from its name."""
    library, outdir = library.resolve(), outdir.resolve()
    for root, dirs, files in os.walk(library):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != outdir)
        for name in sorted(files):
            if name.startswith("."):
                continue
            p = here / name
            try:
                st = p.stat()
            except OSError:
                continue
            if p.is_file():
                yield Job(str(p), p.relative_to(library).as_posix(), st.st_size, st.st_mtime_ns)


def outputs_for(outdir: Path, rel: str, image_ext: str = ".png") -> tuple[Path, Path]:
    """Strip and data paths for input ``rel``: the folder structure mirrored, the input's own
    extension kept (movie.mkv -> movie.mkv.png, movie.mkv.json) so names never collide."""
    base = outdir / rel
    return base.with_name(base.name + image_ext), base.with_name(base.name + ".json")


def checkpoint_path(outdir: Path, rel: str) -> Path:
    return outdir / CHECKPOINTS / (rel + ".json")


def _usable_checkpoint(path: Path, job: Job, options: Options) -> Checkpoint | None:
    """The saved state for ``job`` if there is one, it reads back whole, and it belongs to
    this very file (size and mtime) and these options; else None (with a warning when a
    checkpoint was there but unusable)."""
    if not path.exists():
        return None
    try:
        state = read_checkpoint(path)
    except (DataFormatError, InputError) as exc:
        log.warning("%s: checkpoint unusable, starting from the beginning (%s)", job.rel, exc)
        return None
    if state.input != (job.size, job.mtime_ns) or state.options != options:
        return None
    return state


def fingerprint_one(task: Task, progress: Any = None) -> JobResult:
    """Worker: fingerprint one movie and write its strip and data; never raises for a bad
    input (the error is the result).

    Every ``checkpoint_every`` seconds of work the state is saved (atomically) under
    OUTDIR/.streamprint-checkpoints; a later run of the same file and options resumes from
    it (seeking to it, not decoding from the start) and gives the same bytes. ``progress``:
    a queue (or anything with ``put``) that gets (rel, samples, expected) now and then."""
    from threadpoolctl import threadpool_limits

    from ..pipeline import fingerprint
    from ..render import save_image

    job, outdir = task.job, Path(task.outdir)
    t = time.perf_counter()
    strip, data = outputs_for(outdir, job.rel)
    ckpt = checkpoint_path(outdir, job.rel)
    resume = _usable_checkpoint(ckpt, job, task.options)

    def save_checkpoint(state: Checkpoint) -> None:
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        write_checkpoint(dataclasses.replace(state, input=(job.size, job.mtime_ns)), ckpt)

    last_report = 0.0

    def report(p: Any) -> None:
        nonlocal last_report
        if progress is not None and time.monotonic() - last_report >= 0.25:
            last_report = time.monotonic()
            progress.put((job.rel, p.samples, p.expected))

    def run(resume_from: Checkpoint | None) -> Any:
        with threadpool_limits(limits=1):
            return fingerprint(job.path, **task.options.fields(), threads=task.threads, checkpoint=save_checkpoint,
                               checkpoint_every=task.checkpoint_every, resume=resume_from, progress=report)

    def failed(status: Status, message: str) -> JobResult:
        return JobResult(status, time.perf_counter() - t, message)

    try:
        try:
            fp = run(resume)
        except (ResumeError, ParameterError) as exc:
            if resume is None:
                raise
            log.warning("%s: cannot resume (%s), starting from the beginning", job.rel, exc)
            fp, resume = run(None), None
        if fp.source.container in IMAGE_DEMUXERS:
            raise NotAVideoError(f"{job.rel}: a still image, not a movie")
        strip.parent.mkdir(parents=True, exist_ok=True)
        write_fingerprint(fp, data)
        save_image(fp, strip, task.render)
        ckpt.unlink(missing_ok=True)
    except NotAVideoError as exc:
        return failed(Status.NOT_VIDEO, str(exc))
    except StreamprintError as exc:
        return failed(Status.FAILED, str(exc))
    except Exception as exc:  # a bug must not take the whole batch down
        return failed(Status.FAILED, f"{type(exc).__name__}: {exc}")
    rels = (strip.relative_to(outdir).as_posix(), data.relative_to(outdir).as_posix())
    return JobResult(Status.DONE, time.perf_counter() - t, None, rels,
                     None if resume is None else resume.resume.index)


def _lost(task: Task, exc: BaseException) -> JobResult:
    return JobResult(Status.FAILED, 0.0, f"on the cluster: {exc}")


def _is_current(entry: ManifestEntry | None, job: Job, options: Options, outdir: Path) -> Status | None:
    """The recorded status if ``job`` is unchanged and was run with ``options``, else None."""
    if entry is None or (entry.size, entry.mtime_ns) != (job.size, job.mtime_ns) or entry.options != options:
        return None
    if entry.status == Status.DONE and not all((outdir / p).exists() for p in entry.outputs):
        return None
    return entry.status


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
) -> Summary:
    """Fingerprint every movie under ``library`` into ``outdir``; see the module docstring.

    ``render`` says how strips are drawn. The movies are worked on by ``executor`` (see
    :mod:`.executors`); by default ``jobs`` local worker processes (default: one per core),
    or, given ``dask`` (a scheduler's address, ``tcp://host:8786``), one task per movie on
    that cluster, whose workers must see ``library`` and ``outdir`` at the same paths. The
    cores are shared among the executor's slots as decoder threads. ``on_plan(n)`` is
    called with the number of files to process, ``on_file(rel, status)`` after each one,
    and ``on_samples(rel, samples, expected)`` now and then while a movie is being worked
    on. The manifest is written by this process alone.
    """
    lib, out = Path(library), Path(outdir)
    jobs = params.check("jobs", jobs)
    checkpoint_every = params.check("checkpoint_every", checkpoint_every)
    render = render or RenderOptions()
    params.check_render(render, options.sampling)
    if not lib.is_dir():
        raise ParameterError("library", f"{lib}: not a directory")
    if executor is None:
        executor = Dask(dask, key=lambda task: f"streamprint-{task.job.rel}") if dask else local(jobs)
    out.mkdir(parents=True, exist_ok=True)
    threads = executor.threads_per_task
    _remove_stale_temp_files(out)
    manifest_path = out / MANIFEST
    entries = read_manifest(manifest_path)
    summary = Summary()
    todo: list[Task] = []
    for job in discover(lib, out):
        status = _is_current(entries.get(job.rel), job, options, out)
        if status == Status.DONE:
            summary.skipped += 1
        elif status == Status.NOT_VIDEO:
            summary.not_video += 1
        elif status == Status.FAILED and not retry_failed:
            summary.count(job.rel, Status.FAILED, entries[job.rel].error)
        else:
            todo.append(Task(job, str(out), options, render, threads, checkpoint_every))
    if on_plan:
        on_plan(len(todo))
    if not todo:
        return summary

    def finish(task: Task, result: JobResult) -> None:
        job = task.job
        entries[job.rel] = ManifestEntry(result.status, options, job.size, job.mtime_ns, result.seconds,
                                         result.error, result.outputs, result.resumed_from_frame)
        write_manifest(entries, manifest_path)
        summary.count(job.rel, result.status, result.error)
        if on_file:
            on_file(job.rel, result.status)

    executor.run(fingerprint_one, todo, finish, (lambda item: on_samples(*item)) if on_samples else None, _lost)
    return summary


def _remove_stale_temp_files(outdir: Path) -> None:
    """Temporary files of outputs that a killed run never renamed (``.NAME.XXXX.tmp``)."""
    for tmp in outdir.rglob(".*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass
