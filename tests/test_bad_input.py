"""Every odd, damaged or mislabelled input a movie library holds: a result or a clean error.

Exit codes: 0 success, 1 the input could not be processed, 2 usage error, 130 interrupted.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

import streamprint
from streamprint import NoFramesError, NotAVideoError, Sampling, synth
from streamprint.source import VideoSource

from .conftest import run_cli
from .test_cli import one_line_error


@pytest.fixture(scope="module")
def mkv(tmp_path_factory):
    path = tmp_path_factory.mktemp("bad") / "ok.mkv"
    synth.encode_clip(path, synth.segment_frames(synth.SAMPLE_SEGMENTS, (320, 180)), encoding=synth.Encoding(crf=10))
    return path


def test_directory(tmp_path):
    assert "is a directory" in one_line_error(run_cli(tmp_path, tmp_path / "o.png"), 1)


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.mkv"
    empty.touch()
    assert "file is empty" in one_line_error(run_cli(empty, tmp_path / "o.png"), 1)


def test_truncated_half_way_still_gives_the_first_half(mkv, tmp_path):
    cut = tmp_path / "half.mkv"
    data = mkv.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    fp = streamprint.fingerprint(cut, sampling=Sampling.every(1))
    assert 100 <= fp.decode.frames < 288
    # The frames that did decode are the first shots, in their colours.
    assert np.abs(fp.samples[0].palette.colors[0].astype(int) - (200, 40, 40)).max() <= 6
    r = run_cli(cut, tmp_path / "o.png", "-q")
    assert r.returncode == 0


def test_truncated_mp4_without_its_index(mkv, tmp_path):
    mp4 = tmp_path / "full.mp4"
    synth.encode_clip(mp4, synth.segment_frames(synth.SAMPLE_SEGMENTS[:1], (160, 90)))
    cut = tmp_path / "half.mp4"
    cut.write_bytes(mp4.read_bytes()[: mp4.stat().st_size // 2])
    line = one_line_error(run_cli(cut, tmp_path / "o.png"), 1)
    assert "moov" in line and "truncated" in line


def test_corrupt_bytes_in_the_middle_are_skipped_and_counted(tmp_path):
    mp4 = tmp_path / "c.mp4"
    synth.encode_clip(mp4, synth.segment_frames(synth.SAMPLE_SEGMENTS, (320, 180)), encoding=synth.Encoding(crf=10))
    data = bytearray(mp4.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 4000] = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    bad = tmp_path / "corrupt.mp4"
    bad.write_bytes(bytes(data))
    fp = streamprint.fingerprint(bad, sampling=Sampling.every(1))
    assert fp.decode.corrupt_packets > 0
    assert 200 <= fp.decode.frames < 288
    r = run_cli(bad, tmp_path / "o.png")
    assert r.returncode == 0 and (tmp_path / "o.png").exists()
    err = r.stderr.decode()
    assert f"{fp.decode.corrupt_packets} damaged packet(s) skipped" in err
    assert "Traceback" not in err


def test_zero_decodable_frames_from_garbage_packets(tmp_path, mkv):
    """A valid container whose video packets are all garbage decodes to nothing: an error."""
    import av

    garbage = tmp_path / "garbage.mkv"
    rng = np.random.default_rng(1)
    with av.open(str(mkv)) as src, av.open(str(garbage), "w") as dst:
        s_in = src.streams.video[0]
        s_out = dst.add_stream_from_template(s_in)
        for packet in src.demux(s_in):
            if packet.dts is None:
                continue
            junk = av.Packet(rng.integers(0, 256, max(16, packet.size), dtype=np.uint8).tobytes())
            junk.pts, junk.dts, junk.time_base, junk.stream = packet.pts, packet.dts, packet.time_base, s_out
            dst.mux(junk)
    with pytest.raises((NoFramesError, streamprint.CorruptInputError)):
        streamprint.fingerprint(garbage)
    assert one_line_error(run_cli(garbage, tmp_path / "o.png"), 1)


def test_single_frame(tmp_path):
    one = tmp_path / "one.mkv"
    synth.encode_clip(one, synth.segment_frames([synth.Segment((10, 120, 200), (250, 250, 0), 1 / 24)], (160, 90)))
    fp = streamprint.fingerprint(one)
    assert len(fp) == 1 and fp.decode.frames == 1
    r = run_cli(one, tmp_path / "o.png", "--height", "30", "-q")
    assert r.returncode == 0


def test_solid_colour_with_fewer_colours_than_k(tmp_path):
    solid = tmp_path / "solid.mkv"
    synth.encode_clip(solid, synth.solid_frames([(90, 40, 130)], (160, 96), repeat=48), encoding=synth.Encoding(crf=0))
    for algorithm in ("kmeans", "minibatch"):
        fp = streamprint.fingerprint(solid, sampling=Sampling.every(1), colors=8, algorithm=algorithm)
        for s in fp.samples:
            assert len(s.palette) == 1 and s.palette.weights[0] == 1.0  # merged, not 8 copies
            assert np.abs(s.palette.colors[0].astype(int) - (90, 40, 130)).max() <= 5
    r = run_cli(solid, tmp_path / "o.png", "--colors", "8")
    assert r.returncode == 0
    assert "warning" not in r.stderr.decode().lower()  # no ConvergenceWarning spam


def test_odd_size(tmp_path):
    odd = tmp_path / "odd.mkv"
    frames = [np.full((55, 97, 3), (10, 200, 30), np.uint8)] * 5
    synth.encode_clip(odd, frames, encoding=synth.Encoding(crf=0, chroma="444"))
    fp = streamprint.fingerprint(odd, sampling=Sampling.every(1))
    assert (fp.source.width, fp.source.height) == (97, 55)
    assert all(np.abs(s.palette.colors[0].astype(int) - (10, 200, 30)).max() <= 5 for s in fp.samples)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="compares with ffmpeg's own autorotation")
def test_rotation_metadata_gives_the_frame_as_displayed(tmp_path):
    """Stored landscape, top half red, displayed rotated: the analysis image must be the
    displayed (portrait) frame, oriented as ffmpeg itself displays it."""
    w, h = 64, 32
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 2] = (255, 0, 0)
    img[h // 2:] = (0, 0, 255)
    img[:, : w // 4] = (0, 255, 0)
    rot = tmp_path / "rot.mp4"
    synth.encode_clip(rot, [img] * 3, encoding=synth.Encoding(crf=0, rotation=90))
    with VideoSource(rot) as src:
        frame = next(src.frames())
        ours = frame.to_rgb(64)
    assert frame.rotation in (90, 270)
    assert ours.shape[:2] == (64, 32)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(rot), "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    theirs = np.frombuffer(raw, np.uint8).reshape(64, 32, 3)
    # Compare coarse colour layout (quadrant means), robust to chroma edge blur.
    q = lambda a: a.reshape(4, 16, 2, 16, 3).mean(axis=(1, 3))  # noqa: E731
    assert np.abs(q(ours) - q(theirs)).max() < 40


def test_ten_bit_video_colours(tmp_path):
    p10 = tmp_path / "p10.mkv"
    truth = [(10, 200, 30), (250, 120, 7), (128, 128, 128), (30, 60, 160)]
    synth.encode_clip(p10, synth.solid_frames(truth, (64, 48)), encoding=synth.Encoding(codec="libx265", crf=0, bits=10))
    fp = streamprint.fingerprint(p10, sampling=Sampling.every(1))
    assert fp.source.pix_fmt == "yuv420p10le"
    got = np.array([s.palette.colors[0] for s in fp.samples], int)
    assert np.abs(got - np.array(truth)).max() <= 5


@pytest.mark.parametrize("transfer, name", [(16, "PQ"), (18, "HLG")])
def test_hdr_is_tone_mapped_and_off_gets_a_warning(tmp_path, transfer, name):
    """HDR used to get a 'not tone-mapped' warning; now it is tone-mapped by default, silently,
    the data file saying so, and only --tonemap off warns (once). Colours: tests/test_hdr_pipeline.py."""
    hdr = tmp_path / f"hdr-{name}.mkv"
    synth.encode_clip(hdr, synth.solid_frames([(100, 100, 100)], (64, 48), 4),
                      encoding=synth.Encoding(codec="libx265", crf=0, bits=10, transfer=transfer))
    r = run_cli(hdr, tmp_path / "o.png", "--every", "1", "--data", tmp_path / "o.json")
    assert r.returncode == 0
    assert "WARNING" not in r.stderr.decode()
    color = json.loads((tmp_path / "o.json").read_text())["color"]
    assert color["transfers"] == [name.lower()] and color["tone_mapped"] == color["hdr_samples"] == 4
    r = run_cli(hdr, tmp_path / "o.png", "--tonemap", "off")
    assert r.returncode == 0
    err = r.stderr.decode()
    assert "HDR" in err and name in err and err.count("HDR") == 1 and "not tone-mapped" in err


def test_4k_frame(tmp_path):
    big = tmp_path / "4k.mkv"
    img = np.zeros((2160, 3840, 3), np.uint8)
    img[:, :1920] = (200, 40, 40)
    img[:, 1920:] = (30, 60, 160)
    synth.encode_clip(big, [img] * 2, encoding=synth.Encoding(crf=10, preset="ultrafast"))
    fp = streamprint.fingerprint(big, sampling=Sampling.every(1))
    got = sorted(tuple(int(v) for v in c) for c in fp.samples[0].palette.colors[:2])
    assert np.abs(np.array(got) - np.array(sorted([(200, 40, 40), (30, 60, 160)]))).max() <= 6
    assert abs(fp.samples[0].palette.weights[0] - 0.5) < 0.02


def test_unwritable_output_path(mkv, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    line = one_line_error(run_cli(mkv, blocker / "out.png"), 1)
    assert "is not a directory" in line
    line = one_line_error(run_cli(mkv, "/proc/streamprint-out.png"), 1)
    assert "cannot write" in line


def test_not_a_video_library_api(tmp_path):
    txt = tmp_path / "x.mp4"
    txt.write_text("hello")
    with pytest.raises(NotAVideoError):
        streamprint.fingerprint(txt)


def test_a_file_name_on_standard_input_says_how_to_read_the_file(mkv, tmp_path):
    """``echo movie.mkv | streamprint - out.png`` (or ``- < list.txt``) said "standard
    input: not a video file FFmpeg can read (Invalid data found when processing input)",
    true but no help: it holds a file's name, and that file is read by giving its name
    instead of -. Garbage on standard input still says it is no video file."""
    listing = tmp_path / "list.txt"
    listing.write_bytes(bytes(mkv) + b"\n")
    with open(listing, "rb") as redirected:
        said = [run_cli("-", tmp_path / "o.png", input=bytes(mkv)), run_cli("-", tmp_path / "o.png", input=bytes(mkv) + b"\n"),
                run_cli("-", tmp_path / "o.png", stdin=redirected)]
    for r in said:
        assert one_line_error(r, 1) == (
            f"streamprint: error: standard input holds the name of the file {mkv}, not a movie: to read that file, "
            "give its name instead of -")
    r = run_cli("-", tmp_path / "o.png", input=bytes(range(256)) * 40)
    assert one_line_error(r, 1).startswith("streamprint: error: standard input: not a video file FFmpeg can read")
    assert not (tmp_path / "o.png").exists()
