"""Inputs of old and odd collections that a sweep over FFmpeg's other codecs and containers
found mishandled (each test failed before its fix). The truth is what the ``ffmpeg`` command
was asked to make, or what ``ffprobe`` reads from the file, never streamprint itself.

- A container's pixel aspect (Matroska display size, MOV/MP4 ``pasp``) wins over the
  codec's, as in FFmpeg's ``av_guess_sample_aspect_ratio``: a remux with ``-aspect`` used to
  be drawn and thumbnailed square-pixelled.
- Raw DV: FFmpeg 8 states its 1/60000 time base as the average frame rate, which made
  60000 frames per second and a warning that the file was cut short.
- A variable frame rate in Matroska (no stated count: estimated from the duration and the
  average rate) and AVI's empty chunks of dropped frames (counted in its stated length) made
  the same false warning; a file really cut short still gets it (tests/test_cut_short.py).
- ProRes leaves its matrix unspecified in its header while the MOV's ``colr`` atom says
  BT.709: the decoder overwrites the container's tag, and the frame was converted as BT.601.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

import streamprint
from streamprint import Sampling
from streamprint.source import VideoSource

from .conftest import encode_all, run_cli

FFMPEG, FFPROBE = shutil.which("ffmpeg"), shutil.which("ffprobe")
pytestmark = pytest.mark.skipif(FFMPEG is None or FFPROBE is None, reason="needs the ffmpeg/ffprobe commands")


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True, capture_output=True, timeout=120)


def ffprobe_stream(path: Path, *entries: str) -> dict:
    r = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
                        "stream=" + ",".join(entries), "-of", "json", str(path)],
                       check=True, capture_output=True, text=True, timeout=120)
    return json.loads(r.stdout)["streams"][0]


@pytest.mark.parametrize("suffix", ["mkv", "mov"])
def test_the_containers_aspect_wins_over_the_codecs(tmp_path, suffix):
    square = tmp_path / "square.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(square))
    wide = tmp_path / f"wide.{suffix}"
    ffmpeg("-i", str(square), "-c", "copy", "-aspect", "16:9", str(wide))
    sar = ffprobe_stream(wide, "sample_aspect_ratio")["sample_aspect_ratio"]
    assert sar == "4:3"  # what was asked for: 320x240 shown 16:9

    fp = streamprint.fingerprint(wide, thumbnails=True)
    assert fp.source.pixel_aspect == pytest.approx(float(Fraction(sar.replace(":", "/"))))
    assert fp.source.display_width == round(320 * 4 / 3)
    with VideoSource(wide) as source:
        frame = next(source.frames())
        assert frame.to_rgb(160).shape[:2] == (90, 160)  # 16:9, not 4:3


@pytest.mark.parametrize("standard, size, rate", [("pal", "720x576", "25"), ("ntsc", "720x480", "30000/1001")])
def test_raw_dv_has_its_frame_rate_and_is_not_cut_short(tmp_path, standard, size, rate):
    path = tmp_path / f"{standard}.dv"
    ffmpeg("-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration=3", "-c:v", "dvvideo",
           "-pix_fmt", "yuv411p" if standard == "ntsc" else "yuv420p", str(path))
    frames = int(ffprobe_stream(path, "nb_read_frames")["nb_read_frames"])
    done = run_cli(path, tmp_path / "dv.png", "--data", tmp_path / "dv.json")
    assert done.returncode == 0, done.stderr
    assert b"cut short" not in done.stderr, done.stderr
    data = json.loads((tmp_path / "dv.json").read_text())
    assert data["source"]["frame_rate"] == pytest.approx(float(Fraction(rate)))
    assert data["decode"]["frames"] == frames


def test_a_variable_frame_rate_or_dropped_frames_are_not_a_file_cut_short(tmp_path):
    vfr = tmp_path / "vfr.mkv"  # frames 10-30 of every 50 left out: 145 of 250 frames over 10 s
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=10", "-vf",
           "select='not(between(mod(n\\,50)\\,10\\,30))'", "-fps_mode", "vfr", "-c:v", "libx264", str(vfr))
    mjpeg = tmp_path / "vfr-mjpeg.mkv"
    ffmpeg("-i", str(vfr), "-c:v", "mjpeg", "-fps_mode", "vfr", str(mjpeg))
    avi = tmp_path / "dropped.avi"  # the gaps become empty chunks, which FFmpeg's demuxer drops
    ffmpeg("-i", str(mjpeg), "-c", "copy", str(avi))
    for path in (vfr, avi):
        frames = int(ffprobe_stream(path, "nb_read_frames")["nb_read_frames"])
        assert frames == 145
        done = run_cli(path, tmp_path / "out.png", "--overwrite", "--data", tmp_path / "out.json")
        assert done.returncode == 0, done.stderr
        assert b"cut short" not in done.stderr, (path.name, done.stderr)
        data = json.loads((tmp_path / "out.json").read_text())
        assert data["decode"]["frames"] in (frames, data["source"]["frame_count"])


def test_prores_takes_the_matrix_its_container_states(tmp_path):
    """A solid sRGB colour encoded with the BT.709 matrix, limited range, into ProRes whose
    header leaves the matrix unspecified, in a MOV tagged BT.709: the colour comes back
    within 5/255 (tests/test_colour_truth.py's tolerance); decoded as BT.601 it misses by
    13 on red."""
    truth = (192, 64, 32)
    path = tmp_path / "prores.mov"
    ffmpeg("-f", "lavfi", "-i", "color=c=0xc04020:s=640x360:r=25:d=1,format=rgb24,"
           "scale=out_color_matrix=bt709:out_range=tv,format=yuv422p10le",
           "-c:v", "prores_ks", "-profile:v", "2", "-colorspace", "bt709", "-color_primaries", "bt709",
           "-color_trc", "bt709", str(path))
    with av.open(str(path)) as c:  # control: the header says nothing, and BT.601 misses
        frame = next(c.decode(video=0))
        assert int(frame.colorspace) == 2
        as_601 = frame.to_ndarray(format="rgb24", src_colorspace="ITU601")[0, 0].astype(int)
        assert np.abs(as_601 - truth).max() >= 10
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=1)
    got = np.array([s.palette.colors[0] for s in fp.samples], dtype=int)
    assert np.abs(got - truth).max() <= 5, got[0]


def test_transparent_pixels_are_no_colour_of_a_movie_as_of_an_image(tmp_path):
    """Left half transparent over a hidden magenta, right half opaque #2080c0 (PNG in MOV,
    lossless): the strip's colours are the opaque half's alone, as the palette command's are."""
    path = tmp_path / "alpha.mov"
    ffmpeg("-f", "lavfi", "-i", "color=c=0x2080c0:s=320x240:r=25:d=1,format=rgba,"
           "geq=r='if(lt(X,160),255,32)':g='if(lt(X,160),0,128)':b='if(lt(X,160),255,192)':a='if(lt(X,160),0,255)'",
           "-c:v", "png", str(path))
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    for s in fp.samples:
        assert len(s.palette) == 1 and tuple(int(v) for v in s.palette.colors[0]) == (32, 128, 192)
    with av.open(str(path)) as c:  # what the movie's first frame is, as a picture
        still = next(c.decode(video=0)).to_ndarray(format="rgba")
    image = streamprint.extract_palette(still, colors=3)
    assert [tuple(int(v) for v in c) for c in image.palette.colors] == [(32, 128, 192)]


