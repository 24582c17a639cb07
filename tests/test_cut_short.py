"""A file cut short (a copy or download that stopped) is fingerprinted as far as it goes,
and says so: the frames read against the count its container states. The truth for the
frames really there is ffprobe's own count of the truncated file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from .conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command")

FRAMES = 288  # 12 s at 24 frames per second


def _make(tmp_path: Path, suffix: str, *extra: str) -> Path:
    out = tmp_path / f"whole{suffix}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24:duration=12",
                    "-c:v", "libx264", "-g", "24", "-pix_fmt", "yuv420p", *extra, str(out)], check=True)
    return out


def _ffprobe_frames(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True).stdout
    return int(out.strip().strip(","))


def _stated_duration(path: Path) -> float:
    return float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
                                 str(path)], capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("suffix, extra", [(".mkv", ()), (".mp4", ("-movflags", "+faststart")), (".avi", ()),
                                           (".flv", ())])
def test_a_file_cut_short_is_said_to_be(tmp_path, suffix, extra):
    whole = _make(tmp_path, suffix, *extra)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])
    really = _ffprobe_frames(cut)
    assert 60 < really < 200

    done = run_cli(cut, tmp_path / "cut.png", "--every", "1", "--data", tmp_path / "cut.json")
    assert done.returncode == 0, done.stderr
    # the duration is where the picture ends (a strip by time, a page, a gallery card used to
    # stretch the last frame over the missing rest): the last frame's time plus one frame
    data = json.loads((tmp_path / "cut.json").read_text())
    assert data["source"]["duration"] == pytest.approx(data["samples"][-1]["time"] + 1 / 24, abs=1e-6)
    err = done.stderr.decode()
    m = re.search(r"ends after (\d+) of the (\d+) frames its container states: the file looks cut short", err)
    assert m, err
    # FLV states no count: its header's duration (the end time, B-frames' 2-frame delay included) at the rate
    assert int(m.group(2)) == (round(_stated_duration(cut) * 24) if suffix == ".flv" else FRAMES)
    assert abs(int(m.group(1)) - really) <= 3  # the last, partial packet may or may not decode
    assert (tmp_path / "cut.png").exists()

    done = run_cli(whole, tmp_path / "whole.png")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr


@pytest.mark.parametrize("suffix", [".mkv", ".mp4", ".ts"])
def test_samples_that_end_before_the_movie_does_are_no_file_cut_short(tmp_path, suffix):
    """``--samples N`` stops decoding at its last sample, the middle of the last of N slices;
    the frames after it were taken for missing: "ends after 216 of the 288 frames its
    container states: the file looks cut short", and the data file stated 9 s for a 12-s
    movie, so a strip drawn by time gave the last sample nothing. The truth is ffprobe's
    duration of the whole file."""
    from PIL import Image

    whole = _make(tmp_path, suffix)
    stated = _stated_duration(whole)
    r = run_cli(whole, tmp_path / "o.png", "--samples", "2", "--width", "400", "--data", tmp_path / "o.json")
    assert r.returncode == 0 and b"cut short" not in r.stderr, r.stderr
    data = json.loads((tmp_path / "o.json").read_text())
    assert abs(data["source"]["duration"] - stated) < 0.1
    times = [s["time"] for s in data["samples"]]
    assert len(times) == 2 and abs(times[0] - 3.0) < 0.1 and abs(times[1] - 9.0) < 0.1
    # drawn by time, a sample from its time to the next one's: the second from 9 s to the
    # end, 12 s, the last quarter of the picture (it had 2 px of 400)
    with Image.open(tmp_path / "o.png") as im:
        row = [tuple(p) for p in np.asarray(im.convert("RGB"))[0].tolist()]
    changes = [x for x in range(1, 400) if row[x] != row[x - 1]]
    assert changes and all(abs(x - 300) <= 2 for x in changes), changes


def _video_length(path: Path) -> float:
    """ffprobe's own packets: from the video stream's start to the end of its last frame
    (the largest pts plus that packet's duration), the way Matroska's tag and MP4 state it."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                          "packet=pts_time,duration_time:stream=start_time", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    probed = json.loads(out)
    ends = [float(p["pts_time"]) + float(p["duration_time"]) for p in probed["packets"]]
    return max(ends) - float(probed["streams"][0]["start_time"])


@pytest.mark.parametrize("suffix", [".flv", ".nut"])
@pytest.mark.parametrize("audio", [True, False], ids=["audio-runs-on", "no-audio"])
def test_nut_and_flv_are_as_long_as_their_video(tmp_path, suffix, audio):
    """NUT and FLV state no length for the video stream, and FFmpeg's container duration is
    the longest stream's end: with 6 s of sound under a 3-s picture a plain run warned "the
    video ends after 72 of the 146 frames its container states: the file looks cut short",
    and ``--end -1`` counted back from the sound's end (every frame was taken); with
    B-frames and no sound the length was the last timestamp, 0.04-0.08 s over (the stream
    starts 2 frames late). The truth is ffprobe's packets of the video stream."""
    movie = tmp_path / f"clip{suffix}"
    sound = ["-f", "lavfi", "-i", "sine=d=6"] if audio else []
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=3:s=64x36:r=24", *sound,
                    "-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p", str(movie)], check=True)
    length = _video_length(movie)
    assert abs(length - 3.0) < 0.01  # 72 frames at 24 fps (FLV's times are whole ms)

    done = run_cli(movie, tmp_path / "o.png", "--every", "1", "--data", tmp_path / "o.json")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["source"]["duration"] == pytest.approx(length, abs=1e-5)  # (ffprobe prints 6 decimals)
    assert data["source"]["frame_count"] == 72 == len(data["samples"])

    done = run_cli(movie, tmp_path / "e.png", "--every", "1", "--end", "-1", "--data", tmp_path / "e.json")
    assert done.returncode == 0, done.stderr
    times = [s["time"] for s in json.loads((tmp_path / "e.json").read_text())["samples"]]
    assert times and max(times) < length - 1 < max(times) + 1 / 24 + 1e-5


