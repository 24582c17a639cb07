"""The plot style: nothing clipped at any size, ticks at round times, tight margins, a
sensible default size, SVG and PDF with streamprint's mark."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import RenderOptions
from streamprint.atomic import written_by_streamprint
from streamprint.render.columns import timeline
from streamprint.render.plot import plot_figure

from . import fakes
from .conftest import run_cli

#: Round steps (seconds) a time axis may tick at: 0.1-0.5 s, 1-30 s, 1-30 min, 1-12 h, days.
ROUND_STEPS = {0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
               43200, 86400}


@pytest.fixture(scope="module")
def movie():
    return fakes.long_movie(2.0, 1.0)  # 7200 samples, 2 h


def hms(t: float) -> str:
    s = round(t)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def laid_out(fp, width, height, title):
    """The figure as save_image draws it, and its renderer."""
    from streamprint.render import render_stacked

    start, end = timeline(fp)
    fig = plot_figure(render_stacked(fp.palettes[::10], height=10), start, end, width, height, title)
    return fig, fig.canvas.get_renderer()


def visible_ticks(ax):
    lo, hi = ax.get_xlim()
    return [(t, label) for t, label in zip(ax.get_xticks(), ax.get_xticklabels()) if lo - 1e-9 <= t <= hi + 1e-9]


SIZES = [(None, 200, None), (None, 200, "A two-hour movie"), (200, 60, None), (200, 60, "Tiny"), (640, 120, "Small"),
         (1000, 400, "Tall"), (3000, 900, "Big"), (7200, 200, None)]


@pytest.mark.parametrize("width, height, title", SIZES, ids=[f"{w}x{h}{'+title' if t else ''}" for w, h, t in SIZES])
def test_nothing_is_clipped(movie, tmp_path, width, height, title):
    """Every label's and the axes' measured extent lies inside the canvas, tick labels do
    not overlap, and the picture's outermost pixels are background (nothing runs off)."""
    out = tmp_path / "plot.png"
    size = streamprint.save_image(movie, out, RenderOptions(style="plot", width=width, height=height, title=title))
    w, h = size
    assert Image.open(out).size == (w, h) == (width or 1600, height)
    fig, renderer = laid_out(movie, w, h, title)
    ax = fig.axes[0]
    ticks = visible_ticks(ax)
    assert len(ticks) >= 2
    texts = [label for _, label in ticks] + [ax.xaxis.label] + ([ax.title] if title else [])
    assert ax.xaxis.label.get_text() == "time (h:mm:ss)"
    for artist in texts + [ax]:
        box = artist.get_window_extent(renderer)
        assert box.width > 0 and box.height > 0
        assert 0 <= box.x0 and box.x1 <= w and 0 <= box.y0 and box.y1 <= h, (artist, box, (w, h))
    boxes = sorted((label.get_window_extent(renderer) for _, label in ticks), key=lambda b: b.x0)
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:])), "tick labels overlap"
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    border = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    assert (border >= 250).all(), "something touches the edge of the canvas"


@pytest.mark.parametrize("seconds, allowed", [(8, {1, 2}), (45, {5, 10}), (600, {60, 120}),
                                              (7200, {300, 600, 900, 1800}), (3 * 3600 + 7, {900, 1800})])
def test_ticks_fall_on_round_times(tmp_path, seconds, allowed):
    """At the default size (1600 px), ticks every few seconds for a short clip, every 5, 10,
    15 or 30 minutes for a 2-hour movie; labels are the tick's h:mm:ss."""
    fp = fakes.flat([(200, 30, 30)] * 4, np.arange(4) * seconds / 4, float(seconds))
    fig, _ = laid_out(fp, 1600, 200, None)
    ticks = visible_ticks(fig.axes[0])
    positions = np.array([t for t, _ in ticks])
    steps = set(np.round(np.diff(positions), 6).tolist())
    assert len(steps) == 1 and steps <= ROUND_STEPS and steps <= allowed, steps
    step = steps.pop()
    assert np.allclose(positions / step, np.round(positions / step))  # multiples of the step
    assert positions[0] == 0 and 5 <= len(positions) <= 17
    assert [label.get_text() for _, label in ticks] == [hms(t) for t in positions]


