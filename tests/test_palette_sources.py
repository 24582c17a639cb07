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
