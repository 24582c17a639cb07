"""Colour tags beyond BT.601/709 in BT.709 primaries: other matrices (YCgCo, and those that
cannot be converted), SDR in BT.2020 primaries, PQ in primaries other than BT.2020.

Every clip is made here: Y'CbCr codes computed by the published formulas below from known
colours, written raw and muxed losslessly (FFV1 in Matroska, tags set by FFmpeg's
``setparams``, no conversion), 64 x 36 pixels, one frame per colour. Truth is the
colour itself or the published inverse of the stored codes, never streamprint's helpers:

- Y'CbCr (ITU-R BT.709-6 / BT.2020-2): Y' = Kr R' + Kg G' + Kb B', Cb = (B' - Y') / (2 (1 - Kb)),
  Cr = (R' - Y') / (2 (1 - Kr)); limited range D = round((219 E + 16) 2^(n-8)) for Y',
  round((224 E + 128) 2^(n-8)) for Cb, Cr; full range round((2^n - 1) E (+ 2^(n-1))).
- YCgCo (ITU-T H.273, MatrixCoefficients 8, equations 44-50): Y' = G'/2 + (R' + B')/4,
  Cg = G'/2 - (R' + B')/4, Co = (R' - B')/2, quantised like Y', Cb, Cr; inverse
  t = Y' - Cg, G' = Y' + Cg, B' = t - Co, R' = t + Co.
- Primaries (SMPTE RP 177): RGB -> XYZ from the xy chromaticities of R, G, B and D65 white;
  BT.709 (BT.709-6 1.3), BT.2020 (BT.2020-2 table 3), P3-D65 (SMPTE EG 432-1).
- BT.709 / BT.2020 OETF: V = 4.5 L below 0.018, else 1.099 L^0.45 - 0.099.
- PQ (SMPTE ST 2084 / BT.2100) inverse EOTF; sRGB (IEC 61966-2-1) EOTF.

Tolerances per channel, 8-bit codes: 1 for YCgCo against the exact inverse of its codes;
2 for SDR BT.2020 (10-bit codes, the primaries conversion and its curve in float32); 2 for
PQ against the exact decode of its 10-bit codes.
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import streamprint
from streamprint import Sampling

from . import icc
from .conftest import encode_all, run_cli

W, H = 64, 36
COLOURS = [(200, 60, 40), (37, 132, 63), (128, 128, 128), (230, 180, 150), (40, 60, 220),
           (230, 30, 30), (30, 200, 60), (20, 20, 20), (235, 235, 235)]

D65 = (0.3127, 0.3290)
XY = {"bt709": ((0.640, 0.330), (0.300, 0.600), (0.150, 0.060)),
      "bt2020": ((0.708, 0.292), (0.170, 0.797), (0.131, 0.046)),
      "smpte432": ((0.680, 0.320), (0.265, 0.690), (0.150, 0.060))}
KR_KB = {"bt709": (0.2126, 0.0722), "bt2020nc": (0.2627, 0.0593)}


def npm(xy, white=D65):
    """SMPTE RP 177 normalised primary matrix, linear RGB -> XYZ."""
    return icc.rgb_to_xyz(xy, white)


def oetf709(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin < 0.018, 4.5 * lin, 1.099 * lin ** 0.45 - 0.099)


def inverse_oetf709(v):
    v = np.clip(v, 0, 1)
    return np.where(v < 0.081, v / 4.5, ((v + 0.099) / 1.099) ** (1 / 0.45))


def srgb_eotf(c):
    c = np.asarray(c, float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def srgb_oetf(lin):
    lin = np.clip(lin, 0, 1)
    return 255 * np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


PQ = (2610 / 16384, 2523 / 4096 * 128, 3424 / 4096, 2413 / 4096 * 32, 2392 / 4096 * 32)


def pq_inverse_eotf(nits):
    m1, m2, c1, c2, c3 = PQ
    y = (np.clip(nits, 0, 10000) / 10000) ** m1
    return ((c1 + c2 * y) / (1 + c3 * y)) ** m2


def pq_eotf(v):
    m1, m2, c1, c2, c3 = PQ
    p = np.clip(v, 0, 1) ** (1 / m2)
    return 10000 * (np.maximum(p - c1, 0) / (c2 - c3 * p)) ** (1 / m1)


def rgb_from_codes(codes, matrix, bits):
    """The published inverse of limited-range ``quantise`` and ``ycbcr``."""
    kr, kb = KR_KB[matrix]
    y, cb, cr = ((np.asarray(codes, float) / 2 ** (bits - 8) - [16, 128, 128]) / [219, 224, 224]).T
    r, b = y + 2 * (1 - kr) * cr, y + 2 * (1 - kb) * cb
    return np.stack([r, (y - kr * r - kb * b) / (1 - kr - kb), b], axis=-1)


def ycbcr(rgb, matrix):
    kr, kb = KR_KB[matrix]
    y = kr * rgb[..., 0] + (1 - kr - kb) * rgb[..., 1] + kb * rgb[..., 2]
    return np.stack([y, (rgb[..., 2] - y) / (2 * (1 - kb)), (rgb[..., 0] - y) / (2 * (1 - kr))], axis=-1)


def quantise(ycc, bits, full=False):
    """Codes, clipped to n bits (H.273's Clip1: full-range Co of pure red is 255.5)."""
    if full:
        codes = ycc * (2 ** bits - 1) + np.array([0, 1, 1]) * 2 ** (bits - 1)
    else:
        codes = (ycc * np.array([219, 224, 224]) + np.array([16, 128, 128])) * 2 ** (bits - 8)
    return np.clip(np.rint(codes), 0, 2 ** bits - 1).astype(int)


#: Frame sizes: one under the analysis size (libswscale only converts), one over it (it also
#: scales, and then it expanded codes to another depth differently: white came out 254).
SIZES = pytest.mark.parametrize("size", [(W, H), (320, 180)], ids=["unscaled", "scaled"])


def clip(tmp_path, name, codes, bits, tags, size=(W, H)):
    """FFV1/Matroska, 4:4:4, one solid frame per row of ``codes`` (Y, Cb, Cr), tagged."""
    dt = np.uint8 if bits == 8 else np.dtype("<u2")
    w, h = size
    raw = b"".join(np.full((3, h, w), c[:, None, None], dt).tobytes() for c in np.asarray(codes))
    fmt = "yuv444p" if bits == 8 else f"yuv444p{bits}le"
    path = tmp_path / f"{name}.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", fmt, "-s", f"{w}x{h}",
                    "-r", "5", "-i", "-", "-vf", "setparams=" + ":".join(f"{k}={v}" for k, v in tags.items()),
                    "-c:v", "ffv1", str(path)], input=raw, check=True)
    return path


