"""A wallpaper: the finished strips of a batch folder tiled into one image."""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path

import numpy as np

from ..enums import Status
from .. import params
from ..errors import ParameterError, StreamprintError
from ..formats import read_manifest
from .core import MANIFEST

log = logging.getLogger("streamprint")


def finished_strips(outdir: str | os.PathLike[str]) -> list[Path]:
    """The PNG strips ``outdir``'s manifest lists as done, in the manifest's order (what
    :func:`grid` tiles, and what its output must never be)."""
    out = Path(outdir)
    if not (out / MANIFEST).exists():
        raise ParameterError("outdir", f"{out}: no {MANIFEST} here; run a batch into it first")
    entries = read_manifest(out / MANIFEST)
    return [out / e.outputs[0] for _, e in sorted(entries.items())
            if e.status == Status.DONE and e.outputs and e.outputs[0].endswith(".png") and (out / e.outputs[0]).exists()]


def grid(outdir: str | os.PathLike[str], size: tuple[int, int]) -> np.ndarray:
    """Tile the strips listed as done in ``outdir``'s manifest into one (height, width, 3)
    uint8 image of exactly ``size`` = (width, height) px, in a grid whose cells are shaped
    as close as possible to the strips."""
    from PIL import Image

    out = Path(outdir)
    strips = finished_strips(out)
    if not strips:
        raise ParameterError("outdir", f"{out}: no finished PNG strips to tile")
    width, height = size
    images = []
    for p in strips:
        try:
            with Image.open(p) as im:
                params.check_pixels("strip", im.width, im.height)
                images.append(im.convert("RGB"))
        except (OSError, ValueError, Image.DecompressionBombError, StreamprintError) as exc:
            log.warning("%s: not a readable strip, left out (%s)", p, exc)
    if not images:
        raise ParameterError("outdir", f"{out}: none of the finished strips can be read")
    aspect = float(np.median([im.width / im.height for im in images]))
    n = len(images)
    cols = min(range(1, n + 1), key=lambda c: abs(math.log((width / c) / (height / math.ceil(n / c)) / aspect)))
    rows = math.ceil(n / cols)
    if cols > width or rows > height:
        raise ParameterError("size", f"{width}x{height} is too small for {n} strips in {cols} x {rows} cells")
    canvas = Image.new("RGB", (width, height), (0, 0, 0))
    xs = [round(i * width / cols) for i in range(cols + 1)]
    ys = [round(j * height / rows) for j in range(rows + 1)]
    for i, im in enumerate(images):
        c, r = i % cols, i // cols
        cell = (xs[c + 1] - xs[c], ys[r + 1] - ys[r])
        canvas.paste(im.resize(cell, Image.Resampling.BOX), (xs[c], ys[r]))
    return np.asarray(canvas)
