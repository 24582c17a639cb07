"""The rules a checkpoint passed back as ``resume`` must meet: made with the same options,
from the very file being read, and fitting the movie (see :func:`streamprint.fingerprint`)."""

from __future__ import annotations

import io
import os
import stat
from typing import Any

from .errors import ParameterError, ResumeError
from .model import Checkpoint, Options, SourceInfo


def file_identity(path: Any) -> tuple[int, int] | None:
    """(size in bytes, mtime in ns) of the regular file ``path`` names or holds open (a file
    object's descriptor; standard input redirected from a file), else None (a pipe, a FIFO,
    a file object with no descriptor). (A file object's checkpoint was taken for any other
    file's: a fingerprint of two movies.)"""
    try:
        if path in ("-", b"-"):
            st = os.fstat(0)
        elif isinstance(path, (str, bytes, os.PathLike)):
            st = os.stat(path)
        else:
            st = os.fstat(path.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return (st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None


def check_resume(resume: Any, options: Options, thumbnails: bool, identity: tuple[int, int] | None) -> None:
    """Before the input is opened: ``resume`` is a :class:`Checkpoint` made with ``options``
    (and thumbnails when they are asked for) from the file of ``identity``: a checkpoint of
    another movie used to give a fingerprint of both, with no warning. Where either input
    is not known (a stream, bytes in memory, a file object without a descriptor), this one
    cannot be told to be the checkpoint's, and it is refused: one made from bytes in memory
    was resumed on any file."""
    if not isinstance(resume, Checkpoint):
        raise ParameterError("resume", f"must be a Checkpoint, got {type(resume).__name__}")
    if resume.options != options:
        raise ParameterError("resume", "was made with other options")
    if thumbnails and resume.samples and resume.thumbnails is None:
        raise ResumeError("the checkpoint was made without thumbnails")
    if resume.input is None:
        raise ResumeError("the checkpoint was made from an input that cannot be told again (a stream, bytes in "
                          "memory, or a file object without a descriptor), so this input cannot be told to be "
                          "that one")
    if identity is None:
        raise ResumeError("the checkpoint was made from a file, and this input cannot be told to be that file "
                          "(a stream, or a file object without a descriptor)")
    if tuple(resume.input) != identity:
        raise ResumeError("the checkpoint was made from another file, or this one has changed since "
                          f"(size and time {tuple(resume.input)}, now {identity})")


def check_fits(resume: Checkpoint, info: SourceInfo, tick: float | None) -> None:
    """A checkpoint must fit the movie it resumes: its resume point and samples inside the
    stream's duration and frame count (with a little slack, as containers estimate both).
    ResumeError when not, so that the caller starts from the beginning instead."""
    point, samples = resume.resume, resume.samples
    slack = 2.0
    if info.duration is not None:
        at = None if tick is None or point.origin is None else point.pts * tick - point.origin
        last = samples[-1].time if samples else 0.0
        if (at is not None and at > info.duration + slack) or last > info.duration + slack:
            raise ResumeError(f"{info.path}: the checkpoint lies past the end of the movie")
    if info.frame_count is not None and point.index > info.frame_count * 1.05 + 10:
        raise ResumeError(f"{info.path}: the checkpoint's frame {point.index} is past the movie's "
                          f"{info.frame_count} frames")
