"""A stream whose first frames cannot be decoded (an MPEG-TS cut at a packet in the middle of
a GOP: a recording or a copy begun between keyframes) numbers each frame the same in every
mode: the number of frames in the stream before it from its start, decodable or not, as its
time counts from the stream's start. The frame at 5 s was numbered 96 decoding everything,
114 when non-reference frames were skipped, 120 with ``--fast``. Packets timed before the
stream's start (the leading B-frames of an open GOP cut at its keyframe, or of a P-frame a
cut begins with) are no frames: ffprobe and Matroska number the keyframe after them 0. The
truth is ffprobe's list of the video packets (one frame each) and the start it states: a
frame's index is the count of packets shown before it, from the start."""

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


#: How a cut stream is remuxed: into Matroska, NUT (which states no start when the first
#: keyframe has leading pictures: times count from the first frame), MP4 with an edit list
#: (which marks the leading pictures to be discarded) and MP4 without one.
REMUX = {"mkv": ["-f", "matroska"], "nut": ["-f", "nut"], "mp4": ["-f", "mp4"],
         "mp4, no edit list": ["-use_editlist", "0", "-f", "mp4"]}


def _remuxed(path: Path, container: str, folder: Path) -> Path:
    if container == "ts":
        return path
    out = folder / f"{path.stem}.{container.replace(', ', '-').replace(' ', '-')}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(path), "-c", "copy", "-copyinkf", *REMUX[container],
                    str(out)], check=True)
    return out


def _frames(path: Path) -> list[float]:
    """The times of the frames ffprobe decodes (best effort, as players show them)."""
    return [float(f["best_effort_timestamp_time"])
            for f in _probe(path, "-show_entries", "frame=best_effort_timestamp_time")["frames"]]


def _truth(path: Path) -> tuple[list[float], float, int]:
    """The times of the video packets timed from the stream's start, sorted (presentation
    order; one frame each), the stream's start (ffprobe's; where it states none, the first
    frame's time, where times count from), and how many packets are timed before it."""
    probed = _probe(path, "-show_entries", "packet=pts_time:stream=start_time")
    stated = probed["streams"][0].get("start_time", "N/A")
    start = _frames(path)[0] if stated == "N/A" else float(stated)
    times = sorted(float(p["pts_time"]) for p in probed["packets"])
    early = sum(t < start - 1e-6 for t in times)
    return times[early:], start, early


@pytest.mark.parametrize("container", ["ts", "nut", "mkv", "mp4"])  # TS decoded from its start; the others seek to a part
def test_a_stream_cut_mid_gop_numbers_its_frames_alike_in_every_mode(cut, tmp_path, container):
    leading = _numbered_alike(_remuxed(cut, container, tmp_path))
    assert 10 < leading < 48  # frames the cut left without their keyframe, which no decoder shows


@pytest.fixture(scope="module")
def mpeg2(tmp_path_factory) -> tuple[Path, list[dict]]:
    """MPEG-2 in TS, 10 s at 24 fps, a keyframe every 2 s, open GOPs (two B-frames between
    references), and its video packets (ffprobe's, in decode order)."""
    whole = tmp_path_factory.mktemp("mpeg2") / "whole.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=10:s=64x36:r=24", "-c:v",
                    "mpeg2video", "-g", "48", "-bf", "2", "-f", "mpegts", str(whole)], check=True)
    return whole, _probe(whole, "-show_entries", "packet=pos,flags,pts")["packets"]


