"""Same frames, same colours: a clip joined to itself by stream copy decodes to byte-identical
frames in every copy, so after each cut every copy's columns must equal the first copy's
(cold starts are seeded from the seed alone, never from how many fits came before)."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth

FPS = 24
COPIES = 4
SHOT_SECONDS = 2.0


def textured_shots(size=(192, 108)) -> list[np.ndarray]:
    """Three shots, each a drifting two-colour gradient under fixed noise: enough distinct
    colours that k-means++ seeding matters, so a differently seeded cold start shows."""
    w, h = size
    rng = np.random.default_rng(7)
    noise = rng.integers(-24, 25, (h, w, 3))
    ramp = np.linspace(0.0, 1.0, w)[None, :, None]
    pairs = [((220, 60, 30), (20, 40, 180)), ((240, 220, 60), (30, 150, 70)), ((200, 200, 220), (90, 20, 110))]
    frames = []
    for a, b in pairs:
        for i in range(int(SHOT_SECONDS * FPS)):
            shift = np.roll(ramp, i * 2, axis=1)
            img = np.array(a) * (1 - shift) + np.array(b) * shift + noise
            frames.append(np.clip(img, 0, 255).astype(np.uint8))
    return frames


def join_copies(clip: Path, out_path: Path, copies: int, duration_pts: int) -> Path:
    """``copies`` copies of ``clip`` one after the other, by stream copy (packets untouched,
    timestamps shifted by whole clip durations)."""
    with av.open(str(clip)) as src, av.open(str(out_path), "w") as out:
        ins = src.streams.video[0]
        outs = out.add_stream_from_template(ins)
        packets = [p for p in src.demux(ins) if p.size]
        for k in range(copies):
            for p in packets:
                q = av.Packet(bytes(p))
                q.pts = p.pts + k * duration_pts
                q.dts = None if p.dts is None else p.dts + k * duration_pts
                q.time_base, q.is_keyframe, q.stream = p.time_base, p.is_keyframe, outs
                out.mux(q)
    return out_path


@pytest.fixture(scope="module")
def looped(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("loop")
    frames = textured_shots()
    clip = folder / "clip.mp4"
    synth.encode_clip(clip, frames, FPS, synth.Encoding(crf=20, extra=(("x264-params", "log-level=error:keyint=48"),)))
    with av.open(str(clip)) as c:
        s = c.streams.video[0]
        per_frame = round(1 / (FPS * s.time_base))
    return join_copies(clip, folder / "looped.mkv", COPIES, per_frame * len(frames))


def test_the_copies_decode_to_identical_frames(looped):
    with av.open(str(looped)) as c:
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]
    n = len(frames) // COPIES
    assert len(frames) == n * COPIES
    for k in range(1, COPIES):
        assert all(np.array_equal(frames[i], frames[k * n + i]) for i in range(n))


@pytest.mark.parametrize("sampling", [Sampling.every(3), Sampling.interval(0.25)], ids=["every3", "interval"])
def test_after_each_cut_every_copy_has_the_first_copys_columns(looped, sampling):
    fp = streamprint.fingerprint(looped, sampling=sampling, colors=5)
    n = len(fp) // COPIES
    assert len(fp) == n * COPIES
    copies = [fp.samples[k * n:(k + 1) * n] for k in range(COPIES)]
    first_cut = next(i for i, s in enumerate(copies[0]) if i and s.palette.cut)
    cuts = [i for i, s in enumerate(copies[0]) if s.palette.cut]
    assert len(cuts) >= 3, cuts  # the clip's start and its two cuts
    for k, copy in enumerate(copies[1:], start=1):
        for i in range(first_cut, n):
            a, b = copies[0][i].palette, copy[i].palette
            assert a.cut == b.cut, (k, i)
            assert np.array_equal(a.colors, b.colors) and np.array_equal(a.weights, b.weights), \
                f"copy {k}, column {i}: {a.hex} != {b.hex}"
