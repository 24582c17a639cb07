"""The command line: parse, call the library, report. Nothing here that Python callers lack.

    streamprint MOVIE OUT.png [options]        fingerprint a movie (MOVIE may be - for stdin)
    streamprint render DATA.json OUT.png       redraw a strip from saved data
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import __version__
from .clusterer import ALGORITHMS
from .errors import EXIT_INTERRUPTED, EXIT_USAGE, StreamprintError, UsageError
from .atomic import check_writable
from .clusterer import DEFAULT_ANALYSIS_SIZE
from .renderer import ORDERS, STYLES
from .sampler import DEFAULT_INTERVAL, Sampling

if TYPE_CHECKING:
    from .pipeline import Fingerprint, Progress

log = logging.getLogger("streamprint")

EXIT_CODES_HELP = """\
exit codes:
  0    success
  1    the input could not be processed, or the output could not be written
  2    usage error (bad options or arguments)
  130  interrupted (Ctrl-C or SIGTERM); no output is left half-written
"""

COMMANDS_HELP = """\
other commands:
  streamprint render DATA OUT.png   redraw a strip from a saved --data file, no decoding
  streamprint palette IMAGE OUT.png the palette of an image, and a card with swatch bars
  streamprint batch LIBRARY OUTDIR  every movie of a library, resumable and parallel
  streamprint grid OUTDIR WALL.png  tile a batch's strips into one wallpaper
  streamprint COMMAND --help        options of a command
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _add_render_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("drawing the strip")
    g.add_argument("--height", type=_positive_int, default=200, metavar="PX",
                   help="strip height in pixels (default: %(default)s)")
    g.add_argument("--column-width", type=_positive_int, default=1, metavar="PX",
                   help="width of each sample's column in pixels; with --fast, pixels per second "
                        "of film (default: %(default)s)")
    g.add_argument("--width", type=_positive_int, metavar="PX",
                   help="with --fast: total strip width in pixels (default: one column width per "
                        "second); with --style plot: the figure's width")
    g.add_argument("--order", choices=ORDERS, default="weight",
                   help="top-to-bottom order of a column's colours: 'weight' puts the most "
                        "frequent on top, 'lightness' the lightest, 'stable' keeps each colour in "
                        "the row of the previous column's matching colour until a cut, so strips "
                        "do not flicker (default: %(default)s)")
    g.add_argument("--style", choices=STYLES, default="stacked",
                   help="stacked: a column's colours stacked by share; dominant: its most frequent "
                        "colour; average: its average colour (in linear light); smooth: averages "
                        "blended over neighbouring columns; ring: the stacked strip bent into a "
                        "circle (--height is the diameter); plot: a figure with a time axis "
                        "(default: %(default)s). An output ending in .svg gives SVG (stacked, "
                        "dominant, average)")
    g.add_argument("--title", help="title of the plot style")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar and no warnings")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="log details, including FFmpeg's own messages, to stderr")


