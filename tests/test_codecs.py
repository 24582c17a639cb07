"""Every codec of the matrix (issue 15): H.264, HEVC 10-bit, VP9, AV1, MPEG-2 and MPEG-4 Part 2
in AVI (FFmpeg's own encoder, and Xvid with packed B-frames).

Each clip is the sample's four shots (12 s, 24 fps, a moving square) transcoded by the
``ffmpeg`` command with a keyframe at least every 2 s. For each:

- ``--fast`` shows exactly the keyframes: their places in presentation order and times are
  those of the frames ``ffprobe -show_frames`` flags ``key_frame`` (truth computed by FFmpeg's
  own tool, not by streamprint), and nothing else is delivered (FFmpeg's VP9 decoder ignores
  ``skip_frame``: it used to show every frame);
- keyframes only equals decoding everything and keeping the keyframes: the same pixels, indices
  and times, palettes within warm-start tolerance;
- the default sampling (non-reference frames skipped where the decoder allows it) equals
  ``--decode-all``: the same frames, times and palettes, bit for bit;
- AV1: the temporal units streamprint leaves out as unreferenced are those in which FFmpeg's
  own header parser (the ``trace_headers`` bitstream filter) shows no frame refreshing a slot.

A codec is skipped, saying so, only when FFmpeg has no encoder for it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth
from streamprint.source.av1 import Av1References
from streamprint.source.decode import VideoSource

from .conftest import FPS, run_cli

FFMPEG, FFPROBE = shutil.which("ffmpeg"), shutil.which("ffprobe")
pytestmark = pytest.mark.skipif(FFMPEG is None or FFPROBE is None, reason="needs the ffmpeg/ffprobe commands")

SIZE = (256, 144)

#: name: (encoder, file suffix, ffmpeg output arguments)
#: Where the default sampling must skip frames: x264/x265 leave most B-frames unreferenced,
#: MPEG-2 and MPEG-4 never reference B-frames, SVT-AV1's hierarchical mini-GOPs leave the top
#: layer unreferenced (Xvid's packed B-frames once unpacked). libvpx and libaom in real-time
#: mode reference every frame.
SKIPS = {"h264", "h264-open-gop", "hevc10", "hevc-open-gop", "av1", "mpeg2", "mpeg4-avi", "xvid-avi"}
CODECS = {
    "h264": ("libx264", "mp4", ["-c:v", "libx264", "-g", "48", "-bf", "3", "-preset", "veryfast"]),
    "hevc10": ("libx265", "mkv", ["-c:v", "libx265", "-g", "48", "-pix_fmt", "yuv420p10le", "-preset", "veryfast",
                                  "-x265-params", "log-level=error"]),
    # open GOP (CRA keyframes) farther apart than half x265's POC range (128 of 256 frames):
    # the decoder used to give the keyframes swapped in pairs and lose some
    "hevc-open-gop": ("libx265", "mkv", ["-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
                                         "log-level=error:keyint=140:min-keyint=140:scenecut=0:open-gop=1"]),
    # open GOP: I-frames with recovery points whose leading B-frames follow them in decode
    # order (x264 --open-gop, Blu-ray encodes); --fast used to give 3 frames in a row instead
    "h264-open-gop": ("libx264", "mkv", ["-c:v", "libx264", "-bf", "3", "-preset", "veryfast", "-x264-params",
                                         "open-gop=1:keyint=24:min-keyint=24:scenecut=0"]),
    "vp9": ("libvpx-vp9", "webm", ["-c:v", "libvpx-vp9", "-g", "48", "-b:v", "400k", "-deadline", "realtime",
                                   "-cpu-used", "8"]),
    "av1": ("libsvtav1", "mkv", ["-c:v", "libsvtav1", "-g", "48", "-preset", "12", "-crf", "40"]),
    "av1-aom": ("libaom-av1", "mkv", ["-c:v", "libaom-av1", "-g", "48", "-usage", "realtime", "-cpu-used", "8",
                                     "-crf", "40"]),
    "mpeg2": ("mpeg2video", "mpg", ["-c:v", "mpeg2video", "-g", "12", "-bf", "2", "-q:v", "4"]),
    "mpeg4-avi": ("mpeg4", "avi", ["-c:v", "mpeg4", "-g", "48", "-bf", "2", "-q:v", "4", "-vtag", "XVID"]),
    "xvid-avi": ("libxvid", "avi", ["-c:v", "libxvid", "-g", "48", "-bf", "2", "-q:v", "4", "-vtag", "XVID"]),
    # H.264 in AVI: the demuxer's pts are decode order (AVI stores no presentation times, and
    # FFmpeg cannot derive them for H.264 as it does for MPEG-4): nothing may be skipped by them
    "h264-avi": ("libx264", "avi", ["-c:v", "libx264", "-g", "48", "-bf", "3", "-preset", "veryfast"]),
    # decoders without a rule of their own that ignore skip_frame: --fast used to show every frame
    "ffv1": ("ffv1", "mkv", ["-c:v", "ffv1", "-g", "24"]),
    # (a quarter of the width and height: FFmpeg's Cinepak encoder took 25 s on the full-size clip)
    "cinepak-avi": ("cinepak", "avi", ["-vf", "scale=64:36", "-c:v", "cinepak", "-g", "24"]),
    "rv20": ("rv20", "rm", ["-c:v", "rv20", "-g", "24", "-q:v", "4"]),
}


def encoders() -> set[str]:
    out = subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.startswith(" V")}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """One folder per session (test_containers copies these clips too): the source and each
    clip ``encoded`` makes are encoded once, by whichever module asks first. Read-only."""
    folder = tmp_path_factory.getbasetemp() / "codecs-shared"
    if not (folder / "source.mp4").exists():
        folder.mkdir(exist_ok=True)
        synth.encode_clip(folder / "source.tmp.mp4", synth.segment_frames(synth.SAMPLE_SEGMENTS, SIZE, FPS), FPS,
                          synth.Encoding(crf=8))
        (folder / "source.tmp.mp4").rename(folder / "source.mp4")
    return folder


@pytest.fixture(scope="module")
def available() -> set[str]:
    return encoders() if FFMPEG else set()


def encoded(name: str, folder: Path, available: set[str]) -> Path:
    """The sample's shots encoded as ``CODECS[name]`` says, once per module; the test is
    skipped, saying so, when FFmpeg here has no such encoder."""
    encoder, suffix, args = CODECS[name]
    if encoder not in available:
        pytest.skip(f"FFmpeg here has no {encoder} encoder")
    path = folder / f"{name}.{suffix}"
    if not path.exists():
        subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(folder / "source.mp4"), *args, str(path)],
                       check=True, capture_output=True, timeout=120)
    return path


@pytest.fixture(params=list(CODECS))
def clip(request, folder, available) -> Path:
    return encoded(request.param, folder, available)


def ffprobe_keyframes(path: Path) -> tuple[int, list[int], np.ndarray]:
    """(frames, the key frames' places in presentation order, their best-effort times minus the
    stream's start; NaN where ffprobe has none), from ``ffprobe -show_frames``."""
    def run(*args: str) -> dict:
        r = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", *args, "-of", "json", str(path)],
                           check=True, capture_output=True, text=True, timeout=120)
        return json.loads(r.stdout)
    start = float(run("-show_entries", "stream=start_time")["streams"][0].get("start_time", 0.0))
    frames = run("-show_entries", "frame=key_frame,best_effort_timestamp_time")["frames"]
    keys = [i for i, f in enumerate(frames) if f["key_frame"] == 1]
    times = np.array([float(frames[i].get("best_effort_timestamp_time", "nan")) - start for i in keys])
    return len(frames), keys, times


