#!/usr/bin/env python3
"""A day of a live stream through ``--flush``, in a few minutes: memory and flushing cost.

24 hours of stream time at one frame per second (86,400 frames of 32x18, y4m, made in code
while they are read: an in-process file object, so nothing is stored) go through
``streamprint.fingerprint`` at the default sampling (one sample per second) with the CLI's
live outputs (:class:`streamprint.outputs.RunOutputs`: a PNG strip kept at ``--width``
1920 px and a JSON data file, rewritten every ``--flush`` 2 s of wall-clock time).

The first hour is fed at 180 frames a second (20 s), so that when the 1-hour peak is
taken the outputs have been flushed as often as in a steady run (a real stream would have
flushed 1,800 times by then), then the rest as fast as it goes.

Reported: peak RSS (VmHWM) of this process when the stream reaches 1, 6 and 24 hours;
the share of the run's wall time spent in flushes (the run goes about 1,500 times faster
than real time, so each flush also encodes the thousands of samples that came since the
last one: flushes are spaced so that they take about 1/31 of the run, see
``streamprint.pipeline.flushing.FLUSH_COST_RATIO``); and what one flush costs at 1, 6 and 24 hours
in real time, where one or two samples come between flushes (the median of three flushes
of one new sample each onto the outputs of a run that long), and the share of one core a
flush every 2 s then takes. The run's time is from the first read to the last write.

With ``--thumbnails`` the run keeps thumbnails too (at most 4,096, thinned as it grows) and
the data file carries them.

    python benchmarks/bench_live.py [--hours 24] [--flush 2] [--width 1920] [--thumbnails] [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

W, H = 32, 18
#: Seconds per shot; each shot is a colour field with a square gliding across it.
SHOT = 37


class Y4mStream(io.RawIOBase):
    """``frames`` frames of a 32x18 4:2:0 y4m stream at 1 fps, made as they are read; the
    first ``paced`` frames no faster than ``rate`` a second."""

    def __init__(self, frames: int, paced: int = 0, rate: float = 180.0) -> None:
        self.frames, self.made = frames, 0
        self.paced, self.rate, self.began = paced, rate, time.perf_counter()
        self.buffer = bytearray(f"YUV4MPEG2 W{W} H{H} F1:1 Ip A1:1 C420jpeg\n".encode())
        rng = np.random.default_rng(5)
        self.colors = rng.integers(16, 240, size=(97, 3)).astype(np.uint8)  # Y, Cb, Cr of each shot

    def _frame(self, i: int) -> bytes:
        shot, k = divmod(i, SHOT)
        y, cb, cr = self.colors[shot % len(self.colors)]
        ya = np.full((H, W), y, np.uint8)
        x = (k * (W - 8)) // SHOT
        ya[5:13, x:x + 8] = 255 - y
        c = np.full((H // 2, W // 2), cb, np.uint8).tobytes() + np.full((H // 2, W // 2), cr, np.uint8).tobytes()
        return b"FRAME\n" + ya.tobytes() + c

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def]
        while len(self.buffer) < len(b) and self.made < self.frames:
            if self.made < self.paced:
                time.sleep(max(0.0, self.began + self.made / self.rate - time.perf_counter()))
            self.buffer += self._frame(self.made)
            self.made += 1
        n = min(len(b), len(self.buffer))
        b[:n] = self.buffer[:n]
        del self.buffer[:n]
        return n


def status(key: str) -> float:
    """A /proc/self/status value in MiB (VmHWM: peak RSS; VmRSS: now)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/self/status")


def run(hours: float, flush_every: float, width: int | None, thumbnails: bool = False) -> dict:
    from streamprint import RenderOptions, fingerprint
    from streamprint.outputs import RunOutputs

    frames = round(hours * 3600)
    marks = {h: None for h in (1.0, 6.0, 24.0) if h <= hours} | {hours: None}
    flushes: list[tuple[float, int, float]] = []  # (stream seconds, samples, cost)
    with tempfile.TemporaryDirectory() as d:
        outputs = RunOutputs(Path(d) / "live.png", RenderOptions(width=width), Path(d) / "live.json", live=True)

        def flush(fp) -> None:  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            outputs.flush(fp)
            flushes.append((t - began, len(fp), time.perf_counter() - t))

        def progress(p) -> None:  # type: ignore[no-untyped-def]
            for h, seen in marks.items():
                if seen is None and p.time >= h * 3600 - 1:
                    marks[h] = {"peak_rss_mib": status("VmHWM"), "rss_mib": status("VmRSS"),
                                "wall_seconds": time.perf_counter() - began, "samples": p.samples}

        began = time.perf_counter()
        fp = fingerprint(Y4mStream(frames, paced=min(frames, 3600)), format="yuv4mpegpipe", flush=flush,
                         flush_every=flush_every, progress=progress, thumbnails=thumbnails)
        t = time.perf_counter()
        outputs.write(fp)
        final = time.perf_counter() - t
        total = time.perf_counter() - began
        peak_after_final = status("VmHWM")
        sizes = {p.name: p.stat().st_size for p in Path(d).iterdir()}
        from PIL import Image

        with Image.open(Path(d) / "live.png") as im:
            image_size = im.size
        real_time = {h: flush_cost(fp, round(h * 3600), width, Path(d)) for h in marks}
    spent = sum(c for _, _, c in flushes) + final
    hour = marks[min(marks)]["wall_seconds"]  # type: ignore[index]
    later = sum(c for t, _, c in flushes if t >= hour) + final

    return {
        "hours": hours, "frames": frames, "samples": len(fp), "flush_every": flush_every, "width": width,
        "thumbnails": None if fp.thumbnails is None else len(fp.thumbnails),
        "run_seconds": total, "flushes": len(flushes), "flush_seconds": spent, "flush_share": spent / total,
        "after_first_hour": {"run_seconds": total - hour, "flush_seconds": later, "flush_share": later / (total - hour),
                             "flushes": sum(1 for t, _, _ in flushes if t >= hour)},
        "final_write_seconds": final, "peak_rss_after_final_mib": peak_after_final,
        "marks": {f"{h:g}h": dict(m or {}, flush_wall_seconds=real_time[h][0], flush_cpu_seconds=real_time[h][1])
                  for h, m in marks.items()},
        "output_bytes": sizes, "image_size": list(image_size),
    }


