"""A process-wide "stop now" flag, for interrupts that must work wherever a run is.

The CLI sets it from its SIGINT/SIGTERM handler (:func:`request`); the library checks it
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

_requested = threading.Event()
_local = threading.local()
_runs = 0  # runs going on now (see scope)
_runs_lock = threading.Lock()
F = TypeVar("F", bound=Callable[..., Any])


def request() -> None:
    """Ask every streamprint operation running in this process to stop. With none running,
    there is nothing to stop: the request is dropped (it stopped the next run at once)."""
    with _runs_lock:
        if _runs:
            _requested.set()


def requested() -> bool:
    return _requested.is_set()


def clear() -> None:
    """Forget an earlier request (for a new run in the same process)."""
    _requested.clear()


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """A run of the library, or a command of the CLI. A stop requested while any run goes on
    applies to every one of them; when the last one ends the request is forgotten, so a run
    started later in the same process is not stopped by an old request (it used to raise
    :class:`~streamprint.errors.Interrupted` at once, until :func:`clear` was called)."""
    global _runs
    with _runs_lock:
        _runs += 1
    try:
        yield
    finally:
        with _runs_lock:
            _runs -= 1
            if _runs == 0:
                _requested.clear()


def scoped(function: F) -> F:
    """``function`` run inside :func:`scope`."""
    @functools.wraps(function)
    def in_scope(*args: object, **kwargs: object) -> object:
        with scope():
            return function(*args, **kwargs)
    return in_scope  # type: ignore[return-value]


def check() -> None:
    """Raise :class:`~streamprint.errors.Interrupted` if a stop was requested."""
    if _requested.is_set():
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
