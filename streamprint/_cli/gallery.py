"""``streamprint gallery OUTDIR``: (re)build a folder's index.html, the gallery of its movies."""

from __future__ import annotations

import argparse
import contextlib
import logging

from .common import Parser, add_common
from .progress import done, plural

log = logging.getLogger("streamprint")


def parser(prog: str = "streamprint gallery") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="Write OUTDIR/index.html: one page with every movie whose data file is in OUTDIR (a\n"
                    "'streamprint batch' folder, or any folder of --data files; of a batch's, those its\n"
                    "manifest records finished), each with its strip,\n"
                    "duration and palette, linking to its page; sorted by name, duration, brightness,\n"
                    "colourfulness or hue, and searchable by colour. 'batch' writes it after every run,\n"
                    "keeping its title, as this command does without --title.",
    )
    p.add_argument("outdir", help="folder of fingerprint data files (.json or .csv; of both of one name, the "
                                  ".json), searched recursively")
    p.add_argument("--title", metavar="TEXT",
                   help="the gallery's title, in its heading and its browser tab (default: the title the "
                        "gallery in OUTDIR has, else streamprint gallery)")
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import shlex

    from ..batch.core import gallery_leave_out
    from ..batch.lock import LOCK_FILE, outdir_lock
    from ..errors import DataFormatError, ParameterError
    from ..formats.manifest import BrokenManifest
    from ..render.gallery import EMPTY, INDEX, write_gallery

    folder = Path(args.outdir)
    if not folder.is_dir():
        raise ParameterError("outdir", f"{folder}: not a directory")
    # a batch's folder: not while a batch writes there (its gallery, written at its end,
    # would replace this one, or this one a newer one of its); other folders get no lock file
    with outdir_lock(folder) if (folder / LOCK_FILE).exists() else contextlib.nullcontext():
        # a batch's folder shows what its manifest says is finished, as the batch's own gallery
        try:
            leave_out = gallery_leave_out(folder)
        except BrokenManifest as exc:  # (its own way out is a flag of the batch command's)
            raise DataFormatError(f"{exc.problem}; run 'streamprint batch LIBRARY {shlex.quote(str(folder))} "
                                  "{param:rebuild_manifest}' (LIBRARY and options as the batch's) to recreate it "
                                  "from the finished outputs and write the gallery") from exc
        count = write_gallery(folder, overwrite=args.overwrite, leave_out=leave_out, title=args.title)
    if count == 0:
        log.warning("%s: %s: the gallery is empty", folder, EMPTY)
    if not args.quiet:
        done(f"wrote {folder / INDEX}: {plural(count, 'movie')}")
    return 0
