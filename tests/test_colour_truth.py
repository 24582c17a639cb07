"""Colours are the sRGB a viewer sees, whatever matrix and range the video was encoded with.

Known sRGB solids are turned into Y'CbCr by exact arithmetic (streamprint.synth, not
swscale), encoded losslessly, decoded through the pipeline, and compared with the truth.
Tolerance: 5/255 per channel (the 8-bit Y'CbCr round trip alone costs up to 4).
"""

from __future__ import annotations

import numpy as np
import pytest

import streamprint
from streamprint import Sampling, synth

TRUTH = [
    (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255), (255, 0, 255),
    (255, 255, 255), (0, 0, 0), (128, 128, 128), (200, 40, 40), (30, 60, 160),
    (233, 196, 160), (16, 235, 128), (250, 5, 120), (90, 40, 130),
]
TOLERANCE = 5


def _encode(tmp_path, matrix: str, full_range: bool, codec: str = "libx264"):
    path = tmp_path / f"solid-{matrix}-{'full' if full_range else 'limited'}-{codec}.mkv"
    enc = synth.Encoding(codec=codec, matrix=matrix, full_range=full_range,
                         crf=0 if codec == "libx264" else None)
    synth.encode_clip(path, synth.solid_frames(TRUTH, (64, 48)), encoding=enc)
    return path


@pytest.mark.parametrize("matrix", ["bt709", "bt601"])
@pytest.mark.parametrize("full_range", [False, True], ids=["limited", "full"])
def test_recovered_colours_match_srgb_truth(tmp_path, matrix, full_range):
    path = _encode(tmp_path, matrix, full_range)
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert fp.source.color_range == ("full" if full_range else "limited")
    got = np.array([s.palette.colors[0] for s in fp.samples], dtype=int)
    assert got.shape == (len(TRUTH), 3)
    err = np.abs(got - np.array(TRUTH))
    worst = int(err.max())
    assert worst <= TOLERANCE, f"{matrix} {full_range=}: worst channel error {worst}/255"
    # Solid frames are one colour each: the palette must not invent others.
    assert all(len(s.palette) == 1 and s.palette.weights[0] == 1.0 for s in fp.samples)


def test_wrong_matrix_would_fail_this_test(tmp_path):
    """Control: decoding BT.709 as BT.601 misses by far more than the tolerance, so the test
    above would catch a decoder that ignores the frame's colour tags."""
    import av

    path = _encode(tmp_path, "bt709", False)
    with av.open(str(path)) as c:
        frames = [f.to_ndarray(format="rgb24", src_colorspace="ITU601") for f in c.decode(video=0)]
    got = np.array([f[0, 0] for f in frames], dtype=int)
    assert np.abs(got - np.array(TRUTH)).max() >= 14


@pytest.mark.parametrize("size, matrix", [((1280, 720), "bt709"), ((640, 480), "bt601")],
                         ids=["HD-assumed-709", "SD-assumed-601"])
def test_untagged_video_follows_player_convention(tmp_path, size, matrix):
    """y4m, raw and old files often carry no matrix tag. swscale would then use BT.601 even
    for HD (17/255 off on red); like players, assume BT.709 for HD and BT.601 for SD."""
    import av

    from streamprint.source import SourceFrame

    for color in [(200, 40, 40), (30, 60, 160), (16, 235, 128)]:
        frame = synth.yuv_frame(np.full((size[1], size[0], 3), color, np.uint8), matrix)
        frame.colorspace = 2  # unspecified
        rgb = SourceFrame(0, 0.0, frame).to_rgb(64)
        assert np.abs(rgb.reshape(-1, 3).astype(int) - color).max() <= TOLERANCE
    assert isinstance(frame, av.VideoFrame)


#: (Kr, Kb) of the matrices (ITU-R BT.709-6 and BT.601-7, item 3.2 / 2.5.1).
MATRIX = {"bt709": (0.2126, 0.0722), "bt601": (0.299, 0.114)}


@pytest.mark.parametrize("size", [(320, 180), (160, 90), (64, 36)], ids=["scaled", "analysis-size", "smaller"])
@pytest.mark.parametrize("matrix", ["bt709", "bt601"])
def test_subsampled_chroma_scaled_down_is_within_a_level_of_the_formula(tmp_path, matrix, size):
    """4:2:0 frames shrunk to the analysis size (160 px), or already at it or below: each
    colour within 1/255 of what the stored 8-bit limited-range codes give by the published
    inverse (Y' = (Y - 16) / 219, Cb, Cr = (C - 128) / 224; R' = Y' + 2 (1 - Kr) Cr,
    B' = Y' + 2 (1 - Kb) Cb, G' = (Y' - Kr R' - Kb B') / Kg). libswscale's packed-RGB path
    lost up to 2 levels: white (Y 235) came out 253, blue (0, 0, 253); and a frame it did not
    scale went through its table converter, 2 levels off again (so a larger analysis size
    gave worse colours)."""
    import av

    path = tmp_path / f"solid-{matrix}.mkv"
    enc = synth.Encoding(codec="libx264", matrix=matrix, crf=0)
    synth.encode_clip(path, synth.solid_frames(TRUTH, size), encoding=enc)
    kr, kb = MATRIX[matrix]
    expected = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            assert frame.format.name == "yuv420p"
            codes = []
            for plane in frame.planes:  # the stored codes at the centre of each plane
                rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
                codes.append(int(rows[plane.height // 2, plane.width // 2]))
            expected.append(_inverse(*codes, kr, kb))
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=1)
    got = np.array([s.palette.colors[0] for s in fp.samples], dtype=int)
    assert np.abs(got - np.array(expected)).max() <= 1, (got, expected)


def _inverse(y: int, cb: int, cr: int, kr: float, kb: float) -> tuple[int, int, int]:
    yp, pb, pr = (y - 16) / 219, (cb - 128) / 224, (cr - 128) / 224
    r = yp + 2 * (1 - kr) * pr
    b = yp + 2 * (1 - kb) * pb
    g = (yp - kr * r - kb * b) / (1 - kr - kb)
    return tuple(int(round(255 * min(1.0, max(0.0, x)))) for x in (r, g, b))
