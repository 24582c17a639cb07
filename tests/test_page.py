"""A movie's page without a browser: thumbnails (from the frames already decoded, bounded,
kept through checkpoints and data files), the page's file (self-contained, marked, within
its budget, rebuilt from data byte for byte), and the options that make one.
What the page does in a browser: tests/test_browser.py."""

from __future__ import annotations

import copy
import dataclasses
import io
import html
import json
import re

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import DataFormatError, ResumeError, Sampling, synth
from streamprint.atomic import written_by_streamprint
from streamprint.formats import read_checkpoint, read_fingerprint, write_fingerprint
from streamprint.formats.checkpoint import checkpoint_from_dict, checkpoint_to_dict
from streamprint.formats.fingerprint import fingerprint_to_dict
from streamprint.model import Thumbnails
from streamprint.render.page import PAGE_BUDGET, page_html
from streamprint.thumbnails import ThumbnailCollector

from . import fakes
from .conftest import run_cli
from .test_checkpoint import clip  # noqa: F401  (a module fixture: the sample's shots, keyframes every 2 s)
from .test_safety import one_line


def test_thumbnails_show_each_sampled_frame_and_change_no_colour(clip):
    plain = streamprint.fingerprint(clip, sampling=Sampling.interval(0.5))
    fp = streamprint.fingerprint(clip, sampling=Sampling.interval(0.5), thumbnails=True)
    assert dataclasses.replace(fp, thumbnails=None) == plain  # the strip and the palettes are the same
    assert fp.thumbnails.indices == tuple(range(len(fp)))
    for i in (0, 7, len(fp) - 1):
        image = np.asarray(Image.open(io.BytesIO(fp.thumbnails.images[i])).convert("RGB"))
        assert max(image.shape[:2]) <= 128 and image.shape[1] == 160 * image.shape[0] // 90
        seg = synth.SAMPLE_SEGMENTS[int(fp.samples[i].time // 3)]
        # the frame's corner is its background (lossy WebP: within 12 levels)
        assert np.abs(image[2, 2].astype(int) - seg.background).max() <= 12


def test_thumbnails_are_thinned_by_count_alone():
    """At most ``limit`` are kept; which ones depends only on how many samples there are, so
    a collector continued from any point keeps what one run keeps."""
    image = np.zeros((9, 16, 3), np.uint8)
    one = ThumbnailCollector(limit=8)
    for i in range(37):
        one.add(i, image)
    # the smallest power-of-two stride s with ceil(37 / s) <= 8 is 8
    assert one.result().indices == (0, 8, 16, 24, 32)
    for cut in (1, 5, 17, 33):
        first = ThumbnailCollector(limit=8)
        for i in range(cut):
            first.add(i, image)
        second = ThumbnailCollector(limit=8, start=first.result(), samples=cut)
        for i in range(cut, 37):
            second.add(i, image)
        assert second.result() == one.result()
    with pytest.raises(ResumeError):
        ThumbnailCollector(limit=8, start=Thumbnails((0, 2), (one.images[0],) * 2), samples=3)


def test_a_resumed_run_keeps_the_same_thumbnails(clip):
    saved = []
    full = streamprint.fingerprint(clip, sampling=Sampling.interval(0.5), thumbnails=True, checkpoint=saved.append,
                                   checkpoint_every=1e-9)
    state = checkpoint_from_dict(json.loads(json.dumps(checkpoint_to_dict(saved[9]))), "x")  # as read from disk
    assert state.thumbnails.indices == tuple(range(10))
    resumed = streamprint.fingerprint(clip, sampling=Sampling.interval(0.5), thumbnails=True, resume=state)
    assert resumed == full
    with pytest.raises(ResumeError, match="without thumbnails"):
        streamprint.fingerprint(clip, sampling=Sampling.interval(0.5), thumbnails=True,
                                resume=dataclasses.replace(state, thumbnails=None))


@pytest.fixture(scope="module")
def known():
    return synth.known_fingerprint("known.mkv", synth.SAMPLE_SEGMENTS, interval=0.5, thumbnails=True)


def test_thumbnails_round_trip_through_json_csv_and_checkpoints(known, tmp_path, clip):
    for ext in ("json", "csv"):
        write_fingerprint(known, tmp_path / f"k.{ext}")
        assert read_fingerprint(tmp_path / f"k.{ext}").thumbnails == known.thumbnails


THUMBNAIL_DAMAGE = [
    (("thumbnails", "samples", 0), 99),
    (("thumbnails", "samples", 1), 0),
    (("thumbnails", "samples", 0), -1),
    (("thumbnails", "samples", 0), True),
    (("thumbnails", "samples"), "all"),
    (("thumbnails", "images", 0), "not base64!"),
    (("thumbnails", "images", 0), "AAAA"),  # base64, but not a WebP file
    (("thumbnails", "images", 0), 5),
    (("thumbnails", "images"), []),
    (("thumbnails", "format"), "gif"),
    (("thumbnails",), []),
    (("movie_palette", "weights", 0), 2.0),
    (("movie_palette", "rgb"), [[1, 2, 3]] * 9),  # more colours than options.colors
    (("movie_palette", "rgb", 0), [256, 0, 0]),
    (("movie_palette",), "red"),
]


@pytest.mark.parametrize("path, value", THUMBNAIL_DAMAGE, ids=[".".join(map(str, p)) for p, _ in THUMBNAIL_DAMAGE])
def test_the_reader_refuses_crafted_thumbnails_and_palettes(known, tmp_path, path, value):
    data = json.loads(json.dumps(fingerprint_to_dict(known)))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(DataFormatError) as info:
        read_fingerprint(bad)
    assert str(info.value).startswith(str(bad))


def test_a_checkpoint_with_crafted_thumbnails_is_refused(clip, tmp_path):
    saved = []
    streamprint.fingerprint(clip, sampling=Sampling.interval(2.0), thumbnails=True, checkpoint=saved.append,
                            checkpoint_every=1e-9)
    data = checkpoint_to_dict(saved[3])
    for damage in ({"samples": [0, 1, 2, 3, 9]}, {"images": ["AAAA"] * 4}):
        bad = copy.deepcopy(data)
        bad["thumbnails"].update(damage)
        (tmp_path / "c.json").write_text(json.dumps(bad))
        with pytest.raises(DataFormatError, match="c.json"):
            read_checkpoint(tmp_path / "c.json")


def test_the_page_is_self_contained_marked_and_rebuilt_from_data_byte_for_byte(tmp_path):
    movie = tmp_path / "m.mp4"
    synth.encode_clip(movie, synth.segment_frames(synth.SAMPLE_SEGMENTS, (160, 90)))
    r = run_cli(movie, tmp_path / "direct.html", "--interval", "0.5", "--data", tmp_path / "m.json", "-q")
    assert r.returncode == 0, r.stderr
    r = run_cli("render", tmp_path / "m.json", tmp_path / "again.html", "-q")
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "direct.html").read_bytes()
    assert page == (tmp_path / "again.html").read_bytes()
    assert written_by_streamprint(tmp_path / "direct.html")
    text = page.decode()
    assert "default-src 'none'" in text  # the page may load nothing, from anywhere
    for value in re.findall(r'(?:src|href)="([^"]*)"', text):
        assert value.startswith("data:"), value[:40]
    assert not re.search(r"https?://|<link|@import|url\(", text)
    fp = read_fingerprint(tmp_path / "m.json")
    assert len(fp.thumbnails) == len(fp) == 24
    assert text.count('"src":[') == 1 and len(re.search(r'"src":\[([^\]]*)\]', text).group(1).split(",")) == 24


def test_a_page_fits_its_budget_by_thinning_thumbnails():
    """Two hours at one sample per second, thumbnails of noise (the worst case for WebP):
    the page keeps as many as fit, spread evenly, and uses its budget."""
    rng = np.random.default_rng(1)
    segments = [synth.Segment(tuple(int(v) for v in rng.integers(0, 256, 3)), (250, 250, 250), 300.0)
                for _ in range(24)]
    fp = synth.known_fingerprint("long.mkv", segments, interval=1.0)
    noise = [streamprint.thumbnails.encode_thumbnail(rng.integers(0, 256, (72, 128, 3), dtype=np.uint8))
             for _ in range(16)]
    assert all(len(b) > 4000 for b in noise)
    kept = streamprint.thumbnails.stride_for(len(fp))
    indices = tuple(range(0, len(fp), kept))
    fp = dataclasses.replace(fp, thumbnails=Thumbnails(indices, tuple(noise[i % 16] for i in range(len(indices)))))
    assert len(fp) == 7200 and len(fp.thumbnails) == 3600
    size = len(page_html(fp).encode())
    assert PAGE_BUDGET - 100_000 < size <= PAGE_BUDGET
    shown = json.loads(re.search(r'<script type="application/json" id="sp-data">(.*?)</script>',
                                 page_html(fp)).group(1))["thumbs"]["i"]
    gaps = np.diff([indices.index(i) for i in shown])
    assert 100 < len(shown) < 3600 and shown[0] == 0 and shown[-1] == indices[-1] and gaps.max() - gaps.min() <= 1
    assert len(page_html(fp, budget=10**9).encode()) > 3 * PAGE_BUDGET  # all of them would not have fitted

    # a budget no thumbnail fits in: the page says why it has none; it said the data had none
    page = page_html(fp, budget=1000)
    data = json.loads(re.search(r'<script type="application/json" id="sp-data">(.*?)</script>', page).group(1))
    assert data["thumbs"]["i"] == [] and data["thumbs"]["why"] == "the page's size budget"
    assert html.unescape("none of the data's 3600 (the page's size budget)") in html.unescape(page)
    assert "made without them" not in page


@pytest.mark.parametrize("args, message", [
    (["--style", "ring"], "--style ring: a page shows a strip"),
    (["--style", "plot"], "--style plot: a page shows a strip"),
])
def test_styles_a_page_cannot_show_are_usage_errors(tmp_path, args, message):
    line = one_line(run_cli(synth_movie(tmp_path), tmp_path / "o.html", *args), 2)
    assert message in line and not (tmp_path / "o.html").exists()


def test_thumbnails_without_a_place_to_keep_them_is_a_usage_error(tmp_path):
    line = one_line(run_cli(synth_movie(tmp_path), tmp_path / "o.png", "--thumbnails"), 2)
    assert "--thumbnails" in line and "--data" in line
    r = run_cli(synth_movie(tmp_path), tmp_path / "o.png", "--thumbnails", "--data", tmp_path / "o.json", "-q")
    assert r.returncode == 0 and len(read_fingerprint(tmp_path / "o.json").thumbnails) == 12


def test_an_htm_output_is_a_page_and_a_foreign_page_is_not_replaced(tmp_path):
    movie = synth_movie(tmp_path)
    assert run_cli(movie, tmp_path / "o.htm", "-q").returncode == 0
    assert (tmp_path / "o.htm").read_text().startswith("<!DOCTYPE html>\n<!-- streamprint ")
    (tmp_path / "mine.html").write_text("<html>my own page</html>")
    line = one_line(run_cli(movie, tmp_path / "mine.html"), 2)
    assert "not written by streamprint" in line and "--overwrite" in line
    assert (tmp_path / "mine.html").read_text() == "<html>my own page</html>"


def synth_movie(tmp_path):
    path = tmp_path / "movie.mp4"
    if not path.exists():
        synth.encode_clip(path, synth.segment_frames(synth.SAMPLE_SEGMENTS, (64, 36), fps=8.0), fps=8.0)
    return path


def test_the_page_benchmark_synthesizes_its_movie_through_the_real_pipeline(clip):
    """benchmarks/bench_page.py builds its 2-hour fingerprint from a clip's analysis images
    (through the pipeline's own private generator, whose signature it must keep up with):
    here from the sample's shots, a few seconds' worth, and its page fits the budget."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import bench_page

    fp = bench_page.synthetic_movie(12, clip=clip)
    assert len(fp) == 12 and fp.times.tolist() == [float(i) for i in range(12)]
    assert fp.thumbnails is not None and fp.thumbnails.indices == tuple(range(12))
    assert len(page_html(fp).encode()) <= PAGE_BUDGET


def test_a_data_file_whose_text_holds_lone_surrogates_makes_a_page(tmp_path):
    """JSON may escape half of a surrogate pair ("\\ud800"), and a hand-edited data file did:
    `render` stopped with 'unexpected UnicodeEncodeError ... (a bug in streamprint)'. Each
    such half is shown as U+FFFD, and markup beside it is still only text."""
    fp = synth.known_fingerprint("m.mkv", [synth.Segment((200, 30, 30), (250, 250, 250), 3.0)])
    write_fingerprint(fp, tmp_path / "m.json")
    text = (tmp_path / "m.json").read_text()
    text = text.replace('"path": "m.mkv"', '"path": "\\ud800<i>x\\udfff.mkv"')
    text = text.replace('"codec": "none"', '"codec": "\\ud83d<b>"')
    (tmp_path / "m.json").write_text(text)
    r = run_cli("render", tmp_path / "m.json", tmp_path / "m.html", "-q")
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "m.html").read_bytes().decode("utf-8")  # strict: valid UTF-8 throughout
    assert "<h1 id=\"title\" class=\"as-written\">\ufffd&lt;i&gt;x\ufffd.mkv</h1>" in page
    assert "<td>\ufffd&lt;b&gt; in synthetic," in page
    assert "<i>" not in page and "<b>" not in page


@pytest.mark.parametrize("samples", [1, 2])
def test_the_pages_subtitle_counts_its_columns_in_english(tmp_path, samples):
    """A one-sample page said "1 columns"."""
    fakes.flat([(200, 30, 30)] * samples, [float(i) for i in range(samples)], 4.0).save(tmp_path / "m.json")
    assert run_cli("render", tmp_path / "m.json", tmp_path / "p.html", "-q").returncode == 0
    sub = re.search(r'<p class="sub">colour fingerprint · ([^·]*) ·', (tmp_path / "p.html").read_text()).group(1)
    assert sub == ("1 column" if samples == 1 else f"{samples} columns")


def test_the_axis_of_a_part_shows_its_times_as_the_heading_does():
    """``--start 2.5 --end 4.5 --interval 0.5``: the heading said "0:00:02.5 to 0:00:04.5 of
    the movie" and the axis under the strip "0:00:02" and "0:00:04". Both now say the times
    asked for, to the tenth of a second they were given in."""
    from streamprint.model import Fingerprint, TimeRange

    whole = synth.known_fingerprint("clip.mp4", [synth.Segment((200, 30, 30), (0, 0, 0), 6.0)], interval=0.5)
    part = Fingerprint(whole.source, whole.options, [s for s in whole.samples if 2.5 <= s.time < 4.5],
                       time_range=TimeRange(2.5, 4.5))
    text = page_html(part)
    assert "· 0:00:02.5 to 0:00:04.5 of the movie</p>" in text
    assert '<div class="axis"><span>0:00:02.5</span><span>0:00:04.5</span></div>' in text
    # all of it: from 0:00:00 to its end, as before
    assert '<div class="axis"><span>0:00:00</span><span>0:00:06</span></div>' in page_html(whole)
