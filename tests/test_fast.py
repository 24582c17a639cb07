"""Fast mode: keyframes only, columns as wide as the time they stand for."""

from __future__ import annotations

import numpy as np
from PIL import Image

import streamprint
from streamprint import Sampling, synth

from .conftest import run_cli


def test_keyframes_only_are_decoded_and_span_the_shots(segments_clip):
    """The encoder put keyframes at the three cuts (x264 scenecut), plus the first frame."""
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.keyframes())
    assert fp.decode.frames == len(fp) == 4
    assert np.allclose(fp.times, [0, 3, 6, 9], atol=0.05)
    assert np.allclose(fp.spans(), [3, 3, 3, 3], atol=0.05)
    for s, seg in zip(fp.samples, synth.SAMPLE_SEGMENTS):
        assert np.abs(s.palette.colors[0].astype(int) - seg.background).max() <= 6


def test_fast_strip_matches_exact_strip_on_the_time_axis(segments_clip, tmp_path):
    """Rendered one column per second, the fast strip equals the exact one here (each shot
    is one colour pair and starts with a keyframe): mean colour distance below 3/255."""
    exact = streamprint.fingerprint(segments_clip)  # one sample per second
    fast = streamprint.fingerprint(segments_clip, sampling=Sampling.keyframes())
    a = exact.render(height=60)
    b = fast.render(height=60)
    assert a.shape == b.shape == (60, 12, 3)
    distance = np.linalg.norm(a.astype(float) - b.astype(float), axis=2).mean()
    assert distance < 3.0, distance


def test_uneven_keyframes_give_proportional_widths(tmp_path):
    """Shots of 1, 2 and 4 s: their bands are 1:2:4 wide."""
    clip = tmp_path / "uneven.mkv"
    segs = [synth.Segment((200, 40, 40), (240, 220, 60), 1.0), synth.Segment((30, 60, 160), (250, 250, 250), 2.0),
            synth.Segment((40, 150, 70), (20, 20, 20), 4.0)]
    synth.encode_clip(clip, synth.segment_frames(segs, (160, 90)), encoding=synth.Encoding(gop=1000))
    out = tmp_path / "fast.png"
    r = run_cli(clip, out, "--fast", "--width", "70", "--height", "10", "-q")
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(out))
    assert img.shape == (10, 70, 3)
    top = img[0].astype(int)
    bands = [int((np.abs(top - seg.background).max(axis=1) <= 8).sum()) for seg in segs]
    assert bands == [10, 20, 40]


def test_width_without_fast_resamples_by_time(segments_clip, tmp_path):
    """Four 3-s shots drawn 100 px wide: 25 columns each, whatever the sampling."""
    r = run_cli(segments_clip, tmp_path / "o.png", "--width", "100", "--height", "10", "--every", "6", "-q")
    assert r.returncode == 0, r.stderr
    top = np.asarray(Image.open(tmp_path / "o.png"))[0].astype(int)
    assert top.shape == (100, 3)
    for i, seg in enumerate(synth.SAMPLE_SEGMENTS):
        assert (np.abs(top[25 * i + 1:25 * i + 24] - seg.background).max() <= 8), i
