"""Image palettes: known colours in, the same colours and shares out, for real image kinds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from streamprint import extract_palette
from streamprint.kmeans import kmeans

from .conftest import run_cli

RED, BLUE, YELLOW = (200, 40, 40), (30, 60, 160), (240, 220, 60)
TOL = 6  # per channel, out of 255 (JPEG chroma subsampling and rounding)


def three_colour_image(h=400, w=600) -> np.ndarray:
    """Top half red, bottom-left blue, bottom-right yellow: shares 1/2, 1/4, 1/4."""
    img = np.zeros((h, w, 3), np.uint8)
    img[: h // 2] = RED
    img[h // 2:, : w // 2] = BLUE
    img[h // 2:, w // 2:] = YELLOW
    return img


def assert_palette(pal, expected, shares, tol=TOL, share_tol=0.02):
    """Each expected colour within ``tol`` of one found, with its share within ``share_tol``;
    the colours sorted by share. (Colours of equal area may come in either order: the
    pixels are sampled, so their shares differ by a little.)"""
    got = [tuple(int(v) for v in c) for c in pal.colors]
    assert len(got) == len(expected), got
    assert list(pal.weights) == sorted(pal.weights, reverse=True)
    for e, s in zip(expected, shares):
        i = min(range(len(got)), key=lambda i: max(abs(a - b) for a, b in zip(got[i], e)))
        assert max(abs(a - b) for a, b in zip(got[i], e)) <= tol, (got, expected)
        assert abs(pal.weights[i] - s) <= share_tol, (pal.weights, shares)


def test_known_colours_and_shares(tmp_path):
    path = tmp_path / "three.png"
    Image.fromarray(three_colour_image()).save(path)
    pal = extract_palette(path, colors=3)
    # Shrinking to the clustering size blends the pixels along colour edges: 2/255 at most.
    assert_palette(pal, [RED, BLUE, YELLOW], [0.5, 0.25, 0.25], tol=2)
    assert pal.hex[0] == "#c82828"


def test_a_large_jpeg(tmp_path):
    path = tmp_path / "big.jpg"
    Image.fromarray(three_colour_image(4000, 6000)).save(path, quality=95)
    pal = extract_palette(path, colors=3)
    assert (pal.width, pal.height) == (6000, 4000)
    assert_palette(pal, [RED, BLUE, YELLOW], [0.5, 0.25, 0.25])


def test_transparent_pixels_are_not_counted(tmp_path):
    rgba = np.zeros((100, 100, 4), np.uint8)
    rgba[..., :3] = BLUE
    rgba[:, :30, :3] = RED
    rgba[..., 3] = 255
    rgba[:, 60:, 3] = 0  # 40 % transparent (their colour, blue, must not count)
    rgba[:, 60:, :3] = (0, 255, 0)
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    pal = extract_palette(path, colors=4)
    assert_palette(pal, [BLUE, RED], [0.5, 0.5], tol=0)


def test_greyscale_palette_png_16bit_cmyk(tmp_path):
    grey = tmp_path / "grey.png"
    g = np.zeros((50, 80), np.uint8)
    g[:, :20] = 40
    g[:, 20:] = 200
    Image.fromarray(g, "L").save(grey)
    assert_palette(extract_palette(grey, colors=2), [(200,) * 3, (40,) * 3], [0.75, 0.25], tol=0)

    pal_png = tmp_path / "pal.png"
    Image.fromarray(three_colour_image(100, 100)).convert("P", palette=Image.Palette.ADAPTIVE, colors=3).save(pal_png)
    assert_palette(extract_palette(pal_png, colors=3), [RED, BLUE, YELLOW], [0.5, 0.25, 0.25], tol=0)

    deep = tmp_path / "deep.png"
    d = np.zeros((40, 40), np.uint16)
    d[:, :10] = 65535
    d[:, 10:] = 32768
    Image.fromarray(d).save(deep)  # uint16: a 16-bit greyscale PNG
    assert Image.open(deep).mode.startswith("I")
    assert_palette(extract_palette(deep, colors=2), [(127,) * 3, (255,) * 3], [0.75, 0.25], tol=1)

    cmyk = tmp_path / "cmyk.jpg"
    Image.fromarray(three_colour_image(200, 300)).convert("CMYK").save(cmyk, quality=95)
    assert_palette(extract_palette(cmyk, colors=3), [RED, BLUE, YELLOW], [0.5, 0.25, 0.25], tol=10)


def test_exif_orientation_is_applied(tmp_path):
    """Stored 600x400 landscape with EXIF 'rotate 90': the card shows it portrait."""
    path = tmp_path / "rot.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(three_colour_image()).save(path, exif=exif, quality=95)
    out = tmp_path / "card.png"
    r = run_cli("palette", path, "--card", out, "--colors", "3", "--bar", "0.1", "--buffer", "0")
    assert r.returncode == 0, r.stderr
    card = np.asarray(Image.open(out))
    assert card.shape[1] == 400 and card.shape[0] == 600 + 2 * 60


def test_card_layout_and_table(tmp_path):
    path = tmp_path / "three.png"
    Image.fromarray(three_colour_image()).save(path)
    out, data = tmp_path / "card.png", tmp_path / "pal.tsv"
    r = run_cli("palette", path, "--card", out, "--colors", "3", "--bar", "0.1", "--buffer", "0.05",
                "--buffer-color", "#000000", "--proportional", "--data", data)
    assert r.returncode == 0, r.stderr
    card = np.asarray(Image.open(out)).astype(int)
    assert card.shape == (20 + 40 + 400 + 40 + 20, 600, 3)
    assert (card[:20] == 0).all() and (card[-20:] == 0).all()  # buffer bars
    # Proportional swatches: red over half the width, blue and yellow a quarter each (within
    # a pixel or so: shares of sampled pixels), in the palette's order.
    pal = extract_palette(path, colors=3)
    for bar in (card[20:60], card[460:500]):
        assert (bar == bar[:1]).all()
        colours, widths = runs(bar[0])
        assert colours == [tuple(int(v) for v in c) for c in pal.colors] and colours[0] == RED
        assert sorted(colours[1:]) == sorted([BLUE, YELLOW])
        assert all(abs(w - 600 * s) <= 2 for w, s in zip(widths, [0.5, 0.25, 0.25])), widths
    assert (card[60:460] == three_colour_image()).all()
    table = r.stdout.decode()
    assert "#c82828  [200, 40, 40]" in table and "50.0%" in table
    rows = data.read_text().splitlines()
    assert rows[0] == "# streamprint-palettes 2"  # the mark: streamprint wrote this file
    assert rows[1] == "image\thex\trgb\tshare" and rows[2].split("\t")[1:3] == ["#c82828", "[200, 40, 40]"]


def test_equal_swatches_by_default(tmp_path):
    path = tmp_path / "three.png"
    Image.fromarray(three_colour_image()).save(path)
    out = tmp_path / "card.png"
    assert run_cli("palette", path, "--card", out, "--colors", "3", "--bar", "0.1", "--buffer", "0").returncode == 0
    bar = np.asarray(Image.open(out)).astype(int)[:40]
    colours, widths = runs(bar[0])
    assert (bar == bar[:1]).all() and widths == [200, 200, 200]
    assert colours == [tuple(int(v) for v in c) for c in extract_palette(path, colors=3).colors]
    assert colours[0] == RED and sorted(colours[1:]) == sorted([BLUE, YELLOW])


def runs(row: np.ndarray) -> tuple[list[tuple[int, int, int]], list[int]]:
    """The colours of a row of pixels, left to right, and how many pixels each runs."""
    starts = [0] + [i for i in range(1, len(row)) if (row[i] != row[i - 1]).any()]
    return ([tuple(int(v) for v in row[i]) for i in starts],
            [b - a for a, b in zip(starts, starts[1:] + [len(row)])])


def test_several_images_one_palette_each(tmp_path):
    paths = []
    for i, colour in enumerate([RED, BLUE, YELLOW]):
        p = tmp_path / f"img{i}.png"
        Image.fromarray(np.full((30, 30, 3), colour, np.uint8)).save(p)
        paths.append(p)
    cards, data = tmp_path / "cards", tmp_path / "all.json"
    cards.mkdir()
    r = run_cli("palette", *paths, "--out-dir", cards, "--data", data)
    assert r.returncode == 0, r.stderr
    saved = json.loads(data.read_text())["palettes"]
    assert [e["colors"][0]["rgb"] for e in saved] == [list(RED), list(BLUE), list(YELLOW)]
    assert sorted(p.name for p in cards.iterdir()) == [f"img{i}.png.palette.png" for i in range(3)]
    assert r.stdout.decode().count("#") == 3


def test_not_an_image(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_text("nope")
    r = run_cli("palette", bad)
    assert r.returncode == 1 and b"not an image" in r.stderr and b"Traceback" not in r.stderr


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_numpy_kmeans_matches_scikit_learn(seed):
    from sklearn.cluster import KMeans

    rng = np.random.default_rng(seed)
    centers = rng.uniform(0, 255, (6, 3))
    X = np.concatenate([c + rng.normal(0, 12, (500, 3)) for c in centers])
    _, _, ours = kmeans(X, 6, seed=seed, n_init=3)
    theirs = KMeans(6, n_init=3, random_state=seed).fit(X).inertia_
    assert ours <= theirs * 1.02


def test_palette_is_the_same_with_or_without_a_card(tmp_path):
    """Writing a card (at any --size) must not change the palette that is printed."""
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "benchmarks"))
    import realistic

    path = tmp_path / "photo.jpg"
    realistic.paint_photo(np.random.default_rng(5), (1200, 800)).save(path, quality=90)
    printed = run_cli("palette", path).stdout.decode().splitlines()[1:]
    for size in ("400", "0"):
        r = run_cli("palette", path, "--card", tmp_path / f"card{size}.png", "--size", size)
        assert r.returncode == 0, r.stderr
        assert r.stdout.decode().splitlines()[1:] == printed


def test_nearest_is_argmin_with_first_index_on_ties():
    from streamprint.kmeans import nearest, planar

    rng = np.random.default_rng(3)
    X = rng.integers(0, 8, size=(5000, 3)).astype(np.float32)  # small ints: many exact ties
    C = rng.integers(0, 8, size=(6, 3)).astype(np.float64)
    C[4] = C[1]  # a duplicated centre: the first must win
    work: dict = {}
    for _ in range(2):  # the second call reuses the scratch buffers
        labels, dist = nearest(planar(X), C, work)
        brute = ((X[:, None, :] - C[None, :, :].astype(np.float32)) ** 2).sum(axis=2)
        assert np.array_equal(labels, brute.argmin(axis=1))
        assert np.array_equal(dist, brute.min(axis=1))


def test_a_palettes_inertia_is_the_mean_squared_distance_to_its_colours():
    """Palette.inertia is the mean squared distance of a pixel to its colour; an image's
    palette said 0.0 however noisy the image. Three colours with noise of sd 10 per channel:
    about 3 × 100 (in RGB units squared); exactly those three colours: 0."""
    rng = np.random.default_rng(0)
    clean = three_colour_image(60, 80)
    noisy = np.clip(clean + rng.normal(0, 10, clean.shape), 0, 255).astype(np.uint8)
    pal = extract_palette(noisy, colors=3).palette
    pixels = noisy.reshape(-1, 3).astype(np.float64)
    nearest = ((pixels[:, None, :] - pal.colors[None, :, :].astype(np.float64)) ** 2).sum(axis=2).min(axis=1)
    assert pal.inertia == pytest.approx(nearest.mean(), rel=0.02)
    assert 250 < pal.inertia < 320
    assert extract_palette(clean, colors=3).palette.inertia == 0.0


def _cielab(rgb) -> np.ndarray:
    """CIELAB (D65) of an 8-bit sRGB colour by the published formulas (IEC 61966-2-1's
    decoding and matrix, CIE 15's L*a*b*), written out here, apart from streamprint's."""
    c = np.asarray(rgb, np.float64) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ lin / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_inertia_is_in_the_units_its_docstring_states():
    """Palette.inertia's docstring said "the clustering space's units squared", where lab is
    CIELAB × 2.55: half black, half #0a0000 in one colour gave 13.05 in lab, where the mean
    squared ΔE76 to the centre (half-way) is 2.0. The docstring states the scaling; this holds
    the numbers to it: rgb in 8-bit levels (5² = 25), lab / 2.55² = (ΔE76 / 2)²."""
    image = np.zeros((64, 64, 3), np.uint8)
    image[:, 32:, 0] = 10
    assert extract_palette(image, colors=1).palette.inertia == pytest.approx(25.0, rel=1e-6)
    half = np.linalg.norm(_cielab((10, 0, 0)) - _cielab((0, 0, 0))) / 2
    assert extract_palette(image, colors=1, space="lab").palette.inertia / 2.55 ** 2 == pytest.approx(half ** 2, rel=1e-4)
