"""The values that cross streamprint's layers: frozen, validated once on construction.

Arrays held here are copies made read-only, so a value can be shared between stages
(and threads) without anyone changing it under another; ``==`` compares their contents.
Colours are sRGB, 0-255 8-bit unless stated; times are seconds; sizes are pixels.
Reading and writing these values is :mod:`streamprint.formats`' job, drawing them is
:mod:`streamprint.render`'s: the thin methods on :class:`Fingerprint` only delegate.
"""

from .colors import ImagePalette, Palette, Sample, frozen_array, from_hex, parse_color, to_hex
from .gallery import GalleryEntry
from .fingerprint import ColorReport, DecodeStats, Fingerprint, Progress, RenderOptions, SourceInfo
from .samples import Samples, SampleStore
from .sampling import DEFAULT_ANALYSIS_SIZE, DEFAULT_INTERVAL, Options, Sampling
from .state import Checkpoint, ClustererState, JobResult, ManifestEntry, ResumePoint, SamplerState
from .thumbnails import Thumbnails
from .timerange import TimeRange, hms

__all__ = [
    "DEFAULT_ANALYSIS_SIZE", "DEFAULT_INTERVAL", "Checkpoint", "ClustererState", "ColorReport", "DecodeStats", "Fingerprint", "GalleryEntry", "ImagePalette",
    "JobResult", "ManifestEntry", "Options", "Palette", "Progress", "RenderOptions", "ResumePoint", "Sample", "SamplerState",
    "SampleStore", "Samples", "Sampling", "SourceInfo", "Thumbnails", "TimeRange", "frozen_array", "from_hex", "hms",
    "parse_color", "to_hex",
]
