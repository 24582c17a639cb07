"""Where a batch's movies are worked on: here one after another, in local worker
processes, or on a Dask cluster. Each executor is a small class with one method,
:meth:`Executor.run`; what a task is and what becomes of its result is the batch core's
business, not theirs.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import dataclasses
import logging
import logging.handlers
import multiprocessing
import os
import queue as queue_module
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol, TypeVar

from .. import interrupt, params

T = TypeVar("T")
R = TypeVar("R")

#: ``work(task, reports)``: does one task; ``reports.put(item)`` now and then, for progress.
Work = Callable[[T, Any], R]
#: ``finish(task, result)``: called in this process once per task, as results come in.
Finish = Callable[[T, R], None]
#: ``on_report(item)``: called in this process with what a task put.
OnReport = Callable[[Any], None]
#: ``lost(task, exc)``: the result of a task whose worker or cluster failed it.
Lost = Callable[[T, BaseException], R]


class Executor(Protocol):
    @property
    def threads_per_task(self) -> int:
        """Decoder threads each task gets (the cores shared among the tasks that run at once)."""
        ...

    def run(self, work: Work, tasks: Sequence[T], finish: Finish, on_report: OnReport | None, lost: Lost) -> None:
        ...


class _Direct:
    """A ``reports`` object that hands each item straight to ``on_report``."""

    def __init__(self, on_report: OnReport | None) -> None:
        self.on_report = on_report

    def put(self, item: Any) -> None:
        if self.on_report is not None:
            self.on_report(item)


class Serial:
    """Every task in this process, one after another."""

    @property
    def threads_per_task(self) -> int:
        return _threads(1)

    def run(self, work: Work, tasks: Sequence[T], finish: Finish, on_report: OnReport | None, lost: Lost) -> None:
        reports = _Direct(on_report)
        for task in tasks:
            finish(task, work(task, reports))


class WorkerCrashed(Exception):
    """A worker process died with the task on it (killed by the OOM killer or by hand, a
    decoder's segfault on a damaged file). ``alone``: the task was the only one in its pool,
    run again after it was in flight when a worker died before, so the crash is its own."""

    def __init__(self, reason: str, alone: bool) -> None:
        super().__init__(reason)
        self.alone = alone


class Processes:
    """``jobs`` worker processes (spawned, so no state leaks from this one), two tasks
    queued per worker so none waits for the next.

    A worker that dies breaks its pool and every task then in it: the pool is made again and
    the batch goes on; those tasks are run again at the end, one at a time, so that a task
    that kills its worker again (and only that one) is lost for good (:class:`WorkerCrashed`
    with ``alone``), and the others are done. Run alone, a task that says how many decoder
    threads it takes (a ``threads`` field, as a batch's :class:`~.worker.Task`) gets every
    core (it kept its share of ``jobs``: half the machine stood idle). ``jobs`` is checked
    as :func:`~streamprint.batch.run_batch`'s (None: one per core): ``Processes(0)`` was a
    ZeroDivisionError, and ``Processes(-1)`` was taken, to fail once OUTDIR was made."""

    def __init__(self, jobs: int | None = None) -> None:
        self.slots = params.check("jobs", jobs) or _cores()
        self.threads_per_task = _threads(self.slots)

    def run(self, work: Work, tasks: Sequence[T], finish: Finish, on_report: OnReport | None, lost: Lost) -> None:
        try:
            os.getcwd()
        except FileNotFoundError:  # spawning needs a working directory; every path here is absolute
            os.chdir("/")
        in_flight: list[T] = []  # when a worker died
        self._pooled(work, tasks, finish, on_report, lost, self.slots, in_flight)
        self._pooled(work, in_flight, finish, on_report, lost, 1, None)

    def _pooled(self, work: Work, tasks: Sequence[T], finish: Finish, on_report: OnReport | None, lost: Lost,
                slots: int, in_flight: list[T] | None) -> None:
        """``tasks`` on ``slots`` workers, a new pool whenever a worker dies; the tasks then
        in the pool go to ``in_flight``, or, when that is None (one task at a time), are lost."""
        todo = collections.deque(tasks)
        while todo:
            self._until_broken(work, todo, finish, on_report, lost, slots, in_flight)

    def _until_broken(self, work: Work, todo: collections.deque[T], finish: Finish, on_report: OnReport | None,
                      lost: Lost, slots: int, in_flight: list[T] | None) -> None:
        """Tasks from ``todo`` on one pool of ``slots`` workers, until they are all done or a
        worker dies (see :meth:`_pooled`)."""
        context = multiprocessing.get_context("spawn")
        _start_resource_tracker()  # (before the queue, which would start it as it is)
        # handed to each worker as it starts (a queue can only be shared by inheritance): no
        # Manager process, one process fewer to outlive a batch killed with SIGKILL; one per
        # pool (a worker killed while it wrote a report leaves the queue's lock held for good)
        # the workers' progress, and their log records: a worker's warnings (a movie cut short,
        # damaged packets, a checkpoint dropped) never reached the batch's standard error
        reports = context.Queue()

        def drain() -> None:
            while True:
                try:
                    item = reports.get_nowait()
                except (queue_module.Empty, OSError, EOFError):
                    return
                if isinstance(item, logging.LogRecord):
                    say(item)
                elif on_report is not None:
                    on_report(item)

        depth = slots * 2 if in_flight is not None else 1
        earlier = len(in_flight) if in_flight is not None else 0  # (of the pools before this one)
        log = logging.getLogger("streamprint")
        with ProcessPoolExecutor(max_workers=slots, mp_context=context, initializer=_start_worker,
                                 initargs=(reports, on_report is not None, log.getEffectiveLevel(),
                                           os.getpid())) as pool:
            pending: dict[Future, T] = {}
            workers: dict[int, Any] = {}  # every worker this pool started, to say how one died
            crashed: list[T] = []  # (one at a time) the task whose worker died: lost once how is known
            broken = False
            try:
                while True:
                    while not broken and todo and len(pending) < depth:
                        task = todo.popleft()
                        try:
                            with _deaf_to_ctrl_c():  # (a submit may start a worker)
                                given = task if in_flight is not None else _with_threads(task, _threads(1))
                                pending[pool.submit(_call, work, given)] = task
                        except BrokenProcessPool:
                            todo.appendleft(task)
                            broken = True
                    workers.update(getattr(pool, "_processes", None) or {})
                    if not pending:
                        break
                    done, _ = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                    interrupt.check()  # a library's stop request (the command's signals raise here)
                    drain()
                    for fut in done:
                        task = pending.pop(fut)
                        try:
                            result = fut.result()
                        except BrokenProcessPool:  # a worker died: which task it had is not known
                            broken = True
                            (crashed if in_flight is None else in_flight).append(task)
                            continue
                        except Exception as exc:  # the worker process died
                            result = lost(task, exc)
                        finish(task, result)
            except BaseException:
                # stop the movies in flight now; the pool then fails every task left with
                # BrokenProcessPool (cancelling them here as well raced with that, and Python
                # 3.11's pool thread printed an InvalidStateError traceback)
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
                pool.shutdown(wait=False)
                raise
            finally:
                drain()  # (what came in after the last task's end)
                reports.close()
                reports.cancel_join_thread()
        if not broken:
            return
        # How the worker died is read once the pool is shut down, its thread done reaping its
        # workers: read while that thread reaped them, the status was not known yet
        how = _death(workers.values())
        if in_flight is not None and len(in_flight) > earlier:  # this pool's: it said the sum of every pool's
            log.warning("a worker process died (%s): its pool is started again, and the %d movie(s) it had "
                        "are run again at the end, one at a time", how, len(in_flight) - earlier)
        for task in crashed:
            finish(task, lost(task, WorkerCrashed(f"its worker process {how}", alone=True)))


def say(record: logging.LogRecord) -> None:
    """A worker's log record (a movie cut short, a checkpoint dropped), said by this process
    as if logged here: by its handlers, when its logger's level lets it through."""
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)


def _with_threads(task: T, threads: int) -> T:
    """``task`` with ``threads`` decoder threads, if it says how many it takes (a dataclass
    with a ``threads`` field); else ``task`` as it is."""
    if dataclasses.is_dataclass(task) and not isinstance(task, type) \
            and any(f.name == "threads" for f in dataclasses.fields(task)):
        return dataclasses.replace(task, threads=threads)
    return task


def _death(workers: Iterable[Any]) -> str:
    """How a pool's worker died ("was killed by SIGKILL", "ended with status 1"), from the exit
    statuses of ``workers`` (the pool ends the others with SIGTERM once one has died), read
    once the pool is shut down: its thread has reaped them all and recorded how each ended
    (read while it did, a status could be taken by it and not yet recorded). "ended" only if
    a status is still unknown after a second's wait (reaped by code other than the pool's)."""
    workers = list(workers)
    deadline = time.monotonic() + 1.0
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
    codes = [w.exitcode for w in workers if w.exitcode not in (None, 0)]
    code = next((c for c in codes if c != -signal.SIGTERM), codes[0] if codes else None)
    if code is None:
        return "ended"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"ended with status {code}"


def _start_resource_tracker() -> None:
    """Start Python's resource tracker (the process multiprocessing starts for the first
    queue or pool, to remove the semaphores of processes that die) with SIGHUP held off for
    good, unless it runs already. It ignores SIGINT and SIGTERM itself, not SIGHUP, which a
    closed terminal or a dropped ssh session sends to the whole process group: it died, and
    the batch, stopping as asked (exit 130), printed "resource_tracker: process died
    unexpectedly" and a KeyError traceback for each of its semaphores, from the tracker it
    started again. Held off, a SIGHUP stays pending in the tracker, which ends as ever when
    the batch does (its pipe closed)."""
    if not hasattr(signal, "SIGHUP"):  # (Windows: no SIGHUP, and no resource tracker)
        return
    from multiprocessing import resource_tracker

    with _blocked(signal.SIGHUP):  # (a process starts with the signal mask of the thread that started it)
        resource_tracker.ensure_running()


@contextlib.contextmanager
def _deaf_to_ctrl_c() -> Iterator[None]:
    """SIGINT held off (blocked) in this thread while it may start worker processes: a
    process starts with the signal mask of the thread that started it, so a worker holds a
    Ctrl-C (sent to the whole process group) until :func:`_start_worker` ignores it, and
    only the batch reports it. A worker starting when Ctrl-C came (importing its modules,
    at a batch's start or as a pool was started again) printed its KeyboardInterrupt's
    traceback. Here, a Ctrl-C held off is handled when this ends (or at once by another
    thread of this process)."""
    with _blocked(signal.SIGINT):
        yield


@contextlib.contextmanager
def _blocked(sig: int) -> Iterator[None]:
    """``sig`` blocked in this thread while this runs (a signal that comes meanwhile is
    handled when it ends, or at once by another thread of this process), and in the
    processes this thread starts meanwhile, which keep the mask they start with."""
    if not hasattr(signal, "pthread_sigmask"):  # (Windows: no signal masks)
        yield
        return
    # the mask as it is first: pthread_sigmask runs the handlers of signals already pending
    # once it has changed the mask, so a Ctrl-C that raised from the blocking call itself
    # left SIGINT blocked for good (no later Ctrl-C was heard, and processes started later
    # were deaf too)
    held = signal.pthread_sigmask(signal.SIG_BLOCK, set())
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {sig})
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


