"""Work for a batch's worker processes that kills its worker on some movies, as the OOM
killer or a decoder's segfault on a damaged file would (importable by spawned workers)."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from streamprint.batch.executors import Processes
from streamprint.batch.worker import Task, fingerprint_one


def work(task: Task, reports: Any) -> Any:
    """A movie named "poison..." kills its worker every time; "flaky...", the first time
    only (a marker file beside it says it did)."""
    name = Path(task.job.path).name
    marker = Path(task.job.path).with_name(f".{name}.crashed")  # hidden: not in the library
    if name.startswith("poison") or (name.startswith("flaky") and not marker.exists()):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return fingerprint_one(task, reports)


def threads(task: Task, reports: Any) -> int:
    """As :func:`work`, but nothing is decoded: the result is the decoder threads the task got."""
    name = Path(task.job.path).name
    marker = Path(task.job.path).with_name(f".{name}.crashed")
    if name.startswith("poison") or (name.startswith("flaky") and not marker.exists()):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return task.threads


class Crashing(Processes):
    """Worker processes whose work is :func:`work`."""

    def run(self, _work, tasks, finish, on_report, lost):  # type: ignore[no-untyped-def]
        super().run(work, tasks, finish, on_report, lost)
