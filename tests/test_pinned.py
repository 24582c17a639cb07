"""Output pinned by hash: the restructuring into typed layers (and any later refactor)
must leave the sample's strip and data, and the benchmark clip's strips, unchanged.

The hashes were taken before the layers were split (commit 1388fcc). Strips are pinned by
their pixels (sha256 of the decoded RGB array and its shape), so that a new zlib in Pillow
does not count as a change; data files by their bytes. Deliberate changes of output update
a hash here, in the same commit, with the reason.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import realistic  # noqa: E402

SAMPLE_STRIP = "12d0eea43f4d924e3589360d5cdc1dc669d3b4acf1d755e8429cfb5cfaf8c0c2"
SAMPLE_DATA = "a47ed7f310afc7e46edf8672da20cb98be9cbee3968b8e569eedd79f1248ea60"
#: benchmarks/realistic.py at 2 s (the benchmark clip's first 2 s, same generator and encoder)
#: by PyAV 18.1.0 (FFmpeg 8.1.2) and 18.1.1 (8.1.3): the bytes differ, the pictures do not (the
#: strip and data pins below came out the same from both, before and after this session's
#: changes); another PyAV's clip is not compared (a skip that says so)
REAL_2S_CLIPS = {"03819ae18bbd05c3e62ffd60dd2da1ca858ba8e370953b5b7c34e0eed139acd8": "PyAV 18.1.0",
                 "a700031d989115dfffc05a9e6e1f00672b2cd4ee4fa619b542efe9cd12d4f653": "PyAV 18.1.1"}
#: (strips changed on purpose by "pictures worth sharing": a strip drawn with neither --width
#: nor --column-width is now at least 400 px wide, each column repeated a whole number of
#: times (2 samples -> 200 px each, 48 -> 9 each, 60 -> 7 each). Data bytes are unchanged, and
#: with --column-width 1 the strips' pixels are the previous pins exactly:
#: 50dddabd... (default), 5f008cf5... (--every 1), 70df61cb... (60 s).)
REAL_2S = {  # flags: (strip pixels, data bytes)
    (): ("d4238a256e2a7df65f9a0b68f40462c657fa5af50166e85cb4d873e615d53d9b",
         "ec9d0a2e0ab50e4a508309e4fd0ebdfc3b69f9706681a6b2e5a0cf2fb5570b70"),
    ("--every", "1"): ("a4333580859d0e957563143ad337070e2d10b8cd1ac4805c4df964729099db9a",
                       "6ed0493288e1763bb49ffec631a7580937261df15698147d2b41f4aed5c7b28e"),
}
#: the 60-s benchmark clip itself (benchmarks/.cache), checked when it is there
#: (made by PyAV 18.1.0 with FFmpeg 8.1.2; the clip of the earlier pins, 63d493ba..., came from
#: an earlier PyAV and is made no more. On this clip c60514c and the code after "the movie's
#: average is the linear-light mean of its frames" (ea738ee) draw the same strip, and their
#: data differ only in movie_palette.average, #576071 -> #586172.)
REAL_60S_CLIP = "63431a01217347e26873400ded2de62c7f42a0e2b298ba7b80ab12297826cdb2"
REAL_60S = ("a6480dadb9735519221932cd01cea855f5ce282546ee412c9a4b6b26472d4bac",
            "5f871f4088b3677ccac95ee2ca86a35024a0fe0bd190e00e90ffd0937eb63936")
#: (changed on purpose by "same frames, same colours": cold starts are seeded from the seed
#: alone, so the palettes after the clip's 12 cuts differ from before; every frame index and
#: time is unchanged, and the first 4 columns, before the first cut, too.)
#: Data pins changed on purpose by "the movie's own palette": the data files gained a
#: ``movie_palette`` key; every other key is unchanged, as are all strip pins (checked by
#: comparing the files with the key removed against the previous code's output).
#: Every strip and data pin changed on purpose by "subsampled chroma within a level of the
#: formula" (libswscale's FULL_CHR_H_INT, source/convert.py): white had read 253. Every
#: frame index and time is unchanged; each sample's average colour moved by 2-3 levels (the
#: correction); palettes moved by 3 levels at the median, more where k-means split a
#: near-solid frame's few stray pixels otherwise (the sample's synthetic shots).
#: Every data pin changed on purpose by "a rotated phone video states its displayed size":
#: ``source`` gained ``rotation`` and ``display_height``; every other key, and every strip's
#: bytes, are unchanged (checked against the previous code's output, 0d9dbdd, for the sample
#: and the 60-s clip).


#: The 2-s data pins changed on purpose by "the movie's average is the linear-light mean of
#: its frames" (ea738ee): ``movie_palette.average`` moved by 1-2 levels (#478666 -> #488868
#: by default, #478667 -> #488768 with --every 1); every other key, and both strips, are
#: unchanged (compared with c60514c's output under PyAV 18.1.0 and 18.1.1).


def pixels(path: Path) -> str:
    a = np.asarray(Image.open(path).convert("RGB"))
    return hashlib.sha256(repr(a.shape).encode() + a.tobytes()).hexdigest()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_in(cwd: Path, *args: str) -> None:
    import subprocess

    r = subprocess.run([sys.executable, "-m", "streamprint", *args, "-q"], cwd=cwd, capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr


def test_sample_strip_and_data_are_unchanged(tmp_path):
    """README's first command, as it runs on a fresh machine."""
    run_in(ROOT, "sample_media/sample.mp4", str(tmp_path / "s.png"), "--interval", "0.25", "--column-width", "4",
           "--data", str(tmp_path / "s.json"))
    assert pixels(tmp_path / "s.png") == SAMPLE_STRIP
    assert digest(tmp_path / "s.json") == SAMPLE_DATA


@pytest.fixture(scope="module")
def real_2s(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pinned")
    path = realistic.make(2, folder / "real-2s.mp4")
    if digest(path) not in REAL_2S_CLIPS:
        import av

        pytest.skip(f"PyAV {av.__version__}'s encoder made other bytes than the pinned ones: the pins cannot be "
                    "compared")
    return path


@pytest.mark.parametrize("flags", list(REAL_2S), ids=lambda f: " ".join(f) or "default")
def test_benchmark_clip_strips_are_unchanged(real_2s, flags):
    run_in(real_2s.parent, real_2s.name, "o.png", "--data", "o.json", *flags)
    assert (pixels(real_2s.parent / "o.png"), digest(real_2s.parent / "o.json")) == REAL_2S[flags]


def test_the_60s_benchmark_clip_strip_is_unchanged(tmp_path):
    clip = realistic.CACHE / "real-1080p-60s-seed1-crf23-grain3.mp4"
    if not clip.exists():
        pytest.skip("benchmarks/.cache has no 60-s clip (python benchmarks/realistic.py makes it in ~5 min)")
    if digest(clip) != REAL_60S_CLIP:
        pytest.skip("benchmarks/.cache's 60-s clip has other bytes than the pinned one (another PyAV's encoder)")
    shutil.copy(clip, tmp_path / "real-60s.mp4")
    run_in(tmp_path, "real-60s.mp4", "o.png", "--data", "o.json")
    assert (pixels(tmp_path / "o.png"), digest(tmp_path / "o.json")) == REAL_60S