def _add_analysis_options(p: argparse.ArgumentParser) -> None:
    s = p.add_argument_group("sampling (pick one; default: --interval %g)" % DEFAULT_INTERVAL)
    m = s.add_mutually_exclusive_group()
    m.add_argument("--every", type=_positive_int, metavar="N", help="use every Nth decoded frame")
    m.add_argument("--interval", type=_positive_float, metavar="SECONDS",
                   help="use the frame nearest to every multiple of SECONDS (by timestamp, so "
                        "variable frame rate is fine)")
    m.add_argument("--samples", type=_positive_int, metavar="N",
                   help="use N frames evenly spaced over the duration (needs a known duration)")
    m.add_argument("--fast", "--keyframes", dest="keyframes", action="store_true",
                   help="decode keyframes only (several times faster than decoding every frame); "
                        "each column is as wide as the time until the next keyframe, so a shot is "
                        "about one band (encoders place keyframes at cuts)")
    c = p.add_argument_group("colours")
    c.add_argument("--colors", type=_positive_int, default=5, metavar="K",
                   help="dominant colours per frame (k-means clusters, default: %(default)s)")
    c.add_argument("--algorithm", choices=ALGORITHMS, default="kmeans",
                   help="k-means variant, each warm-started from the previous sample and restarted "
                        "cold at scene cuts: 'kmeans' (full-batch Lloyd) or 'minibatch' "
                        "(MiniBatchKMeans); kmeans is the default because it measured both faster "
                        "and closer to the optimum on analysis-size frames (default: %(default)s)")
    c.add_argument("--seed", type=_non_negative_int, default=0,
                   help="random seed; the same seed gives the same output (default: %(default)s)")
    c.add_argument("--analysis-size", type=_positive_int, default=DEFAULT_ANALYSIS_SIZE, metavar="PX",
                   help="frames are shrunk so their long side is PX pixels before clustering "
                        "(default: %(default)s)")
    c.add_argument("--space", choices=("rgb", "lab", "oklab"), default="rgb",
                   help="colour space the clustering happens in; colours are reported in sRGB "
                        "(default: %(default)s)")
    c.add_argument("--crop", choices=("auto", "none"), default="auto",
                   help="auto: leave letterbox and pillarbox black bars out of the clustering, so "
                        "black is not every widescreen frame's dominant colour (default: %(default)s)")


def fingerprint_parser(prog: str = "streamprint") -> argparse.ArgumentParser:
    p = _Parser(
        prog=prog,
        description="Make the colour fingerprint of a movie: a strip with one column per sampled\n"
                    "frame, showing that frame's dominant colours (k-means) stacked by share.\n"
                    "One streaming pass, no intermediate files.",
        epilog=COMMANDS_HELP + "\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("input", help="movie file, or - to read a stream from standard input")
    p.add_argument("output", help="strip image to write (PNG)")
    _add_analysis_options(p)
    _add_render_options(p)
    o = p.add_argument_group("input and output")
    o.add_argument("--data", metavar="FILE",
                   help="also save the samples (times, colours, weights) and metadata as JSON, "
                        "or CSV if FILE ends in .csv; redraw later with 'streamprint render'")
    o.add_argument("--format", metavar="NAME",
                   help="force FFmpeg's demuxer (e.g. matroska, mpegts, nut, yuv4mpegpipe)")
    o.add_argument("--raw", metavar="WxH",
                   help="the input is raw frames of this size (e.g. from ffmpeg -f rawvideo); "
                        "see --pix-fmt and --rate")
    o.add_argument("--pix-fmt", default="rgb24", metavar="NAME",
                   help="pixel format of --raw frames (FFmpeg's name, default: %(default)s)")
    o.add_argument("--rate", type=_positive_float, default=25.0, metavar="FPS",
                   help="frame rate of --raw frames (default: %(default)s)")
    o.add_argument("--threads", type=_non_negative_int, default=0, metavar="N",
                   help="decoder threads, 0 for one per core (default: %(default)s)")
    o.add_argument("--decode-all", action="store_true",
                   help="decode every frame; by default, with --interval or --samples, the decoder "
                        "skips non-reference frames no column can use (the result is the same)")
    _add_common(p)
    p.add_argument("--version", action="version", version=f"streamprint {__version__}")
    return p


def render_parser(prog: str = "streamprint render") -> argparse.ArgumentParser:
    p = _Parser(
        prog=prog,
        description="Redraw a fingerprint strip from a file saved with --data (JSON or CSV),\n"
                    "without decoding the movie again.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", help="fingerprint data file (.json or .csv)")
    p.add_argument("output", help="strip image to write (PNG)")
    _add_render_options(p)
    _add_common(p)
    return p


def palette_parser(prog: str = "streamprint palette") -> argparse.ArgumentParser:
    p = _Parser(
        prog=prog,
        description="The dominant colours of an image: prints HEX, 8-bit RGB and share, and draws\n"
                    "a card: buffer bar, swatch bar, the image, swatch bar, buffer bar.\n\n"
                    "  streamprint palette photo.jpg card.png          one image, one card\n"
                    "  streamprint palette a.jpg b.png c.webp --out-dir cards/\n"
                    "  streamprint palette photo.jpg                   print the palette only\n"
                    "  streamprint palette a.jpg b.jpg c.jpg --data palettes.tsv\n\n"
                    "With exactly two paths the second is the card to write; with more, all are\n"
                    "images and cards go to --out-dir (if given).",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="image(s), then optionally the card to write")
    p.add_argument("--out-dir", metavar="DIR", help="write one card per image here, named IMAGE.palette.png")
    p.add_argument("--colors", type=_positive_int, default=6, metavar="K",
                   help="colours in the palette (default: %(default)s)")
    p.add_argument("--space", choices=("rgb", "lab", "oklab"), default="rgb",
                   help="colour space to cluster in; results are sRGB (default: %(default)s)")
    p.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--proportional", action="store_true",
                   help="swatch widths proportional to each colour's share (default: equal widths)")
    p.add_argument("--bar", type=_positive_float, default=0.08, metavar="FRACTION",
                   help="swatch bar height as a fraction of the image height (default: %(default)s)")
    p.add_argument("--buffer", type=float, default=0.02, metavar="FRACTION",
                   help="buffer bar height as a fraction of the image height (default: %(default)s)")
    p.add_argument("--buffer-color", default="#ffffff", metavar="COLOR",
                   help="buffer bar colour, #rrggbb or r,g,b (default: %(default)s)")
    p.add_argument("--size", type=_non_negative_int, default=1600, metavar="PX",
                   help="long side of the image on the card, 0 for its full size (default: %(default)s)")
    p.add_argument("--data", metavar="FILE", help="also save the palettes: JSON, or TSV if FILE ends in .tsv")
    _add_common(p)
    return p


