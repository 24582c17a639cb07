"""Image palettes of images that fooled the palette command: fine patterns, colour-managed
images, damaged files, huge or rotated images, odd names in the TSV file."""

from __future__ import annotations

import io
import json
import logging
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import InputNotFoundError, ParameterError, extract_palette, read_palettes, write_palettes

from . import icc
from .conftest import run_cli

RED, BLUE, YELLOW = (220, 30, 30), (30, 30, 220), (240, 220, 40)


def shares(pal) -> dict[tuple[int, int, int], float]:
    return {tuple(int(v) for v in c): float(w) for c, w in zip(pal.colors, pal.weights)}


def test_fine_patterns_keep_their_shares():
    """A checkerboard, a dither and a one-pixel grid finer than the sampling cells: an even
    stride fell on one phase of the pattern (a 50/50 checkerboard came out 100 % red).
    Shares within 2 points of the painted ones (65,536 sampled pixels)."""
    y, x = np.mgrid[:1024, :1024]
    checker = np.where(((x + y) % 2 == 0)[..., None], RED, BLUE).astype(np.uint8)
    dither = np.full((600, 800, 3), YELLOW, np.uint8)
    dither[1::2, 1::2] = 0  # a quarter of the pixels black
    grid = np.full((1000, 1000, 3), 255, np.uint8)
    grid[5::10], grid[:, 5::10] = RED, RED  # 1 - (9/10)^2 = 19 % red
    for image, truth in ((checker, {RED: 0.5, BLUE: 0.5}), (dither, {YELLOW: 0.75, (0, 0, 0): 0.25}),
                         (grid, {(255, 255, 255): 0.81, RED: 0.19})):
        got = shares(extract_palette(image, colors=2))
        assert got.keys() == truth.keys(), got
        assert all(abs(got[c] - truth[c]) <= 0.02 for c in truth), (got, truth)


ADOBE_PAINTED = [(200, 100, 50), (100, 150, 120), (60, 70, 180), (128, 128, 128)]


def adobe_to_srgb(rgb) -> tuple[int, int, int]:
    """Adobe RGB (1998) 8-bit to sRGB 8-bit by the published definitions: Adobe's gamma and
    primaries to XYZ, BT.709's primaries back, IEC 61966-2-1's transfer function (both D65)."""
    linear = (np.asarray(rgb, np.float64) / 255) ** icc.ADOBE_RGB["gamma"]
    xyz = icc.rgb_to_xyz(icc.ADOBE_RGB["primaries"], icc.ADOBE_RGB["white"]) @ linear
    srgb = np.linalg.solve(icc.rgb_to_xyz(icc.SRGB_PRIMARIES, icc.D65), xyz)
    return tuple(int(v) for v in np.rint(icc.srgb_encode(srgb) * 255))


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "WEBP"])
def test_an_embedded_icc_profile_is_converted_to_srgb(tmp_path, fmt):
    """An Adobe RGB image's values are not sRGB: they are converted through the profile it
    carries, as a colour-managed viewer shows them; the card shows the converted image.
    Within 2 levels of the published formulas (LittleCMS's fixed-point arithmetic)."""
    profile = icc.profile("Adobe RGB (1998), test", **icc.ADOBE_RGB)
    painted = np.zeros((100, 400, 3), np.uint8)
    for i, colour in enumerate(ADOBE_PAINTED):
        painted[:, 100 * i:100 * (i + 1)] = colour
    path = tmp_path / f"adobe.{fmt.lower()}"
    Image.fromarray(painted).save(path, format=fmt, icc_profile=profile, **({"lossless": True} if fmt == "WEBP" else {}))
    got = sorted(shares(extract_palette(path, colors=4)))
    truth = sorted(adobe_to_srgb(c) for c in ADOBE_PAINTED)
    assert truth != sorted(ADOBE_PAINTED)  # the test means something: the spaces differ
    assert all(max(abs(a - b) for a, b in zip(g, t)) <= 2 for g, t in zip(got, truth)), (got, truth)
    card = tmp_path / "card.png"
    assert run_cli("palette", path, "--card", card, "--colors", "4", "--buffer", "0").returncode == 0
    shown = np.asarray(Image.open(card))[8 + 50, 50]  # below the 8-px swatch bar: the first block
    assert max(abs(int(a) - b) for a, b in zip(shown, adobe_to_srgb(ADOBE_PAINTED[0]))) <= 2