def colours_of(path):
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=1, crop="none")
    return np.array([s.palette.colors[0] for s in fp.samples], dtype=int)


@SIZES
@pytest.mark.parametrize("full", [False, True], ids=["limited", "full"])
def test_ycgco_is_decoded_by_the_h273_equations(tmp_path, full, size):
    """Within 0.51 of the exact level (float noise at .5): white is 255, not 254."""
    rgb = np.array(COLOURS + [(255, 0, 0), (0, 0, 255), (0, 255, 0), (255, 255, 255)], float) / 255
    r, g, b = rgb.T
    ycgco = np.stack([g / 2 + (r + b) / 4, g / 2 - (r + b) / 4, (r - b) / 2], axis=-1)
    codes = quantise(ycgco, 8, full)
    path = clip(tmp_path, "ycgco", codes, 8, {"colorspace": "ycgco", "range": "pc" if full else "tv"}, size)
    if full:
        y, cg, co = codes[:, 0] / 255, (codes[:, 1] - 128) / 255, (codes[:, 2] - 128) / 255
    else:
        y, cg, co = (codes[:, 0] - 16) / 219, (codes[:, 1] - 128) / 224, (codes[:, 2] - 128) / 224
    t = y - cg
    truth = np.clip(np.stack([t + co, y + cg, t - co], axis=-1), 0, 1) * 255
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())


@SIZES
@pytest.mark.parametrize("full", [False, True], ids=["limited", "full"])
def test_identity_matrix_frames_are_read_as_gbr(tmp_path, full, size):
    """H.273 MatrixCoefficients 0 (FFmpeg colorspace ``rgb``): the three 4:4:4 planes hold
    G', B', R', each quantised as luma (full D = (2^n - 1) E, limited D = 219 E + 16).
    They were read as BT.601 Y'CbCr: (200, 40, 40) came out (141, 19, 0)."""
    rgb = np.array(COLOURS + [(255, 0, 0), (0, 0, 255), (255, 255, 255)], float) / 255
    gbr = rgb[:, [1, 2, 0]]
    codes = np.rint(gbr * 255 if full else gbr * 219 + 16).astype(int)
    path = clip(tmp_path, "gbr", codes, 8, {"colorspace": "gbr", "range": "pc" if full else "tv"}, size)
    planes = codes / 255 if full else (codes - 16) / 219
    truth = np.clip(planes[:, [2, 0, 1]], 0, 1) * 255
    got = colours_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), np.round(truth, 2).tolist())


