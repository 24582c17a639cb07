"""The typed values between the layers: validated on construction, read-only, comparable;
and every error the library raises names a parameter, never a command-line flag."""

from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import numpy as np
import pytest

import streamprint
from streamprint import Options, Palette, ParameterError, RenderOptions, Sampling, UsageError
from streamprint.clusterer import FrameClusterer

PACKAGE = Path(streamprint.__file__).parent


@pytest.fixture(scope="module")
def fp(segments_clip):
    return streamprint.fingerprint(segments_clip, sampling=Sampling.every(12))


def test_equal_fingerprints_compare_equal(fp, segments_clip):
    again = streamprint.fingerprint(segments_clip, sampling=Sampling.every(12))
    assert again is not fp and again == fp
    assert fp.samples[0].palette == again.samples[0].palette
    other = streamprint.fingerprint(segments_clip, sampling=Sampling.every(12), colors=4)
    assert other != fp
    assert fp.samples[0].palette != fp.samples[-1].palette  # different shots, different colours


def test_arrays_are_read_only(fp):
    palette = fp.samples[0].palette
    for array in (palette.colors, palette.weights, palette.mean, fp.times):
        with pytest.raises(ValueError):
            array[...] = 0
    colors = np.array([[1, 2, 3]], np.uint8)
    p = Palette(colors, np.array([1.0]))
    colors[0, 0] = 99  # the caller's array is copied, not shared
    assert p.colors[0, 0] == 1


def _shared_arrays(fp):
    """Every array the library hands out that other values share: a sample's palette (made
    from the store's chunks), the fingerprint's cached times and frames, the store's chunks
    as columns, the movie's palette, a palette made by hand, and the cached colour matrices."""
    from streamprint.color.primaries import Primaries, to_bt709
    from streamprint.color.tonemap import _to_bt709_t32

    palette = fp.samples[0].palette
    _, colors, weights, counts = next(fp.samples.palette_chunks())
    made = Palette(np.array([[1, 2, 3]], np.uint8), np.array([1.0]), mean=np.array([1, 2, 3]))
    return {"colors": palette.colors, "weights": palette.weights, "mean": palette.mean, "times": fp.times,
            "frames": fp.samples.frames, "times_since": fp.samples.times_since(1), "chunk colors": colors,
            "chunk weights": weights, "chunk counts": counts, "movie palette": fp.movie_palette.colors,
            "made colors": made.colors, "made weights": made.weights, "made mean": made.mean,
            "to_bt709": to_bt709(Primaries.BT2020), "to_bt709_t32": _to_bt709_t32(Primaries.BT2020)}


def test_shared_arrays_cannot_be_made_writable(fp):
    """Read-only for good: neither an array nor its base can be made writable again, so no
    caller can write into values others share (the store's chunks, the cached times)."""
    before = fp.times.copy(), fp.samples[0].palette.colors.copy()
    for name, array in _shared_arrays(fp).items():
        base = array
        while isinstance(base, np.ndarray):
            with pytest.raises(ValueError):
                base.flags.writeable = True
                base[...] = 0  # (only reached when the flag could be set)
            base = base.base
    assert np.array_equal(fp.times, before[0]) and np.array_equal(fp.samples[0].palette.colors, before[1])


@pytest.mark.parametrize("mode, value", [("bogus", 1), ("every", 2.5), ("every", 0), ("every", True),
                                         ("interval", 0), ("interval", -1.0), ("interval", math.nan),
                                         ("interval", math.inf), ("interval", "1"), ("samples", 0),
                                         ("keyframes", 3), (None, 1)])
def test_an_invalid_sampling_cannot_be_built(mode, value):
    with pytest.raises(UsageError):
        Sampling(mode, value)


def test_values_are_converted_once():
    s = Sampling("interval", 2)
    assert s.mode is streamprint.SamplingMode.INTERVAL and s.value == 2.0 and isinstance(s.value, float)
    o = Options(algorithm="minibatch", space="lab")
    assert o.algorithm is streamprint.Algorithm.MINIBATCH and o.space == "lab"
    assert RenderOptions.for_path("x.SVG").format is streamprint.ImageFormat.SVG


