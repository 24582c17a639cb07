"""The JSON shape of the model values several files share (samples, options, source
metadata, decode counts): one writer and one validating reader each."""

from __future__ import annotations

import base64
import binascii
import functools
import dataclasses
from dataclasses import fields
from typing import Any

import numpy as np

from .. import params
from ..enums import ImageFormat, Style
from ..errors import StreamprintError
from ..model import ColorReport, DecodeStats, Options, Palette, RenderOptions, Sample, Samples, Sampling, \
    SourceInfo, Thumbnails, TimeRange, from_hex, to_hex
from ..model.colors import HEX_FORMAT
from ..model.fingerprint import MAX_DIMENSION
from ..model.rows import Row, row_of
from ..model.thumbnails import MAX_THUMBNAIL_BYTES, MAX_THUMBNAILS
from .common import Fields


def palette_to_dict(p: Palette) -> dict[str, Any]:
    """A palette as JSON data (colours as #rrggbb and [r, g, b])."""
    return {
        "colors": p.hex,
        "rgb": p.colors.tolist(),
        "weights": p.weights.tolist(),
        "inertia": p.inertia,
        "cut": p.cut,
        "average": None if p.mean is None else to_hex(p.mean),
    }


@functools.lru_cache(maxsize=256)
def _sample_template(k: int, mean: bool, indent: str) -> str:
    """The %-format of one sample's indented JSON with ``k`` colours (see :func:`sample_json`)."""
    one, two, three = indent + " ", indent + "  ", indent + "   "
    hexes = ",\n".join([f'{two}"{HEX_FORMAT}"'] * k)
    triples = ",\n".join([f"{two}[\n{three}%d,\n{three}%d,\n{three}%d\n{two}]"] * k)
    weights = ",\n".join([f"{two}%s"] * k)
    average = f'"{HEX_FORMAT}"' if mean else "null"
    return "\n".join([f"{indent}{{", f'{one}"frame": %d,', f'{one}"time": %s,', f'{one}"colors": [', hexes,
                      f"{one}],", f'{one}"rgb": [', triples, f"{one}],", f'{one}"weights": [', weights, f"{one}],",
                      f'{one}"inertia": %s,', f'{one}"cut": %s,', f'{one}"average": {average}', f"{indent}}}"])


def sample_json(s: Sample | Row, indent: str = "") -> str:
    """``json.dumps(sample_to_dict(s), indent=1)`` with ``indent`` before every line, as
    the sample appears in an indented file, made from its values by one %-format: the
    standard library's indenting encoder is pure Python and took most of a live flush's
    time. (A test holds the two equal.)"""
    frame, time, rgb, weights, inertia, cut, mean = row_of(s) if isinstance(s, Sample) else s
    flat = [v for c in rgb for v in c]
    values = (frame, repr(time), *flat, *flat, *map(repr, weights), repr(inertia), "true" if cut else "false",
              *(mean or ()))
    return _sample_template(len(rgb), mean is not None, indent) % values


def _palette_values(f: Fields, max_colors: int) -> tuple[list[list[int]], list[float], float, bool, tuple[int, ...] | None]:
    """A palette's values read by :func:`palette_to_dict`'s shape, as a :data:`Row` holds
    them: what the file says checked for its types and shape here (1 to ``max_colors``
    colours of three whole numbers 0-255, a number per colour, the #rrggbb colours the same
    as the rgb ones, ...); what the numbers must be (shares summing to 1, ...) is the
    model's rule, checked once by the model (:class:`Palette`; ``Samples._from_rows``)."""
    rgb = f.list("rgb")
    if not 1 <= len(rgb) <= max_colors:
        raise f.fail(f"expected 1 to {max_colors} colours, got {len(rgb)}", "rgb")
    flat = [v for c in rgb if type(c) is list and len(c) == 3 for v in c]  # (JSON's whole numbers: int, not bool)
    if len(flat) != 3 * len(rgb) or not set(map(type, flat)) <= {int} or min(flat) < 0 or max(flat) > 255:
        bad = next(c for c in rgb if not (type(c) is list and len(c) == 3
                                          and all(type(v) is int and 0 <= v <= 255 for v in c)))
        raise f.fail(f"expected [r, g, b] of whole numbers 0-255, got {bad!r}"[:120], "rgb")
    weights = f.list("weights")
    if len(weights) != len(rgb):
        raise f.fail(f"expected one weight per colour ({len(rgb)}), got {len(weights)}", "weights")
    shares = f.numbers("weights")
    if "colors" in f.data:
        hexes = f.list("colors")
        if [h.lower() if type(h) is str else h for h in hexes] != [HEX_FORMAT % (r, g, b) for r, g, b in rgb]:
            raise f.fail("the #rrggbb colours do not match the rgb values", "colors")  # (#06F988 too)
    average = f.str("average", default=None, optional=True)
    mean = None if average is None else f.build("average", lambda: from_hex(average))
    return rgb, shares, f.number("inertia", default=0.0), f.bool("cut", default=False), mean


