"""Every command, every option, every kind of bad value: exit 2 and one line on stderr,
before any input is read or any output written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .conftest import run_cli
from .test_safety import one_line

ROOT = Path(__file__).resolve().parent.parent
MOVIE = ROOT / "sample_media" / "sample.mp4"

FINGERPRINT = {
    "--every": ["0", "-1", "x", "1.5"], "--interval": ["0", "-1", "inf", "nan", "x"], "--samples": ["0", "x"],
    "--colors": ["0", "65", "x"], "--algorithm": ["bogus"], "--seed": ["-1", "x", str(2**33)],
    "--analysis-size": ["7", "4097", "x"], "--space": ["hsv"], "--crop": ["maybe"], "--height": ["0", "x", "70000"],
    "--column-width": ["0", "x", "70000"], "--width": ["0", "x"], "--order": ["bogus"], "--style": ["bogus"],
    "--title": ["T"], "--threads": ["-1", "65", "x"], "--raw": ["10", "axb", "0x0"], "--format": ["nosuchdemuxer"],
    "--data": ["o.xlsx", "o", ""], "--pix-fmt": ["nosuchformat", ""], "--rate": ["0", "x"], "--background": ["nope"],
    "--tonemap": ["bright"], "--start": ["-1", "x", "1:75", "99:00"], "--end": ["0", "x", "-"],
    "--duration": ["0", "-5", "x"], "--flush": ["0", "-1", "x", "nan"],
}
RENDER = {"--height": ["0", "x"], "--column-width": ["0"], "--style": ["bogus"], "--order": ["bogus"], "--width": ["0"],
          "--title": ["T"], "--background": ["#12"]}
PALETTE = {"--colors": ["0", "65", "x"], "--space": ["bogus"], "--seed": ["-1"], "--bar": ["0", "2", "x"],
           "--buffer": ["-1", "2"], "--buffer-color": ["nope", "#12345"], "--size": ["-1", "x"], "--data": ["o.xlsx"],
           "--card": ["o.txt"], "--out-dir": ["IMAGE"]}
BATCH = {"--jobs": ["0", "x", "2000"], "--checkpoint": ["-1", "x"], "--dask": ["nope", "tcp://h:notaport", ""],
         "--colors": ["0"], "--height": ["0"], "--every": ["0"], "--style": ["bogus"], "--title": ["T"],
         "--interval": ["0"], "--samples": ["0"], "--algorithm": ["bogus"], "--seed": ["-1"], "--analysis-size": ["7"],
         "--space": ["hsv"], "--crop": ["maybe"], "--tonemap": ["bright"], "--column-width": ["0"], "--width": ["0"],
         "--order": ["bogus"], "--background": ["nope"],
         "--start": ["x", "-3"], "--end": ["0"], "--duration": ["-1"]}
GRID = {"--size": ["0x0", "abc", "60000x60000"], "--gutter": ["-1", "x", "70000"], "--background": ["nope"],
        "--style": ["bogus"], "--order": ["bogus"]}


TABLES = {None: FINGERPRINT, "render": RENDER, "palette": PALETTE, "batch": BATCH, "grid": GRID}


def test_the_tables_cover_every_option_of_every_command():
    """Every option that takes a value, of every command, has bad values in its table."""
    from streamprint._cli.dispatch import COMMANDS

    for command, table in TABLES.items():
        parser = COMMANDS[command or "fingerprint"].parser()
        takes_value = {a.option_strings[-1] for a in parser._actions if a.option_strings and a.nargs != 0}
        assert takes_value - set(table) == set(), command or "fingerprint"


def cases():
    for command, table in TABLES.items():
        for flag, values in table.items():
            for value in values:
                yield pytest.param(command, flag, value, id=f"{command or 'fingerprint'} {flag} {value}")


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    base = tmp_path_factory.mktemp("values")
    data = base / "d.json"
    assert run_cli(MOVIE, base / "d.png", "--data", data, "-q").returncode == 0
    image = base / "i.png"
    Image.fromarray(np.full((8, 8, 3), 50, np.uint8)).save(image)
    (base / "lib").mkdir()
    return {"base": base, "data": data, "image": image}


@pytest.mark.parametrize("command, flag, value", list(cases()))
def test_bad_value_is_a_one_line_usage_error(places, tmp_path, command, flag, value):
    out = tmp_path / "o.png"
    value = str(tmp_path / value) if value.startswith("o") else str(places["image"]) if value == "IMAGE" else value
    extra = ["--raw", "8x8"] if flag in ("--pix-fmt", "--rate") else ["--style", "stacked"] if flag == "--title" else []
    args = {
        None: [MOVIE, out, flag, value, *extra],
        "render": ["render", places["data"], out, flag, value],
        "palette": ["palette", places["image"], flag, value],
        "batch": ["batch", places["base"] / "lib", tmp_path / "out", flag, value],
        "grid": ["grid", tmp_path, out, flag, value],
    }[command]
    line = one_line(run_cli(*args), 2)
    assert flag in line or "argument" in line or "invalid choice" in line, line
    assert not out.exists() and not (tmp_path / "out").exists()


ONE, FIVE = "\u0661", "\u0665"  # Arabic-Indic digits one and five
NOT_ASCII = [(None, "--start", ONE), (None, "--end", FIVE), (None, "--duration", f"0:0{ONE}"),
             (None, "--colors", FIVE), (None, "--interval", f"{ONE}.5"), (None, "--raw", f"{FIVE}x8"),
             (None, "--rate", f"2{FIVE}"), (None, "--every", "\uff11"),  # fullwidth one
             (None, "--samples", f"{ONE}\u00a0"),  # (a no-break space after it)
             ("grid", "--size", f"{ONE}0x10"), ("grid", "--background", f"{ONE},2,3"), ("palette", "--bar", f"0.{FIVE}"),
             (None, "--colors", "1_0"), (None, "--interval", "1_0"), (None, "--rate", "2_5"), ("grid", "--gutter", "1_0")]


@pytest.mark.parametrize("command, flag, value", NOT_ASCII, ids=[f"{c or 'fingerprint'} {f} {v!a}" for c, f, v in NOT_ASCII])
def test_digits_of_other_scripts_are_a_usage_error(places, tmp_path, command, flag, value):
    """Numbers and times are read in ASCII digits: Python's int(), float(), Fraction and re's
    \\d read any script's, so `--start` with an Arabic-Indic one ran from 1 s, and `--colors`
    with an Arabic-Indic five made five colours, with no word; `--colors 1_0` made ten (Python's
    digit separator)."""
    out = tmp_path / "o.png"
    extra = ["--raw", "8x8"] if flag == "--rate" else []
    args = {None: [MOVIE, out, flag, value, *extra, "-q"], "grid": ["grid", tmp_path, out, flag, value],
            "palette": ["palette", places["image"], flag, value, "--card", out]}[command]
    line = one_line(run_cli(*args), 2)
    assert flag in line, line
    assert not out.exists()


NOTHING_TO_FILL = [(None, "o.png", []), (None, "o.jpg", ["--style", "dominant"]), (None, "o.png", ["--style", "ring"]),
                   ("render", "o.webp", ["--style", "ring"]), ("render", "o.jpg", ["--style", "plot"]),
                   ("batch", None, ["--style", "ring"])]


@pytest.mark.parametrize("command, name, extra", NOTHING_TO_FILL,
                         ids=[f"{c or 'fingerprint'} {n} {' '.join(e)}" for c, n, e in NOTHING_TO_FILL])
def test_a_background_with_nothing_to_fill_is_a_usage_error(places, tmp_path, command, name, extra):
    """--background fills a ring's transparent parts in JPEG and nothing else (README's option
    table): on a strip or a plot, in PNG or WebP, or in a batch (its strips are PNG) it was
    taken and did nothing, as --title on a strip is refused."""
    out = tmp_path / (name or "out")
    args = {None: [MOVIE, out], "render": ["render", places["data"], out],
            "batch": ["batch", places["base"] / "lib", out]}[command]
    line = one_line(run_cli(*args, *extra, "--background", "#102030"), 2)
    assert "--background" in line and ("JPEG" in line), line
    assert not out.exists()


TOO_LARGE = [("--start", "99999999999999999999"), ("--end", "99999999999999999999"), ("--end", "-100000000000000000000s"),
             ("--duration", "9999999999:00:00"), ("--start", "9" * 400)]


@pytest.mark.parametrize("flag, value", TOO_LARGE, ids=[f"{f} {v[:24]}" for f, v in TOO_LARGE])
def test_a_well_formed_time_too_large_says_so_and_the_limit(tmp_path, flag, value):
    """A time in the right syntax but past the year streamprint takes was told it "must be a
    time in seconds or HH:MM:SS", as if it were not one."""
    out = tmp_path / "o.png"
    line = one_line(run_cli(MOVIE, out, f"{flag}={value}"), 2)
    assert f"{flag} is too large: a time must be under 31622400 s (366 days)" in line, line
    assert not out.exists()


@pytest.mark.parametrize("args, flag", [(["", "OUT"], "input"), ([str(MOVIE), ""], "output"),
                                        ([str(MOVIE), "OUT", "--data", ""], "--data"),
                                        ([str(MOVIE), "OUT", "--raw", "8x8", "--pix-fmt", ""], "--pix-fmt")])
def test_an_empty_name_is_a_usage_error_that_says_so(tmp_path, args, flag):
    """An empty file name was taken for "." (the folder: "cannot write .: it is a directory",
    exit 1; ".: is a directory, not a video file"), an empty --pix-fmt for rgb24."""
    out = tmp_path / "o.png"
    line = one_line(run_cli(*[str(out) if a == "OUT" else a for a in args]), 2)
    if flag == "--pix-fmt":
        assert line.startswith("streamprint: error: --pix-fmt '' is not a pixel format"), line
    else:
        assert line.startswith(f"streamprint: error: {flag} must be a file name, got an empty one;"), line
    assert not out.exists()
