"""Batch on a Dask cluster in real hands: relative paths, odd addresses, endpoints that never
answer, interrupts while the client waits, and a scheduler killed mid-run."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from streamprint.enums import Status

from .conftest import run_cli
from .test_batch_safety import copies_of_one_movie, entries, make_library
from .test_safety import one_line


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    return make_library(tmp_path_factory.mktemp("lib") / "lib")


def test_relative_outdir_on_dask_lands_where_the_user_asked(library, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        r = subprocess.run([sys.executable, "-m", "streamprint", "batch", str(library), "out", "--dask",
                            cluster.scheduler_address, "--interval", "0.25", "-q"], cwd=tmp_path,
                           capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.png")) == ["m0.mkv.png", "m1.mkv.png", "m2.mkv.png"]


@pytest.mark.parametrize("address", ["notanaddress", "tcp://127.0.0.1:notaport", "http://127.0.0.1:8786/",
                                     "tcp://127.0.0.1:99999", "tcp://127.0.0.1:\u0668\u0667\u0668\u0666"])
def test_bad_dask_addresses_are_usage_errors(library, tmp_path, address):
    pytest.importorskip("distributed")
    assert "--dask" in one_line(run_cli("batch", library, tmp_path / "out", "--dask", address), 2)


@pytest.mark.parametrize("port", ["\u0668\u0667\u0668\u0666", "\uff18\uff17\uff18\uff16", "\u09ee\u09ed\u09ee\u09ec"])
def test_a_port_in_digits_not_ascii_is_no_scheduler_address(port):
    """A port is written in ASCII digits, as every number streamprint reads (numerals.numeral):
    tcp://host:\u0668\u0667\u0668\u0666 (Arabic-Indic 8786; also fullwidth, Bengali) was
    taken, as re's \\d and int() read any script's digits, and a connection tried to port 8786."""
    from streamprint import ParameterError
    from streamprint.batch.dask import check_address

    assert check_address("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    with pytest.raises(ParameterError) as info:
        check_address(f"tcp://127.0.0.1:{port}")
    assert info.value.parameter == "dask"


def test_a_dask_endpoint_that_never_answers_is_bounded(tmp_path):
    pytest.importorskip("distributed")
    from streamprint.batch.dask import Dask
    from streamprint.errors import SchedulerError

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    threading.Thread(target=lambda: held.append(server.accept()), daemon=True).start()
    start = time.monotonic()
    with pytest.raises(SchedulerError, match="no answer within 2 s"):
        Dask(f"tcp://127.0.0.1:{server.getsockname()[1]}", key=str, connect_timeout=2.0).run(None, [], None, None, None)
    assert time.monotonic() - start < 5
    server.close()


def test_interrupt_while_the_dask_client_waits(library, tmp_path):
    pytest.importorskip("distributed")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(library), str(tmp_path / "out"),
                             "--dask", f"tcp://127.0.0.1:{server.getsockname()[1]}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    conn, _ = server.accept()  # the client is connected and waiting for an answer that never comes
    time.sleep(0.5)
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and time.monotonic() - start < 2.0, err
    # OUTDIR comes after the scheduler's answer: nothing was made (it said "the movies
    # finished so far are kept")
    assert err.decode() == "streamprint: interrupted; nothing was written\n" and not (tmp_path / "out").exists()
    conn.close()
    server.close()


def _wait_until_listening(address: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until the scheduler started as ``proc`` takes connections at ``address`` (a fixed
    sleep was either too long or, under load, too short)."""
    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None and time.monotonic() < deadline, "the scheduler never listened"
        try:
            socket.create_connection((host, int(port)), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)


