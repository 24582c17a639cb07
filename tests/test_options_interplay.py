"""Options in combination, as a sweep found them failing: a stream that ends before --end,
plot titles, streamprint's own large pictures, a --format that does not fit the file."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

from streamprint import synth
from streamprint.formats import read_fingerprint

from .conftest import run_cli

RED, BLUE = (255, 0, 0), (0, 0, 255)


@pytest.fixture(scope="module")
def red_blue(tmp_path_factory):
    """5 s red, then 5 s blue, 25 fps H.264: the cut at 5 s, half of the movie."""
    path = tmp_path_factory.mktemp("rb") / "rb.mp4"
    segs = [synth.Segment(RED, RED, 5.0), synth.Segment(BLUE, BLUE, 5.0)]
    synth.encode_clip(path, synth.segment_frames(segs, (160, 120), 25.0), 25.0, synth.Encoding(crf=10))
    return path


def pipe(clip, *args, fmt="mpegts"):
    """``ffmpeg -i CLIP -c copy -f FMT - | streamprint - ARGS``: a stream, no duration known."""
    ff = subprocess.Popen(["ffmpeg", "-v", "error", "-i", str(clip), "-c", "copy", "-f", fmt, "-"],
                          stdout=subprocess.PIPE)
    r = run_cli("-", *map(str, args), stdin=ff.stdout, timeout=120)
    ff.wait(timeout=60)
    return r


def cut_at(png) -> float:
    """Where, as a fraction of the width, the red part of a strip ends."""
    row = np.asarray(Image.open(png).convert("RGB"))[-1].astype(int)
    red = (row[:, 0] > 200) & (row[:, 2] < 60)
    return float(np.argmin(red)) / len(row)


def test_a_stream_that_ends_before_the_end_asked_for_is_drawn_as_long_as_it_was(red_blue, tmp_path):
    """--end 100 on a 10-s stream drew its 10 s in the first tenth of the picture, the last
    sample stretched over the rest (the same command on the file put the cut in the middle)."""
    out, data = tmp_path / "t.png", tmp_path / "t.json"
    r = pipe(red_blue, out, "--end", "100", "--width", "100", "--data", data)
    assert r.returncode == 0, r.stderr
    assert abs(cut_at(out) - 0.5) <= 0.03
    fp = read_fingerprint(data)
    assert fp.time_range.end == pytest.approx(10.0, abs=0.1)
    assert b"0:10 of video (0:00:00 to 0:00:10)" in r.stderr


def test_samples_spread_past_the_end_of_a_stream_say_so(red_blue, tmp_path):
    """It said the movie's frames had fallen on frames already taken; the stream had ended."""
    r = pipe(red_blue, tmp_path / "t.png", "--samples", "5", "--start", "2", "--duration", "100")
    assert r.returncode == 0, r.stderr
    assert b"ended at 10.0 s, before the end of the part" in r.stderr
    assert b"already taken" not in r.stderr


@pytest.mark.parametrize("title", [r"$\foo$", "Budget: $5 to $10 film"])
def test_a_plot_title_is_text_not_tex(red_blue, tmp_path, title):
    """'$\\foo$' was an unexpected ValueError from mathtext, after the whole movie was decoded."""
    r = run_cli(red_blue, tmp_path / "t.png", "--style", "plot", "--title", title, "-q")
    assert r.returncode == 0 and r.stderr == b"", r.stderr


def test_a_plot_title_too_long_is_shortened(red_blue, tmp_path):
    out = tmp_path / "t.png"
    r = run_cli(red_blue, out, "--style", "plot", "--title", "x" * 120, "--width", "600", "-q")
    assert r.returncode == 0, r.stderr
    assert Image.open(out).size == (600, 200)


def test_a_plot_too_small_for_its_labels_is_a_one_line_error(red_blue, tmp_path):
    r = run_cli(red_blue, tmp_path / "t.png", "--style", "plot", "--title", "a\nb\nc\nd", "--height", "60", "-q")
    assert r.returncode == 2 and r.stderr.count(b"\n") == 1 and b"unexpected" not in r.stderr, r.stderr


