"""Skipping non-reference frames that no sample can need (skip_frame = NONREF) must not
change a single sample: same frames, times and colours as decoding every frame."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth
from streamprint.sampler import target_test

from .conftest import run_cli


@pytest.mark.parametrize("sampling,duration", [(Sampling.interval(1.0), None), (Sampling.interval(0.37), None),
                                               (Sampling.samples(7), 12.0), (Sampling.samples(50), 61.3)])
def test_target_test_matches_the_targets(sampling, duration):
    wanted = target_test(sampling, duration)
    assert wanted is not None
    targets = list(itertools.islice(sampling.targets(duration), 400))
    rng = np.random.default_rng(0)
    for _ in range(3000):
        a, b = sorted(rng.uniform(-1, 70, size=2))
        if rng.random() < 0.2:  # exactly on a target
            b = targets[rng.integers(len(targets))]
        expect = any(a < t <= b for t in targets)
        if expect:
            assert wanted(a, b), (a, b)
        else:  # the test may only err on the side of decoding: within a microsecond
            assert not wanted(a, b) or any(abs(t - a) < 2e-6 or abs(t - b) < 2e-6 for t in targets), (a, b)
    assert wanted(-math.inf, targets[0]) and not wanted(-math.inf, targets[0] - 1e-3)
    assert wanted(5.0, math.inf)
    assert target_test(Sampling.every(3), None) is None and target_test(Sampling.keyframes(), None) is None


def same_samples(a: streamprint.Fingerprint, b: streamprint.Fingerprint) -> bool:
    return len(a.samples) == len(b.samples) and all(
        x.frame == y.frame and x.time == y.time and np.array_equal(x.palette.colors, y.palette.colors)
        and np.array_equal(x.palette.weights, y.palette.weights) for x, y in zip(a.samples, b.samples))


@pytest.fixture(scope="module")
def vfr_bframes(tmp_path_factory):
    """Variable frame rate with B-frames: gaps from 1/50 s to 0.7 s, moving content."""
    rng = np.random.default_rng(7)
    times = np.round(np.concatenate([[0.0], np.cumsum(rng.choice([0.02, 0.04, 0.04, 0.1, 0.7], size=150))]), 3)
    frames = synth.segment_frames(synth.SAMPLE_SEGMENTS, (160, 96), len(times) / 12.0)
    path = tmp_path_factory.mktemp("skip") / "vfr.mkv"
    n = synth.encode_clip(path, (f for _, f in zip(times, frames)), fps=24, times=list(times),
                          encoding=synth.Encoding(extra=(("bf", "3"),)))
    assert n == len(times)
    return path


@pytest.mark.parametrize("sampling", [Sampling.default(), Sampling.interval(0.5), Sampling.interval(2.5),
                                      Sampling.samples(7)])
@pytest.mark.parametrize("clip", ["segments_clip", "segments_mkv", "vfr_bframes"])
def test_skipping_changes_nothing(clip, sampling, request):
    path = request.getfixturevalue(clip)
    full = streamprint.fingerprint(path, sampling=sampling, skip_unsampled=False)
    fast = streamprint.fingerprint(path, sampling=sampling)
    assert full.decode.skipped == 0
    assert fast.decode.skipped > 0, "nothing was skipped: the test would prove nothing"
    assert same_samples(full, fast)
    assert fast.decode.frames == full.decode.frames


def test_every_nth_frame_decodes_everything(segments_clip):
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(4))
    assert fp.decode.skipped == 0 and fp.decode.frames == 288


def test_cli_decode_all_gives_the_same_strip(segments_clip, tmp_path):
    skipped, every = tmp_path / "skipped.png", tmp_path / "all.png"
    assert run_cli(segments_clip, skipped, "-q").returncode == 0
    assert run_cli(segments_clip, every, "-q", "--decode-all").returncode == 0
    assert skipped.read_bytes() == every.read_bytes()
