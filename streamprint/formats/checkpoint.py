"""Checkpoint files: a long run's state, saved now and then so it can resume exactly."""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from .. import params
from ..errors import DataFormatError
from ..model import Checkpoint, ClustererState, ColorReport, ResumePoint, SamplerState
from .common import Fields, parse_json, read_text, write_text
from .values import color_from_fields, color_to_dict, options_from_fields, options_to_dict, sample_to_dict, \
    samples_from_fields, stats_from_fields, stats_to_dict, thumbnails_from_fields, thumbnails_to_dict

FORMAT_NAME = "streamprint-checkpoint"
FORMAT_VERSION = 1


def checkpoint_to_dict(c: Checkpoint) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "options": options_to_dict(c.options),
        "samples": [sample_to_dict(s) for s in c.samples],
        "clusterer": {"centroids": None if c.clusterer.centroids is None else c.clusterer.centroids.tolist(),
                      "inertia": c.clusterer.inertia, "n_fits": c.clusterer.n_fits, "n_cold": c.clusterer.n_cold},
        "sampler": {"next_target": c.sampler.next_target, "last_emitted": c.sampler.last_emitted},
        "resume": {"pts": c.resume.pts, "index": c.resume.index, "origin": c.resume.origin,
                   "stats": stats_to_dict(c.resume.stats)},
        "color": color_to_dict(c.color),
    }
    if c.input is not None:
        data["input"] = {"size": c.input[0], "mtime_ns": c.input[1]}
    if c.thumbnails is not None:
        data["thumbnails"] = thumbnails_to_dict(c.thumbnails)
    return data


def checkpoint_from_dict(data: Any, name: str) -> Checkpoint:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise DataFormatError(f"{name}: not a streamprint checkpoint")
    f = Fields(data, name)
    if data.get("version") != FORMAT_VERSION:
        raise f.fail(f"unsupported checkpoint version {data.get('version')!r}")
    options = options_from_fields(f.obj("options"))
    samples = samples_from_fields(f, "samples", options.colors)
    c, s, r = f.obj("clusterer"), f.obj("sampler"), f.obj("resume")
    centroids = c.raw("centroids")
    if centroids is not None and not (isinstance(centroids, list) and len(centroids) <= options.colors
                                      and all(isinstance(row, list) and len(row) == 3 for row in centroids)):
        raise c.fail(f"expected at most {options.colors} [x, y, z] rows", "centroids")
    clusterer = c.build("centroids", lambda: ClustererState(
        None if centroids is None else np.asarray(centroids, dtype=np.float64), c.float("inertia", low=0.0, optional=True), c.int("n_fits", low=0), c.int("n_cold", low=0)))
    sampler = s.build(None, lambda: SamplerState(s.int("next_target", low=0), s.int("last_emitted", low=-1)))
    resume = r.build(None, lambda: ResumePoint(r.int("pts"), r.int("index", low=0),
                                               r.float("origin", optional=True), stats_from_fields(r.obj("stats"))))
    source = None
    if f.has("input"):
        i = f.obj("input")
        source = (i.int("size", low=0), i.int("mtime_ns"))
    color = color_from_fields(f.obj("color")) if f.has("color") else ColorReport()
    thumbnails = thumbnails_from_fields(f.obj("thumbnails"), len(samples)) if f.has("thumbnails") else None
    return f.build(None, lambda: Checkpoint(options, samples, clusterer, sampler, resume, source, color, thumbnails))


def write_checkpoint(c: Checkpoint, path: str | os.PathLike[str]) -> None:
    write_text(path, json.dumps(checkpoint_to_dict(c)))


def read_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    name = params.file_name(path)
    return checkpoint_from_dict(parse_json(read_text(path), name), name)
