"""A batch killed (SIGKILL: no handler runs, nothing is written on the way out) at a chosen
moment of its run, and what the next runs make of the folder it left. The kill comes from
the batch's own process at a fixed step (a stand-in for redraw or fingerprint_one that kills
it), so every test is deterministic."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from PIL import Image

from streamprint import Options, RenderOptions, Sampling
from streamprint.batch import run_batch
from streamprint.batch.executors import Serial
from streamprint.enums import Status
from streamprint.formats import read_manifest

from .test_batch_safety import make_library

OPTIONS = Options(sampling=Sampling.interval(0.5))

#: Runs one batch of LIB into OUT with Serial() and the options given as JSON, after the
#: function NAME of the batch's module (``core.fingerprint_one``, ``worker.redraw``) has been
#: replaced by one that calls it and then, on its AFTER-th call, kills this process with SIGKILL.
_KILLER = """
import importlib, json, os, signal, sys
from streamprint import Options, RenderOptions, Sampling
from streamprint.batch import run_batch
from streamprint.batch.executors import Serial
lib, out, name, after, colors, height = sys.argv[1:]
module, name = name.split(".")
module = importlib.import_module("streamprint.batch." + module)
real, calls = getattr(module, name), []
def killing(*args, **kwargs):
    result = real(*args, **kwargs)
    calls.append(1)
    if len(calls) == int(after):
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(module, name, killing)
run_batch(lib, out, Options(sampling=Sampling.interval(0.5), colors=int(colors)), RenderOptions(height=int(height)),
          executor=Serial())
"""


def killed_batch(lib: Path, out: Path, name: str, after: int, colors: int = 5, height: int = 200) -> None:
    r = subprocess.run([sys.executable, "-c", _KILLER, str(lib), str(out), name, str(after), str(colors),
                        str(height)], capture_output=True, timeout=120)
    assert r.returncode == -signal.SIGKILL, r.stderr.decode()


def test_a_kill_amid_redraws_leaves_no_strip_recorded_in_a_style_it_no_longer_has(tmp_path):
    """Killed while it redrew strips at a new height, a batch left some strips redrawn and
    their records in the old height: every later run at the old height called them "already
    done, unchanged", and they stayed at the new height for good."""
    lib, out = make_library(tmp_path / "lib", n=4), tmp_path / "out"
    run_batch(lib, out, OPTIONS, RenderOptions(height=120), executor=Serial())
    killed_batch(lib, out, "worker.redraw", after=2, height=200)  # two strips redrawn at 200, then killed
    assert sorted(Image.open(out / f"m{i}.mkv.png").size[1] for i in range(4)) == [120, 120, 200, 200]
    summary = run_batch(lib, out, OPTIONS, RenderOptions(height=120), executor=Serial())
    assert summary.done == 0 and summary.failed == 0 and summary.pending == 0
    assert [Image.open(out / f"m{i}.mkv.png").size[1] for i in range(4)] == [120] * 4
    assert {e.render for e in read_manifest(out / "streamprint-manifest.json").values()} == {RenderOptions(height=120)}


def test_a_kill_after_movies_finished_with_new_analysis_options_leaves_them_to_be_done_again(tmp_path):
    """Killed just after movies finished with new analysis options (--colors 3) and before
    their records were written, a batch left their new outputs under the old records
    (--colors 5): every later run with --colors 5 called them unchanged, though their data
    files said 3 colours."""
    lib, out = make_library(tmp_path / "lib", n=3), tmp_path / "out"
    run_batch(lib, out, Options(sampling=Sampling.interval(0.5), colors=5), RenderOptions(height=200),
              executor=Serial())
    killed_batch(lib, out, "core.fingerprint_one", after=1, colors=3)  # m0 done with 3 colours, then killed
    assert json.loads((out / "m0.mkv.json").read_text())["options"]["colors"] == 3
    summary = run_batch(lib, out, Options(sampling=Sampling.interval(0.5), colors=5), RenderOptions(height=200),
                        executor=Serial())
    # m0 again; the others, whose records were withdrawn but outputs not touched, found finished
    assert (summary.done, summary.found, summary.skipped) == (1, 2, 0), summary.table()
    for i in range(3):
        assert json.loads((out / f"m{i}.mkv.json").read_text())["options"]["colors"] == 5
    assert {e.status for e in read_manifest(out / "streamprint-manifest.json").values()} == {Status.DONE}


