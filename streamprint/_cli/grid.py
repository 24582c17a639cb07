"""``streamprint grid OUTDIR WALL.png``: tile a batch's strips into one wallpaper."""

from __future__ import annotations

import argparse

from .. import params
from ..atomic import check_outputs
from .common import Parser, add_common


def parser(prog: str = "streamprint grid") -> argparse.ArgumentParser:
    p = Parser(prog=prog, description="Tile the strips of a batch OUTDIR into one wallpaper image.")
    p.add_argument("outdir", help="a folder written by 'streamprint batch'")
    p.add_argument("output", help="wallpaper to write: .png, .jpg or .webp")
    p.add_argument("--size", default="3840x2160", metavar="WxH",
                   help="wallpaper size in pixels (default: %(default)s)")
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from ..batch import MANIFEST, grid
    from ..batch.grid import finished_strips
    from ..render import write_image

    size = params.check_size("size", args.size)
    params.check_pixels("size", *size)
    fmt = params.image_format_for(args.output, "output", params.RASTER_FORMATS)
    inputs = [*finished_strips(args.outdir), f"{args.outdir}/{MANIFEST}"]
    check_outputs([("output", args.output)], inputs, args.overwrite)
    write_image(grid(args.outdir, size), args.output, fmt)
    return 0
