"""Image palettes count the pixels a file holds, as a viewer decodes them at full size:
no reduced decode blends a fine pattern, and the file's own bit depth says how bright a
value is."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from streamprint import extract_palette

RED, BLUE = (230, 30, 30), (30, 30, 230)


def shares(pal) -> dict[tuple[int, int, int], float]:
    return {tuple(int(v) for v in c): float(w) for c, w in zip(pal.colors, pal.weights)}


@pytest.mark.parametrize("square, size", [(1, (600, 400)), (4, (3000, 2000))])
def test_a_jpeg_checkerboard_keeps_its_two_colours(tmp_path, square, size):
    """A red/blue checkerboard JPEG (quality 100, no chroma subsampling) decodes to nearly
    its painted colours; the palette took it at reduced size (Pillow's draft mode averages
    2 x 2 to 8 x 8 pixels in the DCT domain) and found two purples, or 100 % purple. The
    truth is the full-size decode's own pixels: half red, half blue."""
    w, h = size
    y, x = np.mgrid[:h, :w]
    board = np.where((((x // square) + (y // square)) % 2 == 0)[..., None], RED, BLUE).astype(np.uint8)
    path = tmp_path / "board.jpg"
    Image.fromarray(board).save(path, quality=100, subsampling=0)
    with Image.open(path) as im:  # the decoded pixels, full size (what a viewer shows)
        decoded = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int)
    assert np.abs(decoded - board.reshape(-1, 3)).max() <= 40  # the test means something: near the paint
    got = shares(extract_palette(path, colors=2))
    assert len(got) == 2, got
    for want in (RED, BLUE):
        colour = min(got, key=lambda c: max(abs(a - b) for a, b in zip(c, want)))
        assert max(abs(a - b) for a, b in zip(colour, want)) <= 20, (got, want)
        assert abs(got[colour] - 0.5) <= 0.02, got


def pgm(maxval: int, values: np.ndarray, plain: bool = False) -> bytes:
    """A PGM (Netpbm): P5 binary, two bytes a sample big-endian past 255; or P2 plain text."""
    h, w = values.shape
    head = f"{'P2' if plain else 'P5'}\n{w} {h}\n{maxval}\n".encode()
    if plain:
        return head + " ".join(str(int(v)) for v in values.ravel()).encode() + b"\n"
    return head + values.astype(">u2" if maxval > 255 else "u1").tobytes()


@pytest.mark.parametrize("maxval, levels", [(65535, (200, 60000)), (1023, (2, 3)), (4095, (10, 15)), (1023, (300, 1000)),
                                            (65535, (200, 201))])
@pytest.mark.parametrize("plain", [False, True])
def test_a_deep_pgm_is_scaled_by_its_own_maxval(maxval, levels, plain):
    """A PGM's header states the largest value its samples take: level v shows as
    v x 255 / maxval, rounded (Netpbm). A dark 16-bit PGM (every value 200 of 65535) came out
    #c8c8c8: Pillow reads it as 32-bit "I", and the depth was guessed from the values."""
    values = np.full((20, 30), levels[0])
    values[:, 20:] = levels[1]  # a third the second level
    got = shares(extract_palette(pgm(maxval, values, plain), colors=2))
    truth: dict[tuple[int, int, int], float] = {}
    for level, share in zip(levels, (2 / 3, 1 / 3)):
        grey = int(np.floor(level * 255 / maxval + 0.5))
        truth[(grey,) * 3] = truth.get((grey,) * 3, 0) + share
    assert got.keys() == truth.keys(), (got, truth)
    assert all(abs(got[c] - truth[c]) <= 1e-6 for c in truth), got


def grey_png(levels: np.ndarray, depth: int, key: int) -> bytes:
    """A greyscale PNG (colour type 0) of ``depth`` bits a sample, made by hand (PNG spec:
    rows packed most significant bits first, each behind filter byte 0), with a tRNS chunk
    naming ``key``, a level at the file's own depth, transparent."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    h, w = levels.shape
    per_byte = 8 // depth
    rows = []
    for row in levels:
        packed = bytearray()
        for start in range(0, w, per_byte):
            byte = 0
            for i, v in enumerate(row[start:start + per_byte]):
                byte |= int(v) << (8 - depth * (i + 1))
            packed.append(byte)
        rows.append(b"\0" + bytes(packed))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tRNS", struct.pack(">H", key))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


@pytest.mark.parametrize("depth, key, other", [(1, 1, 0), (1, 0, 1), (2, 1, 3), (2, 2, 0), (4, 5, 12), (4, 15, 0)])
def test_a_low_depth_grey_png_colour_key_is_transparency(depth, key, other):
    """A 1-, 2- or 4-bit grey PNG's tRNS names a level at the file's depth: pixels of that
    level are transparent (PNG spec, 11.3.2.1). Pillow reads the pixels scaled to 8 bits and
    leaves the key at the file's depth, and the palette counted the transparent pixels
    (a 1-bit image half keyed white said 50 % white). The truth: only the other level,
    shown as level x 255 / (2^depth - 1)."""
    levels = np.full((20, 40), other)
    levels[:, 30:] = key  # a quarter keyed out
    got = shares(extract_palette(grey_png(levels, depth, key), colors=2))
    shown = round(other * 255 / (2 ** depth - 1))
    assert got == {(shown,) * 3: 1.0}, got


def test_a_1_bit_image_saved_by_pillow_with_a_colour_key(tmp_path):
    image = Image.new("1", (20, 20), 0)
    image.paste(1, (10, 0, 20, 20))
    image.save(tmp_path / "k.png", transparency=1)
    assert shares(extract_palette(tmp_path / "k.png", colors=2)) == {(0, 0, 0): 1.0}


def png16(samples: np.ndarray, key: tuple[int, ...] | None = None, chunks: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
    """A 16-bit PNG made by hand (PNG spec: big-endian samples, filter byte 0 a row): grey
    (colour type 0) for 1 channel, grey and alpha (4) for 2, RGB (2) for 3, RGBA (6) for 4;
    ``key``: a tRNS colour key at 16 bits; ``chunks``: (type, body) more, before the pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    h, w, c = samples.shape
    raw = b"".join(b"\0" + row.astype(">u2").tobytes() for row in samples)
    ihdr = struct.pack(">IIBBBBB", w, h, 16, {1: 0, 2: 4, 3: 2, 4: 6}[c], 0, 0, 0)
    trns = chunk(b"tRNS", struct.pack(f">{len(key)}H", *key)) if key else b""
    more = b"".join(chunk(kind, body) for kind, body in chunks)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + trns + more + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def to8(v) -> tuple[int, ...]:
    """16 bits to 8 by the one rule: v x 255 / 65535, to the nearest level."""
    return tuple(int(np.floor(x * 255 / 65535 + 0.5)) for x in np.atleast_1d(v))


#: Samples whose high byte is not their nearest 8-bit level (20 x 256 + 200 is 20.70 x 257).
DEEP = ((20 * 256 + 200, 100 * 256 + 250, 60 * 256 + 180), (200 * 256 + 10, 30 * 256 + 140, 5 * 256 + 255))


@pytest.mark.parametrize("channels", [2, 3, 4])
def test_16_bit_png_samples_round_to_the_nearest_8_bit_level(channels):
    """RGB and RGBA 16-bit PNGs were cut to their high bytes (Pillow's decoding), grey was
    rounded: one rule now for all, v x 255 / 65535 rounded. Half the image is one colour,
    half another (and, with alpha, a quarter more transparent, not counted)."""
    colour = [np.array(c[: 1 if channels == 2 else 3]) for c in DEEP]
    samples = np.zeros((20, 40, channels), np.uint16)
    colour_channels = 1 if channels == 2 else 3
    samples[:, :20, :colour_channels] = colour[0]
    samples[:, 20:, :colour_channels] = colour[1]
    if channels in (2, 4):
        samples[..., -1] = 65535
        samples[:10, 20:, -1] = 0  # half the second colour is transparent
    truth_share = (2 / 3, 1 / 3) if channels in (2, 4) else (0.5, 0.5)
    truth = {}
    for c, share in zip(colour, truth_share):
        level = to8(c)
        truth[level * 3 if len(level) == 1 else level] = share
    assert {v >> 8 for c in colour for v in c} != {x for level in truth for x in level}  # high bytes differ
    got = shares(extract_palette(png16(samples), colors=2))
    assert got.keys() == truth.keys(), (got, truth)
    assert all(abs(got[c] - truth[c]) <= 1e-6 for c in truth), got


def test_a_16_bit_rgb_colour_key_matches_at_full_depth():
    """A pixel that differs from a 16-bit RGB PNG's tRNS key in its low bytes alone is
    opaque (PNG spec: the key is compared at the image's depth): (0, 0, 200) beside a key of
    (0, 0, 0) was taken for see-through, as both have high bytes 0."""
    samples = np.zeros((20, 20, 3), np.uint16)
    samples[:, :12] = (200 * 257, 100 * 257, 50 * 257)   # 60 %
    samples[:, 16:] = (0, 0, 200)                        # 20 %, opaque; 4 columns between are the key
    got = shares(extract_palette(png16(samples, key=(0, 0, 0)), colors=2))
    assert got == {(200, 100, 50): 0.75, to8((0, 0, 200)): 0.25}, got


@pytest.mark.parametrize("mode", ["L", "LA"])
def test_a_linear_grey_profile_keeps_dark_levels(mode):
    """A grey image whose ICC profile says linear light: level v is v / 255 of white's
    luminance, sRGB 255 x encode(v / 255) by IEC 61966-2-1 (level 1: 13). LittleCMS's
    optimised 8-bit grey transform gave 6 for 1, 10 levels off in the dark."""
    from . import icc

    levels = (1, 4, 10, 30)
    grey = np.repeat(np.array(levels, np.uint8), 10)[None, :].repeat(10, axis=0)
    image = Image.fromarray(grey, "L") if mode == "L" else Image.fromarray(np.dstack([grey, np.full_like(grey, 255)]), "LA")
    buf = __import__("io").BytesIO()
    image.save(buf, format="PNG", icc_profile=icc.grey_profile("linear grey, test", 1.0))
    got = shares(extract_palette(buf.getvalue(), colors=len(levels)))
    truth = [int(np.floor(icc.srgb_encode(np.array(v / 255)) * 255 + 0.5)) for v in levels]
    assert len(got) == len(levels), (got, truth)
    for colour, want in zip(sorted(got), truth):
        assert max(abs(c - want) for c in colour) <= 1, (sorted(got), truth)


def test_a_16_bit_grey_profile_is_applied_at_full_depth():
    """A 16-bit grey PNG whose profile says linear light: v is v / 65535 of white's
    luminance, sRGB 255 x encode(v / 65535). Cut to 8 bits before the profile, 200 became
    level 1 and came out 13, where the truth is 10."""
    from . import icc

    levels = (200, 1000, 3000)
    grey = np.repeat(np.array(levels, np.uint16), 10)[None, :].repeat(10, axis=0)
    buf = __import__("io").BytesIO()
    Image.fromarray(grey).save(buf, format="PNG", icc_profile=icc.grey_profile("linear grey, test", 1.0))
    assert Image.open(buf).mode == "I;16"
    got = shares(extract_palette(buf.getvalue(), colors=len(levels)))
    truth = [int(np.floor(icc.srgb_encode(np.array(v / 65535)) * 255 + 0.5)) for v in levels]
    assert len(got) == len(levels), (got, truth)
    for colour, want in zip(sorted(got), truth):
        assert max(abs(c - want) for c in colour) <= 1, (sorted(got), truth)


def tiff16(samples: np.ndarray, order: str, orientation: int | None = None) -> bytes:
    """An uncompressed 16-bit RGB TIFF made by hand (TIFF 6.0 baseline: one strip, chunky),
    little-endian ("<", II) or big-endian (">", MM), with an Orientation tag if given."""
    import struct

    h, w, _ = samples.shape
    pixels = samples.astype(f"{order}u2").tobytes()
    tags = [(256, 4, 1, w), (257, 4, 1, h), (258, 3, 3, None), (259, 3, 1, 1), (262, 3, 1, 2),
            (273, 4, 1, None), (277, 3, 1, 3), (278, 4, 1, h), (279, 4, 1, len(pixels)), (284, 3, 1, 1)]
    if orientation:
        tags.append((274, 3, 1, orientation))
    tags.sort()
    ifd_at = 8
    bits_at = ifd_at + 2 + 12 * len(tags) + 4
    data_at = bits_at + 6
    ifd = struct.pack(f"{order}H", len(tags))
    for tag, kind, count, value in tags:
        if tag == 258:
            ifd += struct.pack(f"{order}HHII", tag, kind, count, bits_at)
        elif kind == 3:
            ifd += struct.pack(f"{order}HHIHH", tag, kind, count, value, 0)
        else:
            ifd += struct.pack(f"{order}HHII", tag, kind, count, data_at if tag == 273 else value)
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(f"{order}I", ifd_at)
    return head + ifd + struct.pack(f"{order}I", 0) + struct.pack(f"{order}3H", 16, 16, 16) + pixels


@pytest.mark.parametrize("order", ["<", ">"])
def test_16_bit_tiff_samples_round_to_the_nearest_8_bit_level(order):
    """A 16-bit RGB TIFF, either byte order, by the one rule (v x 255 / 65535, rounded), as
    a PNG is; Pillow cut it to its high bytes. Turned a quarter by its Orientation tag, it
    is shown (and sized) 20 wide, 30 high."""
    samples = np.zeros((20, 30, 3), np.uint16)
    samples[:, :20] = DEEP[0]
    samples[:, 20:] = DEEP[1]
    pal = extract_palette(tiff16(samples, order, orientation=6), colors=2)
    assert shares(pal) == {to8(DEEP[0]): 2 / 3, to8(DEEP[1]): 1 / 3}, shares(pal)
    assert (pal.width, pal.height) == (20, 30)


def test_a_callers_16_bit_image_is_read_at_full_depth_every_time_and_left_unread():
    """Asking a 16-bit PNG for its EXIF decoded it (a PNG's eXIf may follow its pixels): a
    third decode, and a caller's PIL image left loaded, which the next call then read at 8
    bits (another palette), or, with a colour key, found wholly transparent."""
    import io

    samples = np.zeros((20, 20, 3), np.uint16)
    samples[:, :12] = (20 * 256 + 200, 100 * 257, 50 * 257)
    samples[:, 16:] = (0, 0, 200)
    image = Image.open(io.BytesIO(png16(samples, key=(0, 0, 0))))
    first = shares(extract_palette(image, colors=2))
    assert first == {(21, 100, 50): 0.75, to8((0, 0, 200)): 0.25}, first
    assert image.tile, "the caller's image was decoded"
    assert shares(extract_palette(image, colors=2)) == first


#: A PNG gAMA chunk of 1.0 (gamma x 100000): its samples are linear light.
LINEAR_GAMA = (b"gAMA", (100000).to_bytes(4, "big"))


def linear_grey_iccp() -> tuple[bytes, bytes]:
    """A PNG iCCP chunk (name, 0, method 0, zlib data) of a grey profile of linear light."""
    import zlib

    from . import icc

    return b"iCCP", b"linear grey\0\0" + zlib.compress(icc.grey_profile("linear grey, test", 1.0))


@pytest.mark.parametrize("channels, tag", [(2, "iCCP"), (2, "gAMA"), (1, "gAMA"), (3, "gAMA"), (4, "gAMA")])
def test_16_bit_samples_meet_their_profile_or_gamma_at_full_depth(channels, tag):
    """16-bit grey and alpha with a linear grey profile, and grey, grey and alpha, RGB or
    RGBA with a gAMA of 1.0: v is v / 65535 of white's light, shown as sRGB 255 x
    encode(v / 65535) (IEC 61966-2-1). Cut to 8 bits first, 200 of 65535 became level 1 and
    came out 13, where the truth is 10. (A 16-bit RGB ICC profile is still applied at 8
    bits: Pillow hands LittleCMS no 16-bit RGB image.)"""
    from . import icc

    levels = (200, 1000, 3000)
    grey = np.repeat(np.array(levels, np.uint16), 10)[None, :].repeat(10, axis=0)
    colour = 1 if channels in (1, 2) else 3
    samples = np.dstack([grey] * colour + [np.full_like(grey, 65535)] * (channels - colour))
    image = png16(samples, chunks=(linear_grey_iccp() if tag == "iCCP" else LINEAR_GAMA,))
    got = sorted(shares(extract_palette(image, colors=len(levels))))
    truth = [int(np.floor(icc.srgb_encode(np.array(v / 65535)) * 255 + 0.5)) for v in levels]
    assert truth[0] == 10 and len(got) == len(levels), (got, truth)
    for shown, want in zip(got, truth):
        assert max(abs(c - want) for c in shown) <= 1, (got, truth)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_16_bit_png_is_turned_by_its_exif_as_pillow_turns_its_8_bit_levels(orientation):
    """A 16-bit PNG with an eXIf orientation is shown turned, palette and card, as Pillow's
    ImageOps.exif_transpose turns the same image's 8-bit levels (v x 255 / 65535)."""
    from PIL import ImageOps

    from streamprint.palette import load_image, read_image

    samples = np.zeros((20, 30, 3), np.uint16)
    samples[:, :20], samples[:12, 20:] = DEEP[0], DEEP[1]
    exif = Image.Exif()
    exif[0x0112] = orientation
    image = png16(samples, chunks=((b"eXIf", exif.tobytes()[6:]),))
    levels = Image.fromarray(np.floor(samples.astype(float) * 255 / 65535 + 0.5).astype(np.uint8))
    levels.info["exif"] = exif.tobytes()
    truth = np.asarray(ImageOps.exif_transpose(levels))
    decoded = read_image(image)
    pal = extract_palette(decoded, colors=3)
    rgb, _, size = load_image(decoded, 0)
    assert (pal.width, pal.height) == size == truth.shape[1::-1]
    assert np.array_equal(rgb, truth)


def test_a_16_bit_png_replaced_while_read_keeps_its_own_colours(tmp_path):
    """The 16-bit path decodes a PNG twice (high bytes, low bytes), and opened it again by
    its name: an image the caller opened, whose file was then replaced (a temporary file
    reused, a download finished over it), gave the other file's colours, at the first
    image's size. The colours are those of the handle the caller holds."""
    from streamprint import extract_palette

    import os

    mine, theirs = DEEP[0], (65535, 0, 0)
    path, other = tmp_path / "t.png", tmp_path / "other.png"
    path.write_bytes(png16(np.full((60, 80, 3), mine, np.uint16)))
    other.write_bytes(png16(np.full((30, 40, 3), theirs, np.uint16)))
    image = Image.open(path)
    os.replace(other, path)
    assert shares(extract_palette(image, colors=1)) == {to8(mine): 1.0}


def signed_grey_tiff(samples: np.ndarray, order: str) -> bytes:
    """An uncompressed signed 16-bit grey TIFF made by hand (one strip; SampleFormat 2, two's
    complement integers), little-endian ("<", II) or big-endian (">", MM)."""
    import struct

    h, w = samples.shape
    pixels = samples.astype(f"{order}i2").tobytes()
    tags = [(256, 4, w), (257, 4, h), (258, 3, 16), (259, 3, 1), (262, 3, 1), (273, 4, None),
            (277, 3, 1), (278, 4, h), (279, 4, len(pixels)), (339, 3, 2)]
    data_at = 8 + 2 + 12 * len(tags) + 4
    ifd = struct.pack(f"{order}H", len(tags))
    for tag, kind, value in tags:
        value = data_at if tag == 273 else value
        ifd += struct.pack(f"{order}HHIHH" if kind == 3 else f"{order}HHII", tag, kind, 1,
                           *((value, 0) if kind == 3 else (value,)))
    head = (b"II*\0" if order == "<" else b"MM\0*") + struct.pack(f"{order}I", 8)
    return head + ifd + struct.pack(f"{order}I", 0) + pixels


@pytest.mark.parametrize("order", ["<", ">"])
def test_a_signed_16_bit_tiff_spans_its_whole_range(order):
    """A signed 16-bit grey TIFF (SampleFormat 2, Pillow's "I;16S") came out with every value
    at or below 0 black and 32767 mid-grey: its values were clipped to 0-65535. Its range is
    -32768 to 32767, read as ImageMagick does (MagickCore/quantum-import.c adds 32768 to a
    signed 16-bit sample, then scales 0-65535): level (v + 32768) x 255 / 65535, rounded:
    -32768 black, 0 128, 32767 white. Exact (every pixel of a stripe is one value)."""
    import io

    values = [-32768, -16384, 0, 16384, 32767]
    samples = np.repeat(np.array(values, np.int16), [6, 5, 4, 3, 2])[None, :].repeat(4, axis=0)
    data = signed_grey_tiff(samples, order)
    assert Image.open(io.BytesIO(data)).tile[0].args[0] in ("I;16S", "I;16BS")  # Pillow reads it signed
    pal = extract_palette(data, colors=5)
    truth = {to8(v + 32768) * 3: n / 20 for v, n in zip(values, [6, 5, 4, 3, 2])}
    assert truth == {(0, 0, 0): 0.3, (64, 64, 64): 0.25, (128, 128, 128): 0.2, (191, 191, 191): 0.15,
                     (255, 255, 255): 0.1}
    assert shares(pal) == truth, shares(pal)
