"""A run's outputs are one: a picture and its data file are both the new run's or both the
old one's, whatever fails on the way (the data file's rename, its folder, a folder in its
place), with no temporary file left behind, through every writer of them: the library's
RunOutputs, the CLI's main command and a batch."""

from __future__ import annotations

import dataclasses
import errno
import logging
import os
import signal
from pathlib import Path

import pytest

import streamprint
from streamprint import Options, OutputError, RenderOptions, Sampling
from streamprint.batch.executors import Serial
from streamprint.outputs import RunOutputs

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"


@pytest.fixture(scope="module")
def fp():
    return streamprint.fingerprint(SAMPLE)


def _failing_replace(monkeypatch, name: str) -> list[str]:
    """os.replace fails (a full disk, as a rename into a full directory does) for targets
    named ``name``; returns the targets it was asked for."""
    real, asked = os.replace, []

    def replace(src, dst, *args, **kwargs):
        asked.append(os.fspath(dst))
        if Path(dst).name == name:
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    return asked


def _old_pair(fp, tmp_path: Path) -> tuple[Path, Path, bytes, bytes]:
    image, data = tmp_path / "a.png", tmp_path / "a.json"
    RunOutputs(image, RenderOptions(height=20), data).write(fp)
    return image, data, image.read_bytes(), data.read_bytes()


def test_a_data_file_that_cannot_be_renamed_puts_the_old_picture_back(fp, tmp_path, monkeypatch):
    image, data, old_image, old_data = _old_pair(fp, tmp_path)
    asked = _failing_replace(monkeypatch, "a.json")
    with pytest.raises(OutputError, match="cannot write .*a.json: No space left on device"):
        RunOutputs(image, RenderOptions(height=30), data).write(fp)  # another picture
    assert str(image) in asked  # the new picture was renamed, then put back
    assert image.read_bytes() == old_image and data.read_bytes() == old_data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.png"]  # no temporary file


class _Stopped(Exception):
    """What the test's SIGTERM handler raises, as the command's raises KeyboardInterrupt."""


@pytest.mark.parametrize("during", ["a.png", "a.json"])
def test_a_signal_while_the_pair_is_renamed_waits_for_both(fp, tmp_path, monkeypatch, during):
    """A stop signal that came while the picture was renamed (its handler raising right after)
    left the new picture beside the old data; one while the data file was renamed put the
    old picture back under the new data. The renames now finish first: the pair is the new
    run's, and the run stops right after."""
    other = streamprint.fingerprint(SAMPLE, colors=3)
    image, data, old_image, old_data = _old_pair(fp, tmp_path)
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        if Path(dst).name == during:
            os.kill(os.getpid(), signal.SIGTERM)

    def stop(signum, frame):
        raise _Stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(_Stopped):
            RunOutputs(image, RenderOptions(height=30), data).write(other)
    finally:
        signal.signal(signal.SIGTERM, previous)
    new_image, new_data = tmp_path / "new.png", tmp_path / "new.json"
    RunOutputs(new_image, RenderOptions(height=30), new_data).write(other)
    assert image.read_bytes() == new_image.read_bytes() != old_image
    assert data.read_bytes() == new_data.read_bytes() != old_data
    new_image.unlink()
    new_data.unlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.png"]  # no temporary file


def test_every_signal_held_during_the_renames_reaches_its_handler(fp, tmp_path, monkeypatch):
    """SIGINT and SIGTERM both came while the pair was renamed: the first one's handler
    raised, and the SIGTERM was lost. Each now reaches its own handler, and the handlers
    are the caller's again after."""
    image, data, _, _ = _old_pair(fp, tmp_path)
    real, terms = os.replace, []

    def replace(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        if Path(dst).name == "a.png":
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)

    def stop(signum, frame):
        raise _Stopped

    previous = {signal.SIGINT: signal.signal(signal.SIGINT, stop),
                signal.SIGTERM: signal.signal(signal.SIGTERM, lambda signum, frame: terms.append(signum))}
    try:
        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(_Stopped):
            RunOutputs(image, RenderOptions(height=30), data).write(fp)
        assert terms == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGINT) is stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def test_an_interrupt_before_the_renames_begin_leaves_no_temporary_file(fp, tmp_path, monkeypatch):
    """An interrupt that came as the renames were about to begin left every written
    temporary file behind: only a failure inside the block removed them."""
    from streamprint import atomic

    image, data, old_image, old_data = _old_pair(fp, tmp_path)

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(atomic, "_stop_signals_held", interrupted)
    with pytest.raises(KeyboardInterrupt):
        RunOutputs(image, RenderOptions(height=30), data).write(fp)
    assert image.read_bytes() == old_image and data.read_bytes() == old_data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.png"]


