"""streamprint: a movie's colour fingerprint in one streaming pass.

    >>> import streamprint
    >>> fp = streamprint.fingerprint("movie.mkv", colors=5)      # doctest: +SKIP
    >>> fp.save("movie.json"); fp.save_image("movie.png")        # doctest: +SKIP
    >>> streamprint.Fingerprint.load("movie.json").render(height=100)  # doctest: +SKIP

The library logs through the ``"streamprint"`` logger and never prints.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

from .clusterer import FrameClusterer, Palette  # noqa: E402
from .errors import (  # noqa: E402
    CorruptInputError,
    DataFormatError,
    InputError,
    InputNotFoundError,
    Interrupted,
    NoFramesError,
    NotAVideoError,
    OutputError,
    StreamprintError,
    UsageError,
)
from .fingerprint import Fingerprint, Options, Progress, Sample, fingerprint  # noqa: E402
from .renderer import render_stacked, write_image  # noqa: E402
from .sampler import Sampling  # noqa: E402
from .source import SourceInfo, VideoSource  # noqa: E402

logging.getLogger("streamprint").addHandler(logging.NullHandler())

__all__ = [
    "CorruptInputError", "DataFormatError", "Fingerprint", "FrameClusterer", "InputError",
    "InputNotFoundError", "Interrupted", "NoFramesError", "NotAVideoError", "Options", "OutputError",
    "Palette", "Progress", "Sample", "Sampling", "SourceInfo", "StreamprintError", "UsageError",
    "VideoSource", "fingerprint", "render_stacked", "write_image", "__version__",
]
