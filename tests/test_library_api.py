"""The library as a Python user calls it: wrong types and values are ParameterErrors naming
the parameter, checked before any work; model values are checked on construction as the
readers check files; a file's extension says its format; a checkpoint resumes only its movie."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import streamprint
from streamprint import (
    FrameClusterer,
    InvalidValue,
    Options,
    ParameterError,
    RenderOptions,
    ResumeError,
    Sampling,
    SourceInfo,
    StreamprintError,
)
from streamprint.formats import read_fingerprint
from streamprint import render
from streamprint.render import save_image, write_image

SAMPLE = Path(__file__).resolve().parents[1] / "sample_media" / "sample.mp4"


@pytest.fixture(scope="module")
def fp():
    return streamprint.fingerprint(SAMPLE)


@pytest.mark.parametrize("name, ext, fmt", [("x.jpg", ".png", "png"), ("x.html", ".png", "png"),
                                            ("x.txt", ".png", "png"), ("x.png", ".jpg", "jpeg")])
def test_a_picture_is_never_written_under_another_formats_name(fp, tmp_path, name, ext, fmt):
    """save_image(fp, "x.jpg", RenderOptions()) wrote PNG bytes into x.jpg."""
    with pytest.raises(ParameterError, match="extension"):
        save_image(fp, tmp_path / name, RenderOptions(format=fmt))
    with pytest.raises(ParameterError, match="extension"):
        write_image(fp.render(height=20), tmp_path / name, fmt)
    assert not (tmp_path / name).exists()
    save_image(fp, tmp_path / f"ok{ext}", RenderOptions(format=fmt))
    assert Image.open(tmp_path / f"ok{ext}").format == {"png": "PNG", "jpeg": "JPEG"}[fmt]


def test_write_image_refuses_what_is_not_a_picture(tmp_path):
    for image in (np.zeros((4, 4, 3)), [[1, 2, 3]], np.zeros((0, 4, 3), np.uint8)):
        with pytest.raises(ParameterError, match="image"):
            write_image(image, tmp_path / "x.png")
    with pytest.raises(ParameterError, match="image_format"):
        write_image(np.zeros((4, 4, 3), np.uint8), tmp_path / "x.png", "bogus")


@pytest.mark.parametrize("image", [
    np.zeros((90, 160), np.uint8),  # grey: [..., :3] took the first three columns
    np.zeros((90, 160, 3)) + 0.5,  # floats 0-1 came out black
    np.zeros((90, 160, 1), np.uint8), np.zeros((90, 160, 3), np.uint16), np.zeros((9, 16, 3), bool),
    np.zeros((2, 9, 16, 3), np.uint8), np.zeros((0, 16, 3), np.uint8), None, "image",
])
def test_the_clusterer_refuses_what_is_not_an_8_bit_rgb_image(image):
    with pytest.raises(ParameterError, match="image"):
        FrameClusterer(colors=2).fit(image)


def test_the_clusterer_still_takes_rgb_rgba_and_pixel_lists():
    rgb = np.zeros((90, 160, 3), np.uint8)
    rgb[:, 80:] = (255, 0, 0)
    for image in (rgb, rgb.reshape(-1, 3), np.dstack([rgb, np.full((90, 160), 255, np.uint8)])):
        assert sorted(FrameClusterer(colors=2).fit(image).hex) == ["#000000", "#ff0000"]


@pytest.mark.parametrize("name, value", [
    ("progress", 5), ("checkpoint", "x"), ("flush", 1.0), ("before_decoding", [1]), ("skip_unsampled", "no"),
    ("demuxer_options", "x"), ("demuxer_options", {"a": 1}), ("demuxer_options", [1]), ("resume", "x"),
])
def test_a_bad_callback_or_option_is_refused_before_any_work(name, value):
    """They were raw TypeErrors, some only when a timer fired, an hour into a run."""
    with pytest.raises(ParameterError, match=name):
        streamprint.fingerprint(SAMPLE, **{name: value})


class _TwoArguments:
    def __call__(self, a, b):
        pass


@pytest.mark.parametrize("name, value", [
    ("progress", lambda: None), ("progress", lambda p, total: None), ("progress", _TwoArguments()),
    ("checkpoint", lambda cp, *, every: None), ("flush", lambda: None), ("before_decoding", lambda info: None),
])
def test_a_callback_that_cannot_take_its_arguments_is_refused_before_any_work(name, value, monkeypatch):
    """progress=lambda: None ran until the first sample, then raised TypeError from inside."""
    import streamprint.pipeline.core as core

    monkeypatch.setattr(core, "VideoSource", None)  # nothing is opened: a TypeError if it were
    with pytest.raises(ParameterError, match=f"^{name} is called with .* cannot take"):
        streamprint.fingerprint(SAMPLE, **{name: value})


async def _async_progress(p):
    pass


class _AsyncCall:
    async def __call__(self, p):
        pass


@pytest.mark.parametrize("value", [_async_progress, _AsyncCall()])
def test_an_async_callback_is_refused_before_any_work(value, monkeypatch):
    """progress=<async def> was taken and called as a plain function: each call made a
    coroutine nobody awaited (RuntimeWarning), and the callback never ran."""
    import streamprint.pipeline.core as core

    monkeypatch.setattr(core, "VideoSource", None)  # nothing is opened: a TypeError if it were
    with pytest.raises(ParameterError, match="^progress is an async function"):
        streamprint.fingerprint(SAMPLE, progress=value)


def test_callbacks_of_any_signature_that_takes_their_arguments_are_welcome():
    seen: list = []
    part = streamprint.TimeRange(0, 0.5)
    for progress in (seen.append, lambda *a: seen.append(a), lambda p, extra=1: seen.append(p), repr):
        streamprint.fingerprint(SAMPLE, progress=progress, time_range=part)
    assert len(seen) >= 3


def test_run_batch_refuses_bad_arguments_up_front(tmp_path):
    (tmp_path / "lib").mkdir()
    for kwargs in ({"options": None}, {"options": {"colors": 5}}, {"options": Options(), "on_file": 5},
                   {"options": Options(), "render": "png"}, {"options": Options(), "retry_failed": "yes"},
                   {"options": Options(), "on_file": lambda rel: None},
                   {"options": Options(), "on_samples": lambda rel, samples: None}):
        with pytest.raises(ParameterError):
            streamprint.run_batch(tmp_path / "lib", tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()


def test_draw_refuses_what_is_not_render_options(fp, tmp_path):
    with pytest.raises(ParameterError, match="options"):
        streamprint.draw(fp, None)
    with pytest.raises(ParameterError, match="options"):
        save_image(fp, tmp_path / "x.png", None)


def test_a_fingerprint_the_reader_would_refuse_cannot_be_made(fp, tmp_path):
    """Each of these was constructed, saved, and then refused by Fingerprint.load."""
    s = list(fp.samples)
    bad = {
        "frames out of order": lambda: dataclasses.replace(fp, samples=[s[2], s[0]], movie_palette=None),
        "wider palettes than options": lambda: dataclasses.replace(fp, options=dataclasses.replace(fp.options, colors=2),
                                                                   movie_palette=None),
        "samples outside the range": lambda: dataclasses.replace(
            fp, time_range=streamprint.TimeRange(0.0, 1.0).resolve(fp.source.duration)),
        "negative width": lambda: dataclasses.replace(fp.source, width=-5),
        "NaN frame rate": lambda: dataclasses.replace(fp.source, frame_rate=float("nan")),
        "no source": lambda: dataclasses.replace(fp, source=None),
    }
    for what, make in bad.items():
        with pytest.raises(InvalidValue):
            make()
            pytest.fail(what)
    assert issubclass(InvalidValue, StreamprintError) and issubclass(InvalidValue, ValueError)
    empty = dataclasses.replace(fp, samples=[], movie_palette=None, thumbnails=None)
    with pytest.raises(StreamprintError, match="no samples"):
        empty.save(tmp_path / "empty.json")
    assert not (tmp_path / "empty.json").exists()


def test_render_refuses_a_column_width_it_would_ignore(fp):
    """``render(width=300, column_width=4)`` quietly drew 300 px and dropped the 4."""
    with pytest.raises(ParameterError, match="column_width"):
        fp.render(height=10, width=300, column_width=4)
    assert fp.render(height=10, width=300).shape == (10, 300, 3)
    assert fp.render(height=10).shape == (10, len(fp.samples), 3)  # one 1-px column per sample
    assert fp.render(height=10, column_width=3).shape == (10, 3 * len(fp.samples), 3)


def test_an_image_palette_checks_its_fields():
    pal = streamprint.Palette(np.array([[10, 20, 30]], np.uint8), np.array([1.0]))
    good = dict(path="a.png", palette=pal, width=4, height=3, space="lab")
    assert streamprint.ImagePalette(**good).space == "lab"
    for bad in ({"path": 5}, {"width": 0}, {"height": 2.5}, {"width": True}, {"space": "hsv"}, {"palette": None}):
        with pytest.raises(InvalidValue):
            streamprint.ImagePalette(**{**good, **bad})
            pytest.fail(str(bad))


def test_a_palette_checks_its_inertia_cut_and_mean():
    """``Palette(inertia="abc")`` was a ValueError, ``inertia=None`` a TypeError,
    ``inertia="5"`` and ``cut="no"`` taken (as 5.0 and True), and ``mean=[300, 0, 0]`` an
    OverflowError: each is now InvalidValue."""
    colors, weights = np.array([[10, 20, 30]], np.uint8), np.array([1.0])
    for bad in ({"inertia": "abc"}, {"inertia": None}, {"inertia": "5"}, {"inertia": -1.0}, {"cut": "no"},
                {"mean": [300, 0, 0]}, {"mean": [1.5, 2, 3]}, {"mean": [1, 2]}):
        with pytest.raises(InvalidValue):
            streamprint.Palette(colors, weights, **bad)
            pytest.fail(str(bad))
    good = streamprint.Palette(colors, weights, inertia=np.float32(2.5), cut=np.bool_(True), mean=[1, 2, 3])
    assert good.inertia == 2.5 and good.cut is True and good.mean.tolist() == [1, 2, 3]


def test_a_palettes_weights_are_numbers_not_text_or_flags():
    """Palette(red, ["1"]) and Palette(red, [True]) were taken (as 1.0), Palette(red, ["x"])
    a bare ValueError from numpy: weights that are not numbers are InvalidValue; numpy's
    numbers of any width are taken."""
    red = np.array([[200, 30, 30]], np.uint8)
    for bad in (["1"], [True], np.array([True]), ["x"], [None], "1"):
        with pytest.raises(InvalidValue, match="weights must be"):
            streamprint.Palette(red, bad)
            pytest.fail(repr(bad))
    for good in ([1], [1.0], np.array([1], np.uint8), np.array([1.0], np.float32), (np.int64(1),)):
        assert streamprint.Palette(red, good).weights.tolist() == [1.0]


def test_model_errors_are_streamprint_errors():
    with pytest.raises(InvalidValue):
        streamprint.Palette(np.zeros((2, 3), np.uint8), np.array([0.2, 0.2]))
    with pytest.raises(InvalidValue):
        SourceInfo("a", "mp4", "h264", 0, 10, 10, 25.0, 1.0, 25, None, None, None, None)


def test_a_checkpoint_resumes_only_the_file_it_was_made_from(tmp_path):
    """A checkpoint of b.mp4 resumed on a.mp4 gave three samples of b and one of a, silently."""
    import shutil

    a, b = tmp_path / "a.mp4", tmp_path / "b.mp4"
    shutil.copy(SAMPLE, a)
    shutil.copy(SAMPLE, b)
    b.write_bytes(b.read_bytes() + b"\0" * 10)  # another file: not the same size
    saved = []
    streamprint.fingerprint(b, sampling=Sampling.every(1), checkpoint=saved.append, checkpoint_every=1e-9)
    point = saved[len(saved) // 2]
    assert point.input == (b.stat().st_size, b.stat().st_mtime_ns)
    with pytest.raises(ResumeError, match="another file"):
        streamprint.fingerprint(a, sampling=Sampling.every(1), resume=point)
    whole = streamprint.fingerprint(b, sampling=Sampling.every(1))
    assert streamprint.fingerprint(b, sampling=Sampling.every(1), resume=point).samples == whole.samples
    with open(b, "rb") as f:  # an open file is told by its descriptor
        assert streamprint.fingerprint(f, sampling=Sampling.every(1), resume=point).samples == whole.samples
    with pytest.raises(ResumeError, match="cannot be told"):  # bytes in memory cannot be told to be b.mp4
        streamprint.fingerprint(io.BytesIO(b.read_bytes()), sampling=Sampling.every(1), resume=point)


def _writers(fp):
    """Every public way the library writes a file, as (file name, write(path, **overwrite))."""
    from streamprint.formats import write_palettes
    from streamprint.palette import save_card
    from streamprint.render.page import save_page

    image = fp.render(height=8)
    palette = streamprint.extract_palette(image)
    return [
        ("a.json", lambda p, **o: fp.save(p, **o)),
        ("a.csv", lambda p, **o: streamprint.write_fingerprint(fp, p, **o)),
        ("a.png", lambda p, **o: fp.save_image(p, **o)),
        ("a.html", lambda p, **o: fp.save_image(p, **o)),
        ("a.svg", lambda p, **o: save_image(fp, p, RenderOptions.for_path(p), **o)),
        ("a.webp", lambda p, **o: write_image(image, p, streamprint.ImageFormat.WEBP, **o)),
        ("a.page.html", lambda p, **o: save_page(fp, p, **o)),
        ("a.tsv", lambda p, **o: write_palettes([palette], p, **o)),
        ("a.jpg", lambda p, **o: save_card(p, image, **o)),
        ("b.png", lambda p, **o: streamprint.outputs.RunOutputs(p, RenderOptions(), **o).write(fp)),
    ]


def test_the_library_replaces_a_file_it_did_not_write_only_when_told(fp, tmp_path):
    """fp.save("notes.json") wrote over the user's notes: the library's writers replaced
    any file, where the command refuses one without --overwrite. The rule is one
    (atomic.check_replace): ForeignFileError (a ParameterError) naming the file, unless
    overwrite=True; streamprint's own outputs are replaced as before."""
    import streamprint.outputs  # noqa: F401  (for RunOutputs above)

    for name, write in _writers(fp):
        path = tmp_path / name
        path.write_bytes(b"the user's own\n")
        with pytest.raises(streamprint.ForeignFileError, match="exists and was not written by streamprint") as e:
            write(path)
        assert e.value.path == path and str(path) in str(e.value) and isinstance(e.value, StreamprintError)
        assert "overwrite" in str(e.value) and "--overwrite" not in str(e.value), e.value
        assert path.read_bytes() == b"the user's own\n", name  # untouched
        write(path, overwrite=True)
        assert path.read_bytes() != b"the user's own\n", name
        write(path)  # now streamprint's own: replaced without being told
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".streamprint-")]


