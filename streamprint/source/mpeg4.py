"""MPEG-4 Part 2 packed B-frames, unpacked in memory so that the B-frames can be skipped.

DivX 5 and Xvid in AVI store a B-frame in the chunk of the reference frame decoded before it
("packed bitstream"), and put a not-coded VOP (an N-VOP: ``vop_coded`` 0) in the next chunk to
keep one chunk per frame slot. FFmpeg's mpeg4 decoder holds the second VOP of a chunk back and
decodes it in place of the next chunk; the B-frame has no packet of its own, so it cannot be
skipped, and the decoder's pts run backwards. :func:`unpacked` hands each VOP out as a packet of
its own, in the place FFmpeg's decoder decodes it, so the decoder delivers the same frames:

- a chunk with two VOPs goes out as its first; the second goes out in place of the next chunk;
- that next chunk, if coded (a second B-frame), goes out in place of the chunk after it; an
  N-VOP is dropped (it delivers no frame).

FFmpeg's ``mpeg4_unpack_bframes`` filter does the same but takes any chunk of at most 19 bytes
for an N-VOP; a B-frame of a still picture, whose macroblocks are all skipped, is that small,
and was dropped (11 of 286 frames of the 256x144 test clip). Here a VOP is an N-VOP by its
``vop_coded`` bit, read after ``vop_time_increment``, whose width comes from the VOL header's
``vop_time_increment_resolution`` (ISO/IEC 14496-2, 6.2.3 and 6.2.5).

Each packet's pts becomes the time its frame comes out at (a B-frame: its own slot; a
reference: the slot of the next reference, which releases it from the decoder), so that
:class:`.skip.NonrefSkip` reasons about true presentation times; dts are kept, and with them
the frames' times (:mod:`.timeline` takes AVI times from the dts).
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterator

import av

log = logging.getLogger("streamprint")

VOP_START = b"\x00\x00\x01\xb6"
#: video_object_layer_start_code: 00 00 01 20 to 00 00 01 2F
_VOL_START = re.compile(rb"\x00\x00\x01[\x20-\x2f]", re.DOTALL)
#: vop_coding_type (2 bits) of a B-VOP; 0 is I, 1 P, 3 S (sprite: a reference)
B_VOP = 2
#: DivX/Xvid user data saying the B-frames are packed (as FFmpeg's decoder reads it)
_PACKED = re.compile(rb"DivX\d+(Build|b)?\d*p")
#: Size of the largest N-VOP chunk, where a VOP header cannot be read (DivX's are 7 or 8 bytes)
NVOP_BYTES = 8
#: Packets looked at, at most, to find the user data or a chunk holding two VOPs
DETECT_PACKETS = 48


class _Bits:
    """Reads big-endian bits from ``data`` starting at byte ``at``."""

    def __init__(self, data: bytes, at: int) -> None:
        self.data, self.pos = data, at * 8

    def read(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.pos >> 3
            if byte >= len(self.data):
                raise ValueError("the header ends early")
            value = (value << 1) | ((self.data[byte] >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value


def time_increment_bits(data: bytes) -> int | None:
    """Width in bits of ``vop_time_increment``, from the first VOL header in ``data``
    (ISO/IEC 14496-2 6.2.3: enough bits for vop_time_increment_resolution - 1, at least 1);
    None without a readable VOL header."""
    found = _VOL_START.search(data)
    if found is None:
        return None
    bits = _Bits(data, found.end())
    try:
        bits.read(1 + 8)  # random_accessible_vol, video_object_type_indication
        verid = 1
        if bits.read(1):  # is_object_layer_identifier
            verid = bits.read(4)
            bits.read(3)  # video_object_layer_priority
        if bits.read(4) == 15:  # aspect_ratio_info: extended PAR
            bits.read(16)
        if bits.read(1):  # vol_control_parameters
            bits.read(2 + 1)  # chroma_format, low_delay
            if bits.read(1):  # vbv_parameters
                bits.read(15 + 1 + 15 + 1 + 15 + 1 + 3 + 11 + 1 + 15 + 1)
        shape = bits.read(2)
        if shape == 3 and verid != 1:  # grayscale
            bits.read(4)
        bits.read(1)  # marker
        resolution = bits.read(16)
    except ValueError:
        return None
    if resolution == 0:
        return None
    return max(1, (resolution - 1).bit_length())


def vops(data: bytes) -> list[int]:
    """Offsets of the VOP start codes in ``data``."""
    out, at = [], data.find(VOP_START)
    while at >= 0:
        out.append(at)
        at = data.find(VOP_START, at + 4)
    return out


def vop_type(data: bytes, at: int) -> int | None:
    """vop_coding_type of the VOP starting at ``at`` (0 I, 1 P, 2 B, 3 S)."""
    return data[at + 4] >> 6 if at + 4 < len(data) else None


def vop_coded(data: bytes, at: int, increment_bits: int) -> bool:
    """The VOP's ``vop_coded`` bit (6.2.5): False for an N-VOP, which delivers no frame. A header
    cut short counts as coded (the decoder is left to judge it)."""
    bits = _Bits(data, at + 4)
    try:
        bits.read(2)  # vop_coding_type
        while bits.read(1):  # modulo_time_base
            pass
        bits.read(1 + increment_bits + 1)  # marker, vop_time_increment, marker
        return bool(bits.read(1))
    except ValueError:
        return True


def divx_packed(data: av.Packet | bytes | None) -> bool:
    """Whether an MPEG-4 Part 2 stream's first packet (or its extradata) says its B-frames are
    packed (Xvid/DivX user data ending in "p", as FFmpeg's mpeg4 decoder checks)."""
    return data is not None and _PACKED.search(bytes(data)) is not None


def _packet(data: bytes, like: av.Packet, keyframe: bool) -> av.Packet:
    """A packet holding a copy of ``data``, with ``like``'s timestamps. Allocated by FFmpeg
    (``av.Packet(size)``), so it ends in the zeroed padding decoders may read past the end;
    ``av.Packet(data)`` wraps the bytes object as it is, and frames decoded from it varied run
    to run."""
    out = av.Packet(len(data))
    memoryview(out)[:] = data
    out.pts, out.dts, out.time_base, out.is_keyframe = like.pts, like.dts, like.time_base, keyframe
    return out


def unpacked(packets: Iterator[av.Packet | BaseException], extradata: bytes | None,
             ) -> Iterator[av.Packet | BaseException]:
    """``packets`` of an MPEG-4 Part 2 stream, with packed B-frames unpacked (see the module's
    docstring) when the user data says they are packed or a chunk among the first
    :data:`DETECT_PACKETS` holds two VOPs; otherwise unchanged. Exceptions (damaged stretches)
    and the empty packet at the end pass through; a B-frame still held at the end is dropped,
    as the decoder drops it."""
    ahead: list[av.Packet | BaseException] = []
    packed = divx_packed(extradata)
    while not packed and len(ahead) < DETECT_PACKETS:
        item = next(packets, None)
        if item is None:
            break
        ahead.append(item)
        if isinstance(item, av.Packet) and item.size > 0:
            data = bytes(item)
            packed = divx_packed(data) or len(vops(data)) >= 2
    if not packed:
        yield from itertools.chain(ahead, packets)
        return
    log.debug("packed B-frames: unpacked to one frame per packet")
    yield from _Unpacker(extradata).run(itertools.chain(ahead, packets))


class _Unpacker:
    def __init__(self, extradata: bytes | None) -> None:
        self.increment_bits = time_increment_bits(extradata) if extradata else None
        self.stash: bytes | None = None  # the VOP to go out in place of the next chunk
        self.group: list[av.Packet] = []  # a reference and the B-frames after it, pts pending
        self.last_dts: int | None = None
        self.step = 1  # dts ticks between chunks (AVI: 1)

    def run(self, packets: Iterator[av.Packet | BaseException]) -> Iterator[av.Packet | BaseException]:
        for item in packets:
            if isinstance(item, BaseException) or item.size == 0:
                if not isinstance(item, BaseException):  # the end: the last reference comes out
                    yield from self._release(None)
                yield item
                continue
            yield from self._chunk(item)
        yield from self._release(None)

    def _chunk(self, chunk: av.Packet) -> Iterator[av.Packet]:
        data = bytes(chunk)
        if self.increment_bits is None:
            self.increment_bits = time_increment_bits(data)
        if chunk.dts is not None:
            if self.last_dts is not None and chunk.dts > self.last_dts:
                self.step = chunk.dts - self.last_dts
            self.last_dts = chunk.dts
        starts = vops(data)
        if len(starts) >= 2:
            if self.stash is not None:
                log.debug("packed B-frames: a B-frame without its placeholder chunk was dropped")
            self.stash = data[starts[1]:]
            yield from self._out(_packet(data[:starts[1]], chunk, chunk.is_keyframe), vop_type(data, starts[0]))
        elif self.stash is not None:
            held, self.stash = self.stash, None
            if starts and self._coded(data, starts[0]):
                self.stash = data  # coded: shown in the next chunk's place
            yield from self._out(_packet(held, chunk, False), vop_type(held, 0))
        elif starts and not self._coded(data, starts[0]):
            return  # a placeholder with nothing held: no frame
        else:
            yield from self._out(chunk, vop_type(data, starts[0]) if starts else None)

    def _coded(self, data: bytes, at: int) -> bool:
        """Whether the VOP at ``at`` is coded; without a VOL header to read it by, a chunk of
        at most :data:`NVOP_BYTES` is taken for a placeholder."""
        if self.increment_bits is None:
            return len(data) > NVOP_BYTES
        return vop_coded(data, at, self.increment_bits)

    def _out(self, packet: av.Packet, kind: int | None) -> Iterator[av.Packet]:
        """Queue ``packet`` until its pts is known: a B-frame's is its own dts; a reference's
        is the dts of the next reference, which releases it."""
        if kind == B_VOP:
            packet.pts = packet.dts
            if self.group:
                self.group.append(packet)
            else:  # no reference before it (a stream cut in a GOP): it goes out now
                yield packet
            return
        yield from self._release(packet.dts)
        self.group = [packet]

    def _release(self, dts: int | None) -> Iterator[av.Packet]:
        if not self.group:
            return
        reference = self.group[0]
        if dts is None:  # the last one: one slot after the last chunk
            dts = None if self.last_dts is None else self.last_dts + self.step
        reference.pts = dts
        yield from self.group
        self.group = []
