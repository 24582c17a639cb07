"""Frame times are FFmpeg's best-effort timestamps, on one increasing timeline.

- AVI with MPEG-4 Part 2 B-frames (PyAV's mpeg4 encoder), the same with Xvid-style packed
  B-frames (made here from the encoder's packets), and MPEG-2 in a program stream (VOB): every
  frame's time equals ``ffprobe -show_frames``' ``best_effort_timestamp_time``
  (minus the stream's start) within 1 ms, and times strictly increase.
- Raw H.264 / HEVC elementary streams (no timestamps at all): one frame apart at the SPS rate.
- Two MPEG-TS files joined with ``cat`` (timestamps restart, the second part at another
  size): samples from both parts, strictly increasing times, a discontinuity recorded, and
  the same JSON bytes with 1, 2 and 8 decoder threads and with ``skip_unsampled`` off.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth
from streamprint.formats.fingerprint import to_json
from streamprint.source.timeline import BestEffort, Timeline, joined_length

FFPROBE = shutil.which("ffprobe")
FFMPEG = shutil.which("ffmpeg")
needs_ffprobe = pytest.mark.skipif(FFPROBE is None or FFMPEG is None, reason="needs the ffmpeg/ffprobe commands")


def moving_frames(n: int, size=(320, 240)) -> list[np.ndarray]:
    w, h = size
    out = []
    for i in range(n):
        img = np.zeros((h, w, 3), np.uint8)
        img[..., 0] = (np.arange(w)[None, :] + 3 * i) % 256
        img[..., 1] = (np.arange(h)[:, None] * 2 + i) % 256
        img[:, (5 * i) % w:(5 * i) % w + 20, 2] = 255
        out.append(img)
    return out


def mpeg4_avi(path: Path, n: int = 96) -> Path:
    """MPEG-4 Part 2 with 2 B-frames between references, in AVI (which stores no pts)."""
    with av.open(str(path), "w") as out:
        s = out.add_stream("mpeg4", rate=24)
        s.width, s.height, s.pix_fmt = 320, 240, "yuv420p"
        s.codec_context.max_b_frames, s.codec_context.gop_size = 2, 12
        for i, img in enumerate(moving_frames(n)):
            f = av.VideoFrame.from_ndarray(img, "rgb24")
            f.pts = i
            for p in s.encode(f):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return path


def packed_avi(path: Path, n: int = 96) -> Path:
    """Xvid/DivX-style packed B-frames: MPEG-4 Part 2 with one B-frame between references,
    each B-frame stored in the AVI chunk of the reference before it, its own slot holding a
    not-coded VOP (N-VOP), and the 'DivX503b1393p' user data that tells FFmpeg so."""
    from fractions import Fraction

    cc = av.CodecContext.create("mpeg4", "w")
    cc.width, cc.height, cc.pix_fmt, cc.time_base = 320, 240, "yuv420p", Fraction(1, 24)
    cc.framerate, cc.max_b_frames, cc.gop_size = Fraction(24), 1, 12
    packets = []
    for i, img in enumerate([*moving_frames(n), None]):
        frame = None
        if img is not None:
            frame = av.VideoFrame.from_ndarray(img, "rgb24").reformat(format="yuv420p")
            frame.pts = i
        packets += [(bytes(p), p.is_keyframe) for p in cc.encode(frame)]
    vop = b"\x00\x00\x01\xb6"
    kinds = [b[b.find(vop) + 4] >> 6 for b, _ in packets]  # vop_coding_type: 0 I, 1 P, 2 B
    first, key = packets[0]
    at = first.find(vop)
    packets[0] = (first[:at] + b"\x00\x00\x01\xb2DivX503b1393p" + first[at:], key)
    # N-VOP: P, modulo_time_base 0, marker, 5-bit time increment, marker, vop_coded 0, stuffing
    nvop = vop + int("01" "0" "1" "00000" "1" "0" "0" "1111", 2).to_bytes(2, "big")
    chunks, k = [], 0
    while k < len(packets):
        if k + 1 < len(packets) and kinds[k] != 2 and kinds[k + 1] == 2:
            chunks += [(packets[k][0] + packets[k + 1][0], packets[k][1]), (nvop, False)]
            k += 2
        else:
            chunks.append(packets[k])
            k += 1
    with av.open(str(path), "w", format="avi") as out:
        s = out.add_stream("mpeg4", rate=24)
        s.width, s.height = 320, 240
        s.codec_context.codec_tag = "XVID"
        for i, (data, key) in enumerate(chunks):
            p = av.Packet(data)
            p.stream, p.dts, p.pts, p.time_base, p.is_keyframe = s, i, i, Fraction(1, 24), key
            out.mux(p)
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-v", "error", "-y", *args], check=True, capture_output=True, timeout=120)


def ffprobe_times(path: Path) -> np.ndarray:
    """best_effort_timestamp_time of every frame, minus the stream's start_time (NaN where
    ffprobe has none: the frames flushed out of a decoder at the end of an AVI, MPEG-2 or
    MPEG-4 stream can have neither pts nor dts). A stream without a start_time (ASF) starts
    at its first frame: ffprobe's first best-effort time there is the dts of the packet the
    decoder gave it back after, its B-frame delay late."""
    r = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                        "frame=best_effort_timestamp_time:stream=start_time", "-of", "json", str(path)],
                       check=True, capture_output=True, text=True, timeout=120)
    out = json.loads(r.stdout)
    times = np.array([float(f.get("best_effort_timestamp_time", "nan")) for f in out["frames"]])
    start = out["streams"][0].get("start_time")
    return times - (float(start) if start is not None else times[np.isfinite(times)][0])


def assert_best_effort_times(times: np.ndarray, path: Path) -> None:
    """``times`` (every frame's, seconds) increase and are ffprobe's best-effort times of
    ``path`` within 1 ms."""
    truth = ffprobe_times(path)
    assert len(times) == len(truth)
    assert np.all(np.diff(times) > 0)
    known = np.isfinite(truth)
    unknown = int((~known).sum())  # ffprobe has no time for frames flushed out at the end:
    assert unknown <= 2 and known[:len(known) - unknown].all()  # at most the decoder's delay
    assert np.abs(times[known] - truth[known]).max() < 1e-3


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("timestamps")


@pytest.fixture(scope="module")
def avi(folder) -> Path:
    return mpeg4_avi(folder / "bframes.avi")


@pytest.fixture(scope="module")
def packed(folder) -> Path:
    return packed_avi(folder / "packed.avi")


def has_encoder(name: str) -> bool:
    if FFMPEG is None:
        return False
    r = subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=60)
    return any(line.split()[1:2] == [name] for line in r.stdout.splitlines() if line.strip())


@pytest.fixture(scope="module")
def xvid(folder) -> Path:
    """A real Xvid AVI: FFmpeg's libxvid with B-frames writes them packed (XVID_GLOBAL_PACKED),
    with the 'DivX503b1393p' user data and a not-coded VOP in each B-frame's own chunk."""
    if not has_encoder("libxvid"):
        pytest.skip("needs ffmpeg with libxvid (Debian's has it)")
    path = folder / "xvid.avi"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "4", "-c:v", "libxvid", "-bf", "2",
           "-g", "50", str(path))
    data = path.read_bytes()
    assert b"DivX503b1393p" in data
    with av.open(str(path)) as c:
        sizes = [p.size for p in c.demux(video=0) if p.size]
        assert sum(size <= 8 for size in sizes) >= 20  # the N-VOPs: one per packed B-frame
    with av.open(str(path)) as c:
        pts = [f.pts for f in c.decode(video=0)]
    assert sum(b <= a for a, b in zip(pts, pts[1:])) >= 20  # PyAV's pts go back: the problem itself
    return path


