"""Transparent pixels are no colour of a frame (README, *Old and odd collections*). The truth is
the colours the ``ffmpeg`` command was asked to paint, never streamprint itself.

- WebM with alpha (VP8/VP9): FFmpeg's own vp8 and vp9 decoders ignore the alpha Matroska
  carries beside each frame (BlockAdditional), so a fully transparent background counted as
  colour; libvpx's decoders read it (``source/codecs.py``).
- The analysis image of a frame with alpha is scaled alpha-weighted (premultiplied): scaled
  straight, an edge pixel two thirds over an opaque red and one third over a transparent
  pixel hiding blue came out (170, 0, 85), and was counted (``color/alpha.py``).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from pathlib import Path
from unittest import mock

import av
import numpy as np
import pytest

import streamprint
from streamprint import Sampling
from streamprint.source import codecs

FFMPEG, FFPROBE = shutil.which("ffmpeg"), shutil.which("ffprobe")
pytestmark = pytest.mark.skipif(FFMPEG is None or FFPROBE is None, reason="needs the ffmpeg/ffprobe commands")

#: 8-bit levels an opaque colour may move through yuva420p (limited range, BT.601) and back:
#: lossless VP9 gives red as (253, 0, 0); VP8 at CRF 4 within a level of that.
LEVELS = 3

#: (FFmpeg encoder, its options) per codec: VP9 lossless (its alpha too), VP8 near it.
VPX = {"vp9": ("libvpx-vp9", ("-lossless", "1")), "vp8": ("libvpx", ("-crf", "4", "-b:v", "20M"))}


def _alpha_webm(path: Path, codec: str, size: tuple[int, int], box: tuple[int, int, int, int],
                color: str, frames: int = 10, gop: int = 4, hidden: str = "0x00ff00") -> Path:
    """A WebM of ``frames`` frames at 10 fps: an opaque ``color`` box (x, y, width, height, even)
    over a fully transparent ``hidden`` colour (pure green), drawn in yuva420p (the box's chroma
    untouched by any scaling), keyframes every ``gop`` frames."""
    encoder, options = VPX[codec]
    w, h = size
    x, y, bw, bh = box
    graph = (f"color=c={hidden}@0.0:s={w}x{h}:r=10:d={frames / 10},format=yuva420p[bg];"
             f"color=c={color}:s={bw}x{bh}:r=10:d={frames / 10},format=yuva420p[fg];"
             f"[bg][fg]overlay={x}:{y}:format=yuv420,format=yuva420p")
    done = subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", graph, "-c:v", encoder, *options,
                           "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", "-g", str(gop), str(path)],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.skip(f"this ffmpeg's {encoder} cannot encode alpha: {done.stderr.strip()[-200:]}")
    tags = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries", "stream_tags=alpha_mode",
                           "-of", "csv=p=0", str(path)], capture_output=True, text=True, check=True).stdout.strip()
    assert tags == "1", f"{encoder} wrote no alpha track ({tags!r})"
    return path


def _keyframe_times(path: Path) -> list[float]:
    """ffprobe's key_frame flags: the times of the frames it decodes as keyframes."""
    out = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=key_frame,best_effort_timestamp_time", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return [float(f["best_effort_timestamp_time"]) for f in json.loads(out)["frames"] if int(f["key_frame"])]


def _far(fp: streamprint.Fingerprint, truth: tuple[int, int, int]) -> list:
    """Each colour of each sample, and of the movie's palette, with a share, further than
    :data:`LEVELS` from ``truth`` in any channel."""
    palettes = [*fp.palettes, fp.movie_palette]
    return [(tuple(int(v) for v in c), round(float(w), 3)) for p in palettes for c, w in zip(p.colors, p.weights)
            if w > 0 and np.abs(np.asarray(c, int) - truth).max() > LEVELS]


@pytest.mark.parametrize("codec", sorted(VPX))
def test_a_transparent_webm_background_is_no_colour(tmp_path, codec, caplog):
    """An opaque red box (a quarter of the frame) on a fully transparent green: every colour
    of every column, and of the movie's palette, is red within :data:`LEVELS` (green got
    three quarters of each column); likewise keyframes only (``--fast``), which shows
    exactly the frames ffprobe flags as keyframes."""
    path = _alpha_webm(tmp_path / f"{codec}.webm", codec, (64, 48), (16, 12, 32, 24), "red")
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert len(fp) == 10
    assert not _far(fp, (255, 0, 0))
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        fast = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=3)
    assert np.allclose(fast.times, _keyframe_times(path), atol=1e-3) and len(fast) == 3
    assert not _far(fast, (255, 0, 0))
    assert not caplog.records  # forced keyframes (-g): the alpha's fall on the same frames