def test_redraws_report_progress_and_a_run_stopped_before_its_movies_counts_them_all(tmp_path, monkeypatch):
    """300 redraws showed nothing for 16 s (only movies to fingerprint were reported), and a
    run stopped before it handed its movies out (a full disk at the manifest's write after
    the plan) left them out of its table: neither counted nor pending."""
    from streamprint.batch import core

    lib, out = make_library(tmp_path / "lib", n=3), tmp_path / "out"
    run_batch(lib, out, OPTIONS, RenderOptions(height=120), executor=Serial())
    planned, files = [], []
    summary = run_batch(lib, out, OPTIONS, RenderOptions(height=100), executor=Serial(), on_plan=planned.append,
                        on_file=lambda rel, status: files.append((rel, status)))
    assert summary.redrawn == 3 and planned == [3]
    assert files == [(f"m{i}.mkv", Status.DONE) for i in range(3)]

    def full(entries, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(core, "write_manifest", full)
    summary = core.Summary()
    try:
        run_batch(lib, out, Options(sampling=Sampling.interval(0.5), colors=3), executor=Serial(), summary=summary)
    except OSError:
        pass
    else:
        raise AssertionError("the full disk was not reported")
    assert summary.pending == 3 and summary.done + summary.skipped + summary.found + summary.redrawn == 0


def test_a_manifest_write_that_fails_while_movies_finish_does_not_stop_the_batch(tmp_path, monkeypatch, caplog):
    """One failed write of the manifest while movies finished (a moment of a full disk, an
    NFS hiccup) stopped the whole batch, and the movie that had just finished was counted
    pending. Now it is said once and the batch goes on; the last write, at the end, records
    every movie."""
    from streamprint.batch import core, outdir

    lib, out = make_library(tmp_path / "lib", n=3), tmp_path / "out"
    real, failures = outdir.write_manifest, []

    def fails_twice(entries, path):
        if len(failures) < 2:
            failures.append(len(entries))
            raise OSError(28, "No space left on device")
        real(entries, path)

    monkeypatch.setattr(core, "MANIFEST_EVERY", 0.01)  # a write at every movie's end
    monkeypatch.setattr(outdir, "write_manifest", fails_twice)
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert len(failures) == 2
    assert (summary.done, summary.pending, summary.failed) == (3, 0, 0), summary.table()
    assert {e.status for e in read_manifest(out / "streamprint-manifest.json").values()} == {Status.DONE}
    assert sum("manifest could not be written" in r.getMessage() for r in caplog.records) == 1


def test_a_stopped_run_keeps_knowing_that_the_outputs_were_another_files(tmp_path, monkeypatch):
    """A movie replaced by another with an older mtime must be fingerprinted again, never
    its old outputs found finished as its own. A run stopped before it got to it recorded it
    pending as the new file: the next run found the old movie's outputs and called them done."""
    import os
    import shutil

    from streamprint.batch import core

    lib, out = make_library(tmp_path / "lib", n=2), tmp_path / "out"
    run_batch(lib, out, OPTIONS, executor=Serial())
    old_colours = (out / "m0.mkv.json").read_text()
    shutil.copyfile(lib / "m1.mkv", lib / "m0.mkv")  # another movie under m0's name, older than its outputs
    os.utime(lib / "m0.mkv", ns=(1_000_000_000, 1_000_000_000))

    def stopped(task, reports):
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(core, "fingerprint_one", stopped)
        try:
            run_batch(lib, out, OPTIONS, executor=Serial())
        except KeyboardInterrupt:
            pass
    assert read_manifest(out / "streamprint-manifest.json")["m0.mkv"].status == Status.PENDING
    summary = run_batch(lib, out, OPTIONS, executor=Serial())
    assert (summary.done, summary.found) == (1, 0), summary.table()
    assert (out / "m0.mkv.json").read_text() != old_colours
