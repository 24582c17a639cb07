"""A wallpaper: the strips and fingerprint data files in a folder, tiled into one image.

The tiles are every PNG image and every streamprint fingerprint data file (JSON or CSV,
recognised by their first line) under the folder, recursively; hidden files and folders are
left out. A data file and a PNG of the same name but for the extension (a batch's
``movie.mkv.json`` and ``movie.mkv.png``) are one tile, drawn from the data, at exactly the
tile's size, with the drawing options given; a PNG alone is resized to its tile (averaged
in linear light). Tiles are in the order of their paths relative to the folder, compared
case-insensitively with numbers by value (``movie 2`` before ``movie 10``), left to right,
then top to bottom.
A tile's title is its movie's file name (from the data) or the PNG's name without ``.png``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import params
from ..enums import Style
from ..errors import InputError, ParameterError, StreamprintError
from ..marks import data_kind
from ..model import RenderOptions
from ..warned import caught

log = logging.getLogger("streamprint")

#: The shape (width / height) cells are fitted to for tiles drawn from data: a ring's is 1.
DATA_ASPECT = 8.0
#: Label bands are this share of a cell's height (a tile and its band), at least
#: LABEL_MIN px (text of 12 px) and, for cells less than LABEL_WIDTHS times as wide as
#: tall (rings), that share of a width / LABEL_WIDTHS: titles scale with their tiles.
LABEL_SHARE, LABEL_MIN, LABEL_WIDTHS = 0.18, 16, 3.0


def label_band(cell_w: float, cell_h: float) -> int:
    """Height in px of the band for a title under a tile, in a cell of ``cell_w`` x
    ``cell_h`` px; its text is 3/4 of it."""
    return max(LABEL_MIN, round(LABEL_SHARE * min(cell_h, cell_w / LABEL_WIDTHS)))


@dataclass(frozen=True)
class Tile:
    """One movie of a grid: the file it is drawn from (``data``: a fingerprint data file,
    else a PNG strip) and its key, the path relative to the folder without the extension;
    ``strip``: a data file's PNG of the same name, drawn when the data cannot be."""

    path: Path
    key: str
    data: bool
    strip: Path | None = None


@dataclass(frozen=True)
class Layout:
    """Where the tiles go: ``boxes`` (left, top, right, bottom) px of each tile in order,
    and the height in px of the label band under each (0 without labels)."""

    columns: int
    rows: int
    boxes: tuple[tuple[int, int, int, int], ...]
    label: int


@dataclass(frozen=True)
class Wall:
    """A drawn grid: the (height, width, 3) uint8 image, and the title of each tile drawn
    (tiles that could not be read are left out, with a warning)."""

    image: np.ndarray
    titles: tuple[str, ...]
    left_out: int = 0


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def tile_files(folder: str | os.PathLike[str]) -> list[Path]:
    """Every file under ``folder`` a tile can be drawn from: PNG images and streamprint
    fingerprint data files (hidden files and folders left out), in no particular order."""
    root = Path(folder)
    if not root.is_dir():
        raise ParameterError("folder", f"{root}: not a folder")
    files = []
    for here, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(here) / name
            ext = path.suffix.lower()
            if name.startswith(".") or ext not in (".png", ".json", ".csv"):
                continue
            if not path.is_file():  # a FIFO named *.png: opening it waited for a writer for ever
                log.warning("%s: not a regular file (a FIFO, a device or a socket): left out", path)
            elif ext == ".png" or data_kind(path) == "fingerprint":
                files.append(path)
    return files


def _json_first(path: Path) -> tuple[bool, str]:
    return path.suffix.lower() != ".json", path.name


