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
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from .. import params
from ..atomic import TEMP_PREFIX, TEMP_SUFFIX, check_replace
from ..enums import SWATCH_FORMATS, DataFormat
from ..errors import DataFormatError, InputError
from ..model import ColorReport, Fingerprint, to_hex
from ..model.rows import Row
from . import swatches
from .common import Fields, parse_json, read_text, write_bytes, write_text
from .values import (
    color_from_fields,
    color_to_dict,
    options_from_fields,
    options_to_dict,
    palette_from_fields,
    palette_to_dict,
    range_from_fields,
    range_to_dict,
    sample_json,
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
CSV_META = ("streamprint", "source", "options", "decode", "color", "time_range", "movie_palette", "thumbnails")


def _head_and_tail(fp: Fingerprint) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON data of a fingerprint but its samples: what comes before them, and after."""
    head: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "streamprint": fp.version,
        "source": source_to_dict(fp.source),
        "options": options_to_dict(fp.options),
        "decode": stats_to_dict(fp.decode),
        "color": color_to_dict(fp.color),
    }
    if not fp.time_range.whole:  # the part read, resolved for this movie; absent: all of it
        head["time_range"] = range_to_dict(fp.time_range)
    if fp.movie_palette is not None:
        head["movie_palette"] = palette_to_dict(fp.movie_palette)
    tail = {} if fp.thumbnails is None else {"thumbnails": thumbnails_to_dict(fp.thumbnails)}
    return head, tail


def fingerprint_to_dict(fp: Fingerprint) -> dict[str, Any]:
    head, tail = _head_and_tail(fp)
    return {**head, "samples": [sample_to_dict(s) for s in fp.samples], **tail}


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
    palette = palette_from_fields(f.obj("movie_palette"), options.colors) if f.has("movie_palette") else None
    thumbnails = thumbnails_from_fields(f.obj("thumbnails"), len(samples)) if f.has("thumbnails") else None
    extra: dict[str, Any] = {} if decode is None else {"decode": decode}
    if span is not None:
        extra["time_range"] = span
    return f.build(None, lambda: Fingerprint(source, options, samples, version=version, color=color,
                                             movie_palette=palette, thumbnails=thumbnails, **extra))


# A data file is a head (everything before the samples), its samples, and a tail (the
# thumbnails, and the closing bracket), so that a growing fingerprint can be written again
# with only its new samples serialized (GrowingDataFile). JSON: exactly
# json.dumps(fingerprint_to_dict(fp), indent=1) and a newline.

#: How the samples' list ends when it has samples (an empty one is "[]").
_LIST_END = "\n ]"


def _json_ends(fp: Fingerprint) -> tuple[str, str]:
    """The JSON text before the samples' list, and after it (from its closing bracket)."""
    head, tail = _head_and_tail(fp)
    before = json.dumps(head, indent=1)[:-2] + ',\n "samples": '  # in place of the closing "\n}"
    after = _LIST_END + ("," + json.dumps(tail, indent=1)[1:] if tail else "\n}") + "\n"  # the tail's keys, no "{"
    return before, after


def _json_samples(rows: Iterable[Row], first: bool) -> str:
    """The samples' part of the list, each after its separator (the first one's: "[")."""
    return "".join([("[\n" if first and i == 0 else ",\n") + sample_json(r, "  ") for i, r in enumerate(rows)])


def to_json(fp: Fingerprint) -> str:
    before, after = _json_ends(fp)
    if not fp.samples:
        return before + "[]" + after[len(_LIST_END):]
    return before + _json_samples(fp.samples.rows(), True) + after


def _csv_head(fp: Fingerprint) -> str:
    head, tail = _head_and_tail(fp)
    meta = {**head, **tail}
    lines = [f"# {FORMAT_NAME} {FORMAT_VERSION}\n"]
    for key in CSV_META:
        if key in meta:
            lines.append(f"# {key}: {json.dumps(meta[key])}\n")
    return "".join(lines) + ",".join(CSV_COLUMNS) + "\n"


def _csv_samples(rows: Iterable[Row], number: int) -> str:
    """CSV rows of the samples ``rows``, numbered from ``number``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i, (frame, time, rgb, weights, inertia, cut, mean) in enumerate(rows, start=number):
        average = "" if mean is None else to_hex(mean)
        for rank, (c, w) in enumerate(zip(rgb, weights, strict=True)):
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
    body, numbers = [], []  # the table's lines, and their line numbers in the file
    for n, line in enumerate(lines[1:], start=2):
        if line.startswith("# ") and ": " in line:
            key, value = line[2:].split(": ", 1)
            data[key] = parse_json(value, f"{name}: line {n}")
        else:
            body.append(line)
            numbers.append(n)
    reader = csv.DictReader(body, skipinitialspace=True)  # (", " between fields, as a spreadsheet may save)
    rows: dict[int, dict[str, Any]] = {}
    try:
        header = reader.fieldnames or ()
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise DataFormatError(f"{name}: CSV columns missing: {', '.join(missing)}")
        if len(header) != len(CSV_COLUMNS):  # the writer's columns, each once, no others
            raise DataFormatError(f"{name}: line {numbers[0]}: expected the columns {','.join(CSV_COLUMNS)}")
        for row in reader:
            extra, short = row.pop(None, None), sum(v is None for v in row.values())  # csv's restkey, restval
            if extra or short:
                got = len(CSV_COLUMNS) + len(extra or ()) - short
                raise ValueError(f"expected {len(CSV_COLUMNS)} fields, got {got}")
            if row["cut"] not in ("0", "1"):
                raise ValueError(f"cut must be 0 or 1, got {row['cut']!r}")
            # the fields of a sample, which each of its rows repeats: rows that disagree were
            # edited apart (the first used to win, silently)
            own = {"frame": int(row["frame"]), "time": float(row["time"]), "inertia": float(row["inertia"] or 0.0),
                   "cut": row["cut"] == "1", "average": (row["average"] or "").lower() or None}
            sample = rows.setdefault(int(row["sample"]), {**own, "ranked": {}})
            differ = [k for k, v in own.items() if sample[k] != v and not (v != v and sample[k] != sample[k])]
            if differ:
                raise ValueError(f"sample {row['sample']}'s {' and '.join(differ)} "
                                 f"{'differs' if len(differ) == 1 else 'differ'} from its first row's")
            rank = int(row["rank"])
            if rank in sample["ranked"]:
                raise ValueError(f"sample {row['sample']} has two rows of rank {rank}")
            sample["ranked"][rank] = (row["hex"], [int(row["r"]), int(row["g"]), int(row["b"])],
                                      float(row["weight"]))
    except (TypeError, ValueError, csv.Error) as exc:  # csv.Error: a field over csv's size limit, ...
        # csv counts the lines it has finished: the row it fails on is the next one
        at = reader.line_num + (1 if isinstance(exc, csv.Error) else 0)
        line_number = numbers[min(max(at, 1), len(numbers)) - 1] if numbers else 1
        raise DataFormatError(f"{name}: line {line_number}: malformed row ({exc})") from exc
    if sorted(rows) != list(range(len(rows))):
        raise DataFormatError(f"{name}: sample numbers must run 0, 1, 2, ... without gaps")
    for number, sample in rows.items():  # a sample's colours in the order of their ranks
        ranked = sample.pop("ranked")
        if sorted(ranked) != list(range(len(ranked))):
            raise DataFormatError(f"{name}: sample {number}'s ranks must run 0, 1, 2, ... without gaps")
        colors, rgb, weights = zip(*(ranked[r] for r in sorted(ranked)), strict=True)
        sample.update(colors=list(colors), rgb=list(rgb), weights=list(weights))
    data["samples"] = [rows[i] for i in range(len(rows))]
    return fingerprint_from_dict(data, name)


def write_fingerprint(fp: Fingerprint, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
    """JSON, or CSV when ``path`` ends in ``.csv``; the movie's own palette alone, named
    after the movie, when it ends in ``.gpl``, ``.ase`` or ``.css`` (:mod:`.swatches`);
    atomically. A fingerprint without samples is refused, as the reader would refuse the
    file. A file at ``path`` that streamprint did not write is replaced only with
    ``overwrite`` (:func:`~streamprint.atomic.check_replace`)."""
    params.check("fp", fp)  # (a path given first was AttributeError from inside)
    fmt = params.data_format_for(path, "path", params.FINGERPRINT_DATA)
    if not len(fp):
        raise InputError("nothing to save: the fingerprint has no samples")
    check_replace(path, overwrite)
    if fmt in SWATCH_FORMATS:
        assert fp.movie_palette is not None  # (made from the samples when not given)
        write_bytes(path, swatches.encode(fmt, [(fp.source.path, fp.movie_palette)]))
    else:
        write_text(path, to_csv(fp) if fmt == DataFormat.CSV else to_json(fp))


class GrowingDataFile:
    """One data file written again and again while its fingerprint grows (a live stream),
    each time whole and atomically, as :func:`write_fingerprint` writes it, byte for byte.

    Only the samples added since the last write are serialized: the file's head (the
    metadata, which changes) is made again, the samples' text is kept in a private copy (an
    unnamed temporary file beside the data file, which no one else can open) to which each
    write appends the new ones, and the whole of it is copied into the new version by the
    kernel (``copy_file_range``), then the tail. Nothing is copied from the file at
    ``path``: that one is anyone's to change (a ``cp`` over it writes into the same file),
    and copying from it wrote a broken file. Memory stays flat and the work per write is
    the new samples' plus a copy at disk-cache speed. The fingerprints written must be one
    run's, each a continuation of the one before (their samples views of one store);
    anything else is written in full."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._csv = params.data_format_for(path, "path", params.FINGERPRINT_DATA) == DataFormat.CSV
        self._body: IO[bytes] | None = None  # the private copy of the samples' text
        self._samples: Any = None  # the samples whose text it holds, all of it; None: unknown

    def write(self, fp: Fingerprint, sync: bool = True) -> None:
        """Write ``fp``; ``sync``: make it durable (fsync), which a flush in the middle of a
        run may skip (the rename alone keeps every version whole for readers)."""
        from ..atomic import atomic_output

        n = len(fp.samples)
        before, after = ("", "") if self._csv else _json_ends(fp)
        head = (_csv_head(fp) if self._csv else before).encode()
        tail = (after if n else after[len(_LIST_END):]).encode()  # (an empty list is written "[]")
        with atomic_output(self.path, "wb", sync=sync) as f:
            f.write(head)
            if n:
                size = self._grow(fp)
                f.flush()
                _copy(self._body.fileno(), f.fileno(), 0, size)  # type: ignore[union-attr]
                f.seek(0, os.SEEK_END)
            elif not self._csv:
                f.write(b"[]")
            f.write(tail)

    def _grow(self, fp: Fingerprint) -> int:
        """Bring the private copy to ``fp``'s samples (appending the new ones when they
        continue those it holds, else all of them again); returns its length in bytes."""
        samples, n = fp.samples, len(fp.samples)
        old, self._samples = self._samples, None  # (unknown until this is done: an error leaves it so)
        if self._body is None:
            self._body = tempfile.TemporaryFile(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=self.path.parent)
        grows = old is not None and len(old) > 0 and samples.extends(old)
        done = len(old) if grows else 0
        body = self._body
        if grows:
            body.seek(0, os.SEEK_END)
        else:
            body.seek(0)
            body.truncate()
        for i in range(done, n, BATCH):
            batch = samples.rows(i, i + BATCH)
            body.write((_csv_samples(batch, i) if self._csv else _json_samples(batch, i == 0)).encode())
        body.flush()
        self._samples = samples
        return body.tell()

    def close(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None
        self._samples = None


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
    name = params.file_name(path)
    fmt = params.readable_data_format(path, params.FINGERPRINT_DATA)  # before reading: .ase is no text
    text = read_text(path)
    if fmt == DataFormat.CSV:
        return from_csv(text, name)
    return fingerprint_from_dict(parse_json(text, name), name)
