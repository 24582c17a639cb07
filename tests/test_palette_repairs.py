"""The palette command and library on inputs that were refused or drawn wrong: each test
names what a user saw before."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .conftest import run_cli

RED, BLUE = (200, 30, 30), (30, 60, 160)


def _noisy_halves(h: int, w: int) -> np.ndarray:
    """Left half RED, right half BLUE, each pixel off by -4..4 per channel (uniform, mean 0):
    noise that LZW cannot squeeze, so the file is large."""
    a = np.zeros((h, w, 3), np.int16)
    a[:, : w // 2], a[:, w // 2:] = RED, BLUE
    return (a + np.random.default_rng(1).integers(-4, 5, a.shape)).astype(np.uint8)


def _printed(stdout: bytes) -> list[tuple[int, int, int]]:
    """The rgb column of ``palette``'s table."""
    rows = stdout.decode().splitlines()[2:]
    return [tuple(int(v) for v in row.split("[")[1].split("]")[0].split(",")) for row in rows]


def test_a_tiff_over_a_megabyte_piped_in_is_read_whole(tmp_path):
    """An LZW TIFF of 1.2 MB piped in (``palette - < x.tif``, /dev/stdin) was refused as "not
    an image", with a false "Corrupt EXIF data" warning: its directory is at its end, and the
    first megabyte was judged alone. Its path was read. Piped, it now gives the two colours
    it was made of (within 1 level: the noise averages out)."""
    buf = io.BytesIO()
    Image.fromarray(_noisy_halves(800, 800)).save(buf, format="TIFF", compression="tiff_lzw")
    data = buf.getvalue()
    assert len(data) > 1 << 20 and int.from_bytes(data[4:8], "little") > 1 << 20  # its directory past 1 MiB
    for source in ("-", "/dev/stdin"):
        r = run_cli("palette", source, "--colors", "2", input=data)
        assert r.returncode == 0 and not r.stderr, r.stderr
        got = sorted(_printed(r.stdout))
        assert np.abs(np.array(got) - np.array(sorted([RED, BLUE]))).max() <= 1, got


def test_a_bigtiff_stream_is_read_past_its_first_megabyte():
    """A BigTIFF's header (II+\\0) points past the first megabyte as a TIFF's does: the
    stream is read whole, not cut at 1 MiB for Pillow to refuse."""
    from streamprint._cli.palette import _read_whole

    for magic in (b"II+\0", b"MM\0+", b"MM\0*"):
        data = magic + bytes(3 << 20)
        assert _read_whole(io.BytesIO(data), "-", "standard input") == data