def test_measuring_the_videos_length_gives_way_to_an_interrupt(tmp_path):
    """The measuring pass (a seek and a demux of a NUT or FLV file's end) passes a stop
    request on rather than taking it for a length it could not measure."""
    import av

    from streamprint import interrupt
    from streamprint.errors import Interrupted
    from streamprint.source.length import measured_length

    movie = tmp_path / "clip.nut"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=1:s=64x36:r=24", str(movie)],
                   check=True)
    assert measured_length(movie, "nut", 0, 24.0) == pytest.approx(1.0)
    with interrupt.scope():  # a run going on, which a stop request stops
        interrupt.request()
        with pytest.raises(Interrupted):
            measured_length(movie, "nut", 0, 24.0)


def test_samples_from_a_file_cut_short_say_why_in_one_line(tmp_path):
    """`--samples 40` on an MKV cut at 45 %: the warning that the video ended before the
    part's end formatted the part's end, None for a whole movie, and logging printed a
    35-line traceback ("--- Logging error ---") in its place. The part's end is the movie's
    stated length (12 s)."""
    whole = _make(tmp_path, ".mkv")
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])
    done = run_cli(cut, tmp_path / "cut.png", "--samples", "40")
    err = done.stderr.decode()
    assert done.returncode == 0 and "Traceback" not in err and "Logging error" not in err, err
    said = [line for line in err.splitlines() if "columns, not 40" in line]
    assert len(said) == 1 and re.search(r"the video ended at [\d.]+ s, before the end of the part \(12\.0 s\)",
                                        said[0]), err


def test_a_nut_cut_from_a_longer_mkv_is_as_long_as_its_video(tmp_path):
    """FFmpeg copies a Matroska source's statistics tags (DURATION, NUMBER_OF_FRAMES) into a
    NUT it writes, unchanged: a NUT cut to 4 s from a 10-s MKV was read as 10 s long, so
    --end -1 counted back from 9 s and kept the sample at 3 s, and the file was said to be
    cut short. The truth: ffprobe's count of the NUT's frames at 24 fps."""
    mkv = tmp_path / "a.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24:duration=10",
                    "-c:v", "libx264", "-g", "48", str(mkv)], check=True)
    nut = tmp_path / "t4.nut"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-t", "4", "-i", str(mkv), str(nut)], check=True)
    frames = _ffprobe_frames(nut)
    assert frames == 96
    done = run_cli(nut, tmp_path / "o.png", "--every", "24", "--end", "-1", "--data", tmp_path / "o.json")
    assert done.returncode == 0 and b"WARNING" not in done.stderr, done.stderr
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["source"]["duration"] == pytest.approx(frames / 24, abs=1e-3)
    assert [s["time"] for s in data["samples"]] == pytest.approx([0.0, 1.0, 2.0])  # the part: 0 to 3 s


