"""What a video stream says about itself before decoding (:func:`probe`): size, pixel
aspect, frame rate, duration, frame count and colour tags, as a :class:`SourceInfo`."""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from fractions import Fraction
from typing import Any

from ..errors import NotAVideoError
from ..model import SourceInfo
from ..model.colors import MAX_SECONDS
from ..model.fingerprint import MAX_DIMENSION
from .length import measured_length

log = logging.getLogger("streamprint")

#: Transfer characteristics that mark HDR video (PQ and HLG), by FFmpeg's enum values.
HDR_TRANSFERS = {16: "PQ", 18: "HLG"}


def _transfer_name(value: int | None) -> str | None:
    if value is None:
        return None
    if int(value) in HDR_TRANSFERS:
        return HDR_TRANSFERS[int(value)]
    try:
        from av.video.reformatter import ColorTrc

        return ColorTrc(int(value)).name
    except (ImportError, ValueError):
        return str(int(value))


def _known(duration: float | None) -> float | None:
    """A duration a header states, seconds, or None when it is no duration (0, negative,
    NaN, past :data:`~streamprint.model.colors.MAX_SECONDS`: garbage)."""
    return duration if duration is not None and 0 < duration <= MAX_SECONDS else None


def probe(container: Any, stream: Any, name: str, streamed: bool = False, fragmented: bool = False,
          path: str | None = None) -> SourceInfo:
    """``streamed``: read from a pipe; ``fragmented``: a fragmented MP4, whose index states
    its first fragment only: its frame count is not the stream's, and read from a pipe
    neither is its duration (FFmpeg reads the fragments' times from a file). ``path``
    is the file's (None: a stream, a file object), read again to measure the video's own
    length where only the container states one (:mod:`.length`)."""
    ctx = stream.codec_context
    width, height = int(ctx.width or 0), int(ctx.height or 0)
    if width <= 0 or height <= 0:
        if container.format.name == "webp_pipe":  # FFmpeg's WebP decoder reads still pictures only
            raise NotAVideoError(f"{name}: an animated WebP, which FFmpeg cannot decode; make it a GIF or a "
                                 "movie first")
        raise NotAVideoError(f"{name}: video stream has no frame size")
    frame_rate = _frame_rate(stream)

    duration: float | None = None
    tags = {str(k).upper(): str(v) for k, v in (stream.metadata or {}).items()}
    # Matroska's statistics tags (DURATION, NUMBER_OF_FRAMES) are the file's own only in
    # Matroska: FFmpeg copies a source's tags into other containers as they were (a NUT cut
    # to 4 s from a 10-s MKV said 10 s, and --end -1 counted back from there)
    matroska = "matroska" in container.format.name
    stated = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
    if stated is not None and stream.start_time is not None:
        duration = stated
    elif matroska and (tagged := _clock(tags.get("DURATION"))) is not None:
        duration = tagged
        if "_STATISTICS_WRITING_APP" not in tags and stream.start_time is not None and stream.time_base:
            # FFmpeg's muxer writes the stream's end time, not its length (mkvmerge, which
            # signs its statistics, the length): a video starting at 1:00:00 was 1:00:10 long
            duration -= float(stream.start_time * stream.time_base)
    elif container.duration or stated is not None:
        # the longest stream's end (NUT, FLV), or for a stream that states no start, which
        # FFmpeg gives the container's length (a NUT whose first keyframe has leading
        # pictures was as long as from theirs): the video's own where it can be measured
        measured = measured_length(path, container.format.name, stream.index, frame_rate) \
            if path is not None else None
        duration = measured if measured is not None else stated or container.duration / 1_000_000
    duration = None if fragmented and streamed else _known(duration)
    frame_count: int | None = int(stream.frames) if stream.frames else \
        _count(tags.get("NUMBER_OF_FRAMES")) if matroska else None
    if fragmented:
        frame_count = None
    if duration is None and frame_count and frame_rate:
        duration = _known(frame_count / frame_rate)
    if frame_count is None and duration and frame_rate:
        frame_count = max(1, round(duration * frame_rate))

    # the container's pixel aspect (MP4 pasp, Matroska display size, ...) over the codec's,
    # as FFmpeg's av_guess_sample_aspect_ratio has it: a remux that sets the aspect leaves
    # the bitstream's alone
    sar = stream.sample_aspect_ratio or ctx.sample_aspect_ratio
    pixel_aspect = float(Fraction(sar)) if sar and Fraction(sar) > 0 else 1.0
    if width * pixel_aspect > MAX_DIMENSION:  # a displayed size no C int holds: a broken aspect
        log.warning("%s: pixel aspect %s ignored: it would show the picture %.0f px wide", name, sar,
                    width * pixel_aspect)
        pixel_aspect = 1.0

    trc = _transfer_name(_int_or_none(ctx.color_trc))
    return SourceInfo(
        path=name,
        container=str(container.format.name),
        codec=str(ctx.name),
        width=width,
        height=height,
        display_width=max(1, round(width * pixel_aspect)),
        frame_rate=frame_rate,
        duration=duration,
        frame_count=frame_count,
        pix_fmt=ctx.pix_fmt,
        colorspace=_colorspace_name(ctx.colorspace),
        color_range=_range_name(ctx.color_range),
        color_transfer=trc,
        pixel_aspect=pixel_aspect,
    )