def test_overwrite_must_be_true_or_false_and_anything_else_leaves_the_users_file(fp, tmp_path):
    """fp.save("mine.json", overwrite="false"), save_image(..., overwrite="no") and
    write_palettes(..., overwrite="0") replaced the user's file: any truthy value was taken
    as yes. ``overwrite`` is a flag like ``thumbnails``: ParameterError naming it, nothing
    written, whether or not a file is there."""
    import streamprint.outputs  # noqa: F401  (for RunOutputs in _writers)
    from streamprint.render.gallery import write_gallery

    for name, write in _writers(fp):
        path = tmp_path / name
        path.write_bytes(b"the user's own\n")
        for value in ("false", "no", "0", 1, None):
            with pytest.raises(ParameterError, match="overwrite must be True or False") as e:
                write(path, overwrite=value)
            assert e.value.parameter == "overwrite"
            assert path.read_bytes() == b"the user's own\n", (name, value)
        path.unlink()
        with pytest.raises(ParameterError, match="overwrite"):
            write(path, overwrite="yes")
        assert not path.exists(), name
    with pytest.raises(ParameterError, match="overwrite"):
        write_gallery(tmp_path / "gallery", overwrite="no")
    assert not (tmp_path / "gallery" / "index.html").exists()


def test_run_outputs_refuse_a_foreign_data_file_before_writing_the_picture(fp, tmp_path):
    from streamprint.outputs import RunOutputs

    image, data = tmp_path / "a.png", tmp_path / "a.json"
    data.write_text("{}")
    with pytest.raises(streamprint.ForeignFileError) as e:
        RunOutputs(image, RenderOptions(), data).write(fp)
    assert e.value.parameter == "data" and e.value.path == data
    assert not image.exists() and data.read_text() == "{}"