def test_measuring_the_videos_length_reads_a_bounded_number_of_bytes(tmp_path, capfd):
    """FFmpeg writes an FLV without a keyframe index unless told, and to seek in one it
    demuxes from the start: every open of a 600-MB FLV read all of it to measure the video's
    length. The measurement reads at most its budget, then gives up (None: the container's
    length stands), silently."""
    from streamprint.source.length import measured_length

    flv = tmp_path / "a.flv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=24:duration=6",
                    "-f", "lavfi", "-i", "sine=d=8", "-c:v", "libx264", "-c:a", "aac", str(flv)], check=True)
    size = flv.stat().st_size
    assert measured_length(flv, "flv", 0, 24.0) == pytest.approx(6.0, abs=2e-3)  # (FLV ticks in ms)
    assert measured_length(flv, "flv", 0, 24.0, limit=size // 3) is None
    assert measured_length(flv, "flv", 0, 24.0, limit=size * 4) == pytest.approx(6.0, abs=2e-3)  # (probe, seek, demux)
    out, err = capfd.readouterr()
    assert not out and not err, err


def test_an_mp4_cut_with_stream_copy_is_not_cut_short(tmp_path):
    """`ffmpeg -ss 2.3 -i m.mp4 -t 20 -c copy el.mp4`: the track keeps the frames from the
    keyframe before 2.3 s, which its edit list hides (decoded as references, never shown),
    and its frame count holds them; the file was said to be cut short ("ends after 502 of
    the 560 frames"). The truth: ffprobe's count of the frames shown, and the stated 20 s."""
    whole = tmp_path / "m.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=30",
                    "-c:v", "libx264", "-g", "100", "-bf", "2", str(whole)], check=True)
    cut = tmp_path / "el.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "2.3", "-i", str(whole), "-t", "20", "-c", "copy", str(cut)],
                   check=True)
    shown = _ffprobe_frames(cut)
    done = run_cli(cut, tmp_path / "w.png", "--every", "1", "--data", tmp_path / "w.json")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr
    data = json.loads((tmp_path / "w.json").read_text())
    assert len(data["samples"]) == shown
    assert data["source"]["duration"] == pytest.approx(_stated_duration(cut), abs=0.1)


@pytest.mark.parametrize("part", [("--start", "2", "--end", "11"), ("--start", "2")], ids=["start-end", "start"])
def test_samples_from_a_part_of_a_file_cut_short_say_where_it_ended(tmp_path, part):
    """A part (--start/--end) of the MKV cut at 45 %: its missing columns were said to fall "on
    a frame already taken" (the part's end is the header's, 12 s, or the --end); the whole
    file was already said to end where it does. The truth for where: ffprobe's last frame."""
    whole = _make(tmp_path, ".mkv")
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])
    last = float(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time",
                                 "-of", "csv=p=0", str(cut)], capture_output=True, text=True,
                                check=True).stdout.split()[-1].strip(","))
    done = run_cli(cut, tmp_path / "cut.png", "--samples", "40", *part)
    err = done.stderr.decode()
    assert done.returncode == 0, err
    said = [line for line in err.splitlines() if "columns, not 40" in line]
    assert len(said) == 1 and "already taken" not in said[0], err
    m = re.search(r"the video ended at ([\d.]+) s, before the end of the part \(([\d.]+) s\)", said[0])
    assert m and float(m.group(2)) == (11.0 if "--end" in part else 12.0), err
    assert float(m.group(1)) == pytest.approx(last + 1 / 24, abs=0.05)  # (the end of its last frame)


@pytest.fixture(scope="module")
def cut_mkv(tmp_path_factory) -> tuple[Path, float]:
    """The 12-s MKV cut at 45 %, and where its video really ends: ffprobe's last frame's
    time plus one frame."""
    tmp = tmp_path_factory.mktemp("cut")
    whole = _make(tmp, ".mkv")
    cut = tmp / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])
    times = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time",
                            "-of", "csv=p=0", str(cut)], capture_output=True, text=True, check=True).stdout.split()
    return cut, float(times[-1].strip(",")) + 1 / 24


