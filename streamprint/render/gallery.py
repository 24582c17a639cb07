"""A library's gallery: ``OUTDIR/index.html``, one self-contained page (see :mod:`.html`)
with a card per movie (its strip, title, duration and palette, linking to its page),
sorted by name, duration, brightness, colourfulness or hue, and searchable by colour.

Searching by colour ranks the movies by the share of their time whose colours lie within
a CIEDE2000 threshold of the colour picked. For that the page holds, per movie, the
shares of its time in colour bins (16 levels per channel: see
:data:`~streamprint.model.gallery.BIN_BITS`; a bitmap of the bins used and a 16-bit share
for each, about 4 KB for a colourful 2-hour film), and compares the picked colour with
each bin's centre: one search over a thousand movies is 4096 colour differences and then
sums.

Made from model values read through :mod:`streamprint.formats` (never the pipeline); a
cache beside the page (``.streamprint-gallery.json``) keeps each movie's entry until its
data file changes.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

import numpy as np

from .. import params
from ..atomic import check_outputs
from ..color.spaces import srgb_to_lab
from ..enums import SWATCH_FORMATS, Order
from ..errors import DataFormatError, InputError, StreamprintError
from ..formats import is_fingerprint_file, read_fingerprint, read_gallery_cache, write_gallery_cache
from ..formats.gallery import FORMAT_NAME as CACHE_FORMAT, Cached
from ..marks import bookkeeping_refused, written_by_streamprint
from ..reserved import CACHE, INDEX, reserved_as
from ..model import Fingerprint, GalleryEntry
from ..model.gallery import BIN_BITS, BINS, SHARE_UNIT
from ..summary import time_weights
from .columns import timeline
from .html import asset, base64_text, clock, esc, page, permille, script_json, write_html
from .strip import render_stacked

log = logging.getLogger("streamprint")

#: The strip picture on a card, pixels.
STRIP_SIZE = (480, 48)
#: Why a gallery has no movie: what its page and the gallery command say.
EMPTY = "no fingerprint data file (.json, .csv) that can be read"
#: A gallery's title, unless given one.
TITLE = "streamprint gallery"
#: Below this chroma (CIELAB units) a movie's mean colour direction has no hue.
GREY_CHROMA = 1.0


def strip_picture(fp: Fingerprint, size: tuple[int, int] = STRIP_SIZE) -> bytes:
    """The stacked strip at ``size`` (width, height) px, columns as wide as their time
    (averaged in linear light where more than one falls on a pixel), as lossy WebP."""
    import io

    from PIL import Image

    from ..color.resize import resize_linear

    width, height = size
    spans = fp.spans()
    # a pixel column a sample, then averaged down; past the widest picture (65,535 px: a
    # movie sampled at every frame for 45 minutes was left out of the gallery), a whole
    # number of columns to each pixel
    wide = max(width, len(fp))
    wide = wide if wide <= params.MAX_SIDE else width * (params.MAX_SIDE // width)
    strip = render_stacked(fp.palettes, height=height, order=Order.WEIGHT,
                           widths=spans if spans.sum() > 0 else None, width=wide)
    image = Image.fromarray(strip if strip.shape[1] == width else resize_linear(strip, (width, height)))
    buf = io.BytesIO()
    image.save(buf, format="WEBP", quality=80, method=4)
    return buf.getvalue()


def colour_bins(colors: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(bins, shares) of colours (m, 3) uint8 weighing ``weights`` (summing to 1): the bins
    with a share of at least one unit, in increasing order."""
    c = colors.astype(np.int64) >> (8 - BIN_BITS)
    keys = (c[:, 0] << (2 * BIN_BITS)) | (c[:, 1] << BIN_BITS) | c[:, 2]
    units = np.rint(np.bincount(keys, weights=weights, minlength=BINS) * SHARE_UNIT).astype(np.int64)
    used = np.flatnonzero(units > 0)
    return used.astype(np.uint16), units[used].astype(np.uint16)


def packed_bins(entry: GalleryEntry) -> bytes:
    """A movie's colour bins as the gallery's script reads them: a bitmap of the bins used
    (BINS bits, least significant first), then each one's share, uint16 little-endian."""
    bitmap = np.zeros(BINS, dtype=bool)
    bitmap[entry.bins] = True
    return np.packbits(bitmap, bitorder="little").tobytes() + entry.shares.astype("<u2").tobytes()


