"""Skipping what no sample needs: non-reference frames the decoder may drop
(``skip_frame = "NONREF"``) without changing any frame it still delivers, and the true
frame index of each keyframe when the decoder delivers keyframes alone."""

from __future__ import annotations

import bisect
import heapq
import math
from collections import deque
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import av

from ..model import ResumePoint
from .leading import LeadingFrames, before_start
from .mpeg4 import NVOP_BYTES, divx_packed
from .timeline import Jumps, jumped

#: Wanted(a, b): may a frame whose neighbours in time are at a < b s (either infinite) be sampled (a target in (a, b])?
Wanted = Callable[[float, float], bool]

#: Packets demuxed ahead of the decoder, so each packet's neighbours in time are known.
LOOKAHEAD_PACKETS = 24
#: A packet whose pts is below every one of this many packets before it (in decode order)
#: is no B-frame reordering: the timestamps jumped back (a joined or broken stream).
REORDER_WINDOW = 16


class _Monotonic:
    """Tells whether demuxed timestamps stay those of one stream or jumped (a joined or
    broken stream: a new part begins). Where they may jump (``jumps``: MPEG-TS/PS), the
    packets' decode times, which increase in decode order, are judged from the first packet
    on by the rule of a jump (:func:`.timeline.jumped`), as :func:`.timeline.joined_length`
    and decoding everything judge them (by the pts, a jump back was found after 16 packets
    only: ``--fast`` numbered the keyframe after a 0.5-s first part 1, not 12). Elsewhere,
    and without a decode time, by the pts: B-frame reordering moves one back by a few packets
    at most; a reset or wrap, below all of the last :data:`REORDER_WINDOW`."""

    def __init__(self, jumps: Jumps | None = None) -> None:
        self.recent: deque[int] = deque(maxlen=REORDER_WINDOW)
        self.jumps = jumps
        self._last: float | None = None  # the last decode time judged, seconds

    def ok(self, pts: int, dts: int | None = None) -> bool:
        if self.jumps is not None and dts is not None:
            t = float(dts * self.jumps.time_base)
            fine = self._last is None or not jumped(self._last, t, self.jumps.step, forward=True)
            self._last = t
        else:
            fine = len(self.recent) < REORDER_WINDOW or pts >= min(self.recent)
            top = max(self.recent, default=pts)
            if fine and self.jumps is not None and pts > top:  # (a jump forward)
                fine = not jumped(float(top * self.jumps.time_base), float(pts * self.jumps.time_base),
                                  self.jumps.step, forward=True)
        if not fine:
            self.recent.clear()  # a new part: its pts are judged among themselves
        self.recent.append(pts)
        return fine