def test_a_wholly_transparent_frame_is_clustered_as_it_is_stored():
    from streamprint import FrameClusterer

    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., :3] = (10, 200, 30)
    palette = FrameClusterer(colors=2).fit(rgba)
    assert [tuple(int(v) for v in c) for c in palette.colors] == [(10, 200, 30)]


def test_file_names_that_are_not_utf8_work_everywhere(tmp_path, segments_mkv):
    """Old libraries hold Latin-1 names (b'caf\\xe9.avi'): Python keeps their stray bytes as
    lone surrogates, which a page, a check of the name's length and a gallery link all
    failed on, and a batch stopped at such a movie on every run."""
    import os

    lib = tmp_path / "lib"
    lib.mkdir()
    movie = lib / os.fsdecode(b"caf\xe9.mkv")
    movie.write_bytes(segments_mkv.read_bytes())
    for out in (os.fsdecode(b"strip-\xe9.png"), "page.html"):
        done = run_cli(movie, tmp_path / out, "--data", tmp_path / os.fsdecode(b"data-\xe9.json"), "--overwrite",
                       *(["--thumbnails"] if out.endswith(".html") else []))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / out).stat().st_size > 0
        # messages write the stray byte as the byte it is (they wrote caf\udce9, no name's)
        assert b"data-\\xe9.json" in done.stderr and b"\\udc" not in done.stderr, done.stderr
    assert "caf\ufffd.mkv" in (tmp_path / "page.html").read_text(encoding="utf-8")

    done = run_cli("batch", lib, tmp_path / "out", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / os.fsdecode(b"caf\xe9.mkv.png")).exists()
    assert '"p":"caf%E9.mkv.html"' in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_non_utf8_names_on_standard_output_under_a_strict_locale(tmp_path):
    """The palette table and the batch summary print names on stdout; with a strict UTF-8
    stdout (``PYTHONIOENCODING=utf-8:strict``, as under many locales) a Latin-1 name stopped
    the command with "unexpected UnicodeEncodeError (a bug)". Its bytes are written as they
    are, as ``ls`` writes them."""
    import os
    import sys

    from PIL import Image

    photo = tmp_path / os.fsdecode(b"caf\xe9.png")
    Image.new("RGB", (32, 24), (200, 10, 10)).save(photo)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    r = subprocess.run([sys.executable, "-m", "streamprint", "palette", str(photo)], capture_output=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert os.fsencode(photo) + b"\n" in r.stdout and b"#c80a0a" in r.stdout


@pytest.mark.parametrize("pix_fmt, codec, suffix", [("rgb555be", "qtrle", "mov"), ("rgb555le", "msvideo1", "avi")])
def test_15_bit_rgb_white_is_white(tmp_path, pix_fmt, codec, suffix):
    """QuickTime RLE and Microsoft Video 1 in 15-bit RGB: libswscale's scaling path filled
    the low bits with zeros, so white was 248 whenever the frame was shrunk."""
    path = tmp_path / f"white.{suffix}"
    ffmpeg("-f", "lavfi", "-i", "color=c=white:s=320x240:d=1:r=5", "-pix_fmt", pix_fmt, "-c:v", codec, str(path))
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=1)
    assert all(tuple(int(v) for v in s.palette.colors[0]) == (255, 255, 255) for s in fp.samples)


