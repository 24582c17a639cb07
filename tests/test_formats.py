"""Every file format: what is written reads back equal, and every reader refuses damaged
or crafted files with a DataFormatError that names the file (never another exception)."""

from __future__ import annotations

import copy
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

import streamprint
from streamprint import DataFormatError, Sampling, StreamprintError
from streamprint.formats import (
    read_checkpoint,
    read_fingerprint,
    read_manifest,
    read_palettes,
    write_checkpoint,
    write_fingerprint,
    write_manifest,
    write_palettes,
)
from streamprint.formats.checkpoint import checkpoint_to_dict
from streamprint.formats.fingerprint import fingerprint_to_dict
from streamprint.model import ManifestEntry

from . import fakes
from .conftest import run_cli


@pytest.fixture(scope="module")
def run(segments_clip):
    """A fingerprint and the checkpoints taken while making it."""
    saved = []
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(24), checkpoint=saved.append,
                                 checkpoint_every=1e-9)
    return fp, saved


def test_fingerprint_round_trips(run, tmp_path):
    fp, _ = run
    for ext in ("json", "csv"):
        write_fingerprint(fp, tmp_path / f"fp.{ext}")
        assert read_fingerprint(tmp_path / f"fp.{ext}") == fp


def test_checkpoint_round_trips(run, tmp_path):
    _, saved = run
    for c in (saved[0], saved[-1]):
        write_checkpoint(c, tmp_path / "c.json")
        assert read_checkpoint(tmp_path / "c.json") == c


def test_manifest_and_palettes_round_trip(run, tmp_path):
    fp, _ = run
    entries = {"a.mkv": ManifestEntry("done", fp.options, 10, 20, 1.5, None, ("a.mkv.png", "a.mkv.json")),
               "b/c.mp4": ManifestEntry("failed", fp.options, 0, 1, 0.0, "damaged")}
    write_manifest(entries, tmp_path / "m.json")
    assert read_manifest(tmp_path / "m.json") == entries
    pal = streamprint.extract_palette(np.repeat(np.array([[[200, 40, 40]], [[30, 60, 160]]], np.uint8), 5, axis=1))
    write_palettes([pal], tmp_path / "p.json")
    assert read_palettes(tmp_path / "p.json") == [pal]
    write_palettes([pal], tmp_path / "p.tsv")
    back = read_palettes(tmp_path / "p.tsv")[0]
    assert np.array_equal(back.colors, pal.colors) and np.allclose(back.weights, pal.weights, atol=1e-6)


def test_outputs_and_bookkeeping_are_told_apart_by_the_format_they_name(run, tmp_path):
    """Streamprint's data files (fingerprint and palettes, JSON, CSV or TSV) are outputs, of
    their kind; its manifest, gallery cache and checkpoints, which name formats of their own,
    are not (no command replaces them as its output, grid reads none as a strip); a format
    name one letter longer than a kind's is nobody's."""
    from streamprint.formats import write_gallery_cache
    from streamprint.marks import data_kind, written_by_streamprint

    fp, saved = run
    pal = streamprint.extract_palette(np.repeat(np.array([[[200, 40, 40]], [[30, 60, 160]]], np.uint8), 5, axis=1))
    for name in ("f.json", "f.csv"):
        write_fingerprint(fp, tmp_path / name)
    for name in ("p.json", "p.tsv"):
        write_palettes([pal], tmp_path / name)
    write_manifest({}, tmp_path / "m.json")
    write_checkpoint(saved[0], tmp_path / "c.json")
    write_gallery_cache({}, tmp_path / "g.json")
    (tmp_path / "x.json").write_text((tmp_path / "f.json").read_text().replace("-fingerprint", "-fingerprints", 1))
    kinds = {"f.json": "fingerprint", "f.csv": "fingerprint", "p.json": "palettes", "p.tsv": "palettes",
             "m.json": None, "c.json": None, "g.json": None, "x.json": None}
    assert {name: data_kind(tmp_path / name) for name in kinds} == kinds
    assert {name: written_by_streamprint(tmp_path / name) for name in kinds} == {n: k is not None for n, k in kinds.items()}


