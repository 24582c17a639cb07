"""``streamprint MOVIE OUT.png``: the fingerprint of a movie."""

from __future__ import annotations

import argparse
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from .. import __version__, interrupt, params
from ..enums import ImageFormat, SamplingMode
from ..errors import EXIT_INTERRUPTED, ParameterError, StreamprintError
from ..model import Fingerprint, Progress, SourceInfo
from . import NOTHING_WRITTEN, interrupted
from .common import EXIT_CODES_HELP, Parser, add_analysis_options, add_common, add_render_options, check_plot_room, \
    number, options_from, render_from, whole
from .progress import TERMINAL, ProgressBar, done, length, plural, took

if TYPE_CHECKING:
    from ..outputs import RunOutputs

log = logging.getLogger("streamprint")

COMMANDS_HELP = """\
other commands:
  streamprint render DATA OUT.png             redraw a strip from a saved --data file, no decoding
  streamprint palette IMAGE --card CARD.png   the palette of an image, and a card with swatch bars
  streamprint batch LIBRARY OUTDIR            every movie of a library, resumable and parallel
  streamprint grid FOLDER WALL.png            tile the strips and data files in a folder into one wallpaper
  streamprint gallery OUTDIR                  rebuild a batch's index.html: every movie, sorted, searchable by colour
  streamprint fingerprint MOVIE OUT           this command by name (for a movie named like a command)
  streamprint COMMAND --help                  options of a command
"""


def parser(prog: str = "streamprint") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="Make the colour fingerprint of a movie: a strip with one column per sampled\n"
                    "frame, showing that frame's dominant colours (k-means) stacked by share.\n"
                    "One streaming pass, no intermediate files.",
        epilog=COMMANDS_HELP + "\n" + EXIT_CODES_HELP,
    )
    p.add_argument("input", help="movie file, or - to read a stream from standard input")
    p.add_argument("output", help="picture to write: .png, .jpg, .webp, .svg (stacked, dominant, average, plot), "
                                  ".pdf (plot), or .html: a page where each column shows its time, colours and frame")
    add_analysis_options(p)
    add_render_options(p, flush=True)
    o = p.add_argument_group("input and output")
    o.add_argument("--data", metavar="FILE",
                   help="also save the samples (times, colours, weights) and metadata as JSON, "
                        "or CSV if FILE ends in .csv; redraw later with 'streamprint render'. "
                        "FILE ending in .gpl (GIMP palette), .ase (Adobe Swatch Exchange) or .css (custom "
                        "properties) saves the movie's own palette alone, for design tools")
    o.add_argument("--thumbnails", action="store_true",
                   help="keep small pictures of the sampled frames in the --data file, so that a page made "
                        "from it later ('streamprint render DATA page.html') shows them (an .html output "
                        "always makes them)")
    o.add_argument("--format", metavar="NAME",
                   help="force FFmpeg's demuxer (e.g. matroska, mpegts, nut, yuv4mpegpipe)")
    o.add_argument("--raw", metavar="WxH",
                   help="the input is raw frames of this size (e.g. from ffmpeg -f rawvideo); "
                        "see --pix-fmt and --rate")
    o.add_argument("--pix-fmt", metavar="NAME",
                   help="pixel format of --raw frames (FFmpeg's name, default: rgb24)")
    o.add_argument("--rate", metavar="FPS",
                   help="frame rate of --raw frames: 25, 29.97, 30000/1001 (default: 25)")
    o.add_argument("--threads", type=whole, default=0, metavar="N",
                   help="decoder threads; 0 lets streamprint choose per decoder (two per core for H.264, "
                        "HEVC and VP9, FFmpeg's own choice otherwise) (default: %(default)s)")
    o.add_argument("--flush", type=number, metavar="SECONDS",
                   help="live streams: rewrite every output (the picture or page, the --data file) every "
                        "SECONDS (at least 0.1) of wall-clock time while the input runs, each file whole at every moment; "
                        "Ctrl-C or SIGTERM then ends the run with everything seen so far written (exit code "
                        "130). With --width the picture keeps that width (columns resampled by time, a whole "
                        "day in 1920 px), so a day costs no more per rewrite than a minute")
    o.add_argument("--decode-all", action="store_true",
                   help="decode every frame; by default, with --interval or --samples, the decoder "
                        "skips non-reference frames no column can use (the result is the same)")
    add_common(p)
    p.add_argument("--version", action="version", version=f"streamprint {__version__}")
    return p


