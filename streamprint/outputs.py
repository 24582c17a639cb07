"""A run's outputs, written together: at the end of a run, and, for a live stream, at every
flush in between (:func:`streamprint.fingerprint`'s ``flush``). Every kind of output a run
makes is written by :meth:`RunOutputs.write`, so a new kind is flushed like the others.

The order is always the picture (or the page, when the output is HTML), then the page
beside it (batch), then the data file, last: a picture that cannot be drawn leaves no data,
and once the data file is there, everything is (batch relies on it to find a movie whose
worker finished finished: :func:`streamprint.batch.worker.finished_outputs`).

Each file is replaced atomically, so a reader at any moment finds a complete, valid file,
and the files of one write are replaced together (:func:`streamprint.atomic.together`): all
are written before any is renamed, and a rename that fails puts the ones before it back, so
a picture is never left beside another run's data.
A live run (``live``) keeps each rewrite cheap however long the stream: a picture with a
``width`` is kept at that width (:class:`~streamprint.render.live.LiveStrip`), and the data
file serializes only the samples added since the last write
(:class:`~streamprint.formats.fingerprint.GrowingDataFile`, which never reads back the
file at the path: a user may have written over it in place). A page is drawn whole each
time (it holds every sample's colours)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .atomic import check_outputs, check_replace, file_state, together
from .enums import ImageFormat
from .errors import ForeignFileError, OutputReplacedError
from .formats import write_fingerprint
from .formats.fingerprint import GrowingDataFile
from .model import Fingerprint, RenderOptions, hms
from .params import check, check_render, palette_only
from .render import save_image, write_image
from .render.live import LiveStrip


@dataclass
class RunOutputs:
    """The files one run writes: the picture ``image`` drawn as ``render`` says (a page when
    it is HTML), a ``page`` beside it (optional: a batch's, its strip drawn as
    :func:`~streamprint.render.page.page_options` says), and the ``data`` file (JSON or
    CSV, or the movie's palette as .gpl, .ase or .css; optional). ``live``: written again
    and again while a stream runs (see the module docstring). ``overwrite``: replace files streamprint did not write
    (:func:`streamprint.atomic.check_replace`); without it they are refused, at every
    write, before anything is drawn or written. A file this run wrote, unchanged since
    (:func:`~.atomic.file_state`), is replaced without that check: an ASE file carries no mark, and a
    live run checks no mark at every flush. One that the user's file took the place of
    since this run wrote it, or since :meth:`check` passed it, is left as it is: the other
    outputs are written one last time and :class:`~streamprint.errors.OutputReplacedError`
    says what they kept."""

    image: str | os.PathLike[str]
    render: RenderOptions
    data: str | os.PathLike[str] | None = None
    page: str | os.PathLike[str] | None = None
    live: bool = False
    overwrite: bool = False
    page_file: str | None = None
    """What the ``page`` says the movie's file is (a batch's: its path in the library; see
    :func:`~streamprint.render.page.page_html`); None: the path it was read from."""
    written: Fingerprint | None = field(default=None, init=False)
    """The fingerprint last written, None before the first write."""
    size: tuple[int, int] | None = field(default=None, init=False)
    """The (width, height) in px of the picture last written (a page's: its strip's)."""
    _data: GrowingDataFile | None = field(default=None, init=False, repr=False)
    _strip: LiveStrip | None = field(default=None, init=False, repr=False)
    _wrote: dict[str, tuple[int, ...] | None] = field(default_factory=dict, init=False, repr=False)
    """Each output's :func:`~.atomic.file_state` as the last write (or :meth:`check`) left it."""
    _replaced: set[str] = field(default_factory=set, init=False, repr=False)
    """The outputs the user's files took the place of during the run: no longer written."""

    def __post_init__(self) -> None:
        self.overwrite = check("overwrite", self.overwrite)  # (else a write with nothing there yet took any value)

    @property
    def _swatches(self) -> bool:
        """Whether the data file is one for design tools: the movie's palette alone."""
        return self.data is not None and palette_only(self.data)

    def named(self) -> list[tuple[str, str | os.PathLike[str]]]:
        """(parameter, path) of every output, for :func:`streamprint.atomic.check_outputs`."""
        return ([("output", self.image)] + ([("output", self.page)] if self.page is not None else [])
                + ([("data", self.data)] if self.data is not None else []))

    def check(self, inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
        """Before the run: :func:`streamprint.atomic.check_outputs` for every output, and the
        files found there then (none, or ones that may be replaced) taken as this run's, so
        that a file of the user's found there later was put there during the run."""
        check_outputs(self.named(), inputs, self.overwrite)
        self._wrote = {os.fspath(path): file_state(path) for _, path in self.named()}

    def write(self, fp: Fingerprint, final: bool = True) -> tuple[int, int]:
        """Write every output from ``fp``, in the order of the module docstring; returns
        the picture's (width, height) in px. ``final``: the run's last write, made durable
        (fsync); a flush in the middle of a live run is not (a rename keeps it whole for
        readers, but a power cut may lose it)."""
        render = self.render
        replaced = []
        for name, path in self.named():  # every one, before any is drawn or written
            key = os.fspath(path)
            if key not in self._replaced and self._wrote.get(key) != file_state(path):  # (not this run's file)
                try:
                    check_replace(path, self.overwrite, name)
                except ForeignFileError:
                    if key not in self._wrote:  # (there before the run: the caller's check's to refuse)
                        raise
                    replaced.append(key)
        self._replaced.update(replaced)
        final = final or bool(self._replaced)  # (the others written one last time: the run ends)
        skip = self._replaced
        with together():
            if os.fspath(self.image) in skip:
                size = self.size or (0, 0)
            elif self.live and render.width is not None and render.format != ImageFormat.HTML:
                check_render(render, fp.options.sampling)
                self._strip = self._strip or LiveStrip(render)
                write_image(self._strip.draw(fp, final), self.image, render.format, render.background, sync=final,
                            overwrite=True)  # (checked above)
                size = (render.width, render.height)
            else:
                size = save_image(fp, self.image, render, sync=final, overwrite=True)
            if self.page is not None and os.fspath(self.page) not in skip:
                from .render.page import page_options, save_page

                save_page(fp, self.page, page_options(render, fp.options.sampling), sync=final, overwrite=True,
                          file=self.page_file)
            if self.data is not None and os.fspath(self.data) not in skip:
                if self.live and not self._swatches:  # (a movie's palette alone is small: written whole)
                    self._data = self._data or GrowingDataFile(self.data)
                    self._data.write(fp, sync=final)
                else:
                    write_fingerprint(fp, self.data, overwrite=True)
        self.size, self.written = size, fp
        self._wrote = {os.fspath(path): file_state(path) for _, path in self.named()}
        if final:
            self.close()
        if self._replaced:  # (at every write since: those outputs are not written)
            replaced = [os.fspath(p) for _, p in self.named() if os.fspath(p) in self._replaced]
            raise OutputReplacedError(f"{' and '.join(replaced)} {'was' if len(replaced) == 1 else 'were'} replaced "
                                      f"during the run by a file streamprint did not write, left as it is; kept "
                                      f"{self.kept()}")
        return self.size

    def flush(self, fp: Fingerprint) -> None:
        """A write in the middle of a live run (the pipeline's ``flush`` callback)."""
        self.write(fp, final=False)

    def close(self) -> None:
        if self._data is not None:
            self._data.close()
            self._data = None

    def kept(self) -> str:
        """What the outputs hold, in words: ``312 samples, 0:00:00 to 0:05:12, in a.png and
        a.json``; ``nothing`` before the first write."""
        fp = self.written
        if fp is None or not len(fp):
            return "nothing"
        times = fp.times
        names = " and ".join(str(p) for _, p in self.named()  # as given, as the "wrote" line has them
                             if os.fspath(p) not in self._replaced)
        if not names:
            return "nothing"
        return (f"{len(fp)} sample{'s' if len(fp) != 1 else ''}, {hms(round(float(times[0])))} to "
                f"{hms(round(float(times[-1])))}, in {names}")  # frame times, to the second
