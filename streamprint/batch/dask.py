"""The Dask executor: a batch's movies on a Dask cluster (``--dask ADDRESS``), one task
per movie under a key of its own. See :mod:`.executors` for the executors' contract.

Every worker must have this very streamprint (:func:`.onworker.identity`): the workers are
asked before any movie is handed out (:func:`check_workers`), and each task asks its own
worker again (:func:`.onworker.worker_side`), for workers that join later."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any

from .. import interrupt, params
from ..errors import Interrupted, ParameterError, SchedulerError, one_line
from ..numerals import as_int
from .executors import Finish, Lost, OnReport, T, Work, say
from .onworker import Answer, identity, identity_rule, worker_side


class Dask:
    """One task per movie on a Dask distributed scheduler at ``address``; results are
    recorded here as they complete. Workers must see the same paths as this machine.
    ``key(task)`` names each task on the scheduler: text, or a tuple or any other value,
    sent as its ``repr`` (:func:`_text`); one key per movie."""

    threads_per_task = 1  # a Dask worker runs one task per thread of its own

    def __init__(self, address: str, key: Callable[[Any], Hashable], connect_timeout: float = 20.0) -> None:
        self.address = check_address(address)
        self.key, self.connect_timeout = params.check("key", key), params.check("connect_timeout", connect_timeout)
        self._client: Any = None
        self._users = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def connected(self) -> Iterator[Any]:
        """The client of the scheduler while a batch runs, connected by the first batch that
        needs it (a batch connects before it touches its output folder, so that an
        unreachable scheduler leaves nothing behind), closed and forgotten when the last one
        ends: an executor reused for a second batch was handed the first one's closed client,
        and one shared by two batches at once lost the second's movies when the first closed it."""
        with self._lock:
            if self._client is None:
                try:
                    from distributed import Client
                except ImportError as exc:
                    raise ParameterError("dask", "needs Dask: pip install 'streamprint[dask]'") from exc
                self._client = self._connect(Client)
            self._users += 1
            client = self._client
        try:
            check_workers(client, self.connect_timeout)
            yield client
        finally:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._client = None
                    client.close()

    def run(self, work: Work, tasks: Sequence[T], finish: Finish, on_report: OnReport | None, lost: Lost) -> None:
        import cloudpickle
        from distributed import as_completed

        with self.connected() as client:
            keys = self.keys(tasks)
            remote = worker_side(identity())
            futures = {client.submit(remote, cloudpickle.dumps((work, task, _Wanted())), key=key, pure=False): task
                       for task, key in zip(tasks, keys, strict=True)}
            try:
                arriving = as_completed(futures)
                while arriving.count():
                    interrupt.check()  # a library's stop request (the command's signals raise here)
                    if not arriving.has_ready():
                        time.sleep(0.1)
                        continue
                    for fut in arriving.next_batch(block=False):
                        task = futures[fut]
                        try:
                            answer = fut.result()
                        except Exception as exc:  # the worker died or the task was lost
                            result = lost(task, exc)
                        else:
                            result = _answered(answer)
                        finish(task, result)
            except BaseException:
                client.cancel(list(futures))
                raise

    def keys(self, tasks: Sequence[Any]) -> list[str]:
        """Each task's key, as valid text (:func:`_text`: one that is not text, a tuple as
        Dask's own keys may be, raised TypeError); ParameterError when two share one (one
        result would stand for several movies)."""
        keys = [_text(self.key(task)) for task in tasks]
        if len(set(keys)) != len(keys):
            raise ParameterError("key", "must give every movie of a batch a key of its own")
        return keys

    def _connect(self, client_class: Any) -> Any:
        """A client of the scheduler, or SchedulerError within ``connect_timeout`` seconds
        however the endpoint misbehaves (one that accepts and never answers holds Dask's own
        connect for as long as it keeps the socket open), and at once when nothing listens
        there (Dask's client retries a refused connection until its timeout)."""
        def connect() -> Any:
            _probe(self.address, self.connect_timeout)
            return client_class(self.address, timeout=f"{self.connect_timeout}s")

        try:
            return _within(connect, self.connect_timeout + 1.0)
        except Interrupted:
            raise
        except Exception as exc:
            reason = f"no answer within {self.connect_timeout:g} s" if isinstance(exc, TimeoutError) else exc
            raise SchedulerError(one_line(f"cannot reach the Dask scheduler at {self.address} ({reason})")) from None


