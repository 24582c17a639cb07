"""Run the real ``streamprint`` command in a process forked from one that has loaded it.

The suite runs the command about 300 times; each new Python spent 0.3-0.6 s importing
numpy, PyAV, scikit-learn and streamprint before doing a few milliseconds of work. A
server process (this file, run as a script) imports them once; for each run, it forks a
child that takes the test's pipes as its standard input, output and error, the test's
working directory and environment, and runs ``python -m streamprint ARGS`` exactly as a
new interpreter would from there (``runpy``, the same ``__main__``, the same exit: an
uncaught exception or ``sys.exit`` ends the child through Python's own shutdown, atexit
handlers included). No streamprint code runs in the server before the fork, so every run
starts from freshly imported modules.

A run falls back to a new interpreter when the environment differs from the server's in
a variable read only when Python or a library starts (``PYTHON*``, thread counts, the
locale), since the forked child could not honour it.

Protocol, one connection per run over a Unix socket: the client sends its standard
input, output and error descriptors with a length-prefixed JSON request; the server
replies with a line giving the child's pid, then a line giving its wait status.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys

#: Variables read when Python, numpy's BLAS or the C library start: a child forked from
#: the server would not see a change to them.
STARTUP_VARIABLES = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                     "MKL_NUM_THREADS", "TZ")


def startup_environment(env: dict[str, str]) -> dict[str, str]:
    """The part of ``env`` that only a new interpreter honours."""
    return {k: v for k, v in env.items() if k.startswith("PYTHON") or k in STARTUP_VARIABLES}


def _load() -> None:
    """Import what a run of any command imports (the commands load theirs lazily)."""
    import importlib

    dispatch = importlib.import_module("streamprint._cli.dispatch")
    for name in dispatch.COMMANDS.NAMES:
        importlib.import_module(f"streamprint._cli.{name}")
    # Not scikit-learn (for MiniBatchKMeans only): its thousand modules took the child
    # seconds to tear down at every exit.
    for name in ("streamprint.pipeline", "av", "PIL.Image", "tqdm"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    (size,) = struct.unpack("!I", data[:4])
    data = data[4:]
    while len(data) < size:
        more = conn.recv(size - len(data))
        if not more:
            raise EOFError("request cut short")
        data += more
    return json.loads(data), fds


def _fresh_stdio() -> None:
    """Make ``sys.stdin``, ``stdout`` and ``stderr`` anew on descriptors 0-2, as Python's
    start-up does (CPython's ``create_stdio``): the server's own were made for other files,
    and remember what those were (a seekable file, a terminal)."""
    import io

    made = []
    for fd, old in enumerate((sys.__stdin__, sys.__stdout__, sys.__stderr__)):
        writing = fd > 0
        raw = io.FileIO(fd, "wb" if writing else "rb", closefd=False)
        buffer = io.BufferedWriter(raw) if writing else io.BufferedReader(raw)
        text = io.TextIOWrapper(buffer, encoding=old.encoding, errors=old.errors, newline="\n",
                                line_buffering=fd == 2 or (writing and raw.isatty()))
        text.mode = "w" if writing else "r"  # type: ignore[misc]
        made.append(text)
    sys.stdin = sys.__stdin__ = made[0]
    sys.stdout = sys.__stdout__ = made[1]
    sys.stderr = sys.__stderr__ = made[2]


def _become_command(request: dict, fds: list[int]) -> None:
    """In the forked child: take the test's descriptors, directory and environment, and
    run ``python -m streamprint`` (returns only by raising, e.g. SystemExit)."""
    import runpy

    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    for fd in fds:
        if fd > 2:
            os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _fresh_stdio()
    sys.path.insert(0, os.getcwd())  # as ``python -m`` puts the working directory first
    sys.argv = ["-m", *request["argv"]]
    runpy.run_module("streamprint", run_name="__main__", alter_sys=True)
    sys.exit(0)


def serve(path: str) -> None:
    """Listen on ``path`` until standard input (a pipe from the test session) closes."""
    _load()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the per-run waiters reap themselves
    import gc

    gc.freeze()  # (the children's collections then leave the loaded modules' pages shared)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        ready, _, _ = select.select([listener, sys.stdin], [], [])
        if sys.stdin in ready:
            return
        conn, _ = listener.accept()
        try:
            request, fds = _receive(conn)
        except (OSError, EOFError, ValueError):
            conn.close()
            continue
        if os.fork() == 0:  # the waiter: forks the command, says its pid, waits for it
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            pid = os.fork()
            if pid == 0:
                conn.close()
                _become_command(request, fds)
            for fd in fds:
                os.close(fd)
            conn.sendall(f"{pid}\n".encode())
            _, status = os.waitpid(pid, 0)
            conn.sendall(f"{status}\n".encode())
            os._exit(0)
        for fd in fds:
            os.close(fd)
        conn.close()


if __name__ == "__main__":
    del sys.path[0]  # this script's folder (tests/) is no part of a run's import path
    serve(sys.argv[1])
