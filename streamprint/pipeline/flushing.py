"""When a live run rewrites its outputs (``fingerprint(flush=...)``, the CLI's ``--flush``):
every ``flush_every`` seconds, held to a small share of the run however costly a flush gets."""

from __future__ import annotations

import logging

log = logging.getLogger("streamprint")

#: A flush waits until the run has taken at least this many times the flushes' time so
#: far, besides (so flushing takes about 1/31, 3 %, of the run however costly it gets;
#: with the overshoot of the last flush and the final write, under 5 %).
FLUSH_COST_RATIO = 30.0
#: A rewrite of the live outputs longer than this (seconds) is said, once: the reader's
#: files are then rewritten less often than asked.
SLOW_FLUSH_SECONDS = 1.0


class FlushSchedule:
    """When the next flush is due: ``every`` seconds of wall-clock time after the last one
    began, and not before the run (from ``started``) has spent :data:`FLUSH_COST_RATIO`
    times as long on other work as on flushing. The first flush also pays for set-up once
    (importing the renderer, a live strip's buffers: 0.8 s for the plot style, 30 times
    that before the second otherwise): it alone decides nothing, and once the second is
    timed it is charged at most what that one cost."""

    def __init__(self, every: float, started: float) -> None:
        self.every, self.started = every, started
        self.next = started + every
        self.spent = 0.0
        self.flushes = 0
        self._first = 0.0
        self._warned = False

    def due(self, now: float) -> bool:
        return now >= self.next

    def done(self, began: float, ended: float, samples: int) -> None:
        """A flush that began and ended then, with ``samples`` samples."""
        cost = ended - began
        self.flushes += 1
        if self.flushes == 1:
            self._first = cost
        else:
            self.spent += cost + (min(self._first, cost) if self.flushes == 2 else 0.0)
        self.next = max(began + self.every, self.started + (1 + FLUSH_COST_RATIO) * self.spent)
        if cost > SLOW_FLUSH_SECONDS and self.flushes > 1 and not self._warned:
            self._warned = True
            log.warning("rewriting the outputs took %.1f s at %d samples: the next rewrite comes %.0f s "
                        "after this one, not %g s (flushing is held to 1/%d of the run)", cost, samples,
                        self.next - began, self.every, 1 + FLUSH_COST_RATIO)
