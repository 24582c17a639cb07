#!/usr/bin/env python3
"""The codec matrix (issue 15): streamprint against the decoder's own limit on each codec.

Clips: benchmarks/codec_clips.py (the realistic 60-s clip in H.264, HEVC 10-bit 4K, VP9, AV1,
MPEG-2, Xvid AVI; each encoder's default keyframe interval, measured and shown). Per clip, each
run in its own process, interleaved over several rounds (the machine is shared; ratios within
a round, then the median):

  decode   PyAV decoding every frame, no conversion, twice: with FFmpeg's own threading (AUTO,
           thread_count 0: FFmpeg's frame threads, one per core plus one; dav1d's own pool) and
           with the threading streamprint sets (source/codecs.py: two frame threads per core for
           h264, hevc and vp9); the faster of the two in each round is the limit
  default  streamprint's default sampling (in-process time, from opening the file)
  every    streamprint on every frame (in-process time)
  fast     `streamprint CLIP OUT.png --fast -q` timed as a whole process (imports included)
  start-up `python -c "import av, numpy, streamprint._cli.dispatch, streamprint._cli.fingerprint"`
           as a whole process: the floor under any --fast process (limit / start-up is the
           most --fast can reach)

streamprint's bytecode is compiled first, as ``pip install`` does: with PYTHONDONTWRITEBYTECODE
set (as on the machine these numbers come from) every --fast process compiled streamprint's
source again, about 0.06 s.

Ratios: default and every as time / decode time (lower is better); fast as decode time /
fast process time ("x faster"). Peak RSS (VmHWM) of every run; the 4K HEVC clip also 10x
longer (stream copy) for the flat-memory check. The load average is recorded before and after.

    python benchmarks/bench_codecs.py [--rounds 3] [--json benchmarks/results/codecs.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_fingerprint import machine, peak_rss_mib, run_child, work_decode  # noqa: E402

# ---- workers (run in a child process) ----------------------------------------------------


def work_streamprint(clip: str, *args: str) -> dict:
    from streamprint import Sampling, fingerprint

    sampling = Sampling.every(1) if "every" in args else Sampling.default()
    t = time.perf_counter()
    fp = fingerprint(clip, sampling=sampling)
    with tempfile.TemporaryDirectory() as d:
        fp.save_image(Path(d) / "strip.png")
    return {"seconds": time.perf_counter() - t, "frames": fp.decode.frames, "samples": len(fp),
            "skipped": fp.decode.skipped}


def work_fast_process(clip: str) -> dict:
    """The whole command as a user runs it, in a grandchild; its peak RSS from wait4."""
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "streamprint", clip, str(Path(d) / "fast.png"), "--fast",
                                 "--data", str(Path(d) / "fast.json"), "-q"], stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        err = proc.stderr.read().decode()  # type: ignore[union-attr]
        if status != 0:
            raise RuntimeError(f"streamprint --fast failed: {err[-2000:]}")
        samples = len(json.loads((Path(d) / "fast.json").read_text())["samples"])
    # ru_maxrss of a child starts at its parent's RSS (see bench_fingerprint.peak_rss_mib): an upper bound
    return {"seconds": seconds, "samples": samples, "child_maxrss_mib": usage.ru_maxrss / 1024}


def work_startup(clip: str) -> dict:
    """Starting Python and importing what every streamprint command imports, as a process."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "import av, numpy, streamprint._cli.dispatch, streamprint._cli.fingerprint"])
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError("importing streamprint failed")
    return {"seconds": time.perf_counter() - t, "child_maxrss_mib": usage.ru_maxrss / 1024}


WORKERS = {"decode": work_decode, "streamprint": work_streamprint, "fast": work_fast_process, "startup": work_startup}

RUNS = {"decode": ("decode",), "decode-configured": ("decode", "streamprint"), "default": ("streamprint",),
        "every": ("streamprint", "every"), "fast": ("fast",), "startup": ("startup",)}


def load() -> float:
    return os.getloadavg()[0]