def test_a_palette_file_gives_back_what_was_written(tmp_path):
    """write_palettes then read_palettes gave a palette unequal to the one written: JSON
    kept no inertia (17424.1 read back 0.0); TSV keeps no space (oklab read back rgb),
    which read_palettes' docstring did not say. JSON now gives back every field; TSV, a
    row per colour, the colours and shares; a JSON file as written before still reads."""
    colors = np.array([[200, 40, 40], [30, 60, 160], [0, 0, 0]], np.uint8)
    pal = streamprint.ImagePalette("a b.png", streamprint.Palette(colors, [0.5, 0.3, 0.2], inertia=17424.1, cut=True,
                                                                  mean=[90, 20, 60]), 640, 480, "oklab")
    write_palettes([pal], tmp_path / "p.json")
    assert read_palettes(tmp_path / "p.json") == [pal]
    write_palettes([pal], tmp_path / "p.tsv")
    (back,) = read_palettes(tmp_path / "p.tsv")
    assert back.path == "a b.png" and back.hex == ["#c82828", "#1e3ca0", "#000000"]
    assert back.weights.tolist() == [0.5, 0.3, 0.2]
    assert (back.space, back.width, back.height, back.palette.inertia) == ("rgb", 1, 1, 0.0)  # as documented
    old = {"format": "streamprint-palettes", "version": 1, "palettes": [  # as 6eb966c wrote it
        {"image": "a.png", "width": 2, "height": 1, "space": "lab", "colors": [
            {"hex": "#c82828", "rgb": [200, 40, 40], "share": 0.75}, {"hex": "#1e3ca0", "rgb": [30, 60, 160], "share": 0.25}]}]}
    (tmp_path / "old.json").write_text(json.dumps(old, indent=1) + "\n")
    (read,) = read_palettes(tmp_path / "old.json")
    assert read.hex == ["#c82828", "#1e3ca0"] and read.weights.tolist() == [0.75, 0.25] and read.space == "lab"
    assert (read.palette.inertia, read.palette.cut, read.palette.mean) == (0.0, False, None)


