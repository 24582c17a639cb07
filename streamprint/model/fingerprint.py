"""A fingerprint and what travels with it: the source's metadata, decode counts,
progress reports, and how it is drawn (:class:`RenderOptions`)."""

from __future__ import annotations

import os
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .. import __version__, params
from ..enums import ImageFormat, Order, Style
from ..errors import InvalidValue, ParameterError
from .colors import MAX_SECONDS, Palette, Sample, _set, real, whole
from .samples import Samples
from .sampling import Options
from .thumbnails import Thumbnails
from .timerange import TimeRange

#: The display rotations a source may have, degrees counter-clockwise.
ROTATIONS = (0, 90, 180, 270)
#: The largest size of a video, stored or displayed, pixels: FFmpeg holds a frame's sizes,
#: and the displayed size a pixel aspect makes, in a C int (av_image_check_sar).
MAX_DIMENSION = 2**31 - 1


@dataclass(frozen=True)
class SourceInfo:
    """What is known about a video before decoding it (its rotation: once a frame is).
    Sizes in pixels, times in seconds."""

    path: str
    container: str
    codec: str
    width: int
    height: int
    display_width: int
    """Width as displayed: after the sample aspect ratio, and turned by ``rotation``."""
    frame_rate: float | None
    """Average frames per second, when the container states it."""
    duration: float | None
    """Best estimate of the stream's duration, or None (pipes, some MKV/TS)."""
    frame_count: int | None
    """Best estimate of the number of frames, or None."""
    pix_fmt: str | None
    colorspace: str | None
    color_range: str | None
    color_transfer: str | None
    pixel_aspect: float = 1.0
    rotation: int = 0
    """Degrees counter-clockwise a player turns the picture by (its display matrix): 0, 90,
    180 or 270. Known once a frame is decoded (:meth:`turned`); files from before it: 0."""
    display_height: int = 0
    """Height as displayed, turned like ``display_width``; 0 (the default): ``height``."""

    def __post_init__(self) -> None:
        for name in ("path", "container", "codec"):
            if not isinstance(getattr(self, name), str):
                raise InvalidValue(f"a source's {name} must be text")
        if not whole(self.rotation, 0) or self.rotation not in ROTATIONS:
            raise InvalidValue(f"a source's rotation must be one of {ROTATIONS} degrees, got {self.rotation!r}")
        if whole(self.display_height, 0) and self.display_height == 0:
            _set(self, display_height=self.height)
        for name in ("width", "height", "display_width", "display_height"):
            if not whole(getattr(self, name), 1) or getattr(self, name) > MAX_DIMENSION:
                raise InvalidValue(f"a source's {name} must be a whole number of pixels from 1 to {MAX_DIMENSION}, "
                                   f"got {getattr(self, name)!r}")
        for name in ("frame_rate", "duration", "pixel_aspect"):
            value = getattr(self, name)
            if (value is not None or name == "pixel_aspect") and not real(value, 0, above=True):
                raise InvalidValue(f"a source's {name} must be a finite number > 0, got {value!r}")
        if self.duration is not None and self.duration > MAX_SECONDS:
            raise InvalidValue(f"a source's duration must be at most {MAX_SECONDS:g} s, got {self.duration!r}")
        if self.frame_count is not None and not whole(self.frame_count, 0):
            raise InvalidValue(f"a source's frame_count must be a whole number >= 0, got {self.frame_count!r}")

    def turned(self, rotation: int) -> SourceInfo:
        """This source as a player shows it, turned ``rotation`` degrees counter-clockwise:
        a quarter turn more or less swaps the displayed width and height."""
        info = replace(self, rotation=rotation)  # (checked there)
        if (rotation - self.rotation) % 180:
            return replace(info, display_width=self.display_height, display_height=self.display_width)
        return info

    @property
    def hdr(self) -> bool:
        """True when the stream is tagged PQ or HLG. Frames are tone-mapped (or not) from
        their own tags, so a stream can switch: :class:`ColorReport` says what was done."""
        return self.color_transfer in {"PQ", "HLG"}


@dataclass(frozen=True)
class DecodeStats:
    """Counts gathered while decoding."""

    frames: int
    """Frames in presentation order up to the last one delivered, skipped ones included."""
    corrupt_packets: int
    corrupt_frames: int
    skipped: int = 0
    """Non-reference frames the decoder was told to drop because no sample could need them."""
    discontinuities: int = 0
    """Places where the timestamps jumped (back, or far forward in MPEG-TS/PS) and the
    timeline was joined: the part after each continues right after the part before."""


#: What a ColorReport may say about Dolby Vision and about where a source peak came from.
DOLBY_VISION = ("base_layer", "no_compatible_base")
PEAK_SOURCES = ("content_light_level", "mastering_display", "default", "hlg_reference_display")
TRANSFERS = ("hlg", "pq")