def test_fast_shows_exactly_the_keyframes(clip):
    count, keys, times = ffprobe_keyframes(clip)
    assert 3 <= len(keys) < count / 10, "the clip should have a few keyframes among many frames"
    fast = streamprint.fingerprint(clip, sampling=Sampling.keyframes(), colors=3)
    assert [s.frame for s in fast.samples] == keys
    assert fast.decode.frames == len(keys)  # nothing but the keyframes came out of the decoder
    known = np.isfinite(times)
    assert known[:-1].all()  # (ffprobe may give a last frame flushed out of MPEG-2/4 no time)
    assert np.abs(fast.times[known] - times[known]).max() < 1e-3


def test_keyframes_only_equals_decoding_everything(clip):
    """The same pixels, indices and times as decoding every frame and keeping the keyframes."""
    with VideoSource(clip, keyframes_only=True) as source:
        keyed = {f.index: (f.time, f.to_rgb(64)) for f in source.frames()}
    with VideoSource(clip) as source:
        every = {f.index: (f.time, f.to_rgb(64)) for f in source.frames() if f.index in keyed}
    assert sorted(every) == sorted(keyed)
    for index, (time, rgb) in keyed.items():
        assert abs(every[index][0] - time) < 1e-6, index
        assert np.array_equal(every[index][1], rgb), index
    fast = streamprint.fingerprint(clip, sampling=Sampling.keyframes(), colors=3)
    full = {s.frame: s for s in streamprint.fingerprint(clip, sampling=Sampling.every(1), colors=3).samples}
    for s in fast.samples:
        other = full[s.frame]
        assert s.time == pytest.approx(other.time, abs=1e-6)
        mean = (s.palette.colors * s.palette.weights[:, None]).sum(axis=0)
        other_mean = (other.palette.colors * other.palette.weights[:, None]).sum(axis=0)
        assert np.abs(mean - other_mean).max() <= 2.0  # k-means warm-started from other frames


