#!/usr/bin/env python3
"""A movie's page for a 2-hour movie at the default sampling (one column a second, 7200
columns), and a 1,000-movie gallery: their size against the page's budget and the time
they take to open in headless Chromium (Debian's, driven by Playwright).

The fingerprint is synthesized, not decoded for two hours: the benchmark clip's 60
analysis images (benchmarks/realistic.py's 1080p film, decoded and shrunk by the real
pipeline, so its thumbnails are as large as a film's: about 1 KB) are cycled through,
each pass with its colours changed (channels swapped and scaled), and given to the real
clusterer and the real thumbnail collector, one per second of film.

Each page is opened in a fresh browser context, the pages interleaved over several
rounds; "open" is the time from navigation to the page's own "streamprint-ready" mark
(data parsed, strip shown, every handler attached). The table gives medians.

    python benchmarks/bench_page.py [--hours 2] [--rounds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from streamprint.model.gallery import BINS, SHARE_UNIT  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def synthetic_movie(seconds: float, seed: int = 1, clip: Path | None = None):
    """A fingerprint of ``seconds`` of film at one sample a second, with thumbnails, made by
    the real clusterer and thumbnail collector from the analysis images of ``clip`` (default:
    the benchmark clip; see the module docstring)."""
    from streamprint.clusterer import FrameClusterer
    from streamprint.model import Fingerprint, Options, Sample, SourceInfo, TimeRange
    from streamprint.pipeline.images import analysis_images
    from streamprint.source import VideoSource
    from streamprint.thumbnails import ThumbnailCollector

    if clip is None:
        import realistic

        clip = realistic.make(60)
    with VideoSource(str(clip)) as source:
        real = [item[2] for item in analysis_images(source, Options(), TimeRange(), source.info.duration)]
    rng = np.random.default_rng(seed)
    clusterer, collector, samples = FrameClusterer(), ThumbnailCollector(), []
    for i in range(round(seconds)):
        if i % len(real) == 0:  # another pass: other colours
            order, gains = rng.permutation(3), rng.uniform(0.55, 1.25, 3)
        frame = np.clip(real[i % len(real)][..., order] * gains, 0, 255).astype(np.uint8)
        samples.append(Sample(i * 24, float(i), clusterer.fit(frame)))
        collector.add(i, frame)
    info = SourceInfo("two-hours.mkv", "matroska", "h264", 1920, 1080, 1920, 24.0, seconds, round(seconds * 24),
                      "yuv420p", "bt709", "tv", "bt709")
    return Fingerprint(info, Options(), tuple(samples), thumbnails=collector.result())


#: Colour bins a colourful 2-hour film fills (the synthesized one: 1441 of 4096).
BINS_PER_MOVIE = 1500


def synthetic_library(entries: list, count: int = 1000, seed: int = 5) -> list:
    """``count`` gallery entries as heavy as colourful two-hour movies' (each with
    :data:`BINS_PER_MOVIE` colour bins), made from ``entries`` with other titles, durations,
    brightness and colours."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        e = entries[i % len(entries)]
        bins = np.sort(rng.choice(BINS, BINS_PER_MOVIE, replace=False)).astype(np.uint16)
        shares = rng.multinomial(SHARE_UNIT - BINS_PER_MOVIE, np.full(BINS_PER_MOVIE, 1 / BINS_PER_MOVIE)) + 1
        out.append(dataclasses.replace(e, title=f"movie {i:04d}", duration=float(rng.uniform(4000, 10000)),
                                       samples=7200, brightness=float(rng.uniform(10, 90)), bins=bins,
                                       shares=shares.astype(np.uint16)))
    return out