def test_a_manifest_with_a_background_that_fills_nothing_reads(run, tmp_path):
    """A manifest written before --background was refused where it fills nothing (a black
    background on a PNG strip: streamprint then accepted and ignored it) is no broken
    manifest: the colour it never used is read as the default; a ring's in JPEG is kept;
    a background that is no colour is still refused."""
    from streamprint import RenderOptions

    fp, _ = run
    entry = ManifestEntry("done", fp.options, 10, 20, 1.5, None, ("a.mkv.png", "a.mkv.json"), None,
                          RenderOptions(style="ring", format="jpeg", background=(0, 0, 0)))
    write_manifest({"a.mkv": entry}, tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    assert read_manifest(tmp_path / "m.json")["a.mkv"].render.background == (0, 0, 0)
    data["entries"]["a.mkv"]["render"].update(style="stacked", format="png")
    (tmp_path / "m.json").write_text(json.dumps(data))
    render = read_manifest(tmp_path / "m.json")["a.mkv"].render
    assert (render.style, render.format, render.background) == ("stacked", "png", RenderOptions().background)
    data["entries"]["a.mkv"]["render"]["background"] = [0, 0, 300]
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(DataFormatError, match="background"):
        read_manifest(tmp_path / "m.json")


def _set(data, path, value):
    *head, last = path
    for key in head:
        data = data[key]
    if value is _DELETE:
        del data[last]
    else:
        data[last] = value


_DELETE = object()

#: (path into the fingerprint JSON, crafted value); each must be refused.
FINGERPRINT_DAMAGE = [
    (("samples", 0, "weights", 0), -0.5),
    (("samples", 0, "weights", 0), 0.0),
    (("samples", 0, "weights", 0), 10**30),  # too large for a float: no numpy TypeError
    (("samples", 0, "weights"), []),
    (("samples", 0, "weights"), "lots"),
    (("samples", 0, "rgb", 0), [300, 0, 0]),
    (("samples", 0, "rgb", 0), [1, 2]),
    (("samples", 0, "rgb", 0, 0), 1.5),
    (("samples", 0, "rgb"), []),
    (("samples", 0, "colors", 0), "#000000"),
    (("samples", 0, "frame"), -1),
    (("samples", 0, "frame"), "0"),
    (("samples", 1, "frame"), 0),
    (("samples", 0, "time"), -2.0),
    (("samples", 0, "time"), None),
    (("samples", 0, "inertia"), -1.0),
    (("samples", 0, "average"), "#zzzzzz"),
    (("samples", 0), 5),
    (("samples",), {}),
    (("samples",), _DELETE),
    (("source",), []),
    (("source", "width"), 0),
    (("source", "display_width"), 10**30),  # was shown on the page as "... × 1000...000 px"
    (("source", "display_height"), 10**30),
    (("source", "display_height"), 2**31),  # one past what FFmpeg's C int holds
    (("source", "width"), 2**31),
    (("source", "duration"), -1.0),
    (("source", "path"), 7),
    (("options", "colors"), 100),
    (("options", "sampling", "mode"), "bogus"),
    (("options", "sampling", "value"), 2.5),
    (("options",), None),
    (("decode", "frames"), -3),
    (("version",), 2),
    (("format",), "something else"),
]


@pytest.mark.parametrize("path, value", FINGERPRINT_DAMAGE, ids=[".".join(map(str, p)) for p, _ in FINGERPRINT_DAMAGE])
def test_fingerprint_reader_refuses_crafted_data(run, tmp_path, path, value):
    fp, _ = run
    data = fingerprint_to_dict(fp)
    data = json.loads(json.dumps(data))
    _set(data, path, value)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(DataFormatError) as info:
        read_fingerprint(bad)
    assert str(info.value).startswith(str(bad))


@pytest.mark.parametrize("text", ["[]", "null", "5", "", "{", '{"format": "streamprint-fingerprint"}', "NaN",
                                  '{"format": "streamprint-fingerprint", "version": 1, "samples": [{"weights": [NaN]}]}'])
def test_fingerprint_reader_refuses_what_is_not_one(tmp_path, text):
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    with pytest.raises(DataFormatError, match=str(bad)):
        read_fingerprint(bad)


def test_csv_reader_refuses_missing_columns_and_bad_rows(run, tmp_path):
    fp, _ = run
    write_fingerprint(fp, tmp_path / "fp.csv")
    lines = (tmp_path / "fp.csv").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("sample,"))
    cases = {
        "missing": lines[:header] + [lines[header].replace(",weight", ",wait")] + lines[header + 1:],
        "row": lines[:header + 1] + [lines[header + 1].replace(",0,", ",x,", 1)] + lines[header + 2:],
        "meta": [lines[0], "# source: {not json"] + lines[2:],
        "gap": lines[:header + 1] + [line for line in lines[header + 1:] if not line.startswith("1,")],
        # a field past the csv module's limit (131072 characters): csv.Error, not a ValueError
        "huge-field": lines[:header + 2] + [lines[header + 2].replace("#", "#" + "f" * 200_000, 1)] + lines[header + 3:],
        "huge-header": lines[:header] + [lines[header] + "," + "x" * 200_000] + lines[header + 1:],
    }
    for name, content in cases.items():
        bad = tmp_path / f"{name}.csv"
        bad.write_text("\n".join(content) + "\n")
        with pytest.raises(DataFormatError, match=str(bad)) as info:
            read_fingerprint(bad)
        if name in ("row", "huge-field"):  # the line of the file, metadata lines counted
            bad_line = header + 2 if name == "row" else header + 3
            assert f": line {bad_line}: " in str(info.value), str(info.value)


def test_csv_rows_must_have_the_writers_columns(run, tmp_path):
    """A row with a field more than the header, or without its last ones (cut, average),
    and a header with a column the writer does not write, were read silently: the missing
    fields as "no cut, no average", the extra ones dropped."""
    fp, _ = run
    write_fingerprint(fp, tmp_path / "fp.csv")
    lines = (tmp_path / "fp.csv").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("sample,"))
    row = lines[header + 2]
    assert row.count(",") == 11  # 12 columns: sample ... cut, average
    short = row.rsplit(",", 2)[0]  # without cut and average
    cases = {
        "extra-field": (header + 3, row + ",7"),
        "no-cut-average": (header + 3, short),
        "no-average": (header + 3, row.rsplit(",", 1)[0]),
        "extra-column": (header + 1, lines[header] + ",note"),
    }
    for name, (line_number, replaced) in cases.items():
        content = lines[:line_number - 1] + [replaced] + lines[line_number:]
        bad = tmp_path / f"{name}.csv"
        bad.write_text("\n".join(content) + "\n")
        with pytest.raises(DataFormatError) as info:
            read_fingerprint(bad)
        assert str(info.value).startswith(f"{bad}: line {line_number}: "), (name, str(info.value))
    read_fingerprint(tmp_path / "fp.csv")  # (the file as written reads)


