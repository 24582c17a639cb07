"""A batch's files in odd hands: movies replaced or moved away while it runs, output files
replaced by the user, a lock file that is a link, a library it cannot read."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from streamprint import Options, Sampling
from streamprint.batch import run_batch
from streamprint.batch.executors import Serial
from streamprint.enums import Status
from streamprint.formats import read_fingerprint, read_manifest

from .test_batch_safety import make_library

OPTIONS = Options(sampling=Sampling.interval(0.25))


@pytest.fixture(scope="module")
def movies(tmp_path_factory) -> Path:
    """Two tiny clips of other colours and sizes, m0.mkv and m1.mkv, to copy from."""
    return make_library(tmp_path_factory.mktemp("movies") / "movies", n=2)


def library(root: Path, movies: Path) -> Path:
    root.mkdir()
    for movie in movies.iterdir():
        shutil.copy2(movie, root / movie.name)
    return root


def entries(out: Path) -> dict:
    return read_manifest(out / "streamprint-manifest.json")


def test_a_movie_replaced_by_a_file_with_an_older_mtime_is_done_again(tmp_path, movies):
    """``cp -p other.mkv x.mkv``: the outputs of the old x.mkv were "found finished" (the data
    file is newer than the new movie's mtime), the old strip kept, and the manifest recorded
    the new file as done."""
    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 2
    before = read_fingerprint(out / "m0.mkv.json")
    shutil.copy2(movies / "m1.mkv", lib / "m0.mkv")  # its own, older mtime
    os.utime(lib / "m0.mkv", ns=(1, 1))
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.found, summary.skipped) == (1, 0, 1)
    after = read_fingerprint(out / "m0.mkv.json")
    assert after.samples != before.samples and after.samples == read_fingerprint(out / "m1.mkv.json").samples
    assert entries(out)["m0.mkv"].size == (lib / "m0.mkv").stat().st_size


def test_a_symbolic_link_where_the_lock_file_goes_is_one_line_and_its_target_untouched(tmp_path):
    """``ln -s ../victim.txt OUT/.streamprint.lock``: the batch opened the lock through the link
    and wrote its pid over the file it pointed to."""
    from .conftest import run_cli

    (tmp_path / "lib").mkdir()
    (tmp_path / "out").mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("mine\n")
    (tmp_path / "out" / ".streamprint.lock").symlink_to("../victim.txt")
    r = run_cli("batch", tmp_path / "lib", tmp_path / "out")
    err = r.stderr.decode()
    assert r.returncode == 1 and err.count("\n") == 1 and "symbolic link" in err and "bug" not in err, err
    assert victim.read_text() == "mine\n"


@pytest.mark.parametrize("how", ["redraw", "changed movie", "other format"])
def test_a_strip_the_user_replaced_with_a_picture_of_their_own_is_kept(tmp_path, movies, how):
    """A PNG of the user's saved over OUT/x.mkv.png (no streamprint mark) was replaced by the
    next redraw (``--height 60``) or the next run after the movie changed (``touch``): the
    manifest's list of the movie's outputs counted as streamprint's own whatever was there
    since. That list stands only for the unmarked outputs of streamprint 0.1; a redraw in
    another format deleted the picture as this movie's old strip."""
    from PIL import Image

    from streamprint import RenderOptions

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 2
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out / "m0.mkv.png")
    mine = (out / "m0.mkv.png").read_bytes()
    render = {"redraw": RenderOptions(height=60), "other format": RenderOptions(format="webp")}.get(how)
    if how == "changed movie":
        os.utime(lib / "m0.mkv")
    summary = run_batch(lib, out, OPTIONS, render, executor=Serial())
    assert (out / "m0.mkv.png").read_bytes() == mine
    if how != "other format":  # (a strip of another name is no trouble: redrawn beside the picture)
        assert summary.pending == 1 and "not written by streamprint" in summary.errors["m0.mkv"], summary.errors


