"""The page and the gallery in Chromium, used as a demanding user and an attacker would:
readouts compared with the data file's own values, names and data that hold markup.
The browser and its fixtures are tests/test_browser.py's."""

from __future__ import annotations

import dataclasses

import numpy as np

from streamprint import synth
from streamprint.formats import write_fingerprint
from streamprint.model import Palette
from streamprint.render.gallery import write_gallery
from streamprint.render.page import save_page

from .test_browser import browser, column_point, hms, shown_column, watched  # noqa: F401  (fixtures)

RED, WHITE = (200, 30, 30), (250, 250, 250)


def with_times(name: str, times: list[float], duration: float):
    """A known fingerprint whose samples are at ``times`` and whose movie lasts ``duration`` s."""
    fp = synth.known_fingerprint(name, [synth.Segment(RED, WHITE, float(len(times)))])
    samples = tuple(dataclasses.replace(s, time=t) for s, t in zip(fp.samples, times, strict=True))
    return dataclasses.replace(fp, samples=samples, source=dataclasses.replace(fp.source, duration=duration))


def test_times_shown_are_the_data_files_cut_off_not_rounded_up(watched, tmp_path):
    """The page sent times rounded to the millisecond and its script cut them: a sample at
    0.9996 s showed 0:00:01.00 (the data says 0:00:00.99), 59.9996 s showed 0:01:00; the
    gallery showed a 59.9996 s movie as 0:01:00 long."""
    cases = {"fine.mkv": [0.0, 0.9996, 1.5, 2.0496], "coarse.mkv": [0.0, 59.9996, 121.0]}
    for name, times in cases.items():
        fp = with_times(name, times, times[-1] + 0.9996)
        save_page(fp, tmp_path / f"{name}.html")
        write_fingerprint(fp, tmp_path / f"{name}.json")
        decimals = 2 if name == "fine.mkv" else 0
        watched.open(tmp_path / f"{name}.html")
        for i, t in enumerate(times):
            watched.page.mouse.move(*column_point(watched.page, i, len(times)))
            shown = shown_column(watched.page)
            assert shown["column"] == i and shown["time"] == hms(t, decimals), (t, shown["time"])
    write_gallery(tmp_path)
    watched.open(tmp_path / "index.html")
    info = watched.page.evaluate("() => Object.fromEntries([...document.querySelectorAll('#grid .card')].map(c => "
                                 "[c.querySelector('.title').textContent, c.querySelector('.info').textContent]))")
    assert info["coarse.mkv"].startswith(hms(121.9996, 0) + " · ")  # 0:02:01, not 0:02:02
    assert info["fine.mkv"].startswith(hms(3.0492, 0) + " · ")
    watched.clean()


def test_shares_shown_are_the_data_files_rounded_once(watched, tmp_path):
    """The page sent shares rounded to hundredths of a percent and its script rounded those
    again: a colour with 0.87653 of a frame read 87.6% on hover (87.653% is 87.7%), beside a
    12.3% that no longer added up to 100%."""
    fp = synth.known_fingerprint("m.mkv", [synth.Segment(RED, WHITE, 3.0)])
    palette = Palette.from_centroids(np.array([RED, WHITE], np.float64), np.array([87653, 12347]))
    assert palette.weights.tolist() == [0.87653, 0.12347]
    fp = dataclasses.replace(fp, samples=tuple(dataclasses.replace(s, palette=palette) for s in fp.samples))
    save_page(fp, tmp_path / "m.html")
    watched.open(tmp_path / "m.html")
    watched.page.mouse.move(*column_point(watched.page, 1, len(fp)))
    shown = watched.page.evaluate("() => [...document.querySelectorAll('#colors .share')].map(e => e.textContent)")
    assert shown == ["87.7%", "12.3%"]
    watched.clean()