def _csv_rows(fp, tmp_path):
    """The lines of ``fp`` written as CSV, the header's index, and the columns' names."""
    write_fingerprint(fp, tmp_path / "fp.csv")
    lines = (tmp_path / "fp.csv").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("sample,"))
    return lines, header, lines[header].split(",")


def _edit(line: str, columns: list[str], **values: str) -> str:
    fields = line.split(",")
    for key, value in values.items():
        fields[columns.index(key)] = value
    return ",".join(fields)


def test_csv_rows_of_one_sample_that_disagree_are_refused(run, tmp_path):
    """Each row of a sample repeats its frame, time, inertia, cut and average. A hand edit
    of one row (time 99 and frame 9999 in sample 1's second row, or a black average in its
    first) was read from the first row alone, silently; so were a rank column that did not
    count 0, 1, 2, ... and a cut other than 0 or 1 ("no cut")."""
    fp, _ = run
    lines, header, columns = _csv_rows(fp, tmp_path)
    first = next(i for i, line in enumerate(lines) if line.startswith("1,"))
    assert lines[first + 1].startswith("1,"), "sample 1 has two colours"
    second = first + 2  # the file's line number of sample 1's second row, where a conflict shows
    cases = {
        "time-frame": (first + 1, _edit(lines[first + 1], columns, time="99.0", frame="9999"), second,
                       "frame and time differ"),
        "average": (first, _edit(lines[first], columns, average="#000000"), second, "average differs"),
        "rank-twice": (first + 1, _edit(lines[first + 1], columns, rank="0"), second, "two rows of rank 0"),
        "cut": (first, _edit(lines[first], columns, cut="2"), first + 1, "cut must be 0 or 1"),
    }
    for name, (index, replaced, line_number, said) in cases.items():
        bad = tmp_path / f"{name}.csv"
        bad.write_text("\n".join(lines[:index] + [replaced] + lines[index + 1:]) + "\n")
        with pytest.raises(DataFormatError) as info:
            read_fingerprint(bad)
        assert str(info.value).startswith(f"{bad}: line {line_number}: "), (name, str(info.value))
        assert said in str(info.value), (name, str(info.value))
    gap = _edit(lines[first + 1], columns, rank="5")
    (tmp_path / "gap.csv").write_text("\n".join(lines[:first + 1] + [gap] + lines[first + 2:]) + "\n")
    with pytest.raises(DataFormatError, match="sample 1's ranks must run 0, 1, 2"):
        read_fingerprint(tmp_path / "gap.csv")


