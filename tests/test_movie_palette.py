"""The movie's own palette and searching by colour: known colours and times in, the same
colours and shares out; CIEDE2000 against the published test data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth
from streamprint.color.spaces import ciede2000, srgb_to_lab
from streamprint.formats import read_fingerprint, write_fingerprint
from streamprint.model import Fingerprint, Options, Palette, Sample, SourceInfo

DATA = Path(__file__).parent / "data"


def sharma_pairs() -> np.ndarray:
    """Table 1 of Sharma, Wu & Dalal (2005): pair, L1, a1, b1, L2, a2, b2, ΔE00."""
    with open(DATA / "ciede2000_sharma2005.csv") as f:
        return np.array([[float(v) for v in row] for row in csv.reader(line for line in f if not line.startswith("#"))])


def test_ciede2000_matches_the_published_test_data():
    table = sharma_pairs()
    assert len(table) == 34
    forward = ciede2000(table[:, 1:4], table[:, 4:7])
    backward = ciede2000(table[:, 4:7], table[:, 1:4])
    # the table gives 4 decimals
    assert np.abs(forward - table[:, 7]).max() < 5e-5
    assert np.abs(backward - table[:, 7]).max() < 5e-5


def fingerprint_of(columns: list[tuple[float, list[tuple[tuple[int, int, int], float]]]], duration: float,
                   colors: int = 5, sampling: Sampling | None = None) -> Fingerprint:
    """A fingerprint by hand: (time, [(colour, share), ...]) per sample."""
    info = SourceInfo("x.mkv", "matroska", "h264", 64, 36, 64, 25.0, duration, None, None, None, None, None)
    samples = []
    for i, (t, parts) in enumerate(columns):
        rgb = np.array([c for c, _ in parts], np.uint8)
        samples.append(Sample(i, t, Palette(rgb, np.array([w for _, w in parts]))))
    return Fingerprint(info, Options(sampling=sampling or Sampling.interval(1.0), colors=colors), tuple(samples))


RED, BLUE, GREEN, WHITE = (200, 30, 30), (30, 60, 160), (40, 150, 70), (250, 250, 250)


def test_the_movie_palette_weighs_colours_by_time_on_screen():
    # red fills frame 0 for 6 s; blue and white share frame 1 (3:1) for 2 s; green 2 s
    fp = fingerprint_of([(0.0, [(RED, 1.0)]), (6.0, [(BLUE, 0.75), (WHITE, 0.25)]), (8.0, [(GREEN, 1.0)])],
                        duration=10.0)
    p = fp.movie_palette
    truth = {RED: 0.6, BLUE: 0.15, WHITE: 0.05, GREEN: 0.2}
    assert [tuple(c) for c in p.colors] == sorted(truth, key=lambda c: -truth[c])
    assert np.allclose(p.weights, sorted(truth.values(), reverse=True), atol=1e-12)


def test_the_movie_palette_clusters_near_colours_into_their_weighted_mean():
    """More colours than ``colors``: two groups far apart, each becomes its time-weighted mean."""
    reds = [(200, 30, 30), (210, 40, 36), (190, 24, 30)]
    blues = [(30, 60, 160), (36, 66, 150)]
    columns, t, spans = [], 0.0, [3.0, 1.0, 2.0, 4.0, 2.0]
    for color, span in zip(reds + blues, spans):
        columns.append((t, [(color, 1.0)]))
        t += span
    fp = fingerprint_of(columns, duration=t, colors=2)
    p = fp.movie_palette
    w = np.array(spans)
    red_mean = np.average(np.array(reds, float), axis=0, weights=w[:3])
    blue_mean = np.average(np.array(blues, float), axis=0, weights=w[3:])
    assert len(p) == 2 and np.allclose(p.weights, [0.5, 0.5])  # 6 s of 12 each
    for mean in (red_mean, blue_mean):
        assert np.abs(p.colors.astype(float) - mean).max(axis=1).min() <= 0.5


def test_keyframe_columns_weigh_by_the_time_they_stand_for():
    fp = fingerprint_of([(0.0, [(RED, 1.0)]), (9.0, [(BLUE, 1.0)])], duration=10.0, sampling=Sampling.keyframes())
    assert np.allclose(fp.movie_palette.weights, [0.9, 0.1])


def test_the_same_fingerprint_gives_the_same_palette_and_files_keep_it(tmp_path, segments_clip):
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.interval(0.5), colors=8)
    again = streamprint.fingerprint(segments_clip, sampling=Sampling.interval(0.5), colors=8)
    assert fp.movie_palette == again.movie_palette
    # four 3-s shots, each a background with an accent square on it: every background is one of the
    # movie's colours, on screen a quarter of the time less the square's share
    share = (1 - synth.accent_share((320, 180))) / 4
    p = fp.movie_palette
    for seg in synth.SAMPLE_SEGMENTS:
        distance = np.abs(p.colors.astype(float) - seg.background).max(axis=1)
        assert distance.min() <= 6, (seg.background, p.hex)
        assert p.weights[int(distance.argmin())] == pytest.approx(share, abs=0.03)
    for ext in ("json", "csv"):
        write_fingerprint(fp, tmp_path / f"f.{ext}")
        back = read_fingerprint(tmp_path / f"f.{ext}")
        assert back == fp and back.movie_palette == fp.movie_palette


def test_older_files_without_the_movie_palette_still_read(tmp_path):
    fp = synth.known_fingerprint("m.mkv", synth.SAMPLE_SEGMENTS)
    import json

    data = json.loads((write_fingerprint(fp, tmp_path / "f.json"), (tmp_path / "f.json").read_text())[1])
    del data["movie_palette"]
    (tmp_path / "old.json").write_text(json.dumps(data))
    assert read_fingerprint(tmp_path / "old.json").movie_palette == fp.movie_palette


def test_share_near_counts_the_time_within_the_threshold():
    fp = fingerprint_of([(0.0, [(RED, 0.5), (WHITE, 0.5)]), (4.0, [(BLUE, 1.0)])], duration=10.0)
    # red is on screen half of the first 4 s of 10: 20 % of the time
    assert fp.share_near("#c81e1e", threshold=0.5) == pytest.approx(0.2)
    assert fp.share_near((30, 60, 160), threshold=0.5) == pytest.approx(0.6)
    # a colour just beyond the threshold counts for nothing: ΔE00 from the published formula's
    # implementation, checked above against the published pairs
    near = (205, 30, 30)
    d = float(ciede2000(srgb_to_lab(np.array(RED, np.uint8)), srgb_to_lab(np.array(near, np.uint8))))
    assert fp.share_near(near, threshold=d * 1.01) == pytest.approx(0.2)
    assert fp.share_near(near, threshold=d * 0.99) == 0.0
    with pytest.raises(streamprint.ParameterError, match="threshold"):
        fp.share_near(RED, threshold=0)
    with pytest.raises(streamprint.ParameterError, match="color"):
        fp.share_near("#12345")


def test_a_long_run_s_colour_times_are_summed_chunk_by_chunk_as_by_hand():
    """Three store chunks of samples (more than 8,192) of up to 5 colours at uneven times: the
    share of each colour is, within float rounding, the sum by hand of weight x seconds on
    screen over the whole; and a live run's fingerprints so far, taken as it grows (the sums
    of finished chunks kept), give bit for bit the palette of the same samples taken at once."""
    from streamprint.model import SampleStore
    from streamprint.model.samples import CHUNK
    from streamprint.summary import _DONE, time_weights

    rng = np.random.default_rng(11)
    n = 2 * CHUNK + 500
    levels = np.array([0, 64, 128, 192, 255], np.uint8)  # a few distinct colours, so they repeat
    times = np.cumsum(rng.uniform(0.5, 1.5, n))
    samples = []
    for i, t in enumerate(times):
        k = int(rng.integers(1, 6))
        w = rng.random(k) + 0.01
        samples.append(Sample(i, float(t), Palette(levels[rng.integers(0, 5, (k, 3))], w / w.sum())))
    duration = float(times[-1] + 2.0)
    info = SourceInfo("x.mkv", "matroska", "h264", 64, 36, 64, 25.0, duration, None, None, None, None, None)
    options = Options(colors=5)
    by_hand: dict[tuple[int, ...], float] = {}
    spans = np.append(np.diff(times), duration - times[-1])
    for s, span in zip(samples, spans):
        for c, w in zip(s.palette.colors.tolist(), s.palette.weights.tolist()):
            by_hand[tuple(c)] = by_hand.get(tuple(c), 0.0) + w * span
    total = sum(by_hand.values())
    whole = Fingerprint(info, options, samples)
    colors, weights = time_weights(whole)
    assert [tuple(c) for c in colors.tolist()] == sorted(by_hand)
    assert np.allclose(weights, [by_hand[c] / total for c in sorted(by_hand)], rtol=1e-12, atol=0)
    store = SampleStore(5)
    for i, s in enumerate(samples):
        store.append(s)
        if i % 1500 == 1499:
            Fingerprint(info, options, store.view())  # a flush: its palette is computed, finished chunks kept
    grown = Fingerprint(info, options, store.view())
    assert _DONE[store.view().key][0] == 2  # the two finished chunks were summed once
    assert grown.movie_palette == whole.movie_palette
    assert np.array_equal(time_weights(grown)[1], weights)


@pytest.mark.parametrize("colors", [1, 3, 5])
def test_the_movie_average_is_the_linear_light_mean_of_its_frames_whatever_the_colour_count(tmp_path, colors):
    """Frames half pure red, half pure blue (lossless RGB): every pixel is linear 1 or 0 in R
    and B, so the movie's linear-light mean is 0.5, 0, 0.5, sRGB (IEC 61966-2-1)
    255 (1.055 0.5^(1/2.4) - 0.055) = 187.5 in R and B. The movie's average was the mean of
    its palette's centroids, which k-means takes in gamma-encoded values: #800080 at
    ``colors=1``; it must not depend on the colour count."""
    import subprocess

    w, h = 64, 36
    frame = np.zeros((h, w, 3), np.uint8)
    frame[:, :w // 2, 0] = 255
    frame[:, w // 2:, 2] = 255
    path = tmp_path / "rb.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}",
                    "-r", "5", "-i", "-", "-c:v", "ffv1", "-pix_fmt", "gbrp", str(path)],
                   input=frame.tobytes() * 3, check=True)
    half = 255 * (1.055 * 0.5 ** (1 / 2.4) - 0.055)
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=colors, crop="none")
    assert fp.movie_palette is not None and fp.movie_palette.mean is not None
    assert np.abs(fp.movie_palette.mean.astype(float) - [half, 0, half]).max() <= 1, fp.movie_palette.mean
