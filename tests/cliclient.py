"""The test session's side of :mod:`tests.cliserver`: ``run`` is ``subprocess.run`` of
``python -m streamprint ARGS`` with captured output, served by a forked, pre-loaded process
(see there why), or by a new interpreter where a fork could not honour the environment."""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO

from . import cliserver

_lock = threading.Lock()
_server: tuple[subprocess.Popen, str, dict[str, str]] | None = None


def _start() -> tuple[subprocess.Popen, str, dict[str, str]]:
    global _server
    with _lock:
        if _server is None or _server[0].poll() is not None:
            path = os.path.join(tempfile.mkdtemp(prefix="streamprint-cli-"), "socket")
            proc = subprocess.Popen([sys.executable, str(Path(cliserver.__file__)), path], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE)
            assert proc.stdout is not None
            if proc.stdout.readline() != b"ready\n":
                raise RuntimeError("the command server did not start")
            _server = (proc, path, cliserver.startup_environment(dict(os.environ)))
            atexit.register(_stop, proc, path)
        return _server


def _stop(proc: subprocess.Popen, path: str) -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
    for p in (path, os.path.dirname(path)):
        try:
            (os.unlink if p == path else os.rmdir)(p)
        except OSError:
            pass


def _read_all(fd: int, into: list[bytes]) -> None:
    with os.fdopen(fd, "rb") as f:
        into.append(f.read())


def _write_all(fd: int, data: bytes) -> None:
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    except BrokenPipeError:  # (in the write, or in the close's flush of what the buffer held)
        pass  # the command stopped reading: as subprocess.run ignores it


def run(args: list[str], input: bytes | None, stdin: IO | int | None, timeout: float) -> subprocess.CompletedProcess:
    """``subprocess.run([python, -m, streamprint, *args], input=, stdin=, capture_output=True,
    timeout=)``: ``stdin`` is a file object or descriptor, or the session's own."""
    cmd = [sys.executable, "-m", "streamprint", *args]
    proc, path, startup = _start()
    if cliserver.startup_environment(dict(os.environ)) != startup:
        return subprocess.run(cmd, input=input, stdin=stdin, capture_output=True, timeout=timeout)
    request = json.dumps({"argv": args, "cwd": os.getcwd(), "env": dict(os.environ)}).encode()
    if input is not None:
        in_r, in_w = os.pipe()
    else:
        in_r, in_w = os.dup(0 if stdin is None else stdin if isinstance(stdin, int) else stdin.fileno()), -1
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(path)
        message = struct.pack("!I", len(request)) + request
        sent = socket.send_fds(conn, [message], [in_r, out_w, err_w])
        conn.sendall(message[sent:])
        for fd in (in_r, out_w, err_w):
            os.close(fd)
        out: list[bytes] = []
        err: list[bytes] = []
        threads = [threading.Thread(target=_read_all, args=(out_r, out)),
                   threading.Thread(target=_read_all, args=(err_r, err))]
        if input is not None:
            threads.append(threading.Thread(target=_write_all, args=(in_w, input)))
        for t in threads:
            t.daemon = True
            t.start()
        reply = conn.makefile("rb")
        pid = int(reply.readline())
        conn.settimeout(timeout)
        try:
            status = int(reply.readline())
        except (TimeoutError, socket.timeout):
            os.kill(pid, signal.SIGKILL)
            for t in threads:
                t.join(5)
            raise subprocess.TimeoutExpired(cmd, timeout, b"".join(out), b"".join(err)) from None
        for t in threads:
            t.join()
    return subprocess.CompletedProcess(cmd, os.waitstatus_to_exitcode(status), b"".join(out), b"".join(err))
