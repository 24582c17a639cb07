"""Not a test module: code as a user writes it, checked by mypy (tests/test_static.py,
pyproject.toml's [tool.mypy] files). The public names must have their real types for a
user's type checker, not ``object``, and accept what the library takes at run time."""

from __future__ import annotations

from typing import assert_type

import numpy as np

import streamprint
from streamprint import Fingerprint, ImagePalette, Options, RenderOptions, Sampling, TimeRange


def uses(path: str) -> None:
    fp = streamprint.fingerprint(path, sampling=Sampling.every(2), colors=5, space="lab", crop="none")
    assert_type(fp, Fingerprint)
    part = TimeRange(start="1:30", duration=600)
    assert_type(part.start, float)
    options = Options(sampling=streamprint.Sampling.samples(100), algorithm="minibatch", tonemap="off",
                      time_range=part)
    assert_type(streamprint.fingerprint(path, **options.fields(), threads=2), Fingerprint)
    assert_type(streamprint.draw(fp, RenderOptions(style="ring", order="stable", background="#000000")), np.ndarray)
    assert_type(streamprint.extract_palette(path, colors=6, space="oklab"), ImagePalette)
    again = Fingerprint(fp.source, fp.options, list(fp.samples))
    assert_type(again.render(order="lightness", style="smooth"), np.ndarray)
    streamprint.write_fingerprint(again, "movie.json", overwrite=True)
    # as the README writes it
    cut = streamprint.fingerprint("movie.mkv", time_range=streamprint.TimeRange("1:30", "-8:00"))
    assert_type(streamprint.save_image(cut, "movie.png", RenderOptions(style="dominant", column_width=2)),
                tuple[int, int])
    live = streamprint.fingerprint("-", flush=lambda so_far: so_far.save("live.json"), flush_every=10.0,
                                   progress=lambda p: print(p.samples, p.expected))
    assert_type(live.share_near("#c0392b", threshold=10), float)
