"""Rings (transparent, antialiased, the strip's colours along each radius) and widths (any
style to exactly --width px, resampled by time; short clips at least MIN_WIDTH px)."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import RenderOptions, Sampling, params
from streamprint.render import columns_for_width, draw

from . import fakes
from .conftest import run_cli

# ---- ring ----------------------------------------------------------------------------

#: Four samples of two colours each, shares 0.6 / 0.4 (outer band first).
RING_COLORS = [((200, 30, 30), (250, 220, 40)), ((30, 60, 200), (245, 245, 245)),
               ((30, 150, 60), (10, 10, 10)), ((230, 130, 20), (90, 30, 130))]


@pytest.fixture(scope="module")
def ring_fp():
    pals = [fakes.palette((a, 0.6), (b, 0.4)) for a, b in RING_COLORS]
    return fakes.fingerprint(pals, [0.0, 1.0, 2.0, 3.0], 4.0)


def coverage(x: int, y: int, cx: float, cy: float, outer: float, inner: float, n: int = 32) -> float:
    """Share of pixel (x, y) inside the annulus, by counting n x n points (the truth the
    ring's alpha is compared with)."""
    s = (np.arange(n) + 0.5) / n
    d = np.hypot(x + s[None, :] - cx, y + s[:, None] - cy)
    return float(((d < outer) & (d >= inner)).mean())


def test_ring_is_transparent_around_and_in_the_hole_with_soft_edges(ring_fp):
    size = 400
    img = draw(ring_fp, RenderOptions(style="ring", height=size))
    assert img.shape == (size, size, 4) and img.dtype == np.uint8
    alpha = img[..., 3].astype(int)
    for y, x in [(0, 0), (0, size - 1), (size - 1, 0), (size - 1, size - 1), (size // 2, size // 2)]:
        assert alpha[y, x] == 0 and (img[y, x] == 0).all(), (y, x)
    outer, inner = size / 2, 0.35 * size / 2
    d = np.hypot(np.arange(size)[None, :] + 0.5 - size / 2, np.arange(size)[:, None] + 0.5 - size / 2)
    assert (alpha[(d < outer - 1) & (d > inner + 1)] == 255).all()
    for edge in (outer, inner):
        ring_edge = np.abs(d - edge) < 0.5
        soft = (alpha[ring_edge] > 0) & (alpha[ring_edge] < 255)
        assert soft.mean() > 0.5, f"edge at r={edge}: {soft.mean():.2f} of its pixels have partial alpha"
    # alpha is each edge pixel's coverage, within 8 % (measured by counting 32 x 32 points)
    ys, xs = np.nonzero((alpha > 0) & (alpha < 255))
    rng = np.random.default_rng(0)
    for i in rng.choice(len(ys), 200, replace=False):
        truth = coverage(xs[i], ys[i], size / 2, size / 2, outer, inner)
        assert abs(alpha[ys[i], xs[i]] / 255 - truth) <= 0.08, (xs[i], ys[i], alpha[ys[i], xs[i]], truth)


def test_ring_colours_along_a_radius_are_the_stacked_columns(ring_fp):
    size = 400
    img = draw(ring_fp, RenderOptions(style="ring", height=size))
    strip = ring_fp.render(height=1000, column_width=1)  # the stacked strip, top row = outside
    outer, inner = size / 2, 0.35 * size / 2
    for i in range(4):
        angle = (i + 0.5) / 4 * 2 * math.pi  # the middle of sample i's quarter, clockwise from the top
        for r in np.linspace(inner + 3, outer - 3, 40):
            depth = (outer - r) / (outer - inner)  # 0 at the outer edge
            boundary = 0.6  # the first colour's share
            if abs(depth - boundary) * (outer - inner) < 2:
                continue  # the antialiased border between the two bands
            x = size / 2 + r * math.sin(angle)
            y = size / 2 - r * math.cos(angle)
            px = img[int(y), int(x)]
            expected = RING_COLORS[i][0 if depth < boundary else 1]
            assert px[3] == 255 and np.abs(px[:3].astype(int) - expected).max() <= 1, (i, r, px, expected)
            assert (px[:3] == strip[int(depth * 1000), i]).all()


def test_ring_borders_between_colours_are_antialiased(ring_fp):
    """The border between the second and third quarters runs down the middle of pixel
    column 200 of a 401-px ring: those pixels mix the two colours (in linear light)."""
    size = 401
    img = draw(ring_fp, RenderOptions(style="ring", height=size))[..., :3].astype(int)
    a, b = np.array(RING_COLORS[1][0]), np.array(RING_COLORS[2][0])
    rows = slice(size // 2 + 125, size - 5)  # the outer band, below the centre
    assert (np.abs(img[rows, 202] - a).max(axis=1) <= 1).all() and (np.abs(img[rows, 198] - b).max(axis=1) <= 1).all()
    mixed = img[rows, 200]
    from streamprint.color.spaces import linear_to_srgb, srgb_to_linear

    half = linear_to_srgb((srgb_to_linear(a.astype(np.uint8)) + srgb_to_linear(b.astype(np.uint8))) / 2)
    assert (np.abs(mixed - half).max(axis=1) <= 2).all(), (mixed[:3], half)


def _ring_by_every_subsample(strip: np.ndarray, size: int, canvas: tuple[int, int]) -> np.ndarray:
    """The ring as its docstring defines it, every pixel's 4 x 4 subsamples (their radius
    clamped into the ring) averaged in linear light, alpha the centre's coverage: the plain
    computation, over whole rows, that ring() skips for pixels of one colour."""
    from streamprint.color.spaces import SRGB_TO_LINEAR, linear_to_srgb

    h, w, _ = strip.shape
    width, height = canvas
    radius, cx, cy, s = size / 2, width / 2, height / 2, 4
    hole = 0.35 * radius
    offsets = (np.arange(s) + 0.5) / s
    dx = ((np.arange(width)[:, None] + offsets[None, :]).ravel() - cx).astype(np.float32)[None, :]
    dy = ((np.arange(height)[:, None] + offsets[None, :]).ravel() - cy).astype(np.float32)[:, None]
    theta = np.mod(np.arctan2(dx, -dy), np.float32(2 * np.pi)) / np.float32(2 * np.pi)
    col = np.minimum((theta * w).astype(np.int64), w - 1)
    row = np.minimum((np.clip((radius - np.hypot(dx, dy)) / (radius - hole), 0.0, 1.0) * h).astype(np.int64), h - 1)
    mean = SRGB_TO_LINEAR.astype(np.float32)[strip[row, col]].reshape(height, s, width, s, 3).mean(axis=(1, 3))
    dc = np.hypot((np.arange(width) + 0.5 - cx).astype(np.float32)[None, :],
                  (np.arange(height) + 0.5 - cy).astype(np.float32)[:, None])
    alpha = np.clip(radius - dc + 0.5, 0.0, 1.0) * np.clip(dc - hole + 0.5, 0.0, 1.0)
    out = np.dstack([np.rint(linear_to_srgb(mean)).astype(np.uint8), np.rint(alpha * 255).astype(np.uint8)])
    out[out[..., 3] == 0] = 0
    return out


def _runs_strip(w: int, h: int, seed: int) -> np.ndarray:
    """A stacked strip's shape: runs of identical columns (a sample each), each of 3 bands."""
    rng = np.random.default_rng(seed)
    runs = rng.integers(1, 12, w)
    sample = np.repeat(np.arange(len(runs)), runs)[:w]
    colours = rng.integers(0, 256, (len(runs), 3, 3), dtype=np.uint8)
    bands = np.minimum(np.arange(h) * 3 // h, 2)
    return colours[sample[None, :], bands[:, None]]


@pytest.mark.parametrize("size, canvas", [(7, (7, 7)), (64, (64, 64)), (100, (130, 90)), (301, (301, 301)),
                                          (500, (480, 520))])
@pytest.mark.parametrize("kind", ["runs", "noise"])
def test_a_ring_is_every_subsample_s_mean_bit_for_bit(size, canvas, kind):
    """ring() supersamples only pixels that cross a border between colours; a pixel of one
    colour takes it summed and divided as its subsamples would be: the output is byte for
    byte the plain computation's, on a stacked strip's runs and on noise (no two cells alike)."""
    from streamprint.render.ring import ring, ring_strip_size

    w, h = ring_strip_size(size)
    strip = (_runs_strip(w, h, size) if kind == "runs"
             else np.random.default_rng(size).integers(0, 256, (h, w, 3), dtype=np.uint8))
    assert np.array_equal(ring(strip, size, canvas=canvas), _ring_by_every_subsample(strip, size, canvas))


def test_a_large_ring_supersamples_only_the_pixels_on_borders(monkeypatch):
    """The work of a ring of few colour borders grows with its pixels, not 16-fold: a 1200-px
    ring of a stacked strip evaluates under 3 subsamples a pixel (every pixel's 16 before, and
    a ring of 8000 px on 1500 samples took 355 s). Counted as the angles computed, no clock."""
    import importlib

    from streamprint.render.ring import ring_strip_size

    module = importlib.import_module("streamprint.render.ring")
    counted = [0]
    real = np.arctan2

    class Counting:
        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def arctan2(a, b, *args, **kwargs):
            counted[0] += np.broadcast(a, b).size
            return real(a, b, *args, **kwargs)

    monkeypatch.setattr(module, "np", Counting())
    size = 1200
    w, h = ring_strip_size(size)
    strip = np.repeat(_runs_strip(w // 16 + 1, h, 1), 16, axis=1)[:, :w]  # (a sample every ~16 columns)
    module.ring(np.ascontiguousarray(strip), size)
    assert counted[0] / size ** 2 < 3, counted[0] / size ** 2


@pytest.mark.parametrize("given", ["render", "render_by_name", "ring_strip_size"])
def test_a_ring_too_large_for_its_strip_names_its_diameter_and_the_limit(given):
    """A ring is drawn from a strip with a column per pixel of its circumference, ceil(pi x d)
    for a diameter of d px, and a strip is at most 65535 px wide: d is at most
    floor(65535 / pi) = 20860 (pi x 20860 = 65533.6, pi x 20861 = 65536.7). render(palettes,
    "ring", 30000) said 'width must be a whole number from 1 to 65535, got 94248', a width
    never given: the error names the height (the diameter) the caller gave and the limit."""
    from streamprint.render import render
    from streamprint.render.ring import ring_strip_size

    pals = [fakes.palette(((200, 30, 30), 1.0))]
    call, named = {"render": (lambda d: render(pals, "ring", d), "height"),
                   "render_by_name": (lambda d: render(pals, style="ring", height=d), "height"),
                   "ring_strip_size": (ring_strip_size, "diameter")}[given]
    limit = math.floor(65535 / math.pi)
    assert ring_strip_size(limit)[0] == math.ceil(math.pi * limit) <= 65535  # the largest fits (not drawn)
    for diameter in (limit + 1, 30000):
        with pytest.raises(streamprint.ParameterError) as info:
            call(diameter)
        assert info.value.parameter == named, info.value
        assert f"at most {limit} px" in info.value.detail and f"got {diameter}" in info.value.detail, info.value
        assert "width" not in str(info.value), info.value
    with pytest.raises(streamprint.ParameterError) as info:
        call(0)
    assert info.value.parameter == named, info.value


def test_ring_files_keep_transparency_and_jpeg_stands_on_the_background(ring_fp, tmp_path):
    ring_fp.save(tmp_path / "m.json")
    assert run_cli("render", tmp_path / "m.json", tmp_path / "r.png", "--style", "ring", "-q").returncode == 0
    png = Image.open(tmp_path / "r.png")
    assert png.mode == "RGBA" and png.getpixel((0, 0))[3] == 0 and png.getpixel((100, 100))[3] == 0
    assert run_cli("render", tmp_path / "m.json", tmp_path / "r.webp", "--style", "ring", "-q").returncode == 0
    assert Image.open(tmp_path / "r.webp").mode == "RGBA"
    for args, bg in [([], (255, 255, 255)), (["--background", "#102030"], (16, 32, 48))]:
        r = run_cli("render", tmp_path / "m.json", tmp_path / "r.jpg", "--style", "ring", "-q", "--overwrite", *args)
        assert r.returncode == 0, r.stderr
        jpg = np.asarray(Image.open(tmp_path / "r.jpg").convert("RGB")).astype(int)
        assert np.abs(jpg[2, 2] - bg).max() <= 3 and np.abs(jpg[100, 100] - bg).max() <= 3


# ---- widths ---------------------------------------------------------------------------

def test_columns_are_resampled_by_time():
    """Samples at 0, 1, 3 and 7 s of a 10-s movie, 100 columns: each column shows the
    sample at or before the middle of its 0.1-s slice, so 10, 20, 40 and 30 columns."""
    fp = fakes.flat([(1, 0, 0), (2, 0, 0), (3, 0, 0), (4, 0, 0)], [0.0, 1.0, 3.0, 7.0], 10.0)
    cols = columns_for_width(fp, 100)
    assert np.bincount(cols).tolist() == [10, 20, 40, 30]
    for width in (7, 33, 1000):
        cols = columns_for_width(fp, width)
        middles = (np.arange(width) + 0.5) * 10.0 / width
        truth = [max(i for i, t in enumerate(fp.times) if t <= m) for m in middles]
        assert cols.tolist() == truth


STYLES = ["stacked", "dominant", "average", "smooth", "ring", "plot"]


@pytest.mark.parametrize("style", STYLES)
def test_width_works_for_every_style(tmp_path, style):
    fp = fakes.flat([(200, 0, 0), (0, 200, 0), (0, 0, 200)], [0.0, 2.0, 3.0], 6.0, Sampling.every(48))
    out = tmp_path / "o.png"
    assert streamprint.save_image(fp, out, RenderOptions(style=style, width=333, height=120)) == (333, 120)
    img = np.asarray(Image.open(out))
    assert img.shape[:2] == (120, 333)
    if style in ("stacked", "dominant", "average"):
        top = img[0, :, :3].astype(int)
        # by time: red 0-2 s, green 2-3 s, blue 3-6 s: 111, 55 or 56, 166 or 167 columns
        assert (top[:110] == (200, 0, 0)).all() and (top[112:166] == (0, 200, 0)).all()
        assert (top[168:] == (0, 0, 200)).all()


def test_svg_with_width_matches_the_png(tmp_path):
    fp = fakes.flat([(200, 0, 0), (0, 200, 0), (0, 0, 200)], [0.0, 2.0, 3.0], 6.0)
    streamprint.save_image(fp, tmp_path / "o.svg", RenderOptions(width=100, height=10, format="svg"))
    png = fp.render(width=100, height=10)
    text = (tmp_path / "o.svg").read_text()
    assert 'width="100"' in text
    covered = 0
    for x, w, color in re.findall(r'<rect x="(\d+)" y="0" width="(\d+)" height="10" fill="#(\w{6})"/>', text):
        x, w = int(x), int(w)
        assert (png[0, x:x + w] == [int(color[i:i + 2], 16) for i in (0, 2, 4)]).all()
        covered += w
    assert covered == 100


def test_a_short_clips_default_strip_is_at_least_min_width(tmp_path):
    """A 10-s clip at one sample per second: 40 px per sample, 400 px, not 10 px; an explicit
    --column-width keeps its exact geometry."""
    fp = fakes.flat([(i * 20, 0, 0) for i in range(10)], np.arange(10.0), 10.0)
    assert params.MIN_WIDTH == 400
    assert streamprint.save_image(fp, tmp_path / "a.png", RenderOptions()) == (400, 200)
    top = np.asarray(Image.open(tmp_path / "a.png"))[0, :, 0]
    assert [int(v) for v in top[::40]] == [i * 20 for i in range(10)] and len(set(top[:40])) == 1
    assert streamprint.save_image(fp, tmp_path / "b.png", RenderOptions(column_width=1)) == (10, 200)
    seven = fakes.flat([(i, 0, 0) for i in range(7)], np.arange(7.0), 7.0)
    assert streamprint.save_image(seven, tmp_path / "c.png", RenderOptions()) == (406, 200)  # 58 px each
    long = fakes.flat([(1, 2, 3)] * 500, np.arange(500.0), 500.0)
    assert streamprint.save_image(long, tmp_path / "d.png", RenderOptions()) == (500, 200)
    keyframes = fakes.flat([(1, 2, 3)] * 3, [0.0, 2.0, 5.0], 10.0, Sampling.keyframes())
    assert streamprint.save_image(keyframes, tmp_path / "e.png", RenderOptions()) == (400, 200)


def test_the_default_width_is_stated_in_the_help():
    r = run_cli("--help")
    assert re.search(rb"at\s+least\s+400\s+px", r.stdout), r.stdout


def test_a_picture_of_a_given_width_starts_at_the_movies_start():
    """``--samples 4`` on a 12-s movie puts its samples at 1.5, 4.5, 7.5 and 10.5 s. Drawn
    120 px wide, column x is the time from x/10 s (README: "the x-th of PX equal slices of
    the movie's time"), showing the last sample at or before it, the first one before it:
    the timeline began at the first sample, so 1.5 s fell at x = 0, and a shot cut at 4.5 s
    at x = 34, not 45."""
    fp = fakes.flat([(200, 0, 0), (0, 200, 0), (0, 0, 200), (200, 200, 0)], [1.5, 4.5, 7.5, 10.5], 12.0,
                    Sampling.samples(4))
    top = fp.render(width=120, height=4)[0]
    edges = [0, 45, 75, 105, 120]  # 4.5, 7.5 and 10.5 s at 10 px per second
    for i, colour in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200), (200, 200, 0)]):
        assert (top[edges[i]:edges[i + 1]] == colour).all(), (i, top[edges[i]:edges[i + 1]])
    part = fakes.flat([(200, 0, 0), (0, 200, 0)], [31.5, 36.0], 60.0)
    part = dataclasses.replace(part, time_range=streamprint.TimeRange(30.0, 40.0).resolve(60.0))
    top = part.render(width=100, height=4)[0]  # from the part's start, 30 s: 36 s at x = 60
    assert (top[:60] == (200, 0, 0)).all() and (top[60:] == (0, 200, 0)).all()


# ---- JPEG ------------------------------------------------------------------------------

def test_jpeg_keeps_the_colour_of_one_pixel_columns(tmp_path):
    """A JPEG strip of 1-px columns, each a different flat colour, keeps each column's
    colour: JPEG's default 4:2:0 chroma averaged each column's colour with its neighbour's
    (12 % of pixels more than 30 levels off). Truth: the data file's colours themselves
    (the dominant style draws each sample's first colour over the column's whole height);
    tolerance: JPEG quality 95 at full chroma resolution, mean error at most 2 levels and
    under 0.5 % of pixels more than 20 levels off (quantisation rings at sharp edges)."""
    rng = np.random.default_rng(7)
    colours = [tuple(int(v) for v in c) for c in rng.integers(0, 256, (300, 3))]
    fp = fakes.flat(colours, [float(i) for i in range(300)], 300.0)
    fp.save(tmp_path / "m.json")
    r = run_cli("render", tmp_path / "m.json", tmp_path / "s.jpg", "--style", "dominant", "--column-width", "1",
                "--height", "40", "-q")
    assert r.returncode == 0, r.stderr
    jpg = np.asarray(Image.open(tmp_path / "s.jpg").convert("RGB")).astype(int)
    assert jpg.shape == (40, 300, 3)
    truth = np.broadcast_to(np.array(colours)[None, :, :], jpg.shape)
    error = np.abs(jpg - truth)
    assert error.mean() <= 2.0, error.mean()
    assert (error.max(axis=2) > 20).mean() < 0.005, (error.max(axis=2) > 20).mean()


def test_a_data_file_too_wide_for_its_format_blames_its_samples_not_sampling_options(tmp_path):
    """`render big.json x.webp` said "the sampling (--every, --interval, --samples or --fast)
    gives ... samples", options `render` does not have: the data file's samples make it."""
    fakes.flat([(200, 30, 30)] * 16384, [float(i) for i in range(16384)], 16384.0).save(tmp_path / "big.json")
    r = run_cli("render", tmp_path / "big.json", tmp_path / "x.webp")
    line = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in line, line
    assert line.startswith("streamprint render: error: DATA gives 16384 samples, a column each, which would make a "
                           "16384 x 200 picture, and a WebP picture is at most 16383 px on a side"), line
    assert "--every" not in line and not (tmp_path / "x.webp").exists()
