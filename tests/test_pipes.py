"""Reading from pipes: ffmpeg's output piped into the real command, compared with the file.

Needs Debian's ffmpeg CLI (.ci/run installs it). Skipped locally without it, but never in CI.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamprint import Fingerprint, ParameterError, synth

from .conftest import FPS, SEG_SIZE, run_cli
from .test_safety import one_line

pytestmark = pytest.mark.skipif(
    shutil.which("ffmpeg") is None and os.environ.get("CI") != "true",
    reason="needs the ffmpeg CLI (apt-get install ffmpeg)",
)


@pytest.fixture(scope="module")
def clip601(tmp_path_factory):
    """Tagged BT.601, so that an untagged y4m copy (assumed BT.601 at SD size) decodes alike."""
    path = tmp_path_factory.mktemp("pipes") / "seg601.mkv"
    synth.encode_clip(path, synth.segment_frames(synth.SAMPLE_SEGMENTS, SEG_SIZE, FPS), FPS,
                      synth.Encoding(crf=10, matrix="bt601"))
    return path


def pipe(producer: list[str], *args: str, timeout: float = 120) -> tuple[subprocess.CompletedProcess, bytes]:
    """Run ``ffmpeg ... -`` | ``streamprint - ...`` through a real OS pipe."""
    ff = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", *producer],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sp = run_cli("-", *args, stdin=ff.stdout, timeout=timeout)
    ff.stdout.close()  # type: ignore[union-attr]
    ff_err = ff.stderr.read()  # type: ignore[union-attr]
    ff.wait(timeout=timeout)
    return sp, ff_err


def strip(path) -> np.ndarray:
    return np.asarray(Image.open(path))


@pytest.mark.parametrize("fmt", ["matroska", "mpegts", "nut"])
def test_container_streams_match_the_file(clip601, tmp_path, fmt):
    ref, out = tmp_path / "file.png", tmp_path / "pipe.png"
    assert run_cli(clip601, ref, "--every", "4", "-q").returncode == 0
    r, ff_err = pipe(["-i", str(clip601), "-c", "copy", "-f", fmt, "-"], out, "--every", "4", "-q")
    assert r.returncode == 0, (r.stderr, ff_err)
    assert np.array_equal(strip(ref), strip(out))


def test_y4m_matches_the_file(clip601, tmp_path):
    ref, out, data = tmp_path / "file.png", tmp_path / "y4m.png", tmp_path / "y4m.json"
    assert run_cli(clip601, ref, "--interval", "0.5", "-q").returncode == 0
    r, ff_err = pipe(["-i", str(clip601), "-f", "yuv4mpegpipe", "-"], out, "--interval", "0.5", "-q",
                     "--data", data)
    assert r.returncode == 0, (r.stderr, ff_err)
    assert np.array_equal(strip(ref), strip(out))
    assert Fingerprint.load(data).source.container == "yuv4mpegpipe"


def test_forced_format(clip601, tmp_path):
    out = tmp_path / "forced.png"
    r, _ = pipe(["-i", str(clip601), "-c", "copy", "-f", "nut", "-"], out, "--format", "nut", "--every", "8", "-q",
                "--column-width", "1")
    assert r.returncode == 0, r.stderr
    assert strip(out).shape[1] == 36


def test_raw_rgb_frames_match_the_file_closely(clip601, tmp_path):
    """Raw frames were converted to RGB by ffmpeg before the downscale, so the pixels differ
    slightly from the file's one-step conversion: same colours within 4/255, same shares
    within 0.02."""
    ref, out = tmp_path / "ref.json", tmp_path / "raw.json"
    assert run_cli(clip601, tmp_path / "ref.png", "--every", "6", "-q", "--data", ref).returncode == 0
    w, h = SEG_SIZE
    r, ff_err = pipe(["-i", str(clip601), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], tmp_path / "raw.png",
                     "--raw", f"{w}x{h}", "--rate", "24", "--every", "6", "-q", "--data", out)
    assert r.returncode == 0, (r.stderr, ff_err)
    a, b = Fingerprint.load(ref), Fingerprint.load(out)
    assert len(a) == len(b) == 48
    assert np.allclose(a.times, b.times, atol=1e-3)
    for sa, sb in zip(a.samples, b.samples):
        assert np.abs(sa.palette.colors[:2].astype(int) - sb.palette.colors[:2]).max() <= 4
        assert np.abs(sa.palette.weights[:2] - sb.palette.weights[:2]).max() <= 0.02


def test_unknown_duration_progress_has_no_eta(clip601, tmp_path):
    w, h = SEG_SIZE
    r, _ = pipe(["-i", str(clip601), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], tmp_path / "o.png",
                "--raw", f"{w}x{h}", "--rate", "24", "--every", "8")
    assert r.returncode == 0
    err = r.stderr.decode()
    assert re.search(r"fingerprint: \d+ samples?, 0:\d\d of video, [\d.]+ samples/s", err), err  # count and rate...
    assert "/36" not in err and "%" not in err and "<" not in err  # ...but no total, percentage or ETA


def test_samples_without_duration_suggests_alternatives(clip601, tmp_path):
    w, h = SEG_SIZE
    r, _ = pipe(["-i", str(clip601), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], tmp_path / "o.png",
                "--raw", f"{w}x{h}", "--samples", "10")
    assert r.returncode == 2
    line = r.stderr.decode().strip()
    assert "\n" not in line and "--every" in line and "--interval" in line


def test_index_last_mp4_from_a_pipe_says_what_to_do(clip601, tmp_path):
    mp4 = tmp_path / "moov-last.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(clip601), "-c", "copy", str(mp4)],
                   check=True)
    cat = subprocess.Popen(["cat", str(mp4)], stdout=subprocess.PIPE)  # a pipe (a file redirected is a file)
    r = run_cli("-", str(tmp_path / "o.png"), stdin=cat.stdout, timeout=60)
    cat.stdout.close()  # type: ignore[union-attr]
    cat.wait(timeout=60)
    assert r.returncode == 1
    line = r.stderr.decode().strip()
    assert "\n" not in line and "-f matroska" in line and "-f mpegts" in line


def test_a_looping_animated_png_from_a_pipe_says_to_give_it_as_a_file(tmp_path):
    """FFmpeg seeks in an APNG that loops (-plays 0), which a pipe cannot do: "standard input:
    cannot open (Function not implemented)" said nothing a user could act on. The same file
    given as a file is read."""
    anim = tmp_path / "anim.png"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc2=size=64x48:rate=10", "-t", "1", "-plays", "0", "-f", "apng", str(anim)], check=True)
    cat = subprocess.Popen(["cat", str(anim)], stdout=subprocess.PIPE)  # a pipe (a file redirected is a file)
    r = run_cli("-", str(tmp_path / "o.png"), stdin=cat.stdout, timeout=60)
    cat.stdout.close()  # type: ignore[union-attr]
    cat.wait(timeout=60)
    assert r.returncode == 1 and not (tmp_path / "o.png").exists()
    assert r.stderr.decode() == ("streamprint: error: standard input: FFmpeg reads an animated PNG that loops by "
                                 "seeking in it, which a pipe cannot do: give it as a file\n")
    assert run_cli(anim, tmp_path / "o.png", "-q").returncode == 0


def test_a_pipes_file_object_is_read_as_a_pipe_and_named_as_one(clip601, tmp_path):
    """fingerprint(subprocess.stdout) of an index-last MP4 said "4: 200 damaged packets in a
    row" (or, short, read it): named by its descriptor's number, and no word of the index;
    the CLI says what to do, and so does the library now. A streamable format still reads."""
    import streamprint

    mp4 = tmp_path / "moov-last.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(clip601), "-c", "copy", str(mp4)],
                   check=True)
    cat = subprocess.Popen(["cat", str(mp4)], stdout=subprocess.PIPE)
    try:
        with pytest.raises(streamprint.NotAVideoError) as caught:
            streamprint.fingerprint(cat.stdout)
    finally:
        cat.stdout.close()  # type: ignore[union-attr]
        cat.wait(timeout=60)
    message = str(caught.value)
    assert message.startswith(f"pipe (file descriptor {cat.stdout.name}): ")  # (closed: its name stays)
    assert "moov" in message and "seekable" in message and "-f matroska" in message, message
    mkv = subprocess.Popen(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(mp4), "-c", "copy", "-f",
                            "matroska", "-"], stdout=subprocess.PIPE)
    try:
        fp = streamprint.fingerprint(mkv.stdout)
    finally:
        mkv.stdout.close()  # type: ignore[union-attr]
        mkv.wait(timeout=60)
    assert fp.source.path.startswith("pipe (file descriptor ") and len(fp) == len(streamprint.fingerprint(mp4))


def test_empty_pipe(tmp_path):
    r = run_cli("-", str(tmp_path / "o.png"), input=b"", timeout=60)
    assert r.returncode == 1 and b"empty" in r.stderr and b"Traceback" not in r.stderr


def test_an_empty_file_redirected_to_standard_input_is_said_to_be_empty(tmp_path):
    empty = tmp_path / "empty.mkv"
    empty.write_bytes(b"")
    with open(empty, "rb") as f:
        r = run_cli("-", str(tmp_path / "o.png"), stdin=f, timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 1 and "\n" not in err and "standard input: empty" in err, err


def test_a_closed_standard_input_is_one_line_not_a_bug(tmp_path):
    """``streamprint - out.png <&-`` (a cron job, a service started without a standard input)
    said "unexpected AttributeError ... (a bug in streamprint)"."""
    r = subprocess.run(["sh", "-c", 'exec "$0" -m streamprint - "$1" <&-', sys.executable, str(tmp_path / "o.png")],
                       capture_output=True, timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 1 and "\n" not in err, err
    assert "standard input" in err and "closed" in err and "bug" not in err
    assert not (tmp_path / "o.png").exists()


def test_a_terminal_on_standard_input_is_refused_at_once(tmp_path):
    """``streamprint - out.png`` typed at a terminal waited for ever for a movie nobody pipes in
    (the palette command already refused a terminal)."""
    import pty

    main, other = pty.openpty()
    try:
        r = run_cli("-", str(tmp_path / "o.png"), stdin=other, timeout=20)
    finally:
        os.close(main)
        os.close(other)
    err = r.stderr.decode().strip()
    assert r.returncode == 1 and "\n" not in err, err
    assert "standard input" in err and "terminal" in err


RAW_COLOURS = [(200, 30, 40), (20, 180, 60), (30, 60, 220), (240, 240, 240), (16, 16, 16), (250, 200, 20)]


@pytest.mark.parametrize("flush", [[], ["--flush", "0.1"]])
def test_raw_frames_cut_mid_frame_on_a_pipe_keep_the_whole_ones(tmp_path, flush):
    """A producer that stops mid-frame (killed, a dropped connection under ``nc``) left half a
    raw frame at the end of the pipe, and the run ended in 'the raw frames do not fit ...' with
    no output: every whole frame before it was lost, --flush's last write included. They are
    kept, exactly, and the partial frame is named in a warning (which also names the other
    cause, a wrong size)."""
    w, h = 40, 30
    frames = b"".join(np.full((h, w, 3), c, np.uint8).tobytes() for c in RAW_COLOURS)
    data = tmp_path / "raw.json"
    r = run_cli("-", str(tmp_path / "o.png"), "--raw", f"{w}x{h}", "--every", "1", "--colors", "1", "--data", str(data), *flush, input=frames + frames[:w * h * 3 // 2], timeout=60)
    err = r.stderr.decode()
    assert r.returncode == 0, err
    fp = Fingerprint.load(data)
    assert [tuple(s.palette.colors[0]) for s in fp.samples] == RAW_COLOURS
    assert fp.decode.frames == len(RAW_COLOURS)
    warning = [line for line in err.splitlines() if "mid-frame" in line]
    assert len(warning) == 1 and f"{w * h * 3 // 2} bytes" in warning[0] and "size" in warning[0], err


@pytest.mark.parametrize("rate, fps", [("30000/1001", 30000 / 1001), ("60000/1001", 60000 / 1001),
                                       ("59.9400599", 59.9400599), ("1e-5", 1e-5), ("0.5", 0.5)])
def test_raw_frames_are_timed_at_the_rate_given(tmp_path, rate, fps):
    """``--rate`` takes FFmpeg's and ffprobe's way of writing NTSC rates (30000/1001; it was
    'expected a number'), and a decimal is handed to FFmpeg whole: it went through '%g', six
    digits (59.9400599 became 59.9401, a frame in 17 hours); one below 2^-31 was FFmpeg's
    'cannot open (Invalid argument)', not a usage error."""
    n = 40
    frames = np.zeros((n, 4, 4, 3), np.uint8)
    frames[..., 0] = np.arange(n)[:, None, None] * 6
    data = tmp_path / "o.json"
    r = run_cli("-", str(tmp_path / "o.png"), "--raw", "4x4", "--rate", rate, "--every", "1", "--colors", "1", "--data", str(data), "-q", input=frames.tobytes(), timeout=60)
    assert r.returncode == 0, r.stderr
    fp = Fingerprint.load(data)
    assert np.allclose(fp.times, np.arange(n) / fps, rtol=1e-9, atol=1e-9)
    if fps >= 1:  # (FFmpeg's average rate of a frame every 28 hours is 1/60000)
        assert fp.source.frame_rate == pytest.approx(fps, rel=1e-9)


@pytest.mark.parametrize("rate", ["0", "-25", "x", "1/0", "30000/", "inf", "nan", "1e-300", "30000:1001:2",
                                  "2000000", "1e100000000"])
def test_bad_raw_rates_are_usage_errors(tmp_path, rate):
    """Among them: a rate above the 1001000 fps FFmpeg takes became 1001000 in silence, and
    an exponent of a hundred million digits' worth took minutes to read."""
    r = run_cli("-", str(tmp_path / "o.png"), "--raw", "4x4", "--rate", rate, input=bytes(48), timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in err and "--rate" in err, err


@pytest.mark.parametrize("rate", ["2000000", "1e-300", "1e100000000", "1e-100000000", "1E+31"])
def test_a_raw_rate_out_of_ffmpeg_s_range_says_the_range(tmp_path, rate):
    """FFmpeg takes a rate from 1/1001000 to 1001000 fps; one beyond, written with a long
    exponent (read before the number is, or it takes minutes), was told the range in a
    ParameterError that the ValueError handler around it swallowed: the user saw 'must be a
    frame rate > 0' for 1e100000000, which is one."""
    from streamprint.kinds import MAX_RATE_TERM, Rate

    range_said = f"must be a frame rate from 1/{MAX_RATE_TERM} to {MAX_RATE_TERM} frames per second"
    with pytest.raises(ParameterError, match=range_said):
        Rate().check("rate", rate)
    r = run_cli("-", str(tmp_path / "o.png"), "--raw", "4x4", "--rate", rate, input=bytes(48), timeout=60)
    assert f"--rate {range_said}, got {rate!r}" in one_line(r, 2)


@pytest.mark.parametrize("pix_fmt", ["cuda", "vaapi", "vulkan", "d3d11"])
def test_a_hardware_pixel_format_for_raw_frames_is_a_usage_error(tmp_path, pix_fmt):
    """A hardware surface format names no pixels in memory; it was FFmpeg's 'cannot open
    (Invalid argument)', exit 1, after the input was opened, where every bad option value is a
    usage error before."""
    r = run_cli("-", str(tmp_path / "o.png"), "--raw", "40x30", "--pix-fmt", pix_fmt, input=bytes(3600), timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in err and "--pix-fmt" in err and pix_fmt in err, err


def test_a_file_redirected_to_standard_input_is_read_as_the_file(clip601, tmp_path):
    """``streamprint - out.png < movie.mp4`` is no pipe: it was read as one, so an MP4 with its
    index at the end was refused as 'cannot be read from a pipe', and a part counted back from
    the end or ``--samples`` were refused for want of a duration. It is read as the file is."""
    mp4 = tmp_path / "moov-last.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(clip601), "-c", "copy", str(mp4)],
                   check=True)
    for args in (["--every", "5"], ["--samples", "7"], ["--start", "2", "--end", "-3", "--interval", "0.5"]):
        ref, out = tmp_path / "file.json", tmp_path / "stdin.json"
        assert run_cli(mp4, tmp_path / "file.png", "-q", "--overwrite", "--data", ref, *args).returncode == 0
        with open(mp4, "rb") as f:
            r = run_cli("-", str(tmp_path / "stdin.png"), "-q", "--overwrite", "--data", str(out), *args, stdin=f, timeout=60)
        assert r.returncode == 0, (args, r.stderr)
        a, b = Fingerprint.load(ref), Fingerprint.load(out)
        assert b.source.path == "standard input" and b.source.duration == a.source.duration
        assert [s.frame for s in a.samples] == [s.frame for s in b.samples] and np.array_equal(a.times, b.times), args
        assert [s.palette.colors.tolist() for s in a.samples] == [s.palette.colors.tolist() for s in b.samples]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root and setpriv, to run the command as another user")
def test_a_file_redirected_by_a_privileged_parent_is_still_read(clip601, tmp_path):
    """A parent that may read the file hands it to a process that may not open it by name (a
    service's StandardInput=file: with User=, sudo -u): reading it as a file meant opening it
    again by name, and the run failed with "permission denied". It is read as a pipe."""
    import tempfile

    other = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable]
    if subprocess.run([*other, "-c", "import streamprint"], capture_output=True, cwd="/", timeout=60).returncode:
        pytest.skip("another user cannot run this checkout's streamprint (its folders are private)")
    mkv = tmp_path / "secret.mkv"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(clip601), "-c", "copy", str(mkv)],
                   check=True)
    mkv.chmod(0o600)
    out = Path(tempfile.mkdtemp(prefix="streamprint-other-user-"))
    try:
        out.chmod(0o777)
        with open(mkv, "rb") as f:
            r = subprocess.run([*other, "-m", "streamprint", "-", str(out / "o.png"), "-q", "--every", "5"],
                               stdin=f, capture_output=True, timeout=60, cwd="/")
        assert r.returncode == 0, r.stderr
        assert (out / "o.png").stat().st_size > 0
    finally:
        shutil.rmtree(out, ignore_errors=True)