def test_vp8_with_alpha_is_read_as_bt601_at_hd_size(tmp_path):
    """libvpx's VP8 decoder tags no matrix, and a 1280 x 720 frame without one is read as
    BT.709; VP8's is BT.601 (RFC 6386, section 9.2), as FFmpeg's own vp8 decoder tags it. The
    box #2080c0 came out (23, 123, 196). (Box edges on multiples of 8, the downscale to the
    160 x 90 analysis image: no analysis pixel is partly covered.)"""
    path = _alpha_webm(tmp_path / "hd.webm", "vp8", (1280, 720), (320, 176, 640, 368), "0x2080c0", frames=3)
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert not _far(fp, (32, 128, 192))


def _cut_webm(path: Path) -> Path:
    """A 2-s VP8 WebM with alpha cut to white at 1 s: libvpx encodes the alpha with an encoder
    of its own, which need not place a keyframe at the colour's scene cut, and this one does
    not (else the test is skipped). Whether an alpha frame is a keyframe: FFmpeg's own vp8
    decoder, fresh, decodes it alone or refuses it."""
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=red@0.0:s=160x120:d=2:r=10,format=yuva420p[bg];"
                    "testsrc2=s=80x60:d=2:r=10,format=yuva420p[fg];[bg][fg]overlay=40:30:format=yuv420,"
                    "format=yuva420p,drawbox=enable='gte(t,1)':c=white:t=fill", "-c:v", "libvpx",
                    "-pix_fmt", "yuva420p", "-auto-alt-ref", "0", "-g", "1000", str(path)],
                   check=True, capture_output=True, timeout=120)
    assert _keyframe_times(path) == [0.0, 1.0]
    with av.open(str(path)) as container:
        keys = [p for p in container.demux(container.streams.video[0]) if p.size and p.is_keyframe]
    alone = []
    for packet in keys:
        try:
            payload = bytes(packet.get_sidedata("matroska_block_additional"))[8:]  # after BlockAddID
            alone.append(bool(av.CodecContext.create("vp8", "r").decode(av.Packet(payload))))
        except av.error.InvalidDataError:
            alone.append(False)
    if alone != [True, False]:
        pytest.skip(f"this libvpx placed the alpha's keyframes elsewhere ({alone})")
    return path


def test_keyframes_only_warns_of_a_keyframe_whose_alpha_is_not_one(tmp_path, caplog):
    """Keyframes only, the cut's keyframe's alpha is decoded from the wrong references, and a
    warning says so."""
    path = _cut_webm(tmp_path / "cut.webm")
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        streamprint.fingerprint(path, sampling=Sampling.every(1))
    assert not caplog.records
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        fast = streamprint.fingerprint(path, sampling=Sampling.keyframes())
    assert len(fast) == 2
    assert [r.getMessage().split(" carries")[0] for r in caplog.records] == [
        f"{path}: keyframes only: the keyframe at 1.000 s"]


def test_only_a_track_with_alpha_leaves_ffmpegs_own_decoder(tmp_path):
    """libvpx decodes a VP8/VP9 WebM track tagged with alpha, FFmpeg's own (faster, frame
    threads) any other; a thread count given reaches the decoder either way."""
    alpha = _alpha_webm(tmp_path / "alpha.webm", "vp9", (64, 48), (16, 12, 32, 24), "red", frames=2)
    opaque = tmp_path / "opaque.webm"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=64x48:r=10:d=0.2",
                    "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", str(opaque)], check=True, capture_output=True)
    for path, expected in ((alpha, "libvpx-vp9"), (opaque, "vp9")):
        with av.open(str(path)) as container:
            ctx, rules = codecs.open_decoder(container.streams.video[0], keyframes_only=False, threads=3)
            assert (ctx.codec.name, ctx.thread_count) == (expected, 3)
            assert rules == codecs.rules_for(expected)


