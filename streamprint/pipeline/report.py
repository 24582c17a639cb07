"""What a run says in the log: per sample, the first frame of each colour problem (HDR not
tone-mapped, Dolby Vision without a base layer, a transfer that cannot be decoded) and the
colour report kept for the data file; at the end, what was decoded, why there are fewer
columns than asked, and what was tone-mapped."""

from __future__ import annotations

import logging
import math

from ..enums import ToneMap
from ..model import ColorReport, DecodeStats, Options, SourceInfo, TimeRange
from ..source.hdr import DV_NO_BASE, FrameHdr

log = logging.getLogger("streamprint")


def report_color(color: ColorReport, hdr: FrameHdr, options: Options, path: str,
                 said: set[str] | None = None) -> ColorReport:
    """``color`` with one more sample; the first of each problem gets a warning. ``said``: the
    problems of those ``color`` does not keep that this movie's run has warned of (added to;
    none: each is warned of again)."""
    said = set() if said is None else said
    if hdr.undecoded is not None and "transfer" not in said:
        said.add("transfer")
        log.warning("%s: its transfer characteristics (H.273 code %d) are none streamprint can decode: its "
                    "values are shown as they are, as if they were sRGB", path, hdr.undecoded)
    mapped = options.tonemap == ToneMap.AUTO and hdr.params is not None
    transfer = hdr.transfer.value if hdr.transfer is not None else None
    if transfer is not None and not mapped and color.hdr_samples == color.tone_mapped:
        why = ("tonemap is off" if options.tonemap == ToneMap.OFF
               else "its colour matrix cannot be undone")
        log.warning("%s: HDR (%s) frames are not tone-mapped (%s); colours will look washed out",
                    path, transfer.upper(), why)
    if hdr.dolby_vision == DV_NO_BASE and DV_NO_BASE not in color.dolby_vision:
        log.warning("%s: Dolby Vision without an HDR10/HLG-compatible base layer (profile 5?): its "
                    "colours cannot be shown right", path)
    return color.add(transfer, mapped, hdr.params.peak_nits if mapped and hdr.params else None,
                     hdr.peak_from if mapped else None, hdr.dolby_vision)


def log_decoded(info: SourceInfo, stats: DecodeStats, span: TimeRange, samples: int,
                cold_starts: int) -> None:
    log.info("%s: %d frames %s, %d samples, %d cold starts", info.path, stats.frames,
             "decoded" if span.whole else f"counted to the end of {span.describe()}", samples, cold_starts)


def warn_fewer_columns(info: SourceInfo, samples: int, asked: int, stats: DecodeStats,
                       seen_end: float | None, span: TimeRange, length: float | None, frames: int) -> None:
    """Why ``samples`` columns, not the ``asked`` ones spread over ``length`` seconds from
    the start of ``span``, when the input was seen up to ``seen_end``; ``frames``: how many
    the movie, or the part ``span`` of it, holds."""
    columns = f"{samples} column{'' if samples == 1 else 's'}"  # ("1 columns")
    if stats.discontinuities:
        log.warning("%s: %s, not %d: the timestamps jump, so the stated duration (%.1f s) is not "
                    "the length of the joined timeline the times were spread over", info.path, columns,
                    asked, info.duration or 0.0)
    elif (seen_end or math.inf) < span.start + (length or 0.0):  # the input ended early
        log.warning("%s: %s, not %d: the video ended at %.1f s, before the end of the part (%.1f s) "
                    "the times were spread over", info.path, columns, asked, seen_end, span.start + (length or 0.0))
    else:
        held = f"{frames} frame{'' if frames == 1 else 's'}"
        log.warning("%s: %s, not %d: the %s has %s, so %d of the evenly spaced times "
                    "fell on a frame already taken", info.path, columns, asked, "movie" if span.whole else "part",
                    held, asked - samples)


def log_tone_mapped(color: ColorReport, path: str) -> None:
    if color.tone_mapped:
        log.info("%s: %d HDR (%s) samples tone-mapped to SDR, source peak %g cd/m² (%s)", path,
                 color.tone_mapped, "/".join(color.transfers), color.peak_nits or 0,
                 "/".join(color.peak_from))
