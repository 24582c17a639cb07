"""The packet side of the decode loop: the video stream's packets as demuxed (a damaged
stretch yielded, not raised, and demuxing restarted after it), the last one read before a
stream's interrupt left out, and each packet sent to the decoder, ``skip_frame`` switched
packet by packet as :class:`~.skip.NonrefSkip` decides, through to the decoder's flush.

:meth:`.decode.VideoSource.frames` reads the frames these give, per packet; the filters a
particular input's packets pass through on the way (raw frames made whole, packed B-frames
unpacked, keyframes numbered, lookahead, keyframe packets, WebM alpha) are chosen there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any, Protocol

import av
import av.error

from .av1 import Av1References
from .skip import NonrefSkip
from .stream import StreamReader

log = logging.getLogger("streamprint")


class Origin(Protocol):
    """What holds the stream's origin, as decoding learns it (a :class:`.decode.VideoSource`)."""

    origin: float | None


def demuxed(container: Any, stream: Any) -> Iterator[av.Packet | BaseException]:
    """The stream's packets as demuxed (the last one empty, FFmpeg's flush), or the
    exception a damaged stretch raised. Demuxing restarts after a demuxer error."""
    while True:
        try:
            yield from container.demux(stream)
            break
        except (av.error.EOFError, EOFError):
            break
        except MemoryError:  # FFmpeg's ENOMEM: the machine's trouble, not the file's
            raise
        except (av.error.FFmpegError, IndexError) as exc:
            # The demuxer failed on damaged data (IndexError: PyAV cannot follow a stream
            # that damaged MPEG-TS makes appear mid-file). Count it and read on.
            yield exc
            continue
        except OSError as exc:
            yield exc
            break


def held_back(items: Iterator[av.Packet | BaseException], reader: StreamReader | None,
              name: str) -> Iterator[av.Packet | BaseException]:
    """:func:`demuxed`'s ``items``, but for one a stream's interrupt may have cut short:
    once the reads have been ended (:attr:`.stream.StreamReader.cut_short`), each packet is
    held back until something follows it, and the last one read is dropped (a raw
    frame's half, a slice without its end: never a sample)."""
    held = None
    for item in items:
        after_cut = (reader is not None and reader.cut_short and isinstance(item, av.Packet)
                     and item.size > 0)
        if held is not None and (after_cut or isinstance(item, BaseException)):
            yield held
            held = None
        if after_cut:
            held = item
            continue
        if held is not None:  # the decoder's flush: the held packet was the last one read
            log.debug("%s: the last packet read before the interrupt was dropped", name)
            held = None
        yield item
    if held is not None:
        log.debug("%s: the last packet read before the interrupt was dropped", name)


def decoded(ctx: av.VideoCodecContext, packets: Iterator[av.Packet | BaseException], skip: NonrefSkip | None,
            refs: Av1References | None, drain: bool,
            source: Origin) -> Iterator[list[av.VideoFrame] | BaseException]:
    """Per packet, the frames it decoded to, or the exception it raised.

    The decoder is flushed at the end so no frame held back by frame threading or
    B-frame reordering is lost. With ``skip``, each packet is sent with ``skip_frame``
    NONREF or DEFAULT as ``skip`` decides (from its time: ``source``'s origin, read per
    packet, is learnt from the first frame); with ``refs`` too (AV1, whose decoders ignore
    ``skip_frame``), a packet nothing references is not sent at all. With ``drain``
    (keyframes only), each keyframe is drained out on its own and the decoder reset.
    """
    flushed = False
    nonref = False
    for packet in packets:
        if isinstance(packet, BaseException):
            yield packet
            continue
        if packet.size == 0 and packet.dts is None:
            flushed = True
        elif packet.size == 0:  # Theora's "repeat the last frame" (FFmpeg rejects it as invalid)
            continue
        if skip is not None:
            # a packet the demuxer discards (before an edit list's start) is never shown:
            # no frame to count if the decoder drops it
            discard = packet.size > 0 and packet.is_discard
            drop = discard or (packet.size > 0 and skip.may_skip(packet.pts, source.origin))
            if refs is not None:  # the decoder ignores skip_frame: send no unreferenced unit
                if drop:
                    if not refs.is_reference(bytes(packet)):
                        if not discard:
                            skip.sent(packet.pts)
                        continue
                elif refs.seq is None:  # learn the sequence header from the first unit carrying it
                    refs.is_reference(bytes(packet))
            elif drop != nonref:
                ctx.skip_frame = "NONREF" if drop else "DEFAULT"
                nonref = drop
            if drop and refs is None and not discard:
                skip.sent(packet.pts)
        yield from _decode(ctx, packet)
        if drain and packet.size:  # each keyframe out on its own, the decoder reset (.codecs)
            yield from _decode(ctx, None)
            ctx.flush_buffers()
    if not flushed:
        yield from _decode(ctx, None)


def _decode(ctx: av.VideoCodecContext,
            packet: av.Packet | None) -> Iterator[list[av.VideoFrame] | BaseException]:
    """The frames ``packet`` (None: the end) decodes to, or the error it raised."""
    try:
        yield ctx.decode(packet)
    except (av.error.EOFError, EOFError):
        pass
    except MemoryError:  # (as in demuxed)
        raise
    except av.error.FFmpegError as exc:
        yield exc