def run_palette(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .palette import card, extract_palette, load_image, parse_color, save_card, save_data

    paths = list(args.paths)
    out: str | None = None
    if args.out_dir is None and len(paths) == 2:
        paths, out = paths[:1], paths[1]
    buffer_color = parse_color(args.buffer_color)
    if not 0 <= args.buffer <= 1:
        raise UsageError("--buffer must be a fraction from 0 to 1")
    if out:
        check_writable(out)
    if args.out_dir and not Path(args.out_dir).is_dir():
        raise UsageError(f"--out-dir {args.out_dir}: no such directory")
    if args.data:
        check_writable(args.data)
    palettes = []
    failed = 0
    for path in paths:
        target = out or (str(Path(args.out_dir) / f"{Path(path).name}.palette.png") if args.out_dir else None)
        try:
            # The palette comes from its own small decode, so it is the same with or without a
            # card and whatever the card's --size.
            pal = extract_palette(path, args.colors, args.space, args.seed)
            if target:
                rgb, _, _ = load_image(path, args.size)
                save_card(target, card(rgb, pal, args.bar, args.buffer, buffer_color, args.proportional))
        except StreamprintError as exc:
            if len(paths) == 1:
                raise
            print(f"streamprint: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        palettes.append(pal)
        print(pal.table())
    if args.data and palettes:
        save_data(args.data, palettes)
    return 1 if failed else 0


class _ProgressBar:
    """A tqdm bar on stderr fed by the library's progress callback; ETA only when the total
    is known."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, p: "Progress") -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=p.expected, unit="sample", file=sys.stderr, dynamic_ncols=True,
                            leave=False, desc="fingerprint")
        if self.bar.total is not None and p.samples > self.bar.total:
            self.bar.total = p.samples
        self.bar.update(p.samples - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class _BarAwareHandler(logging.StreamHandler):
    """Writes log lines through tqdm, so they do not land in the middle of a progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            from tqdm import tqdm

            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


def _setup_logging(quiet: bool, verbose: bool) -> None:
    handler = _BarAwareHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("streamprint: %(levelname)s: %(message)s"))
    root = logging.getLogger("streamprint")
    root.handlers[:] = [h for h in root.handlers if isinstance(h, logging.NullHandler)] + [handler]
    root.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    root.propagate = False
    if verbose:
        import av.logging

        av.logging.set_level(av.logging.VERBOSE)
        libav = logging.getLogger("libav")
        libav.addHandler(handler)
        libav.setLevel(logging.DEBUG)


def _sampling(args: argparse.Namespace) -> Sampling:
    if args.every is not None:
        return Sampling.every(args.every)
    if args.samples is not None:
        return Sampling.samples(args.samples)
    if args.interval is not None:
        return Sampling.interval(args.interval)
    if getattr(args, "keyframes", False):
        return Sampling.keyframes()
    return Sampling.default()


def _demuxer(args: argparse.Namespace) -> tuple[str | None, dict[str, str] | None]:
    """--format / --raw as FFmpeg's demuxer name and options."""
    if args.raw is None:
        return args.format, None
    if args.format not in (None, "rawvideo"):
        raise UsageError("--raw reads raw frames; it cannot be combined with --format " + args.format)
    w, sep, h = args.raw.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and int(w) > 0 and int(h) > 0):
        raise UsageError(f"--raw needs WIDTHxHEIGHT in pixels, e.g. 1920x1080, got {args.raw!r}")
    return "rawvideo", {"video_size": f"{int(w)}x{int(h)}", "pixel_format": args.pix_fmt,
                        "framerate": f"{args.rate:g}"}


