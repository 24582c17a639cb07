"""Fingerprint data files: JSON (the whole record) and CSV (one row per colour of each
sample, metadata in ``#`` lines on top). Both carry the format's name and version; the
readers check every field and name the file in every error."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import params
from ..enums import DataFormat
from ..errors import DataFormatError
from ..model import ColorReport, Fingerprint, to_hex
from ..model.samples import Row
from .common import Fields, parse_json, read_text, write_text
from .values import (
    color_from_fields,
    color_to_dict,
    options_from_fields,
    options_to_dict,
    range_from_fields,
    range_to_dict,
    sample_json,
    sample_to_dict,
    samples_from_fields,
    source_from_fields,
    source_to_dict,
    stats_from_fields,
    stats_to_dict,
)

FORMAT_NAME = "streamprint-fingerprint"
FORMAT_VERSION = 1
CSV_COLUMNS = ("sample", "frame", "time", "rank", "hex", "r", "g", "b", "weight", "inertia", "cut", "average")


def fingerprint_to_dict(fp: Fingerprint, samples: bool = True) -> dict[str, Any]:
    """The JSON data of a fingerprint (without its samples when not ``samples``: they come
    last, so a file's head is the same with and without them)."""
    data = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "streamprint": fp.version,
        "source": source_to_dict(fp.source),
        "options": options_to_dict(fp.options),
        "decode": stats_to_dict(fp.decode),
        "color": color_to_dict(fp.color),
    }
    if not fp.time_range.whole:  # the part read, resolved for this movie; absent: all of it
        data["time_range"] = range_to_dict(fp.time_range)
    if samples:
        data["samples"] = [sample_to_dict(s) for s in fp.samples]
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
    span = range_from_fields(f.obj("time_range"), resolved=True) if f.has("time_range") else None
    if span is not None:
        first, last = samples[0].time, samples[-1].time
        if first < span.start or (span.end is not None and last >= span.end):
            raise f.fail(f"samples at {first:g} to {last:g} s lie outside the time range", "time_range")
    extra: dict[str, Any] = {} if decode is None else {"decode": decode}
    if span is not None:
        extra["time_range"] = span
    return Fingerprint(source, options, samples, version=version, color=color, **extra)


# A data file is a head (everything but the samples), its samples, and a tail, so that a
# growing fingerprint can be written again with only its new samples serialized
# (GrowingDataFile). JSON: exactly json.dumps(fingerprint_to_dict(fp), indent=1).
_JSON_TAIL = "\n ]\n}\n"


def _json_head(fp: Fingerprint) -> str:
    head = json.dumps(fingerprint_to_dict(fp, samples=False), indent=1)
    return head[:-2] + ',\n "samples": '  # in place of the closing "\n}"


def _json_samples(rows: Iterable[Row], first: bool) -> str:
    """The samples' part of the list, each after its separator (the first one's: "[")."""
    return "".join([("[\n" if first and i == 0 else ",\n") + sample_json(r, "  ") for i, r in enumerate(rows)])


def to_json(fp: Fingerprint) -> str:
    if not fp.samples:
        return _json_head(fp) + "[]\n}\n"
    return _json_head(fp) + _json_samples(fp.samples.rows(), True) + _JSON_TAIL


def _csv_head(fp: Fingerprint) -> str:
    meta = fingerprint_to_dict(fp, samples=False)
    lines = [f"# {FORMAT_NAME} {FORMAT_VERSION}\n"]
    for key in ("streamprint", "source", "options", "decode", "color", "time_range"):
        if key in meta:
            lines.append(f"# {key}: {json.dumps(meta[key])}\n")
    return "".join(lines) + ",".join(CSV_COLUMNS) + "\n"


def _csv_samples(rows: Iterable[Row], number: int) -> str:
    """CSV rows of the samples ``rows``, numbered from ``number``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, (frame, time, rgb, weights, inertia, cut, mean) in enumerate(rows, start=number):
        average = "" if mean is None else to_hex(mean)
        for rank, (c, w) in enumerate(zip(rgb, weights)):
            writer.writerow([i, frame, repr(float(time)), rank, to_hex(c), *c, repr(float(w)), repr(float(inertia)),
                             int(cut), average])
    return out.getvalue()


def to_csv(fp: Fingerprint) -> str:
    return _csv_head(fp) + _csv_samples(fp.samples.rows(), 0)


#: Samples a growing data file encodes at a time (bounds the memory a large write takes).
BATCH = 256


def from_csv(text: str, name: str) -> Fingerprint:
    """Parse CSV written by :func:`to_csv` into the JSON shape, then validate it as JSON."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith(f"# {FORMAT_NAME} "):
        raise DataFormatError(f"{name}: not a streamprint fingerprint CSV")
    version = lines[0].split()[-1]
    data: dict[str, Any] = {"format": FORMAT_NAME, "version": int(version) if version.isdigit() else version}
    body = []
    for n, line in enumerate(lines[1:], start=2):
        if line.startswith("# ") and ": " in line:
            key, value = line[2:].split(": ", 1)
            data[key] = parse_json(value, f"{name}: line {n}")
        else:
            body.append(line)
    reader = csv.DictReader(body)
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise DataFormatError(f"{name}: CSV columns missing: {', '.join(missing)}")
    rows: dict[int, dict[str, Any]] = {}
    try:
        for row in reader:
            sample = rows.setdefault(int(row["sample"]), {
                "frame": int(row["frame"]), "time": float(row["time"]), "colors": [], "rgb": [], "weights": [],
                "inertia": float(row["inertia"] or 0.0), "cut": row["cut"] == "1",
                "average": row["average"] or None,
            })
            sample["colors"].append(row["hex"])
            sample["rgb"].append([int(row["r"]), int(row["g"]), int(row["b"])])
            sample["weights"].append(float(row["weight"]))
    except (TypeError, ValueError) as exc:
        raise DataFormatError(f"{name}: line {reader.line_num + 1}: malformed row ({exc})") from exc
    if sorted(rows) != list(range(len(rows))):
        raise DataFormatError(f"{name}: sample numbers must run 0, 1, 2, ... without gaps")
    data["samples"] = [rows[i] for i in range(len(rows))]
    return fingerprint_from_dict(data, name)


