"""Streams: standard input, FIFOs and ``<(...)`` (what is read as one, :func:`is_stream`),
and the file object FFmpeg reads them through (:class:`StreamReader`: read-ahead for
sniffing, reads that an interrupt ends)."""

from __future__ import annotations

import contextlib
import io
import os
import select
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from .. import interrupt
from ..errors import InputError, ParameterError
from ..params import STDIN, STDIN_NAME, file_name

#: How much of a pipe is read ahead to recognise its format.
PIPE_PEEK_BYTES = 1 << 16

class StreamReader:
    """A read-only, non-seekable file object over a pipe, FIFO or other stream, for FFmpeg.

    It returns ``prefix`` (what was read ahead to recognise the format) and then the rest.
    Reads wait in short ``select`` slices and end (as at the end of the stream) once an
    interrupt is requested (:mod:`streamprint.interrupt`), so that neither a stalled pipe nor
    FFmpeg searching endless garbage can hold off Ctrl-C: an exception raised in here would be
    swallowed by PyAV."""

    def __init__(self, raw: BinaryIO | int, name: str, prefix: bytes = b"", borrowed: bool = False) -> None:
        """``borrowed``: ``raw`` is the caller's file object, read through its own methods
        (what its buffer holds is read first) and left open, as the caller gave it."""
        self._fd: int | None = raw if isinstance(raw, int) else None if borrowed else _fileno(raw)
        self._raw = raw
        self._borrowed = borrowed
        self._prefix = memoryview(prefix)
        self.head = bytes(prefix)
        self.name = name
        self.ended = False
        """The stream reached its end (its writer closed it)."""
        self.cut_short = False
        """An interrupt ended the reads before the stream's end (what was read last may be
        part of a frame)."""

    def _read_raw(self, n: int) -> bytes:
        n = n if n > 0 else 1 << 16
        if self._fd is None:
            read = getattr(self._raw, "read1", None) or self._raw.read  # type: ignore[union-attr]
            data = b"" if interrupt.requested() else read(n)
            self.ended = self.ended or (not data and not interrupt.requested())
            self.cut_short = self.cut_short or (not data and not self.ended)
            return data
        while not interrupt.requested():
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.1)
                if ready:
                    data = os.read(self._fd, n)
                    self.ended = self.ended or not data
                    return data
            except (InterruptedError, BlockingIOError):
                continue
        self.cut_short = self.cut_short or not self.ended
        return b""

    def peek(self, n: int, enough: Callable[[bytes], bool] | None = None) -> bytes:
        """Read up to ``n`` bytes ahead (fewer at the end of the stream, or once ``enough``
        says what was read tells enough), to be returned again by :meth:`read`."""
        data = bytearray(self._prefix)
        while len(data) < n and not (enough is not None and enough(bytes(data))):
            chunk = self._read_raw(n - len(data))
            if not chunk:
                break
            data += chunk
        self._prefix = memoryview(bytes(data))
        self.head = bytes(data)
        return self.head

    @interrupt.callback  # called by FFmpeg: an exception raised here would be swallowed
    def read(self, n: int = -1) -> bytes:
        if self._prefix.nbytes:
            k = self._prefix.nbytes if n < 0 else min(n, self._prefix.nbytes)
            out = bytes(self._prefix[:k])
            self._prefix = self._prefix[k:]
            return out
        return self._read_raw(n)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        """Close the stream. Standard input left before its end (a time range's end, an
        interrupt) is closed too, by putting /dev/null in its place: its writer then gets
        EPIPE/SIGPIPE instead of waiting for ever on a full pipe. A borrowed one is the
        caller's to close."""
        if self._borrowed:
            return
        if isinstance(self._raw, int):
            with contextlib.suppress(OSError):
                os.close(self._raw)
        elif self._fd is not None and not self.ended:
            with contextlib.suppress(OSError):
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, self._fd)
                os.close(null)


