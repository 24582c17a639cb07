"""``--crop auto`` leaves out letterbox and pillarbox bars, which come in pairs, and nothing else:
a dark band at one edge of the picture is picture, and keeps its share of the frame."""

from __future__ import annotations

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth
from streamprint.color.letterbox import BAR_LEVEL, crop_letterbox

#: Lossless 4:4:4 H.264: an encoded colour comes back within a level or two of the drawn one.
LOSSLESS = synth.Encoding(crf=0, chroma="444")


def palettes(path, colors, **kwargs):
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=colors, **kwargs)
    return [s.palette for s in fp.samples]


def share_of(palette, rgb, tol=3):
    """The weight of ``palette``'s colours within ``tol`` levels of ``rgb``."""
    near = np.abs(palette.colors.astype(int) - np.array(rgb)).max(axis=1) <= tol
    return float(palette.weights[near].sum())


def one_sided(tmp_path, name, img, parts, colors=3, tol=0.005, **kwargs):
    """``img`` encoded and fingerprinted with ``--crop auto``: each (colour, area in pixels) of
    ``parts`` keeps its area's share of the frame, within ``tol``."""
    path = tmp_path / f"{name}.mkv"
    synth.encode_clip(path, [img] * 2, encoding=LOSSLESS)
    pal = palettes(path, colors, **kwargs)[0]
    area = img.shape[0] * img.shape[1]
    for rgb, pixels in parts:
        assert abs(share_of(pal, rgb) - pixels / area) <= tol, (rgb, pal.colors.tolist(), pal.weights.tolist())


def test_a_dark_ground_is_picture(tmp_path):
    """A blue sky over dark ground (the lower 216 of 360 rows): the ground, touching the bottom
    edge alone, was cut away as a bar and the frame came out all sky. The truth is the drawn
    box's area, 640 x 216 of 640 x 360 = 0.6 (the analysis frame's 54 of 90 rows exactly)."""
    sky, ground = (0x3C, 0x50, 0x8C), (0x0C, 0x0E, 0x12)
    img = np.empty((360, 640, 3), np.uint8)
    img[:] = sky
    img[144:] = ground
    one_sided(tmp_path, "night", img, [(ground, 640 * 216), (sky, 640 * 144)])


def test_a_dark_room_beside_a_lit_wall_is_picture(tmp_path):
    """A dark room with a lamp-lit wall on its right 37.5 %: the room (the left 400 of 640
    columns) was cut away as a pillarbox bar and the frame came out all wall."""
    room, wall = (14, 12, 10), (176, 128, 80)
    img = np.empty((360, 640, 3), np.uint8)
    img[:] = room
    img[:, 400:] = wall
    one_sided(tmp_path, "lamp", img, [(room, 360 * 400), (wall, 360 * 240)])


def test_a_dark_edge_column_is_picture(tmp_path):
    """Black and white 1-px stripes, black first, over 1920 columns, at full resolution: the
    first column (black, the last is white) was cut as a bar, for shares 959/1919 and
    960/1919 (0.49974, 0.50026) where there are 960 of each: exactly half. (72 rows, not
    1080: the columns are what is judged.)"""
    img = np.zeros((72, 1920, 3), np.uint8)
    img[:, 1::2] = 255
    path = tmp_path / "stripes.mkv"
    synth.encode_clip(path, [img], encoding=LOSSLESS)
    pal = palettes(path, 2, analysis_size=1920)[0]
    assert share_of(pal, (0, 0, 0), 0) == pytest.approx(0.5, abs=1e-6)
    assert share_of(pal, (255, 255, 255), 0) == pytest.approx(0.5, abs=1e-6)


#: A 1920 x 1080 frame's bars (top, bottom, left, right) in pixels: letterboxes of a 2.39:1
#: picture (802 rows: 139/139; 800 rows: 140/140; odd placements 138/140 and 139/141), 4:3
#: pillarboxes (1440 columns: 240/240; 238/242) and a windowbox (all four).
BARS = [(139, 139, 0, 0), (140, 140, 0, 0), (138, 140, 0, 0), (139, 141, 0, 0),
        (0, 0, 240, 240), (0, 0, 238, 242), (60, 60, 120, 120)]
LEFT, RIGHT = (200, 60, 50), (40, 150, 200)


