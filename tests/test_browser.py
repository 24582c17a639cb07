"""The page and the gallery in a real browser: Debian's Chromium, headless, driven by
Playwright for Python (no browser download). Hex codes, shares, times and rankings are
read from the DOM and compared with values computed here from the fingerprints.

Screenshots are kept in tests/artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamprint import synth
from streamprint.formats import read_fingerprint, write_fingerprint
from streamprint.render.gallery import gallery_entry, gallery_html, write_gallery
from streamprint.render.html import write_html
from streamprint.render.page import save_page

from .conftest import run_cli

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import bench_page  # noqa: E402  (the benchmark's 1,000-movie library)

from .test_colorspace import LAB
from .test_movie_palette import sharma_pairs

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-extensions", "--disable-default-apps"]

sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (the test extra)")
if not CHROMIUM.exists():
    pytest.skip("the browser tests need Debian's chromium (/usr/bin/chromium; .ci/run installs it)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watched:
    """A page with everything it logs and asks for recorded."""

    def __init__(self, browser, width: int = 1200, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []  # all but the pages navigated to
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.is_navigation_request() else self.requests.append(r.url))
        self.page.route("http*://**", lambda route: route.abort())

    def open(self, path: Path) -> None:
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector("html[data-ready='1']", timeout=10_000)

    def clean(self) -> None:
        """Nothing logged as an error or warning, and nothing asked for but the pages opened
        (and images inline in them)."""
        assert self.errors == []
        assert all(u.startswith("data:") for u in self.requests), self.requests

    def close(self) -> None:
        self.context.close()

    def wait_until(self, expression: str, timeout: float = 10.0) -> None:
        """Poll a JavaScript expression from Python until it is true. Playwright's own
        wait_for_function polls inside the page with eval, which the pages' Content Security
        Policy forbids (no 'unsafe-eval'): it fails whenever the first check is false."""
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(expression):
            assert time.monotonic() < deadline, f"not true after {timeout} s: {expression}"
            time.sleep(0.02)


@pytest.fixture
def watched(browser):
    w = Watched(browser)
    yield w
    w.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def hms(seconds: float, decimals: int) -> str:
    """h:mm:ss(.dd), worked out here: the pages cut the second off, they do not round it."""
    whole = int(seconds)
    text = f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return text + f"{seconds - whole:.{decimals + 3}f}"[1:2 + decimals] if decimals else text


@pytest.fixture(scope="module")
def movie_page(tmp_path_factory):
    """The sample's four shots at 2 samples a second: a page made by the movie command, and
    the fingerprint it was made from."""
    folder = tmp_path_factory.mktemp("browser")
    movie = folder / "shots.mp4"
    synth.encode_clip(movie, synth.segment_frames(synth.SAMPLE_SEGMENTS, (160, 90)))
    r = run_cli(movie, folder / "shots.html", "--interval", "0.5", "--column-width", "4", "--data",
                folder / "shots.json", "-q")
    assert r.returncode == 0, r.stderr
    return folder / "shots.html", read_fingerprint(folder / "shots.json")


def column_point(page, i: int, n: int, y: float = 0.5) -> tuple[float, float]:
    box = page.locator("#strip-img").bounding_box()
    return box["x"] + (i + 0.5) * box["width"] / n, box["y"] + y * box["height"]


def shown_column(page) -> dict:
    return page.evaluate("""() => ({
        time: document.getElementById('time').textContent,
        where: document.getElementById('where').textContent,
        hex: [...document.querySelectorAll('#colors .hex')].map(e => e.textContent),
        share: [...document.querySelectorAll('#colors .share')].map(e => parseFloat(e.textContent)),
        thumb: document.getElementById('thumb').src,
        note: document.getElementById('thumb-note').textContent,
        column: Number(document.body.dataset.column)})""")


def test_the_page_loads_clean_and_asks_the_network_for_nothing(watched, movie_page):
    watched.open(movie_page[0])
    watched.page.mouse.move(*column_point(watched.page, 10, len(movie_page[1])))
    watched.clean()


def test_hovering_column_i_shows_its_time_colours_and_frame(watched, movie_page):
    path, fp = movie_page
    watched.open(path)
    n = len(fp)
    for i in (0, 1, 9, 17, n - 1):
        watched.page.mouse.move(*column_point(watched.page, i, n))
        shown = shown_column(watched.page)
        sample = fp.samples[i]
        assert shown["column"] == i
        assert shown["time"] == hms(sample.time, 2)  # samples 0.5 s apart: hundredths shown
        assert shown["hex"] == sample.palette.hex
        assert np.allclose(shown["share"], sample.palette.weights * 100, atol=0.051)
        assert f"sample {i + 1} of {n}" in shown["where"] and f"frame {sample.frame}" in shown["where"]
        assert shown["note"] == f"frame {sample.frame}"
        data = base64.b64decode(shown["thumb"].split(",", 1)[1])
        assert data == fp.thumbnails.images[i]
        corner = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))[2, 2].astype(int)
        background = synth.SAMPLE_SEGMENTS[int(sample.time // 3)].background
        assert np.abs(corner - background).max() <= 12
    shot(watched.page, "page.png")
    watched.clean()


def test_arrow_keys_step_through_the_columns(watched, movie_page):
    path, fp = movie_page
    watched.open(path)
    watched.page.mouse.click(*column_point(watched.page, 3, len(fp)))  # a click gives the strip focus
    assert watched.page.evaluate("document.activeElement.id") == "strip"
    for key, expected in (("ArrowRight", 4), ("ArrowRight", 5), ("Shift+ArrowRight", 15), ("ArrowLeft", 14),
                          ("End", len(fp) - 1), ("ArrowRight", len(fp) - 1), ("Home", 0), ("ArrowLeft", 0)):
        watched.page.keyboard.press(key)
        shown = shown_column(watched.page)
        assert shown["column"] == expected, key
        assert shown["time"] == hms(fp.samples[expected].time, 2)
        assert shown["hex"] == fp.samples[expected].palette.hex
    watched.clean()


def test_keys_are_the_strips_only_while_it_has_focus(browser, movie_page):
    """Without focus on the strip, End scrolls the page and arrows move an input's caret;
    the column shown stays where it was."""
    path, fp = movie_page
    w = Watched(browser, height=400)  # shorter than the page: End has somewhere to scroll
    try:
        w.open(path)
        page = w.page
        page.mouse.move(*column_point(page, 6, len(fp)))
        page.mouse.move(5, 5)  # off the strip; nothing focused
        assert page.evaluate("document.activeElement === document.body")
        assert page.evaluate("window.scrollY") == 0
        page.keyboard.press("End")
        page.keyboard.press("ArrowLeft")
        w.wait_until("window.scrollY > 0")  # scrolling may be smooth: it ends a little later
        assert shown_column(page)["column"] == 6
        page.evaluate("""() => { const i = document.createElement('input'); i.id = 'typing';
                                 document.querySelector('main').prepend(i); }""")
        page.focus("#typing")
        page.keyboard.type("abcd")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("Home")
        page.keyboard.type("X")
        assert page.input_value("#typing") == "Xabcd"
        assert shown_column(page)["column"] == 6
        page.focus("#strip")
        page.keyboard.press("ArrowRight")
        assert shown_column(page)["column"] == 7
        page.keyboard.press("End")
        assert shown_column(page)["column"] == len(fp) - 1
        w.clean()
    finally:
        w.close()


def test_a_page_of_part_of_a_movie_shows_that_part(watched, movie_page, tmp_path):
    """--start/--end (the range is in the data file): the axis, the heading and the first
    column's time are the part's, on the page from the movie and the one rendered from data."""
    movie = movie_page[0].with_name("shots.mp4")
    r = run_cli(movie, tmp_path / "part.html", "--start", "3", "--end", "9", "--data", tmp_path / "part.json", "-q")
    assert r.returncode == 0, r.stderr
    fp = read_fingerprint(tmp_path / "part.json")
    assert (fp.time_range.start, fp.time_range.end) == (3.0, 9.0) and fp.samples[0].time == pytest.approx(3, abs=0.05)
    r = run_cli("render", tmp_path / "part.json", tmp_path / "rendered.html", "-q")
    assert r.returncode == 0, r.stderr
    for name in ("part.html", "rendered.html"):
        watched.open(tmp_path / name)
        assert watched.page.locator(".axis span").all_text_contents() == ["0:00:03", "0:00:09"], name
        assert "0:00:03 to 0:00:09 of the movie" in watched.page.locator("header .sub").text_content()
        assert shown_column(watched.page)["time"] == hms(fp.samples[0].time, 0)
    whole = movie_page[0]
    watched.open(whole)
    assert watched.page.locator(".axis span").all_text_contents() == ["0:00:00", "0:00:12"]
    watched.clean()


def test_clicks_copy_hex_codes(watched, movie_page):
    path, fp = movie_page
    watched.open(path)
    strip = np.asarray(Image.open(io.BytesIO(base64.b64decode(
        watched.page.get_attribute("#strip-img", "src").split(",", 1)[1]))).convert("RGB"))
    n = len(fp)
    for i, y in ((2, 0.1), (8, 0.95), (20, 0.5)):
        watched.page.mouse.click(*column_point(watched.page, i, n, y))
        expected = "#%02x%02x%02x" % tuple(strip[int(y * strip.shape[0]), int((i + 0.5) * strip.shape[1] / n)])
        assert watched.page.evaluate("document.body.dataset.copied") == expected
        assert watched.page.evaluate("navigator.clipboard.readText()") == expected
    watched.page.locator("#colors .swatch button").nth(1).click()
    assert watched.page.evaluate("navigator.clipboard.readText()") == fp.samples[20].palette.hex[1]
    watched.page.locator(".palette .swatch button").first.click()
    assert watched.page.evaluate("navigator.clipboard.readText()") == fp.movie_palette.hex[0]
    assert watched.page.locator("#toast").text_content() == f"copied {fp.movie_palette.hex[0]}"
    watched.clean()


def test_keyframe_columns_are_found_by_their_own_widths(watched, tmp_path):
    """Columns as wide as their time: hovering a point finds the column drawn there."""
    from streamprint.model import Fingerprint, Options, RenderOptions, Sampling

    known = synth.known_fingerprint("k.mkv", synth.SAMPLE_SEGMENTS, interval=1.0)
    times = [0.0, 0.5, 3.0, 3.2, 6.0, 9.5]  # spans 0.5, 2.5, 0.2, 2.8, 3.5, 2.5 of 12 s
    fp = Fingerprint(known.source, Options(sampling=Sampling.keyframes()),
                     tuple(dataclasses.replace(known.samples[round(t)], time=t, frame=round(t * 24)) for t in times))
    save_page(fp, tmp_path / "k.html", RenderOptions(width=1200, format="html"))  # 100 px a second
    watched.open(tmp_path / "k.html")
    box = watched.page.locator("#strip-img").bounding_box()
    for x_seconds, column in ((0.2, 0), (1.0, 1), (3.1, 2), (5.0, 3), (8.0, 4), (11.9, 5)):
        watched.page.mouse.move(box["x"] + x_seconds / 12 * box["width"], box["y"] + 5)
        assert shown_column(watched.page)["column"] == column, x_seconds
    watched.clean()


# -- the gallery --------------------------------------------------------------------------

RED = (200, 30, 30)
SHOTS = {  # title: (background, accent, seconds) of each shot
    "red.mkv": [(RED, (250, 250, 250), 40.0), ((30, 60, 160), (20, 20, 20), 10.0)],
    "blue.mkv": [((30, 60, 160), (250, 250, 250), 60.0), (RED, (20, 20, 20), 6.0)],
    "green.mkv": [((40, 150, 70), (230, 140, 30), 30.0)],
    "dark.mkv": [((15, 15, 20), (90, 40, 130), 90.0), ((200, 40, 40), (20, 20, 20), 3.0)],
    "Orange.mkv": [((230, 140, 30), (40, 150, 70), 20.0)],
}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gallery")
    fps = {}
    for title, shots in SHOTS.items():
        fp = synth.known_fingerprint(title, [synth.Segment(b, a, s) for b, a, s in shots], thumbnails=True)
        (folder / "films").mkdir(exist_ok=True)
        write_fingerprint(fp, folder / "films" / f"{title}.json")
        save_page(fp, folder / "films" / f"{title}.html")
        fps[f"films/{title}"] = fp
    assert write_gallery(folder) == len(SHOTS)
    return folder, fps


def cards(page) -> list[dict]:
    return page.evaluate("""() => [...document.querySelectorAll('#grid .card')].map(c => ({
        title: c.querySelector('.title').textContent,
        href: c.querySelector('h2 a') && c.querySelector('h2 a').getAttribute('href'),
        match: c.querySelector('.match').hidden ? null : parseFloat(c.querySelector('.match').textContent)}))""")


def test_the_gallery_loads_clean_and_links_every_page(watched, library):
    folder, fps = library
    watched.open(folder / "index.html")
    shown = cards(watched.page)
    assert [c["title"] for c in shown] == ["films/blue.mkv", "films/dark.mkv", "films/green.mkv", "films/Orange.mkv",
                                           "films/red.mkv"]
    for c in shown:
        assert (folder / c["href"]).read_text().startswith("<!DOCTYPE html>")
    shot(watched.page, "gallery.png")
    watched.page.locator("#grid .card h2 a").first.click()
    watched.page.wait_for_selector("#strip-img")
    assert watched.page.url.endswith("films/blue.mkv.html")
    watched.clean()


ODD_NAMES = ["my films/a #1?.mkv", "100% é.mkv", "c:d; a&b + 東京.mkv", "sub dir %41/x#y z.mkv"]


def test_gallery_links_reach_pages_whatever_their_names(watched, tmp_path):
    """Spaces, '#', '?', '%', ':' and non-ASCII in folder and file names: each card's link,
    resolved by the browser, is the page's own file, and following it opens that page."""
    from urllib.parse import unquote, urlparse

    for name in ODD_NAMES:
        fp = synth.known_fingerprint(name, [synth.Segment(RED, (250, 250, 250), 5.0)])
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write_fingerprint(fp, tmp_path / f"{name}.json")
        save_page(fp, tmp_path / f"{name}.html")
    assert write_gallery(tmp_path) == len(ODD_NAMES)
    watched.open(tmp_path / "index.html")
    links = watched.page.evaluate("() => [...document.querySelectorAll('#grid .card h2 a')].map(a => "
                                  "[a.closest('.card').querySelector('.title').textContent, a.href])")
    assert sorted(t for t, _ in links) == sorted(ODD_NAMES)
    for title, href in links:
        url = urlparse(href)
        assert url.scheme == "file" and not url.query and not url.fragment, href
        assert Path(unquote(url.path)) == (tmp_path / f"{title}.html").resolve(), href
    for title, _ in links:
        watched.open(tmp_path / "index.html")
        watched.page.get_by_text(title, exact=True).click()
        watched.page.wait_for_selector("html[data-ready='1']")
        assert watched.page.locator("#title").text_content() == Path(title).name
    watched.clean()


