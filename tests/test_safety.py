"""Never destroy a file, never show a traceback: each reproduction from the "never destroy"
issue, run as it was observed, now ends in the safe outcome."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamprint import Fingerprint, synth

from .conftest import run_cli


def one_line(r, code: int) -> str:
    """The one line a terminal shows: a progress bar that was drawn (with carriage returns)
    and cleared before the error does not count."""
    err = r.stderr.decode()
    assert r.returncode == code, err
    assert "Traceback" not in err, err
    lines = [line.split("\r")[-1] for line in err.split("\n")]
    lines = [line for line in lines if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def movie(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("safety") / "m.mkv"
    synth.encode_clip(path, synth.segment_frames(synth.SAMPLE_SEGMENTS, (160, 90)), encoding=synth.Encoding(crf=20))
    return path


@pytest.fixture
def m(movie, tmp_path) -> Path:
    """A fresh copy of the movie, in the test's own folder."""
    copy = tmp_path / "m.mkv"
    copy.write_bytes(movie.read_bytes())
    return copy


# ---- inputs are sacred -----------------------------------------------------------------

def test_swapped_arguments_never_overwrite_the_movie(m, tmp_path):
    before = m.read_bytes()
    s = tmp_path / "s.png"
    assert run_cli(m, s, "-q").returncode == 0
    assert "image format" in one_line(run_cli(s, m), 2)  # streamprint s.png m.mkv
    assert "image format" in one_line(run_cli(m, m), 2)  # streamprint m.mkv m.mkv
    same = tmp_path / "same.json"
    assert "image format" in one_line(run_cli(m, same, "--data", same), 2)
    assert "data format" in one_line(run_cli(m, tmp_path / "o.png", "--data", m), 2)
    link = tmp_path / "link.png"
    link.symlink_to(m)
    assert "is the input" in one_line(run_cli(m, link, "--overwrite"), 2)  # the same file by another name
    hard = tmp_path / "hard.json"
    os.link(m, hard)
    assert "is the input" in one_line(run_cli(m, tmp_path / "o.png", "--data", hard, "--overwrite"), 2)
    misnamed = tmp_path / "movie.webp"  # a movie under an image's name, read from standard input
    os.link(m, misnamed)
    with open(misnamed, "rb") as stdin:
        r = run_cli("-", str(misnamed), "--overwrite", stdin=stdin, timeout=60)
    assert "is the input" in one_line(r, 2)
    assert m.read_bytes() == before


def test_only_streamprints_own_files_are_replaced(m, tmp_path):
    out = tmp_path / "o.png"
    assert run_cli(m, out, "-q").returncode == 0
    assert run_cli(m, out, "-q", "--colors", "3").returncode == 0  # our own earlier output: replaced
    photo = tmp_path / "photo.png"
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(photo)
    before = photo.read_bytes()
    assert "was not written by streamprint" in one_line(run_cli(m, photo), 2)
    assert photo.read_bytes() == before
    assert run_cli(m, photo, "-q", "--overwrite").returncode == 0  # when the user says so


def test_a_palette_glob_never_writes_over_a_photo(tmp_path):
    photos = []
    for i, colour in enumerate([(200, 40, 40), (30, 60, 160)]):
        p = tmp_path / f"p{i}.jpg"
        Image.fromarray(np.full((20, 20, 3), colour, np.uint8)).save(p)
        photos.append((p, p.read_bytes()))
    r = run_cli("palette", *[p for p, _ in photos], "--data", tmp_path / "p.tsv")  # palette *.jpg --data p.tsv
    assert r.returncode == 0, r.stderr
    assert all(p.read_bytes() == data for p, data in photos)
    assert r.stdout.decode().count("#") == 2  # two palettes, no card


