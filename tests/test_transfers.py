"""SDR video in a transfer other than BT.709's is decoded to light by its own curve and shown
through the sRGB curve, not shown as if its values were sRGB.

Linear-light video (an OpenEXR sequence in MOV, FFV1 of linear RGB) came out as its values:
an 18 % grey as 47 where an sRGB display shows it at 118. Every clip is made here, its codes
computed from known light by the published curves below and muxed losslessly (FFV1 in
Matroska by FFmpeg or PyAV, EXR in MOV by PyAV), tagged with its transfer. Truth is computed
from the stored codes by the published formulas, never by streamprint's helpers:

- ITU-T H.273 Table 3 (signal V, light L, both 0-1): 4, gamma 2.2: V = L^(1/2.2); 5, gamma
  2.8: V = L^(1/2.8); 7, SMPTE 240M: V = 4 L below 0.0228, else 1.1115 L^0.45 - 0.1115;
  8, linear: V = L; 9, log 100:1: V = 1 + log10(L) / 2; 10, log 316:1: V = 1 + log10(L) / 2.5;
  17, SMPTE ST 428-1: V = (48 L / 52.37)^(1/2.6);
- the sRGB curve (IEC 61966-2-1): 12.92 L up to 0.0031308, else 1.055 L^(1/2.4) - 0.055;
- the BT.709 OETF (ITU-R BT.709-6): 4.5 L below 0.018, else 1.099 L^0.45 - 0.099;
- limited-range 8-bit Y'CbCr (BT.601: Kr 0.299, Kb 0.114): E'Y = (D - 16) / 219,
  E'Cb, E'Cr = (D - 128) / 224, R' = Y' + 1.402 Cr, B' = Y' + 1.772 Cb,
  G' = (Y' - Kr R' - Kb B') / (1 - Kr - Kb).

Tolerance: the nearest level, within 0.51 of the truth (float32 arithmetic on exact codes).
"""

from __future__ import annotations

import logging
import subprocess

import numpy as np
import pytest

from .conftest import encode_all
from .test_colour_tags import clip, colours_of

W, H = 64, 36
#: Linear light, R, G, B: an 18 % grey, the report's (0.5, 0.2, 0.05), near black, white.
LIGHT = np.array([(0.18, 0.18, 0.18), (0.5, 0.2, 0.05), (0.002, 0.01, 0.9), (0.03, 0.3, 0.7),
                  (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)])


def srgb(light):
    light = np.clip(light, 0, 1)
    return 255 * np.where(light <= 0.0031308, 12.92 * light, 1.055 * light ** (1 / 2.4) - 0.055)


def oetf709(light):
    light = np.clip(light, 0, 1)
    return np.where(light < 0.018, 4.5 * light, 1.099 * light ** 0.45 - 0.099)


def oetf240m(light):
    return np.where(light < 0.0228, 4 * light, 1.1115 * light ** 0.45 - 0.1115)


def inverse_oetf240m(v):
    return np.where(v < 4 * 0.0228, v / 4, ((v + 0.1115) / 1.1115) ** (1 / 0.45))


def rgb16_clip(tmp_path, name, signal, trc):
    """FFV1/Matroska by FFmpeg, gbrp16le, one solid frame per row of ``signal`` (R', G', B'
    0-1, quantised to D = round(65535 V)), tagged ``trc``; and the codes' own V."""
    codes = np.rint(np.clip(signal, 0, 1) * 65535).astype(int)
    raw = b"".join(np.full((3, H, W), c[[1, 2, 0]][:, None, None], "<u2").tobytes() for c in codes)  # G, B, R
    path = tmp_path / f"{name}.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "gbrp16le", "-s", f"{W}x{H}",
                    "-r", "5", "-i", "-", "-c:v", "ffv1", "-color_trc", trc, "-colorspace", "rgb", str(path)],
                   input=raw, check=True)
    return path, codes / 65535