#: In a worker process: the queue its reports go to (see :func:`_start_worker`).
_reports: Any = None
#: How often a worker looks whether the batch that started it is still there, seconds.
PARENT_CHECK_EVERY = 0.5
#: Linux's prctl option that has the kernel signal a process when its parent ends.
_PR_SET_PDEATHSIG = 1


def _start_worker(reports: Any, progress: bool, level: int, batch: int) -> None:
    """A worker process's start: its progress (when ``progress``) and its log records of
    ``level`` and above go to ``reports``, to be said by the batch; Ctrl-C (sent to the
    whole process group, and held off until here: :func:`_deaf_to_ctrl_c`) is the parent's
    to handle, it stops the workers itself; and a
    worker whose batch (pid ``batch``, as the
    batch said: one that died while this worker started has already given it away to
    init) is gone, killed with SIGKILL or by the OOM killer, ends within
    :data:`PARENT_CHECK_EVERY`, or at once, so that none goes on writing into a folder
    whose lock is gone."""
    global _reports
    _reports = reports if progress else None
    # A worker killed while it wrote a report (the OOM killer) leaves the queue's write lock
    # held for good: the other workers' reports then stop, and a worker that waited at exit
    # for its last ones to be sent never ended, so neither did the batch. Unsent reports are
    # dropped at exit instead.
    reports.cancel_join_thread()
    logger = logging.getLogger("streamprint")
    logger.handlers[:] = [logging.handlers.QueueHandler(reports)]
    logger.setLevel(level)
    logger.propagate = False
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # held off since it started (_deaf_to_ctrl_c): now dropped
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent()
    if os.getppid() != batch:  # gone already (checked after the kernel's watch is set: no gap)
        os._exit(1)

    def watch() -> None:
        while os.getppid() == batch:
            time.sleep(PARENT_CHECK_EVERY)
        os._exit(1)  # the movie in flight keeps its checkpoint; the next run removes its temporary files

    threading.Thread(target=watch, name="streamprint-parent-watch", daemon=True).start()


