#!/usr/bin/env python3
"""HDR -> SDR accuracy and speed: streamprint.color.tonemap beside FFmpeg's zscale + tonemap chain.

One clip per transfer (PQ, HLG): the in-gamut sRGB patches of tests/test_tonemap.py and a
1000 cd/m² white, as BT.2020 NCL 10-bit limited Y'CbCr, lossless libx265 Main 10. Each patch's
truth is its own sRGB value (the 1000 cd/m² white's truth is 255). Columns:

* ``streamprint``: ``frame_to_signal_rgb`` (swscale to yuv444p16le, matrix in numpy) and
  ``tonemap_to_srgb``, parameters from ``hdr_params_for``;
* ``sp+gbrpf32``: the same tone mapping on swscale's own float RGB (``gbrpf32le``), to show
  what its gain error costs;
* ``ff ...``: the system ``ffmpeg`` (Debian's, with zscale):
  ``zscale=t=linear:npl=N,format=gbrpf32le,zscale=p=bt709,tonemap=T,zscale=t=X:m=bt709:r=tv,format=rgb24``
  with T hable or mobius, N 100 (the usual recipe) or 203 (BT.2408 white), X bt709 (the usual
  recipe) or iec61966-2-1 (sRGB, what the truth is encoded with).

Then the per-frame cost of ``tonemap_to_srgb`` at 160x90 and 1920x1080, and of
``frame_to_signal_rgb`` from a 1920x1080 4:2:0 frame to 160x90.

    python benchmarks/bench_tonemap.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from streamprint.color import tonemap as tm
from streamprint.source import hdr as hf
from streamprint.color.tonemap import HdrParams, Transfer
from tests import test_tonemap as truth

FFMPEG_CHAINS = {
    "ff hable npl100 bt709": ("hable", 100, "bt709"),
    "ff mobius npl100 bt709": ("mobius", 100, "bt709"),
    "ff hable npl203 srgb": ("hable", 203, "iec61966-2-1"),
    "ff mobius npl203 srgb": ("mobius", 203, "iec61966-2-1"),
}


def patches_truth() -> tuple[list[object], np.ndarray]:
    names = [*truth.IN_GAMUT, "1000 cd/m² white"]
    want = np.array([*truth.IN_GAMUT, (255, 255, 255)])
    return names, want


def make_clip(folder: Path, transfer: Transfer) -> Path:
    trc = 16 if transfer is Transfer.PQ else 18
    img = truth.patch_image(truth.clip_colours(transfer))
    extra = f":master-display={truth.MASTER_DISPLAY_P3}L(10000000,50):max-cll=1000,400" \
        if transfer is Transfer.PQ else ""
    return truth.encode(folder / f"patches-{transfer.value}.mkv",
                        truth.make_frame(img, "yuv420p10le", trc), trc, extra)


def run_streamprint(path: Path, float_rgb: bool = False) -> np.ndarray:
    frame = truth.first_frame(path)
    params = hf.hdr_params_for(frame)
    if float_rgb:
        rgb = frame.reformat(format="gbrpf32le", interpolation="AREA").to_ndarray()
    else:
        rgb = hf.frame_to_signal_rgb(frame, frame.width, frame.height)
    return truth.patch_centres(tm.tonemap_to_srgb(rgb, params), len(truth.IN_GAMUT) + 1, 1)


def run_ffmpeg(path: Path, size: tuple[int, int], curve: str, npl: int, trc: str) -> np.ndarray | None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    vf = (f"zscale=t=linear:npl={npl},format=gbrpf32le,zscale=p=bt709,tonemap={curve},"
          f"zscale=t={trc}:m=bt709:r=tv,format=rgb24")
    cmd = [ffmpeg, "-v", "error", "-i", str(path), "-frames:v", "1", "-vf", vf,
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    raw = subprocess.run(cmd, capture_output=True, check=True).stdout
    w, h = size
    img = np.frombuffer(raw, np.uint8)[: w * h * 3].reshape(h, w, 3)
    return truth.patch_centres(img, len(truth.IN_GAMUT) + 1, 1)


def median_ms(n: int, fn, *args) -> float:
    fn(*args)
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def speed() -> dict[str, float]:
    rng = np.random.default_rng(0)
    p = HdrParams(Transfer.PQ)
    out = {}
    for w, h, n in ((160, 90, 200), (1920, 1080, 10)):
        typical = truth.srgb_to_signal(rng.integers(0, 256, (h, w, 3)), Transfer.PQ).astype(np.float32)
        bright = truth.pq_encode(rng.uniform(0, 4000, (h, w, 3))).astype(np.float32)
        noise = rng.uniform(0, 1, (h, w, 3)).astype(np.float32)
        out[f"tonemap {w}x{h} sdr-range content, ms"] = median_ms(n, tm.tonemap_to_srgb, typical, p)
        out[f"tonemap {w}x{h} bright wide-gamut, ms"] = median_ms(n, tm.tonemap_to_srgb, bright, p)
        out[f"tonemap {w}x{h} random signal (worst), ms"] = median_ms(n, tm.tonemap_to_srgb, noise, p)
    frame = truth.make_frame(np.tile(np.linspace(0, 1, 1920)[None, :, None], (1080, 1, 3)), "yuv420p10le")
    out["frame_to_signal_rgb 1920x1080 -> 160x90, ms"] = median_ms(50, hf.frame_to_signal_rgb, frame, 160, 90)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()
    names, want = patches_truth()
    results: dict[str, object] = {"patches": [str(n) for n in names]}
    with tempfile.TemporaryDirectory() as tmp:
        for transfer in Transfer:
            clip = make_clip(Path(tmp), transfer)
            frame = truth.first_frame(clip)
            columns = {"streamprint": run_streamprint(clip), "sp+gbrpf32": run_streamprint(clip, True)}
            for label, (curve, npl, trc) in FFMPEG_CHAINS.items():
                got = run_ffmpeg(clip, (frame.width, frame.height), curve, npl, trc)
                if got is not None:
                    columns[label] = got
            errors = {k: np.abs(v.astype(int) - want).max(axis=1) for k, v in columns.items()}
            floor = np.append(truth.quantisation_floor(truth.IN_GAMUT, transfer), 0)
            print(f"\n{transfer.name}: max |error| per channel, 8-bit codes (truth = the sRGB patch; "
                  f"'10-bit' = exact decode of the 10-bit codes, no tone mapping)")
            head = ["patch", "10-bit", *columns]
            widths = [18, 6, *(max(len(c), 6) for c in columns)]
            print("  ".join(h.rjust(w) for h, w in zip(head, widths)))
            for i, name in enumerate(names):
                row = [str(name), str(floor[i]), *(str(errors[c][i]) for c in columns)]
                print("  ".join(v.rjust(w) for v, w in zip(row, widths)))
            ok = np.arange(len(names)) < len(truth.IN_GAMUT)
            print("  ".join(v.rjust(w) for v, w in zip(
                ["max (in-gamut)", str(floor[ok].max()), *(str(errors[c][ok].max()) for c in columns)], widths)))
            print("  ".join(v.rjust(w) for v, w in zip(
                ["1000-nit white", "", *(str(tuple(int(x) for x in columns[c][-1])) for c in columns)], widths)))
            results[transfer.name] = {
                "quantisation_floor": floor.tolist(),
                "error": {k: v.tolist() for k, v in errors.items()},
                "output": {k: v.tolist() for k, v in columns.items()},
            }
    costs = speed()
    print("\nper-frame cost (median)")
    for k, v in costs.items():
        print(f"  {k:48s} {v:8.2f}")
    results["speed_ms"] = costs
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
