"""MPEG-TS files joined with ``cat`` whose first part is short: the jump of the timestamps
is found at once in every mode, not only once 16 packets were seen (``--fast`` numbered the
second part's first keyframe 1 at 0.042 s, where decoding everything numbers it 12 at 0.5 s
after a 0.5-s first part; skipping non-reference frames for 7 columns counted 54 of its
60 frames). The 40-packet and the forward-jump cases held before: they guard the rule.

The truth is ffprobe's list of each part's video packets (one frame each): in presentation
order, the parts on one timeline, the second one frame after the first one's last frame."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import streamprint
from streamprint import Sampling

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                reason="needs the ffmpeg/ffprobe commands")

RATE = 24


def _part(path: Path, frames: int, offset: float) -> Path:
    """``frames`` frames of H.264 at 24 fps with B-frames, a keyframe every 12, as MPEG-TS
    whose timestamps start ``offset`` seconds on."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc2=s=64x36:r={RATE}",
                    "-frames:v", str(frames), "-c:v", "libx264", "-g", "12", "-bf", "2", "-pix_fmt", "yuv420p",
                    "-output_ts_offset", str(offset), "-f", "mpegts", str(path)], check=True, timeout=120)
    return path


def _packets(path: Path) -> list[tuple[float, bool]]:
    """(pts seconds, keyframe) of each video packet, in presentation order (ffprobe's)."""
    out = subprocess.run(["ffprobe", "-v", "quiet", "-select_streams", "v", "-show_entries", "packet=pts_time,flags",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True, timeout=120).stdout
    return sorted((float(p["pts_time"]), "K" in p["flags"]) for p in json.loads(out)["packets"])


def _keyframes_truth(parts: list[Path]) -> list[tuple[int, float]]:
    """(frame number, seconds) of each keyframe of ``parts`` joined: frames counted on from
    the parts before, each part placed one frame after the previous one's last frame."""
    truth: list[tuple[int, float]] = []
    index, at = 0, 0.0
    for part in parts:
        packets = _packets(part)
        first = packets[0][0]
        truth += [(index + i, at + t - first) for i, (t, key) in enumerate(packets) if key]
        index += len(packets)
        at += packets[-1][0] - first + 1 / RATE
    return truth


#: (frames of the first part, where its timestamps start, where the second part's start)
CASES = {"1 packet": (1, 10, 0), "5 packets": (5, 10, 0), "15 packets": (15, 10, 0), "40 packets": (40, 10, 0),
         "5 packets, both from 0": (5, 0, 0), "5 packets, then 60 s on": (5, 0, 60)}


@pytest.fixture(scope="module", params=list(CASES), ids=list(CASES))
def joined(request, tmp_path_factory) -> tuple[Path, list[tuple[int, float]]]:
    """The two parts joined with ``cat``, and the truth of its keyframes."""
    frames, first, second = CASES[request.param]
    folder = tmp_path_factory.mktemp("joined")
    parts = [_part(folder / "a.ts", frames, first), _part(folder / "b.ts", 48, second)]
    path = folder / "joined.ts"
    path.write_bytes(b"".join(p.read_bytes() for p in parts))
    return path, _keyframes_truth(parts)


def test_keyframes_of_a_joined_ts_have_their_frame_numbers_and_times_in_every_mode(joined):
    path, truth = joined
    assert len(truth) >= 5
    fast = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=2)
    assert [s.frame for s in fast.samples] == [i for i, _ in truth]
    assert [s.time for s in fast.samples] == pytest.approx([t for _, t in truth], abs=1e-3)
    every = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=2)
    assert [every.samples[i].time for i, _ in truth] == pytest.approx([t for _, t in truth], abs=1e-3)
    assert fast.decode.discontinuities == every.decode.discontinuities == 1


@pytest.mark.parametrize("sampling", [Sampling.samples(7), Sampling.interval(0.25)], ids=["samples-7", "interval"])
def test_skipping_non_reference_frames_of_a_joined_ts_changes_nothing(joined, sampling):
    """The frames sampled, their numbers and times, and the count of frames read are those
    of decoding everything."""
    path, truth = joined
    runs = [streamprint.fingerprint(path, sampling=sampling, colors=2, skip_unsampled=skip) for skip in (True, False)]
    skipped, everything = ([(s.frame, round(s.time, 6)) for s in fp.samples] for fp in runs)
    assert skipped == everything
    assert runs[0].decode.frames == runs[1].decode.frames
