"""The codec matrix's clips: the realistic 60-s 1080p clip (benchmarks/realistic.py, H.264)
transcoded by FFmpeg into HEVC 10-bit 4K, VP9, AV1, MPEG-2 and MPEG-4 Part 2 (Xvid in AVI).

Every encoder keeps its own default keyframe interval (no -g), as a file from the wild would;
the intervals actually used are measured with ffprobe and printed (bench_codecs.py states
them in its table). Speed presets are chosen so the clips are made in minutes on 2 cores.
A row is left out, saying so, when FFmpeg has no encoder for it.

    python benchmarks/codec_clips.py [--seconds 60] [--long]

``--long`` also makes the 4K HEVC clip 10x longer (for the peak-RSS-with-length check).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import realistic  # noqa: E402

CACHE = realistic.CACHE


@dataclass(frozen=True)
class Clip:
    name: str
    encoder: str
    suffix: str
    args: tuple[str, ...]
    note: str


CLIPS = (
    Clip("h264", "libx264", "mp4", (), "x264 crf 23 veryfast, gop 240 (realistic.py)"),
    Clip("hevc10-4k", "libx265", "mkv",
         ("-vf", "scale=3840:2160:flags=bicubic", "-c:v", "libx265", "-preset", "ultrafast", "-crf", "22",
          "-pix_fmt", "yuv420p10le", "-x265-params", "log-level=error"),
         "x265 10-bit ultrafast crf 22, upscaled to 3840x2160"),
    Clip("vp9", "libvpx-vp9", "webm",
         ("-c:v", "libvpx-vp9", "-b:v", "4M", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1"),
         "libvpx-vp9 4 Mbit/s, realtime cpu-used 8"),
    Clip("av1", "libsvtav1", "mkv", ("-c:v", "libsvtav1", "-preset", "10", "-crf", "35"),
         "SVT-AV1 preset 10 crf 35 (decoded by libdav1d)"),
    Clip("mpeg2", "mpeg2video", "mpg", ("-c:v", "mpeg2video", "-q:v", "4", "-bf", "2"),
         "FFmpeg mpeg2video q 4, 2 B-frames"),
    # Xvid's own encoders default to 2 consecutive B-VOPs; FFmpeg's libxvid wrapper to none,
    # which no Xvid rip has. With B-frames it packs them, as in AVIs from the wild.
    Clip("xvid", "libxvid", "avi", ("-c:v", "libxvid", "-q:v", "4", "-bf", "2", "-vtag", "XVID"),
         "Xvid (libxvid) q 4 in AVI, 2 packed B-frames (Xvid's default)"),
)


def encoders() -> set[str]:
    out = subprocess.run(["ffmpeg", "-hide_banner", "-encoders"], capture_output=True, text=True).stdout
    return {line.split()[1] for line in out.splitlines() if line.startswith(" V")}


def keyframe_interval(path: Path) -> dict[str, float]:
    """Keyframe spacing measured from the packets (ffprobe), in frames (the keyframes' times x
    the frame rate: AVI chunks of Xvid's packed B-frames hold two frames): median and max.
    Packets of at most 8 bytes are left out: the not-coded placeholders after packed
    B-frames, some flagged key, hold no frame."""
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=r_frame_rate:packet=size,flags,pts_time,dts_time", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    probed = json.loads(out)
    num, den = probed["streams"][0]["r_frame_rate"].split("/")
    rate = float(num) / float(den)
    keys = [round(float(p.get("pts_time", p.get("dts_time"))) * rate) for p in probed["packets"]
            if int(p["size"]) > 8 and p["flags"].startswith("K") and ("dts_time" in p or "pts_time" in p)]
    gaps = sorted(b - a for a, b in zip(keys, keys[1:])) or [len(probed["packets"])]
    return {"keyframes": len(keys), "median_gap": float(gaps[len(gaps) // 2]), "max_gap": float(gaps[-1])}


def clip_path(clip: Clip, seconds: float) -> Path:
    return CACHE / f"codec-{clip.name}-{seconds:g}s.{clip.suffix}"


def make(clip: Clip, seconds: float, source: Path) -> Path:
    out = clip_path(clip, seconds)
    if out.exists():
        return out
    if clip.name == "h264":
        out.symlink_to(source.name)
        return out
    tmp = out.with_name(out.stem + ".part." + clip.suffix)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(source), "-an", *clip.args, str(tmp)], check=True)
    tmp.replace(out)
    return out


def make_long_hevc(seconds: float, times: int = 10) -> Path:
    """The 4K HEVC clip ``times`` as long (stream-copied ``times`` times in a row)."""
    base = clip_path(CLIPS[1], seconds)
    out = CACHE / f"codec-hevc10-4k-{seconds * times:g}s.mkv"
    if out.exists():
        return out
    lst = CACHE / "hevc-long.txt"
    lst.write_text("".join(f"file '{base.name}'\n" for _ in range(times)))
    tmp = out.with_name(out.stem + ".part.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst), "-c", "copy",
                    str(tmp)], check=True)
    tmp.replace(out)
    return out


def make_all(seconds: float, long: bool = False) -> dict[str, dict]:
    source = realistic.make(seconds)
    have = encoders()
    info: dict[str, dict] = {}
    for clip in CLIPS:
        if clip.encoder not in have:
            print(f"{clip.name}: skipped, FFmpeg has no {clip.encoder} encoder", file=sys.stderr)
            continue
        path = make(clip, seconds, source)
        info[clip.name] = {"path": str(path), "note": clip.note, **keyframe_interval(path)}
        print(clip.name, json.dumps(info[clip.name]), flush=True)
    if long and "hevc10-4k" in info:
        info["hevc10-4k-long"] = {"path": str(make_long_hevc(seconds)), "note": "the 4K HEVC clip 10x in a row"}
    return info


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--long", action="store_true")
    args = p.parse_args()
    make_all(args.seconds, args.long)


if __name__ == "__main__":
    main()
