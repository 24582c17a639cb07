"""The closed sets of choices streamprint offers, as string enums.

Each member's value is the word the library, the CLI and the data files all use
(``Style.RING == "ring"``), so a member can be passed wherever a string is expected, is
written to JSON as that string, and a string can be given wherever a member is expected
(:mod:`streamprint.params` converts it, once, and rejects anything else).
"""

from __future__ import annotations

from enum import StrEnum


class SamplingMode(StrEnum):
    """How frames are picked to become columns (see :class:`streamprint.model.Sampling`)."""

    EVERY = "every"
    """Every n-th decoded frame."""
    INTERVAL = "interval"
    """The frame nearest to each multiple of S seconds."""
    SAMPLES = "samples"
    """N frames nearest the middles of N equal slices of the duration."""
    KEYFRAMES = "keyframes"
    """Keyframes only (the fast mode); columns as wide as the time they stand for."""


class Algorithm(StrEnum):
    """The k-means variant run per frame."""

    KMEANS = "kmeans"
    """Full-batch Lloyd in deterministic numpy (the default)."""
    MINIBATCH = "minibatch"
    """scikit-learn's MiniBatchKMeans."""


class Space(StrEnum):
    """The colour space clustering happens in; results are always sRGB."""

    RGB = "rgb"
    LAB = "lab"
    OKLAB = "oklab"


class Crop(StrEnum):
    """Whether letterbox and pillarbox bars are left out of the clustering."""

    AUTO = "auto"
    NONE = "none"


class ToneMap(StrEnum):
    """What happens to HDR (PQ or HLG) frames."""

    AUTO = "auto"
    """Tone-mapped to SDR (sRGB) from each frame's own tags and metadata."""
    OFF = "off"
    """Converted as if SDR: highlights clip and colours look washed out."""


class Style(StrEnum):
    """The look of a drawn fingerprint."""

    STACKED = "stacked"
    DOMINANT = "dominant"
    AVERAGE = "average"
    SMOOTH = "smooth"
    RING = "ring"
    PLOT = "plot"


class Order(StrEnum):
    """Top-to-bottom order of a column's colours."""

    WEIGHT = "weight"
    LIGHTNESS = "lightness"
    STABLE = "stable"


class ImageFormat(StrEnum):
    """The file format of a drawn fingerprint or card, chosen by the output's extension."""

    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"
    SVG = "svg"
    PDF = "pdf"
    HTML = "html"
    """A page: the strip with each column's time, colours and frame (see render.page)."""


class DataFormat(StrEnum):
    """The file format of saved data, chosen by the file's extension."""

    JSON = "json"
    CSV = "csv"
    TSV = "tsv"
    GPL = "gpl"
    """A GIMP palette: one palette (an image's, or a movie's own)."""
    ASE = "ase"
    """Adobe Swatch Exchange: one group of swatches per palette."""
    CSS = "css"
    """CSS custom properties, ``--NAME-1: #rrggbb``, in ``:root``."""


class Status(StrEnum):
    """What became of one input of a batch."""

    DONE = "done"
    FAILED = "failed"
    """The movie itself could not be fingerprinted (re-tried only when asked)."""
    NOT_VIDEO = "not-video"
    PENDING = "pending"
    """Not done through no fault of the movie (a worker lost, a full disk, an interrupt):
    the next run does it again."""


#: Styles drawn as SVG rectangles (:mod:`streamprint.render.svg`); the plot style's SVG is
#: matplotlib's (which formats each style takes is :data:`streamprint.params.STYLE_FORMATS`).
SVG_STYLES: tuple[Style, ...] = (Style.STACKED, Style.DOMINANT, Style.AVERAGE)
#: Palettes for design tools (:mod:`streamprint.formats.swatches`): written, never read.
SWATCH_FORMATS: tuple[DataFormat, ...] = (DataFormat.GPL, DataFormat.ASE, DataFormat.CSS)
#: Styles a page can show: strips, whose columns lie left to right in time.
PAGE_STYLES: tuple[Style, ...] = (Style.STACKED, Style.DOMINANT, Style.AVERAGE, Style.SMOOTH)