def run(args: argparse.Namespace) -> int:
    # Every rule is checked before the movie is opened or anything is written, and before
    # PyAV is imported (unless the rule is FFmpeg's: --raw, --format), so a bad option is
    # refused at once.
    params.file_name(args.input, "input")  # (an empty one was taken for ".", a folder)
    live = args.flush is not None
    flush_every = params.check("flush_every", args.flush) if live else None
    options = options_from(args)
    render = render_from(args, args.output)
    params.check_render(render, options.sampling)
    check_plot_room(render)
    threads = params.check("threads", args.threads)
    fmt, demuxer_options = args.format, None
    if args.decode_all and options.sampling.mode == SamplingMode.KEYFRAMES:  # it did nothing, silently
        raise ParameterError("skip_unsampled", "decodes every frame, and {param:keyframes} only keyframes: pick one")
    for name in ("pix_fmt", "rate"):  # they describe raw frames: alone they did nothing, silently
        if getattr(args, name) is not None and args.raw is None:
            raise ParameterError(name, "describes raw frames, read with {param:raw} WxH; other inputs say "
                                       "their own")
    if args.raw is not None or fmt is not None:
        from ..source.open import check_demuxer
        from ..source.raw import raw_demuxer

        if args.raw is not None:
            fmt, demuxer_options = raw_demuxer(args.raw, "rgb24" if args.pix_fmt is None else args.pix_fmt,
                                               25 if args.rate is None else args.rate, args.format)
        check_demuxer(fmt)
    # a data file that keeps thumbnails: the whole record, not a palette alone
    keeps_samples = bool(args.data) and not params.palette_only(args.data)
    thumbnails = args.thumbnails or render.format == ImageFormat.HTML
    params.check_thumbnails(args.thumbnails, keeps_samples, render)
    from ..outputs import RunOutputs

    outputs = RunOutputs(args.output, render, args.data, live=live, overwrite=args.overwrite)
    outputs.check([args.input])
    from ..pipeline import fingerprint

    bar = ProgressBar(enabled=not args.quiet)
    counted = False  # the picture's width is checked as samples come, not known before
    proportional = options.sampling.time_proportional  # (keyframes: as wide as their time)

    def fits(info: SourceInfo, expected: int | None) -> None:
        """The picture's size, once the number of samples and the duration can be estimated."""
        nonlocal counted
        params.check_drawn_size(render, proportional, expected, info.duration)
        counted = info.duration is None if proportional else expected is None

    def progress(p: Progress) -> None:
        """A stream of unknown length: the picture is refused at the sample it cannot hold
        (with keyframes, at the second), not after the whole stream was read (its outputs
        were all lost then, and an endless stream's never came)."""
        if counted:
            params.check_drawn_size(render, proportional, p.samples, max(0.0, p.time - options.time_range.start))
        bar(p)

    started = time.monotonic()
    # Live: SIGINT and SIGTERM only ask the run to stop (see _cli.dispatch), and it ends as the
    # input would, with a last write of everything seen; nothing is cut off half-way.
    with interrupt.shield() if live else contextlib.nullcontext():
        try:
            fp = fingerprint(args.input, **options.fields(), format=fmt, demuxer_options=demuxer_options,
                             threads=threads, progress=progress, skip_unsampled=not args.decode_all, before_decoding=fits,
                             thumbnails=thumbnails, flush=outputs.flush if live else None,
                             flush_every=flush_every or 10.0)
            if not interrupt.requested():
                from ..render import timeline

                bar.finish(timeline(fp)[1], len(fp))
        except StreamprintError:
            if live and interrupt.requested() and outputs.written is not None:
                return _interrupted_keeping(outputs)  # a read the interrupt cut short failed
            raise
        finally:
            bar.close()
        with interrupt.shield():  # an interrupt now waits for the outputs to be written whole
            size = outputs.write(fp)  # the picture first: a picture that cannot be drawn leaves no data
    if interrupt.requested():  # live, or while the outputs were written: they are whole
        return _interrupted_keeping(outputs)
    if not args.quiet:
        done(wrote(args.output, args.data, size, fp) + f" in {took(time.monotonic() - started)}")
    return 0


def _interrupted_keeping(outputs: RunOutputs) -> int:
    """A run ended by an interrupt, its outputs written (a live run's last write, or the
    final write the interrupt waited for): say what they hold; exit 130."""
    print(interrupted(f"kept {outputs.kept()}"), file=TERMINAL)
    return EXIT_INTERRUPTED


def wrote(output: str, data: str | None, size: tuple[int, int], fp: Fingerprint) -> str:
    """``wrote OUT.png and OUT.json: 7200×200, 7200 samples, 2:00:00 of video``; a part of
    a movie: ``..., 0:10 of video (0:00:10 to 0:00:20)``."""
    from ..render import timeline

    part = "" if fp.time_range.whole else f" ({fp.time_range.describe()})"
    return (f"wrote {output}{f' and {data}' if data else ''}: {size[0]}×{size[1]}, {plural(len(fp), 'sample')}, "
            f"{length(timeline(fp)[1] - fp.time_range.start)} of video{part}")


def kept_on_interrupt(args: argparse.Namespace) -> str:
    """What an interrupt that stopped the run left (see _cli.dispatch)."""
    from ..source.stream import is_stream

    if args.flush is None and is_stream(args.input):
        return f"{NOTHING_WRITTEN} (with --flush SECONDS the outputs would have kept what was seen)"
    return NOTHING_WRITTEN
