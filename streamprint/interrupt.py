"""A "stop now" flag per run, for interrupts that must work wherever a run is.

The CLI sets the flags of the runs going on from its SIGINT/SIGTERM handler
(:func:`request`); the library checks its run's
where a run can wait for long: reading a pipe or FIFO (the read then ends as if at the end
of the stream, so FFmpeg returns), waiting for decoded frames, waiting for batch workers.
A Python exception raised inside FFmpeg's read callback is swallowed by PyAV, so the flag,
not the exception, is what ends such a wait.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import types
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import Interrupted

_local = threading.local()  # .run: the run this thread works for (see scope); .depth (see shield)
_runs: set[_Run] = set()  # runs going on now (see scope)
_runs_lock = threading.RLock()  # (re-entered by a signal handler's request in the thread holding it)
F = TypeVar("F", bound=Callable[..., Any])


class _Run:
    """One run of the library (or command of the CLI), and whether it was asked to stop."""

    __slots__ = ("stop",)

    def __init__(self) -> None:
        self.stop = threading.Event()


def request() -> None:
    """Ask every streamprint operation running in this process now to stop. One started
    later is not stopped: with none running the request is dropped (it stopped the next run
    at once), and a run started while stopped ones wind down starts afresh (it was stopped
    at once too: the request held until the last of them ended)."""
    with _runs_lock:
        for run in _runs:
            run.stop.set()


def requested() -> bool:
    """Whether the run this thread works for was asked to stop; in a thread that works for
    none, whether any run going on was."""
    run = getattr(_local, "run", None)
    if run is not None:
        return bool(run.stop.is_set())
    with _runs_lock:
        return any(r.stop.is_set() for r in _runs)


def clear() -> None:
    """Forget an earlier request (every run's going on now)."""
    with _runs_lock:
        for run in _runs:
            run.stop.clear()


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """A run of the library, or a command of the CLI, in this thread; one inside another
    (``fingerprint`` in a command or a one-process batch) is part of it. A stop requested
    while runs go on applies to each of them (:func:`requested`, in their threads and those
    they :func:`carry <carried>` it to), and each forgets it when it ends, so a run started
    later in the same process is not stopped by an old request (it used to raise
    :class:`~streamprint.errors.Interrupted` at once, until :func:`clear` was called)."""
    if getattr(_local, "run", None) is not None:
        yield
        return
    run = _Run()
    try:  # (a KeyboardInterrupt between the two must not leave this thread a run that is over)
        _local.run = run
        with _runs_lock:
            _runs.add(run)
        yield
    finally:
        _local.run = None
        with _runs_lock:
            _runs.discard(run)


def current() -> object | None:
    """The run this thread works for (:func:`scope`, or one :func:`carried` to it), None
    outside one: what tells apart the runs going on at once in one process (the movies a
    Dask worker runs in its threads, each with its decoding thread)."""
    return getattr(_local, "run", None)


def carried(function: F) -> F:
    """``function``, to be called in another thread as part of this thread's run: a stop
    request made of the run is seen there too (a decoding thread's reads of a pipe)."""
    run = getattr(_local, "run", None)

    @functools.wraps(function)
    def in_run(*args: object, **kwargs: object) -> object:
        _local.run = run
        try:
            return function(*args, **kwargs)
        finally:
            _local.run = None
    return in_run  # type: ignore[return-value]


def scoped(function: F) -> F:
    """``function`` run inside :func:`scope`."""
    @functools.wraps(function)
    def in_scope(*args: object, **kwargs: object) -> object:
        with scope():
            return function(*args, **kwargs)
    return in_scope  # type: ignore[return-value]


def check() -> None:
    """Raise :class:`~streamprint.errors.Interrupted` if a stop was requested (:func:`requested`)."""
    if requested():
        raise Interrupted("interrupted")


@contextlib.contextmanager
def shield() -> Iterator[None]:
    """Mark code that runs inside an FFmpeg callback, where an exception would be swallowed
    (and printed): a signal handler should only :func:`request` there, not raise."""
    _local.depth = getattr(_local, "depth", 0) + 1
    try:
        yield
    finally:
        _local.depth -= 1


#: Code objects of functions FFmpeg calls back into (see :func:`callback`).
_CALLBACKS: set = set()


def callback(function: F) -> F:
    """Decorate a function FFmpeg calls back into (a reader's ``read``): a signal that
    arrives while it runs, even at its very first line, must not raise there."""
    _CALLBACKS.add(function.__code__)

    def shielded_call(*args: object, **kwargs: object) -> object:
        with shield():
            return function(*args, **kwargs)

    _CALLBACKS.add(shielded_call.__code__)
    return shielded_call  # type: ignore[return-value]


def shielded(frame: types.FrameType | None = None) -> bool:
    """True while this thread runs inside :func:`shield` or a :func:`callback`; ``frame`` is
    the frame a signal handler was given (the code the signal interrupted)."""
    if getattr(_local, "depth", 0) > 0:
        return True
    for _ in range(4):
        if frame is None:
            return False
        if frame.f_code in _CALLBACKS:
            return True
        frame = frame.f_back
    return False
