"""The gallery without a browser: what each movie's card holds (known colours in, known
numbers out), the cache, the command, and batch writing it after every run.
What the gallery does in a browser: tests/test_browser.py."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pytest

import streamprint
from streamprint import DataFormatError, ParameterError, Sampling, synth
from streamprint.atomic import written_by_streamprint
from streamprint.formats import read_fingerprint, read_gallery_cache, write_fingerprint
from streamprint.model import TimeRange
from streamprint.model.gallery import SHARE_UNIT
from streamprint.render import gallery as gallery_module
from streamprint.render.gallery import CACHE, gallery_entry, write_gallery

from .conftest import FPS, interrupt_batch, run_cli
from .test_colorspace import LAB
from .test_safety import one_line

RED = (255, 0, 0)


def test_a_cards_numbers_are_the_movies_time_weighted_colour():
    """Pure red for 30 s: brightness, colourfulness and hue are sRGB red's published CIELAB."""
    fp = synth.known_fingerprint("r.mkv", [synth.Segment(RED, RED, 30.0)])
    e = gallery_entry(fp, "r", "r.json")
    L, a, b = LAB[RED]
    assert e.duration == 30.0 and e.samples == 30
    assert e.brightness == pytest.approx(L, abs=0.01)
    assert e.colorfulness == pytest.approx(math.hypot(a, b), abs=0.01)
    assert e.hue == pytest.approx(math.degrees(math.atan2(b, a)), abs=0.01)
    # one colour bin, all of the time: red's top 4 bits per channel
    assert e.bins.tolist() == [(15 << 8) | (0 << 4) | 0] and e.shares.tolist() == [SHARE_UNIT]
    grey = gallery_entry(synth.known_fingerprint("g.mkv", [synth.Segment((128, 128, 128), (40, 40, 40), 5.0)]),
                         "g", "g.json")
    assert grey.hue is None  # no hue to sort by: last


def test_a_card_of_part_of_a_movie_shows_the_parts_length(segments_clip):
    """Made with a time range, the card states the part's length (as its page does), not the
    movie's: 2 s to 5 s of the sample is 3 s."""
    fp = streamprint.fingerprint(segments_clip, sampling=Sampling.interval(0.5), time_range=TimeRange(2, 5))
    assert fp.source.duration == pytest.approx(12.0, abs=0.1)
    assert gallery_entry(fp, "part", "part.json").duration == pytest.approx(3.0, abs=1 / FPS)
    whole = streamprint.fingerprint(segments_clip, sampling=Sampling.interval(0.5))
    assert gallery_entry(whole, "whole", "whole.json").duration == pytest.approx(12.0, abs=0.1)


def test_colour_bins_hold_each_colour_by_its_share_of_time():
    fp = synth.known_fingerprint("m.mkv", [synth.Segment((200, 40, 40), (240, 220, 60), 6.0),
                                           synth.Segment((30, 60, 160), (250, 250, 250), 2.0)])
    e = gallery_entry(fp, "m", "m.json")
    share = synth.accent_share((160, 90))
    truth = {(200, 40, 40): 0.75 * (1 - share), (240, 220, 60): 0.75 * share,
             (30, 60, 160): 0.25 * (1 - share), (250, 250, 250): 0.25 * share}
    got = dict(zip(e.bins.tolist(), e.shares.tolist(), strict=True))
    assert len(got) == 4
    for (r, g, b), t in truth.items():
        assert got[(r >> 4) << 8 | (g >> 4) << 4 | (b >> 4)] == round(t * SHARE_UNIT)


@pytest.fixture
def folder(tmp_path):
    for name, color in (("a", (200, 30, 30)), ("b", (30, 60, 160)), ("sub/c", (40, 150, 70))):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write_fingerprint(synth.known_fingerprint(name, [synth.Segment(color, (0, 0, 0), 8.0)]), tmp_path / f"{name}.json")
    (tmp_path / "notes.json").write_text('{"not": "a fingerprint"}')
    (tmp_path / ".hidden").mkdir()
    write_fingerprint(synth.known_fingerprint("h", [synth.Segment(RED, RED, 1.0)]), tmp_path / ".hidden" / "h.json")
    return tmp_path