def as_decoded(info: SourceInfo, frame: Any) -> SourceInfo:
    """``info`` with the colour tags the first decoded ``frame`` states (after
    :func:`.hdr.inherit_stream_tags`), the ones its conversion reads: :func:`probe` has only
    the container's, read before any frame, and a codec's own may differ (an H.264 stream
    whose VUI says BT.601 limited range, in a Matroska file tagged BT.709 full range, was
    recorded as BT.709 full, though its colours were read, rightly, as BT.601 limited)."""
    return replace(info, colorspace=_colorspace_name(getattr(frame, "colorspace", None)),
                   color_range=_range_name(getattr(frame, "color_range", None)),
                   color_transfer=_transfer_name(_int_or_none(getattr(frame, "color_trc", None))))


def _frame_rate(stream: Any) -> float | None:
    """Frames per second: the stream's average rate (frames over duration: right for a
    variable frame rate), unless that is merely its time base's tick rate, above the rate
    FFmpeg guesses from the timestamps: raw DV read by FFmpeg 8 states its 1/60000 time base
    as its average rate, 60000 frames per second, where the guess is 25. (The guess alone
    cannot overrule the average: a variable frame rate that starts slowly, 7 fps then 30,
    guesses 7 where the average is 20.9.)"""
    def value(rate: Any) -> float | None:
        v = float(rate) if rate else 0.0
        return v if v > 0 and math.isfinite(v) else None

    average, guessed = value(stream.average_rate), value(stream.guessed_rate)
    ticks = value(1 / stream.time_base) if stream.time_base else None
    if average is not None and guessed is not None and average == ticks and average > guessed:
        return guessed
    return average or guessed or value(stream.base_rate)


def _clock(text: str | None) -> float | None:
    """Seconds of a Matroska ``DURATION`` tag (``HH:MM:SS.nnnnnnnnn``, written per stream by
    FFmpeg's muxer as the stream's end time, by mkvmerge as its length): the video's own, where FFmpeg's container
    duration is the longest stream's (audio running on after the picture, which stretched
    the last frame over it, spread ``--samples`` past the picture's end and cut ``--end -1``
    short). None unless it is one."""
    parts = (text or "").strip().split(":")
    if len(parts) != 3:
        return None
    try:
        h, m, sec = (float(p) for p in parts)
    except ValueError:
        return None
    total = h * 3600 + m * 60 + sec
    return total if math.isfinite(total) and total > 0 and min(h, m, sec) >= 0 else None


def _count(text: str | None) -> int | None:
    """A Matroska ``NUMBER_OF_FRAMES`` tag (mkvmerge's statistics), or None."""
    try:
        n = int((text or "").strip())
    except ValueError:
        return None
    return n if n > 0 else None


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _colorspace_name(value: Any) -> str | None:
    names = {0: "RGB", 1: "BT709", 2: None, 4: "FCC", 5: "BT470BG", 6: "SMPTE170M", 7: "SMPTE240M",
             8: "YCGCO", 9: "BT2020_NCL", 10: "BT2020_CL"}
    v = _int_or_none(value)
    return None if v is None else names.get(v, str(v))


def _range_name(value: Any) -> str | None:
    v = _int_or_none(value)
    return {1: "limited", 2: "full"}.get(v) if v is not None else None
