#!/usr/bin/env python3
"""What tone mapping costs on a 4K HEVC 10-bit HDR10 clip, ``--every 1`` (every frame converted).

The clip is made by code (cached in benchmarks/.cache): 5 s of 3840x2160 24 fps, a moving
colour ramp and bars under film grain that changes every frame, libx265 Main 10
(ultrafast, crf 20: about 10 Mbit/s), tagged PQ / BT.2020 NCL, limited range, MaxCLL 1000. ``--grain 0``
gives a clip that is far cheaper to decode than real 4K HDR (about 1 Mbit/s): there the
same per-frame cost of tone mapping is a larger share. Runs: ``streamprint CLIP out.png --every 1 -q`` with
``--tonemap auto`` (PQ -> SDR: swscale to 16-bit Y'CbCr at 160x90, then the tone curve in
numpy) and ``--tonemap off`` (swscale to rgb24 at 160x90), each in its own process,
interleaved over the rounds; the ratio auto / off is taken within a round, then the median.
Wall time is the whole process (start, decode, convert, cluster, PNG).

    python benchmarks/bench_hdr4k.py [--rounds 5] [--seconds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
CACHE = HERE / ".cache"
ROOT = HERE.parent


def make_clip(seconds: int, path: Path, grain_level: int = 24, crf: int = 20) -> Path:
    """A PQ-tagged 4K HEVC Main 10 clip: a drifting colour ramp and bars under grain."""
    if path.exists():
        return path
    w, h, fps = 3840, 2160, 24
    rng = np.random.default_rng(1)
    still = rng.integers(-12, 13, (h, w), dtype=np.int16)
    xs = np.arange(w, dtype=np.int32)[None, :]
    ys = np.arange(h, dtype=np.int32)[:, None]
    tmp = path.with_suffix(".part.mkv")
    with av.open(str(tmp), "w") as out:
        s = out.add_stream("libx265", rate=Fraction(fps), options={
            "preset": "ultrafast", "crf": str(crf),
            "x265-params": "log-level=error:max-cll=1000,400:hdr10=1:colorprim=bt2020:transfer=smpte2084:"
                           "colormatrix=bt2020nc"})
        s.width, s.height, s.pix_fmt = w, h, "yuv420p10le"
        cc = s.codec_context
        cc.colorspace, cc.color_range, cc.color_primaries, cc.color_trc = 9, 1, 9, 16
        for i in range(seconds * fps):
            grain = rng.integers(-grain_level, grain_level + 1, (h, w), dtype=np.int16) if grain_level else still
            y = (64 + ((xs + 12 * i) % w) * 700 // w + ys * 100 // h + grain).clip(64, 940).astype(np.uint16)
            cb = (512 + ((xs[:, ::2] // 480 + i // 24) % 4 - 2) * 90 + 0 * ys[::2]).astype(np.uint16)
            cr = (512 + ((ys[::2] // 270) % 4 - 2) * 80 + 0 * xs[:, ::2]).astype(np.uint16)
            frame = av.VideoFrame(w, h, "yuv420p10le")
            for plane, values in zip(frame.planes, (y, cb, cr)):
                buf = np.zeros((values.shape[0], plane.line_size // 2), np.uint16)
                buf[:, :values.shape[1]] = values
                plane.update(buf.tobytes())
            frame.colorspace, frame.color_range, frame.color_trc, frame.color_primaries = 9, 1, 16, 9
            frame.pts = i
            for p in s.encode(frame):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    tmp.rename(path)
    return path


def run(clip: Path, out: Path, tonemap: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the child process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "streamprint", str(clip), str(out), "--every", "1", "-q",
                    "--tonemap", tonemap, "--data", str(out.with_suffix(".json"))],
                   check=True, cwd=ROOT, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def conversion_ms(clip: Path, n: int = 24) -> dict[str, float]:
    """In one process, per decoded 4K frame, medians: the wall time of converting it to the
    160x90 analysis image, tone-mapped (``auto``) and plain rgb24 (``off``); and, as CPU time
    (all threads: libswscale runs its own), the same two (``cpu_auto``, ``cpu_off``) and the
    decoding (``cpu_decode``: the whole clip's, per frame), so tone mapping's share of a frame's work can be read without
    process start-up or other load on the machine in it."""
    from streamprint.source import VideoSource

    frames, count = [], 0
    with VideoSource(clip) as source:
        c = time.process_time()
        for frame in source.frames():  # every frame, kept for converting only the first n
            if count < n:
                frames.append(frame)
            count += 1
        decode = (time.process_time() - c) / count
    out = {"cpu_decode": 1000 * decode}
    for mode in ("off", "auto"):
        costs, cpu = [], []
        for f in frames:
            f.convert(160, mode)
            t, c = time.perf_counter(), time.process_time()
            f.convert(160, mode)
            costs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        out[mode] = 1000 * statistics.median(costs)
        out[f"cpu_{mode}"] = 1000 * statistics.median(cpu)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=int, default=5)
    p.add_argument("--crf", type=int, default=20, help="x265 quality (default 20: about 10 Mbit/s, the low end of 4K HDR streaming)")
    p.add_argument("--grain", type=int, default=24, help="film grain, +- 10-bit codes, new every frame (0: still)")
    p.add_argument("--json")
    a = p.parse_args()
    CACHE.mkdir(exist_ok=True)
    clip = make_clip(a.seconds, CACHE / f"hdr10-4k-{a.seconds}s-grain{a.grain}-crf{a.crf}.mkv", a.grain, a.crf)
    mbit = clip.stat().st_size * 8 / a.seconds / 1e6
    times: dict[str, list[float]] = {"off": [], "auto": []}
    cpu: dict[str, list[float]] = {"off": [], "auto": []}
    ratios, cpu_ratios = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(a.rounds):
            order = ("off", "auto") if r % 2 == 0 else ("auto", "off")
            got = {mode: run(clip, Path(tmp) / f"{mode}.png", mode) for mode in order}
            for mode, (wall, used) in got.items():
                times[mode].append(wall)
                cpu[mode].append(used)
            ratios.append(got["auto"][0] / got["off"][0])
            cpu_ratios.append(got["auto"][1] / got["off"][1])
        data = json.loads((Path(tmp) / "auto.json").read_text())
    frames = data["decode"]["frames"]
    print(f"4K HEVC Main 10 PQ, {a.seconds} s, {frames} frames, {mbit:.1f} Mbit/s, --every 1, "
          f"{a.rounds} interleaved rounds")
    print("| run | median wall s | wall ms / frame | median CPU s | CPU ms / frame |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for mode in ("off", "auto"):
        m, c = statistics.median(times[mode]), statistics.median(cpu[mode])
        print(f"| --tonemap {mode} | {m:.2f} | {1000 * m / frames:.1f} | {c:.2f} | {1000 * c / frames:.1f} |")
    print(f"auto / off, median of per-round ratios: wall {statistics.median(ratios):.3f} "
          f"(rounds: {', '.join(f'{x:.3f}' for x in ratios)}), CPU {statistics.median(cpu_ratios):.3f} "
          f"(rounds: {', '.join(f'{x:.3f}' for x in cpu_ratios)}); tone-mapped samples: {data['color']['tone_mapped']}")
    conv = conversion_ms(clip)
    print(f"conversion of one decoded frame to 160x90, median in one process: off {conv['off']:.2f} ms, "
          f"auto {conv['auto']:.2f} ms (+{conv['auto'] - conv['off']:.2f} ms = "
          f"{100 * (conv['auto'] - conv['off']) / (1000 * statistics.median(times['off']) / frames):.1f} % of "
          f"the --tonemap off wall time per frame)")
    extra = conv["cpu_auto"] - conv["cpu_off"]
    print(f"CPU per frame, medians in one process: decode {conv['cpu_decode']:.1f} ms, convert off "
          f"{conv['cpu_off']:.2f} ms, auto {conv['cpu_auto']:.2f} ms: tone mapping adds {extra:.2f} ms = "
          f"{100 * extra / (conv['cpu_decode'] + conv['cpu_off']):.1f} % of decoding and converting a frame")
    if a.json:
        Path(a.json).write_text(json.dumps({"frames": frames, "mbit_per_s": mbit, "seconds": times, "cpu_seconds": cpu,
                                            "ratios": ratios, "median_ratio": statistics.median(ratios),
                                            "cpu_ratios": cpu_ratios, "median_cpu_ratio": statistics.median(cpu_ratios),
                                            "conversion_ms": conv}, indent=1) + "\n")


if __name__ == "__main__":
    main()
