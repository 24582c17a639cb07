"""The plot style: the strip as a matplotlib figure on a time axis (h:mm:ss).

The figure is exactly ``width`` x ``height`` px (SVG: that many CSS px; PDF: that many
hundredths of an inch). Its text is sized from the height, and the axes are placed from the
measured extents of every label, so nothing is cut off and the margins are only as wide as
the labels need. Ticks fall on round times: every 0.1, 0.2, 0.5, 1, 2, 5, 10, 15 or 30 s,
1, 2, 5, 10, 15 or 30 min, 1, 2, 3, 6 or 12 h, or whole days, the smallest step whose
labels fit side by side.
"""

from __future__ import annotations

import io
import itertools
import logging
import math
import re
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..enums import ImageFormat
from ..errors import ParameterError
from ..marks import SOFTWARE
from ..warned import caught
from ..model.timerange import hms as whole_seconds
from .html import shown

if TYPE_CHECKING:
    from matplotlib.figure import Figure

log = logging.getLogger("streamprint")

#: Tick steps, seconds, smallest first (then whole days).
TICK_STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
              86400)
#: Pixels per inch of the figure (and points per inch are 72).
DPI = 100
#: Pixels left clear around the figure's text.
PAD = 3


def font_size(height: int) -> float:
    """The figure's font size in points for a figure ``height`` px tall: 10 pt from 200 px
    up, smaller below (down to 5 pt) so a short figure keeps room for its strip."""
    return float(min(10.0, max(5.0, height / 20)))


def hms(seconds: float, step: float = 1.0) -> str:
    """``h:mm:ss`` of a time in seconds, rounded to the second (then
    :func:`streamprint.model.hms`); with a ``step`` under a second, to the tenth
    (``h:mm:ss.s``)."""
    if step < 1:
        tenths = int(round(max(0.0, seconds) * 10))
        s, f = divmod(tenths, 10)
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}.{f}"
    return whole_seconds(round(seconds))


