"""Opening an input: paths, standard input and file objects (streams: :mod:`.stream`);
sniffing what a pipe holds; picking the video stream (what it says about itself: :mod:`.probe`)."""

from __future__ import annotations

import errno
import itertools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Iterator

import av
import av.error

from .. import interrupt
from ..errors import InputError, InputNotFoundError, NoFramesError, NotAVideoError, StreamprintError
from ..params import STDIN, STDIN_NAME, named_file
from .stream import PIPE_PEEK_BYTES, StreamReader, _is_stream, _stdin, is_stream, seekable, stdin_file

#: Demuxers of still images (and of animations, which are movies when they hold more than
#: one frame): one decoded frame from these is a still image, not a movie.
STILL_IMAGE_DEMUXERS = frozenset({
    "image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif", "gif_pipe", "svg_pipe",
    "jpegxl_pipe", "pam_pipe", "ppm_pipe", "pgm_pipe", "pgmyuv_pipe", "qoi_pipe", "apng", "webp", "psd_pipe",
    "dds_pipe", "exr_pipe", "j2k_pipe", "pcx_pipe", "sgi_pipe", "xpm_pipe", "xwd_pipe", "pictor_pipe",
    "hdr_pipe", "photocd_pipe", "pbm_pipe", "pfm_pipe", "phm_pipe", "dpx_pipe", "cri_pipe", "gem_pipe",
})

#: Demuxers that draw text as pictures (ANSI art, binary text): FFmpeg takes a Kodi or
#: Jellyfin library's ``.nfo`` and any ``.txt`` or ``.diz`` for one of these, and made a
#: "movie" of each. Read only when ``format`` names one.
TEXT_DEMUXERS = frozenset({"tty", "bin", "xbin", "adf", "idf"})

PIPE_MP4_HINT = ("an MP4/MOV stream cannot be read from a pipe when its index (the moov atom) comes after the "
                 "frames: give it as a file (seekable), or on the producer side use -f matroska - or -f mpegts - "
                 "instead")


def _stream_reader(raw: BinaryIO | int, name: str, format: str | None, borrowed: bool = False) -> StreamReader:
    reader = StreamReader(raw, name, borrowed=borrowed)
    head = reader.peek(PIPE_PEEK_BYTES, _sniffed)
    interrupt.check()
    if not head:
        raise NotAVideoError(f"{name}: no data (empty pipe)")
    if format is None and _mp4_layout(head) == "index-last":
        raise NotAVideoError(f"{name}: {PIPE_MP4_HINT}")
    return reader


def _sniffed(head: bytes) -> bool:
    """Whether ``head`` tells what the checks of a stream's start need: that it is not MP4,
    or MP4 whose ``mdat`` comes first, or whose ``moov`` is there whole, something after it
    (:func:`mp4_fragmented` looks into it). Sniffing reads no further: a live stream of a few
    bytes a second was not read at all until :data:`PIPE_PEEK_BYTES` had come."""
    if len(head) < 8:
        return False
    return head[4:8] != b"ftyp" or any(kind == b"mdat" or (kind == b"moov" and end < len(head))
                                       for kind, _, end in _boxes(head, 0, len(head)))


def _mp4_layout(head: bytes) -> str | None:
    """For data starting with an ISO-BMFF ``ftyp`` box: ``"index-first"`` when ``moov`` comes
    before ``mdat`` (streamable), ``"index-last"`` when ``mdat`` comes first, ``"unknown"``
    when the prefix is too short to tell; None when it is not MP4/MOV at all."""
    if len(head) < 8 or head[4:8] != b"ftyp":
        return None
    for kind, _, _ in _boxes(head, 0, len(head)):
        if kind == b"moov":
            return "index-first"
        if kind == b"mdat":
            return "index-last"
    return "unknown"


def mp4_fragmented(head: bytes) -> bool:
    """True when ``head`` (a file's or a pipe's first bytes) is ISO-BMFF whose ``moov`` holds
    an ``mvex`` box: a fragmented MP4 (``-movflags frag_keyframe``, the only MP4 FFmpeg writes
    to a pipe, DASH, CMAF). Its ``moov`` states the first fragment at most (read from a pipe,
    a 10-s video was 0.96 s long), so its duration and frame count are not known up front."""
    if len(head) < 8 or head[4:8] != b"ftyp":
        return False
    for kind, start, end in _boxes(head, 0, len(head)):
        if kind == b"moov":
            return any(child == b"mvex" for child, _, _ in _boxes(head, start, end))
    return False


def maybe_still(container: str, frames: int) -> bool:
    """Whether an input of ``frames`` frames so far, read by demuxer ``container``, may be a
    still image, not a movie: at most one frame, from a still-image demuxer
    (:data:`STILL_IMAGE_DEMUXERS`; an animated GIF or APNG shows a second)."""
    return container in STILL_IMAGE_DEMUXERS and frames <= 1