@pytest.mark.parametrize("key", ["duration", "brightness", "colorfulness", "hue"])
def test_the_gallery_sorts_by_each_key(watched, library, key):
    folder, fps = library
    values = {t: getattr(gallery_entry(fp, t, t + ".json"), key) for t, fp in fps.items()}
    assert values["films/red.mkv"] is not None
    if key == "duration":
        assert values == {t: fp.source.duration for t, fp in fps.items()}
    watched.open(folder / "index.html")
    watched.page.select_option("#sort", key)
    for sign in (1, -1):  # ascending, then descending; a movie without a hue comes last either way
        expected = sorted(values, key=lambda t: (values[t] is None, sign * (values[t] or 0)))
        assert [c["title"] for c in cards(watched.page)] == expected
        watched.page.click("#direction")
    watched.clean()


def test_searching_by_colour_ranks_the_red_movie_first(watched, library):
    folder, fps = library
    watched.open(folder / "index.html")
    watched.page.fill("#pick", "#c81e1e")
    watched.wait_until("!document.querySelector('.card .match').hidden")
    shown = cards(watched.page)
    assert shown[0]["title"] == "films/red.mkv"
    for c in shown:  # shares as shown, against the exact share over the fingerprint's own colours
        assert c["match"] == pytest.approx(fps[c["title"]].share_near("#c81e1e", 10) * 100, abs=0.1), c
    assert [c["match"] for c in shown] == sorted((c["match"] for c in shown), reverse=True)
    shot(watched.page, "gallery-search.png")
    watched.page.click("#clear")
    assert all(c["match"] is None for c in cards(watched.page))
    watched.clean()


