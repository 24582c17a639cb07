#!/usr/bin/env python3
"""What a part of a movie costs (--start / --end / --duration), against the whole movie.

Two movies, made here and cached in benchmarks/.cache: the 60-s 1080p24 benchmark clip
(``realistic.py``) and a 2-hour movie made from it by stream copy, the clip 120 times over
(``bench_fingerprint.concatenated``: an MP4 whose index holds all 172,800 frames). Each run
is its own process, at the default sampling, timed from opening the file to the PNG
written (as ``bench_fingerprint.py`` times); runs interleave over the rounds and the
ratios are taken within a round, then the median. Each range's samples are checked against
the whole run's inside it: the same frame indices, times and average colours.

    python benchmarks/bench_ranges.py [--rounds 3] [--long-rounds 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_fingerprint import concatenated, peak_rss_mib, run_child  # noqa: E402

#: (name, movie, start, end) of each range; None for the whole movie.
RANGES = {"clip": [("5 s near the end", 54.0, 59.0)],
          "movie": [("1 min at 1:40:00", 6000.0, 6060.0), ("1 min at the end", 7140.0, None)]}


def work_range(clip: str, start: str, end: str) -> dict:
    """Worker: fingerprint ``clip`` (a part of it when ``start``/``end`` are numbers) and
    write the strip; the samples, for the comparison."""
    from streamprint import fingerprint
    from streamprint.model import TimeRange

    span = TimeRange() if start == "-" else TimeRange(float(start), None if end == "-" else float(end))
    t = time.perf_counter()
    fp = fingerprint(clip, time_range=span)
    with tempfile.TemporaryDirectory() as d:
        fp.save_image(Path(d) / "strip.png")
    return {"seconds": time.perf_counter() - t, "peak_rss_mib": peak_rss_mib(), "frames_decoded": fp.decode.frames,
            "samples": [[s.frame, s.time, None if s.palette.mean is None else s.palette.mean.tolist()]
                        for s in fp.samples]}


def compare(rounds: int, movie: Path, ranges: list[tuple[str, float, float | None]]) -> dict:
    runs: dict[str, list[dict]] = {"whole": []} | {name: [] for name, _, _ in ranges}
    args = {"whole": ("-", "-")} | {name: (str(a), "-" if b is None else str(b)) for name, a, b in ranges}
    for r in range(rounds):
        order = list(runs) if r % 2 == 0 else list(reversed(runs))
        for name in order:
            runs[name].append(run_child("range", movie, *args[name], script=__file__))
            print(f"  round {r + 1} {movie.name[:30]} {name:18s} {runs[name][-1]['seconds']:8.2f} s", file=sys.stderr)
    whole = runs["whole"][0]["samples"]
    table = {"whole": {"seconds": statistics.median(x["seconds"] for x in runs["whole"]),
                       "peak_rss_mib": max(x["peak_rss_mib"] for x in runs["whole"]), "samples": len(whole)}}
    for name, a, b in ranges:
        part = runs[name][0]["samples"]
        inside = [s for s in whole if s[1] >= a and (b is None or s[1] < b)]
        table[name] = {
            "start": a, "end": b, "seconds": statistics.median(x["seconds"] for x in runs[name]),
            "ratio_to_whole": statistics.median(x["seconds"] / w["seconds"] for x, w in zip(runs[name], runs["whole"])),
            "peak_rss_mib": max(x["peak_rss_mib"] for x in runs[name]), "samples": len(part),
            "same_as_whole_inside": part == inside and len(part) > 0,
        }
    return table


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    p.add_argument("--rounds", type=int, default=3, help="rounds on the 60-s clip")
    p.add_argument("--long-rounds", type=int, default=1, help="rounds on the 2-hour movie")
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    if args.worker:
        kind, clip, *rest = args.worker
        assert kind == "range"
        print(json.dumps(work_range(clip, *rest)))
        return
    import realistic

    clip = realistic.make(60.0)
    movie = concatenated(clip, 120)
    result = {"machine": {"python": platform.python_version(), "processor": platform.processor() or platform.machine()},
              "clip": compare(args.rounds, clip, RANGES["clip"]),
              "movie": compare(args.long_rounds, movie, RANGES["movie"])}
    print("\n| movie | run | wall s | × the whole | samples | same as the whole inside | peak RSS MiB |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: |")
    for label, key in (("60-s 1080p clip", "clip"), ("2-hour movie", "movie")):
        for name, r in result[key].items():
            ratio = "1" if name == "whole" else f"{r['ratio_to_whole']:.4f}"
            same = "" if name == "whole" else ("yes" if r["same_as_whole_inside"] else "NO")
            print(f"| {label} | {name} | {r['seconds']:.2f} | {ratio} | {r['samples']} | {same} | "
                  f"{r['peak_rss_mib']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
