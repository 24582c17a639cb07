"""The command's stop-signal handlers are put back as they were, and a handler it could not
put back is left alone."""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamprint._cli.dispatch import main


def test_a_handler_python_did_not_install_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Python reports a handler installed by C code (an application that embeds Python and
    calls main) as None, from signal.getsignal and signal.signal alike: the command replaced
    it with its own, then "put it back" with signal.signal(sig, None), a TypeError that
    ended the run with a traceback."""
    image = tmp_path / "in.png"
    Image.fromarray(np.full((8, 8, 3), 90, np.uint8)).save(image)
    real_getsignal, real_signal = signal.getsignal, signal.signal
    before = real_getsignal(signal.SIGHUP)

    def foreign(sig: int) -> object:
        return None if sig == signal.SIGHUP else real_getsignal(sig)

    def replace(sig: int, handler: object) -> object:
        previous = real_signal(sig, handler)
        return None if sig == signal.SIGHUP else previous

    monkeypatch.setattr(signal, "getsignal", foreign)
    monkeypatch.setattr(signal, "signal", replace)
    assert main(["palette", "-q", str(image)]) == 0
    assert real_getsignal(signal.SIGHUP) is before  # never replaced
    assert real_getsignal(signal.SIGINT) is signal.default_int_handler  # put back
