"""Temporary files a killed run leaves beside its outputs (``kill -9`` mid-write: no
handler runs, nothing is removed) are removed by a later run writing the same output, as
long as they are provably abandoned; a live run's are never touched. The runs here are the
real movie command, stopped inside the write of its first output (its fsync made to wait)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"

#: The movie command, its os.fsync replaced by one that says so (a marker file) and waits:
#: the run stops with its first output's temporary file written, not yet renamed.
STUCK = """
import os, sys, time
marker = sys.argv[1]
def stuck(fd):
    open(marker, "w").close()
    time.sleep(600)
os.fsync = stuck
sys.argv = ["streamprint", *sys.argv[2:]]
from streamprint._cli import console
sys.exit(console())
"""

#: A temporary file's name: .streamprint-<output>-<kernel boot>-<pid>-<random>.tmp
NAME = re.compile(r"\.streamprint-([0-9a-f]+)-([0-9a-f]+)-(\d+)-(\w+)\.tmp")


def temps(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".streamprint-") and p.name.endswith(".tmp"))


def stuck_run(tmp_path: Path, *args: object) -> subprocess.Popen:
    """The movie command with ``args``, once it is inside its first output's write."""
    marker = tmp_path / f"marker-{time.monotonic_ns()}"
    proc = subprocess.Popen([sys.executable, "-c", STUCK, str(marker), *map(str, args)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the run never began its write: {proc.communicate()[1]!r}")
        time.sleep(0.02)
    return proc


def dead_pid() -> int:
    """The pid of a process that has ended and been reaped (and not yet reused)."""
    for _ in range(20):
        child = subprocess.Popen(["true"])
        child.wait()
        try:
            os.kill(child.pid, 0)
        except ProcessLookupError:
            return child.pid
    pytest.skip("every pid tried was in use again")


def test_a_run_killed_mid_write_leaves_a_temporary_file_the_next_run_removes(tmp_path):
    """Before: every `kill -9` left a `.streamprint-*.tmp` (as large as the output) beside
    the outputs for good; only a batch cleaned its own folder."""
    out = tmp_path / "out"
    out.mkdir()
    proc = stuck_run(tmp_path, SAMPLE, out / "a.png", "--data", out / "a.json", "-q")
    proc.kill()
    proc.wait()
    (left,) = temps(out)  # the picture's, written whole, never renamed
    assert left.stat().st_size > 0
    done = run_cli(SAMPLE, out / "a.png", "--data", out / "a.json", "-q")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.json", "a.png"]


def test_only_provably_abandoned_temporary_files_of_the_output_are_removed(tmp_path):
    """Beside the killed run's own: one named for a process that is alive (kept: it may be
    writing), one named for a dead process but locked (kept: its writer lives, seen from
    another pid namespace, a container), one from another machine or an earlier boot (kept:
    its pid and lock mean nothing here), one of another output (kept: not this run's
    business), one named the way earlier versions named them (kept: no owner to ask); and
    one of a dead process, removed."""
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    proc = stuck_run(tmp_path, SAMPLE, out / "a.png", "-q")
    proc.kill()
    proc.wait()
    (left,) = temps(out)
    m = NAME.fullmatch(left.name)
    assert m, left.name
    output, boot, _, rand = m.groups()
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        planted = {
            "dead": f".streamprint-{output}-{boot}-{dead_pid()}-{rand}.tmp",
            "alive": f".streamprint-{output}-{boot}-{sleeper.pid}-{rand}.tmp",
            "locked": f".streamprint-{output}-{boot}-{dead_pid()}-{rand}.tmp",
            "other machine": f".streamprint-{output}-{'0' * len(boot)}-{dead_pid()}-{rand}.tmp",
            "other output": f".streamprint-{'0' * len(output)}-{boot}-{dead_pid()}-{rand}.tmp",
            "old name": ".streamprint-k2x9q7ab.tmp",
        }
        for name in planted.values():
            (out / name).write_bytes(b"half a picture")
        with open(out / planted["locked"], "rb") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            done = run_cli(SAMPLE, out / "a.png", "-q")
        assert done.returncode == 0, done.stderr
        kept = {p.name for p in temps(out)}
        assert kept == {planted[k] for k in ("alive", "locked", "other machine", "other output", "old name")}, kept
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_live_runs_temporary_file_is_never_removed(tmp_path):
    """A run writing the same outputs while another is in the middle of writing them leaves
    the other's temporary file alone (the other renames it when its write is done)."""
    out = tmp_path / "out"
    out.mkdir()
    proc = stuck_run(tmp_path, SAMPLE, out / "a.png", "--data", out / "a.json", "-q")
    try:
        (live,) = temps(out)
        done = run_cli(SAMPLE, out / "a.png", "--data", out / "a.json", "-q")
        assert done.returncode == 0, done.stderr
        assert live.exists() and temps(out) == [live]
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()
