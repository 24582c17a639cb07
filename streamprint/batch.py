"""Batch runs over a movie library: one strip and one data file per movie, resumable.

A manifest in the output folder records, for every input, its status, the options used,
its size and mtime, the time taken and any error. A re-run skips what is done and
unchanged, redoes what changed, and retries failures only when asked. Every output, the
manifest included, is written atomically, so a crash or a kill costs only the movies in
progress.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import atomic_output
from .errors import DataFormatError, NotAVideoError, StreamprintError, UsageError

log = logging.getLogger("streamprint")

MANIFEST = "streamprint-manifest.json"
MANIFEST_VERSION = 1
#: Demuxers of still images: a poster.jpg in a library is not a movie.
IMAGE_DEMUXERS = {"image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif",
                  "gif_pipe", "svg_pipe", "jpegxl_pipe", "pam_pipe", "ppm_pipe", "pgm_pipe", "qoi_pipe"}

DONE, FAILED, NOT_VIDEO = "done", "failed", "not-video"


@dataclass(frozen=True)
class Job:
    """One input file. ``rel`` is its path under the library (POSIX separators)."""

    path: str
    rel: str
    size: int
    mtime_ns: int


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
        return 3 if self.failed else 0

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


class Manifest:
    """The record of every input of a library, kept as one JSON file written atomically."""

    def __init__(self, outdir: Path) -> None:
        self.path = outdir / MANIFEST
        self.entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if data.get("version") != MANIFEST_VERSION:
                    raise ValueError(f"version {data.get('version')!r}")
                self.entries = dict(data["entries"])
            except (ValueError, KeyError, TypeError) as exc:
                raise DataFormatError(f"{self.path}: unreadable manifest ({exc}); move it away to start over") from exc

    def save(self) -> None:
        data = {"version": MANIFEST_VERSION, "entries": dict(sorted(self.entries.items()))}
        with atomic_output(self.path, "w") as f:
            f.write(json.dumps(data, indent=1) + "\n")

    def is_current(self, job: Job, options: dict[str, Any], outdir: Path) -> str | None:
        """The recorded status if ``job`` is unchanged and was run with ``options``, else None."""
        e = self.entries.get(job.rel)
        if not e or e.get("size") != job.size or e.get("mtime_ns") != job.mtime_ns or e.get("options") != options:
            return None
        if e.get("status") == DONE and not all((outdir / p).exists() for p in e.get("outputs", [])):
            return None
        return e.get("status")

    def record(self, job: Job, options: dict[str, Any], status: str, seconds: float,
               error: str | None = None, outputs: list[str] | None = None,
               resumed_from_frame: int | None = None) -> None:
        self.entries[job.rel] = {"status": status, "options": options, "size": job.size,
                                 "mtime_ns": job.mtime_ns, "seconds": round(seconds, 3),
                                 "error": error, "outputs": outputs or [],
                                 "resumed_from_frame": resumed_from_frame}


CHECKPOINTS = ".streamprint-checkpoints"


def checkpoint_path(outdir: Path, rel: str) -> Path:
    return outdir / CHECKPOINTS / (rel + ".json")


def _load_checkpoint(path: Path, job: Job) -> dict[str, Any] | None:
    """The saved state for ``job`` if it belongs to this very file (size and mtime), else None."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if state.get("input") != {"size": job.size, "mtime_ns": job.mtime_ns}:
        return None
    return state


