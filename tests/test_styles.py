"""Fingerprint styles, SVG, letterbox cropping, stable order and clustering spaces."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import Palette, Sampling, synth
from streamprint.color.letterbox import crop_letterbox
from streamprint.render import render, ring, stable_orders

from .conftest import run_cli


@pytest.fixture(scope="module")
def fp(segments_clip):
    return streamprint.fingerprint(segments_clip, sampling=Sampling.interval(0.5))


def close(a, b, tol=6):
    return int(np.abs(np.asarray(a, int) - np.asarray(b, int)).max()) <= tol


def test_dominant_and_average_columns(fp):
    dom = fp.render(style="dominant", height=10)
    avg = fp.render(style="average", height=10)
    assert dom.shape == avg.shape == (10, len(fp), 3)
    for x, s in enumerate(fp.samples):
        assert (dom[:, x] == s.palette.colors[0]).all()
    # Red background with a yellow square, averaged in linear light (not gamma space).
    from streamprint.color.spaces import linear_to_srgb, srgb_to_linear

    share = synth.accent_share((320, 180))
    bg, acc = synth.SAMPLE_SEGMENTS[0].background, synth.SAMPLE_SEGMENTS[0].accent
    expect = linear_to_srgb((1 - share) * srgb_to_linear(np.array(bg, np.uint8))
                            + share * srgb_to_linear(np.array(acc, np.uint8)))
    assert close(avg[0, 2], expect, 4)


def test_smooth_blends_across_a_cut(fp):
    avg = fp.render(style="average", height=4)[0].astype(int)
    smooth = fp.render(style="smooth", height=4, smooth=3)[0].astype(int)
    cut = 6  # the first cut, at 3 s, is sample 6
    assert not close(smooth[cut - 1], avg[cut - 1], 3)  # blended with the next shot
    assert close(smooth[1], avg[1], 2)  # far from a cut, nothing to blend


def test_smooth_is_for_the_smooth_style_alone():
    """``RenderOptions(style="stacked", smooth=9)`` (and fp.render, render, for_path) drew the
    stacked strip and said nothing: the radius was ignored. Given (any value, the default's
    too) with another style it is a ParameterError naming it, as ``title`` is; not given, the
    smooth style's radius is params.DEFAULT_SMOOTH and no other style has one. A manifest
    written before, which recorded 5 for every style, still reads (as what it drew)."""
    from streamprint import ParameterError, RenderOptions, params
    from streamprint.formats.manifest import manifest_from_dict, manifest_to_dict
    from streamprint import Status
    from streamprint.model import ManifestEntry, Options

    pal = [Palette.from_centroids(np.array([[200.0, 0, 0]]), np.array([1]), 0.0)] * 3
    for style in ("stacked", "dominant", "average", "ring", "plot"):
        for radius in (0, 5, 9):
            for make in (lambda: RenderOptions(style=style, smooth=radius),
                         lambda: RenderOptions.for_path("x.png", style=style, smooth=radius)):
                with pytest.raises(ParameterError, match="smooth applies to the smooth style only") as e:
                    make()
                assert e.value.parameter == "smooth"
        if style not in ("ring", "plot"):
            with pytest.raises(ParameterError, match="smooth applies") as e:
                render(pal, style, 4, smooth=3)
        assert RenderOptions(style=style).smooth is None
    assert RenderOptions(style="smooth").smooth == params.DEFAULT_SMOOTH == 5
    assert RenderOptions(style="smooth") == RenderOptions(style="smooth", smooth=5)
    assert RenderOptions(style="smooth", smooth=0).smooth == 0
    entry = ManifestEntry(Status.DONE, Options(), 1, 1, outputs=("m.mkv.png", "m.mkv.json", "m.mkv.html"),
                          render=RenderOptions(style="dominant"))
    data = manifest_to_dict({"m.mkv": entry})
    data["entries"]["m.mkv"]["render"]["smooth"] = 5  # as every manifest recorded it before
    assert manifest_from_dict(data, "manifest")["m.mkv"].render == RenderOptions(style="dominant")


def test_fp_render_refuses_smooth_with_another_style(fp):
    from streamprint import ParameterError

    with pytest.raises(ParameterError, match="smooth applies to the smooth style only"):
        fp.render(style="stacked", smooth=3)
    assert np.array_equal(fp.render(style="smooth", height=4), fp.render(style="smooth", height=4, smooth=5))


def test_ring_geometry():
    strip = np.zeros((10, 4, 3), np.uint8)
    strip[:, 0] = (255, 0, 0)  # first quarter of the time: red
    strip[:, 1] = (0, 255, 0)
    strip[:, 2] = (0, 0, 255)
    strip[:, 3] = (255, 255, 0)
    img = ring(strip, 101, inner=0.3)
    assert img.shape == (101, 101, 4)  # RGBA
    assert img[50, 50, 3] == 0 and img[0, 0, 3] == 0  # hole and outside: transparent
    assert (img[10, 60] == (255, 0, 0, 255)).all()  # top right: the start, clockwise
    assert (img[60, 90] == (0, 255, 0, 255)).all()  # right-bottom: second quarter
    assert (img[90, 40] == (0, 0, 255, 255)).all()
    assert (img[40, 10] == (255, 255, 0, 255)).all()


def test_plot_has_exact_pixel_size(fp, tmp_path):
    out = tmp_path / "plot.png"
    fp.save_image(out, style="plot", title="Segments", width=900, height=300)
    assert Image.open(out).size == (900, 300)


@pytest.mark.parametrize("style", ["stacked", "dominant", "average"])
def test_svg_matches_png(fp, tmp_path, style):
    out = tmp_path / f"strip-{style}.svg"
    fp.save_image(out, style=style, height=50, column_width=2)
    text = out.read_text()
    assert text.startswith("<svg") and 'width="48"' in text and 'height="50"' in text
    png = fp.render(style=style, height=50, column_width=2)
    for x, y, w, h, color in re.findall(r'<rect x="(\d+)" y="(\d+)" width="(\d+)" height="(\d+)" fill="#(\w{6})"/>',
                                        text):
        x, y, w, h = map(int, (x, y, w, h))
        rgb = [int(color[i:i + 2], 16) for i in (0, 2, 4)]
        assert (png[y:y + h, x:x + w] == rgb).all()


def test_render_command_takes_a_style(segments_clip, tmp_path):
    data = tmp_path / "d.json"
    assert run_cli(segments_clip, tmp_path / "a.png", "--data", data, "-q").returncode == 0
    for style in ("dominant", "ring", "plot"):
        r = run_cli("render", data, tmp_path / f"{style}.png", "--style", style, "--height", "120")
        assert r.returncode == 0, r.stderr
    assert Image.open(tmp_path / "ring.png").size == (120, 120)
    r = run_cli("render", data, tmp_path / "x.svg", "--style", "ring")
    assert r.returncode == 2 and b"SVG output" in r.stderr


def test_letterbox_bars_are_left_out(tmp_path):
    """A 2.39:1 picture letterboxed in 16:9: without cropping black is the top colour."""
    img = np.zeros((180, 320, 3), np.uint8)
    img[44:136] = (40, 150, 70)
    img[44:136, 100:160] = (230, 140, 30)
    assert crop_letterbox(img).shape == (92, 320, 3)
    clip = tmp_path / "letterbox.mkv"
    synth.encode_clip(clip, [img] * 24, encoding=synth.Encoding(crf=10))
    cropped = streamprint.fingerprint(clip, sampling=Sampling.every(8))
    whole = streamprint.fingerprint(clip, sampling=Sampling.every(8), crop="none")
    assert close(whole.samples[0].palette.colors[0], (0, 0, 0))
    assert close(cropped.samples[0].palette.colors[0], (40, 150, 70))
    assert all(max(c) > 20 for c in cropped.samples[0].palette.colors)  # no black at all


@pytest.mark.parametrize("edge", [(0, 0, 255), (0, 0, 128), (120, 0, 0), (30, 0, 60)],
                         ids=["blue", "navy", "dark-red", "dark-violet"])
def test_saturated_dark_edges_are_no_bars(edge):
    """Blue has a BT.709 luma of 18 (0.0722 x 255), navy 9: a frame with blue at its top and
    bottom, or all round a white box (a blue screen), is no letterboxed picture."""
    img = np.zeros((90, 160, 3), np.uint8)
    img[:] = edge
    img[30:60, 50:110] = 255
    assert crop_letterbox(img).shape == img.shape
    halves = np.zeros((90, 160, 3), np.uint8)
    halves[:45] = edge
    halves[45:] = 255
    assert crop_letterbox(halves).shape == halves.shape
    barred = np.zeros((90, 160, 3), np.uint8)  # real bars around the same picture still go
    barred[10:80] = halves[10:80]
    assert crop_letterbox(barred).shape == (70, 160, 3)


def test_dark_frames_are_not_cropped():
    dark = np.full((90, 160, 3), 10, np.uint8)
    dark[40:45, 70:80] = 200
    assert crop_letterbox(dark).shape == dark.shape
    black = np.zeros((90, 160, 3), np.uint8)
    assert crop_letterbox(black).shape == black.shape


def _pal(colors, weights, cut=False):
    return Palette(np.array(colors, np.uint8), np.array(weights, float), cut=cut)


def test_stable_order_keeps_rows_until_a_cut():
    red, blue, green = (200, 40, 40), (30, 60, 160), (40, 150, 70)
    pals = [_pal([red, blue], [0.55, 0.45]), _pal([blue, red], [0.52, 0.48]),  # shares swap rank
            _pal([blue, red], [0.6, 0.4]), _pal([green, blue], [0.7, 0.3], cut=True)]
    orders = stable_orders(pals)
    tops = [tuple(int(v) for v in p.colors[o[0]]) for p, o in zip(pals, orders)]
    assert tops == [red, red, red, green]  # red keeps the top row; the cut re-sorts by share


def test_stable_order_removes_rank_flicker():
    """Two colours near half and half whose ranks swap every frame (a boundary wobbling
    across the middle): by weight the bands jump every column, stable keeps them still."""
    from streamprint.render import render_stacked

    red, blue = (200, 40, 40), (30, 60, 160)
    pals = [_pal([red, blue], [0.52, 0.48]) if i % 2 else _pal([blue, red], [0.53, 0.47]) for i in range(20)]

    def flicker(img):
        cols = img.astype(float)
        return float(np.mean([np.linalg.norm(cols[:, x] - cols[:, x - 1], axis=1).mean()
                              for x in range(1, cols.shape[1])]))

    by_weight = flicker(render_stacked(pals, height=100, order="weight"))
    stable = flicker(render_stacked(pals, height=100, order="stable"))
    assert by_weight > 100  # about half of each column changes colour
    # Only the boundary moves: 5-6 rows of 100 switch between colours 209 apart, about 12.
    assert stable < 15 and stable < by_weight / 8


@pytest.mark.parametrize("space", ["lab", "oklab"])
def test_clustering_spaces_recover_the_segment_colours(segments_clip, space):
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(24), space=space)
    for s in fp.samples:
        seg = synth.SAMPLE_SEGMENTS[min(3, int(s.time // 3))]
        assert close(s.palette.colors[0], seg.background, 7)


def test_average_survives_a_round_trip(fp, tmp_path):
    for ext in ("json", "csv"):
        path = tmp_path / f"fp.{ext}"
        fp.save(path)
        back = streamprint.Fingerprint.load(path)
        assert np.array_equal(back.render(style="average"), fp.render(style="average"))


def test_render_rejects_unknown_style():
    with pytest.raises(streamprint.UsageError):
        render([_pal([(1, 2, 3)], [1.0])], style="mosaic")  # type: ignore[arg-type]
