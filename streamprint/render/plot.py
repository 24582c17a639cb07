"""The plot style: the strip as a matplotlib figure on a time axis (h:mm:ss)."""

from __future__ import annotations

import io

import numpy as np

from ..model.timerange import hms


def plot(strip: np.ndarray, start: float, end: float, width: int, height: int, title: str | None = None) -> bytes:
    """A matplotlib figure of the strip with a time axis in h:mm:ss: PNG bytes of exactly
    ``width`` x ``height`` px. The strip spans ``start`` to ``end``, seconds of the movie
    (a part of it: the axis starts where the part does)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    try:
        ax = fig.add_axes((0.04, 0.18 if not title else 0.16, 0.92, 0.62 if title else 0.72))
        ax.imshow(strip, aspect="auto", extent=(start, max(end, start + 1e-9), 0.0, 1.0), interpolation="nearest")
        ax.set_yticks([])
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 3, 5, 6, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: hms(t)))
        ax.set_xlabel("time (h:mm:ss)")
        if title:
            ax.set_title(title)
        buf = io.BytesIO()
        from .. import __version__

        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": f"streamprint {__version__}"})
    finally:
        plt.close(fig)
    return buf.getvalue()

