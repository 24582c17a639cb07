"""Ctrl-C, SIGTERM or SIGHUP mid-run: exit 130, no output written, a previous output left intact."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest



@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("previous", [False, True], ids=["no-previous", "previous-kept"])
def test_interrupt_leaves_nothing_half_written(long_clip, tmp_path, sig, previous):
    out, data = tmp_path / "strip.png", tmp_path / "strip.json"
    if previous:
        out.write_bytes(b"the previous strip")
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", str(long_clip), str(out), "--every", "1",
                             "--data", str(data), *(["--overwrite"] if previous else [])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Wait until the progress bar shows it is mid-run.
    deadline = time.monotonic() + 60
    seen = b""
    while b"sample" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.read1(4096)  # type: ignore[union-attr]
    assert b"sample" in seen, "never started"
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and b"interrupted" in err
    if previous:
        assert out.read_bytes() == b"the previous strip"
    else:
        assert not out.exists()
    assert not data.exists()
    assert [p.name for p in tmp_path.iterdir()] == (["strip.png"] if previous else [])


#: Runs the entry point (``streamprint._cli:main``, which the console script's ``console`` calls) with a
#: KeyboardInterrupt raised where Python is about to load ``module``: what a Ctrl-C does
#: while the command starts, before streamprint's signal handler is installed.
_INTERRUPTED_WHILE_LOADING = """
import sys

class Interrupting:  # once, as a Ctrl-C is
    def find_spec(self, name, path=None, target=None):
        if name == sys.argv[1]:
            sys.meta_path.remove(self)
            raise KeyboardInterrupt
        return None