class NonrefSkip:
    """Lets the decoder drop non-reference frames (``skip_frame = "NONREF"``) that no
    sample can need, without changing which frames are sampled.

    A time-based sampler only ever takes the frame just before or just after a target
    time, so a frame at time t can be sampled only if a target lies in (prev, next], its
    neighbours in presentation order. Packets are demuxed :data:`LOOKAHEAD_PACKETS` ahead,
    so for each packet the times nearest its own among all packets seen so far are known:
    ``a`` (below) <= prev and ``b`` (above) >= next, which makes (a, b] a superset of
    (prev, next]. A packet may be skipped only if (a, b] holds no target. Skipping a
    non-reference frame leaves every other frame's decode unchanged; the frames the decoder
    drops are counted back into the frame index from the gaps in the pts it delivers, but
    for a packet timed before the stream's ``start`` (ticks), which is no frame
    (:func:`.leading.before_start`: a TS cut at an open GOP's keyframe, read for a range, was
    numbered from 2 where decoding everything numbers it 0)."""

    #: It looks ahead as long as packets come (see :func:`lookahead`).
    settled = False

    def __init__(self, wanted: Wanted, time_base: Fraction, jumps: Jumps | None = None,
                 start: int | None = None) -> None:
        self.wanted = wanted
        self.time_base = time_base
        self.start = start
        self.seen: list[int] = []  # sorted pts of packets demuxed, most recent ones
        self.pending: list[int] = []  # heap: pts of packets sent with NONREF, not yet delivered
        self.enabled = True
        self._order = _Monotonic(jumps)
        self._last_delivered: int | None = None

    def see_packet(self, packet: av.Packet) -> None:
        """A packet demuxed (see :func:`lookahead`): only its pts counts here. (Packed
        B-frames, whose pts lie, reach it unpacked: :mod:`.mpeg4`.)"""
        self.see(packet.pts, packet.dts)

    def see(self, pts: int | None, dts: int | None = None) -> None:
        if pts is None or not self._order.ok(pts, dts):
            # times unknown or jumping back: nothing can be proven, so skip nothing from here
            # on (the lookahead means no packet after the jump was sent with NONREF)
            self.enabled = False
            return
        bisect.insort(self.seen, pts)
        if len(self.seen) > 16 * LOOKAHEAD_PACKETS:  # forget the oldest (a only gets smaller)
            del self.seen[: 8 * LOOKAHEAD_PACKETS]

    def may_skip(self, pts: int | None, origin: float | None) -> bool:
        if not self.enabled or pts is None or origin is None:
            return False
        i = bisect.bisect_left(self.seen, pts)
        j = bisect.bisect_right(self.seen, pts)
        if j >= len(self.seen):  # no later packet known: it may be the next one
            return False
        a = self._time(self.seen[i - 1], origin) if i > 0 else -math.inf
        b = self._time(self.seen[j], origin)
        return not self.wanted(a - 1e-6, b + 1e-6)  # widened: float rounding must not matter

    def _time(self, pts: int, origin: float) -> float:
        return max(0.0, float(pts * self.time_base) - origin)

    def sent(self, pts: int | None) -> None:
        """A packet with ``pts`` was not decoded (one without a pts is never skipped)."""
        if pts is not None and not before_start(pts, self.start):
            heapq.heappush(self.pending, pts)

    def delivered(self, pts: int | None) -> int:
        """A frame with ``pts`` came out: how many frames sent before it, earlier in
        presentation order, the decoder dropped."""
        if pts is None:
            self.enabled = False
            return 0
        if self._last_delivered is not None and pts < self._last_delivered:
            # The timestamps jumped back: every frame sent with NONREF and not delivered
            # belonged before the jump (the decoder delivers in presentation order).
            dropped, self.pending = len(self.pending), []
            self._last_delivered = pts
            return dropped
        self._last_delivered = pts
        dropped = 0
        while self.pending and self.pending[0] <= pts:
            if heapq.heappop(self.pending) < pts:
                dropped += 1
        return dropped