def test_streamprints_own_large_pictures_are_its_own(tmp_path, monkeypatch, recwarn):
    """Past Pillow's pixel limit its own strip was 'not written by streamprint', and a
    second run refused to replace it; below, Pillow's warning took two lines of stderr."""
    from streamprint.atomic import written_by_streamprint
    from streamprint.render import write_image

    for ext in ("png", "jpg", "webp"):
        path = tmp_path / f"big.{ext}"
        write_image(np.zeros((100, 100, 3), np.uint8), path, {"jpg": "jpeg"}.get(ext, ext))
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 10,000 pixels: past twice the limit
        assert written_by_streamprint(path)
        monkeypatch.undo()
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


@pytest.mark.parametrize("fmt", ["nut", "matroska", "mpegts"])
def test_a_format_that_does_not_fit_the_file_is_said_to_be_the_cause(red_blue, tmp_path, fmt):
    """--format nut on an MP4 said the file had no readable index; mpegts, no decodable frames."""
    r = run_cli(red_blue, tmp_path / "t.png", "--format", fmt)
    err = r.stderr.decode()
    assert r.returncode == 1 and f"cannot be read as {fmt}" in err and "--format" in err, err
    assert "moov" not in err and err.count("\n") == 1


@pytest.fixture(scope="module")
def raw_h264(tmp_path_factory):
    """8 s of raw H.264 (no duration anywhere), a keyframe every 2 s."""
    path = tmp_path_factory.mktemp("raw") / "g.h264"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=24:duration=8",
                    "-c:v", "libx264", "-g", "48", "-f", "h264", str(path)], check=True)
    return path


@pytest.mark.parametrize("args, end", [(["--fast", "--end", "7"], 7.0),
                                       (["--samples", "9", "--start", "2", "--end", "7"], 7.0)])
def test_a_part_of_a_movie_that_goes_on_keeps_its_end(raw_h264, tmp_path, args, end):
    """The input was taken to end where no frame reached the end of the part: with --fast
    only keyframes are read (the last at 6 s), and --samples stops reading after its last
    time. The part of an 8-s movie to 7 s was cut to 6.04 s."""
    data = tmp_path / "a.json"
    r = run_cli(raw_h264, tmp_path / "a.png", *args, "--data", data)
    assert r.returncode == 0, r.stderr
    assert read_fingerprint(data).time_range.end == pytest.approx(end)


def test_samples_past_a_known_duration_say_the_frames_ran_short(red_blue, tmp_path):
    """--samples 300 --end 100 on a 10-s file spreads its times over 10 s (the end past the
    movie's end is its end): not 'the video ended before the end of the part'."""
    r = run_cli(red_blue, tmp_path / "a.png", "--samples", "300", "--end", "100")
    assert r.returncode == 0, r.stderr
    assert b"already taken" in r.stderr and b"ended at" not in r.stderr


def test_a_timestamp_jump_of_two_billion_seconds_is_a_time(red_blue, tmp_path):
    """A broken file whose timestamps jump by 2e9 s is fingerprinted, as before the bound
    on sample times (which was first put at 1e9 s)."""
    jumped = tmp_path / "jump.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(red_blue), "-c", "copy", "-bsf:v",
                    "setts=ts='if(gte(N,100),PTS+2000000000/TB,PTS)'", str(jumped)], check=True)
    r = run_cli(jumped, tmp_path / "a.png", "--every", "10", "--width", "800")
    assert r.returncode == 0, r.stderr


def test_a_truncated_webp_in_the_way_is_refused_at_once(red_blue, tmp_path):
    """Its RIFF size said more than the file held: the search for streamprint's mark looped
    forever at full CPU."""
    out = tmp_path / "t.webp"
    assert run_cli(red_blue, out, "-q").returncode == 0
    out.write_bytes(out.read_bytes()[:100])
    r = run_cli(red_blue, out, "-q", timeout=60)
    assert r.returncode == 2 and b"not written by streamprint" in r.stderr and r.stderr.count(b"\n") == 1, r.stderr
