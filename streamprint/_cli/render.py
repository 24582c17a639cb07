"""``streamprint render DATA OUT.png``: redraw a strip from saved data, no decoding."""

from __future__ import annotations

import argparse

from .. import params
from ..errors import ParameterError
from .common import Parser, add_common, add_render_options, render_from
from .fingerprint import wrote
from .progress import done


def parser(prog: str = "streamprint render") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="Redraw a fingerprint strip from a file saved with --data (JSON or CSV),\n"
                    "without decoding the movie again.",
    )
    p.add_argument("data", help="fingerprint data file (.json or .csv)")
    p.add_argument("output", help="picture to write: .png, .jpg, .webp, .svg (stacked, dominant, average, plot), "
                                  ".pdf (plot), or .html: the movie's page (with thumbnails if the data has them)")
    add_render_options(p, fast="for data made with --fast")
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from ..formats import read_fingerprint
    from ..outputs import RunOutputs

    params.readable_data_format(args.data, params.FINGERPRINT_DATA, "data_file")  # (the reader's rule, said as DATA)
    render = render_from(args, args.output)
    outputs = RunOutputs(args.output, render, overwrite=args.overwrite)  # the one writer of a command's outputs
    outputs.check([args.data])
    fp = read_fingerprint(args.data)
    try:
        params.check_render(render, fp.options.sampling)
        size = outputs.write(fp)
    except ParameterError as exc:  # the samples are the data file's: no sampling option is at fault here
        if exc.parameter != "sampling":
            raise
        raise ParameterError("data_file", exc.detail) from None
    if not args.quiet:
        done(wrote(args.output, None, size, fp))
    return 0
