"""Colour truth of photos: known colours in, the same colours out, whatever the file says
about how its values show (an ICC profile, EXIF's colour space, a colour key), with the
truth computed from the published definitions (IEC 61966-2-1, Adobe RGB (1998)), not by
streamprint's code."""

from __future__ import annotations

import io
import logging
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms, features

from streamprint import NotAVideoError, extract_palette

from . import icc

from .conftest import run_cli


def srgb_level(linear: float) -> int:
    """The 8-bit sRGB level of a linear light 0-1, by IEC 61966-2-1."""
    return int(np.rint(icc.srgb_encode(np.array(linear)) * 255))


def png(image: Image.Image, **kw) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **kw)
    return out.getvalue()


def test_16_bit_and_float_grey_keep_their_icc_profile():
    """A 16-bit grey PNG and a float grey TIFF whose profiles say linear light: 90/255 of
    white's luminance is sRGB 160. Their conversion to 8 bits dropped the profile, and the
    values were taken as sRGB (90). Within 2 levels (LittleCMS's fixed-point arithmetic)."""
    linear = icc.grey_profile("linear grey, test", 1.0)
    truth = srgb_level(90 / 255)
    deep = png(Image.fromarray(np.full((20, 20), 90 * 257, np.uint16)), icc_profile=linear)
    tiff = io.BytesIO()
    Image.fromarray(np.full((20, 20), 90 / 255, np.float32)).save(tiff, "TIFF", icc_profile=linear)
    for data, mode in ((deep, "I;16"), (tiff.getvalue(), "F")):
        assert Image.open(io.BytesIO(data)).mode == mode
        (colour,) = extract_palette(data, colors=2).colors.tolist()
        assert max(abs(c - truth) for c in colour) <= 2, (mode, colour, truth)


def test_a_16_bit_grey_colour_key_is_transparency():
    """A 16-bit grey PNG's tRNS colour key (1000 of 65535): half the pixels are transparent
    and not counted; they were (4 % of white counted as half the palette). The key is
    compared at 16 bits: 1000 and 1001 are both 8-bit level 4, and only 1000 is see-through."""
    grey = np.full((20, 20), 40000, np.uint16)
    grey[:10] = 1000
    grey[:5, :10] = 1001  # opaque, though 8-bit level 4 as the key is
    pal = extract_palette(png(Image.fromarray(grey), transparency=1000), colors=3)
    got = {tuple(c): round(float(w), 3) for c, w in zip(pal.colors.tolist(), pal.weights)}
    light, dark = round(40000 * 255 / 65535), round(1000 * 255 / 65535)
    assert got == {(light,) * 3: round(200 / 250, 3), (dark,) * 3: round(50 / 250, 3)}, got


ADOBE_PAINTED = [(200, 100, 50), (100, 150, 120), (60, 70, 180), (240, 240, 240)]


def adobe_to_srgb(rgb) -> tuple[int, int, int]:
    """Adobe RGB (1998) 8-bit to sRGB 8-bit by the published definitions: Adobe's gamma
    563/256 and primaries to XYZ, BT.709's primaries back, IEC 61966-2-1's transfer
    function (both D65), clipped."""
    linear = (np.asarray(rgb, np.float64) / 255) ** icc.ADOBE_RGB["gamma"]
    xyz = icc.rgb_to_xyz(icc.ADOBE_RGB["primaries"], icc.ADOBE_RGB["white"]) @ linear
    srgb = np.linalg.solve(icc.rgb_to_xyz(icc.SRGB_PRIMARIES, icc.D65), xyz)
    return tuple(int(v) for v in np.rint(icc.srgb_encode(srgb) * 255))


def blocks(colours) -> np.ndarray:
    painted = np.zeros((64, 64 * len(colours), 3), np.uint8)
    for i, colour in enumerate(colours):
        painted[:, 64 * i:64 * (i + 1)] = colour
    return painted


def jpeg(array: np.ndarray, **kw) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, "JPEG", quality=100, subsampling=0, **kw)
    return out.getvalue()


@pytest.mark.parametrize("exif_ifd", [{0xA001: 0xFFFF, 0xA005: {1: "R03"}}, {0xA001: 2}],
                         ids=["uncalibrated-R03", "colorspace-2"])
