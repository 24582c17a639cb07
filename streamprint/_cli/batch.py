"""``streamprint batch LIBRARY OUTDIR``: every movie of a library, resumable and parallel."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .. import params
from . import NOTHING_WRITTEN
from .common import Parser, add_analysis_options, add_common, add_render_options, check_plot_room, number, \
    options_from, render_from, whole
from .progress import BatchBars, done, plural, took

if TYPE_CHECKING:
    from ..batch import Summary


def parser(prog: str = "streamprint batch") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="Fingerprint every movie under LIBRARY into OUTDIR, mirroring its folders: a strip\n"
                    "(FILE.png), a data file (FILE.json) and a page (FILE.html) per movie, and at the end\n"
                    "OUTDIR/index.html, the gallery of them all. Files are recognised by opening them;\n"
                    "non-video files are skipped and counted. A manifest in OUTDIR records every input:\n"
                    "re-running skips what is done and unchanged and redoes what changed.",
        epilog="exit codes:\n  0    every movie succeeded\n  1    the batch itself could not run\n"
               "  2    usage error\n  3    some movies failed or are pending (the others are done)\n"
               "  130  interrupted (the summary table says what was done)",
    )
    p.add_argument("library", help="folder to search recursively")
    p.add_argument("outdir", help="folder for strips, data files and the manifest")
    p.add_argument("--jobs", type=whole, metavar="N",
                   help="worker processes (default: one per core); decoder threads per worker are "
                        "cores / N")
    p.add_argument("--retry-failed", action="store_true",
                   help="run again the inputs that failed last time (pending ones, stopped through no "
                        "fault of theirs, are always run again)")
    p.add_argument("--rebuild-manifest", action="store_true",
                   help="recreate a lost or unreadable manifest from the finished outputs in OUTDIR")
    p.add_argument("--checkpoint", dest="checkpoint_every", type=number, default=60.0, metavar="SECONDS",
                   help="save a long movie's partial results every SECONDS of work, so an interrupted "
                        "movie resumes where it was, with the same result; 0: no checkpoints (default: %(default)s)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="run one task per movie on this Dask distributed scheduler (e.g. "
                        "tcp://10.0.0.5:8786) instead of local processes (so not with --jobs); workers must see LIBRARY and "
                        "OUTDIR at the same paths. Needs: pip install 'streamprint[dask]'")
    add_analysis_options(p)
    add_render_options(p)
    add_common(p, overwrite=False)
    return p


def run(args: argparse.Namespace) -> int:
    from ..batch import Summary, run_batch

    options, render = options_from(args), render_from(args, None)
    params.check_render(render, options.sampling)
    check_plot_room(render)
    bars = BatchBars(enabled=not args.quiet)
    started = time.monotonic()
    summary = args.summary = Summary()  # (what an interrupt kept: kept_on_interrupt)
    try:
        run_batch(args.library, args.outdir, options, render, args.jobs, args.retry_failed, bars.file_done, bars.plan,
                  dask=args.dask, checkpoint_every=args.checkpoint_every, on_samples=bars.progress,
                  rebuild_manifest=args.rebuild_manifest, summary=summary)
    except BaseException:  # interrupted, or the run failed: what it did so far, once it had begun
        bars.close()
        if summary.begun:  # (also while it went through the library, redrawing)
            print(summary.table())
        raise
    bars.close()
    print(summary.table())
    if not args.quiet:
        done(finished(summary, Path(args.outdir), time.monotonic() - started))
    return summary.exit_code


def kept_on_interrupt(args: argparse.Namespace) -> str:
    """What an interrupt that stopped the batch left (see _cli.dispatch): the movies finished,
    and the gallery of them when it was written (the run's summary says), or nothing when
    OUTDIR was not made yet (it comes after a Dask scheduler answers)."""
    if not Path(args.outdir).is_dir():
        return NOTHING_WRITTEN
    kept = "the movies finished so far are kept"
    summary = getattr(args, "summary", None)
    if summary is not None and summary.gallery is not None:
        kept += f" ({gallery(summary, Path(args.outdir))})"
    return f"{kept}; run it again to go on"


def gallery(summary: Summary, outdir: Path) -> str:
    """``gallery: OUT/index.html, 2 movies`` (``summary.gallery``: how many), or what says it
    was not written."""
    from ..render.gallery import INDEX

    if summary.gallery is None:
        return "the gallery was not written"
    return f"gallery: {outdir / INDEX}, {plural(summary.gallery, 'movie')}"


def finished(summary: Summary, outdir: Path, seconds: float) -> str:
    """``batch of 3 movies done in 4.2 s (2 fingerprinted, 1 failed); gallery: OUT/index.html,
    2 movies``: the line a batch run ends with."""
    s = summary
    counts = [(s.done, "fingerprinted"), (s.redrawn, "redrawn"), (s.skipped, "unchanged"), (s.found, "found finished"),
              (s.not_video, "not video"), (s.failed, "failed"), (s.pending, "pending")]
    total = sum(n for n, _ in counts)
    said = ", ".join(f"{n} {what}" for n, what in counts if n) or "nothing to do"
    return f"batch of {plural(total, 'file')} done in {took(seconds)} ({said}); {gallery(s, outdir)}"