def listed(folder) -> list[dict]:
    html = (folder / "index.html").read_text()
    start = html.index('<script type="application/json" id="sp-data">') + len('<script type="application/json" id="sp-data">')
    return json.loads(html[start:html.index("</script>", start)])["movies"]


def test_the_gallery_lists_every_data_file_and_links_pages(folder):
    from streamprint.render.page import save_page

    save_page(read_fingerprint(folder / "sub/c.json"), folder / "sub/c.html")
    (folder / "b.html").write_text("<html>someone else's</html>")  # not streamprint's: not linked
    assert write_gallery(folder) == 3
    assert written_by_streamprint(folder / "index.html")
    movies = listed(folder)
    assert [(m["t"], m["p"]) for m in movies] == [("a", None), ("b", None), ("sub/c", "sub/c.html")]


def test_the_cache_spares_reading_unchanged_data_files(folder, monkeypatch):
    write_gallery(folder)
    first = (folder / "index.html").read_bytes()
    assert set(read_gallery_cache(folder / CACHE)) == {"a.json", "b.json", "sub/c.json"}
    reads = []
    original = gallery_module.read_fingerprint
    monkeypatch.setattr(gallery_module, "read_fingerprint", lambda p: reads.append(p) or original(p))
    write_gallery(folder)
    assert reads == [] and (folder / "index.html").read_bytes() == first
    write_fingerprint(synth.known_fingerprint("b", [synth.Segment((230, 140, 30), (0, 0, 0), 20.0)]), folder / "b.json")
    write_gallery(folder)
    assert [p.name for p in reads] == ["b.json"]
    assert [m["d"] for m in listed(folder)] == [8.0, 20.0, 8.0]


def test_a_damaged_cache_is_rebuilt_with_a_warning(folder, caplog):
    write_gallery(folder)
    good = (folder / "index.html").read_bytes()
    cache = folder / CACHE
    for damage in ('{"format": "streamprint-gallery-cache", "version": 1, "entries": {"a.json": 5}}',
                   '{"format":"streamprint-gallery-cache",',  # (written other than atomically, cut short)
                   "",  # (touched, or a copy cut short: nobody's data; it stayed empty for good)
                   cache.read_text().replace('"bins":"', '"bins":"!')):
        cache.write_text(damage)
        with pytest.raises(DataFormatError):
            read_gallery_cache(cache)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="streamprint"):
            write_gallery(folder)
        assert (folder / "index.html").read_bytes() == good
        assert "gallery cache unusable" in caplog.text
        assert set(read_gallery_cache(cache)) == {"a.json", "b.json", "sub/c.json"}  # (rebuilt)


def test_a_batch_warns_once_of_a_damaged_cache(folder, tmp_path_factory, caplog):
    """A batch read the cache as it began (to make each card as its movie finishes) and again
    as it wrote the gallery: a damaged one was warned about twice. (A library of one file
    that is not a movie: the gallery lists the folder's data files.)"""
    from streamprint import Options
    from streamprint.batch import run_batch
    from streamprint.batch.executors import Serial

    lib = tmp_path_factory.mktemp("lib")
    (lib / "notes.txt").write_text("not a movie")
    (folder / CACHE).write_text('{"format":"streamprint-gallery-cache",')
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert run_batch(lib, folder, Options(), executor=Serial()).gallery == 3
    warned = [r.getMessage() for r in caplog.records if "gallery cache unusable" in r.getMessage()]
    assert len(warned) == 1, warned
    assert set(read_gallery_cache(folder / CACHE)) == {"a.json", "b.json", "sub/c.json"}  # (rebuilt)