def test_palettes_in_threads_leave_the_callers_warnings_as_they_were():
    """Palettes made in three threads at once (each reads its image catching Pillow's
    warnings): Python's catch_warnings swaps process-wide state, and interleaved in threads
    it left an "always" filter and a recording showwarning in place for good, so the
    caller's own warnings went nowhere."""
    import threading
    import warnings

    image = (np.random.default_rng(0).random((120, 160, 3)) * 255).astype(np.uint8)
    filters, show = list(warnings.filters), warnings.showwarning

    def work():
        for _ in range(15):
            streamprint.extract_palette(image, colors=3)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert warnings.filters == filters and warnings.showwarning is show


@pytest.mark.parametrize("field, value", [("version", 5), ("decode", None), ("decode", "x"), ("color", None)])
def test_a_fingerprint_with_a_field_of_the_wrong_type_is_refused(field, value):
    """A fingerprint made with version=5 was saved, then refused by Fingerprint.load; one
    with decode or color None was drawn, then failed to save with AttributeError. Every
    field is checked on construction, as README says."""
    from streamprint.errors import InvalidValue

    from . import fakes

    fp = fakes.flat([(200, 30, 30)], [0.0], 1.0)
    with pytest.raises(InvalidValue):
        dataclasses.replace(fp, **{field: value})