def test_a_long_movie_has_a_sensible_size_and_tight_margins(movie, tmp_path):
    """Was 7200 x 200 with ~290 px of blank margin each side: now 1600 x 200, the strip
    within a label's half-width of each side."""
    out = tmp_path / "plot.png"
    assert streamprint.save_image(movie, out, RenderOptions(style="plot")) == (1600, 200)
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    colored = np.flatnonzero((img[60].max(axis=1) - img[60].min(axis=1)) > 60)  # saturated strip pixels
    assert colored[0] <= 40 and colored[-1] >= 1600 - 40, (colored[0], colored[-1])
    # the strip itself spans the axis: red at the start, red again at the end (the hue turns once)
    assert (img[60, colored[0] + 2] - (255, 0, 0)).__abs__().max() < 60


def test_svg_plot_is_sized_in_pixels_and_labelled(movie, tmp_path):
    out = tmp_path / "plot.svg"
    streamprint.save_image(movie, out, RenderOptions.for_path(out, style="plot", title="Two hours", width=1200,
                                                              height=300))
    text = out.read_text()
    root = ET.fromstring(text.encode())
    assert (root.get("width"), root.get("height")) == ("1200", "300")
    labels = re.findall(r"<!-- (.*?) -->", text)
    assert "time (h:mm:ss)" in labels and "Two hours" in labels
    ticks = [t for t in labels if re.fullmatch(r"\d+:\d\d:\d\d", t)]
    assert ticks[0] == "0:00:00" and ticks[-1] == "2:00:00" and len(ticks) >= 5
    assert written_by_streamprint(out)
    again = tmp_path / "again.svg"
    streamprint.save_image(movie, again, RenderOptions.for_path(again, style="plot", title="Two hours", width=1200,
                                                                height=300))
    assert again.read_bytes() == out.read_bytes()


def test_pdf_plot_is_marked_and_only_streamprints_pdfs_are_replaced(movie, tmp_path):
    out = tmp_path / "plot.pdf"
    streamprint.save_image(movie, out, RenderOptions.for_path(out, style="plot"))
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and b"/Creator (streamprint" in data
    assert written_by_streamprint(out)
    # a PDF someone else made, also with matplotlib, is not streamprint's
    from matplotlib.figure import Figure

    foreign = tmp_path / "foreign.pdf"
    Figure().savefig(foreign, format="pdf")
    assert not written_by_streamprint(foreign)
    movie.save(tmp_path / "m.json")
    r = run_cli("render", tmp_path / "m.json", foreign, "--style", "plot", "-q")
    assert r.returncode == 2 and b"not written by streamprint" in r.stderr
    assert run_cli("render", tmp_path / "m.json", out, "--style", "plot", "-q").returncode == 0
    assert out.read_bytes() == data  # replaced, by the same bytes: no date inside


@pytest.mark.parametrize("style", ["stacked", "ring"])
def test_pdf_is_for_the_plot_only(tmp_path, style):
    fp = fakes.flat([(1, 2, 3)], [0.0], 1.0)
    fp.save(tmp_path / "m.json")
    r = run_cli("render", tmp_path / "m.json", tmp_path / "o.pdf", "--style", style)
    assert r.returncode == 2 and b"PDF output is available for plot only" in r.stderr


def test_a_title_whose_bytes_are_not_utf8_is_drawn(tmp_path):
    """A --title typed in a Latin-1 terminal ('caf\\xe9') reached matplotlib as a lone
    surrogate: 'unexpected TypeError ... (a bug in streamprint)'. Its undecodable byte is
    drawn as U+FFFD, as pages show such names."""
    fp = fakes.flat([(200, 30, 30)], [0.0], 10.0)
    fp.save(tmp_path / "m.json")
    title = os.fsdecode(b"caf\xe9 bar")  # as Python hands the argument over
    r = run_cli("render", tmp_path / "m.json", tmp_path / "o.svg", "--style", "plot", "--title", title, "-q")
    assert r.returncode == 0, r.stderr
    assert "caf\ufffd bar" in re.findall(r"<!-- (.*?) -->", (tmp_path / "o.svg").read_text(encoding="utf-8"))