def test_palette_out_dir_is_made(tmp_path):
    img = tmp_path / "i.png"
    Image.fromarray(np.full((10, 10, 3), 9, np.uint8)).save(img)
    r = run_cli("palette", img, "--out-dir", tmp_path / "cards" / "new")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cards" / "new" / "i.png.palette.png").exists()
    (tmp_path / "theirs.tsv").write_text("not ours")
    r = run_cli("palette", img, "--out-dir", tmp_path / "other" / "new", "--data", tmp_path / "theirs.tsv")
    assert "was not written by streamprint" in one_line(r, 2)
    assert not (tmp_path / "other").exists()  # a refused run makes no folder either


def test_a_folder_that_cannot_be_made_is_one_line(m, tmp_path):
    """A file where a folder should be: batch and palette said "unexpected
    NotADirectoryError (a bug in streamprint)" (the same for /sys and /proc)."""
    (tmp_path / "afile").write_text("mine")
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "m.mkv").write_bytes(m.read_bytes())
    assert "cannot create the folder" in one_line(run_cli("batch", lib, tmp_path / "afile" / "out"), 1)
    img = tmp_path / "i.png"
    Image.fromarray(np.full((10, 10, 3), 9, np.uint8)).save(img)
    assert "cannot create the folder" in one_line(run_cli("palette", img, "--out-dir", tmp_path / "afile" / "c"), 1)
    assert (tmp_path / "afile").read_text() == "mine"


def test_symlink_loops_are_one_line(m, tmp_path):
    """Path.resolve raises RuntimeError on a loop in Python 3.11: "unexpected RuntimeError"."""
    loop = tmp_path / "loop.mkv"
    loop.symlink_to(loop.name)
    assert "no such file" in one_line(run_cli(loop, tmp_path / "o.png"), 1)
    out = tmp_path / "loop.png"
    out.symlink_to(out.name)
    r = run_cli(m, out)
    assert r.returncode == 0 and "Traceback" not in r.stderr.decode(), r.stderr


@pytest.mark.parametrize("name, fmt", [("x.jpg", "JPEG"), ("x.webp", "WEBP"), ("x.png", "PNG")])
def test_images_are_written_in_the_format_their_name_says(m, tmp_path, name, fmt):
    out = tmp_path / name
    assert run_cli(m, out, "-q").returncode == 0
    with Image.open(out) as im:
        assert im.format == fmt


@pytest.mark.parametrize("args", [["o.txt"], ["o.tiff"], ["o"], ["o.png", "--data", "o.xlsx"],
                                  ["o.jpg", "--style", "stacked", "--data", "o.json.bak"]])
def test_unknown_extensions_are_usage_errors(m, tmp_path, args):
    line = one_line(run_cli(m, *[str(tmp_path / a) if a.startswith("o") else a for a in args]), 2)
    assert "extension" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.mkv"]


def test_a_long_file_name_is_checked_before_decoding(m, tmp_path):
    ok = tmp_path / ("x" * 246 + ".png")  # 250 bytes: fits, temp name and all
    assert run_cli(m, ok, "-q").returncode == 0 and ok.exists()
    assert "too long" in one_line(run_cli(m, tmp_path / ("y" * 260 + ".png")), 1)


# ---- what is read is checked -----------------------------------------------------------

def test_crafted_data_files_are_one_line_errors(tmp_path, m):
    data = tmp_path / "d.json"
    assert run_cli(m, tmp_path / "o.png", "--data", data, "-q").returncode == 0
    good = json.loads(data.read_text())
    crafted = {
        "empty-samples": {**good, "samples": []},
        "nan-weight": json.dumps(good).replace('"weights": [', '"weights": [NaN, ', 1),
        "negative-weight": {**good, "samples": [{**good["samples"][0], "weights": [-1.0] * len(good["samples"][0]["weights"])}]},
        "rgb-out-of-range": {**good, "samples": [{**good["samples"][0], "rgb": [[300, 0, 0]] * len(good["samples"][0]["rgb"])}]},
        "top-level-list": [good],
        "source-list": {**good, "source": []},
    }
    for name, content in crafted.items():
        f = tmp_path / f"{name}.json"
        f.write_text(content if isinstance(content, str) else json.dumps(content))
        line = one_line(run_cli("render", f, tmp_path / f"{name}.png"), 1)
        assert str(f) in line, line
        assert not (tmp_path / f"{name}.png").exists()
    csv = tmp_path / "bad.csv"
    csv.write_text("# streamprint-fingerprint 1\nsample,frame\n0,0\n")
    assert "columns missing" in one_line(run_cli("render", csv, tmp_path / "c.png"), 1)