@pytest.fixture(scope="module")
def h264avi(folder) -> Path:
    """H.264 with B-frames in AVI: FFmpeg gives its packets pts in decode order (dts + 1), and
    the frames flushed out at the end no dts; here the last one's made-up pts lies 3 frames
    before the one flushed out before it (x264 with up to 5 B-frames, 100 frames)."""
    if not has_encoder("libx264"):
        pytest.skip("needs ffmpeg with libx264")
    path = folder / "h264.avi"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "100", "-c:v", "libx264",
           "-bf", "5", "-g", "50", str(path))
    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.reorder_depth == 2
        frames = [(f.pts, f.dts) for f in c.decode(video=0)]
    assert sum(b[0] <= a[0] for a, b in zip(frames, frames[1:])) >= 20  # reordered pts go back
    assert frames[-1][1] is None and frames[-2][1] is None
    assert frames[-2][0] - frames[-1][0] >= 3  # more than timestamp jitter
    return path


@pytest.fixture(scope="module")
def vob(folder) -> Path:
    path = folder / "mpeg2.vob"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "4", "-c:v", "mpeg2video", "-bf", "2",
           "-g", "12", "-f", "vob", str(path))
    return path


def every_frame_times(path, threads=0, **kw) -> np.ndarray:
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=2, threads=threads, **kw)
    assert [s.frame for s in fp.samples] == list(range(len(fp)))
    return fp.times