def barred(top, bottom, left, right):
    """Black bars around a picture whose left third is :data:`LEFT` and the rest :data:`RIGHT`."""
    img = np.zeros((1080, 1920, 3), np.uint8)
    width = 1920 - left - right
    img[top:1080 - bottom, left:left + width // 3] = LEFT
    img[top:1080 - bottom, left + width // 3:1920 - right] = RIGHT
    return img


def test_bars_in_pairs_are_left_out(tmp_path):
    """Letterboxed, pillarboxed and windowboxed 1080p frames, at the default analysis size
    (160 x 90: 138-141 px bars are 11.5-11.75 analysis rows): no bar black is clustered, the
    picture's colours are 0.95 of the weight or more (the analysis row or column half bar,
    half picture at each bar's inner edge is a dark mix, above :data:`BAR_LEVEL`: 2 of 68
    rows, 0.03), and its left third keeps its share of them within 0.01."""
    path = tmp_path / "bars.mkv"
    synth.encode_clip(path, [barred(*b) for b in BARS], encoding=LOSSLESS)
    for bars, pal in zip(BARS, palettes(path, 3), strict=True):
        seen = bars, pal.colors.tolist(), pal.weights.tolist()
        assert not (pal.colors.max(axis=1) < BAR_LEVEL).any(), seen
        left, right = share_of(pal, LEFT), share_of(pal, RIGHT)
        assert left + right >= 0.95, seen
        assert abs(left / (left + right) - 1 / 3) <= 0.01, seen


def frame(h, w, top=0, bottom=0, left=0, right=0, picture=(90, 120, 60)):
    img = np.zeros((h, w, 3), np.uint8)
    img[top:h - bottom, left:w - right] = picture
    return img


@pytest.mark.parametrize(("bars", "kept"), [
    ((138, 140, 0, 0), (802, 1920)),      # a 2.39:1 picture 2 px off centre: each bar by its own depth
    ((120, 141, 0, 0), (819, 1920)),      # 21 px apart: within 2 % of 1080 (21.6)
    ((120, 143, 0, 0), (840, 1920)),      # 23 px apart: bars and dark picture, their shared 120 cut
    ((0, 0, 238, 242), (1080, 1440)),     # a pillarbox 4 px off centre
    ((0, 300, 0, 0), (1080, 1920)),       # one dark edge: picture
    ((0, 0, 1, 0), (1080, 1920)),         # one dark column: picture
])
def test_full_size_pairs(bars, kept):
    """At full size the tolerance is 2 % of the smaller side (21.6 of 1080 px)."""
    assert crop_letterbox(frame(1080, 1920, *bars)).shape[:2] == kept


@pytest.mark.parametrize(("bars", "kept"), [
    ((11, 12, 0, 0), (67, 160)),          # 138/140 px bars of a 1080p frame, downscaled
    ((10, 12, 0, 0), (68, 160)),          # 2 analysis px apart: still a pair
    ((10, 13, 0, 0), (70, 160)),          # 3 apart: not; their shared 10 rows are cut
    ((0, 20, 0, 0), (90, 160)),           # the bottom alone
    ((5, 5, 10, 10), (80, 140)),          # windowbox
    ((5, 5, 10, 0), (80, 160)),           # letterbox and one dark column of picture
])
def test_analysis_size_pairs(bars, kept):
    """At the default analysis size (160 x 90) the tolerance is the 2-px floor."""
    assert crop_letterbox(frame(90, 160, *bars)).shape[:2] == kept


def test_mostly_dark_and_rgba_frames():
    """Bars that would leave under a quarter of the frame are a dark scene's; RGBA is judged
    by its colours and cropped with its alpha."""
    assert crop_letterbox(frame(90, 160, 34, 34)).shape[:2] == (90, 160)   # 22 of 90 left
    assert crop_letterbox(frame(90, 160, 33, 34)).shape[:2] == (23, 160)   # 23 of 90 (over 22.5)
    rgba = np.zeros((90, 160, 4), np.uint8)
    rgba[..., 3] = 255
    rgba[11:79, :, :3] = (90, 120, 60)
    assert crop_letterbox(rgba).shape == (68, 160, 4)


def test_a_letterboxed_shot_dark_along_one_bar_loses_the_bars_alone():
    """A 2.39:1 picture (140-px bars in 1080 rows) whose top quarter is a night sky under
    the level of bars: the dark bands are 340 and 140 rows deep, no pair by their depths. Both
    were kept, a quarter of the frame clustered as black; now their shared depth, the bars'
    140, is cut from each, and the picture is left whole: 800 rows, the sky's 200 in it."""
    sky = (10, 12, 18)
    img = frame(1080, 1920, 140, 140)
    img[140:340] = sky
    kept = crop_letterbox(img)
    assert kept.shape[:2] == (800, 1920)
    assert (kept[:200] == sky).all() and (kept[200:] == (90, 120, 60)).all()
    # a subtitle in the lower bar (rows 1000-1019) leaves 60 dark rows under it: 60 are cut
    # from each side, the rest of the bars kept (no picture is lost)
    img = frame(1080, 1920, 140, 140)
    img[1000:1020, 800:1100] = 235
    kept = crop_letterbox(img)
    assert kept.shape[:2] == (960, 1920) and (kept[80:880] == (90, 120, 60)).all()
