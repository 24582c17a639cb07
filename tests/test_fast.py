"""Fast mode: keyframes only, columns as wide as the time they stand for."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import numpy as np
import pytest
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


# ---- an open GOP cut at its keyframe, copied to Matroska ----------------------------------------

#: Each frame's colour tells it (frame N: R = 37N, G = 91N, B = 53N, mod 256); keyframes every
#: 48 frames, open GOPs with B-frames, so a cut at a keyframe leaves a leading B-frame.
_NUMBERED = ("color=c=black:s=64x36:r=25:d=6,format=rgb24,"
             "geq=r='mod(N*37,256)':g='mod(N*91,256)':b='mod(N*53,256)'")


@pytest.fixture(scope="module")
def open_gop_cut_mkv(tmp_path_factory) -> Path:
    """An open-GOP H.264 cut with ``-ss 2.3 -c copy`` to Matroska: it starts at the keyframe
    at 1.92 s; the B-frame after it in decode order, before it in time, keeps no timestamp."""
    folder = tmp_path_factory.mktemp("opengop")
    whole, cut = folder / "og.mp4", folder / "cut.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", _NUMBERED, "-c:v", "libx264", "-pix_fmt",
                    "yuv444p", "-x264-params", "keyint=48:min-keyint=48:scenecut=0:open-gop=1:bframes=3",
                    "-crf", "5", str(whole)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "2.3", "-i", str(whole), "-c", "copy", str(cut)], check=True)
    return cut


def _ffprobe(path: Path, entries: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "quiet", "-select_streams", "v", "-show_entries", entries, "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_fast_numbers_keyframes_as_decoding_everything_past_a_packet_without_a_timestamp(open_gop_cut_mkv):
    """The leading B-frame's packet has no pts: the count of frames was given up for good,
    and --fast numbered the keyframes 0, 1, 2 (keyframes delivered) where decoding
    everything and ffprobe number them 0, 48, 96. The truth: ffprobe's frames, in order."""
    path = open_gop_cut_mkv
    packets = _ffprobe(path, "packet=pts")["packets"]
    assert any("pts" not in p for p in packets)  # the case: a packet without a timestamp
    probed = _ffprobe(path, "frame=key_frame,best_effort_timestamp_time:stream=start_time")
    start = float(probed["streams"][0]["start_time"])
    keys = [(i, round(float(f["best_effort_timestamp_time"]) - start, 3))
            for i, f in enumerate(probed["frames"]) if f["key_frame"]]
    assert [i for i, _ in keys] == [0, 48, 96]
    fp = streamprint.fingerprint(path, sampling=Sampling.keyframes())
    assert [(s.frame, round(s.time, 3)) for s in fp.samples] == keys
    for s in fp.samples:  # the colour of the frame numbered so, 48 frames in (the cut's first is 48)
        n = s.frame + 48
        assert np.abs(s.palette.colors[0].astype(int) - [37 * n % 256, 91 * n % 256, 53 * n % 256]).max() <= 8
    assert fp.decode.frames == 3


def test_fast_says_when_keyframes_can_no_longer_be_numbered(open_gop_cut_mkv, monkeypatch, caplog):
    """Where a packet without a timestamp has no place that can be known, the keyframes
    after it are numbered one after another: said, not silently wrong."""
    from streamprint.source import skip

    def unknown(self, key):  # as if the leading B-frame's place could not be told
        self.enabled = False

    monkeypatch.setattr(skip.KeyframeIndex, "_untimed", unknown)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        fp = streamprint.fingerprint(open_gop_cut_mkv, sampling=Sampling.keyframes())
    assert [s.frame for s in fp.samples] == [0, 1, 2]
    assert "packets without timestamps: the frames between keyframes cannot be counted from 0.000 s" in caplog.text


def test_a_packet_without_a_timestamp_counts_where_its_place_is_known():
    """Decode order, pts in frames: a packet without one after a frame timed after its
    keyframe lies between that keyframe and the next, and counts below the next; right after
    a later keyframe it may lie on either side of it, and nothing is counted from there."""
    from streamprint.source.skip import KeyframeIndex

    index = KeyframeIndex()
    for pts, key in ((0, True), (2, False), (1, False), (None, False), (4, True), (5, False)):
        index.see(pts, key)
    assert (index.index_of(0), index.index_of(4)) == (0, 4)
    index = KeyframeIndex()
    for pts, key in ((0, True), (1, False), (2, True), (None, False), (3, False)):
        index.see(pts, key)
    assert (index.index_of(0), index.index_of(2), index.read) == (None, None, None)
