#!/usr/bin/env python3
"""Throughput, memory and palette quality of streamprint on a realistic 1080p24 h264 clip.

Throughput, each run in its own process, the runs interleaved over several rounds (the
machine is shared and noisy; ratios are taken within a round, then the median):

  decode     PyAV decoding every frame, frame threading on, no conversion (the limit)
  default    streamprint at its default sampling
  every      streamprint on every frame
  original   the original scripts' route, rebuilt: the ffmpeg CLI re-encodes the movie to
             480x270, exports the sampled frames (as many as `default` takes) as PNG files,
             then KMeans(n_clusters=5, max_iter=100) runs on every pixel of each PNG
  fast       streamprint --fast (keyframes only, time-proportional columns)

Fast vs exact: both strips rendered on the same time axis (1 px per second), mean RGB
distance per pixel. Memory: peak RSS of `default` on the clip and on a 10-minute clip
(the same clip concatenated 10 times by stream copy).

Quality, per --algorithm, on the analysis images (160 px long side) of every 6th frame:
inertia of streamprint's warm-started fit / inertia of KMeans(n_init=10) on the same pixels
(mean and p95), and milliseconds per frame of clustering on one thread.

    python benchmarks/bench_fingerprint.py [--seconds 60] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

# ---- workers (run in a child process) ----------------------------------------------------


def work_decode(clip: str, *how: str) -> dict:
    """PyAV decoding every frame, no conversion: FFmpeg's threading (AUTO, with PyAV's
    thread_count 0: FFmpeg's frame threads, dav1d's own pool), or with "streamprint" in
    ``how`` the decoder set up as streamprint sets it to decode every frame (source/codecs.py)."""
    import av

    t = time.perf_counter()
    n = 0
    with av.open(clip) as c:
        s = c.streams.video[0]
        if "streamprint" in how:
            from streamprint.source.codecs import configure

            configure(s.codec_context, keyframes_only=False, threads=0)
        else:
            s.thread_type = "AUTO"
        decoder = s.codec_context.codec.name
        for _ in c.decode(s):
            n += 1
        threads = s.codec_context.thread_count
    return {"seconds": time.perf_counter() - t, "frames": n, "decoder": decoder, "threads": threads}


def work_streamprint(clip: str, *args: str) -> dict:
    from streamprint import Sampling, fingerprint

    sampling = Sampling.every(1) if "every" in args else Sampling.default()
    algorithm = "minibatch" if "minibatch" in args else "kmeans"
    t = time.perf_counter()
    fp = fingerprint(clip, sampling=sampling, algorithm=algorithm)
    with tempfile.TemporaryDirectory() as d:
        fp.save_image(Path(d) / "strip.png")
    return {"seconds": time.perf_counter() - t, "frames": fp.decode.frames, "samples": len(fp)}


def work_fast(clip: str) -> dict:
    from streamprint import Sampling, fingerprint

    t = time.perf_counter()
    fp = fingerprint(clip, sampling=Sampling.keyframes())
    with tempfile.TemporaryDirectory() as d:
        fp.save_image(Path(d) / "strip.png")
    return {"seconds": time.perf_counter() - t, "frames": fp.decode.frames, "samples": len(fp)}


def work_original(clip: str, samples: str) -> dict:
    """The route streamprint replaces: two passes over disk, then k-means on every pixel."""
    import av
    from PIL import Image
    from sklearn.cluster import KMeans

    with av.open(clip) as c:
        s = c.streams.video[0]
        duration = float(s.duration * s.time_base) if s.duration else c.duration / 1e6
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="original-route-") as d:
        small = Path(d) / "small.mp4"
        frames = Path(d) / "frames"
        frames.mkdir()
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", clip, "-vf", "scale=480:270",
                        "-c:v", "libx264", "-an", str(small)], check=True)
        rate = int(samples) / duration
        subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(small), "-vf", f"fps={rate}",
                        str(frames / "%05d.png")], check=True)
        n = 0
        for png in sorted(frames.glob("*.png")):
            X = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3).astype(np.float64)
            KMeans(n_clusters=5, max_iter=100, random_state=0).fit(X)
            n += 1
    return {"seconds": time.perf_counter() - t, "frames": n, "samples": n}


WORKERS = {"decode": work_decode, "streamprint": work_streamprint, "fast": work_fast,
           "original": work_original}


def peak_rss_mib() -> float:
    """This process's peak resident set size, from /proc (VmHWM). Not getrusage: a child's
    ru_maxrss starts at its parent's RSS, inherited across fork and exec, so every worker
    reported the benchmark process's own 143-185 MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_child(kind: str, clip: Path, *args: str, script: str = __file__) -> dict:
    """Run a worker (of ``script``, which takes ``--worker KIND CLIP ARGS...``) in a fresh
    interpreter: wall time and peak RSS are measured inside it (from opening the file; the
    Python process only, not the original route's ffmpeg children), whole-process wall here."""
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, script, "--worker", kind, str(clip), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()  # type: ignore[union-attr]
    err = proc.stderr.read()  # type: ignore[union-attr]
    _, status = os.waitpid(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"worker {kind} failed: {err.decode()[-2000:]}")
    result = json.loads(out)
    result["process_seconds"] = time.perf_counter() - t
    return result