def test_the_avi_has_b_frames(avi):
    with av.open(str(avi)) as c:
        types = [int(f.pict_type) for f in c.decode(video=0)]
    assert types.count(3) >= 40  # AV_PICTURE_TYPE_B


def test_packed_b_frames_make_pyav_pts_go_backwards(packed):
    """The problem itself: on this file the decoder's reordered pts go back again and again."""
    with av.open(str(packed)) as c:
        pts = [f.pts for f in c.decode(video=0)]
    assert sum(b <= a for a, b in zip(pts, pts[1:])) >= 40


@needs_ffprobe
@pytest.mark.parametrize("threads", [1, 2, 8])
@pytest.mark.parametrize("clip", ["avi", "packed", "xvid", "h264avi", "vob"])
def test_times_are_ffmpegs_best_effort_timestamps(request, clip, threads):
    path = request.getfixturevalue(clip)
    times = every_frame_times(path, threads)
    assert_best_effort_times(times, path)


@pytest.mark.parametrize("sampling", [Sampling.every(1), Sampling.default()], ids=["every", "default"])
def test_an_h264_avi_ends_without_a_jump(h264avi, sampling, caplog):
    """The frames flushed out at the end have no dts: they follow the last one, one frame
    apart, as players show them (their made-up pts went back: a warning on every such file)."""
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        fp = streamprint.fingerprint(h264avi, sampling=sampling, colors=2)
    assert fp.decode.discontinuities == 0 and fp.decode.frames == 100
    assert not [r for r in caplog.records if "jump" in r.getMessage()]
    if sampling.mode == Sampling.every(1).mode:
        assert np.allclose(np.diff(fp.times[-5:]), 1 / 25)


def test_keyframes_of_an_h264_avi_resume_where_they_were(folder):
    """Keyframes only on H.264 with B-frames in AVI, resumed from each checkpoint: the same
    keyframes at the same times as the run that was not interrupted (they are placed at the
    chunk they come out with when everything is decoded, also when resuming)."""
    if not has_encoder("libx264"):
        pytest.skip("needs ffmpeg with libx264")
    path = folder / "h264-gop24.avi"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-frames:v", "120", "-c:v", "libx264",
           "-bf", "3", "-g", "24", "-keyint_min", "24", str(path))
    saved: list = []
    whole = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=2, checkpoint=saved.append,
                                    checkpoint_every=1e-9)
    every = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=2)
    assert [s.frame for s in whole.samples] == [0, 24, 48, 72, 96]
    assert np.allclose(whole.times, every.times[[0, 24, 48, 72, 96]], atol=1e-9)
    assert len(saved) >= 3
    for state in saved[:-1]:
        resumed = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=2, resume=state)
        assert [(s.frame, s.time) for s in resumed.samples] == [(s.frame, s.time) for s in whole.samples]


@pytest.mark.parametrize("codec,fmt", [("libx264", "h264"), ("libx265", "hevc")])
def test_elementary_streams_without_timestamps_are_one_frame_apart(folder, codec, fmt):
    path = folder / f"es.{fmt}"
    extra = (("x265-params", "log-level=error:bframes=2"),) if codec == "libx265" else ()
    synth.encode_clip(path, moving_frames(48), 24, synth.Encoding(codec=codec, extra=extra), container_format=fmt)
    times = every_frame_times(path)
    assert len(times) == 48
    assert np.abs(times - np.arange(48) / 24).max() < 1e-3


