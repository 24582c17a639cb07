"""The entry point: pick the command, parse, run, map errors to exit codes and one line."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from ..errors import EXIT_INTERRUPTED, ParameterError, StreamprintError
from . import batch, fingerprint, grid, palette, render
from .common import flag_for
from .progress import error, setup_logging

#: Command name -> its module (each has ``parser()`` and ``run(args)``). Without a command
#: name, the arguments are the fingerprint command's.
COMMANDS: dict[str, ModuleType] = {"render": render, "palette": palette, "batch": batch, "grid": grid,
                                   "fingerprint": fingerprint}


def _on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``streamprint`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = COMMANDS.get(args_list[0]) if args_list else None
    if command is not None:
        args_list.pop(0)
    else:
        command = fingerprint
    make_parser: Callable[[], argparse.ArgumentParser] = command.parser
    args = make_parser().parse_args(args_list)
    setup_logging(args.quiet, args.verbose)
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return command.run(args)
    except ParameterError as exc:
        error(exc.format(flag_for))
        return exc.exit_code
    except StreamprintError as exc:
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        print("streamprint: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