def test_a_camera_jpeg_tagged_adobe_rgb_by_exif_alone(exif_ifd):
    """A camera set to Adobe RGB writes no ICC profile: EXIF says ColorSpace uncalibrated
    with the DCF interoperability index "R03" (or, outside the standard, ColorSpace 2).
    Its values were taken as sRGB. Within 2 levels of the published formulas (and the
    JPEG's rounding); "R98" (sRGB) and uncalibrated without an index change nothing."""
    exif = Image.Exif()
    exif[0x8769] = exif_ifd
    got = sorted(tuple(c) for c in extract_palette(jpeg(blocks(ADOBE_PAINTED), exif=exif.tobytes()),
                                                   colors=4).colors.tolist())
    truth = sorted(adobe_to_srgb(c) for c in ADOBE_PAINTED)
    assert truth != sorted(ADOBE_PAINTED)
    assert all(max(abs(a - b) for a, b in zip(g, t)) <= 2 for g, t in zip(got, truth)), (got, truth)


@pytest.mark.parametrize("exif_ifd", [{0xA001: 0xFFFF, 0xA005: {1: "R98"}}, {0xA001: 0xFFFF}, {0xA001: 1}])
def test_exif_that_does_not_say_adobe_rgb_changes_nothing(exif_ifd):
    exif = Image.Exif()
    exif[0x8769] = exif_ifd
    got = sorted(tuple(c) for c in extract_palette(jpeg(blocks(ADOBE_PAINTED), exif=exif.tobytes()),
                                                   colors=4).colors.tolist())
    assert all(max(abs(a - b) for a, b in zip(g, t)) <= 1 for g, t in zip(got, sorted(ADOBE_PAINTED))), got


def test_an_icc_profile_wins_over_exif():
    """A file with an sRGB profile and EXIF saying Adobe RGB is what its profile says."""
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x8769] = {0xA001: 2}
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    got = sorted(tuple(c) for c in extract_palette(
        jpeg(blocks(ADOBE_PAINTED), exif=exif.tobytes(), icc_profile=srgb), colors=4).colors.tolist())
    assert all(max(abs(a - b) for a, b in zip(g, t)) <= 1 for g, t in zip(got, sorted(ADOBE_PAINTED))), got


def test_an_image_past_pillows_pixel_limit_is_said_to_be_too_large(tmp_path, monkeypatch):
    """Past twice Pillow's MAX_IMAGE_PIXELS it is refused in one line that says why; it
    said "not an image Pillow can read", though it is one (the limit is lowered here so a
    small image trips it)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    path = tmp_path / "huge.png"
    Image.new("RGB", (50, 50)).save(path)  # 2500 pixels: past twice 1000
    with pytest.raises(NotAVideoError) as caught:
        extract_palette(path)
    message = str(caught.value)
    assert "too large" in message and "2,000 pixels" in message and "not an image" not in message, message
    assert "\n" not in message


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_16_bit_rgb_colour_key_is_transparency():
    """A 16-bit RGB PNG whose top half is its tRNS colour key (1000, 2000, 3000): that half
    is see-through and not counted. Pillow decodes the pixels to 8 bits and keeps the key at
    16, so none matched and the key's colour (3, 7, 11) was half the palette."""
    samples = np.full((8, 8, 3), (200 * 257, 100 * 257, 50 * 257), np.uint16)
    samples[:4] = (1000, 2000, 3000)
    raw = b"".join(b"\0" + row.astype(">u2").tobytes() for row in samples)
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 16, 2, 0, 0, 0))
            + png_chunk(b"tRNS", struct.pack(">HHH", 1000, 2000, 3000)) + png_chunk(b"IDAT", zlib.compress(raw))
            + png_chunk(b"IEND", b""))
    pal = extract_palette(data, colors=2)
    assert pal.colors.tolist() == [[200, 100, 50]] and pal.weights.tolist() == [1.0], (pal.colors, pal.weights)


P3_PRIMARIES = ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))  # SMPTE EG 432-1, D65 white


def p3_to_srgb(rgb) -> tuple[int, int, int]:
    """Display P3 8-bit (P3 primaries, D65, the sRGB curve) to sRGB 8-bit: IEC 61966-2-1's
    curve undone, P3 to XYZ, BT.709 back, the curve again, clipped."""
    v = np.asarray(rgb, np.float64) / 255
    linear = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
    xyz = icc.rgb_to_xyz(P3_PRIMARIES, icc.D65) @ linear
    srgb = np.linalg.solve(icc.rgb_to_xyz(icc.SRGB_PRIMARIES, icc.D65), xyz)
    return tuple(int(c) for c in np.rint(icc.srgb_encode(srgb) * 255))


def with_cicp(data: bytes, cicp: bytes) -> bytes:
    """A PNG with a cICP chunk put after its IHDR (8 + 25 bytes in)."""
    return data[:33] + png_chunk(b"cICP", cicp) + data[33:]