def test_a_first_run_whose_data_file_fails_leaves_no_picture(fp, tmp_path, monkeypatch):
    _failing_replace(monkeypatch, "a.json")
    with pytest.raises(OutputError):
        RunOutputs(tmp_path / "a.png", RenderOptions(height=20), tmp_path / "a.json").write(fp)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_in_the_data_files_place_leaves_the_old_picture(fp, tmp_path):
    image, data, old_image, _ = _old_pair(fp, tmp_path)
    other = tmp_path / "b.json"
    other.mkdir()
    with pytest.raises(OutputError, match="it is a directory"):
        RunOutputs(image, RenderOptions(height=30), other).write(fp)
    assert image.read_bytes() == old_image
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.png", "b.json"]
    assert list(other.iterdir()) == []


def test_a_read_only_data_folder_leaves_the_old_picture(fp, tmp_path, monkeypatch):
    """The data file's folder refuses new files (read-only; simulated, as the tests may run
    as root, whom a mode does not stop): its temporary file cannot be made."""
    import tempfile

    pictures, datas = tmp_path / "pictures", tmp_path / "data"
    pictures.mkdir()
    datas.mkdir()
    image, data = pictures / "a.png", datas / "a.json"
    RunOutputs(image, RenderOptions(height=20), data).write(fp)
    old_image, old_data = image.read_bytes(), data.read_bytes()
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if Path(dir) == datas:
            raise PermissionError(errno.EROFS, "Read-only file system", str(dir))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with pytest.raises(OutputError, match="a.json: Read-only file system"):
        RunOutputs(image, RenderOptions(height=30), data).write(fp)
    assert image.read_bytes() == old_image and data.read_bytes() == old_data
    assert [p.name for p in pictures.iterdir()] == ["a.png"] and [p.name for p in datas.iterdir()] == ["a.json"]


def test_a_data_folder_gone_before_the_write_leaves_the_old_picture(fp, tmp_path):
    image = tmp_path / "a.png"
    RunOutputs(image, RenderOptions(height=20)).write(fp)
    old_image = image.read_bytes()
    with pytest.raises(OutputError, match="does not exist"):
        RunOutputs(image, RenderOptions(height=30), tmp_path / "gone" / "a.json").write(fp)
    assert image.read_bytes() == old_image and [p.name for p in tmp_path.iterdir()] == ["a.png"]


def test_a_live_flush_that_fails_keeps_the_previous_pair(fp, tmp_path, monkeypatch):
    image, data = tmp_path / "a.png", tmp_path / "a.json"
    live = RunOutputs(image, RenderOptions(height=20, width=64), data, live=True)
    live.flush(dataclasses.replace(fp, samples=fp.samples.first(3)))  # a stream's first samples
    old_image, old_data = image.read_bytes(), data.read_bytes()
    _failing_replace(monkeypatch, "a.json")
    with pytest.raises(OutputError):
        live.flush(fp)
    assert image.read_bytes() == old_image and data.read_bytes() == old_data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.png"]
    monkeypatch.undo()
    live.write(fp)  # the next write is whole again
    assert streamprint.read_fingerprint(data) == fp


def test_the_command_says_one_line_and_keeps_the_old_pair(tmp_path, monkeypatch, capsys):
    from streamprint._cli.dispatch import main

    logger = logging.getLogger("streamprint")  # as main() sets it up, for this test only
    for name in ("handlers", "propagate", "level"):
        monkeypatch.setattr(logger, name, list(logger.handlers) if name == "handlers" else getattr(logger, name))
    image, data = tmp_path / "a.png", tmp_path / "a.json"
    assert main([str(SAMPLE), str(image), "--data", str(data), "-q", "--height", "20"]) == 0
    old_image, old_data = image.read_bytes(), data.read_bytes()
    _failing_replace(monkeypatch, "a.json")
    assert main([str(SAMPLE), str(image), "--data", str(data), "-q", "--height", "30"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write" in err and "a.json" in err and "Traceback" not in err, err
    assert image.read_bytes() == old_image and data.read_bytes() == old_data
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.png"]


def test_a_batch_movie_whose_data_file_fails_leaves_neither_strip_nor_page(tmp_path, monkeypatch):
    """Its strip and page stayed without their data: a half-done movie beside the others."""
    library = tmp_path / "lib"
    library.mkdir()
    os.link(SAMPLE, library / "m.mp4")
    _failing_replace(monkeypatch, "m.mp4.json")
    out, options = tmp_path / "out", Options(sampling=Sampling.interval(2.0))
    summary = streamprint.run_batch(library, out, options, executor=Serial())
    assert summary.pending == 1 and summary.done == 0
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert not [name for name in left if name.startswith("m.mp4")], left
    assert not [name for name in left if ".streamprint-" in name and name.endswith(".tmp")], left
    monkeypatch.undo()
    again = streamprint.run_batch(library, out, options, executor=Serial())
    assert again.done == 1 and streamprint.read_fingerprint(out / "m.mp4.json")
