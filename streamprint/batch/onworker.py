"""What a batch's Dask task runs on its worker, and how a process says which streamprint it
has (:func:`identity`). Every worker must have this very streamprint: :mod:`.dask` asks
them before any movie is handed out, and each task asks its own worker again before it
unpickles anything of streamprint's (:func:`worker_side`), for workers that join later."""

from __future__ import annotations

import functools
import logging
import logging.handlers
import pickle
import queue
from collections.abc import Callable
from typing import Any

from .. import interrupt


@functools.cache
def identity() -> str:
    """This process's streamprint, as :func:`identity_rule` says it."""
    return identity_rule()()


def identity_rule() -> Callable[[], str]:
    """The rule that says which streamprint a process has: ``streamprint VERSION (files
    DIGEST)``, the digest of every file of the package (its path and bytes), so that two
    copies of one version from other commits differ; or, when it cannot import streamprint
    or read its files, that and why (it never raises). Made inside this function, so that
    Dask sends it whole (cloudpickle sends a function defined inside another by value, not
    by name): a worker runs it whatever streamprint it has, or none."""

    def identity() -> str:
        import hashlib
        import os

        try:
            import streamprint
        except Exception as exc:
            return f"no streamprint it can import ({type(exc).__name__}: {exc})"
        try:
            root = os.path.dirname(os.path.abspath(streamprint.__file__ or ""))
            files = []
            for folder, dirs, names in os.walk(root, onerror=_raise):
                dirs[:] = [d for d in dirs if d != "__pycache__"]
                files += [os.path.relpath(os.path.join(folder, n), root) for n in names if not n.endswith(".pyc")]
            digest = hashlib.sha256()
            for rel in sorted(files):
                with open(os.path.join(root, rel), "rb") as f:
                    data = f.read()
                digest.update(f"{rel}\0{len(data)}\0".encode("utf-8", "surrogateescape") + data)
        except Exception as exc:
            return f"a streamprint whose files cannot be read ({type(exc).__name__}: {exc})"
        return f"streamprint {getattr(streamprint, '__version__', '?')} (files {digest.hexdigest()[:12]})"

    def _raise(exc: OSError) -> None:
        raise exc

    return identity


#: What a task's function returns: the worker's address; the streamprint it has when it is
#: not this machine's (and then nothing else), else None; the movie's result; its log records.
Answer = tuple[str, str | None, Any, list[logging.LogRecord]]


def worker_side(expected: str) -> Callable[[bytes], Answer]:
    """The function each task runs on its worker, sent whole as :func:`identity_rule` is.
    It first asks which streamprint the worker has: when it is not ``expected`` (this
    machine's, :func:`identity`), it says so and unpickles nothing (an older streamprint
    read the movie's options without a field added since, and failed the movie); the
    batch then stops, every movie not done pending (:func:`.dask._answered`). Else the worker's
    :func:`_run_here` runs ``work(task, reports)``, as pickled in ``payload``."""
    rule = identity_rule()

    def run(payload: bytes) -> Answer:
        try:
            from distributed import get_worker

            where = str(get_worker().address)
        except (ImportError, ValueError):
            where = "?"
        theirs = rule()
        if theirs != expected:
            return where, theirs, None, []
        from streamprint.batch.onworker import _run_here

        result, records = _run_here(payload)
        return where, None, result, records

    return run


class _Kept(logging.Filter):
    """On a Dask worker, the filter of the ``streamprint`` logger that keeps each movie's
    log records (a file cut short, a checkpoint dropped) for its batch, which says them
    (:func:`.dask._answered`): they never reached a batch on Dask, and the worker's own log is not
    the user's terminal. A movie's records are those of its run (:func:`.interrupt.current`:
    its task's thread and its decoding thread), so that movies run at once, for other
    batches too, keep their own."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: dict[object, list[logging.LogRecord]] = {}
        self._prepare = logging.handlers.QueueHandler(queue.SimpleQueue()).prepare  # (the message made, for pickling)

    def filter(self, record: logging.LogRecord) -> bool:
        kept = self.runs.get(interrupt.current())
        if kept is None:
            return True
        kept.append(self._prepare(record))
        return False


_kept = _Kept()


def _run_here(payload: bytes) -> tuple[Any, list[logging.LogRecord]]:
    """On a worker that has this streamprint: ``work(task, reports)`` as pickled in
    ``payload``, and the log records of the movie (:class:`_Kept`)."""
    work, task, reports = pickle.loads(payload)
    logging.getLogger("streamprint").addFilter(_kept)  # (once: a filter is added once)
    records: list[logging.LogRecord] = []
    with interrupt.scope():
        run = interrupt.current()
        _kept.runs[run] = records
        try:
            result = work(task, reports)
        finally:
            del _kept.runs[run]
    return result, records