sys.meta_path.insert(0, Interrupting())
from streamprint._cli import main
sys.exit(main(sys.argv[2:]))
"""


@pytest.mark.parametrize("module", ["numpy", "av", "streamprint._cli.fingerprint", "streamprint._cli.palette"])
def test_ctrl_c_while_the_command_loads_is_one_line_not_a_traceback(tmp_path, module):
    """numpy (loaded with the entry point's modules), PyAV and a command's own module (loaded
    by the entry point, before the arguments are parsed): each window ends with exit 130
    and the one line of any interrupt."""
    image = tmp_path / "in.png"
    image.write_bytes(b"not read")
    out = tmp_path / "out.png"
    command = ["palette", str(image), str(out)] if module.endswith("palette") else [str(image), str(out)]
    proc = subprocess.run([sys.executable, "-c", _INTERRUPTED_WHILE_LOADING, module, *command],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "streamprint: interrupted; nothing was written\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.png"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_sigterm_while_the_command_loads_is_one_line_and_130(tmp_path, sig):
    """In the first tenth of a second (imports), SIGTERM ended the process with 143 and no
    message, SIGHUP with 129. The signal is sent when Python is about to load numpy."""
    script = (_INTERRUPTED_WHILE_LOADING.replace("raise KeyboardInterrupt", f"os.kill(os.getpid(), {int(sig)})")
              .replace("import sys", "import os, sys"))
    r = subprocess.run([sys.executable, "-c", script, "numpy", "x.mp4", "y.png"], capture_output=True,
                       timeout=120, cwd=tmp_path)
    assert r.returncode == 130 and r.stderr.strip().count(b"\n") == 0 and b"interrupted" in r.stderr, r.stderr


#: A real SIGINT while numpy's C-extension loads: numpy imports ``datetime`` from C then, and
#: turns the KeyboardInterrupt raised in it into an ImportError of its own.
_SIGINT_INSIDE_NUMPY = """
import os, signal, sys

class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "datetime" and "numpy" in sys.modules:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Interrupting())
from streamprint._cli import console
sys.exit(console())
"""


def test_ctrl_c_while_numpy_loads_its_c_extension_is_one_line(tmp_path):
    """numpy made its 20-line "reinstall numpy" ImportError traceback of the interrupt, and
    the command ended with exit 1: now the one line and 130 of any interrupt."""
    r = subprocess.run([sys.executable, "-c", _SIGINT_INSIDE_NUMPY, "x.mp4", "y.png"], capture_output=True,
                       text=True, timeout=120, cwd=tmp_path)
    assert (r.returncode, r.stderr) == (130, "streamprint: interrupted; nothing was written\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_after_the_command_finished_keeps_its_exit_code(tmp_path, sig):
    """A signal after the run said "wrote ...", as the process ends: it ended a finished run
    with 143 (the handlers put back, then reset by Python's shutdown) or a traceback."""
    from PIL import Image

    Image.new("RGB", (8, 8), (200, 30, 40)).save(tmp_path / "in.png")
    script = ("import os, signal, sys, time\nfrom streamprint._cli import console\ncode = console()\n"
              f"os.kill(os.getpid(), {int(sig)})\ntime.sleep(0.2)\nsys.exit(code)\n")
    r = subprocess.run([sys.executable, "-c", script, "palette", "in.png", "-o", "card.png"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and (tmp_path / "card.png").exists()


def test_a_library_stop_request_stops_a_run_whose_clustering_is_slower_than_decoding(long_clip):
    """``interrupt.request()`` from another thread: the run checked it only when no decoded
    frame was waiting, which never happened while clustering was the slower stage, and the
    whole movie was analysed (1440 frames). It now raises Interrupted within a frame or two."""
    import threading

    import streamprint
    from streamprint import Interrupted, Sampling, interrupt

    fingerprint = streamprint.fingerprint  # loaded first (0.5 s): a request before the run starts stops nothing
    timer = threading.Timer(0.5, interrupt.request)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(Interrupted):
            fingerprint(long_clip, sampling=Sampling.every(1), analysis_size=400, colors=8)
    finally:
        timer.cancel()
        interrupt.clear()
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGINT], ids=["nohup-SIGHUP", "background-SIGINT"])
def test_a_signal_ignored_at_start_stays_ignored(long_clip, tmp_path, sig):
    """``nohup streamprint ... &`` ignores SIGHUP, and a non-interactive shell's ``&`` ignores
    SIGINT: the run must outlive them (it stopped with 130 and wrote nothing)."""
    out = tmp_path / "strip.png"

    def ignore() -> None:
        signal.signal(sig, signal.SIG_IGN)

    proc = subprocess.Popen([sys.executable, "-m", "streamprint", str(long_clip), str(out), "--every", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=ignore)
    deadline = time.monotonic() + 60
    seen = b""
    while b"sample" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.read1(4096)  # type: ignore[union-attr]
    assert b"sample" in seen, "never started"
    proc.send_signal(sig)
    time.sleep(0.3)
    assert proc.poll() is None, "ended by the ignored signal"
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.exists() and b"wrote " in err and b"interrupted" not in err


def test_a_stop_request_with_nothing_running_stops_nothing_later():
    """README: a request applies to the runs going on when it is made. Made with none, it
    stopped the next run at once ("interrupted")."""
    import streamprint
    from streamprint import Sampling, interrupt

    try:
        interrupt.request()
        fp = streamprint.fingerprint(synth_sample(), sampling=Sampling.interval(1.0))
    finally:
        interrupt.clear()
    assert len(fp) == 12


def test_a_stop_request_stops_the_runs_going_on_not_one_started_after_it():
    """README: a request applies to every run going on when it is made. Run B, started (in
    another thread) after run A was asked to stop, while A waited on it, was stopped at once
    too: the request held until the last run ended. B without flush raised Interrupted, and
    B with flush (which a stop ends as the input's end would) did too. A, with flush, ends
    early with what it read; each B runs whole, as an undisturbed run does."""
    import threading

    import streamprint
    from streamprint import Sampling, interrupt

    sampling = Sampling.interval(0.25)  # 48 samples: more than A's queue holds when it is stopped
    whole = len(streamprint.fingerprint(synth_sample(), sampling=sampling))
    later: dict[str, object] = {}

    def run_b(flush):
        try:
            later[str(flush is not None)] = len(streamprint.fingerprint(synth_sample(), sampling=sampling,
                                                                        flush=flush))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            later[str(flush is not None)] = exc

    def stop_at_three(p):
        if p.samples == 3:
            interrupt.request()
            for flush in (None, lambda fp: None):
                b = threading.Thread(target=run_b, args=(flush,))
                b.start()
                b.join()

    try:
        a = streamprint.fingerprint(synth_sample(), sampling=sampling, progress=stop_at_three, flush=lambda fp: None)
    finally:
        interrupt.clear()
    assert later == {"False": whole, "True": whole}
    assert 3 <= len(a) < whole
    assert not interrupt.requested()


def synth_sample():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"


def test_an_error_that_an_interrupt_caused_is_said_as_the_interrupt(tmp_path, monkeypatch, capsys):
    """A stop asked while FFmpeg reads ends the read as the end of the input, and the
    command may then fail as on bad input ("not a video"): it is said as the interrupt it
    was, exit 130. The check stood after the command's stop scope had ended, so it never
    saw the request, and the user got the bad-input line and exit 1."""
    from streamprint import interrupt
    from streamprint._cli import fingerprint as command
    from streamprint._cli.dispatch import main as dispatch
    from streamprint.errors import NotAVideoError

    def cut_short(args):
        interrupt.request()  # (what the signal handler does, where it raises nothing)
        raise NotAVideoError("standard input: not a video")

    monkeypatch.setattr(command, "run", cut_short)
    assert dispatch([str(tmp_path / "in.mkv"), str(tmp_path / "out.png")]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "not a video" not in err, err

    def bad_input(args):  # without a stop asked, the error is said as it is
        raise NotAVideoError("standard input: not a video")

    monkeypatch.setattr(command, "run", bad_input)
    assert dispatch([str(tmp_path / "in.mkv"), str(tmp_path / "out.png")]) == 1
    assert "not a video" in capsys.readouterr().err