@pytest.mark.parametrize("codec,fmt", [("libx264", "h264"), ("libx265", "hevc")])
def test_keyframes_of_elementary_streams_without_timestamps(folder, codec, fmt):
    """Keyframes only, on a raw H.264 / HEVC stream (no timestamps at all): each keyframe is
    the frame its packet's place in the stream says, one frame apart at the SPS rate, as
    decoding everything gives. Truth by construction: 72 frames at 24 fps with a closed GOP
    every 24 frames (frames 0, 24, 48 at 0, 1, 2 s)."""
    path = folder / f"es-gop.{fmt}"
    extra = ((("x265-params", "log-level=error:bframes=2:keyint=24:min-keyint=24:scenecut=0:open-gop=0"),)
             if codec == "libx265" else (("x264-params", "keyint=24:min-keyint=24:scenecut=0"),))
    synth.encode_clip(path, moving_frames(72), 24, synth.Encoding(codec=codec, extra=extra), container_format=fmt)
    for threads in (1, 8):
        fp = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=2, threads=threads)
        assert [s.frame for s in fp.samples] == [0, 24, 48]
        assert np.allclose(fp.times, [0.0, 1.0, 2.0], atol=1e-6)


def test_best_effort_follows_dts_when_pts_go_backwards():
    """libavcodec's guess_correct_pts: reordered pts that fail to increase more often than the
    dts are abandoned for the dts (packed B-frames); good pts win over missing/equal dts."""
    best = BestEffort()
    pts = [0, 3, 1, 2, 6, 4, 5]            # decode-order pts delivered as if presented (broken)
    dts = [0, 1, 2, 3, 4, 5, 6]
    out = [best(p, d) for p, d in zip(pts, dts)]
    assert out[:2] == [0, 3] and out[2:] == [2, 3, 4, 5, 6]
    assert not best.pts_reliable
    good = BestEffort()
    assert [good(p, None) for p in [0, 1, 2, 3]] == [0, 1, 2, 3] and good.pts_reliable
    assert [BestEffort()(None, d) for d in [5]] == [5]


def test_timeline_joins_resets_and_forward_jumps():
    line = Timeline(0.04, jumps_forward=True)
    raw = [0.0, 0.04, 0.08, 0.12, 0.0, 0.04, 100.0, 100.04]  # a reset, then a 100-s jump
    got = [line.place(t, i) for i, t in enumerate(raw)]
    assert np.allclose(got, [0, 0.04, 0.08, 0.12, 0.16, 0.20, 0.24, 0.28])
    assert [d.index for d in line.discontinuities] == [4, 6]
    jitter = Timeline(0.04, jumps_forward=False)
    assert np.allclose([jitter.place(t, i) for i, t in enumerate([0, 0.04, 0.04, 0.12, 30.0])],
                       [0, 0.04, 0.08, 0.12, 30.0])
    assert not jitter.discontinuities