def search_errors(fp, path: Path, thresholds=(5.0, 10.0, 20.0), count: int = 60) -> dict[float, tuple[float, float]]:
    """How far the gallery's search (its own script, in the browser, over colour bins) is
    from the exact share of ``fp``'s time near a colour, in percentage points: (mean, max)
    per threshold, over ``count`` colours (two thirds drawn from the movie by time, a third
    at random). ``path`` is a gallery of ``fp`` alone."""
    from playwright.sync_api import sync_playwright

    from streamprint.summary import time_weights

    rng = np.random.default_rng(0)
    colors, weights = time_weights(fp)
    targets = np.concatenate([colors[rng.choice(len(colors), count * 2 // 3, p=weights)],
                              rng.integers(0, 256, (count - count * 2 // 3, 3))]).astype(np.uint8)
    hexes = ["#%02x%02x%02x" % tuple(int(v) for v in c) for c in targets]
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("html[data-ready='1']")
        for t in thresholds:
            shown = np.array(page.evaluate("([hexes, t]) => hexes.map(h => window.spSearch(h, t)[0])", [hexes, t]))
            exact = np.array([fp.share_near(h, t) for h in hexes])
            err = np.abs(shown - exact) * 100
            out[t] = (float(err.mean()), float(err.max()))
        browser.close()
    return out


#: One run of the cost measurement, in its own process: wall seconds of fingerprint() and
#: of the thumbnail collector's work within it.
COST_RUN = """
import json, sys, time
import streamprint
from streamprint import thumbnails
spent = [0.0]
add = thumbnails.ThumbnailCollector.add
def timed(self, index, image):
    t = time.perf_counter(); add(self, index, image); spent[0] += time.perf_counter() - t
thumbnails.ThumbnailCollector.add = timed
clip, every, thumbs = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
sampling = streamprint.Sampling.every(1) if every else streamprint.Sampling.default()
t = time.perf_counter()
fp = streamprint.fingerprint(clip, sampling=sampling, thumbnails=thumbs)
print(json.dumps({"wall": time.perf_counter() - t, "thumbnails": spent[0], "samples": len(fp)}))
"""


def thumbnail_cost(rounds: int) -> dict[str, dict[str, float]]:
    """Fingerprinting the 60-s benchmark clip without and with thumbnails, at the default
    sampling and at every frame: each run its own process, interleaved, the ratio taken
    within each round, then the median; and the collector's own time per sample."""
    import subprocess

    import realistic

    clip = str(realistic.make(60))
    out = {}
    for label, every in (("default (1 a second)", "0"), ("every frame", "1")):
        runs: dict[str, list[dict]] = {"0": [], "1": []}
        for r in range(rounds):
            for thumbs in (("0", "1") if r % 2 == 0 else ("1", "0")):
                done = subprocess.run([sys.executable, "-c", COST_RUN, clip, every, thumbs], capture_output=True,
                                      check=True, text=True)
                runs[thumbs].append(json.loads(done.stdout))
        with_, without = runs["1"], runs["0"]
        out[label] = {"without": statistics.median(x["wall"] for x in without),
                      "with": statistics.median(x["wall"] for x in with_),
                      "ratio": statistics.median(b["wall"] / a["wall"] for a, b in zip(without, with_)),
                      "ms_per_sample": statistics.median(1000 * x["thumbnails"] / x["samples"] for x in with_)}
    return out


def open_times(paths: dict[str, Path], rounds: int) -> dict[str, list[float]]:
    """Milliseconds from navigation to each page's ready mark, per round."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {name: [] for name in paths}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for r in range(rounds):
            for name in (list(paths) if r % 2 == 0 else list(reversed(paths))):
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                page = context.new_page()
                page.goto(paths[name].resolve().as_uri())
                page.wait_for_selector("html[data-ready='1']", timeout=30_000)
                times[name].append(page.evaluate("performance.getEntriesByName('streamprint-ready')[0].startTime"))
                context.close()
        browser.close()
    return times


def main() -> None:
    from streamprint.render.gallery import gallery_entry, gallery_html
    from streamprint.render.html import write_html
    from streamprint.render.page import PAGE_BUDGET, page_html

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hours", type=float, default=2.0)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", type=Path)
    args = p.parse_args()

    t = time.perf_counter()
    fp = synthetic_movie(args.hours * 3600)
    made = time.perf_counter() - t
    held = fp.thumbnails
    t = time.perf_counter()
    page = page_html(fp)
    built = time.perf_counter() - t
    bare = page_html(dataclasses.replace(fp, thumbnails=None))
    shown = json.loads(page.split('id="sp-data">', 1)[1].split("</script>", 1)[0])["thumbs"]["i"]
    real = gallery_entry(fp, "two-hours.mkv", "two-hours.mkv.json")
    entries = synthetic_library([real])
    gallery = gallery_html(entries)

    with tempfile.TemporaryDirectory() as d:
        paths = {"page": Path(d) / "page.html", "page without thumbnails": Path(d) / "bare.html",
                 "gallery, 1000 movies": Path(d) / "index.html"}
        for name, text in zip(paths, (page, bare, gallery)):
            write_html(text, paths[name])
        sizes = {name: path.stat().st_size for name, path in paths.items()}
        times = open_times(paths, args.rounds)
        write_html(gallery_html([real]), Path(d) / "one.html")
        errors = search_errors(fp, Path(d) / "one.html")

    cost = thumbnail_cost(args.rounds)
    medians = {name: statistics.median(v) for name, v in times.items()}
    base = medians["page without thumbnails"]
    print(f"{len(fp)} samples ({args.hours:g} h at one a second): fingerprint synthesized in {made:.1f} s, "
          f"page built in {built:.2f} s")
    print(f"thumbnails: {len(held)} kept by the run ({held.nbytes / 1e6:.2f} MB held in memory, "
          f"{held.nbytes / len(held):.0f} bytes each), {len(shown)} on the page "
          f"(one every {len(fp) / max(1, len(shown)):.1f} samples)")
    print(f"page budget: {PAGE_BUDGET / 1e6:.1f} MB\n")
    print("| page | size MB | within budget | open ms (median) | open / page without thumbnails |")
    print("| --- | ---: | --- | ---: | ---: |")
    for name in paths:
        within = "yes" if sizes[name] <= PAGE_BUDGET else "no" if name != "gallery, 1000 movies" else "-"
        print(f"| {name} | {sizes[name] / 1e6:.2f} | {within} | {medians[name]:.0f} | {medians[name] / base:.2f} |")
    print("\nsearch by colour, the gallery's shares against the exact ones (percentage points of the time):")
    for t, (mean, worst) in errors.items():
        print(f"  within ΔE00 {t:g}: mean {mean:.2f}, max {worst:.2f}")
    print("\nthumbnails in the pipeline: the 60-s benchmark clip (1080p), wall seconds, medians:")
    print("| sampling | without | with | with / without | thumbnails, ms per sample |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, c in cost.items():
        print(f"| {label} | {c['without']:.2f} | {c['with']:.2f} | {c['ratio']:.3f} | {c['ms_per_sample']:.2f} |")
    print(f"\nrounds: {args.rounds}; open ms per round: " +
          "; ".join(f"{n}: {', '.join(f'{v:.0f}' for v in vs)}" for n, vs in times.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "samples": len(fp), "hours": args.hours, "budget_bytes": PAGE_BUDGET, "synthesize_seconds": made,
            "build_seconds": built, "thumbnails_kept": len(held), "thumbnail_bytes_held": held.nbytes,
            "thumbnails_shown": len(shown), "bytes": sizes, "open_ms": times, "open_ms_median": medians,
            "search_error_points": {str(t): {"mean": m, "max": x} for t, (m, x) in errors.items()},
            "thumbnail_cost_seconds": cost,
        }, indent=1) + "\n")


if __name__ == "__main__":
    main()
