"""The typed values' constructors say what they take: a choice's name or its enum member,
None for a default, and the fields hold the checked value. Written out by hand (not by
@dataclass), so these tests keep them in step with the fields."""

from __future__ import annotations

import dataclasses
import inspect
import typing

from streamprint import (Algorithm, Crop, Fingerprint, ImageFormat, Options, Order, RenderOptions, Sampling, Space, Style,
                         TimeRange, ToneMap)
from streamprint.model.sampling import OptionFields
from streamprint.pipeline import fingerprint


def test_options_take_names_and_hold_enums() -> None:
    named = Options(algorithm="kmeans", space="lab", crop="none", tonemap="off", time_range=None)
    assert (named.algorithm, named.space, named.crop, named.tonemap) == (Algorithm.KMEANS, Space.LAB, Crop.NONE,
                                                                         ToneMap.OFF)
    assert named.time_range == TimeRange()
    assert named == Options(algorithm=Algorithm.KMEANS, space=Space.LAB, crop=Crop.NONE, tonemap=ToneMap.OFF)
    assert dataclasses.replace(named, colors=3) == Options(colors=3, space="lab", crop="none", tonemap="off")


def test_constructors_name_every_field() -> None:
    for cls in (Options, RenderOptions, Fingerprint):
        names = [f.name for f in dataclasses.fields(cls)]
        assert list(inspect.signature(cls).parameters) == names, cls
    assert list(inspect.signature(TimeRange).parameters) == ["start", "end", "duration"]
    assert list(inspect.signature(Sampling).parameters) == ["mode", "value"]
    assert Sampling("interval", 2) == Sampling.interval(2.0)
    assert TimeRange("1:30", duration="10") == TimeRange(90.0, 100.0)
    assert dataclasses.replace(TimeRange(5, 10), end=20) == TimeRange(5, 20)


def test_option_fields_are_fingerprint_keywords() -> None:
    """``fingerprint(path, **options.fields())``: every key a keyword of fingerprint, typed."""
    names = [f.name for f in dataclasses.fields(Options)]
    assert list(typing.get_type_hints(OptionFields)) == names
    assert set(names) <= set(inspect.signature(fingerprint).parameters)
    options = Options(colors=3, space="oklab")
    assert options.fields() == {name: getattr(options, name) for name in names}


def test_render_options_take_names_and_hold_enums() -> None:
    options = RenderOptions(style="ring", order="lightness", background="#102030", format="jpeg")
    assert (options.style, options.order, options.format) == (Style.RING, Order.LIGHTNESS, ImageFormat.JPEG)
    assert options.background == (16, 32, 48)


def test_a_palette_needs_one_count_per_centroid() -> None:
    """Palette.from_centroids zipped the centroids with the counts and dropped the ones left
    over: three centroids and two counts made a palette of two colours, silently."""
    import numpy as np
    import pytest

    from streamprint import InvalidValue, Palette

    centroids = np.array([[10.0, 20.0, 30.0], [200.0, 100.0, 0.0], [0.0, 0.0, 255.0]])
    assert len(Palette.from_centroids(centroids, np.array([5, 3, 2]))) == 3
    with pytest.raises(InvalidValue, match="one count per centroid"):
        Palette.from_centroids(centroids, np.array([5, 3]))


def test_type_checkers_see_every_lazy_name() -> None:
    """``streamprint.fingerprint`` and the other names imported on first use (PEP 562) are
    imported for type checkers too: through ``__getattr__`` alone a user's checker saw each
    as ``object`` ("object" not callable)."""
    import ast
    from pathlib import Path

    import streamprint

    tree = ast.parse((Path(streamprint.__file__)).read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and getattr(node.test, "id", None) == "TYPE_CHECKING")
    seen = {alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
            for alias in node.names}
    assert seen == streamprint._LAZY