class KeyframeIndex:
    """With keyframes-only decoding (``skip_frame = "NONKEY"``), the index a delivered
    keyframe has among all the stream's frames in presentation order: the number of
    packets (one frame each) whose pts is below its own. Packets are demuxed
    :data:`LOOKAHEAD_PACKETS` ahead of the decoder, so the leading B-frames of an open GOP,
    which follow their keyframe in decode order, are counted too.

    A packet without a pts (Matroska keeps none for the leading B-frames of an open GOP cut
    at its keyframe, which fall before the stream's start) is one frame still placed where
    it can be: a leading picture of the first keyframe (after it in decode order, before any
    packet timed after it) is before the stream's start, which decoding everything does not
    count either (the decoder drops it), and one after a packet timed after the latest
    keyframe is a frame between that keyframe and the next; any other (before the first
    keyframe, or right after a later one: leading or not cannot be told) ends the count.

    Where the timestamps jump (a joined or broken stream; ``jumps``: where they may jump
    forward too, see :class:`_Monotonic`), a new part begins; its keyframes are counted on from the previous part's last
    frame. After each :meth:`index_of`, :attr:`before` is the pts of the frame just before
    that keyframe in presentation order (for a part's first keyframe, the previous part's
    last frame; None when unknown): the decoder never delivers it, but the timeline needs it
    to place the keyframe as decoding everything would.

    ``start``: the stream's start (ticks; None: it states none, and the first keyframe
    delivered is, as times count from it): packets timed before it are no frames and not
    counted (:func:`.leading.before_start`, the rule decoding everything and a range's start
    follow). ``floor`` and ``base``: when resuming at a keyframe of pts ``floor`` whose index
    is ``base``, packets below ``floor`` belong to the earlier pass and are not counted."""

    #: It looks ahead as long as packets come (see :func:`lookahead`).
    settled = False

    def __init__(self, floor: int | None = None, base: int = 0, jumps: Jumps | None = None,
                 start: int | None = None) -> None:
        self.floor, self.base, self.start = floor, base, start
        self.parts: list[list[int]] = [[]]  # per part, sorted pts of packets not yet counted into base
        self.tops: list[int | None] = [None]  # per part, its largest pts
        self.enabled = True
        self.before: int | None = None
        self._order = _Monotonic(jumps)
        self._last: int | None = None  # pts of the last keyframe delivered
        self._key: int | None = None  # pts of the latest keyframe packet demuxed
        self._key_count = 0  # keyframe packets demuxed
        self._trailing = False  # a packet timed after it was demuxed since
        self._jumped = False  # the times jumped: packets below the start or floor are frames of a later part
        self._started = floor is not None or start is not None  # the least pts counted is known

    def see_packet(self, packet: av.Packet) -> None:
        """A packet demuxed (see :func:`lookahead`): its pts and keyframe flag count here, and
        its dts where a jump is judged from it."""
        self.see(packet.pts, packet.is_keyframe, packet.dts)

    def see(self, pts: int | None, key: bool = False, dts: int | None = None) -> None:
        if pts is None:
            self._untimed(key)
            return
        if key:
            self._key, self._key_count, self._trailing = pts, self._key_count + 1, False
        elif self._key is not None and pts > self._key:
            self._trailing = True
        if not self._order.ok(pts, dts) and self.parts[-1]:  # the timestamps jumped: a new part
            self.parts.append([])
            self.tops.append(None)
            self._jumped = True
        elif self._uncounted(pts):
            return
        bisect.insort(self.parts[-1], pts)
        top = self.tops[-1]
        self.tops[-1] = pts if top is None else max(top, pts)

    def _untimed(self, key: bool) -> None:
        """A packet without a pts (see the class)."""
        if key or self._key is None or not (self._trailing or self._key_count == 1):
            self.enabled = False  # its place cannot be known: the count cannot be trusted from here on
        elif self._trailing and not self._uncounted(self._key):
            bisect.insort(self.parts[-1], self._key)  # below every later keyframe, not below its own

    def _uncounted(self, pts: int) -> bool:
        """Whether a packet of the first part at ``pts`` counts in no index: before the
        stream's start, or before the resume point."""
        return not self._jumped and (before_start(pts, self.start) or (self.floor is not None and pts < self.floor))

    def index_of(self, pts: int | None) -> int | None:
        """The index of the delivered keyframe at ``pts``; None when it cannot be known."""
        self.before = None
        if not self.enabled or pts is None:
            return None
        part = self.parts[0]
        if not self._started:  # no start stated: the first keyframe delivered is (before_start)
            self._started, self.start = True, pts
            del part[:bisect.bisect_left(part, pts)]
        if len(self.parts) > 1 and (not _holds(part, pts) or (self._last is not None and pts <= self._last)) \
                and _holds(self.parts[1], pts):
            # the first keyframe of the next part: what is left of this one was all delivered
            # or skipped, and lies before it
            self.base += len(part)
            self.before = self.tops[0]
            del self.parts[0], self.tops[0]
            part, self._last = self.parts[0], None
        below = bisect.bisect_left(part, pts)
        if below:
            self.before = part[below - 1]
        elif self.before is None:
            self.before = self._last
        del part[:below]  # later keyframes come later: what is below is counted for good
        self.base += below
        self._last = pts
        return self.base

    @property
    def read(self) -> tuple[int, int] | None:
        """Once the stream was read to its end: how many frames its packets held (those
        before a resume point too), and the largest pts among the last part's packets, where
        its video ends; None when the count cannot be trusted (times unknown), or the times
        jumped after the last keyframe delivered (the timeline has not placed that part)."""
        if not self.enabled or len(self.parts) > 1 or self.tops[-1] is None:
            return None
        return self.base + len(self.parts[0]), self.tops[-1]


