"""HDR frames: what a decoded frame's own tags and side data say about its light, and its
conversion to the non-linear R'G'B' signal :func:`streamprint.color.tonemap.tonemap_to_srgb`
takes. Decided per frame: a stream can switch between SDR and HDR.

PyAV 18 exposes a frame's static HDR metadata as raw side data (mastering display, content
light level) and Dolby Vision only as raw RPU side data (``DOVI_RPU_BUFFER``,
``DOVI_METADATA``); the stream's Dolby Vision configuration record (its profile) is not
exposed. A Dolby Vision frame whose own tags are PQ or HLG (profile 8.1/8.4, or 7's base
layer) is read as that HDR10/HLG base; one whose tags are not (profile 5, IPT-PQ-c2, tagged
unspecified) has no compatible base: it is converted as tagged and reported.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass
from typing import Any

import av
from av.sidedata.sidedata import SideDataContainer

from ..color.primaries import Primaries, primaries_for
from ..color.tonemap import DEFAULT_PEAK_NITS, REFERENCE_WHITE_NITS, HdrParams
from ..color.transfer import PQ_PEAK, TRC, Transfer, decodes
from .signal import frame_to_signal_rgb, readable

log = logging.getLogger("streamprint")

__all__ = ["FrameHdr", "HdrMetadata", "frame_hdr", "frame_to_signal_rgb", "hdr_metadata", "hdr_params_for",
           "inherit_stream_tags"]


@dataclass(frozen=True)
class HdrMetadata:
    """Static HDR metadata of a frame, cd/m²; None when the frame carries none."""

    max_luminance: float | None = None   #: mastering display maximum luminance
    min_luminance: float | None = None   #: mastering display minimum luminance
    max_cll: int | None = None           #: content light level: MaxCLL
    max_fall: int | None = None          #: content light level: MaxFALL


def _side_data(frame: Any, name: str) -> bytes | None:
    """The frame's side data ``name``, None when it has none. Not through ``frame.side_data``:
    PyAV keeps that container on the frame and it points back at the frame, a reference cycle
    that only the cyclic collector frees, so decoded frames (3 MiB each at 1080p) piled up
    between its rare full collections. A container made apart is freed with its last use.

    PyAV 18 reads every side data of the frame into its ``Type`` enum, which ends before
    FFmpeg 8's newer types: a frame carrying EXIF (31: camera MJPEG, TIFF or PNG frames)
    raised ValueError and stopped the run. Such a frame's side data cannot be read at all,
    so it is taken to have none (no light-level metadata: the default peak is used)."""
    try:
        # PyAV's stub leaves out the frame its constructor takes (unused-ignore: without PyAV's stubs)
        side = SideDataContainer(frame) if isinstance(frame, av.VideoFrame) else frame.side_data  # type: ignore[call-arg, unused-ignore]
        return bytes(side[name])
    except (KeyError, AttributeError):
        return None
    except ValueError as exc:
        log.debug("a frame's side data cannot be read by PyAV (%s); taken as none", exc)
        return None


def hdr_metadata(frame: av.VideoFrame) -> HdrMetadata:
    """Mastering display and content light level metadata of a decoded frame.

    PyAV 18 exposes them as ``frame.side_data["MASTERING_DISPLAY_METADATA"]`` (an 88-byte
    AVMasteringDisplayMetadata: 10 AVRationals, then has_primaries, has_luminance) and
    ``frame.side_data["CONTENT_LIGHT_LEVEL"]`` (AVContentLightMetadata: MaxCLL, MaxFALL).
    """
    max_lum = min_lum = None
    raw = _side_data(frame, "MASTERING_DISPLAY_METADATA")
    if raw is not None and len(raw) >= 88:
        v = struct.unpack_from("=22i", raw)
        if v[21] and v[17] > 0 and v[19] > 0:          # has_luminance; denominators
            min_lum, max_lum = v[16] / v[17], v[18] / v[19]
    max_cll = max_fall = None
    raw = _side_data(frame, "CONTENT_LIGHT_LEVEL")
    if raw is not None and len(raw) >= 8:
        max_cll, max_fall = struct.unpack_from("=2I", raw)
    return HdrMetadata(max_lum, min_lum, max_cll, max_fall)


def hdr_params_for(source: Any, default_peak_nits: float = DEFAULT_PEAK_NITS,
                   reference_white_nits: float = REFERENCE_WHITE_NITS) -> HdrParams | None:
    """HdrParams for a decoded ``av.VideoFrame`` (or an ``av.VideoStream``), None if not PQ/HLG.

    Transfer from ``color_trc`` (16 PQ, 18 HLG); primaries from ``color_primaries``
    (BT.709, BT.2020, P3-D65; any other, unspecified included, is read as BT.2020).  PQ peak: MaxCLL when present and non-zero,
    else the mastering display's maximum luminance, else ``default_peak_nits``; capped at
    10000.  HLG: the 1000 cd/m² reference display (HLG is scene-referred; its metadata does
    not change the OOTF).  A stream gives the transfer only: PyAV 18 does not expose a
    stream's coded side data, so its peak is the default.
    """
    tags = source.codec_context if hasattr(source, "codec_context") else source
    trc = getattr(source, "color_trc", None)
    if trc is None:
        trc = getattr(tags, "color_trc", None)
    transfer = TRC.get(int(trc)) if trc is not None else None
    if transfer is None:
        return None
    primaries = primaries_for(getattr(tags, "color_primaries", None), Primaries.BT2020)
    assert primaries is not None
    if transfer is Transfer.HLG:
        return HdrParams(Transfer.HLG, DEFAULT_PEAK_NITS, reference_white_nits, primaries)
    peak = default_peak_nits
    if isinstance(source, av.VideoFrame) or hasattr(source, "side_data"):  # (hasattr would make the cycle)
        meta = hdr_metadata(source)
        if meta.max_cll:
            peak = float(meta.max_cll)
        elif meta.max_luminance and meta.max_luminance > 0:
            peak = meta.max_luminance
    return HdrParams(Transfer.PQ, min(peak, PQ_PEAK), reference_white_nits, primaries)


#: Where the source peak of a tone-mapped frame came from.
PEAK_FROM_CLL = "content_light_level"
PEAK_FROM_MASTERING = "mastering_display"
PEAK_FROM_DEFAULT = "default"
PEAK_FROM_HLG = "hlg_reference_display"
#: Dolby Vision findings.
DV_BASE = "base_layer"        #: RPU on an HDR10/HLG-compatible base, read as that base
DV_NO_BASE = "no_compatible_base"  #: RPU without one (profile 5): colours cannot be shown right


@dataclass(frozen=True)
class FrameHdr:
    """What one frame's tags and side data say. ``params`` is how to tone-map it (None when
    it is not PQ/HLG, or its matrix cannot be undone); ``peak_from`` where its peak came
    from; ``dolby_vision`` None, :data:`DV_BASE` or :data:`DV_NO_BASE`; ``undecoded``: the
    frame's transfer characteristics (H.273 code) when they are none streamprint can decode
    (:func:`~streamprint.color.transfer.decodes`: reserved ones), its values then shown as
    they are, as if sRGB."""

    transfer: Transfer | None
    params: HdrParams | None = None
    peak_from: str | None = None
    dolby_vision: str | None = None
    undecoded: int | None = None


def inherit_stream_tags(frame: Any, stream_trc: int | None, stream_colorspace: int | None,
                        stream_primaries: int | None = None) -> None:
    """A frame whose own transfer is unspecified takes the stream's when that is PQ or HLG
    (HEVC without colour information in the bitstream, tagged by its container; ProRes in
    MOV); a Y'CbCr frame whose own matrix is unspecified takes the stream's, HDR or not
    (ProRes whose header leaves it unspecified, in a MOV whose ``colr`` atom says BT.709:
    FFmpeg's decoder overwrites the container's tag with the header's, and a guess from the
    frame size would take BT.601 for anything under 720 lines); likewise the primaries."""
    if int(getattr(frame, "color_trc", None) or 2) in (0, 2) and stream_trc in TRC:
        frame.color_trc = stream_trc
    if frame.colorspace is not None and int(frame.colorspace) == 2 and not frame.format.is_rgb \
            and stream_colorspace not in (None, 0, 2):
        frame.colorspace = stream_colorspace
    if int(getattr(frame, "color_primaries", None) or 2) == 2 and stream_primaries not in (None, 0, 2):
        frame.color_primaries = stream_primaries


def frame_hdr(frame: Any) -> FrameHdr:
    """The HDR facts of a decoded frame (or anything with its ``color_trc``, ``colorspace``,
    ``format`` and ``side_data``)."""
    side = isinstance(frame, av.VideoFrame) or getattr(frame, "side_data", None) is not None
    dovi = side and any(_side_data(frame, k) is not None for k in ("DOVI_RPU_BUFFER", "DOVI_METADATA"))
    trc = getattr(frame, "color_trc", None)
    transfer = TRC.get(int(trc)) if trc is not None else None
    if transfer is None:
        undecoded = None if trc is None or decodes(int(trc)) else int(trc)
        return FrameHdr(None, dolby_vision=DV_NO_BASE if dovi else None, undecoded=undecoded)
    dv = DV_BASE if dovi else None
    if not readable(frame):
        return FrameHdr(transfer, dolby_vision=dv)
    params = hdr_params_for(frame)
    assert params is not None
    if transfer is Transfer.HLG:
        return FrameHdr(transfer, params, PEAK_FROM_HLG, dv)
    meta = hdr_metadata(frame)
    origin = PEAK_FROM_CLL if meta.max_cll else PEAK_FROM_MASTERING if (meta.max_luminance or 0) > 0 \
        else PEAK_FROM_DEFAULT
    return FrameHdr(transfer, params, origin, dv)