def gallery_entry(fp: Fingerprint, title: str, data: str, page: str | None = None) -> GalleryEntry:
    """What the gallery shows of ``fp``, and what searching it by colour needs."""
    colors, weights = time_weights(fp)
    lab = srgb_to_lab(colors)
    a, b = weights @ lab[:, 1], weights @ lab[:, 2]
    hue = float(np.degrees(np.arctan2(b, a)) % 360) if np.hypot(a, b) >= GREY_CHROMA else None
    bins, shares = colour_bins(colors, weights)
    if fp.time_range.whole:
        duration = fp.source.duration or float(fp.spans().sum())
    else:  # a part of the movie: its own length, as its page and the command's last line say
        duration = max(0.0, timeline(fp)[1] - fp.time_range.start) if len(fp) else 0.0
    assert fp.movie_palette is not None
    return GalleryEntry(title, data, page, duration, len(fp), fp.movie_palette,
                        float(np.clip(weights @ lab[:, 0], 0, 100)), float(weights @ np.hypot(lab[:, 1], lab[:, 2])),
                        None if hue is None or hue >= 360 else hue, strip_picture(fp), bins, shares)


def page_url(page: str | None) -> str | None:
    """The relative URL of a page at ``page`` (a path relative to the gallery, with ``/``):
    every byte but letters, digits, ``-._~`` and the ``/`` between folders percent-encoded
    (UTF-8), so that spaces, ``#``, ``?``, ``%``, ``:`` and non-ASCII names all lead to
    the file itself; so do names whose bytes are not UTF-8 (each such byte as itself)."""
    return None if page is None else quote(page.encode("utf-8", "surrogateescape"), safe="/")


def gallery_html(entries: Sequence[GalleryEntry], title: str = TITLE) -> str:
    """The gallery page of ``entries`` as HTML text."""
    movies = []
    for e in entries:
        movies.append({"t": e.title, "p": page_url(e.page), "d": round(e.duration, 3), "dh": clock(e.duration),
                       "n": e.samples,
                       "L": round(e.brightness, 2), "C": round(e.colorfulness, 2),
                       "h": None if e.hue is None else round(e.hue, 2),
                       "pal": [[h, round(float(w), 4), permille(w)] for h, w in zip(e.palette.hex, e.palette.weights, strict=True)],
                       "s": base64_text(e.strip), "b": base64_text(packed_bins(e))})
    total = sum(e.duration for e in entries)
    return page("gallery.html", {
        "title": esc(title), "count": f"{len(entries)} movie{'' if len(entries) == 1 else 's'}",
        "total": esc(clock(total)),
        "empty": "" if entries else
        f'<p class="note" id="empty">No movies: {esc(EMPTY)} in this folder or below it.</p>',
        "css": asset("common.css") + asset("gallery.css"),
        "js": asset("common.js") + asset("color.js") + asset("gallery.js"),
        "data": script_json({"bits": BIN_BITS, "unit": SHARE_UNIT, "movies": movies}),
    })


#: The extensions of the fingerprint data files a card can be read from, the one read from
#: first first (formats for design tools hold a palette alone: no card is made from them).
CARD_DATA_EXTENSIONS = tuple(ext for ext, fmt in params.DATA_EXTENSIONS.items()
                             if fmt in params.FINGERPRINT_DATA and fmt not in SWATCH_FORMATS)


