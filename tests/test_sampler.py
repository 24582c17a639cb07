"""Sample times for --every, --interval and --samples, on constant and variable frame rate."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, UsageError, synth
from streamprint.sampler import select


@dataclass(frozen=True)
class F:
    index: int
    time: float


def frames_at(times):
    return [F(i, t) for i, t in enumerate(times)]


def reference(times, targets, slack):
    """Independent statement of the rule: for each target the nearest frame (ties: the later
    one), targets past the last frame only within ``slack``; each frame used once."""
    out = []
    t = np.asarray(times)
    for target in targets:
        if target > t[-1] + slack:
            break
        i = min(range(len(t)), key=lambda j: (abs(t[j] - target), -t[j]))
        if not out or out[-1] != i:
            out.append(i)
    return out


def test_every_nth_frame():
    got = [f.index for f in select(frames_at(np.arange(100) / 24), Sampling.every(7))]
    assert got == list(range(0, 100, 7))


def test_interval_on_constant_rate():
    times = np.arange(240) / 24  # 10 s at 24 fps
    got = [f.index for f in select(frames_at(times), Sampling.interval(0.5))]
    assert got == [round(k * 12) for k in range(20)]


def test_samples_are_mid_slice():
    times = np.arange(240) / 24
    got = [f.time for f in select(frames_at(times), Sampling.samples(10), duration=10.0)]
    assert len(got) == 10
    assert np.allclose(got, np.arange(10) + 0.5, atol=1 / 48)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_interval_on_variable_rate_matches_reference(seed):
    rng = np.random.default_rng(seed)
    times = np.concatenate([[0.0], np.cumsum(rng.choice([0.01, 0.04, 0.3, 1.7], size=200))])
    for interval in (0.25, 1.0, 2.5):
        got = [f.index for f in select(frames_at(times), Sampling.interval(interval))]
        targets = np.arange(0, times[-1] + interval, interval)
        assert got == reference(times, targets, 0.0)


def test_samples_need_a_duration():
    with pytest.raises(UsageError, match="samples needs the duration.*use every or interval"):
        list(select(frames_at([0.0, 1.0]), Sampling.samples(3), duration=None))


@pytest.mark.parametrize("bad", [0, -1, 2.5])
def test_bad_counts_rejected(bad):
    with pytest.raises(UsageError):
        Sampling.every(bad)
    with pytest.raises(UsageError):
        Sampling.samples(bad)


# ---- through the real decoder, on a variable-frame-rate clip -----------------------------

@pytest.fixture(scope="module")
def vfr_clip(tmp_path_factory):
    rng = np.random.default_rng(42)
    gaps = rng.choice([0.02, 0.04, 0.1, 0.5, 1.2], size=80)
    times = np.round(np.concatenate([[0.0], np.cumsum(gaps)]), 3)
    colors = [(int(c), 255 - int(c), 90) for c in np.linspace(0, 255, len(times))]
    path = tmp_path_factory.mktemp("vfr") / "vfr.mkv"
    synth.encode_clip(path, synth.solid_frames(colors, (64, 48)), fps=24, times=list(times),
                      encoding=synth.Encoding(crf=0))
    return path, times


def test_vfr_clip_sample_times(vfr_clip):
    path, times = vfr_clip
    every = streamprint.fingerprint(path, sampling=Sampling.every(5))
    assert [s.frame for s in every.samples] == list(range(0, len(times), 5))
    assert np.allclose(every.times, times[::5], atol=0.0015)

    interval = streamprint.fingerprint(path, sampling=Sampling.interval(1.5))
    expect = reference(times, np.arange(0, times[-1] + 1.5, 1.5), 0.0)
    assert [s.frame for s in interval.samples] == expect
    assert np.allclose(interval.times, times[expect], atol=0.0015)

    n = 9
    samples = streamprint.fingerprint(path, sampling=Sampling.samples(n))
    duration = samples.source.duration
    assert duration is not None and abs(duration - times[-1]) < 1.5
    expect = reference(times, (np.arange(n) + 0.5) * duration / n, duration / n / 2)
    assert [s.frame for s in samples.samples] == expect


@pytest.mark.parametrize("interval", [1e-3, 0.002, 0.013])  # 1e-3: the shortest allowed
def test_intervals_far_below_the_frame_duration_pick_like_the_definition(interval):
    """Between two frames many targets may lie; the sampler skips them in O(1) but must pick
    exactly what taking them one by one picks (computed here the slow way)."""
    rng = np.random.default_rng(3)
    times = np.unique(np.round(rng.uniform(0, 5, 60), 3))
    frames = frames_at(times)
    got = [f.index for f in select(frames, Sampling.interval(interval))]
    expect, last, prev, k = [], -1, None, 0
    for f in frames:
        while k * interval <= f.time:
            target, chosen = k * interval, f
            if prev is not None and (target - prev.time) < (f.time - target):
                chosen = prev
            k += 1
            if chosen.index > last:
                last = chosen.index
                expect.append(chosen.index)
        prev = f
    assert got == expect and len(got) == len(times)  # an interval this short takes every frame