def test_the_manifest_is_not_rewritten_for_every_file(tmp_path, monkeypatch):
    """The manifest, written whole after every file, made a batch quadratic in the size of
    the library: 1,600 small files took 100 s (benchmarks/bench_batch_manifest.py). It is
    written at most once a second, and at the end, with every file in it."""
    from streamprint.batch import core

    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(60):
        (lib / f"note {i}.txt").write_text("not a movie")
    writes = []
    real = core.write_manifest
    monkeypatch.setattr(core, "write_manifest", lambda entries, path: (writes.append(len(entries)), real(entries, path)))
    summary = run_batch(lib, tmp_path / "out", OPTIONS, executor=Serial())
    assert summary.not_video == 60
    assert len(writes) <= 4, writes  # (after the plan, at the end, and a second's writes on a slow machine)
    assert writes[-1] == 60 and {e.status for e in entries(tmp_path / "out").values()} == {Status.NOT_VIDEO}


class _MovedAway(Serial):
    """Runs the movies while the library is moved away (``mv L L.away``), then puts it back."""

    def __init__(self, library: Path) -> None:
        self.library = library

    def run(self, work, tasks, finish, on_report, lost):
        away = self.library.with_name(self.library.name + ".away")
        self.library.rename(away)
        try:
            super().run(work, tasks, finish, on_report, lost)
        finally:
            away.rename(self.library)


def test_a_movie_gone_from_the_library_while_the_batch_runs_is_pending(tmp_path, movies):
    """A library moved away (or unmounted) mid-run: its movies were failed for good ("no such
    file"), though nothing was wrong with them; the next run, without flags, does them."""
    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    summary = run_batch(lib, out, OPTIONS, executor=_MovedAway(lib))
    assert (summary.pending, summary.failed) == (2, 0), summary.errors
    assert {e.status for e in entries(out).values()} == {Status.PENDING}
    assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 2
    # the same for movies that are links into storage that goes away (a NAS): the links
    # stay, their targets go
    nas, links, out = library(tmp_path / "nas", movies), tmp_path / "links", tmp_path / "out2"
    links.mkdir()
    for movie in nas.iterdir():
        (links / movie.name).symlink_to(movie)
    summary = run_batch(links, out, OPTIONS, executor=_MovedAway(nas))
    assert (summary.pending, summary.failed) == (2, 0), summary.errors
    assert run_batch(links, out, OPTIONS, executor=Serial()).done == 2


