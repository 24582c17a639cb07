"""Fuzzing: mutated clips end in a result or one of streamprint's own exceptions.

Never a crash, a hang, or another exception type. Cases run in a worker process (so a
segfault or a hang is caught and attributed) with a timeout each. The number of cases is
STREAMPRINT_FUZZ_CASES (default 200); the seed is STREAMPRINT_FUZZ_SEED (default 0).
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from streamprint import synth

CASES = int(os.environ.get("STREAMPRINT_FUZZ_CASES", "200"))
SEED = int(os.environ.get("STREAMPRINT_FUZZ_SEED", "0"))
TIMEOUT = 20.0  # seconds per case; a clean case takes well under one

WORKER = textwrap.dedent("""
    import json, sys
    import streamprint
    from streamprint import Sampling, StreamprintError
    for line in sys.stdin:
        path = json.loads(line)
        try:
            fp = streamprint.fingerprint(path, sampling=Sampling.every(1), colors=4)
            result = {"outcome": "ok", "samples": len(fp)}
        except StreamprintError as exc:
            result = {"outcome": "error", "type": type(exc).__name__, "message": str(exc)}
        except BaseException as exc:
            result = {"outcome": "foreign", "type": type(exc).__name__, "message": repr(exc)[:300]}
        print(json.dumps(result), flush=True)
""")


sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from fuzz_cli import Worker as _Worker  # noqa: E402  (one harness for the suite and the benchmark)
from fuzz_cli import mutate  # noqa: E402


def Worker() -> _Worker:  # noqa: N802 - reads as the class it makes
    return _Worker(WORKER, TIMEOUT)


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """Small valid clips in three containers."""
    d = tmp_path_factory.mktemp("fuzz")
    segs = [synth.Segment(s.background, s.accent, 0.5) for s in synth.SAMPLE_SEGMENTS]
    paths = []
    for ext in ("mkv", "mp4", "ts"):
        p = d / f"seed.{ext}"
        synth.encode_clip(p, synth.segment_frames(segs, (96, 64)), encoding=synth.Encoding(crf=20))
        paths.append(p)
    return paths


def test_fuzz_mutated_clips(seeds, tmp_path):
    rng = np.random.default_rng(SEED)
    originals = [p.read_bytes() for p in seeds]
    worker = Worker()
    failures, outcomes = [], {}
    try:
        for case in range(CASES):
            which = case % len(seeds)
            kind, data = "mutated", mutate(originals[which], rng)
            path = tmp_path / f"case{case:04d}{seeds[which].suffix}"
            path.write_bytes(data)
            result = worker.run(str(path))
            if "hang" in result or "crash" in result:
                result = {"outcome": "hang" if "hang" in result else "crash", **result}
            key = result["outcome"] if result["outcome"] != "error" else result["type"]
            outcomes[key] = outcomes.get(key, 0) + 1
            if result["outcome"] in ("hang", "crash", "foreign"):
                failures.append((case, kind, seeds[which].suffix, result))
                worker = Worker() if result["outcome"] in ("hang", "crash") else worker
            else:
                path.unlink()
    finally:
        worker.close()
    print(f"fuzz: {CASES} cases, outcomes {outcomes}")
    assert not failures, f"{len(failures)} bad outcomes (kept in {tmp_path}): {failures[:5]}"
    assert outcomes.get("ok", 0) > CASES * 0.2, outcomes  # the mutations are not all fatal


CLI_CASES = int(os.environ.get("STREAMPRINT_FUZZ_CLI_CASES", "200"))


def test_fuzz_every_reader_through_the_cli(tmp_path):
    """benchmarks/fuzz_cli.py's harness on mutated movies, data files (JSON, CSV), manifests
    and checkpoints: every case ends in exit 0-3 with no traceback and no hang, writes only
    its output paths, and leaves its inputs unchanged."""
    import fuzz_cli

    report = fuzz_cli.run(CLI_CASES, SEED, tmp_path)
    assert not report["bad"], report["bad"][:5]
    for kind in fuzz_cli.KINDS:
        assert sum(report["exit_codes"][kind].values()) >= CLI_CASES // len(fuzz_cli.KINDS), report["exit_codes"]


def test_the_cli_fuzz_judges_what_it_claims():
    """The CLI fuzz's verdict on one case: a bug the command caught and reported in one line
    counts as much as a traceback; removing a file in the output folder is a write too."""
    from fuzz_cli import judge

    files = {"a.mkv.png": "1", "keep.txt": "2"}
    allowed = {"a.mkv.png"}
    ok = judge(1, "streamprint: error: d.csv: line 3: malformed row\n", files, files, files, files, allowed,
               {"in", "out"})
    assert ok == []
    bug = "streamprint: error: unexpected KeyError: 'x' (a bug in streamprint; -v shows where)\n"
    assert judge(1, bug, files, files, files, files, allowed, {"in", "out"}) == ["unexpected exception"]
    gone = {"a.mkv.png": "3"}
    assert judge(0, "", files, files, files, gone, allowed, {"in", "out"}) == ["wrote ['keep.txt']"]
    assert judge("hang", "", files, {}, files, files, allowed, {"in", "out", "x"}) == [
        "exit hang", "an input changed", "wrote outside its folders"]
