#!/usr/bin/env python3
"""Peak memory of `extract_palette` on large PNGs, beyond the process's own, as a multiple
of the image's decoded size (width x height x 3 bytes). Each image runs in a fresh process;
a 16 x 16 PNG gives the process's own peak, subtracted from the others'.

    python benchmarks/bench_palette_memory.py [--sides 2000 5000 8000] [--json out.json]

Linux only (ru_maxrss in KiB). Measured after a huge photo stopped being copied whole by its
EXIF transposition and again by a conversion to its own mode: 5000 x 5000 went from about
4.1-4.5 times its decoded size to about 3.1.
"""

from __future__ import annotations

import argparse
import json
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path


def flat_png(path: Path, width: int, height: int) -> None:
    """A black 8-bit RGB PNG written row by row (no array of its size is made here)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer, row = zlib.compressobj(9), b"\0" + bytes(3 * width)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def peak_rss(path: Path) -> int:
    """Peak resident memory, bytes, of a process that takes the palette of ``path``."""
    code = ("import resource, sys, streamprint; streamprint.extract_palette(sys.argv[1]); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, check=True, text=True)
    return int(out.stdout) * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", type=int, nargs="+", default=[2000, 5000, 8000])
    ap.add_argument("--json")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "small.png"
        flat_png(base, 16, 16)
        own = peak_rss(base)
        for side in args.sides:
            path = Path(tmp) / f"{side}.png"
            flat_png(path, side, side)
            extra = peak_rss(path) - own
            decoded = side * side * 3
            rows.append({"side": side, "decoded_mib": decoded / 2**20, "extra_mib": extra / 2**20,
                         "ratio": extra / decoded})
            path.unlink()
    print(f"{'image':>13} {'decoded MiB':>12} {'peak extra MiB':>15} {'ratio':>6}")
    for r in rows:
        print(f"{r['side']:>6} x {r['side']:<6}{r['decoded_mib']:>12.0f} {r['extra_mib']:>15.0f} {r['ratio']:>6.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
