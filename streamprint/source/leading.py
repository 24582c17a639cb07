"""The frames a stream holds before the first one the decoder can deliver (a stream cut
mid-GOP), counted into every frame's index."""

from __future__ import annotations

import av

#: Packets at most counted before the first frame the decoder delivers (:class:`LeadingFrames`):
#: minutes of frames, far more than a GOP a cut can leave without its keyframe.
MAX_LEADING_FRAMES = 1 << 16


class LeadingFrames:
    """The frames a stream holds before the first one the decoder delivers, which it could
    not decode (a stream cut mid-GOP: an MPEG-TS cut at a packet, a capture begun between
    keyframes): the packets (one frame each) demuxed :data:`.skip.LOOKAHEAD_PACKETS` ahead of the
    decoder with a pts below the first frame's. The rule of a frame's index, in every mode,
    is the number of frames in the stream before it in presentation order, decodable or not:
    :class:`.skip.KeyframeIndex` counts them so with keyframes only, a range's start counts its
    packets so (:mod:`.ranges`), and times count from the stream's start, before them. (The
    frame at 5 s of such a stream was numbered 96 decoding everything, 114 when non-reference
    frames were skipped, 120 with keyframes only.)"""

    def __init__(self) -> None:
        self.seen: list[int] | None = []  # pts of packets demuxed before the first frame came out
        self.floor: int | None = None  # the least pts before the first keyframe packet
        self.key: int | None = None  # the pts of the keyframe the stream begins with
        self.closed = False  # no packet to come can be a frame before the first one shown

    @property
    def settled(self) -> bool:
        """Nothing more to count: packets need not be held back any longer."""
        return self.seen is None or self.closed

    def see_packet(self, packet: av.Packet) -> None:
        """A packet demuxed (see :func:`.skip.lookahead`): only its pts and keyframe flag count here.
        A stream that begins with a keyframe can have no frame before it but that keyframe's
        leading pictures (an open GOP cut at its keyframe: B-frames after it in decode order,
        before it in time, which the decoder drops), and has none once a packet is timed
        after it: no more is held back then (a live pipe's first picture waited for 24 more
        packets, 24 s at 1 fps)."""
        if self.settled:
            return
        assert self.seen is not None
        if packet.pts is None or len(self.seen) >= MAX_LEADING_FRAMES:
            self.seen = None  # times unknown, or no frame for ever: nothing is counted
            return
        if not self.seen and packet.is_keyframe:
            self.key = packet.pts
        elif self.key is not None and packet.pts > self.key:
            self.closed = True
            return
        elif packet.is_keyframe and self.floor is None:
            self.floor = min(self.seen)
        self.seen.append(packet.pts)

    def before(self, pts: int | None) -> int:
        """How many frames come before the first frame delivered, at ``pts``: the packets
        seen with a pts below it, and not below those before the first keyframe (a stream
        whose times jump back, files joined with cat, counted the frames after the jump);
        the packets seen are forgotten (asked once)."""
        seen, self.seen = self.seen, None
        if seen is None or pts is None:
            return 0
        floor = min(seen) if self.floor is None else self.floor
        return sum(1 for p in seen if floor <= p < pts)
