"""Palettes for design tools (--data .gpl, .ase, .css): pictures of known colours in known
proportions in, files read back here by parsers of their own, written from the formats'
published descriptions (not from streamprint's writer): GIMP's "GIMP Palette Format
Version 2" and its loader (app/core/gimppalette-load.c), the ASE layout as GIMP's
loader and Adobe's users describe it, and CSS Syntax's comments and identifiers.

Tolerances: the pictures' colours are flat, so every colour must come back exact (0 of
255); shares, of sampled pixels, within 2 points of the true proportions (a share is
written with one decimal); an ASE value times 255 within 1e-3 of the 8-bit level.
"""

from __future__ import annotations

import json
import os
import re
import struct
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from streamprint import extract_palette
from streamprint.errors import ForeignFileError, OutputReplacedError, ParameterError
from streamprint.formats import write_fingerprint, write_palettes
from streamprint.model import Fingerprint, ImagePalette, Options, Palette, Sample, Sampling, SourceInfo

from .conftest import run_cli

RED, BLUE, CREAM = (200, 30, 40), (20, 120, 221), (240, 241, 239)
#: Each picture: its colours, most frequent first, and their true shares.
PICTURES = {"three.png": ([RED, BLUE, CREAM], [0.5, 0.3, 0.2]),
            "other.png": ([CREAM, RED, BLUE], [0.6, 0.25, 0.15])}
SHARE_TOL = 0.02


def picture(path: Path, colors, shares, size=(200, 100)) -> Path:
    """Vertical stripes of ``colors``, as wide as their ``shares`` of ``size``."""
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    x = 0
    for c, s in zip(colors, shares):
        img[:, x:x + round(s * w)] = c
        x += round(s * w)
    Image.fromarray(img).save(path, format="PNG")  # (whatever its name ends in)
    return path


@pytest.fixture
def pictures(tmp_path: Path) -> dict[str, Path]:
    return {name: picture(tmp_path / name, *truth) for name, truth in PICTURES.items()}


# --- the formats, read as their descriptions say -------------------------------------------------

#: A GIMP colour line: three whole numbers separated by spaces or tabs (strtok " \t"),
#: then, after one separator, the colour's name to the end of the line.
_GPL_COLOR = re.compile(r"[ \t]*(\d+)[ \t]+(\d+)[ \t]+(\d+)(?:[ \t](.*))?")


def parse_gpl(data: bytes) -> dict:
    """A GIMP palette: lines ended by LF, the magic line, ``Name: `` (UTF-8), an optional
    ``Columns: `` 0-256, then comments (#) and colour lines. The comment right before a
    colour is kept with it (where streamprint writes the share)."""
    text = data.decode("utf-8")  # strict: the name MUST be UTF-8
    assert text.endswith("\n") and "\r" not in text
    lines = text[:-1].split("\n")
    assert lines[0] == "GIMP Palette"
    assert lines[1].startswith("Name: ")
    out = {"name": lines[1][len("Name: "):].strip(), "columns": None, "colors": []}
    body = lines[2:]
    if body and body[0].startswith("Columns: "):
        out["columns"] = int(body.pop(0)[len("Columns: "):])
        assert 0 <= out["columns"] <= 256
    comment = None
    for line in body:
        assert line, "an empty line: GIMP before 2.10.36 reads it as a colour"
        if line.startswith("#"):
            comment = line[1:].strip()
            continue
        m = _GPL_COLOR.fullmatch(line)
        assert m, line
        rgb = tuple(int(v) for v in m.groups()[:3])
        assert all(0 <= v <= 255 for v in rgb)
        out["colors"].append((rgb, m.group(4), comment))
        comment = None
    return out


def _ase_string(body: bytes) -> tuple[str, bytes]:
    """A name: its length in UTF-16 units (terminating NUL included), the UTF-16BE units."""
    (units,) = struct.unpack(">H", body[:2])
    raw = body[2:2 + 2 * units]
    assert len(raw) == 2 * units and raw[-2:] == b"\0\0"
    return raw[:-2].decode("utf-16-be"), body[2 + 2 * units:]  # strict: no lone surrogate