def float_clip(path, light, codec):
    """gbrpf32le frames of ``light``, by PyAV: FFV1 (its float coding needs level 4, which
    FFmpeg calls experimental) tagged linear, or OpenEXR in MOV, whose decoder tags its
    frames linear itself (as an EXR sequence remuxed to MOV)."""
    import av

    options = {"level": "4", "strict": "-2"} if codec == "ffv1" else {}
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=5, options=options)
        stream.width, stream.height, stream.pix_fmt = W, H, "gbrpf32le"
        if codec == "ffv1":
            stream.codec_context.color_trc = 8
        frames = []
        for rgb in np.asarray(light, np.float32):
            frame = av.VideoFrame(W, H, "gbrpf32le")
            for plane, value in zip(frame.planes, rgb[[1, 2, 0]], strict=True):  # G, B, R
                plane.update(np.full(plane.buffer_size // 4, value, "<f4").tobytes())
            if codec == "ffv1":
                frame.color_trc = 8
            frames.append(frame)
        encode_all(out, stream, frames)
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        assert (frame.format.name, int(frame.color_trc)) == ("gbrpf32le", 8)
    return path


def test_linear_light_is_shown_through_the_srgb_curve(tmp_path, caplog):
    """FFV1 gbrp16le tagged linear (H.273 8): 18 % grey 118, (0.5, 0.2, 0.05) (188, 124, 63);
    no warning (a transfer streamprint decodes)."""
    path, light = rgb16_clip(tmp_path, "linear", LIGHT, "linear")
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        got = colours_of(path)
    truth = srgb(light)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())
    assert got[0].tolist() == [118] * 3 and got[1].tolist() == [188, 124, 63]
    assert not caplog.records, [r.getMessage() for r in caplog.records]


@pytest.mark.parametrize("codec, suffix", [("ffv1", "mkv"), ("exr", "mov")])
def test_float_linear_light_is_shown_through_the_srgb_curve(tmp_path, codec, suffix):
    """Float RGB (gbrpf32le), linear: the stored values are the light itself."""
    path = float_clip(tmp_path / f"linear.{suffix}", LIGHT, codec)
    light = LIGHT.astype(np.float32).astype(float)
    got = colours_of(path)
    assert np.abs(got - srgb(light)).max() < 0.51, (got.tolist(), np.round(srgb(light), 2).tolist())


def _ycbcr601(rgb):
    """8-bit limited-range 4:4:4 BT.601 codes of R'G'B' 0-1, and the R'G'B' those codes hold."""
    kr, kb = 0.299, 0.114
    y = rgb @ [kr, 1 - kr - kb, kb]
    ycc = np.stack([y, (rgb[:, 2] - y) / (2 * (1 - kb)), (rgb[:, 0] - y) / (2 * (1 - kr))], axis=-1)
    codes = np.clip(np.rint(ycc * [219, 224, 224] + [16, 128, 128]), 0, 255).astype(int)
    yp, cb, cr = ((codes - [16, 128, 128]) / [219, 224, 224]).T
    r, b = yp + 2 * (1 - kr) * cr, yp + 2 * (1 - kb) * cb
    held = np.stack([r, (yp - kr * r - kb * b) / (1 - kr - kb), b], axis=-1)
    return codes, np.clip(held, 0, 1)


def test_display_gamma_2_2_is_decoded(tmp_path):
    """BT.470 System M (H.273 4: assumed display gamma 2.2), 8-bit BT.601 Y'CbCr, limited
    range, scaled to the analysis size: the light L = V^2.2 of the signal the codes hold,
    through the sRGB curve."""
    signal = LIGHT ** (1 / 2.2)
    codes, held = _ycbcr601(signal)
    path = clip(tmp_path, "bt470m", codes, 8, {"colorspace": "smpte170m", "color_trc": "bt470m", "range": "tv"},
                (320, 180))
    truth = srgb(held ** 2.2)
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())


def test_pal_tagged_gamma_2_8_is_shown_as_bt601_video(tmp_path):
    """BT.470 System B, G (H.273 5, "assumed display gamma 2.8"), the tag PAL DVDs carry: its
    signal is shown as it is, as BT.601 (smpte170m) video is and as players show PAL, not
    decoded as V^2.8 (a 0.5 signal would come out 106, not 128). The truth: the signal the
    codes hold, in 8-bit, and the same clip tagged smpte170m."""
    codes, held = _ycbcr601(LIGHT ** (1 / 2.8))
    tags = {"colorspace": "smpte170m", "color_trc": "bt470bg", "range": "tv"}
    got = colours_of(clip(tmp_path, "bt470bg", codes, 8, tags, (320, 180)))
    assert np.abs(got - held * 255).max() < 0.51, (got.tolist(), np.round(held * 255, 2).tolist())
    same = colours_of(clip(tmp_path, "smpte170m", codes, 8, {**tags, "color_trc": "smpte170m"}, (320, 180)))
    assert np.array_equal(got, same)