@pytest.mark.parametrize("seconds", [1e11, 1e15, 1e17])
def test_times_past_a_thousand_days_get_a_few_ticks(tmp_path, seconds):
    """Ticks stopped at every 1000 days: a data file whose last sample is at 1e11 s (which
    the reader accepts) asked matplotlib for 1160 ticks and printed 18 lines of its warnings;
    past 1e12 s the plot ran for minutes, at 1e20 s it ran out of memory. The render is one
    line, and the ticks are a few, evenly spaced."""
    from streamprint.formats import write_fingerprint

    fp = fakes.flat([(200, 30, 30)] * 4, np.arange(4) * seconds / 4, float(seconds))
    write_fingerprint(fp, tmp_path / "far.json")
    r = run_cli("render", tmp_path / "far.json", tmp_path / "far.png", "--style", "plot", timeout=60)
    assert r.returncode == 0 and r.stderr.decode().count("\n") == 1, r.stderr
    fig, _ = laid_out(fp, 1600, 200, None)
    positions = np.array([t for t, _ in visible_ticks(fig.axes[0])])
    assert 2 <= len(positions) <= 17 and np.allclose(np.diff(positions), positions[1] - positions[0], rtol=1e-9)


TALL_TITLE = "\n".join(f"line {i}" for i in range(1, 7))  # six lines: no room in a 200 x 60 plot


def test_a_plot_without_room_for_its_strip_is_refused_before_the_input_is_read(tmp_path):
    """`--style plot --height 60` with a six-line title decoded the whole movie, then said
    "--height leaves a 200 x 60 px plot no room for its strip" and wrote nothing, not even
    the data file asked for. It is a usage error before any input is read: the input here
    is a named pipe no one writes, which the run would wait on for ever if it opened it."""
    fifo = tmp_path / "never.y4m"
    os.mkfifo(fifo)
    r = run_cli(fifo, tmp_path / "p.png", "--style", "plot", "--width", "200", "--height", "60", "--title",
                TALL_TITLE, "--data", tmp_path / "p.json", timeout=60)
    lines = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "no room for its strip" in lines[0], r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["never.y4m"]


def test_a_batch_of_plots_without_room_is_refused_before_it_starts(tmp_path, segments_clip):
    """The same rule for a batch: refused before OUTDIR is made, not movie by movie."""
    lib = tmp_path / "lib"
    lib.mkdir()
    os.symlink(segments_clip, lib / "a.mp4")
    r = run_cli("batch", lib, tmp_path / "out", "--style", "plot", "--width", "200", "--height", "60", "--title",
                TALL_TITLE, timeout=60)
    lines = r.stderr.decode().strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "no room for its strip" in lines[0], r.stderr
    assert not (tmp_path / "out").exists()


def test_a_plot_too_large_for_memory_is_refused_before_it_is_drawn(tmp_path):
    """A plot of 65535 x 4096 px (under the 2^28 pixels of any picture) grew past 23 GB in
    matplotlib and was killed by the kernel, with no message; 8000 x 2000 already peaked at
    1.95 GB (about 120 bytes a pixel). Plots are at most 2^24 px: a usage error beyond, from
    render and from a grid of plot tiles alike, before anything is drawn or written."""
    fp = fakes.flat([(200, 30, 30)] * 2, [0.0, 1.0], 2.0)
    fp.save(tmp_path / "m.json")
    out = tmp_path / "o.png"
    r = run_cli("render", tmp_path / "m.json", out, "--style", "plot", "--width", "65535", "--height", "4096")
    assert r.returncode == 2 and b"--width makes a plot of 65535 x 4096 px, too large" in r.stderr, r.stderr
    assert not out.exists()
    with pytest.raises(streamprint.ParameterError, match="height makes a plot of 1600 x 20000 px"):
        streamprint.draw(fp, RenderOptions(style="plot", height=20000))
    folder = tmp_path / "lib"
    folder.mkdir()
    fp.save(folder / "m.json")
    r = run_cli("grid", folder, tmp_path / "w.png", "--style", "plot", "--size", "16000x4000")
    assert r.returncode == 2 and b"too large for plots" in r.stderr and not (tmp_path / "w.png").exists(), r.stderr