def test_write_fingerprint_and_fingerprint_refuse_wrong_types_by_name(tmp_path):
    """write_fingerprint("out.json", "wf.json") (the arguments swapped) was AttributeError
    'str' object has no attribute 'version' from inside the writer, and Fingerprint(source,
    options, None) a TypeError from making the samples: ParameterError naming ``fp``, and
    InvalidValue as for every other field, nothing written."""
    from . import fakes

    fp = fakes.flat([(200, 30, 30)], [0.0], 1.0)
    with pytest.raises(ParameterError, match="fp must be a Fingerprint, got str") as e:
        streamprint.write_fingerprint("out.json", tmp_path / "wf.json")
    assert e.value.parameter == "fp" and not (tmp_path / "wf.json").exists()
    for samples in (None, 5, "ab", [None]):
        with pytest.raises(InvalidValue, match="samples must be Sample values"):
            streamprint.Fingerprint(fp.source, fp.options, samples)


def test_bytes_are_an_images_contents_to_extract_palette_and_a_name_that_says_so(tmp_path):
    """fingerprint(b"m.mp4") reads the file of that name, extract_palette(b"photo.png") took
    the name for the image's contents: "image bytes: not an image Pillow can read". Bytes
    stay an image's contents (README and both docstrings say which is which); bytes that name
    an existing file are refused saying what to pass."""
    path = tmp_path / "photo.png"
    Image.fromarray(np.full((4, 6, 3), (200, 30, 30), np.uint8)).save(path)
    assert streamprint.extract_palette(path.read_bytes()).hex == streamprint.extract_palette(path).hex == ["#c81e1e"]
    with pytest.raises(ParameterError, match="contents, not its file name.*pass a str or a Path") as e:
        streamprint.extract_palette(bytes(path))
    assert e.value.parameter == "image"