def tick_step(start: float, end: float, room: float, label: float) -> float:
    """The smallest of :data:`TICK_STEPS`, or of 2, 5, 10, 20, 50, ... days, whose ticks between
    ``start`` and ``end`` seconds fit in ``room`` px with labels ``label`` px wide and as
    much space between them. (Days stopped at 1000: a data file's times past 2.7 million
    days asked matplotlib for thousands of ticks, which took minutes or ran out of memory.)"""
    most = max(2, int(room // (1.6 * label)) + 1)
    duration = max(end - start, 1e-9)
    days = (86400.0 * m * 10**e for e in itertools.count() for m in (2, 5, 10))
    for step in itertools.chain(TICK_STEPS, days):
        if math.floor(end / step) - math.ceil(start / step) + 1 <= most and duration / step <= most:
            return float(step)
    raise AssertionError("unreachable: the steps grow without end")


#: Characters XML 1.0 cannot hold (C0 controls but tab and line breaks; U+FFFE, U+FFFF),
#: and DEL and the C1 controls, which no font draws.
_UNDRAWABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def drawable(text: str) -> str:
    """A title as it is drawn: :func:`~.html.shown`, a tab as a space, a carriage return as
    a line break (the font has no glyph for either), and :data:`_UNDRAWABLE` characters as
    U+FFFD (matplotlib writes the title into the SVG as it is: a title with ESC or BEL was
    a file no SVG reader opens)."""
    text = shown(text).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")  # no glyphs
    return _UNDRAWABLE.sub("\ufffd", text)


def plot_figure(strip: np.ndarray, start: float, end: float, width: int, height: int,
                title: str | None = None) -> Figure:
    """The laid-out figure: ``strip`` ((h, w, 3) uint8, its columns equal slices of the time
    from ``start`` to ``end`` seconds) on a time axis, ``width`` x ``height`` px."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MultipleLocator

    size = font_size(height)
    with matplotlib.rc_context({"font.size": size, "axes.titlesize": size * 1.2, "axes.labelsize": size,
                                "xtick.labelsize": size}):
        fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        end = max(end, start + 1e-9)
        ax.imshow(strip, aspect="auto", extent=(start, end, 0.0, 1.0), interpolation="nearest")
        ax.set_xlim(start, end)
        ax.set_yticks([])
        label_px = 0.62 * size * DPI / 72 * len(hms(end, 0.5))
        step = tick_step(start, end, width - 2 * label_px, label_px)
        ax.xaxis.set_major_locator(MultipleLocator(step))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: hms(t, step)))
        ax.set_xlabel("time (h:mm:ss)")
        if title:
            # the title as written: "$5 to $10" is not TeX (mathtext drew it in italics, and
            # "$\\foo$" was an error after the whole movie was decoded); bytes that are not
            # UTF-8 (a Latin-1 terminal's) as U+FFFD: the font engine refused their surrogates;
            # so are characters XML cannot hold (see drawable)
            ax.set_title(drawable(title), parse_math=False)
            _shorten_title(fig, ax, width)
        _fit(fig, ax, width, height)
    return fig


def _shorten_title(fig: Figure, ax: Any, width: int) -> None:
    """Cut a title too wide for the picture to what fits, ending in an ellipsis (a long
    title left no room for the strip, an error after the whole movie was decoded)."""
    # Agg's canvas has it, matplotlib's stubs type the base one (unused-ignore: without them)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined, unused-ignore]
    title, room = ax.title, width - 2 * PAD
    text = title.get_text()
    if title.get_window_extent(renderer).width <= room:
        return
    low, high = 0, len(text)  # the longest prefix that fits, by bisection
    while low < high:
        mid = (low + high + 1) // 2
        title.set_text(text[:mid].rstrip() + "…")
        low, high = (mid, high) if title.get_window_extent(renderer).width <= room else (low, mid - 1)
    title.set_text(text[:low].rstrip() + "…")


def _fit(fig: Figure, ax: object, width: int, height: int) -> None:
    """Place the axes so that its labels' measured extents lie :data:`PAD` px inside the
    figure (twice: tick labels move with the axes)."""
    # Agg's canvas has it, matplotlib's stubs type the base one (unused-ignore: without them)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined, unused-ignore]
    for _ in range(3):
        box = ax.get_window_extent(renderer)  # type: ignore[attr-defined]
        tight = ax.get_tightbbox(renderer)  # type: ignore[attr-defined]
        left, bottom = box.x0 - tight.x0, box.y0 - tight.y0
        right, top = tight.x1 - box.x1, tight.y1 - box.y1
        w = width - left - right - 2 * PAD
        h = height - bottom - top - 2 * PAD
        if w < 1 or h < 1:
            raise ParameterError("height" if h < 1 else "width",
                                 f"leaves a {width} x {height} px plot no room for its strip (its labels and "
                                 f"title take it all); make it {'taller' if h < 1 else 'wider'}")
        ax.set_position(((left + PAD) / width, (bottom + PAD) / height, w / width, h / height))  # type: ignore[attr-defined]


def check_room(width: int, height: int, title: str | None, seconds: float = 1.0) -> None:
    """The :class:`ParameterError` drawing would raise when the labels and ``title`` leave a
    ``width`` x ``height`` px plot no room for its strip, raised before anything is read:
    the figure laid out over a time axis of ``seconds`` (the tick labels' width grows with
    it; the height, where a title of many lines runs out of room, does not)."""
    plot_figure(np.zeros((1, 1, 3), np.uint8), 0.0, seconds, width, height, title)


def plot(strip: np.ndarray, start: float, end: float, width: int, height: int, title: str | None = None,
         fmt: ImageFormat = ImageFormat.PNG) -> bytes:
    """The figure of :func:`plot_figure` encoded as PNG, SVG or PDF, with streamprint's mark
    (PNG: a Software text chunk, and an sRGB chunk: :func:`.output.png_info`; SVG: a comment
    after the ``<svg>`` tag; PDF: the document information's Creator), and no date, so the
    same input gives the same bytes."""
    import matplotlib

    from .. import __version__
    from .output import png_info

    mark = f"{SOFTWARE} {__version__}"
    with caught(record=True) as said:
        fig = plot_figure(strip, start, end, width, height, title)
        buf = io.BytesIO()
        with matplotlib.rc_context({"svg.hashsalt": SOFTWARE, "pdf.compression": 6}):
            if fmt == ImageFormat.SVG:
                fig.savefig(buf, format="svg", dpi=DPI, metadata={"Creator": mark, "Date": None})
            elif fmt == ImageFormat.PDF:
                fig.savefig(buf, format="pdf", dpi=DPI, metadata={"Creator": mark, "CreationDate": None})
            else:
                fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"pnginfo": png_info()})
    _report_glyphs(said)
    if fmt == ImageFormat.SVG:
        return _mark_svg(buf.getvalue().decode("utf-8"), mark, width, height).encode("utf-8")
    return buf.getvalue()


#: matplotlib's warning for a character its font has no glyph for.
_MISSING_GLYPH = re.compile(r"Glyph (\d+) .*missing from font\(s\) (.*?)\.?$")


def _report_glyphs(caught: list[warnings.WarningMessage]) -> None:
    """matplotlib's warnings while a plot was drawn, passed on, but those of characters
    its font cannot draw (one per glyph and per layout pass, each with a line of our
    source): one warning through the "streamprint" logger naming them all."""
    missing: dict[str, str] = {}
    for w in caught:
        m = _MISSING_GLYPH.match(str(w.message))
        if m:
            missing.setdefault(chr(int(m.group(1))), m.group(2))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if missing:
        fonts = ", ".join(sorted(set(missing.values())))
        log.warning("the plot's title has characters its font (%s) cannot draw, shown as boxes: %s", fonts,
                    " ".join(missing))


def _mark_svg(text: str, mark: str, width: int, height: int) -> str:
    """matplotlib's SVG sized in px (it writes points) with the mark after its ``<svg>`` tag."""
    head, sep, rest = text.partition("<svg ")
    tag, _, body = rest.partition(">")
    tag = re.sub(r'\bwidth="[^"]*"', f'width="{width}"', tag, count=1)
    tag = re.sub(r'\bheight="[^"]*"', f'height="{height}"', tag, count=1)
    return f"{head}{sep}{tag}>\n<!-- {mark} -->{body}"