def palette_from_fields(f: Fields, max_colors: int) -> Palette:
    """A palette read by :func:`palette_to_dict`'s shape, every field checked."""
    rgb, weights, inertia, cut, mean = _palette_values(f, max_colors)
    return f.build(None, lambda: Palette(np.array(rgb, dtype=np.uint8).reshape(-1, 3), np.array(weights, np.float64),
                                         inertia, cut, None if mean is None else np.array(mean, np.uint8)))


def sample_to_dict(s: Sample) -> dict[str, Any]:
    """A sample as JSON data: its frame, time and palette."""
    return {"frame": s.frame, "time": s.time, **palette_to_dict(s.palette)}


def samples_from_fields(f: Fields, key: str, max_colors: int) -> Samples:
    """The samples read by :func:`sample_to_dict`'s shape, every field checked once: its
    type here, its value's rules by the model, for all of them at once (``Samples._from_rows``)."""
    rows: list[Row] = []
    for s in f.objects(key):
        rgb, weights, inertia, cut, mean = _palette_values(s, max_colors)
        # (a frame is bounded as numpy keeps it, int64, from 0: the range the reader says)
        rows.append((s.int("frame", low=0), s.number("time"), rgb, weights, inertia, cut, mean))  # type: ignore[arg-type]
    return f.build(key, lambda: Samples._from_rows(rows))


def thumbnails_to_dict(t: Thumbnails) -> dict[str, Any]:
    """Thumbnails as JSON data: the sample numbers and each image's file as base64."""
    return {"format": t.format, "samples": list(t.indices),
            "images": [base64.b64encode(b).decode("ascii") for b in t.images]}