def test_a_png_tagged_display_p3_by_cicp(caplog):
    """PNG's 3rd edition tags a Display P3 image by cICP 12/13/0/1 alone (browsers honour
    it); Pillow reads no cICP, and its values were taken as sRGB. Within 1 level of the
    published formulas. cICP wins over an sRGB chunk or an ICC profile beside it; one not applied here (PQ) is
    ignored with a warning, and the values are then what the other tags say (none: sRGB)."""
    painted = [(200, 100, 50), (10, 200, 30), (60, 70, 180), (128, 128, 128)]
    plain = png(Image.fromarray(blocks(painted)))
    truth = sorted(p3_to_srgb(c) for c in painted)
    assert truth != sorted(painted)
    p3 = png_chunk(b"cICP", bytes([12, 13, 0, 1]))
    adobe = png(Image.fromarray(blocks(painted)), icc_profile=icc.profile("Adobe RGB, test", **icc.ADOBE_RGB))
    for data in (plain[:33] + p3 + plain[33:], plain[:33] + png_chunk(b"sRGB", b"\0") + p3 + plain[33:],
                 adobe[:33] + p3 + adobe[33:]):
        got = sorted(tuple(c) for c in extract_palette(data, colors=4).colors.tolist())
        assert all(max(abs(a - b) for a, b in zip(g, t)) <= 1 for g, t in zip(got, truth)), (got, truth)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        pq = extract_palette(with_cicp(plain, bytes([9, 16, 0, 1])), colors=4)
    assert sorted(tuple(c) for c in pq.colors.tolist()) == sorted(painted) and "cICP 9/16/0/1" in caplog.text


def avif_with_primaries(array: np.ndarray, primaries: int, transfer: int = 13, **kw) -> bytes:
    """A high-quality AVIF whose nclx colour box says these H.273 primaries and transfer
    (only those two codes are changed: its decoder uses the matrix and range alone)."""
    out = io.BytesIO()
    Image.fromarray(array).save(out, "AVIF", quality=100, subsampling="4:4:4", **kw)
    data = bytearray(out.getvalue())
    at = data.find(b"colrnclx") + 8
    assert at > 8
    data[at:at + 4] = struct.pack(">HH", primaries, transfer)
    return bytes(data)


@pytest.mark.skipif(not features.check("avif"), reason="Pillow without AVIF")
def test_an_avif_tagged_display_p3_by_nclx(caplog):
    """An AVIF says its colours by an nclx box (H.273 codes) where it has no ICC profile:
    12/13 is Display P3. Pillow reads no nclx, and its values were taken as sRGB. Within 3
    levels of the published formulas (the AVIF's YUV rounding); an ICC profile beside the
    nclx wins; 1/13 (sRGB) changes nothing and says nothing."""
    painted = [(200, 100, 50), (10, 200, 30), (60, 70, 180), (128, 128, 128)]
    truth = sorted(p3_to_srgb(c) for c in painted)

    def palette(data: bytes) -> list[tuple[int, ...]]:
        return sorted(tuple(c) for c in extract_palette(data, colors=4).colors.tolist())

    def near(got, want, tol: int) -> bool:
        return all(max(abs(a - b) for a, b in zip(g, t)) <= tol for g, t in zip(got, want))

    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert near(palette(avif_with_primaries(blocks(painted), 12)), truth, 3), truth
        assert near(palette(avif_with_primaries(blocks(painted), 1)), sorted(painted), 3)
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        assert near(palette(avif_with_primaries(blocks(painted), 12, icc_profile=srgb)), sorted(painted), 3)
    assert "nclx" not in caplog.text


