"""A run's outputs, written together: at the end of a run, and, for a live stream, at every
flush in between (:func:`streamprint.fingerprint`'s ``flush``). Every kind of output a run
makes is written by :meth:`RunOutputs.write`, so a new kind is flushed like the others.

Each file is replaced atomically, so a reader at any moment finds a complete, valid file.
A live run (``live``) keeps each rewrite cheap however long the stream: the strip is kept
at ``width`` pixels (columns resampled by time) when a width is given, and the data file
serializes only the samples added since the last write
(:class:`~streamprint.formats.fingerprint.GrowingDataFile`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .formats import write_fingerprint
from .formats.fingerprint import GrowingDataFile
from .model import Fingerprint, RenderOptions, hms
from .params import check_render
from .render import save_image, write_image
from .render.live import LiveStrip


@dataclass
class RunOutputs:
    """The files one run writes: the strip ``image`` drawn as ``render`` says, and the
    ``data`` file (JSON or CSV, optional). ``live``: written again and again while a stream
    runs (see the module docstring)."""

    image: str | os.PathLike[str]
    render: RenderOptions
    data: str | os.PathLike[str] | None = None
    live: bool = False
    written: Fingerprint | None = field(default=None, init=False)
    """The fingerprint last written, None before the first write."""
    _data: GrowingDataFile | None = field(default=None, init=False, repr=False)
    _strip: LiveStrip | None = field(default=None, init=False, repr=False)

    def named(self) -> list[tuple[str, str | os.PathLike[str]]]:
        """(parameter, path) of every output, for :func:`streamprint.atomic.check_outputs`."""
        return [("output", self.image)] + ([("data", self.data)] if self.data is not None else [])

    def write(self, fp: Fingerprint, final: bool = True) -> None:
        """Write every output from ``fp``: the strip first (a strip that cannot be drawn
        leaves no data), then the data. ``final``: the run's last write, made durable
        (fsync); a flush in the middle of a live run is not (a rename keeps it whole for
        readers, but a power cut may lose it)."""
        if self.live and self.render.width is not None:  # kept at its width (render.live)
            check_render(self.render, fp.options.sampling, live=True)
            self._strip = self._strip or LiveStrip(self.render)
            write_image(self._strip.draw(fp, final), self.image, self.render.format, sync=final)
        else:
            save_image(fp, self.image, self.render)
        if self.data is not None:
            if self.live:
                self._data = self._data or GrowingDataFile(self.data)
                self._data.write(fp, sync=final)
            else:
                write_fingerprint(fp, self.data)
        self.written = fp
        if final:
            self.close()

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
        samples = fp.samples
        names = " and ".join(Path(p).name for _, p in self.named())
        return (f"{len(samples)} sample{'s' if len(samples) != 1 else ''}, {hms(samples[0].time)} to "
                f"{hms(samples[-1].time)}, in {names}")
