"""Letterbox and pillarbox bars: found and left out before a frame is clustered."""

from __future__ import annotations

import numpy as np

#: A border row or column is letterbox black when its brightest pixel's luma is below this
#: (0-255 units).
BAR_LUMA = 24
#: BT.709 luma weights of linear-free (gamma-encoded) R'G'B'.
_LUMA = np.array([0.2126, 0.7152, 0.0722], dtype=np.float32)


def crop_letterbox(image: np.ndarray) -> np.ndarray:
    """``image`` (h, w, 3) uint8 without black bars: leading and trailing rows (and columns)
    whose brightest pixel is darker than :data:`BAR_LUMA`. A frame that is mostly dark
    (bars would leave under a quarter of it) is returned whole: it is a dark scene. An
    (h, w, 4) RGBA image is judged by its colours and cropped with its alpha."""
    if all(float((edge[:, :3].astype(np.float32) @ _LUMA).max()) >= BAR_LUMA
           for edge in (image[0], image[-1], image[:, 0], image[:, -1])):
        return image  # no edge is dark: no bars (the common case, decided cheaply)
    luma = image[..., :3].astype(np.float32) @ _LUMA
    h, w = luma.shape

    def bars(dark: np.ndarray) -> tuple[int, int]:
        n = len(dark)
        lead = int(np.argmin(dark)) if not dark.all() else n
        trail = int(np.argmin(dark[::-1])) if not dark.all() else n
        return (lead, trail) if lead + trail <= 0.75 * n else (0, 0)

    top, bottom = bars(luma.max(axis=1) < BAR_LUMA)
    left, right = bars(luma.max(axis=0) < BAR_LUMA)
    if top or bottom or left or right:
        return image[top:h - bottom, left:w - right]
    return image
