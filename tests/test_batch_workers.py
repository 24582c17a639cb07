"""A batch's worker processes in trouble: killed under a movie, or outliving their batch."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from streamprint import Options, Sampling, synth
from streamprint.batch import run_batch
from streamprint.enums import Status
from streamprint.formats import read_manifest

from .conftest import run_cli

OPTIONS = Options(sampling=Sampling.interval(0.25))


@pytest.fixture(scope="module")
def movie(tmp_path_factory) -> Path:
    """One tiny clip (1 s at 96 x 54), copied under other names by the tests."""
    path = tmp_path_factory.mktemp("movie") / "m.mkv"
    seg = synth.SAMPLE_SEGMENTS[0]
    synth.encode_clip(path, synth.segment_frames([synth.Segment(seg.background, seg.accent, 1.0)], (96, 54)))
    return path


def library(root: Path, movie: Path, names: list[str]) -> Path:
    root.mkdir()
    for name in names:
        shutil.copyfile(movie, root / name)
    return root


def test_a_movie_that_kills_its_worker_fails_and_the_rest_of_the_library_is_done(tmp_path, movie, caplog):
    """A movie that crashed its worker (a segfault in libav, the OOM killer) stopped the whole
    batch ("unexpected BrokenProcessPool ... a bug"), every movie pending, and every run
    after it the same: the library was blocked for good. The pool is made again; the movies
    in flight then are run again one at a time: one that crashes again fails with its
    reason, one that does not (its neighbour, or a worker killed once) is done."""
    from .crashing import Crashing

    lib = library(tmp_path / "lib", movie, ["a.mkv", "flaky.mkv", "poison.mkv", "z.mkv", "zz.mkv"])
    out = tmp_path / "out"
    with caplog.at_level("WARNING", logger="streamprint"):
        summary = run_batch(lib, out, OPTIONS, executor=Crashing(2))
    # said as it happens (the bars of the movies it had stood still until the end)
    assert any(re.match(r"a worker process died \(was killed by SIGKILL\): its pool is started again",
                        r.getMessage()) for r in caplog.records), [r.getMessage() for r in caplog.records]
    status = {rel: e.status for rel, e in read_manifest(out / "streamprint-manifest.json").items()}
    assert status == {"a.mkv": Status.DONE, "flaky.mkv": Status.DONE, "poison.mkv": Status.FAILED,
                      "z.mkv": Status.DONE, "zz.mkv": Status.DONE}, summary.errors
    assert summary.errors == {"poison.mkv": "killed its worker when run alone: its worker process was killed by "
                                            "SIGKILL"}
    assert summary.exit_code == 3
    again = run_batch(lib, out, OPTIONS, executor=Crashing(2))  # failed: not tried again unless asked
    assert (again.failed, again.pending, again.done, again.skipped) == (1, 0, 0, 4), again.errors


_KILLED_AS_WORKERS_START = """
import multiprocessing.process, os, signal, time
from streamprint.batch.executors import Processes

def work(task, reports):  # a movie that takes a minute
    time.sleep(60)
    return task

real_start, started = multiprocessing.process.BaseProcess.start, []