def test_file_names_may_be_bytes_and_nothing_else_leaks_a_type_error(tmp_path):
    """Fingerprint.load(b"m.json") raised TypeError, save(b"m.json") said the extension did
    not say the format, fingerprint(b"m.mp4") could not open it, and load(5) raised TypeError. Bytes are names as the OS gives them
    (os.fsencode: a Latin-1 name too); anything else is a ParameterError."""
    import os

    from streamprint.errors import ParameterError

    from . import fakes

    fp = fakes.flat([(200, 30, 30), (30, 30, 200)], [0.0, 1.0], 2.0)
    for suffix in ("json", "csv"):
        name = os.fsencode(tmp_path / f"caf\xe9.{suffix}")
        fp.save(name)
        assert streamprint.Fingerprint.load(name) == streamprint.Fingerprint.load(os.fsdecode(name))
    fp.save_image(os.fsencode(tmp_path / "s.png"))
    assert (tmp_path / "s.png").exists()
    movie = tmp_path / "m\xe9.mp4"  # a movie's name as bytes was taken for a file object ("cannot open")
    movie.write_bytes(SAMPLE.read_bytes())
    made = streamprint.fingerprint(os.fsencode(movie), sampling=Sampling.every(24))
    assert made.samples == streamprint.fingerprint(movie, sampling=Sampling.every(24)).samples
    assert made.source.path == str(movie)
    for bad in (5, None, 2.5):
        with pytest.raises(ParameterError, match="must be a file name"):
            streamprint.Fingerprint.load(bad)
        with pytest.raises(ParameterError, match="must be a file name"):
            fp.save(bad)


def test_write_palettes_takes_any_iterable_and_refuses_what_holds_no_palettes(tmp_path):
    """A generator of palettes raised TypeError for .gpl/.ase/.css (len()), and written as TSV
    was used up by the check of its names: a file of no palette. Not palettes were TypeErrors
    and AttributeErrors from inside."""
    red, blue = (streamprint.extract_palette(np.full((4, 4, 3), c, np.uint8), name=n, colors=1)
                 for c, n in (((255, 0, 0), "red"), ((0, 0, 255), "blue")))
    for ext in ("json", "tsv"):
        streamprint.write_palettes((p for p in (red, blue)), tmp_path / f"g.{ext}")
        assert [p.hex for p in streamprint.read_palettes(tmp_path / f"g.{ext}")] == [["#ff0000"], ["#0000ff"]]
        streamprint.write_palettes((red,), tmp_path / f"t.{ext}")
        assert [p.path for p in streamprint.read_palettes(tmp_path / f"t.{ext}")] == ["red"]
    for ext in ("gpl", "ase", "css"):
        streamprint.write_palettes(iter([red]), tmp_path / f"g.{ext}")
        assert (tmp_path / f"g.{ext}").stat().st_size > 0
    for junk in (5, None, "red", b"red", [5], [red.palette], {"red": red}, [red, None]):
        with pytest.raises(ParameterError, match="^palettes must"):
            streamprint.write_palettes(junk, tmp_path / "j.json")
    assert not (tmp_path / "j.json").exists()