# ---- throughput ----------------------------------------------------------------------


def throughput(clip: Path, rounds: int, runs: dict[str, tuple[str, ...]]) -> dict[str, dict]:
    results: dict[str, list[dict]] = {name: [] for name in runs}
    for r in range(rounds):
        order = list(runs) if r % 2 == 0 else list(reversed(runs))
        for name in order:
            kind, *args = runs[name]
            results[name].append(run_child(kind, clip, *args))
            print(f"  round {r + 1} {name:10s} {results[name][-1]['seconds']:7.2f} s", file=sys.stderr)
    table = {}
    for name, rs in results.items():
        ratios = [x["seconds"] / d["seconds"] for x, d in zip(rs, results["decode"])]
        table[name] = {
            "seconds": statistics.median(x["seconds"] for x in rs),
            "ratio_to_decode": statistics.median(ratios),
            "process_seconds": statistics.median(x["process_seconds"] for x in rs),
            "peak_rss_mib": max(x["peak_rss_mib"] for x in rs),
            "samples": rs[0].get("samples", rs[0].get("frames")),
        }
    return table


# ---- fast vs exact, memory ------------------------------------------------------------------


def fast_distance(clip: Path) -> dict:
    """Mean RGB distance per pixel between the exact (default) and the --fast strip, both
    rendered one px per second of film."""
    from streamprint import Sampling, fingerprint
    from streamprint.render.strip import render_stacked

    exact = fingerprint(clip)
    fast = fingerprint(clip, sampling=Sampling.keyframes())
    width = max(1, round(float(exact.spans().sum())))
    a = render_stacked(exact.palettes, height=100, widths=exact.spans(), width=width).astype(float)
    b = render_stacked(fast.palettes, height=100, widths=fast.spans(), width=width).astype(float)
    top_a, top_b = a[0], b[0]  # the dominant colour of each second
    return {
        "mean_rgb_distance": float(np.linalg.norm(a - b, axis=2).mean()),
        "dominant_mean_rgb_distance": float(np.linalg.norm(top_a - top_b, axis=1).mean()),
        "keyframes": len(fast),
        "width_px": width,
    }


def concatenated(clip: Path, times: int) -> Path:
    """``clip`` repeated ``times`` times by stream copy (no re-encoding); cached."""
    import av

    out = clip.with_name(f"{clip.stem}-x{times}.mp4")
    if out.exists():
        return out
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(clip)) as src, av.open(str(tmp), "w") as dst:
        s_in = src.streams.video[0]
        s_out = dst.add_stream_from_template(s_in)
        offset = 0
        for _ in range(times):
            src.seek(0)
            last = 0
            for packet in src.demux(s_in):
                if packet.dts is None:
                    continue
                packet.pts += offset
                packet.dts += offset
                last = max(last, packet.pts + (packet.duration or 0))
                packet.stream = s_out
                dst.mux(packet)
            offset = last
    tmp.replace(out)
    return out


def flicker(clip: Path) -> dict:
    """Mean colour change (RGB distance per pixel) between adjacent stacked columns within a
    shot, with colours ordered by share (before) and with --order stable (after)."""
    from streamprint import fingerprint

    fp = fingerprint(clip)
    cuts = [s.palette.cut for s in fp.samples]

    def metric(order: str) -> float:
        img = fp.render(height=100, order=order).astype(float)  # type: ignore[arg-type]
        d = [np.linalg.norm(img[:, x] - img[:, x - 1], axis=1).mean() for x in range(1, img.shape[1]) if not cuts[x]]
        return float(np.mean(d))

    return {"weight_order": metric("weight"), "stable_order": metric("stable")}


# ---- quality ---------------------------------------------------------------------------


def analysis_images(clip: Path, sampling) -> list[np.ndarray]:
    from streamprint.model import DEFAULT_ANALYSIS_SIZE
    from streamprint.sampler import select
    from streamprint.source import VideoSource

    with VideoSource(clip) as src:
        return [f.to_rgb(DEFAULT_ANALYSIS_SIZE) for f in select(src.frames(), sampling, src.info.duration)]


def reference_inertia(images: list[np.ndarray], k: int = 5) -> np.ndarray:
    from sklearn.cluster import KMeans

    out = []
    for img in images:
        X = img.reshape(-1, 3).astype(np.float32)
        out.append(KMeans(k, n_init=10, random_state=0).fit(X).inertia_ / len(X))
    return np.array(out)


def quality(images: list[np.ndarray], ref: np.ndarray, variants: dict[str, dict]) -> dict[str, dict]:
    from threadpoolctl import threadpool_limits

    from streamprint.clusterer import FrameClusterer

    table = {}
    with threadpool_limits(1):
        for name, params in variants.items():
            best = None
            for _ in range(2):  # best of two passes for the timing; results are deterministic
                clusterer = FrameClusterer(**params)
                inertia, times = [], []
                for img in images:
                    t = time.perf_counter()
                    p = clusterer.fit(img)
                    times.append(time.perf_counter() - t)
                    inertia.append(p.inertia)
                ms = 1000 * float(np.median(times))
                best = ms if best is None else min(best, ms)
            ratio = np.array(inertia) / ref
            table[name] = {
                "inertia_ratio_mean": float(ratio.mean()),
                "inertia_ratio_p95": float(np.percentile(ratio, 95)),
                "ms_per_frame": best,
                "cold_starts": clusterer.n_cold_,
            }
    return table