def still_image(path: Any, name: str, format: str | None, options: Mapping[str, str] | None,
                frames: Callable[[], Iterator[Any]] | None = None) -> bool:
    """Whether a file a still-image demuxer reads (:data:`STILL_IMAGE_DEMUXERS`) holds one
    frame, not an animation: decoded up to its second frame, on a second opening. For the
    error paths that would otherwise blame an option (a still image has no length to cut a
    part from, or to spread ``--samples`` over). A stream cannot be opened twice: its own
    ``frames`` (the open source's, which ends a still image with
    :class:`~streamprint.errors.NotAVideoError`) are read on instead, as the run ends in an
    error either way."""
    if not isinstance(path, (str, os.PathLike)) or is_stream(path):
        try:
            return frames is not None and sum(1 for _ in itertools.islice(frames(), 2)) == 1
        except NotAVideoError:
            return True
        except (av.FFmpegError, StreamprintError, OSError, ValueError):
            return False
    try:
        container, _ = open_container(path, name, format, options)
        with container:
            return sum(1 for _ in itertools.islice(container.decode(video=0), 2)) == 1
    except (av.FFmpegError, StreamprintError, OSError, ValueError):
        return False


def opened_fragmented_mp4(container: Any, reader: StreamReader | None, path: Any) -> bool:
    """Whether an opened input is a fragmented MP4 (:func:`mp4_fragmented`), from what a pipe
    read ahead or a file's first bytes."""
    if not str(container.format.name).startswith("mov"):
        return False
    if reader is not None:
        return mp4_fragmented(reader.head)
    if not isinstance(path, (str, os.PathLike)):
        return False  # a caller's file object: not read here
    if os.fspath(path) == STDIN:  # a file redirected to it (a pipe has its reader)
        path = stdin_file()
        if path is None:
            return False
    try:
        with open(path, "rb") as f:
            return mp4_fragmented(f.read(PIPE_PEEK_BYTES))
    except OSError:
        return False