def test_zero_samples_leave_nothing_behind(tmp_path):
    empty = tmp_path / "empty.mkv"
    import av

    with av.open(str(empty), "w") as c:  # a header and no frame
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        c.start_encoding()
    one_line(run_cli(empty, tmp_path / "o.png", "--samples", "7", "--data", tmp_path / "o.json"), 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.mkv"]


def test_a_still_image_is_not_a_movie_and_an_animated_gif_is(tmp_path):
    still = tmp_path / "still.png"
    Image.fromarray(np.full((40, 60, 3), 120, np.uint8)).save(still)
    assert "a still image" in one_line(run_cli(still, tmp_path / "o.png"), 1)
    gif = tmp_path / "anim.gif"
    frames = [Image.fromarray(np.full((30, 40, 3), c, np.uint8)) for c in ((200, 40, 40), (30, 60, 160), (40, 150, 70))]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=500, loop=0)
    r = run_cli(gif, tmp_path / "g.png", "--every", "1", "--data", tmp_path / "g.json", "-q")
    assert r.returncode == 0, r.stderr
    assert len(json.loads((tmp_path / "g.json").read_text())["samples"]) == 3
    webp = tmp_path / "anim.webp"  # FFmpeg cannot decode animated WebP: say so, not "no frame size"
    frames[0].save(webp, save_all=True, append_images=frames[1:], duration=500, loop=0)
    assert "an animated WebP, which FFmpeg cannot decode" in one_line(run_cli(webp, tmp_path / "w.png"), 1)
    assert not (tmp_path / "w.png").exists()


def test_raw_frames_of_the_wrong_size_are_an_error(tmp_path):
    raw = tmp_path / "f.rgb"
    raw.write_bytes(np.zeros((5, 272, 640, 3), np.uint8).tobytes())  # five 640x272 frames
    line = one_line(run_cli(raw, tmp_path / "o.png", "--raw", "640x270", "--format", "rawvideo"), 1)
    assert "raw frames do not fit" in line



def test_raw_frames_that_cannot_fit_the_file_are_refused_before_any_progress(tmp_path):
    """``streamprint x.mp4 out.png --raw 320x180`` read every frame, drawing the progress
    bar, and only at the file's last bytes said the frames do not fit (without a terminal
    the bar's line was left in the log before the error). A file's size tells at its first
    frame: 30 frames of 16x16 rgb24 (768 bytes) and 100 bytes more is the error alone, on
    one line, naming the 100 bytes; nothing is written."""
    raw = tmp_path / "f.rgb"
    raw.write_bytes(np.full((30, 16, 16, 3), 90, np.uint8).tobytes() + bytes(100))
    r = run_cli(raw, tmp_path / "o.png", "--raw", "16x16", "--rate", "10")
    err = r.stderr.decode()
    assert r.returncode == 1 and "fingerprint:" not in err and "\r" not in err, err
    assert err.strip() == (f"streamprint: error: {raw}: the raw frames do not fit 16x16 rgb24 (100 bytes left over "
                           "after whole frames of 768): check the raw frame size and pixel format")
    assert not (tmp_path / "o.png").exists()
    raw.write_bytes(np.full((30, 16, 16, 3), 90, np.uint8).tobytes())  # whole frames: read
    assert run_cli(raw, tmp_path / "o.png", "--raw", "16x16", "--rate", "10", "-q").returncode == 0


# ---- absurd values ---------------------------------------------------------------------

@pytest.mark.parametrize("args, fragment", [(["--interval", "1e-300"], "--interval"),
                                            (["--threads", "100000"], "--threads"),
                                            (["--column-width", "60000", "--every", "1"], "pixels"),
                                            (["--style", "ring", "--height", "60000"], "pixels"),
                                            (["--style", "plot", "--width", "60000", "--height", "60000"], "pixels")])
