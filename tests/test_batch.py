"""Batch runs over a library: mirrored outputs, a manifest, resuming, failures, crashes."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from streamprint import synth

from .conftest import run_cli


def make_library(root, n=4, seconds=1.0):
    """``n`` short clips in nested folders, plus a text file and a poster image."""
    (root / "shows" / "s01").mkdir(parents=True)
    for i in range(n):
        seg = synth.SAMPLE_SEGMENTS[i % 4]
        sub = root if i % 2 == 0 else root / "shows" / "s01"
        synth.encode_clip(sub / f"movie {i}.mkv", synth.segment_frames([synth.Segment(seg.background, seg.accent, seconds)],
                                                                        (160, 90)), encoding=synth.Encoding(crf=20))
    (root / "notes.txt").write_text("not a movie")
    Image.fromarray(np.full((40, 30, 3), 99, np.uint8)).save(root / "poster.jpg")
    return root


def tree(outdir):
    return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*"))
            if p.is_file() and p.name not in ("streamprint-manifest.json", ".streamprint.lock", ".streamprint-gallery.json")}


def counts(r) -> dict[str, int]:
    """The summary table's counts, by label."""
    out = {}
    for line in r.stdout.decode().splitlines():
        label, _, n = line.rpartition(" ")
        if n.isdigit() and not line.startswith("  "):
            out[label.strip()] = int(n)
    return out


def batch(lib, out, *args):
    return run_cli("batch", lib, out, "--interval", "0.25", "-q", *args, timeout=300)