def parse_ase(data: bytes) -> list[tuple[str, list[tuple[str, tuple[float, float, float], int]]]]:
    """``ASEF``, version 1.0, the block count, then blocks (type u16, length u32, body):
    0xC001 a group's start (its name), 0x0001 a colour (name, model, floats, type u16:
    0 global, 1 spot, 2 normal), 0xC002 a group's end. Every colour here must be in a group."""
    assert data[:4] == b"ASEF"
    major, minor, count = struct.unpack(">HHI", data[4:12])
    assert (major, minor) == (1, 0)
    at, groups, group = 12, [], None
    for _ in range(count):
        kind, length = struct.unpack(">HI", data[at:at + 6])
        body = data[at + 6:at + 6 + length]
        assert len(body) == length
        at += 6 + length
        if kind == 0xC001:
            assert group is None
            name, rest = _ase_string(body)
            assert rest == b""
            group = (name, [])
        elif kind == 0x0001:
            assert group is not None
            name, rest = _ase_string(body)
            model, rest = rest[:4], rest[4:]
            assert model == b"RGB " and len(rest) == 3 * 4 + 2
            *values, kind_of_colour = struct.unpack(">fffH", rest)
            assert kind_of_colour in (0, 1, 2)
            group[1].append((name, tuple(values), kind_of_colour))
        else:
            assert kind == 0xC002 and length == 0 and group is not None
            groups.append(group)
            group = None
    assert group is None and at == len(data), "blocks left open, or bytes after the last block"
    return groups


#: CSS Syntax: an identifier's code points are ASCII letters, digits, _ and -, and any
#: code point from U+0080 on; a custom property's name begins with two dashes.
#: A custom property's name: "--", then ident code points (CSS Syntax Module Level 3, 4.2:
#: ASCII letters, digits, "_", "-", and the "non-ASCII ident code points" listed there).
_IDENT = (r"--[A-Za-z0-9_\-\u00b7\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u037d\u037f-\u1fff\u200c\u200d\u203f\u2040"
          r"\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U0010ffff]+")
_CSS_TOKEN = re.compile(rf"(?P<comment>/\*.*?\*/)|(?P<space>\s+)|(?P<decl>({_IDENT})\s*:\s*(#[0-9a-f]{{6}})\s*;)"
                        r"|(?P<open>:root\s*\{)|(?P<close>\})", re.DOTALL)


def parse_css(data: bytes) -> list[tuple[str | None, list[tuple[str, str, str]]]]:
    """The file as CSS reads it: ``@charset "UTF-8";`` first, then comments, whitespace and
    one ``:root`` block of custom properties, nothing else. Returns the blocks of
    declarations each comment of its own starts: (that comment, [(property, #hex, the
    comment after the declaration)])."""
    assert data.startswith(b'@charset "UTF-8";')
    text = data.decode("utf-8")[len('@charset "UTF-8";'):]
    assert not re.search(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         r"\ud800-\udfff]", text), "a control or bidi character in the file"
    tokens, at = [], 0
    while at < len(text):
        m = _CSS_TOKEN.match(text, at)
        assert m, f"not CSS here: {text[at:at + 40]!r}"
        if m.lastgroup != "space":
            tokens.append((m.lastgroup, m.group(m.lastgroup), m.groups()[3:5]))
        at = m.end()
    kinds = [k for k, _, _ in tokens]
    assert kinds.count("open") == 1 and kinds.count("close") == 1 and kinds[-1] == "close"
    blocks: list = []
    inside = False
    for i, (kind, text_of, (prop, hexcode)) in enumerate(tokens):
        if kind == "open":
            inside = True
        elif kind == "comment" and inside and (i == 0 or tokens[i - 1][0] != "decl"):
            blocks.append((text_of[2:-2].strip(), []))
        elif kind == "decl":
            assert inside and blocks
            after = tokens[i + 1]
            assert after[0] == "comment"
            blocks[-1][1].append((prop, hexcode, after[1][2:-2].strip()))
    return blocks


def share_of(comment: str) -> float:
    m = re.fullmatch(r"(\d+\.\d)%", comment)
    assert m, comment
    return float(m.group(1)) / 100


def exported(out: Path, *images: Path | str) -> bytes:
    """The file ``streamprint palette IMAGES --colors 3 --data OUT`` writes."""
    r = run_cli("palette", *images, "--colors", "3", "--data", out, "-q")
    assert r.returncode == 0, r.stderr
    return out.read_bytes()


