"""Checkpoints: a run resumed from any checkpoint gives exactly the uninterrupted result."""

from __future__ import annotations

import json

import pytest

import streamprint
from streamprint import Checkpoint, Sampling, synth
from streamprint.formats.checkpoint import checkpoint_from_dict, checkpoint_to_dict


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """12 s with cuts, keyframes only every 2 s (so resuming really seeks and decodes up)."""
    path = tmp_path_factory.mktemp("ckpt") / "clip.mkv"
    synth.encode_clip(path, synth.segment_frames(synth.SAMPLE_SEGMENTS, (160, 90)),
                      encoding=synth.Encoding(crf=18, gop=48))
    return path


@pytest.mark.parametrize("sampling", [Sampling.interval(0.5), Sampling.every(5), Sampling.samples(17),
                                      Sampling.keyframes()], ids=["interval", "every", "samples", "keyframes"])
def test_resume_from_any_checkpoint_is_exact(clip, sampling):
    saved: list[Checkpoint] = []
    full = streamprint.fingerprint(clip, sampling=sampling, checkpoint=saved.append, checkpoint_every=1e-9)
    assert len(saved) == len(full)  # one checkpoint after every sample
    reference = full.to_dict()
    for state in (saved[0], saved[len(saved) // 2], saved[-2]):
        state = checkpoint_from_dict(json.loads(json.dumps(checkpoint_to_dict(state))), "x")  # as read from disk
        resumed = streamprint.fingerprint(clip, sampling=sampling, resume=state)
        assert resumed.to_dict() == reference


def test_resume_decodes_only_from_the_checkpoint(clip):
    """Resuming late in the clip decodes a fraction of its frames (it seeks)."""
    saved: list[Checkpoint] = []
    streamprint.fingerprint(clip, sampling=Sampling.every(1), checkpoint=saved.append, checkpoint_every=1e-9)
    late = saved[250]
    decoded = []
    from streamprint.source import VideoSource

    original = VideoSource.frames

    def counting(self, resume=None, wanted=None):
        for f in original(self, resume, wanted):
            decoded.append(f.index)
            yield f

    VideoSource.frames = counting
    try:
        streamprint.fingerprint(clip, sampling=Sampling.every(1), resume=late)
    finally:
        VideoSource.frames = original
    assert decoded[0] == 250 and len(decoded) == 288 - 250


def test_checkpoint_with_other_options_is_refused(clip):
    saved: list[dict] = []
    streamprint.fingerprint(clip, sampling=Sampling.every(24), checkpoint=saved.append, checkpoint_every=1e-9)
    with pytest.raises(streamprint.UsageError):
        streamprint.fingerprint(clip, sampling=Sampling.every(12), resume=saved[0])


def test_resume_keeps_the_hdr_record(tmp_path):
    """An HDR (PQ 10-bit) clip: the checkpoint carries what tone mapping has done so far, so
    the resumed data file, ``color`` included, is the uninterrupted one."""
    path = tmp_path / "pq.mkv"
    synth.encode_clip(path, synth.segment_frames(synth.SAMPLE_SEGMENTS, (160, 90)),
                      encoding=synth.Encoding(codec="libx265", bits=10, transfer=16, gop=48))
    saved: list[Checkpoint] = []
    sampling = Sampling.interval(1.0)
    full = streamprint.fingerprint(path, sampling=sampling, checkpoint=saved.append, checkpoint_every=1e-9)
    assert full.color.tone_mapped == len(full) == 12 and full.color.transfers == ("pq",)
    state = checkpoint_from_dict(json.loads(json.dumps(checkpoint_to_dict(saved[5]))), "x")
    assert state.color.tone_mapped == 6
    assert streamprint.fingerprint(path, sampling=sampling, resume=state).to_dict() == full.to_dict()


def test_a_checkpoint_is_refused_for_a_file_object_of_another_movie(clip, tmp_path):
    """A checkpoint of clip.mkv resumed on another movie given as an open file was taken, and
    the result was the first movie's samples then the second's. A file object with a
    descriptor is told by its file (size, time), the same file opened so resumes; one
    without (BytesIO) cannot be told to be the checkpoint's file, and is refused."""
    import io

    saved: list[Checkpoint] = []
    full = streamprint.fingerprint(clip, sampling=Sampling.every(24), checkpoint=saved.append, checkpoint_every=1e-9)
    other = tmp_path / "other.mkv"
    synth.encode_clip(other, synth.segment_frames(synth.SAMPLE_SEGMENTS[::-1], (160, 90)))
    with open(other, "rb") as f, pytest.raises(streamprint.ResumeError, match="another file"):
        streamprint.fingerprint(f, sampling=Sampling.every(24), resume=saved[5])
    with pytest.raises(streamprint.ResumeError, match="cannot be told"):
        streamprint.fingerprint(io.BytesIO(other.read_bytes()), sampling=Sampling.every(24), resume=saved[5])
    with open(clip, "rb") as f:
        assert streamprint.fingerprint(f, sampling=Sampling.every(24), resume=saved[5]).samples == full.samples


def test_a_checkpoint_of_bytes_in_memory_resumes_no_file(clip, tmp_path):
    """A checkpoint made from bytes in memory records no file, and was resumed on any: on
    another movie, half its samples were the first movie's and the rest the other's, with no
    warning. No input can be told to be the one it was made from, so each is refused, the
    same bytes again too."""
    import io

    saved: list[Checkpoint] = []
    streamprint.fingerprint(io.BytesIO(clip.read_bytes()), sampling=Sampling.every(24), checkpoint=saved.append,
                            checkpoint_every=1e-9)
    assert saved[5].input is None
    other = tmp_path / "other.mkv"
    synth.encode_clip(other, synth.segment_frames(synth.SAMPLE_SEGMENTS[::-1], (160, 90)))
    for again in (other, clip, io.BytesIO(clip.read_bytes())):
        with pytest.raises(streamprint.ResumeError, match="cannot be told"):
            streamprint.fingerprint(again, sampling=Sampling.every(24), resume=saved[5])