@pytest.mark.parametrize("mode", ["L", "LA"])
def test_a_grey_profile_is_honoured_with_or_without_transparency(tmp_path, mode, caplog):
    """A grey image whose profile says linear light: its value 90 is 90/255 of white's
    luminance, sRGB 165 by IEC 61966-2-1. With an alpha channel the profile was dropped
    ("LittleCMS cannot use it"), and 90 taken as sRGB."""
    truth = int(np.rint(icc.srgb_encode(np.array(90 / 255)) * 255))
    grey = np.full((20, 20), 90, np.uint8)
    image = Image.fromarray(grey, "L") if mode == "L" else Image.fromarray(np.dstack([grey, np.full_like(grey, 255)]), "LA")
    path = tmp_path / f"grey-{mode}.png"
    image.save(path, icc_profile=icc.grey_profile("linear grey, test", 1.0))
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        (colour,) = shares(extract_palette(path, colors=2))
    assert max(abs(c - truth) for c in colour) <= 2 and "ICC" not in caplog.text, (colour, truth)


def test_a_broken_icc_profile_is_ignored_with_a_warning(tmp_path, caplog):
    path = tmp_path / "bad-profile.png"
    Image.fromarray(np.full((20, 20, 3), RED, np.uint8)).save(path, icc_profile=b"not a profile at all" * 10)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert shares(extract_palette(path, colors=2)) == {RED: 1.0}
    assert "ICC profile" in caplog.text


def damaged_png(tmp_path):
    """A PNG whose second IDAT chunk has a garbled type: Pillow raises SyntaxError."""
    raw = b"".join(b"\0" + bytes([200, 40, 40]) * 64 for _ in range(64))
    data = zlib.compress(raw)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    ihdr = (64).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    half = len(data) // 2
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data[:half])
           + chunk(b"|\xfc\x8b\x9a", data[half:]) + chunk(b"IEND", b""))
    path = tmp_path / "damaged.png"
    path.write_bytes(png)
    return path


def test_a_damaged_image_among_others_is_reported_and_skipped(tmp_path):
    """Pillow's SyntaxError used to escape as "unexpected SyntaxError (a bug in
    streamprint)", and stopped the run: the images after it and --data were never made."""
    good = []
    for name, colour in (("a.png", RED), ("c.png", BLUE)):
        good.append(tmp_path / name)
        Image.fromarray(np.full((20, 20, 3), colour, np.uint8)).save(good[-1])
    with pytest.raises(streamprint.NotAVideoError, match="not an image"):
        extract_palette(damaged_png(tmp_path))
    data, cards = tmp_path / "all.json", tmp_path / "cards"
    r = run_cli("palette", good[0], damaged_png(tmp_path), good[1], "--out-dir", cards, "--data", data)
    assert r.returncode == 1 and b"Traceback" not in r.stderr and b"unexpected" not in r.stderr
    errors = [line for line in r.stderr.decode().splitlines() if "error" in line]
    assert len(errors) == 1 and "damaged.png: not an image" in errors[0], r.stderr
    assert [p["image"] for p in json.loads(data.read_text())["palettes"]] == [str(g) for g in good]
    assert sorted(p.name for p in cards.iterdir()) == ["a.png.palette.png", "c.png.palette.png"]


def test_a_missing_file_is_said_to_be_missing(tmp_path):
    with pytest.raises(InputNotFoundError, match="no such file"):
        extract_palette(tmp_path / "nope.png")
    r = run_cli("palette", tmp_path / "nope.png")
    assert r.returncode == 1 and b"no such file" in r.stderr and b"not an image" not in r.stderr


@pytest.mark.parametrize("bad", [None, 5, bytearray(b"png"), io.BytesIO(b"png")])
def test_what_is_not_an_image_source_is_a_parameter_error(bad):
    with pytest.raises(ParameterError, match="image"):
        extract_palette(bad)


def test_a_callers_image_is_left_as_it_was(tmp_path):
    """Draft mode shrank the caller's own JPEG object (4000 x 2000 became 500 x 250)."""
    path = tmp_path / "big.jpg"
    Image.fromarray(np.full((2000, 4000, 3), RED, np.uint8)).save(path)
    with Image.open(path) as im:
        extract_palette(im, colors=2)
        assert im.size == (4000, 2000)
        assert np.asarray(im).shape == (2000, 4000, 3)


def test_the_size_is_the_displayed_one(tmp_path):
    """A JPEG stored 400 x 200 with EXIF orientation 6 is shown 200 x 400, as on the card."""
    path, data = tmp_path / "rotated.jpg", tmp_path / "p.json"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.full((200, 400, 3), RED, np.uint8)).save(path, exif=exif.tobytes())
    pal = extract_palette(path)
    assert (pal.width, pal.height) == (200, 400)
    assert run_cli("palette", path, "--data", data).returncode == 0
    entry = json.loads(data.read_text())["palettes"][0]
    assert (entry["width"], entry["height"]) == (200, 400)


