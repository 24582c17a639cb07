"""``streamprint palette IMAGE... [--card CARD | --out-dir DIR]``: an image's palette, printed
and drawn on a card."""

from __future__ import annotations

import argparse
import io
import os
import shlex
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .. import interrupt, params
from . import NOTHING_WRITTEN
from ..params import STDIN
from ..atomic import check_outputs, make_folders, remove_folders
from ..enums import SWATCH_FORMATS, Space
from ..errors import InputError, NotAVideoError, ParameterError, StreamprintError
from .common import Parser, add_common, choices, number, whole
from .progress import done, error, plural, stdout_to_devnull

if TYPE_CHECKING:
    from ..model.colors import ImagePalette


def _card_stem(path: str) -> str:
    """What a card in ``--out-dir`` is named after: the image's file name, ``stdin`` for -."""
    return "stdin" if path == STDIN else Path(path).name


#: The most an image piped in may hold, bytes (``< /dev/zero`` read on to 24 GB).
STDIN_IMAGE_BYTES = 1 << 30


def _stdin_image() -> bytes:
    """The encoded image piped to standard input, read whole (see :func:`_read_whole`)."""
    if sys.stdin is None:
        raise InputError("-: standard input is closed: pipe an image in, e.g. `curl -s URL | streamprint palette -`")
    if sys.stdin.isatty():
        raise InputError("-: standard input is a terminal, not an image: pipe one in, e.g. "
                         "`curl -s URL | streamprint palette -`")
    # typeshed says BinaryIO; the standard stream's buffer is a BufferedReader
    return _read_whole(sys.stdin.buffer, "-", "standard input")


def _read_whole(stream: BinaryIO, name: str, what: str) -> bytes:
    """All of ``stream``, an image read whole (an image is read whole anyway), in pieces: a
    stop request is seen between them, and more than :data:`STDIN_IMAGE_BYTES` is refused.
    What Pillow cannot take for an image by its first megabyte is not read on: that much is
    returned, for the library to refuse (``/dev/zero`` was read to the limit first); a TIFF
    is read on whatever its first megabyte holds (see :func:`_looks_like_an_image`)."""
    pieces: list[bytes] = []
    size, known = 0, False
    read = getattr(stream, "read1", None) or stream.read  # read1: what has come, not a full 1 MiB
    while piece := read(1 << 20):
        interrupt.check()
        size += len(piece)
        if not known and size >= 1 << 20:
            if not _looks_like_an_image(b"".join(pieces) + piece):
                return b"".join(pieces) + piece
            known = True
        if size > STDIN_IMAGE_BYTES:
            raise InputError(f"{name}: {what} holds more than {STDIN_IMAGE_BYTES >> 20} MiB: no image "
                             "streamprint reads is that large")
        pieces.append(piece)
    if not size:
        raise InputError(f"{name}: {what} is empty: no image was {'piped in' if name == STDIN else 'read'}")
    data = b"".join(pieces)
    if (named := params.named_file(data)) is not None:  # (the library said "pass a str or a Path")
        raise NotAVideoError(f"{name}: {what} holds the name of the file {named}, not an image: to read that file, "
                             f"give its name as the argument: streamprint palette {shlex.quote(named)}")
    return data


