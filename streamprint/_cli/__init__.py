"""The ``streamprint`` command (private): parse, call the library, report.

``main`` only dispatches; each command's module holds its parser beside its runner;
``common`` has the option groups several commands share and the parameter-to-flag map;
``progress`` has progress bars, logging and the one-line summaries.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import EXIT_INTERRUPTED

#: What an interrupted command kept when it kept nothing.
NOTHING_WRITTEN = "nothing was written"


def interrupted(kept: str = NOTHING_WRITTEN) -> str:
    """The one line an interrupted command prints, saying what it ``kept``."""
    return f"streamprint: interrupted; {kept}"


def main(argv: Sequence[str] | None = None) -> int:
    """The console script and ``python -m streamprint``: :func:`.main.main`, imported here so
    that a Ctrl-C while Python loads it (numpy and PyAV take a tenth of a second, before
    streamprint's signal handler exists) ends with the one line and exit code 130 of any
    other interrupt, not a traceback; so does a SIGTERM or SIGHUP then (it ended the process
    with 143 or 129, and no message). A signal ignored when the process started (``nohup``
    ignores SIGHUP; a non-interactive shell's ``&`` ignores SIGINT) stays ignored."""
    import signal

    def stop(signum: int, frame: object) -> None:  # until main installs its own handlers
        raise KeyboardInterrupt

    for sig in (signal.SIGTERM, signal.SIGHUP):  # SIGINT raises KeyboardInterrupt already
        if signal.getsignal(sig) != signal.SIG_IGN:
            signal.signal(sig, stop)
    try:
        from .main import main as run
    except KeyboardInterrupt:
        if sys.stderr is not None:  # None: started with stderr closed
            print(interrupted(), file=sys.stderr)
        return EXIT_INTERRUPTED
    return run(argv)