class AviKeyframeIndex(KeyframeIndex):
    """:class:`KeyframeIndex` for AVI, which stores no presentation times. With Xvid/DivX
    packed B-frames (the encoder's user data ends in "p", as FFmpeg's mpeg4 decoder checks)
    the pts FFmpeg invents lie (the I-frame after 48 frames gets pts 50; the last keyframe
    comes out of the flush with a made-up pts), but AVI's dts count frames (in the stream's
    time base, one frame; a chunk holding two packed frames moves it on by two) and the
    packing closes each GOP: a keyframe's index is its chunk's dts, and the decoder delivers
    the keyframes in the order they were sent (the not-coded VOPs of at most
    :data:`NVOP_BYTES`, some flagged key, deliver nothing).
    Otherwise (an open GOP's leading B-frames follow their keyframe in decode order) pts are
    counted as usual, and :meth:`shown_at` gives where decoding everything places a delivered
    keyframe: a frame's time there is the dts of the chunk sent when it came out (what
    ffprobe shows), for a keyframe the chunk ``depth`` (the decoder's reorder depth) after its
    own, while the pts FFmpeg invents for H.264 in AVI are decode order (dts + 1). Resuming
    (``floor``), packed streams are counted by pts as well (the dts count starts at the seek)."""

    def __init__(self, jumps: Jumps | None = None, extradata: bytes | None = None, depth: int = 0,
                 floor: int | None = None, base: int = 0) -> None:
        super().__init__(floor=floor, base=base, jumps=jumps)
        self.extradata = extradata
        self.depth = depth
        self.packed: bool | None = None
        self._first: int | None = None
        self._keys: deque[int] = deque()  # dts of keyframe chunks sent, not yet delivered
        self._chunks = 0  # chunks seen
        self._waiting: deque[tuple[int, int]] = deque()  # (pts, chunk it comes out with) of keyframes
        self._shown: dict[int, int] = {}  # keyframe pts -> dts of the chunk it comes out with
        self._dts: tuple[int, int] | None = None  # the least and the largest dts of the chunks seen

    def see_packet(self, packet: av.Packet) -> None:
        if self.packed is None:
            self.packed = divx_packed(packet) or divx_packed(self.extradata)
        if packet.dts is not None:
            low, top = self._dts or (packet.dts, packet.dts)
            self._dts = (min(low, packet.dts), max(top, packet.dts))
        if not self.packed or self.floor is not None:
            self.see(packet.pts)
            if not self.packed and packet.dts is not None:
                self._place(packet, packet.dts)
            return
        if packet.dts is None:
            self.enabled = False
            return
        self._first = packet.dts if self._first is None else self._first
        if packet.is_keyframe and packet.size > NVOP_BYTES:
            self._keys.append(packet.dts - self._first)

    def _place(self, packet: av.Packet, dts: int) -> None:
        self._chunks += 1
        if packet.is_keyframe and packet.pts is not None:
            self._waiting.append((packet.pts, self._chunks + self.depth))
        while self._waiting and self._waiting[0][1] <= self._chunks:
            self._shown[self._waiting.popleft()[0]] = dts
        if len(self._shown) > 4 * LOOKAHEAD_PACKETS:  # keyframes never delivered (damaged): forget
            del self._shown[next(iter(self._shown))]

    @property
    def read(self) -> tuple[int, int] | None:
        """Once the stream was read to its end: the frames its chunks span, by their dts
        (which count frames: a dropped frame's empty chunk, which AVI counts too, as well),
        and where its last frame is shown: the dts of the chunk it would come out with, the
        decoder's ``depth`` after the last (as the keyframes are timed: :meth:`shown_at`;
        packed ones are placed a frame apart from the first by the count instead). None when
        resuming (a packed stream is counted by pts from the seek) or a chunk had no dts."""
        if not self.enabled or self.floor is not None or self._dts is None:
            return None
        low, top = self._dts
        return top - low + 1, top + (0 if self.packed else self.depth)

    def shown_at(self, pts: int | None) -> int | None:
        """Where decoding everything places the keyframe with ``pts``: the dts of the chunk
        it comes out with (not packed; once). None if unknown (the stream ended first)."""
        return None if pts is None else self._shown.pop(pts, None)

    def index_of(self, pts: int | None) -> int | None:
        if not self.packed or self.floor is not None:
            return super().index_of(pts)
        self.before = None  # the caller places packed keyframes one frame apart by index
        return self._keys.popleft() if self._keys and self.enabled else None


