"""Live streams (--flush): every output rewritten whole while the input runs, an interrupt
that keeps everything seen, flat memory (compact samples) and flushes whose cost does not
grow with the stream (a strip kept at --width, data written incrementally)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import Fingerprint, RenderOptions, Sampling, interrupt, params
from streamprint.formats.fingerprint import GrowingDataFile, fingerprint_to_dict, to_csv, to_json
from streamprint.formats.values import sample_json, sample_to_dict
from streamprint.model import Palette, Sample, SampleStore, SourceInfo
from streamprint.outputs import RunOutputs

from .conftest import run_cli

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None and os.environ.get("CI") != "true",
                                  reason="needs the ffmpeg CLI (apt-get install ffmpeg)")

LAVFI = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-f", "lavfi", "-i",
         "testsrc2=size=320x180:rate=25", "-f", "nut", "-"]


def _read_both(png, data) -> int | None:
    """The number of samples in the data file, after both files parsed completely; None
    while neither exists yet. Fails on a file that exists but does not parse."""
    if not (png.exists() and data.exists()):
        return None
    with Image.open(png) as im:
        im.load()
    return len(Fingerprint.load(data))


@needs_ffmpeg
def test_flush_on_a_real_time_stream_then_sigint(tmp_path):
    """FFmpeg's test source at real time through a pipe, --flush 2: every read of the PNG and
    the JSON parses and the count grows; SIGINT: exit 130 within 2 s, both outputs whole,
    holding the samples up to within 2 s of the interrupt."""
    png, data = tmp_path / "live.png", tmp_path / "live.json"
    ff = subprocess.Popen(LAVFI, stdout=subprocess.PIPE)
    started = time.monotonic()
    sp = subprocess.Popen([sys.executable, "-m", "streamprint", "-", str(png), "--data", str(data), "--flush", "2",
                           "-q"], stdin=ff.stdout, stderr=subprocess.PIPE)
    ff.stdout.close()  # type: ignore[union-attr]
    counts = []
    try:
        while time.monotonic() - started < 11:
            n = _read_both(png, data)
            if n is not None:
                counts.append(n)
            time.sleep(0.05)
        stream_time = time.monotonic() - started  # -re: the stream runs at wall-clock speed
        sp.send_signal(signal.SIGINT)
        _, err = sp.communicate(timeout=30)
        took = time.monotonic() - started - stream_time
    finally:
        sp.kill()
        ff.kill()
        ff.wait()
    assert sp.returncode == 130, err
    assert took < 2.0, f"took {took:.2f} s to stop"
    line = err.decode().strip()
    assert "\n" not in line and "interrupted; kept" in line and f"{png} and {data}" in line, line
    assert len(counts) > 50 and len(set(counts)) >= 3 and counts == sorted(counts), counts
    fp = Fingerprint.load(data)
    with Image.open(png) as im:
        # one column per sample, repeated to the least width of a strip (params.MIN_WIDTH)
        assert im.size == (len(fp) * -(-params.MIN_WIDTH // len(fp)), 200)
    assert len(fp) >= counts[-1] and fp.samples[-1].time >= stream_time - 2.0, (fp.samples[-1].time, stream_time)
    assert f"kept {len(fp)} samples" in line


@needs_ffmpeg
def test_sigterm_keeps_what_was_seen_too(tmp_path):
    png, data = tmp_path / "t.png", tmp_path / "t.json"
    ff = subprocess.Popen(LAVFI, stdout=subprocess.PIPE)
    started = time.monotonic()
    sp = subprocess.Popen([sys.executable, "-m", "streamprint", "-", str(png), "--data", str(data), "--flush", "1",
                           "--width", "100", "-q"], stdin=ff.stdout, stderr=subprocess.PIPE)
    ff.stdout.close()  # type: ignore[union-attr]
    time.sleep(5)
    stream_time = time.monotonic() - started
    sp.send_signal(signal.SIGTERM)
    _, err = sp.communicate(timeout=30)
    took = time.monotonic() - started - stream_time
    ff.kill()
    ff.wait()
    assert sp.returncode == 130 and took < 2.0, (err, took)
    fp = Fingerprint.load(data)
    assert fp.samples[-1].time >= stream_time - 2.0 and b"interrupted; kept" in err
    with Image.open(png) as im:
        assert im.size == (100, 200)


@needs_ffmpeg
def test_a_pipe_interrupted_without_flush_says_what_flush_would_have_kept(tmp_path):
    ff = subprocess.Popen(LAVFI, stdout=subprocess.PIPE)
    sp = subprocess.Popen([sys.executable, "-m", "streamprint", "-", str(tmp_path / "o.png"), "-q"], stdin=ff.stdout,
                          stderr=subprocess.PIPE)
    ff.stdout.close()  # type: ignore[union-attr]
    time.sleep(3)
    sp.send_signal(signal.SIGINT)
    _, err = sp.communicate(timeout=30)
    ff.kill()
    ff.wait()
    assert sp.returncode == 130 and not (tmp_path / "o.png").exists()
    assert b"nothing was written (with --flush SECONDS the outputs would have kept what was seen)" in err, err


@needs_ffmpeg
def test_fast_and_a_kept_width_on_live_input(tmp_path):
    """--fast reads a live stream too (keyframes: FFmpeg's default GOP of 12 frames), and
    --width keeps the strip at its width in every flush and at the end."""
    png, data = tmp_path / "fast.png", tmp_path / "fast.json"
    ff = subprocess.Popen(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25",
                           "-t", "20", "-f", "nut", "-"], stdout=subprocess.PIPE)
    r = run_cli("-", str(png), "--data", str(data), "--flush", "0.2", "--fast", "--width", "333", "-q", stdin=ff.stdout, timeout=120)
    ff.stdout.close()  # type: ignore[union-attr]
    ff.wait(timeout=30)
    assert r.returncode == 0, r.stderr
    fp = Fingerprint.load(data)
    assert [s.frame for s in fp.samples] == list(range(0, 500, 12))
    assert np.allclose(fp.times, np.arange(0, 500, 12) / 25)
    with Image.open(png) as im:
        assert im.size == (333, 200)


# ---- the library: flushing, the interrupt, the throttle ----------------------------------------------


def test_flush_gives_snapshots_that_grow_and_an_interrupt_ends_the_input(segments_clip):
    seen: list[Fingerprint] = []

    def stop_after_30(p):
        time.sleep(0.01)  # 30 samples take at least 0.3 s: flushes happen before the request
        if p.samples == 30:
            interrupt.request()

    try:
        fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(2), flush=seen.append, flush_every=0.1,
                                     progress=stop_after_30)
    finally:
        interrupt.clear()
    assert 30 <= len(fp) < 144, len(fp)  # ended by the request, not by the clip
    assert seen and all(len(a) <= len(b) for a, b in zip(seen, seen[1:]))
    first = seen[0]
    assert len(first) >= 1 and first.samples == fp.samples[:len(first)]  # a snapshot never changes


def test_flushing_takes_about_a_thirtieth_of_the_run(segments_clip):
    """A flush that takes 30 ms, asked for every 0.1 s (30 % of the time): flushes are spaced
    so that they take about 1/31 of the run (within one flush)."""
    calls: list[float] = []

    def slow(fp):
        calls.append(time.monotonic())
        time.sleep(0.03)

    began = time.monotonic()
    streamprint.fingerprint(segments_clip, sampling=Sampling.every(1), flush=slow, flush_every=0.1,
                            progress=lambda p: time.sleep(0.01))  # a run of about 3 s
    total = time.monotonic() - began
    assert len(calls) >= 3
    assert len(calls) * 0.03 <= total / 31 + 0.03, (len(calls), total)


def test_flushing_a_page_with_thumbnails_of_a_part_of_a_movie(segments_clip, tmp_path):
    """--flush with an .html output: each flush writes the whole page (the samples so far,
    their thumbnails, the part of the movie), the snapshots' thumbnails are of their own
    samples, and the run ends with the page, data and thumbnails of a run without flushing."""
    import re

    from streamprint import TimeRange

    page, data = tmp_path / "p.html", tmp_path / "p.json"
    out = RunOutputs(page, RenderOptions(format="html"), data, live=True)
    pages = []

    def flush(fp):
        out.flush(fp)
        pages.append((len(fp), fp.thumbnails, page.read_text()))

    def page_data(text):
        return json.loads(re.search(r'<script type="application/json" id="sp-data">(.*?)</script>', text).group(1))

    part = TimeRange(2, 10)
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(2), time_range=part, thumbnails=True,
                                 flush=flush, flush_every=0.1, progress=lambda p: time.sleep(0.02))
    out.write(fp)
    plain = streamprint.fingerprint(segments_clip, sampling=Sampling.every(2), time_range=part, thumbnails=True)
    assert fp.samples == plain.samples and fp.thumbnails == plain.thumbnails and len(fp.thumbnails) == len(fp)
    # the page grew: the first flush held part of the samples (the last may hold all of them,
    # when a flush fell due after the last sample)
    assert len(pages) >= 2 and pages[0][0] < len(fp)
    assert [n for n, _, _ in pages] == sorted(n for n, _, _ in pages)
    for i, (n, thumbs, text) in enumerate(pages + [(len(fp), fp.thumbnails, page.read_text())]):
        shown = page_data(text)
        assert len(shown["t"]) == n and shown["thumbs"]["i"] == list(thumbs.indices) == list(range(n))
        seconds = [int(h) * 3600 + int(m) * 60 + float(s) for h, m, s in (t.split(":") for t in shown["t"])]
        assert min(seconds) >= 2.0 and max(seconds) < 10.0  # times as shown, h:mm:ss
        # the part as far as it was read (a snapshot's last sample stood for the unread rest)
        end = re.search(r"<th>part</th><td>0:00:02 to 0:00:(\d\d(?:\.\d+)?) of the movie</td>", text)
        assert end and max(seconds) < float(end.group(1)) <= 10, (i, re.findall(r"<th>part</th><td>[^<]*", text))
        if i == len(pages):
            assert end.group(1) == "10"
    back = Fingerprint.load(data)
    assert back.time_range == part and back.thumbnails == fp.thumbnails and back.samples == fp.samples


# ---- incremental data, compact samples, columns by time -------------------------------------------


def random_samples(n: int, seed: int = 0) -> list[Sample]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        k = int(rng.integers(1, 6))
        w = rng.random(k) + 0.01
        mean = rng.integers(0, 256, 3, dtype=np.uint8) if rng.random() < 0.8 else None
        pal = Palette(rng.integers(0, 256, (k, 3), dtype=np.uint8), w / w.sum(), float(rng.random() * 100),
                      bool(rng.random() < 0.1), mean)
        out.append(Sample(3 * i + int(rng.integers(0, 3)), i * 0.5 + float(rng.random()) * 0.1, pal))
    return out


INFO = SourceInfo("live", "nut", "h264", 320, 180, 320, 25.0, None, None, "yuv420p", None, None, None)


def test_sample_json_is_the_standard_encoder_s():
    for s in random_samples(200, seed=1):
        assert sample_json(s) == json.dumps(sample_to_dict(s), indent=1)


@pytest.mark.parametrize("name", ["live.json", "live.csv"])
def test_a_growing_data_file_is_the_file_written_whole(tmp_path, name):
    """Every version equals what write_fingerprint writes for the same fingerprint (and the
    JSON equals the standard library's indented dump), while only new samples are encoded;
    with a part of a movie and thumbnails (after the samples in JSON) in some versions."""
    from streamprint import Thumbnails, TimeRange
    from streamprint.thumbnails import encode_thumbnail

    samples = random_samples(300)
    store = SampleStore(5)
    path = tmp_path / name
    growing = GrowingDataFile(path)
    picture = encode_thumbnail(np.full((9, 16, 3), 200, np.uint8))
    for stop in (1, 2, 50, 50, 51, 299, 300):
        while len(store) < stop:
            store.append(samples[len(store)])
        thumbs = Thumbnails(tuple(range(0, stop, 2)), (picture,) * len(range(0, stop, 2))) if stop % 2 else None
        fp = Fingerprint(INFO, streamprint.Options(), store.view(), thumbnails=thumbs,
                         time_range=TimeRange(0, 1000) if stop > 50 else TimeRange())
        growing.write(fp, sync=stop == 300)
        text = path.read_text()
        assert text == (to_csv(fp) if name.endswith(".csv") else to_json(fp))
        if name.endswith(".json"):
            assert text == json.dumps(fingerprint_to_dict(fp), indent=1) + "\n"
        assert Fingerprint.load(path) == fp
    growing.close()
    # a fingerprint that is not the continuation of the last one is written whole
    other = Fingerprint(INFO, streamprint.Options(), samples[:7])
    GrowingDataFile(path).write(other)
    assert Fingerprint.load(path) == other


@pytest.mark.parametrize("name", ["live.json", "live.csv"])
@pytest.mark.parametrize("others", [300, 3])
def test_a_data_file_written_over_in_place_mid_run_is_written_whole_again(tmp_path, name, others):
    """Another streamprint data file copied over the live one mid-run, into the same file
    (``cp`` keeps the inode), larger or smaller than it: the next flush is still exactly the
    file written whole (the samples written before used to be copied from the file at the
    path, which held the other one's bytes by then: invalid JSON, or the run died with
    "cannot copy the data written before")."""
    samples = random_samples(200)
    other = tmp_path / ("other" + name[4:])
    Fingerprint(INFO, streamprint.Options(), random_samples(others, seed=5)).save(other)
    store = SampleStore(5)
    out = RunOutputs(tmp_path / "live.png", RenderOptions(width=50, height=10), tmp_path / name, live=True)
    data = tmp_path / name
    for stop in (50, 120, 121, 200):
        while len(store) < stop:
            store.append(samples[len(store)])
        fp = Fingerprint(INFO, streamprint.Options(), store.view())
        out.write(fp, final=stop == 200)
        text = data.read_text()
        assert text == (to_csv(fp) if name.endswith(".csv") else to_json(fp))
        assert Fingerprint.load(data) == fp
        inode = data.stat().st_ino
        shutil.copyfile(other, data)  # in place, as cp does
        assert data.stat().st_ino == inode


def test_samples_are_compact_and_views_do_not_change():
    samples = random_samples(2 * 4096)  # two chunks, full
    store = SampleStore(5)
    store.extend(samples[:100])
    view = store.view()
    store.extend(samples[100:])
    assert len(view) == 100 and view == tuple(samples[:100]) and view[-1] == samples[99]
    whole = store.view()
    assert whole == samples and list(whole[4090:4100]) == samples[4090:4100]
    assert np.array_equal(whole.times, [s.time for s in samples])
    held = sum(getattr(c, name).nbytes for c in store._chunks for name in c.__slots__)
    assert held / len(samples) <= 90, held / len(samples)  # bytes a sample, at 5 colours


def test_a_day_long_live_strip_shows_each_shot_for_its_time():
    """Three hours at one sample a second in shots of 10 minutes, each its own colour, fed
    a minute at a time: the strip stays 100 px wide with at most 200 buckets, and every
    column shows the shot playing at its middle time (but where a shot boundary falls
    within a pixel of it)."""
    from streamprint.render.live import LiveStrip

    rng = np.random.default_rng(2)
    shots = rng.integers(0, 256, (18, 3), dtype=np.uint8)
    palettes = [Palette(shots[i][None], np.array([1.0])) for i in range(18)]
    store = SampleStore(1)
    strip = LiveStrip(RenderOptions(width=100, height=4, style="dominant"))
    for t in range(3 * 3600):
        store.append(Sample(t, float(t), palettes[t // 600]))
        if t % 60 == 59:
            image = strip.draw(Fingerprint(INFO, streamprint.Options(), store.view()))
            assert image.shape == (4, 100, 3) and len(strip.palettes) <= 200
    end = 3 * 3600.0
    for x in range(100):
        middle = (x + 0.5) * end / 100
        if abs(middle - round(middle / 600) * 600) > end / 100:
            assert tuple(image[0, x]) == tuple(shots[int(middle // 600)]), x


def test_a_live_strip_keeps_its_width_and_shows_each_sample_for_its_time(tmp_path):
    """Solid one-colour samples at uneven times: each column of the kept-width strip has the
    colour of the sample whose time it covers."""
    times = [0.0, 1.0, 5.0, 6.0, 10.0]
    colors = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255)]
    samples = [Sample(i, t, Palette(np.array([c], np.uint8), np.array([1.0]))) for i, (t, c) in
               enumerate(zip(times, colors))]
    fp = Fingerprint(INFO, streamprint.Options(), samples)  # duration unknown: the last lasts the median gap
    out = RunOutputs(tmp_path / "s.png", RenderOptions(width=120, height=10), live=True)
    out.write(fp)
    strip = np.asarray(Image.open(tmp_path / "s.png"))
    assert strip.shape == (10, 120, 3)
    end = 10.0 + float(np.median(np.diff(times)))  # 12.5 s
    for x in range(120):
        t = (x + 0.5) * end / 120
        expect = colors[max(i for i, s in enumerate(times) if s <= t)]
        assert tuple(strip[5, x]) == expect, x


@pytest.mark.parametrize("style, order, fmt", [("stacked", "weight", "png"), ("dominant", "weight", "png"),
                                               ("average", "weight", "png"), ("smooth", "weight", "png"),
                                               ("stacked", "stable", "png"), ("stacked", "lightness", "svg"),
                                               ("ring", "weight", "png"), ("plot", "weight", "png")])
def test_a_live_picture_is_the_picture_of_the_whole_fingerprint(style, order, fmt):
    """One rule for a picture with a width (render.columns): while every bucket holds at
    most one sample, the live picture is, pixel for pixel (SVG: byte for byte), what drawing
    the whole fingerprint at that width gives, in every style."""
    from streamprint.render import draw
    from streamprint.render.live import LiveStrip
    from streamprint.render.output import _picture

    rng = np.random.default_rng(7)
    times = np.cumsum(rng.uniform(1.0, 3.0, 40))  # gaps of 1 s at least: buckets end up under 1 s
    samples = [Sample(i, float(t), s.palette) for i, (t, s) in enumerate(zip(times, random_samples(40, seed=3)))]
    store = SampleStore(5)
    options = RenderOptions(width=240, height=90, style=style, order=order, format=fmt)
    strip = LiveStrip(options)
    for i, sample in enumerate(samples):
        store.append(sample)
        if i % 7 == 6:
            strip.draw(Fingerprint(INFO, streamprint.Options(), store.view()))
    fp = Fingerprint(INFO, streamprint.Options(), store.view())
    live = strip.draw(fp, final=True)
    assert len(np.unique(strip.sample[strip.sample >= 0])) == len(samples)  # a bucket per sample
    if fmt == "svg":
        assert live == _picture(fp, options, options.format)
    else:
        whole = draw(fp, dataclasses.replace(options, format="png"))
        live = np.asarray(Image.open(io.BytesIO(live)).convert("RGB")) if isinstance(live, bytes) else live
        assert live.shape == whole.shape and np.array_equal(live, whole)


def test_decoded_frames_are_freed_without_the_cyclic_collector(segments_clip):
    """Memory stays flat only if every decoded frame is freed when dropped: no reference
    cycle may hold one (PyAV's ``frame.side_data`` made one, and 1080p frames piled up by
    the hundred megabytes between the collector's rare full runs)."""
    import gc

    import av

    gc.collect()
    gc.disable()
    try:
        streamprint.fingerprint(segments_clip, sampling=Sampling.every(1))
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        cycled = [o for o in gc.garbage if isinstance(o, av.VideoFrame)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert cycled == []


# ---- the flush schedule: set-up is not a flush's cost, a slow rewrite is said ----------------------


def _timed_flushes(segments_clip, costs, flush_every=0.1):
    """Run with a flush whose n-th call takes ``costs(n)`` s; (start, end) of each call and
    the warnings logged."""
    import logging

    calls: list[tuple[float, float]] = []
    warnings: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                warnings.append(record.getMessage())

    def flush(fp):
        began = time.monotonic()
        time.sleep(costs(len(calls)))
        calls.append((began, time.monotonic()))

    logger = logging.getLogger("streamprint")
    handler, level = Catch(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)  # a CLI run in this process may have set it (-q: errors only)
    try:
        streamprint.fingerprint(segments_clip, sampling=Sampling.every(2), flush=flush, flush_every=flush_every,
                                progress=lambda p: time.sleep(0.015))  # 144 samples: over 2 s
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return calls, warnings


def test_the_first_flush_s_set_up_does_not_put_off_the_next(segments_clip):
    """The first flush also pays for set-up once (importing the renderer: 0.8 s for the plot
    style, whose next flush then came 25 s later): it is charged at most what the second
    costs, so with cheap flushes the outputs are rewritten every flush_every seconds."""
    calls, warnings = _timed_flushes(segments_clip, lambda n: 0.5 if n == 0 else 0.002)
    assert len(calls) >= 8, calls
    gaps = [b[0] - a[1] for a, b in zip(calls, calls[1:])]
    # Charged in full, the first flush's 0.5 s put the second 31 x 0.5 = 15.5 s after the
    # start; 2 s leaves room for a loaded machine and still catches that.
    assert max(gaps) < 2.0, gaps
    assert warnings == []


def test_a_rewrite_over_a_second_is_said_once(segments_clip):
    calls, warnings = _timed_flushes(segments_clip, lambda n: 1.05 if n == 1 else 0.0)
    assert len(calls) >= 2
    assert len(warnings) == 1 and re.match(r"rewriting the outputs took 1\.\d s at \d+ samples: the next rewrite "
                                           r"comes \d+ s after this one, not 0.1 s", warnings[0]), warnings


# ---- an interrupt in the middle of a frame ---------------------------------------------------------


def test_a_frame_cut_short_by_the_interrupt_is_dropped(tmp_path):
    """Raw frames from a pipe (``--raw 64x36``), each one solid colour, interrupted half-way
    through frame 40 (the writer waits until all it wrote was read, then the interrupt comes
    as the CLI's SIGINT handler makes it): frames 0-39 are all kept, each with its own
    colour, and the half frame is dropped (it ended the run with "the raw frames do not
    fit", leaving only what the last flush had written)."""
    import fcntl
    import struct
    import termios
    import threading

    colours = [((7 * i) % 200 + 40, (13 * i) % 180 + 60, 250 - 3 * i) for i in range(41)]
    frame_bytes = 64 * 36 * 3
    data = b"".join(bytes(c) * (64 * 36) for c in colours)[:40 * frame_bytes + frame_bytes // 2]
    fifo = tmp_path / "raw.fifo"
    os.mkfifo(fifo)
    done = threading.Event()

    def write() -> None:
        fd = os.open(fifo, os.O_WRONLY)  # waits for the reader
        try:
            os.write(fd, data)
            while struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]:
                time.sleep(0.01)
            time.sleep(0.3)  # the demuxer waits for the rest of frame 40
            interrupt.request()
            done.wait(30)
        finally:
            os.close(fd)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        fp = streamprint.fingerprint(fifo, format="rawvideo", sampling=Sampling.every(1), flush=lambda fp: None,
                                     demuxer_options={"video_size": "64x36", "pixel_format": "rgb24",
                                                      "framerate": "25"})
    finally:
        done.set()
        writer.join(5)
        interrupt.clear()
    assert [s.frame for s in fp.samples] == list(range(40))
    assert all(tuple(s.palette.mean) == colours[s.frame] for s in fp.samples)


def test_an_error_after_the_interrupt_keeps_the_last_flush(segments_clip, tmp_path, monkeypatch, capsys):
    """With --flush, a read the interrupt cuts short may end in an error after the outputs were
    written: the command says what the last flush kept (exit code 130), not "nothing was written",
    and the files are there."""
    import streamprint.pipeline
    from streamprint._cli.dispatch import main
    from streamprint.errors import CorruptInputError

    real = streamprint.fingerprint(segments_clip, sampling=Sampling.interval(1.0), colors=3)

    def flushed_then_failed(path, *, flush, **kwargs):
        flush(real)
        interrupt.request()
        raise CorruptInputError("standard input: 200 damaged packets in a row after 288 frames; giving up")

    monkeypatch.setattr(streamprint.pipeline, "fingerprint", flushed_then_failed)
    out, data = tmp_path / "live.png", tmp_path / "live.json"
    try:
        code = main([str(segments_clip), str(out), "--data", str(data), "--flush", "5", "-q"])
    finally:
        interrupt.clear()
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 130
    assert err == [f"streamprint: interrupted; kept 12 samples, 0:00:00 to 0:00:11, in {out} and {data}"]
    assert Image.open(out).size[0] > 0 and len(json.loads(data.read_text())["samples"]) == 12


def test_a_snapshot_of_a_file_ends_where_the_reading_got(segments_clip):
    """``--flush`` on a file: each snapshot's last sample stood for the whole unread rest of
    the movie (its span ran to the file's end), so a stopped run's picture and palette were
    mostly that one frame. A snapshot's time now ends where the frames read so far end; the
    finished fingerprint covers the whole movie."""
    seen: list[Fingerprint] = []

    def slowly(p):
        time.sleep(0.01)

    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(2), flush=seen.append, flush_every=0.1,
                                 progress=slowly)
    step = 2 / fp.source.frame_rate
    partial = [s for s in seen if len(s) < len(fp)]
    assert partial, "no snapshot before the end"
    for snap in partial:  # (the last ones may come once the reading has ended, the clusterer behind)
        assert snap.spans()[-1] <= step * 12, (len(snap), snap.spans()[-1])  # the decoder runs a few frames ahead
    assert any(snap.time_range.end is not None and snap.time_range.end < fp.source.duration for snap in partial)
    assert fp.time_range.whole


def test_a_slow_low_rate_stream_is_fingerprinted_as_it_comes(tmp_path):
    """A live stream of few bytes a second (a small camera picture, a timelapse) was not read
    at all until 64 KiB had come, what the format sniffing read ahead: 10 s of 32x18 y4m at
    4 fps (35 KB) showed no --flush output until the stream ended. Sniffing stops as soon as
    the head tells (not MP4, or MP4 whose index comes first or last)."""
    w, h, n = 32, 18, 40
    header = f"YUV4MPEG2 W{w} H{h} F4:1 Ip A1:1 C420jpeg\n".encode()
    frame = b"FRAME\n" + bytes([81]) * (w * h) + bytes([90]) * (w * h // 2)
    data, png = tmp_path / "live.json", tmp_path / "live.png"
    sp = subprocess.Popen([sys.executable, "-m", "streamprint", "-", str(png), "--every", "1", "--data", str(data),
                           "--flush", "0.2", "-q"], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = None
    try:
        sp.stdin.write(header)  # type: ignore[union-attr]
        for i in range(n):
            sp.stdin.write(frame)  # type: ignore[union-attr]
            sp.stdin.flush()  # type: ignore[union-attr]
            time.sleep(0.25)
            if seen is None and data.exists():
                seen = (i, len(Fingerprint.load(data)))
    finally:
        sp.stdin.close()  # type: ignore[union-attr]
        err = sp.stderr.read()  # type: ignore[union-attr]
        sp.wait(timeout=60)
    assert sp.returncode == 0, err
    assert seen is not None and seen[1] >= 1, "no output while the stream ran"
    assert len(Fingerprint.load(data)) == n


def test_a_file_stopped_with_flush_ends_where_the_reading_got(tmp_path, long_clip):
    """A 60-s file read with --flush and stopped by SIGINT: the snapshots ended where the
    reading got, but the last write, the one the interrupt leaves, stated the whole minute,
    so the strip (drawn by time) showed the last sample over the 50 s never read. Its end is
    the last frame read's end: the last sample's time plus the few frames decoded ahead
    of the clustering (under half a second here)."""
    png, data = tmp_path / "f.png", tmp_path / "f.json"
    sp = subprocess.Popen([sys.executable, "-m", "streamprint", str(long_clip), str(png), "--data", str(data),
                           "--every", "1", "--flush", "0.3", "--width", "600", "-q"], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while (_read_both(png, data) or 0) < 24 and time.monotonic() < deadline:
            time.sleep(0.05)
        sp.send_signal(signal.SIGINT)
        _, err = sp.communicate(timeout=30)
    finally:
        sp.kill()
    assert sp.returncode == 130, err
    fp = Fingerprint.load(data)
    last = fp.samples[-1].time
    assert last < 50 and last < fp.time_range.end < last + 0.5, (last, fp.time_range)
    # The strip is the data's, drawn by time to that end: the last sample's column is its
    # share of the time read, a few px of 600 (drawn to the minute, it was hundreds). (The
    # clip's 15-s shots make the columns of one shot alike, so the last column's own width
    # is only seen in the strip while the reading is in the first shot: a loaded machine
    # may let it read further before the interrupt comes.)
    redrawn = tmp_path / "again.png"
    assert run_cli("render", str(data), str(redrawn), "--width", "600", "-q").returncode == 0
    with Image.open(png) as im, Image.open(redrawn) as again:
        strip = np.asarray(im.convert("RGB"))
        assert np.array_equal(strip, np.asarray(again.convert("RGB")))
    if last < 14:
        row = strip[100]
        assert (row == row[-1]).all(axis=1)[::-1].argmin() < 600 * 0.5 / last + 2


def test_a_part_stopped_mid_run_ends_where_the_reading_got(segments_clip):
    """--start/--end with --flush, stopped by an interrupt: the snapshots and the last
    write said the whole part (to its end, past where the reading got), so the last sample
    was drawn over the rest never read. They end where the last frame read ends (one frame
    after the last sample at least, and at most the few frames the decoder runs ahead of the
    clustering, every frame sampled), as a whole movie's do."""
    from streamprint.model import TimeRange

    seen: list[Fingerprint] = []

    def stop_after_20(p):
        time.sleep(0.01)
        if p.samples == 20:
            interrupt.request()

    try:
        fp = streamprint.fingerprint(segments_clip, sampling=Sampling.every(1), time_range=TimeRange(1.0, 5.0),
                                     flush=seen.append, flush_every=0.1, progress=stop_after_20)
    finally:
        interrupt.clear()
    assert 20 <= len(fp) < 96, len(fp)  # (96 frames in the part)
    for got in [*seen, fp]:
        frame = 1 / got.source.frame_rate
        assert got.time_range.start == 1.0
        last = float(got.times[-1]) + frame
        assert last - 1e-6 <= got.time_range.end <= last + 1.0, (len(got), got.time_range)
