"""Bytes of the file between one video packet and the next, which tell a hole (an unfinished
download that preallocated its file: zeros the demuxer resynchronises over) from a long gap
in time that the file holds no frames for (a variable frame rate's still, which an encoder
stores as one frame lasting until the next)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import av

#: Bytes between two video packets that are no hole however little else the file holds
#: between packets (container headers: a cluster's, a block's).
HOLE_BYTES = 4096
#: A stretch between two video packets is a hole when it holds more than this many times
#: the bytes the file holds between video packets elsewhere (other streams' packets,
#: headers), per second, over the seconds of the gap in time. Sound is not steady (loud
#: noise under a still took 1.7 times quiet AAC's bytes, 5 times quiet FLAC's), while a
#: hole misses a movie's picture and sound, many times its sound alone.
HOLE_RATE = 8.0


class Spacing:
    """Watches the video packets in file order (:meth:`watched`): the largest stretch of
    bytes between one and the next, all such bytes, and the seconds the packets span."""

    def __init__(self, time_base: Fraction | None) -> None:
        self.time_base = time_base
        self.known = False  # a packet's place in the file was known
        self._end: int | None = None  # the byte after the last packet
        self._largest = 0  # bytes of the largest stretch
        self._total = 0  # bytes of all stretches
        self._times: tuple[int, int] | None = None  # the least and the largest timestamp (ticks)

    def watched(self, packets: Iterator[av.Packet | BaseException]) -> Iterator[av.Packet | BaseException]:
        """``packets``, passed on as they are seen."""
        for packet in packets:
            if isinstance(packet, av.Packet) and packet.size and packet.pos is not None and packet.pos >= 0:
                self._see(packet.pos, packet.size, packet.pts if packet.pts is not None else packet.dts)
            yield packet

    def _see(self, pos: int, size: int, ts: int | None) -> None:
        self.known = True
        if self._end is not None and pos > self._end:
            self._largest = max(self._largest, pos - self._end)
            self._total += pos - self._end
        self._end = pos + size
        if ts is not None:
            low, top = self._times or (ts, ts)
            self._times = (min(low, ts), max(top, ts))

    def skipped(self, seconds: float) -> bool | None:
        """Whether a stretch between two video packets holds more bytes than the file holds
        between them elsewhere over ``seconds`` (a gap in time that long: a hole, not a
        still); None when the packets' places or times are not known (a pipe)."""
        if not self.known or self._times is None or self.time_base is None:
            return None
        rest = float((self._times[1] - self._times[0]) * self.time_base) - seconds  # the time outside the gap
        if rest <= 0:  # (the gap is all there is: nothing to compare its bytes with)
            return None
        rate = (self._total - self._largest) / rest  # bytes per second there
        return self._largest > max(HOLE_BYTES, HOLE_RATE * rate * seconds)