def test_the_gallery_command_with_a_folder_where_its_cache_goes(folder):
    """``mkdir OUT/.streamprint-gallery.json``: "cannot write ...: it is a directory", exit 1,
    no gallery; now the gallery, and a warning that its cache was not saved."""
    (folder / CACHE).mkdir()
    r = run_cli("gallery", folder)
    assert r.returncode == 0, r.stderr
    err = r.stderr.decode()
    assert "cache was not saved" in err and "is a directory" in err and "Traceback" not in err
    assert [m["t"] for m in listed(folder)] == ["a", "b", "sub/c"]
    assert (folder / CACHE).is_dir()


def test_a_batch_leaves_a_file_linked_where_the_gallerys_cache_goes_as_it_is(folder, tmp_path):
    """``batch LIB OUT`` overwrote, exit 0, the file a link at OUT/.streamprint-gallery.json
    leads to. (The gallery of OUT lists the data files there, which need no decoding.)"""
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "notes.txt").write_text("not a movie")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / CACHE).symlink_to(victim)
    r = run_cli("batch", lib, folder, "--jobs", "1")
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "precious" and (folder / CACHE).is_symlink()
    assert "cache was not saved" in r.stderr.decode()
    assert [m["t"] for m in listed(folder)] == ["a", "b", "sub/c"]


def test_a_foreign_index_is_not_replaced_without_overwrite(folder):
    (folder / "index.html").write_text("<html>my library's own page</html>")
    with pytest.raises(ParameterError, match="not written by streamprint"):
        write_gallery(folder)
    line = one_line(run_cli("gallery", folder), 2)
    assert "--overwrite" in line
    assert run_cli("gallery", folder, "--overwrite", "-q").returncode == 0
    assert written_by_streamprint(folder / "index.html")


def test_the_gallery_command(folder, tmp_path):
    assert one_line(run_cli("gallery", folder / "a.json"), 2).endswith("not a directory; see streamprint gallery --help")
    r = run_cli("gallery", folder)
    assert r.returncode == 0 and r.stderr.decode() == f"wrote {folder / 'index.html'}: 3 movies\n"
    assert [m["t"] for m in listed(folder)] == ["a", "b", "sub/c"]


def test_the_gallery_command_gives_the_gallery_a_title(folder):
    """``--title``: the gallery's heading and browser tab say it (escaped, as text); without
    it, "streamprint gallery"; the library's ``title`` is text."""
    assert write_gallery(folder) == 3
    assert "<h1>streamprint gallery</h1>" in (folder / "index.html").read_text()
    r = run_cli("gallery", folder, "--title", "Our films & <more>", "-q")
    assert r.returncode == 0, r.stderr
    html = (folder / "index.html").read_text()
    assert "<title>Our films &amp; &lt;more&gt;</title>" in html and "<h1>Our films &amp; &lt;more&gt;</h1>" in html
    assert "--title" in run_cli("gallery", "--help").stdout.decode()
    with pytest.raises(ParameterError, match="title"):
        write_gallery(folder, title=7)


def heading(folder) -> str:
    import html

    text = (folder / "index.html").read_bytes().decode()
    return html.unescape(text[text.index("<h1>") + 4:text.index("</h1>")])


