"""A finished movie's outputs damaged after the batch (a copy or an rsync of OUTDIR that
stopped, a disk's error, a file deleted): the next run mends them, from the data file when
that is whole, by fingerprinting the movie again when not; said in one line. Every run
looks at every finished movie's outputs, so the look is cheap: a stat and the last bytes
of each file (streamprint.batch.damage)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from streamprint import Options, RenderOptions, Sampling
from streamprint.batch import run_batch
from streamprint.batch.damage import CUT, damage
from streamprint.batch.executors import Serial
from streamprint.render.gallery import write_gallery

from .test_batch_safety import make_library

OPTIONS = Options(sampling=Sampling.interval(0.25))
OUTPUTS = ("m0.mkv.png", "m0.mkv.json", "m0.mkv.html")


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> tuple[Path, Path]:
    """A library of two tiny movies, and a batch of it, finished."""
    root = tmp_path_factory.mktemp("finished")
    lib = make_library(root / "lib", n=2)
    assert run_batch(lib, root / "out", OPTIONS, executor=Serial()).done == 2
    return lib, root / "out"


def _harm(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    else:
        data = path.read_bytes()
        path.write_bytes(b"" if how == "empty" else data[:len(data) // 2])


@pytest.mark.parametrize("name,how", [("m0.mkv.json", "cut short"), ("m0.mkv.json", "empty"),
                                      ("m0.mkv.png", "empty"), ("m0.mkv.png", "cut short"),
                                      ("m0.mkv.html", "cut short"), ("m0.mkv.html", "empty"),
                                      ("m0.mkv.png", "missing"), ("m0.mkv.html", "missing")])
def test_a_damaged_output_is_mended_and_said(tmp_path, finished, caplog, monkeypatch, name, how):
    """Each run called the movie "already done, unchanged" and left the damage for good; an
    emptied data file dropped its card from the gallery without a word. A deleted strip or
    page had the movie decoded again (a 2-hour film's whole decode) though its data file
    holds all that is drawn."""
    import streamprint.pipeline

    lib, clean = finished
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    _harm(out / name, how)
    decoded = []
    real = streamprint.pipeline.fingerprint
    monkeypatch.setattr(streamprint.pipeline, "fingerprint", lambda *a, **k: decoded.append(a[0]) or real(*a, **k))
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        summary = run_batch(lib, out, OPTIONS, executor=Serial())
    data = name.endswith(".json")
    assert (summary.done, summary.redrawn, summary.skipped) == ((1, 0, 1) if data else (0, 1, 1)), summary.errors
    assert len(decoded) == data
    for output in OUTPUTS:  # (the same bytes as the batch's own, whole)
        assert (out / output).read_bytes() == (clean / output).read_bytes(), output
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("m0.mkv:")]
    kind = {"png": "strip", "json": "data file", "html": "page"}[name.rsplit(".", 1)[1]]
    then = "fingerprinting it again" if data else "drawing it again from its data file"
    assert said == ([] if how == "missing" else [f"m0.mkv: its {kind} {name} is {how}; {then}"])
    assert "m0.mkv.html" in (out / "index.html").read_text()
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert summary.skipped == 2 and len(decoded) == data


def test_a_finished_run_reads_no_output_whole(tmp_path, finished, monkeypatch):
    """The look at finished movies' outputs reads a file's last bytes, never the whole of it
    (a library of 10,000 movies is looked at on every run); a data file is read whole only
    when its end is wrong, before the movie is decoded again."""
    import streamprint.batch.damage
    import streamprint.marks

    lib, clean = finished
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    read = []
    for module, name in ((streamprint.batch.damage, "read_fingerprint"),
                         (streamprint.batch.damage, "written_by_streamprint")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda p, real=real, name=name: read.append((name, p)) or real(p))
    assert run_batch(lib, out, OPTIONS, executor=Serial()).skipped == 2
    assert read == []


def test_a_picture_of_the_users_in_place_of_a_strip_is_no_damage(tmp_path, finished):
    """A file whose end is not a PNG's and that carries no mark of streamprint's is the
    user's: the movie is done as it was, the file left as it is."""
    from PIL import Image

    lib, clean = finished
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out / "m0.mkv.png", format="JPEG")  # (ends FF D9, not IEND)
    mine = (out / "m0.mkv.png").read_bytes()
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert summary.skipped == 2 and (out / "m0.mkv.png").read_bytes() == mine


@pytest.mark.parametrize("fmt,ext", [("png", "png"), ("jpeg", "jpg"), ("svg", "svg")])
def test_every_output_a_batch_writes_ends_as_the_look_expects(tmp_path, finished, fmt, ext):
    """The look knows each kind of output by its end: a batch's own files, in each strip
    format, are whole to it, and the same cut in half are cut short (a WebP strip's mark is
    at its end: cut, it is nobody's, and left; its end is checked here whole)."""
    lib, _ = finished
    out = tmp_path / "out"
    assert run_batch(lib, out, OPTIONS, RenderOptions(format=fmt), executor=Serial()).done == 2
    names = (f"m0.mkv.{ext}", "m0.mkv.json", "m0.mkv.html")
    assert [damage(out / n) for n in names] == [None, None, None]
    for n in names:
        _harm(out / n, "cut short")
    assert [damage(out / n) for n in names] == [CUT, CUT, CUT]
    webp = tmp_path / "webp"
    assert run_batch(lib, webp, OPTIONS, RenderOptions(format="webp"), executor=Serial()).done == 2
    assert damage(webp / "m0.mkv.webp") is None


def test_the_gallery_says_an_emptied_data_file_beside_its_page(tmp_path, finished, caplog):
    """``streamprint gallery OUT`` over a batch whose data file was emptied left the movie out
    in silence (one cut short was said)."""
    _, clean = finished
    out = tmp_path / "out"
    shutil.copytree(clean, out)
    (out / "m0.mkv.json").write_bytes(b"")
    (out / "notes.json").write_bytes(b"")  # (no page beside it: no movie's, not said)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert write_gallery(out) == 1
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and said[0].startswith("m0.mkv.json: left out of the gallery") and "empty" in said[0], said