def _cut_at(whole: Path, pos: int, path: Path) -> Path:
    """``whole`` from the TS packet where the packet at byte ``pos`` begins."""
    path.write_bytes(whole.read_bytes()[pos // TS_PACKET * TS_PACKET:])
    return path


@pytest.fixture(scope="module")
def open_gop(mpeg2, tmp_path_factory) -> Path:
    """The MPEG-2 TS cut exactly at its second keyframe: the two B-frames after it in decode
    order come before it in time and reference the GOP cut away; the decoder drops them."""
    whole, packets = mpeg2
    keys = [int(p["pos"]) for p in packets if "K" in p["flags"]]
    return _cut_at(whole, keys[1], tmp_path_factory.mktemp("open") / "cut.ts")


def test_a_stream_cut_at_a_p_frame_counts_no_b_frame_timed_before_it(mpeg2, tmp_path):
    """The MPEG-2 TS cut at a P-frame mid-GOP: FFmpeg's start is that P-frame's time, and the
    two B-frames after it in decode order are timed before it. They were counted (with the
    undecodable frames after the start, which are): every frame was numbered 2 more than
    its time said, 1 s was frame 26, not 24."""
    whole, packets = mpeg2
    at = next(i for i in range(len(packets) // 10, len(packets) - 1)  # a P-frame a tenth in, B-frames after it
              if "K" not in packets[i]["flags"] and int(packets[i + 1]["pts"]) < int(packets[i]["pts"]))
    path = _cut_at(whole, int(packets[at]["pos"]), tmp_path / "cut.ts")  # (a remux retimes them)
    assert _truth(path)[2] == 2  # the B-frames timed before the start
    assert 10 < _numbered_alike(path) < 48


@pytest.mark.parametrize("container", ["ts", "mkv", "nut", "mp4", "mp4, no edit list"])
def test_a_stream_cut_at_an_open_gops_keyframe_numbers_its_keyframe_0_as_ffprobe_does(open_gop, tmp_path, container):
    """FFmpeg times the leading B-frames before the stream's start (TS, Matroska, an MP4
    without an edit list; NUT states no start, and times count from the keyframe). They were
    counted: the keyframe at 0.0 s was frame 2, where ffprobe numbers the frames it decodes
    from 0 and the same stream in an MP4 with an edit list (which discards them) was frame 0.
    Now every container and mode numbers the keyframe 0, and decoding everything numbers each
    frame as ffprobe's list of decoded frames does, at its time."""
    path = _remuxed(open_gop, container, tmp_path)
    _, start, early = _truth(path)
    if container in ("ts", "mkv", "mp4, no edit list"):
        assert early == 2  # the leading B-frames, timed before the start
    assert _numbered_alike(path) == 0
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), skip_unsampled=False)
    shown = [round(t - start, 4) for t in _frames(path)]
    assert [(s.frame, round(s.time, 4)) for s in fp.samples] == list(enumerate(shown))
    assert fp.decode.frames == len(shown) == 192


def _numbered_alike(path: Path) -> int:
    """Fingerprint ``path`` in every mode: each sample's frame is its packet's place in
    presentation order from the stream's start (ffprobe's), the same time has the same number
    in every mode, and decoding everything sees every frame the others see. Returns how many
    frames from the start come before the first one a decoder shows."""
    times, start, _ = _truth(path)
    first = _frames(path)[0]
    leading = sum(t < first - 1e-4 for t in times)

    def index(t: float) -> int:  # the packet shown at t s from the stream's start
        return min(range(len(times)), key=lambda i: abs(times[i] - start - t))

    runs = {
        "decode-all": dict(sampling=Sampling.every(1), skip_unsampled=False),
        "interval": dict(sampling=Sampling.interval(0.5)),  # the decoder skips non-reference frames
        "interval, decode-all": dict(sampling=Sampling.interval(0.5), skip_unsampled=False),
        "part": dict(sampling=Sampling.interval(0.5), time_range=TimeRange(4, 7)),
        "fast": dict(sampling=Sampling.keyframes()),
        "fast, part": dict(sampling=Sampling.keyframes(), time_range=TimeRange(3, 7)),
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

        leading = LeadingFrames(container.streams.video[0].start_time)
        first = next(lookahead(packets(), leading))
        assert first.is_keyframe and pulled <= 2, pulled
        assert leading.before(first.pts) == 0


def test_a_nut_cut_at_an_open_gops_keyframe_is_as_long_as_the_frames_shown(open_gop, tmp_path):
    """NUT states no start where the first keyframe has leading pictures, and FFmpeg gives
    such a stream the container's length, which runs from the leading B-frames' time: 192
    frames at 24 fps were 8.083 s long (and 194 frames), where what is shown lasts 8.0 s.
    The truth: ffprobe's frames, from the first one's time to the last one's end (one frame
    at the rate ffprobe states), in every mode."""
    path = _remuxed(open_gop, "nut", tmp_path)
    assert _probe(path, "-show_entries", "stream=start_time")["streams"][0].get("start_time", "N/A") == "N/A"
    frames = _frames(path)
    num, den = _probe(path, "-show_entries", "stream=r_frame_rate")["streams"][0]["r_frame_rate"].split("/")
    length = frames[-1] + int(den) / int(num) - frames[0]
    assert len(frames) == 192 and length == pytest.approx(8.0, abs=1e-5)  # (ffprobe prints 6 decimals)
    for sampling in (Sampling.every(1), Sampling.interval(0.5), Sampling.keyframes()):
        fp = streamprint.fingerprint(path, sampling=sampling)
        assert fp.source.duration == pytest.approx(length, abs=1e-5), sampling
        assert fp.source.frame_count == len(frames), sampling