@pytest.mark.parametrize("size, pix_fmt", [("16256x16256", "rgb24"), ("65535x65535", "gray"),
                                           ("12000x12000", "gbrapf32le")])
def test_raw_frames_larger_than_ffmpeg_reads_are_a_usage_error(tmp_path, size, pix_fmt):
    """A raw size within WIDTHxHEIGHT's own bounds but beyond FFmpeg's (its image size check,
    2 GiB a packet) was 'cannot open (Invalid argument)', exit 1, after opening the input."""
    r = run_cli("-", str(tmp_path / "o.png"), "--raw", size, "--pix-fmt", pix_fmt, input=bytes(1000), timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in err and "--raw" in err and size in err, err


def test_raw_frames_at_ffmpeg_s_largest_size_are_accepted():
    from streamprint.source import raw_demuxer

    assert raw_demuxer("16255x16255", "gray")[1]["video_size"] == "16255x16255"
    assert raw_demuxer("8000x8000", "gbrapf32le")[1]["pixel_format"] == "gbrapf32le"


def test_a_truncated_mp4_redirected_to_standard_input_is_said_to_be_a_file(clip601, tmp_path):
    """A file on standard input is read as a file: an MP4 without its index is a file not
    fully written, not 'an MP4/MOV stream cannot be read from a pipe'."""
    mp4 = tmp_path / "moov-last.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(clip601), "-c", "copy", str(mp4)],
                   check=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(mp4.read_bytes()[:mp4.stat().st_size // 2])
    with open(cut, "rb") as f:
        r = run_cli("-", str(tmp_path / "o.png"), stdin=f, timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 1 and "\n" not in err and "not fully written" in err and "pipe" not in err, err


@pytest.mark.parametrize("header, says", [(b"YUV4MPEG2 W64 H48 F25:1 Im C420jpeg", "mixed interlacing (Im)"),
                                          (b"YUV4MPEG2 W64 H48 F25:1 C999", "C999")])
def test_a_y4m_header_ffmpeg_refuses_is_shown(tmp_path, header, says):
    """FFmpeg's y4m demuxer refuses mixed interlacing ('Im') and unknown colour spaces; that
    was 'cannot open (Invalid argument)' or 'not a video file FFmpeg can read', whatever the
    header said."""
    frame = b"FRAME\n" + bytes(64 * 48 * 3 // 2)
    r = run_cli("-", str(tmp_path / "o.png"), input=header + b"\n" + frame * 3, timeout=60)
    err = r.stderr.decode().strip()
    assert r.returncode == 1 and "\n" not in err and "YUV4MPEG2" in err and says in err, err


def test_a_stream_slower_than_one_frame_a_second_takes_the_default_interval(tmp_path):
    """A y4m or raw stream's clock ticks once a frame. Below 1 fps (a time-lapse, a slide
    show) the default interval of 1 s was refused, "--interval is shorter than one tick of
    this stream's clock (2 s)", with no --interval given; AVI refused an interval below a
    frame that Matroska took. Every frame is sampled then, at the times ffmpeg gave them."""
    slow = tmp_path / "slow.y4m"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:d=20:r=1/2",
                    "-f", "yuv4mpegpipe", str(slow)], check=True, timeout=60)
    r = run_cli(slow, tmp_path / "y.png", "--data", tmp_path / "y.json")
    assert r.returncode == 0, r.stderr
    fp = Fingerprint.load(tmp_path / "y.json")
    assert [s.time for s in fp.samples] == [2.0 * i for i in range(10)]
    raw, _ = pipe(["-f", "lavfi", "-i", "testsrc2=s=64x36:d=20:r=1/2", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                  tmp_path / "r.png", "--raw", "64x36", "--pix-fmt", "rgb24", "--rate", "0.5")
    assert raw.returncode == 0, raw.stderr
    # an interval below a frame's length takes every frame, whatever the container's clock
    counts = {}
    for suffix in ("avi", "mkv"):
        clip = tmp_path / f"c.{suffix}"
        subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:d=2:r=25", "-c:v", "mpeg4",
                        str(clip)], check=True, timeout=60)
        r = run_cli(clip, tmp_path / f"{suffix}.png", "--interval", "0.02", "--data", tmp_path / f"{suffix}.json")
        assert r.returncode == 0, r.stderr
        counts[suffix] = len(Fingerprint.load(tmp_path / f"{suffix}.json").samples)
    assert counts == {"avi": 50, "mkv": 50}


def test_a_stream_that_states_no_length_has_the_length_it_was_read_to(tmp_path):
    """A y4m pipe states no duration: the strip was drawn to a guess, "0:20 of video" for
    the 12-s sample at --interval 10 with its last sample over half the picture, and the
    data file stated none. The truth is ffprobe's duration of the file piped."""
    sample = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"
    stated = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                   str(sample)], capture_output=True, text=True, check=True).stdout)
    r, _ = pipe(["-i", str(sample), "-f", "yuv4mpegpipe", "-"], tmp_path / "y.png", "--interval", "10",
                "--width", "200", "--data", tmp_path / "y.json")
    assert r.returncode == 0 and "0:12 of video" in r.stderr.decode(), r.stderr
    fp = Fingerprint.load(tmp_path / "y.json")
    assert fp.source.duration is not None and abs(fp.source.duration - stated) < 0.05
    assert [s.time for s in fp.samples] == [0.0, 10.0]
    row = strip(tmp_path / "y.png")[100, :, :3]
    changes = [x for x in range(1, 200) if (row[x] != row[x - 1]).any()]
    assert changes and all(abs(x - 200 * 10 / stated) <= 2 for x in changes), changes


