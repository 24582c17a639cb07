"""Ctrl-C or SIGTERM mid-run: exit 130, no output written, a previous output left intact."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from streamprint import synth


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    """60 s at 24 fps: long enough (every frame clustered) to be interrupted mid-run."""
    path = tmp_path_factory.mktemp("long") / "long.mkv"
    segs = [synth.Segment(s.background, s.accent, 15.0) for s in synth.SAMPLE_SEGMENTS]
    synth.encode_clip(path, synth.segment_frames(segs, (320, 180)), encoding=synth.Encoding(preset="ultrafast"))
    return path


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
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