@pytest.mark.parametrize("tag, name", [("bt2020c", "BT.2020 constant luminance"), ("ictcp", "ICtCp")])
def test_matrices_that_cannot_be_converted_are_named_in_one_line(tmp_path, tag, name):
    codes = quantise(ycbcr(np.array(COLOURS[:2], float) / 255, "bt2020nc"), 8)
    path = clip(tmp_path, tag, codes, 8, {"colorspace": tag, "range": "tv"})
    with pytest.raises(streamprint.InputError, match=name):
        colours_of(path)
    done = run_cli(path, tmp_path / "out.png", "-q")
    err = done.stderr.decode()
    assert done.returncode == 1 and name in err and "bug" not in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"streamprint: error: {path}: "), err


def test_sdr_in_bt2020_primaries_is_converted_to_bt709(tmp_path):
    """sRGB codes are BT.709 R'G'B' as shown; the same colour in BT.2020: the OETF undone,
    RP 177's BT.709 -> BT.2020 matrix, the OETF again; BT.2020 NCL, 10-bit limited. A player
    that converts the primaries shows the original colour: so must streamprint."""
    colours = COLOURS + [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)]
    lin709 = inverse_oetf709(np.array(colours, float) / 255)
    lin2020 = lin709 @ np.linalg.solve(npm(XY["bt2020"]), npm(XY["bt709"])).T
    codes = quantise(ycbcr(oetf709(lin2020), "bt2020nc"), 10)
    path = clip(tmp_path, "sdr2020", codes, 10, {"colorspace": "bt2020nc", "color_primaries": "bt2020",
                                                 "color_trc": "bt2020-10", "range": "tv"})
    got = colours_of(path)
    assert np.abs(got - np.array(colours)).max() <= 2, got.tolist()


def test_sdr_p3_with_the_srgb_curve_is_read_through_that_curve(tmp_path):
    """Display P3 video is tagged P3-D65 primaries and transfer 13 (IEC 61966-2-1): it was
    linearised with the BT.709 curve, and P3 red came out (255, 36, 25), not (255, 52, 40).
    sRGB colours -> sRGB EOTF -> RP 177's BT.709 -> P3 matrix -> sRGB OETF -> BT.709 matrix,
    8-bit limited. Truth: the stored codes decoded by the inverse formulas, the same way back,
    within 1 (8-bit codes alone put a saturated colour 4 levels off the original; within 5)."""
    colours = COLOURS + [(255, 0, 0), (0, 255, 0), (255, 255, 255), (0, 0, 0), (128, 128, 128)]
    to_p3 = np.linalg.solve(npm(XY["smpte432"]), npm(XY["bt709"]))
    codes = quantise(ycbcr(srgb_oetf(srgb_eotf(np.array(colours, float)) @ to_p3.T) / 255, "bt709"), 8)
    path = clip(tmp_path, "p3srgb", codes, 8, {"colorspace": "bt709", "color_primaries": "smpte432",
                                               "color_trc": "iec61966-2-1", "range": "tv"}, (320, 180))
    decoded = np.clip(rgb_from_codes(codes, "bt709", 8), 0, 1) * 255
    lin709 = srgb_eotf(decoded) @ np.linalg.inv(to_p3).T
    assert lin709.min() > -0.01 and lin709.max() < 1.01
    truth = srgb_oetf(lin709)
    got = colours_of(path)
    assert np.abs(got - truth).max() <= 1, (got.tolist(), np.round(truth, 1).tolist())
    assert np.abs(got - np.array(colours)).max() <= 5, got.tolist()


