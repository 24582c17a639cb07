"""BLAS and OpenMP thread pools held at one thread while streamprint runs.

Clustering runs frame after frame on small arrays, beside a decoder that has the cores: a
BLAS or OpenMP pool (scikit-learn's MiniBatchKMeans) only adds switching. threadpoolctl's
limits are process-wide, and each ``threadpool_limits`` restores on exit what it found on
entry: two overlapping runs in two threads left the process's BLAS at one thread for good
(the second to finish restored the first's limit). Here the first run in sets the limit and
the last one out restores the pools as they were.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

_lock = threading.Lock()
_runs = 0
_limits: Any = None


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Hold the process's BLAS and OpenMP pools at one thread while inside."""
    global _runs, _limits
    with _lock:
        if _runs == 0:
            from threadpoolctl import threadpool_limits

            _limits = threadpool_limits(limits=1)
        _runs += 1
    try:
        yield
    finally:
        with _lock:
            _runs -= 1
            if _runs == 0:
                _limits.restore_original_limits()
                _limits = None