def test_a_killed_dask_scheduler_leaves_movies_pending_and_a_late_worker_counts(tmp_path):
    """A real scheduler and worker (the `dask` commands) on loopback; the scheduler is killed
    while movies are in flight: those are pending, not failed; the next run, without flags,
    does what is missing (or finds it finished, if the worker wrote it after the client gave up)."""
    pytest.importorskip("distributed")
    dask = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
    if dask is None:
        pytest.skip("no dask command")
    lib = copies_of_one_movie(tmp_path / "lib", 3, 4.0)  # 16 s each, every frame: m1 is still at work when m0 is done
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    address = f"tcp://127.0.0.1:{port.getsockname()[1]}"
    port.close()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                  "--no-dashboard"], **quiet)
    worker = subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard"], **quiet)
    out = tmp_path / "out"
    try:
        _wait_until_listening(address, scheduler)
        batch = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(out), "--dask", address,
                                  "--every", "1", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        # m0 finished (both outputs renamed into place; the strip is written first), then the
        # scheduler dies, whether or not its answer reached the client
        while not (out / "m0.mkv.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        scheduler.kill()
        stdout, _ = batch.communicate(timeout=120)
        assert batch.returncode == 3, stdout
        e = entries(out)
        assert e["m0.mkv"].status == Status.DONE
        # the others were in flight or queued: pending (or done, if the worker got one
        # finished before the client noticed), never failed
        rest = {e[m].status for m in ("m1.mkv", "m2.mkv")}
        assert Status.PENDING in rest and rest <= {Status.PENDING, Status.DONE}, rest
        time.sleep(1)
    finally:
        scheduler.kill()
        worker.terminate()
        worker.wait(timeout=30)
    r = run_cli("batch", lib, out, "--every", "1", "--jobs", "1")  # no flags: the pending ones are done now
    assert r.returncode == 0, r.stderr
    assert {e.status for e in entries(out).values()} == {Status.DONE}


def test_two_batches_on_one_scheduler_get_their_own_results(tmp_path):
    """Task keys were the movie's name alone: a second batch of the same library on the same
    scheduler, into another folder with other options, got the first one's results; it said
    'fingerprinted now 3' and its folder held no strip. Its manifest said done."""
    distributed = pytest.importorskip("distributed")
    lib = copies_of_one_movie(tmp_path / "lib", 3, 5.0)  # 20 s each: the first batch is long at work
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster:
        first = subprocess.Popen([sys.executable, "-m", "streamprint", "batch", str(lib), str(tmp_path / "a"),
                                  "--dask", cluster.scheduler_address, "--every", "1", "-q"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (tmp_path / "a" / "streamprint-manifest.json").exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # written just before the tasks are submitted
        second = run_cli("batch", lib, tmp_path / "b", "--dask", cluster.scheduler_address, "--interval", "2", "-q",
                         timeout=300)
        assert first.wait(timeout=300) == 0
    assert second.returncode == 0, second.stderr
    assert {e.status for e in entries(tmp_path / "b").values()} == {Status.DONE}
    from streamprint.formats import read_fingerprint

    for i in range(3):
        fp = read_fingerprint(tmp_path / "b" / f"m{i}.mkv.json")
        assert fp.options.sampling.value == 2.0 and len(fp) == 10  # 20 s at one sample every 2 s


def test_one_dask_executor_runs_two_batches(library, tmp_path):
    """A library user's ``Dask`` executor given to two ``run_batch`` calls: the first batch
    closed the client it kept, and the second failed with Dask's raw ClosedClientError."""
    distributed = pytest.importorskip("distributed")
    import uuid

    from streamprint import Options, Sampling
    from streamprint.batch import Dask, run_batch

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", processes=False,
                                  protocol="tcp", dashboard_address=None) as cluster:
        executor = Dask(cluster.scheduler_address, key=lambda task: f"t-{uuid.uuid4().hex}")
        for out in ("a", "b"):
            summary = run_batch(library, tmp_path / out, Options(sampling=Sampling.interval(2.0)), executor=executor)
            assert {e.status for e in entries(tmp_path / out).values()} == {Status.DONE}, summary


def test_a_dask_executor_shared_by_two_batches_at_once_and_one_key_for_all(library, tmp_path):
    """Two ``run_batch`` calls in two threads with one ``Dask`` executor: the first to end
    closed the client, and the other's movies became 'pending: worker lost: IOLoop is
    closed'. And a key that is the same for every movie made one result stand for all: the
    manifest said done for three movies of which one was made."""
    distributed = pytest.importorskip("distributed")
    import uuid

    from streamprint import Options, ParameterError, Sampling
    from streamprint.batch import Dask, run_batch

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, host="127.0.0.1", processes=False,
                                  protocol="tcp", dashboard_address=None) as cluster:
        executor = Dask(cluster.scheduler_address, key=lambda task: f"t-{uuid.uuid4().hex}")
        errors: list[BaseException] = []

        def batch(out: str, interval: float) -> None:
            try:
                run_batch(library, tmp_path / out, Options(sampling=Sampling.interval(interval)), executor=executor)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=batch, args=(out, iv)) for out, iv in (("a", 0.25), ("b", 2.0))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=240)
        assert not errors, errors
        for out in ("a", "b"):
            assert {e.status for e in entries(tmp_path / out).values()} == {Status.DONE}, out
        same = Dask(cluster.scheduler_address, key=lambda task: "batch")
        with pytest.raises(ParameterError, match="key"):
            run_batch(library, tmp_path / "c", Options(sampling=Sampling.interval(2.0)), executor=same)
        assert not (tmp_path / "c").exists()  # refused: no folder left behind


