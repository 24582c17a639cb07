"""Letterbox and pillarbox bars: found and left out before a frame is clustered."""

from __future__ import annotations

import numpy as np

#: A border row or column is letterbox black when no channel of any of its pixels reaches
#: this (0-255 units). The brightest channel, not luma: saturated blue (#0000ff) has a BT.709
#: luma of 18 and navy (#000080) of 9, and a frame with blue at its edges lost them as bars.
BAR_LEVEL = 24


def crop_letterbox(image: np.ndarray) -> np.ndarray:
    """``image`` (h, w, 3) uint8 without black bars: leading and trailing rows (and columns)
    none of whose pixels has a channel reaching :data:`BAR_LEVEL`. A frame that is mostly dark
    (bars would leave under a quarter of it) is returned whole: it is a dark scene. An
    (h, w, 4) RGBA image is judged by its colours and cropped with its alpha."""
    if all(int(edge[:, :3].max()) >= BAR_LEVEL for edge in (image[0], image[-1], image[:, 0], image[:, -1])):
        return image  # no edge is dark: no bars (the common case, decided cheaply)
    level = image[..., :3].max(axis=2)
    h, w = level.shape

    def bars(dark: np.ndarray) -> tuple[int, int]:
        n = len(dark)
        lead = int(np.argmin(dark)) if not dark.all() else n
        trail = int(np.argmin(dark[::-1])) if not dark.all() else n
        return (lead, trail) if lead + trail <= 0.75 * n else (0, 0)

    top, bottom = bars(level.max(axis=1) < BAR_LEVEL)
    left, right = bars(level.max(axis=0) < BAR_LEVEL)
    if top or bottom or left or right:
        return image[top:h - bottom, left:w - right]
    return image