@dataclass(frozen=True)
class ColorReport:
    """What the sampled frames' colour conversion found and did.

    ``hdr_samples``: sampled frames tagged PQ or HLG; ``tone_mapped``: of those, the ones
    tone-mapped to SDR (all of them unless ``tonemap`` is off or a frame's matrix cannot be
    undone); ``transfers``: the HDR transfers seen; ``peak_nits``: the largest source peak
    used, cd/m², and ``peak_from``: where the peaks came from (:data:`PEAK_SOURCES`);
    ``dolby_vision``: what Dolby Vision frames were found (:data:`DOLBY_VISION`: an
    HDR10/HLG-compatible base layer, read as that, or none). Tuples are sorted."""

    hdr_samples: int = 0
    tone_mapped: int = 0
    transfers: tuple[str, ...] = ()
    peak_nits: float | None = None
    peak_from: tuple[str, ...] = ()
    dolby_vision: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.tone_mapped <= self.hdr_samples:
            raise InvalidValue("tone_mapped must be from 0 to hdr_samples")
        if self.peak_nits is not None and not 0 < self.peak_nits <= 10000:
            raise InvalidValue("peak_nits must be in (0, 10000] cd/m²")
        for name, allowed in (("transfers", TRANSFERS), ("peak_from", PEAK_SOURCES), ("dolby_vision", DOLBY_VISION)):
            values = tuple(sorted(set(getattr(self, name))))
            if not set(values) <= set(allowed):
                raise InvalidValue(f"{name} must be among {', '.join(allowed)}, got {values}")
            _set(self, **{name: values})
        _set(self, peak_nits=None if self.peak_nits is None else float(self.peak_nits))

    def add(self, transfer: str | None, tone_mapped: bool, peak_nits: float | None = None,
            peak_from: str | None = None, dolby_vision: str | None = None) -> ColorReport:
        """This report with one more sampled frame."""
        hdr = transfer is not None
        peak = self.peak_nits if peak_nits is None else max(peak_nits, self.peak_nits or 0.0)
        return ColorReport(self.hdr_samples + hdr, self.tone_mapped + (hdr and tone_mapped),
                           self.transfers + ((transfer,) if transfer is not None else ()), peak,
                           self.peak_from + ((peak_from,) if peak_from else ()),
                           self.dolby_vision + ((dolby_vision,) if dolby_vision else ()))


@dataclass(frozen=True)
class Progress:
    """Reported after every sample: ``samples`` taken so far of the ``expected`` number.
    ``expected`` and ``duration`` are None when unknown."""

    samples: int
    expected: int | None
    time: float
    """Position in the movie, seconds."""
    duration: float | None
    """The movie's duration, seconds."""
    frames: int
    """Frames decoded so far, skipped non-reference frames included (the frame index + 1)."""
    start: float = 0.0
    """Where the part read begins, seconds (0: the movie's start)."""
    end: float | None = None
    """Where the part read ends, seconds (None: where the movie does)."""


