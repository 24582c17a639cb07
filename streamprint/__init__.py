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

# The rest is imported on first use (PEP 562), so that ``import streamprint`` and the
# palette command stay fast: PyAV, scikit-learn and matplotlib take seconds to import.
_LAZY = {
    "FrameClusterer": "clusterer", "Palette": "clusterer",
    "Fingerprint": "pipeline", "Options": "pipeline", "Progress": "pipeline",
    "Sample": "pipeline", "fingerprint": "pipeline",
    "render_stacked": "renderer", "write_image": "renderer",
    "Sampling": "sampler",
    "SourceInfo": "source", "VideoSource": "source",
    "extract_palette": "palette", "ImagePalette": "palette",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'streamprint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


logging.getLogger("streamprint").addHandler(logging.NullHandler())

__all__ = [
    "CorruptInputError", "DataFormatError", "Fingerprint", "FrameClusterer", "InputError",
    "InputNotFoundError", "Interrupted", "NoFramesError", "NotAVideoError", "Options", "OutputError",
    "Palette", "Progress", "Sample", "Sampling", "SourceInfo", "StreamprintError", "UsageError",
    "VideoSource", "fingerprint", "render_stacked", "write_image", "__version__",
    "extract_palette", "ImagePalette",
]
