"""Time ranges (--start, --end, --duration): a part of a movie gives exactly the samples a
run over the whole movie gives inside it, on files (seeking) and on pipes (reading and
dropping); bad ranges are usage errors before anything is decoded."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time

import numpy as np
import pytest

import streamprint
from streamprint import Fingerprint, ParameterError, Sampling, synth
from streamprint.model import TimeRange
from streamprint.params import parse_time
from streamprint.source import VideoSource

from .conftest import run_cli

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None and os.environ.get("CI") != "true",
                                  reason="needs the ffmpeg CLI (apt-get install ffmpeg)")


# ---- the time syntax and the rules ------------------------------------------------------------


@pytest.mark.parametrize("text,seconds", [
    # the examples of FFmpeg's documentation (ffmpeg-utils, "Time duration")
    ("55", 55.0), ("0.2", 0.2), ("200ms", 0.2), ("200000us", 0.2), ("12:03:45", 12 * 3600 + 3 * 60 + 45),
    ("23.189", 23.189),
    # and the issue's
    ("90", 90.0), ("1:30", 90.0), ("1:02:03.5", 3723.5), ("-8:00", -480.0), ("-5", -5.0),
])
def test_ffmpeg_time_syntax(text, seconds):
    assert parse_time(text) == pytest.approx(seconds, abs=1e-9)


@pytest.mark.parametrize("text", ["", "abc", "1:75", "90:00", "1:2:3:4", "1,5", "5 min", "1e3", "--5"])
def test_malformed_times_are_refused(text):
    assert parse_time(text) is None
    with pytest.raises(ParameterError, match="start must be a time"):
        TimeRange(text)


def test_range_rules():
    assert TimeRange("1:30", duration="10") == TimeRange(90, 100)
    # counted back from a duration summed from parts (joined MPEG-TS): no float noise
    assert TimeRange(0, -3).resolve(sum([0.1] * 200)).end == 17.0  # 17.000000000000014 unrounded
    assert TimeRange().whole and not TimeRange(0, 5).whole
    with pytest.raises(ParameterError, match="end .* must come after"):
        TimeRange(20, 10)
    with pytest.raises(ParameterError, match="cannot be used together"):
        TimeRange(0, 10, duration=5)
    with pytest.raises(ParameterError, match="start must be a time >= 0"):
        TimeRange(-3)
    with pytest.raises(ParameterError, match="duration must be a time > 0"):
        TimeRange(5, duration=0)
    with pytest.raises(ParameterError, match="end must be a time other than 0 "):  # not "must be a time" alone
        TimeRange(0, 0)
    assert TimeRange(10, "-8:00").resolve(3600.0) == TimeRange(10, 3120)
    with pytest.raises(ParameterError, match="does not state its duration"):
        TimeRange(10, -480).resolve(None)
    with pytest.raises(ParameterError, match="leaves nothing"):
        TimeRange(3000, -700).resolve(3600.0)
    with pytest.raises(ParameterError, match="past the end"):
        TimeRange(3600).resolve(3600.0)
    assert TimeRange(10, 9999).resolve(60.0).length(60.0) == 50.0  # an end past the end is the end


# ---- clips ------------------------------------------------------------------------------------


def same_frames(part: Fingerprint, whole: Fingerprint, start: float, end: float | None) -> None:
    """``part`` holds exactly the samples of ``whole`` whose times lie in [start, end): the
    same frame indices, times and average colours (palettes may differ through warm starts)."""
    inside = [s for s in whole.samples if s.time >= start and (end is None or s.time < end)]
    assert inside, "the range holds no sample: the test would prove nothing"
    assert [s.frame for s in part.samples] == [s.frame for s in inside]
    assert [s.time for s in part.samples] == [s.time for s in inside]
    assert all(np.array_equal(a.palette.mean, b.palette.mean) for a, b in zip(part.samples, inside))


def _segments(seconds: float) -> list[synth.Segment]:
    out, t, i = [], 0.0, 0
    while t < seconds:
        base = synth.SAMPLE_SEGMENTS[i % len(synth.SAMPLE_SEGMENTS)]
        length = min(seconds - t, (2.5, 4.0, 5.5)[i % 3])
        out.append(synth.Segment(base.background, base.accent, length))
        t, i = t + length, i + 1
    return out


@pytest.fixture(scope="module")
def clip60(tmp_path_factory):
    """60 s at 24 fps, h264 with B-frames, a keyframe at each cut and at least every 2 s."""
    path = tmp_path_factory.mktemp("ranges") / "sixty.mp4"
    synth.encode_clip(path, synth.segment_frames(_segments(60.0), (160, 90)), 24.0,
                      synth.Encoding(crf=20, gop=48, preset="ultrafast", extra=(("bf", "2"),)))
    return path


@pytest.fixture(scope="module")
def clip_mkv(tmp_path_factory):
    """20 s in Matroska (no index of every frame: counted by demuxing), with B-frames."""
    path = tmp_path_factory.mktemp("ranges") / "twenty.mkv"
    synth.encode_clip(path, synth.segment_frames(_segments(20.0), (160, 90)), 24.0,
                      synth.Encoding(crf=20, gop=30, extra=(("bf", "3"),)))
    return path


# ---- acceptance: a part equals the whole restricted to it ---------------------------------------


@pytest.mark.parametrize("flags", [(), ("--every", "1")], ids=["default", "every-1"])
def test_start_10_end_20_decode_all_is_the_full_run_restricted(clip60, tmp_path, flags):
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    r = run_cli(clip60, tmp_path / "whole.png", "--decode-all", "-q", "--data", whole, *flags)
    assert r.returncode == 0, r.stderr
    r = run_cli(clip60, tmp_path / "part.png", "--decode-all", "-q", "--data", part, "--start", "10", "--end", "20",
                *flags)
    assert r.returncode == 0, r.stderr
    a, b = Fingerprint.load(part), Fingerprint.load(whole)
    same_frames(a, b, 10.0, 20.0)
    assert len(a) == (240 if flags else 10)
    assert a.time_range == TimeRange(10, 20)


def test_the_keyframe_before_the_start_is_found_and_counted(clip60, clip_mkv):
    """The seek lands on a keyframe before the start whose index is the one a pass from the
    beginning gives it: from the MP4 index, and by demuxing the Matroska file."""
    for clip in (clip60, clip_mkv):
        whole = streamprint.fingerprint(clip, sampling=Sampling.every(1), skip_unsampled=False)
        by_time = {round(s.time, 6): s.frame for s in whole.samples}
        for start in (7.3, 10.0, 15.0):
            with VideoSource(clip) as src:
                point = src.seek_point(start)
                tb = src.time_base
            assert point is not None, f"{clip.name}: no seek"
            t = point.pts * tb - point.origin
            assert 0 < t < start and by_time[round(t, 6)] == point.index


@pytest.mark.parametrize("sampling", [Sampling.every(1), Sampling.every(5), Sampling.default(),
                                      Sampling.interval(0.37), Sampling.keyframes()],
                         ids=["every-1", "every-5", "interval-1", "interval-0.37", "keyframes"])
@pytest.mark.parametrize("clip", ["clip60", "clip_mkv"])
def test_every_sampling_mode_inside_a_range(clip, sampling, request):
    path = request.getfixturevalue(clip)
    whole = streamprint.fingerprint(path, sampling=sampling, skip_unsampled=False)
    # (0.5, 6): a start in the first GOP, where the keyframe before it is the first frame and
    # decoding starts at the beginning: looking for that keyframe must not move the decoder
    for start, end in ((7.3, 13.01), (10.0, None), (0.5, 6.0)):
        part = streamprint.fingerprint(path, sampling=sampling, time_range=TimeRange(start, end))
        same_frames(part, whole, start, end)


def test_samples_are_spread_over_the_range(clip60):
    """--samples N: the frames nearest the middles of N equal slices of the range."""
    fp = streamprint.fingerprint(clip60, sampling=Sampling.samples(8), time_range=TimeRange(20, duration=16))
    middles = 20 + (np.arange(8) + 0.5) * 2.0
    assert len(fp) == 8 and np.abs(fp.times - middles).max() <= 1 / 48 + 1e-9


@needs_ffmpeg
@pytest.mark.parametrize("clip", ["clip60", "clip_mkv"])
def test_fewer_columns_than_samples_in_a_part_count_the_parts_frames(clip, request, caplog):
    """--samples 100 over 7.3 to 9 s (at 24 fps fewer frames than times): the warning said
    "the movie has 216 frames", the frames from the movie's first to the part's end, where
    the part has 40. The truth: ffprobe's frames whose time (from the stream's start) lies in
    the part, which here are as many as the columns."""
    path = request.getfixturevalue(clip)
    start, end = 7.3, 9.0
    probed = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v", "-read_intervals", "5%11", "-show_entries",
         "frame=best_effort_timestamp_time:stream=start_time", "-of", "json", str(path)],
        capture_output=True, text=True, check=True).stdout)
    origin = float(probed["streams"][0]["start_time"])
    held = sum(start <= float(f["best_effort_timestamp_time"]) - origin < end for f in probed["frames"])
    assert 35 < held < 45
    with caplog.at_level("WARNING", logger="streamprint"):
        fp = streamprint.fingerprint(path, sampling=Sampling.samples(100), time_range=TimeRange(start, end))
    said = [r.getMessage() for r in caplog.records if "columns, not 100" in r.getMessage()]
    assert len(said) == 1 and f"{len(fp)} columns, not 100: the part has {held} frames, so {100 - len(fp)} of " \
        in said[0], said
    assert len(fp) == held  # (each frame of the part took a column)


def piped(clip, tmp_path, name: str, *args: str) -> Fingerprint:
    """``ffmpeg -i clip -c copy -f nut - | streamprint - ... --data`` (NUT keeps the stream's
    time base; Matroska would round times to milliseconds)."""
    data = tmp_path / f"{name}.json"
    ff = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", str(clip), "-c", "copy", "-f", "nut", "-"],
                          stdout=subprocess.PIPE)
    r = run_cli("-", str(tmp_path / f"{name}.png"), "-q", "--data", str(data), *args, stdin=ff.stdout, timeout=120)
    ff.stdout.close()  # type: ignore[union-attr]
    ff.wait(timeout=30)
    assert r.returncode == 0, r.stderr
    return Fingerprint.load(data)


@needs_ffmpeg
def test_a_range_on_a_pipe_equals_the_full_pipe_restricted(clip60, tmp_path):
    whole = piped(clip60, tmp_path, "whole", "--every", "1", "--decode-all")
    part = piped(clip60, tmp_path, "part", "--every", "1", "--decode-all", "--start", "10", "--end", "20")
    same_frames(part, whole, 10.0, 20.0)
    file = streamprint.fingerprint(clip60, sampling=Sampling.every(1), time_range=TimeRange(10, 20))
    assert [s.frame for s in part.samples] == [s.frame for s in file.samples]  # and the file's seek, too
    assert np.allclose(part.times, file.times, atol=1e-9)


@needs_ffmpeg
def test_end_on_standard_input_stops_reading_and_closes_the_pipe(tmp_path):
    """--end 5 on a stream that would run for ten minutes: streamprint stops at 5 s and
    exits 0, and the writer is not left blocked: it gets EPIPE and ends at once."""
    data = tmp_path / "e.json"
    ff = subprocess.Popen(["ffmpeg", "-hide_banner", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25",
                           "-t", "600", "-f", "nut", "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r = run_cli("-", str(tmp_path / "e.png"), "-q", "--data", str(data), "--end", "5", stdin=ff.stdout, timeout=120)
    ended = time.monotonic()
    ff.stdout.close()  # type: ignore[union-attr]
    err = ff.communicate(timeout=30)[1].decode()
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - ended < 10 and ff.returncode != 0 and "Broken pipe" in err
    fp = Fingerprint.load(data)
    assert [s.time for s in fp.samples] == [0.0, 1.0, 2.0, 3.0, 4.0]
    written = float(err.rsplit("time=", 1)[1].split()[0].split(":")[-1])  # ffmpeg's last progress line
    assert written < 60, f"ffmpeg wrote {written} s: the pipe was read on"


# ---- usage errors before decoding -------------------------------------------------------------


@pytest.mark.parametrize("args,flag", [(("--start", "61"), "--start"), (("--start", "20", "--end", "10"), "--end"),
                                       (("--start", "50", "--end", "-15"), "--end"),
                                       (("--end", "5", "--duration", "3"), "--duration"),
                                       (("--start", "1:99"), "--start")])
def test_bad_ranges_are_usage_errors(clip60, tmp_path, args, flag):
    out = tmp_path / "o.png"
    r = run_cli(clip60, out, *args)
    line = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in line and flag in line, line
    assert not out.exists()


@needs_ffmpeg
def test_a_negative_end_on_a_pipe_is_a_usage_error(tmp_path):
    """On a stream that never ends: a check made after decoding would never come."""
    ff = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25",
                           "-f", "nut", "-"], stdout=subprocess.PIPE)
    try:
        r = run_cli("-", str(tmp_path / "o.png"), "--end", "-8:00", stdin=ff.stdout, timeout=60)
    finally:
        ff.stdout.close()  # type: ignore[union-attr]
        ff.kill()
        ff.wait(timeout=30)
    assert r.returncode == 2 and b"--end -480 counts back from the end" in r.stderr, r.stderr


def test_range_errors_come_before_any_decoding(clip60, monkeypatch):
    from streamprint.source import VideoSource as Source

    def never(*args, **kwargs):
        raise AssertionError("decoding started")

    monkeypatch.setattr(Source, "frames", never)
    for part in (TimeRange(61), TimeRange(60), TimeRange(50, -15), TimeRange(0, -60)):
        with pytest.raises(ParameterError):
            streamprint.fingerprint(clip60, time_range=part)
    with pytest.raises(AssertionError, match="decoding started"):  # and the check above would have seen it
        streamprint.fingerprint(clip60, time_range=TimeRange(59))


# ---- the data file, render, batch ------------------------------------------------------------------


def test_the_data_file_records_the_range(clip60, tmp_path):
    fp = streamprint.fingerprint(clip60, time_range=TimeRange(12, "-40"))
    assert fp.time_range == TimeRange(12, 20) and fp.options.time_range == TimeRange(12, -40)
    for name in ("p.json", "p.csv"):
        fp.save(tmp_path / name)
        again = Fingerprint.load(tmp_path / name)
        assert again == fp
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["time_range"] == {"start": 12.0, "end": 20.0}
    assert data["options"]["time_range"] == {"start": 12.0, "end": -40.0}
    assert fp.spans()[-1] == pytest.approx(20 - fp.times[-1])  # the last sample lasts to the range's end
    # a whole-movie file says nothing of ranges (older files read as the whole movie)
    whole = streamprint.fingerprint(clip60, time_range=TimeRange(0, None))
    assert "time_range" not in whole.to_dict() and "time_range" not in whole.to_dict()["options"]
    bad = dict(data, time_range={"start": 30.0, "end": 40.0})
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(streamprint.DataFormatError, match="outside the time range"):
        Fingerprint.load(tmp_path / "bad.json")


def test_the_plot_axis_starts_at_the_range_start(clip60, tmp_path, monkeypatch):
    import streamprint.render.plot as plot

    seen = {}
    real = plot.plot

    def spy(strip, start, end, *args):
        seen["extent"] = (start, end)
        return real(strip, start, end, *args)

    monkeypatch.setattr(plot, "plot", spy)
    fp = streamprint.fingerprint(clip60, time_range=TimeRange(30, 40))
    streamprint.save_image(fp, tmp_path / "plot.png", streamprint.RenderOptions(style="plot", width=800))
    assert seen["extent"] == (30.0, 40.0)


def test_batch_records_the_range_and_redoes_a_movie_when_it_changes(clip60, tmp_path):
    library, out = tmp_path / "lib", tmp_path / "out"
    library.mkdir()
    shutil.copy(clip60, library / "a.mp4")
    r = run_cli("batch", library, out, "--start", "5", "--end", "-50", "--jobs", "1", "-q")
    assert r.returncode == 0, r.stderr
    manifest = json.loads((out / "streamprint-manifest.json").read_text())
    assert manifest["entries"]["a.mp4"]["options"]["time_range"] == {"start": 5.0, "end": -50.0}
    assert Fingerprint.load(out / "a.mp4.json").time_range == TimeRange(5, 10)
    r = run_cli("batch", library, out, "--start", "5", "--end", "-50", "--jobs", "1")
    assert re.search(rb"already done, unchanged +1", r.stdout), r.stdout
    r = run_cli("batch", library, out, "--start", "6", "--end", "-50", "--jobs", "1")
    assert re.search(rb"fingerprinted now +1", r.stdout), r.stdout
    assert Fingerprint.load(out / "a.mp4.json").time_range == TimeRange(6, 10)


# ---- exact times: a frame at a whole second belongs to the range that starts there ---------------


@pytest.fixture(scope="module")
def clip_nut(clip60, tmp_path_factory):
    """clip60 copied into NUT, as ``ffmpeg ... -f nut -`` pipes it: the stream starts two
    frames in (time base 1/49152, first pts 4096: the B-frame delay the MP4's edit list
    hid), so every time is a difference of two tick counts."""
    path = tmp_path_factory.mktemp("ranges") / "sixty.nut"
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(clip60), "-c", "copy", "-f", "nut",
                    str(path)], check=True)
    return path


@needs_ffmpeg
def test_nut_times_are_exact_tick_differences(clip_nut, tmp_path):
    """Frame i of a constant 24-fps stream is shown i/24 s after the first: computed from
    the ticks (pts minus the stream's start, times the time base), not as a difference of two
    rounded floats (10.083333333333334 - 0.08333333333333333 is 9.999999999999998, which put
    the frame at 10 s before a range starting at 10 s). So [4, 6) holds frames 96 to 143, on
    the file (seeking) and on a pipe (discarding)."""
    from fractions import Fraction

    whole = streamprint.fingerprint(clip_nut, sampling=Sampling.every(1), skip_unsampled=False)
    assert len(whole) == 1440
    assert all(s.time == float(Fraction(s.frame, 24)) for s in whole.samples), \
        [(s.frame, s.time) for s in whole.samples if s.time != float(Fraction(s.frame, 24))][:5]
    for start in (4.0, 10.0, 20.0, 42.0):
        part = streamprint.fingerprint(clip_nut, sampling=Sampling.every(1), skip_unsampled=False,
                                       time_range=TimeRange(start, start + 2))
        assert [s.frame for s in part.samples] == list(range(round(start * 24), round(start * 24) + 48)), start
    data = tmp_path / "p.json"
    ff = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", str(clip_nut), "-c", "copy", "-f", "nut", "-"],
                          stdout=subprocess.PIPE)
    r = run_cli("-", str(tmp_path / "p.png"), "-q", "--data", str(data), "--every", "1", "--start", "4", "--end", "6", stdin=ff.stdout, timeout=120)
    ff.stdout.close()  # type: ignore[union-attr]
    ff.wait(timeout=30)
    assert r.returncode == 0, r.stderr
    assert [s.frame for s in Fingerprint.load(data).samples] == list(range(96, 144))


# ---- an edit list that drops leading packets ------------------------------------------------------


@pytest.fixture(scope="module")
def clip_cut(clip60, tmp_path_factory):
    """``ffmpeg -ss 1.3 -i clip60 -t 10 -c copy``: the MP4's edit list starts 1.3 s into a GOP,
    so the demuxer marks the 32 packets before it to be discarded (decoded as references,
    never shown)."""
    path = tmp_path_factory.mktemp("ranges") / "cut.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-ss", "1.3", "-i", str(clip60), "-t", "10", "-c",
                    "copy", str(path)], check=True)
    return path


def _ffprobe_frames(path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=nb_read_frames", "-of", "csv=p=0", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return int(out.strip())


@needs_ffmpeg
def test_packets_an_edit_list_discards_are_not_frames(clip_cut):
    """The discarded packets are no frames of the movie: not counted as frames the decoder
    skipped (they shifted every index of a range by 32 when the sampler let the decoder skip
    non-reference frames), nor before a keyframe (--fast), nor as damage. Frame i is at
    i/24 s, and the frame count is ffprobe's."""
    frames = _ffprobe_frames(clip_cut)
    full = streamprint.fingerprint(clip_cut, sampling=Sampling.every(1), skip_unsampled=False)
    assert len(full) == full.decode.frames == frames
    assert all(s.frame == round(s.time * 24) for s in full.samples)
    for sampling in (Sampling.default(), Sampling.interval(0.37), Sampling.keyframes()):
        for part in (TimeRange(), TimeRange(3, 7), TimeRange(5.5)):
            fp = streamprint.fingerprint(clip_cut, sampling=sampling, time_range=part)
            assert fp.samples and all(s.frame == round(s.time * 24) for s in fp.samples), (sampling, part)
            decoded = streamprint.fingerprint(clip_cut, sampling=sampling, time_range=part, skip_unsampled=False)
            assert [s.frame for s in fp.samples] == [s.frame for s in decoded.samples]
            assert fp.decode.frames == decoded.decode.frames, (sampling, part, fp.decode, decoded.decode)
            assert fp.decode.corrupt_frames == fp.decode.corrupt_packets == 0
            if sampling.mode != "keyframes" and part.end is None:
                assert fp.decode.frames == frames


# ---- a range that holds no frame ------------------------------------------------------------------


def _one_line_usage_error(r, out) -> str:
    line = r.stderr.decode().strip()
    assert r.returncode == 2 and "\n" not in line and "Traceback" not in line, r.stderr
    assert not out.exists()
    return line


def test_a_range_between_two_frames_is_a_clear_error(clip60, tmp_path):
    """[10.01, 10.03) lies between the frames at 240/24 = 10 s and 241/24 = 10.042 s."""
    out = tmp_path / "o.png"
    line = _one_line_usage_error(run_cli(clip60, out, "--start", "10.01", "--end", "10.03"), out)
    assert "--start/--end/--duration" in line and "10.000 s and 10.042 s" in line, line
    # frames inside, but the sampling takes none of them (every 1000th frame: 0, 1000)
    line = _one_line_usage_error(run_cli(clip60, out, "--every", "1000", "--start", "10", "--end", "20"), out)
    assert "holds frames 240-479 of" in line and "picks none" in line, line
    with pytest.raises(ParameterError, match="holds no frame"):
        streamprint.fingerprint(clip60, time_range=TimeRange(10.01, 10.03))


@needs_ffmpeg
@pytest.mark.parametrize("flush", [(), ("--flush", "0.5")], ids=["plain", "flush"])
def test_a_start_past_the_end_of_a_pipe_is_a_clear_error(clip60, tmp_path, flush):
    """On a pipe the duration is not known before the end: a start past the last frame
    (1439/24 = 59.958 s) is found there, and said as plainly as on a file."""
    out, data = tmp_path / "o.png", tmp_path / "o.json"
    ff = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-i", str(clip60), "-c", "copy", "-f", "nut", "-"],
                          stdout=subprocess.PIPE)
    r = run_cli("-", str(out), "--data", str(data), "--start", "100", *flush, stdin=ff.stdout, timeout=120)
    ff.stdout.close()  # type: ignore[union-attr]
    ff.wait(timeout=30)
    line = _one_line_usage_error(r, out)
    assert "--start (100 s) lies past the last frame of standard input, at 59.958 s" in line, line
    assert not data.exists()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command")