@pytest.mark.parametrize("pix_fmt", ["rgb565be", "rgb565le", "bgr565be", "rgb555be"])
def test_16_bit_rgb_of_either_byte_order_keeps_its_colour(tmp_path, pix_fmt):
    """Raw 16-bit RGB from a pipe (--raw --pix-fmt): big-endian came out garbled,
    (181, 101, 49) as (33, 215, 156), FFmpeg's unscaled big-endian route swapping the wrong
    bytes. The truth: each n-bit field v widened as libswscale's unscaled path does, by
    repeating its top bits: v << (8 - n) | v >> (2n - 8)."""
    r5, g, b5 = 22, 25 if "565" in pix_fmt else 12, 6
    gbits = 6 if "565" in pix_fmt else 5
    if pix_fmt.startswith("rgb"):
        value = (r5 << (5 + gbits)) | (g << 5) | b5
    else:
        value = (b5 << (5 + gbits)) | (g << 5) | r5
    raw = np.full((180, 320), value, ">u2" if pix_fmt.endswith("be") else "<u2").tobytes() * 3

    def widen(v, n):
        return (v << (8 - n)) | (v >> (2 * n - 8))

    truth = (widen(r5, 5), widen(g, gbits), widen(b5, 5))
    r = run_cli("-", tmp_path / "o.png", "--raw", "320x180", "--pix-fmt", pix_fmt, "--rate", "3", "--every", "1",
                "--colors", "1", "--data", tmp_path / "o.json", input=raw)
    assert r.returncode == 0, r.stderr
    got = {tuple(s["rgb"][0]) for s in json.loads((tmp_path / "o.json").read_text())["samples"]}
    assert got == {truth}, (got, truth)