def _data_files(folder: Path) -> list[tuple[list[Path], list[Path]]]:
    """Fingerprint data files (JSON or CSV) under ``folder``, hidden files and folders left
    out, sorted, grouped by movie: a JSON and a CSV file of one name (``movie.json``,
    ``movie.csv``: one movie saved twice) are one movie, read from the JSON one, which holds
    more (thumbnails, the page's data), or the CSV one when that cannot be read. With each
    movie, the files beside them that may be its page: of its name, with an extension a page
    is written with (:data:`~streamprint.params.PAGE_EXTENSIONS`: ``.html``, else ``.htm``),
    in any case (``movie.HTML``), as data files' extensions are. An empty file of a data
    file's name beside a page of streamprint's is a movie's data file emptied (a copy that
    failed): it is one too, to be said unreadable (it was left out in silence)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        data: dict[str, list[Path]] = {}
        pages: dict[str, list[Path]] = {}
        emptied = []
        for name in sorted(files):
            p = Path(root) / name
            ext = p.suffix.lower()
            if ext in params.PAGE_EXTENSIONS:
                pages.setdefault(p.stem, []).append(p)
            elif not name.startswith(".") and ext in CARD_DATA_EXTENSIONS and p.is_file():
                if is_fingerprint_file(p):
                    data.setdefault(p.stem, []).append(p)
                elif _empty(p):
                    emptied.append(p)
        for p in emptied:
            if _page_of(pages.get(p.stem, []), folder) is not None:
                data.setdefault(p.stem, []).append(p)
        for stem, same in data.items():
            found.append((sorted(same, key=lambda p: CARD_DATA_EXTENSIONS.index(p.suffix.lower())),
                          sorted(pages.get(stem, []), key=lambda p: params.PAGE_EXTENSIONS.index(p.suffix.lower()))))
    return found


def _empty(path: Path) -> bool:
    try:
        return path.stat().st_size == 0
    except OSError:
        return False


def _page_of(pages: list[Path], folder: Path) -> str | None:
    """The first of a movie's possible ``pages`` (see :func:`_data_files`) written by
    streamprint, relative to ``folder``; None when there is none (the gallery, or a name
    that is the gallery's where case is ignored, is none: :mod:`streamprint.reserved`)."""
    for p in pages:
        if reserved_as(p, folder) is None and written_by_streamprint(p):
            return p.relative_to(folder).as_posix()
    return None


def _read_cache(folder: Path) -> dict[str, Cached]:
    """The cache beside ``folder``'s gallery; empty (with a warning) when it is unusable, and
    (without one: :func:`_save_cache` says it) when the file there is none of streamprint's."""
    cache_path = folder / CACHE
    if bookkeeping_refused(cache_path, CACHE_FORMAT) is not None:  # (a FIFO there was read, and would block)
        return {}
    try:
        return read_gallery_cache(cache_path)
    except (DataFormatError, InputError) as exc:
        log.warning("%s: gallery cache unusable, rebuilding it (%s)", cache_path, exc)
        return {}


def _save_cache(entries: dict[str, Cached], folder: Path) -> None:
    """Write ``folder``'s cache; when it cannot be (a file of someone else's there, a folder,
    a full disk), say so and go on: it only spares the next gallery reading data files."""
    try:
        write_gallery_cache(entries, folder / CACHE)
    except StreamprintError as exc:
        log.warning("the gallery's cache was not saved, the gallery is made without it (%s)", exc)


def _card(folder: Path, path: Path, cache: dict[str, Cached]) -> Cached:
    """(the data file's size and mtime, its entry): from ``cache`` when the file is
    unchanged, else read from it. StreamprintError or OSError when it cannot be read."""
    rel = path.relative_to(folder).as_posix()
    st = path.stat()
    if st.st_size == 0:
        raise DataFormatError(f"{path}: empty")
    key = (st.st_size, st.st_mtime_ns)
    cached = cache.get(rel)
    if cached is not None and cached[0] == key:
        return cached
    return key, gallery_entry(read_fingerprint(path), rel[:-len(path.suffix)] or rel, rel)


def gallery_entries(folder: str | os.PathLike[str], cache: dict[str, Cached] | None = None,
                    leave_out: frozenset[str] = frozenset()) -> list[GalleryEntry]:
    """An entry for every fingerprint data file under ``folder``, in order of title, each
    linking to its page when there is one (``NAME.html`` or ``NAME.htm``, in any case, beside
    ``NAME.json``, written by streamprint). Entries come from the cache (``cache``, else the one beside the gallery)
    where the data file is unchanged; the cache is then brought up to date. A data file
    that cannot be read is left out, with a warning, and so, silently, are the data files
    (paths relative to ``folder``) in ``leave_out``."""
    folder = Path(folder)
    stored = _read_cache(folder)
    return _entries(folder, stored if cache is None else cache, stored, leave_out)


def _entries(folder: Path, cache: dict[str, Cached], stored: dict[str, Cached],
             leave_out: frozenset[str]) -> list[GalleryEntry]:
    """:func:`gallery_entries` from ``cache``; ``stored``: the cache as read from its file
    (read once: a damaged one was warned about twice in a batch), saved again when the
    entries differ from it."""
    fresh: dict[str, Cached] = {}
    entries = []
    for candidates, pages in _data_files(folder):
        if any(p.relative_to(folder).as_posix() in leave_out for p in candidates):
            continue
        for path in candidates:
            rel = path.relative_to(folder).as_posix()
            try:
                fresh[rel] = _card(folder, path, cache)
                break
            except (StreamprintError, OSError) as exc:
                log.warning("%s: %s (%s)", rel, "read from its CSV file" if path != candidates[-1]
                            else "left out of the gallery", exc)
        else:
            continue
        entries.append(dataclasses.replace(fresh[rel][1], page=_page_of(pages, folder)))
    if fresh != stored:
        _save_cache(fresh, folder)
    return sorted(entries, key=lambda e: (e.title.casefold(), e.title))


class Cards:
    """A batch's gallery as the run goes: each movie's card is made (from its data file)
    as the movie finishes, kept here, and the page written by :meth:`write` at the end
    of the run, however it ends, with the movies finished by then."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.stored = _read_cache(self.folder)
        self.cache = dict(self.stored)
        #: data files (relative to the folder) of movies not finished: their cards are left out
        self.unfinished: frozenset[str] = frozenset()

    def add(self, data: str | os.PathLike[str]) -> None:
        """The card of a movie just finished, whose data file is ``data`` (in the folder);
        one that cannot be read is left to :meth:`write` (which warns)."""
        path = Path(data)
        try:
            self.cache[path.relative_to(self.folder).as_posix()] = _card(self.folder, path, self.cache)
        except (StreamprintError, OSError, ValueError) as exc:
            log.debug("%s: no card yet (%s)", path, exc)

    def write(self, overwrite: bool = False) -> int:
        """``index.html`` of every movie in the folder (see :func:`write_gallery`)."""
        return _write(self.folder, overwrite, None,
                      lambda: _entries(self.folder, self.cache, self.stored, self.unfinished))


def write_gallery(folder: str | os.PathLike[str], overwrite: bool = False,
                  cache: dict[str, Cached] | None = None, leave_out: frozenset[str] = frozenset(),
                  title: str | None = None) -> int:
    """Write ``folder/index.html`` (atomically): the gallery of every fingerprint data file
    under ``folder`` (see :func:`gallery_entries`, for ``cache`` too), headed ``title``
    (None: the title of the gallery there, :func:`remembered_title`, else :data:`TITLE`).
    An ``index.html`` streamprint did not write is replaced only with ``overwrite``.
    Returns the number of movies."""
    title = params.check("title", title)
    folder = Path(folder)
    return _write(folder, overwrite, title, lambda: gallery_entries(folder, cache, leave_out))


def _write(folder: Path, overwrite: bool, title: str | None, entries: Callable[[], list[GalleryEntry]]) -> int:
    """:func:`write_gallery` of the ``entries()`` (made once the page may be written)."""
    index = folder / INDEX
    check_outputs([("output", index)], (), overwrite)
    title = remembered_title(index) if title is None else title
    cards = entries()
    write_html(gallery_html(cards, TITLE if title is None else title), index)
    return len(cards)


#: Where a gallery's page remembers its title (in its head, before anything of a movie's).
_TITLE = re.compile(r'<meta name="streamprint-gallery-title" content="([^"]*)">')


def remembered_title(index: str | os.PathLike[str]) -> str | None:
    """The title the gallery at ``index`` was written with, which its page remembers (so
    that a batch, writing it again, keeps a title given by the gallery command); None when
    the file there is no gallery of streamprint's."""
    p = Path(index)
    if not written_by_streamprint(p):
        return None
    try:
        text = p.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None
    m = _TITLE.search(text, 0, max(0, text.find("<style>")))
    return None if m is None else html.unescape(m.group(1))
