"""What several commands share: the parser class, text-to-number conversion (ranges are
the library's rules, :mod:`streamprint.params`), the option groups, and the map from the
library's parameter names to this command's flags."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from enum import Enum

from .. import params
from ..enums import Algorithm, Crop, Order, Space, Style, ToneMap
from ..errors import EXIT_USAGE, one_line
from ..model import DEFAULT_ANALYSIS_SIZE, DEFAULT_INTERVAL, Options, RenderOptions, Sampling, TimeRange
from ..numerals import as_float, as_int
from ..params import parse_time

EXIT_CODES_HELP = """\
exit codes:
  0    success
  1    the input could not be processed, or the output could not be written
  2    usage error (bad options or arguments)
  130  interrupted (Ctrl-C, SIGTERM or SIGHUP); no output is left half-written
"""

#: Library parameters whose flag is not simply ``--`` + the name with dashes.
_FLAGS = {"checkpoint_every": "--checkpoint", "flush_every": "--flush", "keyframes": "--fast", "card_size": "--size",
          "image_format": "the output's format", "library": "LIBRARY", "data_file": "DATA", "outdir": "OUTDIR",
          "folder": "FOLDER", "resume": "the checkpoint", "max_fit_pixels": "max_fit_pixels",
          "sampling": "the sampling (--every, --interval, --samples or --fast)",
          "restart_ratio": "restart_ratio", "image": "image", "output": "output", "input": "input",
          "time_range": "--start/--end/--duration", "skip_unsampled": "--decode-all",
          # the library's alone (no flag): named as they are
          "render": "render", "summary": "summary", "executor": "executor"}


def flag_for(parameter: str) -> str:
    """The flag (or argument) that sets the library's ``parameter``."""
    return _FLAGS.get(parameter, "--" + parameter.replace("_", "-"))


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """A description's or an epilog's paragraph of prose (no line of it indented) filled to
    the terminal's width, as an option's help is; one with an indented line (examples, the
    exit codes, the other commands) kept as written, but a row too wide has its last column
    wrapped under itself. Prose broken by hand broke mid-sentence ("each with its strip,"
    alone on a line) and, with rows, ran past 80 columns, for the terminal to break anywhere."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import re
        import textwrap

        def fill(words: str, first: str, rest: str) -> str:
            return textwrap.fill(words, width, initial_indent=first, subsequent_indent=rest,
                                 break_long_words=False, break_on_hyphens=False)

        def row(line: str) -> str:
            columns = re.match(r"(\s+\S.*?\s{2,})(\S.*)", line)  # (the last column: after the first 2+ spaces)
            if len(indent + line) <= width or columns is None or len(indent + columns[1]) > width - 20:
                return indent + line
            return fill(columns[2], indent + columns[1], " " * len(indent + columns[1]))

        paragraphs = [paragraph.splitlines() for paragraph in text.strip("\n").split("\n\n")]
        return "\n\n".join("\n".join(map(row, lines)) if any(line[:1].isspace() for line in lines)
                            else fill(" ".join(" ".join(lines).split()), indent, indent) for lines in paragraphs)


class Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line, ending with a pointer to --help, and exits 2."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("epilog", EXIT_CODES_HELP)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_USAGE, self.usage_line(message) + "\n")

    def usage_line(self, message: str) -> str:
        """How a usage error is said, argparse's own or one the library's rules found (exit
        code 2): one line naming the command as typed, with the pointer to its --help."""
        return one_line(f"{self.prog}: error: {message}; see {self.prog} --help")


#: Flags whose value may begin with "-" (an end counted back from the end: --end -8:00).
_TIME_FLAGS = ("--start", "--end", "--duration")


def attach_times(argv: Sequence[str]) -> list[str]:
    """``argv`` with ``--end -8:00`` written ``--end=-8:00``, which argparse would otherwise
    take for an unknown option."""
    out: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        if args[i] == "--":
            return out + args[i:]
        if args[i] in _TIME_FLAGS and i + 1 < len(args) and args[i + 1].startswith("-") \
                and parse_time(args[i + 1]) is not None:
            out.append(f"{args[i]}={args[i + 1]}")
            i += 2
            continue
        out.append(args[i])
        i += 1
    return out


def whole(text: str) -> int:
    """A whole number as typed; its range is the library's rule."""
    try:
        return as_int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def number(text: str) -> float:
    """A number as typed; its range is the library's rule."""
    try:
        return as_float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def choices(enum: type[Enum]) -> list[str]:
    return [m.value for m in enum]


