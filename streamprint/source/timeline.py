"""Frame times a viewer sees: FFmpeg's best-effort timestamp per frame, and one monotonic
timeline across timestamp discontinuities (joined MPEG-TS, broken captures, 33-bit wraps).

PyAV 18 does not expose ``AVFrame.best_effort_timestamp``; :class:`BestEffort` computes it
from the two values it is made of, the frame's reordered pts and its packet's dts
(``frame.pts``, ``frame.dts``), the way libavcodec's ``guess_correct_pts`` does: count the
times each sequence failed to increase, and trust the pts unless it failed more often than
the dts (or there is no dts). That is what ``ffprobe -show_frames`` prints as
``best_effort_timestamp_time``; on AVI with packed B-frames the pts go backwards and the dts
are what players use.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

log = logging.getLogger("streamprint")

#: A forward jump longer than this (seconds) in a container whose timestamps may be
#: discontinuous (MPEG-TS, MPEG-PS) is a discontinuity, not a gap in the footage: FFmpeg's
#: own ``-dts_delta_threshold`` default for such formats.
JUMP_SECONDS = 10.0
#: A backward step of at most this many frame durations is timestamp jitter (a duplicate or
#: a slightly early pts): the frame is placed one frame after the last one, without a warning.
JITTER_FRAMES = 2.0
#: FFmpeg demuxers whose timestamps can jump (AVFMT_TS_DISCONT).
DISCONTINUOUS_FORMATS = frozenset({"mpegts", "mpeg", "vob", "mpegvideo", "dvd", "svcd", "mpegtsraw", "rtp",
                                   "h264", "hevc", "m4v", "rtsp"})

#: Demuxers whose packets carry decode times only (one chunk per frame interval): a frame's
#: time is its packet dts, never a pts reordered by the decoder.
DTS_TIMES_FORMATS = frozenset({"avi"})


class BestEffort:
    """libavcodec's best-effort timestamp, per frame, in the stream's time base."""

    def __init__(self) -> None:
        self.faulty_pts = self.faulty_dts = 0
        self.last_pts = self.last_dts = None

    def __call__(self, pts: int | None, dts: int | None) -> int | None:
        if dts is not None:
            self.faulty_dts += self.last_dts is not None and dts <= self.last_dts
            self.last_dts = dts
        elif pts is not None:
            self.last_dts = pts
        if pts is not None:
            self.faulty_pts += self.last_pts is not None and pts <= self.last_pts
            self.last_pts = pts
        elif dts is not None:
            self.last_pts = dts
        if (self.faulty_pts <= self.faulty_dts or dts is None) and pts is not None:
            return pts
        return dts

    @property
    def pts_reliable(self) -> bool:
        """False once a frame's pts failed to increase: pts-based reasoning (which packets to
        skip, keyframe indices) must not be trusted from then on."""
        return self.faulty_pts == 0


@dataclass(frozen=True)
class Discontinuity:
    """Where the timeline was joined: the frame's index, the time it was placed at, and how
    far its own timestamp had jumped (seconds, negative = back)."""

    index: int
    time: float
    jump: float


class Timeline:
    """Stream times (seconds from the stream's start, possibly jumping) to one timeline that
    always increases: after a jump back, or a jump forward of more than :data:`JUMP_SECONDS`
    where timestamps may be discontinuous, the new part continues one frame after the old."""

    def __init__(self, step: float, jumps_forward: bool, offset: float = 0.0, last: float = -math.inf) -> None:
        self.step = step
        self.jumps_forward = jumps_forward
        self.offset = offset
        self.last = last
        self.discontinuities: list[Discontinuity] = []

    def place(self, raw: float | None, index: int) -> float:
        """The time of frame ``index`` whose own time is ``raw`` (None: unknown)."""
        if raw is None:
            t = self.last + self.step if math.isfinite(self.last) else 0.0
        else:
            t = raw + self.offset
            if math.isfinite(self.last):
                back = t <= self.last
                ahead = self.jumps_forward and t - self.last > JUMP_SECONDS
                if back or ahead:
                    target = self.last + self.step
                    if ahead or self.last - t > JITTER_FRAMES * self.step:
                        jump = t - self.last
                        self.discontinuities.append(Discontinuity(index, target, jump))
                        log.warning("timestamps jump %s by %.3f s at frame %d: the next part is placed "
                                    "right after the previous one, at %.3f s",
                                    "back" if jump < 0 else "forward", abs(jump), index, target)
                        self.offset += target - t  # the frames after it follow it
                    t = target  # jitter: this frame alone moves
            t = max(0.0, t)
        self.last = t
        return t
