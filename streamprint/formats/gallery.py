"""The gallery's cache: each movie's :class:`~streamprint.model.GalleryEntry`, with the size
and mtime of the data file it was made from, so that rebuilding the gallery of a thousand
movies reads only the data files that changed."""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DataFormatError, OutputError
from ..marks import bookkeeping_refused
from ..model import GalleryEntry
from ..model.gallery import BINS
from .common import Fields, parse_json, read_text, write_text
from .values import palette_from_fields, palette_to_dict

FORMAT_NAME = "streamprint-gallery-cache"
FORMAT_VERSION = 1
#: The most colours a movie's palette may have (the ``colors`` parameter's largest value).
_MAX_COLORS = 64
#: The largest strip picture the cache holds, bytes.
_MAX_STRIP = 1 << 20

#: A cached entry: the data file's (size in bytes, mtime in ns), and the entry made from it.
Cached = tuple[tuple[int, int], GalleryEntry]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def entry_to_dict(e: GalleryEntry) -> dict[str, Any]:
    return {"title": e.title, "data": e.data, "page": e.page, "duration": e.duration, "samples": e.samples,
            "palette": palette_to_dict(e.palette), "brightness": e.brightness, "colorfulness": e.colorfulness,
            "hue": e.hue, "strip": _b64(e.strip), "bins": _b64(e.bins.astype("<u2").tobytes()),
            "shares": _b64(e.shares.astype("<u2").tobytes())}


def entry_from_fields(f: Fields) -> GalleryEntry:
    def decode(key: str, limit: int) -> bytes:
        text = f.str(key)
        if len(text) > limit * 4 // 3 + 4:
            raise f.fail(f"expected at most {limit} bytes", key)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise f.fail(f"not base64 ({exc})", key) from exc

    def whole(key: str) -> np.ndarray:
        data = decode(key, 2 * BINS)
        if len(data) % 2:
            raise f.fail("expected 16-bit numbers", key)
        return np.frombuffer(data, dtype="<u2").astype(np.uint16)

    return f.build(None, lambda: GalleryEntry(
        f.str("title"), f.str("data"), f.str("page", default=None, optional=True),
        f.float("duration", low=0.0), f.int("samples", low=1), palette_from_fields(f.obj("palette"), _MAX_COLORS),
        f.float("brightness", low=0.0), f.float("colorfulness", low=0.0),
        f.float("hue", low=0.0, default=None, optional=True), decode("strip", _MAX_STRIP), whole("bins"),
        whole("shares")))


def write_gallery_cache(entries: dict[str, Cached], path: str | os.PathLike[str]) -> None:
    """Write the cache (atomically): data file path (relative to the gallery) ->
    :data:`Cached`. OutputError when it cannot be, or may not be: the cache is streamprint's
    bookkeeping, whose rule is :func:`~streamprint.marks.bookkeeping_refused`."""
    why = bookkeeping_refused(path, FORMAT_NAME)
    if why is not None:
        raise OutputError(f"cannot write {path}: it {why}")
    data = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "entries": {
        rel: {"size": key[0], "mtime_ns": key[1], "entry": entry_to_dict(e)} for rel, (key, e) in sorted(entries.items())}}
    write_text(path, json.dumps(data, separators=(",", ":")) + "\n")


def read_gallery_cache(path: str | os.PathLike[str]) -> dict[str, Cached]:
    """The cache at ``path`` (empty when there is none); every field checked. (A file there
    that :func:`~streamprint.marks.bookkeeping_refused` refuses is none of streamprint's:
    the caller asks first.)"""
    p = Path(path)
    if not p.exists():
        return {}
    name = str(p)
    data = parse_json(read_text(p), name)
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise DataFormatError(f"{name}: not a streamprint gallery cache")
    f = Fields(data, name)
    if data.get("version") != FORMAT_VERSION:
        raise f.fail(f"unsupported gallery cache version {data.get('version')!r}")
    entries = f.obj("entries")
    out: dict[str, Cached] = {}
    for rel in entries.data:
        e = entries.obj(rel)
        out[rel] = ((e.int("size", low=0), e.int("mtime_ns")), entry_from_fields(e.obj("entry")))
    return out