def _is_csv(path: str | os.PathLike[str]) -> bool:
    return params.data_format_for(path) == DataFormat.CSV


def write_fingerprint(fp: Fingerprint, path: str | os.PathLike[str]) -> None:
    """JSON, or CSV when ``path`` ends in ``.csv``; atomically."""
    write_text(path, to_csv(fp) if _is_csv(path) else to_json(fp))


class GrowingDataFile:
    """One data file written again and again while its fingerprint grows (a live stream),
    each time whole and atomically, as :func:`write_fingerprint` writes it, byte for byte.

    Only the samples added since the last write are serialized: the file's head (the
    metadata, which changes) is made again, the samples written before are copied from the
    previous version of the file by the kernel (``copy_file_range``; the previous version
    stays open, so nothing can change it in between), and the new ones appended. Memory
    stays flat and the work per write is the new samples' plus a copy at disk-cache speed.
    The fingerprints written must be one run's, each a continuation of the one before
    (their samples views of one store); anything else is written in full."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._csv = _is_csv(path)
        self._previous: int | None = None  # read-only descriptor of the version last written
        self._samples: Any = None  # the samples written then
        self._body: tuple[int, int] = (0, 0)  # where their text lies in it: offset, length

    def write(self, fp: Fingerprint, sync: bool = True) -> None:
        """Write ``fp``; ``sync``: make it durable (fsync), which a flush in the middle of a
        run may skip (the rename alone keeps every version whole for readers)."""
        from ..atomic import atomic_output

        samples, n = fp.samples, len(fp.samples)
        head = (_csv_head(fp) if self._csv else _json_head(fp)).encode()
        old = self._samples
        grows = self._previous is not None and old is not None and len(old) > 0 and samples.extends(old)
        done = len(old) if grows else 0
        kept = self._body[1] if grows else 0
        tail = b"" if self._csv else _JSON_TAIL.encode() if n else b"\n}\n"
        body = 0
        current = None
        try:
            with atomic_output(self.path, "wb", sync=sync) as f:
                f.write(head)
                if kept:
                    f.flush()
                    _copy(self._previous, f.fileno(), self._body[0], kept)  # type: ignore[arg-type]
                    f.seek(0, os.SEEK_END)
                for i in range(done, n, BATCH):
                    batch = samples.rows(i, i + BATCH)
                    text = _csv_samples(batch, i) if self._csv else _json_samples(batch, i == 0)
                    body += f.write(text.encode())
                if not n and not self._csv:
                    body += f.write(b"[]")
                f.write(tail)
                f.flush()
                current = os.dup(f.fileno())  # this version, to copy from next time
        except BaseException:
            if current is not None:
                os.close(current)
            raise
        self.close()
        self._previous, self._samples = current, samples
        self._body = (len(head), kept + body)

    def close(self) -> None:
        if self._previous is not None:
            os.close(self._previous)
            self._previous = None


def _copy(src: int, dst: int, offset: int, count: int) -> None:
    """``count`` bytes of ``src`` from ``offset`` appended to ``dst`` at its position: in
    the kernel where it can (Linux), else through a buffer."""
    while count > 0:
        try:
            done = os.copy_file_range(src, dst, count, offset)
        except (AttributeError, OSError):
            chunk = os.pread(src, min(count, 1 << 20), offset)
            done = os.write(dst, chunk) if chunk else 0
        if done <= 0:
            raise OSError(f"cannot copy the data written before ({count} bytes left)")
        offset += done
        count -= done


def read_fingerprint(path: str | os.PathLike[str]) -> Fingerprint:
    """A fingerprint written by :func:`write_fingerprint`, every field checked."""
    name = str(Path(path))
    text = read_text(path)
    if _is_csv(path):
        return from_csv(text, name)
    return fingerprint_from_dict(parse_json(text, name), name)