def test_csv_rows_of_a_sample_in_any_order_read_by_their_ranks(run, tmp_path):
    """A spreadsheet sorted by another column mixes the rows: each colour is placed by its
    rank, so the file reads as written."""
    fp, _ = run
    lines, header, _ = _csv_rows(fp, tmp_path)
    shuffled = lines[header + 1:]
    random.Random(3).shuffle(shuffled)
    (tmp_path / "mixed.csv").write_text("\n".join(lines[:header + 1] + shuffled) + "\n")
    assert fingerprint_to_dict(read_fingerprint(tmp_path / "mixed.csv")) == \
        fingerprint_to_dict(read_fingerprint(tmp_path / "fp.csv"))


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_a_frame_number_past_int64_is_a_data_error(run, tmp_path, suffix):
    """A frame of 2**63 was "unexpected OverflowError (a bug in streamprint)" from render,
    and ended a whole gallery; numpy keeps frames as int64, so the reader bounds them."""
    fp, _ = run
    write_fingerprint(fp, tmp_path / f"fp.{suffix}")
    big = str(1 << 63)
    if suffix == "json":
        data = json.loads((tmp_path / "fp.json").read_text())
        data["samples"][-1]["frame"] = 1 << 63
        (tmp_path / "fp.json").write_text(json.dumps(data))
    else:
        lines, _, columns = _csv_rows(fp, tmp_path)
        lines[-1] = _edit(lines[-1], columns, frame=big)
        n = lines[-1].split(",")[0]  # every row of that sample, which must agree
        lines = [_edit(line, columns, frame=big) if line.split(",")[0] == n and not line.startswith("#") else line
                 for line in lines]
        (tmp_path / "fp.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=f"expected a whole number from 0 to {(1 << 63) - 1}"):
        read_fingerprint(tmp_path / f"fp.{suffix}")
    r = run_cli("render", tmp_path / f"fp.{suffix}", tmp_path / "x.png")
    assert r.returncode != 0 and b"bug" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.mark.parametrize("text", ["[]", "null", '{"format": "streamprint-checkpoint", "version": 1}',
                                  '{"format": "streamprint-checkpoint", "version": 9}'])
def test_checkpoint_reader_refuses_junk(tmp_path, text):
    bad = tmp_path / "c.json"
    bad.write_text(text)
    with pytest.raises(DataFormatError, match=str(bad)):
        read_checkpoint(bad)


def test_checkpoint_reader_checks_consistency(run, tmp_path):
    _, saved = run
    good = checkpoint_to_dict(saved[2])
    for path, value in [(("resume", "index"), 1), (("clusterer", "n_fits"), 99), (("clusterer", "centroids"), [[1]]),
                        (("clusterer", "centroids", 0, 0), "x"), (("sampler", "last_emitted"), -5),
                        (("resume", "pts"), None), (("samples",), [])]:
        data = copy.deepcopy(good)
        _set(data, path, value)
        (tmp_path / "c.json").write_text(json.dumps(data))
        with pytest.raises(DataFormatError, match="c.json"):
            read_checkpoint(tmp_path / "c.json")


@pytest.mark.parametrize("text", ['{"format": "streamprint-manifest", "version": 1, "entries": {"k": 5}}',
                                  '{"format": "streamprint-manifest", "version": 1, "entries": []}',
                                  '{"format": "streamprint-manifest", "version": 7, "entries": {}}',
                                  '{\n "version": 1,\n "entries": {"k": 5}}',  # (0.1's, which named no format)
                                  '{"format": "streamprint-manifest", "version": 1, "entr',
                                  '{"format": "streamprint-manifest", "version": 1, "entries": {"\udcff": 5}}'])
def test_manifest_reader_refuses_junk_and_says_what_to_do(tmp_path, text):
    bad = tmp_path / "streamprint-manifest.json"
    bad.write_bytes(text.encode("utf-8", "surrogateescape"))  # cut short, not UTF-8: broken too
    with pytest.raises(DataFormatError, match="move it away") as info:
        read_manifest(bad)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize("text", ["[]", "null", '{"entries": {"k1.mkv": 5}}', '{"version": 1, "entries": {"k": 5}}',
                                  "\udcff"])
def test_manifest_reader_reads_no_file_of_anyone_elses(tmp_path, text):
    """A file that is not streamprint's manifest is none (tests/test_bookkeeping.py): said so,
    and to move it away, not to rebuild it, which replaced it."""
    bad = tmp_path / "streamprint-manifest.json"
    bad.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(StreamprintError, match="was not written by streamprint.*move it away") as info:
        read_manifest(bad)
    assert str(bad) in str(info.value) and "rebuild" not in str(info.value)


def test_mutated_files_never_raise_anything_else(run, tmp_path):
    """A small fuzz: random byte and token mutations of every format; each read ends in a
    value or a StreamprintError."""
    fp, saved = run
    write_fingerprint(fp, tmp_path / "f.json")
    write_fingerprint(fp, tmp_path / "f.csv")
    write_checkpoint(saved[1], tmp_path / "c.json")
    write_manifest({"a.mkv": ManifestEntry("done", fp.options, 1, 2, 0.0, None, ("a.mkv.png", "a.mkv.json"))},
                   tmp_path / "m.json")
    readers = {"f.json": read_fingerprint, "f.csv": read_fingerprint, "c.json": read_checkpoint,
               "m.json": read_manifest}
    rng = random.Random(7)
    tokens = [b"null", b"[]", b"{}", b"-1", b"1e999", b'"x"', b"true", b"0", b"NaN", b"99999999999999999999"]
    for name, reader in readers.items():
        original = (tmp_path / name).read_bytes()
        for _ in range(40):
            data = bytearray(original)
            for _ in range(rng.randint(1, 4)):
                i = rng.randrange(len(data))
                if rng.random() < 0.5:
                    data[i] = rng.randrange(256)
                else:
                    data[i:i + rng.randint(1, 8)] = rng.choice(tokens)
            path = tmp_path / ("m-" + name)
            path.write_bytes(bytes(data))
            try:
                reader(path)
            except StreamprintError:
                pass


def test_times_near_the_float_limit_are_a_one_line_error(segments_clip, tmp_path):
    """A hand-edited data file with sample times of 1.7e308 s was read, then drawing it
    overflowed: 'unexpected OverflowError (a bug in streamprint)'."""
    data = tmp_path / "far.json"
    assert run_cli(segments_clip, tmp_path / "a.png", "--data", data, "-q").returncode == 0
    doc = json.loads(data.read_text())
    doc["samples"][-2]["time"], doc["samples"][-1]["time"] = 1.7e308, 1.79e308
    data.write_text(json.dumps(doc))
    r = run_cli("render", data, tmp_path / "b.png")
    assert r.returncode == 1 and r.stderr.count(b"\n") == 1 and b"far.json" in r.stderr and b"unexpected" not in r.stderr


def test_a_frame_ffmpeg_cannot_scale_is_one_line_not_a_bug(tmp_path):
    """A Matroska aspect of 255:1 on a 2 x 40000 picture (a pixel 5.1 million times as wide
    as high): libswscale cannot scale it to 160 x 1, and its error ended the run as
    "unexpected PatchWelcomeError (a bug in streamprint)"."""
    import shutil
    import subprocess

    if shutil.which("ffmpeg") is None:
        pytest.skip("needs the ffmpeg command")
    clip = tmp_path / "tall.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=red:size=2x40000:rate=1:duration=2",
                    "-c:v", "ffv1", "-pix_fmt", "yuv444p", "-aspect", "255:1", str(clip)], check=True)
    r = run_cli(clip, tmp_path / "o.png")
    err = r.stderr.decode()
    assert r.returncode == 1 and err.count("\n") == 1 and "bug" not in err, err
    assert "tall.mkv: a 2 x 40000 frame" in err and "cannot be scaled" in err, err
    assert not (tmp_path / "o.png").exists()


