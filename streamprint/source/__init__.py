"""Stage 1, the source: open a movie with PyAV and yield its frames in presentation order.

``open`` opens and probes an input (paths, ``-``, pipes, file objects); ``skip`` decides
which non-reference frames the decoder may drop; ``decode`` is the decode loop.
"""

from .decode import MAX_CONSECUTIVE_ERRORS, SourceFrame, VideoSource, analysis_size, untagged_matrix
from .open import STDIN, raw_demuxer
from .skip import LOOKAHEAD_PACKETS, KeyframeIndex, NonrefSkip, Wanted

__all__ = ["KeyframeIndex", "LOOKAHEAD_PACKETS", "MAX_CONSECUTIVE_ERRORS", "STDIN", "NonrefSkip", "SourceFrame", "VideoSource",
           "Wanted", "analysis_size", "raw_demuxer", "untagged_matrix"]