def test_the_pages_ciede2000_and_cielab_match_the_published_values(watched, library):
    folder, _ = library
    watched.open(folder / "index.html")
    table = sharma_pairs()
    got = watched.page.evaluate("rows => rows.map(r => spDeltaE2000(r[1], r[2], r[3], r[4], r[5], r[6]))",
                                table.tolist())
    assert np.abs(np.array(got) - table[:, 7]).max() < 5e-5
    back = watched.page.evaluate("rows => rows.map(r => spDeltaE2000(r[4], r[5], r[6], r[1], r[2], r[3]))",
                                 table.tolist())
    assert np.abs(np.array(back) - table[:, 7]).max() < 5e-5
    for rgb, lab in LAB.items():
        assert np.allclose(watched.page.evaluate("c => spLab(c[0], c[1], c[2])", list(rgb)), lab, atol=0.01)


def test_a_thousand_movie_gallery_is_interactive_within_two_seconds(watched, tmp_path):
    """As heavy as a thousand colourful two-hour films' (strips of a real two-hour
    fingerprint's detail, 1500 colour bins each): generated data, nothing decoded."""
    movie = synth.known_fingerprint("long.mkv", [synth.Segment(tuple(int(v) for v in c), (250, 250, 250), 7.0)
                                                 for c in np.random.default_rng(3).integers(0, 256, (1000, 3))])
    write_html(gallery_html(bench_page.synthetic_library([gallery_entry(movie, "long", "long.json")])),
               tmp_path / "index.html")
    size = (tmp_path / "index.html").stat().st_size
    watched.open(tmp_path / "index.html")
    ready = watched.page.evaluate("performance.getEntriesByName('streamprint-ready')[0].startTime")
    print(f"1000 movies, {size / 1e6:.1f} MB: interactive after {ready:.0f} ms")
    assert ready < 2000
    assert watched.page.locator("#grid .card").count() == 1000
    watched.page.fill("#pick", "#2a6e3c")
    watched.wait_until("!document.querySelector('.card .match').hidden")
    watched.page.select_option("#sort", "brightness")
    shot(watched.page, "gallery-1000.png")
    watched.clean()