def test_memory_running_out_in_a_conversion_is_not_called_a_bad_frame(monkeypatch):
    """The review: FFmpeg's ENOMEM is an av.error.FFmpegError too, and was reported as a frame
    that cannot be scaled (a movie failed, where the machine did)."""
    import av.error
    from av.video.reformatter import VideoReformatter

    from streamprint.source import VideoSource

    def out_of_memory(*args, **kwargs):
        raise av.error.MemoryError(12, "Cannot allocate memory")

    with VideoSource(Path(__file__).parent.parent / "sample_media" / "sample.mp4") as source:
        frame = next(iter(source.frames()))
        monkeypatch.setattr(VideoReformatter, "reformat", out_of_memory)
        with pytest.raises(MemoryError):
            frame.convert(160)


def test_a_source_is_at_most_what_ffmpeg_holds():
    """Sizes (stored and displayed) fit a C int, as FFmpeg keeps them: 10**30 was taken."""
    from streamprint.model import SourceInfo

    base = dict(path="m.mkv", container="matroska", codec="h264", width=64, height=36, display_width=64,
                frame_rate=25.0, duration=1.0, frame_count=25, pix_fmt=None, colorspace=None, color_range=None,
                color_transfer=None)
    SourceInfo(**{**base, "display_width": 2**31 - 1})
    for name in ("width", "height", "display_width", "display_height"):
        with pytest.raises(streamprint.InvalidValue, match=name):
            SourceInfo(**{**base, name: 2**31})


