"""extract_palette takes a path, encoded bytes, a PIL image or a numpy array: the same
image gives the same palette whichever way it comes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import ParameterError

from .conftest import run_cli


@pytest.fixture
def image():
    """Three known colours: red over half, blue and yellow a quarter each (120 x 80)."""
    rgb = np.zeros((80, 120, 3), np.uint8)
    rgb[:, :60] = (200, 40, 40)
    rgb[:40, 60:] = (30, 60, 160)
    rgb[40:, 60:] = (240, 220, 60)
    return rgb


def test_every_source_gives_the_same_palette(image, tmp_path):
    path = tmp_path / "i.png"
    Image.fromarray(image).save(path)
    by_path = streamprint.extract_palette(path, colors=3)
    assert by_path.hex == ["#c82828", "#1e3ca0", "#f0dc3c"] or by_path.hex[0] == "#c82828"
    assert np.allclose(sorted(by_path.weights), [0.25, 0.25, 0.5], atol=0.01)
    for source in (path.read_bytes(), Image.open(path), image):
        other = streamprint.extract_palette(source, colors=3)
        assert other.palette == by_path.palette
        assert (other.width, other.height) == (120, 80)


def test_alpha_in_an_array_is_honoured(image):
    rgba = np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])
    rgba[:, :60, 3] = 0  # the red half is transparent
    pal = streamprint.extract_palette(rgba, colors=3)
    assert "#c82828" not in pal.hex and np.allclose(sorted(pal.weights), [0.5, 0.5], atol=0.01)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 2), np.uint8), np.zeros((4, 4, 3), np.float32),
                                 np.zeros((0, 4, 3), np.uint8)])
def test_bad_arrays_are_refused(bad):
    with pytest.raises(ParameterError):
        streamprint.extract_palette(bad)


def test_bytes_that_are_not_an_image():
    with pytest.raises(streamprint.InputError):
        streamprint.extract_palette(b"not an image at all")
    with pytest.raises(streamprint.InputError):
        streamprint.extract_palette(io.BytesIO(b"x").getvalue())


def test_dark_16_bit_grey_is_read_as_16_bit(tmp_path):
    """A 16-bit grey PNG whose values are all at most 255 is still 16-bit: 200 of 65535 is
    level 200 x 255 / 65535 = 0.78, so 1, not 200."""

    path = tmp_path / "dark16.png"
    Image.fromarray(np.full((16, 16), 200, np.uint16)).save(path)
    assert Image.open(path).mode == "I;16"
    p = streamprint.extract_palette(path, colors=2)
    assert [tuple(int(v) for v in c) for c in p.palette.colors] == [(1, 1, 1)]


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_a_png_colour_key_is_transparency(tmp_path, mode):
    """tRNS on an RGB or grey PNG marks one colour transparent (as FFmpeg and browsers read
    it): the keyed half is no colour of the image."""

    if mode == "RGB":
        a = np.zeros((20, 40, 3), np.uint8)
        a[:, :20] = (255, 0, 0)
        a[:, 20:] = (0, 0, 255)
        key, kept = (255, 0, 0), (0, 0, 255)
    else:
        a = np.zeros((20, 40), np.uint8)
        a[:, 20:] = 200
        key, kept = 0, (200, 200, 200)
    path = tmp_path / f"keyed-{mode}.png"
    Image.fromarray(a).save(path, transparency=key)
    p = streamprint.extract_palette(path, colors=2)
    assert [tuple(int(v) for v in c) for c in p.palette.colors] == [kept]


def test_a_stream_that_is_no_image_is_refused_by_its_first_megabyte(tmp_path):
    """A pipe or device given to ``palette`` is read whole, up to 1 GiB: ``/dev/zero`` took a
    second and 1 GB before it was refused, and a pipe of no image that stays open was waited
    on for ever. What Pillow cannot take for an image by its first megabyte is refused then;
    an image of several megabytes still comes through whole."""
    import contextlib
    import os
    import threading

    fifo = tmp_path / "zeros"
    os.mkfifo(fifo)
    stop = threading.Event()

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), open(fifo, "wb") as f:  # 2 MiB of no image, then held open
            f.write(bytes(2 << 20))
            f.flush()
            stop.wait(60)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        r = run_cli("palette", str(fifo), timeout=30)
    finally:
        stop.set()
        writer.join(timeout=10)
    assert r.returncode == 1 and b"not an image" in r.stderr and r.stderr.count(b"\n") == 1, r.stderr
    halves = np.zeros((1200, 1200, 3), np.uint8)
    halves[:, :600], halves[:, 600:] = (200, 30, 30), (30, 60, 160)
    buf = io.BytesIO()
    Image.fromarray(halves).save(buf, format="PNG", compress_level=0)  # stored: 4 MiB
    assert len(buf.getvalue()) > 2 << 20
    r = run_cli("palette", "-", "--colors", "2", input=buf.getvalue(), timeout=60)
    assert r.returncode == 0 and b"#c81e1e" in r.stdout and b"#1e3ca0" in r.stdout, (r.stdout, r.stderr)


def test_a_file_name_piped_in_instead_of_an_image_says_how_to_read_the_file(tmp_path, image):
    """``echo photo.png | streamprint palette -`` was told "image bytes are an image's
    contents, not its file name: for the file photo.png, pass a str or a Path" (the library's
    words: a CLI user passes neither), exit 2; with a line ending, "-: not an image Pillow can
    read". Now: standard input holds a file's name, not an image, and to read that file give
    its name as the argument (quoted for the shell); exit 1, as for any input not an image."""
    photo = tmp_path / "my photo.png"
    Image.fromarray(image).save(photo)
    for piped in (bytes(photo), bytes(photo) + b"\n", bytes(photo) + b"\r\n"):
        r = run_cli("palette", "-", input=piped)
        err = r.stderr.decode().strip()
        assert r.returncode == 1 and "\n" not in err, err
        assert err.startswith("streamprint: error: -: standard input holds the name of the file") and \
            f"not an image: to read that file, give its name as the argument: streamprint palette '{photo}'" in err
        assert "str or a Path" not in err
    r = run_cli("palette", "-", input=b"hello\n")  # text that names nothing: not an image
    assert r.returncode == 1 and r.stderr.decode().strip() == "streamprint: error: -: not an image Pillow can read"
    # the library's own rule, which the command shares: a name with a line ending is a name too
    with pytest.raises(ParameterError, match="not its file name: for the file .*my photo.png, pass a str or a Path"):
        streamprint.extract_palette(bytes(photo) + b"\n")
