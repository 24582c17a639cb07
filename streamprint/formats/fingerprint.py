"""Fingerprint data files: JSON (the whole record) and CSV (one row per colour of each
sample, metadata in ``#`` lines on top). Both carry the format's name and version; the
readers check every field and name the file in every error.

Version 1 grew two optional keys, so that older readers still read newer files and newer
readers older ones: ``movie_palette`` (the movie's own palette; computed from the samples
when a file has none) and ``thumbnails`` (small WebP pictures of sampled frames, base64,
for a page; only when they were made)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

from .. import params
from ..enums import DataFormat
from ..errors import DataFormatError
from ..model import ColorReport, Fingerprint, to_hex
from .common import Fields, parse_json, read_text, write_text
from .values import (
    color_from_fields,
    color_to_dict,
    options_from_fields,
    options_to_dict,
    palette_from_fields,
    palette_to_dict,
    sample_to_dict,
    samples_from_fields,
    source_from_fields,
    source_to_dict,
    stats_from_fields,
    stats_to_dict,
    thumbnails_from_fields,
    thumbnails_to_dict,
)

FORMAT_NAME = "streamprint-fingerprint"
FORMAT_VERSION = 1
CSV_COLUMNS = ("sample", "frame", "time", "rank", "hex", "r", "g", "b", "weight", "inertia", "cut", "average")


#: The metadata a CSV file carries in its ``#`` lines, in this order (those the record has).
CSV_META = ("streamprint", "source", "options", "decode", "color", "movie_palette", "thumbnails")


def fingerprint_to_dict(fp: Fingerprint) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "streamprint": fp.version,
        "source": source_to_dict(fp.source),
        "options": options_to_dict(fp.options),
        "decode": stats_to_dict(fp.decode),
        "color": color_to_dict(fp.color),
    }
    if fp.movie_palette is not None:
        data["movie_palette"] = palette_to_dict(fp.movie_palette)
    data["samples"] = [sample_to_dict(s) for s in fp.samples]
    if fp.thumbnails is not None:
        data["thumbnails"] = thumbnails_to_dict(fp.thumbnails)
    return data


def fingerprint_from_dict(data: Any, name: str) -> Fingerprint:
    """Validate JSON data read from file ``name`` and build the fingerprint."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise DataFormatError(f"{name}: not a streamprint fingerprint file")
    f = Fields(data, name)
    if data.get("version") != FORMAT_VERSION:
        raise f.fail(f"unsupported fingerprint file version {data.get('version')!r} "
                     f"(this streamprint reads version {FORMAT_VERSION})")
    options = options_from_fields(f.obj("options"))
    samples = samples_from_fields(f, "samples", options.colors)
    if not samples:
        raise f.fail("expected at least one sample", "samples")
    decode = stats_from_fields(f.obj("decode")) if f.has("decode") else None
    source = f.build("source", lambda: source_from_fields(f.obj("source")))
    version = f.str("streamprint", default="")
    color = color_from_fields(f.obj("color")) if f.has("color") else ColorReport()
    palette = palette_from_fields(f.obj("movie_palette"), options.colors) if f.has("movie_palette") else None
    thumbnails = thumbnails_from_fields(f.obj("thumbnails"), len(samples)) if f.has("thumbnails") else None
    extra = {} if decode is None else {"decode": decode}
    return f.build(None, lambda: Fingerprint(source, options, samples, version=version, color=color,
                                             movie_palette=palette, thumbnails=thumbnails, **extra))


def to_json(fp: Fingerprint) -> str:
    return json.dumps(fingerprint_to_dict(fp), indent=1) + "\n"


def to_csv(fp: Fingerprint) -> str:
    out = io.StringIO()
    meta = fingerprint_to_dict(fp)
    out.write(f"# {FORMAT_NAME} {FORMAT_VERSION}\n")
    for key in CSV_META:
        if key in meta:
            out.write(f"# {key}: {json.dumps(meta[key])}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i, s in enumerate(fp.samples):
        average = "" if s.palette.mean is None else to_hex(s.palette.mean)
        for rank, (c, w) in enumerate(zip(s.palette.colors, s.palette.weights)):
            writer.writerow([i, s.frame, repr(s.time), rank, to_hex(c), *map(int, c), repr(float(w)),
                             repr(s.palette.inertia), int(s.palette.cut), average])
    return out.getvalue()


def from_csv(text: str, name: str) -> Fingerprint:
    """Parse CSV written by :func:`to_csv` into the JSON shape, then validate it as JSON."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith(f"# {FORMAT_NAME} "):
        raise DataFormatError(f"{name}: not a streamprint fingerprint CSV")
    version = lines[0].split()[-1]
    data: dict[str, Any] = {"format": FORMAT_NAME, "version": int(version) if version.isdigit() else version}
    body, numbers = [], []  # the table's lines, and their line numbers in the file
    for n, line in enumerate(lines[1:], start=2):
        if line.startswith("# ") and ": " in line:
            key, value = line[2:].split(": ", 1)
            data[key] = parse_json(value, f"{name}: line {n}")
        else:
            body.append(line)
            numbers.append(n)
    reader = csv.DictReader(body)
    rows: dict[int, dict[str, Any]] = {}
    try:
        missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise DataFormatError(f"{name}: CSV columns missing: {', '.join(missing)}")
        for row in reader:
            sample = rows.setdefault(int(row["sample"]), {
                "frame": int(row["frame"]), "time": float(row["time"]), "colors": [], "rgb": [], "weights": [],
                "inertia": float(row["inertia"] or 0.0), "cut": row["cut"] == "1",
                "average": row["average"] or None,
            })
            sample["colors"].append(row["hex"])
            sample["rgb"].append([int(row["r"]), int(row["g"]), int(row["b"])])
            sample["weights"].append(float(row["weight"]))
    except (TypeError, ValueError, csv.Error) as exc:  # csv.Error: a field over csv's size limit, ...
        # csv counts the lines it has finished: the row it fails on is the next one
        at = reader.line_num + (1 if isinstance(exc, csv.Error) else 0)
        line = numbers[min(max(at, 1), len(numbers)) - 1] if numbers else 1
        raise DataFormatError(f"{name}: line {line}: malformed row ({exc})") from exc
    if sorted(rows) != list(range(len(rows))):
        raise DataFormatError(f"{name}: sample numbers must run 0, 1, 2, ... without gaps")
    data["samples"] = [rows[i] for i in range(len(rows))]
    return fingerprint_from_dict(data, name)


def _is_csv(path: str | os.PathLike[str]) -> bool:
    return params.data_format_for(path) == DataFormat.CSV


def write_fingerprint(fp: Fingerprint, path: str | os.PathLike[str]) -> None:
    """JSON, or CSV when ``path`` ends in ``.csv``; atomically."""
    write_text(path, to_csv(fp) if _is_csv(path) else to_json(fp))


_HEAD = re.compile(r'^\s*\{\s*"format"\s*:\s*"' + FORMAT_NAME + '"|^# ' + FORMAT_NAME + " ")


def is_fingerprint_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a regular file that begins as fingerprint data does (JSON or
    CSV); only its first bytes are read, and nothing is validated yet."""
    try:
        with open(path, "rb") as f:
            head = f.read(256).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_HEAD.match(head))


def read_fingerprint(path: str | os.PathLike[str]) -> Fingerprint:
    """A fingerprint written by :func:`write_fingerprint`, every field checked."""
    name = str(Path(path))
    text = read_text(path)
    if _is_csv(path):
        return from_csv(text, name)
    return fingerprint_from_dict(parse_json(text, name), name)
