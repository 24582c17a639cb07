"""One exception hierarchy for everything streamprint raises on purpose.

The CLI maps each class to an exit code (see ``EXIT_*``) and prints its message
as a single line; library users catch :class:`StreamprintError`.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INPUT = 1  # the input could not be processed, or the output could not be written
EXIT_USAGE = 2  # bad options or arguments
EXIT_PARTIAL = 3  # batch: some inputs failed, the rest were done
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM


class StreamprintError(Exception):
    """Base class of every error streamprint raises deliberately."""

    exit_code = EXIT_INPUT


class UsageError(StreamprintError, ValueError):
    """Options or arguments that cannot work together (exit code 2)."""

    exit_code = EXIT_USAGE


class InputError(StreamprintError):
    """The input could not be read or processed (exit code 1)."""


class InputNotFoundError(InputError, FileNotFoundError):
    """The input path does not exist."""


class NotAVideoError(InputError):
    """The input opened, but holds no decodable video stream."""


class NoFramesError(InputError):
    """The video stream decoded to zero frames."""


class CorruptInputError(InputError):
    """Too many consecutive damaged packets to go on."""


class OutputError(StreamprintError):
    """The output could not be written (exit code 1)."""


class DataFormatError(InputError):
    """A saved fingerprint file is malformed or of an unknown version."""


class Interrupted(StreamprintError):
    """The run was interrupted by SIGINT or SIGTERM (exit code 130)."""

    exit_code = EXIT_INTERRUPTED