class _Replaced(Serial):
    """Runs the movies once ``m1.mkv`` is replaced (after the scan) by what ``how`` says: a
    FIFO, which a stand-in for a writer looks for, all along, with a non-blocking open (the
    batch that opened it for reading, blocked for good, is let go: that open succeeds, and
    is counted in ``opened``), or a folder."""

    def __init__(self, library: Path, how: str) -> None:
        self.movie, self.how, self.opened = library / "m1.mkv", how, []

    def run(self, work, tasks, finish, on_report, lost):
        import threading

        self.movie.unlink()
        if self.how == "folder":
            self.movie.mkdir()
            return super().run(work, tasks, finish, on_report, lost)
        os.mkfifo(self.movie)
        done = threading.Event()

        def writer():
            while not done.wait(0.05):
                try:
                    os.close(os.open(self.movie, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:  # (ENXIO: no reader)
                    continue
                self.opened.append(True)

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        try:
            super().run(work, tasks, finish, on_report, lost)
        finally:
            done.set()
            thread.join()


@pytest.mark.parametrize("how", ["fifo", "folder"])
def test_a_movie_replaced_by_a_fifo_or_a_folder_after_the_scan_is_pending_and_never_opened(tmp_path, movies, how):
    """``rm x.mkv; mkfifo x.mkv`` while a batch ran: its worker opened the FIFO, and the
    batch waited for a writer for ever; a folder was handed to FFmpeg too ("Is a
    directory", failed). The worker checks, as the scan does, that it is a file still;
    the next run leaves it out, as the scan does what is not a file."""
    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    executor = _Replaced(lib, how)
    summary = run_batch(lib, out, OPTIONS, executor=executor)
    assert executor.opened == []
    assert (summary.done, summary.pending, summary.failed) == (1, 1, 0), summary.errors
    assert summary.errors["m1.mkv"] == ("no longer a file since the batch began (a FIFO, a folder or a device); "
                                        "the next run leaves it out")
    summary = run_batch(lib, out, OPTIONS, executor=Serial())  # (a folder is no file: it is looked into)
    assert (summary.skipped, summary.pending, summary.not_files) == (1, 0, 1 if how == "fifo" else 0)


def test_what_discovery_leaves_out_is_said(tmp_path, movies, monkeypatch, caplog):
    """A folder of the library that cannot be read, a dangling link and a FIFO were left out
    in silence, and a library that cannot be read at all was "nothing to do", exit 0. (The
    tests may run as root, whom no permission stops: reading is refused by a stand-in.)"""
    from streamprint.errors import InputError

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    (lib / "locked").mkdir()
    shutil.copy(movies / "m0.mkv", lib / "locked" / "x.mkv")
    (lib / "dangling.mkv").symlink_to(tmp_path / "nowhere.mkv")
    os.mkfifo(lib / "fifo.mkv")
    refused = set()
    real = os.scandir

    def scandir(path="."):
        if Path(path) in refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    refused.add(lib)
    with pytest.raises(InputError, match="cannot read the library"):
        run_batch(lib, tmp_path / "out2", OPTIONS, executor=Serial())
    assert not (tmp_path / "out2").exists()
    refused = {lib / "locked"}
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.unreadable, summary.not_files) == (2, 1, 2)
    assert "unreadable folders              1" in summary.table() and "not a file (left out)           2" \
        in summary.table()
    assert [r.getMessage() for r in caplog.records if "cannot read" in r.getMessage()] == [
        f"{lib / 'locked'}: cannot read this folder, its files are left out (Permission denied)"]


def test_a_decoder_out_of_memory_leaves_the_movie_pending(tmp_path, movies, monkeypatch):
    """FFmpeg's ENOMEM while decoding (an 8K movie under a memory limit) was counted as a
    damaged packet, then "failed: no decodable video frames" for good: a failure only
    --retry-failed undid, where the movie was fine and the machine short. It is pending,
    retried by the next run."""
    import errno

    import av.error

    from streamprint.source import packets

    real = packets._decode

    class ShortOfMemory:  # the decoder of m1, as FFmpeg's fails when it cannot allocate
        def decode(self, packet):
            raise av.error.MemoryError(errno.ENOMEM, "Cannot allocate memory")

    def short_of_memory(ctx, packet):
        if packet is not None and "m1" in str(ctx_names.get(id(ctx), "")):
            return real(ShortOfMemory(), packet)
        return real(ctx, packet)

    ctx_names: dict[int, str] = {}
    from streamprint.source import decode

    real_open = decode.open_decoder

    def named(stream, *args, **kwargs):
        result = real_open(stream, *args, **kwargs)
        ctx_names[id(result[0])] = stream.container.name
        return result

    monkeypatch.setattr(decode, "open_decoder", named)
    monkeypatch.setattr(packets, "_decode", short_of_memory)
    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.pending, summary.failed) == (1, 1, 0), summary
    assert entries(out)["m1.mkv"].status == Status.PENDING
    monkeypatch.undo()
    assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 1
    assert {e.status for e in entries(out).values()} == {Status.DONE}


def test_a_checkpoint_of_another_version_of_the_movie_is_said_to_be_dropped(tmp_path, movies, caplog):
    """An interrupted movie touched (or replaced) before the next run: its checkpoint was
    dropped without a word, where README promises a warning for a checkpoint that does not
    fit its movie; likewise one made with other options."""
    import logging

    import streamprint
    from streamprint.batch.worker import checkpoint_path
    from streamprint.formats import write_checkpoint

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    saved: list = []
    streamprint.fingerprint(lib / "m0.mkv", **OPTIONS.fields(), checkpoint=saved.append, checkpoint_every=1e-9)
    st = (lib / "m0.mkv").stat()
    ckpt = checkpoint_path(out, "m0.mkv")
    ckpt.parent.mkdir(parents=True)
    write_checkpoint(dataclasses.replace(saved[0], input=(st.st_size, st.st_mtime_ns - 1)), ckpt)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 2
    said = [r.getMessage() for r in caplog.records if "checkpoint" in r.getMessage()]
    assert said == ["m0.mkv: checkpoint of another version of the movie, starting from the beginning"], said