def test_a_page_without_thumbnails_shows_no_picture_box(watched, movie_page, tmp_path):
    """The hidden <img> kept its CSS display: a black box with a broken-image icon over the
    note, on every page made from data without thumbnails."""
    _, fp = movie_page
    data, page = tmp_path / "plain.json", tmp_path / "plain.html"
    write_fingerprint(dataclasses.replace(fp, thumbnails=None), data)
    assert run_cli("render", data, page, "-q").returncode == 0
    watched.open(page)
    watched.page.mouse.move(*column_point(watched.page, 3, len(fp)))
    assert watched.page.evaluate("getComputedStyle(document.getElementById('thumb')).display") == "none"
    assert shown_column(watched.page)["note"] == "no thumbnail (the data was made without them)"
    watched.clean()


def test_a_click_copies_the_right_colour_on_a_strip_wider_than_a_canvas(watched, movie_page, tmp_path):
    """Past 65,535 px the whole-strip canvas the click read from was over Chromium's limit:
    every click copied #000000."""
    _, fp = movie_page
    data, page = tmp_path / "wide.json", tmp_path / "wide.html"
    write_fingerprint(fp, data)
    assert run_cli("render", data, page, "--column-width", str(66000 // len(fp) + 1), "-q").returncode == 0
    watched.open(page)
    strip = np.asarray(Image.open(io.BytesIO(base64.b64decode(
        watched.page.get_attribute("#strip-img", "src").split(",", 1)[1]))).convert("RGB"))
    assert strip.shape[1] > 65535
    for i, y in ((2, 0.1), (20, 0.5)):
        watched.page.mouse.click(*column_point(watched.page, i, len(fp), y))
        expected = "#%02x%02x%02x" % tuple(strip[int(y * strip.shape[0]), int((i + 0.5) * strip.shape[1] / len(fp))])
        assert expected != "#000000" and watched.page.evaluate("document.body.dataset.copied") == expected
    watched.clean()