def test_hidden_files_left_out_are_counted(tmp_path):
    """A movie whose name starts with "." ("...And Justice for All", ".hack//Sign") is hidden,
    like .DS_Store, and left out as `ls` leaves it out; the batch said nothing of it, so a
    movie went missing in silence. The summary counts the hidden files of the folders it
    reads (a hidden folder is not read)."""
    lib = tmp_path / "lib"
    (lib / ".Trash").mkdir(parents=True)
    seg = synth.SAMPLE_SEGMENTS[0]
    for name in ("...And Justice for All.mkv", "movie.mkv", ".Trash/old.mkv"):
        synth.encode_clip(lib / name, synth.segment_frames([synth.Segment(seg.background, seg.accent, 1.0)],
                                                           (160, 90)), encoding=synth.Encoding(crf=20))
    (lib / ".DS_Store").write_bytes(bytes(16))
    r = batch(lib, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert counts(r) == {"fingerprinted now": 1, "already done, unchanged": 0, "not video (skipped)": 0,
                         'hidden ".name" (left out)': 2, "failed": 0}


def test_mirrors_folders_and_records_a_manifest(tmp_path):
    lib, out = make_library(tmp_path / "lib"), tmp_path / "out"
    r = batch(lib, out, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    files = tree(out)
    assert sorted(files) == ["index.html", "movie 0.mkv.html", "movie 0.mkv.json", "movie 0.mkv.png",
                             "movie 2.mkv.html", "movie 2.mkv.json", "movie 2.mkv.png",
                             "shows/s01/movie 1.mkv.html", "shows/s01/movie 1.mkv.json", "shows/s01/movie 1.mkv.png",
                             "shows/s01/movie 3.mkv.html", "shows/s01/movie 3.mkv.json", "shows/s01/movie 3.mkv.png"]
    manifest = json.loads((out / "streamprint-manifest.json").read_text())["entries"]
    assert {k: v["status"] for k, v in manifest.items()} == {
        "movie 0.mkv": "done", "movie 2.mkv": "done", "shows/s01/movie 1.mkv": "done",
        "shows/s01/movie 3.mkv": "done", "notes.txt": "not-video", "poster.jpg": "not-video"}
    entry = manifest["movie 0.mkv"]
    assert entry["size"] == (lib / "movie 0.mkv").stat().st_size and entry["seconds"] > 0
    assert entry["options"]["sampling"] == {"mode": "interval", "value": 0.25}
    assert counts(r) == {"fingerprinted now": 4, "already done, unchanged": 0, "not video (skipped)": 2, "failed": 0}
    assert Image.open(out / "movie 0.mkv.png").size == (400, 200)  # 4 samples, 100 px each: the 400-px least width


def test_rerun_skips_unchanged_and_redoes_changed(tmp_path):
    lib, out = make_library(tmp_path / "lib"), tmp_path / "out"
    assert batch(lib, out).returncode == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.png")}
    time.sleep(0.05)
    r = batch(lib, out)
    assert r.returncode == 0 and counts(r)["already done, unchanged"] == 4
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*.png")} == before
    # A changed movie is done again; so is everything when the options change.
    seg = synth.SAMPLE_SEGMENTS[3]
    synth.encode_clip(lib / "movie 0.mkv", synth.segment_frames([synth.Segment(seg.background, seg.accent, 2.0)],
                                                                (160, 90)))
    r = batch(lib, out)
    assert counts(r)["fingerprinted now"] == 1
    assert Image.open(out / "movie 0.mkv.png").size == (400, 200)  # 8 samples, 50 px each: the least width
    r = run_cli("batch", lib, out, "--interval", "0.5", "-q")
    assert counts(r)["fingerprinted now"] == 4


def test_failures_exit_3_and_retry(tmp_path):
    lib, out = make_library(tmp_path / "lib", n=2), tmp_path / "out"
    import av

    broken = lib / "broken.mkv"  # a video stream, but not one frame: a failure, not a non-video
    with av.open(str(broken), "w") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        c.start_encoding()
    r = batch(lib, out)
    assert r.returncode == 3, r.stderr
    assert counts(r)["failed"] == 1 and "failed: broken.mkv" in r.stdout.decode()
    assert (out / "movie 0.mkv.png").exists()  # the rest is done
    r = batch(lib, out)  # failures are not retried unless asked...
    assert r.returncode == 3 and counts(r)["fingerprinted now"] == 0
    broken.write_bytes((lib / "movie 0.mkv").read_bytes())
    r = batch(lib, out, "--retry-failed")  # ...and a changed file is retried anyway
    assert r.returncode == 0, r.stdout


def test_parallel_gives_the_same_bytes(tmp_path):
    lib = make_library(tmp_path / "lib")
    assert batch(lib, tmp_path / "one", "--jobs", "1").returncode == 0
    assert batch(lib, tmp_path / "two", "--jobs", "2").returncode == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def _complete(path) -> bool:
    """Every visible output present is whole: a PNG that decodes, JSON that parses."""
    try:
        if path.suffix == ".png":
            Image.open(path).load()
        elif path.suffix == ".json":
            json.loads(path.read_text())
        return True
    except Exception:
        return False


def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    lib = make_library(tmp_path / "lib", n=6, seconds=2.0)
    clean = tmp_path / "clean"
    assert batch(lib, clean, "--jobs", "2").returncode == 0
    out = tmp_path / "out"
    rng = random.Random(int(os.environ.get("STREAMPRINT_CRASH_SEED", "0")))
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(out), "--interval",
                                 "0.25", "-q", "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        deadline = time.monotonic() + rng.uniform(0.3, 3.0)
        while time.monotonic() < deadline and proc.poll() is None:
            for p in out.rglob("*"):  # at no point is a visible output half-written
                if p.is_file() and not p.name.startswith("."):
                    assert _complete(p), p
            time.sleep(0.02)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    r = batch(lib, out, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    assert tree(out) == tree(clean)
    assert not list(out.rglob(".*.tmp"))


def test_grid_wallpaper(tmp_path):
    lib, out = make_library(tmp_path / "lib"), tmp_path / "out"
    assert batch(lib, out, "--column-width", "20", "--height", "50").returncode == 0
    wall = tmp_path / "wall.png"
    r = run_cli("grid", out, wall, "--size", "640x360")
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(wall))
    assert img.shape == (360, 640, 3)
    # Each shot's background colour shows up in the wallpaper.
    for seg in synth.SAMPLE_SEGMENTS:
        assert (np.abs(img.reshape(-1, 3).astype(int) - seg.background).max(axis=1) <= 8).mean() > 0.05


@pytest.mark.parametrize("args, code", [(["--jobs", "0"], 2), ([], 2)])
def test_batch_usage_errors(tmp_path, args, code):
    missing = tmp_path / "nope"
    r = run_cli("batch", missing, tmp_path / "out", *args)
    assert r.returncode == code and b"Traceback" not in r.stderr


def test_batch_on_a_local_dask_cluster(tmp_path):
    """A LocalCluster on loopback with 2 worker processes: same bytes as a local run."""
    distributed = pytest.importorskip("distributed")
    lib = make_library(tmp_path / "lib", n=3)
    assert batch(lib, tmp_path / "local", "--jobs", "1").returncode == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        r = batch(lib, tmp_path / "dask", "--dask", cluster.scheduler_address)
        assert r.returncode == 0, r.stderr
        assert counts(r)["fingerprinted now"] == 3
        # The movies really went through the cluster: its scheduler has seen streamprint tasks
        # (task keys are "streamprint-<movie>") and computed them on its workers.
        prefix = cluster.scheduler.task_prefixes.get("streamprint")
        assert prefix is not None
        assert sum(prefix.all_durations.values()) > 0
    assert tree(tmp_path / "dask") == tree(tmp_path / "local")


def test_unreachable_dask_scheduler_is_a_clean_error_and_leaves_no_outdir(tmp_path):
    """Not a usage error (the address is well formed: the network failed), found at once
    (it waited 20 s), and before OUTDIR is made (it left a lock, an empty gallery and an
    empty manifest there)."""
    pytest.importorskip("distributed")
    lib = make_library(tmp_path / "lib", n=1)
    start = time.monotonic()
    r = run_cli("batch", lib, tmp_path / "out", "--dask", "tcp://127.0.0.1:9", timeout=120)
    assert r.returncode == 1, r.stderr
    assert r.stderr.decode() == ("streamprint: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9 "
                                 "(connection refused: nothing listens there)\n")
    assert time.monotonic() - start < 10
    assert not (tmp_path / "out").exists()


def test_killed_long_movie_resumes_from_its_checkpoint(tmp_path):
    """Kill a batch mid-movie after a checkpoint was saved: the re-run resumes from it (the
    manifest says from which frame) and writes the same bytes as an uninterrupted run."""
    lib = tmp_path / "lib"
    lib.mkdir()
    # 16 s, every frame (384): after frame 100 the kill (50 ms polls) finds seconds of work left
    segs = [synth.Segment(s.background, s.accent, 4.0) for s in synth.SAMPLE_SEGMENTS]
    synth.encode_clip(lib / "long.mkv", synth.segment_frames(segs, (160, 90)),
                      encoding=synth.Encoding(crf=20, preset="ultrafast", gop=48))
    args = ["--every", "1", "--checkpoint", "0.2", "--jobs", "1", "-q"]
    assert run_cli("batch", lib, tmp_path / "clean", *args, timeout=300).returncode == 0
    out = tmp_path / "out"
    ckpt = out / ".streamprint-checkpoints" / "long.mkv.json"
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(out), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if ckpt.exists() and json.loads(ckpt.read_text())["resume"]["index"] > 100:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    saved_at = json.loads(ckpt.read_text())["resume"]["index"]
    r = run_cli("batch", lib, out, *args, timeout=300)
    assert r.returncode == 0, r.stderr
    entry = json.loads((out / "streamprint-manifest.json").read_text())["entries"]["long.mkv"]
    assert entry["resumed_from_frame"] == saved_at > 0
    assert tree(out) == tree(tmp_path / "clean")
    assert not ckpt.exists()


def test_an_interval_below_a_millisecond_stops_the_batch_before_any_movie(tmp_path):
    """Shorter than any stream's clock ticks: one usage error up front (it used to fail every
    movie of the library one by one, each with the same message)."""
    from .test_safety import one_line

    lib, out = make_library(tmp_path / "lib"), tmp_path / "out"
    line = one_line(run_cli("batch", lib, out, "--interval", "0.0005", "-q", timeout=60), 2)
    assert "--interval" in line and ">= 0.001" in line
    assert not out.exists()
