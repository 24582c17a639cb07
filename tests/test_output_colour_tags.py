"""Output pictures say that their colours are sRGB.

Strips and cards held only IHDR, tEXt, IDAT and IEND (PNG), or no ICC profile (JPEG, WebP):
a colour-managed viewer could take their values for its display's own. Now a PNG carries
an sRGB chunk (PNG 3rd edition 11.3.2.5: one byte, the rendering intent, 0 = perceptual)
before its image data, and a JPEG or WebP an sRGB ICC profile; the mark that tells
streamprint's files (``marks.written_by_streamprint``) is still read, and the same input
still gives the same bytes.
"""

from __future__ import annotations

import io
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms

import streamprint
from streamprint.marks import written_by_streamprint
from streamprint.render import output

from . import fakes
from .conftest import run_cli

COLOURS = [(200, 30, 30), (30, 160, 60), (40, 60, 220), (250, 250, 250)]


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of each PNG chunk in order, each CRC checked (PNG 3rd edition 5.3)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, found = 8, []
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        found.append((kind, body))
        at += 12 + length
    return found


def assert_srgb_png(data: bytes) -> None:
    kinds = [k for k, _ in chunks(data)]
    assert kinds.count(b"sRGB") == 1 and kinds.index(b"sRGB") < kinds.index(b"IDAT"), kinds
    assert dict(chunks(data))[b"sRGB"] == b"\x00"
    with Image.open(io.BytesIO(data)) as im:
        assert im.info["srgb"] == 0 and im.info["Software"].startswith("streamprint ")


def assert_srgb_profile(path) -> None:
    """An sRGB profile: LittleCMS reads it, names it sRGB, and converting through it to
    LittleCMS's own sRGB leaves every colour of a random image as it is."""
    with Image.open(path) as im:
        icc = im.info.get("icc_profile")
        pixels = im.convert("RGB")
    assert icc, "no ICC profile"
    profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    probe = Image.fromarray(np.random.default_rng(1).integers(0, 256, (64, 64, 3), np.uint8))
    same = ImageCms.profileToProfile(probe, profile, ImageCms.createProfile("sRGB"), outputMode="RGB")
    assert np.array_equal(np.asarray(same), np.asarray(probe))
    assert pixels.size and written_by_streamprint(path)


@pytest.fixture
def fp():
    return fakes.flat(COLOURS, [0.0, 1.0, 2.0, 3.0], 4.0)


def test_a_png_strip_carries_an_srgb_chunk(fp, tmp_path):
    path = tmp_path / "strip.png"
    streamprint.save_image(fp, path, streamprint.RenderOptions())
    assert_srgb_png(path.read_bytes())
    assert written_by_streamprint(path)


def test_a_plot_png_carries_an_srgb_chunk(fp, tmp_path):
    """matplotlib writes the plot: the same chunks go in through its Pillow writer."""
    path = tmp_path / "plot.png"
    streamprint.save_image(fp, path, streamprint.RenderOptions(style="plot"))
    assert_srgb_png(path.read_bytes())
    assert written_by_streamprint(path)


@pytest.mark.parametrize("ext, fmt", [("jpg", "jpeg"), ("webp", "webp")])
def test_jpeg_and_webp_strips_carry_an_srgb_profile(fp, tmp_path, ext, fmt):
    first, again = tmp_path / f"a.{ext}", tmp_path / f"b.{ext}"
    streamprint.save_image(fp, first, streamprint.RenderOptions(format=fmt))
    assert_srgb_profile(first)
    # LittleCMS stamps a profile with the second it made it: the profile made again, a second
    # later, must give the same bytes
    output.srgb_icc.cache_clear()
    second = int(time.time())
    while int(time.time()) == second:
        time.sleep(0.02)
    streamprint.save_image(fp, again, streamprint.RenderOptions(format=fmt))
    assert first.read_bytes() == again.read_bytes()


@pytest.mark.parametrize("ext", ["png", "jpg", "webp"])
def test_a_palette_card_says_it_is_srgb(tmp_path, ext):
    image = tmp_path / "image.png"
    Image.fromarray(np.repeat(np.array(COLOURS, np.uint8)[None], 20, axis=0).repeat(10, axis=1)).save(image)
    card = tmp_path / f"card.{ext}"
    done = run_cli("palette", image, "--card", card)
    assert done.returncode == 0, done.stderr
    if ext == "png":
        assert_srgb_png(card.read_bytes())
        assert written_by_streamprint(card)
    else:
        assert_srgb_profile(card)