@pytest.mark.parametrize("start, end", [(2.04, 4.0), (3.6, 5.0), (1.6, 2.9)])
def test_a_start_exactly_on_a_keyframe(tmp_path, start, end):
    """Every frame of MJPEG is a keyframe, so each start falls on one. The float 2.04 is a
    little above 2.04: the keyframe at 2.04 s passed for one before the start, and the part
    gained a sample (frame 51) that the whole run does not have."""
    path = tmp_path / "intra.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=6", "-c:v", "mjpeg",
                    str(path)], check=True, capture_output=True, timeout=60)
    for sampling in (Sampling.default(), Sampling.interval(0.39)):
        whole = streamprint.fingerprint(path, sampling=sampling)
        inside = [s for s in whole.samples if start <= s.time < end]
        part = streamprint.fingerprint(path, sampling=sampling, time_range=TimeRange(start, end))
        assert [(s.frame, s.time) for s in part.samples] == [(s.frame, s.time) for s in inside]


def test_a_range_the_sampling_picks_nothing_in_names_its_frames(clip_mkv):
    """24 fps, one frame every 0.79 s: the picks nearest 2.37 and 3.16 s are frames 57 and 76,
    so [2.4, 3.0) holds frames 58-71 and no pick. The error said "holds 5 frames": it counted
    only the frames decoded, not those skipped as no sample's. It names them now (from the
    first to the last decoded inside: a skipped one at either edge is not seen)."""
    with pytest.raises(ParameterError) as skipping:
        streamprint.fingerprint(clip_mkv, sampling=Sampling.interval(0.79), time_range=TimeRange(2.4, 3.0))
    with pytest.raises(ParameterError, match=r"holds frames 58-71 of .*picks none"):
        streamprint.fingerprint(clip_mkv, sampling=Sampling.interval(0.79), time_range=TimeRange(2.4, 3.0),
                                skip_unsampled=False)
    first, last = map(int, re.search(r"holds frames (\d+)-(\d+) of", str(skipping.value)).groups())
    assert 58 <= first < last <= 71