DEFAULT_VARIANTS = {
    "minibatch": {"algorithm": "minibatch"},
    "kmeans": {"algorithm": "kmeans"},
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import av
    import sklearn

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"PyAV {av.__version__} (FFmpeg {getattr(av, 'ffmpeg_version_info', '?')}), "
            f"scikit-learn {sklearn.__version__}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        kind, clip, *rest = sys.argv[2:]
        if kind == "original":
            import sklearn.cluster  # noqa: F401  imports are not what is measured (see process s)
        result = WORKERS[kind](clip, *rest)
        result["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(result))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0, help="length of the generated clip")
    p.add_argument("--clip", type=Path, help="use this clip instead of generating one")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--skip-throughput", action="store_true")
    p.add_argument("--skip-quality", action="store_true")
    p.add_argument("--skip-memory", action="store_true", help="skip the 10-minute flat-memory run")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args()

    import realistic

    clip = args.clip or realistic.make(args.seconds)
    result: dict = {"machine": machine(), "clip": str(clip)}
    import av

    with av.open(str(clip)) as c:
        stream = c.streams.video[0]
        seconds = float(stream.duration * stream.time_base) if stream.duration else c.duration / 1e6
    if not args.skip_throughput:
        from streamprint import Sampling

        default_samples = Sampling.default().expected_count(seconds, None)
        runs = {"decode": ("decode",), "default": ("streamprint",), "every": ("streamprint", "every"),
                "original": ("original", str(default_samples)), "fast": ("fast",)}
        result["throughput"] = throughput(clip, args.rounds, runs)
        result["fast_vs_exact"] = fast_distance(clip)
        result["flicker"] = flicker(clip)
    if not args.skip_memory:
        long_clip = concatenated(clip, 10)
        short = run_child("streamprint", clip)
        long = run_child("streamprint", long_clip)
        result["memory"] = {
            "short_seconds_of_film": seconds,
            "short_peak_rss_mib": short["peak_rss_mib"],
            "long_peak_rss_mib": long["peak_rss_mib"],
            "long_samples": long["samples"],
            "ratio": long["peak_rss_mib"] / short["peak_rss_mib"],
        }
    if not args.skip_quality:
        from streamprint import Sampling

        result["quality"] = {}
        for label, sampling in [("every 6th frame", Sampling.every(6)), ("default, 1 s apart", Sampling.default())]:
            images = analysis_images(clip, sampling)
            ref = reference_inertia(images)
            result["quality"][label] = {"frames": len(images), "algorithms": quality(images, ref, DEFAULT_VARIANTS)}

    print(f"\nmachine: {result['machine']}\nclip: {clip}")
    if "throughput" in result:
        print(f"\n{'run':<10} {'wall s':>8} {'× decode':>9} {'process s':>10} {'peak RSS MiB':>13} {'samples':>8}")
        for name, r in result["throughput"].items():
            print(f"{name:<10} {r['seconds']:8.2f} {r['ratio_to_decode']:9.3f} {r['process_seconds']:10.2f} "
                  f"{r['peak_rss_mib']:13.0f} {r['samples']:>8}")
    if "fast_vs_exact" in result:
        f = result["fast_vs_exact"]
        print(f"\nfast vs exact strip, {f['width_px']} px at 1 px/s: mean RGB distance {f['mean_rgb_distance']:.1f}, "
              f"dominant colour {f['dominant_mean_rgb_distance']:.1f} (0-441), {f['keyframes']} keyframes")
    if "flicker" in result:
        f = result["flicker"]
        print(f"\nflicker within shots (mean RGB change between adjacent columns): by weight {f['weight_order']:.1f}, "
              f"--order stable {f['stable_order']:.1f}")
    if "memory" in result:
        m = result["memory"]
        print(f"\npeak RSS, default sampling: 60-s clip {m['short_peak_rss_mib']:.0f} MiB, 10x longer clip "
              f"{m['long_peak_rss_mib']:.0f} MiB ({m['long_samples']} samples): ratio {m['ratio']:.3f}")
    if "quality" in result:
        print("\npalette quality: inertia / inertia of KMeans(n_init=10) on the same pixels; one thread")
        print(f"{'frames':<26} {'algorithm':<10} {'mean':>7} {'p95':>7} {'ms/frame':>9} {'cold starts':>12}")
        for label, q in result["quality"].items():
            frames = f"{label} ({q['frames']})"
            for name, r in q["algorithms"].items():
                print(f"{frames:<26} "
                      f"{name:<10} {r['inertia_ratio_mean']:7.3f} {r['inertia_ratio_p95']:7.3f} "
                      f"{r['ms_per_frame']:9.2f} {r['cold_starts']:>12}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
