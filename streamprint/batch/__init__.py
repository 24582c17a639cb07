"""Batch runs over movie libraries: ``core`` (discover, skip, record, resume: written once),
``executors`` (serial, local processes, Dask) and ``grid`` (a wallpaper of the strips)."""

from .core import MANIFEST, Job, Summary, Task, discover, fingerprint_one, outputs_for, run_batch
from .executors import Dask, Executor, Processes, Serial
from .grid import grid

__all__ = ["MANIFEST", "Dask", "Executor", "Job", "Processes", "Serial", "Summary", "Task", "discover",
           "fingerprint_one", "grid", "outputs_for", "run_batch"]