@pytest.mark.parametrize("call", [
    lambda fp: render.columns_for_width(fp, -5), lambda fp: render.columns_for_width(fp, 0),
    lambda fp: render.columns_for_width(fp, 2.5), lambda fp: render.columns_for_width(fp, "7"),
    lambda fp: render.columns_for_width(fp.palettes, 5),
    lambda fp: render.columns_by_time([0, 1], [1, -1], 5), lambda fp: render.columns_by_time([0, np.nan], [1, 1], 5),
    lambda fp: render.columns_by_time([0, 1], [1], 5), lambda fp: render.columns_by_time([], [], 5),
    lambda fp: render.render_stacked([], 10), lambda fp: render.render_stacked([1], 10),
    lambda fp: render.render_stacked(fp.palettes, 10, width=-5),
    lambda fp: render.render_stacked(fp.palettes, 10, widths=[-1.0] * len(fp), width=5),
    lambda fp: render.render_stacked(fp.palettes, 10, widths=[1.0], width=5),
    lambda fp: render.render(fp.palettes, "plot"), lambda fp: render.order_palette(fp.palettes[0], "stable"),
    lambda fp: render.segment_heights([0.5, 0.5], -4), lambda fp: render.segment_heights([0.0, 0.0], 4),
    lambda fp: render.smooth_colors(np.zeros((3, 3), np.uint8), -2),
    lambda fp: render.svg(fp.palettes, height=-5), lambda fp: render.svg(fp.palettes, column_width=-1),
    lambda fp: render.svg(fp.palettes, columns=[len(fp)]),
    lambda fp: render.ring(np.zeros((4, 4, 3), np.uint8), -5), lambda fp: render.ring(np.zeros((4, 4), np.uint8), 5),
])
def test_the_render_helpers_refuse_bad_arguments_by_name(fp, call):
    """They raised ValueError, TypeError or AttributeError from inside, and some drew what
    they were given: an SVG -5 px high, 3 columns for a width of 2.5, spans that go back."""
    with pytest.raises(ParameterError) as caught:
        call(fp)
    assert "\n" not in str(caught.value)


def test_the_render_helpers_take_numpy_numbers_tuples_and_arrays(fp):
    assert render.columns_for_width(fp, np.int64(7)).shape == (7,)
    assert render.render_stacked(tuple(fp.palettes), np.int32(10), widths=np.ones(len(fp)), width=7).shape == (10, 7, 3)
    assert render.columns_by_time((0, 1, 2), [1, 1, 1], 6).tolist() == [0, 0, 1, 1, 2, 2]
    assert render.segment_heights([0.25, 0.75], 0).tolist() == [0, 0]  # a bar with no room left to share


def test_save_image_takes_a_format_only_the_extension_agrees_with(fp, tmp_path):
    """fp.save_image("m.jpg", format="png") was a TypeError (format given twice to
    RenderOptions); an option RenderOptions has not was a TypeError too."""
    with pytest.raises(ParameterError, match="^path .*m.jpg: the extension must say the format, png"):
        fp.save_image(tmp_path / "m.jpg", format="png")
    with pytest.raises(ParameterError, match="^image_format must be one of"):
        fp.save_image(tmp_path / "m.jpg", format="gif")
    with pytest.raises(ParameterError, match="^colour is not a drawing option"):
        fp.save_image(tmp_path / "m.png", colour="red")
    assert not list(tmp_path.iterdir())
    fp.save_image(tmp_path / "m.jpeg", format="jpeg", height=20)
    fp.save_image(tmp_path / "m.png", format=streamprint.ImageFormat.PNG, height=20)
    assert [Image.open(tmp_path / n).format for n in ("m.jpeg", "m.png")] == ["JPEG", "PNG"]