def measure(clip: Path, rounds: int) -> dict:
    results: dict[str, list[dict]] = {name: [] for name in RUNS}
    for r in range(rounds):
        order = list(RUNS) if r % 2 == 0 else list(reversed(RUNS))
        for name in order:
            kind, *args = RUNS[name]
            results[name].append(run_child(kind, clip, *args, script=__file__))
            print(f"  {clip.name} round {r + 1} {name:8s} {results[name][-1]['seconds']:7.2f} s", file=sys.stderr)
    dec = [min(a["seconds"], b["seconds"]) for a, b in zip(results["decode"], results["decode-configured"])]
    row = {
        "decoder": results["decode"][0]["decoder"],
        "frames": results["decode"][0]["frames"],
        "decode_s": statistics.median(dec),
        "decode_ffmpeg_threads_s": statistics.median(x["seconds"] for x in results["decode"]),
        "decode_streamprint_threads_s": statistics.median(x["seconds"] for x in results["decode-configured"]),
        "streamprint_thread_count": results["decode-configured"][0]["threads"],
        "default_s": statistics.median(x["seconds"] for x in results["default"]),
        "every_s": statistics.median(x["seconds"] for x in results["every"]),
        "fast_process_s": statistics.median(x["seconds"] for x in results["fast"]),
        "default_x": statistics.median(x["seconds"] / d for x, d in zip(results["default"], dec)),
        "every_x": statistics.median(x["seconds"] / d for x, d in zip(results["every"], dec)),
        "fast_speedup": statistics.median(d / x["seconds"] for x, d in zip(results["fast"], dec)),
        "startup_s": statistics.median(x["seconds"] for x in results["startup"]),
        "startup_ceiling": statistics.median(d / x["seconds"] for x, d in zip(results["startup"], dec)),
        "default_skipped": results["default"][0]["skipped"],
        "samples": results["default"][0]["samples"],
        "keyframes_shown": results["fast"][0]["samples"],
        "peak_rss_mib": {name: max(x.get("peak_rss_mib", 0) for x in rs) for name, rs in results.items()},
    }
    return row


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        kind, clip, *rest = sys.argv[2:]
        result = WORKERS[kind](clip, *rest)
        result["peak_rss_mib"] = result["child_maxrss_mib"] if "child_maxrss_mib" in result else peak_rss_mib()
        print(json.dumps(result))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", nargs="*", help="clip names (h264, hevc10-4k, vp9, av1, mpeg2, xvid)")
    p.add_argument("--skip-memory", action="store_true")
    p.add_argument("--json", type=Path)
    args = p.parse_args()

    import compileall

    import codec_clips

    compileall.compile_dir(HERE.parent / "streamprint", quiet=1)

    clips = codec_clips.make_all(args.seconds, long=not args.skip_memory)
    result: dict = {"machine": machine(), "load_before": load(), "rows": {}}
    for name, info in clips.items():
        if name.endswith("-long") or (args.only and name not in args.only):
            continue
        result["rows"][name] = {**measure(Path(info["path"]), args.rounds),
                                **{k: info[k] for k in ("note", "median_gap", "max_gap", "keyframes")}}
    if not args.skip_memory and "hevc10-4k-long" in clips:
        short = run_child("streamprint", Path(clips["hevc10-4k"]["path"]), script=__file__)
        long = run_child("streamprint", Path(clips["hevc10-4k-long"]["path"]), script=__file__)
        result["hevc4k_memory"] = {"short_peak_rss_mib": short["peak_rss_mib"], "long_peak_rss_mib": long["peak_rss_mib"],
                                   "long_samples": long["samples"], "ratio": long["peak_rss_mib"] / short["peak_rss_mib"]}
    result["load_after"] = load()

    print(f"\nmachine: {result['machine']}; load average {result['load_before']:.1f} before, "
          f"{result['load_after']:.1f} after")
    print(f"\n{'clip':<10} {'decoder':<11} {'keyint':>7} {'decode s':>9} {'default':>8} {'every':>7} {'fast':>7} "
          f"{'fast s':>7} {'start s':>7} {'ceiling':>8} {'skipped':>8} {'RSS MiB (dec/def/every/fast)':>29}")
    for name, r in result["rows"].items():
        rss = "/".join(f"{r['peak_rss_mib'][k]:.0f}" for k in ("decode", "default", "every", "fast"))
        print(f"{name:<10} {r['decoder']:<11} {r['median_gap']:7.0f} {r['decode_s']:9.2f} {r['default_x']:7.2f}x "
              f"{r['every_x']:6.2f}x {r['fast_speedup']:6.1f}x {r['fast_process_s']:7.2f} {r['startup_s']:7.2f} "
              f"{r['startup_ceiling']:7.1f}x {r['default_skipped']:8d} "
              f"{rss:>29}")
    if "hevc4k_memory" in result:
        m = result["hevc4k_memory"]
        print(f"\n4K HEVC peak RSS, default sampling: 60 s {m['short_peak_rss_mib']:.0f} MiB, 10x longer "
              f"{m['long_peak_rss_mib']:.0f} MiB ({m['long_samples']} samples): ratio {m['ratio']:.3f}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