def test_tab_reaches_each_card_once_by_its_name(watched, tmp_path):
    """Each card linked its strip picture (alt="") and its title to the page: Tab stopped
    twice per card, first on a link with no name at all."""
    names = ["a.mkv", "b.mkv", "c.mkv"]
    for name in names:
        fp = synth.known_fingerprint(name, [synth.Segment(RED, WHITE, 2.0)])
        write_fingerprint(fp, tmp_path / f"{name}.json")
        save_page(fp, tmp_path / f"{name}.html")
    write_gallery(tmp_path)
    watched.open(tmp_path / "index.html")
    watched.page.focus("#threshold")
    stops = []
    for _ in names:
        watched.page.keyboard.press("Tab")
        stops.append(watched.page.evaluate("() => [document.activeElement.tagName, document.activeElement.textContent, "
                                           "document.activeElement.getAttribute('href')]"))
    assert stops == [["A", n, f"{n}.html"] for n in names]
    watched.page.keyboard.press("Enter")
    watched.page.wait_for_selector("#strip-img")
    assert watched.page.url.endswith("/c.mkv.html")  # the card that has focus
    watched.clean()


def test_an_empty_gallery_says_why_in_the_browser(watched, tmp_path):
    """A gallery of no movie was a blank page under its controls ("Sorted by name.")."""
    (tmp_path / "notes.json").write_text('{"mine": true}')
    assert write_gallery(tmp_path) == 0
    watched.open(tmp_path / "index.html")
    text = watched.page.inner_text("body")
    assert "No movies: no fingerprint data file (.json, .csv) that can be read" in text
    watched.clean()


#: Where each character of a text is drawn, left to right, as Chromium lays it out in a
#: left-to-right line (the tab, the history and bookmarks show the title so).
LAID_OUT = """text => {
    const p = document.createElement('p');
    p.dir = 'ltr';
    p.style.whiteSpace = 'pre';
    p.textContent = text;
    document.body.append(p);
    const range = document.createRange(), xs = [];
    for (let i = 0; i < text.length; i++) {
        range.setStart(p.firstChild, i);
        range.setEnd(p.firstChild, i + 1);
        xs.push(range.getBoundingClientRect().left);
    }
    p.remove();
    return xs;
}"""


def test_a_names_bidi_controls_stay_inside_it_in_the_title(watched, tmp_path):
    """A file named with RIGHT-TO-LEFT OVERRIDE (U+202E) turned the rest of the page's title
    around with it: the tab read 'tnirpregnif ruoloc · vkm.live'."""
    fp = synth.known_fingerprint("\u202eevil.mkv", [synth.Segment(RED, WHITE, 2.0)])
    save_page(fp, tmp_path / "m.html")
    watched.open(tmp_path / "m.html")
    title = watched.page.title()
    rest = " · colour fingerprint"
    assert title.endswith(rest)
    xs = watched.page.evaluate(LAID_OUT, title)[-len(rest):]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), xs  # drawn left to right, after the name
    assert watched.page.locator("#title").text_content() == "\u202eevil.mkv"  # the name itself as it is
    watched.clean()


def test_names_with_runs_of_spaces_are_shown_as_written(watched, tmp_path):
    """HTML collapses white space: a movie named '  two  spaces .mkv' was shown as
    'two spaces .mkv' in its page's heading and file row and on its gallery card. What
    Chromium renders (innerText) is the file name itself."""
    name = "  two  spaces .mkv"
    fp = synth.known_fingerprint(name, [synth.Segment(RED, WHITE, 3.0)])
    write_fingerprint(fp, tmp_path / f"{name}.json")
    save_page(fp, tmp_path / f"{name}.html")
    assert write_gallery(tmp_path) == 1
    watched.open(tmp_path / f"{name}.html")
    assert watched.page.evaluate("document.getElementById('title').innerText") == name
    assert watched.page.evaluate("""[...document.querySelectorAll('.meta tr')]
        .find(r => r.querySelector('th').innerText === 'file').querySelector('td').innerText""") == name
    watched.open(tmp_path / "index.html")
    assert watched.page.evaluate("document.querySelector('#grid .card .title').innerText") == name
    watched.clean()