def test_the_manifest_keeps_up_while_a_long_movie_runs(tmp_path, movies, long_clip):
    """The manifest was written only as a movie finished (at most once a second): behind a
    long movie, the short ones done before it waited minutes for their records, and a kill
    then lost them (the next run found their outputs and drew them again). They are recorded
    within about a second while the long one runs."""
    import signal
    import subprocess
    import sys
    import time

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    shutil.copy(long_clip, lib / "z-long.mkv")  # sorted last: the short ones come first
    batch = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(out), "--every", "1",
                              "--jobs", "1", "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not all((out / f"m{i}.mkv.json").exists() for i in (0, 1)) and time.monotonic() < deadline:
            time.sleep(0.05)
        seen: dict = {}
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and batch.poll() is None:
            try:
                seen = {rel: e.status for rel, e in entries(out).items()}
            except Exception:  # not written yet
                seen = {}
            if seen.get("m0.mkv") == seen.get("m1.mkv") == Status.DONE:
                break
            time.sleep(0.1)
        assert batch.poll() is None, "the long movie should still be running"
        assert seen.get("m0.mkv") == seen.get("m1.mkv") == Status.DONE, seen
    finally:
        batch.send_signal(signal.SIGKILL)
        batch.wait(timeout=30)


def test_a_link_to_a_folder_is_said_not_followed(tmp_path, movies, caplog):
    """A link to a folder (drives linked into one library) was left out in silence, all its
    movies with it. It is not followed (it may loop back into the library), but said, once,
    and counted."""
    import logging

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    elsewhere = library(tmp_path / "elsewhere", movies)
    (lib / "linked").symlink_to(elsewhere)
    (lib / "loop").symlink_to(lib)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.not_files) == (2, 2)
    said = sorted(r.getMessage() for r in caplog.records if "link" in r.getMessage())
    assert said == [f"{lib / name}: a link to a folder, not followed: its files are left out"
                    for name in ("linked", "loop")], said


