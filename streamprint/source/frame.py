"""One decoded frame, and its conversion to the sRGB image a viewer sees: downscaled and
converted inside libswscale in one call (HDR: to 16-bit Y'CbCr, then tone-mapped in float),
so frames the sampler drops cost only their decode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import av
import av.error
import numpy as np
from av.video.reformatter import Colorspace, VideoReformatter

from ..color.alpha import area_weighted, edge_counted
from ..color.primaries import Primaries, primaries_for
from ..color.tonemap import sdr_to_srgb, tonemap_to_srgb
from ..color.transfer import CONVERTED
from .. import params
from ..enums import ToneMap
from ..errors import UnconvertibleFrameError
from .convert import (SDR_SCALING, STORED_SIZE_SCALING, SWSCALE_THREADS, UNTAGGED_CODES, analysis_size,
                      untagged_matrix, widened)
from .hdr import FrameHdr, frame_hdr
from .signal import IDENTITY, YCGCO, frame_to_signal_rgb, is_gray, matrix_of, misread_by_swscale



#: Demuxers with no pixel aspect of their own (MPEG transport and program streams, raw
#: elementary streams): the codec's, which may change mid-stream, is the only one.
CODEC_ASPECT_FORMATS = frozenset({"mpegts", "mpegtsraw", "mpeg", "mpegvideo", "h264", "hevc", "m4v", "vc1",
                                  "h261", "h263", "cavsvideo", "avs2", "vvc"})



class FrameAspect:
    """The pixel aspect of each frame as it is decoded: in a container with an aspect of its
    own (MKV, MP4, ...), its one (:func:`.probe.probe`'s ``pixel_aspect``), which wins over
    the codec's as in FFmpeg's ``av_guess_sample_aspect_ratio``; in one without
    (:data:`CODEC_ASPECT_FORMATS`), the decoder's current one, which follows the stream: a
    DVB recording that switches between 4:3 and 16:9, or from SD to HD, had every thumbnail
    in its first shape. (The decoder's reorder delay may put a switch a frame or two early.)"""

    def __init__(self, stream: av.video.stream.VideoStream, stated: float, container: str) -> None:
        self._ctx, self._stated = stream.codec_context, stated
        self._follow = container in CODEC_ASPECT_FORMATS

    def __call__(self) -> float:
        """The pixel aspect of the frame the decoder just delivered."""
        return (_ratio(self._ctx.sample_aspect_ratio) or self._stated) if self._follow else self._stated


def _ratio(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return v if v > 0 and np.isfinite(v) else None


@dataclass(frozen=True)
class SourceFrame:
    """One decoded frame. ``time`` is seconds since the stream's start, from FFmpeg's
    best-effort timestamp, on a timeline that always increases (see :mod:`.timeline`).
    ``pts`` is that timestamp in the stream's time base when a later pass can find the frame
    by it (a checkpoint's resume point); None when it cannot (no timestamps, unreliable pts,
    or after a discontinuity, where the same timestamp may occur twice)."""

    index: int
    time: float
    frame: av.VideoFrame = field(repr=False, compare=False)
    pts: int | None = None
    pixel_aspect: float = 1.0
    """Sample aspect ratio of the stream (display width of one stored pixel)."""
    reformatter: VideoReformatter | None = field(default=None, repr=False, compare=False)
    """Shared by a source's frames: swscale's context and threads are built once, not per
    frame (measured 3x faster on 1080p)."""

    @property
    def rotation(self) -> int:
        """Display rotation in degrees counter-clockwise: 0, 90, 180 or 270."""
        return int(round(float(self.frame.rotation or 0) / 90.0)) % 4 * 90

    def analysis_size(self, long_side: int) -> tuple[int, int]:
        """(width, height) in pixels of the stored frame scaled so the *displayed* long side
        is ``long_side`` (never upscaled), keeping the display aspect ratio."""
        return analysis_size(self.frame.width, self.frame.height, self.pixel_aspect, long_side)

    def to_rgb(self, long_side: int, tonemap: ToneMap | str = ToneMap.AUTO) -> np.ndarray:
        """The frame as sRGB a viewer sees: :meth:`convert`'s image, without its alpha."""
        return self.convert(long_side, tonemap)[0][..., :3]

    def convert(self, long_side: int, tonemap: ToneMap | str = ToneMap.AUTO) -> tuple[np.ndarray, FrameHdr]:
        """:meth:`_convert`; a frame libswscale cannot scale is an
        :class:`~streamprint.errors.UnconvertibleFrameError` (it was "a bug"). ``long_side``
        is an analysis size and ``tonemap`` a :class:`~streamprint.enums.ToneMap` (or its
        name), as :func:`streamprint.fingerprint` takes them (:data:`~streamprint.params.RULES`),
        else a ParameterError: text was compared with a number (TypeError), a fraction taken
        as it was, and any ``tonemap`` taken by truthiness ("off" tone-mapped)."""
        long_side = params.check("long_side", long_side, "analysis_size")
        mapped = params.check("tonemap", tonemap) == ToneMap.AUTO
        try:
            return self._convert(long_side, mapped)
        except av.error.FFmpegError as exc:
            if isinstance(exc, MemoryError):  # the machine's trouble, not the frame's
                raise
            width, height = self.analysis_size(long_side)
            raise UnconvertibleFrameError(
                f"a {self.frame.width} x {self.frame.height} frame of pixel aspect {self.pixel_aspect:g} cannot be "
                f"scaled to {width} x {height}: {exc.strerror}") from None

    def _convert(self, long_side: int, tonemap: bool = True) -> tuple[np.ndarray, FrameHdr]:
        """Downscale so the displayed long side is ``long_side`` pixels and convert to sRGB;
        also what the frame's own tags say about HDR (:func:`.hdr.frame_hdr`).

        SDR (and HDR with ``tonemap`` False): one libswscale call with AREA interpolation
        (averages the covered pixels) to rgb24 (:data:`.convert.SDR_SCALING`; 15/16-bit
        RGB :func:`.convert.widened` first). PQ/HLG with ``tonemap``: one libswscale call
        to 16-bit Y'CbCr at the analysis size, then the matrix undone and the tone curve
        applied in float32 (:func:`~streamprint.color.tonemap.tonemap_to_srgb`), with no 8-bit
        step before it. SDR in BT.2020 or P3-D65 primaries, grey frames and YCgCo take that float
        path too, then :func:`~streamprint.color.tonemap.sdr_to_srgb`; so do identity-matrix Y'CbCr
        frames (G, B, R planes), which libswscale's RGB output reads as BT.601 Y'CbCr; full-range
        frames of more than 8 bits, whose codes it reads off H.273
        (:func:`~.signal.misread_by_swscale`); and SDR transfers other than BT.709's and the sRGB
        curve (linear light, gamma 2.2, ...: :data:`~streamprint.color.transfer.CONVERTED`),
        decoded to light there. A matrix nothing
        converts (ICtCp, BT.2020 constant luminance, ...) raises
        :class:`~streamprint.errors.UnsupportedColorError`, except on a Dolby Vision frame
        without a compatible base, already reported: that one is read as untagged.

        The image has shape (height, width, 3), dtype uint8, values 0-255, in display orientation;
        a frame with an alpha channel (GIF, APNG, QuickTime RLE, ProRes 4444, WebM with alpha,
        ...) gives (height, width, 4) RGBA, scaled straight (one more libswscale call for the
        alpha plane), unless that counts a partly transparent pixel
        (:func:`~streamprint.color.alpha.edge_counted`): then converted at its stored size and
        scaled by area with each pixel's colour weighted by its alpha
        (:func:`~streamprint.color.alpha.area_weighted`), so the colour a transparent pixel
        hides leaks into no edge pixel. Frames without alpha are not slowed.
        """
        width, height = self.analysis_size(long_side)
        reformatter = self.reformatter or VideoReformatter()
        frame = self.frame
        hdr = frame_hdr(frame)
        matrix = matrix_of(frame, fallback=hdr.dolby_vision is not None)
        assumed = untagged_matrix(frame)     # for swscale: untagged, or tagged with what it cannot read
        sws_assumed = None if assumed is None else Colorspace[assumed]  # (as PyAV reads the name)
        pixels = widened(frame)              # (the tags are read from the frame itself)
        alpha = any(c.is_alpha for c in pixels.format.components)
        # an alpha frame scaled straight first; if that counts a partly transparent pixel, it is
        # converted at its stored size and scaled here, alpha-weighted (.color.alpha)
        # (at its stored size: each pixel's own chroma, not a blend with a hidden neighbour's)
        unscaled = (width, height) == (pixels.width, pixels.height)
        straight = reformatter.reformat(pixels, width=width, height=height, format="rgba",
                                        interpolation=STORED_SIZE_SCALING if unscaled else SDR_SCALING,
                                        src_colorspace=sws_assumed, threads=SWSCALE_THREADS).to_ndarray() if alpha else None
        weighted = straight is not None and not unscaled and edge_counted(straight[..., 3])
        size: tuple[int, int] = (pixels.width, pixels.height) if weighted else (width, height)
        # SDR primaries: only those in the table are converted (BT.601's are shown as BT.709,
        # as players do); PQ/HLG left alone with tonemap off keeps the plain conversion
        primaries = primaries_for(getattr(frame, "color_primaries", None), Primaries.BT709) \
            if hdr.transfer is None else Primaries.BT709
        transfer = int(getattr(frame, "color_trc", None) or 2)  # (0, reserved, as unspecified)
        finish: Callable[[np.ndarray], np.ndarray]
        if tonemap and hdr.params is not None:
            signal = frame_to_signal_rgb(pixels, *size, reformatter, matrix)
            finish = partial(tonemap_to_srgb, params=hdr.params)
        elif matrix in (YCGCO, IDENTITY) or primaries is not Primaries.BT709 or is_gray(frame) \
                or transfer in CONVERTED or misread_by_swscale(pixels):
            if matrix == 2:
                matrix = UNTAGGED_CODES.get(assumed, 1)  # type: ignore[arg-type]
            signal = frame_to_signal_rgb(pixels, *size, reformatter, matrix)
            finish = partial(sdr_to_srgb, primaries=primaries, transfer=transfer)
        elif straight is not None and not weighted:
            signal, finish = straight[..., :3], _to_uint8
        else:
            signal = reformatter.reformat(pixels, width=size[0], height=size[1],
                                          format="rgba" if alpha else "rgb24", src_colorspace=sws_assumed,
                                          interpolation=STORED_SIZE_SCALING if alpha else SDR_SCALING,
                                          threads=SWSCALE_THREADS).to_ndarray()
            finish = _to_uint8
        if weighted:  # the alpha plane at the stored size (the float paths: ProRes 4444 XQ in PQ, ...)
            opacity = signal[..., 3] if signal.shape[-1] == 4 else reformatter.reformat(
                pixels, format="rgba", src_colorspace=sws_assumed, threads=SWSCALE_THREADS).to_ndarray()[..., 3]
            signal, opacity = area_weighted(signal[..., :3], opacity, width, height)
            rgb = np.dstack([finish(signal), opacity])
        elif straight is not None:
            rgb = np.dstack([finish(signal), straight[..., 3]])
        else:
            rgb = finish(signal)
        if self.rotation:
            rgb = np.ascontiguousarray(np.rot90(rgb, k=self.rotation // 90))
        return rgb, hdr


def _to_uint8(rgb: np.ndarray) -> np.ndarray:
    """8-bit R'G'B' as it is; alpha-weighted means (float, 0-255) rounded."""
    return rgb if rgb.dtype == np.uint8 else np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