@pytest.mark.parametrize("flags", [["--samples", "6"], ["--fast"], []], ids=["samples", "fast", "interval"])
def test_an_end_past_the_movies_end_is_its_end(clip60, tmp_path, flags):
    """``--end 1:00:00`` on a 60-s file: the summary, the data file and the page said 0:00:00
    to 1:00:00 when reading stopped before the end (``--samples``, ``--fast``)."""
    out = tmp_path / "x.png"
    r = run_cli(clip60, out, "--end", "1:00:00", "--data", tmp_path / "x.json", *flags)
    assert r.returncode == 0, r.stderr
    assert b"(0:00:00 to 0:01:00)" in r.stderr, r.stderr
    assert json.loads((tmp_path / "x.json").read_text())["time_range"]["end"] == pytest.approx(60.0, abs=0.05)


@pytest.mark.parametrize("flags", [["--start", "100"], ["--end", "-1"], ["--samples", "5"]])
def test_a_still_image_is_said_to_be_one_whatever_the_options(tmp_path, flags):
    """A photo given a part or --samples was "--start (100 s) lies past the end of this
    0.040-s movie" (exit 2, and a failed movie in a batch), not a still image (exit 1)."""
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photo)
    r = run_cli(photo, tmp_path / "x.png", *flags)
    assert r.returncode == 1 and r.stderr.decode().strip() == f"streamprint: error: {photo}: a still image, not a movie"


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_a_still_image_shows_no_progress_before_it_is_refused(tmp_path, kind):
    """``streamprint photo.jpg out.png`` drew "1 sample, 0:00 of video" on standard error
    before "a still image, not a movie" (a batch held that back already): a photo's one
    frame is no progress of a movie, from the command or the library. An animated picture
    (a movie) still reports its frames from the second on."""
    from PIL import Image

    from streamprint import NotAVideoError

    photo = tmp_path / f"photo.{kind.lower()}"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photo, kind)
    r = run_cli(photo, tmp_path / "x.png")
    assert r.returncode == 1 and r.stderr.decode() == f"streamprint: error: {photo}: a still image, not a movie\n"
    calls: list = []
    with pytest.raises(NotAVideoError):
        streamprint.fingerprint(photo, sampling=Sampling.every(1), progress=calls.append)
    assert calls == []
    gif = tmp_path / "anim.gif"
    frames = [Image.new("RGB", (64, 48), c) for c in ((200, 10, 10), (10, 200, 10), (10, 10, 200))]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=100, loop=0)
    streamprint.fingerprint(gif, sampling=Sampling.every(1), progress=calls.append)
    assert [p.frames for p in calls] == [2, 3]


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
@pytest.mark.parametrize("flags", [["--end", "-1"], ["--samples", "5"]])
def test_a_still_image_on_standard_input_is_said_to_be_one(tmp_path, flags, kind):
    """Piped in, a photo with --samples was "--samples needs the duration, which this input
    does not state" (exit 2): a pipe cannot be opened twice to count its frames, so its
    frames are read on, as the run fails either way. A movie on the pipe still gets the
    option's error."""
    import io

    from PIL import Image

    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photo, kind)
    r = run_cli("-", tmp_path / "x.png", *flags, input=photo.getvalue())
    assert r.returncode == 1 and r.stderr.decode().strip() == "streamprint: error: standard input: a still image, not a movie"
    assert list(tmp_path.iterdir()) == []


