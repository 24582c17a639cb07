"""The entry point: pick the command, parse, run, map errors to exit codes and one line."""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import FrameType, ModuleType

from .. import interrupt
from . import NOTHING_WRITTEN, interrupted, interrupted_while_loading, loaded
from ..errors import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_USAGE, Interrupted, StreamprintError
from .common import Parser, attach_times, flag_for
from .progress import TERMINAL, error, setup_logging, stdout_to_devnull


class _Commands(Mapping[str, ModuleType]):
    """Command name -> its module (each has ``parser()`` and ``run(args)``), imported when
    asked for: a run of one command does not import the others (about 20 ms)."""

    NAMES = ("render", "palette", "batch", "grid", "gallery", "fingerprint")

    def __getitem__(self, name: str) -> ModuleType:
        if name not in self.NAMES:
            raise KeyError(name)
        return importlib.import_module(f"{__package__}.{name}")

    def __iter__(self) -> Iterator[str]:
        return iter(self.NAMES)

    def __len__(self) -> int:
        return len(self.NAMES)


#: Without a command name, the arguments are the fingerprint command's.
COMMANDS = _Commands()


def _interrupted(command: ModuleType, args: argparse.Namespace) -> str:
    """The one line an interrupted command prints: what was kept (a command may say it
    itself, with ``kept_on_interrupt(args)``)."""
    say = getattr(command, "kept_on_interrupt", None)
    return interrupted(say(args) if say else NOTHING_WRITTEN)


#: The signals that stop a run as Ctrl-C does: SIGHUP is a closed terminal or a dropped ssh
#: session (it used to end the process at once, with a temporary file left beside an output).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stop_on_signals() -> dict[int, Callable[[int, FrameType | None], object] | int | None]:
    """Install :func:`_on_signal` for each of :data:`STOP_SIGNALS` not ignored now, and return
    the handlers it replaced. An ignored one was ignored when the process started (Python
    leaves an ignored SIGINT ignored, and the entry point leaves the others): ``nohup``
    ignores SIGHUP, a non-interactive shell's ``cmd &`` ignores SIGINT, and the user asked
    for the run to outlive them. One not installed from Python (None: C code's, in a program
    that embeds Python) is left alone too: it could not be put back."""
    return {sig: signal.signal(sig, _on_signal) for sig in STOP_SIGNALS
            if signal.getsignal(sig) not in (signal.SIG_IGN, None)}


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """SIGINT, SIGTERM and SIGHUP: ask the library to stop (it checks where it may wait:
    pipes, decoding, workers) and interrupt the main thread."""
    interrupt.request()
    if not interrupt.shielded(frame):
        raise KeyboardInterrupt


def _names_as_bytes() -> None:
    """Standard output writes a non-UTF-8 file name's bytes as they are, as ``ls`` does:
    under a strict UTF-8 locale the palette table and the batch summary of a Latin-1 name
    stopped with "unexpected UnicodeEncodeError (a bug)"."""
    with contextlib.suppress(AttributeError, ValueError, io.UnsupportedOperation):
        sys.stdout.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``streamprint`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:  # before the signal handler: importing the command's module takes a while
        # "streamprint fingerprint MOVIE OUT" is "streamprint MOVIE OUT" (for a movie named like a
        # command), and its usage and errors name it as it was typed
        name = args_list.pop(0) if args_list and args_list[0] in COMMANDS else None
        command = COMMANDS[name or "fingerprint"]
        make_parser: Callable[..., argparse.ArgumentParser] = command.parser
        parser = make_parser(f"streamprint {name}") if name else make_parser()
        args = parser.parse_args(attach_times(args_list))
    except Exception as exc:  # (numpy makes an ImportError of a Ctrl-C while it loads)
        if not interrupted_while_loading(exc):
            raise
        print(interrupted(), file=TERMINAL)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(interrupted(), file=TERMINAL)
        return EXIT_INTERRUPTED
    setup_logging(args.quiet, args.verbose)
    _names_as_bytes()
    previous = _stop_on_signals()
    loaded()
    try:
        with interrupt.scope():  # a stop request holds until the command's error is told from it
            try:
                return command.run(args)
            except StreamprintError:
                if interrupt.requested():  # a read cut short by the interrupt, reported as bad input
                    raise Interrupted("interrupted") from None
                raise
    except (KeyboardInterrupt, Interrupted):
        print(_interrupted(command, args), file=TERMINAL)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output went away (| head): nothing to report to
        stdout_to_devnull()
        return EXIT_INPUT
    except StreamprintError as exc:
        if exc.exit_code == EXIT_USAGE and isinstance(parser, Parser):  # as argparse's own are said
            print(parser.usage_line(exc.format(flag_for)), file=TERMINAL)
        else:
            error(exc.format(flag_for))
        return exc.exit_code
    except MemoryError:  # not a bug: a picture or an analysis size this machine cannot hold
        error("out of memory: make the picture (--height, --width) or --analysis-size smaller")
        return EXIT_INPUT
    except Exception as exc:  # a bug: one line, and the traceback only when asked for
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG and exc.filename is not None:
            # not a bug: a path given that the file system cannot hold, met wherever it is first
            # looked at (Path.exists() raises it: batch, gallery, grid said "unexpected OSError")
            error(f"{exc.filename}: {exc.strerror} (no file or folder of that name can exist)")
            return EXIT_INPUT
        if args.verbose:
            raise
        error(f"unexpected {type(exc).__name__}: {exc} (a bug in streamprint; -v shows where)")
        return EXIT_INPUT
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
