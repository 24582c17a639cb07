"""What the environment does to a run: standard error closed, full or gone, an interrupt
while the outputs are written, a stop request from an earlier run, two runs at once."""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import blas, interrupt
from streamprint.formats import read_fingerprint

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"
COMMAND = f"{shlex.quote(sys.executable)} -m streamprint"


def shell(script: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, timeout=300)


@pytest.mark.parametrize("redirect", ["2>&-", "2>/dev/full"], ids=["stderr-closed", "stderr-full"])
def test_a_stderr_that_cannot_be_written_does_not_cost_the_run(tmp_path, redirect):
    """The progress bar's first write failed and the strip was thrown away: exit 1, no
    file (with stderr closed the 'unexpected AttributeError' line even went to stdout)."""
    r = shell(f"{COMMAND} {SAMPLE} out.png --every 1 --data out.json {redirect}", tmp_path)
    assert r.returncode == 0 and r.stdout == b"", (r.returncode, r.stdout)
    assert len(read_fingerprint(tmp_path / "out.json")) > 100
    assert Image.open(tmp_path / "out.png").size[0] >= 400


def test_progress_into_a_pipe_whose_reader_left(tmp_path):
    """``2>&1 | head -c 50``: the write after head left raised BrokenPipeError: exit 1, silent, nothing."""
    r = shell(f"{COMMAND} {SAMPLE} out.png --every 1 2>&1 | head -c 50 >/dev/null; echo ${{PIPESTATUS[0]}}",
              tmp_path)
    assert r.stdout.split()[-1] == b"0", r
    assert Image.open(tmp_path / "out.png").size[0] >= 400


def test_a_batch_with_stderr_closed_finishes(tmp_path):
    library = tmp_path / "lib"
    library.mkdir()
    os.link(SAMPLE, library / "a.mp4")
    r = shell(f"{COMMAND} batch lib out --every 5 2>&-", tmp_path)
    assert r.returncode == 0, r
    assert (tmp_path / "out" / "a.mp4.png").exists() and (tmp_path / "out" / "index.html").exists()


def test_an_interrupt_while_the_outputs_are_written_waits_for_them(tmp_path, monkeypatch, capsys):
    """A Ctrl-C that came while a.html was being written said "nothing was written" beside
    a new a.html, and no a.json. Now the write finishes, and the line says what was kept."""
    from streamprint._cli.dispatch import main
    from streamprint.outputs import RunOutputs

    write = RunOutputs.write

    def interrupted_write(self, fp, final=True):
        os.kill(os.getpid(), signal.SIGINT)  # handled at once, in the middle of the write
        return write(self, fp, final)

    monkeypatch.setattr(RunOutputs, "write", interrupted_write)
    logger = logging.getLogger("streamprint")  # as main() set it up, for this test only
    for name in ("handlers", "propagate", "level"):
        monkeypatch.setattr(logger, name, list(logger.handlers) if name == "handlers" else getattr(logger, name))
    out, data = tmp_path / "a.html", tmp_path / "a.json"
    assert main([str(SAMPLE), str(out), "--data", str(data), "-q"]) == 130
    err = capsys.readouterr().err
    assert "nothing was written" not in err and "kept" in err and f"in {out} and {data}" in err, err
    assert len(read_fingerprint(data)) > 0 and out.read_text().rstrip().endswith("</html>")
    assert not interrupt.requested()  # forgotten once the command has reported it


def test_a_stop_request_does_not_outlive_the_runs_it_stopped():
    """After a live run ended by interrupt.request(), every later fingerprint() in the
    process raised Interrupted at once, until interrupt.clear()."""
    def stop_at_ten(p):
        if p.samples == 10:
            interrupt.request()

    live = streamprint.fingerprint(SAMPLE, sampling=streamprint.Sampling.every(1), progress=stop_at_ten,
                                   flush=lambda fp: None)
    whole = streamprint.fingerprint(SAMPLE, sampling=streamprint.Sampling.every(1))
    assert 0 < len(live) < len(whole)
    assert not interrupt.requested()


