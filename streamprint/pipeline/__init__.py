"""The pipeline: source -> sampler -> clusterer, joined into one streaming pass that
returns a :class:`~streamprint.model.Fingerprint`; :func:`fingerprint` is in ``core``."""

from .core import CheckpointCallback, FlushCallback, ProgressCallback, fingerprint

__all__ = ["CheckpointCallback", "FlushCallback", "ProgressCallback", "fingerprint"]