def add_common(p: argparse.ArgumentParser, overwrite: bool = True) -> None:
    if overwrite:
        p.add_argument("--overwrite", action="store_true",
                       help="replace existing files that streamprint did not write (an input is never "
                            "replaced); without it, only streamprint's own earlier outputs are replaced")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar, no warnings and no closing 'wrote ...' line")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="log details, including FFmpeg's own messages, to stderr")


def add_render_options(p: argparse.ArgumentParser, fast: str = "with --fast", flush: bool = False) -> None:
    """The drawing options; their help names only options of the command's own: ``fast``
    says when --fast applies (render: "for data made with --fast"), ``flush`` whether the
    command has --flush."""
    g = p.add_argument_group("drawing the strip")
    g.add_argument("--height", type=whole, default=200, metavar="PX",
                   help="picture height in pixels; for --style ring the ring's diameter (default: %(default)s)")
    g.add_argument("--column-width", type=whole, metavar="PX",
                   help=f"width of each sample's column in pixels ({fast}: pixels per second of "
                        "film), for the strip styles. Default: 1, and columns repeated until the strip "
                        f"is at least {params.MIN_WIDTH} px wide (so a 10-s clip is not 10 px wide)")
    g.add_argument("--width", type=whole, metavar="PX",
                   help="picture width in pixels, for every style: a strip's columns are resampled by "
                        "time to exactly PX (each column shows the sample covering the middle of its "
                        "time slice); a ring is drawn in the middle of a PX x --height picture; a plot "
                        f"is PX wide (default: {params.PLOT_WIDTH})" + (". With --flush a picture keeps this "
                        "width however long the stream runs (a whole day in 1920 px)" if flush else ""))
    g.add_argument("--order", choices=choices(Order), default="weight",
                   help="top-to-bottom order of a column's colours: 'weight' puts the most "
                        "frequent on top, 'lightness' the lightest, 'stable' keeps each colour in "
                        "the row of the previous column's matching colour until a cut, so strips "
                        "do not flicker (default: %(default)s)")
    add_style_option(g)
    g.add_argument("--title", help="title of the plot style")
    g.add_argument("--background", metavar="COLOR",
                   help="what a ring's transparent background and hole become in JPEG, which has no "
                        "transparency (PNG and WebP keep them transparent); #rrggbb or r,g,b "
                        "(default: #ffffff). Any other colour where it would do nothing is a usage error")


def add_style_option(g: argparse._ActionsContainer, formats: bool = True) -> None:
    g.add_argument("--style", choices=choices(Style), default="stacked",
                   help="stacked: a column's colours stacked by share; dominant: its most frequent "
                        "colour; average: its average colour (in linear light); smooth: averages "
                        "blended over neighbouring columns; ring: the stacked strip bent into a "
                        "circle, on a transparent background; plot: a figure with a time axis "
                        "(default: %(default)s)" + (". The output's extension gives the format: .png, "
                        ".jpg, .webp; .svg for stacked, dominant, average and plot; .pdf for plot"
                                                    if formats else ""))


