"""extract_palette takes a path, encoded bytes, a PIL image or a numpy array: the same
image gives the same palette whichever way it comes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import ParameterError


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
