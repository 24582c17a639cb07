"""A movie's page: one self-contained HTML file (see :mod:`.html`) with the strip, and for
each column its time, its colours with their hex codes and shares, and a thumbnail of its
frame; the movie's own palette; its metadata and the options it was made with.

Made from a :class:`~streamprint.model.Fingerprint` alone (never from the pipeline), so
``streamprint render data.json page.html`` rebuilds it from saved data. Thumbnails take
what the strip, the data and the code leave of :data:`PAGE_BUDGET`: when they would take
more, every m-th is kept and a column shows the nearest one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import params
from ..atomic import check_replace
from ..enums import PAGE_STYLES, ImageFormat
from ..model import Fingerprint, Palette, RenderOptions, Sampling, Thumbnails
from ..model.timerange import hms
from ..thumbnails import within_budget
from .columns import timeline
from .html import asset, base64_text, clock, data_uri, esc, isolated, page, percent, permille, script_json, write_html
from .output import draw, encode_png, picture_columns

#: The size a page aims at, bytes: a 2-hour movie at the default sampling (7200 samples)
#: fits it with thumbnails; its thumbnails take what the rest leaves.
PAGE_BUDGET = 5_000_000
#: Bytes each thumbnail adds to the page besides its base64 text (quotes, comma, index).
_PER_THUMBNAIL = 12
#: The tallest the strip is shown, CSS pixels (it is drawn at its own height).
MAX_SHOWN_HEIGHT = 320


def page_options(render: RenderOptions, sampling: Sampling) -> RenderOptions:
    """How a page shows a strip that is drawn as ``render`` says (a batch's strips): the
    same, when it is a strip style (:data:`~streamprint.enums.PAGE_STYLES`); else (ring,
    plot) stacked, at the default height."""
    if render.style in PAGE_STYLES:
        return dataclasses.replace(render, format=ImageFormat.HTML)
    return RenderOptions(order=render.order, column_width=render.column_width, format=ImageFormat.HTML,
                         width=render.width if sampling.time_proportional else None)


def time_decimals(fp: Fingerprint) -> int:
    """Digits of the second a page shows: 0 when samples are a second or more apart, else 2."""
    gaps = np.diff(fp.times)
    return 2 if len(gaps) and float(gaps.min()) < 1.0 else 0


def swatches(palette: Palette, tag: str = "li") -> str:
    """Buttons that show each colour of ``palette`` with its hex code and share, and copy
    the hex code when clicked (by the page's script)."""
    return "".join(
        f'<{tag} class="swatch"><button type="button" data-hex="{h}" title="copy {h}">'
        f'<span class="chip" style="background:{h}"></span><code class="hex">{h}</code>'
        f'<span class="share">{percent(w)}</span></button></{tag}>'
        for h, w in zip(palette.hex, palette.weights, strict=True))


def palette_bar(palette: Palette) -> str:
    """The palette as one bar, each colour as wide as its share."""
    return "".join(f'<span style="background:{h};flex-grow:{w:.6f}" title="{h} {percent(w)}"></span>'
                   for h, w in zip(palette.hex, palette.weights, strict=True))


def metadata(fp: Fingerprint, options: RenderOptions, thumbnails: Thumbnails | None,
             extra: Sequence[tuple[str, str]] = (), file: str | None = None) -> list[tuple[str, str]]:
    """(label, text) rows of what is known of the movie and how its page was made; ``file``:
    see :func:`page_html`."""
    s, o, d, c = fp.source, fp.options, fp.decode, fp.color
    spans = fp.spans()
    rows = [("file", s.path if file is None else file), ("duration", clock(s.duration) if s.duration else f"{clock(float(spans.sum()))} sampled"),
            ("video", f"{s.codec} in {s.container}, {s.display_width} × {s.display_height} px"
                      + (f", {s.frame_rate:.3f} fps" if s.frame_rate else "")),
            ("colour", ", ".join(v for v in (s.pix_fmt, s.colorspace, s.color_range, s.color_transfer) if v) or "-")]
    rows += list(extra)
    if c.hdr_samples:
        rows.append(("HDR", f"{c.hdr_samples} samples {'/'.join(c.transfers).upper()}, {c.tone_mapped} tone-mapped"
                            + (f", peak {c.peak_nits:g} cd/m²" if c.peak_nits else "")))
    rows += [("samples", f"{len(fp)}: {o.sampling.describe()}"),
             ("clustering", f"{o.colors} colours per frame, {o.algorithm} in {o.space}, seed {o.seed}, "
                            f"analysis size {o.analysis_size} px, crop {o.crop}, tone mapping {o.tonemap}"),
             ("decoding", f"{d.frames} frames, {d.skipped} skipped unread, {d.corrupt_packets} damaged packets, "
                          f"{d.discontinuities} timestamp jumps"),
             ("strip", f"{options.style}, order {options.order}, {options.height} px high, "
                       + (f"{options.width} px wide" if options.width else
                          f"{options.column_width} px per column" if options.column_width else "default width")),
             ("thumbnails", f"{len(thumbnails)} of {len(fp)} samples, {thumbnails.format}" if thumbnails else
              f"none of the data's {len(fp.thumbnails)} (the page's size budget)" if fp.thumbnails else
              "none (made without them)"),
             ("made by", f"streamprint {fp.version}" if fp.version else "streamprint")]
    return rows


def page_html(fp: Fingerprint, options: RenderOptions | None = None, extra: Sequence[tuple[str, str]] = (),
              budget: int = PAGE_BUDGET, file: str | None = None) -> str:
    """The page of ``fp`` as HTML text. ``options`` say how the strip is drawn (a strip
    style: :data:`~streamprint.enums.PAGE_STYLES`); ``extra`` are more (label, text) rows
    for the metadata table (e.g. a time range); ``budget`` is the size in bytes the page's
    thumbnails are thinned to fit (with the rest of the page). ``file``: what the page says
    the movie's file is (a batch's pages: its path in the library, not the folders above it,
    which a page put on a web server would show the world); None: the path ``fp`` was read
    from, as it was given."""
    return _page(fp, options, extra, budget, file)[0]


def part_rows(fp: Fingerprint) -> list[tuple[str, str]]:
    """The metadata row of the part of the movie ``fp`` was made from, when not all of it."""
    return [] if fp.time_range.whole else [("part", f"{fp.time_range.describe()} of the movie")]


def _page(fp: Fingerprint, options: RenderOptions | None, extra: Sequence[tuple[str, str]] = (),
          budget: int = PAGE_BUDGET, file: str | None = None) -> tuple[str, tuple[int, int]]:
    """:func:`page_html`'s text, and the (width, height) of its strip in px. The part of
    the movie, when not all of it, is the first of the ``extra`` rows."""
    options = options or RenderOptions(format=ImageFormat.HTML)
    extra = [*part_rows(fp), *extra]
    params.check_render(dataclasses.replace(options, format=ImageFormat.HTML), fp.options.sampling)
    png = dataclasses.replace(options, format=ImageFormat.PNG)
    strip = draw(fp, png)
    height, width = strip.shape[:2]
    # where each sample's columns start, px (and the strip's width last): samples repeated
    # to a least width, resampled by time to a given width, or as wide as their time
    edges = np.searchsorted(picture_columns(fp, png), np.arange(len(fp) + 1), side="left").tolist()
    decimals = time_decimals(fp)
    data = {  # times as shown: clock() makes them, the script none (one rule for what is cut off)
        "t": [clock(t, decimals) for t in fp.times.tolist()],
        "f": [s.frame for s in fp.samples],
        "c": ["".join(h[1:] for h in s.palette.hex) for s in fp.samples],
        "w": [[permille(w) for w in s.palette.weights.tolist()] for s in fp.samples],
        "strip": {"width": width, "height": height, "edges": edges},
    }
    palette = fp.movie_palette
    strip_uri = data_uri("image/png", encode_png(strip))
    title = Path(fp.source.path).name or "movie"
    end = timeline(fp)[1] if len(fp) else 0.0
    # the strip's axis and the heading, the same times: from the start of the part made, when
    # not all of it, to the millisecond as the part was asked for (its axis said 0:00:02 to
    # 0:00:04 under "0:00:02.5 to 0:00:04.5 of the movie")
    if fp.time_range.whole:
        start, finish = clock(0.0), clock(end)
        span = finish
    else:
        start, finish = hms(fp.time_range.start), hms(end)
        span = f"{start} to {finish} of the movie"

    def build(thumbs: Thumbnails | None) -> str:
        shown = {"i": list(thumbs.indices), "src": [base64_text(b) for b in thumbs.images],
                 "mime": f"image/{thumbs.format}"} if thumbs else {"i": [], "src": [], "mime": ""}
        shown["why"] = "the page's size budget" if fp.thumbnails and not thumbs else "the data was made without them"
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in metadata(fp, options, thumbs, extra, file))
        return page("page.html", {
            "title": esc(title), "doc_title": esc(isolated(title)), "css": asset("common.css") + asset("page.css"),
            "js": asset("common.js") + asset("page.js"),
            "strip": strip_uri, "strip_height": str(min(height, MAX_SHOWN_HEIGHT)),
            "columns": f"{len(fp)} column{'' if len(fp) == 1 else 's'}", "last": str(len(fp) - 1), "start": esc(start),
            "end": esc(finish), "span": esc(span),
            "palette": swatches(palette) if palette is not None else "",
            "palette_bar": palette_bar(palette) if palette is not None else "",
            "meta": rows, "data": script_json({**data, "thumbs": shown}),
        })

    if not fp.thumbnails:
        return build(None), (width, height)
    rest = len(build(None).encode())
    room = budget - rest - _PER_THUMBNAIL * len(fp.thumbnails)
    return build(within_budget(fp.thumbnails, max(0, room))), (width, height)


def save_page(fp: Fingerprint, path: str | os.PathLike[str], options: RenderOptions | None = None,
              extra: Sequence[tuple[str, str]] = (), sync: bool = True, *, overwrite: bool = False,
              file: str | None = None) -> tuple[int, int]:
    """Write ``fp``'s page to ``path`` atomically (see :func:`page_html`, for ``file`` too); returns its
    strip's (width, height) in px. ``sync``: see :func:`~streamprint.atomic.atomic_output`.
    A file at ``path`` that streamprint did not write is replaced only with ``overwrite``
    (:func:`~streamprint.atomic.check_replace`)."""
    check_replace(path, overwrite)
    text, size = _page(fp, options, extra, file=file)
    write_html(text, path, sync=sync)
    return size
