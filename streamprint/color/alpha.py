"""Transparency: which pixels of an image with an alpha channel count as its colours."""

from __future__ import annotations

import numpy as np

#: Alpha (0-255) below which a pixel is transparent and not counted.
ALPHA_THRESHOLD = 128


def opaque(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The pixels of ``rgb`` ((h, w, 3) or (n, 3) uint8) whose ``alpha`` ((h, w) or (n,),
    0-255) is at least :data:`ALPHA_THRESHOLD`, as (m, 3); m may be 0. The colour a
    transparent pixel stores is hidden (a GIF's unused palette entry, whatever an editor left
    under a mask) and is no colour of the picture."""
    return np.asarray(rgb).reshape(-1, 3)[np.asarray(alpha).reshape(-1) >= ALPHA_THRESHOLD]