#: Packed RGB of 4 bits a channel or fewer, as FFmpeg's pixfmt.h lays them out: (word dtype,
#: (shift, bits) of R, G, B).
LOW_BIT_RGB = {"rgb444le": ("<u2", ((8, 4), (4, 4), (0, 4))), "rgb444be": (">u2", ((8, 4), (4, 4), (0, 4))),
               "bgr444le": ("<u2", ((0, 4), (4, 4), (8, 4))), "bgr444be": (">u2", ((0, 4), (4, 4), (8, 4))),
               "rgb8": ("u1", ((5, 3), (2, 3), (0, 2))), "bgr8": ("u1", ((0, 3), (3, 3), (6, 2))),
               "rgb4_byte": ("u1", ((3, 1), (1, 2), (0, 1))), "bgr4_byte": ("u1", ((0, 1), (1, 2), (3, 1)))}


@pytest.mark.parametrize("pix_fmt", sorted(LOW_BIT_RGB))
def test_rgb_of_4_bits_a_channel_or_fewer_keeps_its_top_levels(tmp_path, pix_fmt):
    """Raw packed RGB of 4, 3, 2 or 1 bits a channel (--raw --pix-fmt): libswscale filled the
    low bits with zeros, so white came out 240 (4 bits) or 252 (3 bits). The truth: each n-bit
    code v is the level v / (2^n - 1), 8-bit round(255 v / (2^n - 1)). The left half is white,
    the right half each channel's level 1 (its second-lowest)."""
    dtype, fields = LOW_BIT_RGB[pix_fmt]
    white = sum(((1 << n) - 1) << shift for shift, n in fields)
    (_, _), (g_shift, g_bits), (b_shift, b_bits) = fields
    low = (1 << g_shift) | (((1 << b_bits) - 1) << b_shift)
    w, h = 64, 36
    raw = np.full((h, w), white, dtype)
    raw[:, w // 2:] = low
    truth = {(255, 255, 255), (0, round(255 / ((1 << g_bits) - 1)), 255)}
    r = run_cli("-", tmp_path / "o.png", "--raw", f"{w}x{h}", "--pix-fmt", pix_fmt, "--rate", "3", "--every", "1",
                "--colors", "2", "--crop", "none", "--data", tmp_path / "o.json", input=raw.tobytes() * 2)
    assert r.returncode == 0, r.stderr
    got = {tuple(c) for s in json.loads((tmp_path / "o.json").read_text())["samples"] for c in s["rgb"]}
    assert got == truth, (got, truth)


def test_paletted_frames_keep_their_levels_and_their_palettes_alpha(tmp_path):
    """Paletted PNG frames (pal8) shrunk for analysis: libswscale's scaling path put levels
    one off ((180, 150, 140) came out (181, 151, 140)), and a palette entry's alpha was
    ignored, so a half-transparent frame counted its transparent half as a colour."""
    import av

    path = tmp_path / "pal8.mov"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("png", rate=5)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "pal8"
        frames = []
        for _ in range(2):
            frame = av.VideoFrame(320, 180, "pal8")
            index = np.zeros((frame.planes[0].buffer_size // frame.planes[0].line_size, frame.planes[0].line_size),
                             np.uint8)
            index[:, :160] = 1  # the left half: palette entry 1, fully transparent
            frame.planes[0].update(index.tobytes())
            palette = np.zeros((256, 4), np.uint8)
            palette[0] = [140, 150, 180, 255]  # BGRA: (180, 150, 140), opaque
            palette[1] = [0, 255, 0, 0]        # green, transparent
            frame.planes[1].update(palette.tobytes())
            frames.append(frame)
        encode_all(out, stream, frames)
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=2, crop="none")
    for sample in fp.samples:
        assert [tuple(int(v) for v in c) for c in sample.palette.colors] == [(180, 150, 140)], sample.palette


@pytest.mark.parametrize("suffix", ["mkv", "webm"])
def test_a_hole_in_the_middle_is_said_to_be(tmp_path, suffix):
    """An unfinished download that preallocated its file: 40-70 % of it zeros. The frames
    still reach the stated length, which alone no longer makes a warning (a variable frame
    rate does that too, above), but the gap they leave does."""
    whole = tmp_path / f"whole.{suffix}"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=20", "-g", "25",
           *(["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"] if suffix == "webm" else ["-c:v", "libx264"]),
           str(whole))
    data = bytearray(whole.read_bytes())
    data[len(data) * 40 // 100: len(data) * 70 // 100] = bytes(len(data) * 70 // 100 - len(data) * 40 // 100)
    holed = tmp_path / f"holed.{suffix}"
    holed.write_bytes(bytes(data))
    really = int(ffprobe_stream(holed, "nb_read_frames")["nb_read_frames"])
    assert really < 400

    done = run_cli(holed, tmp_path / "o.png")
    assert done.returncode == 0, done.stderr
    assert b"frames its container states are missing, most at" in done.stderr, done.stderr
    done = run_cli(whole, tmp_path / "w.png")
    assert done.returncode == 0 and b"missing" not in done.stderr and b"cut short" not in done.stderr, done.stderr


#: Sound for the still's clip: quiet, then loud noise under the still, then quiet (AAC).
_LOUD_UNDER_THE_STILL = ["-f", "lavfi", "-i", "aevalsrc=0.001*sin(440*2*PI*t):d=1", "-f", "lavfi", "-i",
                         "anoisesrc=d=4:a=0.8", "-f", "lavfi", "-i", "aevalsrc=0.001*sin(440*2*PI*t):d=1"]


@pytest.mark.parametrize("audio", [None, "sine", "loud"], ids=["video", "with-audio", "loud-under-the-still"])
def test_a_long_still_of_a_variable_frame_rate_is_no_hole(tmp_path, audio):
    """1 s moving, a 4-s still that mpdecimate leaves one frame of, 1 s moving, in Matroska
    (whose frame count is estimated from its duration): "99 of the 150 frames its container
    states are missing, most at 1.0 s: the file looks damaged there", where the file holds
    every frame ffprobe reads and the same as MP4 gets no warning. A hole (above) has bytes
    no packet holds there; a still has none, or the audio's: loud noise under it took
    several times the bytes a second of the quiet sound around it did, and was a hole."""
    path = tmp_path / "still.mkv"
    sound = {None: [], "sine": ["-f", "lavfi", "-i", "sine=d=6"], "loud": _LOUD_UNDER_THE_STILL}[audio]
    mixed = {None: "", "sine": "", "loud": ";[3][4][5]concat=n=3:v=0:a=1[a]"}[audio]
    ffmpeg("-f", "lavfi", "-i", "testsrc2=s=128x72:r=25:d=1", "-f", "lavfi", "-i", "color=c=red:s=128x72:r=25:d=4",
           "-f", "lavfi", "-i", "testsrc2=s=128x72:r=25:d=1", *sound,
           "-filter_complex", f"[0][1][2]concat=n=3,mpdecimate[v]{mixed}", "-map", "[v]",
           *({None: [], "sine": ["-map", "3"], "loud": ["-map", "[a]"]}[audio]),
           "-fps_mode", "vfr", "-c:v", "libx264", *(["-c:a", "aac"] if audio else []), str(path))
    frames = int(ffprobe_stream(path, "nb_read_frames")["nb_read_frames"])
    assert 40 < frames < 60  # the still is one frame (mpdecimate takes a smaller picture for one too)
    done = run_cli(path, tmp_path / "o.png", "--every", "1", "--data", tmp_path / "o.json")
    assert done.returncode == 0, done.stderr
    assert b"missing" not in done.stderr and b"cut short" not in done.stderr, done.stderr
    assert json.loads((tmp_path / "o.json").read_text())["decode"]["frames"] == frames


def test_a_variable_frame_rate_that_starts_slowly_keeps_its_average(tmp_path):
    """7 fps for 4 s, then 30 fps for 6 s: FFmpeg guesses 7 from the opening, the average
    (ffprobe's avg_frame_rate) is about 20.9; only raw DV's tick rate is distrusted."""
    path = tmp_path / "vfr.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=7:duration=4", "-f", "lavfi", "-i",
           "testsrc2=size=160x120:rate=30:duration=6", "-filter_complex", "[0][1]concat=n=2:v=1,settb=1/1000",
           "-fps_mode", "vfr", "-c:v", "libx264", str(path))
    average = float(Fraction(ffprobe_stream(path, "avg_frame_rate")["avg_frame_rate"]))
    assert 15 < average < 25
    fp = streamprint.fingerprint(path)
    assert fp.source.frame_rate == pytest.approx(average, rel=0.01)