# --- joined MPEG-TS ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def joined_ts(folder) -> Path:
    """``cat a.ts b.ts``: 2 s at 320x180, then 2 s at 640x360 whose timestamps restart."""
    parts = []
    for name, size, colour in (("a", (320, 180), (200, 40, 40)), ("b", (640, 360), (30, 60, 200))):
        frames = [np.clip(f.astype(int) // 2 + np.array(colour) // 2, 0, 255).astype(np.uint8)
                  for f in moving_frames(50, size)]
        path = folder / f"{name}.ts"
        synth.encode_clip(path, frames, 25, synth.Encoding(gop=25), container_format="mpegts")
        parts.append(path)
    joined = folder / "joined.ts"
    joined.write_bytes(b"".join(p.read_bytes() for p in parts))
    return joined


def test_joined_ts_keeps_both_parts_on_one_timeline(joined_ts):
    fp = streamprint.fingerprint(joined_ts, sampling=Sampling.interval(0.5), colors=3)
    times = fp.times
    assert np.all(np.diff(times) > 0)
    assert times[-1] > 3.5 and len(fp) == 8, times         # 0, 0.5, ..., 3.5
    assert fp.decode.discontinuities == 1
    second = [s for s in fp.samples if s.time >= 2.0]
    assert second and all(s.palette.mean[2] > s.palette.mean[0] for s in second)  # the blue part
    every = streamprint.fingerprint(joined_ts, sampling=Sampling.every(1), colors=2)
    assert len(every) == 100 and np.allclose(every.times, np.arange(100) / 25, atol=1e-6)
    # the data's duration is the joined timeline's (FFmpeg's covers the first part: 2 s, which
    # a gallery card and a progress bar showed)
    assert fp.source.duration == pytest.approx(4.0, abs=1e-6)
    assert every.source.duration == pytest.approx(4.0, abs=1e-6)


@pytest.mark.parametrize("sampling", [Sampling.interval(0.5), Sampling.every(7), Sampling.keyframes()],
                         ids=["interval", "every", "keyframes"])
def test_joined_ts_does_not_depend_on_threads_or_skipping(joined_ts, sampling):
    outputs = {to_json(streamprint.fingerprint(joined_ts, sampling=sampling, colors=3, threads=n))
               for n in (1, 2, 8)}
    assert len(outputs) == 1
    data = json.loads(outputs.pop())
    assert data["decode"]["discontinuities"] == 1
    everything = streamprint.fingerprint(joined_ts, sampling=sampling, colors=3, threads=2, skip_unsampled=False)
    assert json.loads(to_json(everything))["samples"] == data["samples"]  # skipping changes nothing


@pytest.mark.parametrize("sampling", [Sampling.every(1), Sampling.interval(0.5), Sampling.keyframes()],
                         ids=["every-1", "interval", "keyframes"])
def test_a_range_of_joined_ts_is_on_the_joined_timeline(joined_ts, sampling):
    """--start/--end are times of the one timeline the samples carry (frame i at i/25 s,
    4 s in all), not of the restarting timestamps: the container says 2 s, which made
    --start 2.4 "past the end" and --end -0.98 end at 1.02 s."""
    from streamprint import TimeRange

    whole = streamprint.fingerprint(joined_ts, sampling=sampling, colors=2)
    for part, first, last in ((TimeRange(2.4, 3.4), 60, 84), (TimeRange(1.0, -0.98), 25, 75)):
        fp = streamprint.fingerprint(joined_ts, sampling=sampling, colors=2, time_range=part)
        assert fp.time_range.end == pytest.approx(3.4 if part.end > 0 else 3.02)
        inside = [s for s in whole.samples if fp.time_range.holds(s.time)]
        assert [s.frame for s in fp.samples] == [s.frame for s in inside] and inside, (part, fp.samples)
        assert all(first <= s.frame <= last and s.time == pytest.approx(s.frame / 25) for s in fp.samples)
        if sampling.mode == "every":
            assert [s.frame for s in fp.samples] == list(range(first, last + 1))


def test_joined_ts_follows_a_switch_to_hdr_and_10_bit(folder, tmp_path):
    """An SDR 8-bit part, then a PQ 10-bit part (its timestamps restarting): each frame is
    converted from its own tags, so only the second part's samples are tone-mapped."""
    sdr, hdr = folder / "sdr8.ts", folder / "pq10.ts"
    frames = moving_frames(25, (320, 180))
    synth.encode_clip(sdr, frames, 25, synth.Encoding(gop=25), container_format="mpegts")
    synth.encode_clip(hdr, frames, 25, synth.Encoding(gop=25, bits=10, transfer=16), container_format="mpegts")
    joined = tmp_path / "switch.ts"
    joined.write_bytes(sdr.read_bytes() + hdr.read_bytes())
    fp = streamprint.fingerprint(joined, sampling=Sampling.interval(0.2), colors=3)
    assert np.all(np.diff(fp.times) > 0) and fp.times[-1] > 1.7
    second = sum(1 for s in fp.samples if s.time >= 1.0)
    assert second >= 4 and fp.color.hdr_samples == fp.color.tone_mapped == second
    assert fp.color.transfers == ("pq",) and fp.decode.discontinuities == 1


def test_samples_beyond_the_frame_count_say_how_many_columns(folder, tmp_path):
    path = folder / "short.mkv"
    synth.encode_clip(path, moving_frames(12, (64, 48)), 24)
    r = subprocess.run([sys.executable, "-m", "streamprint", str(path), str(tmp_path / "o.png"), "--samples", "30",
                        "--data", str(tmp_path / "o.json")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    columns = len(json.loads((tmp_path / "o.json").read_text())["samples"])
    assert columns == 12
    said = [line for line in r.stderr.splitlines() if "WARNING" in line]
    assert len(said) == 1 and "12 columns, not 30" in said[0] and "12 frames" in said[0]


@needs_ffprobe
def test_a_33_bit_wrap_in_mpeg_ts_is_one_timeline(folder):
    """PTS offset so that the 33-bit 90 kHz clock wraps a few seconds in: FFmpeg's demuxer unwraps it,
    and the times run on without a discontinuity."""
    path = folder / "wrap.ts"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "6", "-c:v", "libx264", "-g", "25",
           "-output_ts_offset", "95440", "-f", "mpegts", str(path))  # 2**33 / 90000 = 95443.7 s
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=2)
    assert len(fp) == 150 and np.allclose(fp.times, np.arange(150) / 25, atol=1e-6)
    assert fp.decode.discontinuities == 0


def test_packed_avi_samples_do_not_depend_on_skipping(packed):
    """Packed B-frames are unpacked in memory and then skipped where no sample needs them;
    the samples are those of decoding everything."""
    sampling = Sampling.interval(0.5)
    a = streamprint.fingerprint(packed, sampling=sampling, colors=3)
    b = streamprint.fingerprint(packed, sampling=sampling, colors=3, skip_unsampled=False)
    assert a.samples == b.samples and np.all(np.diff(a.times) > 0)
    assert a.decode.skipped >= 20 and b.decode.skipped == 0


@needs_ffprobe
def test_a_forward_jump_does_not_depend_on_threads_or_skipping(joined_ts, folder):
    """``cat a.ts b.ts`` with b's timestamps moved 60 s on: the jump is closed up, and
    skipping non-reference frames, which decides from the raw timestamps ahead of the
    decoder, must not pick other frames whatever the thread count."""
    ffmpeg("-i", str(folder / "b.ts"), "-c", "copy", "-output_ts_offset", "60", str(folder / "b60.ts"))
    forward = folder / "forward.ts"
    forward.write_bytes((folder / "a.ts").read_bytes() + (folder / "b60.ts").read_bytes())
    for sampling in (Sampling.samples(37), Sampling.interval(0.25)):
        for skip in (True, False):  # the same bytes whatever the threads
            outputs = {to_json(streamprint.fingerprint(forward, sampling=sampling, colors=3, threads=n,
                                                       skip_unsampled=skip)) for n in (1, 2, 8)}
            assert len(outputs) == 1, (sampling, skip)
            samples = json.loads(outputs.pop())["samples"]
            if skip:
                skipped = samples
        assert samples == skipped, sampling  # and the same samples with and without skipping
    fp = streamprint.fingerprint(forward, sampling=Sampling.interval(0.25), colors=3)
    assert fp.decode.discontinuities == 1 and np.all(np.diff(fp.times) > 0) and fp.times[-1] < 4.0


@needs_ffprobe
def test_samples_on_joined_ts_spread_over_the_whole_joined_timeline(joined_ts, folder):
    """``--samples N`` needs the duration, and FFmpeg's estimate for a joined TS (last pts minus
    first) covers only the first part after a reset, or the jump too after a forward one: the
    N columns must still come from the whole timeline, both parts, evenly, whatever the threads.
    The truth: 2 s + 2 s of footage (50 + 50 frames at 25 fps), so slice j's middle is at
    (j + 0.5) * 4 / N s, and the frame nearest it is within half a frame of it."""
    ffmpeg("-i", str(folder / "b.ts"), "-c", "copy", "-output_ts_offset", "60", str(folder / "b60s.ts"))
    forward = folder / "forward-samples.ts"
    forward.write_bytes((folder / "a.ts").read_bytes() + (folder / "b60s.ts").read_bytes())
    n = 16
    for path in (joined_ts, forward):
        runs = [streamprint.fingerprint(path, sampling=Sampling.samples(n), colors=3, threads=t) for t in (1, 2, 8)]
        assert len({to_json(fp) for fp in runs}) == 1, path.name
        fp = runs[0]
        times = fp.times
        assert len(fp) == n and np.all(np.diff(times) > 0), (path.name, times)
        assert fp.source.duration == pytest.approx(4.0, abs=0.1), path.name
        assert np.abs(times - (np.arange(n) + 0.5) * 4.0 / n).max() <= 0.02 + 1e-9, (path.name, times)
        second = [s for s in fp.samples if s.time >= 2.0]
        assert len(second) == n // 2 and all(s.palette.mean[2] > s.palette.mean[0] for s in second)
        assert fp.decode.discontinuities == 1


def test_joined_length_from_packets():
    """Packets in decode order, one tick = one frame of 0.04 s: 10 frames with B-frames (pts
    reordered, dts two frames behind), then a reset to 5 frames (dts one frame behind), then a
    jump 100 s forward to 3 more. The timeline puts each part right after the one before:
    10 + 5 + 3 frames, 0.72 s, two discontinuities."""
    a_pts = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8]
    b_pts = [0, 2, 1, 4, 3]
    c_pts = [2500, 2502, 2501]
    packets = ([(p, d - 2) for p, d in zip(a_pts, range(10))] + [(p, d - 1) for p, d in zip(b_pts, range(5))]
               + [(p, 2499 + d) for p, d in zip(c_pts, range(3))])
    length, jumps = joined_length(packets, 0.04, 0.0, 0.04, jumps_forward=True)
    assert jumps == 2 and length == pytest.approx(18 * 0.04)
    length, jumps = joined_length(packets[:15], 0.04, None, 0.04, jumps_forward=False)
    assert jumps == 1 and length == pytest.approx(15 * 0.04)
    assert joined_length([(None, None)], 0.04, 0.0, 0.04, True) == (None, 0)


