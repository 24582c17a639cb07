"""Whether FFmpeg knows a demuxer option by name. ``avformat_open_input`` takes from its
options what the demuxer, the format context and the protocol know, and hands back the
rest; PyAV drops what is handed back (``av.open`` keeps no trace of it), so a misspelt key
(``video_sise``) did nothing, without a word. The names are asked of the FFmpeg that PyAV
loaded, through its C API (``av_opt_find`` over the format context's and the codec
context's classes and their children: every demuxer's, muxer's, protocol's and codec's own
options), as ffmpeg's command line asks before it says "Unrecognized option". A name known
to none of them can do nothing. Where those libraries cannot be found (an unusual build),
nothing is checked."""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

log = logging.getLogger("streamprint")

#: AV_OPT_SEARCH_CHILDREN | AV_OPT_SEARCH_FAKE_OBJ (libavutil/opt.h): search a class and
#: its children's classes, given a pointer to the class rather than an object.
_SEARCH = 1 | 2


def _loaded() -> dict[str, str]:
    """Paths of the libavutil, libavformat and libavcodec in this process, PyAV's own first:
    on Linux as mapped (the very ones loaded), else as PyAV's wheels ship them."""
    import av

    here = Path(av.__file__).resolve().parent
    found: dict[str, str] = {}
    candidates: list[str] = []
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
                candidates = [line.split(None, 5)[-1].strip() for line in maps if "/" in line]
        except OSError:
            pass
    for folder in (here.parent / "av.libs", here / ".dylibs"):  # (manylinux and Windows; macOS)
        if folder.is_dir():
            candidates += [str(p) for p in sorted(folder.iterdir())]
    # PyAV's own libraries before any other FFmpeg the process may hold
    candidates.sort(key=lambda p: not p.startswith(str(here.parent)))
    for path in candidates:
        name = os.path.basename(path).removeprefix("lib")
        for lib in ("avutil", "avformat", "avcodec"):
            if lib not in found and (name.startswith(lib + "-") or name.startswith(lib + ".")):
                found[lib] = path
    return found


@functools.cache
def _finder() -> Callable[[str], bool] | None:
    """``known(name)``: whether FFmpeg knows an option of that name; None when it cannot be
    asked."""
    try:
        libs = {lib: ctypes.CDLL(path) for lib, path in _loaded().items()}
        find = libs["avutil"].av_opt_find
        find.restype = ctypes.c_void_p
        find.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
        classes = []
        for lib in ("avformat", "avcodec"):
            get_class = getattr(libs[lib], f"{lib}_get_class")
            get_class.restype = ctypes.c_void_p
            classes.append(ctypes.c_void_p(get_class()))
    except (OSError, AttributeError, KeyError) as exc:
        log.debug("FFmpeg's option names cannot be looked up (%s): demuxer options are not checked", exc)
        return None

    def known(name: str) -> bool:
        key = name.encode("utf-8", "surrogateescape")
        return b"\0" not in key and any(find(ctypes.byref(c), key, None, 0, _SEARCH) for c in classes)

    return known


def unknown_options(names: Iterable[str]) -> list[str]:
    """Those of ``names`` FFmpeg knows as no option at all (none where it cannot be asked)."""
    known = _finder()
    return [] if known is None else [n for n in names if not known(n)]


def check_demuxer_options(options: Mapping[str, str] | None, name: str = "demuxer_options") -> None:
    """A key of ``options`` (checked text to text) that FFmpeg knows as no option is a
    ParameterError naming ``name`` and the key: FFmpeg would leave it unused, and nothing
    would say so."""
    from ..errors import ParameterError

    unknown = unknown_options(options or {})
    if len(unknown) == 1:
        raise ParameterError(name, f"key {unknown[0]!r} is not an option FFmpeg knows (a demuxer's, a protocol's or "
                                   "a decoder's): it would do nothing")
    if unknown:
        raise ParameterError(name, f"keys {', '.join(map(repr, unknown))} are not options FFmpeg knows (a demuxer's, "
                                   "a protocol's or a decoder's): they would do nothing")
