"""The package's types and names stay true: mypy (with the settings in pyproject.toml) and
ruff (pyflakes, syntax errors, zip without strict=) find nothing in it. streamprint ships
py.typed, so its users' type checkers trust these annotations.

Both tools come with the test extra (``pip install '.[test]'``); a test is skipped only
when its tool is not installed. mypy's cache goes to a fresh temporary folder: the check
is a cold one (a few seconds), writes nothing into the checkout, and works in a fresh clone.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_mypy_finds_no_errors(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    done = run("mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path / "mypy"),
               "--no-color-output", "--no-error-summary")
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_ruff_finds_nothing() -> None:
    pytest.importorskip("ruff")
    done = run("ruff", "check", "--no-cache", "--output-format", "concise", "streamprint")
    assert done.returncode == 0, done.stdout + done.stderr