def keyframe_index_for(stream: Any, avi: bool, resume: ResumePoint | None, jumps: Jumps | None) -> KeyframeIndex:
    """The keyframe index of ``stream``: an :class:`AviKeyframeIndex` in AVI (``avi``), where
    packed keyframes are counted by dts and placed one frame apart from the first, the others
    placed where decoding everything places them. (ASF's keyframes keep their pts, decode
    order plus one frame for H.264, as FFmpeg derives them for MPEG-4: the same offset for
    each, which the origin takes away; tests/test_containers.py.) Counted on from ``resume``,
    when resuming, and from the stream's start (in AVI, timed by its decode times, from the
    first keyframe delivered, as decoding everything counts from the first frame decoded)."""
    floor, base = (resume.pts, resume.index) if resume is not None else (None, 0)
    if avi:
        codec = stream.codec_context
        depth = codec.reorder_depth or 0  # frames the decoder holds back (B-frames)
        return AviKeyframeIndex(jumps=jumps, extradata=codec.extradata, depth=depth, floor=floor, base=base)
    return KeyframeIndex(floor=floor, base=base, jumps=jumps, start=stream.start_time)


def _holds(values: list[int], x: int) -> bool:
    """Whether the sorted list ``values`` holds ``x``."""
    i = bisect.bisect_left(values, x)
    return i < len(values) and values[i] == x


def lookahead(packets: Iterator[av.Packet | BaseException],
              *watchers: NonrefSkip | KeyframeIndex | LeadingFrames) -> Iterator[av.Packet | BaseException]:
    """``packets``, each released once :data:`LOOKAHEAD_PACKETS` more have been seen by the
    ``watchers`` (each with ``see_packet(packet)``, and ``settled``: it needs nothing held
    back any longer), or at once when all are settled. Packets the demuxer marks to be
    discarded (before an MP4 edit list's start: decoded as references, never shown) are no
    frames: not seen."""
    buffer: deque[av.Packet | BaseException] = deque()
    for packet in packets:
        if not buffer and all(w.settled for w in watchers):
            yield packet
            continue
        if isinstance(packet, av.Packet) and packet.size > 0 and not packet.is_discard:
            for w in watchers:
                w.see_packet(packet)
        buffer.append(packet)
        if all(w.settled for w in watchers):
            yield from buffer
            buffer.clear()
        elif len(buffer) > LOOKAHEAD_PACKETS:
            yield buffer.popleft()
    yield from buffer


def keyframe_packets(packets: Iterator[av.Packet | BaseException]) -> Iterator[av.Packet | BaseException]:
    """Only the keyframe packets of ``packets`` (and the empty flush packet and any exception):
    keyframes only, for a decoder that ignores ``skip_frame``. A keyframe packet decodes alone
    (a WebM's alpha aside: :func:`.codecs.decodable_alpha`)."""
    for packet in packets:
        if not isinstance(packet, av.Packet) or packet.size == 0 or packet.is_keyframe:
            yield packet
