"""The pipeline: source -> sampler -> clusterer, and the :class:`Fingerprint` it produces.

A fingerprint is plain data (sample times, colours, weights, plus where they came from),
so it can be saved as JSON or CSV, loaded back, and rendered again without decoding.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np
from threadpoolctl import threadpool_limits

from . import __version__
from .atomic import atomic_output
from .clusterer import DEFAULT_ANALYSIS_SIZE, Algorithm, crop_letterbox, FrameClusterer, Palette, from_hex, to_hex
from .colorspace import Space, check_space
from .errors import DataFormatError, InputNotFoundError, UsageError
from .renderer import Order, Style, plot, render, render_stacked, svg, write_image
from .sampler import Sampling, select, target_test
from .source import DecodeStats, ResumePoint, SourceInfo, VideoSource

log = logging.getLogger("streamprint")

Crop = Literal["auto", "none"]
CROPS: tuple[str, ...] = ("auto", "none")

FORMAT_NAME = "streamprint-fingerprint"
FORMAT_VERSION = 1



@dataclass(frozen=True)
class Options:
    """Everything that decides a fingerprint's content (not how it is drawn)."""

    sampling: Sampling = field(default_factory=Sampling.default)
    colors: int = 5
    algorithm: Algorithm = "kmeans"
    seed: int = 0
    analysis_size: int = DEFAULT_ANALYSIS_SIZE
    """Long side in pixels of the downscaled frame that is clustered."""
    space: Space = "rgb"
    """Colour space the clustering happens in (results are always sRGB)."""
    crop: Crop = "auto"
    """``"auto"``: leave letterbox / pillarbox black bars out of the clustering."""

    def __post_init__(self) -> None:
        check_space(self.space)
        if self.crop not in CROPS:
            raise UsageError(f"--crop must be one of {', '.join(CROPS)}, got {self.crop!r}")
        if not isinstance(self.sampling, Sampling):
            raise UsageError("sampling must be a Sampling")
        if not isinstance(self.analysis_size, int) or not 8 <= self.analysis_size <= 4096:
            raise UsageError(f"--analysis-size must be from 8 to 4096 pixels, got {self.analysis_size!r}")
        # FrameClusterer validates colours, algorithm and seed.
        FrameClusterer(self.colors, self.algorithm, self.seed, space=self.space)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sampling": self.sampling.to_dict(),
            "colors": self.colors,
            "algorithm": self.algorithm,
            "seed": self.seed,
            "analysis_size": self.analysis_size,
            "space": self.space,
            "crop": self.crop,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Options:
        return cls(
            sampling=Sampling.from_dict(data["sampling"]),
            colors=int(data["colors"]),
            algorithm=data["algorithm"],
            seed=int(data["seed"]),
            analysis_size=int(data["analysis_size"]),
            space=data.get("space", "rgb"),
            crop=data.get("crop", "none"),
        )


@dataclass(frozen=True)
class Sample:
    """One column: the frame's index (presentation order), its time in seconds, its palette."""

    frame: int
    time: float
    palette: Palette


def sample_to_dict(s: Sample) -> dict[str, Any]:
    """A sample as plain JSON data (colours as #rrggbb and [r, g, b])."""
    return {
        "frame": s.frame,
        "time": s.time,
        "colors": s.palette.hex,
        "rgb": s.palette.colors.tolist(),
        "weights": s.palette.weights.tolist(),
        "inertia": s.palette.inertia,
        "cut": s.palette.cut,
        "average": None if s.palette.mean is None else to_hex(s.palette.mean),
    }


def sample_from_dict(d: Mapping[str, Any]) -> Sample:
    palette = Palette(
        np.array(d["rgb"], dtype=np.uint8).reshape(-1, 3),
        np.array(d["weights"], dtype=np.float64),
        float(d.get("inertia", 0.0)),
        bool(d.get("cut", False)),
        None if not d.get("average") else np.array(from_hex(d["average"]), np.uint8),
    )
    return Sample(frame=int(d["frame"]), time=float(d["time"]), palette=palette)


