#!/usr/bin/env python3
"""Whole-process time for the palette of a 6000x4000 JPEG: streamprint beside Pylette and
Color Thief (each run only if installed: pip install pylette colorthief).

Each tool runs as a fresh process (imports included, as a user would see it), the tools
interleaved over several rounds; the table gives the median and the ratio to streamprint.

    python benchmarks/bench_palette.py [--rounds 5] [--json out.json]

With --cards: `streamprint palette IMAGE --card CARD` (the palette and its card) on that photo
as a JPEG, an 8-bit PNG and a 16-bit PNG, this checkout beside another (--against DIR, e.g. a
`git worktree add --detach DIR COMMIT` of an older commit), interleaved, median seconds and
their ratio side by side:

    python benchmarks/bench_palette.py --cards --against /tmp/before [--rounds 3]
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


def png_of(photo: Path, path: Path, deep: bool) -> Path:
    """``photo`` as an 8-bit RGB PNG, or a 16-bit one (each sample v x 257 plus a low byte
    of noise: a 16-bit image is more than its 8 bits), written by hand (Pillow writes no
    16-bit RGB PNG), zlib level 1; cached."""
    import struct
    import zlib

    if path.exists():
        return path
    rgb = np.asarray(Image.open(photo).convert("RGB"))
    if deep:
        noise = np.random.default_rng(5).integers(0, 256, rgb.shape, dtype=np.uint16)
        samples = (rgb.astype(np.uint16) * 256 + noise).astype(">u2")
    else:
        samples = rgb

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(1)
    data = b"".join(packer.compress(b"\0" + row.tobytes()) for row in samples) + packer.flush()
    h, w = rgb.shape[:2]
    header = struct.pack(">IIBBBBB", w, h, 16 if deep else 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


def cards(photo: Path, against: Path, rounds: int, json_out: Path | None) -> None:
    """The --cards table: palette and card, this checkout beside ``against``."""
    import os

    here = HERE.parent
    images = {"JPEG": photo, "PNG 8-bit": png_of(photo, photo.with_suffix(".png"), False),
              "PNG 16-bit": png_of(photo, photo.with_name(photo.stem + "-16.png"), True)}
    trees = {"against": against.resolve(), "this": here}
    times: dict[tuple[str, str], list[float]] = {(i, t): [] for i in images for t in trees}
    with tempfile.TemporaryDirectory() as d:
        for r in range(rounds):
            for image, path in images.items():
                for tree in (trees if r % 2 == 0 else reversed(list(trees))):
                    env = {**os.environ, "PYTHONPATH": str(trees[tree])}
                    t = time.perf_counter()
                    subprocess.run([sys.executable, "-m", "streamprint", "palette", str(path), "--card",
                                    str(Path(d) / "card.png"), "--overwrite", "-q"], check=True,
                                   capture_output=True, env=env, cwd=d)
                    times[image, tree].append(time.perf_counter() - t)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\npalette --card of a {Image.open(photo).size[0]}x{Image.open(photo).size[1]} image, whole process, "
          f"median of {rounds}; against: {against}")
    print(f"{'image':<12} {'against s':>10} {'this s':>8} {'this/against':>13}")
    for image in images:
        print(f"{image:<12} {med[image, 'against']:10.2f} {med[image, 'this']:8.2f} "
              f"{med[image, 'this'] / med[image, 'against']:13.2f}")
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps({"against": str(against), "seconds": {
            image: {tree: med[image, tree] for tree in trees} for image in images}}, indent=2) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", type=Path)
    p.add_argument("--cards", action="store_true", help="time palette --card, this checkout beside --against")
    p.add_argument("--against", type=Path, help="another checkout, for --cards")
    args = p.parse_args()
    img = make_jpeg(HERE / ".cache" / "photo-6000x4000.jpg")
    if args.cards:
        if args.against is None:
            p.error("--cards needs --against DIR")
        cards(img, args.against, args.rounds, args.json)
        return
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