def thumbnails_from_fields(f: Fields, samples: int) -> Thumbnails:
    """Thumbnails read by :func:`thumbnails_to_dict`'s shape, of a record with ``samples``
    samples: the format, every index (whole, increasing, below ``samples``), every image
    (base64 of a file in that format, of bounded size) checked."""
    fmt = f.str("format")
    indices, images = f.list("samples"), f.list("images")
    if len(images) != len(indices):
        raise f.fail(f"expected one image per sample number ({len(indices)}), got {len(images)}", "images")
    if len(indices) > MAX_THUMBNAILS:
        raise f.fail(f"expected at most {MAX_THUMBNAILS} thumbnails, got {len(indices)}", "samples")
    if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < samples for i in indices):
        raise f.fail(f"expected sample numbers from 0 to {samples - 1}", "samples")
    if not all(isinstance(b, str) and len(b) <= MAX_THUMBNAIL_BYTES * 4 // 3 + 4 for b in images):
        raise f.fail(f"expected base64 text of at most {MAX_THUMBNAIL_BYTES} bytes each", "images")
    try:
        data = [base64.b64decode(b, validate=True) for b in images]
    except (binascii.Error, ValueError) as exc:
        raise f.fail(f"not base64 ({exc})", "images") from exc
    return f.build(None, lambda: Thumbnails(tuple(indices), tuple(data), ImageFormat(fmt)))


def options_to_dict(o: Options) -> dict[str, Any]:
    data: dict[str, Any] = {
        "sampling": {"mode": o.sampling.mode, "value": o.sampling.value},
        "colors": o.colors,
        "algorithm": o.algorithm,
        "seed": o.seed,
        "analysis_size": o.analysis_size,
        "space": o.space,
        "crop": o.crop,
        "tonemap": o.tonemap,
    }
    if not o.time_range.whole:  # absent: the whole movie (and every file from before ranges)
        data["time_range"] = range_to_dict(o.time_range)
    return data


def range_to_dict(r: TimeRange) -> dict[str, Any]:
    """A time range as JSON data: start and end in seconds (end null: to the end of the
    input; negative: counted back from the end)."""
    return {"start": r.start, "end": r.end}


def range_from_fields(f: Fields, resolved: bool = False) -> TimeRange:
    """A :class:`TimeRange`; ``resolved``: its end, if any, must be a time from the start."""
    r = f.build(None, lambda: TimeRange(f.float("start", low=0.0), f.float("end", optional=True)))
    if resolved and not r.resolved:
        raise f.fail("expected an end from the start, not counted back from the end", "end")
    return r


def options_from_fields(f: Fields) -> Options:
    s = f.obj("sampling")

    def make() -> Options:
        sampling = Sampling(s.str("mode"), s.raw("value"))
        return Options(sampling=sampling, colors=f.raw("colors"), algorithm=f.raw("algorithm"),
                       seed=f.raw("seed"), analysis_size=f.raw("analysis_size"),
                       space=f.raw("space", "rgb"), crop=f.raw("crop", "none"),
                       # files from before tone mapping existed: they were made without it
                       tonemap=f.raw("tonemap", "off"),
                       time_range=range_from_fields(f.obj("time_range")) if f.has("time_range") else None)

    try:
        return make()
    except StreamprintError as exc:  # a ParameterError: names the parameter
        raise f.fail(str(exc)) from exc


def source_to_dict(s: SourceInfo) -> dict[str, Any]:
    return {k.name: getattr(s, k.name) for k in fields(SourceInfo)}


def source_from_fields(f: Fields) -> SourceInfo:
    text = {"pix_fmt", "colorspace", "color_range", "color_transfer"}
    side = MAX_DIMENSION  # (the model's rule, checked here to name the field)
    height = f.int("height", low=1, high=side)
    return SourceInfo(
        path=f.str("path"), container=f.str("container"), codec=f.str("codec"),
        width=f.int("width", low=1, high=side), height=height, display_width=f.int("display_width", low=1, high=side),
        frame_rate=f.float("frame_rate", positive=True, optional=True),
        duration=f.float("duration", positive=True, optional=True),
        frame_count=f.int("frame_count", low=0, optional=True),
        **{k: f.str(k, default=None, optional=True) for k in sorted(text)},
        pixel_aspect=f.float("pixel_aspect", positive=True, default=1.0),
        # files from before rotation was kept: unturned, displayed as high as stored
        rotation=f.int("rotation", low=0, default=0),
        display_height=f.int("display_height", low=1, high=side, default=height),
    )


def color_to_dict(c: ColorReport) -> dict[str, Any]:
    return {"hdr_samples": c.hdr_samples, "tone_mapped": c.tone_mapped, "transfers": list(c.transfers),
            "peak_nits": c.peak_nits, "peak_from": list(c.peak_from), "dolby_vision": list(c.dolby_vision)}


def color_from_fields(f: Fields) -> ColorReport:
    """A :class:`ColorReport`; files from before it existed have none (an empty report)."""
    def strings(key: str) -> tuple[str, ...]:
        values = f.list(key) if f.has(key) else []
        if not all(isinstance(v, str) for v in values):
            raise f.fail("expected a list of names", key)
        return tuple(values)

    return f.build(None, lambda: ColorReport(
        f.int("hdr_samples", low=0, default=0), f.int("tone_mapped", low=0, default=0), strings("transfers"),
        f.float("peak_nits", positive=True, default=None, optional=True), strings("peak_from"),
        strings("dolby_vision")))


def stats_to_dict(s: DecodeStats) -> dict[str, int]:
    return {k.name: getattr(s, k.name) for k in fields(DecodeStats)}


def stats_from_fields(f: Fields) -> DecodeStats:
    return DecodeStats(**{k.name: f.int(k.name, low=0, default=0) for k in fields(DecodeStats)})


def render_to_dict(r: RenderOptions) -> dict[str, Any]:
    return {"style": r.style, "order": r.order, "height": r.height, "column_width": r.column_width,
            "width": r.width, "title": r.title, "background": list(r.background), "format": r.format,
            "smooth": r.smooth}


def render_from_fields(f: Fields) -> RenderOptions:
    def make() -> RenderOptions:
        values = {k: f.raw(k) for k in ("style", "order", "height", "column_width", "width", "title", "format",
                                         "smooth") if f.has(k)}
        if params.check("style", values.get("style", Style.STACKED)) != Style.SMOOTH:
            values.pop("smooth", None)  # (written for every style before it was refused with another: it drew nothing)
        render = RenderOptions(**values)
        if not f.has("background"):
            return render
        background = params.check("background", tuple(f.list("background")))
        # (one that fills nothing was accepted, and ignored, before it was refused: it is read
        # as what it drew, the default)
        return dataclasses.replace(render, background=background) \
            if params.background_fills(render.style, render.format) else render

    try:
        return make()
    except StreamprintError as exc:
        raise f.fail(str(exc)) from exc