def test_absurd_values_are_usage_errors(m, tmp_path, args, fragment):
    start = time.monotonic()
    assert fragment in one_line(run_cli(m, tmp_path / "o.png", *args, timeout=60), 2)
    assert time.monotonic() - start < 30


def test_grid_bad_sizes_and_a_corrupt_strip(tmp_path):
    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    for i in range(3):
        synth.encode_clip(lib / f"{i}.mkv", synth.segment_frames([synth.SAMPLE_SEGMENTS[i]], (64, 36)))
    assert run_cli("batch", lib, out, "-q", "--jobs", "1").returncode == 0
    assert "too small" in one_line(run_cli("grid", out, tmp_path / "w.png", "--size", "1x1"), 2)
    assert "pixels" in one_line(run_cli("grid", out, tmp_path / "w.png", "--size", "60000x60000"), 2)
    (out / "1.mkv.json").write_bytes(b'{"format": "streamprint-fingerprint", garbage')  # its strip instead
    (out / "2.mkv.json").unlink()  # drawn from its strip
    (out / "2.mkv.png").write_bytes(b"\x89PNG garbage")
    r = run_cli("grid", out, tmp_path / "w.png", "--size", "64x36")
    assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr
    assert r.stderr.count(b"cannot be drawn, drawn from 1.mkv.png") == 1, r.stderr
    assert r.stderr.count(b"cannot be drawn, left out") == 1, r.stderr  # 2.mkv.png
    assert "64×36, 2 tiles (1 left out)".encode() in r.stderr


# ---- interrupts ------------------------------------------------------------------------

def _handlers_installed(pid: int) -> bool:
    """Whether process ``pid`` catches SIGTERM yet: the command has installed its handlers
    (Python itself catches SIGINT from the start, SIGTERM only when told to)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # no /proc: rely on the delay alone
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught >> (signal.SIGTERM - 1) & 1)


def _interrupt_after(cmd: list[str], delay: float, sig: int = signal.SIGINT, **popen) -> tuple[int, float, bytes]:
    """Start the command, wait until it has started (its signal handlers are in place: on a
    busy machine the interpreter alone can take longer than ``delay``), then ``delay`` more
    seconds, and send ``sig``. Returns the exit code, the seconds it took to end, stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", *cmd], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, **popen)
    deadline = time.monotonic() + 60
    while not _handlers_installed(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(delay)
    t = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, time.monotonic() - t, err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_while_ffmpeg_reads_endless_garbage(tmp_path, sig):
    with open("/dev/urandom", "rb") as noise:
        code, seconds, err = _interrupt_after(["-", str(tmp_path / "o.png"), "--format", "mpegts"], 2.0, sig,
                                              stdin=noise)
    assert code == 130 and seconds < 2.0 and b"Traceback" not in err and b"Exception ignored" not in err
    assert not (tmp_path / "o.png").exists()


def test_interrupt_on_a_stalled_pipe_and_a_fifo_nobody_writes(tmp_path):
    stalled = subprocess.Popen(["sleep", "30"], stdout=subprocess.PIPE)
    try:
        code, seconds, err = _interrupt_after(["-", str(tmp_path / "o.png")], 1.0, stdin=stalled.stdout)
    finally:
        stalled.kill()
    assert code == 130 and seconds < 2.0 and b"interrupted" in err
    fifo = tmp_path / "live.mkv"
    os.mkfifo(fifo)
    code, seconds, err = _interrupt_after([str(fifo), str(tmp_path / "o.png")], 1.0)
    assert code == 130 and seconds < 2.0


def test_fifo_and_process_substitution_are_read_as_streams(movie, tmp_path):
    fifo = tmp_path / "in.mkv"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", str(fifo), str(tmp_path / "f.png"), "-q"],
                            stderr=subprocess.PIPE)
    with open(fifo, "wb") as w:  # the writer does not block for ever
        w.write(movie.read_bytes())
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    assert run_cli(movie, tmp_path / "ref.png", "-q").returncode == 0
    assert np.array_equal(np.asarray(Image.open(tmp_path / "f.png")), np.asarray(Image.open(tmp_path / "ref.png")))
    r = subprocess.run(["bash", "-c", f'{sys.executable} -m streamprint <(cat "{movie}") "{tmp_path / "p.png"}" -q'],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert np.array_equal(np.asarray(Image.open(tmp_path / "p.png")), np.asarray(Image.open(tmp_path / "ref.png")))


def test_a_name_with_a_line_break_stays_on_its_line(m, tmp_path):
    """A file named "evil\\nfailed: m.mkv: fake" made a batch list a failure of m.mkv, which
    was done, and split a single command's error over two lines."""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "m.mkv").write_bytes(m.read_bytes())
    (lib / "evil\nfailed: m.mkv: fake.mp4").write_bytes(os.urandom(3000))
    r = run_cli("batch", lib, tmp_path / "out", "--jobs", "1", "-q")
    assert r.returncode == 3, r.stderr
    out = r.stdout.decode()
    failures = [line for line in out.splitlines() if line.lstrip().startswith("failed:")]
    assert len(failures) == 1 and failures[0].lstrip().startswith("failed: evil\\nfailed"), out
    assert "\\n" in one_line(run_cli(tmp_path / "no\nsuch.mkv", tmp_path / "o.png"), 1)


