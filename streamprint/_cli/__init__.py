"""The ``streamprint`` command (private): parse, call the library, report.

``dispatch`` only dispatches; each command's module holds its parser beside its runner;
``common`` has the option groups several commands share and the parameter-to-flag map;
``progress`` has progress bars, logging and the one-line summaries.

This module, imported by the console script before :func:`console` installs the handlers of
the stop signals, imports nothing but ``sys`` (nor does the package's ``__init__``): what
it loaded (errors, and with it logging and re, 30 ms on a slow machine) was a window where a
Ctrl-C printed a traceback and SIGTERM or SIGHUP ended the process with no message. What
comes before it is Python's own start.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # (typing's own import is not: see above)
if TYPE_CHECKING:
    from collections.abc import Sequence

#: What an interrupted command kept when it kept nothing.
NOTHING_WRITTEN = "nothing was written"


def interrupted(kept: str = NOTHING_WRITTEN) -> str:
    """The one line an interrupted command prints, saying what it ``kept`` (the outputs by
    the names given, which may hold a line break or a terminal's escape: escaped as every
    line is)."""
    from ..errors import one_line

    return one_line(f"streamprint: interrupted; {kept}")


#: The signals that stop a command: SIGHUP is a closed terminal or a dropped ssh session.
_STOPS = ("SIGINT", "SIGTERM", "SIGHUP")


class _Starting:
    """The entry point's handler of the stop signals while the command loads: each raises
    KeyboardInterrupt (as Python's own SIGINT handler does) and is remembered, for the
    modules that turn a KeyboardInterrupt inside them into another error (numpy's
    C-extensions give an ImportError: a Ctrl-C while numpy loaded printed its 20-line
    "reinstall numpy" traceback, exit 1). Once loaded (:attr:`loading` False), a signal is
    only remembered: the command installs its own handlers, and puts this one back at its
    end, when a stop can no longer stop anything."""

    def __init__(self) -> None:
        self.loading, self.received = True, False

    def __call__(self, signum: int, frame: object) -> None:
        self.received = True
        if self.loading:
            raise KeyboardInterrupt


#: The handler the entry point installed, if it runs (the commands ask it whether a signal
#: came while they loaded: :func:`interrupted_while_loading`).
_starting: _Starting | None = None


def loaded() -> None:
    """Called by a command once its own signal handlers are in place: from then on the
    entry point's handler only remembers a signal (it is put back at the command's end)."""
    if _starting is not None:
        _starting.loading = False


def interrupted_while_loading(exc: BaseException) -> bool:
    """Whether ``exc``, raised while a command's modules loaded, is a stop signal's doing."""
    return isinstance(exc, KeyboardInterrupt) or (_starting is not None and _starting.received)


def main(argv: Sequence[str] | None = None, *, exiting: bool = False) -> int:
    """The console script and ``python -m streamprint``: :func:`.dispatch.main`, imported here so
    that a Ctrl-C while Python loads it (numpy and PyAV take a tenth of a second, before
    streamprint's signal handler exists) ends with the one line and exit code 130 of any
    other interrupt, not a traceback; so does a SIGTERM or SIGHUP then (it ended the process
    with 143 or 129, and no message). A signal ignored when the process started (``nohup``
    ignores SIGHUP; a non-interactive shell's ``&`` ignores SIGINT) stays ignored.
    ``exiting``: the process ends with this command (:func:`console`): the stop signals are
    then ignored from its end on, where they were put back (a SIGTERM after "wrote ..." was
    said, while Python shut down, ended a finished run with 143)."""
    import signal

    global _starting
    starting = _starting = _Starting()
    stops = [getattr(signal, name) for name in _STOPS]
    previous = {sig: signal.getsignal(sig) for sig in stops}
    for sig in stops:
        if previous[sig] != signal.SIG_IGN:
            signal.signal(sig, starting)
    try:
        try:
            from .dispatch import main as run
        except BaseException as exc:
            if not interrupted_while_loading(exc):
                raise
            starting.loading = False  # (another signal, as what follows loads, is only remembered)
            from ..errors import EXIT_INTERRUPTED

            if sys.stderr is not None:  # None: started with stderr closed
                print(interrupted(), file=sys.stderr)
            return EXIT_INTERRUPTED
        return run(argv)  # (it loads its command's modules, then calls loaded())
    finally:
        starting.loading, _starting = False, None
        for sig in stops:
            if previous[sig] != signal.SIG_IGN:
                signal.signal(sig, signal.SIG_IGN if exiting else previous[sig])


def console() -> int:
    """The ``streamprint`` console script and ``python -m streamprint``: :func:`main`, for a
    process that ends with it."""
    return main(exiting=True)