def test_overlapping_runs_leave_blas_as_they_found_it():
    """threadpoolctl restores on exit what it saw on entry: run A set 1 thread, run B (in
    another thread) saw 1, A ended, then B restored 1 for good. The truth is
    threadpool_info() before any run."""
    from threadpoolctl import threadpool_info

    np.dot(np.ones((64, 64)), np.ones((64, 64)))  # BLAS loaded
    before = [(p["internal_api"], p["num_threads"]) for p in threadpool_info()]
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def run_a():
        with blas.one_thread():
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def run_b():
        a_in.wait(10)
        with blas.one_thread():
            b_in.set()
            a_out.wait(10)  # A leaves first

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert [(p["internal_api"], p["num_threads"]) for p in threadpool_info()] == before


def test_out_of_memory_is_one_line_not_a_bug(tmp_path, monkeypatch, capsys):
    """A plot 65535 px high needs a 3 GiB array: 'unexpected MemoryError (a bug)'."""
    from streamprint._cli.dispatch import main
    from streamprint.render import output

    def no_memory(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(output, "_picture", no_memory)
    logger = logging.getLogger("streamprint")
    for name in ("handlers", "propagate", "level"):
        monkeypatch.setattr(logger, name, list(logger.handlers) if name == "handlers" else getattr(logger, name))
    assert main([str(SAMPLE), str(tmp_path / "p.png"), "--style", "plot", "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out of memory" in err and "bug" not in err, err
    assert not (tmp_path / "p.png").exists()


def test_a_replaced_output_keeps_its_permissions(tmp_path):
    """An output written again came back 0644 (0666 less the umask) where its owner had made
    it 0640; a new one still gets the umask's."""
    out = tmp_path / "out.png"
    r = shell(f"umask 027; {COMMAND} {SAMPLE} out.png -q", tmp_path)
    assert r.returncode == 0 and (out.stat().st_mode & 0o777) == 0o640
    out.chmod(0o604)
    assert shell(f"{COMMAND} {SAMPLE} out.png -q", tmp_path).returncode == 0
    assert (out.stat().st_mode & 0o777) == 0o604


def test_the_terminal_says_its_encoding():
    """tqdm draws Unicode blocks only when its file's encoding says UTF-8: the bars came out
    in ASCII ('#####4') once they were written through TERMINAL."""
    from streamprint._cli.progress import TERMINAL

    assert TERMINAL.encoding == (getattr(sys.stderr, "encoding", None) or "ascii")


def test_a_late_progress_report_does_not_bring_a_finished_movie_back():
    """Reports come through a queue: one may arrive after its movie's result."""
    from streamprint._cli.progress import BatchBars

    bars = BatchBars(enabled=True)
    bars.plan(2)
    bars.progress("a.mkv", 10, 20)
    bars.file_done("a.mkv", "done")
    bars.progress("a.mkv", 20, 20)
    assert "a.mkv" not in bars.running
    bars.close()


def test_a_finished_movie_leaves_the_samples_bar_at_once(monkeypatch):
    """The samples bar kept a finished movie's samples and total until another movie's next
    report, which for a movie sampled rarely came minutes later: here 30/50 stayed shown
    where only b.mkv's 5 of 8 were in flight."""
    import io

    from streamprint._cli import progress

    screen = io.StringIO()
    monkeypatch.setattr(progress, "TERMINAL", screen)
    bars = progress.BatchBars(enabled=True)
    bars.plan(2)
    bars.progress("a.mkv", 25, 42)
    bars.progress("b.mkv", 5, 8)
    assert (bars.samples.n, bars.samples.total) == (30, 50)
    before = len(screen.getvalue())
    bars.file_done("a.mkv", "done")
    assert (bars.samples.n, bars.samples.total) == (5, 8)
    assert "b.mkv:  62%" in screen.getvalue()[before:]  # drawn now, not at b's next report
    bars.file_done("b.mkv", "done")
    assert bars.samples.n == 0 and bars.samples.total is None
    bars.close()
