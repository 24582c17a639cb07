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