@dataclass(frozen=True)
class Progress:
    """Reported after every sample. ``expected`` and ``duration`` are None when unknown."""

    samples: int
    expected: int | None
    time: float
    """Position in the movie, seconds."""
    duration: float | None
    frames: int
    """Frames decoded so far."""


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class Fingerprint:
    """A movie's colour fingerprint: its samples, the options used, and the source's metadata."""

    source: SourceInfo
    options: Options
    samples: tuple[Sample, ...]
    decode: DecodeStats = DecodeStats(0, 0, 0)
    version: str = __version__

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def palettes(self) -> list[Palette]:
        return [s.palette for s in self.samples]

    @property
    def times(self) -> np.ndarray:
        """Sample times in seconds, float64, shape (n,)."""
        return np.array([s.time for s in self.samples], dtype=np.float64)

    def spans(self) -> np.ndarray:
        """Seconds each sample stands for: until the next sample; the last one until the end
        of the stream (or the median span when the duration is unknown). float64, (n,)."""
        t = self.times
        if len(t) == 0:
            return t
        gaps = np.diff(t)
        end = self.source.duration
        typical = float(np.median(gaps)) if len(gaps) else 1.0
        last = end - t[-1] if end is not None and end > t[-1] else typical
        return np.maximum(np.append(gaps, last), 0.0)

    def render(self, height: int = 200, column_width: int = 1, order: Order = "weight",
               width: int | None = None, style: Style = "stacked", smooth: int = 5) -> np.ndarray:
        """The strip as a (height, width, 3) uint8 sRGB array, in any raster style but
        ``plot`` (see :meth:`plot`); for ``ring``, ``height`` is the diameter.

        Columns are ``column_width`` px each, so width = n x column_width; except for
        keyframe sampling, where each column's width is proportional to the time it stands
        for and ``width`` defaults to one ``column_width`` per second of film."""
        widths = None
        if self.options.sampling.time_proportional:
            widths = self.spans()
            if width is None:
                width = max(1, round(float(widths.sum()) * column_width))
        elif width is not None and width != len(self) * column_width:
            raise UsageError("width is fixed by the samples (n x column width) unless sampling keyframes")
        return render(self.palettes, style, height, column_width, order, widths, width, smooth)

    def plot(self, width: int = 1200, height: int = 400, title: str | None = None, order: Order = "weight") -> bytes:
        """A matplotlib figure of the strip on a time axis (h:mm:ss): PNG bytes, exactly
        ``width`` x ``height`` px."""
        spans = self.spans()
        strip = render_stacked(self.palettes, height=100, order=order, widths=spans, width=max(width, len(self)))
        return plot(strip, float(self.times[0] + spans.sum()) if len(self) else 0.0, width, height, title)

    def save_image(self, path: str | os.PathLike[str], style: Style = "stacked", title: str | None = None,
                   **render_args: Any) -> None:
        """Render and write the strip atomically: PNG, or SVG when ``path`` ends in .svg
        (stacked, dominant and average styles)."""
        if os.fspath(path).lower().endswith(".svg"):
            if self.options.sampling.time_proportional:
                raise UsageError("SVG output of --fast strips is not supported; write PNG")
            keep = {k: v for k, v in render_args.items() if k in ("height", "column_width", "order")}
            write_image(svg(self.palettes, style, **keep), path)
        elif style == "plot":
            width = render_args.get("width") or max(800, len(self) * render_args.get("column_width", 1))
            write_image(self.plot(width, render_args.get("height", 400), title, render_args.get("order", "weight")),
                        path)
        else:
            write_image(self.render(style=style, **render_args), path)

    # ---- serialisation -------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "streamprint": self.version,
            "source": self.source.to_dict(),
            "options": self.options.to_dict(),
            "decode": {f.name: getattr(self.decode, f.name) for f in fields(DecodeStats)},
            "samples": [sample_to_dict(s) for s in self.samples],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Fingerprint:
        if data.get("format") != FORMAT_NAME:
            raise DataFormatError("not a streamprint fingerprint file")
        if data.get("version") != FORMAT_VERSION:
            raise DataFormatError(f"unsupported fingerprint file version {data.get('version')!r}")
        try:
            known = {f.name for f in fields(SourceInfo)}
            source = SourceInfo(**{k: v for k, v in data["source"].items() if k in known})
            samples = tuple(sample_from_dict(s) for s in data["samples"])
            decode = DecodeStats(**data.get("decode", {"frames": 0, "corrupt_packets": 0, "corrupt_frames": 0}))
            return cls(source, Options.from_dict(data["options"]), samples, decode, str(data.get("streamprint", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFormatError(f"malformed fingerprint file: {exc}") from exc

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write as JSON, or CSV when ``path`` ends in ``.csv``; atomically."""
        text = self.to_csv() if _is_csv(path) else json.dumps(self.to_dict(), indent=1) + "\n"
        with atomic_output(path, "w") as f:
            f.write(text)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Fingerprint:
        """Read a fingerprint written by :meth:`save` (JSON or CSV)."""
        p = Path(path)
        if not p.is_file():
            raise InputNotFoundError(f"{p}: no such file")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFormatError(f"{p}: cannot read ({exc})") from exc
        if _is_csv(p):
            return cls.from_csv(text)
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise DataFormatError(f"{p}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc

    def to_csv(self) -> str:
        """One row per colour of each sample; metadata in ``#`` comment lines on top."""
        out = io.StringIO()
        meta = self.to_dict()
        out.write(f"# {FORMAT_NAME} {FORMAT_VERSION}\n")
        for key in ("streamprint", "source", "options", "decode"):
            out.write(f"# {key}: {json.dumps(meta[key])}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["sample", "frame", "time", "rank", "hex", "r", "g", "b", "weight", "inertia", "cut",
                         "average"])
        for i, s in enumerate(self.samples):
            average = "" if s.palette.mean is None else to_hex(s.palette.mean)
            for rank, (c, w) in enumerate(zip(s.palette.colors, s.palette.weights)):
                writer.writerow([i, s.frame, repr(s.time), rank, to_hex(c), *map(int, c), repr(float(w)),
                                 repr(s.palette.inertia), int(s.palette.cut), average])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str) -> Fingerprint:
        lines = text.splitlines()
        if not lines or not lines[0].startswith(f"# {FORMAT_NAME} "):
            raise DataFormatError("not a streamprint fingerprint CSV")
        data: dict[str, Any] = {"format": FORMAT_NAME}
        try:
            data["version"] = int(lines[0].split()[-1])
            body = []
            for line in lines[1:]:
                if line.startswith("# ") and ": " in line:
                    key, value = line[2:].split(": ", 1)
                    data[key] = json.loads(value)
                else:
                    body.append(line)
            rows: dict[int, dict[str, Any]] = {}
            for row in csv.DictReader(body):
                s = rows.setdefault(int(row["sample"]), {
                    "frame": int(row["frame"]), "time": float(row["time"]), "rgb": [], "weights": [],
                    "inertia": float(row.get("inertia") or 0.0), "cut": row.get("cut") == "1",
                    "average": row.get("average") or None,
                })
                s["rgb"].append(list(from_hex(row["hex"])))
                s["weights"].append(float(row["weight"]))
            data["samples"] = [rows[i] for i in sorted(rows)]
        except (ValueError, KeyError, json.JSONDecodeError) as exc:
            raise DataFormatError(f"malformed fingerprint CSV: {exc}") from exc
        return cls.from_dict(data)


def _is_csv(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith(".csv")


#: Sampled frames decoded ahead of the clusterer (bounds memory: one decoded frame each).
QUEUE_DEPTH = 8

_DONE = object()


def _analysis_images(source: VideoSource, options: Options, resume: ResumePoint | None = None,
                     sampler_state: dict[str, int] | None = None,
                     skip_unsampled: bool = True) -> Iterator[tuple[Any, ...]]:
    """(frame index, time in seconds, (h, w, 3) uint8 image, pts, sampler state, decode
    stats) of each sampled frame; the last three are what a checkpoint needs to resume.

    Decoding and sampling run in a producer thread, so they overlap with the conversion and
    clustering done on the caller's side (PyAV and libswscale release the GIL). The producer
    does nothing but keep FFmpeg's frame threads fed: converting there too stalled it for
    the length of each swscale call (measured: every frame of the 1080p benchmark clip
    took 1.51x the decoder's time that way, 1.42x this way). The queue is bounded, so
    memory stays flat; closing this generator stops the producer.
    """
    images: queue.Queue = queue.Queue(maxsize=QUEUE_DEPTH)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                images.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            state = dict(sampler_state or {})
            wanted = target_test(options.sampling, source.info.duration) if skip_unsampled else None
            frames = source.frames(resume, wanted=wanted)
            for frame in select(frames, options.sampling, source.info.duration, state):
                if not put((frame, dict(state), source.stats)):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)

    producer = threading.Thread(target=produce, name="streamprint-decode", daemon=True)
    producer.start()
    try:
        while True:
            item = images.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            frame, state, stats = item
            image = frame.to_rgb(options.analysis_size)
            if options.crop == "auto":
                image = crop_letterbox(image)
            yield frame.index, frame.time, image, frame.frame.pts, state, stats
    finally:
        stop.set()
        producer.join()


def fingerprint(
    path: str | os.PathLike[str] | BinaryIO,
    options: Options | None = None,
    *,
    format: str | None = None,
    demuxer_options: Mapping[str, str] | None = None,
    threads: int = 0,
    progress: ProgressCallback | None = None,
    checkpoint: Callable[[dict[str, Any]], None] | None = None,
    checkpoint_every: float = 60.0,
    resume: Mapping[str, Any] | None = None,
    skip_unsampled: bool = True,
    **option_args: Any,
) -> Fingerprint:
    """Fingerprint a movie in one streaming pass.

    ``options`` (or keyword arguments building one: ``sampling``, ``colors``, ``algorithm``,
    ``seed``, ``analysis_size``) say what to compute. ``path`` is a file path, ``"-"`` for
    standard input, or a binary file object; ``format`` and ``demuxer_options`` are passed
    to FFmpeg's demuxer. ``threads`` is the decoder's thread count (0 = automatic).
    ``progress`` is called after every sample. With time-based sampling the decoder skips
    non-reference frames that no sample can be (same result, less decoding); pass
    ``skip_unsampled=False`` to decode every frame anyway.

    ``checkpoint``, if given, is called with the run's state (plain JSON data) after a sample
    whenever ``checkpoint_every`` seconds have passed since the last call; passing such a
    state back as ``resume`` continues from it (seeking, not decoding from the start) and
    gives exactly the fingerprint an uninterrupted run gives.

    Raises a :class:`~streamprint.errors.StreamprintError` subclass on bad input.
    """
    if options is None:
        options = Options(**option_args)
    elif option_args:
        raise TypeError("pass either options or option keyword arguments, not both")
    clusterer = FrameClusterer(options.colors, options.algorithm, options.seed, space=options.space)

    keyframes = options.sampling.mode == "keyframes"
    with VideoSource(path, format=format, options=demuxer_options, threads=threads,
                     keyframes_only=keyframes) as source:
        info = source.info
        if options.sampling.mode == "samples" and info.duration is None:
            raise UsageError(
                f"{info.path}: --samples needs the duration, which this input does not state; "
                "use --every N or --interval SECONDS instead"
            )
        if info.hdr:
            log.warning("%s: HDR video (%s transfer) is not tone-mapped; colours will look washed out",
                        info.path, info.color_transfer)
        expected = options.sampling.expected_count(info.duration, info.frame_count)
        samples: list[Sample] = []
        point, sampler_state = None, None
        if resume is not None:
            if resume.get("options") != options.to_dict():
                raise UsageError("the checkpoint was made with other options")
            r = resume["resume"]
            point = ResumePoint(int(r["pts"]), int(r["index"]), r["origin"], DecodeStats(**r["stats"]))
            sampler_state = dict(resume["sampler"])
            clusterer.set_state(resume["clusterer"])
            samples = [sample_from_dict(d) for d in resume["samples"]]
        last_checkpoint = time.monotonic()
        with threadpool_limits(limits=1):
            for index, t, image, pts, state, stats in _analysis_images(source, options, point, sampler_state,
                                                                              skip_unsampled):
                palette = clusterer.fit(image)
                samples.append(Sample(index, t, palette))
                if progress is not None:
                    progress(Progress(len(samples), expected, t, info.duration, index + 1))
                if checkpoint is not None and pts is not None and time.monotonic() - last_checkpoint >= checkpoint_every:
                    checkpoint({
                        "format": "streamprint-checkpoint", "version": 1, "options": options.to_dict(),
                        "samples": [sample_to_dict(s) for s in samples], "clusterer": clusterer.get_state(),
                        "sampler": state, "resume": {"pts": int(pts), "index": index, "origin": source.origin,
                                                     "stats": {f.name: getattr(stats, f.name) for f in fields(stats)}},
                    })
                    last_checkpoint = time.monotonic()
        stats = source.stats
    log.info("%s: %d frames decoded, %d samples, %d cold starts",
             info.path, stats.frames, len(samples), clusterer.n_cold_)
    return Fingerprint(info, options, tuple(samples), stats)
