"""Drawing checked against truth computed here, independently of the code drawn with:
which colour a style shows, and text the vector formats must hold."""

from __future__ import annotations

import html
import json
import logging
import warnings
import xml.dom.minidom

import numpy as np
import pytest
from PIL import Image

from streamprint import Fingerprint, Palette

from . import fakes
from .conftest import run_cli

RED, BLUE, GREEN = (200, 30, 30), (20, 40, 180), (30, 160, 60)


def _data_file(tmp_path, samples):
    """A data file whose samples hold the given [(rgb, share), ...] lists as written, in
    the order given (JSON written here, not by streamprint's writer)."""
    path = tmp_path / "movie.json"
    fakes.flat([RED] * len(samples), range(len(samples)), float(len(samples))).save(path)
    data = json.loads(path.read_text())
    for s, pairs in zip(data["samples"], samples):
        s["rgb"] = [list(c) for c, _ in pairs]
        s["weights"] = [w for _, w in pairs]
        s["colors"] = ["#%02x%02x%02x" % c for c, _ in pairs]
        s.pop("average", None)
    path.write_text(json.dumps(data))
    return path


def test_a_palette_listed_least_share_first_is_drawn_by_share(tmp_path):
    """A data file written by another tool (or by hand) may list a sample's colours in any
    order: ``dominant`` shows the largest share, ``stacked`` (order weight) puts it on top,
    and ``stable`` starts from it at a cut."""
    path = _data_file(tmp_path, [[(RED, 0.1), (GREEN, 0.3), (BLUE, 0.6)]])
    dominant = Fingerprint.load(path).render(style="dominant", height=4)
    assert (dominant == BLUE).all()  # the 0.6 share; 0.1 is not the dominant colour
    for order in ("weight", "stable"):
        column = Fingerprint.load(path).render(style="stacked", height=10, order=order)[:, 0]
        # 10 px by share, largest first: 6 blue, 3 green, 1 red (exact: shares x 10 are whole)
        assert [tuple(c) for c in column] == [BLUE] * 6 + [GREEN] * 3 + [RED], order
    out = tmp_path / "dominant.png"
    assert run_cli("render", str(path), str(out), "--style", "dominant", "--height", "3").returncode == 0
    assert (np.asarray(Image.open(out).convert("RGB")) == BLUE).all()


def test_a_palette_keeps_ties_in_the_order_given():
    p = Palette(np.array([GREEN, RED, BLUE], np.uint8), np.array([0.25, 0.25, 0.5]))
    assert [tuple(c) for c in p.colors] == [BLUE, GREEN, RED]
    assert p.weights.tolist() == [0.5, 0.25, 0.25]


@pytest.mark.parametrize("title", ["bell \x07 here", "nul \x00", "esc \x1b[31m red", "del \x7f c1 \x85",
                                   "not a char \ufffe", "a < b & c ]]> -- --> \"q\" 'q'"])
def test_a_plot_title_with_control_characters_is_well_formed_svg(tmp_path, title):
    """SVG is XML 1.0, which can hold no C0 control but tab and line breaks (nor U+FFFE,
    U+FFFF): matplotlib writes the title into a comment as it is, so a title with one
    was a file no SVG reader opens. Such characters are drawn as U+FFFD, as bytes that are
    not UTF-8 are; markup characters stay as written."""
    fp = fakes.flat([RED, BLUE], [0.0, 5.0], 10.0)
    out = tmp_path / "plot.svg"
    fp.save_image(out, style="plot", title=title, width=400, height=120)
    doc = xml.dom.minidom.parse(str(out))  # raises on a document that is not well-formed
    comments = []
    stack = [doc]
    while stack:
        node = stack.pop()
        comments += [c.data for c in node.childNodes if c.nodeType == c.COMMENT_NODE]
        stack += node.childNodes
    if "<" in title:  # matplotlib's comment keeps the text, escaped as in XML text
        assert any("a < b & c ]]>" in html.unescape(c) for c in comments)