def rgb_of(hexcode: str) -> tuple[int, int, int]:
    return tuple(int(hexcode[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def assert_known(colors: list[tuple[int, int, int]], shares: list[float], name: str) -> None:
    truth_colors, truth_shares = PICTURES[name]
    assert colors == truth_colors  # exact, most frequent first
    assert shares == sorted(shares, reverse=True)
    assert np.allclose(shares, truth_shares, atol=SHARE_TOL), (shares, truth_shares)


# --- a picture's palette, through the command ----------------------------------------------------

def test_a_gimp_palette_of_a_picture_of_known_colours(pictures, tmp_path):
    gpl = parse_gpl(exported(tmp_path / "three.gpl", pictures["three.png"]))
    assert gpl["name"] == "three.png" and gpl["columns"] == 3
    assert [n for _, n, _ in gpl["colors"]] == ["three.png 1", "three.png 2", "three.png 3"]
    assert_known([c for c, _, _ in gpl["colors"]], [share_of(s) for _, _, s in gpl["colors"]], "three.png")


def test_an_ase_file_has_a_group_per_picture(pictures, tmp_path):
    groups = parse_ase(exported(tmp_path / "all.ase", pictures["three.png"], pictures["other.png"]))
    assert [g for g, _ in groups] == ["three.png", "other.png"]
    for group, entries in groups:
        assert [n for n, _, _ in entries] == [f"{group} {i}" for i in (1, 2, 3)]
        levels = np.array([v for _, v, _ in entries]) * 255
        assert np.abs(levels - np.round(levels)).max() < 1e-3  # an 8-bit level, not cut short
        assert [tuple(int(v) for v in row) for row in np.round(levels)] == PICTURES[group][0]


def test_css_custom_properties_with_their_shares(pictures, tmp_path):
    blocks = parse_css(exported(tmp_path / "all.css", pictures["three.png"], pictures["other.png"]))
    assert [b for b, _ in blocks] == ["three.png", "other.png"]
    for (name, decls), stem in zip(blocks, ["--three-png", "--other-png"]):
        assert [p for p, _, _ in decls] == [f"{stem}-{i}" for i in (1, 2, 3)]
        assert_known([rgb_of(h) for _, h, _ in decls], [share_of(s) for _, _, s in decls], name)


def test_several_pictures_to_one_gimp_palette_are_refused_before_any_is_read(pictures, tmp_path):
    out = tmp_path / "two.gpl"
    r = run_cli("palette", pictures["three.png"], tmp_path / "missing.png", "--data", out)
    assert r.returncode == 2
    assert r.stderr.decode().count("\n") == 1 and "GIMP palette holds one palette" in r.stderr.decode()
    assert b"missing.png" not in r.stderr and not out.exists() and not r.stdout  # no image was read


def test_streamprint_replaces_its_own_text_swatch_files_and_no_one_elses(pictures, tmp_path):
    pal = [extract_palette(pictures["three.png"], 3)]
    foreign = {".gpl": b"GIMP Palette\nName: mine\nColumns: 1\n# by hand\n1 2 3\tmine\n",
               ".css": b'@charset "UTF-8";\n/* mine */\n:root { --mine: #010203; }\n'}
    added = {".gpl": b"# mine\n1 2 3\tmine\n", ".css": b"\n.hero { color: var(--three-png-3); }\n"}
    for ext, theirs in foreign.items():
        ours = tmp_path / f"ours{ext}"
        write_palettes(pal, ours)
        before = ours.read_bytes()
        write_palettes(pal, ours)  # streamprint's own, as it wrote it: replaced without being told
        assert ours.read_bytes() == before
        mine = tmp_path / f"mine{ext}"
        mine.write_bytes(theirs)
        # streamprint's, then added to by the user (a rule, a colour): the user's now
        edited = tmp_path / f"edited{ext}"
        edited.write_bytes(before + added[ext])
        for path, why in ((mine, "was not written by streamprint"), (edited, "was changed since")):
            kept = path.read_bytes()
            with pytest.raises(ForeignFileError, match=why):
                write_palettes(pal, path)
            assert path.read_bytes() == kept
            write_palettes(pal, path, overwrite=True)
            assert path.read_bytes() == before


def ase_of(groups: dict[str, list[tuple[str, tuple[int, int, int]]]]) -> bytes:
    """An ASE file written here, by the published block layout: one group per key, its
    colours named as given, RGB, type normal (2)."""
    def name(text: str) -> bytes:
        units = (text + "\0").encode("utf-16-be")
        return struct.pack(">H", len(units) // 2) + units

    blocks = []
    for group, colors in groups.items():
        blocks.append(struct.pack(">HI", 0xC001, len(name(group))) + name(group))
        for label, rgb in colors:
            body = name(label) + b"RGB " + struct.pack(">fffH", *(v / 255 for v in rgb), 2)
            blocks.append(struct.pack(">HI", 1, len(body)) + body)
        blocks.append(struct.pack(">HI", 0xC002, 0))
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)


def test_an_existing_ase_file_is_replaced_only_when_told(pictures, tmp_path):
    """ASE has no room for a mark, so no existing ASE file is taken for streamprint's: a
    user's brand palette named as streamprint names its colours ("Brand 1", "Brand 2") was
    replaced without --overwrite."""
    brand = ase_of({"Brand": [("Brand 1", (0, 51, 153)), ("Brand 2", (255, 204, 0))]})
    assert parse_ase(brand)  # (a valid ASE file)
    mine = tmp_path / "brand.ase"
    mine.write_bytes(brand)
    r = run_cli("palette", pictures["three.png"], "--colors", "3", "--data", mine, "-q")
    assert r.returncode == 2 and mine.read_bytes() == brand
    assert b"ASE" in r.stderr and b"--overwrite" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    pal = [extract_palette(pictures["three.png"], 3)]
    ours = tmp_path / "ours.ase"
    write_palettes(pal, ours)
    with pytest.raises(ForeignFileError, match="ASE"):  # streamprint's own too: it cannot be told
        write_palettes(pal, ours)
    write_palettes(pal, mine, overwrite=True)
    assert mine.read_bytes() == ours.read_bytes()


def test_a_live_run_rewrites_its_own_ase_file_at_every_flush(tmp_path):
    from streamprint.model import RenderOptions
    from streamprint.outputs import RunOutputs

    fp = known_movie()
    outputs = RunOutputs(tmp_path / "x.png", RenderOptions(height=20), tmp_path / "x.ase", live=True)
    for _ in range(3):
        outputs.flush(fp)
    outputs.write(fp)
    [(group, entries)] = parse_ase((tmp_path / "x.ase").read_bytes())
    assert group == "x.mkv" and len(entries) == 4
    (tmp_path / "y.ase").write_bytes(ase_of({"mine": [("mine 1", (1, 2, 3))]}))
    with pytest.raises(ForeignFileError):  # a new run's first write checks, as ever
        RunOutputs(tmp_path / "y.png", RenderOptions(height=20), tmp_path / "y.ase", live=True).flush(fp)


def test_a_file_put_in_place_of_a_live_runs_output_is_still_refused(tmp_path):
    """The review: once a run had written, its later flushes replaced whatever stood at its
    outputs' paths, a user's file too. Only the file it wrote, unchanged, is its own."""
    from streamprint.model import RenderOptions
    from streamprint.outputs import RunOutputs

    fp = known_movie()
    for data in ("x.css", "x.ase"):
        outputs = RunOutputs(tmp_path / "x.png", RenderOptions(height=20), tmp_path / data, live=True)
        outputs.flush(fp)
        theirs = b'@charset "UTF-8";\n:root { --mine: #010203; }\n' if data == "x.css" else \
            ase_of({"mine": [("mine 1", (1, 2, 3))]})
        (tmp_path / data).write_bytes(theirs)
        with pytest.raises(OutputReplacedError):  # (an output error: the run ends, exit 1)
            outputs.flush(fp)
        assert (tmp_path / data).read_bytes() == theirs
        (tmp_path / data).unlink()
        Image.new("RGB", (4, 4)).save(tmp_path / "x.png")  # the picture too (no mark)
        mine = (tmp_path / "x.png").read_bytes()
        with pytest.raises(OutputReplacedError):
            outputs.flush(fp)
        assert (tmp_path / "x.png").read_bytes() == mine
        (tmp_path / "x.png").unlink()


# --- names no file can be broken by -------------------------------------------------------------

#: (A file's name cannot hold "/", so neither "*/" nor "/*": a name ending in "*" is as near
#: as one comes to ending a CSS comment.)
HOSTILE = ['say "cheese".png', "it's } :root { --x: red; } *", "two\nlines.png", "\u202egnp.evil.png",
           os.fsdecode(b"caf\xe9.png"), "夕焼け.png", "tab\there.png", "-- 1.png", "µ ½ ² ª.png", "  .png",
           "\u2066isolate\u2069.png"]


#: Unicode's Bidi_Control characters (PropList.txt).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def test_hostile_file_names_give_valid_files(tmp_path):
    names = []
    for i, name in enumerate(HOSTILE):
        path = tmp_path / name
        picture(path, *PICTURES["three.png"])
        names.append(str(path))
    blocks = parse_css(exported(tmp_path / "hostile.css", *names))
    assert len(blocks) == len(HOSTILE)
    props = [p for _, decls in blocks for p, _, _ in decls]
    assert len(set(props)) == 3 * len(HOSTILE)  # each picture its own names
    assert "--夕焼け-png-1" in props
    for (comment, decls), name in zip(blocks, HOSTILE):
        assert_known([rgb_of(h) for _, h, _ in decls],
                     [share_of(s) for _, _, s in decls], "three.png")
        assert len(comment) == len(name.strip())  # one character for each of the name's, kept or U+FFFD

    groups = parse_ase(exported(tmp_path / "hostile.ase", *names))
    assert len(groups) == len(HOSTILE)
    for (group, entries), name in zip(groups, HOSTILE):
        assert not any(unicodedata.category(c) in ("Cc", "Cs") or c in BIDI_CONTROLS for c in group), group
        assert len(group) == len(name.strip()) and [n for n, _, _ in entries] == [f"{group} {i}" for i in (1, 2, 3)]
    assert [g for g, _ in groups][2] == "two\ufffdlines.png" and [g for g, _ in groups][4] == "caf\ufffd.png"
    assert [g for g, _ in groups][5] == "夕焼け.png" and [g for g, _ in groups][0] == 'say "cheese".png'

    for i, name in enumerate(names):
        gpl = parse_gpl(exported(tmp_path / f"h{i}.gpl", name))
        assert len(gpl["colors"]) == 3 and len(gpl["name"]) == len(HOSTILE[i].strip())
        assert not any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in gpl["name"])
        assert [n for _, n, _ in gpl["colors"]] == [f"{gpl['name']} {k}" for k in (1, 2, 3)]


# --- a movie's own palette ------------------------------------------------------------------------

WHITE, GREEN = (250, 250, 250), (40, 150, 70)


def known_movie() -> Fingerprint:
    """Red for 6 s, blue and white (3:1) for 2 s, green for 2 s: its palette by time on
    screen is red 60 %, green 20 %, blue 15 %, white 5 %."""
    info = SourceInfo("films/x.mkv", "matroska", "h264", 64, 36, 64, 25.0, 10.0, None, None, None, None, None)
    parts = [(0.0, [(RED, 1.0)]), (6.0, [(BLUE, 0.75), (WHITE, 0.25)]), (8.0, [(GREEN, 1.0)])]
    samples = tuple(Sample(i, t, Palette(np.array([c for c, _ in p], np.uint8), np.array([w for _, w in p])))
                    for i, (t, p) in enumerate(parts))
    return Fingerprint(info, Options(sampling=Sampling.interval(1.0), colors=5), samples)


def test_a_movie_is_exported_as_its_own_palette(tmp_path):
    truth = [(RED, 0.6), (GREEN, 0.2), (BLUE, 0.15), (WHITE, 0.05)]
    fp = known_movie()
    for ext in (".gpl", ".ase", ".css"):
        write_fingerprint(fp, tmp_path / f"x{ext}")
    gpl = parse_gpl((tmp_path / "x.gpl").read_bytes())
    assert gpl["name"] == "x.mkv"
    assert [(c, share_of(s)) for c, _, s in gpl["colors"]] == truth
    [(group, entries)] = parse_ase((tmp_path / "x.ase").read_bytes())
    assert group == "x.mkv" and [tuple(round(v * 255) for v in e[1]) for e in entries] == [c for c, _ in truth]
    [(comment, decls)] = parse_css((tmp_path / "x.css").read_bytes())
    assert comment == "x.mkv" and [(p, h, share_of(s)) for p, h, s in decls] == [
        (f"--x-mkv-{i}", "#{:02x}{:02x}{:02x}".format(*c), w) for i, (c, w) in enumerate(truth, start=1)]


def test_the_fingerprint_command_exports_the_movie_palette_its_json_has(tmp_path):
    movie = Path(__file__).parent.parent / "sample_media" / "sample.mp4"
    r = run_cli(movie, tmp_path / "s.png", "--samples", "10", "--data", tmp_path / "s.json", "-q")
    assert r.returncode == 0, r.stderr
    r = run_cli(movie, tmp_path / "s2.png", "--samples", "10", "--data", tmp_path / "s.ase", "-q")
    assert r.returncode == 0, r.stderr
    truth = json.loads((tmp_path / "s.json").read_text())["movie_palette"]
    [(group, entries)] = parse_ase((tmp_path / "s.ase").read_bytes())
    assert group == "sample.mp4" and len(entries) == len(truth["colors"]) >= 3
    assert ["#{:02x}{:02x}{:02x}".format(*(round(v * 255) for v in e[1])) for e in entries] == truth["colors"]


def test_thumbnails_with_a_palette_for_design_tools_are_a_usage_error(tmp_path):
    movie = Path(__file__).parent.parent / "sample_media" / "sample.mp4"
    r = run_cli(movie, tmp_path / "s.png", "--data", tmp_path / "s.gpl", "--thumbnails")
    assert r.returncode == 2 and b"--thumbnails" in r.stderr and not (tmp_path / "s.png").exists()


def test_the_library_refuses_several_palettes_as_one_gimp_palette(tmp_path):
    pal = ImagePalette("a.png", Palette(np.array([RED], np.uint8), np.array([1.0])), 1, 1)
    with pytest.raises(ParameterError, match="GIMP palette holds one"):
        write_palettes([pal, pal], tmp_path / "two.gpl")
    assert not (tmp_path / "two.gpl").exists()


def test_pictures_of_one_name_get_css_properties_of_their_own(tmp_path):
    def pal(path: str, color: tuple[int, int, int]) -> ImagePalette:
        return ImagePalette(path, Palette(np.array([color, CREAM], np.uint8), np.array([0.7, 0.3])), 1, 1)

    write_palettes([pal("a/p.png", RED), pal("b/p.png", BLUE), pal("P.png", GREEN), pal("p-png-2", WHITE)],
                   tmp_path / "p.css")
    blocks = parse_css((tmp_path / "p.css").read_bytes())
    assert [(c, [(p, h) for p, h, _ in d]) for c, d in blocks] == [
        ("p.png", [("--p-png-1", "#c81e28"), ("--p-png-2", "#f0f1ef")]),
        ("p.png", [("--p-png-2-1", "#1478dd"), ("--p-png-2-2", "#f0f1ef")]),
        ("P.png", [("--p-png-3-1", "#289646"), ("--p-png-3-2", "#f0f1ef")]),
        ("p-png-2", [("--p-png-2-2-1", "#fafafa"), ("--p-png-2-2-2", "#f0f1ef")])]


def test_an_image_from_standard_input_is_named_stdin(tmp_path):
    png = picture(tmp_path / "in.png", *PICTURES["three.png"]).read_bytes()
    r = run_cli("palette", "-", "--colors", "3", "--data", tmp_path / "in.gpl", "-q", input=png)
    assert r.returncode == 0, r.stderr
    gpl = parse_gpl((tmp_path / "in.gpl").read_bytes())
    assert gpl["name"] == "stdin" and [n for _, n, _ in gpl["colors"]] == ["stdin 1", "stdin 2", "stdin 3"]


def test_names_keep_what_is_no_danger_and_lose_what_is():
    """Bidirectional controls (Unicode's Bidi_Control) and controls become U+FFFD; the
    joiners Persian words and emoji are written with, and soft hyphens, stay; the spaces
    around a name go, as GIMP strips them."""
    from streamprint.formats.swatches import label

    assert label("/films/نیم‌فاصله.png") == \
        "نیم‌فاصله.png"
    assert label("caf­eteria 👨‍👩.png") == "caf­eteria 👨‍👩.png"
    for bidi in "؜‎‏‪‫‬‭‮⁦⁧⁨⁩":
        assert label(f"a{bidi}b.png") == "a�b.png"
    assert label("  x  .png  ") == "x  .png" and label("   ") == "palette"


def test_standard_input_is_named_stdin_for_a_movie_too(segments_mkv, tmp_path):
    r = run_cli("-", tmp_path / "s.png", "--samples", "5", "--data", tmp_path / "s.gpl", "-q",
                input=segments_mkv.read_bytes())
    assert r.returncode == 0, r.stderr
    assert parse_gpl((tmp_path / "s.gpl").read_bytes())["name"] == "stdin"


def test_a_palette_for_design_tools_given_to_render_or_read_says_what_to_give_instead(tmp_path):
    """`render m.gpl out.png` said "--data m.gpl: the extension must say the data format",
    naming a flag render does not have; these files hold a palette alone."""
    from streamprint.formats import read_fingerprint, read_palettes

    fp = known_movie()
    write_fingerprint(fp, tmp_path / "m.gpl")
    r = run_cli("render", tmp_path / "m.gpl", tmp_path / "o.png")
    err = r.stderr.decode()
    assert r.returncode == 2 and err.count("\n") == 1, err
    assert "DATA" in err and "--data m" not in err and ".json or .csv" in err and "palette" in err, err
    assert not (tmp_path / "o.png").exists()
    with pytest.raises(ParameterError, match=r"\.json or \.csv"):
        read_fingerprint(tmp_path / "m.gpl")
    write_palettes([ImagePalette("a.png", fp.movie_palette, 1, 1)], tmp_path / "p.css")
    with pytest.raises(ParameterError, match=r"\.json or \.tsv"):
        read_palettes(tmp_path / "p.css")


def test_an_ase_file_given_to_a_reader_gets_the_message_gpl_and_css_get(tmp_path):
    """Fingerprint.load("m.ase") and read_palettes("p.ase") said "not a text file (invalid
    start byte)", where .gpl and .css say what the file is and what to give instead: the
    extension is looked at before the file is read, for ASE too."""
    from streamprint import Fingerprint
    from streamprint.formats import read_fingerprint, read_palettes

    fp = known_movie()
    write_fingerprint(fp, tmp_path / "m.ase")
    write_palettes([ImagePalette("a.png", fp.movie_palette, 1, 1)], tmp_path / "p.ase")
    for read, path, instead in ((read_fingerprint, "m.ase", r"\.json or \.csv"), (Fingerprint.load, "m.ase", r"\.json or \.csv"),
                                (read_palettes, "p.ase", r"\.json or \.tsv"), (read_palettes, "m.ase", r"\.json or \.tsv")):
        with pytest.raises(ParameterError, match=r"a \.ase file holds a palette for design tools alone.*" + instead):
            read(tmp_path / path)


def test_a_name_holding_a_seal_does_not_pass_for_the_mark(tmp_path):
    """The review: a picture named "x (sha256 <32 hex>).png" put a seal on the GIMP
    palette's Name line, before the mark's, so the file was not known for streamprint's own
    at the next run."""
    name = tmp_path / "x (sha256 0123456789abcdef0123456789abcdef).png"
    picture(name, *PICTURES["three.png"])
    for _ in range(2):  # the second run replaces the first's file, untold
        r = run_cli("palette", name, "--colors", "3", "--data", tmp_path / "n.gpl", "-q")
        assert r.returncode == 0, r.stderr


def test_a_changed_swatch_file_is_said_to_be_changed(pictures, tmp_path):
    pal = [extract_palette(pictures["three.png"], 3)]
    write_palettes(pal, tmp_path / "p.css")
    with open(tmp_path / "p.css", "ab") as f:
        f.write(b".hero { color: red; }\n")
    with pytest.raises(ForeignFileError, match="was changed since streamprint wrote it"):
        write_palettes(pal, tmp_path / "p.css")


def test_a_wrong_extension_given_to_read_lists_only_what_is_read(tmp_path):
    r = run_cli("render", tmp_path / "movie.txt", tmp_path / "o.png")
    err = r.stderr.decode()
    assert r.returncode == 2 and err.rstrip().endswith("see streamprint render --help"), err
    assert ".json, .csv;" in err and ".gpl" not in err, err


def test_parameter_errors_cross_processes_whole():
    import pickle

    for error in (ParameterError("colors", "must be 1-64"), ForeignFileError("data", "/x/p.ase", "is odd")):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and vars(back) == vars(error)