def fingerprint_one(job: Job, outdir: str, options: dict[str, Any], render: dict[str, Any],
                    threads: int, checkpoint_every: float = 60.0, progress: Any = None) -> dict[str, Any]:
    """Worker: fingerprint one movie and write its strip and data. Returns a status dict;
    never raises for a bad input (the error is the result).

    Every ``checkpoint_every`` seconds of work the state is saved (atomically) under
    OUTDIR/.streamprint-checkpoints; a later run of the same file and options resumes from
    it (seeking to it, not decoding from the start) and gives the same bytes. ``progress``:
    a queue (or anything with ``put``) that gets (rel, samples, expected) now and then."""
    from threadpoolctl import threadpool_limits

    from .pipeline import Options, fingerprint
    from .source import ResumeError

    t = time.perf_counter()
    strip, data = outputs_for(Path(outdir), job.rel)
    ckpt = checkpoint_path(Path(outdir), job.rel)
    resume = _load_checkpoint(ckpt, job) if ckpt.exists() else None
    resumed_from = None

    def save_checkpoint(state: dict[str, Any]) -> None:
        state["input"] = {"size": job.size, "mtime_ns": job.mtime_ns}
        ckpt.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(ckpt, "w") as f:
            f.write(json.dumps(state))

    last_report = 0.0

    def report(p: Any) -> None:
        nonlocal last_report
        if progress is not None and time.monotonic() - last_report >= 0.25:
            last_report = time.monotonic()
            progress.put((job.rel, p.samples, p.expected))

    def run(resume_state: dict[str, Any] | None) -> Any:
        with threadpool_limits(limits=1):
            return fingerprint(job.path, Options.from_dict(options), threads=threads, checkpoint=save_checkpoint,
                               checkpoint_every=checkpoint_every, resume=resume_state, progress=report)

    try:
        try:
            fp = run(resume)
            resumed_from = None if resume is None else int(resume["resume"]["index"])
        except (ResumeError, UsageError, KeyError, TypeError, ValueError):
            if resume is None:
                raise
            log.warning("%s: checkpoint unusable, starting from the beginning", job.rel)
            fp = run(None)
        if fp.source.container in IMAGE_DEMUXERS:
            raise NotAVideoError(f"{job.rel}: a still image, not a movie")
        strip.parent.mkdir(parents=True, exist_ok=True)
        fp.save(data)
        fp.save_image(strip, **render)
        ckpt.unlink(missing_ok=True)
    except NotAVideoError as exc:
        return {"status": NOT_VIDEO, "error": str(exc), "seconds": time.perf_counter() - t}
    except StreamprintError as exc:
        return {"status": FAILED, "error": str(exc), "seconds": time.perf_counter() - t}
    except Exception as exc:  # a bug must not take the whole batch down
        return {"status": FAILED, "error": f"{type(exc).__name__}: {exc}", "seconds": time.perf_counter() - t}
    rels = [strip.relative_to(outdir).as_posix(), data.relative_to(outdir).as_posix()]
    return {"status": DONE, "error": None, "seconds": time.perf_counter() - t, "outputs": rels,
            "resumed_from_frame": resumed_from}