def test_a_gallerys_title_stays_when_a_batch_writes_it_again(folder, tmp_path_factory):
    """``gallery OUTDIR --title X``, then a batch into OUTDIR: the batch wrote the gallery
    with the default title, and X was lost. The gallery's page remembers its title: a batch,
    and the gallery command or ``write_gallery`` without a title, keep it; a title given
    replaces it; a page of streamprint's that is no gallery (a movie's, saved as index.html)
    or none of streamprint's (replaced with ``overwrite``) gives none."""
    from streamprint import Options
    from streamprint.batch import run_batch
    from streamprint.batch.executors import Serial
    from streamprint.render.page import save_page

    lib = tmp_path_factory.mktemp("lib")
    (lib / "notes.txt").write_text("not a movie")
    odd = 'Our films & <more> "quoted" \'x\'\nline two\r\n  spaced  '
    assert run_cli("gallery", folder, "--title", odd, "-q").returncode == 0
    assert heading(folder) == odd
    assert run_batch(lib, folder, Options(), executor=Serial()).gallery == 3
    assert heading(folder) == odd
    assert run_cli("gallery", folder, "-q").returncode == 0 and heading(folder) == odd
    assert write_gallery(folder, title="Other") == 3 and heading(folder) == "Other"
    assert run_batch(lib, folder, Options(), executor=Serial()).gallery == 3
    assert heading(folder) == "Other"
    assert write_gallery(folder, title="") == 3 and heading(folder) == ""
    assert write_gallery(folder) == 3 and heading(folder) == ""
    save_page(read_fingerprint(folder / "a.json"), folder / "index.html")
    assert write_gallery(folder) == 3 and heading(folder) == "streamprint gallery"
    write_gallery(folder, title="Mine")
    (folder / "index.html").write_text((folder / "index.html").read_text().replace("<!-- streamprint", "<!-- "))
    assert write_gallery(folder, overwrite=True) == 3 and heading(folder) == "streamprint gallery"


def test_a_page_saved_as_htm_is_linked_as_an_html_one_is(tmp_path):
    """`streamprint movie page.htm` writes a page (.htm is accepted as an HTML output, as
    users of Windows-era tools expect), but the gallery looked for NAME.html alone: a movie
    whose page was saved as .htm had a card that led nowhere."""
    out = tmp_path / "out"
    out.mkdir()
    names = _short_movies(tmp_path, 1)
    r = run_cli(tmp_path / names[0], out / "a.htm", "--data", out / "a.json", "-q")
    assert r.returncode == 0, r.stderr
    assert (out / "a.htm").read_text().startswith("<!DOCTYPE html>")
    assert run_cli("gallery", out, "-q").returncode == 0
    assert [(m["t"], m["p"]) for m in listed(out)] == [("a", "a.htm")]


def test_a_page_whose_extension_is_in_capitals_is_linked(tmp_path):
    """Data files are found whatever the case of their extension, pages were not: on a file
    system that tells cases apart, ``movie.HTML`` beside ``movie.json`` was not linked."""
    for name, page in (("a", "a.HTML"), ("b", "b.Htm"), ("c", None)):
        fp = synth.known_fingerprint(name, [synth.Segment((40, 150, 70), (0, 0, 0), 8.0)])
        write_fingerprint(fp, tmp_path / f"{name}.json")
        if page is not None:
            fp.save_image(tmp_path / page)
            assert written_by_streamprint(tmp_path / page)
    assert run_cli("gallery", tmp_path, "-q").returncode == 0
    assert [(m["t"], m["p"]) for m in listed(tmp_path)] == [("a", "a.HTML"), ("b", "b.Htm"), ("c", None)]


def test_the_gallery_reads_csv_data_files_and_says_what_it_wrote(tmp_path):
    """Data files may be CSV: a folder of one was "0 movies", said nothing (every other
    command ends with a "wrote" line), and a gallery of one said "1 movies". A movie saved
    both ways gets one card, from its JSON."""
    fp = synth.known_fingerprint("c", [synth.Segment((40, 150, 70), (0, 0, 0), 8.0)])
    write_fingerprint(fp, tmp_path / "c.csv")
    r = run_cli("gallery", tmp_path)
    assert r.returncode == 0 and r.stderr.decode() == f"wrote {tmp_path / 'index.html'}: 1 movie\n"
    assert [m["t"] for m in listed(tmp_path)] == ["c"]
    assert '<p class="sub">1 movie · ' in (tmp_path / "index.html").read_text()
    write_fingerprint(fp, tmp_path / "c.json")
    r = run_cli("gallery", tmp_path, "-q")
    assert r.returncode == 0 and r.stderr == b"" and len(listed(tmp_path)) == 1


