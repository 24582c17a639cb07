"""The command: exit codes, one-line errors (never a traceback), progress, outputs."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from .conftest import run_cli


def one_line_error(r, code: int) -> str:
    err = r.stderr.decode()
    assert r.returncode == code, err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("args, line", [
    (["x.mp4"], "streamprint: error: the following arguments are required: output; see streamprint --help"),
    (["fingerprint", "x.mp4"],  # the command's name typed: its usage said plain "streamprint"
     "streamprint fingerprint: error: the following arguments are required: output; "
     "see streamprint fingerprint --help"),
    (["render", "--bogus", "a.json", "b.png"],
     "streamprint render: error: unrecognized arguments: --bogus; see streamprint render --help"),
])
def test_argument_errors_are_one_line_with_the_pointer_to_help(tmp_path, args, line):
    """README: errors are one line on stderr; argparse's took two (the pointer to --help on
    a line of its own)."""
    r = run_cli(*args)
    assert r.returncode == 2 and r.stderr.decode() == line + "\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command, args, line", [
    ([], ["--column-width", "2", "--width", "100"],
     "streamprint: error: --column-width and --width cannot be used together: the width is either given or "
     "samples x column width; see streamprint --help"),
    (["fingerprint"], ["--fast", "--decode-all"],
     "streamprint fingerprint: error: --decode-all decodes every frame, and --fast only keyframes: pick one; "
     "see streamprint fingerprint --help"),
])
def test_rule_errors_are_said_as_argument_errors_are(segments_clip, tmp_path, command, args, line):
    """A usage error the library's rules find (exit 2) is said as argparse's own are: naming
    the command as typed and pointing to its --help. It said "streamprint: error: ..." with
    no pointer, also for "streamprint palette"."""
    r = run_cli(*command, segments_clip, tmp_path / "o.png", *args)
    assert r.returncode == 2 and r.stderr.decode() == line + "\n"
    assert list(tmp_path.iterdir()) == []


def test_fingerprint_writes_strip_and_data(segments_clip, tmp_path):
    out, data = tmp_path / "strip.png", tmp_path / "strip.json"
    r = run_cli(segments_clip, out, "--interval", "0.5", "--column-width", "3", "--height", "40",
                "--data", data)
    assert r.returncode == 0, r.stderr
    img = Image.open(out)
    assert img.size == (24 * 3, 40) and img.mode == "RGB"
    assert data.stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp")), "temporary files left behind"


def test_progress_bar_on_stderr_unless_quiet(segments_clip, tmp_path):
    r = run_cli(segments_clip, tmp_path / "a.png", "--every", "2")
    assert r.returncode == 0
    assert "sample" in r.stderr.decode()  # tqdm's bar: "n/total [.. sample/s]"
    r = run_cli(segments_clip, tmp_path / "b.png", "--every", "2", "--quiet")
    assert r.returncode == 0 and r.stderr == b""


def test_help_explains_every_option():
    r = run_cli("--help")
    assert r.returncode == 0
    text = r.stdout.decode()
    for opt in ["--every", "--interval", "--samples", "--colors", "--algorithm", "--seed",
                "--analysis-size", "--height", "--column-width", "--order", "--data", "--format",
                "--threads", "--quiet", "--verbose", "exit codes", "render"]:
        assert opt in text, opt
    r = run_cli("render", "--help")
    assert r.returncode == 0 and b"--column-width" in r.stdout


def test_the_command_list_in_help_reads_as_each_parser_reads_it():
    """`streamprint --help` lists the other commands; each line must mean what it says to
    that command's parser (the palette's card is named by --card: a positional name is an
    image to read, never an output)."""
    import re

    from streamprint._cli.fingerprint import COMMANDS_HELP
    from streamprint._cli.dispatch import COMMANDS

    lines = [re.split(r"\s{2,}", line.strip()) for line in COMMANDS_HELP.splitlines()[1:]]
    usages = {words[1]: words[2:] for words in (usage.split() for usage, _ in lines) if words[1] in COMMANDS}
    assert set(usages) == set(COMMANDS)  # every command is listed (fingerprint by name too)
    for command, args in usages.items():
        parsed = COMMANDS[command].parser().parse_args(args)
        if command == "palette":
            assert parsed.card is not None and all(not p.endswith(".png") for p in parsed.paths), args


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_commands_help_text_is_filled_to_the_terminal(columns, monkeypatch):
    """``streamprint gallery --help`` broke its description by hand mid-sentence ("each with
    its strip," alone on a line) and ran past 80 columns; other commands' lines did too, and
    the list of commands ran to 116 (a terminal breaks those anywhere). For every command:
    a paragraph of prose is filled as an option's help is (each line as full as the next
    word allows, none wider than the terminal, no word lost), and a row of examples or of a
    table has its last column wrapped under itself when it would run past the terminal."""
    import re

    from streamprint._cli.dispatch import COMMANDS

    monkeypatch.setenv("COLUMNS", str(columns))
    width = columns - 2  # argparse's
    for name in COMMANDS:
        parser = COMMANDS[name].parser()
        help_text = parser.format_help()
        for source in (parser.description, parser.epilog):
            formatter = parser._get_formatter()
            formatter.add_text(source)
            shown = formatter.format_help().strip("\n")
            assert shown.split() == source.split() and shown in help_text, name
            for paragraph in shown.split("\n\n"):
                lines = paragraph.splitlines()
                if any(line[:1].isspace() for line in lines):  # examples, tables
                    for line in lines:
                        row = re.match(r"(\s+\S.*?\s{2,})(\S.*)", line)
                        assert len(line) <= width or row is None or len(row[1]) > width - 20, (name, line)
                    continue
                for line, after in zip(lines, lines[1:] + [None], strict=True):
                    assert len(line) <= width, (name, line)
                    if after is not None:  # the next word would not have fitted
                        assert len(line) + 1 + len(after.split()[0]) > width, (name, line, after)


def test_missing_file(tmp_path):
    line = one_line_error(run_cli(tmp_path / "nope.mkv", tmp_path / "o.png"), 1)
    assert line == f"streamprint: error: {tmp_path / 'nope.mkv'}: no such file"


def test_text_file_named_mp4(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("this is not a movie\n" * 50)
    line = one_line_error(run_cli(fake, tmp_path / "o.png"), 1)
    assert "not a video file" in line
    assert not (tmp_path / "o.png").exists()


def test_audio_only_file(tmp_path):
    path = tmp_path / "tone.mka"
    with av.open(str(path), "w") as c:
        s = c.add_stream("flac", rate=8000, layout="mono")
        t = np.arange(8000) / 8000
        frame = av.AudioFrame.from_ndarray((np.sin(2 * math.pi * 440 * t) * 9000).astype(np.int16)[None],
                                           format="s16", layout="mono")
        frame.sample_rate, frame.pts = 8000, 0
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode():
            c.mux(p)
    line = one_line_error(run_cli(path, tmp_path / "o.png"), 1)
    assert "no video stream" in line and "audio" in line


def test_video_with_zero_frames(tmp_path):
    path = tmp_path / "empty.mkv"
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        c.start_encoding()  # header only, no frame
    assert path.stat().st_size > 0
    line = one_line_error(run_cli(path, tmp_path / "o.png"), 1)
    assert "no decodable video frames" in line


@pytest.mark.parametrize("args, fragment", [
    (["--every", "0"], "--every"),
    (["--every", "2", "--interval", "1"], "not allowed with"),
    (["--colors", "abc"], "--colors"),
    (["--colors", "500"], "--colors"),
    (["--algorithm", "dbscan"], "--algorithm"),
    (["--bogus"], "unrecognized"),
])
def test_usage_errors_exit_2(segments_clip, tmp_path, args, fragment):
    line = one_line_error(run_cli(segments_clip, tmp_path / "o.png", *args), 2)
    assert fragment in line


def test_unwritable_output_fails_before_decoding(segments_clip, tmp_path):
    line = one_line_error(run_cli(segments_clip, tmp_path / "no" / "such" / "dir.png"), 1)
    assert "does not exist" in line


def test_existing_output_is_kept_when_a_run_fails(tmp_path):
    out = tmp_path / "keep.png"
    out.write_bytes(b"previous result")
    fake = tmp_path / "bad.mkv"
    fake.write_bytes(b"\x00" * 1000)
    # Not streamprint's file: refused up front (exit 2); with --overwrite the run fails on the
    # input (exit 1); either way the file is kept.
    assert "was not written by streamprint" in one_line_error(run_cli(fake, out), 2)
    one_line_error(run_cli(fake, out, "--overwrite"), 1)
    assert out.read_bytes() == b"previous result"


def test_same_seed_same_png(segments_clip, tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    for out in (a, b):
        assert run_cli(segments_clip, out, "--every", "3", "--seed", "5", "-q").returncode == 0
    assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))


def test_every_option_of_every_command_has_help_text():
    from streamprint._cli.dispatch import COMMANDS

    for name, command in COMMANDS.items():
        for action in command.parser()._actions:
            assert action.help, f"{name}: {action.option_strings or action.dest} has no --help text"


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command")
def test_audio_with_cover_art_says_cover_art(tmp_path):
    """An MP3 with its album cover: the cover is a video stream FFmpeg marks attached_pic;
    the error said "found audio, video", contradicting itself."""
    cover = tmp_path / "cover.png"
    Image.fromarray(np.full((32, 32, 3), 200, np.uint8)).save(cover)
    path = tmp_path / "song.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=1", "-i", str(cover), "-map", "0",
                    "-map", "1", "-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic", str(path)],
                   check=True, capture_output=True, timeout=60)
    line = one_line_error(run_cli(path, tmp_path / "o.png"), 1)
    assert "no video stream (found audio, cover art)" in line


@pytest.mark.parametrize("args, names", [
    (["--rate", "30"], "--rate"), (["--pix-fmt", "gray"], "--pix-fmt"), (["--fast", "--decode-all"], "--decode-all"),
])
def test_options_that_would_do_nothing_are_usage_errors(tmp_path, args, names):
    """--rate and --pix-fmt without --raw, and --decode-all with --fast, were accepted and
    silently did nothing."""
    sample = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"
    r = run_cli(sample, tmp_path / "x.png", *args)
    assert r.returncode == 2 and names.encode() in r.stderr and b"Traceback" not in r.stderr, r.stderr
    assert not (tmp_path / "x.png").exists()


def test_option_help_names_only_the_commands_own_options():
    """`render --help` and `batch --help` said "With --flush a picture keeps this width" and
    render's "(with --fast: ...)", options neither has. Another command's flag may be named
    only as where a file came from ("data made with --fast")."""
    import re

    from streamprint._cli.dispatch import COMMANDS

    for name in COMMANDS:
        parser = COMMANDS[name].parser()
        own = {flag for action in parser._actions for flag in action.option_strings}
        for action in parser._actions:
            for m in re.finditer(r"(\S+ \S+ )?(--[a-z][a-z-]*[a-z])", " ".join((action.help or "").split())):
                assert m.group(2) in own or m.group(1) in ("made with ", "saved with "), \
                    f"{name} {action.option_strings}: names {m.group(2)}"


def test_the_entry_point_stays_callable_after_the_command_modules_load(tmp_path, capsys):
    """``streamprint._cli.main`` is the entry function, and loading the command modules must
    not rebind it: its dispatcher was a submodule of the same name, so once loaded
    ``streamprint._cli.main`` was a module and a second call in one process (a program
    that runs the command twice) raised TypeError."""
    import importlib

    import streamprint._cli as cli

    importlib.import_module("streamprint._cli.dispatch")
    for name in importlib.import_module("streamprint._cli.dispatch").COMMANDS.NAMES:
        importlib.import_module(f"streamprint._cli.{name}")
    assert callable(cli.main) and cli.main.__module__ == "streamprint._cli"
    missing = tmp_path / "missing.mkv"
    for _ in range(2):
        assert cli.main([str(missing), str(tmp_path / "out.png")]) == 1
    assert capsys.readouterr().err.count("no such file") == 2
