"""The palette card and the command's inputs and outputs: what the card shows of a
transparent image, inputs read once, warnings and interrupts said in one line."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .conftest import run_cli


def test_the_card_shows_a_transparent_image_over_its_buffer_colour(tmp_path):
    """The palette leaves out a transparent pixel; the card showed its hidden colour (bright
    green beside a 100 % red palette). The image is shown as a viewer shows it on a page of
    the buffer colour: straight alpha, out = colour x a + page x (1 - a), a = alpha / 255."""
    rgba = np.zeros((40, 90, 4), np.uint8)
    rgba[:, :30] = (200, 30, 30, 255)
    rgba[:, 30:60] = (0, 255, 0, 0)        # hidden green, wholly transparent
    rgba[:, 60:] = (0, 0, 255, 128)        # half-transparent blue
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    for page in ((255, 255, 255), (0x22, 0x22, 0x22)):
        card = tmp_path / "card.png"
        r = run_cli("palette", path, "--card", card, "--overwrite", "--buffer", "0", "--bar", "0.1",
                    "--buffer-color", "#%02x%02x%02x" % page)
        assert r.returncode == 0, r.stderr
        shown = np.asarray(Image.open(card).convert("RGB"))[4:44].astype(int)  # below the 4-px bar
        a = rgba[..., 3:].astype(float) / 255
        truth = np.floor(rgba[..., :3] * a + np.array(page) * (1 - a) + 0.5).astype(int)
        assert np.abs(shown - truth).max() <= 1, (shown[0, ::30], truth[0, ::30])


def test_a_pipe_named_as_a_path_is_read_once(tmp_path):
    """``palette <(cat a.png) --card c.png`` (or /dev/stdin): the palette read the pipe, and
    the card found it empty ("/dev/fd/63: not an image Pillow can read"). A path that is
    not a regular file is read once, into memory, as - is."""
    import json

    image = np.full((30, 40, 3), (200, 30, 30), np.uint8)
    image[:, :10] = (30, 30, 200)
    src = tmp_path / "p.png"
    Image.fromarray(image).save(src)
    card, data = tmp_path / "card.png", tmp_path / "p.json"
    r = run_cli("palette", "/dev/stdin", "--card", card, "--data", data, input=src.read_bytes())
    assert r.returncode == 0, r.stderr
    [pal] = json.loads(data.read_text())["palettes"]
    assert pal["image"] == "/dev/stdin"
    assert {tuple(c["rgb"]): c["share"] for c in pal["colors"]} == {(200, 30, 30): 0.75, (30, 30, 200): 0.25}
    assert np.asarray(Image.open(card).convert("RGB")).shape[1] == 40


def test_pillows_warnings_are_one_log_line_each_and_quiet_with_q(tmp_path, recwarn, caplog):
    """A JPEG with a damaged EXIF block: Pillow's UserWarning reached stderr as two raw lines
    ("…TiffImagePlugin.py:982: UserWarning: Corrupt EXIF data…"), even with -q. It is one
    line through streamprint's logger, once, and -q hides it."""
    import logging

    from streamprint import extract_palette

    path = tmp_path / "t.jpg"
    Image.new("RGB", (64, 48), (10, 20, 30)).save(path, exif=b"Exif\0\0II*\0\x08\0\0\0\x05\0")
    r = run_cli("palette", path, "-q")
    assert r.returncode == 0 and r.stderr == b"", r.stderr
    r = run_cli("palette", path)
    lines = r.stderr.decode().splitlines()
    assert r.returncode == 0 and len(lines) == 1, lines
    assert lines[0].startswith("streamprint: WARNING: ") and "Corrupt EXIF data" in lines[0], lines
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        extract_palette(path)
    assert "Corrupt EXIF data" in caplog.text and not [w for w in recwarn if "EXIF" in str(w.message)]
    # a library's images given as bytes are all "image bytes": each palette says its own
    # warnings (the first alone was said, for the whole process)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        for _ in range(3):
            extract_palette(path.read_bytes())
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 3, caplog.text


