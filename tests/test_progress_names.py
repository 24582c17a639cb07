"""What a progress bar or a closing line shows of a file's name: escaped as every line of
streamprint's is (errors.one_line), so that a name can neither run a terminal's escapes nor
split a line."""

from __future__ import annotations

import os
import shutil

from .conftest import run_cli
from .test_batch_safety import make_library

#: Names holding an escape that sets the terminal's title and clears its screen, and a line
#: break followed by what would read as a line of the batch's own.
EVIL = "evil\x1b]0;pwned\x07\x1b[2Jname.mkv"
FORGED = "two\nlines: failed: forged.mkv"


def test_the_batch_bars_escape_the_names_of_the_movies(tmp_path):
    """The batch's bars wrote the names of the movies in flight and of the one just done raw:
    the terminal ran a name's escapes (its title set, its screen cleared), and a name with a
    line break split the bar into a line that read "lines: failed: forged.mkv"."""
    lib = make_library(tmp_path / "lib", n=1)
    for name in (EVIL, FORGED):
        shutil.copyfile(lib / "m0.mkv", lib / name)
    os.remove(lib / "m0.mkv")
    r = run_cli("batch", lib, tmp_path / "out", "--interval", "0.25", "--jobs", "1")
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert "\x1b]" not in err and "\x1b[2J" not in err and "\x07" not in err, ascii(err)
    lines = err.replace("\r", "\n").splitlines()
    assert not [line for line in lines if line.lstrip("\x1b[A").startswith("lines: failed")], ascii(err)
    # the names are there, escaped (a bar shows the end of what it is given)
    assert "done: two\\nlines: failed: forged.mkv" in err and "\\x1b]0;pwned\\x07\\x1b[2Jname.mkv" in err, ascii(err)


def test_the_interrupted_line_escapes_the_names_it_gives():
    """The line an interrupted command ends with names what it kept (a batch's gallery in
    OUTDIR, a run's outputs) as they were given: a line break in one split it, and a
    terminal's escape ran, where every other line of streamprint's escapes them."""
    from streamprint._cli import interrupted

    line = interrupted(f"kept 3 samples, in {FORGED} and {EVIL}")
    assert line == ("streamprint: interrupted; kept 3 samples, in two\\nlines: failed: forged.mkv and "
                    "evil\\x1b]0;pwned\\x07\\x1b[2Jname.mkv")
