"""One exception hierarchy for everything streamprint raises on purpose, and the one logger
its warnings go through (:data:`log`).

The CLI maps each class to an exit code (see ``EXIT_*``) and prints its message as a
single line; library users catch :class:`StreamprintError`. Library messages name the
library's parameters (``colors``), never command-line flags: the CLI rewrites a
:class:`ParameterError` into the flag's name.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

#: The package's logger: the library warns through it and never prints. Its NullHandler
#: (what is shown is the application's to say; without one, Python's last resort printed
#: every warning) is attached here, in the module every module that warns imports (a test
#: checks it), not by the package's ``__init__``, which imports nothing (see there).
log = logging.getLogger("streamprint")
log.addHandler(logging.NullHandler())

EXIT_OK = 0
EXIT_INPUT = 1  # the input could not be processed, or the output could not be written
EXIT_USAGE = 2  # bad options or arguments
EXIT_PARTIAL = 3  # batch: some inputs failed, the rest were done
EXIT_INTERRUPTED = 130  # Ctrl-C, SIGTERM or SIGHUP


#: C0 and C1 controls and DEL, the line and paragraph separators, and the bidi controls
#: that turn text around (embeddings, overrides, isolates and marks).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters written as escapes
    (``\\n``, ``\\x1b``, ``\\u202e``): a file name may hold them, and must neither split a
    one-line message, forge a line of its own ("failed: other.mp4: ..."), nor turn the rest
    of the line around (U+202E RIGHT-TO-LEFT OVERRIDE in a terminal that draws bidi text)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class StreamprintError(Exception):
    """Base class of every error streamprint raises deliberately.

    A message may name parameters as ``{param:NAME}``: ``str()`` shows the name itself,
    :meth:`format` shows whatever the caller maps it to (the CLI: its flag)."""

    exit_code = EXIT_INPUT

    def format(self, name_of: Callable[[str], str]) -> str:
        """The message, with every parameter it names shown as ``name_of(parameter)``."""
        text = super().__str__()
        return _MENTION.sub(lambda m: name_of(m.group(1)), text)

    def __str__(self) -> str:
        return self.format(lambda name: name)


#: How a message names a parameter.
_MENTION = re.compile(r"\{param:([a-z_]+)\}")


class UsageError(StreamprintError, ValueError):
    """Options or arguments that cannot work together (exit code 2)."""

    exit_code = EXIT_USAGE


class ParameterError(UsageError):
    """A parameter's value breaks its rule (:mod:`streamprint.params`).

    ``parameter`` is the library's name for it (``"colors"``); ``detail`` says what is
    wrong and may name other parameters as ``{param:NAME}``, so that the CLI can show its
    own flag names (``--colors``) where the library shows parameter names.
    """

    def __init__(self, parameter: str, detail: str) -> None:
        self.parameter = parameter
        self.detail = detail
        super().__init__(f"{{param:{parameter}}} {detail}")

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # pickled as built (a process pool's result)
        return type(self), (self.parameter, self.detail)


class ForeignFileError(ParameterError):
    """An existing file that streamprint did not write stands where an output would go:
    it is replaced only when told (``overwrite=True``; the CLI's ``--overwrite``), see
    :func:`streamprint.atomic.check_replace`. ``path`` is that file; ``parameter`` the
    output's parameter (``path``, ``output``, ``data``, ``card``)."""

    def __init__(self, parameter: str, path: object, why: str = "was not written by streamprint") -> None:
        """``why``: why streamprint does not take the file for its own (see
        :func:`streamprint.marks.why_not_own`)."""
        self.path, self.why = path, why
        super().__init__(parameter, f"{path} exists and {why}; pass {{param:overwrite}} to replace it")

    def __reduce__(self) -> tuple[type, tuple[str, object, str]]:  # type: ignore[override]
        return type(self), (self.parameter, self.path, self.why)


class InvalidValue(UsageError):
    """A value of the model (a :class:`~streamprint.model.Palette`, a
    :class:`~streamprint.model.Fingerprint`, ...) built from values that break its rules,
    raised on construction; a ``ValueError`` too. A file read with such values is a
    :class:`DataFormatError` instead."""


class InputError(StreamprintError):
    """The input could not be read or processed (exit code 1)."""


class InputNotFoundError(InputError, FileNotFoundError):
    """The input path does not exist."""


class NotAVideoError(InputError):
    """The input opened, but holds no decodable video stream."""


class NoFramesError(InputError):
    """The video stream decoded to zero frames."""


class UnsupportedColorError(InputError, ValueError):
    """A frame's colours are coded in a way streamprint cannot convert right (a Y'CbCr
    matrix such as ICtCp or BT.2020 constant luminance); the message names it."""


class UnconvertibleFrameError(InputError):
    """A decoded frame FFmpeg's libswscale cannot scale to its analysis image (a broken
    pixel aspect that makes a 2 x 40000 frame ten million pixels wide, ...); the message
    gives the sizes and FFmpeg's reason."""


class CorruptInputError(InputError):
    """Too many consecutive damaged packets to go on."""


class ResumeError(InputError):
    """A resume point could not be found again (the checkpoint is ignored, not the movie)."""


class DataFormatError(InputError):
    """A file streamprint reads (fingerprint data, checkpoint, manifest) is malformed or of
    an unknown version. The message starts with the file's name."""


class OutputError(StreamprintError):
    """The output could not be written (exit code 1)."""


class OutputReplacedError(OutputError):
    """A file streamprint did not write took the place of an output during the run (a live
    run's picture copied over between two flushes): it is left as it is, and the run ends
    (exit code 1); the message says what the other outputs kept."""


class SchedulerError(StreamprintError):
    """A batch's Dask scheduler could not be reached (exit code 1): the address was well
    formed, the machine or the network is what failed; or one of its workers has another
    streamprint than the batch's, or none it can import. Raised before the output folder is
    touched, or, for a worker that joined later, as the batch stops (its movies pending)."""


class Interrupted(StreamprintError):
    """The run was stopped by SIGINT or SIGTERM (exit code 130); nothing was written."""

    exit_code = EXIT_INTERRUPTED
