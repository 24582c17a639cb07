"""Streamprint's own bookkeeping files, a batch's manifest and the gallery's cache, under one
rule (:func:`streamprint.marks.bookkeeping_refused`): whatever stands in their place that is
not theirs (a file of the user's, a link to one, a FIFO, a folder, another file of
streamprint's) is never replaced nor read; an empty file is; and a damaged one of their own
is what each one's reader says: the cache is rebuilt, the manifest stops the batch (its
records would be lost) until ``rebuild_manifest`` is asked for."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from streamprint import DataFormatError, Options, Sampling, synth
from streamprint.batch import run_batch
from streamprint.batch.executors import Serial
from streamprint.enums import Status
from streamprint.errors import OutputError
from streamprint.formats import read_gallery_cache, read_manifest, write_fingerprint, write_gallery_cache, \
    write_manifest
from streamprint.formats.gallery import FORMAT_NAME as CACHE_FORMAT
from streamprint.formats.manifest import FORMAT_NAME as MANIFEST_FORMAT, BrokenManifest
from streamprint.marks import bookkeeping_refused
from streamprint.reserved import CACHE, MANIFEST
from streamprint.render.gallery import write_gallery

OPTIONS = Options(sampling=Sampling.interval(0.25))
#: What may stand where a bookkeeping file goes, none of it streamprint's to replace.
FOREIGN = ["text", "json", "link", "fifo", "folder", "fingerprint", "other"]
#: A file of streamprint's of this kind, cut short as a copy or a disk may leave it.
DAMAGED = {CACHE: '{"format": "streamprint-gallery-cache", "version": 1, "entr',
           MANIFEST: '{"format": "streamprint-manifest", "version": 1, "entries": {"a.mkv": 5}}'}


def put(kind: str, path: Path, elsewhere: Path) -> Callable[[], bool]:
    """Put ``kind`` at ``path`` (``elsewhere``: a folder outside); returns a check that it is
    there as it was put."""
    if kind in ("text", "json"):
        text = "my notes\n" if kind == "text" else '{"entries": {"a.mkv": 5}}'
        path.write_text(text)
        return lambda: path.read_text() == text
    if kind == "link":  # to a file of the user's, outside the folder
        victim = elsewhere / "victim.txt"
        victim.write_text("precious")
        path.symlink_to(victim)
        return lambda: path.is_symlink() and victim.read_text() == "precious"
    if kind == "fifo":
        os.mkfifo(path)
        return lambda: stat.S_ISFIFO(path.lstat().st_mode)
    if kind == "folder":
        path.mkdir()
        (path / "kept").write_text("x")
        return lambda: (path / "kept").read_text() == "x"
    if kind == "fingerprint":  # a data file of the user's, an output of streamprint's
        write_fingerprint(synth.known_fingerprint("x", [synth.Segment((9, 9, 9), (9, 9, 9), 1.0)]), path)
    else:  # the other bookkeeping file: a manifest where the cache goes, and the other way round
        (write_manifest if path.name == CACHE else write_gallery_cache)({}, path)
    data = path.read_bytes()
    return lambda: path.read_bytes() == data


@pytest.mark.parametrize("name, format_name", [(CACHE, CACHE_FORMAT), (MANIFEST, MANIFEST_FORMAT)])
def test_one_rule_says_what_may_stand_where_a_bookkeeping_file_goes(tmp_path, name, format_name):
    path = tmp_path / name
    assert bookkeeping_refused(path, format_name) is None  # none there
    for kind, why in (("text", "was not written by streamprint"), ("json", "was not written by streamprint"),
                      ("link", "was not written by streamprint"), ("fifo", "not a regular file"),
                      ("folder", "is a directory"), ("fingerprint", "is streamprint's fingerprint file, not its"),
                      ("other", "file, not its")):
        where = tmp_path / kind
        where.mkdir()
        put(kind, where / name, where)
        assert why in (bookkeeping_refused(where / name, format_name) or ""), kind
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / name).write_bytes(b"")
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / name).symlink_to(tmp_path / "loop" / name)
    (tmp_path / "dangling").mkdir()
    (tmp_path / "dangling" / name).symlink_to(tmp_path / "nowhere.json")
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / name).write_text(DAMAGED[name])
    assert bookkeeping_refused(tmp_path / "empty" / name, format_name) is None
    assert bookkeeping_refused(tmp_path / "dangling" / name, format_name) is None  # written where it leads
    assert bookkeeping_refused(tmp_path / "damaged" / name, format_name) is None  # its reader's to say
    assert "cannot be read" in bookkeeping_refused(tmp_path / "loop" / name, format_name)


def test_a_manifest_of_streamprint_0_1_which_named_no_format_is_its_own(tmp_path):
    path = tmp_path / MANIFEST
    path.write_text('{\n "version": 1,\n "entries": {}\n}\n')  # as 0.1 wrote an empty one
    assert bookkeeping_refused(path, MANIFEST_FORMAT) is None
    assert read_manifest(path) == {}


@pytest.fixture
def folder(tmp_path):
    """A folder of two data files (a gallery of them needs no decoding), and a library of one
    file that is not a movie (a batch over it needs none either)."""
    out = tmp_path / "out"
    for name, color in (("a", (200, 30, 30)), ("b", (30, 60, 160))):
        out.mkdir(exist_ok=True)
        write_fingerprint(synth.known_fingerprint(name, [synth.Segment(color, (0, 0, 0), 8.0)]), out / f"{name}.json")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "notes.txt").write_text("not a movie")
    (tmp_path / "elsewhere").mkdir()
    return out


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("kind", FOREIGN)
def test_the_gallerys_cache_never_replaces_what_is_not_its_own(folder, kind, caplog):
    """The gallery is written as it is without the file there, which is left as it was."""
    write_gallery(folder)
    good = (folder / "index.html").read_bytes()
    (folder / "index.html").unlink()
    (folder / CACHE).unlink()
    intact = put(kind, folder / CACHE, folder.parent / "elsewhere")
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert write_gallery(folder) == 2
    assert intact() and (folder / "index.html").read_bytes() == good
    said = warnings(caplog)
    assert len(said) == 1 and "cache was not saved" in said[0], said


@pytest.mark.parametrize("kind", FOREIGN)
def test_the_manifest_never_replaces_what_is_not_its_own(folder, kind):
    """A file of the user's (a link to one, ...) where the manifest goes stopped the batch as
    a broken manifest, whose way out, ``rebuild_manifest``, wrote over it (through the link,
    over the FIFO, over the fingerprint data). Now both runs stop before any work, saying to
    move it away, and it is as it was."""
    intact = put(kind, folder / MANIFEST, folder.parent / "elsewhere")
    for rebuild in (False, True):
        with pytest.raises(OutputError, match="move it away") as info:
            run_batch(folder.parent / "lib", folder, OPTIONS, executor=Serial(), rebuild_manifest=rebuild)
        assert not isinstance(info.value, BrokenManifest) and "rebuild" not in str(info.value)
        assert intact(), rebuild


def test_an_empty_cache_and_an_empty_manifest_are_replaced_with_a_warning(folder, caplog):
    """Empty, they hold nothing of anyone's (``touch``, a copy cut short): the empty manifest
    stopped the batch as broken, though rebuilding it loses nothing; now the batch goes on,
    finds what is finished, and writes both."""
    (folder / CACHE).write_bytes(b"")
    (folder / MANIFEST).write_bytes(b"")
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        summary = run_batch(folder.parent / "lib", folder, OPTIONS, executor=Serial())
    assert summary.not_video == 1 and summary.gallery == 2
    said = warnings(caplog)
    assert [s for s in said if MANIFEST in s] == [f"{folder / MANIFEST} is empty: it holds no records, and is "
                                                  "written anew"], said
    assert len([s for s in said if "gallery cache unusable" in s]) == 1 and len(said) == 2, said
    assert set(read_gallery_cache(folder / CACHE)) == {"a.json", "b.json"}
    assert read_manifest(folder / MANIFEST)["notes.txt"].status == Status.NOT_VIDEO


def test_a_damaged_cache_is_rebuilt_and_a_damaged_manifest_kept_until_asked(folder, caplog):
    """Streamprint's own, damaged: the cache only spares reading data files, so it is
    rebuilt; the manifest holds records nothing else has (failures, options), so the batch
    stops, names the way out and leaves the file as it is, and ``rebuild_manifest``
    replaces it."""
    (folder / CACHE).write_text(DAMAGED[CACHE])
    (folder / MANIFEST).write_text(DAMAGED[MANIFEST])
    with caplog.at_level(logging.WARNING, logger="streamprint"):
        assert write_gallery(folder) == 2
    assert len(warnings(caplog)) == 1 and "gallery cache unusable" in warnings(caplog)[0]
    assert set(read_gallery_cache(folder / CACHE)) == {"a.json", "b.json"}
    with pytest.raises(DataFormatError, match="rebuild_manifest"):
        run_batch(folder.parent / "lib", folder, OPTIONS, executor=Serial())
    assert (folder / MANIFEST).read_text() == DAMAGED[MANIFEST]
    run_batch(folder.parent / "lib", folder, OPTIONS, executor=Serial(), rebuild_manifest=True)
    assert read_manifest(folder / MANIFEST)["notes.txt"].status == Status.NOT_VIDEO


def test_a_manifest_whose_keys_a_tool_reordered_is_still_its_own(folder):
    """``jq -S`` (or any tool that sorts keys) puts "entries" before "format": the sniff of
    the file's head finds no format there, and the manifest was taken for a file of the
    user's, the batch stopped until it was moved away. The whole object is read then."""
    import json

    run_batch(folder.parent / "lib", folder, OPTIONS, executor=Serial())
    path = folder / MANIFEST
    records = read_manifest(path)
    path.write_text(json.dumps(json.loads(path.read_text()), sort_keys=True, indent=2))
    assert path.read_text().lstrip("{ \n").startswith('"entries"')
    assert bookkeeping_refused(path, MANIFEST_FORMAT) is None
    assert read_manifest(path) == records
    run_batch(folder.parent / "lib", folder, OPTIONS, executor=Serial())  # no "move it away"
    # an object naming another of streamprint's formats, wherever it names it, is not the manifest
    path.write_text(json.dumps({"entries": {}, "format": CACHE_FORMAT, "version": 1}))
    assert "not its manifest" in bookkeeping_refused(path, MANIFEST_FORMAT)