# --- keyframes only (--fast) ---------------------------------------------------------------------

def test_keyframes_of_a_joined_ts_have_the_frame_numbers_and_times_of_decoding_everything(joined_ts):
    """Keyframes only: the decoder never delivers the frames between keyframes, so where the
    timestamps restart the previous part's end must come from its packets: the truth is the
    clip's construction, 2 s + 2 s at 25 fps with a keyframe every 25 frames, on one timeline
    (frames 0, 25 | 50, 75 at 0, 1 | 2, 3 s), whatever the threads."""
    runs = [streamprint.fingerprint(joined_ts, sampling=Sampling.keyframes(), colors=3, threads=n) for n in (1, 2, 8)]
    assert len({to_json(fp) for fp in runs}) == 1
    fp = runs[0]
    assert [s.frame for s in fp.samples] == [0, 25, 50, 75]
    assert np.allclose(fp.times, [0.0, 1.0, 2.0, 3.0], atol=1e-6)
    assert fp.decode.discontinuities == 1


@needs_ffprobe
@pytest.mark.parametrize("sampling", [Sampling.every(1), Sampling.keyframes()], ids=["every-1", "keyframes"])
def test_the_warning_of_a_jump_names_the_frame_it_is_at(joined_ts, folder, sampling, caplog):
    """The jump comes after the first part's frames (ffprobe's count of a.ts), in every mode:
    with keyframes only the warning named the count of keyframes delivered (frame 2)."""
    first = len(ffprobe_times(folder / "a.ts"))
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        streamprint.fingerprint(joined_ts, sampling=sampling, colors=3)
    jumps = [r.getMessage() for r in caplog.records if "timestamps jump" in r.getMessage()]
    assert len(jumps) == 1 and f" at frame {first}:" in jumps[0], jumps