def test_an_iphone_style_display_p3_jpeg(tmp_path):
    """A 12-megapixel JPEG with a Display P3 profile (P3 primaries, D65, the sRGB curve as
    a parametric curve) and EXIF orientation 6, as a phone writes it: its palette is the
    P3 colours in sRGB (within 2 levels of the published formulas: LittleCMS's fixed point
    and the JPEG's rounding), whether decoded at reduced size (draft mode) or not, and the
    card shows it upright (3000 wide, 4000 tall: 1200 by 1600 on the card) in sRGB."""
    painted = [(200, 100, 50), (10, 200, 30), (60, 70, 180), (128, 128, 128)]
    profile = icc.profile("Display P3, test", P3_PRIMARIES, icc.D65, None)
    stored = np.repeat(np.asarray(painted, np.uint8)[None, :, :], 1000, axis=1).repeat(3000, axis=0)  # 3000 x 4000
    exif = Image.Exif()
    exif[0x0112] = 6
    path, card = tmp_path / "IMG_0001.jpg", tmp_path / "card.png"
    path.write_bytes(jpeg(stored, exif=exif.tobytes(), icc_profile=profile))
    truth = sorted(p3_to_srgb(c) for c in painted)
    for source in (path, Image.open(path)):  # a caller's image is not drafted
        pal = extract_palette(source, colors=4)
        got = sorted(tuple(c) for c in pal.colors.tolist())
        assert all(max(abs(a - b) for a, b in zip(g, t)) <= 2 for g, t in zip(got, truth)), (got, truth)
        assert (pal.width, pal.height) == (3000, 4000)
        assert sorted(round(float(w), 2) for w in pal.weights) == [0.25] * 4
    r = run_cli("palette", str(path), "--card", str(card), "--colors", "4", "--bar", "0.1", "--buffer", "0")
    assert r.returncode == 0, r.stderr
    shown = np.asarray(Image.open(card))
    assert shown.shape[:2] == (1600 + 2 * 160, 1200), shown.shape
    # stored left to right, turned a quarter clockwise: the first block is on top
    top = tuple(int(v) for v in shown[160 + 100, 600])
    assert max(abs(a - b) for a, b in zip(top, p3_to_srgb(painted[0]))) <= 2, top


@pytest.mark.parametrize("fmt, side", [("JPEG", 64), ("JPEG", 768), ("TIFF", 64)])
def test_cmyk_with_an_icc_profile(fmt, side):
    """A CMYK JPEG (Adobe's inverted CMYK, as Pillow and Photoshop write it), small and
    large enough to be decoded at reduced size, and a CMYK TIFF, each with a CMYK profile:
    the colours are the profile's, not Pillow's naive 255 - ink. Within 2 levels of the
    profile's own definition (tests/icc.py); it was right already, and is now held so."""
    inks = [(0, 0, 0, 0), (200, 50, 0, 0), (0, 120, 200, 40), (30, 30, 30, 150)]
    painted = np.zeros((side, 4 * side, 4), np.uint8)
    for i, ink in enumerate(inks):
        painted[:, side * i:side * (i + 1)] = ink
    out = io.BytesIO()
    Image.fromarray(painted, "CMYK").save(out, fmt, icc_profile=icc.cmyk_profile("CMYK, test"),
                                          **({"quality": 100} if fmt == "JPEG" else {}))
    got = sorted(tuple(c) for c in extract_palette(out.getvalue(), colors=4).colors.tolist())
    truth = sorted(icc.cmyk_to_srgb(c) for c in inks)
    assert all(max(abs(a - b) for a, b in zip(g, t)) <= 2 for g, t in zip(got, truth)), (got, truth)


def test_a_pngs_iccp_wins_over_its_srgb_chunk():
    """PNG (3rd edition, 4.3) ranks iCCP above sRGB: a PNG with both, its profile Adobe RGB,
    shows Adobe RGB's colours (within 2 levels of the published formulas)."""
    plain = png(Image.fromarray(blocks(ADOBE_PAINTED)), icc_profile=icc.profile("Adobe RGB, test", **icc.ADOBE_RGB))
    both = plain[:33] + png_chunk(b"sRGB", b"\0") + plain[33:]
    assert "srgb" in Image.open(io.BytesIO(both)).info
    got = sorted(tuple(c) for c in extract_palette(both, colors=4).colors.tolist())
    truth = sorted(adobe_to_srgb(c) for c in ADOBE_PAINTED)
    assert all(max(abs(a - b) for a, b in zip(g, t)) <= 2 for g, t in zip(got, truth)), (got, truth)


@pytest.mark.parametrize("gamma", [2.2, None])
def test_grey_profiles_of_gamma_2_2_and_of_the_srgb_curve(gamma):
    """A grey image's profile of gamma 2.2 or of the sRGB curve: its levels are that
    curve's light, in sRGB by IEC 61966-2-1 (10 is 3 through gamma 2.2, 10 through the sRGB
    curve). Within 1 level."""
    levels = [10, 40, 128, 240]
    light = [(v / 255) ** 2.2 if gamma else ((v / 255 + 0.055) / 1.055) ** 2.4 if v > 10.31 else v / 255 / 12.92
             for v in levels]
    grey = np.repeat(np.asarray(levels, np.uint8), 16)[None, :].repeat(16, axis=0)
    image = Image.fromarray(grey, "L")
    profile = icc.grey_profile("grey, test", gamma)
    got = sorted(c[0] for c in extract_palette(png(image, icc_profile=profile), colors=4).colors.tolist())
    truth = sorted(srgb_level(v) for v in light)
    assert all(abs(g - t) <= 1 for g, t in zip(got, truth)), (got, truth)