def same_samples(a: streamprint.Fingerprint, b: streamprint.Fingerprint) -> bool:
    return len(a.samples) == len(b.samples) and all(
        x.frame == y.frame and x.time == y.time and np.array_equal(x.palette.colors, y.palette.colors)
        and np.array_equal(x.palette.weights, y.palette.weights) for x, y in zip(a.samples, b.samples))


@pytest.mark.parametrize("sampling", [Sampling.default(), Sampling.interval(0.5)])
def test_default_sampling_equals_decode_all(clip, sampling):
    everything = streamprint.fingerprint(clip, sampling=sampling, skip_unsampled=False)
    skipping = streamprint.fingerprint(clip, sampling=sampling)
    assert everything.decode.skipped == 0
    assert same_samples(everything, skipping)
    assert skipping.decode.frames == everything.decode.frames
    if clip.stem in SKIPS:
        assert skipping.decode.skipped > 0, "nothing was skipped: the test would prove nothing"


def test_cli_fast_on_vp9_draws_the_keyframes_only(folder, available, tmp_path):
    """Through the command: --fast on a VP9 WebM writes one sample per keyframe."""
    path = encoded("vp9", folder, available)
    _, keys, _ = ffprobe_keyframes(path)
    data = tmp_path / "fast.json"
    r = run_cli(path, tmp_path / "fast.png", "--fast", "--data", data, "-q")
    assert r.returncode == 0, r.stderr
    assert [s["frame"] for s in json.loads(data.read_text())["samples"]] == keys


def trace_references(path: Path) -> list[bool]:
    """Per AV1 packet, whether FFmpeg's trace_headers shows a frame in it that is a key frame,
    shows an existing frame or refreshes any reference slot."""
    r = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "trace", "-i", str(path), "-c", "copy",
                        "-bsf:v", "trace_headers", "-f", "null", "-"], capture_output=True, text=True, timeout=120)
    out: list[bool] = []
    for line in r.stderr.splitlines():
        if "trace_headers" not in line:
            continue
        if "Packet:" in line:
            out.append(False)
            continue
        m = re.search(r"(show_existing_frame|frame_type|refresh_frame_flags)\s+\S+ = (\d+)", line)
        if m and out:
            name, value = m.group(1), int(m.group(2))
            if (name == "frame_type" and value in (0, 3)) or (name != "frame_type" and value):
                out[-1] = True
    return out


@pytest.mark.parametrize("name", ["av1", "av1-aom"])
def test_av1_unreferenced_units_are_those_ffmpeg_sees(name, folder, available):
    path = encoded(name, folder, available)
    truth = trace_references(path)
    import av

    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        refs = Av1References(stream.codec_context.extradata)
        ours = [refs.is_reference(bytes(p)) for p in c.demux(stream) if p.size]
    assert len(ours) == len(truth) == 288
    assert ours == truth
    if name == "av1":
        assert truth.count(False) >= 40  # SVT-AV1's top layer: the check proves something


def test_frame_threads_are_chosen_per_decoder():
    """Threads left at 0: two frame threads per core for h264, hevc and vp9 (at most 16), FFmpeg's
    own choice for the others; a count given is kept; keyframes only is left to FFmpeg."""
    import av

    from streamprint.source import codecs

    twice = min(16, 2 * codecs.cores())
    for name, auto in (("h264", twice), ("hevc", twice), ("vp9", twice), ("mpeg2video", 0), ("mpeg4", 0)):
        for keyframes_only, threads, expected in ((False, 0, auto), (False, 3, 3), (True, 0, 0)):
            ctx = av.CodecContext.create(name, "r")
            codecs.configure(ctx, keyframes_only, threads)
            assert ctx.thread_count == expected, (name, keyframes_only, threads)


def test_dav1d_leaves_a_core_to_clustering_on_keyframes_only():
    """libdav1d, keyframes only, threads left at 0: one core fewer than there are (at least
    one thread); a count given is kept; every frame decoded is left to dav1d."""
    import av

    from streamprint.source import codecs

    try:
        av.CodecContext.create("libdav1d", "r")
    except Exception:  # noqa: BLE001 - an FFmpeg without dav1d
        pytest.skip("this FFmpeg has no libdav1d")
    for cores, keyframes_only, threads, expected in ((2, True, 0, 1), (8, True, 0, 7), (1, True, 0, 1),
                                                     (2, True, 2, 2), (2, False, 0, 0)):
        ctx = av.CodecContext.create("libdav1d", "r")
        with mock.patch.object(codecs, "cores", return_value=cores):
            codecs.configure(ctx, keyframes_only, threads)
        assert ctx.thread_count == expected, (cores, keyframes_only, threads)