@needs_ffprobe
def test_keyframes_of_a_ts_with_long_gops_are_not_discontinuities(folder):
    """An MPEG-TS whose keyframes are 11 s apart (x264's default keyint of 250 is 10.4 s at
    24 fps; a static picture has no scene cut to add any): keyframes only, the gap between two
    delivered frames is longer than a discontinuity's threshold, yet nothing jumped. Truth:
    ffprobe's key frames and their best-effort timestamps."""
    path = folder / "longgop.ts"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "30", "-c:v", "libx264",
           "-x264-params", "keyint=275:min-keyint=275:scenecut=0", "-f", "mpegts", str(path))
    r = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame",
                        "-of", "csv=p=0", str(path)], check=True, capture_output=True, text=True, timeout=120)
    keys = [line.split(",")[0] == "1" for line in r.stdout.splitlines() if line.strip()]
    times = ffprobe_times(path)
    assert len(keys) == len(times) == 750
    truth = [(i, times[i]) for i in np.flatnonzero(keys)]
    assert [i for i, _ in truth] == [0, 275, 550]
    fp = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=2)
    assert [s.frame for s in fp.samples] == [i for i, _ in truth]
    assert np.allclose(fp.times, [t for _, t in truth], atol=1e-3)
    assert fp.decode.discontinuities == 0


def test_one_frame_and_more_samples_is_said_in_english(folder, tmp_path):
    """A one-frame movie with --samples 3 said "1 columns, not 3: the movie has 1 frames"."""
    path = folder / "one.mkv"
    synth.encode_clip(path, moving_frames(1, (64, 48)), 24)
    r = subprocess.run([sys.executable, "-m", "streamprint", str(path), str(tmp_path / "o.png"), "--samples", "3"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "WARNING" in line]
    assert len(said) == 1 and "1 column, not 3: the movie has 1 frame, so 2 " in said[0], said