def movie_input(path: Any, name: str = "path") -> str | os.PathLike[str] | BinaryIO:
    """What a movie is read from, checked: a file name (text, a path, or bytes as the OS gives
    them, made text: :func:`~streamprint.params.file_name`), ``"-"``, or a binary file object
    open for reading. Anything else reached FFmpeg or the reader as something it is not (None,
    a bytearray: AttributeError 'read'; a descriptor number: select's OSError; a closed
    file: ValueError): a :class:`ParameterError`. A descriptor number is not taken: README
    names none, and ``open(fd, "rb", closefd=False)`` is the file object that reads it."""
    if isinstance(path, bytes):
        return file_name(path, name)
    if isinstance(path, (str, os.PathLike)):
        file_name(path, name)  # (an empty one is refused)
        return path
    hint = {int: ": a file descriptor is read as open(fd, 'rb', closefd=False)",
            bytearray: ": bytes in memory are read as io.BytesIO(data)",
            memoryview: ": bytes in memory are read as io.BytesIO(data)"}
    if not callable(getattr(path, "read", None)):
        raise ParameterError(name, "must be a file name (text, bytes or a path) or a binary file object, got "
                                   f"{type(path).__name__}{hint.get(type(path), '')}")
    if isinstance(path, io.TextIOBase):
        raise ParameterError(name, "must be a binary file object, got a text one: open it with 'rb' "
                                   "(or pass its .buffer)")
    if getattr(path, "closed", False) is True:
        raise ParameterError(name, "is a closed file object")
    readable = getattr(path, "readable", None)
    if callable(readable) and not readable():
        raise ParameterError(name, "is a file object not open for reading")
    return path


def seekable(handle: Any) -> bool:
    """Whether a caller's file object can seek (a pipe's cannot: FFmpeg then reads it as a
    stream, once from the start)."""
    try:
        return bool(handle.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def handle_name(handle: Any) -> str:
    """What a caller's file object is called in messages and a fingerprint's
    ``source.path``: its file name; standard input's name for descriptor 0, as for ``-``;
    "pipe (file descriptor 4)" for another descriptor's (a subprocess's stdout is named by
    its number: messages said "4: ..."); "stream" for one with no name (``io.BytesIO``)."""
    name = getattr(handle, "name", None)
    if isinstance(name, int) and not isinstance(name, bool):
        if name == 0:
            return STDIN_NAME
        try:
            kind = "pipe" if stat.S_ISFIFO(os.fstat(name).st_mode) else "file"
        except OSError:
            kind = "file"
        return f"{kind} (file descriptor {name})"
    if isinstance(name, (str, bytes, os.PathLike)) and os.fspath(name):
        return os.fsdecode(os.fspath(name))
    return "stream"


def _fileno(raw: Any) -> int | None:
    try:
        return int(raw.fileno())
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def is_stream(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is read as a stream: ``-`` (standard input, unless it is redirected
    from a file: :func:`stdin_file`), a FIFO, ``<(...)``."""
    return stdin_file() is None if os.fspath(path) == STDIN else _is_stream(Path(path))


#: Where Linux shows a process's open files: opening one opens the file afresh (an offset
#: of its own), where a dup of the descriptor would share one.
_PROC_FD = "/proc/self/fd/{}"


def stdin_file() -> str | None:
    """A path that opens the regular file standard input is redirected from (``- < movie.mp4``),
    when it is one, at its start: it is read as that file (seekable, its length and index
    known; read as a pipe, an MP4 with its index at the end was refused, and a part counted
    back from the end). None for a pipe, a terminal, where no such path exists
    (:data:`_PROC_FD`, Linux), or where this process may not open the file by name (a
    service's ``StandardInput=file:`` read as another user): then it is read as a pipe."""
    import sys

    fd = _fileno(sys.stdin)
    try:
        if fd is None or not stat.S_ISREG((st := os.fstat(fd)).st_mode) or os.lseek(fd, 0, os.SEEK_CUR) != 0:
            return None
        path = _PROC_FD.format(fd)
        if not os.path.samestat(os.stat(path), st):
            return None
        os.close(os.open(path, os.O_RDONLY))  # opened again by name, permissions are checked again:
        return path                          # a file a privileged parent opened may be refused
    except OSError:
        return None


def _is_stream(p: Path) -> bool:
    """A FIFO, ``<(...)`` (a pipe under /dev/fd), a character device or a socket: read as a
    stream, never handed to FFmpeg's file reader (which would block for ever on a FIFO)."""
    try:
        mode = p.stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _stdin() -> BinaryIO:
    """Standard input, to read a movie from: an :class:`InputError` when it is closed (``<&-``,
    a service started without one: it was an AttributeError, called a bug) or a terminal
    (nothing piped in: the read waited for ever)."""
    import sys

    if sys.stdin is None:
        raise InputError("standard input: closed, so there is no movie to read; pipe one in "
                         "(from ffmpeg ... -f matroska -, say)")
    if (fd := _fileno(sys.stdin)) is not None and os.isatty(fd):
        raise InputError("standard input: a terminal, not a movie; pipe one in (from ffmpeg ... -f matroska -, say)")
    return sys.stdin.buffer