def test_fast_on_an_animation_shows_its_frames(tmp_path):
    """A GIF flags only its first frame a keyframe (each frame is drawn over the one before):
    keyframes only showed one picture and failed as "a still image, not a movie"."""
    path = tmp_path / "anim.gif"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10:duration=4", "-vf",
           "split[a][b];[a]palettegen[p];[b][p]paletteuse", str(path))
    frames = int(ffprobe_stream(path, "nb_read_frames")["nb_read_frames"])
    done = run_cli(path, tmp_path / "o.png", "--fast", "--data", tmp_path / "o.json")
    assert done.returncode == 0, done.stderr
    assert len(json.loads((tmp_path / "o.json").read_text())["samples"]) == frames


def test_transparent_pixels_of_an_hdr_frame_are_no_colour_either(tmp_path):
    """ProRes 4444 tagged PQ, half transparent over a hidden magenta: tone-mapped frames used
    to keep the hidden half."""
    path = tmp_path / "pq-alpha.mov"
    ffmpeg("-f", "lavfi", "-i", "color=c=0x2080c0:s=320x240:r=25:d=1,format=rgba,"
           "geq=r='if(lt(X,160),255,32)':g='if(lt(X,160),0,128)':b='if(lt(X,160),255,192)':a='if(lt(X,160),0,255)'",
           "-c:v", "prores_ks", "-profile:v", "4", "-pix_fmt", "yuva444p10le", "-color_primaries", "bt2020",
           "-color_trc", "smpte2084", "-colorspace", "bt2020nc", str(path))
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert fp.color.tone_mapped == len(fp)
    assert all(len(s.palette) == 1 for s in fp.samples), [s.palette.colors for s in fp.samples]