@pytest.mark.parametrize("make, parameter", [
    (lambda: Options(colors=100), "colors"),
    (lambda: Options(colors=2.0), "colors"),
    (lambda: Options(seed=-1), "seed"),
    (lambda: Options(analysis_size=4), "analysis_size"),
    (lambda: Options(space="hsv"), "space"),
    (lambda: Options(crop="maybe"), "crop"),
    (lambda: Options(algorithm="dbscan"), "algorithm"),
    (lambda: FrameClusterer(colors=100), "colors"),
    (lambda: FrameClusterer(colors=40, max_fit_pixels=100), "max_fit_pixels"),
    (lambda: RenderOptions(height=0), "height"),
    (lambda: RenderOptions(style="mosaic"), "style"),
    (lambda: RenderOptions(title="T"), "title"),
    (lambda: RenderOptions(style="ring", format="svg"), "style"),
    (lambda: RenderOptions(background="#12"), "background"),
    (lambda: streamprint.extract_palette(np.zeros((4, 4, 3), np.uint8), colors=0), "colors"),
    (lambda: streamprint.fingerprint("never-opened.mkv", colors=65), "colors"),
    (lambda: streamprint.fingerprint("never-opened.mkv", threads=-1), "threads"),
])
def test_library_errors_name_the_parameter(make, parameter):
    with pytest.raises(ParameterError) as info:
        make()
    assert info.value.parameter == parameter
    assert str(info.value).startswith(parameter + " ")
    assert not re.search(r"--[a-z]", str(info.value))
    assert info.value.format(lambda name: "--" + name.replace("_", "-")).startswith("--" + parameter.replace("_", "-"))


def _raised_texts(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, text) of every string constant inside a raise statement."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for sub in ast.walk(node.exc):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    out.append((sub.lineno, sub.value))
    return out


def test_no_library_message_names_a_flag():
    """Scan every message raised outside the CLI package: none may name a --flag (the
    parameter rules in params.py are raised from there too)."""
    offenders = []
    files = [p for p in PACKAGE.rglob("*.py") if "_cli" not in p.parts]
    assert len(files) > 20
    for path in files:
        for line, text in _raised_texts(ast.parse(path.read_text())):
            if re.search(r"(?<![\w-])--[a-z]", text):
                offenders.append(f"{path.relative_to(PACKAGE)}:{line}: {text}")
    assert not offenders, "\n".join(offenders)


def test_every_parameter_error_names_a_known_parameter():
    """The names ParameterError is raised with are parameters the rules or the API know,
    so the CLI can map each one to its flag."""
    from streamprint import params
    from streamprint._cli.common import _FLAGS

    known = set(params.RULES) | set(_FLAGS) | {"out_dir", "raw", "dask", "size", "card", "data", "overwrite", "format", "pix_fmt",
                                               "options",  # the library's Options or RenderOptions argument
                                               "canvas", "strip"}  # streamprint.render.ring's, no command's
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "ParameterError"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                assert node.args[0].value in known, f"{path}: {node.args[0].value}"


def test_public_api_lists_every_public_type():
    for name in ["DecodeStats", "ResumeError", "Style", "Order", "RenderOptions", "Checkpoint", "JobResult",
                 "Status", "ParameterError", "ImagePalette", "SourceInfo", "Progress", "Sampling", "Options"]:
        assert name in streamprint.__all__, name
    for name in streamprint.__all__:
        assert getattr(streamprint, name) is not None, name
    assert (PACKAGE / "py.typed").exists()
    import inspect

    from streamprint import enums, errors, model

    for module in (model, enums, errors):  # every value type, choice and error, wherever it was added
        public = {n for n, v in vars(module).items() if inspect.isclass(v) and not n.startswith("_")
                  and v.__module__.startswith("streamprint")}
        assert public <= set(streamprint.__all__), (module.__name__, public - set(streamprint.__all__))


