"""SIGHUP to a batch's whole process group (a closed terminal, a dropped ssh session), and
the processes multiprocessing starts beside the batch's workers."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .test_safety import one_line


def _children(pid: int) -> list[str]:
    """The command lines of the processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            if entry.name.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except (OSError, IndexError, ValueError):  # (a process that ended meanwhile)
            continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_hangup_to_the_batchs_process_group_is_one_line(tmp_path, long_clip):
    """Python's resource tracker, started by the batch's first queue, ignores SIGINT and
    SIGTERM but not SIGHUP: a closed terminal killed it with the batch's process group, and
    the batch, stopping as asked (exit 130), printed "resource_tracker: process died
    unexpectedly" and a KeyError traceback for each of its semaphores. Now it starts with
    SIGHUP held off, and the batch says the one line of any interrupt."""
    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    shutil.copyfile(long_clip, lib / "long.mkv")
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(out), "--jobs", "1",
                             "--every", "1", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:  # the tracker and the worker started (the worker's first sample is a while off)
            children = _children(proc.pid)
            if any("resource_tracker" in c for c in children) and any("spawn_main" in c for c in children):
                break
            assert proc.poll() is None and time.monotonic() < deadline, children
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGHUP)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    r = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    assert one_line(r, 130).startswith("streamprint: interrupted; the movies finished so far are kept"), stderr