@pytest.mark.parametrize("primaries", ["bt709", "smpte432", "bt2020"])
def test_pq_follows_its_primaries(tmp_path, primaries):
    """PQ whose colours are in BT.709 or P3-D65 primaries (the xy table above), not BT.2020:
    sRGB colour -> linear BT.709 at reference white 203 cd/m² -> the stated primaries (RP 177)
    -> PQ -> BT.709 matrix (as such streams are tagged) or BT.2020 NCL, 10-bit limited. Every
    colour is below 90 % of reference white, where the tone curve changes nothing. Truth: the
    stored codes decoded by the inverse formulas (10-bit PQ alone puts a near-zero channel
    beside bright ones 4 levels off: (30, 200, 60) decodes to 26 red), within 2; and the
    original colours within 5."""
    lin = srgb_eotf(COLOURS) @ np.linalg.solve(npm(XY[primaries]), npm(XY["bt709"])).T
    matrix = "bt2020nc" if primaries == "bt2020" else "bt709"
    codes = quantise(ycbcr(pq_inverse_eotf(lin * 203), matrix), 10)
    path = clip(tmp_path, f"pq-{primaries}", codes, 10, {"colorspace": matrix, "color_primaries": primaries,
                                                         "color_trc": "smpte2084", "range": "tv"})
    lin = pq_eotf(np.clip(rgb_from_codes(codes, matrix, 10), 0, 1)) / 203
    truth = srgb_oetf(lin @ np.linalg.solve(npm(XY["bt709"]), npm(XY[primaries])).T)
    got = colours_of(path)
    assert np.abs(got - truth).max() <= 2, (got.tolist(), np.rint(truth).tolist())
    assert np.abs(got - np.array(COLOURS)).max() <= 5, got.tolist()


# --- grey -------------------------------------------------------------------------------------
#: Grey levels as stored codes (8-bit; n bits: shifted left by n - 8); limited range (BT.601
#: / BT.709): E = (D / 2^(n-8) - 16) / 219, full range E = D / (2^n - 1); the truth is 255 E,
#: clipped, and streamprint's level must be a nearest one (within 0.51: float noise at .5).
#: (A tolerance of 1 hid 8-bit grey read one level light: 200 came out 201.)
GREYS = np.array([16, 30, 126, 200, 218, 235, 5, 250])


def _limited(codes):
    return np.clip((codes - 16) / 219, 0, 1) * 255


def _full(codes, bits=8):
    return (codes << (bits - 8)) / (2 ** bits - 1) * 255


def _greys_of(path, **kwargs):
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=1, crop="none", **kwargs)
    got = np.array([s.palette.colors[0] for s in fp.samples], dtype=int)
    assert (got == got[:, :1]).all(), got.tolist()
    return got[:, 0]


@SIZES
@pytest.mark.parametrize("fmt, bits", [("gray", 8), ("gray10le", 10)])
@pytest.mark.parametrize("rng", ["tv", "pc"])
def test_grey_video_follows_its_range(tmp_path, fmt, bits, rng, size):
    dt = np.uint8 if bits == 8 else np.dtype("<u2")
    w, h = size
    raw = b"".join(np.full((h, w), g << (bits - 8), dt).tobytes() for g in GREYS)
    path = tmp_path / f"{fmt}-{rng}.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", fmt, "-s", f"{w}x{h}", "-r", "5",
                    "-i", "-", "-vf", f"setparams=range={rng}", "-c:v", "ffv1", str(path)], input=raw, check=True)
    truth = _limited(GREYS) if rng == "tv" else _full(GREYS, bits)
    got = _greys_of(path)
    assert np.abs(got - truth).max() < 0.51, (got.tolist(), truth.tolist())


def test_y4m_mono_tagged_limited_is_limited(tmp_path):
    path = tmp_path / "mono.y4m"
    frames = b"".join(b"FRAME\n" + np.full((H, W), g, np.uint8).tobytes() for g in GREYS)
    path.write_bytes(f"YUV4MPEG2 W{W} H{H} F5:1 Ip A1:1 Cmono XCOLORRANGE=LIMITED\n".encode() + frames)
    got = _greys_of(path)
    assert np.abs(got - _limited(GREYS)).max() < 0.51, got.tolist()


def test_raw_float_grey_is_full_range(tmp_path):
    """Float pixel formats are full range: E is the stored value, truth round(255 E)."""
    levels = np.array([0, 37, 128, 200, 255]) / 255
    path = tmp_path / "grey.raw"
    path.write_bytes(b"".join(np.full((H, W), e, "<f4").tobytes() for e in levels))
    got = _greys_of(path, format="rawvideo",
                    demuxer_options={"video_size": f"{W}x{H}", "pixel_format": "grayf32le", "framerate": "5"})
    assert np.abs(got - levels * 255).max() < 0.51, got.tolist()


