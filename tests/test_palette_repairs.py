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


def _halves_jpeg(progressive: bool = False) -> bytes:
    a = np.zeros((64, 96, 3), np.uint8)
    a[:, :48], a[:, 48:] = RED, BLUE
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="JPEG", quality=95, progressive=progressive)
    assert buf.getvalue().endswith(b"\xff\xd9")
    return buf.getvalue()


def test_a_jpeg_missing_only_its_end_marker_gives_its_palette_with_a_warning(tmp_path):
    """A JPEG two bytes short (its FF D9 end marker gone, every pixel there) was refused as
    "not an image Pillow can read (image file is truncated ...)". Now its palette is the two
    colours it was made of (JPEG keeps them within 3 levels), with one warning line saying
    it is cut short; its card (drafted from the same bytes) is written too."""
    for progressive in (False, True):
        path = tmp_path / f"short{progressive}.jpg"
        path.write_bytes(_halves_jpeg(progressive)[:-2])
        r = run_cli("palette", path, "--colors", "2", "--card", tmp_path / f"card{progressive}.png", "--size", "32")
        assert r.returncode == 0, r.stderr
        warned = r.stderr.decode().splitlines()
        assert len(warned) == 2 and "cut short" in warned[0] and str(path) in warned[0], warned  # (+ "wrote")
        got = sorted(_printed(r.stdout))
        assert np.abs(np.array(got) - np.array(sorted([RED, BLUE]))).max() <= 3, got


