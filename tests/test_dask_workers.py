"""Dask workers as a batch finds them: one with another streamprint (or none it can import),
there at the start or joining later, and what a worker says of a movie (its warnings)."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from streamprint.enums import Status

from .conftest import run_cli
from .test_batch_safety import entries, make_library
from .test_safety import one_line

#: Appended to a copy's batch/worker.py: another streamprint, whose worker fails every movie
#: as one on an older commit did (it read the movie's options without a field added since).
OTHER_VERSION = '''

def fingerprint_one(task, progress=None):  # (another version's)
    from ..enums import Status
    from ..model import JobResult

    return JobResult(Status.FAILED, 0.0, "smooth must be a whole number from 0 to 1000, got None")
'''

#: A Dask worker's preload that has it import the streamprint in OTHER (None: none at all).
PRELOAD = '''
import sys

OTHER = {other!r}
for name in [m for m in sys.modules if m == "streamprint" or m.startswith("streamprint.")]:
    del sys.modules[name]
if OTHER is None:
    sys.modules["streamprint"] = None  # (import streamprint: ModuleNotFoundError)
else:
    sys.path.insert(0, OTHER)
    import streamprint

    assert streamprint.__file__.startswith(OTHER), streamprint.__file__
'''


def preload(tmp_path: Path, other: bool) -> str:
    """A preload file for Dask workers: they import another streamprint (a copy of this one
    whose worker fails every movie), or, without ``other``, none."""
    import streamprint

    copy = None
    if other:
        copy = tmp_path / "other"
        shutil.copytree(Path(streamprint.__file__).parent, copy / "streamprint",
                        ignore=shutil.ignore_patterns("__pycache__"))
        with open(copy / "streamprint" / "batch" / "worker.py", "a") as f:
            f.write(OTHER_VERSION)
    path = tmp_path / "preload_other.py"
    path.write_text(PRELOAD.format(other=None if copy is None else str(copy)))
    return str(path)


@pytest.mark.parametrize("other", [True, False], ids=["another-streamprint", "no-streamprint"])
def test_a_worker_without_this_streamprint_is_refused_before_any_movie(tmp_path, other):
    """A worker importing an older commit of streamprint read every movie's options without a
    field added since: all 18 movies of a library failed ("smooth must be a whole number from
    0 to 1000, got None"), and the next run retried none. One that cannot import streamprint
    lost every movie, one by one. Now the workers are asked which streamprint they have
    before anything is written: one line, exit 1, OUTDIR not made."""
    distributed = pytest.importorskip("distributed")
    lib, out = make_library(tmp_path / "lib", n=2), tmp_path / "out"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None, preload=[preload(tmp_path, other)]) as cluster:
        r = run_cli("batch", lib, out, "--dask", cluster.scheduler_address, "--interval", "0.5")
    line = one_line(r, 1)
    from streamprint.batch.onworker import identity

    theirs = "has streamprint 0.1.0 (files " if other else "has no streamprint it can import (ModuleNotFoundError"
    assert line.startswith("streamprint: error: the Dask worker tcp://127.0.0.1:") and theirs in line, line
    assert f"this machine {identity()}" in line and identity().startswith("streamprint 0.1.0 (files "), line
    assert not out.exists()


def test_a_worker_with_another_streamprint_that_joins_later_leaves_the_movies_pending(tmp_path):
    """The workers are asked before the movies are handed out; one that joins later (here:
    the cluster had none then) is asked by each task it is given, before the task unpickles
    the movie: the batch stops (SchedulerError), its movies pending, none failed nor done by
    the other streamprint."""
    distributed = pytest.importorskip("distributed")
    from streamprint import Options, SchedulerError, Sampling
    from streamprint.batch import run_batch

    lib, out = make_library(tmp_path / "lib", n=2), tmp_path / "out"
    errors: list[BaseException] = []
    with distributed.LocalCluster(n_workers=0, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None, preload=[preload(tmp_path, True)]) as cluster:

        def batch() -> None:
            try:
                run_batch(lib, out, Options(sampling=Sampling.interval(0.5)), dask=cluster.scheduler_address)
            except BaseException as exc:  # looked at below
                errors.append(exc)

        thread = threading.Thread(target=batch)
        thread.start()
        deadline = time.monotonic() + 60
        while not cluster.scheduler.tasks and time.monotonic() < deadline:  # handed out, to no worker yet
            time.sleep(0.05)
        assert cluster.scheduler.tasks
        cluster.scale(1)
        thread.join(timeout=120)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], SchedulerError), errors
    assert "has streamprint 0.1.0 (files " in str(errors[0]), errors
    assert {e.status for e in entries(out).values()} == {Status.PENDING}
    assert not list(out.glob("m*.mkv.*"))


def test_a_movies_warnings_on_dask_reach_the_batchs_standard_error(tmp_path, segments_mkv):
    """A movie's warnings (a file cut short, a checkpoint dropped) were said on its Dask
    worker's side, never on the batch's standard error, where local worker processes put
    them: now each task returns them with its result and the batch says them, the same lines
    either way (and -q holds for them). Two movies run at once in one worker process, each
    with its own."""
    distributed = pytest.importorskip("distributed")
    lib = tmp_path / "lib"
    lib.mkdir()
    data = segments_mkv.read_bytes()
    (lib / "cut.mkv").write_bytes(data[: len(data) // 2])
    shutil.copyfile(segments_mkv, lib / "whole.mkv")

    def warnings(r: subprocess.CompletedProcess) -> list[str]:
        assert r.returncode == 0, r.stderr
        lines = r.stderr.decode().replace("\r", "\n").splitlines()  # (less a cleared bar's cursor moves)
        return [line[line.index("streamprint: WARNING"):] for line in lines if "WARNING" in line]

    local = warnings(run_cli("batch", lib, tmp_path / "local", "--jobs", "1", "--interval", "2", timeout=120))
    assert len(local) == 1 and "cut.mkv" in local[0] and "cut short" in local[0], local
    # the worker in this process (fast), over TCP: what a task returns is packed as between machines
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://",
                                  dashboard_address=None) as cluster:
        on_dask = [run_cli("batch", lib, tmp_path / out, "--dask", cluster.scheduler_address, "--interval", "2", *flags)
                   for out, flags in (("dask", ()), ("quiet", ("-q",)))]
    assert warnings(on_dask[0]) == local
    assert warnings(on_dask[1]) == []
