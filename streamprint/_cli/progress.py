"""Progress bars (tqdm, on stderr), logging set-up, and reporting to the terminal."""

from __future__ import annotations

import logging
import sys
from typing import Any

from ..model import Fingerprint, Progress


class ProgressBar:
    """A tqdm bar fed by the library's progress callback; ETA only when the total is known."""

    def __init__(self, enabled: bool, desc: str = "fingerprint") -> None:
        self.enabled, self.desc = enabled, desc
        self.bar: Any = None

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=p.expected, unit="sample", file=sys.stderr, dynamic_ncols=True,
                            leave=False, desc=self.desc)
        if self.bar.total is not None and p.samples > self.bar.total:
            self.bar.total = p.samples
        self.bar.update(p.samples - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class BatchBars:
    """Two bars for a batch: files done, and the samples of the movies in flight."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.files: Any = None
        self.samples: Any = None
        self.running: dict[str, tuple[int, int | None]] = {}

    def plan(self, n: int) -> None:
        if self.enabled and n:
            from tqdm import tqdm

            self.files = tqdm(total=n, unit="file", file=sys.stderr, dynamic_ncols=True, desc="movies")

    def progress(self, rel: str, samples: int, expected: int | None) -> None:
        if self.files is None:
            return
        self.running[rel] = (samples, expected)
        if self.samples is None:
            from tqdm import tqdm

            self.samples = tqdm(unit="sample", file=sys.stderr, dynamic_ncols=True, position=1, leave=False,
                                desc="samples")
        totals = [e for _, e in self.running.values()]
        self.samples.total = sum(totals) if None not in totals else None  # type: ignore[arg-type]
        self.samples.n = sum(n for n, _ in self.running.values())
        self.samples.set_description_str(", ".join(sorted(self.running))[-40:], refresh=False)
        self.samples.refresh()

    def file_done(self, rel: str, status: str) -> None:
        self.running.pop(rel, None)
        if self.files is not None:
            self.files.set_postfix_str(f"{status}: {rel}"[-60:], refresh=False)
            self.files.update(1)

    def close(self) -> None:
        for bar in (self.samples, self.files):
            if bar is not None:
                bar.close()


class _BarAwareHandler(logging.StreamHandler):
    """Writes log lines through tqdm, so they do not land in the middle of a progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def setup_logging(quiet: bool, verbose: bool) -> None:
    handler = _BarAwareHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("streamprint: %(levelname)s: %(message)s"))
    root = logging.getLogger("streamprint")
    root.handlers[:] = [h for h in root.handlers if isinstance(h, logging.NullHandler)] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    root.propagate = False
    if verbose:
        import av.logging

        av.logging.set_level(av.logging.VERBOSE)
        libav = logging.getLogger("libav")
        libav.addHandler(handler)
        libav.setLevel(logging.DEBUG)


def error(message: str) -> None:
    """One line on stderr."""
    print(f"streamprint: error: {message}", file=sys.stderr)


def wrote(path: object, fp: Fingerprint) -> None:
    """The one-line summary of a drawn fingerprint (with -v): its samples, and the part of
    the movie when not all of it."""
    part = "" if fp.time_range.whole else f", {fp.time_range.describe()} of the movie"
    logging.getLogger("streamprint").info("wrote %s: %d samples%s", path, len(fp), part)
