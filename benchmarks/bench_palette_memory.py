#!/usr/bin/env python3
"""Peak memory of `extract_palette` on large PNGs, beyond the process's own, as a multiple
of the image's decoded size (width x height x 3 bytes). Each image runs in a fresh process;
a 16 x 16 PNG gives the process's own peak, subtracted from the others'.

    python benchmarks/bench_palette_memory.py [--sides 2000 5000 8000] [--json out.json]
    python benchmarks/bench_palette_memory.py --depth 16 --card --sides 4899 --against /tmp/before

--depth 16: 16-bit RGB PNGs (of noise: the low bytes matter); --card: the whole command,
`streamprint palette IMAGE --card CARD`, not the library call alone; --against DIR: each
image's peak with that other checkout (e.g. a `git worktree add --detach` of an older
commit) beside this one's, and their ratio.

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


def flat_png(path: Path, width: int, height: int, depth: int = 8) -> None:
    """A black 8-bit RGB PNG written row by row (no array of its size is made here); 16-bit:
    of noise, which no compression shrinks (a 16-bit photo's low bytes are much like it)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    import os

    # written as it is compressed, in many IDAT chunks: this process stays small, as a child
    # forked from it starts its peak (ru_maxrss) at this one's size
    packer = zlib.compressobj(1 if depth == 16 else 9)
    header = struct.pack(">IIBBBBB", width, height, depth, 2, 0, 0, 0)
    with path.open("wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header))
        for _ in range(height):
            if data := packer.compress(b"\0" + (os.urandom(6 * width) if depth == 16 else bytes(3 * width))):
                out.write(chunk(b"IDAT", data))
        out.write(chunk(b"IDAT", packer.flush()) + chunk(b"IEND", b""))


def peak_rss(path: Path, card: bool = False, tree: Path | None = None) -> int:
    """Peak resident memory, bytes, of a process that takes the palette of ``path`` (``card``:
    and draws its card, as the command does), with the streamprint of ``tree`` if given."""
    import os

    work = ("from streamprint._cli.dispatch import main; main(['palette', sys.argv[1], '--card', "
            "sys.argv[1] + '.card.png', '--overwrite', '-q'])" if card else "streamprint.extract_palette(sys.argv[1])")
    code = f"import resource, sys, streamprint; {work}; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())} if tree else None
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, check=True, text=True, env=env,
                         cwd=path.parent)  # (not this checkout: python -c puts the working folder first)
    return int(out.stdout.split()[-1]) * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", type=int, nargs="+", default=[2000, 5000, 8000])
    ap.add_argument("--json")
    ap.add_argument("--depth", type=int, choices=(8, 16), default=8)
    ap.add_argument("--card", action="store_true")
    ap.add_argument("--against", type=Path)
    args = ap.parse_args()
    rows = []
    trees = {"this": None, **({"against": args.against} if args.against else {})}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "small.png"
        flat_png(base, 16, 16, args.depth)
        own = {name: peak_rss(base, args.card, tree) for name, tree in trees.items()}
        for side in args.sides:
            path = Path(tmp) / f"{side}.png"
            flat_png(path, side, side, args.depth)
            decoded = side * side * 3
            row = {"side": side, "depth": args.depth, "card": args.card, "decoded_mib": decoded / 2**20}
            for name, tree in trees.items():
                extra = peak_rss(path, args.card, tree) - own[name]
                row[f"{name}_extra_mib"], row[f"{name}_ratio"] = extra / 2**20, extra / decoded
            rows.append(row)
            path.unlink()
    what = f"{args.depth}-bit RGB PNG, {'palette --card' if args.card else 'extract_palette'}"
    print(f"{what}; peak memory beyond the process's own" + (f"; against {args.against}" if args.against else ""))
    print(f"{'image':>13} {'decoded MiB':>12} " + " ".join(f"{n + ' MiB':>13} {'ratio':>6}" for n in trees)
          + (f" {'this/against':>13}" if args.against else ""))
    for r in rows:
        print(f"{r['side']:>6} x {r['side']:<6}{r['decoded_mib']:>12.0f} "
              + " ".join(f"{r[n + '_extra_mib']:>13.0f} {r[n + '_ratio']:>6.2f}" for n in trees)
              + (f" {r['this_extra_mib'] / r['against_extra_mib']:>13.2f}" if args.against else ""))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
