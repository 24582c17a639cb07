"""The codec matrix's streams copied into the other containers that carry them.

A container changes what FFmpeg knows of each frame's time (AVI stores none and FFmpeg derives
them, MPEG-TS carries them in some PES headers, FLV in milliseconds, NUT in its own time base),
and everything streamprint reasons from times must hold in each: every frame has FFmpeg's own
best-effort time (ffprobe's), the default sampling skipping frames gives exactly what decoding
everything gives, and keyframes only gives ffprobe's keyframes at the times decoding everything
gives them. (H.264 in AVI failed the second and third until its times were looked at, and
H.264 in ASF the first two: they are here with the rest.)

Not here, because FFmpeg itself cannot be the truth for them: H.264 and HEVC in MPEG-PS, whose
PES headers give a time to only some frames (ffprobe's best-effort times go back and repeat),
and MPEG-2/4 in NUT (ffprobe's times there are a frame later than the stream's own).
"""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import streamprint
from streamprint import Sampling

from .conftest import FPS
from .test_codecs import FFMPEG, FFPROBE, available, encoded, ffprobe_keyframes, folder, same_samples  # noqa: F401
from .test_timestamps import assert_best_effort_times

pytestmark = pytest.mark.skipif(FFMPEG is None or FFPROBE is None, reason="needs the ffmpeg/ffprobe commands")

#: test_codecs clip -> the containers it is copied into (its own is tested there)
COPIES = {
    "h264": ("mkv", "mov", "avi", "ts", "flv", "nut", "asf"),
    "hevc10": ("mp4", "ts", "nut"),
    "mpeg2": ("mkv", "ts", "avi", "asf"),
    "mpeg4-avi": ("mkv", "mp4", "ts", "asf"),
    "vp9": ("mkv", "mp4"),
    "av1": ("mp4",),
}
#: Copies on which the default sampling must skip frames (as in test_codecs.SKIPS): not VP9
#: (libvpx real-time references every frame), nor H.264 in AVI (skipping there is not
#: allowed: its pts are decode order; see source/codecs.py, nonref_skip_in_avi), nor in ASF
#: (the same: the default sampling counted 251 frames of 250 and sampled other frames than
#: decoding everything, whose times went back at the end; MPEG-2 in ASF, Windows Media
#: Center's recordings, counted 263 frames of 250 when skipping as in AVI).
NO_SKIP = {("vp9", "mkv"), ("vp9", "mp4"), ("h264", "avi"), ("h264", "asf"), ("mpeg2", "asf"), ("mpeg4-avi", "asf")}
#: Copies whose ffprobe times are no truth: MPEG-2 in ASF, where ffprobe times the first frame
#: by its pts and the rest by their dts (0, then 0.084 s at 24 fps). They must be evenly spaced.
UNEVEN_FFPROBE = {("mpeg2", "asf")}
#: Copies where keyframes only numbers the keyframes wrong (README, known limits): MPEG-2 in
#: ASF (up to 2 frames early). They are still all there, each once.
FAST_MISNUMBERED = {("mpeg2", "asf")}


@pytest.mark.parametrize("name,container", [(n, c) for n, cs in COPIES.items() for c in cs],
                         ids=[f"{n}-in-{c}" for n, cs in COPIES.items() for c in cs])
def test_a_stream_copy_keeps_frames_times_and_keyframes(name, container, folder, available):  # noqa: F811
    source = encoded(name, folder, available)
    path = folder / f"{name}-copy.{container}"
    if not path.exists():
        subprocess.run([FFMPEG, "-v", "error", "-y", "-fflags", "+genpts", "-i", str(source), "-map", "0:v",
                        "-c", "copy", str(path)],
                       check=True, capture_output=True, timeout=120)

    every = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=2)
    if (name, container) in UNEVEN_FFPROBE:
        assert np.allclose(np.diff(every.times), 1 / FPS, atol=1e-3)
    else:
        assert_best_effort_times(every.times, path)
    assert every.decode.discontinuities == 0

    for sampling in (Sampling.default(), Sampling.interval(0.5)):
        decoded = streamprint.fingerprint(path, sampling=sampling, colors=2, skip_unsampled=False)
        skipping = streamprint.fingerprint(path, sampling=sampling, colors=2)
        assert same_samples(decoded, skipping)
        assert skipping.decode.frames == decoded.decode.frames == len(every)
        if (name, container) not in NO_SKIP:
            assert skipping.decode.skipped > 0, "nothing was skipped: the test would prove nothing"

    _, keys, _ = ffprobe_keyframes(path)
    fast = streamprint.fingerprint(path, sampling=Sampling.keyframes(), colors=2)
    if (name, container) in FAST_MISNUMBERED:
        assert len(fast) == len(keys)
        return
    assert [s.frame for s in fast.samples] == keys
    at = dict(zip((s.frame for s in every.samples), every.times))
    assert max(abs(s.time - at[s.frame]) for s in fast.samples) < 1e-3
