"""What the terminal shows: one line on success (unless -q), and progress bars that read
well with and without a known duration, with an ETA for --fast."""

from __future__ import annotations

import io
import re
import subprocess
import time

import numpy as np
from PIL import Image

from streamprint._cli.progress import ProgressBar
from streamprint.model import Progress

from . import fakes
from .conftest import run_cli


def last_line(stderr: bytes) -> str:
    """The last line on stderr, after the progress bar's carriage returns."""
    return re.split(r"[\r\n]", stderr.decode().strip())[-1].strip()


def test_the_movie_command_ends_with_one_line(segments_clip, tmp_path):
    out, data = tmp_path / "s.png", tmp_path / "s.json"
    r = run_cli(segments_clip, out, "--data", data)
    assert r.returncode == 0, r.stderr
    # 12 s at one sample per second: 12 samples, 34 px each (the 400-px least width): 408 px
    assert re.fullmatch(rf"wrote {re.escape(str(out))} and {re.escape(str(data))}: 408×200, 12 samples, "
                        r"0:12 of video in \d+\.\d s", last_line(r.stderr)), r.stderr
    assert Image.open(out).size == (408, 200)
    assert r.stdout == b""
    r = run_cli("render", data, tmp_path / "p.png", "--style", "plot", "--width", "900")
    assert r.returncode == 0 and r.stderr.decode() == f"wrote {tmp_path / 'p.png'}: 900×200, 12 samples, 0:12 of video\n"
    r = run_cli("render", data, tmp_path / "q.png", "-q")
    assert r.returncode == 0 and r.stderr == b""


def test_a_part_of_a_movie_says_which_part_in_the_same_one_line(segments_clip, tmp_path):
    out, data = tmp_path / "r.png", tmp_path / "r.json"
    r = run_cli(segments_clip, out, "--data", data, "--start", "3", "--end", "-3")
    assert r.returncode == 0, r.stderr
    # 3 s to 9 s of 12: 6 samples at one a second, 67 px each (the 400-px least width)
    assert re.fullmatch(rf"wrote {re.escape(str(out))} and {re.escape(str(data))}: 402×200, 6 samples, "
                        r"0:06 of video \(0:00:03 to 0:00:09\) in \d+\.\d s", last_line(r.stderr)), r.stderr
    r = run_cli("render", data, tmp_path / "p.png", "--style", "plot")
    assert r.stderr.decode() == f"wrote {tmp_path / 'p.png'}: 1600×200, 6 samples, 0:06 of video (0:00:03 to 0:00:09)\n"


def test_the_palette_command_ends_with_one_line(tmp_path):
    img = tmp_path / "i.png"
    Image.fromarray(np.full((50, 80, 3), (10, 200, 30), np.uint8)).save(img)
    r = run_cli("palette", img, "--card", tmp_path / "c.png", "--data", tmp_path / "p.tsv")
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode() == f"wrote {tmp_path / 'c.png'} and {tmp_path / 'p.tsv'}: 80×60, 1 colour\n"
    assert "#0ac81e" in r.stdout.decode()  # the table stays on standard output


def test_a_timed_bar_has_an_eta_without_a_sample_count():
    """--fast cannot know how many keyframes there are, but knows the duration: the bar
    measures the time position, so it has a percentage and an ETA."""
    out = io.StringIO()
    bar = ProgressBar(True, file=out)
    for i in range(1, 6):
        bar(Progress(i, None, i * 60.0, 600.0, i * 1440))
        time.sleep(0.05)
    text = str(bar.bar)
    bar.close()
    assert re.search(r"fingerprint:\s+50%\|.*\| 5:00 of 10:00, 5 samples \[00:0\d<00:0\d\]", text), text


def test_a_bar_without_a_total_reads_as_counts():
    out = io.StringIO()
    bar = ProgressBar(True, file=out)
    for i in range(1, 138):
        bar(Progress(i, None, i * 1.0, None, i * 24))
    text = str(bar.bar)
    bar.close()
    assert re.fullmatch(r"fingerprint: 137 samples, 2:17 of video, [\d.]+ samples/s", text), text
    assert "sample [" not in out.getvalue() and "?" not in text


def test_fast_shows_a_percentage_bar(segments_clip, tmp_path):
    r = run_cli(segments_clip, tmp_path / "f.png", "--fast")
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert re.search(r"fingerprint:\s+\d+%\|.*of 0:12, \d+ samples? \[", err), err
    assert re.fullmatch(r"wrote .*f\.png: 400×200, \d+ samples?, 0:12 of video in \d+\.\d s", last_line(r.stderr))


def test_render_of_a_short_data_file(tmp_path):
    fakes.flat([(200, 0, 0), (0, 0, 200)], [0.0, 1.0], 2.0).save(tmp_path / "m.json")
    r = run_cli("render", tmp_path / "m.json", tmp_path / "m.png")
    assert r.stderr.decode() == f"wrote {tmp_path / 'm.png'}: 400×200, 2 samples, 0:02 of video\n"


def test_a_part_between_whole_seconds_is_said_to_the_millisecond(segments_clip, tmp_path):
    """``--start 1.5 --end 2.5`` was said as "(0:00:02 to 0:00:02)", and 4.2 to 8.5 s as
    "0:00:04 to 0:00:08", on the summary line and the page."""
    r = run_cli(segments_clip, tmp_path / "a.png", "--start", "1.5", "--end", "2.5")
    assert r.returncode == 0 and b"(0:00:01.5 to 0:00:02.5)" in r.stderr, r.stderr
    r = run_cli(segments_clip, tmp_path / "b.html", "--start", "4.2", "--end", "8.5", "--every", "1")
    assert r.returncode == 0 and b"(0:00:04.2 to 0:00:08.5)" in r.stderr, r.stderr
    assert "<th>part</th><td>0:00:04.2 to 0:00:08.5 of the movie</td>" in (tmp_path / "b.html").read_text()


def test_a_length_under_a_minute_is_said_as_precisely_as_the_part(segments_clip, tmp_path):
    """A 0.2-s part was "0:00 of video (0:00:01 to 0:00:01.2)", and a 3.5-s clip (ffprobe's
    duration) "0:04 of video": under a minute a length has the decimals it needs."""
    r = run_cli(segments_clip, tmp_path / "p.png", "--start", "1", "--end", "1.2", "--every", "1")
    assert r.returncode == 0, r.stderr
    assert re.search(r", 0:00\.2 of video \(0:00:01 to 0:00:01\.2\) in ", last_line(r.stderr)), r.stderr
    clip = tmp_path / "c.y4m"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=3.5:s=64x36:r=10", "-pix_fmt",
                    "yuv420p", str(clip)], check=True)
    probed = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(clip)],
                            capture_output=True, text=True, check=True).stdout
    assert float(probed) == 3.5
    r = run_cli(clip, tmp_path / "c.png", "--every", "1")
    assert r.returncode == 0 and ", 0:03.5 of video in " in last_line(r.stderr), r.stderr
