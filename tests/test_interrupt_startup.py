"""A stop signal in the first milliseconds of the command: the console script imports the
entry point (``streamprint._cli``, and with it the package) before ``console()`` installs
the handlers of SIGINT, SIGTERM and SIGHUP; what those two modules load is a window where a
signal does what Python does by default."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

import streamprint

#: The tree this session imports streamprint from (``-c`` puts the working folder first).
TREE = Path(streamprint.__file__).parent.parent

#: The console script (``from streamprint._cli import console``), with SIG sent to itself
#: where Python is about to load MODULE: at once if that is while the entry point loads.
_SIGNAL_WHILE_LOADING = """
import os, sys

MODULE, SIG = sys.argv.pop(1), int(sys.argv.pop(1))

class Signalling:  # once
    def find_spec(self, name, path=None, target=None):
        if name == MODULE:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), SIG)
        return None

sys.meta_path.insert(0, Signalling())
from streamprint._cli import console
sys.exit(console())
"""


def test_the_entry_point_loads_nothing_before_its_signal_handlers():
    """``streamprint/__init__`` imported the enums and errors (and with them logging, typing,
    re and enum: 30 ms of a slow machine's start) before the command could install its
    handlers. Now the package's names load on first use (PEP 562) and the entry point loads
    nothing: what is left before the handlers is Python's own start."""
    code = "import sys; before = set(sys.modules); import streamprint._cli; print(*sorted(set(sys.modules) - before))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=TREE)
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.split()) - {"__future__"} == {"streamprint", "streamprint._cli"}, r.stdout


@pytest.mark.parametrize("module, sig", [("logging", signal.SIGINT), ("streamprint.enums", signal.SIGTERM),
                                         ("streamprint.errors", signal.SIGHUP)],
                         ids=["SIGINT-logging", "SIGTERM-enums", "SIGHUP-errors"])
def test_a_signal_while_the_package_loads_its_first_modules_is_one_line(tmp_path, module, sig):
    """A Ctrl-C while the package loaded logging printed a KeyboardInterrupt traceback from
    streamprint/__init__.py (exit 1); SIGTERM or SIGHUP while it loaded its enums or errors
    ended the process with 143 or 129 and no message. These load after the handlers now."""
    r = subprocess.run([sys.executable, "-c", _SIGNAL_WHILE_LOADING, module, str(int(sig)), "batch",
                        str(tmp_path / "lib"), str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                       cwd=TREE)
    assert (r.returncode, r.stderr) == (130, "streamprint: interrupted; nothing was written\n")
    assert not (tmp_path / "out").exists()


def test_the_package_names_load_on_first_use():
    """The enums and errors, loaded on first use as every other name of the package: one
    object whichever way it is reached."""
    code = ("import sys, streamprint; assert 'streamprint.errors' not in sys.modules\n"
            "from streamprint import Status, ParameterError\n"
            "from streamprint.enums import Status as S\nfrom streamprint.errors import ParameterError as P\n"
            "assert Status is S and ParameterError is P and streamprint.StreamprintError in P.__mro__\n"
            "print(Status.DONE.value)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=TREE)
    assert (r.returncode, r.stdout.strip()) == (0, "done"), r.stderr


#: Each module named on the command line imported alone (the package's modules loaded anew,
#: the logger made anew): those in which the package's logger exists then without its
#: NullHandler are printed.
_ALONE = """
import importlib, logging, sys

loggers = logging.root.manager.loggerDict
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "streamprint" or m.startswith("streamprint.")]:
        del sys.modules[loaded]
    loggers.pop("streamprint", None)
    importlib.import_module(name)
    log = loggers.get("streamprint")
    if log is not None and not any(isinstance(h, logging.NullHandler) for h in log.handlers):
        print(name)
"""


def test_every_module_that_warns_has_the_logger_quiet_for_a_library_user():
    """The package's ``__init__`` attached the NullHandler to its logger (Python's last
    resort prints the warnings of a logger that has none); it imports nothing now, and the
    handler comes with errors.py, which every module that warns imports: each, imported
    alone, finds it there."""
    package = Path(streamprint.__file__).parent
    modules = sorted(".".join(path.relative_to(TREE).with_suffix("").parts) for path in package.rglob("*.py")
                     if 'getLogger("streamprint")' in path.read_text() or "errors import log" in path.read_text())
    assert len(modules) > 20, modules
    r = subprocess.run([sys.executable, "-c", _ALONE, *modules], capture_output=True, text=True, timeout=120,
                       cwd=TREE)
    assert (r.returncode, r.stdout) == (0, ""), (r.stdout, r.stderr)
