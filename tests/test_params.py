"""The parameter rules: each stated once (streamprint.params), checked by the library, shown
by the CLI with its own flag names, and every one checked before any decoding or writing."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import numpy as np
import pytest

from streamprint import ParameterError, params

from .conftest import run_cli


@pytest.mark.parametrize("name, good, bad", [
    ("colors", [1, 64], [0, 65, 2.0, True, "5", None]),
    ("every", [1, 10**9], [0, -3, 1.5]),
    ("interval", [0.001, 3600], [0, -1, math.inf, math.nan, "1"]),
    ("seed", [0, 2**32 - 1], [-1, 2**32]),
    ("analysis_size", [8, 4096], [7, 4097]),
    ("threads", [0, 64], [-1, 100_000]),
    ("height", [1, 65_535], [0, 65_536]),
    ("width", [None, 1], [0]),
    ("bar", [0.01, 1.0], [0.0, 1.5]),
    ("buffer", [0.0, 1.0], [-0.1, 2]),
    ("style", ["ring", "plot"], ["mosaic", 3]),
    ("buffer_color", ["#ffffff", "1,2,3", (1, 2, 3)], ["#12345", "1,2", (1, 2, 300), "red"]),
    ("jobs", [None, 1], [0]),
    ("start", [0, 1.5, "1:30", "1:02:03.5"], [-1, "-1:00", "1:75", "x", math.nan, True, None]),
    ("end", [1, -480, "-8:00", "90"], [0, "0", "x", math.inf]),
    ("duration", [0.04, "1:00"], [0, -5, "-1:00"]),
    ("flush_every", [0.1, 3600], [0, 0.05, -1, math.nan]),
    # numpy's bool is a bool as numpy's whole numbers are whole numbers (it was refused)
    ("thumbnails", [True, False, np.bool_(True)], [1, 0, "yes", "no", None, np.int64(1)]),
    ("skip_unsampled", [np.bool_(False)], [0, "False"]),
    ("overwrite", [True, np.bool_(False)], [1, "false", None]),
])
def test_each_rule_accepts_and_refuses(name, good, bad):
    for value in good:
        checked = params.check(name, value)
        if isinstance(value, np.bool_):  # given on as Python's own, as an option read back compares
            assert type(checked) is bool and checked == value
    for value in bad:
        with pytest.raises(ParameterError) as info:
            params.check(name, value)
        assert info.value.parameter == name


def test_sizes():
    assert params.check_size("size", "1920x1080") == (1920, 1080)
    for bad in ("1920", "0x5", "axb", "100000x5", ""):
        with pytest.raises(ParameterError):
            params.check_size("size", bad)


@pytest.fixture
def never_ending_input(tmp_path):
    """A FIFO nobody writes to: opening it for reading blocks for ever, so a run that gets as
    far as opening its input hangs (like decoding a long movie), and one that checks its
    options first ends at once."""
    fifo = tmp_path / "movie.mkv"
    os.mkfifo(fifo)
    return fifo


BAD_COMBINATIONS = [
    (["--title", "T"], "--title applies to the plot style only"),
    (["--style", "ring"], "SVG output"),  # written to .svg
    (["--style", "dominant"], "PDF output is available for plot only"),  # written to .pdf
    (["--width", "100", "--column-width", "2"], "--column-width and --width cannot be used together"),
    (["--style", "ring", "--column-width", "2"], "--column-width applies to strips, not the ring style"),
    (["--style", "plot", "--height", "30"], "too small for a plot"),
    (["--colors", "0"], "--colors must be"),
    (["--every", "0"], "--every must be"),
    (["--interval", "inf"], "--interval must be"),
    (["--analysis-size", "3"], "--analysis-size must be"),
    (["--threads", "-1"], "--threads must be"),
    (["--raw", "10x"], "--raw must be WIDTHxHEIGHT"),
    (["--raw", "8x8", "--rate", "0"], "--rate must be"),
    (["--raw", "8x8", "--format", "mpegts"], "cannot be combined with --format"),
    (["--start", "20", "--end", "10"], "--end (10 s) must come after --start (20 s)"),
    (["--end", "5", "--duration", "5"], "--duration and --end cannot be used together"),
    (["--start", "1:99"], "--start must be a time"),
    (["--flush", "0"], "--flush must be"),
]


@pytest.mark.parametrize("args, message", BAD_COMBINATIONS, ids=[" ".join(a) for a, _ in BAD_COMBINATIONS])
def test_bad_options_fail_before_the_input_is_opened(never_ending_input, tmp_path, args, message):
    out = tmp_path / {("--style", "ring"): "o.svg", ("--style", "dominant"): "o.pdf"}.get(tuple(args), "o.png")
    r = run_cli(str(never_ending_input), str(out), "--data", str(tmp_path / "o.json"), *args, timeout=60)
    err = r.stderr.decode()
    assert r.returncode == 2, err
    assert message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movie.mkv"]  # nothing written, not even a temp file


def test_batch_checks_its_options_before_creating_anything(tmp_path):
    (tmp_path / "lib").mkdir()
    for args in (["--title", "T"], ["--jobs", "0"], ["--checkpoint", "-1"], ["--colors", "99"]):
        r = run_cli("batch", tmp_path / "lib", tmp_path / "out", *args)
        assert r.returncode == 2 and b"Traceback" not in r.stderr, r.stderr
        assert not (tmp_path / "out").exists()


def test_palette_checks_its_options_before_reading(tmp_path):
    for args in (["--bar", "0"], ["--buffer", "3"], ["--buffer-color", "nope"], ["--colors", "0"], ["--size", "-1"]):
        r = run_cli("palette", tmp_path / "missing.jpg", "--card", tmp_path / "card.png", *args)
        assert r.returncode == 2, r.stderr
        flag = args[0]
        assert flag in r.stderr.decode() and b"Traceback" not in r.stderr
        assert not (tmp_path / "card.png").exists()


def test_a_bad_combination_is_refused_before_pyav_is_even_imported(tmp_path):
    """What makes a refusal immediate on any movie: no decoding, and not even the import of
    PyAV (a good part of the time a refused run took)."""
    code = ("import contextlib, io, sys\n"
            "from streamprint._cli.dispatch import main\n"
            "with contextlib.redirect_stderr(io.StringIO()):\n"
            f"    code = main([{str(tmp_path / 'm.mkv')!r}, {str(tmp_path / 'o.svg')!r}, '--style', 'ring'])\n"
            "print(code, 'av' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert r.stdout.decode().split() == ["2", "False"], r.stderr


@pytest.mark.parametrize("output, samples", [("o.webp", 20_000), ("o.png", 2_000_000)])
def test_a_strip_too_wide_for_its_samples_says_so_and_how_to_draw_it(never_ending_input, tmp_path, output, samples):
    """One column per sample: 20,000 are wider than a WebP may be (16383 px), 2,000,000 at
    200 px high more pixels than 2^28. The error blamed --column-width, which was not given
    (its default is 1, and can be no smaller); it must say the samples are the cause and that
    --width draws them at a width."""
    r = run_cli(str(never_ending_input), str(tmp_path / output), "--samples", str(samples), timeout=60)
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1, err
    assert "--column-width" not in err and f"{samples} samples" in err and "with --width" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movie.mkv"]


@pytest.mark.parametrize("output, args, blamed, remedy", [
    # the least column width given: only --width makes the strip narrower
    ("o.webp", ["--samples", "20000", "--column-width", "1"], "--column-width", "with --width"),
    # 5000 columns are many, but the 60000-px height is what makes 3e8 pixels
    ("o.png", ["--samples", "5000", "--height", "60000"], "--height", "make it smaller"),
    # a WebP 20000 px high, whatever its columns
    ("o.webp", ["--samples", "100", "--height", "20000"], "--height", "make it smaller"),
    # a ring as high (its diameter) is as wide: 30000 x 30000 px
    ("o.png", ["--style", "ring", "--height", "30000"], "--height", "make it smaller"),
])
def test_a_picture_too_large_blames_what_makes_it_so(never_ending_input, tmp_path, output, args, blamed, remedy):
    """The review's cases: --column-width 1 was told to be made smaller (it cannot be), and a
    huge --height was blamed on the sampling."""
    r = run_cli(str(never_ending_input), str(tmp_path / output), *args, timeout=60)
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1, err
    assert err.startswith(f"streamprint: error: {blamed} would make") and remedy in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movie.mkv"]