@pytest.mark.parametrize("trc", ["log100", "log316", "smpte428"])
def test_logarithmic_and_st428_curves_are_decoded(tmp_path, trc):
    """H.273 9 and 10 (V = 0 stands for all the light below the curve's end: black) and 17,
    SMPTE ST 428-1 (light relative to 48 cd/m², white 52.37 / 48: clipped to SDR white)."""
    light = LIGHT[:-1]  # (0 has no logarithm)
    if trc == "smpte428":
        signal = (48 * light / 52.37) ** (1 / 2.6)
    else:
        decades = 2 if trc == "log100" else 2.5
        signal = np.maximum(1 + np.log10(light) / decades, 0)
    path, v = rgb16_clip(tmp_path, trc, signal, trc)
    if trc == "smpte428":
        back = 52.37 / 48 * v ** 2.6
    else:
        back = np.where(v > 0, 10 ** (decades * (v - 1)), 0)
    truth = srgb(back)
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())


def test_smpte240m_is_shown_as_the_same_light_in_bt709(tmp_path):
    """SMPTE 240M (H.273 7), a camera curve a display shows as it shows BT.709's: its light,
    encoded again by the BT.709 OETF, is shown as a BT.709 signal is. The same light tagged
    BT.709 comes out within a level of it (not 14 levels brighter, as through the sRGB
    curve)."""
    path, v = rgb16_clip(tmp_path, "smpte240m", oetf240m(LIGHT), "smpte240m")
    truth = 255 * oetf709(inverse_oetf240m(v))
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())
    as709, _ = rgb16_clip(tmp_path, "bt709", oetf709(LIGHT), "bt709")
    assert np.abs(got - colours_of(as709)).max() <= 1


def test_bt709_and_its_twins_are_shown_as_they_are(tmp_path):
    """Ordinary 8-bit BT.709 video keeps the path it had: the same codes tagged BT.709, BT.601,
    BT.2020, the sRGB curve, unspecified, IEC 61966-2-4 (xvYCC) or BT.1361 (the BT.709 curve
    within 0-1, theirs extended only beyond it) come out alike, as their codes' R'G'B' (within
    a level, as libswscale's 8-bit path gives them)."""
    codes, held = _ycbcr601(LIGHT ** (1 / 2.2))
    got = {trc: colours_of(clip(tmp_path, trc, codes, 8, {"colorspace": "smpte170m", "color_trc": trc,
                                                           "range": "tv"}, (320, 180)))
           for trc in ["bt709", "smpte170m", "bt2020-10", "iec61966-2-1", "unknown", "iec61966-2-4", "bt1361e"]}
    for trc, colours in got.items():
        assert colours.tolist() == got["bt709"].tolist(), trc
    assert np.abs(got["bt709"] - held * 255).max() <= 1


def test_a_transfer_it_cannot_decode_is_warned_of_once(tmp_path, caplog):
    """AV1 whose sequence header says transfer 3 (reserved in H.273; FFmpeg's AV1 decoder
    passes it on, where other decoders make it unspecified): shown as it is, as if sRGB, with
    one warning for the movie (there was none, even with -v)."""
    path = tmp_path / "reserved.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c=0x808080:s={W}x{H}:d=1:r=5",
                    "-pix_fmt", "yuv420p", "-c:v", "libaom-av1", "-cpu-used", "8", "-crf", "10", "-color_trc", "3",
                    str(path)], check=True)
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        got = colours_of(path)
    said = [r.getMessage() for r in caplog.records]
    assert len(got) == 5 and np.abs(got - 128).max() <= 1, got.tolist()
    assert len(said) == 1 and "H.273 code 3" in said[0] and "as if they were sRGB" in said[0], said
