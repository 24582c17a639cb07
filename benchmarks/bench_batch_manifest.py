#!/usr/bin/env python3
"""Time of a batch over a library of many tiny files (not video: each is opened, found not
to be a movie and recorded), where the manifest's upkeep is most of the work: with the
manifest rewritten after every file the time grew with the square of the library's size.

    python benchmarks/bench_batch_manifest.py [--sizes 400 800 1600] [--jobs 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from streamprint import Options  # noqa: E402
from streamprint.batch import run_batch  # noqa: E402


def library(root: Path, n: int) -> Path:
    """``n`` files of a few bytes each, 100 to a folder."""
    for i in range(n):
        folder = root / f"f{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note {i:05d}.txt").write_text(f"not a movie {i}\n")
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[400, 800, 1600])
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            lib = library(Path(tmp) / "lib", n)
            start = time.perf_counter()
            summary = run_batch(lib, Path(tmp) / "out", Options(), jobs=args.jobs)
            seconds = time.perf_counter() - start
            assert summary.not_video == n, summary
            start = time.perf_counter()
            again = run_batch(lib, Path(tmp) / "out", Options(), jobs=args.jobs)  # everything known: no work
            rerun = time.perf_counter() - start
            assert again.not_video == n
        rows.append({"files": n, "jobs": args.jobs, "seconds": round(seconds, 2), "per_file_ms": round(1000 * seconds / n, 2),
                     "rerun_seconds": round(rerun, 2)})
        print(f"{n:>6} files, --jobs {args.jobs}: {seconds:7.2f} s ({1000 * seconds / n:.2f} ms a file); "
              f"re-run {rerun:.2f} s", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")


if __name__ == "__main__":
    main()