def test_a_names_bidi_and_c1_controls_are_escaped_in_messages(m, tmp_path):
    """An output named "rtl \u202e evil.png" printed its RIGHT-TO-LEFT OVERRIDE raw in the
    "wrote ..." line, where a terminal that draws bidi text turns the rest of the line
    around; C1 controls (U+009B, the 8-bit CSI) were raw too, while C0 ones were escaped.
    So were a missing movie's in its error."""
    for name, escaped in (("rtl \u202e evil", "rtl \\u202e evil"), ("csi \x9b31m", "csi \\x9b31m")):
        r = run_cli(m, tmp_path / f"{name}.png")
        assert r.returncode == 0, r.stderr
        said = r.stderr.decode().strip().splitlines()[-1]
        assert said.startswith(f"wrote {tmp_path}/{escaped}.png: "), said
        assert f"{escaped}.mkv" in one_line(run_cli(tmp_path / f"{name}.mkv", tmp_path / "o.png"), 1)


def test_palette_out_dir_refuses_two_images_of_one_name(tmp_path):
    """a/p.png and b/p.png would both be cards/p.png.palette.png. The refusal said "--card
    .../p.png.palette.png is also the --card file", naming an option that was not given."""
    paths = []
    for folder, colour in (("a", (200, 30, 30)), ("b", (30, 30, 200))):
        (tmp_path / folder).mkdir()
        paths.append(tmp_path / folder / "p.png")
        Image.fromarray(np.full((10, 10, 3), colour, np.uint8)).save(paths[-1])
    line = one_line(run_cli("palette", *paths, "--out-dir", tmp_path / "cards"), 2)
    assert line == (f"streamprint palette: error: --out-dir cannot hold the cards of both {paths[0]} and {paths[1]}: "
                    "both would be p.png.palette.png; make them one at a time with --card; "
                    "see streamprint palette --help")
    assert not (tmp_path / "cards").exists()


