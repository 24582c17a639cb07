"""Text on pictures, checked by pixels: hex labels on palette cards (legible on light and
dark swatches by WCAG contrast), and grids with gutters, titles and a stated order."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from streamprint.batch.grid import find_tiles, grid

from . import fakes
from .conftest import run_cli


def wcag_luminance(rgb) -> float:
    """WCAG 2.x relative luminance, written out from the recommendation (threshold 0.03928)."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(v)) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def wcag_contrast(a, b) -> float:
    hi, lo = sorted((wcag_luminance(a), wcag_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# ---- palette card ---------------------------------------------------------------------

#: Light, dark and middling swatches; 118 and 119 grey sit either side of the point where
#: black and white contrast equally.
SWATCHES = [(255, 255, 255), (0, 0, 0), (255, 230, 0), (20, 40, 160), (118, 118, 118), (119, 119, 119),
            (0, 170, 80), (240, 60, 160)]


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("card")
    img = np.zeros((600, 150 * len(SWATCHES), 3), np.uint8)
    for i, c in enumerate(SWATCHES):
        img[:, 150 * i:150 * (i + 1)] = c
    Image.fromarray(img).save(folder / "photo.png")
    return folder / "photo.png"


def near(pixels: np.ndarray, text, background) -> np.ndarray:
    """Pixels at least 90 % of the way from ``background`` to ``text`` (the core of an
    antialiased glyph; small text rarely reaches 100 %)."""
    span = np.abs(np.asarray(text, int) - np.asarray(background, int)).max()
    return (np.abs(pixels.astype(int) - np.asarray(text, int)).max(axis=-1) <= 0.1 * span)


def lower_bar(card: np.ndarray) -> np.ndarray:
    """The card's lower swatch bar: image 600 px, bars 8 % (48 px), buffers 2 % (12 px)."""
    assert card.shape[0] == 12 + 48 + 600 + 48 + 12
    return card[660:708]


def test_card_labels_are_each_swatchs_hex_in_a_legible_colour(photo, tmp_path):
    out = tmp_path / "card.png"
    r = run_cli("palette", photo, "--card", out, "--colors", str(len(SWATCHES)), "--labels")
    assert r.returncode == 0, r.stderr
    card = np.asarray(Image.open(out).convert("RGB"))
    bar, upper = lower_bar(card), card[12:60]
    table = r.stdout.decode()
    hexes = [line.split()[0] for line in table.splitlines()[2:]]
    assert sorted(hexes) == sorted("#%02x%02x%02x" % c for c in SWATCHES)
    width = card.shape[1] // len(SWATCHES)
    for i, hex_ in enumerate(hexes):
        swatch = tuple(int(hex_[k:k + 2], 16) for k in (1, 3, 5))
        region = bar[:, i * width:(i + 1) * width].reshape(-1, 3).astype(int)
        assert (upper[:, i * width + 1:(i + 1) * width - 1] == swatch).all()  # the upper bar has no text
        text = (0, 0, 0) if wcag_contrast((0, 0, 0), swatch) >= wcag_contrast((255, 255, 255), swatch) \
            else (255, 255, 255)
        assert wcag_contrast(text, swatch) >= 4.5
        ink = near(region, text, swatch)
        n_text = int(ink.sum())
        assert n_text >= 20, (hex_, n_text)  # the glyphs' cores, in the chosen colour
        # the text's pixels are between the swatch colour and the text colour (nothing else drawn)
        lo, hi = np.minimum(swatch, text), np.maximum(swatch, text)
        assert ((region >= lo) & (region <= hi)).all()
        # and in the middle of the swatch, a few px clear of its sides
        cols = np.flatnonzero((bar[:, i * width:(i + 1) * width] != swatch).any(axis=2).any(axis=0))
        assert cols.min() >= 2 and cols.max() <= width - 3


def test_a_card_without_labels_has_plain_swatches(photo, tmp_path):
    out = tmp_path / "card.png"
    assert run_cli("palette", photo, "--card", out, "--colors", str(len(SWATCHES)), "-q").returncode == 0
    bar = lower_bar(np.asarray(Image.open(out).convert("RGB")))
    width = bar.shape[1] // len(SWATCHES)
    for i in range(len(SWATCHES)):
        assert len(np.unique(bar[:, i * width:(i + 1) * width].reshape(-1, 3), axis=0)) == 1


# ---- grid -----------------------------------------------------------------------------

TILE_COLORS = [(220, 40, 40), (40, 200, 60), (50, 80, 230), (240, 200, 30), (200, 60, 220), (40, 210, 210)]


@pytest.fixture
def strips(tmp_path):
    """Six PNG strips named so that sorting by name and by number differ."""
    folder = tmp_path / "strips"
    folder.mkdir()
    for i, c in enumerate(TILE_COLORS):
        Image.fromarray(np.full((10, 80, 3), c, np.uint8)).save(folder / f"movie {i * 5}.png")
    return folder


def runs(line: np.ndarray, color) -> list[tuple[int, int]]:
    """(start, length) of the runs of exactly ``color`` along a line of pixels."""
    hit = np.concatenate([[False], (line == color).all(axis=1), [False]])
    edges = np.flatnonzero(np.diff(hit.astype(int)))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2])]