def _boxes(data: bytes, pos: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """ISO-BMFF boxes in ``data[pos:end]``: (type, start of the body, end of the box, cut at
    the data's end); ends at a box too short to be one."""
    while pos + 8 <= end:
        size, header = int.from_bytes(data[pos:pos + 4], "big"), 8
        if size == 1 and pos + 16 <= end:
            size, header = int.from_bytes(data[pos + 8:pos + 16], "big"), 16
        elif size == 0:  # to the end of the file
            size = end - pos
        if size < header:
            return
        yield data[pos + 4:pos + 8], pos + header, min(pos + size, end)
        pos += size


def open_container(path: Any, name: str, format: str | None,
                   options: Mapping[str, str] | None) -> tuple[Any, StreamReader | None]:
    """The opened container, and the reader FFmpeg reads through when the input is a
    stream (close it after the container)."""
    kwargs: dict[str, Any] = {"mode": "r", "metadata_errors": "ignore"}
    if format:
        check_demuxer(format)
        kwargs["format"] = format
    if options:
        kwargs["options"] = dict(options)
    target: Any = path
    if isinstance(path, (str, os.PathLike)):
        if os.fspath(path) == STDIN:
            target = stdin_file() or _stream_reader(_stdin(), STDIN_NAME, format)
            if isinstance(target, str) and os.stat(target).st_size == 0:
                raise NotAVideoError("standard input: empty (the file it is redirected from holds nothing)")
        else:
            p = Path(path)
            if not p.exists():
                raise InputNotFoundError(f"{p}: no such file")
            if p.is_dir():
                raise InputError(f"{p}: is a directory, not a video file")
            if _is_stream(p):
                try:
                    fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO: do not wait for a writer here
                except OSError as exc:
                    raise InputError(f"{p}: {exc.strerror or exc}") from exc
                target = _stream_reader(fd, name, format)
            else:
                try:
                    if p.stat().st_size == 0:
                        raise NotAVideoError(f"{p}: file is empty")
                except OSError as exc:
                    raise InputError(f"{p}: {exc.strerror or exc}") from exc
                target = os.fspath(p)
    elif not seekable(path):  # a caller's pipe: read as standard input is, its start sniffed
        target = _stream_reader(path, name, format, borrowed=True)
    reader = target if isinstance(target, StreamReader) else None
    try:
        container = _open_errors(target, name, lambda: av.open(target, **kwargs), format)
        if not format and container.format.name in TEXT_DEMUXERS:
            demuxer = container.format.name
            container.close()
            raise _named_instead(target, name) or NotAVideoError(
                f"{name}: a text file (FFmpeg would draw it as {demuxer} art), not a movie")
        interrupt.check()
    except BaseException:
        if reader is not None:
            reader.close()
        interrupt.check()
        raise
    return container, reader


def _open_errors(target: Any, name: str, open_: Any, format: str | None = None) -> Any:
    """``open_()``, with FFmpeg's exceptions turned into streamprint's. With a ``format``
    forced, data its demuxer cannot read is said to be of another format, not damaged."""
    try:
        return open_()
    except av.error.FileNotFoundError as exc:
        raise InputNotFoundError(f"{name}: no such file") from exc
    except av.error.PermissionError as exc:
        raise InputError(f"{name}: permission denied") from exc
    except (av.error.EOFError, av.error.InvalidDataError) as exc:
        if format:
            raise NotAVideoError(f"{name}: cannot be read as {format}, the format {{param:format}} says it is "
                                 f"({_reason(exc)}); without it FFmpeg finds the format itself") from exc
        raise _unreadable(target, name, exc) from exc
    except av.error.FFmpegError as exc:
        if isinstance(target, StreamReader) and exc.errno == errno.ENOSYS:  # (a seek, which a pipe cannot do)
            what = "an animated PNG that loops" if target.head.startswith(b"\x89PNG\r\n\x1a\n") else "this input"
            raise NotAVideoError(f"{name}: FFmpeg reads {what} by seeking in it, which a pipe cannot do: give it "
                                 "as a file") from exc
        raise (_bad_y4m(target, name, exc) or NotAVideoError(f"{name}: cannot open ({_reason(exc)})")) from exc
    except (ValueError, OSError) as exc:
        raise InputError(f"{name}: cannot open ({exc})") from exc


def _unreadable(target: Any, name: str, exc: BaseException) -> Exception:
    """The error of a file FFmpeg found no video in (EOFError) or could not parse."""
    if isinstance(exc, av.error.EOFError):
        return NoFramesError(f"{name}: no decodable video frames (the file ends before the first one)")
    if (y4m := _bad_y4m(target, name, exc) or _named_instead(target, name)) is not None:
        return y4m
    if _looks_like_mp4(target):
        if isinstance(target, StreamReader):  # (standard input redirected from a file is a file)
            return NotAVideoError(f"{name}: {PIPE_MP4_HINT}")
        return NotAVideoError(f"{name}: MP4/MOV file without a readable index (moov atom): truncated, or not "
                              "fully written")
    return NotAVideoError(f"{name}: not a video file FFmpeg can read ({_reason(exc)})")


def _named_instead(target: Any, name: str) -> NotAVideoError | None:
    """For standard input that holds a file's name (``echo movie.mp4 | streamprint -``), not
    a movie: an error that says so, and how that file is read. None for anything else."""
    named = named_file(_head(target, 4097)) if name == STDIN_NAME else None
    return None if named is None else NotAVideoError(
        f"{name} holds the name of the file {named}, not a movie: to read that file, give its name instead of -")


def _looks_like_mp4(target: Any) -> bool:
    return _mp4_layout(_head(target, 64)) is not None


def _head(target: Any, n: int) -> bytes:
    """The first ``n`` bytes (at most) of what FFmpeg was given to open: a stream's read-ahead
    or a file's start (nothing for a caller's file object)."""
    try:
        if isinstance(target, StreamReader):
            return target.head[:n]
        if isinstance(target, str):
            with open(target, "rb") as f:
                return f.read(n)
    except OSError:
        pass
    return b""


#: YUV4MPEG2 header parameters FFmpeg's demuxer refuses, and what they say.
Y4M_REFUSED = {"Im": "mixed interlacing (Im), which FFmpeg does not read"}


def _bad_y4m(target: Any, name: str, exc: BaseException) -> NotAVideoError | None:
    """For a YUV4MPEG2 stream or file FFmpeg could not open (whose own reason, an 'Invalid
    argument', is in its log only): an error that shows the header line and, where it is
    known, the parameter refused. None for anything else."""
    head = _head(target, 512)
    if not head.startswith(b"YUV4MPEG2 "):
        return None
    line = head.split(b"\n", 1)[0].decode("ascii", "replace")
    what = next((why for token, why in Y4M_REFUSED.items() if token in line.split()[1:]), _reason(exc))
    return NotAVideoError(f"{name}: a YUV4MPEG2 header FFmpeg does not accept ({what}): {line[:200]!r}")


def _reason(exc: BaseException) -> str:
    strerror = getattr(exc, "strerror", None)
    return str(strerror or exc).strip() or type(exc).__name__


def best_video_stream(container: Any, name: str) -> Any:
    streams = [
        s
        for s in container.streams.video
        if not (int(s.disposition) & int(av.stream.Disposition.attached_pic))
    ]
    if not streams:
        cover = int(av.stream.Disposition.attached_pic)
        kinds = sorted({"cover art" if s.type == "video" and int(s.disposition) & cover else s.type
                        for s in container.streams})
        what = ", ".join(kinds) if kinds else "no streams"
        raise NotAVideoError(f"{name}: no video stream (found {what})")
    try:
        best = container.streams.best("video")
    except Exception:  # pragma: no cover - defensive; best() may fail on odd inputs
        best = None
    if best is None or best not in streams:
        best = max(streams, key=lambda s: (s.codec_context.width or 0) * (s.codec_context.height or 0))
    if best.codec_context is None or not best.codec_context.name:
        raise NotAVideoError(f"{name}: video stream has no decoder")
    return best


def check_demuxer(name: str) -> str:
    """``name`` if FFmpeg has a demuxer of that name (``matroska``, ``mpegts``, ...)."""
    from ..errors import ParameterError

    if name not in av.formats_available:
        raise ParameterError("format", f"{name!r} is not a format FFmpeg can read (see ffmpeg -formats)")
    return name
