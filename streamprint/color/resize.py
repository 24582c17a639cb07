"""Resizing pictures in linear light, as every blend in streamprint is made."""

from __future__ import annotations

import numpy as np


def resize_linear(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` ((h, w, 3) or (h, w, 4) uint8 sRGB, straight alpha) resized to ``size`` =
    (width, height) px by a box filter (each output pixel the mean of the input area it
    covers), its colours averaged in linear light and weighted by alpha (a transparent
    pixel's colour counts for nothing). Same channels out, uint8. Works one channel at a
    time: a few float32 planes of the input's size (about 16 bytes a pixel) at once."""
    from PIL import Image

    from .spaces import SRGB_TO_LINEAR, linear_to_srgb

    image = np.asarray(image)
    width, height = size
    lut = SRGB_TO_LINEAR.astype(np.float32)
    has_alpha = image.shape[2] == 4

    def shrink(channel: np.ndarray) -> np.ndarray:
        plane = Image.fromarray(np.ascontiguousarray(channel, np.float32))  # mode F
        return np.asarray(plane.resize((width, height), Image.Resampling.BOX))

    alpha = image[..., 3].astype(np.float32) / np.float32(255) if has_alpha else None
    mean_alpha = shrink(alpha) if alpha is not None else None
    out = np.empty((height, width, image.shape[2]), np.uint8)
    for c in range(3):
        lin = lut[image[..., c]]
        if alpha is not None:
            lin *= alpha
        mean = shrink(lin)
        if mean_alpha is not None:
            mean = np.divide(mean, mean_alpha, out=np.zeros_like(mean), where=mean_alpha > 0)
        out[..., c] = np.rint(linear_to_srgb(mean, np.float32)).astype(np.uint8)
    if mean_alpha is not None:
        out[..., 3] = np.rint(np.clip(mean_alpha, 0.0, 1.0) * 255).astype(np.uint8)
        out[out[..., 3] == 0] = 0  # fully transparent pixels carry no colour
    return out