def add_analysis_options(p: argparse.ArgumentParser) -> None:
    s = p.add_argument_group("sampling (pick one; default: --interval %g)" % DEFAULT_INTERVAL)
    m = s.add_mutually_exclusive_group()
    m.add_argument("--every", type=whole, metavar="N", help="use every Nth decoded frame")
    m.add_argument("--interval", type=number, metavar="SECONDS",
                   help="use the frame nearest to every multiple of SECONDS (by timestamp, so "
                        "variable frame rate is fine; at least 0.001)")
    m.add_argument("--samples", type=whole, metavar="N",
                   help="use N frames evenly spaced over the duration (needs a known duration)")
    m.add_argument("--fast", "--keyframes", dest="keyframes", action="store_true",
                   help="decode keyframes only (several times faster than decoding every frame); "
                        "each column is as wide as the time until the next keyframe, so a shot is "
                        "about one band (encoders place keyframes at cuts)")
    t = p.add_argument_group("part of the movie (times: 90, 1:30, 1:02:03.5; default: all of it)")
    t.add_argument("--start", metavar="TIME",
                   help="begin here, in the movie's own time (a file is seeked to the keyframe before it; a "
                        "stream is read and dropped up to it)")
    t.add_argument("--end", metavar="TIME",
                   help="stop before this time (a stream is closed there); negative: that long before the "
                        "end of the movie (--end -8:00 leaves the last eight minutes out; needs a known "
                        "duration)")
    t.add_argument("--duration", metavar="TIME", help="stop this long after --start (instead of --end)")
    c = p.add_argument_group("colours")
    c.add_argument("--colors", type=whole, default=5, metavar="K",
                   help="dominant colours per frame (k-means clusters, 1-64, default: %(default)s)")
    c.add_argument("--algorithm", choices=choices(Algorithm), default="kmeans",
                   help="k-means variant, each warm-started from the previous sample and restarted "
                        "cold at scene cuts: 'kmeans' (full-batch Lloyd) or 'minibatch' "
                        "(MiniBatchKMeans); kmeans is the default because it measured both faster "
                        "and closer to the optimum on analysis-size frames (default: %(default)s)")
    c.add_argument("--seed", type=whole, default=0,
                   help="random seed; the same seed gives the same output (default: %(default)s)")
    c.add_argument("--analysis-size", type=whole, default=DEFAULT_ANALYSIS_SIZE, metavar="PX",
                   help="frames are shrunk so their long side is PX pixels before clustering "
                        "(8-4096, default: %(default)s)")
    c.add_argument("--space", choices=choices(Space), default="rgb",
                   help="colour space the clustering happens in; colours are reported in sRGB "
                        "(default: %(default)s)")
    c.add_argument("--crop", choices=choices(Crop), default="auto",
                   help="auto: leave letterbox and pillarbox black bars out of the clustering, so "
                        "black is not every widescreen frame's dominant colour (default: %(default)s)")
    c.add_argument("--tonemap", choices=choices(ToneMap), default="auto",
                   help="auto: HDR frames (PQ or HLG) are tone-mapped to SDR as a viewer sees them; "
                        "off: converted as if SDR, washed out (default: %(default)s)")


def sampling_from(args: argparse.Namespace) -> Sampling:
    if args.every is not None:
        return Sampling.every(args.every)
    if args.samples is not None:
        return Sampling.samples(args.samples)
    if args.interval is not None:
        return Sampling.interval(args.interval)
    if args.keyframes:
        return Sampling.keyframes()
    return Sampling.default()


def options_from(args: argparse.Namespace) -> Options:
    return Options(sampling=sampling_from(args), colors=args.colors, algorithm=args.algorithm, seed=args.seed,
                   analysis_size=args.analysis_size, space=args.space, crop=args.crop,
                   tonemap=args.tonemap, time_range=TimeRange(args.start, args.end, duration=args.duration))


def render_from(args: argparse.Namespace, output: str | os.PathLike[str] | None) -> RenderOptions:
    """The drawing options; the format from ``output``'s extension (PNG when None: a
    batch's strips). A --background where it does nothing is refused by RenderOptions
    (:func:`streamprint.params.check_render`)."""
    values = dict(style=args.style, order=args.order, height=args.height, column_width=args.column_width,
                  width=args.width, title=args.title)
    if args.background is not None:
        values["background"] = args.background
    return RenderOptions.for_path(output, **values) if output is not None else RenderOptions(**values)


def check_plot_room(render: RenderOptions) -> None:
    """A plot's title and labels must leave its strip room: checked before any input is
    read, where drawing found it only after the whole movie was decoded (and wrote nothing)."""
    if render.style == Style.PLOT:
        from ..render.plot import check_room

        width, height = params.drawn_size(render, False, None, None)
        assert width is not None  # (a plot's width is given or the default)
        check_room(width, height, render.title)
