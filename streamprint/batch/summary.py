"""What a batch run did, counted as it goes: the summary table a run ends with."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..enums import Status
from ..errors import EXIT_OK, EXIT_PARTIAL, one_line


@dataclass
class Summary:
    """What a batch run did: counts of inputs by outcome, and the failures' messages."""

    done: int = 0
    skipped: int = 0
    redrawn: int = 0
    found: int = 0
    failed: int = 0
    pending: int = 0
    not_video: int = 0
    #: files left out for their hidden names (starting with "."; .DS_Store, but also
    #: "...And Justice for All.mkv"), not in hidden folders
    hidden: int = 0
    #: folders of the library that could not be read (their files left out, each said in a warning)
    unreadable: int = 0
    #: what is in the library's folders but is not a file: dangling links, FIFOs, devices
    not_files: int = 0
    #: files in OUTDIR, when it is inside LIBRARY (left out of it), that are not the batch's outputs
    in_outdir: int = 0
    #: why each failed or pending movie (by its path in the library) is so
    errors: dict[str, str] = field(default_factory=dict)
    #: the movies of ``errors`` that are pending
    pending_ones: set[str] = field(default_factory=set)
    #: movies in OUTDIR/index.html as written at the end of the run (None: not written)
    gallery: int | None = None
    #: the run got as far as its movies (under its lock): its counts say what it did
    begun: bool = False

    @property
    def exit_code(self) -> int:
        """The command's exit status for this run: partial success when a movie failed or
        is pending, else success."""
        return EXIT_PARTIAL if self.failed or self.pending else EXIT_OK

    def count(self, rel: str, status: Status, error: str | None) -> None:
        """Count one movie (``rel``: its path in the library) with its outcome and, for a
        failed or pending one, why."""
        error = " ".join(error.split()) if error else error  # one line per movie in the table
        if status == Status.DONE:
            self.done += 1
        elif status == Status.NOT_VIDEO:
            self.not_video += 1
        elif status == Status.PENDING:
            self.pending += 1
            self.errors[rel] = error or "not finished"
            self.pending_ones.add(rel)
        else:
            self.failed += 1
            self.errors[rel] = error or "failed"

    def table(self) -> str:
        """The counts as a table, one outcome a line, and then each failed or pending
        movie with its message, one line each."""
        rows = [("fingerprinted now", self.done), ("already done, unchanged", self.skipped),
                ("redrawn from saved data", self.redrawn), ("found finished", self.found),
                ("not video (skipped)", self.not_video), ('hidden ".name" (left out)', self.hidden),
                ("not a file (left out)", self.not_files), ("in OUTDIR (left out)", self.in_outdir),
                ("unreadable folders", self.unreadable),
                ("failed", self.failed), ("pending (retried next run)", self.pending)]
        always = {"fingerprinted now", "already done, unchanged", "not video (skipped)", "failed"}
        lines = [f"{label:<26} {n:>6}" for label, n in rows if n or label in always]
        for rel, message in sorted(self.errors.items()):
            lines.append(one_line(f"  {'pending' if rel in self.pending_ones else 'failed'}: {rel}: {message}"))
        return "\n".join(lines)
