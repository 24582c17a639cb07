"""Stage 1, the source: open a movie with PyAV and yield its frames in presentation order.

``open`` opens and probes an input (paths, ``-``, pipes, file objects); ``skip`` decides
which non-reference frames the decoder may drop; ``ranges`` where a part of a movie starts
and which frames it passes on; ``convert`` a frame's analysis size and assumed matrix;
``packets`` demuxes and sends each packet to the decoder; ``decode`` is the decode loop.
"""

from .convert import analysis_size, untagged_matrix
from .decode import MAX_CONSECUTIVE_ERRORS, SourceFrame, VideoSource
from .open import STDIN
from .raw import raw_demuxer
from .skip import LOOKAHEAD_PACKETS, KeyframeIndex, NonrefSkip, Wanted

__all__ = ["KeyframeIndex", "LOOKAHEAD_PACKETS", "MAX_CONSECUTIVE_ERRORS", "STDIN", "NonrefSkip", "SourceFrame",
           "VideoSource", "Wanted", "analysis_size", "raw_demuxer", "untagged_matrix"]