def start(self):  # the batch is killed as soon as its second worker is launched
    real_start(self)
    started.append(self.pid)
    if len(started) == 2:
        print(*started, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

if __name__ == "__main__":
    multiprocessing.process.BaseProcess.start = start
    Processes(2).run(work, [1, 2, 3, 4], lambda task, result: None, None, lambda task, exc: None)
"""


def test_workers_of_a_batch_killed_while_they_start_end(tmp_path):
    """A batch killed (SIGKILL, the OOM killer) while its workers were starting left them
    running for ever: each took the pid of its parent when it started, by then init's, and
    watched for that to change. The batch hands its own pid to them."""
    from .test_batch_safety import assert_they_end

    script = tmp_path / "batch.py"
    script.write_text(_KILLED_AS_WORKERS_START)
    # (the workers hold its standard output: read a line, not to the end)
    batch = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, cwd=tmp_path)
    workers = [int(pid) for pid in batch.stdout.readline().split()]  # type: ignore[union-attr]
    assert batch.wait(timeout=60) == -signal.SIGKILL
    assert len(workers) == 2
    assert_they_end(workers)


def test_the_default_jobs_are_the_cores_this_process_may_use(monkeypatch):
    """``taskset -c 0 streamprint batch ...`` (or a container's CPU set) started a worker per
    core of the machine, not per core it may run on, as the decoders' own threads count them."""
    import os

    from streamprint.batch.executors import Processes, local

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert local(None).slots == 1 and local(None).threads_per_task == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    executor = local(None)
    assert isinstance(executor, Processes) and executor.slots == 4 and executor.threads_per_task == 1
    assert local(2).threads_per_task == 2


def test_one_job_is_a_worker_process_too(tmp_path, movie):
    """``--jobs 1`` (the default on one core) ran the movies in the batch's own process: a
    decoder's crash on a damaged file ended the batch at that movie, run after run."""
    from streamprint.batch.executors import Processes, local

    from .crashing import Crashing

    assert type(local(1)) is Processes and local(1).slots == 1
    lib = library(tmp_path / "lib", movie, ["a.mkv", "poison.mkv", "z.mkv"])
    summary = run_batch(lib, tmp_path / "out", OPTIONS, executor=Crashing(1))
    assert (summary.done, summary.failed) == (2, 1), summary.errors


def test_a_workers_warnings_reach_the_batchs_standard_error(tmp_path, segments_mkv):
    """A worker process's log went nowhere: with --jobs 2 (the default on two cores) a movie
    cut short, damaged packets or a dropped checkpoint were said for no movie of a batch,
    and with -q its errors-only level holds in the workers too."""
    lib = tmp_path / "lib"
    lib.mkdir()
    data = segments_mkv.read_bytes()
    (lib / "cut.mkv").write_bytes(data[: len(data) // 2])
    shutil.copyfile(segments_mkv, lib / "whole.mkv")
    for jobs in ("1", "2"):
        r = run_cli("batch", str(lib), str(tmp_path / f"out{jobs}"), "--jobs", jobs, timeout=120)
        assert r.returncode == 0, r.stderr
        lines = [line for line in r.stderr.decode().splitlines() if "WARNING" in line]
        assert len(lines) == 1 and "cut.mkv" in lines[0] and "cut short" in lines[0], r.stderr
    r = run_cli("batch", str(lib), str(tmp_path / "outq"), "-q", timeout=120)
    assert r.returncode == 0 and b"WARNING" not in r.stderr, r.stderr


_CTRL_C_AS_WORKERS_START = """
import os, sys, time
from pathlib import Path

if __name__ == "__mp_main__":  # a worker process of the batch, starting (spawned, it imports this first)
    lib = Path(sys.argv[2])
    if os.environ["WHEN"] == "start" or (lib / ".poison.mkv.crashed").exists():  # (its pool: started again)
        (Path(os.environ["STARTING"]) / str(os.getpid())).touch()
        time.sleep(10)  # where a Ctrl-C finds it
elif __name__ == "__main__":
    import multiprocessing.process

    from streamprint._cli.dispatch import main
    from streamprint.batch import core
    from tests.crashing import Crashing

    core.local = Crashing  # "poison.mkv" kills its worker: the pool is started again
    real_terminate = multiprocessing.process.BaseProcess.terminate

    def terminate(self):  # what a worker says before the batch ends it is seen (else a race)
        self.join(1.0)
        real_terminate(self)

    multiprocessing.process.BaseProcess.terminate = terminate
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("when", ["start", "restart"])
def test_ctrl_c_while_workers_start_is_one_line(tmp_path, movie, when):
    """Ctrl-C (SIGINT to the whole process group) while the batch's worker processes were
    starting, at the batch's start or as a pool was started again after a worker's death,
    printed the worker's traceback (KeyboardInterrupt in its start-up, before it ignored
    SIGINT): only the batch says it was interrupted, in one line, and exits with 130."""
    lib = library(tmp_path / "lib", movie, ["a.mkv", "poison.mkv", "z.mkv"] if when == "restart" else ["a.mkv"])
    starting = tmp_path / "starting"
    starting.mkdir()
    script = tmp_path / "batch.py"
    script.write_text(_CTRL_C_AS_WORKERS_START)
    env = {**os.environ, "WHEN": when, "STARTING": str(starting),
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    batch = subprocess.Popen([sys.executable, str(script), "batch", str(lib), str(tmp_path / "out"), "--jobs", "2",
                              "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not any(starting.iterdir()):
            assert batch.poll() is None and time.monotonic() < deadline, batch.communicate()
            time.sleep(0.02)
        time.sleep(0.2)  # well into its start
        os.killpg(batch.pid, signal.SIGINT)  # Ctrl-C in a terminal
        _, err = batch.communicate(timeout=30)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
    assert batch.returncode == 130, err
    # (the gallery of what finished, if anything did, is written on the way out and named)
    lines = err.decode().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"streamprint: interrupted; the movies finished so far are kept "
                                            r"\(gallery: .*index\.html, \d+ movies?\); run it again to go on",
                                            lines[0]), err


def test_a_movie_run_again_alone_gets_every_core(tmp_path, monkeypatch):
    """The movies run again one at a time after a worker's death kept their share of the
    cores (cores / jobs decoder threads): alone, they left the rest of the machine idle."""
    from streamprint import RenderOptions
    from streamprint.batch import Job, Task, executors

    from .crashing import threads

    monkeypatch.setattr(executors, "_cores", lambda: 6)  # (read here, where the tasks are handed out)
    pool = executors.Processes(2)
    assert pool.threads_per_task == 3
    tasks = []
    for name in ("a.mkv", "flaky.mkv", "z.mkv"):
        (tmp_path / name).touch()
        tasks.append(Task(Job(str(tmp_path / name), name, 0, 0), str(tmp_path), OPTIONS, RenderOptions(),
                          pool.threads_per_task, 60.0))
    got: dict[str, int] = {}
    pool.run(threads, tasks, lambda task, result: got.__setitem__(task.job.rel, result), None,
             lambda task, exc: exc)
    assert (tmp_path / ".flaky.mkv.crashed").exists()  # its worker died: run again alone
    assert got["flaky.mkv"] == 6 and {got["a.mkv"], got["z.mkv"]} <= {3, 6}, got


def test_how_a_worker_died_is_said_though_the_pool_reaped_it(tmp_path, monkeypatch, caplog):
    """A broken pool's own thread reaps its workers while the batch reads how the dead one
    ended: read in between (the pool's thread had the status, not yet recorded), it was
    not known, and the batch said "its worker process ended", or, of the worker the pool
    had ended itself, "was killed by SIGTERM". Here that window is widened, and the batch
    slowed down to fall in it, as a loaded machine does now and then."""
    import multiprocessing.popen_fork
    import threading

    from streamprint import RenderOptions
    from streamprint.batch import Job, Task, executors

    from .crashing import threads

    real_poll, real_death = multiprocessing.popen_fork.Popen.poll, executors._death

    def slow_poll(self, flag=os.WNOHANG):  # CPython's own, with the pool's thread slow to record
        if threading.current_thread() is threading.main_thread() or self.returncode is not None:
            return real_poll(self, flag)
        try:
            pid, status = os.waitpid(self.pid, flag)
        except OSError:
            return None
        if pid == self.pid:
            time.sleep(0.5)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def slow_death(workers):
        time.sleep(0.2)
        return real_death(workers)

    monkeypatch.setattr(multiprocessing.popen_fork.Popen, "poll", slow_poll)
    monkeypatch.setattr(executors, "_death", slow_death)
    tasks = []
    for name in ("a.mkv", "poison.mkv", "z.mkv"):
        (tmp_path / name).touch()
        tasks.append(Task(Job(str(tmp_path / name), name, 0, 0), str(tmp_path), OPTIONS, RenderOptions(), 1, 60.0))
    lost: dict[str, str] = {}
    with caplog.at_level("WARNING", logger="streamprint"):
        executors.Processes(2).run(threads, tasks, lambda task, result: None, None,
                                   lambda task, exc: lost.setdefault(task.job.rel, str(exc)))
    assert lost == {"poison.mkv": "its worker process was killed by SIGKILL"}
    said = [r.getMessage() for r in caplog.records]
    assert len(said) == 1 and said[0].startswith("a worker process died (was killed by SIGKILL)"), said


_FROM_STANDARD_INPUT = """
import logging, sys
from streamprint import Options, ParameterError, Sampling
from streamprint.batch import Processes, run_batch

logging.basicConfig(format="%(levelname)s %(message)s")
lib, out, options = sys.argv[1], sys.argv[2], Options(sampling=Sampling.interval(0.25))
try:
    run_batch(lib, out + "-processes", options, executor=Processes(2))
except ParameterError as exc:
    print("refused:", exc.format(lambda name: name))
summary = run_batch(lib, out, options, jobs=2)
print(summary.done, summary.failed, summary.errors)
"""


def test_a_batch_from_a_program_read_from_standard_input(tmp_path, movie):
    """``python - < script.py`` calling run_batch: every worker process died as it started
    (a spawned worker runs the main program again first, and "<stdin>" is no file), and
    every movie failed as "killed its worker when run alone". By default its movies are done
    in its own process, with a warning; worker processes asked for are refused up front."""
    lib, out = library(tmp_path / "lib", movie, ["a.mkv", "b.mkv"]), tmp_path / "out"
    r = subprocess.run([sys.executable, "-", str(lib), str(out)], input=_FROM_STANDARD_INPUT.encode(),
                       capture_output=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    said = r.stdout.decode().splitlines()
    assert said[-1] == "2 0 {}", said  # (was: 0 2, each "killed its worker when run alone")
    assert len(said) == 2 and said[0].startswith("refused: executor worker processes cannot start: they run the "
                                                 "main program (<stdin>) again first"), said
    assert not (tmp_path / "out-processes").exists()
    warnings = r.stderr.decode().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("WARNING worker processes cannot start") \
        and "one at a time" in warnings[0], r.stderr
    # python -c (and an interactive session) has no main file to run again: workers start there
    check = "from streamprint.batch.executors import no_workers; print(no_workers())"
    assert subprocess.run([sys.executable, "-c", check], capture_output=True, timeout=60).stdout == b"None\n"


_PID_CHECK_OFF = """
import os, time
from pathlib import Path

if __name__ == "__mp_main__":  # in each worker: its own watch of the batch's pid, out of the way
    from streamprint.batch import executors

    executors.PARENT_CHECK_EVERY = 3600.0

def work(task, reports):  # a movie that takes a minute
    Path(str(os.getpid())).touch()
    time.sleep(60)
    return task

if __name__ == "__main__":
    from streamprint.batch.executors import Processes

    Processes(2).run(work, [1, 2, 3, 4], lambda task, result: None, None, lambda task, exc: None)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_kernel_ends_the_workers_of_a_killed_batch(tmp_path):
    """On Linux the kernel ends a batch's workers the moment it is killed (PR_SET_PDEATHSIG),
    besides their own watch of its pid every half second; the test of a killed batch passed
    on that watch alone. With the watch out of the way, the workers still end at once."""
    from .test_batch_safety import assert_they_end

    (tmp_path / "batch.py").write_text(_PID_CHECK_OFF)
    batch = subprocess.Popen([sys.executable, "batch.py"], cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while len(workers := [int(p.name) for p in tmp_path.iterdir() if p.name.isdigit()]) < 2:
            assert batch.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        batch.kill()
        batch.wait(timeout=30)
    assert_they_end(workers, within=2.0)


def test_a_ctrl_c_pending_as_sigint_is_held_off_leaves_it_unblocked(monkeypatch):
    """CPython's pthread_sigmask runs the handlers of signals already pending once it has
    changed the mask, so a Ctrl-C could raise KeyboardInterrupt out of the very call that
    blocks SIGINT while a worker starts: the old mask was never put back, and every later
    Ctrl-C went unheard (also by every process started later). Simulated here: the blocking
    call raises after blocking, as it does when a SIGINT was pending."""
    from streamprint.batch import executors

    real = signal.pthread_sigmask

    def pending_ctrl_c(how, mask):
        old = real(how, mask)
        if how == signal.SIG_BLOCK and signal.SIGINT in set(mask):
            raise KeyboardInterrupt  # the pending SIGINT's handler, run by the call
        return old

    before = real(signal.SIG_BLOCK, set())
    assert signal.SIGINT not in before
    monkeypatch.setattr(signal, "pthread_sigmask", pending_ctrl_c)
    try:
        with pytest.raises(KeyboardInterrupt), executors._deaf_to_ctrl_c():
            raise AssertionError("the body does not run: the Ctrl-C came first")
    finally:
        monkeypatch.undo()
        now = real(signal.SIG_SETMASK, before)
    assert signal.SIGINT not in now


def test_a_worker_death_says_the_movies_of_its_own_pool(tmp_path, caplog):
    """The warning of a worker's death said how many movies were to be run again from every
    pool so far ("the 6 movie(s) it had" where a pool holds at most 4). Here two movies are
    already waiting from an earlier pool: the warning counts only what this pool had."""
    from streamprint import RenderOptions
    from streamprint.batch import Job, Task, executors

    from .crashing import threads

    pool = executors.Processes(1)
    tasks = []
    for name in ("flaky.mkv", "b.mkv", "earlier1.mkv", "earlier2.mkv"):
        (tmp_path / name).touch()
        tasks.append(Task(Job(str(tmp_path / name), name, 0, 0), str(tmp_path), OPTIONS, RenderOptions(), 1, 60.0))
    in_flight = tasks[2:]  # from a pool before this one
    with caplog.at_level("WARNING", logger="streamprint"):
        pool._pooled(threads, tasks[:2], lambda task, result: None, None, lambda task, exc: exc, 1, in_flight)
    said = [r.getMessage() for r in caplog.records if "a worker process died" in r.getMessage()]
    assert len(said) == 1 and (tmp_path / ".flaky.mkv.crashed").exists()
    ours = len(in_flight) - 2  # flaky.mkv, and b.mkv if it was still in the pool then
    assert ours in (1, 2) and f"the {ours} movie(s) it had" in said[0], said
