"""Colour conversions against published reference values."""

from __future__ import annotations

import numpy as np
import pytest

from streamprint.color import spaces as cs

# CIELAB (D65) of sRGB primaries and white, as published by Bruce Lindbloom's calculator
# and colormine.org (sRGB, D65, 2 degree observer).
LAB = {
    (255, 0, 0): (53.2408, 80.0925, 67.2032),
    (0, 255, 0): (87.7347, -86.1827, 83.1793),
    (0, 0, 255): (32.2970, 79.1875, -107.8602),
    (255, 255, 255): (100.0, 0.0, 0.0),
}
# Oklab of the sRGB primaries and white, from Björn Ottosson's "A perceptual color space for
# image processing" (2020) reference implementation.
OKLAB = {
    (255, 0, 0): (0.627955, 0.224863, 0.125846),
    (0, 255, 0): (0.866440, -0.233888, 0.179498),
    (0, 0, 255): (0.452014, -0.032457, -0.311528),
    (255, 255, 255): (1.0, 0.0, 0.0),
}


@pytest.mark.parametrize("rgb, lab", LAB.items())
def test_lab_reference(rgb, lab):
    assert np.allclose(cs.srgb_to_lab(np.array(rgb, np.uint8)), lab, atol=0.01)


@pytest.mark.parametrize("rgb, lab", OKLAB.items())
def test_oklab_reference(rgb, lab):
    assert np.allclose(cs.srgb_to_oklab(np.array(rgb, np.uint8)), lab, atol=1e-4)


@pytest.mark.parametrize("space", ["rgb", "lab", "oklab"])
def test_round_trip(space):
    rgb = np.random.default_rng(0).integers(0, 256, (1000, 3)).astype(np.uint8)
    back = cs.decode(cs.encode(rgb, space), space)
    assert np.abs(back - rgb).max() < 0.01


def test_linear_light_average():
    """Black and white averaged in linear light is sRGB 188, not the gamma-space 128."""
    px = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    assert np.allclose(cs.mean_color(px), 187.5, atol=0.5)
    assert np.isclose(cs.srgb_to_linear(np.array([128], np.uint8))[0], 0.2158605, atol=1e-6)