def test_gutters_are_background_of_exactly_the_width_between_and_around_tiles(strips, tmp_path):
    out = tmp_path / "wall.png"
    r = run_cli("grid", strips, out, "--size", "640x300", "--gutter", "12", "--background", "#000000")
    assert r.returncode == 0, r.stderr
    img = np.asarray(Image.open(out).convert("RGB"))
    assert img.shape == (300, 640, 3)
    # rows of tiles: the background runs down the first column of tiles
    x = np.flatnonzero((img[:, :, :] != 0).any(axis=2).any(axis=0))[0] + 3
    down = runs(img[:, x], (0, 0, 0))
    assert all(length == 12 for _, length in down) and down[0][0] == 0 and sum(down[-1]) == 300
    rows = len(down) - 1
    y = down[0][1] + 3
    across = runs(img[y], (0, 0, 0))
    assert all(length == 12 for _, length in across) and across[0][0] == 0 and sum(across[-1]) == 640
    cols = len(across) - 1
    assert rows * cols >= 6 and (rows - 1) * cols < 6
    # every tile is its strip's colour, in name order with numbers by value (0, 5, 10, ... 25)
    for i, color in enumerate(TILE_COLORS):
        r_, c_ = divmod(i, cols)
        tx = across[c_][0] + across[c_][1] + 2
        ty = down[r_][0] + down[r_][1] + 2
        assert tuple(img[ty, tx]) == color, (i, img[ty, tx])
    # and nothing but gutters is background
    tiles = sum(((img[:, :, :] == 0).all(axis=2) == 0).astype(int).ravel())
    assert tiles == (640 - 12 * (cols + 1)) * (300 - 12 * (rows + 1))


def test_labels_under_each_tile_say_the_movie(tmp_path):
    folder = tmp_path / "lib"
    (folder / "sub").mkdir(parents=True)
    titles = ["1 red", "Blue movie with a long title.mkv", "Green.mkv"]
    Image.fromarray(np.full((10, 80, 3), (220, 40, 40), np.uint8)).save(folder / "1 red.png")
    fakes.flat([(40, 60, 220)] * 3, [0, 1, 2], 3.0, path="/movies/Blue movie with a long title.mkv").save(
        folder / "2.mkv.json")
    fakes.flat([(40, 200, 60)] * 3, [0, 1, 2], 3.0, path="/movies/Green.mkv").save(folder / "sub" / "3.mkv.csv")
    wall = grid(folder, (900, 300), gutter=10, labels=True, background=(0, 0, 0))
    assert wall.titles == tuple(titles) and wall.left_out == 0
    img = wall.image
    plain = grid(folder, (900, 300), gutter=10, labels=False, background=(0, 0, 0)).image
    # three tiles side by side or stacked: find each tile by its colour, then look under it
    extents = []
    for color in [(220, 40, 40), (40, 60, 220), (40, 200, 60)]:
        ys, xs = np.nonzero((img == color).all(axis=2))
        top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        band = img[bottom:bottom + 16, left:right]
        white = np.nonzero(near(band, (255, 255, 255), (0, 0, 0)))
        assert len(white[0]) >= 10, f"no white text under the tile {color}"
        extents.append(white[1].max() - white[1].min())
        # the label is centred under its tile, and nothing of it spills into the gutter beside it
        assert abs((white[1].max() + white[1].min()) / 2 - (right - left) / 2) <= 3
        assert not (img[bottom:bottom + 16, left - 10:left] != 0).any()
        assert not near(plain[bottom:bottom + 16, left:right], (255, 255, 255), (0, 0, 0)).any()
    assert extents[1] > extents[2] > extents[0]  # the long title is widest, "1 red" narrowest