def test_an_ffmpeg_without_libvpx_says_the_alpha_is_ignored(tmp_path, caplog):
    """Without libvpx's decoder FFmpeg's own decodes the track, and a warning says its
    transparent pixels count as colour."""
    path = _alpha_webm(tmp_path / "alpha.webm", "vp9", (64, 48), (16, 12, 32, 24), "red", frames=2)
    with av.open(str(path)) as container, mock.patch.object(codecs.av, "codecs_available", frozenset()), \
            caplog.at_level(logging.WARNING, logger="streamprint"):
        assert codecs.decoder_for(container.streams.video[0], "alpha.webm").codec.name == "vp9"
    assert [r.getMessage().split(" (")[0] for r in caplog.records] == [
        "alpha.webm: this FFmpeg has no libvpx-vp9 decoder: the alpha of its vp9 track is ignored"]


#: A 300 x 225 frame is analysed at 160 x 120 (1.875 stored pixels an analysis pixel): its
#: box, x < 140 and y < 110, covers two thirds of the analysis pixels along its right and
#: bottom edges (alpha 170, counted), the last third being transparent.
EDGE_SIZE, EDGE_BOX = (300, 225), "lt(X,140)*lt(Y,110)"


def _edge_movie(path: Path, inside: tuple[int, int, int], hidden: tuple[int, int, int], pix_fmt: str,
                *codec: str) -> Path:
    """Five frames: an opaque ``inside`` box (:data:`EDGE_BOX`) on pixels of alpha 0 that hide
    the colour ``hidden``, drawn in RGBA and stored as ``pix_fmt`` by ``codec``."""
    expr = {ch: f"if({EDGE_BOX},{i},{h})" for ch, i, h in zip("rgb", inside, hidden)}
    done = subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i",
                           f"color=c=black:s={EDGE_SIZE[0]}x{EDGE_SIZE[1]}:r=25:d=0.2,format=rgba,"
                           f"geq=r='{expr['r']}':g='{expr['g']}':b='{expr['b']}':a='if({EDGE_BOX},255,0)'",
                           *codec, "-pix_fmt", pix_fmt, str(path)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        pytest.skip(f"this ffmpeg cannot write {pix_fmt} with {codec}: {done.stderr.strip()[-200:]}")
    return path


EDGE_MOVIES = {  # name: (file name, pixel format, codec options); the conversion each takes
    "qtrle": ("qtrle.mov", "argb", ("-c:v", "qtrle")),                    # RGB, swscale
    "png": ("png.mov", "rgba", ("-c:v", "png")),                          # RGB, swscale
    "prores4444": ("prores.mov", "yuva444p10le", ("-c:v", "prores_ks", "-profile:v", "4")),  # Y'CbCr, swscale
    "grey": ("grey.mov", "ya8", ("-c:v", "png")),                         # grey: the float path
}


@pytest.mark.parametrize("kind", sorted(EDGE_MOVIES))
def test_a_hidden_colour_leaks_into_no_edge_pixel(tmp_path, kind):
    """Opaque red (grey frames: white) over transparent pixels hiding pure blue (grey: black),
    with edges the downscale cuts: every colour of every column, and of the movie's palette,
    is red (white) within :data:`LEVELS`; scaled straight, the edge pixels (3 % of the
    counted ones) were (170, 0, 85) ((170, 170, 170))."""
    name, pix_fmt, codec = EDGE_MOVIES[kind]
    inside, hidden = ((255, 255, 255), (0, 0, 0)) if kind == "grey" else ((255, 0, 0), (0, 0, 255))
    path = _edge_movie(tmp_path / name, inside, hidden, pix_fmt, *codec)
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert len(fp) == 5
    assert not _far(fp, inside)


def test_a_hidden_colour_leaks_into_no_edge_pixel_of_a_webm(tmp_path):
    """The same with VP9 (lossless, yuva420p, so the box's edges lie on even pixels: no
    chroma sample is shared with the hidden colour) decoded by libvpx."""
    path = _alpha_webm(tmp_path / "edges.webm", "vp9", EDGE_SIZE, (0, 0, 140, 110), "red", frames=3,
                       hidden="0x0000ff")
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert not _far(fp, (255, 0, 0))