def test_data_files_edited_by_hand_or_by_a_spreadsheet_still_read(tmp_path):
    """A JSON whose #rrggbb were written in capitals (#06F988, as many tools write them) was
    "the #rrggbb colours do not match the rgb values"; a CSV saved with ", " between fields
    was the same error, and one saved with a byte-order mark (Excel's "CSV UTF-8") was "not
    a streamprint fingerprint CSV". Each reads as the file streamprint wrote."""
    from streamprint import synth

    fp = synth.known_fingerprint("m.mkv", synth.SAMPLE_SEGMENTS, interval=2.0)
    write_fingerprint(fp, tmp_path / "m.json")
    write_fingerprint(fp, tmp_path / "m.csv")
    text = (tmp_path / "m.json").read_text()
    (tmp_path / "upper.json").write_text(re.sub(r"#[0-9a-f]{6}", lambda m: m.group(0).upper(), text))
    lines = (tmp_path / "m.csv").read_text().splitlines(keepends=True)
    spaced = "".join(line if line.startswith("#") else line.replace(",", ", ") for line in lines)
    (tmp_path / "spaced.csv").write_text(spaced)
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "m.csv").read_bytes())
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + text.encode())
    for name in ("upper.json", "spaced.csv", "bom.csv", "bom.json"):
        got = read_fingerprint(tmp_path / name)
        assert [s.palette for s in got.samples] == [s.palette for s in fp.samples], name
        assert [s.time for s in got.samples] == [s.time for s in fp.samples], name
        r = run_cli("render", tmp_path / name, tmp_path / f"{name}.png")
        assert r.returncode == 0, r.stderr


def test_a_sample_outside_the_time_range_is_named(tmp_path):
    """A data file whose time range is 0-5 s with samples to 11.75 s said "samples at 0 to
    11.75 s lie outside the time range": every sample, not the one outside."""
    fp = fakes.flat([(200, 30, 30)] * 4, [0.0, 2.0, 6.5, 11.75], 12.0)
    data = fingerprint_to_dict(fp)
    data["time_range"] = {"start": 0.0, "end": 5.0}
    (tmp_path / "m.json").write_text(json.dumps(data))
    with pytest.raises(DataFormatError, match=r"a sample at 6\.5 s lies outside the time range, 0 to 5 s"):
        read_fingerprint(tmp_path / "m.json")


@pytest.mark.parametrize("mtime", [-(1 << 63) - 1, 1 << 63])
def test_whole_numbers_without_bounds_of_their_own_are_int64(run, tmp_path, mtime):
    """A manifest's mtime_ns has no bound of its own: past int64 either way it is refused as
    data, as a frame is (it reached numpy and the comparisons unchecked)."""
    fp, _ = run
    write_manifest({"a.mkv": ManifestEntry("done", fp.options, 1, 2, 0.0, None, ("a.mkv.png", "a.mkv.json"))},
                   tmp_path / "m.json")
    data = json.loads((tmp_path / "m.json").read_text())
    data["entries"]["a.mkv"]["mtime_ns"] = mtime
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(DataFormatError, match=f"from {-(1 << 63)} to {(1 << 63) - 1}"):
        read_manifest(tmp_path / "bad.json")


@pytest.mark.parametrize("suffix", ["json", "csv"])
def test_a_data_files_palettes_are_checked_once_not_made_one_at_a_time(tmp_path, monkeypatch, suffix):
    """Reading a data file of 70,000 samples took 7-10 s: the reader checked each sample's
    palette, then made it a Palette, which checked the same values again, one sample at a
    time. The reader checks what the file says (types, shapes, #rrggbb against rgb) and the
    model its rules (shares summing to 1, times increasing, ...), for all samples at once:
    no Palette is made per sample, the movie's own is the one. Every value is still checked
    (FINGERPRINT_DAMAGE), and the samples read back are those written."""
    from streamprint import Palette

    fp = fakes.long_movie(hours=0.25)  # 900 samples
    write_fingerprint(fp, tmp_path / f"m.{suffix}")
    made = []
    post_init = Palette.__post_init__

    def counted(self):
        made.append(self)
        post_init(self)

    monkeypatch.setattr(Palette, "__post_init__", counted)
    back = read_fingerprint(tmp_path / f"m.{suffix}")
    assert len(made) == 1 and made[0] == back.movie_palette == fp.movie_palette
    monkeypatch.undo()
    assert len(back) == 900 and back.samples == fp.samples
