"""A file cut short (a copy or download that stopped) is fingerprinted as far as it goes,
and says so: the frames read against the count its container states. The truth for the
frames really there is ffprobe's own count of the truncated file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import run_cli

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs the ffmpeg command")

FRAMES = 288  # 12 s at 24 frames per second


def _make(tmp_path: Path, suffix: str, *extra: str) -> Path:
    out = tmp_path / f"whole{suffix}"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=24:duration=12",
                    "-c:v", "libx264", "-g", "24", "-pix_fmt", "yuv420p", *extra, str(out)], check=True)
    return out


def _ffprobe_frames(path: Path) -> int:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v",
                          "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True).stdout
    return int(out.strip().strip(","))


@pytest.mark.parametrize("suffix, extra", [(".mkv", ()), (".mp4", ("-movflags", "+faststart")), (".avi", ())])
def test_a_file_cut_short_is_said_to_be(tmp_path, suffix, extra):
    whole = _make(tmp_path, suffix, *extra)
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 45 // 100])
    really = _ffprobe_frames(cut)
    assert 60 < really < 200

    done = run_cli(cut, tmp_path / "cut.png", "--every", "1", "--data", tmp_path / "cut.json")
    assert done.returncode == 0, done.stderr
    # the duration is where the picture ends (a strip by time, a page, a gallery card used to
    # stretch the last frame over the missing rest): the last frame's time plus one frame
    data = json.loads((tmp_path / "cut.json").read_text())
    assert data["source"]["duration"] == pytest.approx(data["samples"][-1]["time"] + 1 / 24, abs=1e-6)
    err = done.stderr.decode()
    m = re.search(r"ends after (\d+) of the (\d+) frames its container states: the file looks cut short", err)
    assert m, err
    assert int(m.group(2)) == FRAMES
    assert abs(int(m.group(1)) - really) <= 3  # the last, partial packet may or may not decode
    assert (tmp_path / "cut.png").exists()

    done = run_cli(whole, tmp_path / "whole.png")
    assert done.returncode == 0 and b"cut short" not in done.stderr, done.stderr
