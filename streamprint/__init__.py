"""streamprint: a movie's colour fingerprint in one streaming pass.

    >>> import streamprint
    >>> fp = streamprint.fingerprint("movie.mkv", colors=5)      # doctest: +SKIP
    >>> fp.save("movie.json"); fp.save_image("movie.png")        # doctest: +SKIP
    >>> streamprint.Fingerprint.load("movie.json").render(height=100)  # doctest: +SKIP

The library logs through the ``"streamprint"`` logger and never prints; its errors are
subclasses of :class:`StreamprintError`, and they name parameters (``colors``), never
command-line flags.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: (typing's own, imported, took as long as the rest of this module: see below)
TYPE_CHECKING = False

# Every name is imported on first use (PEP 562), so that ``import streamprint`` and the
# palette command stay fast: PyAV, scikit-learn and matplotlib take seconds to import. The
# enums and errors too, and nothing else is imported here (logging neither): the command's
# entry point (streamprint._cli) is imported after this module, and installs its handlers of
# the stop signals only then; the imports here (logging, typing, re and enum, 30 ms) were a
# window where Ctrl-C printed a KeyboardInterrupt traceback, and SIGTERM or SIGHUP ended the
# process with 143 or 129 and no message.
_LAZY = {
    **dict.fromkeys(["Algorithm", "Crop", "DataFormat", "ImageFormat", "Order", "SamplingMode", "Space", "Status",
                     "Style", "ToneMap"], "enums"),
    **dict.fromkeys(["CorruptInputError", "DataFormatError", "ForeignFileError", "InputError", "InputNotFoundError",
                     "Interrupted", "InvalidValue", "NoFramesError", "NotAVideoError", "OutputError",
                     "OutputReplacedError", "ParameterError", "ResumeError", "SchedulerError", "StreamprintError",
                     "UnconvertibleFrameError", "UnsupportedColorError", "UsageError"], "errors"),
    **dict.fromkeys(["Checkpoint", "ClustererState", "ColorReport", "DecodeStats", "Fingerprint", "GalleryEntry",
                     "ImagePalette", "JobResult", "ManifestEntry", "Options", "Palette", "Progress", "RenderOptions",
                     "ResumePoint", "Sample", "SamplerState", "Samples", "SampleStore", "Sampling", "SourceInfo",
                     "Thumbnails", "TimeRange"], "model"),
    "FrameClusterer": "clusterer",
    "fingerprint": "pipeline",
    "draw": "render", "render_stacked": "render", "save_image": "render", "write_image": "render",
    "SourceFrame": "source", "VideoSource": "source",
    "extract_palette": "palette",
    "read_fingerprint": "formats", "write_fingerprint": "formats", "read_palettes": "formats",
    "write_palettes": "formats",
    "run_batch": "batch", "Summary": "batch",
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers (users' too: py.typed)
    from .batch import Summary, run_batch
    from .clusterer import FrameClusterer
    from .enums import Algorithm, Crop, DataFormat, ImageFormat, Order, SamplingMode, Space, Status, Style, ToneMap
    from .errors import (CorruptInputError, DataFormatError, ForeignFileError, InputError, InputNotFoundError,
                         Interrupted, InvalidValue, NoFramesError, NotAVideoError, OutputError, OutputReplacedError,
                         ParameterError, ResumeError, SchedulerError, StreamprintError, UnconvertibleFrameError,
                         UnsupportedColorError, UsageError)
    from .formats import read_fingerprint, read_palettes, write_fingerprint, write_palettes
    from .model import (Checkpoint, ClustererState, ColorReport, DecodeStats, Fingerprint, GalleryEntry,
                        ImagePalette, JobResult, ManifestEntry, Options, Palette, Progress, RenderOptions,
                        ResumePoint, Sample, SamplerState, Samples, SampleStore, Sampling, SourceInfo,
                        Thumbnails, TimeRange)
    from .palette import extract_palette
    from .pipeline import fingerprint
    from .render import draw, render_stacked, save_image, write_image
    from .source import SourceFrame, VideoSource


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'streamprint' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value



#: Every public name; a test checks it against the lazy table and the imports above.
__all__ = [
    "Algorithm", "Checkpoint", "ClustererState", "ColorReport", "CorruptInputError", "Crop", "DataFormat",
    "DataFormatError", "DecodeStats", "draw", "extract_palette", "Fingerprint", "fingerprint", "ForeignFileError", "FrameClusterer",
    "GalleryEntry", "ImageFormat", "ImagePalette", "InputError", "InputNotFoundError", "Interrupted",
    "InvalidValue", "JobResult",
    "ManifestEntry", "NoFramesError", "NotAVideoError", "Options", "Order", "OutputError", "OutputReplacedError", "Palette",
    "ParameterError", "Progress", "read_fingerprint", "read_palettes", "render_stacked", "RenderOptions",
    "ResumeError", "ResumePoint", "run_batch", "Sample", "SamplerState", "Samples", "SampleStore", "Sampling",
    "SamplingMode", "save_image", "SchedulerError", "SourceFrame", "SourceInfo", "Space", "Status",
    "StreamprintError", "Style", "Summary", "Thumbnails", "TimeRange", "ToneMap", "UnconvertibleFrameError",
    "UnsupportedColorError",
    "UsageError", "VideoSource", "write_fingerprint",
    "write_image", "write_palettes", "__version__",
]