def test_a_fast_part_is_column_width_px_per_second_from_its_start(tmp_path):
    """Keyframes every 2 s (x264 -g 50 at 25 fps, no scene cuts); ``--fast --start 3 --end 9
    --column-width 10``: the picture is 6 s x 10 px = 60 px, and the keyframes at 4, 6 and 8 s
    stand for 3-6, 6-8 and 8-9 s: 30, 20 and 10 px. It was 50 px (from the first keyframe)
    with columns of 25, 17 and 8 px."""
    from PIL import Image

    clip = tmp_path / "k.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=160x90:r=25:d=12", "-g", "50",
                    "-keyint_min", "50", "-sc_threshold", "0", "-pix_fmt", "yuv420p", str(clip)], check=True)
    out = tmp_path / "f.png"
    r = run_cli(clip, out, "--fast", "--start", "3", "--end", "9", "--column-width", "10", "--data", tmp_path / "f.json")
    assert r.returncode == 0, r.stderr
    assert [round(s["time"], 2) for s in json.loads((tmp_path / "f.json").read_text())["samples"]] == [4.0, 6.0, 8.0]
    top = np.asarray(Image.open(out).convert("RGB"))[0].astype(int)
    assert len(top) == 60
    changes = [x for x in range(1, 60) if (top[x] != top[x - 1]).any()]
    assert changes == [30, 50], changes


def test_the_progress_bar_measures_the_part_read(segments_clip):
    """With --start 2 of a 12-s movie the bar measured the whole movie: it jumped to a sixth
    at the first sample, and tqdm, waiting for a step as large, hardly drew again. It
    measures the part: from its start (0 %) to its end, or the movie's (100 %). The reports
    are the library's own (streamprint.fingerprint's progress callback)."""
    import io

    from streamprint._cli.progress import ProgressBar
    from streamprint.model import TimeRange

    for part in (TimeRange(2.0, None), TimeRange(1.0, 4.0)):
        bar = ProgressBar(True, file=io.StringIO())
        shares: list[float] = []

        def report(p, bar=bar, shares=shares):
            bar(p)
            shares.append(bar.bar.n / bar.bar.total)

        fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(1), time_range=part, progress=report)
        bar.close()
        start, end = part.start, part.end if part.end is not None else fp.source.duration
        assert len(shares) == len(fp) > 20
        truth = (fp.times - start) / (end - start)  # each sample's share of the part
        assert np.allclose(shares, truth, atol=1e-9), (shares[:3], truth[:3])