def _die_with_parent() -> None:
    """On Linux, have the kernel send this process SIGKILL the moment its parent ends
    (the thread that started it, which in a batch outlives its pool); elsewhere nothing:
    the watch thread of :func:`_start_worker` is there for every system."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _call(work: Work, task: T) -> Any:
    """In a worker process: ``work(task, reports)``."""
    return work(task, _reports)


def local(jobs: int | None) -> Processes | Serial:
    """The executor for ``jobs`` local worker processes (None: one per core this process may
    use: ``taskset -c 0`` started two on a 2-core machine). One job is a worker process too:
    run in the batch's own process, a decoder's crash on a damaged file ended the batch at
    that movie, run after run. (:class:`Serial` runs a library caller's tasks in-process.)
    Where no worker process can start (:func:`no_workers`), :class:`Serial`, with a warning."""
    why = no_workers()
    if why is not None:
        logging.getLogger("streamprint").warning(
            "%s: the movies are done in this process, one at a time (a decoder's crash on a damaged file "
            "ends it); run the batch from a script file to have worker processes", why)
        return Serial()
    return Processes(jobs)


def no_workers() -> str | None:
    """Why no worker process can start here, or None. A spawned worker first runs this
    process's main program again, by its module's name or from its file (Python's
    multiprocessing does, for what it defines): a program read from standard input
    (``python -``, whose file is "<stdin>") or a script deleted since has none to run, and
    every worker died as it started, so that every movie failed as "killed its worker when
    run alone". (An interactive session and ``python -c`` have no main file: workers start.)"""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(getattr(main, "__spec__", None), "name", None) is not None or path is None:
        return None
    start = getattr(multiprocessing.process, "ORIGINAL_DIR", None) or ""  # (where multiprocessing looks)
    if os.path.isfile(os.path.join(start, path)):
        return None
    return f"worker processes cannot start: they run the main program ({path}) again first, and it is not a file"


def _threads(tasks: int) -> int:
    """Decoder threads for each of ``tasks`` tasks run at once: the cores shared among them,
    at least one, and at most the ``threads`` rule's bound (on a machine of more cores, every
    movie of ``Serial()`` or one job failed: "threads must be ... from 0 to 64, got 96")."""
    return max(1, min(_cores() // tasks, params.RULES["threads"].high))


def _cores() -> int:
    """:func:`streamprint.source.codecs.cores`, imported when first asked (it loads PyAV)."""
    from ..source.codecs import cores

    return cores()
