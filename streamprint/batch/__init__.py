"""Batch runs over movie libraries: ``core`` (record, resume, redraw: written once), ``plan``
(discover, and what each file needs: skipped, redrawn, fingerprinted), ``worker`` (what is done for one movie), ``executors`` (serial, local processes),
``dask`` (a Dask cluster), ``lock`` (one batch per output folder) and ``grid`` (a wallpaper of the strips and data files
in a folder, such as a batch's output)."""

from .core import MANIFEST, Summary, discover, run_batch
from .dask import Dask
from .executors import Executor, Processes, Serial
from .grid import grid
from .lock import BusyError
from .worker import Job, Task, fingerprint_one, outputs_for

__all__ = ["MANIFEST", "BusyError", "Dask", "Executor", "Job", "Processes", "Serial", "Summary", "Task", "discover",
           "fingerprint_one", "grid", "outputs_for", "run_batch"]