def test_an_empty_gallery_says_why(tmp_path):
    r = run_cli("gallery", tmp_path)
    assert r.returncode == 0
    assert r.stderr.decode() == (f"streamprint: WARNING: {tmp_path}: no fingerprint data file (.json, .csv) that "
                                 f"can be read: the gallery is empty\nwrote {tmp_path / 'index.html'}: 0 movies\n")


def test_a_movie_whose_json_is_broken_is_read_from_its_csv(tmp_path):
    """A truncated ``a.json`` beside a whole ``a.csv``: the movie was left out, and the
    command then said it had found no data files at all."""
    fp = synth.known_fingerprint("a", [synth.Segment((40, 150, 70), (0, 0, 0), 8.0)])
    write_fingerprint(fp, tmp_path / "a.csv")
    write_fingerprint(fp, tmp_path / "a.json")
    (tmp_path / "a.json").write_bytes((tmp_path / "a.json").read_bytes()[:200])
    r = run_cli("gallery", tmp_path)
    assert r.returncode == 0 and r.stderr.decode().endswith(f"wrote {tmp_path / 'index.html'}: 1 movie\n"), r.stderr
    assert b"read from its CSV file" in r.stderr
    assert [m["t"] for m in listed(tmp_path)] == ["a"]


def test_batch_writes_pages_and_the_gallery_after_every_run(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    for i, seg in enumerate(synth.SAMPLE_SEGMENTS[:2]):
        synth.encode_clip(lib / f"m{i}.mkv", synth.segment_frames([seg], (64, 36), fps=8.0), fps=8.0)
    out = tmp_path / "out"
    assert run_cli("batch", lib, out, "--jobs", "1", "-q").returncode == 0
    movies = listed(out)
    assert [(m["t"], m["p"]) for m in movies] == [("m0.mkv", "m0.mkv.html"), ("m1.mkv", "m1.mkv.html")]
    fp = read_fingerprint(out / "m0.mkv.json")
    assert len(fp.thumbnails) == len(fp) == 3
    page = (out / "m0.mkv.html").read_text()
    assert fp.samples[0].palette.hex[0][1:] in page
    index = (out / "index.html").read_bytes()
    synth.encode_clip(lib / "m2.mkv", synth.segment_frames([synth.SAMPLE_SEGMENTS[2]], (64, 36), fps=8.0), fps=8.0)
    assert run_cli("batch", lib, out, "--jobs", "1", "-q").returncode == 0
    assert [m["t"] for m in listed(out)] == ["m0.mkv", "m1.mkv", "m2.mkv"]
    # new drawing options redraw strips and pages from the data, and the gallery again
    assert run_cli("batch", lib, out, "--jobs", "1", "-q", "--style", "ring").returncode == 0
    assert "<th>strip</th><td>stacked, order weight, 200 px high" in (out / "m0.mkv.html").read_text()  # a strip
    assert (out / "index.html").read_bytes() != index
    manifest = json.loads((out / "streamprint-manifest.json").read_text())["entries"]
    assert manifest["m0.mkv"]["outputs"] == ["m0.mkv.png", "m0.mkv.json", "m0.mkv.html"]


def test_a_manifest_from_before_pages_gets_pages_without_decoding(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    synth.encode_clip(lib / "m.mkv", synth.segment_frames([synth.SAMPLE_SEGMENTS[0]], (64, 36), fps=8.0), fps=8.0)
    out = tmp_path / "out"
    assert run_cli("batch", lib, out, "--jobs", "1", "-q").returncode == 0
    manifest = out / "streamprint-manifest.json"
    data = json.loads(manifest.read_text())
    data["entries"]["m.mkv"]["outputs"] = ["m.mkv.png", "m.mkv.json"]  # as streamprint wrote it before
    manifest.write_text(json.dumps(data))
    (out / "m.mkv.html").unlink()
    r = run_cli("batch", lib, out, "--jobs", "1")
    assert r.returncode == 0 and "redrawn from saved data" in r.stdout.decode()
    assert (out / "m.mkv.html").exists()
    assert json.loads(manifest.read_text())["entries"]["m.mkv"]["outputs"] == ["m.mkv.png", "m.mkv.json", "m.mkv.html"]


def _short_movies(lib, count: int = 2) -> list[str]:
    names = []
    for i, seg in enumerate(synth.SAMPLE_SEGMENTS[:count]):
        synth.encode_clip(lib / f"a{i}.mkv", synth.segment_frames([seg], (64, 36), fps=8.0), fps=8.0)
        names.append(f"a{i}.mkv")
    return names


def test_an_interrupted_parallel_batch_still_writes_the_gallery_of_what_finished(tmp_path, long_clip):
    """A real SIGINT to ``batch --jobs 2`` while the long movie is being worked on: exit
    130, and OUTDIR/index.html lists the movies finished by then (and not the long one)."""
    import shutil

    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    short = _short_movies(lib)
    shutil.copy(long_clip, lib / "z-long.mkv")
    code, _, err = interrupt_batch(lib, out, short)
    assert code == 130, err
    assert b"Traceback" not in err and b"interrupted" in err
    # its last line names the gallery it wrote, as the last line of a run that ends does
    assert err.decode().strip().splitlines()[-1] == (
        f"streamprint: interrupted; the movies finished so far are kept (gallery: {out / 'index.html'}, 2 movies); "
        "run it again to go on")
    assert not (out / "z-long.mkv.json").exists()
    assert [(m["t"], m["p"]) for m in listed(out)] == [(n, f"{n}.html") for n in short]


def test_an_interrupted_batch_names_no_gallery_it_did_not_write(tmp_path):
    """The line of an interrupt names the gallery only when the run wrote it (a foreign
    index.html, a full disk, a stop before the run began: none)."""
    import argparse

    from streamprint._cli.batch import kept_on_interrupt
    from streamprint.batch import Summary

    args = argparse.Namespace(outdir=str(tmp_path), summary=Summary())
    assert kept_on_interrupt(args) == "the movies finished so far are kept; run it again to go on"
    args.summary.gallery = 1
    assert kept_on_interrupt(args) == (f"the movies finished so far are kept (gallery: {tmp_path / 'index.html'}, "
                                       "1 movie); run it again to go on")
    assert kept_on_interrupt(argparse.Namespace(outdir=str(tmp_path / "not made"))) == "nothing was written"


class _FailsAfterOne:
    """An executor that finishes the first task and then fails, as a lost disk or a
    cluster that goes away would."""

    threads_per_task = 1

    def __init__(self):
        self.events: list[str] = []

    def run(self, work, tasks, finish, on_report, lost):
        finish(tasks[0], work(tasks[0], None))
        self.events.append("finished the first")
        raise OSError("the executor broke")


def test_a_batch_that_fails_still_writes_the_gallery_made_card_by_card(tmp_path, monkeypatch):
    from streamprint import Options
    from streamprint.batch import run_batch

    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    short = _short_movies(lib)
    executor = _FailsAfterOne()
    made = gallery_module.gallery_entry

    def card(fp, title, *args):
        executor.events.append(f"card {title}")
        return made(fp, title, *args)

    monkeypatch.setattr(gallery_module, "gallery_entry", card)
    with pytest.raises(OSError, match="the executor broke"):
        run_batch(lib, out, Options(), executor=executor)
    # the first movie's card was made when it finished, not read again at the end
    assert executor.events == [f"card {short[0]}", "finished the first"]
    assert [m["t"] for m in listed(out)] == short[:1]


def test_batch_ends_with_one_line_that_names_the_gallery(tmp_path):
    lib, out = tmp_path / "lib", tmp_path / "out"
    lib.mkdir()
    short = _short_movies(lib)
    (lib / "notes.txt").write_text("not a movie")
    r = run_cli("batch", lib, out, "--jobs", "1")
    assert r.returncode == 0, r.stderr
    last = r.stderr.decode().strip().splitlines()[-1].split("\r")[-1].strip()
    assert last.startswith("batch of 3 files done in ") and last.endswith(
        f" s (2 fingerprinted, 1 not video); gallery: {out / 'index.html'}, 2 movies"), last
    assert [m["t"] for m in listed(out)] == short
    quiet = run_cli("batch", lib, out, "--jobs", "1", "-q")
    assert quiet.returncode == 0 and quiet.stderr == b""


def test_the_gallery_command_waits_for_no_batch_but_is_refused_while_one_writes(folder):
    """It wrote a batch's index.html while the batch ran: one of the two galleries was lost.
    A folder of data files that is no batch's gets no lock file."""
    from streamprint.batch.lock import LOCK_FILE, outdir_lock

    r = run_cli("gallery", folder, "--overwrite")
    assert r.returncode == 0, r.stderr
    assert not (folder / LOCK_FILE).exists()
    (folder / LOCK_FILE).touch()  # a batch's folder
    with outdir_lock(folder):
        before = (folder / "index.html").stat().st_mtime_ns
        r = run_cli("gallery", folder, "--overwrite")
        assert "another streamprint batch" in one_line(r, 1)
        assert (folder / "index.html").stat().st_mtime_ns == before
    assert run_cli("gallery", folder, "--overwrite").returncode == 0


@pytest.mark.parametrize("text", ['{"format": "streamprint-manifest", "version": 1, "entr',
                                  '{"format": "streamprint-manifest", "version": 7, "entries": {}}', "[]"])
def test_a_batch_folder_whose_manifest_is_broken_says_the_batch_command_that_rebuilds_it(folder, text):
    """The gallery command said the manifest's own way out, "--rebuild-manifest recreates
    it", a flag the gallery command does not have: it names the whole batch command. A
    file there that is not streamprint's manifest is none to rebuild: move it away."""
    (folder / "streamprint-manifest.json").write_text(text)
    line = one_line(run_cli("gallery", folder), 1)
    assert "streamprint-manifest.json" in line
    if text == "[]":
        assert line.endswith("was not written by streamprint: a batch keeps its manifest there and replaces "
                             "nothing else; move it away") and "rebuild" not in line
    else:
        assert f"run 'streamprint batch LIBRARY {folder} --rebuild-manifest'" in line
    assert not (folder / "index.html").exists() and (folder / "streamprint-manifest.json").read_text() == text


def test_a_movie_of_more_samples_than_a_picture_is_wide_has_its_card(tmp_path):
    """A movie sampled at every frame for 45 minutes (over 65,535 samples) was left out of
    the gallery: its strip was drawn a pixel a sample first. Red for the first 40,000
    samples, blue for the last 30,000: the card's strip is red over 4/7 of its width."""
    import io

    from PIL import Image

    from streamprint import Options, Palette, Sample, SourceInfo
    from streamprint.render.gallery import strip_picture

    red = Palette(np.array([[255, 0, 0]], np.uint8), np.array([1.0]))
    blue = Palette(np.array([[0, 0, 255]], np.uint8), np.array([1.0]))
    n = 70_000
    samples = [Sample(i, i / 25, red if i < 40_000 else blue) for i in range(n)]
    source = SourceInfo("long.mkv", "matroska", "h264", 32, 18, 32, 25.0, n / 25, n, None, None, None, None)
    fp = streamprint.Fingerprint(source, Options(sampling=Sampling.every(1)), samples)
    strip = np.asarray(Image.open(io.BytesIO(strip_picture(fp))).convert("RGB")).astype(int)
    edge = int(np.argmax(strip[strip.shape[0] // 2, :, 2] > 128))  # the first blue pixel column
    assert abs(edge / strip.shape[1] - 4 / 7) < 0.01
    write_fingerprint(fp, tmp_path / "long.mkv.json")
    assert write_gallery(tmp_path) == 1
