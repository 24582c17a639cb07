"""Batch in real hands: concurrent runs, lost workers, full disks, stale checkpoints,
changed drawing options, broken manifests and odd addresses."""

from __future__ import annotations

import json
import shutil
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamprint import Options, RenderOptions, Sampling, synth
from streamprint.batch import run_batch
from streamprint.batch.executors import Serial
from streamprint.enums import Status
from streamprint.errors import OutputError
from streamprint.formats import read_manifest

from .conftest import interrupt_batch, run_cli
from .test_safety import one_line

OPTIONS = Options(sampling=Sampling.interval(0.25))


def make_library(root: Path, n: int = 3, seconds: float = 1.0) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        seg = synth.SAMPLE_SEGMENTS[i % 4]
        synth.encode_clip(root / f"m{i}.mkv", synth.segment_frames([synth.Segment(seg.background, seg.accent, seconds)],
                                                                    (96, 54)), encoding=synth.Encoding(crf=20))
    return root


def copies_of_one_movie(lib: Path, n: int, shot: float = 3.0) -> Path:
    """m0.mkv ... m{n-1}.mkv in ``lib``: the four sample shots, ``shot`` seconds each, 320 x 180,
    encoded once and copied (a batch tells movies apart by path; encoding each took 1-6 s)."""
    lib.mkdir(parents=True)
    segs = [synth.Segment(s.background, s.accent, shot) for s in synth.SAMPLE_SEGMENTS]
    synth.encode_clip(lib / "m0.mkv", synth.segment_frames(segs, (320, 180)),
                      encoding=synth.Encoding(preset="ultrafast"))
    for i in range(1, n):
        shutil.copyfile(lib / "m0.mkv", lib / f"m{i}.mkv")
    return lib


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return make_library(tmp_path_factory.mktemp("lib") / "lib")


def entries(out: Path) -> dict:
    return read_manifest(out / "streamprint-manifest.json")