def run_batch(
    library: str | os.PathLike[str],
    outdir: str | os.PathLike[str],
    options: Any,
    render: dict[str, Any] | None = None,
    jobs: int | None = None,
    retry_failed: bool = False,
    on_file: Callable[[str, str], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    dask: str | None = None,
    checkpoint_every: float = 60.0,
    on_samples: Callable[[str, int, int | None], None] | None = None,
) -> Summary:
    """Fingerprint every movie under ``library`` into ``outdir``; see the module docstring.

    ``options`` is a :class:`~streamprint.pipeline.Options`; ``render`` holds keyword
    arguments of :meth:`Fingerprint.save_image`. ``jobs`` worker processes (default: one
    per core), each with cores / jobs decoder threads. ``on_plan(n)`` is called with the
    number of files to process, ``on_file(rel, status)`` after each one, and
    ``on_samples(rel, samples, expected)`` now and then while a movie is being worked on.

    ``dask``: the address of a running Dask distributed scheduler (``tcp://host:8786``);
    each movie becomes one task there, and the workers must see ``library`` and ``outdir``
    at the same paths (a shared filesystem). The manifest is still written here, by this
    process alone.
    """
    lib, out = Path(library), Path(outdir)
    if not lib.is_dir():
        raise UsageError(f"{lib}: not a directory")
    out.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    jobs = jobs or cores
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    threads = max(1, cores // jobs)
    opts = options.to_dict()
    render = dict(render or {})
    _remove_stale_temp_files(out)
    manifest = Manifest(out)
    summary = Summary()
    todo: list[Job] = []
    for job in discover(lib, out):
        status = manifest.is_current(job, opts, out)
        if status == DONE:
            summary.skipped += 1
        elif status == NOT_VIDEO:
            summary.not_video += 1
        elif status == FAILED and not retry_failed:
            summary.failed += 1
            summary.errors[job.rel] = manifest.entries[job.rel].get("error") or "failed"
        else:
            todo.append(job)
    if on_plan:
        on_plan(len(todo))
    if not todo:
        return summary

    def finish(job: Job, result: dict[str, Any]) -> None:
        manifest.record(job, opts, result["status"], result["seconds"], result.get("error"), result.get("outputs"),
                        result.get("resumed_from_frame"))
        manifest.save()
        if result["status"] == DONE:
            summary.done += 1
        elif result["status"] == NOT_VIDEO:
            summary.not_video += 1
        else:
            summary.failed += 1
            summary.errors[job.rel] = result.get("error") or "failed"
        if on_file:
            on_file(job.rel, result["status"])

    if dask:
        _run_on_dask(dask, todo, str(out), opts, render, finish, checkpoint_every)
        return summary

    class _Direct:
        def put(self, item: tuple[str, int, int | None]) -> None:
            if on_samples:
                on_samples(*item)

    if jobs == 1:
        for job in todo:
            finish(job, fingerprint_one(job, str(out), opts, render, threads, checkpoint_every, _Direct()))
        return summary

    import multiprocessing
    import queue as queue_module

    manager = multiprocessing.get_context("spawn").Manager() if on_samples else None
    reports = manager.Queue() if manager else None

    def drain() -> None:
        while reports is not None:
            try:
                item = reports.get_nowait()
            except (queue_module.Empty, OSError, EOFError):
                return
            if on_samples:
                on_samples(*item)

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        pending: dict[Future, Job] = {}
        queue = iter(todo)

        def top_up() -> None:
            """Keep two movies per worker submitted, so none waits for the next."""
            for job in queue:
                pending[pool.submit(fingerprint_one, job, str(out), opts, render, threads, checkpoint_every,
                                    reports)] = job
                if len(pending) >= jobs * 2:
                    return

        try:
            top_up()
            while pending:
                done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                drain()
                for fut in done:
                    finish(pending.pop(fut), fut.result())
                top_up()
        except BaseException:
            for fut in pending:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            if manager is not None:
                manager.shutdown()
    return summary


def _run_on_dask(address: str, todo: list[Job], outdir: str, opts: dict[str, Any], render: dict[str, Any],
                 finish: Callable[[Job, dict[str, Any]], None], checkpoint_every: float) -> None:
    """One task per movie on a Dask cluster; results are recorded as they complete."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise UsageError("--dask needs Dask: pip install 'streamprint[dask]'") from exc
    try:
        client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--dask {address}: cannot reach the scheduler ({exc})") from exc
    with client:
        # Decoder threads per task: the worker's own thread budget (one task per thread).
        futures = {client.submit(fingerprint_one, job, outdir, opts, render, 1, checkpoint_every, key=f"streamprint-{job.rel}",
                                 pure=False): job for job in todo}
        try:
            for fut in as_completed(futures):
                job = futures[fut]
                try:
                    result = fut.result()
                except Exception as exc:  # the worker died or the task was lost
                    result = {"status": FAILED, "error": f"on the cluster: {exc}", "seconds": 0.0}
                finish(job, result)
        except BaseException:
            client.cancel(list(futures))
            raise


def _remove_stale_temp_files(outdir: Path) -> None:
    """Temporary files of outputs that a killed run never renamed (``.NAME.XXXX.tmp``)."""
    for tmp in outdir.rglob(".*.tmp"):
        try:
            tmp.unlink()
        except OSError:
            pass


def grid(outdir: str | os.PathLike[str], size: tuple[int, int]) -> Any:
    """Tile the strips listed as done in ``outdir``'s manifest into one (height, width, 3)
    uint8 image of exactly ``size`` = (width, height) px, in a grid whose cells are shaped
    as close as possible to the strips."""
    import math

    import numpy as np
    from PIL import Image

    out = Path(outdir)
    if not (out / MANIFEST).exists():
        raise UsageError(f"{out}: no {MANIFEST} here; run 'streamprint batch' first")
    manifest = Manifest(out)
    strips = [out / e["outputs"][0] for _, e in sorted(manifest.entries.items())
              if e.get("status") == DONE and e.get("outputs") and str(e["outputs"][0]).endswith(".png")
              and (out / e["outputs"][0]).exists()]
    if not strips:
        raise UsageError(f"{out}: no finished PNG strips to tile")
    width, height = size
    images = [Image.open(p).convert("RGB") for p in strips]
    aspect = float(np.median([im.width / im.height for im in images]))
    n = len(images)
    cols = min(range(1, n + 1), key=lambda c: abs(math.log((width / c) / (height / math.ceil(n / c)) / aspect)))
    rows = math.ceil(n / cols)
    canvas = Image.new("RGB", (width, height), (0, 0, 0))
    xs = [round(i * width / cols) for i in range(cols + 1)]
    ys = [round(j * height / rows) for j in range(rows + 1)]
    for i, im in enumerate(images):
        c, r = i % cols, i // cols
        cell = (xs[c + 1] - xs[c], ys[r + 1] - ys[r])
        canvas.paste(im.resize(cell, Image.Resampling.BOX), (xs[c], ys[r]))
    return np.asarray(canvas)