@pytest.mark.parametrize("field, value", [("time", True), ("time", np.bool_(True)), ("frame", True),
                                          ("time", float("inf")), ("time", 1 + 0j), ("time", 10**400)])
def test_a_sample_refuses_what_is_no_time_or_frame(field, value):
    """A bool is no time (True was a sample at 1 s) and a complex number is none either; a
    whole number too large for a float is refused as the others (it was an OverflowError)."""
    from streamprint.errors import InvalidValue
    from streamprint.model import Sample

    good = {"frame": 1, "time": 0.5, "palette": Palette(np.array([[1, 2, 3]], np.uint8), np.array([1.0]))}
    Sample(**good)
    with pytest.raises(InvalidValue):
        Sample(**{**good, field: value})


def test_a_checkpoint_is_hashable_by_content_as_every_frozen_value_is():
    """hash(checkpoint) raised TypeError (its ClustererState alone was unhashable) though
    Fingerprint, Palette and Samples hash by content; equal values must hash equal."""
    import pickle

    from streamprint.model import ClustererState

    sample = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"
    made: list = []
    streamprint.fingerprint(sample, checkpoint=made.append, checkpoint_every=1e-9, thumbnails=True,
                            time_range=streamprint.TimeRange(0, 3))
    assert len(made) >= 2
    copy = pickle.loads(pickle.dumps(made[-1]))
    assert copy == made[-1] and copy is not made[-1]
    assert hash(copy) == hash(made[-1])
    assert len({made[-1], copy, made[0]}) == 2
    zero, minus_zero = (ClustererState(np.full((2, 3), z), 1.0, 1, 1) for z in (0.0, -0.0))
    assert zero == minus_zero and hash(zero) == hash(minus_zero)
    assert ClustererState(None, None) == ClustererState(None, None)
    assert hash(ClustererState(None, None)) == hash(ClustererState(None, None))


def test_thumbnails_take_any_whole_numbers_and_bytes_like_images():
    """Thumbnails((np.int64(3),), ...) was refused as not a whole number (indices from numpy
    arrays); a format that is no format was a bare ValueError."""
    from streamprint.model import Thumbnails
    from streamprint.thumbnails import encode_thumbnail

    webp = encode_thumbnail(np.full((8, 8, 3), 200, np.uint8))
    thumbs = Thumbnails((np.int64(3), np.uint8(5)), (webp, bytearray(webp)))
    assert thumbs.indices == (3, 5) and all(type(i) is int for i in thumbs.indices)
    assert thumbs == Thumbnails((3, 5), (webp, webp)) and hash(thumbs) == hash(Thumbnails((3, 5), (webp, webp)))
    assert Thumbnails(np.array([1, 2]), [webp, webp], "webp").indices == (1, 2)
    for indices, images, fmt in [((True,), (webp,), "webp"), ((1.0,), (webp,), "webp"), ((-1,), (webp,), "webp"),
                                 ((1,), (webp,), "gif"), (5, (webp,), "webp"), ((1,), ("x",), "webp")]:
        with pytest.raises(streamprint.InvalidValue):
            Thumbnails(indices, images, fmt)


_ROW = (24, 1.0, [[10, 20, 30], [40, 50, 60]], [0.6, 0.4], 2.0, False, (1, 2, 3))
#: Changes to the second of two samples (see _ROW), each breaking a rule or keeping it.
_ROW_CHANGES = [{}, {2: [[10, 20, 30]], 3: [1.0]}, {2: [], 3: []}, {3: [0.4, 0.6]}, {3: [0.5, 0.5]},
                {3: [0.0, 1.0]}, {3: [0.6, 0.5]}, {3: [1.2, -0.2]}, {3: [math.nan, 1.0]}, {3: [math.inf, 0.0]},
                {3: [0.6, 0.4 + 2e-7]}, {3: [0.6, 0.4 + 2e-6]}, {4: -1.0}, {4: math.inf}, {4: math.nan},
                {4: 0.0}, {0: -1}, {0: 0}, {0: 24}, {1: 1.0}, {1: 0.5}, {1: -1.0}, {1: 1e31}, {1: 1e30},
                {1: 0.0}, {1: math.inf}, {1: math.nan}, {5: True}, {6: None}, {3: [1.0]},
                {2: [[10, 20, 30]], 3: [0.5, 0.5]}]