def test_a_title_the_font_cannot_draw_is_one_warning_not_matplotlibs(tmp_path, caplog):
    """The library never prints: a title in a script the plot's font lacks (Japanese, an
    emoji) is one warning through the "streamprint" logger naming the characters, not a
    matplotlib UserWarning per glyph and per pass, each with a line of streamprint's source."""
    fp = fakes.flat([RED, BLUE], [0.0, 5.0], 10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning the library lets out fails the test
        with caplog.at_level(logging.WARNING, logger="streamprint"):
            for ext in ("png", "svg", "pdf"):
                fp.save_image(tmp_path / f"plot.{ext}", style="plot", title="東京物語 🎬", width=400, height=120)
    records = [r.getMessage() for r in caplog.records if r.name.startswith("streamprint")]
    assert len(records) == 3, records  # one per picture drawn
    assert all("東" in m and "🎬" in m for m in records)
    data = tmp_path / "movie.json"
    fp.save(data)
    result = run_cli("render", str(data), str(tmp_path / "cli.png"), "--style", "plot", "--title", "東京 tab\there")
    assert result.returncode == 0
    err = result.stderr.decode()
    assert "UserWarning" not in err and "plot.py" not in err, err
    assert len([line for line in err.splitlines() if "東" in line]) == 1, err


def _linear(c):
    """IEC 61966-2-1's sRGB EOTF, 8-bit code value to linear light 0-1 (written out here)."""
    c = np.asarray(c, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _srgb(lin):
    """The inverse of :func:`_linear`, linear light 0-1 to 8-bit code value (float)."""
    lin = np.clip(np.asarray(lin, np.float64), 0.0, 1.0)
    return 255.0 * np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def test_a_strip_shrunk_to_its_grid_tile_is_averaged_in_linear_light(tmp_path):
    """A PNG strip is averaged down to its tile in linear light, as every other blend in
    streamprint is (average, smooth, the ring's edges): columns of red and green, two to
    each tile pixel, make (188, 188, 0), not sRGB's darker (128, 128, 0). A ring's PNG
    (transparent around it) is weighted by alpha: half-covered pixels keep their colour."""
    from streamprint.batch.grid import grid

    folder = tmp_path / "strips"
    folder.mkdir()
    strip = np.zeros((40, 200, 3), np.uint8)
    strip[:, 0::2] = (255, 0, 0)
    strip[:, 1::2] = (0, 255, 0)
    Image.fromarray(strip).save(folder / "a.png")
    wall = grid(folder, (100, 20)).image  # one tile: the whole wall, 2 x 2 strip px a pixel
    expect = _srgb((_linear([255, 0, 0]) + _linear([0, 255, 0])) / 2)  # 187.5..., 187.5..., 0
    assert np.abs(wall.astype(float) - expect).max() <= 0.5 + 1e-9, wall[0, 0]
    # alpha: opaque blue beside transparent (black, alpha 0) columns, over a white background
    rgba = np.zeros((40, 200, 4), np.uint8)
    rgba[:, 0::2] = (0, 0, 255, 255)
    (folder / "a.png").unlink()
    Image.fromarray(rgba).save(folder / "b.png")
    wall = grid(folder, (100, 20), background=(255, 255, 255)).image
    # half the pixel is blue, half white background; composited as flatten does (sRGB values
    # mixed by alpha): the blue stays pure blue at alpha 1/2, not darkened by the black
    assert np.abs(wall[5, 5].astype(int) - (128, 128, 255)).max() <= 1, wall[5, 5]


def test_lightness_order_is_by_luminance_not_by_gamma_encoded_values():
    """``--order lightness`` puts the lightest colour on top: lightness is relative
    luminance, from linear light (CIELAB L* is a function of it alone). Pure blue (Y 0.0722,
    L* 32.3) is much lighter than a near-black grey of 20/255 (Y 0.0070, L* 6.3), though
    BT.709 weights applied to the code values put the grey first (20 against 18.4)."""
    blue, grey = (0, 0, 255), (20, 20, 20)
    y = {c: float(_linear(c) @ np.array([0.2126, 0.7152, 0.0722])) for c in (blue, grey)}
    assert y[blue] > y[grey]
    fp = fakes.fingerprint([fakes.palette((grey, 0.5), (blue, 0.5))], [0.0], 1.0)
    assert [tuple(c) for c in fp.render(style="stacked", height=2, order="lightness")[:, 0]] == [blue, grey]


@pytest.mark.parametrize("height", [200, 1000])
def test_a_plots_bands_are_its_shares_of_the_strips_height(tmp_path, height):
    """In a plot, as in a stacked strip, the border between two bands lies where the shares
    above it end, within 1 px: the strip was drawn 100 rows tall and stretched, so at 1000
    px shares moved in steps of 1 % (9 px): 50.4 % was drawn 4 px short, and a 0.4 % share
    (4 px) not at all.
    The strip's top and bottom are the axes' frame lines (their black middle rows)."""
    top, bottom, sliver = (200, 30, 30), (20, 40, 180), (250, 250, 250)
    fp = fakes.fingerprint([fakes.palette((top, 0.504), (bottom, 0.492), (sliver, 0.004))], [0.0], 10.0)
    fp.save_image(tmp_path / "plot.png", style="plot", width=400, height=height)
    column = np.asarray(Image.open(tmp_path / "plot.png").convert("RGB"))[:, 200].astype(int)
    black = np.flatnonzero((column == 0).all(axis=1))
    y0, y1 = black.min() + 0.5, black.max() + 0.5  # the frame's lines, middles of their rows
    starts = {c: np.flatnonzero((column == c).all(axis=1)) for c in (bottom, sliver)}
    expect_bottom, expect_sliver = y0 + 0.504 * (y1 - y0), y0 + 0.996 * (y1 - y0)
    assert abs(starts[bottom].min() - expect_bottom) <= 1, (starts[bottom].min(), expect_bottom)
    if 0.004 * (y1 - y0) >= 2.5:  # 1000 px: about 4 px of it, beside the frame's line
        assert len(starts[sliver]) and abs(starts[sliver].min() - expect_sliver) <= 1, (starts[sliver], expect_sliver)


def test_a_plots_strip_takes_the_pictures_memory_not_the_samples(tmp_path):
    """A plot's strip, drawn as tall as the picture, is drawn only for the columns shown:
    50,000 samples at 2,000 px were a 300 MB strip (rows x samples x 3 bytes) for a
    picture of 200 x 2000 px. The peak (numpy's and matplotlib's allocations, traced) stays
    under 180 MB: about 90 MB, most of it matplotlib's."""
    import tracemalloc

    fp = fakes.long_movie(hours=50000 / 3600)
    palettes = fp.palettes
    import streamprint.render.plot  # noqa: F401  (imports are not the drawing's memory)

    tracemalloc.start()
    try:
        fp.save_image(tmp_path / "plot.png", style="plot", width=200, height=2000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(palettes) == 50000 and peak < 180e6, peak / 1e6


def test_a_gallery_cards_strip_is_averaged_in_linear_light():
    """A gallery card's strip, more samples than pixels, averages them down in linear light
    (as the grid does): red and green samples, two to a pixel, make about (188, 188, 0),
    not sRGB's (128, 128, 0). Tolerance 8: the card's WebP is lossy."""
    import io

    from streamprint.render.gallery import strip_picture

    colors = [(255, 0, 0), (0, 255, 0)] * 480
    fp = fakes.flat(colors, range(len(colors)), float(len(colors)))
    image = np.asarray(Image.open(io.BytesIO(strip_picture(fp, (480, 48)))).convert("RGB")).astype(float)
    expect = _srgb((_linear([255, 0, 0]) + _linear([0, 255, 0])) / 2)
    assert np.abs(image[4:-4, 4:-4].mean(axis=(0, 1)) - expect).max() <= 8, image.mean(axis=(0, 1))
