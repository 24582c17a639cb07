"""A stream whose first frames cannot be decoded (an MPEG-TS cut at a packet in the middle of
a GOP: a recording or a copy begun between keyframes) numbers each frame the same in every
mode: the number of frames in the stream before it, decodable or not, as its time counts
from the stream's start. The frame at 5 s was numbered 96 decoding everything, 114 when
non-reference frames were skipped, 120 with ``--fast``. The truth is ffprobe's list of the
video packets (one frame each): a frame's index is the count of packets shown before it."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

import streamprint
from streamprint import Sampling
from streamprint.model import TimeRange

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None,
                                reason="needs the ffmpeg/ffprobe commands")

TS_PACKET = 188


def _probe(path: Path, *args: str) -> dict:
    out = subprocess.run(["ffprobe", "-v", "quiet", "-select_streams", "v", *args, "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.fixture(scope="module")
def cut(tmp_path_factory) -> Path:
    """10 s at 24 fps, a keyframe every 2 s, B-frames, as MPEG-TS; its front cut off at a
    TS packet halfway between the first two keyframes."""
    folder = tmp_path_factory.mktemp("cut")
    whole = folder / "whole.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=10:s=64x36:r=24", "-c:v", "libx264",
                    "-g", "48", "-bf", "2", "-pix_fmt", "yuv420p", "-f", "mpegts", str(whole)], check=True)
    keys = [int(p["pos"]) for p in _probe(whole, "-show_entries", "packet=pos,flags")["packets"] if "K" in p["flags"]]
    middle = (keys[0] + keys[1]) // 2 // TS_PACKET * TS_PACKET
    path = folder / "cut.ts"
    path.write_bytes(whole.read_bytes()[middle:])
    return path


def _truth(path: Path) -> tuple[list[float], float]:
    """The video packets' times, sorted (presentation order), and the stream's start."""
    probed = _probe(path, "-show_entries", "packet=pts_time:stream=start_time")
    return sorted(float(p["pts_time"]) for p in probed["packets"]), float(probed["streams"][0]["start_time"])


@pytest.mark.parametrize("container", ["ts", "nut"])  # TS decoded from its start; NUT seeks to a part
def test_a_stream_cut_mid_gop_numbers_its_frames_alike_in_every_mode(cut, tmp_path, container):
    path = cut
    if container != "ts":
        path = tmp_path / f"cut.{container}"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(cut), "-c", "copy", "-copyinkf", str(path)], check=True)
    leading = _numbered_alike(path)
    assert 10 < leading < 48  # frames the cut left without their keyframe, which no decoder shows


def test_a_stream_cut_at_an_open_gops_keyframe_numbers_its_frames_alike_in_every_mode(tmp_path):
    """MPEG-2 in TS cut exactly at a keyframe of an open GOP: the B-frames after it in decode
    order come before it in time and reference the GOP cut away, so the decoder drops them.
    A stream that begins with a keyframe was taken to have nothing before it, and decoding
    everything numbered the first frame 0 where --fast and a part numbered it 2."""
    whole = tmp_path / "whole.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=10:s=64x36:r=24", "-c:v",
                    "mpeg2video", "-g", "48", "-bf", "2", "-f", "mpegts", str(whole)], check=True)
    keys = [int(p["pos"]) for p in _probe(whole, "-show_entries", "packet=pos,flags")["packets"] if "K" in p["flags"]]
    path = tmp_path / "cut.ts"
    path.write_bytes(whole.read_bytes()[keys[1] // TS_PACKET * TS_PACKET:])
    assert _numbered_alike(path) == 2


def _numbered_alike(path: Path) -> int:
    """Fingerprint ``path`` in every mode: each sample's frame is its packet's place in
    presentation order (ffprobe's), the same time has the same number in every mode, and
    decoding everything sees every frame the others see. Returns how many frames come
    before the first one a decoder shows."""
    times, start = _truth(path)
    first = float(_probe(path, "-show_entries", "frame=best_effort_timestamp_time")["frames"][0]
                  ["best_effort_timestamp_time"])
    leading = sum(t < first - 1e-4 for t in times)

    def index(t: float) -> int:  # the packet shown at t s from the stream's start
        return min(range(len(times)), key=lambda i: abs(times[i] - start - t))

    runs = {
        "decode-all": dict(sampling=Sampling.every(1), skip_unsampled=False),
        "interval": dict(sampling=Sampling.interval(0.5)),  # the decoder skips non-reference frames
        "interval, decode-all": dict(sampling=Sampling.interval(0.5), skip_unsampled=False),
        "part": dict(sampling=Sampling.interval(0.5), time_range=TimeRange(4, 7)),
        "fast": dict(sampling=Sampling.keyframes()),
    }
    numbered: dict[float, int] = {}  # time: frame, over every mode
    for name, kwargs in runs.items():
        fp = streamprint.fingerprint(path, **kwargs)  # type: ignore[arg-type]
        got = [(s.frame, round(s.time, 4)) for s in fp.samples]
        assert got == [(index(t), t) for _, t in got], name
        assert got[0][0] >= leading, name
        for frame, t in got:
            assert numbered.setdefault(t, frame) == frame, (name, t)
    assert len(numbered) == len(times) - leading  # decoding everything saw every frame the others saw
    return leading


def test_a_vob_cut_mid_gop_numbers_its_frames_alike_in_every_mode(tmp_path):
    """The same for MPEG-2 in MPEG-PS (a DVD's VOB cut at a 2048-byte pack), where only some
    packets carry a timestamp: at a constant 25 fps, the truth is a frame's time (from the
    stream's start, which ffprobe states) times the rate."""
    whole = tmp_path / "whole.vob"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=10:s=320x180:r=25",
                    "-c:v", "mpeg2video", "-g", "50", "-bf", "2", "-f", "vob", str(whole)], check=True)
    data = whole.read_bytes()
    path = tmp_path / "cut.vob"
    path.write_bytes(data[len(data) // 10 // 2048 * 2048:])  # a fifth into the first 2-s GOP
    start = float(_probe(path, "-show_entries", "stream=start_time")["streams"][0]["start_time"])
    first = float(_probe(path, "-show_entries", "frame=best_effort_timestamp_time")["frames"][0]
                  ["best_effort_timestamp_time"])
    assert round((first - start) * 25) > 10  # frames before the first one a decoder shows

    for kwargs in (dict(sampling=Sampling.every(1), skip_unsampled=False), dict(sampling=Sampling.interval(0.5)),
                   dict(sampling=Sampling.interval(0.5), time_range=TimeRange(4, 7)),
                   dict(sampling=Sampling.keyframes())):
        fp = streamprint.fingerprint(path, **kwargs)  # type: ignore[arg-type]
        assert [s.frame for s in fp.samples] == [round(s.time * 25) for s in fp.samples], kwargs


def test_times_that_jump_back_after_a_clean_start_count_nothing_before_it(tmp_path):
    """Two TS files joined with cat, the first timed from 10 s: the packets after the jump
    back have times below the first frame's, and were counted as frames before it, so
    every frame's number was 12 too high (18 with the reviewer's clip) and the stream had
    more frames than it holds. A stream that begins with a keyframe has nothing before it."""
    parts = []
    for name, seconds, offset in (("a", 0.5, "10"), ("b", 5, "0")):
        parts.append(tmp_path / f"{name}.ts")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=d={seconds}:s=64x36:r=24",
                        "-c:v", "libx264", "-g", "48", "-bf", "2", "-pix_fmt", "yuv420p", "-output_ts_offset", offset,
                        "-f", "mpegts", str(parts[-1])], check=True)
    joined = tmp_path / "joined.ts"
    joined.write_bytes(b"".join(p.read_bytes() for p in parts))
    count = int(_probe(joined, "-count_packets", "-show_entries", "stream=nb_read_packets")["streams"][0]
                ["nb_read_packets"])
    fp = streamprint.fingerprint(joined, sampling=Sampling.every(1), skip_unsampled=False)
    assert fp.samples[0].frame == 0
    assert fp.decode.frames == count == 12 + 120


def test_a_stream_that_begins_with_a_keyframe_is_not_held_back(tmp_path):
    """Counting the frames before the first one decoded holds packets back until it comes
    out; a stream that begins with a keyframe (every y4m, raw or MJPEG stream, and any
    clean start) has none, and its first packet goes to the decoder at once: a 1-fps live
    pipe's first picture waited for 24 more packets, 24 s."""
    import av

    from streamprint.source.leading import LeadingFrames
    from streamprint.source.skip import lookahead

    clip = tmp_path / "c.y4m"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=2:s=64x36:r=24",
                    "-pix_fmt", "yuv420p", str(clip)], check=True)
    pulled = 0
    with av.open(str(clip)) as container:
        def packets():
            nonlocal pulled
            for packet in container.demux(video=0):
                pulled += 1
                yield packet

        leading = LeadingFrames()
        first = next(lookahead(packets(), leading))
        assert first.is_keyframe and pulled <= 2, pulled
        assert leading.before(first.pts) == 0
