"""Real-world files a metadata sweep found mishandled (each test failed before its fix). The
truth is what the ``ffmpeg`` command was asked to make, never streamprint itself.

- Camera MJPEG, TIFF-in-MOV and PNG frames carry EXIF side data, whose type PyAV 18 does not
  know: every such frame stopped the run with "unexpected ValueError (a bug)".
- FFmpeg's Matroska muxer writes a stream's end time as its DURATION tag: a video starting at
  1:00:00 (a remux with -copyts, -output_ts_offset) was taken as 1:00:10 long.
- A fragmented MP4 (the only MP4 FFmpeg writes to a pipe) states its first fragment only:
  read from a pipe, a 10-s video was 0.96 s long.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from PIL import Image

import streamprint
from streamprint import Sampling

from .conftest import run_cli

FFMPEG = shutil.which("ffmpeg")
pytestmark = pytest.mark.skipif(FFMPEG is None, reason="needs the ffmpeg command")

#: 8-bit sRGB levels a colour may move through a Y'CbCr round trip and a lossy codec.
TOLERANCE = 4


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True, capture_output=True, timeout=120)


def colours(fp) -> list[tuple[int, int, int]]:
    return [tuple(int(v) for v in s.palette.colors[0]) for s in fp.samples]


def near(a, b) -> bool:
    return max(abs(int(x) - int(y)) for x, y in zip(a, b)) <= TOLERANCE


def test_frames_with_exif_are_read(tmp_path):
    """A TIFF-in-MOV clip and an MJPEG AVI of camera JPEGs carrying EXIF: red, then blue."""
    tiff = tmp_path / "tiff.mov"
    ffmpeg("-f", "lavfi", "-i", "color=red:s=160x90:d=1:r=10", "-c:v", "tiff", str(tiff))
    fp = streamprint.fingerprint(tiff, sampling=Sampling.every(5))
    assert len(fp) == 2 and all(near(c, (255, 0, 0)) for c in colours(fp)), colours(fp)

    for i, rgb in enumerate([(255, 0, 0)] * 3 + [(0, 0, 255)] * 3):
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"  # Make
        exif[0x0132] = "2026:12:07 10:00:00"  # DateTime
        Image.new("RGB", (160, 96), rgb).save(tmp_path / f"img{i:02d}.jpg", quality=95, exif=exif.tobytes())
    cam = tmp_path / "cam.avi"
    ffmpeg("-framerate", "3", "-i", str(tmp_path / "img%02d.jpg"), "-c", "copy", str(cam))
    r = run_cli(cam, tmp_path / "cam.png", "--every", "3", "--data", tmp_path / "cam.json")
    assert r.returncode == 0, r.stderr
    got = [s["rgb"][0] for s in json.loads((tmp_path / "cam.json").read_text())["samples"]]
    assert len(got) == 2 and near(got[0], (255, 0, 0)) and near(got[1], (0, 0, 255)), got


@pytest.mark.parametrize("offset", ["3600", "1"])
def test_a_matroska_video_starting_late_has_its_own_length(tmp_path, offset):
    """A 10-s video starting at 1:00:00 (or 1 s after its sound): --samples 5 gave 1 column,
    --end -2 took 1:00:08 of video, and a plain run said the file was cut short."""
    ten = tmp_path / "ten.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=red:s=160x90:d=5:r=25", "-f", "lavfi", "-i", "color=blue:s=160x90:d=5:r=25",
           "-filter_complex", "[0][1]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]", "-c:v", "libx264",
           str(ten))
    late = tmp_path / "late.mkv"
    if offset == "1":
        ffmpeg("-itsoffset", "1", "-i", str(ten), "-f", "lavfi", "-i", "sine=d=11", "-map", "0:v", "-map", "1:a",
               "-c:v", "copy", "-c:a", "libvorbis", str(late))
    else:
        ffmpeg("-i", str(ten), "-c", "copy", "-output_ts_offset", offset, str(late))
    fp = streamprint.fingerprint(late, sampling=Sampling.samples(5))
    assert fp.source.duration == pytest.approx(10.0, abs=0.05)
    assert len(fp) == 5 and fp.times[-1] < 10.0
    r = run_cli(late, tmp_path / "a.png", "--end", "-2", "--data", tmp_path / "a.json")
    assert r.returncode == 0 and b"cut short" not in r.stderr, r.stderr
    assert json.loads((tmp_path / "a.json").read_text())["time_range"]["end"] == pytest.approx(8.0, abs=0.05)


def test_a_fragmented_mp4_on_a_pipe_has_no_stated_length(tmp_path):
    """FFmpeg writes MP4 to a pipe only fragmented; its first fragment was taken for the whole
    10 s: --samples 5 put all five columns in the first second, --start 3 was "past the end".
    Now --samples is refused as on any pipe that states no length, the default run covers
    the 10 s, --start 3 works; the same file read as a file keeps its length."""
    frag = tmp_path / "frag.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=red:s=160x90:d=5:r=25", "-f", "lavfi", "-i", "color=blue:s=160x90:d=5:r=25",
           "-filter_complex", "[0][1]concat=n=2:v=1:a=0,format=yuv420p[v]", "-map", "[v]", "-c:v", "libx264",
           "-g", "25", "-movflags", "frag_keyframe+empty_moov", str(frag))
    data = frag.read_bytes()
    r = run_cli("-", tmp_path / "a.png", "--samples", "5", input=data)
    assert r.returncode == 2 and b"--samples needs the duration" in r.stderr, r.stderr
    r = run_cli("-", tmp_path / "b.png", "--data", tmp_path / "b.json", input=data)
    assert r.returncode == 0, r.stderr
    samples = json.loads((tmp_path / "b.json").read_text())["samples"]
    assert [round(s["time"]) for s in samples] == list(range(10))
    assert near(samples[0]["rgb"][0], (255, 0, 0)) and near(samples[-1]["rgb"][0], (0, 0, 255))
    r = run_cli("-", tmp_path / "c.png", "--start", "3", input=data)
    assert r.returncode == 0 and b"7 samples" in r.stderr, r.stderr
    fp = streamprint.fingerprint(frag, sampling=Sampling.samples(5))
    assert fp.source.duration == pytest.approx(10.0, abs=0.05) and len(fp) == 5
    assert fp.source.frame_count is None or fp.source.frame_count == 250
    # such a file (its first fragment in its moov) redirected to standard input is read as the
    # file: it stated the first fragment's 25 frames, not the 250 it holds
    first_in_moov = tmp_path / "frag2.mp4"
    ffmpeg("-f", "lavfi", "-i", "color=red:s=160x90:d=10:r=25", "-c:v", "libx264", "-g", "25", "-movflags",
           "frag_keyframe", str(first_in_moov))
    with open(first_in_moov, "rb") as f:
        r = run_cli("-", str(tmp_path / "d.png"), "--data", str(tmp_path / "d.json"), stdin=f, timeout=60)
    assert r.returncode == 0, r.stderr
    stated = json.loads((tmp_path / "d.json").read_text())["source"]
    assert stated["frame_count"] in (None, 250) and stated["duration"] == pytest.approx(10.0, abs=0.05)


def test_thumbnails_follow_a_change_of_pixel_aspect(tmp_path):
    """A DVB recording switching from 16:9 (720x576, SAR 64:45) to 4:3 (SAR 16:15), then to
    HD (1280x720, square): every thumbnail had the first part's shape. Their long side is
    128 px: 128x72, 128x96, 128x72 (the display aspects ffmpeg was asked for)."""
    parts = []
    for i, (size, sar, colour) in enumerate([("720x576", "64/45", "red"), ("720x576", "16/15", "blue"),
                                             ("1280x720", "1", "green")]):
        part = tmp_path / f"p{i}.ts"
        ffmpeg("-f", "lavfi", "-i", f"color={colour}:s={size}:d=2:r=25,setsar={sar}", "-c:v", "mpeg2video",
               "-output_ts_offset", str(2 * i), "-f", "mpegts", str(part))
        parts.append(part.read_bytes())
    joined = tmp_path / "joined.ts"
    joined.write_bytes(b"".join(parts))
    fp = streamprint.fingerprint(joined, sampling=Sampling.interval(2.0), thumbnails=True)
    sizes = [Image.open(io.BytesIO(image)).size for image in fp.thumbnails.images]
    assert sizes == [(128, 72), (128, 96), (128, 72)], sizes
    # remuxed to Matroska, the container states one aspect for the track, the first part's,
    # and it wins over the codec's, as in FFmpeg (its showinfo says sar 64/45 throughout)
    remux = tmp_path / "remux.mkv"
    ffmpeg("-i", str(joined), "-c", "copy", str(remux))
    fp = streamprint.fingerprint(remux, sampling=Sampling.interval(2.0), thumbnails=True)
    sizes = [Image.open(io.BytesIO(image)).size for image in fp.thumbnails.images]
    assert sizes[:2] == [(128, 72), (128, 72)], sizes


def test_theoras_repeated_frames_are_no_damage(tmp_path):
    """libtheora writes a still picture's repeats as empty packets with a timestamp; FFmpeg
    refuses them, and a 5-s clip of two stills warned "110 damaged packet(s) skipped". The
    picture at each second is the still shown then."""
    ogv = tmp_path / "still.ogv"
    ffmpeg("-f", "lavfi", "-i", "color=red:s=320x180:d=2.5:r=25", "-f", "lavfi", "-i", "color=blue:s=320x180:d=2.5:r=25",
           "-filter_complex", "[0][1]concat=n=2:v=1:a=0", "-c:v", "libtheora", "-q:v", "7", str(ogv))
    r = run_cli(ogv, tmp_path / "s.png", "--data", tmp_path / "s.json")
    assert r.returncode == 0 and b"damaged" not in r.stderr, r.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["decode"]["corrupt_packets"] == 0
    got = [s["rgb"][0] for s in data["samples"]]
    assert len(got) == 5 and all(near(c, (255, 0, 0)) for c in got[:3]) and all(near(c, (0, 0, 255)) for c in got[3:]), got