#: How a TIFF (II*\0, MM\0*) or a BigTIFF (II+\0, MM\0+) begins: its header points to its
#: directory, which may be anywhere, and often is at the end (Pillow writes a compressed one
#: last). Its first megabyte tells nothing: an 800 x 800 LZW TIFF piped in was refused as
#: "not an image", with a false "Corrupt EXIF data" warning, where its path was read.
_TIFF_MAGIC = (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")


def _looks_like_an_image(head: bytes) -> bool:
    """Whether Pillow takes ``head``, an image's first bytes, for one of the formats it reads
    (it reads no more than a header to tell); a TIFF's header is enough."""
    from PIL import Image, UnidentifiedImageError

    from ..warned import caught

    if head.startswith(_TIFF_MAGIC):
        return True
    try:
        with caught(record=True):  # (what the header cut short warns of is no warning about the image)
            Image.open(io.BytesIO(head)).close()
    except UnidentifiedImageError:
        return False
    except Exception:  # (a header cut short, a bomb: the reading of the whole says)
        pass
    return True


def _source(path: str) -> str | bytes:
    """What the library reads for ``path``: the path of a regular file (or of what is none,
    for the library to say so), else the bytes read once from it. A pipe (``<(cmd)``,
    /dev/stdin) or a device is read once: opened twice, for the palette and then the card,
    the second read found the pipe empty ("not an image")."""
    if path == STDIN:
        return _stdin_image()
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return path
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return path
    try:
        with open(path, "rb", buffering=0) as stream:
            return _read_whole(stream, path, "the pipe" if stat.S_ISFIFO(mode) else "the file")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def kept_on_interrupt(args: argparse.Namespace) -> str:
    """What an interrupt that stopped the run left (see _cli.dispatch): the cards of the images
    finished stay (each was written whole, atomically); the data file is written last."""
    cards = [target for target, _, _ in getattr(args, "cards_written", [])]
    if not cards and not getattr(args, "data_written", False):
        return NOTHING_WRITTEN
    kept = (f"kept {cards[0]}" if args.card else f"kept {plural(len(cards), 'card')} of the images finished, "
            f"in {args.out_dir}") if cards else "kept no card"
    if args.data:
        kept += f"; {args.data} was {'written' if getattr(args, 'data_written', False) else 'not written'}"
    return kept


def parser(prog: str = "streamprint palette") -> argparse.ArgumentParser:
    p = Parser(
        prog=prog,
        description="The dominant colours of an image: prints HEX, 8-bit RGB and share, and draws\n"
                    "a card: buffer bar, swatch bar, the image, swatch bar, buffer bar.\n\n"
                    "  streamprint palette photo.jpg --card card.png   one image, one card\n"
                    "  streamprint palette a.jpg b.png c.webp --out-dir cards/\n"
                    "  streamprint palette photo.jpg                   print the palette only\n"
                    "  streamprint palette *.jpg --data palettes.tsv\n"
                    "  streamprint palette photo.jpg --data photo.gpl  a GIMP palette (.ase, .css too)\n"
                    "  curl -s URL | streamprint palette - --card card.png\n\n"
                    "Every path is an image to read, never an output: the card is named by --card\n"
                    "(one image) or made in --out-dir, so a glob cannot turn a photo into a card.",
    )
    p.add_argument("paths", nargs="+", metavar="IMAGE", help="image(s) to read; - reads one from standard input")
    p.add_argument("-o", "--card", metavar="FILE",
                   help="write the card here (one image only): PNG, JPEG or WebP by extension")
    p.add_argument("--out-dir", metavar="DIR",
                   help="write one card per image here, named IMAGE.palette.png (made if missing)")
    p.add_argument("--colors", type=whole, default=6, metavar="K",
                   help="colours in the palette, 1-64 (default: %(default)s)")
    p.add_argument("--space", choices=choices(Space), default="rgb",
                   help="colour space to cluster in; results are sRGB (default: %(default)s)")
    p.add_argument("--seed", type=whole, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--proportional", action="store_true",
                   help="swatch widths proportional to each colour's share (default: equal widths)")
    p.add_argument("--bar", type=number, default=0.08, metavar="FRACTION",
                   help="swatch bar height as a fraction of the image height (default: %(default)s)")
    p.add_argument("--buffer", type=number, default=0.02, metavar="FRACTION",
                   help="buffer bar height as a fraction of the image height (default: %(default)s)")
    p.add_argument("--buffer-color", default="#ffffff", metavar="COLOR",
                   help="buffer bar colour, #rrggbb or r,g,b (default: %(default)s)")
    p.add_argument("--labels", action="store_true",
                   help="write each colour's hex on its swatch in the card's lower swatch bar, in black "
                        "or white, whichever contrasts more with the swatch")
    p.add_argument("--size", dest="card_size", type=whole, default=1600, metavar="PX",
                   help="long side of the image on the card, 0 for its full size (default: %(default)s)")
    p.add_argument("--data", metavar="FILE",
                   help="also save the palettes, in the format FILE's extension names: .json, .tsv, or for "
                        "design tools .gpl (a GIMP palette: one image only), .ase (Adobe Swatch Exchange: a "
                        "group per image) or .css (custom properties --IMAGE-1, --IMAGE-2, ...)")
    add_common(p)
    return p


def run(args: argparse.Namespace) -> int:
    from ..formats.swatches import check_count

    # An image named twice (a.png a.png, a.png ./a.png) is read once; two names of one file (a
    # symbolic link, a hard link) are two images, a card and a row each: the link's was dropped.
    images: dict[str, str] = {}
    for path in args.paths:
        images.setdefault(path if path == STDIN else os.path.abspath(path), path)
    paths, out = list(images.values()), args.card
    # Every rule first, before any image is read or any card written.
    colors, space, seed = (params.check(n, getattr(args, n)) for n in ("colors", "space", "seed"))
    bar, buffer = params.check("bar", args.bar), params.check("buffer", args.buffer)
    buffer_color, size = params.check("buffer_color", args.buffer_color), params.check("card_size", args.card_size)
    if out and len(paths) > 1:
        raise ParameterError("card", "names one card, for one image; with several images use {param:out_dir}")
    if out and args.out_dir:
        raise ParameterError("card", "and {param:out_dir} cannot be used together")
    # (os.path: Path.exists() raised "unexpected OSError" on a name too long; make_folders says it)
    if args.out_dir and os.path.exists(args.out_dir) and not os.path.isdir(args.out_dir):
        raise ParameterError("out_dir", f"{args.out_dir}: not a directory")
    targets = {path: out or (str(Path(args.out_dir) / f"{_card_stem(path)}.palette.png") if args.out_dir else None)
               for path in paths}
    if args.out_dir:  # two images of one name (a/p.png, b/p.png) would make one card
        named: dict[str, str] = {}
        for path, target in targets.items():
            assert target is not None  # with out_dir, every image has its card
            if target in named:
                raise ParameterError("out_dir", f"cannot hold the cards of both {named[target]} and {path}: both "
                                                f"would be {Path(target).name}; make them one at a time with "
                                                "{param:card}")
            named[target] = path
    cards_by = "out_dir" if args.out_dir else "card"  # the flag that named the cards, for messages
    outputs = [(cards_by, t) for t in targets.values() if t] + ([("data", args.data)] if args.data else [])
    for name, t in outputs:
        if name == cards_by:
            params.image_format_for(t, "card", params.RASTER_FORMATS)
        elif (fmt := params.data_format_for(t, "data", params.PALETTE_DATA)) in SWATCH_FORMATS:
            check_count(fmt, len(paths), t, "data")  # a GIMP palette holds one
    made = make_folders(args.out_dir) if args.out_dir else []
    try:
        check_outputs(outputs, paths, args.overwrite)
    except StreamprintError:  # refused: leave no trace, not even the folder
        remove_folders(made)
        raise
    try:
        return _palettes(args, paths, targets, (colors, space, seed), (bar, buffer, buffer_color, size))
    finally:
        if not getattr(args, "cards_written", None):  # every image failed, or an interrupt came first
            remove_folders(made)


def _one(path: str, target: str | None, fit: tuple[int, Space, int],
         look: tuple[float, float, tuple[int, int, int], int], args: argparse.Namespace) -> tuple[ImagePalette, tuple[int, ...] | None]:
    """One image's palette, and the (height, width) of its card when it has one (written to
    ``target``). Its decoded pixels live no longer than this: they were held while the next
    image was read."""
    from ..palette import card, extract_palette, load_image, read_image, save_card

    (colors, space, seed), (bar, buffer, buffer_color, size) = fit, look
    # The palette comes from the full-size decode, so it is the same with or without a card
    # and whatever the card's --size; the card shares it (a JPEG's is drafted from its source)
    decoded = read_image(_source(path), name=path)
    pal = extract_palette(decoded, colors, space, seed, name=path)
    if not target:
        return pal, None
    rgb, alpha, _ = load_image(decoded, size)
    del decoded  # (the card is drawn from its own copy: a full-size card held both)
    image = card(rgb, pal, bar, buffer, buffer_color, args.proportional, args.labels, alpha)
    save_card(target, image, overwrite=args.overwrite)
    return pal, image.shape


def _palettes(args: argparse.Namespace, paths: list[str], targets: dict[str, str | None],
              fit: tuple[int, Space, int], look: tuple[float, float, tuple[int, int, int], int]) -> int:
    """Each image's palette, printed, and its card; then the data file. ``fit``: colours,
    space, seed; ``look``: the card's bar, buffer, buffer colour and size (checked)."""
    from ..formats import palette_table, write_palettes

    out = args.card
    palettes = []
    written: list[tuple[str, int, int]] = []
    args.cards_written, args.data_written = written, False  # what an interrupt keeps (kept_on_interrupt)
    failed = 0
    unprinted: OSError | ValueError | None = None  # why standard output took no more
    for path in paths:
        target = targets[path]
        try:
            pal, shape = _one(path, target, fit, look, args)
            if shape is not None:
                written.append((str(target), shape[1], shape[0]))
        except StreamprintError as exc:
            if len(paths) == 1:
                raise
            error(str(exc))
            failed += 1
            continue
        palettes.append(pal)
        if unprinted is None:
            unprinted = _print(palette_table(pal))
    if args.data and palettes:
        write_palettes(palettes, args.data, overwrite=args.overwrite)
        args.data_written = True
    if unprinted is not None and not isinstance(unprinted, BrokenPipeError):  # (| head: no one to tell)
        files = " and ".join(what for what, n in (("the cards", written), ("the data file", args.data_written)) if n)
        error(f"standard output cannot be written ({getattr(unprinted, 'strerror', None) or unprinted}): "
              f"the palettes were not printed{f'; {files} were written' if files else ''}")
    if not args.quiet:
        data = args.data if args.data and palettes else None
        if len(written) == 1 and out:
            target, w, h = written[0]
            done(f"wrote {target}{f' and {data}' if data else ''}: {w}×{h}, {plural(len(palettes[0].colors), 'colour')}")
        elif written:
            done(f"wrote {plural(len(written), 'card')} in {args.out_dir}{f' and {data}' if data else ''}")
        elif data:
            done(f"wrote {data}: {plural(len(palettes), 'palette')}")
    return 1 if failed or unprinted is not None else 0


def _print(table: str) -> OSError | ValueError | None:
    """Print a palette's table on standard output; what stopped it, if it could not be
    written (a full disk, /dev/full, a reader gone): standard output is then left for
    /dev/null, and the run goes on writing its files. It stopped the run as "unexpected
    OSError (a bug in streamprint)", the other cards and the data file never made."""
    try:
        print(table, file=sys.stdout)
        if sys.stdout is not None:
            sys.stdout.flush()  # a failure is seen here, not at the interpreter's exit
    except (OSError, ValueError) as exc:  # ValueError: closed
        stdout_to_devnull()
        return exc
    return None