def find_tiles(folder: str | os.PathLike[str]) -> list[Tile]:
    """The tiles of ``folder`` in their order (see the module's docstring)."""
    root = Path(folder)
    found: dict[str, Tile] = {}
    strips: dict[str, Path] = {}
    for path in sorted(tile_files(root)):  # (sorted: the same folder gives the same wall anywhere)
        key = path.relative_to(root).with_suffix("").as_posix()
        if path.suffix.lower() != ".png":
            other = found.get(key)
            if other is not None and other.data:  # m.json and m.csv: one tile, from the JSON
                log.warning("%s and %s are data files of one name: the tile is drawn from %s",
                            other.path.name, path.name, min(other.path, path, key=_json_first).name)
                path = min(other.path, path, key=_json_first)
            found[key] = Tile(path, key, True)
        else:
            strips[key] = path
            found.setdefault(key, Tile(path, key, False))
    tiles = [dataclasses.replace(t, strip=strips.get(t.key)) if t.data else t for t in found.values()]
    return sorted(tiles, key=lambda t: (_natural(t.key), t.key))


def layout(n: int, size: tuple[int, int], aspect: float, gutter: int = 0, labels: bool = False) -> Layout:
    """Cells for ``n`` tiles on a ``size`` = (width, height) px wall, ``gutter`` px apart
    and from the edges, shaped as close as possible to ``aspect`` (width / height); with
    ``labels``, a band for the title under each tile."""
    width, height = size
    best: tuple[float, int, int, int] | None = None
    for cols in range(1, n + 1):
        rows = math.ceil(n / cols)
        cell_w = (width - (cols + 1) * gutter) / cols
        cell_h = (height - (rows + 1) * gutter) / rows
        label = label_band(cell_w, cell_h) if labels else 0
        if cell_w < 1 or cell_h - label < 1:
            continue
        score = abs(math.log(cell_w / (cell_h - label) / aspect))
        if best is None or score < best[0]:
            best = (score, cols, rows, label)
    if best is None:
        raise ParameterError("size", f"{width}x{height} is too small for {n} tiles"
                                     f"{f' with {gutter} px gutters' if gutter else ''}{' and labels' if labels else ''}")
    _, cols, rows, label = best

    def edges(total: int, count: int) -> list[tuple[int, int]]:
        room = total - (count + 1) * gutter
        return [(gutter * (i + 1) + round(i * room / count), gutter * (i + 1) + round((i + 1) * room / count))
                for i in range(count)]

    xs, ys = edges(width, cols), edges(height, rows)
    boxes = tuple((xs[i % cols][0], ys[i // cols][0], xs[i % cols][1], ys[i // cols][1] - label) for i in range(n))
    return Layout(cols, rows, boxes, label)


def _draw_tile(tile: Tile, box: tuple[int, int, int, int], render: RenderOptions,
               background: tuple[int, int, int]) -> tuple[np.ndarray, str]:
    """The tile's picture at exactly the box's size, and its title."""
    from PIL import Image

    from ..color.resize import resize_linear
    from ..formats import read_fingerprint
    from ..imagefile import load_image
    from ..render import draw, flatten

    w, h = box[2] - box[0], box[3] - box[1]
    if tile.data:
        fp = read_fingerprint(tile.path)
        options = dataclasses.replace(render, width=w, height=h, column_width=None, format=params.RASTER_FORMATS[0],
                                      background=params.DEFAULT_BACKGROUND)  # (the wall's own is under it)
        name = Path(fp.source.path).name
        return flatten(draw(fp, options), background), name if name and name != "-" else Path(tile.key).name
    with caught(Image.DecompressionBombWarning), Image.open(tile.path) as im:  # (the size, before decoding)
        params.check_pixels("strip", im.width, im.height)
    # read as every image is (upright; deep, profiled or tagged colours to sRGB: a 16-bit grey
    # of 30000 was drawn white, a Display P3 strip in its numbers as if sRGB)
    rgb, alpha, _ = load_image(tile.path, 0, name=str(tile.path))
    opaque = np.full(rgb.shape[:2], 255, np.uint8) if alpha is None else alpha
    rgba = resize_linear(np.dstack([rgb, opaque]), (w, h))
    return flatten(rgba, background), Path(tile.key).name


def grid(folder: str | os.PathLike[str], size: tuple[int, int], render: RenderOptions | None = None,
         gutter: int = 0, labels: bool = False, background: tuple[int, int, int] = (0, 0, 0)) -> Wall:
    """Tile the strips and data files of ``folder`` (see the module's docstring) into one
    image of exactly ``size`` = (width, height) px on ``background``, ``gutter`` px between
    tiles and around them; with ``labels``, each tile's title under it, in black or white,
    whichever contrasts more with the background. Data files are drawn with ``render``'s
    style, order and smoothing, at the tile's size."""
    from PIL import Image

    from ..render.text import draw_text

    render = render or RenderOptions()
    gutter, background = params.check("gutter", gutter), params.check("background", background)
    labels = params.check("labels", labels)
    tiles = find_tiles(folder)
    if not tiles:
        raise ParameterError("folder", f"{folder}: no PNG strips or streamprint data files here")
    aspects = []
    for t in tiles:
        if t.data:
            aspects.append(1.0 if render.style == Style.RING else DATA_ASPECT)
            continue
        try:  # (Pillow's warning of a large image is no concern of the wall's: not shown)
            with caught(Image.DecompressionBombWarning), Image.open(t.path) as im:
                aspects.append(im.width / im.height)
        except (OSError, ValueError, Image.DecompressionBombError):
            pass  # reported when it is drawn
    plan = layout(len(tiles), size, float(np.median(aspects)) if aspects else DATA_ASPECT, gutter, labels)
    w, h = plan.boxes[0][2] - plan.boxes[0][0], plan.boxes[0][3] - plan.boxes[0][1]
    small = w < params.PLOT_MIN_SIZE[0] or h < params.PLOT_MIN_SIZE[1]
    if render.style == Style.PLOT and small and any(t.data for t in tiles):
        # said once, before drawing, not as a warning for every tile
        raise ParameterError("size", f"{size[0]}x{size[1]} makes tiles of {w} x {h} px, too small for plots "
                                     f"(at least {params.PLOT_MIN_SIZE[0]} x {params.PLOT_MIN_SIZE[1]} px): make "
                                     f"the wall larger or use another {{param:style}}")
    if render.style == Style.PLOT and w * h > params.PLOT_MAX_PIXELS and any(t.data for t in tiles):
        raise ParameterError("size", f"{size[0]}x{size[1]} makes tiles of {w} x {h} px, too large for plots (at "
                                     f"most {params.PLOT_MAX_PIXELS:,} px): make the wall smaller or use more tiles")
    canvas = np.empty((size[1], size[0], 3), np.uint8)
    canvas[:] = background
    titles = []
    for tile, box in zip(tiles, plan.boxes, strict=True):
        # a data file that cannot be read gives way to its PNG strip, if there is one
        tries = [tile] + ([Tile(tile.strip, tile.key, False)] if tile.strip is not None else [])
        for i, attempt in enumerate(tries):
            try:
                picture, title = _draw_tile(attempt, box, render, background)
                break
            except (OSError, ValueError, Image.DecompressionBombError, StreamprintError) as exc:
                instead = f"drawn from {tries[i + 1].path.name}" if i + 1 < len(tries) else "left out"
                log.warning("%s: cannot be drawn, %s (%s)", attempt.path, instead, exc)
        else:
            continue
        left, top, right, bottom = box
        canvas[top:bottom, left:right] = picture
        if plan.label:
            draw_text(canvas, title, (left, bottom, right, bottom + plan.label), round(plan.label * 0.75),
                      shorten=True)
        titles.append(title)
    if not titles:
        raise InputError(f"{folder}: none of the strips or data files can be read")  # (not a usage error)
    canvas.setflags(write=False)
    return Wall(canvas, tuple(titles), len(tiles) - len(titles))
