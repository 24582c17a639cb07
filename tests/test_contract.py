"""One contract, every input route (as PySceneDetect runs one test class over every
backend): whichever way the frames arrive, the fingerprint keeps the same invariants.

- times strictly increase;
- every sample is the frame a decode-all run has at that index, at the same time, with the
  same average colour (which depends on the frame alone, not on clustering history);
- palettes are valid: 1 to ``colors`` 8-bit colours whose shares add up to 1;
- the same options give the same bytes, run after run.
"""

from __future__ import annotations

import io
import sys
import types
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

import streamprint
from streamprint import Fingerprint, Sampling
from streamprint.formats.fingerprint import to_json

INTERVAL = Sampling.interval(0.5)
COLORS = 4


@pytest.fixture(scope="module")
def raw_clip(segments_mkv, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """The segments clip as raw rgb24 frames, with the demuxer options to read them."""
    path = tmp_path_factory.mktemp("contract") / "frames.rgb"
    with av.open(str(segments_mkv)) as c, open(path, "wb") as out:
        for frame in c.decode(video=0):
            out.write(frame.to_ndarray(format="rgb24").tobytes())
            size = f"{frame.width}x{frame.height}"
    return path, {"video_size": size, "pixel_format": "rgb24", "framerate": "24"}


def _stdin(path: Path, monkeypatch: pytest.MonkeyPatch, **kw) -> Fingerprint:
    with open(path, "rb") as f:
        monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BufferedReader(f)))
        return streamprint.fingerprint("-", **kw)


def _file_object(path: Path, monkeypatch: pytest.MonkeyPatch, **kw) -> Fingerprint:
    with open(path, "rb") as f:
        return streamprint.fingerprint(f, **kw)


def _resumed(path: Path, monkeypatch: pytest.MonkeyPatch, **kw) -> Fingerprint:
    saved = []
    streamprint.fingerprint(path, checkpoint=saved.append, checkpoint_every=1e-9, **kw)
    return streamprint.fingerprint(path, resume=saved[len(saved) // 2], **kw)


#: route name -> (how it runs, extra keyword arguments)
ROUTES: dict[str, tuple[Callable[..., Fingerprint], dict]] = {
    "path": (lambda p, mp, **kw: streamprint.fingerprint(p, **kw), {}),
    "stdin": (_stdin, {}),
    "file-object": (_file_object, {}),
    "raw-frames": (lambda p, mp, **kw: streamprint.fingerprint(p, **kw), {}),
    "keyframes": (lambda p, mp, **kw: streamprint.fingerprint(p, **kw), {"sampling": Sampling.keyframes()}),
    "resume": (_resumed, {}),
    "resume-keyframes": (_resumed, {"sampling": Sampling.keyframes()}),
    "skipping-on": (lambda p, mp, **kw: streamprint.fingerprint(p, skip_unsampled=True, **kw), {}),
    "skipping-off": (lambda p, mp, **kw: streamprint.fingerprint(p, skip_unsampled=False, **kw), {}),
    "every-3": (lambda p, mp, **kw: streamprint.fingerprint(p, **kw), {"sampling": Sampling.every(3)}),
}


@pytest.fixture(scope="module")
def references(segments_mkv, raw_clip) -> dict[str, Fingerprint]:
    """Every frame of each input, decoded without skipping."""
    raw, options = raw_clip
    return {
        "mkv": streamprint.fingerprint(segments_mkv, sampling=Sampling.every(1), colors=COLORS, skip_unsampled=False),
        "raw": streamprint.fingerprint(raw, sampling=Sampling.every(1), colors=COLORS, skip_unsampled=False,
                                       format="rawvideo", demuxer_options=options),
    }


@pytest.mark.parametrize("route", list(ROUTES))
class TestEveryRoute:
    def run(self, route, segments_mkv, raw_clip, monkeypatch) -> tuple[Fingerprint, str]:
        how, extra = ROUTES[route]
        kw = {"sampling": INTERVAL, "colors": COLORS, **extra}
        if route == "raw-frames":
            raw, options = raw_clip
            return how(raw, monkeypatch, format="rawvideo", demuxer_options=options, **kw), "raw"
        return how(segments_mkv, monkeypatch, **kw), "mkv"

    def test_times_strictly_increase(self, route, segments_mkv, raw_clip, monkeypatch):
        fp, _ = self.run(route, segments_mkv, raw_clip, monkeypatch)
        assert len(fp) >= 4
        assert np.all(np.diff(fp.times) > 0)

    def test_samples_are_the_decode_all_frames(self, route, segments_mkv, raw_clip, monkeypatch, references):
        fp, kind = self.run(route, segments_mkv, raw_clip, monkeypatch)
        ref = references[kind]
        for s in fp.samples:
            r = ref.samples[s.frame]
            assert r.frame == s.frame and r.time == s.time, (s.frame, s.time, r.time)
            assert np.array_equal(r.palette.mean, s.palette.mean), s.frame
        if route not in ("keyframes", "resume-keyframes", "every-3"):  # interval 0.5 s: the nearest frame
            for s, target in zip(fp.samples, INTERVAL.targets(None)):
                assert abs(s.time - target) <= 0.5 / 24 + 1e-9

    def test_palettes_are_valid(self, route, segments_mkv, raw_clip, monkeypatch):
        fp, _ = self.run(route, segments_mkv, raw_clip, monkeypatch)
        for s in fp.samples:
            p = s.palette
            assert p.colors.dtype == np.uint8 and p.colors.shape[1] == 3 and 1 <= len(p) <= COLORS
            assert abs(float(p.weights.sum()) - 1.0) < 1e-9 and np.all(p.weights > 0)
            assert len({tuple(c) for c in p.colors.tolist()}) == len(p)  # no colour twice

    def test_same_options_same_bytes(self, route, segments_mkv, raw_clip, monkeypatch):
        a, _ = self.run(route, segments_mkv, raw_clip, monkeypatch)
        b, _ = self.run(route, segments_mkv, raw_clip, monkeypatch)
        assert to_json(a) == to_json(b)