def test_a_key_shared_by_movies_is_refused_leaving_no_outdir_it_made(library, tmp_path):
    """``Dask(key=...)`` giving two movies one key was refused only once the run had made
    OUTDIR (and its parent) and written its lock, manifest and gallery there: a refused
    run leaves no folder it made. One that was there before is left, its manifest not
    claiming the movies pending. (No scheduler needed: the refusal comes before any task
    is submitted.)"""
    import contextlib

    from streamprint import Options, ParameterError, Sampling
    from streamprint.batch import Dask, run_batch

    class Unconnected(Dask):
        @contextlib.contextmanager
        def connected(self):
            yield None

    same = Unconnected("tcp://127.0.0.1:8786", key=lambda task: "one key")
    with pytest.raises(ParameterError, match="key"):
        run_batch(library, tmp_path / "new" / "out", Options(sampling=Sampling.interval(2.0)), executor=same)
    assert not (tmp_path / "new").exists()
    (tmp_path / "there").mkdir()
    with pytest.raises(ParameterError, match="key"):
        run_batch(library, tmp_path / "there", Options(sampling=Sampling.interval(2.0)), executor=same)
    assert (tmp_path / "there").is_dir()
    assert all(e.status != Status.PENDING for e in entries(tmp_path / "there").values())


def _locked_by_someone(lock_file: Path) -> bool:
    """Whether a batch holds the lock of ``lock_file`` (flock: any other open file conflicts,
    in this process too)."""
    import fcntl
    import os

    fd = os.open(lock_file, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_a_refused_run_takes_back_its_files_while_it_holds_the_lock(library, tmp_path, monkeypatch):
    """A run refused for a key shared by movies removed its manifest, gallery and lock file
    after letting go of the lock: a second batch taking the lock in between lost its lock
    file and manifest. Each is removed while the lock is held, the lock file last."""
    import contextlib

    from streamprint import Options, ParameterError, Sampling
    from streamprint.batch import Dask, run_batch
    from streamprint.batch.lock import LOCK_FILE

    class Unconnected(Dask):
        @contextlib.contextmanager
        def connected(self):
            yield None

    out = tmp_path / "new" / "out"
    lock_file = out / LOCK_FILE
    removed: list[tuple[str, bool]] = []
    real_unlink = Path.unlink

    def unlink(self, missing_ok=False):
        if self.parent == out and self.exists():
            removed.append((self.name, lock_file.exists() and _locked_by_someone(lock_file)))
        return real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(ParameterError, match="key"):
        run_batch(library, out, Options(sampling=Sampling.interval(2.0)), executor=Unconnected(
            "tcp://127.0.0.1:8786", key=lambda task: "one key"))
    monkeypatch.undo()
    assert not (tmp_path / "new").exists()
    # the keys are checked before the manifest is first written: the lock file is all there is to remove
    assert [name for name, _ in removed] == [LOCK_FILE], removed
    assert all(held for _, held in removed), removed


def test_a_lock_file_removed_before_it_was_locked_is_not_the_lock(tmp_path, monkeypatch):
    """A batch that opened the lock file as its holder removed it (taking back its folder)
    locks it once let go: that file is no longer in the folder, and a third batch would
    make and lock another. The lock is taken on the file at the path."""
    import os

    from streamprint.batch import lock

    real = lock.fcntl.flock
    calls = []

    class Fcntl:
        LOCK_EX, LOCK_NB = lock.fcntl.LOCK_EX, lock.fcntl.LOCK_NB

        @staticmethod
        def flock(fd, op):
            if not calls:  # the holder removes the file this batch has open, and lets go
                os.unlink(tmp_path / lock.LOCK_FILE)
            calls.append(fd)
            return real(fd, op)

    monkeypatch.setattr(lock, "fcntl", Fcntl)
    with lock.outdir_lock(tmp_path):
        monkeypatch.undo()
        assert (tmp_path / lock.LOCK_FILE).exists() and _locked_by_someone(tmp_path / lock.LOCK_FILE)


def test_a_file_name_that_is_not_utf8_is_a_movie_like_the_others(tmp_path):
    """A movie's name that is not UTF-8 (its bytes held as lone surrogates) went into its
    task's key, which msgpack cannot send: the connection to the scheduler was lost, every
    movie of the library pending, run after run. Keys are text and still one per movie."""
    distributed = pytest.importorskip("distributed")
    from streamprint import Options, Sampling
    from streamprint.batch import run_batch

    lib = make_library(tmp_path / "lib", n=1)
    for name in (b"b\xff.mkv", b"b\\\\xff.mkv", b"b\\xff.mkv"):  # one key each, backslashes or not
        shutil.copyfile(lib / "m0.mkv", os.fsdecode(bytes(lib) + b"/" + name))
    # in this process (fast), but over TCP: messages are packed as between machines
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  dashboard_address=None) as cluster:
        summary = run_batch(lib, tmp_path / "out", Options(sampling=Sampling.interval(0.5)),
                            dask=cluster.scheduler_address)
    assert (summary.done, summary.pending, summary.failed) == (4, 0, 0), summary.errors
    assert (tmp_path / "out" / os.fsdecode(b"b\xff.mkv.png")).exists()