def test_a_hidden_colour_leaks_into_no_edge_pixel_of_a_tone_mapped_frame(tmp_path):
    """ProRes 4444 tagged PQ (the float path, tone-mapped), one colour (#c04020) over a hidden
    pure blue: the colours counted are that one colour's, within :data:`LEVELS` of each
    other (scaled straight, the edges were a blend toward blue)."""
    path = _edge_movie(tmp_path / "pq.mov", (192, 64, 32), (0, 0, 255), "yuva444p10le", "-c:v", "prores_ks",
                       "-profile:v", "4", "-color_primaries", "bt2020", "-color_trc", "smpte2084",
                       "-colorspace", "bt2020nc")
    fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=3)
    assert fp.color.tone_mapped == len(fp) == 5
    for p in fp.palettes:
        counted = np.array([c for c, w in zip(p.colors, p.weights) if w > 0], int)
        assert np.abs(counted - counted[0]).max() <= LEVELS, counted


def _colours(fp: streamprint.Fingerprint) -> list:
    return [(round(s.time, 3), s.palette.colors.tolist(), np.round(s.palette.weights, 3).tolist()) for s in fp.samples]


def test_a_part_after_a_keyframe_whose_alpha_is_not_one(tmp_path):
    """A part from 1.2 s: seeking lands on the keyframe at 1 s, whose alpha libvpx cannot
    decode without the frames before it; it refused every frame after, and the run failed
    ("the frame to resume from was not found after seeking"). Such a WebM is read from its
    beginning: the part's samples are the whole run's."""
    from streamprint import TimeRange

    path = _cut_webm(tmp_path / "cut.webm")
    whole = streamprint.fingerprint(path, sampling=Sampling.every(1))
    part = streamprint.fingerprint(path, sampling=Sampling.every(1), time_range=TimeRange(1.2))
    assert len(part) == 8 and _colours(part) == [c for c in _colours(whole) if c[0] >= 1.2]
    fast = streamprint.fingerprint(path, sampling=Sampling.keyframes(), time_range=TimeRange(0.5))
    assert [s.time for s in fast.samples] == [1.0]


def test_a_checkpoint_of_a_webm_with_alpha_is_not_resumed_by_seeking(tmp_path, monkeypatch):
    """A checkpoint taken after the cut resumed by seeking to the keyframe at 1 s, where the
    alpha cannot be decoded (ResumeError after decoding the rest). None is taken (a batch
    wrote them every minute, each to be thrown away), and one made otherwise (here with the
    alpha ignored) is refused at once, so a batch starts the movie again."""
    path = _cut_webm(tmp_path / "cut.webm")
    saved: list = []
    streamprint.fingerprint(path, sampling=Sampling.every(1), checkpoint=saved.append, checkpoint_every=1e-9)
    assert saved == []
    with monkeypatch.context() as m:
        m.setattr(codecs, "has_alpha_track", lambda stream: False)
        streamprint.fingerprint(path, sampling=Sampling.every(1), checkpoint=saved.append, checkpoint_every=1e-9)
    assert len(saved) > 10
    with pytest.raises(streamprint.ResumeError, match="read from its beginning"):
        streamprint.fingerprint(path, sampling=Sampling.every(1), resume=saved[-1])


def test_a_webm_cut_where_its_alpha_cannot_be_decoded_keeps_every_frame(tmp_path, caplog):
    """A WebM cut by stream copy at the keyframe at 1 s starts with alpha frames that refer to
    frames cut away: libvpx refused those frames whole, colour too, and half the samples were
    lost as "damaged packets". Their alpha is withheld, so they are decoded opaque, with a
    warning; from the alpha's next keyframe on, transparency is read again."""
    cut = _cut_webm(tmp_path / "cut.webm")
    path = tmp_path / "trimmed.webm"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-ss", "1.0", "-i", str(cut), "-c", "copy", str(path)],
                   check=True, capture_output=True, timeout=120)
    count = subprocess.run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                            "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
                           capture_output=True, text=True, check=True).stdout.strip()
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        fp = streamprint.fingerprint(path, sampling=Sampling.every(1))
    assert len(fp) == int(count) and fp.decode.corrupt_packets == 0
    assert [r.getMessage().split(" up to")[0] for r in caplog.records] == [
        f"{path}: the alpha of the frames from 0.000 s"]
