#!/usr/bin/env python3
"""Whole-process time for the palette of a 6000x4000 JPEG: streamprint beside Pylette and
Color Thief (each run only if installed: pip install pylette colorthief).

Each tool runs as a fresh process (imports included, as a user would see it), the tools
interleaved over several rounds; the table gives the median and the ratio to streamprint.

    python benchmarks/bench_palette.py [--rounds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TOOLS = {
    "streamprint": (None, ["-m", "streamprint", "palette", "{img}", "--colors", "6"]),
    "Pylette": ("pylette", ["-c", "from pylette import extract_colors; extract_colors(image='{img}', palette_size=6)"]),
    "Color Thief": ("colorthief", ["-c", "from colorthief import ColorThief; ColorThief('{img}').get_palette(color_count=6)"]),
}


def make_jpeg(path: Path) -> Path:
    """A 6000x4000 photo-like JPEG (painted like the benchmark movie's photos), cached."""
    if not path.exists():
        import realistic

        photo = realistic.paint_photo(np.random.default_rng(3), (6000, 4000))
        path.parent.mkdir(parents=True, exist_ok=True)
        photo.save(path, quality=90)
    return path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", type=Path)
    args = p.parse_args()
    img = make_jpeg(HERE / ".cache" / "photo-6000x4000.jpg")
    tools = {name: argv for name, (module, argv) in TOOLS.items()
             if module is None or importlib.util.find_spec(module) is not None}
    times: dict[str, list[float]] = {name: [] for name in tools}
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "card.png"
        for r in range(args.rounds):
            for name in (tools if r % 2 == 0 else reversed(list(tools))):
                argv = [a.format(img=img, out=out) for a in tools[name]]
                t = time.perf_counter()
                subprocess.run([sys.executable, *argv], check=True, capture_output=True)
                times[name].append(time.perf_counter() - t)
    base = statistics.median(times["streamprint"])
    result = {"image": str(img), "size": list(Image.open(img).size),
              "seconds": {n: statistics.median(t) for n, t in times.items()},
              "missing": [n for n in TOOLS if n not in tools]}
    print(f"\npalette of a {result['size'][0]}x{result['size'][1]} JPEG, whole process, median of {args.rounds}")
    print(f"{'tool':<14} {'seconds':>8} {'× streamprint':>14}")
    for name, sec in result["seconds"].items():
        print(f"{name:<14} {sec:8.2f} {sec / base:14.1f}")
    for name in result["missing"]:
        print(f"{name:<14} not installed (pip install {TOOLS[name][0].lower()})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