def test_an_output_through_a_symbolic_link_is_written_where_it_points_and_the_link_stays(fp, tmp_path):
    """Saving through a link to a file streamprint wrote replaced the link with a regular
    file, and the file it pointed to kept the old output."""
    (tmp_path / "real").mkdir()
    fp.save_image(tmp_path / "real" / "m.png", height=10)
    fp.save(tmp_path / "real" / "m.json")
    (tmp_path / "m.png").symlink_to("real/m.png")  # relative, as ln -s makes them
    (tmp_path / "m.json").symlink_to(tmp_path / "real" / "m.json")
    fp.save_image(tmp_path / "m.png", height=20)
    fp.save(tmp_path / "m.json")
    assert (tmp_path / "m.png").is_symlink() and (tmp_path / "m.json").is_symlink()
    assert Image.open(tmp_path / "real" / "m.png").size[1] == 20  # the new picture, where the link points
    assert streamprint.Fingerprint.load(tmp_path / "real" / "m.json") == fp
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["m.json", "m.png"]  # no temporary left
    # a link to a file of the user's: refused, link and file as they were
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / "out.json").symlink_to("notes.json")
    with pytest.raises(streamprint.ForeignFileError):
        fp.save(tmp_path / "out.json")
    assert (tmp_path / "out.json").is_symlink() and (tmp_path / "notes.json").read_text() == "{}"
    # a link to a file yet to be made: made there
    (tmp_path / "new.png").symlink_to("real/new.png")
    fp.save_image(tmp_path / "new.png", height=10)
    assert (tmp_path / "new.png").is_symlink() and Image.open(tmp_path / "real" / "new.png").format == "PNG"


def test_a_strip_by_time_may_have_more_columns_than_a_picture_has_pixels():
    """The width rule of pictures (65535 px) is not a limit on samples: render_stacked with
    widths and no width gives one column per palette, however many."""
    n = 70_000
    assert render.columns_by_time(np.arange(n, dtype=float), np.ones(n), n).tolist()[-3:] == [n - 3, n - 2, n - 1]


@pytest.mark.parametrize("style, name, why", [("stacked", "o.png", "a stacked picture has none"),
                                              ("dominant", "o.jpg", "a dominant picture has none"),
                                              ("plot", "o.jpg", "a plot picture has none"),
                                              ("ring", "o.png", "PNG keeps them transparent"),
                                              ("ring", "o.webp", "WEBP keeps them transparent")])
def test_a_background_with_nothing_to_fill_is_refused_by_the_library_too(tmp_path, style, name, why):
    """``RenderOptions(background=...)`` on a strip or a plot, or on a ring in PNG or WebP,
    was taken and did nothing, where the command refuses ``--background`` there: it fills a
    ring's transparent parts in JPEG alone. One rule (:func:`streamprint.params.check_render`),
    the CLI's message. A ring in JPEG stands on it; the default (white) is no request."""
    from . import fakes

    fp = fakes.flat([(200, 40, 40), (30, 60, 160)], [0.0, 1.0], 2.0)
    with pytest.raises(ParameterError) as refused:
        RenderOptions.for_path(tmp_path / name, style=style, background="#102030")
    assert refused.value.parameter == "background"
    assert str(refused.value) == f"background fills a ring's transparent parts in JPEG; {why}"
    with pytest.raises(ParameterError, match="^background fills"):
        fp.save_image(tmp_path / name, style=style, height=80, background=(16, 32, 48))
    assert list(tmp_path.iterdir()) == []
    fp.save_image(tmp_path / name, style=style, height=80, background="#ffffff")  # the default, said
    fp.save_image(tmp_path / "r.jpg", style="ring", height=80, background="#102030")
    jpg = np.asarray(Image.open(tmp_path / "r.jpg").convert("RGB")).astype(int)
    assert np.abs(jpg[2, 2] - (16, 32, 48)).max() <= 3  # a corner: outside the ring


def test_frames_of_a_closed_source_are_a_usage_error_not_a_crash():
    """Frames asked of a VideoSource after close() (its with block left, or closed between two
    frames) read a freed container: the process died of SIGSEGV. Each way is run in a
    process of its own, so that a crash fails the test rather than ending pytest."""
    import subprocess
    import sys

    ways = {
        "taken in the with block, read after it":
            "with VideoSource(path) as s:\n    frames = s.frames()\nsum(1 for _ in frames)",
        "asked after close()": "s = VideoSource(path)\ns.close()\nnext(s.frames())",
        "closed between two frames": "s = VideoSource(path)\ng = s.frames()\nnext(g)\ns.close()\nnext(g)",
    }
    for way, code in ways.items():
        script = (f"import sys\nfrom streamprint import VideoSource, UsageError\npath = {str(SAMPLE)!r}\n"
                  f"try:\n" + "".join(f"    {line}\n" for line in code.splitlines())
                  + "except UsageError as exc:\n    assert 'closed' in str(exc), exc\n    sys.exit(7)\n")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
        assert done.returncode == 7, (way, done.returncode, done.stderr.decode()[-500:])