def test_a_second_batch_on_the_same_folder_is_refused_at_once(tmp_path):
    n = 4  # a few seconds of work with every frame clustered (the second run starts in under 1 s)
    lib = copies_of_one_movie(tmp_path / "lib", n)
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(out), "--every", "1",
                              "--jobs", "1", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (out / ".streamprint.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    start = time.monotonic()
    second = run_cli("batch", lib, out, "-q")
    assert time.monotonic() - start < 10
    line = one_line(second, 1)
    assert f"pid {first.pid}" in line and "another streamprint batch" in line
    assert first.wait(timeout=120) == 0, first.stderr.read()  # the first one was not disturbed
    assert {e.status for e in entries(out).values()} == {Status.DONE} and len(entries(out)) == n


def test_a_full_disk_leaves_the_movie_pending_and_the_next_run_does_it(library, tmp_path, monkeypatch):
    from streamprint import outputs  # every run's outputs are written there

    real = outputs.write_fingerprint

    def full(fp, path, **kwargs):
        if "m1" in str(path):
            raise OutputError(f"cannot write {path}: No space left on device")
        return real(fp, path, **kwargs)

    monkeypatch.setattr(outputs, "write_fingerprint", full)
    summary = run_batch(library, tmp_path / "out", OPTIONS, executor=Serial())
    assert (summary.done, summary.pending, summary.failed) == (2, 1, 0) and summary.exit_code == 3
    assert entries(tmp_path / "out")["m1.mkv"].status == Status.PENDING
    monkeypatch.setattr(outputs, "write_fingerprint", real)
    again = run_batch(library, tmp_path / "out", OPTIONS, executor=Serial())  # no retry flag needed
    assert (again.done, again.skipped, again.pending) == (1, 2, 0)


class _Losing(Serial):
    """Loses the first task (as a killed worker or a gone scheduler would)."""

    def run(self, work, tasks, finish, on_report, lost):
        finish(tasks[0], lost(tasks[0], ConnectionError("scheduler gone")))
        super().run(work, tasks[1:], finish, on_report, lost)


def test_a_lost_worker_is_pending_not_failed(library, tmp_path):
    summary = run_batch(library, tmp_path / "out", OPTIONS, executor=_Losing())
    assert summary.pending == 1 and summary.failed == 0
    # said once, by the row's label (the line said "pending: m0.mkv: pending, retried next run: ...")
    assert summary.table().splitlines()[-1] == "  pending: m0.mkv: worker lost: ConnectionError: scheduler gone"
    assert run_batch(library, tmp_path / "out", OPTIONS, executor=Serial()).done == 1


class _LosingToAnOldWorker(Serial):
    """Loses the first task, whose outputs a worker of an earlier run (other drawing: a
    dominant strip) that outlived its client writes meanwhile, as a Dask worker may."""

    def run(self, work, tasks, finish, on_report, lost):
        import dataclasses

        work(dataclasses.replace(tasks[0], render=RenderOptions(style="dominant")), None)
        finish(tasks[0], lost(tasks[0], ConnectionError("scheduler gone")))
        super().run(work, tasks[1:], finish, on_report, lost)


def test_outputs_a_lost_worker_left_are_recorded_as_they_are_drawn(tmp_path):
    """A task lost, its outputs found whole: they were recorded as drawn with this run's
    options though another run's worker drew them (a dominant strip recorded as stacked, and
    never redrawn: the next run took it as done in this style). They are drawn again as this
    run says: a stacked column shows the background on top and the yellow accent below it,
    a dominant one the background alone."""
    lib = make_library(tmp_path / "lib", n=1)
    out = tmp_path / "out"
    summary = run_batch(lib, out, OPTIONS, RenderOptions(style="stacked"), executor=_LosingToAnOldWorker())
    assert summary.done + summary.found == 1 and summary.pending == 0
    assert entries(out)["m0.mkv"].render == RenderOptions(style="stacked")
    seg = synth.SAMPLE_SEGMENTS[0]
    column = np.asarray(Image.open(out / "m0.mkv.png").convert("RGB"))[:, 200].astype(int)
    assert np.abs(column[0] - seg.background).max() <= 8
    assert (np.abs(column - seg.accent).max(axis=1) <= 40).any(), column[::20]  # (k-means blends the edges)


def test_a_lost_worker_does_not_take_another_movies_outputs_for_its_own(tmp_path):
    """m0.mkv done, then replaced by a copy of another movie with an older mtime, and its
    task lost: the old movie's outputs (same name, same options, a data file newer than the
    copy) were recorded done for the new one. The plan never takes outputs as found when
    the manifest knew another file by the name; nor does a lost task now: it is pending."""
    lib = make_library(tmp_path / "lib", n=2)
    out = tmp_path / "out"
    assert run_batch(lib, out, OPTIONS, executor=Serial()).done == 2
    old = (out / "m0.mkv.json").read_bytes()
    shutil.copyfile(lib / "m1.mkv", lib / "m0.mkv")
    os.utime(lib / "m0.mkv", (time.time() - 3600, time.time() - 3600))
    summary = run_batch(lib, out, OPTIONS, executor=_Losing())
    assert summary.pending == 1 and summary.done == 0 and summary.found == 0, summary.table()
    assert entries(out)["m0.mkv"].status == Status.PENDING
    assert (out / "m0.mkv.json").read_bytes() == old


def test_a_worker_that_finished_after_all_is_recorded_as_done(library, tmp_path):
    out = tmp_path / "out"
    assert run_batch(library, out, OPTIONS, executor=Serial()).done == 3
    manifest = json.loads((out / "streamprint-manifest.json").read_text())
    manifest["entries"]["m2.mkv"]["status"] = "pending"  # what a client that gave up recorded
    (out / "streamprint-manifest.json").write_text(json.dumps(manifest))
    summary = run_batch(library, out, OPTIONS, executor=Serial())
    assert (summary.found, summary.done, summary.skipped) == (1, 0, 2)
    assert entries(out)["m2.mkv"].status == Status.DONE


@pytest.mark.parametrize("text", ['{"format": "streamprint-manifest", "version": 1, "entries": {"k1.mkv": 5}}',
                                  '{"format": "streamprint-manifest", "version": 7, "entries": {}}',
                                  '{"format": "streamprint-manifest", "version": 1, "entr'])
def test_a_broken_manifest_says_what_to_do_and_can_be_rebuilt(library, tmp_path, text):
    """Streamprint's own manifest, damaged (what is not its own is never rebuilt over:
    tests/test_bookkeeping.py)."""
    out = tmp_path / "out"
    assert run_cli("batch", library, out, "-q", "--interval", "0.25").returncode == 0
    before = {p.name: p.read_bytes() for p in out.glob("*.png")}
    (out / "streamprint-manifest.json").write_text(text)
    line = one_line(run_cli("batch", library, out, "-q", "--interval", "0.25"), 1)
    assert "streamprint-manifest.json" in line and "--rebuild-manifest" in line
    r = run_cli("batch", library, out, "--interval", "0.25", "--rebuild-manifest")
    assert r.returncode == 0, r.stderr
    assert "found finished                  3" in r.stdout.decode()
    assert {p.name: p.read_bytes() for p in out.glob("*.png")} == before


def test_manifest_that_is_a_folder_and_outdir_that_is_a_file(library, tmp_path):
    out = tmp_path / "out"
    (out / "streamprint-manifest.json").mkdir(parents=True)
    assert "streamprint-manifest.json" in one_line(run_cli("batch", library, out, "-q"), 1)
    afile = tmp_path / "afile"
    afile.write_text("x")
    assert "not a directory" in one_line(run_cli("batch", library, afile, "-q"), 2)


def test_a_stale_checkpoint_is_discarded_with_a_warning(tmp_path):
    lib = make_library(tmp_path / "lib", n=1, seconds=4.0)
    out, clean = tmp_path / "out", tmp_path / "clean"
    args = ["--every", "1", "--jobs", "1"]
    assert run_cli("batch", lib, clean, "-q", *args).returncode == 0
    ckpt = out / ".streamprint-checkpoints" / "m0.mkv.json"
    ckpt.parent.mkdir(parents=True)
    # a checkpoint from another run of the same movie, moved past its end
    saved = []
    import streamprint

    streamprint.fingerprint(lib / "m0.mkv", sampling=Sampling.every(1), checkpoint=saved.append, checkpoint_every=1e-9)
    from dataclasses import replace

    from streamprint.formats import write_checkpoint

    st = (lib / "m0.mkv").stat()
    late = saved[-1]
    write_checkpoint(replace(late, input=(st.st_size, st.st_mtime_ns),
                             resume=replace(late.resume, pts=late.resume.pts * 50)), ckpt)
    r = run_cli("batch", lib, out, *args)
    assert r.returncode == 0, r.stderr
    assert b"checkpoint" in r.stderr and b"starting from the beginning" in r.stderr
    assert (out / "m0.mkv.json").read_bytes() == (clean / "m0.mkv.json").read_bytes()
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    ckpt.write_text("[]")
    (out / "m0.mkv.json").unlink()
    r = run_cli("batch", lib, out, *args)
    assert r.returncode == 0 and b"checkpoint unusable" in r.stderr, r.stderr
    assert (out / "m0.mkv.json").read_bytes() == (clean / "m0.mkv.json").read_bytes()


def test_new_drawing_options_redraw_without_decoding(library, tmp_path):
    out = tmp_path / "out"
    assert run_cli("batch", library, out, "-q", "--interval", "0.25", "--height", "50").returncode == 0
    r = run_cli("batch", library, out, "--interval", "0.25", "--height", "400", "--style", "dominant")
    assert r.returncode == 0, r.stderr
    table = r.stdout.decode()
    assert "redrawn from saved data         3" in table and "fingerprinted now               0" in table
    assert Image.open(out / "m0.mkv.png").size[1] == 400
    assert entries(out)["m0.mkv"].render == RenderOptions(height=400, style="dominant")


def test_damaged_movies_fail_and_non_movies_are_skipped(tmp_path):
    lib = make_library(tmp_path / "lib", n=1)
    mp4 = tmp_path / "x.mp4"
    synth.encode_clip(mp4, synth.segment_frames([synth.SAMPLE_SEGMENTS[0]], (96, 54)))
    (lib / "cut.mp4").write_bytes(mp4.read_bytes()[: mp4.stat().st_size // 2])  # index at the end: lost
    Image.fromarray(np.full((20, 20, 3), 9, np.uint8)).save(lib / "poster.png")
    frames = [Image.fromarray(np.full((20, 30, 3), c, np.uint8)) for c in ((250, 0, 0), (0, 0, 250))]
    frames[0].save(lib / "anim.gif", save_all=True, append_images=frames[1:], duration=400, loop=0)
    (lib / "notes.txt").write_text("hello")
    r = run_cli("batch", lib, tmp_path / "out", "--interval", "0.25")
    assert r.returncode == 3
    e = entries(tmp_path / "out")
    assert e["cut.mp4"].status == Status.FAILED and "moov" in e["cut.mp4"].error
    assert e["poster.png"].status == Status.NOT_VIDEO and "still image" in e["poster.png"].error
    assert e["notes.txt"].status == Status.NOT_VIDEO
    assert e["anim.gif"].status == Status.DONE and e["m0.mkv"].status == Status.DONE
    assert "failed: cut.mp4" in r.stdout.decode()


def test_a_photo_among_movies_shows_no_progress_before_it_is_called_not_a_video(tmp_path):
    """A photo's one frame was sampled and reported (the bar showed 'photo.jpg: 100%, 1/1')
    before the batch found it a still image and skipped it as not video. Its progress is
    held until a second frame shows a file a still-image demuxer reads to be a movie: an
    animated GIF still reports, a movie from its first sample."""
    lib = make_library(tmp_path / "lib", n=1)
    Image.fromarray(np.full((90, 160, 3), 120, np.uint8)).save(lib / "photo.jpg")
    frames = [Image.fromarray(np.full((20, 30, 3), c, np.uint8)) for c in ((250, 0, 0), (0, 0, 250), (0, 250, 0))]
    frames[0].save(lib / "anim.gif", save_all=True, append_images=frames[1:], duration=1000, loop=0)
    reports: list[tuple[str, int, int | None]] = []
    summary = run_batch(lib, tmp_path / "out", Options(sampling=Sampling.interval(1.0)), executor=Serial(),
                        on_samples=lambda rel, n, expected: reports.append((rel, n, expected)))
    e = entries(tmp_path / "out")
    assert e["photo.jpg"].status == Status.NOT_VIDEO and summary.not_video == 1
    assert e["anim.gif"].status == Status.DONE and e["m0.mkv"].status == Status.DONE
    reported = {rel for rel, _, _ in reports}
    assert "photo.jpg" not in reported, reports
    assert {"m0.mkv", "anim.gif"} <= reported, reports


def test_an_animation_whose_one_sample_is_its_first_frame_reports_its_expected_samples(tmp_path):
    """A GIF of two 0.1-s frames sampled once a second has one sample, its first frame,
    whose report is held back (it may be a photo's): the one report it made, the last before
    its outputs are written, said (gif, 1, None), and the batch's samples bar, whose total
    is known only while every movie in flight states one, lost its total and percentage
    for every movie until the next report. It states the one sample it expects."""
    lib = tmp_path / "lib"
    lib.mkdir()
    frames = [Image.fromarray(np.full((20, 30, 3), c, np.uint8)) for c in ((250, 0, 0), (0, 0, 250))]
    frames[0].save(lib / "short.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    reports: list[tuple[str, int, int | None]] = []
    summary = run_batch(lib, tmp_path / "out", Options(sampling=Sampling.interval(1.0)), executor=Serial(),
                        on_samples=lambda rel, n, expected: reports.append((rel, n, expected)))
    assert summary.done == 1
    assert len(json.loads((tmp_path / "out" / "short.gif.json").read_text())["samples"]) == 1
    assert reports == [("short.gif", 1, 1)]


def test_a_foreign_file_in_the_outdir_is_never_replaced(library, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "m0.mkv.png").write_bytes(b"my own picture")
    summary = run_batch(library, out, OPTIONS, executor=Serial())
    assert summary.pending == 1 and (out / "m0.mkv.png").read_bytes() == b"my own picture"  # not the movie's fault
    assert os.path.exists(out / "m1.mkv.png")


def test_two_libraries_one_after_the_other_into_one_folder_keep_both(tmp_path):
    a = make_library(tmp_path / "a", n=1)
    b = tmp_path / "b"
    b.mkdir()
    synth.encode_clip(b / "other.mkv", synth.segment_frames([synth.SAMPLE_SEGMENTS[3]], (96, 54)))
    out = tmp_path / "out"
    assert run_batch(a, out, OPTIONS, executor=Serial()).done == 1
    assert run_batch(b, out, OPTIONS, executor=Serial()).done == 1
    assert sorted(entries(out)) == ["m0.mkv", "other.mkv"]


def test_outputs_of_an_older_streamprint_are_its_own(library, tmp_path):
    """Strips written before outputs carried a mark are listed in the manifest: a re-run
    replaces them (a changed movie) or redraws them (no record of how they were drawn)."""
    out = tmp_path / "out"
    assert run_batch(library, out, OPTIONS, executor=Serial()).done == 3
    from PIL import Image as PILImage

    def as_0_1_left_them():  # strips with no mark, no record of how they were drawn, no pages
        for png in out.glob("*.png"):
            PILImage.open(png).save(png)
        manifest = json.loads((out / "streamprint-manifest.json").read_text())
        for e in manifest["entries"].values():
            e.pop("render")
            e["outputs"] = e["outputs"][:2]
        (out / "streamprint-manifest.json").write_text(json.dumps(manifest))

    as_0_1_left_them()
    assert run_batch(library, out, OPTIONS, executor=Serial()).redrawn == 3  # how they were drawn: unknown
    as_0_1_left_them()
    os.utime(library / "m1.mkv")  # the movie changed: done again, over its own unmarked strip
    summary = run_batch(library, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.redrawn, summary.failed) == (1, 2, 0)  # the others: pages made


def test_grid_never_writes_over_a_strip(library, tmp_path):
    out = tmp_path / "out"
    assert run_batch(library, out, OPTIONS, executor=Serial()).done == 3
    before = (out / "m0.mkv.png").read_bytes()
    assert "is the input" in one_line(run_cli("grid", out, out / "m0.mkv.png", "--size", "100x100", "--overwrite"), 2)
    assert (out / "m0.mkv.png").read_bytes() == before


def test_a_too_large_strip_is_refused_before_decoding_in_batch_and_alone(library, tmp_path):
    movie = library / "m0.mkv"
    line = one_line(run_cli(movie, tmp_path / "k.png", "--fast", "--column-width", "65535", "--height", "5000", "--data",
                            tmp_path / "k.json"), 2)
    assert "--column-width would make an image" in line
    assert not (tmp_path / "k.json").exists()
    summary = run_batch(library, tmp_path / "out", Options(sampling=Sampling.every(1)),
                        RenderOptions(column_width=65535, height=5000), executor=Serial())
    assert summary.failed == 3 and all("would make an image" in m for m in summary.errors.values())
    assert not list((tmp_path / "out").glob("*.mkv.*"))  # nothing decoded, nothing half done


def test_interrupting_parallel_workers_is_clean(tmp_path):
    lib = copies_of_one_movie(tmp_path / "lib", 10)
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(tmp_path / "out"),
                             "--jobs", "2", "--every", "1", "-q"], stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while not list((tmp_path / "out").glob("*.png")) and time.monotonic() < deadline:
        time.sleep(0.02)  # the first movie is done, the next ones are in flight
    start = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - start < 2.0, err
    assert b"Traceback" not in err and b"kept" in err


def test_once_the_data_file_is_there_the_movie_is_found_finished(library, tmp_path, monkeypatch):
    """The moment a worker's data file appears, a client that gives up on that worker (a
    scheduler killed just then) must find the movie finished: the strip is already there."""
    from streamprint.batch import worker
    from streamprint.batch.core import discover

    out = tmp_path / "out"
    out.mkdir()
    job = next(j for j in discover(library, out) if j.rel == "m0.mkv")
    task = worker.Task(job, str(out), OPTIONS, RenderOptions(), 1, 60.0)
    seen = []
    real = os.replace  # every output appears by a rename (the outputs of a run, together)

    def rename_then_look(src, dst, *args, **kwargs):
        real(src, dst, *args, **kwargs)
        if Path(dst).name == "m0.mkv.json":
            seen.append(worker.finished_outputs(out, job, OPTIONS, RenderOptions()))

    monkeypatch.setattr(os, "replace", rename_then_look)
    assert worker.fingerprint_one(task).status == Status.DONE
    assert seen == [("m0.mkv.png", "m0.mkv.json", "m0.mkv.html")]


def test_a_movie_whose_outputs_cannot_be_named_fails_before_decoding(library, tmp_path, monkeypatch):
    """A 252-byte movie name: its outputs (NAME.png, NAME.json) would pass the 255-byte limit
    of a file name. That movie fails, with the reason, before it is decoded; the batch goes on."""
    from streamprint import outputs

    lib = tmp_path / "lib"
    lib.mkdir()
    long_name = "z" * 248 + ".mkv"
    (lib / long_name).write_bytes((library / "m0.mkv").read_bytes())
    (lib / "short.mkv").write_bytes((library / "m1.mkv").read_bytes())
    decoded = []
    real = outputs.write_fingerprint  # every run's outputs are written there
    monkeypatch.setattr(outputs, "write_fingerprint",
                        lambda fp, path, **kw: (decoded.append(fp.source.path), real(fp, path, **kw)))
    summary = run_batch(lib, tmp_path / "out", OPTIONS, executor=Serial())
    assert (summary.done, summary.failed, summary.pending) == (1, 1, 0)
    assert "file name too long" in summary.errors[long_name]
    assert [Path(p).name for p in decoded] == ["short.mkv"]
    assert entries(tmp_path / "out")[long_name].status == Status.FAILED


def test_a_movie_named_like_the_batchs_own_files_fails_and_says_why(tmp_path, library):
    """Movies named ``index`` and ``streamprint-manifest`` (no extension) at the top of the
    library: the gallery overwrote the first one's page, and the second one's data file
    would be the manifest (it stayed pending, run after run). They fail, each on its line,
    and the other movies are done."""
    lib = tmp_path / "lib"
    lib.mkdir()
    movie = next(p for p in sorted(library.rglob("*.mkv")))
    for name in ("index", "streamprint-manifest", "good.mkv"):
        (lib / name).write_bytes(movie.read_bytes())
    out = tmp_path / "out"
    for run in range(2):
        r = run_cli("batch", str(lib), str(out), "--jobs", "1", "-q", timeout=300)
        assert r.returncode == 3, r.stderr
        status = {rel: str(e.status) for rel, e in entries(out).items()}
        assert status == {"index": "failed", "streamprint-manifest": "failed", "good.mkv": "done"}, status
        assert r.stdout.decode().count("rename it") == 2
    assert "good.mkv.html" in (out / "index.html").read_text()


def test_a_movie_named_like_the_batchs_own_files_in_other_case_fails_too(tmp_path):
    """``INDEX`` and ``Index`` (no extension): their pages INDEX.html and Index.html are the
    gallery's index.html on a file system that ignores case (macOS, exFAT, NTFS, SMB), and
    the gallery never linked them; ``Streamprint-Manifest``'s data file is the manifest
    there. They fail as ``index`` does, before any is opened (the files are no video)."""
    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    names = ("INDEX", "Index", "Streamprint-Manifest")
    for name in names:
        (lib / name).write_bytes(b"not opened")
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.failed, summary.not_video) == (3, 0)
    for name in names:
        assert "rename it" in summary.errors[name] and "case" in summary.errors[name]
        assert entries(out)[name].status == Status.FAILED
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "index.html", "streamprint-manifest.json"]


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    kids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            kids.append(int(status.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/status").read_text().split("State:\t", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False


def assert_they_end(pids: list[int], within: float = 10.0) -> None:
    """Every process of ``pids`` ends within ``within`` s (those left are killed, then the
    test fails). The default is far beyond the workers' half-second checks, for a loaded
    machine (it failed at 3 s with other jobs sharing both cores), and far below the
    minute of work the workers were left with before."""
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left


_EXECUTOR_SCRIPT = """
import sys, time
from streamprint.batch.executors import Processes

def work(task, reports):  # a movie that takes a minute
    time.sleep(60)
    return task

if __name__ == "__main__":
    print("started", flush=True)
    Processes(2).run(work, [1, 2, 3, 4], lambda task, result: None, None, lambda task, exc: None)
"""


def test_workers_of_a_killed_batch_end(tmp_path):
    """Killed with SIGKILL (or by the OOM killer), a batch left its worker processes going
    on with the movies they had (a minute's work here), writing into a folder whose lock
    was gone; now each ends within a second of its batch."""
    script = tmp_path / "batch.py"
    script.write_text(_EXECUTOR_SCRIPT)
    batch = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, cwd=tmp_path)
    assert batch.stdout.readline() == b"started\n"  # type: ignore[union-attr]
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:  # both workers spawned
        time.sleep(0.1)
        workers = [w for w in _children(batch.pid) if b"spawn_main" in Path(f"/proc/{w}/cmdline").read_bytes()]
    assert len(workers) == 2, workers
    time.sleep(1.0)  # at work
    batch.kill()
    batch.wait(timeout=30)
    assert_they_end(workers)  # each looks every PARENT_CHECK_EVERY (0.5 s)


def test_a_redraw_the_disk_refuses_leaves_the_movie_pending_not_decoded_again(library, tmp_path, monkeypatch):
    """A full disk during a redraw (other drawing options) made the batch decode every movie
    again, which then failed on the same full disk: hours lost on a real library."""
    from streamprint.batch import core, worker

    out = tmp_path / "out"
    run_batch(library, out, Options(), jobs=1)

    def full(*args, **kwargs):
        raise OutputError("cannot write x.png: No space left on device")

    def never(*args, **kwargs):
        raise AssertionError("decoded again")

    monkeypatch.setattr(worker, "redraw", full)
    monkeypatch.setattr(core, "fingerprint_one", never)
    summary = run_batch(library, out, Options(), RenderOptions(height=50), jobs=1)
    assert {e.status for e in entries(out).values()} == {Status.PENDING}
    assert summary.pending == 3 and summary.exit_code != 0


def test_a_batch_from_a_deleted_working_directory(library, tmp_path):
    """With absolute paths, a batch run from a folder since deleted failed with 'unexpected
    FileNotFoundError': spawning workers asks for the working directory."""
    gone = tmp_path / "gone"
    gone.mkdir()
    r = subprocess.run(["bash", "-c", f"cd {gone} && rmdir {gone} && exec {sys.executable} -m streamprint batch "
                                      f"{library} {tmp_path / 'out'} --jobs 2 -q"], capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert {e.status for e in entries(tmp_path / "out").values()} == {Status.DONE}


def test_an_interrupted_batch_ends_with_its_table_and_leaves_the_movie_pending(tmp_path, long_clip):
    """Ctrl-C while the long movie is worked on: exit 130, the summary table (README: "A
    summary table ends every run"; an interrupt printed none), and the long movie recorded
    as pending in the manifest (README: an interrupt "leaves it pending"; it had no entry)."""
    import shutil

    lib, out = make_library(tmp_path / "lib", n=2), tmp_path / "out"
    shutil.copy(long_clip, lib / "z-long.mkv")
    code, stdout, err = interrupt_batch(lib, out, [f"m{i}.mkv" for i in range(2)])
    assert code == 130, err
    assert err.decode() == (f"streamprint: interrupted; the movies finished so far are kept (gallery: "
                            f"{out / 'index.html'}, 2 movies); run it again to go on\n")
    assert stdout.decode() == ("fingerprinted now               2\nalready done, unchanged         0\n"
                               "not video (skipped)             0\nfailed                          0\n"
                               "pending (retried next run)      1\n")
    long_entry = entries(out)["z-long.mkv"]
    assert long_entry.status == Status.PENDING and long_entry.error == "interrupted"
    assert not (out / "z-long.mkv.json").exists()


def test_an_interrupt_while_strips_are_redrawn_records_the_redraws(tmp_path, monkeypatch):
    """A batch re-run in a new style redraws its strips before any decoding. Interrupted
    there, it recorded nothing: the strips redrawn so far stayed recorded in the old style,
    and every later run took them as done and unchanged, in the wrong style, for good."""
    import streamprint.batch.core as core
    import streamprint.batch.worker as worker
    from streamprint import Interrupted
    from streamprint.enums import Style

    lib, out = make_library(tmp_path / "lib", n=4), tmp_path / "out"
    run_batch(lib, out, Options(sampling=Sampling.interval(0.5)), RenderOptions(style="dominant"),
              executor=Serial())
    real, calls = worker.redraw, []

    def redraw_then_stop(*args, **kwargs):
        if len(calls) == 2:
            raise Interrupted("interrupted")
        calls.append(args[1].rel)
        return real(*args, **kwargs)

    monkeypatch.setattr(worker, "redraw", redraw_then_stop)
    summary = core.Summary()
    with pytest.raises(Interrupted):
        run_batch(lib, out, Options(sampling=Sampling.interval(0.5)), RenderOptions(style="average"),
                  executor=Serial(), summary=summary)
    # what the command prints its table from: every movie counted, the two not redrawn pending
    assert summary.begun and summary.redrawn == 2 and summary.pending == 2
    styles = {rel: e.render and e.render.style for rel, e in entries(out).items()}
    assert [styles[rel] for rel in calls] == [Style.AVERAGE, Style.AVERAGE], styles
    # the others are no longer recorded in the old style: drawn how, not known, so redrawn next run
    assert [s for rel, s in styles.items() if rel not in calls] == [None, None]
    monkeypatch.setattr(worker, "redraw", real)
    again = run_batch(lib, out, Options(sampling=Sampling.interval(0.5)), RenderOptions(style="dominant"),
                      executor=Serial())
    assert again.redrawn == 4 and again.skipped == 0


def test_a_library_stop_request_stops_a_batch_of_worker_processes(tmp_path, long_clip):  # noqa: F811
    """``interrupt.request()`` from another thread stopped a one-process batch, but one of
    worker processes ran on to its end: the wait for them never asked."""
    import shutil
    import threading

    from streamprint import Interrupted, interrupt

    lib = make_library(tmp_path / "lib", n=2)
    shutil.copy(long_clip, lib / "z-long.mkv")
    timer = threading.Timer(1.0, interrupt.request)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(Interrupted):
            run_batch(lib, tmp_path / "out", Options(sampling=Sampling.every(1)), jobs=2)
    finally:
        timer.cancel()
        interrupt.clear()
    assert time.monotonic() - started < 10
    assert entries(tmp_path / "out")["z-long.mkv"].status == Status.PENDING


def test_a_lost_workers_reason_is_one_line(tmp_path):
    """Dask's text for a lost scheduler runs over two lines; the manifest and the table
    took it whole."""
    from streamprint.batch.core import _lost
    from streamprint.batch.worker import Job, Task

    job = Job(str(tmp_path / "m.mkv"), "m.mkv", 1, 1)
    task = Task(job, str(tmp_path), Options(), RenderOptions(), 1, 60.0, ())
    result = _lost(task, RuntimeError("scheduler-connection-lost.\nClient lost the connection"))
    assert result.status == Status.PENDING and "\n" not in result.error


class _ThreadsUntold:
    """An executor of the caller's that does not say how many decoder threads a movie gets."""

    def run(self, work, tasks, finish, on_report, lost):
        Serial().run(work, tasks, finish, on_report, lost)


class _TooManyThreads(Serial):
    threads_per_task = 96


class _RunOfOneArgument(Serial):
    def run(self, work):
        pass


@pytest.mark.parametrize("kwargs, name", [({"summary": 5}, "summary"), ({"executor": "x"}, "executor"),
                                          ({"render": {}}, "render"), ({"library": None}, "library"),
                                          ({"executor": Serial}, "executor.*the class Serial"),
                                          ({"executor": _ThreadsUntold()}, "executor.*threads_per_task"),
                                          ({"executor": _TooManyThreads()}, "executor.*threads_per_task.*96"),
                                          ({"executor": _RunOfOneArgument()}, "executor.*cannot take them")])
def test_run_batch_names_a_wrong_argument_before_touching_outdir(tmp_path, kwargs, name):
    """(The class Serial, an executor that did not say its threads per movie, or one whose run
    took other arguments, were a TypeError or AttributeError once OUTDIR was made, its movies
    marked pending "the batch stopped"; 96 threads failed every movie.)"""
    from streamprint import ParameterError

    args = {"library": tmp_path, "outdir": tmp_path / "out", "options": Options(), **kwargs}
    with pytest.raises(ParameterError, match=name):
        run_batch(**args)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kwargs", [{"executor": Serial(), "dask": "tcp://127.0.0.1:1"},
                                    {"executor": Serial(), "jobs": 2}, {"dask": "tcp://127.0.0.1:1", "jobs": 2}])
def test_run_batch_takes_one_way_to_work_on_the_movies(tmp_path, kwargs):
    """executor= with dask= or jobs= ran the executor, and dask= with jobs= the cluster, the
    other ignored in silence."""
    from streamprint import ParameterError

    with pytest.raises(ParameterError, match="cannot be used together") as info:
        run_batch(tmp_path, tmp_path / "out", Options(), **kwargs)
    named = [name for name in ("executor", "dask", "jobs") if name in kwargs]
    assert str(info.value).startswith(f"{named[0]} and {named[1]} cannot be used together")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("jobs", [0, -1, 2.5, "2", True])
def test_processes_names_a_wrong_number_of_jobs(jobs):
    """Processes(0) was a ZeroDivisionError, Processes("2") a TypeError, and Processes(-1),
    Processes(2.5) and Processes(True) were taken, to fail as the batch handed out its movies."""
    from streamprint import ParameterError
    from streamprint.batch.executors import Processes

    with pytest.raises(ParameterError, match="^jobs must be a whole number from 1 to 1024"):
        Processes(jobs)


def test_processes_of_no_number_is_one_per_core():
    """As run_batch's ``jobs=None`` (it was a TypeError)."""
    from streamprint.batch.executors import Processes

    assert Processes(None).slots == Processes().slots == len(os.sched_getaffinity(0))
    assert Processes(1).slots == 1 and Processes(1).threads_per_task == len(os.sched_getaffinity(0))


def test_a_machine_of_more_cores_than_threads_takes_gives_each_movie_what_it_takes(monkeypatch):
    """On 96 cores, Serial() and Processes(1) handed each movie 96 decoder threads, and every
    movie failed: "threads must be a whole number from 0 to 64, got 96"."""
    from streamprint import params
    from streamprint.batch.executors import Processes, Serial
    from streamprint.source import codecs

    monkeypatch.setattr(codecs, "cores", lambda: 96)
    for executor in (Serial(), Processes(1), Processes(2), Processes(96)):
        assert params.check("threads", executor.threads_per_task) >= 1  # what fingerprint() takes
    assert Processes(2).threads_per_task == 48 and Processes(None).slots == 96


def _report_and_end(reports) -> None:
    """A batch worker's life in short: it starts, reports progress, and ends."""
    import logging

    from streamprint.batch import executors

    executors._start_worker(reports, True, logging.WARNING, os.getppid())
    executors._reports.put(("progress", 1))


def test_a_worker_ends_though_a_killed_one_holds_the_report_queue():
    """A worker killed by the OOM killer while it wrote a progress report leaves the queue's
    write lock held. Every other worker then hung at its exit, waiting to send its last
    report, and the batch with it (its pool waits for its workers)."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    reports = context.Queue()
    reports._wlock.acquire()  # what the killed worker left held
    worker = context.Process(target=_report_and_end, args=(reports,))
    worker.start()
    worker.join(30)
    hung = worker.is_alive()
    if hung:
        worker.kill()
        worker.join()
    assert not hung, "the worker hung at exit"
    assert worker.exitcode == 0  # (it had called _start_worker with too few arguments, and ended at once)


def test_a_fifo_where_the_lock_file_goes_is_one_line(tmp_path):
    """A FIFO at OUTDIR/.streamprint.lock ended as "unexpected OSError ... (a bug)"."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / ".streamprint.lock")
    r = run_cli("batch", tmp_path / "lib", tmp_path / "out")
    err = r.stderr.decode()
    assert r.returncode == 1 and err.count("\n") == 1 and "not a regular file" in err and "bug" not in err, err


def test_a_lock_file_that_keeps_being_replaced_is_given_up_on(tmp_path, monkeypatch):
    """The review: when the file locked is never the one at the path (an inode that does not
    hold still, something removing the file again and again), taking the lock looped for
    ever."""
    from streamprint.batch import lock

    real_stat = os.stat

    def other_inode(path, *args, **kwargs):
        st = real_stat(path, *args, **kwargs)
        return os.stat_result((st.st_mode, st.st_ino + 1) + tuple(st)[2:])

    monkeypatch.setattr(lock.os, "stat", other_inode)
    with pytest.raises(lock.BusyError, match="replaced"):
        with lock.outdir_lock(tmp_path):
            pass


def test_a_refused_run_whose_clean_up_fails_says_so(tmp_path):
    from streamprint.batch.outdir import take_back

    out = tmp_path / "new"
    out.mkdir()
    (out / "streamprint-manifest.json").write_text("{}")

    def cannot(): raise PermissionError("no")

    assert take_back(out, [out], cannot, {"streamprint-manifest.json"}) is False
    assert out.exists()