def test_a_matroska_video_shorter_than_its_audio_has_its_own_length(tmp_path):
    """3 s of picture, 10 s of sound: FFmpeg's container duration is the audio's; the video's
    own is its stream's DURATION tag, which FFmpeg's muxer writes as the stream's end time,
    less its start (here 0.023 s, the AAC priming; ffprobe shows both). --samples 6 used to
    make 2 columns, the last frame stretched over the 7 s of sound."""
    path = tmp_path / "short-video.mkv"
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=160x120:d=1.5:r=25", "-f", "lavfi", "-i", "color=c=blue:s=160x120:d=1.5:r=25",
           "-f", "lavfi", "-i", "sine=d=10", "-filter_complex", "[0][1]concat=n=2:v=1:a=0,format=yuv420p[v]",
           "-map", "[v]", "-map", "2", "-c:v", "libx264", "-c:a", "aac", str(path))
    r = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "stream=start_time:stream_tags=DURATION", "-of", "csv=p=0", str(path)],
                       capture_output=True, text=True, check=True)
    start, end = r.stdout.strip().split(",")
    h, m, s = end.split(":")
    video = int(h) * 3600 + int(m) * 60 + float(s) - float(start)
    assert 2.9 < video < 3.5
    fp = streamprint.fingerprint(path, sampling=Sampling.samples(6))
    assert fp.source.duration == pytest.approx(video, abs=1e-3)
    assert len(fp) == 6 and fp.times[-1] < video


