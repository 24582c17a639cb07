"""The names streamprint keeps for its own files at the top of a gallery's folder (a batch's
OUTDIR): the gallery, its cache and a batch's manifest. A movie's outputs never take one
(:func:`streamprint.batch.plan.plan` fails such a movie) and a page there is never a movie's
(:func:`streamprint.render.gallery.gallery_entries`). Compared as a file system that
ignores case compares names (macOS, exFAT and NTFS, SMB shares, where an OUTDIR is often
copied or served from): ``INDEX.html`` is ``index.html`` there."""

from __future__ import annotations

import os
from pathlib import Path

#: The gallery: :mod:`streamprint.render.gallery`.
INDEX = "index.html"
#: The gallery's cache: :mod:`streamprint.formats.gallery`.
CACHE = ".streamprint-gallery.json"
#: A batch's manifest: :mod:`streamprint.formats.manifest`.
MANIFEST = "streamprint-manifest.json"
RESERVED = (INDEX, CACHE, MANIFEST)


def reserved_as(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> str | None:
    """The reserved name that ``path`` is, or would be where case is ignored, when it is at
    the top of ``folder``; else None."""
    p = Path(path)
    if p.parent != Path(folder):
        return None
    return next((name for name in RESERVED if name.casefold() == p.name.casefold()), None)