def flush_cost(fp, n: int, width: int | None, folder: Path) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Seconds a flush takes when one sample came since the last one, the outputs holding
    ``n`` samples of ``fp`` (median of three): wall-clock, and CPU (this thread's, the
    kernel's copying and freeing included). Each snapshot is made as the pipeline makes
    one, its movie palette computed (from the colour sums the run kept) and its
    thumbnails those of its samples."""
    import dataclasses

    from streamprint import RenderOptions, Thumbnails
    from streamprint.outputs import RunOutputs

    def first(m: int):  # type: ignore[no-untyped-def]
        thumbs = fp.thumbnails
        if thumbs is not None:
            kept = [i for i, j in enumerate(thumbs.indices) if j < m]
            thumbs = Thumbnails(tuple(thumbs.indices[i] for i in kept), tuple(thumbs.images[i] for i in kept))
        return dataclasses.replace(fp, samples=fp.samples.first(m), movie_palette=None, thumbnails=thumbs)

    outputs = RunOutputs(folder / "rt.png", RenderOptions(width=width), folder / "rt.json", live=True)
    outputs.flush(first(n - 3))
    wall, cpu = [], []
    for m in (n - 2, n - 1, n):
        snapshot = first(m)
        t, c = time.perf_counter(), time.thread_time()
        outputs.flush(snapshot)
        wall.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
    outputs.close()
    return statistics.median(wall), statistics.median(cpu)


def report(r: dict) -> str:
    rows = ["| stream time | peak RSS MiB | RSS now MiB | samples | a flush in real time: wall ms | CPU ms | "
            "a flush every 2 s: share of a core |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for h, m in r["marks"].items():
        rows.append(f"| {h} | {m['peak_rss_mib']:.1f} | {m['rss_mib']:.1f} | {m['samples']} | "
                    f"{m['flush_wall_seconds'] * 1000:.1f} | {m['flush_cpu_seconds'] * 1000:.1f} | "
                    f"{m['flush_cpu_seconds'] / 2 * 100:.2f} % |")
    first, last = r["marks"]["1h"], list(r["marks"].values())[-1]
    rows.append("")
    rows.append(f"peak RSS at {list(r['marks'])[-1]} / at 1h: {last['peak_rss_mib'] / first['peak_rss_mib']:.3f} "
                f"(after the final write: {r['peak_rss_after_final_mib'] / first['peak_rss_mib']:.3f}); "
                f"flushing: {r['flush_seconds']:.2f} s of {r['run_seconds']:.1f} s "
                f"({r['flush_share'] * 100:.2f} %, {r['flushes']} flushes and the final write, "
                f"{r['final_write_seconds'] * 1000:.0f} ms); after the paced first hour: "
                f"{r['after_first_hour']['flush_seconds']:.2f} s of {r['after_first_hour']['run_seconds']:.1f} s "
                f"({r['after_first_hour']['flush_share'] * 100:.2f} %, {r['after_first_hour']['flushes']} flushes); "
                f"outputs {r['output_bytes']}, strip {r['image_size']}")
    return "\n".join(rows)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--flush", type=float, default=2.0, help="flush every SECONDS of wall-clock time")
    p.add_argument("--width", type=int, default=1920, help="the live strip's width (0: one column per sample)")
    p.add_argument("--thumbnails", action="store_true", help="keep thumbnails too (in the data file)")
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    r = run(args.hours, args.flush, args.width or None, args.thumbnails)
    r["machine"] = {"python": platform.python_version(), "processor": platform.processor() or platform.machine()}
    print(report(r))
    if args.json:
        args.json.write_text(json.dumps(r, indent=1) + "\n")


if __name__ == "__main__":
    main()
