"""Synthetic clips with known colours, for tests, benchmarks and the bundled sample.

Nothing here is needed to fingerprint a movie. Frames are described in sRGB 0-255 and
turned into Y'CbCr by exact BT.601/BT.709 arithmetic in numpy (not by swscale), so a test
that decodes them through swscale checks the decoder against independent maths.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np

#: Luma coefficients (Kr, Kb) of the two matrices video uses.
MATRICES = {"bt709": (0.2126, 0.0722), "bt601": (0.299, 0.114)}
#: FFmpeg's AVColorSpace values for them (BT.601 tagged as SMPTE 170M).
_COLORSPACE_TAG = {"bt709": 1, "bt601": 6}
_PRIMARIES_TAG = {"bt709": 1, "bt601": 6}
_TRC_TAG = {"bt709": 1, "bt601": 6}


def _ycbcr_planes(rgb: np.ndarray, matrix: str, full_range: bool, bits: int) -> list[np.ndarray]:
    """:func:`rgb_to_ycbcr`'s Y', Cb and Cr planes, float64 holding whole numbers. Worked a
    plane at a time and in place: the same operations on each value as the formula's, so the
    same results, in a fifth of the time at 1080p."""
    kr, kb = MATRICES[matrix]
    kg = 1.0 - kr - kb
    r, g, b = (rgb[..., c].astype(np.float64) for c in range(3))
    for x in (r, g, b):
        x /= 255.0
    y = kr * r
    t = kg * g
    y += t
    np.multiply(kb, b, out=t)
    y += t
    cb = np.subtract(b, y, out=b)
    cb /= 2.0 * (1.0 - kb)
    cr = np.subtract(r, y, out=r)
    cr /= 2.0 * (1.0 - kr)
    top = 2**bits - 1
    if full_range:
        y *= top
        for c in (cb, cr):
            c *= top
            c += 2 ** (bits - 1)
    else:
        scale = 2 ** (bits - 8)
        for c, (low, span) in ((y, (16, 219)), (cb, (128, 224)), (cr, (128, 224))):
            c *= span
            c += low
            c *= scale
    for c in (y, cb, cr):
        np.rint(c, out=c)
        np.clip(c, 0, top, out=c)
    return [y, cb, cr]


def rgb_to_ycbcr(rgb: np.ndarray, matrix: str = "bt709", full_range: bool = False,
                 bits: int = 8) -> np.ndarray:
    """Gamma-encoded R'G'B' (..., 3) uint8 0-255 to Y'CbCr (..., 3) of ``bits`` depth
    (uint8 or uint16), limited (16-235/240 at 8 bits) or full range, rounded:
    Y' = Kr R' + Kg G' + Kb B', Cb = (B' - Y') / (2 (1 - Kb)), Cr = (R' - Y') / (2 (1 - Kr))
    on 0-1 values, then Y' x 219 + 16 and C x 224 + 128 (x 2^(bits - 8)), or x (2^bits - 1)
    (+ 2^(bits - 1) for C) in full range."""
    planes = _ycbcr_planes(rgb, matrix, full_range, bits)
    return np.stack(planes, axis=-1).astype(np.uint8 if bits == 8 else np.uint16)


def yuv_frame(rgb: np.ndarray, matrix: str = "bt709", full_range: bool = False,
              bits: int = 8, chroma: str = "420") -> av.VideoFrame:
    """An (h, w, 3) uint8 sRGB image as a tagged Y'CbCr VideoFrame: yuv420p (chroma the mean
    of each 2x2 block; h and w even), yuv420p10le (``bits=10``) or yuv444p (``chroma="444"``,
    any size)."""
    h, w, _ = rgb.shape
    if chroma == "444":
        planes = np.stack(_ycbcr_planes(rgb, matrix, full_range, 8)).astype(np.uint8)
        frame = av.VideoFrame.from_ndarray(planes, format="yuv444p")
        frame.colorspace = _COLORSPACE_TAG[matrix]
        frame.color_range = 2 if full_range else 1
        return frame
    if h % 2 or w % 2:
        raise ValueError("yuv420 needs even width and height")
    y, cb, cr = _ycbcr_planes(rgb, matrix, full_range, bits)
    dtype = np.uint8 if bits == 8 else np.uint16
    flat = np.empty(h * w * 3 // 2, dtype=dtype)
    flat[:h * w] = y.ravel()
    quarter = h * w // 4
    for i, c in enumerate((cb, cr)):
        # the mean of each 2x2 block: sums of four whole numbers, then a quarter, are exact
        block = c[0::2, 0::2] + c[1::2, 0::2]
        block += c[0::2, 1::2]
        block += c[1::2, 1::2]
        block /= 4
        np.rint(block, out=block)
        flat[h * w + i * quarter:h * w + (i + 1) * quarter] = block.ravel()
    frame = av.VideoFrame.from_ndarray(flat.reshape(h * 3 // 2, w), format="yuv420p" if bits == 8 else "yuv420p10le")
    frame.colorspace = _COLORSPACE_TAG[matrix]
    frame.color_range = 2 if full_range else 1
    return frame


@dataclass(frozen=True)
class Encoding:
    """How a synthetic clip is encoded."""

    codec: str = "libx264"
    matrix: str = "bt709"
    full_range: bool = False
    bits: int = 8
    crf: int | None = 18
    """x264/x265 quality; 0 is lossless (in Y'CbCr)."""
    preset: str = "veryfast"
    gop: int | None = None
    extra: tuple[tuple[str, str], ...] = ()
    transfer: int | None = None
    """Override the transfer tag (e.g. 16 = PQ, 18 = HLG) to make HDR-tagged clips."""
    chroma: str = "420"
    """"420", or "444" for odd frame sizes."""
    rotation: int = 0
    """Display rotation to store in the container, degrees counter-clockwise (MP4/MOV)."""


def encode_clip(
    path: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    fps: float = 24.0,
    encoding: Encoding = Encoding(),
    times: Sequence[float] | None = None,
    container_format: str | None = None,
) -> int:
    """Encode sRGB frames ((h, w, 3) uint8) to ``path``; returns the number of frames.

    ``times`` (seconds) gives each frame its own timestamp, for variable-frame-rate clips;
    the container then gets a 1 ms time base."""
    enc = encoding
    options: dict[str, str] = {}
    if enc.codec in ("libx264", "libx265"):
        options["preset"] = enc.preset
        if enc.crf is not None:
            options["crf"] = str(enc.crf)
        if enc.codec == "libx264":
            options["x264-params"] = "log-level=error"
        else:
            options["x265-params"] = "log-level=error"
    options.update(dict(enc.extra))
    count = 0
    with av.open(os.fspath(path), "w", format=container_format) as container:
        rate = Fraction(fps).limit_denominator(1001)
        stream = container.add_stream(enc.codec, rate=rate, options=options)
        assert isinstance(stream, av.VideoStream)  # a video codec's (PyAV types it by the codec's name)
        if times is not None:
            stream.time_base = Fraction(1, 1000)
            stream.codec_context.time_base = Fraction(1, 1000)
        stream.pix_fmt = "yuv444p" if enc.chroma == "444" else "yuv420p" if enc.bits == 8 else "yuv420p10le"
        if enc.rotation:
            stream.set_display_rotation(enc.rotation)
        ctx = stream.codec_context
        ctx.colorspace = _COLORSPACE_TAG[enc.matrix]
        ctx.color_primaries = 9 if enc.transfer in (16, 18) else _PRIMARIES_TAG[enc.matrix]
        ctx.color_trc = enc.transfer if enc.transfer is not None else _TRC_TAG[enc.matrix]
        ctx.color_range = 2 if enc.full_range else 1
        if enc.gop:
            ctx.gop_size = enc.gop
        for i, rgb in enumerate(frames):
            if count == 0:
                stream.width, stream.height = rgb.shape[1], rgb.shape[0]
            frame = yuv_frame(rgb, enc.matrix, enc.full_range, enc.bits, enc.chroma)
            if enc.transfer is not None:
                frame.color_trc = enc.transfer
            frame.pts = round(times[i] * 1000) if times is not None else i
            if times is not None:
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
            count += 1
        for packet in stream.encode():
            container.mux(packet)
    return count


@dataclass(frozen=True)
class Segment:
    """A shot: a background colour with a moving square of an accent colour, sRGB 0-255."""

    background: tuple[int, int, int]
    accent: tuple[int, int, int]
    seconds: float


#: The sample clip's shots: distinct, saturated and neutral colours, one cut between each.
SAMPLE_SEGMENTS: tuple[Segment, ...] = (
    Segment((200, 40, 40), (240, 220, 60), 3.0),  # red, yellow square
    Segment((30, 60, 160), (250, 250, 250), 3.0),  # blue, white square
    Segment((40, 150, 70), (20, 20, 20), 3.0),  # green, black square
    Segment((230, 140, 30), (90, 40, 130), 3.0),  # orange, purple square
)

#: Side of the accent square as a fraction of the frame height.
ACCENT_FRACTION = 0.5


def segment_frames(segments: Sequence[Segment], size: tuple[int, int] = (320, 180),
                   fps: float = 24.0) -> Iterable[np.ndarray]:
    """Frames of ``segments`` in order: flat background, the accent square gliding across
    (moving content), an abrupt cut at each segment boundary."""
    for seg in segments:
        n = max(1, round(seg.seconds * fps))
        for i in range(n):
            yield segment_frame(seg, i, n, size)


def segment_frame(seg: Segment, i: int, n: int, size: tuple[int, int] = (320, 180)) -> np.ndarray:
    """Frame ``i`` of the ``n`` of ``seg``: its background, and the accent square moved
    ``i / (n - 1)`` of the way across."""
    w, h = size
    side = int(h * ACCENT_FRACTION) // 2 * 2
    frame = np.empty((h, w, 3), dtype=np.uint8)
    frame[:] = seg.background
    x = int((w - side) * i / max(1, n - 1)) // 2 * 2
    y = (h - side) // 2 // 2 * 2
    frame[y:y + side, x:x + side] = seg.accent
    return frame


def accent_share(size: tuple[int, int] = (320, 180)) -> float:
    """Share of the frame the accent square covers."""
    w, h = size
    side = int(h * ACCENT_FRACTION) // 2 * 2
    return side * side / (w * h)


def solid_frames(colors: Sequence[tuple[int, int, int]], size: tuple[int, int] = (64, 64),
                 repeat: int = 1) -> Iterable[np.ndarray]:
    """Each colour as ``repeat`` solid frames."""
    w, h = size
    for c in colors:
        for _ in range(repeat):
            yield np.full((h, w, 3), c, dtype=np.uint8)


def known_fingerprint(path: str, segments: Sequence[Segment], interval: float = 1.0, thumbnails: bool = False,
                      size: tuple[int, int] = (160, 90), colors: int = 5) -> Any:
    """The fingerprint a clip of ``segments`` would give at one sample every ``interval``
    seconds, made without encoding or decoding anything (for tests and benchmarks of what
    reads fingerprints: pages, galleries): each sample's colours are exactly its segment's
    background and accent, in their shares of the frame; ``thumbnails`` are of the frames
    :func:`segment_frames` would show. ``path`` is what its source says it was read from."""
    from .model import Fingerprint, Options, Palette, Sample, Sampling, SourceInfo
    from .thumbnails import ThumbnailCollector

    share = accent_share(size)
    samples, collector = [], ThumbnailCollector() if thumbnails else None
    start = 0.0
    for seg in segments:
        count = max(1, math.ceil(seg.seconds / interval - 1e-9))
        for k in range(count):
            t = start + k * interval
            palette = Palette.from_centroids(np.array([seg.background, seg.accent], np.float64),
                                             np.array([1 - share, share]), cut=k == 0)
            samples.append(Sample(round(t * 24), t, palette))
            if collector is not None:
                collector.add(len(samples) - 1, segment_frame(seg, k, count, size))
        start += seg.seconds
    info = SourceInfo(path, "synthetic", "none", size[0], size[1], size[0], 24.0, start, round(start * 24),
                      None, None, None, None)
    return Fingerprint(info, Options(sampling=Sampling.interval(interval), colors=colors), tuple(samples),
                       thumbnails=None if collector is None else collector.result())
