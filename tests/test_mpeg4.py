"""Packed B-frames (Xvid/DivX in AVI) unpacked in memory (streamprint.source.mpeg4).

The truth is FFmpeg's own mpeg4 decoder fed the file as it is (it unpacks internally): the
frames streamprint decodes from the unpacked packets must be the same frames, pixel for pixel,
with the same dts, at every thread count. The clips are made by FFmpeg's libxvid at three frame
rates (three widths of ``vop_time_increment``), from the sample's four shots, whose flat colours
make B-frames of 17-19 bytes: FFmpeg's ``mpeg4_unpack_bframes`` filter takes such a chunk for a
placeholder and drops the frame, which is why streamprint reads the ``vop_coded`` bit instead.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import av
import pytest

import streamprint
from streamprint import Sampling, synth
from streamprint.source import mpeg4
from streamprint.source.decode import VideoSource

from .conftest import FPS

FFMPEG = shutil.which("ffmpeg")


def has_libxvid() -> bool:
    if FFMPEG is None:
        return False
    out = subprocess.run([FFMPEG, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=60).stdout
    return any(line.split()[1:2] == ["libxvid"] for line in out.splitlines() if line.strip())


pytestmark = pytest.mark.skipif(not has_libxvid(), reason="needs ffmpeg with libxvid (Debian's has it)")

#: frame rate: vop_time_increment_resolution and so the width of vop_time_increment in bits
RATES = {"24": 5, "25": 5, "30000/1001": 15}


def make_xvid(folder: Path, rate: str) -> Path:
    source = folder / "source.mp4"
    if not source.exists():
        synth.encode_clip(source, synth.segment_frames(synth.SAMPLE_SEGMENTS, (256, 144), FPS), FPS,
                          synth.Encoding(crf=8))
    path = folder / f"xvid-{rate.replace('/', '-')}.avi"
    if not path.exists():
        subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(source), "-r", rate, "-c:v", "libxvid",
                        "-g", "48", "-bf", "2", "-q:v", "4", "-vtag", "XVID", str(path)],
                       check=True, capture_output=True, timeout=120)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mpeg4")


@pytest.fixture(scope="module", params=list(RATES))
def xvid(request, folder) -> tuple[Path, str]:
    return make_xvid(folder, request.param), request.param


def chunks(path: Path) -> list[bytes]:
    with av.open(str(path)) as c:
        return [bytes(p) for p in c.demux(video=0) if p.size]


def ffmpeg_frames(path: Path) -> list[tuple[int, str]]:
    """(dts, md5 of the pixels) of each frame FFmpeg's decoder gives for the file as it is."""
    with av.open(str(path)) as c:
        return [(f.dts, hashlib.md5(f.to_ndarray().tobytes()).hexdigest()) for f in c.decode(video=0)]


def test_the_clips_are_packed_with_tiny_b_frames(xvid):
    path, _ = xvid
    data = chunks(path)
    assert mpeg4.divx_packed(data[0])
    two = [d for d in data if len(mpeg4.vops(d)) == 2]
    assert len(two) >= 40  # a reference and a B-frame in one chunk
    single_b = [d for d in data if len(mpeg4.vops(d)) == 1 and mpeg4.vop_type(d, mpeg4.vops(d)[0]) == mpeg4.B_VOP]
    assert any(len(d) <= 19 for d in single_b), "no B-frame small enough to fool the size rule: proves nothing"


def test_vop_coded_tells_the_placeholders(xvid):
    """The placeholders libxvid writes after each packed chunk are the not-coded VOPs (6 bytes);
    every other VOP is coded. Read with the VOL header's vop_time_increment_resolution."""
    path, rate = xvid
    data = chunks(path)
    bits = mpeg4.time_increment_bits(data[0])
    assert bits == RATES[rate]
    for d in data:
        for at in mpeg4.vops(d):
            assert mpeg4.vop_coded(d, at, bits) == (len(d) > 8), (len(d), d.hex())


@pytest.mark.parametrize("threads", [1, 0])
def test_unpacked_decodes_to_ffmpegs_frames(xvid, threads):
    path, _ = xvid
    truth = ffmpeg_frames(path)
    with VideoSource(path, threads=threads) as source:
        ours = [(f.frame.dts, hashlib.md5(f.frame.to_ndarray().tobytes()).hexdigest()) for f in source.frames()]
    assert len(ours) == len(truth) == len(chunks(path)) + sum(len(mpeg4.vops(d)) == 2 for d in chunks(path)) \
        - sum(len(d) <= 8 for d in chunks(path))
    assert ours == truth


