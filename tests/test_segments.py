"""Known colour segments in, the same colours out: per shot, background then accent."""

from __future__ import annotations

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth

from .conftest import SEG_SIZE

#: Per channel, out of 255: h264 at crf 10 plus the Y'CbCr round trip.
COLOUR_TOL = 6
#: Absolute tolerance on a colour's share of the frame (chroma blur at the square's edge).
SHARE_TOL = 0.03


def _segment_of(t: float) -> synth.Segment | None:
    start = 0.0
    for seg in synth.SAMPLE_SEGMENTS:
        if start + 0.05 <= t < start + seg.seconds - 0.05:  # stay clear of the cuts
            return seg
        start += seg.seconds
    return None


def _close(a, b, tol=COLOUR_TOL) -> bool:
    return int(np.abs(np.asarray(a, int) - np.asarray(b, int)).max()) <= tol


@pytest.mark.parametrize("algorithm", ["minibatch", "kmeans"])
def test_each_segment_gives_its_colours(segments_clip, algorithm):
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(6), colors=5, algorithm=algorithm)
    assert len(fp) == 48  # 288 frames / 6
    accent = synth.accent_share(SEG_SIZE)
    checked = 0
    for s in fp.samples:
        seg = _segment_of(s.time)
        if seg is None:
            continue
        checked += 1
        colors, weights = s.palette.colors, s.palette.weights
        assert _close(colors[0], seg.background), (s.time, colors[0], seg.background)
        assert abs(weights[0] - (1 - accent)) <= SHARE_TOL, (s.time, weights)
        # The accent is the second colour, with its share (edge pixels may form small clusters).
        assert _close(colors[1], seg.accent), (s.time, colors[1], seg.accent)
        assert abs(weights[1] - accent) <= SHARE_TOL, (s.time, weights)
    assert checked >= 40


def test_weights_sum_to_one_and_sorted(segments_clip):
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(12))
    for s in fp.samples:
        w = s.palette.weights
        assert abs(w.sum() - 1) < 1e-9
        assert np.all(np.diff(w) <= 0)
        assert len(s.palette) <= 5


def test_scene_cuts_restart_the_warm_start(segments_clip):
    """At each cut the previous centroids no longer fit: the clusterer must restart cold."""
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(1), algorithm="kmeans")
    cuts = [s.frame for s in fp.samples if s.palette.cut]
    # The first frame, then exactly the three cuts: no shot is taken for a cut, no cut missed.
    assert cuts == [0, 72, 144, 216]


def test_every_frame_decoded_including_the_tail(segments_mkv):
    """Frame threading holds frames back; the decoder must be flushed so none is lost."""
    fp = streamprint.fingerprint(segments_mkv, sampling=Sampling.every(1), algorithm="kmeans")
    assert fp.decode.frames == 288
    assert len(fp) == 288
    assert fp.samples[-1].frame == 287
    assert abs(fp.samples[-1].time - 287 / 24) < 0.002


def test_same_seed_same_output(segments_clip):
    a = streamprint.fingerprint(segments_clip, sampling=Sampling.every(4), seed=7)
    b = streamprint.fingerprint(segments_clip, sampling=Sampling.every(4), seed=7)
    assert a.to_dict()["samples"] == b.to_dict()["samples"]
    assert np.array_equal(a.render(), b.render())


def test_bundled_sample_matches_its_description():
    """sample_media/sample.mp4 (README's first command) holds the colours its script states."""
    from pathlib import Path

    clip = Path(__file__).resolve().parent.parent / "sample_media" / "sample.mp4"
    fp = streamprint.fingerprint(clip, sampling=Sampling.interval(0.5))
    assert fp.source.width == 480 and fp.source.duration == pytest.approx(12, abs=0.1)
    accent = synth.accent_share((480, 270))
    for s in fp.samples:
        seg = _segment_of(s.time)
        if seg is not None:
            assert _close(s.palette.colors[0], seg.background)
            assert _close(s.palette.colors[1], seg.accent)
            assert abs(s.palette.weights[1] - accent) <= SHARE_TOL