def test_outputs_found_finished_are_drawn_as_asked_and_the_next_run_does_nothing(tmp_path, movies):
    """Outputs found finished (here: the manifest lost) were recorded with no drawing
    options, so the next identical run drew every one of them again. They are drawn from
    their data as the run asks (their strips were drawn some other way: how is recorded
    nowhere but in the lost manifest), and the run after does nothing."""
    from streamprint import RenderOptions
    from streamprint.enums import Style

    lib = library(tmp_path / "lib", movies)
    out, clean = tmp_path / "out", tmp_path / "clean"
    render = RenderOptions(style=Style.AVERAGE)
    assert run_batch(lib, out, OPTIONS, RenderOptions(style=Style.DOMINANT), executor=Serial()).done == 2
    (out / "streamprint-manifest.json").unlink()
    found = run_batch(lib, out, OPTIONS, render, executor=Serial())
    assert (found.found, found.done, found.redrawn) == (2, 0, 0)
    assert run_batch(lib, clean, OPTIONS, render, executor=Serial()).done == 2  # drawn so from the start
    for name in ("m0.mkv.png", "m1.mkv.png", "m0.mkv.html", "m1.mkv.html"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    again = run_batch(lib, out, OPTIONS, render, executor=Serial())
    assert (again.skipped, again.redrawn, again.found, again.done) == (2, 0, 0, 0)


def test_a_batchs_pages_name_the_movie_by_its_path_in_the_library(tmp_path, movies):
    """Every page showed the movie's absolute path (/home/USER/...), published with OUTDIR
    on a web server. A page fingerprinted, and one redrawn from its data, say ``sub/m0.mkv``
    and hold no folder above the library; the data file keeps the path it was read from (a
    later run finds outputs finished by it), and a page made from it alone shows that."""
    import re

    from streamprint import RenderOptions
    from streamprint.enums import Style
    from streamprint.render.page import page_html

    lib = tmp_path / "lib"
    (lib / "sub").mkdir(parents=True)
    shutil.copy2(movies / "m0.mkv", lib / "sub" / "m0.mkv")
    out = tmp_path / "out"

    def file_row(page: Path) -> str:
        text = page.read_text()
        assert str(tmp_path) not in text  # (nor in the page's data, anywhere)
        return re.findall(r"<tr><th>file</th><td>(.*?)</td></tr>", text)[0]

    assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 1
    assert file_row(out / "sub" / "m0.mkv.html") == "sub/m0.mkv"
    assert run_batch(lib, out, OPTIONS, RenderOptions(style=Style.AVERAGE), executor=Serial()).redrawn == 1
    assert file_row(out / "sub" / "m0.mkv.html") == "sub/m0.mkv"
    fp = read_fingerprint(out / "sub" / "m0.mkv.json")
    assert Path(fp.source.path) == (lib / "sub" / "m0.mkv").resolve()
    assert f"<tr><th>file</th><td>{fp.source.path}</td></tr>" in page_html(fp)


def test_an_outdir_inside_the_library_counts_what_it_leaves_out_and_the_library_itself_is_refused(tmp_path):
    """OUTDIR inside LIBRARY is left out of it (a batch never reads its own outputs), but a
    folder holding movies given as OUTDIR left them out with no word; and OUTDIR = LIBRARY
    had the next run read the batch's own strips, pages and gallery as inputs."""
    from streamprint.errors import ParameterError

    lib = make_library(tmp_path / "lib", n=2)
    (lib / "sub").mkdir()
    (lib / "m1.mkv").rename(lib / "sub" / "m1.mkv")
    for rebuild in (False, False, True):  # the batch's own outputs there are not counted, nor when found finished
        summary = run_batch(lib, lib / "sub", OPTIONS, executor=Serial(), rebuild_manifest=rebuild)
        assert summary.in_outdir == 1 and summary.done + summary.skipped + summary.found == 1
        assert "in OUTDIR (left out)            1" in summary.table()
    assert (lib / "sub" / "m0.mkv.png").exists() and not (lib / "sub" / "m1.mkv.png").exists()

    with pytest.raises(ParameterError, match="LIBRARY itself"):
        run_batch(lib, lib, OPTIONS, executor=Serial())
    assert not (lib / "streamprint-manifest.json").exists() and not (lib / "m0.mkv.png").exists()


def test_a_movie_that_fails_now_leaves_the_gallery_but_keeps_its_old_files(tmp_path):
    """A movie replaced by garbage was recorded failed, but the gallery, "every finished
    movie", kept its old card. Its old outputs stay on disk (never a user's file deleted).
    ``streamprint gallery OUT`` afterwards put the card back (it went by the data files on
    disk, not the manifest): it leaves it out as the batch did."""
    import re

    from .conftest import run_cli

    lib, out = make_library(tmp_path / "lib", n=2), tmp_path / "out"
    assert run_batch(lib, out, OPTIONS, executor=Serial()).gallery == 2
    (lib / "m1.mkv").write_bytes(b"\x1a\x45\xdf\xa3 not a movie any more" * 10)
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert summary.failed == 1 and summary.gallery == 1
    assert read_manifest(out / "streamprint-manifest.json")["m1.mkv"].status == Status.FAILED
    html = (out / "index.html").read_text()
    assert "m0.mkv" in html and not re.search(r"m1\.mkv", html)
    assert (out / "m1.mkv.json").exists() and (out / "m1.mkv.png").exists()
    r = run_cli("gallery", out)
    assert r.returncode == 0 and r.stderr.decode().endswith(": 1 movie\n"), r
    html = (out / "index.html").read_text()
    assert "m0.mkv" in html and not re.search(r"m1\.mkv", html)


def test_a_slow_manifest_write_waits_ten_times_its_length_before_the_next(tmp_path, monkeypatch):
    """A manifest of 20,000 movies took 4.4 s a write under load, and the next came a second
    after the last one's end: the batch spent most of its time writing it. Now a write waits
    ten times its own length, from its start. A clock of the test's own: a change every 0.1 s,
    each write taking 4.4 s."""
    from streamprint.batch import outdir

    clock, writes = [0.0], []

    def slow_write(entries, path):
        writes.append(clock[0])
        clock[0] += 4.4

    monkeypatch.setattr(outdir.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(outdir, "write_manifest", slow_write)
    manifest = outdir.ManifestWrites({}, tmp_path / "m.json", 1.0)
    manifest.close()  # (its thread, which looks by the real clock, out of the way)
    for _ in range(1000):
        clock[0] += 0.1
        with manifest.changing():
            pass
    # from one write's start to the next, ten times its 4.4 s: a tenth of the time writing
    assert len(writes) >= 2 and all(b - a >= 44.0 for a, b in zip(writes, writes[1:], strict=False)), writes


def test_checkpoint_0_means_no_checkpoints(tmp_path, monkeypatch):
    """--checkpoint 0 was taken, and meant a checkpoint after every sample, each holding
    every sample so far: quadratic (57.6 s for a 30-s clip that took 19.5 s without)."""
    from streamprint.batch import worker

    lib = make_library(tmp_path / "lib", n=1, seconds=2.0)
    saved = []
    monkeypatch.setattr(worker, "write_checkpoint", lambda state, path: saved.append(path))
    summary = run_batch(lib, tmp_path / "out", Options(sampling=Sampling.every(1)), executor=Serial(),
                        checkpoint_every=0)
    assert summary.done == 1 and saved == []
    run_batch(lib, tmp_path / "out2", Options(sampling=Sampling.every(1)), executor=Serial(), checkpoint_every=1e-9)
    assert len(saved) > 10  # (the same movie, with checkpoints: they are written through this very function)


@pytest.mark.parametrize("what", ["file", "fifo", "dangling link"])
def test_a_file_where_the_checkpoints_go_is_left_alone_and_the_movies_are_done_without(tmp_path, movies, caplog,
                                                                                        what):
    """``OUT/.streamprint-checkpoints`` a file of the user's (or a FIFO, or a link that leads
    nowhere): every movie was left pending, run after run, with "FileExistsError: [Errno
    17]" for its reason. Now one warning, and the movies are done without checkpoints."""
    import logging

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    out.mkdir()
    folder = out / ".streamprint-checkpoints"
    if what == "file":
        folder.write_text("mine\n")
    elif what == "fifo":
        os.mkfifo(folder)
    else:
        folder.symlink_to(tmp_path / "nowhere")
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        summary = run_batch(lib, out, OPTIONS, executor=Serial(), checkpoint_every=1e-9)
    assert (summary.done, summary.pending) == (2, 0), summary.errors
    warned = [r.getMessage() for r in caplog.records if ".streamprint-checkpoints" in r.getMessage()]
    assert len(warned) == 1 and "no checkpoints are saved" in warned[0], warned
    assert {"file": folder.is_file() and folder.read_text() == "mine\n", "fifo": folder.is_fifo(),
            "dangling link": folder.is_symlink() and not (tmp_path / "nowhere").exists()}[what]


def test_checkpoints_no_run_will_resume_are_removed_with_their_folders(tmp_path, movies):
    """A photo's checkpoint (holding its thumbnail), a failed movie's, a finished movie's and
    one of a movie gone from the library stayed in OUT/.streamprint-checkpoints for good,
    with the folders that held them. Only a pending movie's is kept."""
    from PIL import Image

    lib, out = library(tmp_path / "lib", movies), tmp_path / "out"
    Image.new("RGB", (64, 36), (128, 128, 128)).save(lib / "photo.png")
    (lib / "broken.mkv").write_bytes(b"not a movie at all" * 100)
    out.mkdir()
    (out / "m1.mkv.png").write_bytes(b"my own picture")  # m1: pending ("move it away")
    ckpts = out / ".streamprint-checkpoints"
    (ckpts / "old" / "deeper").mkdir(parents=True)
    for rel in ("old/deeper/gone.mkv", "m1.mkv", "broken.mkv"):
        (ckpts / (rel + ".json")).write_text("[]")  # (unusable: a run that reads one warns and starts anew)
    summary = run_batch(lib, out, OPTIONS, executor=Serial(), checkpoint_every=1e-9)
    assert (summary.done, summary.not_video, summary.failed, summary.pending) == (1, 1, 1, 1), summary.errors
    assert sorted(p.relative_to(ckpts).as_posix() for p in ckpts.rglob("*")) == ["m1.mkv.json"]
    (out / "m1.mkv.png").unlink()
    (ckpts / "m0.mkv.json").write_text("[]")  # (m0 is done and unchanged: no worker reads it)
    summary = run_batch(lib, out, OPTIONS, executor=Serial(), checkpoint_every=1e-9)
    assert (summary.done, summary.skipped, summary.pending) == (1, 1, 0), summary.errors
    assert not ckpts.exists()


def test_a_movie_whose_strip_would_be_a_mirrored_folder_fails_until_one_is_renamed(tmp_path, movies):
    """``clip.mkv`` beside a folder ``clip.mkv.png/`` of movies: the folder's mirror in OUTDIR
    and the movie's strip are one path; whichever came first left the other pending for
    good ("Is a directory", "File exists", or "clip.mkv.png exists and was not written by
    streamprint; move it away" of streamprint's own folder). The movie fails before it is
    opened, saying to rename it or the folder, as a movie named like the batch's own files
    does; once the folder is renamed it is done, without --retry-failed."""
    lib, out = tmp_path / "lib", tmp_path / "out"
    (lib / "clip.mkv.png").mkdir(parents=True)
    shutil.copy2(movies / "m0.mkv", lib / "clip.mkv")
    shutil.copy2(movies / "m1.mkv", lib / "clip.mkv.png" / "inner.mkv")
    for _ in range(2):
        summary = run_batch(lib, out, OPTIONS, executor=Serial())
        assert summary.failed == 1 and summary.pending == 0 and summary.done + summary.skipped == 1, summary.errors
        assert summary.errors["clip.mkv"] == ("its output clip.mkv.png would be the folder that mirrors the library's "
                                              "folder clip.mkv.png: rename the movie or the folder")
        assert entries(out)["clip.mkv.png/inner.mkv"].status == Status.DONE
        assert (out / "clip.mkv.png" / "inner.mkv.png").is_file()
    (lib / "clip.mkv.png").rename(lib / "clips")  # (its old mirror stays in OUT: outputs of movies gone stay)
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.failed, summary.pending) == (1, 0, 1), summary.errors
    assert summary.errors["clip.mkv"] == "clip.mkv.png is a folder where an output of this movie goes; move it away"
    shutil.rmtree(out / "clip.mkv.png")
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.skipped, summary.failed, summary.pending) == (1, 1, 0, 0), summary.errors
    assert read_fingerprint(out / "clip.mkv.json").source.path == str(lib / "clip.mkv")


def test_a_file_where_a_movies_folder_goes_in_outdir_is_said_to_be_in_the_way(tmp_path, movies):
    """``OUT/sub`` a file (a strip written there by a run before the clash above was found,
    or the user's) where the folder of ``sub/m.mkv``'s outputs goes: pending with
    "FileExistsError: [Errno 17]"; now the file is named, with what to do."""
    lib, out = tmp_path / "lib", tmp_path / "out"
    (lib / "sub").mkdir(parents=True)
    shutil.copy2(movies / "m0.mkv", lib / "sub" / "m.mkv")
    out.mkdir()
    (out / "sub").write_text("mine\n")
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert summary.pending == 1 and summary.errors["sub/m.mkv"] == "sub is a file where this movie's folder goes; " \
                                                                   "move it away", summary.errors
    assert (out / "sub").read_text() == "mine\n"