@pytest.mark.parametrize("part", [("--start", "1", "--end", "10"), ("--start", "3")], ids=["start-end", "start"])
def test_a_part_of_a_file_cut_short_is_said_as_far_as_it_was_read(cut_mkv, tmp_path, part):
    """A part of the MKV cut at 45 % (its video ends at 5.2 s) was said and saved with the
    header's end: "0:09 of video (0:00:01 to 0:00:10)", the data file's part ending at 10 s
    (or its source lasting 12 s), so its last sample stood for the 5 s never read. A part
    read to the file's end is now checked as the whole file is: said to be cut short, and as
    long as its frames. The truth: ffprobe's last frame."""
    cut, end = cut_mkv
    start = float(part[1])
    done = run_cli(cut, tmp_path / "p.png", *part, "--data", tmp_path / "p.json")
    err = done.stderr.decode()
    assert done.returncode == 0, err
    assert "the file looks cut short" in err, err
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["source"]["duration"] == pytest.approx(end, abs=1e-3)
    assert data["time_range"]["end"] == (pytest.approx(end, abs=1e-3) if "--end" in part else None)
    m = re.search(r"samples?, 0:(\d\d(?:\.\d+)?) of video \(", err)  # (under a minute: to the millisecond)
    assert m and float(m.group(1)) == pytest.approx(end - start, abs=1e-3), err


def test_a_part_of_a_movie_whose_sound_runs_on_is_no_file_cut_short(tmp_path):
    """3 s of picture under 6 s of sound: a part to --end 100 ends where the video does, and
    is not said to be cut short (the container's length is the sound's; the video states
    its own). The truth is ffprobe's packets of the video stream."""
    movie = tmp_path / "clip.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=3:s=64x36:r=24", "-f", "lavfi",
                    "-i", "sine=d=6", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(movie)], check=True)
    length = _video_length(movie)
    done = run_cli(movie, tmp_path / "o.png", "--start", "1", "--end", "100", "--data", tmp_path / "o.json")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr
    data = json.loads((tmp_path / "o.json").read_text())
    assert data["time_range"]["end"] == pytest.approx(length, abs=0.01)
    assert data["source"]["duration"] == pytest.approx(length, abs=0.01)


def _packets(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-select_streams", "v",
                          "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().strip(","))


def _keyframes_of_a_file_cut_short(cut: Path, tmp_path: Path) -> tuple[int, dict]:
    """``cut`` (12 s at 24 fps, cut short) fingerprinted with --fast: the frames the warning
    says were found, and the data file."""
    done = run_cli(cut, tmp_path / "cut.png", "--fast", "--data", tmp_path / "cut.json")
    err = done.stderr.decode()
    assert done.returncode == 0, err
    m = re.search(r"ends after (\d+) of the (\d+) frames its container states: the file looks cut short", err)
    assert m and int(m.group(2)) == FRAMES, err
    return int(m.group(1)), json.loads((tmp_path / "cut.json").read_text())


@pytest.mark.parametrize("suffix, extra", [(".mkv", ()), (".mp4", ("-movflags", "+faststart"))])
def test_keyframes_of_a_file_cut_short_say_so_and_end_where_its_video_does(tmp_path, suffix, extra):
    """--fast on the 12-s movie cut at 45 %: no warning, and the data file said 12 s with
    keyframes only up to 5 s, the last drawn over the 7 s that are not there, the summary
    "0:12". Keyframes only, the frames between are never decoded, but their packets are
    read: the video ends where the last one does. The truth: ffprobe's packets of the cut
    file (the last one's pts plus its duration, and their count)."""
    whole = _make(tmp_path, suffix, *extra)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])
    end = _video_length(cut)
    assert 2 < end < 10

    found, data = _keyframes_of_a_file_cut_short(cut, tmp_path)
    assert abs(found - _packets(cut)) <= 1
    assert data["source"]["duration"] == pytest.approx(end, abs=1e-3)
    assert data["samples"][-1]["time"] < end

    part = run_cli(cut, tmp_path / "p.png", "--fast", "--start", "1", "--end", "10", "--data", tmp_path / "p.json")
    err = part.stderr.decode()
    assert part.returncode == 0 and "the file looks cut short" in err, err
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["time_range"]["end"] == pytest.approx(end, abs=1e-3)
    m = re.search(r"samples?, 0:(\d\d(?:\.\d+)?) of video \(", err)
    assert m and float(m.group(1)) == pytest.approx(end - 1, abs=1e-3), err

    done = run_cli(whole, tmp_path / "whole.png", "--fast", "--data", tmp_path / "whole.json")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr
    assert json.loads((tmp_path / "whole.json").read_text())["source"]["duration"] == \
        pytest.approx(_stated_duration(whole), abs=0.05)


