"""Python's warnings caught by streamprint, safely across threads.

``warnings.catch_warnings`` swaps process-wide state (the filters, ``showwarning``) on entry
and puts back what it found on exit. Two threads entering and leaving it interleaved (a
palette in one, another palette or a fingerprint's fit in the other) put back each other's
state: a ``"always"`` filter and a recording ``showwarning`` were left in place for good, and
the caller's own warnings went nowhere. Every block that catches warnings takes one lock, so
they never interleave (their bodies are then one at a time: an image read, a MiniBatchKMeans
fit, a plot drawn).
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.RLock()


@contextmanager
def caught(*ignored: type[Warning], record: bool = False) -> Iterator[list[warnings.WarningMessage]]:
    """Within: the warnings of the ``ignored`` categories not shown; with ``record``, every
    other one recorded (each time, not once per place) in the list given, not shown."""
    with _LOCK, warnings.catch_warnings(record=record) as got:
        if record:
            warnings.simplefilter("always")
        for category in ignored:
            warnings.simplefilter("ignore", category)
        yield got if got is not None else []