def test_a_key_that_is_not_text_names_its_movie(tmp_path):
    """``Dask(key=lambda task: ("mine", task.job.rel))``, a tuple as Dask's own keys may be,
    ended the batch with "unexpected TypeError" as it was handed out. A key that is not text
    is sent as its repr, escaped as text keys are; two movies with one key are still refused."""
    distributed = pytest.importorskip("distributed")
    from streamprint import Options, ParameterError, Sampling
    from streamprint.batch import Dask, run_batch
    from streamprint.batch.dask import _text

    lib = make_library(tmp_path / "lib", n=1)
    shutil.copyfile(lib / "m0.mkv", os.fsdecode(bytes(lib) + b"/m\xff.mkv"))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp://",
                                  dashboard_address=None) as cluster:
        mine = Dask(cluster.scheduler_address, key=lambda task: ("mine", task.job.rel))
        summary = run_batch(lib, tmp_path / "out", Options(sampling=Sampling.interval(0.5)), executor=mine)
        assert (summary.done, summary.pending, summary.failed) == (2, 0, 0), summary.errors
        same = Dask(cluster.scheduler_address, key=lambda task: ("one", 1))
        with pytest.raises(ParameterError, match="key"):
            run_batch(lib, tmp_path / "again", Options(sampling=Sampling.interval(0.5)), executor=same)
    assert _text(("mine", "m0.mkv")) == "('mine', 'm0.mkv')" and _text(1) == "1"
    assert _text(("m\udcff.mkv",)) == "('m\\\\udcff.mkv',)"  # (its repr, the backslash doubled)