@pytest.mark.parametrize("turn", [90, 270])
def test_a_rotated_phone_video_states_the_size_players_show(tmp_path, turn):
    """A phone's portrait video is stored landscape, with a display matrix that turns it: its
    thumbnails were upright, but its page and data file stated the stored 320 × 180. The
    truth is ffprobe's: its size and its rotation (-90 for ``rotate=270``)."""
    plain, rot = tmp_path / "plain.mp4", tmp_path / "rot.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10:duration=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(plain))
    ffmpeg("-i", str(plain), "-c", "copy", "-metadata:s:v:0", f"rotate={turn}", str(rot))
    r = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "stream=width,height:stream_side_data=rotation", "-of", "json", str(rot)],
                       check=True, capture_output=True, text=True, timeout=120)
    probed = json.loads(r.stdout)["streams"][0]
    rotation = int(probed["side_data_list"][0]["rotation"])
    assert rotation % 180 == 90  # a quarter turn, one way or the other
    shown = (probed["height"], probed["width"])
    done = run_cli(rot, tmp_path / "rot.html", "--data", tmp_path / "rot.json", "-q")
    assert done.returncode == 0, done.stderr
    assert f", {shown[0]} × {shown[1]} px" in (tmp_path / "rot.html").read_text()
    source = json.loads((tmp_path / "rot.json").read_text())["source"]
    assert (source["display_width"], source["display_height"]) == shown
    assert source["rotation"] == rotation % 360 and (source["width"], source["height"]) == shown[::-1]


def test_data_files_from_before_rotation_was_kept_still_read(tmp_path):
    """A data file with no ``rotation`` nor ``display_height`` (every one written before
    them) reads as unturned and as high as stored; its page states that size, as it did."""
    from streamprint import synth
    from streamprint.formats import read_fingerprint
    from streamprint.formats.fingerprint import fingerprint_to_dict
    from streamprint.render.page import page_html

    data = fingerprint_to_dict(synth.known_fingerprint("old.mkv", [synth.Segment((200, 30, 30), (0, 0, 0), 3.0)]))
    for key in ("rotation", "display_height"):
        data["source"].pop(key, None)
    (tmp_path / "old.json").write_text(json.dumps(data))
    source = read_fingerprint(tmp_path / "old.json").source
    assert (source.rotation, source.display_height) == (0, data["source"]["height"])
    page = page_html(read_fingerprint(tmp_path / "old.json"))
    assert f", {data['source']['display_width']} × {data['source']['height']} px" in page


def test_text_files_beside_movies_are_not_movies(tmp_path, segments_mkv):
    """FFmpeg's tty demuxer takes .nfo, .txt and .diz files for ANSI art: a Kodi or Jellyfin
    library's .nfo beside every movie became a 15-s "movie" with a strip, a page and a
    gallery card, and a batch said "fingerprinted 3" for one movie. FFmpeg still draws one
    when asked by --format."""
    from streamprint.enums import Status
    from streamprint.formats import read_manifest

    lib = tmp_path / "lib" / "Film (2001)"
    lib.mkdir(parents=True)
    shutil.copy(segments_mkv, lib / "Film (2001).mkv")
    (lib / "Film (2001).nfo").write_text("<movie>\n  <title>Film</title>\n  <year>2001</year>\n</movie>\n" * 20)
    (lib.parent / "README.txt").write_text("Films, one folder each.\n" * 40)
    (lib / "file_id.diz").write_text("FILM (2001) 1080p\n")
    for text in (lib / "Film (2001).nfo", lib.parent / "README.txt"):
        r = run_cli(text, tmp_path / "o.png")
        assert r.returncode == 1 and r.stderr.decode().count("\n") == 1, r.stderr
        assert "a text file" in r.stderr.decode() and not (tmp_path / "o.png").exists()
    r = run_cli("batch", lib.parent, tmp_path / "out", "--interval", "2", "-q")
    assert r.returncode == 0, r.stderr
    manifest = read_manifest(tmp_path / "out" / "streamprint-manifest.json")
    done = {rel for rel, e in manifest.items() if e.status == Status.DONE}
    assert done == {"Film (2001)/Film (2001).mkv"}, manifest
    assert sorted(p.name for p in (tmp_path / "out").rglob("*.png")) == ["Film (2001).mkv.png"]
    r = run_cli(lib / "Film (2001).nfo", tmp_path / "art.png", "--format", "tty")
    assert r.returncode == 0, r.stderr
