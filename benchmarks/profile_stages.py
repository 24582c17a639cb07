#!/usr/bin/env python3
"""Where the time goes: the pipeline's stages run one after another (no producer thread)
on the benchmark clip: decode, convert, cluster, render. FFmpeg's frame threads keep
decoding ahead while the other stages run, so "decode" is the time spent waiting for
frames, and the other stages share the cores with those threads.

    python benchmarks/profile_stages.py [--every] [--clip PATH] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clip", type=Path)
    p.add_argument("--every", action="store_true", help="sample every frame instead of the default")
    p.add_argument("--json", type=Path)
    args = p.parse_args()

    import realistic
    import sklearn.cluster  # noqa: F401  (imported lazily by the clusterer: not a stage cost)
    from threadpoolctl import threadpool_limits

    from streamprint import Sampling
    from streamprint.clusterer import FrameClusterer
    from streamprint.color.letterbox import crop_letterbox
    from streamprint.model import DEFAULT_ANALYSIS_SIZE
    from streamprint.render.output import encode_png
    from streamprint.render.strip import render_stacked
    from streamprint.sampler import select, target_test
    from streamprint.source import VideoSource

    clip = args.clip or realistic.make(60.0)
    sampling = Sampling.every(1) if args.every else Sampling.default()
    spent = {"decode": 0.0, "convert": 0.0, "cluster": 0.0, "render": 0.0}
    palettes = []
    clusterer = FrameClusterer()
    t_all = time.perf_counter()
    with VideoSource(clip) as source, threadpool_limits(1):
        wanted = target_test(sampling, source.info.duration)  # skip what is never sampled, as the pipeline does
        frames = select(source.frames(wanted=wanted), sampling, source.info.duration)
        while True:
            t = time.perf_counter()
            frame = next(frames, None)
            spent["decode"] += time.perf_counter() - t
            if frame is None:
                break
            t = time.perf_counter()
            image = crop_letterbox(frame.to_rgb(DEFAULT_ANALYSIS_SIZE))
            spent["convert"] += time.perf_counter() - t
            t = time.perf_counter()
            palettes.append(clusterer.fit(image))
            spent["cluster"] += time.perf_counter() - t
    t = time.perf_counter()
    encode_png(render_stacked(palettes))
    spent["render"] += time.perf_counter() - t
    total = time.perf_counter() - t_all
    print(f"{len(palettes)} samples ({sampling.describe()}), {total:.2f} s run serially")
    print(f"{'stage':<8} {'seconds':>8} {'share':>6}")
    for stage, sec in spent.items():
        print(f"{stage:<8} {sec:8.2f} {100 * sec / total:5.1f}%")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"samples": len(palettes), "total": total, "seconds": spent}, indent=2) + "\n")


if __name__ == "__main__":
    main()
