"""Progress bars (tqdm, on stderr), logging set-up, and reporting to the terminal: the
one line a successful command ends with, and errors."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from typing import Any

from ..errors import one_line
from ..model import Progress, hms


class _Terminal:
    """Standard error as the bars, log lines and messages write to it. A write that fails
    (stderr closed with ``2>&-``, a full disk, a pipe whose reader left) stops every later
    one, and never fails the work: a movie's strip is not thrown away because its progress
    could not be shown."""

    def __init__(self) -> None:
        self.broken = False

    def _call(self, name: str, *args: Any) -> Any:
        stream = sys.stderr
        if self.broken or stream is None:  # None: Python started with stderr closed
            return None
        try:
            return getattr(stream, name)(*args)
        except (OSError, ValueError):  # ValueError: written to after being closed
            self.broken = True
            return None

    def write(self, text: str) -> int:
        return self._call("write", _shown(text)) or 0

    def flush(self) -> None:
        self._call("flush")

    def isatty(self) -> bool:
        return bool(self._call("isatty"))

    @property
    def encoding(self) -> str:
        """stderr's (tqdm draws its bars in Unicode blocks only when this says UTF-8)."""
        return getattr(sys.stderr, "encoding", None) or "ascii"

    def fileno(self) -> int:
        if sys.stderr is None:
            raise OSError("standard error is closed")
        return sys.stderr.fileno()


def _shown(text: str) -> str:
    """``text`` with the bytes of a file name that is not UTF-8 (Python's lone surrogates)
    written ``\xe9``, as the byte they stand for: stderr wrote ``caf\udce9.png``, a code
    point that is in no name."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


#: Where every bar, log line and message goes.
TERMINAL = _Terminal()


def clock(seconds: float) -> str:
    """A time as a clock shows it: ``m:ss`` under an hour, ``h:mm:ss`` from one hour on."""
    s = int(round(max(0.0, seconds)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def length(seconds: float) -> str:
    """A length of video as the closing line says it: as :func:`clock`, but under a minute
    with as many decimals as it has to the millisecond (``0:00.2``, ``0:03.5``), as a part's
    start and end are said (:func:`streamprint.model.hms`): a 0.2-s part was "0:00 of video
    (0:00:01 to 0:00:01.2)", and 3.5 s "0:04"."""
    ms = int(round(max(0.0, seconds) * 1000))
    if ms >= 60_000 or not ms % 1000:
        return clock(seconds)
    return hms(seconds).removeprefix("0:0")  # (0:00:03.5 under a minute)