@pytest.mark.parametrize("change", _ROW_CHANGES, ids=[str(c) for c in _ROW_CHANGES])
def test_samples_read_all_at_once_keep_the_rules_of_samples_made_one_by_one(change):
    """A data file's samples are checked all at once (Samples._from_rows, the reader's),
    not one Palette and Sample at a time: it must refuse what they refuse and make what
    they make (colours listed out of order sorted by share, ties as given)."""
    from streamprint import InvalidValue, Sample
    from streamprint.model import Samples

    first = (0, 0.0, [[1, 1, 1]], [1.0], 0.0, True, None)
    second = tuple(change.get(i, v) for i, v in enumerate(_ROW))
    try:
        one_by_one = Samples.of([Sample(f, t, Palette(np.array(c, np.uint8).reshape(-1, 3), np.array(w, np.float64),
                                                      i, cut, None if m is None else np.array(m, np.uint8)))
                                 for f, t, c, w, i, cut, m in (first, second)])
    except InvalidValue:
        with pytest.raises(InvalidValue, match="^sample 1: "):
            Samples._from_rows([first, second])
        return
    at_once = Samples._from_rows([first, second])
    assert at_once == one_by_one and at_once.colors == one_by_one.colors
    assert [s.palette.colors.tolist() for s in at_once] == [s.palette.colors.tolist() for s in one_by_one]


def test_the_repr_of_a_fingerprint_with_thumbnails_is_a_summary_not_their_bytes():
    """repr(fp) of a fingerprint with 480 thumbnails printed every WebP byte (2.5 MB): a
    Thumbnails' repr now says how many, of which format, how many bytes, which samples."""
    import dataclasses

    from streamprint.model import Thumbnails

    from . import fakes

    fp = fakes.flat([(200, 30, 30)] * 480, [float(t) for t in range(480)], 480.0)
    webp = b"RIFF\x00\x00\x00\x00WEBP" + b"\x07" * 2000  # begins as a WebP file does; 2012 bytes
    fp = dataclasses.replace(fp, thumbnails=Thumbnails(tuple(range(480)), (webp,) * 480))
    assert repr(fp.thumbnails) == f"Thumbnails(480 webp images, {480 * 2012} bytes, samples 0 to 479)"
    assert "RIFF" not in repr(fp) and "\\x07" not in repr(fp) and len(repr(fp)) < 4000


def test_a_fingerprints_samples_cannot_be_changed_through_their_store():
    """fp.samples.store was public and shared: appending a 10-colour sample to it made
    fp.samples.colors 10 on a frozen fingerprint whose options.colors is 4 (and a flush
    callback could add samples to the run under way). A fingerprint's samples give no store
    now, and a view made of a store a caller keeps keeps its width however wide the samples
    appended to the store later."""
    from streamprint import Fingerprint, Sample, SampleStore

    from . import fakes

    made = fakes.flat([(200, 30, 30), (30, 60, 160)], [0.0, 1.0], 2.0)
    store = SampleStore(4)
    store.extend(made.samples)
    fp = Fingerprint(made.source, Options(colors=4), store.view())
    before = [(c, colors.copy(), weights.copy()) for c, colors, weights, _ in fp.samples.palette_chunks()]
    ten = Palette(np.arange(30, dtype=np.uint8).reshape(10, 3), np.full(10, 0.1))
    store.append(Sample(1000, 50.0, ten))
    assert fp.samples.colors == 4 and fp.samples.first(2).colors == 4 and len(fp) == 2
    after = list(fp.samples.palette_chunks())
    assert len(after) == len(before) and all(
        a[0] == b[0] and np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2]) for a, b in zip(after, before, strict=True))
    assert fp.samples == made.samples and fp.samples.key is store.view().key  # (one cache key per store)
    assert not hasattr(fp.samples, "store")
