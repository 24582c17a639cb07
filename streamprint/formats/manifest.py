"""The batch manifest: one record per input of a library, in one JSON file."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from .. import params
from ..enums import Status
from ..errors import DataFormatError, OutputError
from ..marks import bookkeeping_refused
from ..model import ManifestEntry
from .common import Fields, parse_json, read_text, write_text
from .values import options_from_fields, options_to_dict, render_from_fields, render_to_dict

log = logging.getLogger("streamprint")

FORMAT_NAME = "streamprint-manifest"
FORMAT_VERSION = 1
#: What a broken manifest's error suggests.
WAY_OUT = "{param:rebuild_manifest} recreates it from the finished outputs (or move it away to start over)"


class BrokenManifest(DataFormatError):
    """A manifest that cannot be read: ``problem`` says what is wrong with it (starting with
    the file's name), the message adds :data:`WAY_OUT`, which the batch can follow; other
    readers (the gallery command) say their own way out after ``problem``."""

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"{problem}; {WAY_OUT}")

    def __reduce__(self) -> tuple[type, tuple[str]]:  # pickled as built
        return type(self), (self.problem,)


class ManifestInTheWay(OutputError):
    """What stands where a batch's manifest goes is no manifest of streamprint's (a file of
    the user's, a link to one, a FIFO, a folder, a data file: see
    :func:`~streamprint.marks.bookkeeping_refused`): a batch neither reads it nor, rebuilding
    its manifest, replaces it."""


def check_place(path: str | os.PathLike[str]) -> None:
    """:class:`ManifestInTheWay` unless the manifest may be read and written at ``path``."""
    why = bookkeeping_refused(path, FORMAT_NAME)
    if why is not None:
        raise ManifestInTheWay(f"{path} {why}: a batch keeps its manifest there and replaces nothing else; "
                               "move it away")


def manifest_to_dict(entries: dict[str, ManifestEntry]) -> dict[str, Any]:
    return {"format": FORMAT_NAME, "version": FORMAT_VERSION, "entries": {
        rel: {"status": e.status, "options": options_to_dict(e.options), "size": e.size, "mtime_ns": e.mtime_ns,
              "seconds": round(e.seconds, 3), "error": e.error, "outputs": list(e.outputs),
              "resumed_from_frame": e.resumed_from_frame,
              "render": None if e.render is None else render_to_dict(e.render)}
        for rel, e in sorted(entries.items())}}


def entry_from_fields(f: Fields, rel: str) -> ManifestEntry:
    status = f.str("status")
    if status not in {s.value for s in Status}:
        raise f.fail(f"unknown status {status!r}", "status")
    outputs = f.list("outputs")
    if not all(isinstance(o, str) and o.startswith(rel + ".") and not Path(o).is_absolute()
               and ".." not in Path(o).parts for o in outputs):
        raise f.fail(f"expected this input's outputs ({rel}.png, {rel}.json, ...) inside the output folder",
                     "outputs")
    # Manifests from before movies had pages list two outputs.
    if status == Status.DONE and not (len(outputs) in (2, 3) and outputs[1] == rel + ".json"
                                      and outputs[2:] in ([], [rel + ".html"])
                                      and Path(outputs[0]).suffix.lower() in params.IMAGE_EXTENSIONS
                                      and params.IMAGE_EXTENSIONS[Path(outputs[0]).suffix.lower()]
                                      in params.STRIP_FORMATS):
        raise f.fail("a finished input has a strip, a data file and a page", "outputs")
    return f.build(None, lambda: ManifestEntry(
        Status(status), options_from_fields(f.obj("options")), f.int("size", low=0), f.int("mtime_ns"),
        f.float("seconds", low=0.0, default=0.0), f.str("error", default=None, optional=True), tuple(outputs),
        f.int("resumed_from_frame", low=0, default=None, optional=True),
        None if f.raw("render", None) is None else render_from_fields(f.obj("render"))))


def manifest_from_dict(data: Any, name: str) -> dict[str, ManifestEntry]:
    if not isinstance(data, dict) or data.get("format", FORMAT_NAME) != FORMAT_NAME:
        raise DataFormatError(f"{name}: not a streamprint manifest")
    f = Fields(data, name)
    if data.get("version") != FORMAT_VERSION:
        raise f.fail(f"unsupported manifest version {data.get('version')!r}")
    entries = f.obj("entries")
    return {rel: entry_from_fields(entries.obj(rel), rel) for rel in entries.data}


def write_manifest(entries: dict[str, ManifestEntry], path: str | os.PathLike[str]) -> None:
    """Write the manifest (atomically); :class:`ManifestInTheWay` when something else is
    there (:func:`check_place`)."""
    check_place(path)
    write_text(path, json.dumps(manifest_to_dict(entries), indent=1) + "\n")


def read_manifest(path: str | os.PathLike[str]) -> dict[str, ManifestEntry]:
    """The entries of the manifest at ``path``; an empty record when there is none yet, or
    an empty file (with a warning: it holds no records to lose). :class:`ManifestInTheWay`
    when what is there is none of streamprint's (:func:`check_place`); :class:`BrokenManifest`
    when streamprint's cannot be read (cut short, not text, a bad entry: the batch stops
    rather than lose its records, and :data:`WAY_OUT` rebuilds it)."""
    check_place(path)
    p = Path(path)
    if not p.exists():
        return {}
    name = str(p)
    if p.stat().st_size == 0:
        log.warning("%s is empty: it holds no records, and is written anew", name)
        return {}
    try:
        return manifest_from_dict(parse_json(read_text(p), name), name)
    except DataFormatError as exc:
        raise BrokenManifest(Exception.__str__(exc)) from exc  # (its parameters left to be named)
