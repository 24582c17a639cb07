"""The strip's geometry, and saving, loading and redrawing fingerprints."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import Fingerprint, Palette, Sampling
from streamprint.render import render_stacked, segment_heights

from .conftest import run_cli


def test_segment_heights_add_up_and_follow_weights():
    rng = np.random.default_rng(0)
    for _ in range(200):
        w = rng.dirichlet(np.ones(rng.integers(1, 9)))
        h = int(rng.integers(1, 500))
        parts = segment_heights(w, h)
        assert parts.sum() == h and (parts >= 0).all()
        assert np.abs(parts - w * h).max() <= 1.0


def test_a_strip_of_palettes_of_many_sizes_stacks_each_column_by_its_own_shares():
    """Columns of 1 to 64 colours in one strip (drawn together, those of one size at a time)
    are each what that column's shares give alone: the boundaries at round(cumulative share
    x height), from the top, in the column's order; lightness order puts the lighter colour
    (by relative luminance, BT.709 weights on linear sRGB) first."""
    rng = np.random.default_rng(5)
    pals, sizes = [], rng.integers(1, 65, 300)
    for k in sizes:
        counts = rng.integers(1, 1000, k).astype(float)
        pals.append(Palette(rng.integers(0, 256, (k, 3)).astype(np.uint8), counts / counts.sum()))
    height = 257
    for order in ("weight", "lightness"):
        img = render_stacked(pals, height=height, order=order)
        assert img.shape == (height, len(pals), 3)
        for x, p in enumerate(pals):
            idx = np.arange(len(p.colors))
            if order == "lightness":
                lin = p.colors / 255.0
                lin = np.where(lin <= 0.04045, lin / 12.92, ((lin + 0.055) / 1.055) ** 2.4)
                idx = np.argsort(-(lin @ [0.2126, 0.7152, 0.0722]), kind="stable")
            cum = np.cumsum(p.weights[idx])
            edges = [0, *(int(np.rint(c / cum[-1] * height)) for c in cum[:-1]), height]
            for i, j in enumerate(idx):
                assert (img[edges[i]:edges[i + 1], x] == p.colors[j]).all(), (order, x, i)


def test_columns_stack_colours_by_weight():
    pals = [
        Palette(np.array([[255, 0, 0], [0, 0, 255]], np.uint8), np.array([0.75, 0.25])),
        Palette(np.array([[10, 20, 30]], np.uint8), np.array([1.0])),
    ]
    img = render_stacked(pals, height=100, column_width=3)
    assert img.shape == (100, 6, 3) and img.dtype == np.uint8
    assert (img[:75, :3] == [255, 0, 0]).all() and (img[75:, :3] == [0, 0, 255]).all()
    assert (img[:, 3:] == [10, 20, 30]).all()
    light = render_stacked(pals, height=100, order="lightness")
    # Red (luma 54) is lighter than blue (luma 18): it stays on top, 75 px tall.
    assert (light[:75, 0] == [255, 0, 0]).all() and (light[75:, 0] == [0, 0, 255]).all()
    pals2 = [Palette(np.array([[0, 0, 255], [255, 255, 255]], np.uint8), np.array([0.6, 0.4]))]
    light2 = render_stacked(pals2, height=10, order="lightness")
    assert (light2[:4, 0] == 255).all() and (light2[4:, 0] == [0, 0, 255]).all()


@pytest.fixture(scope="module")
def fp(segments_clip) -> Fingerprint:
    return streamprint.fingerprint(segments_clip, sampling=Sampling.every(8))


def test_strip_size_is_samples_times_column_width(fp):
    for cw, h in [(1, 50), (3, 120)]:
        img = fp.render(height=h, column_width=cw)
        assert img.shape == (h, len(fp) * cw, 3)


@pytest.mark.parametrize("ext", ["json", "csv"])
def test_round_trip(fp, tmp_path, ext):
    path = tmp_path / f"fp.{ext}"
    fp.save(path)
    back = Fingerprint.load(path)
    assert back.to_dict() == fp.to_dict()
    assert np.array_equal(back.render(height=77, column_width=2), fp.render(height=77, column_width=2))


def test_json_content(fp, tmp_path):
    path = tmp_path / "fp.json"
    fp.save(path)
    data = json.loads(path.read_text())
    assert data["source"]["width"] == 320 and data["source"]["codec"] == "h264"
    assert data["options"]["colors"] == 5 and data["options"]["sampling"] == {"mode": "every", "value": 8}
    s = data["samples"][1]
    assert s["time"] == pytest.approx(8 / 24, abs=1e-3)
    assert all(h == "#%02x%02x%02x" % tuple(rgb) for h, rgb in zip(s["colors"], s["rgb"]))
    assert sum(s["weights"]) == pytest.approx(1)


def test_render_command_reproduces_strip_pixel_for_pixel(segments_clip, tmp_path):
    out, data, again = tmp_path / "a.png", tmp_path / "a.json", tmp_path / "b.png"
    r = run_cli(segments_clip, out, "--every", "6", "--height", "64", "--column-width", "2",
                "--data", data, "--quiet")
    assert r.returncode == 0, r.stderr
    r = run_cli("render", data, again, "--height", "64", "--column-width", "2")
    assert r.returncode == 0, r.stderr
    a, b = np.asarray(Image.open(out)), np.asarray(Image.open(again))
    assert a.shape == (64, 48 * 2, 3)
    assert np.array_equal(a, b)


def test_malformed_data_file_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    r = run_cli("render", bad, tmp_path / "x.png")
    assert r.returncode == 1
    assert r.stderr.decode().strip().splitlines() == [f"streamprint: error: {bad}: not a streamprint fingerprint file"]


def test_public_names_survive_submodule_imports():
    """The lazy exports must not be shadowed by submodules of the same name, whatever the
    import order (streamprint.fingerprint once became the module, not the function)."""
    import importlib

    import streamprint

    for module in ("pipeline", "palette", "render", "clusterer", "sampler", "source", "_cli.dispatch", "model", "formats",
                   "batch", "params"):
        importlib.import_module(f"streamprint.{module}")
    assert callable(streamprint.fingerprint) and callable(streamprint.extract_palette)
    assert isinstance(streamprint.Sampling.default(), streamprint.Sampling)