def test_an_image_named_twice_in_two_spellings_is_one_image(tmp_path, monkeypatch):
    """p.png and ./p.png are one image: it was refused for --out-dir as two images whose
    cards would collide, and printed twice without it."""
    monkeypatch.chdir(tmp_path)
    Image.fromarray(np.full((10, 10, 3), (200, 30, 30), np.uint8)).save(tmp_path / "p.png")
    r = run_cli("palette", "p.png", "./p.png", str(tmp_path / "p.png"), "--out-dir", "cards", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().count("#c81e1e") == 1
    assert [p.name for p in (tmp_path / "cards").iterdir()] == ["p.png.palette.png"]


def test_one_line_escapes_every_line_break_and_direction_control():
    """Every character Python splits lines at (U+2028 and U+2029 too), every C0/C1 control,
    and every explicit bidi formatting character and mark (Unicode's bidi classes LRE ...
    PDI, and LRM, RLM, ALM) is written as an escape, so a name cannot split a message nor
    turn it around; any other character passes as it is. Truth from unicodedata."""
    import unicodedata

    from streamprint.errors import one_line

    formatting = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    for code in range(0x3000):
        c = chr(code)
        dangerous = (len(f"a{c}b".splitlines()) > 1 or unicodedata.category(c) == "Cc"
                     or unicodedata.bidirectional(c) in formatting or c in "\u200e\u200f\u061c")
        out = one_line(c)
        assert (out != c and out.isascii() and out.startswith("\\")) if dangerous else out == c, hex(code)


@pytest.mark.parametrize("replaced", ["live.png", "live.json"])
def test_an_output_replaced_by_the_users_file_mid_run_is_kept_and_the_rest_written(tmp_path, replaced):
    """A live run's picture (or data file) replaced between two flushes by a file of the
    user's (a PNG, JSON of their own): that file is left as it is, the other output is
    written one last time (nothing since the last flush lost), and the run ends with an
    output error (exit 1) saying so, not the usage error "exists and was not written by
    streamprint; pass --overwrite" (exit 2) it was, which lost everything since the flush."""
    from streamprint.errors import EXIT_INPUT, OutputReplacedError
    from streamprint.model import RenderOptions
    from streamprint.outputs import RunOutputs

    from . import fakes

    png, data = tmp_path / "live.png", tmp_path / "live.json"
    out = RunOutputs(png, RenderOptions(width=40, height=10), data, live=True)
    out.flush(fakes.flat([(200, 0, 0)] * 3, [0.0, 1.0, 2.0], None))
    mine = tmp_path / replaced
    if replaced.endswith(".png"):
        Image.new("RGB", (8, 8), (1, 2, 3)).save(mine)
    else:
        mine.write_text('{"mine": true}\n')
    users = mine.read_bytes()
    fp = fakes.flat([(200, 0, 0)] * 3 + [(0, 0, 200)] * 2, [0.0, 1.0, 2.0, 3.0, 4.0], None)
    with pytest.raises(OutputReplacedError) as caught:
        out.flush(fp)
    assert caught.value.exit_code == EXIT_INPUT == 1
    other = data if replaced.endswith(".png") else png
    assert str(caught.value) == (f"{mine} was replaced during the run by a file streamprint did not write, left as "
                                 f"it is; kept 5 samples, 0:00:00 to 0:00:04, in {other}")
    assert mine.read_bytes() == users
    if other == data:
        assert len(Fingerprint.load(data)) == 5
    else:
        with Image.open(png) as im:
            assert im.getpixel((39, 5)) == (0, 0, 200)  # the last sample, blue, drawn at the end
    # the final write after it leaves the user's file alone too
    with pytest.raises(OutputReplacedError):
        out.write(fp)
    assert mine.read_bytes() == users


def test_a_users_file_put_in_an_outputs_place_after_the_check_is_kept(tmp_path):
    """No file at the output when the run began, the user's there at the first write: it was
    put there during the run (the same error), while one there before is refused at once."""
    from streamprint.errors import ForeignFileError, OutputReplacedError
    from streamprint.model import RenderOptions
    from streamprint.outputs import RunOutputs

    from . import fakes

    png = tmp_path / "a.png"
    out = RunOutputs(png, RenderOptions(height=10), tmp_path / "a.json")
    out.check()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(png)
    with pytest.raises(OutputReplacedError):
        out.write(fakes.flat([(200, 0, 0)], [0.0], 1.0))
    assert Image.open(png).size == (8, 8) and (tmp_path / "a.json").exists()
    with pytest.raises(ForeignFileError):
        RunOutputs(png, RenderOptions(height=10)).check()
