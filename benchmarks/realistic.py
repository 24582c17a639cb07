"""A realistic test movie, made here (no downloads): camera moves over photo-like images.

Each shot is a procedurally painted "photo" (soft colour fields, shapes, texture, vignette)
larger than the frame; the virtual camera pans and zooms across it; film grain changes
every frame; shots end in hard cuts. Encoded 1080p24 h264 (x264, one slice per frame).

    python benchmarks/realistic.py --seconds 60 --out benchmarks/.cache/real-60s.mp4
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamprint import synth  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
SIZE = (1920, 1080)
FPS = 24.0
SHOT_SECONDS = (3.0, 7.0)
#: Film grain, standard deviation in 0-255 units (luma-like: the same on all channels).
GRAIN_SIGMA = 3.0
#: x264 quality: about 0.9 Mbit/s on this content (the 60-s clip is 6.5 MB): low grain and slow pans
#: compress well at crf 23; the decoder still does a full 1080p decode of every frame.
CRF = 23


def paint_photo(rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """A photo-like RGB image: a few dominant hues in soft fields, shapes, fine texture."""
    w, h = size
    base_hue = rng.uniform(0, 1)
    hues = (base_hue + rng.normal(0, 0.12, size=6)) % 1.0
    sats = rng.uniform(0.2, 0.9, size=6)
    vals = rng.uniform(0.15, 0.95, size=6)
    palette = np.array([_hsv(hh, s, v) for hh, s, v in zip(hues, sats, vals)])
    # Soft colour fields: a coarse grid of palette colours, upsampled smoothly.
    gw, gh = rng.integers(4, 9), rng.integers(3, 6)
    grid = palette[rng.integers(0, len(palette), size=(gh, gw))].astype(np.uint8)
    img = Image.fromarray(grid).resize((w, h), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.integers(6, 18)):
        c = tuple(int(v) for v in palette[rng.integers(0, len(palette))])
        x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
        rw, rh = rng.uniform(w * 0.03, w * 0.3), rng.uniform(h * 0.03, h * 0.3)
        box = [x0, y0, x0 + rw, y0 + rh]
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=c)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(2, 12)))
    arr = np.asarray(img).astype(np.float32)
    # Mid-frequency texture and a vignette, like light on real surfaces.
    tex = rng.normal(0, 1, size=(h // 16, w // 16)).astype(np.float32)
    tex = np.asarray(Image.fromarray(tex).resize((w, h), Image.Resampling.BILINEAR))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    vignette = 1.0 - 0.35 * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    arr = arr * vignette[..., None] + 10.0 * tex[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(h, s, v)
    return int(r * 255), int(g * 255), int(b * 255)


def frames(seconds: float, seed: int = 1, size: tuple[int, int] = SIZE,
           fps: float = FPS) -> Iterator[np.ndarray]:
    """(h, w, 3) uint8 frames: shots of camera motion over photos, with grain and cuts."""
    rng = np.random.default_rng(seed)
    w, h = size
    total = round(seconds * fps)
    grain = [rng.normal(0, GRAIN_SIGMA, size=(h, w, 1)).astype(np.int16) for _ in range(6)]
    done = 0
    while done < total:
        n = min(total - done, round(rng.uniform(*SHOT_SECONDS) * fps))
        photo = paint_photo(rng, (int(w * 1.5), int(h * 1.5)))
        pw, ph = photo.size
        z0, z1 = rng.uniform(0.7, 1.0, size=2)
        x0, x1 = rng.uniform(0, 1, size=2)
        y0, y1 = rng.uniform(0, 1, size=2)
        for i in range(n):
            a = i / max(1, n - 1)
            z = z0 + (z1 - z0) * a
            cw, ch = min(pw, w * z * 1.4), min(ph, h * z * 1.4)  # the camera's view of the photo
            cx = (pw - cw) * (x0 + (x1 - x0) * a)
            cy = (ph - ch) * (y0 + (y1 - y0) * a)
            view = photo.resize((w, h), Image.Resampling.BILINEAR, box=(cx, cy, cx + cw, cy + ch))
            arr = np.asarray(view).astype(np.int16) + grain[(done + i) % len(grain)]
            yield np.clip(arr, 0, 255).astype(np.uint8)
        done += n


def make(seconds: float, out: Path | None = None, seed: int = 1, size: tuple[int, int] = SIZE) -> Path:
    """Encode the clip once and cache it; returns its path."""
    out = out or CACHE / f"real-{size[1]}p-{seconds:g}s-seed{seed}-crf{CRF}-grain{GRAIN_SIGMA:g}.mp4"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.mp4")
    enc = synth.Encoding(codec="libx264", crf=CRF, preset="veryfast", gop=240,
                         extra=(("x264-params", "log-level=error:slices=1"),))
    synth.encode_clip(tmp, frames(seconds, seed, size), FPS, enc)
    tmp.replace(out)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path)
    args = p.parse_args()
    print(make(args.seconds, args.out, args.seed))


if __name__ == "__main__":
    main()