def test_b_frames_are_skipped_and_the_samples_are_those_of_decoding_all(xvid):
    path, _ = xvid
    for sampling in (Sampling.default(), Sampling.interval(0.5), Sampling.samples(7)):
        skipping = streamprint.fingerprint(path, sampling=sampling, colors=3)
        everything = streamprint.fingerprint(path, sampling=sampling, colors=3, skip_unsampled=False)
        assert skipping.samples == everything.samples
        assert skipping.decode.frames == everything.decode.frames
        assert everything.decode.skipped == 0
    assert streamprint.fingerprint(path, sampling=Sampling.default(), colors=3).decode.skipped > 100


def test_a_stream_not_packed_passes_unchanged(tmp_path):
    """FFmpeg's own mpeg4 encoder puts each B-frame in a packet of its own: nothing is rewritten."""
    if FFMPEG is None:
        pytest.skip("needs ffmpeg")
    path = tmp_path / "plain.avi"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=24", "-t", "3",
                    "-c:v", "mpeg4", "-bf", "2", str(path)], check=True, capture_output=True, timeout=120)
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        before = [bytes(p) for p in c.demux(stream) if p.size]
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        after = [p for p in mpeg4.unpacked(c.demux(stream), stream.codec_context.extradata) if p.size]
        assert [bytes(p) for p in after] == before


def test_time_increment_bits_without_a_vol_header():
    assert mpeg4.time_increment_bits(b"\x00\x00\x01\xb6\x00") is None
    assert mpeg4.time_increment_bits(b"") is None


def test_packed_b_frames_remuxed_into_mp4_sample_like_decoding_all(folder, tmp_path):
    """FFmpeg's stream copy into MP4 keeps the packing, and the pts the AVI demuxer invented.
    Skipping used to trust those pts there and picked other frames than decoding everything;
    unpacked, the samples are the same."""
    path = make_xvid(folder, "24")
    mp4 = tmp_path / "packed.mp4"
    subprocess.run([FFMPEG, "-v", "error", "-y", "-i", str(path), "-c", "copy", str(mp4)], check=True,
                   capture_output=True, timeout=120)
    assert mpeg4.divx_packed(chunks(mp4)[0])
    assert [h for _, h in ffmpeg_frames(mp4)] == [h for _, h in ffmpeg_frames(path)]  # the same frames
    for sampling in (Sampling.default(), Sampling.interval(0.5)):
        skipping = streamprint.fingerprint(mp4, sampling=sampling, colors=3)
        everything = streamprint.fingerprint(mp4, sampling=sampling, colors=3, skip_unsampled=False)
        assert skipping.samples == everything.samples and skipping.decode.skipped > 20


def vol_header(resolution: int, identifier: bool, extended_par: bool, vbv: bool) -> bytes:
    """A VOL header laid out field by field as ISO/IEC 14496-2 6.2.3 lists them, up to
    vop_time_increment_resolution, with the optional parts DivX 5 writes switched on or off."""
    fields = "0" + format(17, "08b")  # random_accessible_vol, video_object_type_indication (ASP)
    fields += "1" + format(2, "04b") + "001" if identifier else "0"  # verid 2, priority 1
    fields += "1111" + format(16, "08b") + format(11, "08b") if extended_par else "0001"
    if vbv:  # vol_control_parameters: chroma_format, low_delay, vbv_parameters and their 79 bits
        fields += "1" + "01" + "0" + "1" + "1" * 15 + "1" + "0" * 15 + "1" + "1" * 15 + "1" + "010" \
            + "0" * 11 + "1" + "1" * 15 + "1"
    else:
        fields += "0"
    fields += "00" + "1" + format(resolution, "016b") + "1"  # rectangular, marker, resolution, marker
    fields += "0" * (-len(fields) % 8)
    return b"\x00\x00\x01\x20" + int(fields, 2).to_bytes(len(fields) // 8, "big")


@pytest.mark.parametrize("identifier", [False, True])
@pytest.mark.parametrize("extended_par", [False, True])
@pytest.mark.parametrize("vbv", [False, True])
@pytest.mark.parametrize("resolution, bits", [(24, 5), (25, 5), (30000, 15), (1, 1), (2, 1), (65535, 16)])
def test_the_vol_header_gives_the_time_increment_width(identifier, extended_par, vbv, resolution, bits):
    """The width is that of resolution - 1 (at least one bit), whichever optional VOL fields are present."""
    header = vol_header(resolution, identifier, extended_par, vbv)
    assert mpeg4.time_increment_bits(b"junk" + header + b"\x00\x00\x01\xb6") == bits