def test_data_files_are_drawn_with_the_drawing_options_and_win_over_their_png(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    fp = fakes.fingerprint([fakes.palette(((200, 0, 0), 0.6), ((0, 0, 200), 0.4))] * 3, [0, 1, 2], 3.0)
    fp.save(folder / "m.mkv.json")
    Image.fromarray(np.full((10, 30, 3), (0, 255, 0), np.uint8)).save(folder / "m.mkv.png")
    (folder / "streamprint-manifest.json").write_text('{"format": "streamprint-manifest"}')
    assert [t.data for t in find_tiles(folder)] == [True]
    out = tmp_path / "w.png"
    assert run_cli("grid", folder, out, "--size", "200x100", "--style", "dominant", "-q").returncode == 0
    img = np.asarray(Image.open(out).convert("RGB"))
    assert (img == (200, 0, 0)).all()  # the dominant colour, all over the one tile; no green strip


def test_grid_reports_one_line_and_refuses_an_output_inside_the_folder(strips, tmp_path):
    r = run_cli("grid", strips, tmp_path / "w.png", "--size", "400x200", "--labels")
    assert r.returncode == 0 and r.stderr.decode().strip() == f"wrote {tmp_path / 'w.png'}: 400×200, 6 tiles"
    r = run_cli("grid", strips, strips / "w.png", "--size", "400x200")
    assert r.returncode == 2 and b"inside" in r.stderr and not (strips / "w.png").exists()


def _title_height(img: np.ndarray, color) -> tuple[int, int]:
    """(height of the tile of ``color``, height of the white text in the band under it), px."""
    ys, xs = np.nonzero((img == color).all(axis=2))
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    below = img[bottom:, left:right]
    tiled = np.any([(below == c).all(axis=2).any(axis=1) for c in TILE_COLORS], axis=0)  # the next tile's rows
    band = below[:np.flatnonzero(tiled)[0] if tiled.any() else len(below)]
    text = np.flatnonzero((band >= 96).all(axis=2).any(axis=1))
    return int(bottom - top), int(text[-1] - text[0] + 1) if len(text) else 0


def test_titles_scale_with_their_tiles(tmp_path):
    """The same four strips on walls 1, 2 and 4 times as large: each time the tiles and the
    text of their titles (measured in pixels) grow alike, the text a steady share of its
    tile, never taller than it."""
    folder = tmp_path / "strips"
    folder.mkdir()
    for i, c in enumerate(TILE_COLORS[:4]):
        Image.fromarray(np.full((10, 80, 3), c, np.uint8)).save(folder / f"Movie {i}.png")
    measured = []
    for scale in (1, 2, 4):
        wall = grid(folder, (1000 * scale, 500 * scale), labels=True, background=(0, 0, 0))
        measured.append(_title_height(wall.image, TILE_COLORS[0]))
    for (tile, text), (bigger_tile, bigger_text) in zip(measured, measured[1:]):
        assert bigger_tile / tile == pytest.approx(2, rel=0.1), measured
        assert bigger_text / text == pytest.approx(2, rel=0.2), measured
    for tile, text in measured:
        assert 0.08 <= text / tile <= 0.3, measured


def test_a_webp_wall_too_wide_is_refused_before_any_tile_is_drawn(tmp_path):
    """--size 17000x300 to .webp failed after every tile was drawn, blaming 'output'."""
    r = run_cli("grid", tmp_path, tmp_path.parent / "wall.webp", "--size", "17000x300")
    assert r.returncode == 2 and b"--size" in r.stderr and b"WebP" in r.stderr, r.stderr


def test_plot_tiles_too_small_are_refused_once_before_drawing(tmp_path):
    """``grid --style plot`` on a wall whose tiles are under a plot's minimum warned once per
    tile ("cannot be drawn, left out"), then failed; now one line naming the size, exit 2."""
    folder = tmp_path / "out"
    folder.mkdir()
    fp = fakes.fingerprint([fakes.palette(((200, 0, 0), 1.0))] * 3, [0, 1, 2], 3.0)
    for i in range(6):
        fp.save(folder / f"m{i}.mkv.json")
    r = run_cli("grid", folder, tmp_path / "w.png", "--size", "400x200", "--style", "plot")
    err = r.stderr.decode()
    assert r.returncode == 2 and len(err.strip().splitlines()) == 1 and "makes tiles of" in err and "too small for plots" in err, err
    assert not (tmp_path / "w.png").exists()
    r = run_cli("grid", folder, tmp_path / "w.png", "--size", "1400x400", "--style", "plot", "-q")
    assert r.returncode == 0 and r.stderr == b"", r.stderr


def test_a_fifo_named_like_a_strip_is_left_out_not_waited_for(strips, tmp_path):
    """A FIFO named pipe.png in FOLDER: grid opened it and waited for a writer for ever."""
    import os

    os.mkfifo(strips / "pipe.png")
    r = run_cli("grid", strips, tmp_path / "w.png", "--size", "400x200", timeout=60)
    assert r.returncode == 0, r.stderr
    assert b"pipe.png: not a regular file" in r.stderr and b"6 tiles" in r.stderr, r.stderr


def test_a_json_and_a_csv_of_one_name_are_one_tile_drawn_from_the_json(tmp_path):
    """m.json and m.csv side by side were one tile, without a word, from whichever the file
    system listed last: the same folder could give another wall elsewhere."""
    folder = tmp_path / "out"
    folder.mkdir()
    fakes.fingerprint([fakes.palette(((200, 0, 0), 1.0))] * 2, [0, 1], 2.0).save(folder / "m.json")
    fakes.fingerprint([fakes.palette(((0, 0, 200), 1.0))] * 2, [0, 1], 2.0).save(folder / "m.csv")
    tiles = find_tiles(folder)
    assert [(t.path.name, t.data) for t in tiles] == [("m.json", True)]
    out = tmp_path / "w.png"
    r = run_cli("grid", folder, out, "--size", "200x100")
    assert r.returncode == 0 and b"the tile is drawn from m.json" in r.stderr, r.stderr
    assert (np.asarray(Image.open(out).convert("RGB")) == (200, 0, 0)).all()


def test_a_folder_of_unreadable_strips_is_bad_input_not_a_usage_error(tmp_path):
    """Every tile unreadable (a PNG cut short): exit 1, input that could not be processed, as
    --help says; it was exit 2, a usage error."""
    folder = tmp_path / "bad"
    folder.mkdir()
    Image.fromarray(np.full((10, 80, 3), 90, np.uint8)).save(folder / "a.png")
    (folder / "a.png").write_bytes((folder / "a.png").read_bytes()[:40])
    r = run_cli("grid", folder, tmp_path / "w.png", "--size", "200x100")
    assert r.returncode == 1 and b"none of the strips or data files can be read" in r.stderr, r.stderr


def test_a_strip_is_read_as_every_image_is(tmp_path):
    """A 16-bit grey PNG of 30000 was tiled white (255): Pillow's RGBA conversion clips
    deep grey, where streamprint's image reader (the palette command's) scales it, 30000 x
    255 / 65535 = 116.7, so 117. Other images keep their colours (an 8-bit RGB one)."""
    folder = tmp_path / "deep"
    folder.mkdir()
    Image.fromarray(np.full((10, 80), 30000, np.uint16)).save(folder / "a.png")
    Image.fromarray(np.full((10, 80, 3), (10, 200, 30), np.uint8)).save(folder / "b.png")
    out = tmp_path / "w.png"
    r = run_cli("grid", folder, out, "--size", "160x10")
    assert r.returncode == 0, r.stderr
    wall = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert np.abs(wall[:, :80] - round(30000 * 255 / 65535)).max() <= 1, wall[0, :3]
    assert np.abs(wall[:, 80:] - (10, 200, 30)).max() <= 1, wall[0, 80:83]


def test_a_data_file_that_cannot_be_read_gives_way_to_its_strip(tmp_path):
    """A batch's m.mkv.json cut short beside its good m.mkv.png: the grid said it could draw
    nothing ("none of the strips or data files can be read", exit 2), never trying the PNG."""
    folder = tmp_path / "out"
    folder.mkdir()
    fakes.fingerprint([fakes.palette(((200, 0, 0), 1.0))] * 2, [0, 1], 2.0).save(folder / "m.mkv.json")
    (folder / "m.mkv.json").write_bytes((folder / "m.mkv.json").read_bytes()[:60])
    Image.fromarray(np.full((10, 80, 3), (0, 0, 200), np.uint8)).save(folder / "m.mkv.png")
    out = tmp_path / "w.png"
    r = run_cli("grid", folder, out, "--size", "160x20")
    assert r.returncode == 0 and b"cannot be drawn, drawn from m.mkv.png" in r.stderr, r.stderr
    assert (np.asarray(Image.open(out).convert("RGB")) == (0, 0, 200)).all()
