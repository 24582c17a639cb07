"""The pipeline: source -> sampler -> clusterer, joined into one streaming pass that
returns a :class:`~streamprint.model.Fingerprint`.

Decoding and sampling run in a producer thread; conversion and clustering run on the
caller's side of a bounded queue, so memory stays flat however long the movie.

``core`` is :func:`fingerprint`, the pass itself; ``images`` the producer thread and its
queue of analysis images; ``flushing`` when a live run rewrites its outputs; ``report``
what a run says in the log (and its colour report).
"""

from .core import CheckpointCallback, FlushCallback, ProgressCallback, fingerprint

__all__ = ["CheckpointCallback", "FlushCallback", "ProgressCallback", "fingerprint"]