def _within(call: Callable[[], Any], timeout: float) -> Any:
    """``call()`` in a thread of its own, waited for at most ``timeout`` seconds, hearing a
    stop request meanwhile (Dask's client waits in its own loop, deaf to it): its value, or
    the exception it raised, raised here; TimeoutError when it has not ended by then."""
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = call()
        except BaseException as exc:  # handed to the waiting thread
            result["error"] = exc

    thread = threading.Thread(target=target, name="streamprint-dask-wait", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while thread.is_alive() and time.monotonic() < deadline:
        thread.join(0.1)
        interrupt.check()
    if "value" in result:
        return result["value"]
    if "error" in result:
        raise result["error"]
    raise TimeoutError


def check_workers(client: Any, timeout: float) -> None:
    """SchedulerError unless every worker connected to ``client``'s scheduler now runs this
    very streamprint (:func:`.onworker.identity`), and says so within ``timeout`` seconds: called
    before any movie is handed out (a worker on an older streamprint read the movies'
    options without a field added since, and every movie of the library failed: "smooth
    must be a whole number from 0 to 1000, got None"; one that cannot import streamprint
    at all is refused too). A worker that joins later is asked by each task it runs."""
    try:
        answers = _within(lambda: client.run(identity_rule()), timeout)
    except Interrupted:
        raise
    except Exception as exc:
        reason = f"no answer within {timeout:g} s" if isinstance(exc, TimeoutError) else f"{type(exc).__name__}: {exc}"
        raise SchedulerError(one_line(f"cannot ask the Dask workers which streamprint they have ({reason})")) from None
    other = {where: theirs for where, theirs in answers.items() if theirs != identity()}
    if other:
        where = min(other)
        raise SchedulerError(_other_streamprint(where, other[where], len(other) - 1))


def _other_streamprint(where: str, theirs: str, more: int = 0) -> str:
    """The one line that says the worker at ``where`` (and ``more`` others) has ``theirs``,
    not this machine's streamprint."""
    others = f" (and {more} other worker{'s' if more > 1 else ''})" if more else ""
    return one_line(f"the Dask worker {where}{others} has {theirs}, and this machine {identity()}: every worker "
                    "must have the same streamprint as the machine that runs the batch")


def _answered(answer: Answer) -> Any:
    """A task's result, once its log records are said here (as a local worker process's
    are); SchedulerError when its worker has another streamprint (:func:`.onworker.worker_side`)."""
    where, theirs, result, records = answer
    if theirs is not None:
        raise SchedulerError(_other_streamprint(where, theirs))
    for record in records:
        say(record)
    return result


class _Wanted:
    """A task's ``reports`` on a Dask worker: nothing goes back to the batch, but each report
    (a movie's, at most four a second, as its samples come, and one more after its last
    sample, before its outputs are written: :func:`.worker.fingerprint_one`) first looks
    whether the task is still wanted, and stops it (Interrupted) when it is not: a task
    cancelled by its batch (interrupted, or failed) or given up by the scheduler when its
    batch's client was lost (killed). ``client.cancel`` cannot stop a running task: the
    movies of a stopped batch ran on to their ends on the workers, writing into OUTDIR
    after its lock was released; one stopped after its last sample still wrote its outputs."""

    def put(self, item: Any) -> None:
        if not _wanted():
            raise Interrupted("the batch this movie was for has stopped")


def _wanted() -> bool:
    """Whether the Dask task this thread runs is still wanted (True outside a Dask task)."""
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        worker, key = get_worker(), getattr(thread_state, "key", None)
    except (ImportError, ValueError):  # not in a worker
        return True
    if key is None:
        return True
    task = worker.state.tasks.get(key)
    return task is not None and task.state not in ("cancelled", "released", "forgotten")


def _text(key: Any) -> str:
    """``key`` as text Dask can send (msgpack, UTF-8): a file name that is not UTF-8 (its
    bytes held as lone surrogates) made a key whose task no scheduler could be sent, and
    every movie of the batch was lost with the connection. Its bytes that are not UTF-8 are
    written ``\\xNN`` and its backslashes doubled, so two names never give one key. A key
    that is not text (a tuple, as Dask's own keys may be) is written as its ``repr``; should
    that be another key's text, :meth:`Dask.keys` refuses the two."""
    text = key if isinstance(key, str) else repr(key)
    return os.fsencode(text).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")


def _probe(address: str, timeout: float) -> None:
    """Open and close a TCP connection to a ``tcp://`` or ``tls://`` ``address`` (other
    schemes are left to Dask): ConnectionRefusedError at once when nothing listens."""
    parts = _parts(address)
    if parts is None or parts[0] not in ("tcp", "tls"):
        return
    try:
        socket.create_connection((parts[1].strip("[]"), parts[2]), timeout=timeout).close()
    except ConnectionRefusedError as exc:
        raise ConnectionRefusedError("connection refused: nothing listens there") from exc


#: What a scheduler address looks like: [scheme://]host:port (the port read by :func:`_parts`).
_ADDRESS = re.compile(r"^(?:(tcp|tls|inproc|ucx|ws|wss)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


def _parts(address: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a scheduler address, None when ``address`` is not one. The
    port is read as every number streamprint reads (:func:`~streamprint.numerals.as_int`: ASCII
    digits; re's ``\\d`` and int() read any script's, and took an Arabic-Indic 8786)."""
    m = _ADDRESS.match(address.strip())
    if m is None:
        return None
    try:
        port = as_int(m.group(3))
    except ValueError:
        return None
    return (m.group(1) or "tcp", m.group(2), port) if 0 < port < 65536 else None


def check_address(address: str) -> str:
    """``address`` if it is a Dask scheduler address (``tcp://host:8786``); ParameterError
    otherwise, before any connection is tried."""
    if not isinstance(address, str):
        raise ParameterError("dask", f"must be a scheduler address such as tcp://HOST:PORT, not {address!r}")
    if _parts(address) is None:
        raise ParameterError("dask", f"{address!r} is not a scheduler address; expected tcp://HOST:PORT")
    return address.strip()
