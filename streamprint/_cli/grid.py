"""``streamprint grid FOLDER WALL.png``: tile the strips and data files of a folder into one wallpaper."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import params
from ..atomic import check_outputs
from ..errors import ParameterError
from ..model import RenderOptions
from .common import Parser, add_common, add_style_option, choices, whole
from .progress import done, plural


def parser(prog: str = "streamprint grid") -> argparse.ArgumentParser:
    from ..enums import Order

    p = Parser(prog=prog,
               description="Tile the movies of a folder into one wallpaper: every PNG strip and every\n"
                           "streamprint data file (.json, .csv) under FOLDER, recursively, e.g. a batch's\n"
                           "OUTDIR. A data file is drawn at exactly its tile's size with --style and\n"
                           "--order (and is used instead of a PNG of the same name: movie.mkv.json over\n"
                           "movie.mkv.png); a PNG is resized to its tile. Tiles are in the order of their\n"
                           "paths, case-insensitive, numbers by value (2 before 10), left to right.")
    p.add_argument("folder", help="folder of strips and/or data files (a batch's OUTDIR, for one)")
    p.add_argument("output", help="wallpaper to write, outside FOLDER: .png, .jpg or .webp")
    p.add_argument("--size", default="3840x2160", metavar="WxH",
                   help="wallpaper size in pixels (default: %(default)s)")
    p.add_argument("--gutter", type=whole, default=0, metavar="PX",
                   help="background between the tiles and around them, in pixels (default: %(default)s)")
    p.add_argument("--labels", action="store_true",
                   help="write each tile's title under it: the movie's file name (from its data) or "
                        "the strip's name without .png")
    p.add_argument("--background", default="#000000", metavar="COLOR",
                   help="colour of the gutters, the label bands and behind rings, #rrggbb or r,g,b "
                        "(default: %(default)s)")
    g = p.add_argument_group("drawing data files")
    add_style_option(g, formats=False)
    g.add_argument("--order", choices=choices(Order), default="weight",
                   help="top-to-bottom order of a column's colours, as for a strip (default: %(default)s)")
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from ..batch.grid import grid, tile_files
    from ..render import write_image

    size = params.check_size("size", args.size)
    gutter, background = params.check("gutter", args.gutter), params.check("background", args.background)
    render = RenderOptions(style=args.style, order=args.order)
    fmt = params.image_format_for(args.output, "output", params.RASTER_FORMATS)
    params.check_pixels("size", *size, fmt)  # a WebP past 16383 px: refused before any tile is drawn
    check_outputs([("output", args.output)], tile_files(args.folder), args.overwrite)
    if Path(args.output).resolve().is_relative_to(Path(args.folder).resolve()):
        raise ParameterError("output", f"{args.output} is inside {args.folder}, whose PNG files are tiles: "
                                       "write it elsewhere")
    wall = grid(args.folder, size, render, gutter, args.labels, background)
    write_image(wall.image, args.output, fmt, overwrite=args.overwrite)
    if not args.quiet:
        left_out = f" ({wall.left_out} left out)" if wall.left_out else ""
        done(f"wrote {args.output}: {size[0]}×{size[1]}, {plural(len(wall.titles), 'tile')}{left_out}")
    return 0