def took(seconds: float) -> str:
    """How long something took: ``3.2 s`` under a minute, else as :func:`clock`."""
    return f"{seconds:.1f} s" if seconds < 60 else clock(seconds)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ProgressBar:
    """A tqdm bar fed by the library's progress callback.

    When the movie's duration is known the bar measures time in the movie (so ``--fast``,
    whose number of samples is not known in advance, gets an ETA too):
    ``fingerprint:  42%|████▏     | 0:50 of 2:00, 50 samples [00:03<00:04]``. Without it
    (pipes, some streams) it counts:
    ``fingerprint: 137 samples, 2:17 of video, 3.1 samples/s``."""

    def __init__(self, enabled: bool, desc: str = "fingerprint", file: Any = None) -> None:
        self.enabled, self.desc, self.file = enabled, desc, file
        self.bar: Any = None
        self.timed = False
        self.started = time.monotonic()
        self.start = 0.0  # where the part read begins, seconds

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        # the part read, seconds: a bar of the whole movie jumped to --start's share at once,
        # and tqdm then waited for a step as large before it drew again
        end = p.duration if p.end is None or (p.duration is not None and p.duration < p.end) else p.end
        if self.bar is None:
            self.timed, self.start = end is not None and end > p.start, p.start
        samples = plural(p.samples, "sample")
        if self.timed:
            assert end is not None
            text = f"{clock(p.time)} of {clock(end)}, {samples}"
        else:
            rate = p.samples / max(time.monotonic() - self.started, 1e-9)
            text = f"{samples}, {clock(p.time)} of video, {rate:.1f} samples/s"
        if self.bar is None:
            from tqdm import tqdm

            # The changing text is tqdm's description (its postfix would start with ", ").
            fmt = (self.desc + ": {percentage:3.0f}%|{bar}| {desc} [{elapsed}<{remaining}]" if self.timed
                   else self.desc + ": {desc}")
            self.bar = tqdm(total=end - p.start if self.timed and end is not None else None, desc=text,
                            file=self.file or TERMINAL, dynamic_ncols=True, leave=False, bar_format=fmt)
        self.bar.set_description_str(text, refresh=False)
        self.bar.update(max(0.0, min(p.time - p.start, self.bar.total) - self.bar.n) if self.timed else 1)

    def finish(self, end: float, samples: int) -> None:
        """A run that read its part to the end: the bar full, at the part's end or, when the
        input ended first, at ``end``, where what was read ends (a stream that stopped at
        0:06 of ``--end 30`` left the bar at 0 %; and every bar stopped at its last sample's
        time, short of the end)."""
        if self.bar is None or not self.timed:
            return
        self.bar.total = min(self.bar.total, max(end - self.start, self.bar.n)) or self.bar.total
        at = clock(self.start + self.bar.total)
        self.bar.set_description_str(f"{at} of {at}, {plural(samples, 'sample')}", refresh=False)
        self.bar.n = self.bar.total
        self.bar.refresh()

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
        self.finished: set[str] = set()

    def plan(self, n: int) -> None:
        if self.enabled and n:
            from tqdm import tqdm

            self.files = tqdm(total=n, unit="file", file=TERMINAL, dynamic_ncols=True, desc="movies")

    def progress(self, rel: str, samples: int, expected: int | None) -> None:
        if self.files is None or rel in self.finished:  # a report that came after its movie's end
            return
        self.running[rel] = (samples, expected)
        if self.samples is None:
            from tqdm import tqdm

            self.samples = tqdm(unit=" samples", file=TERMINAL, dynamic_ncols=True, position=1, leave=False,
                                desc="samples")
        self._show_samples()

    def _show_samples(self) -> None:
        """The samples bar as the movies in flight make it: their samples and, when every
        one of them says how many it expects, their total."""
        if self.samples is None:
            return
        totals = [e for _, e in self.running.values() if e is not None]
        self.samples.total = sum(totals) if len(totals) == len(self.running) and totals else None
        self.samples.n = sum(n for n, _ in self.running.values())
        self.samples.set_description_str(_tail(", ".join(sorted(self.running)), 40), refresh=False)
        self.samples.refresh()

    def file_done(self, rel: str, status: str) -> None:
        self.running.pop(rel, None)
        self.finished.add(rel)
        self._show_samples()  # a finished movie's samples and total left the bar only at the
        # next report of another one, which for a movie sampled rarely came minutes later
        if self.files is not None:
            self.files.set_postfix_str(_tail(f"{status}: {rel}", 60), refresh=False)
            self.files.update(1)

    def close(self) -> None:
        for bar in (self.samples, self.files):
            if bar is not None:
                bar.close()


def _tail(text: str, width: int) -> str:
    """The last ``width`` characters of ``text`` as a bar shows it: escaped as every line
    is (:func:`~streamprint.errors.one_line`), then cut. A movie's name went into the bars
    raw: one holding a terminal's escape set its title or cleared the screen, and one with a
    line break split the bar, its second half a line of its own ("failed: forged.mkv")."""
    return one_line(text)[-width:]


class _BarAwareHandler(logging.StreamHandler):
    """Writes log lines through tqdm, so they do not land in the middle of a progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(one_line(self.format(record)), file=TERMINAL)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def setup_logging(quiet: bool, verbose: bool) -> None:
    handler = _BarAwareHandler(TERMINAL)
    handler.setFormatter(logging.Formatter("streamprint: %(levelname)s: %(message)s"))
    root = logging.getLogger("streamprint")
    root.handlers[:] = [h for h in root.handlers if isinstance(h, logging.NullHandler)] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    root.propagate = False
    if not verbose:  # Dask's client logs a lost scheduler as an ERROR with a traceback: the
        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # batch says it, in one line
    if verbose:
        import av.logging

        av.logging.set_level(av.logging.VERBOSE)
        libav = logging.getLogger("libav")
        libav.addHandler(handler)
        libav.setLevel(logging.DEBUG)


def done(message: str) -> None:
    """The one line a successful command ends with (on stderr, beside the bars: standard
    output stays for what a command prints as its result)."""
    print(one_line(message), file=TERMINAL)


def error(message: str) -> None:
    """One line on stderr."""
    print(f"streamprint: error: {one_line(message)}", file=TERMINAL)



def stdout_to_devnull() -> None:
    """Point standard output at /dev/null, when its reader went away or it cannot be
    written: so the interpreter's own flush at exit is quiet."""
    with contextlib.suppress(OSError):
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - left open for the interpreter's exit
