#!/usr/bin/env python3
"""Make README's pictures of a movie's page and of a gallery: docs/page.png, docs/gallery.png.

The page is the bundled sample's (sample_media/sample.mp4, as README's first command makes
it, written as .html). The gallery is a batch over a small library: the sample and six
20-s films painted by benchmarks/realistic.py (camera moves over painted photos, one seed
each), searched for a dark green (SEARCH). Both are opened in headless Chromium (Debian's, driven by
Playwright) and photographed. Run:  python sample_media/make_screenshots.py [OUTDIR]
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

SEARCH = "#425f3a"
FILMS = {"harbour at dusk": 11, "orchard": 4, "night market": 7, "desert road": 21, "glacier": 3, "studio": 15}


def streamprint(*args: object) -> None:
    subprocess.run([sys.executable, "-m", "streamprint", *map(str, args), "-q"], check=True, cwd=ROOT)


def library(folder: Path) -> None:
    import realistic

    from streamprint import synth

    folder.mkdir(parents=True)
    shutil.copy(ROOT / "sample_media" / "sample.mp4", folder / "sample.mp4")
    for name, seed in FILMS.items():
        synth.encode_clip(folder / f"{name}.mp4", realistic.frames(20.0, seed, size=(320, 180), fps=12.0), 12.0,
                          synth.Encoding(crf=20, preset="veryfast", extra=(("threads", "1"),)))


def photograph(url: Path, out: Path, size: tuple[int, int], action=None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--disable-component-update", "--no-first-run", "--disable-sync"])
        page = browser.new_page(viewport={"width": size[0], "height": size[1]}, color_scheme="light")
        page.goto(url.resolve().as_uri())
        page.wait_for_selector("html[data-ready='1']")
        if action:
            action(page)
        page.wait_for_timeout(300)
        page.screenshot(path=str(out))
        browser.close()


def hover(page) -> None:
    box = page.locator("#strip-img").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.61, box["y"] + box["height"] * 0.4)


def search(color: str):
    return lambda page: page.fill("#pick", color)


def main(out: Path = ROOT / "docs") -> None:
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        streamprint("sample_media/sample.mp4", work / "sample.html", "--interval", "0.25", "--column-width", "4")
        photograph(work / "sample.html", out / "page.png", (1000, 820), hover)
        library(work / "films")
        streamprint("batch", work / "films", work / "out", "--interval", "0.5", "--jobs", "1")
        photograph(work / "out" / "index.html", out / "gallery.png", (1000, 660), search(SEARCH))
    for name in ("page.png", "gallery.png"):  # every colour kept: these are pictures of colours
        im = Image.open(out / name).convert("RGB")
        im.save(out / name, optimize=True)
        print(f"wrote {out / name}: {im.width} x {im.height}, {(out / name).stat().st_size / 1024:.0f} KiB",
              file=sys.stderr)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs")