@dataclass(frozen=True, init=False)
class RenderOptions:
    """How a fingerprint is drawn, for every command that draws. Sizes are pixels.

    ``height`` is the picture's height (for ``ring``, the ring's diameter unless ``width``
    is smaller); ``column_width`` the width of each sample's column in a strip (with
    keyframe sampling, pixels per second of film); ``width`` the picture's total width, for
    every style, its columns resampled by time (see
    :func:`streamprint.render.columns_for_width`). With neither ``width`` nor
    ``column_width`` a strip is at least :data:`streamprint.params.MIN_WIDTH` px wide.
    ``background`` is the sRGB colour transparent parts of a ring become in JPEG, which has
    no transparency; another than the default (white) where it fills nothing (another style
    or format) is a ParameterError, as ``title`` is on a style that is not a plot; ``format`` is the file format (see :meth:`for_path`)."""

    style: Style
    order: Order
    height: int
    column_width: int | None
    width: int | None
    title: str | None
    background: tuple[int, int, int]
    format: ImageFormat
    smooth: int | None
    """Radius in columns of the ``smooth`` style's blend (given as None:
    :data:`~streamprint.params.DEFAULT_SMOOTH`); None for every other style, with which
    one given is a ParameterError, as ``title`` is (it was ignored)."""

    # Written out, not made by @dataclass: it takes a choice's name as well as its enum
    # member (``style="ring"``) and a colour as ``"#rrggbb"`` or ``"r,g,b"``, where the
    # fields hold only the checked value.
    def __init__(self, style: Style | str = Style.STACKED, order: Order | str = Order.WEIGHT, height: int = 200,
                 column_width: int | None = None, width: int | None = None, title: str | None = None,
                 background: tuple[int, int, int] | str = params.DEFAULT_BACKGROUND, format: ImageFormat | str = ImageFormat.PNG,
                 smooth: int | None = None) -> None:
        style = params.check("style", style)
        if smooth is not None or style == Style.SMOOTH:  # (another style's is refused by check_render)
            smooth = params.check("smooth", params.DEFAULT_SMOOTH if smooth is None else smooth)
        _set(self, style=style, order=params.check("order", order),
             height=params.check("height", height), column_width=params.check("column_width", column_width),
             width=params.check("width", width), title=params.check("title", title),
             background=params.check("background", background), format=params.check("image_format", format),
             smooth=smooth)
        params.check_render(self, None)

    @classmethod
    def for_path(cls, path: str | os.PathLike[str], **options: Any) -> RenderOptions:
        """Options for writing to ``path``, in the format its extension names (.png, .jpg or
        .jpeg, .webp, .svg, .pdf, or .html or .htm: the movie's page); any other extension,
        or one the style cannot be drawn in (.pdf is for plots), is a ParameterError. A
        ``format`` among ``options`` must be the one the extension names (it was a
        TypeError, "multiple values for keyword argument"), and an option RenderOptions
        has not is a ParameterError naming it."""
        fmt = params.image_format_for(path)
        unknown = sorted(set(options) - set(cls.__dataclass_fields__))
        if unknown:
            raise ParameterError(unknown[0], f"is not a drawing option; they are: {', '.join(cls.__dataclass_fields__)}")
        if "format" in options:
            params.check_extension(path, params.check("image_format", options.pop("format")), "path")
        return cls(format=fmt, **options)


#: A fingerprint's default time range: all of the movie.
_WHOLE_MOVIE = TimeRange()


