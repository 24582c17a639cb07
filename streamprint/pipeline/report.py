"""What a run says in the log: per sample, the first frame of each colour problem (HDR not
tone-mapped, Dolby Vision without a base layer) and the colour report kept for the data
file."""

from __future__ import annotations

import logging

from ..enums import ToneMap
from ..model import ColorReport, Options
from ..source.hdr import DV_NO_BASE, FrameHdr

log = logging.getLogger("streamprint")


def report_color(color: ColorReport, hdr: FrameHdr, options: Options, path: str) -> ColorReport:
    """``color`` with one more sample; the first of each problem gets a warning."""
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
