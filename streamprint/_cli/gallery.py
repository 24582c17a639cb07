"""``streamprint gallery OUTDIR``: (re)build a folder's index.html, the gallery of its movies."""

from __future__ import annotations

import argparse
import logging

from .common import Parser, add_common

log = logging.getLogger("streamprint")


def parser(prog: str = "streamprint gallery") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="Write OUTDIR/index.html: one page with every movie whose data file is in OUTDIR (a\n"
                    "'streamprint batch' folder, or any folder of --data files), each with its strip,\n"
                    "duration and palette, linking to its page; sorted by name, duration, brightness,\n"
                    "colourfulness or hue, and searchable by colour. 'batch' writes it after every run.",
    )
    p.add_argument("outdir", help="folder of fingerprint data files (.json), searched recursively")
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..errors import ParameterError
    from ..render.gallery import INDEX, write_gallery

    folder = Path(args.outdir)
    if not folder.is_dir():
        raise ParameterError("outdir", f"{folder}: not a directory")
    count = write_gallery(folder, overwrite=args.overwrite)
    log.info("wrote %s: %d movies", folder / INDEX, count)
    return 0