@dataclass(frozen=True, init=False)
class Fingerprint:
    """A movie's colour fingerprint: its samples, the options used, and the source's metadata.

    ``samples`` may be given as any sequence of :class:`Sample`; it is held compactly as
    :class:`~.samples.Samples`. ``time_range`` is the part of the movie that was read,
    resolved for this movie (an end counted back from the end is a time from the start);
    ``TimeRange()`` for the whole movie."""

    source: SourceInfo
    options: Options
    samples: Samples
    decode: DecodeStats
    version: str
    color: ColorReport
    movie_palette: Palette | None
    """The movie's own palette: its ``options.colors`` dominant colours, weighted by time
    (see :func:`streamprint.summary.movie_palette`); computed from the samples when not
    given (None only for a fingerprint without samples)."""
    thumbnails: Thumbnails | None
    """Small pictures of some of the sampled frames (for a page), or None."""
    time_range: TimeRange

    # Written out, not made by @dataclass: ``samples`` may be any iterable of Sample.
    def __init__(self, source: SourceInfo, options: Options, samples: Iterable[Sample],
                 decode: DecodeStats = DecodeStats(0, 0, 0), version: str = __version__,
                 color: ColorReport = ColorReport(), movie_palette: Palette | None = None,
                 thumbnails: Thumbnails | None = None, time_range: TimeRange = _WHOLE_MOVIE) -> None:
        if not isinstance(source, SourceInfo) or not isinstance(options, Options):
            raise InvalidValue("a fingerprint's source must be a SourceInfo and its options an Options")
        # (a fingerprint made with others was drawn, then failed to save, or saved a file
        # Fingerprint.load refused: a version of 5)
        if not isinstance(decode, DecodeStats) or not isinstance(color, ColorReport) or not isinstance(version, str):
            raise InvalidValue("a fingerprint's decode must be a DecodeStats, its color a ColorReport and its "
                               "version text")
        _set(self, source=source, options=options, decode=decode, version=version, color=color,
             movie_palette=movie_palette, thumbnails=thumbnails, time_range=time_range,
             samples=Samples.of(samples))  # frames and times increasing (SampleStore)
        if not isinstance(self.time_range, TimeRange) or not self.time_range.resolved:
            raise InvalidValue("a fingerprint's time_range must be a TimeRange with its end, if any, from the start")
        if self.samples.colors > self.options.colors:
            raise InvalidValue(f"a sample's palette has more than the options' {self.options.colors} colours")
        if self.samples:
            first, last, span = float(self.times[0]), float(self.times[-1]), self.time_range
            if first < span.start or (span.end is not None and last >= span.end):
                # the first sample outside it (times increase), not all of them
                end = "" if span.end is None else f" to {span.end:g}"
                outside = first if span.end is None or first < span.start \
                    else float(self.times[np.searchsorted(self.times, span.end)])
                raise InvalidValue(f"a sample at {outside:g} s lies outside the time range, {span.start:g}{end} s")
        if self.movie_palette is None and self.samples:
            from .. import summary  # imported on use, like the delegations below

            _set(self, movie_palette=summary.movie_palette(self))
        if self.movie_palette is not None and not isinstance(self.movie_palette, Palette):
            raise InvalidValue("movie_palette must be a Palette")
        if self.movie_palette is not None and len(self.movie_palette) > self.options.colors:
            raise InvalidValue(f"the movie's palette has more than {self.options.colors} colours")
        if self.thumbnails is not None:
            if not isinstance(self.thumbnails, Thumbnails):
                raise InvalidValue("thumbnails must be a Thumbnails value")
            if self.thumbnails.indices and self.thumbnails.indices[-1] >= len(self.samples):
                raise InvalidValue(f"a thumbnail of sample {self.thumbnails.indices[-1]}, but there are "
                                 f"{len(self.samples)} samples")

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def palettes(self) -> list[Palette]:
        """Each sample's palette (for the whole movie's, see :attr:`movie_palette`)."""
        return [s.palette for s in self.samples]

    def share_near(self, color: Any, threshold: float = params.DEFAULT_THRESHOLD) -> float:
        """The share of the movie's time (0-1) whose colours lie within CIEDE2000
        ``threshold`` of ``color``: see :func:`streamprint.summary.share_near`."""
        from ..summary import share_near

        return share_near(self, color, threshold)

    @property
    def times(self) -> np.ndarray:
        """Sample times in seconds, float64, shape (n,), read-only."""
        return self.samples.times

    @property
    def end(self) -> float | None:
        """Where the fingerprinted part ends, seconds: the range's end or the stream's (the
        earlier of the two), None when neither is known."""
        ends = [e for e in (self.source.duration, self.time_range.end) if e is not None]
        return min(ends) if ends else None

    def spans(self) -> np.ndarray:
        """Seconds each sample stands for: until the next sample; the last one until the end
        of the range or the stream (or the median span when neither is known). float64, (n,)."""
        t = self.times
        if len(t) == 0:
            return np.array(t)
        gaps = np.diff(t)
        end = self.end
        # statistics, not np.median: that imports numpy.ma (12-15 ms) on its first call
        typical = float(statistics.median(gaps.tolist())) if len(gaps) else 1.0
        last = end - t[-1] if end is not None and end > t[-1] else typical
        return np.maximum(np.append(gaps, last), 0.0)

    # Thin delegations, imported on use: loading data never imports PIL or matplotlib.

    def render(self, height: int = 200, column_width: int | None = None, order: Order | str = Order.WEIGHT,
               width: int | None = None, style: Style | str = Style.STACKED, smooth: int | None = None) -> np.ndarray:
        """The strip as an (height, width, 3) uint8 sRGB array (a ring: (height, width, 4)
        RGBA): see :func:`streamprint.render.draw`. One 1-px column per sample unless told
        otherwise (``column_width``, or ``width`` resampled by time; not both); made with
        keyframe sampling (``--fast``), 1 px per second of film instead, its columns as wide
        as their time."""
        from ..render import draw

        if column_width is None and width is None and params.check("style", style) not in (Style.RING, Style.PLOT):
            column_width = 1
        options = RenderOptions(style=style, order=order, height=height, column_width=column_width,
                                width=width, smooth=smooth)
        return draw(self, options)

    def save_image(self, path: str | os.PathLike[str], *, overwrite: bool = False, **options: Any) -> None:
        """Draw and write atomically: :func:`streamprint.render.save_image` with
        ``RenderOptions.for_path(path, **options)``. A file at ``path`` that streamprint did
        not write is replaced only with ``overwrite`` (else :class:`~streamprint.ForeignFileError`)."""
        from ..render import save_image

        save_image(self, path, RenderOptions.for_path(path, **options), overwrite=overwrite)

    def save(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> None:
        """Write as JSON, or CSV when ``path`` ends in ``.csv`` (``.gpl``, ``.ase``, ``.css``:
        the movie's own palette alone, for design tools); atomically. A file at
        ``path`` that streamprint did not write is replaced only with ``overwrite`` (else
        :class:`~streamprint.ForeignFileError`)."""
        from ..formats import write_fingerprint

        write_fingerprint(self, path, overwrite=overwrite)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Fingerprint:
        """Read a fingerprint written by :meth:`save` (JSON or CSV), validating every field."""
        from ..formats import read_fingerprint

        return read_fingerprint(path)

    def to_dict(self) -> dict[str, Any]:
        """The JSON data :meth:`save` writes."""
        from ..formats.fingerprint import fingerprint_to_dict

        return fingerprint_to_dict(self)