def test_a_stopped_batch_stops_its_movies_running_on_the_workers(tmp_path, long_clip):
    """client.cancel cannot stop a running task: a batch interrupted (or killed) left its
    movies running on the Dask workers, which wrote their outputs into OUTDIR after the
    batch had ended and released its lock. Now a task looks at every progress report whether
    it is still wanted, and stops there."""
    distributed = pytest.importorskip("distributed")
    from streamprint import Interrupted, Options, Sampling, interrupt
    from streamprint.batch import Dask, run_batch

    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    shutil.copy(long_clip, lib / "long.mkv")

    def executing(dask_worker) -> int:
        return dask_worker.state.executing_count

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:

        def stop_once_it_runs() -> None:
            deadline = time.monotonic() + 60
            while not sum(client.run(executing).values()) and time.monotonic() < deadline:
                time.sleep(0.05)
            interrupt.request()

        watcher = threading.Thread(target=stop_once_it_runs)
        watcher.start()
        try:
            with pytest.raises(Interrupted):
                run_batch(lib, out, Options(sampling=Sampling.every(1)),
                          executor=Dask(cluster.scheduler_address, key=lambda task: f"stop-{task.job.rel}"))
        finally:
            watcher.join()
            interrupt.clear()
        deadline = time.monotonic() + 120  # (the whole movie, left to run, takes longer than its stop)
        while sum(client.run(executing).values()) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not sum(client.run(executing).values())
    # the task ended without writing: had it run to its end, its outputs would be there
    assert not (out / "long.mkv.json").exists() and not (out / "long.mkv.png").exists()
    assert entries(out)["long.mkv"].status == Status.PENDING


def test_a_movie_stopped_after_its_last_sample_writes_no_outputs(library, tmp_path, monkeypatch):
    """A task on a Dask worker looked whether its batch still wanted it at its progress
    reports alone: one whose batch stopped (interrupted, failed or killed) after the movie's
    last sample went on to write its strip, page and data into OUTDIR, after the batch had
    recorded it pending and released its lock. It looks once more before it writes. What a
    stopped batch changes is the scheduler's state of the task (``dask._wanted``); here it
    changes at that very moment, when the last sample is done, every time."""
    from streamprint import Interrupted, Options, RenderOptions, Sampling, pipeline
    from streamprint.batch import dask, worker

    wanted, stop_after = [True], [True]
    monkeypatch.setattr(dask, "_wanted", lambda: wanted[0])
    fingerprint = pipeline.fingerprint

    def then_stopped(*args, **kwargs):
        fp = fingerprint(*args, **kwargs)
        wanted[0] = not stop_after[0]  # the batch stops: after the last sample, before the outputs
        return fp

    monkeypatch.setattr(pipeline, "fingerprint", then_stopped)
    movie, out = library / "m0.mkv", tmp_path / "out"
    out.mkdir()
    task = worker.Task(worker.Job(str(movie), "m0.mkv", movie.stat().st_size, movie.stat().st_mtime_ns), str(out),
                       Options(sampling=Sampling.interval(0.25)), RenderOptions(), 1, 60.0)
    with pytest.raises(Interrupted, match="has stopped"):
        worker.fingerprint_one(task, dask._Wanted())
    assert not list(out.glob("m0.mkv*"))
    wanted[0], stop_after[0] = True, False  # still wanted: written as ever
    result = worker.fingerprint_one(task, dask._Wanted())
    assert result.status == Status.DONE and sorted(p.name for p in out.glob("m0.mkv*")) == [
        "m0.mkv.html", "m0.mkv.json", "m0.mkv.png"]