def test_an_interrupt_says_which_cards_are_kept(tmp_path):
    """Ctrl-C during a run of several images said "nothing was written" while the cards of
    the images finished stayed in --out-dir. The second image here is a FIFO no one writes
    to: the run waits on it, with the first card written, and is interrupted there."""
    import os
    import signal
    import subprocess
    import sys
    import time

    first, fifo, out, data = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "cards", tmp_path / "p.json"
    Image.fromarray(np.full((20, 20, 3), (200, 30, 30), np.uint8)).save(first)
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "streamprint", "palette", str(first), str(fifo), "--out-dir",
                             str(out), "--data", str(data)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (out / "a.png.palette.png").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    said = err.decode().strip().splitlines()
    assert proc.returncode == 130 and len(said) == 1, said
    assert "nothing was written" not in said[0] and "1 card" in said[0] and str(out) in said[0], said
    assert "p.json" in said[0] and "not written" in said[0] and not data.exists(), said
    assert sorted(p.name for p in out.iterdir()) == ["a.png.palette.png"]


def test_a_turned_tiff_has_its_displayed_size(tmp_path):
    """A 60 x 40 image saved with EXIF orientation 6 (a quarter turn) is shown 40 x 60, as
    ImageOps.exif_transpose and the card have it; a TIFF's size, which Pillow has turned
    already, was turned again: 60 wide, 40 high in --data."""
    import json

    from PIL import ImageOps

    base = np.zeros((40, 60, 3), np.uint8)
    base[:20] = (255, 0, 0)
    for fmt in ("tif", "png", "jpg"):
        path, data = tmp_path / f"turned.{fmt}", tmp_path / f"{fmt}.json"
        image = Image.fromarray(base)
        exif = image.getexif()
        exif[0x0112] = 6
        image.save(path, exif=exif)
        shown = ImageOps.exif_transpose(Image.open(path)).size
        assert shown == (40, 60)
        r = run_cli("palette", path, "--data", data)
        entry = json.loads(data.read_text())["palettes"][0]
        assert r.returncode == 0 and (entry["width"], entry["height"]) == shown, (fmt, entry, r.stderr)


def test_a_full_standard_output_is_one_line_and_the_files_are_still_written(tmp_path):
    """``palette a.png b.png --out-dir o --data x.json > /dev/full`` stopped at the first
    table with "unexpected OSError ... (a bug in streamprint)", the second card and the data
    file never made. A standard output that cannot be written is said in one line, and the
    files are written."""
    import json
    import os
    import subprocess
    import sys

    if not os.path.exists("/dev/full"):
        import pytest

        pytest.skip("no /dev/full here")
    paths = []
    for name, colour in (("a.png", (200, 30, 30)), ("b.png", (30, 30, 200))):
        paths.append(tmp_path / name)
        Image.fromarray(np.full((20, 20, 3), colour, np.uint8)).save(paths[-1])
    out, data = tmp_path / "o", tmp_path / "x.json"
    with open("/dev/full", "w") as full:
        r = subprocess.run([sys.executable, "-m", "streamprint", "palette", *map(str, paths), "--out-dir", str(out),
                            "--data", str(data)], stdout=full, stderr=subprocess.PIPE, timeout=120)
    err = r.stderr.decode().strip().splitlines()
    assert r.returncode == 1 and len([e for e in err if "error" in e]) == 1, err
    assert not any("unexpected" in e or "bug" in e or "Traceback" in e or "Exception" in e for e in err), err
    assert any("standard output" in e for e in err), err
    assert sorted(p.name for p in out.iterdir()) == ["a.png.palette.png", "b.png.palette.png"]
    assert len(json.loads(data.read_text())["palettes"]) == 2


def test_out_dir_blames_out_dir_and_is_not_left_empty(tmp_path):
    """A card in --out-dir that would be an input was blamed on --card, a flag not given;
    an --out-dir made for a run whose every image failed was left behind, empty."""
    import os

    a = tmp_path / "a.png"
    Image.fromarray(np.full((20, 20, 3), (200, 30, 30), np.uint8)).save(a)
    other = tmp_path / "a.png.palette.png"  # an input where a.png's card would go
    Image.fromarray(np.full((20, 20, 3), (30, 30, 200), np.uint8)).save(other)
    before = other.read_bytes()
    r = run_cli("palette", a, other, "--out-dir", tmp_path)
    err = r.stderr.decode()
    assert r.returncode == 2 and "--out-dir" in err and "--card" not in err.split("see streamprint")[0], err
    assert other.read_bytes() == before
    bad = [tmp_path / "x.png", tmp_path / "y.png"]
    for path in bad:
        path.write_text("not an image")
    for inputs in (bad, bad[:1]):
        made = tmp_path / "new" / "cards"
        r = run_cli("palette", *inputs, "--out-dir", made)
        assert r.returncode == 1 and not os.path.exists(tmp_path / "new"), (r.stderr, inputs)