def test_an_image_cut_short_is_said_to_be_cut_short(tmp_path):
    """An image whose pixels are missing is refused, as cut short, not as "not an image"
    (a JPEG cut mid-scan is not mended with invented grey)."""
    a = np.zeros((64, 96, 3), np.uint8)
    a[:, :48], a[:, 48:] = RED, BLUE
    png = io.BytesIO()
    Image.fromarray(a).save(png, format="PNG")
    jpeg = _halves_jpeg()
    for name, data in (("mid.jpg", jpeg[: len(jpeg) * 3 // 4]), ("three.jpg", jpeg[:-3]),
                       ("cut.png", png.getvalue()[:-30])):
        (tmp_path / name).write_bytes(data)
        r = run_cli("palette", tmp_path / name)
        text = r.stderr.decode()
        assert r.returncode == 1 and "cut short" in text and "not an image" not in text, text
        assert text.count("\n") == 1 and not r.stdout, text


def test_an_image_semi_transparent_everywhere_gives_its_colours(tmp_path):
    """An image of alpha 127 everywhere (a tint, a watermark) was refused as "every pixel is
    transparent". Where no pixel reaches half opaque, those at least half as opaque as the
    most opaque one are counted, with one warning: here every pixel, one colour."""
    path = tmp_path / "semi.png"
    Image.new("RGBA", (100, 50), (200, 30, 40, 127)).save(path)
    r = run_cli("palette", path)
    assert r.returncode == 0 and _printed(r.stdout) == [(200, 30, 40)], r.stderr
    warned = r.stderr.decode().splitlines()
    assert len(warned) == 1 and "semi.png" in warned[0] and "alpha 127" in warned[0], warned


def test_a_faint_image_counts_its_most_opaque_pixels_and_none_is_still_refused():
    """Red at alpha 100 beside blue at alpha 20 (neither half opaque): red, at least half as
    opaque as the most opaque, is counted, and blue is not. Every pixel at alpha 0 is still
    refused as wholly transparent."""
    import pytest

    import streamprint

    a = np.zeros((40, 80, 4), np.uint8)
    a[:, :40], a[:, 40:] = (200, 30, 40, 100), (30, 60, 160, 20)
    p = streamprint.extract_palette(a, colors=2)
    assert [tuple(int(v) for v in c) for c in p.palette.colors] == [(200, 30, 40)]
    a[..., 3] = 0
    with pytest.raises(streamprint.InputError, match="every pixel is transparent"):
        streamprint.extract_palette(a, colors=2)


def _two_tone(tmp_path) -> str:
    a = np.zeros((200, 300, 3), np.uint8)
    a[:, :150], a[:, 150:] = (250, 250, 250), (10, 10, 10)
    path = tmp_path / "s.png"
    Image.fromarray(a).save(path)
    return str(path)


def test_labels_are_written_on_a_bar_that_holds_8_px_text(tmp_path):
    """``--labels`` on a 16-px swatch bar (a 200-px image, the default --bar 0.08) drew
    nothing, silently: it asked for 7-px text (45 % of the bar), below the 8 px drawn. Now
    each swatch of the lower bar carries its label: pixels far from the swatch's colour
    (text in the contrasting black or white); the upper bar stays bare."""
    card = tmp_path / "c.png"
    r = run_cli("palette", _two_tone(tmp_path), "--labels", "-o", card, "--buffer", "0")
    assert r.returncode == 0 and r.stderr.decode().count("\n") == 1, r.stderr  # ("wrote ...")
    c = np.asarray(Image.open(card).convert("RGB")).astype(int)
    assert c.shape == (232, 300, 3)  # 16 + 200 + 16
    upper, lower = c[:16], c[216:]
    for part in (slice(0, 150), slice(150, 300)):
        swatch = np.median(lower[:, part].reshape(-1, 3), axis=0)
        assert (np.abs(upper[:, part] - swatch).max(axis=2) == 0).all()
        assert (np.abs(lower[:, part] - swatch).max(axis=2) > 100).sum() >= 10, part


def test_a_bar_too_short_for_labels_is_said_to_be(tmp_path):
    """On an 8-px bar no label fits: one warning says the bar is too short, and the card is
    written without labels (it was silent)."""
    card = tmp_path / "c.png"
    r = run_cli("palette", _two_tone(tmp_path), "--labels", "-o", card, "--buffer", "0", "--bar", "0.04")
    warned = r.stderr.decode().splitlines()
    assert r.returncode == 0 and len(warned) == 2 and "too short for labels" in warned[0], warned


def test_a_symbolic_link_and_its_target_are_two_images(tmp_path):
    """``palette a.png link.png --out-dir cards --data d.tsv`` with link.png -> a.png made one
    card and one row: the two names were taken for one image named twice. Each name given is
    an image of its own, a card and a row each; the same path given twice is still read once."""
    from streamprint.formats import read_palettes

    a, link = tmp_path / "a.png", tmp_path / "link.png"
    Image.fromarray(np.full((20, 30, 3), RED, np.uint8)).save(a)
    link.symlink_to(a.name)
    cards, data = tmp_path / "cards", tmp_path / "d.tsv"
    r = run_cli("palette", a, link, tmp_path / "." / "a.png", "--out-dir", cards, "--data", data)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in cards.iterdir()) == ["a.png.palette.png", "link.png.palette.png"]
    assert [(p.path, p.hex) for p in read_palettes(data)] == [(str(a), ["#c81e1e"]), (str(link), ["#c81e1e"])]


def _png_with(pixels: np.ndarray, chunks: list[tuple[bytes, bytes]]) -> bytes:
    """PNG bytes of ``pixels`` with ``chunks`` ((type, data), ...) right after IHDR."""
    import struct
    import zlib

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    data, at = buf.getvalue(), 8 + 8 + 13 + 4
    extra = b"".join(struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
                     for t, d in chunks)
    return data[:at] + extra + data[at:]


def test_warnings_about_colour_tags_name_their_image(tmp_path):
    """Of several images, "ignoring the PNG's gAMA of 0.0" and "ignoring the image's ICC
    profile, which LittleCMS cannot use" named no image (EXIF warnings did). Each is now
    "IMAGE: ...", once per image though the card reads it again."""
    a = np.full((8, 8, 3), RED, np.uint8)
    (tmp_path / "g0.png").write_bytes(_png_with(a, [(b"gAMA", (0).to_bytes(4, "big"))]))
    Image.fromarray(a).save(tmp_path / "icc.png", icc_profile=b"no profile" * 20)
    plain = tmp_path / "plain.png"
    Image.fromarray(a).save(plain)
    r = run_cli("palette", tmp_path / "g0.png", plain, tmp_path / "icc.png", "--out-dir", tmp_path / "cards")
    assert r.returncode == 0, r.stderr
    warned = [line for line in r.stderr.decode().splitlines() if "WARNING" in line]
    assert len(warned) == 2, warned
    assert f"{tmp_path / 'g0.png'}: ignoring the PNG's gAMA" in warned[0], warned
    assert f"{tmp_path / 'icc.png'}: ignoring the image's ICC profile" in warned[1], warned


def test_infinities_in_a_float_image_leave_its_range_alone(tmp_path):
    """One +inf pixel in a 0-1 float ("F") TIFF made it black: its range was judged by a
    maximum past 1. The range is its finite values' (0-1 here: v x 255, rounded), +inf is
    white, -inf and NaN black."""
    from streamprint.palette import load_image

    a = np.full((10, 30), 0.2, np.float32)
    a[:, 15:] = 0.8
    a[0, 0], a[0, 1], a[0, 2] = np.inf, -np.inf, np.nan
    Image.fromarray(a, mode="F").save(tmp_path / "f.tif")
    rgb, alpha, _ = load_image(str(tmp_path / "f.tif"), 0)
    assert alpha is None
    grey = rgb[..., 0].astype(int)
    assert (rgb == rgb[..., :1]).all()  # grey
    assert grey[0, :3].tolist() == [255, 0, 0]
    assert (grey[1:, :15] == 51).all() and (grey[:, 15:] == 204).all()  # 0.2 x 255 = 51, 0.8 x 255 = 204


def test_32_bit_integer_tiffs_are_read_by_their_full_range(tmp_path):
    """A 32-bit integer TIFF's values were clipped at 65535: 2^31 - 1 and 2^30 both came out
    white. Its BitsPerSample (32) and SampleFormat say the range: signed, 0 to 2^31 - 1
    (negatives black); unsigned, 0 to 2^32 - 1. Truth: v x 255 / max, rounded, in Python
    integers."""
    from streamprint.palette import load_image

    signed = [2**31 - 1, 2**30, 12345678, 0, -5]
    unsigned = [2**32 - 1, 2**31, 2**30, 3_000_000_000, 0]
    for values, top, sample_format in ((signed, 2**31 - 1, 2), (unsigned, 2**32 - 1, 1)):
        a = np.array([values] * 4, np.int64).astype(np.uint32).view(np.int32)
        path = tmp_path / f"i{sample_format}.tif"
        Image.fromarray(a, mode="I").save(path)  # Pillow writes signed (SampleFormat 2)
        if sample_format == 1:  # its SampleFormat entry (tag 339, SHORT, 1, value 2) made 1: unsigned
            entry = b"\x53\x01\x03\x00\x01\x00\x00\x00\x02\x00"
            data = path.read_bytes()
            assert data.count(entry) == 1
            path.write_bytes(data.replace(entry, entry[:-2] + b"\x01\x00"))
        rgb, _, _ = load_image(str(path), 0)
        truth = [(max(v, 0) * 255 * 2 + top) // (2 * top) for v in values]  # round half up
        assert rgb[0, :, 0].tolist() == truth, (sample_format, rgb[0, :, 0].tolist(), truth)


def test_an_out_dir_whose_name_is_too_long_is_one_line(tmp_path):
    """``--out-dir`` of a 300-character name said "unexpected OSError: [Errno 36] File name too
    long ... (a bug in streamprint)": Path.exists() raises ENAMETOOLONG. Now one line naming
    the folder, as any folder that cannot be made."""
    image = _two_tone(tmp_path)
    long = "x" * 300
    for folder in (tmp_path / long, tmp_path / long / "b"):
        r = run_cli("palette", image, "--out-dir", folder)
        text = r.stderr.decode()
        assert r.returncode == 1 and text.count("\n") == 1, text
        assert f"cannot create the folder {folder}" in text and "unexpected" not in text, text


def test_a_folder_that_cannot_be_made_leaves_no_parents_behind(tmp_path):
    """A failed ``--out-dir new1/new2/<300 x's>/b`` left new1 and new2 behind: the folders
    made on the way are removed again."""
    image = _two_tone(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run_cli("palette", image, "--out-dir", tmp_path / "new1" / "new2" / ("x" * 300) / "b")
    assert r.returncode == 1 and b"cannot create the folder" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_proportional_swatches_of_exact_shares_are_exact(tmp_path):
    """A 200-px image exactly 50/30/20 got swatches of 99/61/40 px with ``--proportional``:
    every colour had a 1-px floor before the rest was shared out. Shares that come to whole
    pixels now give those pixels: 100/60/40, each swatch its colour."""
    colours = [(200, 30, 30), (30, 60, 160), (240, 220, 20)]
    a = np.zeros((50, 200, 3), np.uint8)  # under 256 px: every pixel counted, shares exact
    a[:, :100], a[:, 100:160], a[:, 160:] = colours
    path = tmp_path / "p.png"
    Image.fromarray(a).save(path)
    card = tmp_path / "c.png"
    r = run_cli("palette", path, "--colors", "3", "--proportional", "-o", card, "--buffer", "0", "--bar", "0.2")
    assert r.returncode == 0, r.stderr
    row = np.asarray(Image.open(card).convert("RGB"))[0].astype(int)
    edges = [0, *np.flatnonzero(np.abs(np.diff(row, axis=0)).max(axis=1)) + 1, 200]
    assert np.diff(edges).tolist() == [100, 60, 40], edges
    assert [tuple(row[e]) for e in edges[:-1]] == colours


def test_a_name_too_long_is_one_line_in_every_command(tmp_path):
    """The palette's --out-dir had company: ``batch LIB <300 x's>``, ``gallery <300 x's>``,
    ``grid <300 x's> g.png`` said "unexpected OSError: [Errno 36] File name too long ... (a bug
    in streamprint)" (Path.exists() and is_dir() raise it). Now one line naming the path."""
    long = str(tmp_path / ("x" * 300))
    (tmp_path / "lib").mkdir()
    for args in (("batch", tmp_path / "lib", long), ("gallery", long), ("grid", long, tmp_path / "g.png")):
        r = run_cli(*args)
        text = r.stderr.decode()
        assert r.returncode == 1 and text.count("\n") == 1, (args[0], text)
        assert f"{long}: File name too long" in text and "unexpected" not in text, (args[0], text)


def _png(width: int, height: int, rows: list[bytes], interlaced: bool = False) -> bytes:
    """An 8-bit RGB PNG made by the specification's layout: ``rows`` are the image data
    before compression, each a filter byte (0) and its pixels (``interlaced``: Adam7's
    passes' rows, one after another)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, int(interlaced))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


def _adam7_rows(width: int, height: int, color: bytes) -> list[list[bytes]]:
    """A solid image's Adam7 passes (PNG specification 8.2: each pass's first row and
    column, and steps), each a list of its rows."""
    passes = ((0, 0, 8, 8), (0, 4, 8, 8), (4, 0, 8, 4), (0, 2, 4, 4), (2, 0, 4, 2), (0, 1, 2, 2), (1, 0, 2, 1))
    return [[b"\0" + color * len(range(x, width, dx))] * len(range(y, height, dy)) if x < width else []
            for y, x, dy, dx in passes]


def test_a_png_whose_image_data_ends_before_its_last_row_is_cut_short(tmp_path):
    """A 50 x 50 PNG whose compressed data holds one row, then IEND, gave the palette
    ['#000000'] without a word: Pillow fills the rows that never came with black (FFmpeg:
    "IEND without all image"). It is refused as cut short, as a JPEG cut mid-scan is; a
    whole PNG whose last rows are black, and whole interlaced ones, are read as before."""
    import pytest

    import streamprint

    red = bytes(RED)
    row = b"\0" + red * 50
    black = b"\0" + b"\0" * 150
    for name, data in (("one_row.png", _png(50, 50, [row])), ("forty.png", _png(50, 50, [row] * 40))):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(streamprint.NotAVideoError, match="cut short: its image data ends before its last row"):
            streamprint.extract_palette(tmp_path / name)
        with pytest.raises(streamprint.NotAVideoError, match="cut short"):  # as bytes too
            streamprint.extract_palette(data)
    whole = streamprint.extract_palette(_png(50, 50, [row] * 30 + [black] * 20), colors=2)
    assert whole.hex == ["#c81e1e", "#000000"] and whole.weights.tolist() == [0.6, 0.4]
    for w, h in ((9, 7), (1, 1), (16, 3)):
        passes = _adam7_rows(w, h, red)
        assert streamprint.extract_palette(_png(w, h, [r for p in passes for r in p], True)).hex == ["#c81e1e"]
        if passes[-1]:  # the last pass (every odd row), missing
            with pytest.raises(streamprint.NotAVideoError, match="cut short"):
                streamprint.extract_palette(_png(w, h, [r for p in passes[:-1] for r in p], True))