def _width(args: argparse.Namespace, fp: "Fingerprint") -> int | None:
    if args.width is not None and not fp.options.sampling.time_proportional and args.style != "plot":
        raise UsageError("--width applies to --fast strips and plots; otherwise the width is "
                         "samples x --column-width")
    return args.width


def _options(args: argparse.Namespace) -> Any:
    from .pipeline import Options

    return Options(sampling=_sampling(args), colors=args.colors, algorithm=args.algorithm,
                   seed=args.seed, analysis_size=args.analysis_size, space=args.space, crop=args.crop)


def batch_parser(prog: str = "streamprint batch") -> argparse.ArgumentParser:
    p = _Parser(
        prog=prog,
        description="Fingerprint every movie under LIBRARY into OUTDIR, mirroring its folders: a strip\n"
                    "(FILE.png) and a data file (FILE.json) per movie. Files are recognised by opening\n"
                    "them; non-video files are skipped and counted. A manifest in OUTDIR records every\n"
                    "input: re-running skips what is done and unchanged and redoes what changed.",
        epilog="exit codes:\n  0    every movie succeeded\n  1    the batch itself could not run\n"
               "  2    usage error\n  3    some movies failed (the others are done)\n  130  interrupted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("library", help="folder to search recursively")
    p.add_argument("outdir", help="folder for strips, data files and the manifest")
    p.add_argument("--jobs", type=_positive_int, metavar="N",
                   help="worker processes (default: one per core); decoder threads per worker are "
                        "cores / N")
    p.add_argument("--retry-failed", action="store_true", help="run again the inputs that failed last time")
    p.add_argument("--checkpoint", type=_positive_float, default=60.0, metavar="SECONDS",
                   help="save a long movie's partial results every SECONDS of work, so an interrupted "
                        "movie resumes where it was, with the same result (default: %(default)s)")
    p.add_argument("--dask", metavar="ADDRESS",
                   help="run one task per movie on this Dask distributed scheduler (e.g. "
                        "tcp://10.0.0.5:8786) instead of local processes; workers must see LIBRARY and "
                        "OUTDIR at the same paths. Needs: pip install 'streamprint[dask]'")
    _add_analysis_options(p)
    _add_render_options(p)
    _add_common(p)
    return p


def run_batch_command(args: argparse.Namespace) -> int:
    from .batch import run_batch

    render = {"style": args.style, "title": args.title, "height": args.height,
              "column_width": args.column_width, "order": args.order, "width": args.width}
    files_bar: Any = None

    def on_plan(n: int) -> None:
        nonlocal files_bar
        if not args.quiet and n:
            from tqdm import tqdm

            files_bar = tqdm(total=n, unit="file", file=sys.stderr, dynamic_ncols=True, desc="movies")

    samples_bar: Any = None
    running: dict[str, tuple[int, int | None]] = {}

    def on_samples(rel: str, samples: int, expected: int | None) -> None:
        """One bar for the samples of the movies being worked on now."""
        nonlocal samples_bar
        if files_bar is None:
            return
        running[rel] = (samples, expected)
        if samples_bar is None:
            from tqdm import tqdm

            samples_bar = tqdm(unit="sample", file=sys.stderr, dynamic_ncols=True, position=1, leave=False,
                               desc="samples")
        totals = [e for _, e in running.values()]
        samples_bar.total = sum(totals) if None not in totals else None  # type: ignore[arg-type]
        samples_bar.n = sum(n for n, _ in running.values())
        samples_bar.set_description_str(", ".join(sorted(running))[-40:], refresh=False)
        samples_bar.refresh()

    def on_file(rel: str, status: str) -> None:
        running.pop(rel, None)
        if files_bar is not None:
            files_bar.set_postfix_str(f"{status}: {rel}"[-60:], refresh=False)
            files_bar.update(1)

    try:
        summary = run_batch(args.library, args.outdir, _options(args), render, args.jobs, args.retry_failed,
                            on_file, on_plan, dask=args.dask, checkpoint_every=args.checkpoint,
                            on_samples=on_samples)
    finally:
        if samples_bar is not None:
            samples_bar.close()
        if files_bar is not None:
            files_bar.close()
    print(summary.table())
    return summary.exit_code


def grid_parser(prog: str = "streamprint grid") -> argparse.ArgumentParser:
    p = _Parser(prog=prog, description="Tile the strips of a batch OUTDIR into one wallpaper image.",
                epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("outdir", help="a folder written by 'streamprint batch'")
    p.add_argument("output", help="wallpaper to write (PNG)")
    p.add_argument("--size", default="3840x2160", metavar="WxH",
                   help="wallpaper size in pixels (default: %(default)s)")
    _add_common(p)
    return p


def run_grid(args: argparse.Namespace) -> int:
    from .batch import grid
    from .renderer import write_image

    w, sep, h = args.size.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and int(w) > 0 and int(h) > 0):
        raise UsageError(f"--size needs WIDTHxHEIGHT in pixels, got {args.size!r}")
    check_writable(args.output)
    write_image(grid(args.outdir, (int(w), int(h))), args.output)
    return 0


def run_fingerprint(args: argparse.Namespace) -> int:
    from .pipeline import fingerprint

    options = _options(args)
    fmt, demuxer_options = _demuxer(args)
    check_writable(args.output)
    if args.data:
        check_writable(args.data)
    bar = _ProgressBar(enabled=not args.quiet)
    try:
        fp = fingerprint(args.input, options, format=fmt, demuxer_options=demuxer_options,
                         threads=args.threads, progress=bar, skip_unsampled=not args.decode_all)
    finally:
        bar.close()
    if args.data:
        fp.save(args.data)
    _save_strip(fp, args)
    log.info("wrote %s: %d samples", args.output, len(fp))
    return 0


def _save_strip(fp: "Fingerprint", args: argparse.Namespace) -> None:
    fp.save_image(args.output, style=args.style, title=args.title, height=args.height,
                  column_width=args.column_width, order=args.order, width=_width(args, fp))


def run_render(args: argparse.Namespace) -> int:
    from .pipeline import Fingerprint

    fp = Fingerprint.load(args.data)
    check_writable(args.output)
    _save_strip(fp, args)
    return 0


COMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Callable[[argparse.Namespace], int]]] = {
    "render": (render_parser, run_render),
    "palette": (palette_parser, run_palette),
    "batch": (batch_parser, run_batch_command),
    "grid": (grid_parser, run_grid),
}


def _on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``streamprint`` command; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in COMMANDS:
        make_parser, run = COMMANDS[args_list.pop(0)]
    elif args_list and args_list[0] == "fingerprint":
        args_list.pop(0)
        make_parser, run = fingerprint_parser, run_fingerprint
    else:
        make_parser, run = fingerprint_parser, run_fingerprint
    args = make_parser().parse_args(args_list)
    _setup_logging(getattr(args, "quiet", False), getattr(args, "verbose", False))
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return run(args)
    except StreamprintError as exc:
        print(f"streamprint: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("streamprint: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