@pytest.mark.parametrize("sampling", [["--every", "1", "--column-width", "100"], ["--fast", "--column-width", "1000"]])
def test_a_stream_whose_picture_outgrows_its_format_is_refused_at_that_sample(tmp_path, sampling):
    """A stream of unknown length (an endless y4m pipe) whose strip cannot be a WebP (at most
    16383 px wide: 164 columns of 100 px) is refused at the sample that passes the limit,
    in one line with the usage exit code, as a file of known length is before decoding.
    It used to be refused only after the whole stream was read: never, for an endless one.
    With ``--fast`` the strip is 1000 px a second of the stream: refused past 16.4 s."""
    ffmpeg = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=32x18:r=25", "-pix_fmt", "yuv420p",
                               "-f", "yuv4mpegpipe", "-"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        r = run_cli("-", str(tmp_path / "s.webp"), *sampling, "--data", str(tmp_path / "s.json"), "-q", stdin=ffmpeg.stdout, timeout=90)
    finally:
        ffmpeg.kill()
        ffmpeg.wait()
    assert r.returncode == 2, r.stderr
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "16383" in lines[0] and "WebP" in lines[0], lines
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_a_stream_that_ends_before_end_finishes_its_progress_bar(tmp_path):
    """A 6-s MPEG-TS stream (no length stated) read with --end 30: the bar measured the part,
    30 s, and stayed at 0 % ("0:00 of 0:30") when the stream ended; at the end it is full,
    at what was read: 0:06 of 0:06."""
    r, _ = pipe(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24:duration=6", "-c:v", "mpeg2video", "-f", "mpegts",
                 "-"], tmp_path / "o.png", "--end", "30")
    err = r.stderr.decode()
    assert r.returncode == 0, err
    bars = [d.strip() for d in re.split(r"[\r\n]", err) if d.startswith("fingerprint:")]
    assert bars and "of 0:30" in bars[0], err  # (the part, while it is read)
    assert re.fullmatch(r"fingerprint: 100%\|.*\| 0:06 of 0:06, 6 samples \[.*\]", bars[-1]), bars[-1]
