"""The palette of a single image, and the palette card: the image between swatch bars.

Imports neither PyAV nor scikit-learn (see :mod:`streamprint.kmeans`), so the palette of
a 24-megapixel JPEG takes a fraction of a second as a whole process. JPEGs are decoded at
reduced size (Pillow's draft mode) since clustering needs only a few thousand pixels.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_output
from .colorspace import Space, check_space, decode, encode
from .errors import InputError, InputNotFoundError, NotAVideoError, UsageError
from .clusterer import Palette, distinct_colors
from .kmeans import kmeans_planar, nearest, planar

#: Long side, in pixels, of the image the clustering sees.
CLUSTER_SIZE = 256
#: The k-means fit sees at most this many of those pixels; shares count them all.
FIT_PIXELS = 10_000
#: Long side, in pixels, of the image shown on the card (0 keeps the original size).
DEFAULT_CARD_SIZE = 1600
#: Alpha (0-255) below which a pixel is transparent and not counted.
ALPHA_THRESHOLD = 128


@dataclass(frozen=True)
class ImagePalette:
    """An image's palette. ``colors``: (k, 3) uint8 sRGB, most frequent first; ``weights``:
    (k,) float64 shares of the counted (opaque) pixels, summing to 1."""

    path: str
    colors: np.ndarray
    weights: np.ndarray
    width: int
    height: int
    """Size of the original image, pixels."""
    space: str = "rgb"

    @property
    def hex(self) -> list[str]:
        return ["#%02x%02x%02x" % tuple(int(v) for v in c) for c in self.colors]

    def to_dict(self) -> dict[str, Any]:
        return {
            "image": self.path,
            "width": self.width,
            "height": self.height,
            "space": self.space,
            "colors": [
                {"hex": h, "rgb": [int(v) for v in c], "share": float(w)}
                for h, c, w in zip(self.hex, self.colors, self.weights)
            ],
        }

    def table(self) -> str:
        """A text table of HEX, 8-bit RGB and share, one colour a line."""
        lines = [f"{self.path}", f"  {'hex':<8} {'rgb':<16} {'share':>6}"]
        for h, c, w in zip(self.hex, self.colors, self.weights):
            rgb = "[{}, {}, {}]".format(*(int(v) for v in c))
            lines.append(f"  {h:<8} {rgb:<16} {100 * w:5.1f}%")
        return "\n".join(lines)


def load_image(path: str | os.PathLike[str], max_side: int,
               resample: bool = True) -> tuple[np.ndarray, np.ndarray | None, tuple[int, int]]:
    """Open an image as it is displayed (EXIF orientation applied), shrunk so its long side
    is at most ``max_side`` px (0: full size). Returns (rgb (h, w, 3) uint8, alpha (h, w)
    uint8 or None, original (width, height)). Handles greyscale, palette, CMYK, 16-bit and
    transparent images; JPEGs are decoded at reduced size where possible (draft mode).
    ``resample=False`` stops after the decoder's own reduction (the result may be larger)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    p = Path(path)
    if not p.exists():
        raise InputNotFoundError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not an image")
    try:
        img = Image.open(p)
        size = img.size
        if max_side and img.format == "JPEG":
            w, h = size
            scale = max_side / max(w, h)
            if scale < 1:
                img.draft(img.mode if img.mode != "CMYK" else "RGB", (max(1, int(w * scale)), max(1, int(h * scale))))
        img = ImageOps.exif_transpose(img)
        if img.mode in ("I;16", "I;16B", "I;16L", "I"):
            arr = np.asarray(img, dtype=np.uint32)
            top = 65535 if arr.max(initial=0) > 255 else 255
            img = Image.fromarray((arr * 255 // top).astype(np.uint8), mode="L")
        has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
        img = img.convert("RGBA" if has_alpha else "RGB")
        if resample and max_side and max(img.size) > max_side:
            img.thumbnail((max_side, max_side), Image.Resampling.BOX)
        arr = np.asarray(img)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAVideoError(f"{p}: not an image Pillow can read ({exc})") from exc
    if has_alpha:
        return np.ascontiguousarray(arr[..., :3]), np.ascontiguousarray(arr[..., 3]), size
    return arr, None, size


def extract_palette(path: str | os.PathLike[str], colors: int = 6, space: Space = "rgb",
                    seed: int = 0) -> ImagePalette:
    """The ``colors`` dominant colours of an image file, with their shares of its opaque pixels."""
    if not isinstance(colors, int) or not 1 <= colors <= 64:
        raise UsageError(f"--colors must be a whole number from 1 to 64, got {colors!r}")
    check_space(space)
    rgb, alpha, (w, h) = load_image(path, CLUSTER_SIZE, resample=False)
    # An even stride, not a resampling filter: the pixels clustered are the image's own,
    # with no blends invented along colour edges.
    step = max(1, -(-max(rgb.shape[:2]) // CLUSTER_SIZE))
    rgb = rgb[::step, ::step]
    alpha = None if alpha is None else alpha[::step, ::step]
    return palette_of(rgb, alpha, colors, space, seed, str(path), (w, h))


def palette_of(rgb: np.ndarray, alpha: np.ndarray | None, colors: int, space: Space, seed: int,
               name: str = "image", size: tuple[int, int] | None = None) -> ImagePalette:
    """Palette of an (h, w, 3) uint8 image; pixels with alpha < 128 are not counted."""
    pixels = rgb.reshape(-1, 3)
    if alpha is not None:
        pixels = pixels[alpha.reshape(-1) >= ALPHA_THRESHOLD]
    if len(pixels) == 0:
        raise InputError(f"{name}: every pixel is transparent")
    exact = distinct_colors(pixels, colors)
    if exact is not None:
        centers, counts = exact[0].astype(np.float64), exact[1]
    else:
        Xt = planar(encode(pixels, space), np.float64)
        # Fit on an even stride of at most FIT_PIXELS pixels, then label every pixel.
        step = max(1, -(-Xt.shape[1] // FIT_PIXELS))
        centroids, _, _ = kmeans_planar(np.ascontiguousarray(Xt[:, ::step]), colors, seed=seed, n_init=3)
        counts = np.bincount(nearest(Xt, centroids)[0], minlength=colors)
        centers = decode(centroids, space)
    pal = Palette.from_centroids(centers, counts)  # rounded, merged, sorted by share
    w, h = size or (rgb.shape[1], rgb.shape[0])
    return ImagePalette(name, pal.colors, pal.weights, int(w), int(h), space)


def swatch_bar(palette: ImagePalette, width: int, height: int, proportional: bool = False) -> np.ndarray:
    """A (height, width, 3) bar of the palette's colours, equal widths or by share."""
    from .renderer import segment_heights

    n = len(palette.colors)
    weights = palette.weights if proportional else np.full(n, 1.0 / n)
    return np.repeat(palette.colors[None, :, :], height, axis=0).repeat(segment_heights(weights, width), axis=1)


def card(rgb: np.ndarray, palette: ImagePalette, bar: float = 0.08, buffer: float = 0.02,
         buffer_color: tuple[int, int, int] = (255, 255, 255), proportional: bool = False) -> np.ndarray:
    """Top to bottom: buffer bar, swatch bar, the image, swatch bar, buffer bar. Bar heights
    are fractions of the image height (at least 1 px). Returns (H, w, 3) uint8."""
    if not (0 < bar <= 1 and 0 <= buffer <= 1):
        raise UsageError("--bar must be in (0, 1] and --buffer in [0, 1] (fractions of the image height)")
    h, w, _ = rgb.shape
    bh, fh = max(1, round(h * bar)), round(h * buffer)
    swatches = swatch_bar(palette, w, bh, proportional)
    pad = np.empty((fh, w, 3), np.uint8)
    pad[:] = buffer_color
    return np.concatenate([pad, swatches, rgb, swatches, pad], axis=0)


def save_card(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write PNG (or JPEG by extension), atomically."""
    import io

    from PIL import Image

    fmt = "JPEG" if os.fspath(path).lower().endswith((".jpg", ".jpeg")) else "PNG"
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format=fmt, **({"quality": 92} if fmt == "JPEG" else {"compress_level": 1}))
    with atomic_output(path, "wb") as f:
        f.write(buf.getvalue())


def save_data(path: str | os.PathLike[str], palettes: list[ImagePalette]) -> None:
    """JSON (a list, one entry per image), or TSV of image, hex, [r, g, b], share."""
    if os.fspath(path).lower().endswith((".tsv", ".txt")):
        rows = ["image\thex\trgb\tshare"]
        for p in palettes:
            for h, c, w in zip(p.hex, p.colors, p.weights):
                rows.append(f"{p.path}\t{h}\t[{int(c[0])}, {int(c[1])}, {int(c[2])}]\t{w:.6f}")
        text = "\n".join(rows) + "\n"
    else:
        text = json.dumps([p.to_dict() for p in palettes], indent=1) + "\n"
    with atomic_output(path, "w") as f:
        f.write(text)


def parse_color(text: str) -> tuple[int, int, int]:
    """``#rrggbb``, ``rrggbb`` or ``r,g,b`` (0-255)."""
    t = text.strip()
    try:
        if "," in t:
            parts = tuple(int(v) for v in t.split(","))
            if len(parts) == 3 and all(0 <= v <= 255 for v in parts):
                return parts  # type: ignore[return-value]
        else:
            t = t.lstrip("#")
            if len(t) == 6:
                return int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16)
    except ValueError:
        pass
    raise UsageError(f"not a colour: {text!r} (use #rrggbb or r,g,b)")
