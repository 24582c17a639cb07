#!/usr/bin/env python3
"""Make the bundled sample clip, sample_media/sample.mp4, with PyAV.

Four 3-second shots (24 fps, 480x270, h264, BT.709 limited range), each a flat
background with a square of an accent colour gliding across it, and a hard cut
between shots. The colours are streamprint.synth.SAMPLE_SEGMENTS:

    0-3 s   red (200, 40, 40)     with a yellow (240, 220, 60) square
    3-6 s   blue (30, 60, 160)    with a white (250, 250, 250) square
    6-9 s   green (40, 150, 70)   with a black (20, 20, 20) square
    9-12 s  orange (230, 140, 30) with a purple (90, 40, 130) square

The square covers about 14 % of the frame (134 x 134 px). Run:  python sample_media/make_samples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamprint import synth

SIZE = (480, 270)
FPS = 24.0


def main(out_dir: Path = Path(__file__).resolve().parent) -> Path:
    path = out_dir / "sample.mp4"
    frames = synth.segment_frames(synth.SAMPLE_SEGMENTS, SIZE, FPS)
    n = synth.encode_clip(path, frames, FPS, synth.Encoding(crf=12, preset="slow"))
    print(f"wrote {path}: {n} frames, {path.stat().st_size / 1024:.0f} KiB", file=sys.stderr)
    return path


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
