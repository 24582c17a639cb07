"""Resizing pictures in linear light, as every blend in streamprint is made."""

from __future__ import annotations

import numpy as np


def resize_linear(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` ((h, w, 3) or (h, w, 4) uint8 sRGB, straight alpha) resized to ``size`` =
    (width, height) px by area (each output pixel the mean of the input area it covers),
    its colours averaged in linear light and weighted by alpha (a transparent pixel's
    colour counts for nothing): :func:`.alpha.area_weighted`, the analysis images' own
    scaling, on the image in linear light. Same channels out, uint8; a wholly transparent
    output pixel is (0, 0, 0, 0)."""
    from .alpha import area_weighted
    from .spaces import _SRGB_TO_LINEAR_32, linear_to_srgb

    image = np.asarray(image)
    width, height = size
    has_alpha = image.shape[2] == 4
    alpha = image[..., 3] if has_alpha else np.full(image.shape[:2], 255, np.uint8)
    mean, mean_alpha = area_weighted(_SRGB_TO_LINEAR_32[image[..., :3]], alpha, width, height)
    out = np.empty((height, width, image.shape[2]), np.uint8)
    out[..., :3] = np.rint(linear_to_srgb(mean, np.float32))
    if has_alpha:
        out[..., 3] = mean_alpha
        out[mean_alpha == 0] = 0  # fully transparent pixels carry no colour
    return out