def test_streamprints_own_warnings_are_said_once_with_a_card(tmp_path):
    """A photo whose ICC profile LittleCMS cannot use: streamprint's warning ("ignoring the
    image's ICC profile") was said twice with --card, for the palette and again for the card
    (a JPEG's card is decoded again, at reduced size; a PNG's shares the palette's decode)."""
    for fmt in ("png", "jpeg"):
        path = tmp_path / f"broken-profile.{fmt}"
        Image.new("RGB", (640, 480), (10, 20, 30)).save(path, icc_profile=b"not a profile" * 20)
        r = run_cli("palette", path, "--card", tmp_path / f"{fmt}.card.png", "--size", "100")
        lines = r.stderr.decode().splitlines()
        assert r.returncode == 0, lines
        assert [line for line in lines if "ICC profile" in line] == [lines[0]] and len(lines) == 2, lines


def test_each_image_a_library_reads_says_its_own_warnings(tmp_path, caplog):
    """Warnings are said once per image, not once per process: a library's images given as
    bytes are all "image bytes", and load_image after extract_palette of another image with
    a broken profile said nothing of its own broken profile."""
    import io
    import logging

    from streamprint.palette import extract_palette, load_image

    data = []
    for fmt in ("PNG", "JPEG"):
        buf = io.BytesIO()
        Image.new("RGB", (64, 48), (10, 20, 30)).save(buf, format=fmt, icc_profile=b"not a profile" * 20)
        data.append(buf.getvalue())
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        extract_palette(data[0], colors=2)
        load_image(data[1], 100)
        load_image(data[1], 100)
    said = [r.getMessage() for r in caplog.records if "ICC profile" in r.getMessage()]
    assert len(said) == 3, said


def test_the_cards_proportional_and_labels_are_flags(tmp_path):
    """``card(..., proportional="false", labels="false")`` drew shares and labels: the
    arguments were read by truthiness. They are flags, as ``overwrite`` is (True or False,
    numpy's bool too): anything else is a ParameterError naming the argument; and so is a
    grid's ``labels``, before any tile is read."""
    import pytest

    from streamprint import ParameterError
    from streamprint.batch.grid import grid
    from streamprint.palette import card, extract_palette, swatch_bar, swatch_edges

    rgb = np.zeros((20, 40, 3), np.uint8)
    rgb[:, :30], rgb[:, 30:] = (200, 30, 30), (30, 30, 200)  # 75 % red, 25 % blue
    pal = extract_palette(rgb, colors=2)
    calls = {"proportional": lambda v: card(rgb, pal, proportional=v),
             "labels": lambda v: card(rgb, pal, labels=v)}
    calls_too = [("proportional", lambda v: swatch_edges(pal, 40, proportional=v)),
                 ("proportional", lambda v: swatch_bar(pal, 40, 12, proportional=v)),
                 ("labels", lambda v: swatch_bar(pal, 40, 12, labels=v)),
                 ("labels", lambda v: grid(tmp_path, (64, 64), labels=v))]
    for name, call in [*calls.items(), *calls_too]:
        for bad in ("false", "no", 1, None):
            with pytest.raises(ParameterError, match=f"{name} must be True or False") as e:
                call(bad)
            assert e.value.parameter == name
    plain = card(rgb, pal, bar=0.5, buffer=0.0)
    assert np.array_equal(card(rgb, pal, bar=0.5, buffer=0.0, proportional=np.bool_(False),
                               labels=np.bool_(False)), plain)
    # by share: the top bar's red is 30 of 40 px (75 %), equal widths 20
    shared = card(rgb, pal, bar=0.5, buffer=0.0, proportional=True)
    assert (shared[0] == (200, 30, 30)).all(axis=1).sum() == 30 and (plain[0] == (200, 30, 30)).all(axis=1).sum() == 20