@pytest.mark.parametrize("kind", ["sound-runs-on", "stream-copy"])
def test_keyframes_of_a_whole_file_are_no_file_cut_short(tmp_path, kind):
    """--fast on whole files whose frame count or container length is not the video's:
    3 s of picture under 6 s of sound (MKV), and an MP4 cut with -c copy whose count holds
    the frames its edit list hides. Not cut short, the length the video's own. The truth:
    ffprobe's packets and stated duration."""
    if kind == "sound-runs-on":
        movie = tmp_path / "clip.mkv"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=3:s=64x36:r=24", "-f", "lavfi",
                        "-i", "sine=d=6", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(movie)], check=True)
        length = _video_length(movie)
    else:
        whole = tmp_path / "m.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=30",
                        "-c:v", "libx264", "-g", "100", "-bf", "2", str(whole)], check=True)
        movie = tmp_path / "el.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", "2.3", "-i", str(whole), "-t", "20", "-c", "copy",
                        str(movie)], check=True)
        length = _stated_duration(movie)
    done = run_cli(movie, tmp_path / "o.png", "--fast", "--data", tmp_path / "o.json")
    assert done.returncode == 0 and b"cut short" not in done.stderr and b"damaged" not in done.stderr, done.stderr
    assert json.loads((tmp_path / "o.json").read_text())["source"]["duration"] == pytest.approx(length, abs=0.05)


@pytest.mark.parametrize("codec", ["mpeg4", "libx264", "libxvid"])
def test_keyframes_of_an_avi_cut_short_say_so_and_end_where_its_video_does(tmp_path, codec):
    """--fast on a 12-s AVI cut at 45 % said nothing and kept its header's length (AVI
    stores no presentation times, and its keyframe index was never asked what it read).
    MPEG-4 without B-frames, H.264 with them, and Xvid with packed B-frames (two frames in
    a chunk). The truth is ffprobe's: the chunks' dts count frames, the video ends a frame
    after the last chunk's dts, shown as much later as its first frame is shown after its
    first chunk's dts (the decoder's delay)."""
    encoder = {"mpeg4": ("-c:v", "mpeg4", "-q:v", "4"), "libx264": ("-c:v", "libx264", "-pix_fmt", "yuv420p"),
               "libxvid": ("-c:v", "libxvid", "-q:v", "4", "-bf", "2")}[codec]
    whole = tmp_path / "whole.avi"
    made = subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24:duration=12",
                           *encoder, "-g", "24", str(whole)], capture_output=True, text=True)
    if made.returncode and codec == "libxvid" and "Unknown encoder" in made.stderr:
        pytest.skip("needs ffmpeg with libxvid (Debian's has it)")
    assert made.returncode == 0, made.stderr
    cut = tmp_path / "cut.avi"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])

    def probed(entries: str) -> list[float]:
        out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", entries,
                              "-of", "csv=p=0", str(cut)], capture_output=True, text=True, check=True).stdout
        return [float(v) for line in out.split() for v in line.strip(",").split(",")[:1] if v != "N/A"]

    dts = probed("packet=dts_time")
    delay = probed("frame=best_effort_timestamp_time")[0] - dts[0]
    end = max(dts) + 1 / 24 + delay
    assert 3 < end < 8

    found, data = _keyframes_of_a_file_cut_short(cut, tmp_path)
    assert abs(found - round((max(dts) - dts[0]) * 24 + 1)) <= 1
    assert data["source"]["duration"] == pytest.approx(end, abs=1e-3)

    done = run_cli(whole, tmp_path / "whole.png", "--fast", "--data", tmp_path / "whole.json")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr
    assert json.loads((tmp_path / "whole.json").read_text())["source"]["duration"] == \
        pytest.approx(_stated_duration(whole), abs=0.05)