def _png_mov(path, frames, fmt, **tags):
    """PNG frames in MOV, written by PyAV, the stream and each frame tagged ``tags``
    (color_primaries, color_trc: H.273 codes)."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("png", rate=5)
        stream.width, stream.height, stream.pix_fmt = frames[0].width, frames[0].height, fmt
        for k, v in tags.items():
            setattr(stream.codec_context, k, v)
            for frame in frames:
                setattr(frame, k, v)
        encode_all(out, stream, frames)
    return path


def test_paletted_frames_in_bt2020_primaries_are_converted(tmp_path):
    """A paletted PNG tagged BT.2020 primaries (PyAV does not call pal8 RGB): refused as
    "cannot convert colorspace 0", or read as Y'CbCr. Its palette's R'G'B' are converted as
    an RGB frame's: BT.709 OETF undone, RP 177's BT.2020 -> BT.709 matrix, the OETF again
    (in-gamut colours only, within 1 level)."""
    import av

    colours = [(180, 150, 140), (120, 140, 130), (128, 128, 128)]
    frames = []
    for rgb in colours:
        frame = av.VideoFrame(320, 180, "pal8")
        frame.planes[0].update(bytes(frame.planes[0].buffer_size))
        palette = np.zeros((256, 4), np.uint8)
        palette[0] = [rgb[2], rgb[1], rgb[0], 255]  # PyAV's palette is BGRA
        frame.planes[1].update(palette.tobytes())
        frames.append(frame)
    path = _png_mov(tmp_path / "pal8.mov", frames, "pal8", color_primaries=9, color_trc=1)
    lin = inverse_oetf709(np.array(colours) / 255) @ np.linalg.solve(npm(XY["bt709"]), npm(XY["bt2020"])).T
    assert lin.min() >= 0 and lin.max() <= 1
    truth = oetf709(lin) * 255
    got = colours_of(path)
    assert np.abs(got - truth).max() <= 1, (got.tolist(), np.round(truth, 1).tolist())


def test_a_grey_png_tagged_pq_is_tone_mapped(tmp_path):
    """PNG grey frames carry matrix 0 (they have none); that was taken for a matrix the
    float path cannot undo, and a PQ-tagged grey movie was shown as plain levels. Levels
    below the highlight knee: PQ EOTF (ST 2084), / 203 cd/m² (BT.2408), the sRGB curve."""
    import av

    levels = [60, 100, 120]  # 3.0, 23.2 and 50.7 cd/m²
    frames = [av.VideoFrame.from_ndarray(np.full((180, 320), v, np.uint8), format="gray") for v in levels]
    path = _png_mov(tmp_path / "grey-pq.mov", frames, "gray", color_primaries=9, color_trc=16)
    nits = pq_eotf(np.array(levels) / 255)
    assert nits.max() < 0.9 * 203
    truth = srgb_oetf(nits / 203)
    got = colours_of(path)
    assert (got == got[:, :1]).all() and np.abs(got[:, 0] - truth).max() <= 1, (got.tolist(), truth.tolist())


def test_the_data_records_the_colour_tags_the_frames_state(tmp_path):
    """An H.264 stream whose VUI says BT.601 (smpte170m) limited range, in a Matroska file
    whose own tags say BT.709 full range: the frames are BT.601 limited (FFmpeg's decoder
    and ffprobe say so, and its colours were read so), but the data recorded the container's
    tags, read before any frame."""
    raw = np.full((H, W, 3), (200, 40, 40), np.uint8).tobytes() * 2
    h264, mkv = tmp_path / "vui601.h264", tmp_path / "tagged709.mkv"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}", "-r", "5",
                    "-i", "-", "-vf", "scale=out_color_matrix=bt601:out_range=tv,format=yuv420p", "-c:v", "libx264",
                    "-qp", "0", "-colorspace", "smpte170m", "-color_primaries", "smpte170m", "-color_trc", "smpte170m",
                    "-color_range", "tv", "-f", "h264", str(h264)], input=raw, check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-r", "5", "-i", str(h264), "-c", "copy", "-colorspace", "bt709",
                    "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "pc", str(mkv)], check=True)
    shown = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                            "stream=color_space,color_range,color_transfer", "-of", "csv=p=0", str(mkv)],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert shown.split(",") == ["tv", "smpte170m", "smpte170m"]
    fp = streamprint.fingerprint(mkv, sampling=Sampling.every(1), colors=1, crop="none")
    assert (fp.source.colorspace, fp.source.color_range, fp.source.color_transfer) == \
        ("SMPTE170M", "limited", "SMPTE170M")