def test_a_large_image_prints_no_python_warning(tmp_path, monkeypatch, recwarn):
    """Past half of Pillow's pixel limit it warned DecompressionBombWarning, two lines on
    stderr even with -q (the limit is lowered here so a small image trips it)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    path = tmp_path / "large.png"
    Image.fromarray(np.full((40, 40, 3), RED, np.uint8)).save(path)  # 1600 pixels: over 1000, under 2000
    assert shares(extract_palette(path, colors=2)) == {RED: 1.0}
    assert not [w for w in recwarn if issubclass(w.category, Image.DecompressionBombWarning)]


@pytest.mark.parametrize("ext, side", [("webp", 16384), ("jpg", 65501)])
def test_a_card_too_large_for_its_format_is_refused_in_one_line(tmp_path, ext, side):
    path, card = tmp_path / "tall.png", tmp_path / f"card.{ext}"
    Image.fromarray(np.full((side, 2, 3), RED, np.uint8)).save(path)
    r = run_cli("palette", path, "--size", "0", "--card", card)
    err = r.stderr.decode()
    assert r.returncode != 0 and err.count("\n") == 1 and "at most" in err and "unexpected" not in err, err
    assert not card.exists()


def test_tsv_names_with_tabs_and_line_breaks_round_trip(tmp_path):
    """A name holding a tab or a line break split its row, or forged a row of its own."""
    names = ["a\tb.png", "c\n#ff00ff\t[1, 2, 3]\t0.9\nd.png", "back\\slash\\t.png"]
    pals = [extract_palette(np.full((4, 4, 3), c, np.uint8), colors=2) for c in (RED, BLUE, YELLOW)]
    pals = [type(p)(n, p.palette, p.width, p.height, p.space) for p, n in zip(pals, names)]
    path = tmp_path / "p.tsv"
    write_palettes(pals, path)
    assert len(path.read_text().splitlines()) == 2 + 3
    back = read_palettes(path)
    assert [p.path for p in back] == names
    assert [p.hex for p in back] == [p.hex for p in pals]


def test_tsv_refuses_two_palettes_of_one_name(tmp_path):
    """Two arrays are both "image array": their rows read back as one palette."""
    pals = [extract_palette(np.full((4, 4, 3), c, np.uint8)) for c in (RED, BLUE)]
    with pytest.raises(streamprint.UsageError, match="palettes hold two palettes named 'image array'"):
        write_palettes(pals, tmp_path / "p.tsv")
    assert not (tmp_path / "p.tsv").exists()
    write_palettes(pals, tmp_path / "p.json")  # JSON keeps them apart
    assert len(read_palettes(tmp_path / "p.json")) == 2


def test_a_version_1_tsv_still_reads(tmp_path):
    path = tmp_path / "old.tsv"
    path.write_text("# streamprint-palettes 1\nimage\thex\trgb\tshare\n"
                    "C:\\temp\\a.png\t#c81e1e\t[200, 30, 30]\t1.000000\n")
    (pal,) = read_palettes(path)
    assert pal.path == "C:\\temp\\a.png" and pal.hex == ["#c81e1e"]


def test_an_image_named_twice_is_read_once(tmp_path):
    path, data = tmp_path / "a.png", tmp_path / "p.tsv"
    Image.fromarray(np.full((20, 20, 3), RED, np.uint8)).save(path)
    r = run_cli("palette", path, path, "--data", data)
    assert r.returncode == 0, r.stderr
    assert len(read_palettes(data)) == 1 and r.stdout.decode().count("#") == 1


@pytest.mark.parametrize("values, levels", [((0.2, 0.8), (51, 204)), ((20.0, 200.0), (20, 200))])
def test_float_tiffs_keep_their_levels(tmp_path, values, levels):
    """A 32-bit float ("F") TIFF of 0-1 came out black: it was clipped as 0-255. Levels of
    0-1 are scaled by 255, levels past 1 taken as 0-255; the truth is v x 255 rounded."""
    a = np.full((40, 60), values[0], np.float32)
    a[:, 20:] = values[1]  # two thirds the second level
    Image.fromarray(a, mode="F").save(tmp_path / "f.tif")
    got = shares(extract_palette(tmp_path / "f.tif", colors=2))
    truth = {(levels[0],) * 3: 1 / 3, (levels[1],) * 3: 2 / 3}
    assert got.keys() == truth.keys(), got
    assert all(abs(got[c] - truth[c]) <= 0.01 for c in truth), got


def test_proportional_swatches_show_every_colour_the_palette_lists(tmp_path):
    """A colour of 0.08 % share got a 0-px swatch on a 250-px card with ``--proportional``:
    the card showed two colours and reported three. Each now keeps at least 1 px."""
    image = np.full((100, 250, 3), RED, np.uint8)  # under 256 px: every pixel is counted
    image[:, :125] = BLUE
    image[:2, :10] = YELLOW  # 20 of 25,000 px: 0.08 %, 0.2 px of the bar
    out = tmp_path / "card.png"
    run_cli("palette", _png(tmp_path / "p.png", image), "--colors", "3", "--card", str(out), "--proportional",
            "--data", str(tmp_path / "p.json"))
    listed = {tuple(c["rgb"]) for c in json.loads((tmp_path / "p.json").read_text())["palettes"][0]["colors"]}
    assert YELLOW in listed and len(listed) == 3
    top_bar = np.asarray(Image.open(out).convert("RGB"))[3]  # a row inside the upper swatch bar
    shown = {tuple(int(v) for v in px) for px in top_bar}
    assert shown == listed, (shown, listed)


def _png(path, image) -> str:
    Image.fromarray(image).save(path)
    return str(path)


def test_an_image_piped_to_standard_input(tmp_path):
    """``curl -s URL | streamprint palette - --card card.png``: - was taken for a file named
    "-" ("no such file"). The palette is the file's own, named "-" in the data file, and the
    card in --out-dir is stdin.palette.png."""
    image = np.full((30, 40, 3), RED, np.uint8)
    image[:, :10] = BLUE  # a quarter blue
    png = _png(tmp_path / "p.png", image)
    data = Path(png).read_bytes()
    r = run_cli("palette", "-", "--card", tmp_path / "card.png", "--data", tmp_path / "p.json", input=data)
    assert r.returncode == 0, r.stderr
    [pal] = json.loads((tmp_path / "p.json").read_text())["palettes"]
    assert pal["image"] == "-"
    assert {tuple(c["rgb"]): c["share"] for c in pal["colors"]} == pytest.approx({RED: 0.75, BLUE: 0.25}, abs=1e-6)
    assert np.asarray(Image.open(tmp_path / "card.png").convert("RGB")).shape[1] == 40
    r = run_cli("palette", "-", "--out-dir", tmp_path / "cards", input=data)
    assert r.returncode == 0 and (tmp_path / "cards" / "stdin.palette.png").is_file(), r.stderr


@pytest.mark.parametrize("data, says", [(b"", "standard input is empty"), (b"hello\n", "-: not an image")])
def test_nothing_or_no_image_on_standard_input_is_one_line(data, says):
    r = run_cli("palette", "-", input=data)
    err = r.stderr.decode()
    assert r.returncode != 0 and says in err and len(err.strip().splitlines()) == 1, err


def test_a_tsv_and_a_csv_keep_a_name_that_is_not_utf8(tmp_path):
    """``palette 'caf\\xe9.png' --data p.tsv`` stopped with "unexpected UnicodeEncodeError
    (a bug)"; so did a fingerprint's CSV of such a movie. The name's bytes are written as
    they are and read back the same (JSON escapes them)."""
    import os

    photo = tmp_path / os.fsdecode(b"caf\xe9.png")
    Image.fromarray(np.full((20, 30, 3), RED, np.uint8)).save(photo)
    r = run_cli("palette", photo, "--data", tmp_path / "p.tsv")
    assert r.returncode == 0, r.stderr
    assert os.fsencode(photo) in (tmp_path / "p.tsv").read_bytes()
    [back] = read_palettes(tmp_path / "p.tsv")
    assert back.path == str(photo)


def test_standard_input_that_never_ends_or_is_closed(monkeypatch):
    """``palette - < /dev/zero`` read on until the kernel killed it at 24 GB, deaf to
    SIGTERM; a closed stdin (``<&-``) was called a terminal. The input is read in pieces,
    up to a limit (here made 3 MiB), and a closed one is said to be closed. (Endless zeros
    are no image by their first megabyte: tests/test_palette_sources.py. Here the stream
    starts as a PNG does, then never ends.)"""
    import struct
    import types
    import zlib

    from streamprint import InputError
    from streamprint._cli import palette as cli

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    head = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 2, 0, 0, 0)) \
        + struct.pack(">I", 2**31 - 1) + b"IDAT"

    class Endless:
        def __init__(self):
            self.sent = False

        def read1(self, n):
            if not self.sent:
                self.sent = True
                return head + b"\0" * (n - len(head))
            return b"\0" * n

    monkeypatch.setattr(cli, "STDIN_IMAGE_BYTES", 3 << 20)
    monkeypatch.setattr(cli.sys, "stdin", types.SimpleNamespace(isatty=lambda: False, buffer=Endless()))
    with pytest.raises(InputError, match="more than"):
        cli._stdin_image()
    monkeypatch.setattr(cli.sys, "stdin", None)
    with pytest.raises(InputError, match="closed"):
        cli._stdin_image()


def test_a_pil_image_of_no_pixels_is_a_parameter_error():
    """It was a ZeroDivisionError from deep in the sampling."""
    with pytest.raises(ParameterError, match="no pixels"):
        extract_palette(Image.new("RGB", (0, 0)))