def test_what_a_movie_is_read_from_and_how_is_checked_by_name_before_ffmpeg_sees_it(tmp_path):
    """fingerprint(None), a bytearray or memoryview reached the reader (AttributeError
    'read'), a descriptor number select (OSError), a closed file a ValueError; VideoSource
    took bytes for a file object (AttributeError) and passed threads="x" and options={"a": 1}
    to PyAV (TypeError); to_rgb("32") compared text with a number and to_rgb(32.5) was taken.
    Each is a ParameterError naming the parameter; what README names still reads."""
    import os

    from streamprint import VideoSource

    closed = open(SAMPLE, "rb")
    closed.close()
    fd = os.open(SAMPLE, os.O_RDONLY)  # not documented as an input: refused, not read as a pipe
    text, write_only = open(SAMPLE, encoding="latin-1"), open(tmp_path / "w", "wb")
    try:
        for bad, says in [(None, "NoneType"), (bytearray(os.fsencode(SAMPLE)), "io.BytesIO"),
                          (memoryview(SAMPLE.read_bytes()), "io.BytesIO"), (fd, "open\\(fd, 'rb'"),
                          (closed, "closed"), (text, "binary"), (write_only, "not open for reading")]:
            for call in (streamprint.fingerprint, VideoSource):
                with pytest.raises(ParameterError, match=says) as caught:
                    call(bad)
                assert caught.value.parameter == "path"
    finally:
        os.close(fd)
        text.close()
        write_only.close()
    for name, value in [("threads", "x"), ("options", {"a": 1}), ("keyframes_only", 1)]:
        with pytest.raises(ParameterError) as caught:
            VideoSource(SAMPLE, **{name: value})
        assert caught.value.parameter == name
    with VideoSource(os.fsencode(SAMPLE)) as source:  # a name as bytes, as fingerprint() takes it
        assert source.info.path == str(SAMPLE)
        frame = next(source.frames())
        for bad in ("32", 32.5, True):
            with pytest.raises(ParameterError) as caught:
                frame.to_rgb(bad)
            assert caught.value.parameter == "long_side"
        assert frame.to_rgb(32).shape[1] == 32  # 16:9 sample: the long side is the width


def test_a_demuxer_option_ffmpeg_does_not_know_is_refused_by_name(tmp_path):
    """FFmpeg's avformat_open_input hands back the options nothing took, and PyAV drops them:
    ``demuxer_options={"probesise": ...}`` (for probesize) read the movie as if not given, and
    nothing said so. A key FFmpeg knows as no option (of a demuxer, a protocol or a decoder:
    it would do nothing) is a ParameterError naming the parameter and the key, before the
    movie is read; keys of each of those kinds still read."""
    from streamprint import VideoSource

    for bad, keys in [({"probesise": "5000000"}, "'probesise'"),
                      ({"video_size": "16x16", "video_sise": "16x16", "fps": "5"}, "'video_sise', 'fps'")]:
        with pytest.raises(ParameterError, match=f"key.? {keys} (is|are) not") as caught:
            streamprint.fingerprint(SAMPLE, demuxer_options=bad)
        assert caught.value.parameter == "demuxer_options"
        with pytest.raises(ParameterError, match=keys) as caught:
            VideoSource(SAMPLE, options=bad)
        assert caught.value.parameter == "options"
    # the format context's, the file protocol's, a decoder's (PyAV hands them to the codecs too)
    good = {"probesize": "5000000", "follow": "0", "threads": "1"}
    assert len(streamprint.fingerprint(SAMPLE, demuxer_options=good)) == len(streamprint.fingerprint(SAMPLE))
    raw = tmp_path / "frames.rgb"
    raw.write_bytes(bytes(range(48)) * 3)  # 3 frames of 4 x 4 rgb24
    with VideoSource(raw, format="rawvideo", options={"video_size": "4x4", "pixel_format": "rgb24",
                                                      "framerate": "1"}) as source:
        assert (source.info.width, source.info.height) == (4, 4)
