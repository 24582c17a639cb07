"""The frames a stream holds before the first one the decoder can deliver (a stream cut
mid-GOP), counted into every frame's index."""

from __future__ import annotations

import av

#: Packets at most counted before the first frame the decoder delivers (:class:`LeadingFrames`):
#: minutes of frames, far more than a GOP a cut can leave without its keyframe.
MAX_LEADING_FRAMES = 1 << 16


def before_start(pts: int, start: int | None) -> bool:
    """The rule of which packets are frames of the stream, in every mode (decoding
    everything, skipping, keyframes only, a range's start): one timed before the stream's
    ``start`` (ticks; FFmpeg's ``start_time``, where its times count from; None: not yet
    known) is not, and counts in no frame's index. Such packets are the leading pictures no
    decoder can show: an open GOP cut exactly at its keyframe (MPEG-TS, or remuxed to
    Matroska, NUT or an MP4 without an edit list) keeps the B-frames that follow its keyframe
    in decode order, timed before it, whose references were cut away; a stream cut at a
    P-frame keeps the B-frames after it. (The keyframe of such a TS, at 0.0 s, was frame 2,
    where ffprobe and Matroska number it 0.) Where the stream states no start (a NUT whose
    first keyframe has leading pictures), times count from the first frame delivered, and so
    do the indices. The frames after the start that cannot be decoded (a stream cut
    mid-GOP) are counted: their times lie after the start."""
    return start is not None and pts < start


class LeadingFrames:
    """The frames a stream holds before the first one the decoder delivers, which it could
    not decode (a stream cut mid-GOP: an MPEG-TS cut at a packet, a capture begun between
    keyframes): the packets (one frame each) demuxed :data:`.skip.LOOKAHEAD_PACKETS` ahead of the
    decoder with a pts below the first frame's and not before the stream's ``start`` (ticks,
    see :func:`before_start`). The rule of a frame's index, in every mode, is the number of
    frames in the stream before it in presentation order, from its start, decodable or not:
    :class:`.skip.KeyframeIndex` counts them so with keyframes only, a range's start counts its
    packets so (:mod:`.ranges`), and times count from the stream's start. (The frame at 5 s of
    such a stream was numbered 96 decoding everything, 114 when non-reference frames were
    skipped, 120 with keyframes only.)"""

    def __init__(self, start: int | None) -> None:
        self.start = start
        # pts of packets demuxed before the first frame came out (none to count without a start)
        self.seen: list[int] | None = [] if start is not None else None
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
        self.seen.append(packet.pts)

    def before(self, pts: int | None) -> int:
        """How many frames come before the first frame delivered, at ``pts``: the packets
        seen with a pts below it, and not before the stream's start (a stream whose times
        jump back, files joined with cat, counted the frames after the jump; an open GOP cut
        at its keyframe, the leading B-frames); the packets seen are forgotten (asked once)."""
        seen, self.seen = self.seen, None
        if seen is None or pts is None:
            return 0
        return sum(1 for p in seen if p < pts and not before_start(p, self.start))
