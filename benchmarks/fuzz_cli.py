"""Fuzz the command line with mutated inputs of every kind streamprint reads: movies, data
files (JSON and CSV, with thumbnails, through ``render`` to a strip or a page), batch
manifests and checkpoints (through ``batch``), and a gallery's cache (through ``gallery``).
Every case must end in an exit code of 0-3, with no traceback (nor an unexpected exception
the command caught and reported as a bug), no hang, no file created, changed or removed
outside its output paths, and its inputs (and the shared seed files) unchanged.

    python benchmarks/fuzz_cli.py --cases 2000 --json benchmarks/results/fuzz.json

Each case runs the real ``main()`` in a worker process (so a crash or a hang is caught and
attributed) with a time limit. tests/test_fuzz.py runs 200 cases of the same harness.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import select
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamprint import synth  # noqa: E402

KINDS = ("movie", "data-json", "data-csv", "manifest", "checkpoint", "gallery")
#: What a batch writes in its output folder besides the manifest and checkpoints.
BATCH_OUTPUTS = {"a.mkv.png", "a.mkv.json", "a.mkv.html", "index.html", ".streamprint-gallery.json"}
TIMEOUT = 30.0  # seconds per case

WORKER = textwrap.dedent("""
    import contextlib, io, json, os, sys
    from streamprint._cli.dispatch import main
    from streamprint import interrupt
    for line in sys.stdin:
        case = json.loads(line)
        err, out = io.StringIO(), io.StringIO()
        os.chdir(case["cwd"])
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                code = main(case["argv"])
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
            except BaseException as exc:
                code, err = -1, io.StringIO(err.getvalue() + "Traceback: " + repr(exc))
        interrupt.clear()
        print(json.dumps({"code": code, "stderr": err.getvalue()[-2000:]}), flush=True)
""")


def mutate(data: bytes, rng: np.random.Generator, text: bool = False) -> bytes:
    """One random mutation: bit flips, truncation, spliced noise, zeroed or duplicated runs,
    a damaged header; for text formats also swapped JSON tokens."""
    b = bytearray(data)
    n = max(1, len(b))
    kinds = ["flip", "truncate", "splice", "zero", "duplicate", "header"] + (["token"] * 4 if text else [])
    kind = rng.choice(kinds)
    if kind == "flip":
        for i in rng.integers(0, n, int(rng.integers(1, 64))):
            if i < len(b):
                b[i] ^= int(rng.integers(1, 256))
    elif kind == "truncate":
        b = b[: int(rng.integers(0, n))]
    elif kind == "splice":
        at = int(rng.integers(0, n))
        b[at:at] = rng.integers(0, 256, int(rng.integers(1, 4096)), dtype=np.uint8).tobytes()
    elif kind == "zero":
        at = int(rng.integers(0, n))
        k = int(rng.integers(1, 2048))
        b[at:at + k] = bytes(len(b[at:at + k]))
    elif kind == "duplicate":
        a = int(rng.integers(0, n))
        chunk = b[a:a + int(rng.integers(1, 8192))]
        at = int(rng.integers(0, n))
        b[at:at] = chunk
    elif kind == "header":
        for i in rng.integers(0, min(n, 1024), int(rng.integers(1, 16))):
            if i < len(b):
                b[i] = int(rng.integers(0, 256))
    else:
        tokens = [b"null", b"[]", b"{}", b"-1", b"1e999", b'"x"', b"true", b"0", b"NaN", b"-0.0", b"2.5",
                  b'"#zzzzzz"', b"99999999999999999999", b'[1, 2]', b'"keyframes"', b'"every"']
        for _ in range(int(rng.integers(1, 5))):
            at = int(rng.integers(0, n))
            b[at:at + int(rng.integers(1, 12))] = tokens[int(rng.integers(len(tokens)))]
    return bytes(b)


class Worker:
    """A Python process running ``script``, which reads one JSON case a line and answers one
    JSON line. No answer within ``timeout`` seconds is a hang (the process is killed):
    ``{"hang": True}``; the process ending without one is a crash: ``{"crash": exit code}``.
    Make a new Worker after either."""

    def __init__(self, script: str = WORKER, timeout: float = TIMEOUT) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=ROOT)

    def run(self, case: object) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write((json.dumps(case) + "\n").encode())
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout)
        if not ready:
            self.proc.kill()
            self.proc.wait()
            return {"hang": True}
        line = self.proc.stdout.readline()
        if not line:
            return {"crash": self.proc.wait()}
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=30)


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: How the command reports an exception it did not expect (a bug, shown as one line).
BUG = "(a bug in streamprint"


def judge(code: object, err: str, before_in: dict[str, str], after_in: dict[str, str], before_out: dict[str, str],
          after_out: dict[str, str], allowed: set[str], case_entries: set[str]) -> list[str]:
    """What is wrong with one case: an exit code outside 0-3, a traceback (or a bug that the
    command caught and reported in one line), a changed input, a file created, changed or
    removed in the output folder other than the allowed outputs, anything beside the case's
    two folders."""
    problems = []
    if code not in (0, 1, 2, 3):
        problems.append(f"exit {code}")
    if "Traceback" in err or "Exception ignored" in err:
        problems.append("traceback")
    if BUG in err:
        problems.append("unexpected exception")
    if after_in != before_in:
        problems.append("an input changed")
    touched = {k for k in before_out.keys() | after_out.keys() if before_out.get(k) != after_out.get(k)}
    if touched - allowed:
        problems.append(f"wrote {sorted(touched - allowed)}")
    if case_entries != {"in", "out"}:
        problems.append("wrote outside its folders")
    return problems


def make_seeds(work: Path) -> dict[str, Path]:
    """The valid inputs the mutations start from."""
    from streamprint._cli.dispatch import main

    seeds = work / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    segs = [synth.Segment(s.background, s.accent, 0.5) for s in synth.SAMPLE_SEGMENTS]
    for ext in ("mkv", "mp4", "ts"):
        synth.encode_clip(seeds / f"seed.{ext}", synth.segment_frames(segs, (96, 64)), encoding=synth.Encoding(crf=20))
    # Xvid with packed B-frames (which streamprint unpacks in memory), and H.264 with B-frames
    # in AVI (whose pts FFmpeg gives in decode order); left out where FFmpeg lacks the encoder
    for name, codec in (("seed.avi", ["-c:v", "libxvid", "-bf", "2", "-vtag", "XVID"]),
                        ("seed.h264.avi", ["-c:v", "libx264", "-bf", "3"])):
        if shutil.which("ffmpeg") is None or subprocess.run(
                ["ffmpeg", "-v", "error", "-y", "-i", str(seeds / "seed.mkv"), *codec, "-g", "12", str(seeds / name)],
                capture_output=True).returncode != 0:
            (seeds / name).unlink(missing_ok=True)
    assert main([str(seeds / "seed.mkv"), str(seeds / "fp.png"), "--data", str(seeds / "fp.json"), "--thumbnails",
                 "-q"]) == 0
    assert main(["render", str(seeds / "fp.json"), str(seeds / "x.png"), "-q"]) == 0
    from streamprint.formats import read_fingerprint, write_fingerprint

    write_fingerprint(read_fingerprint(seeds / "fp.json"), seeds / "fp.csv")
    lib = seeds / "lib"
    lib.mkdir(exist_ok=True)
    shutil.copy(seeds / "seed.mkv", lib / "a.mkv")
    assert main(["batch", str(lib), str(seeds / "out"), "-q", "--jobs", "1", "--every", "1", "--checkpoint", "1e-9"]) == 0
    return {"movie": seeds, "lib": lib, "manifest": seeds / "out" / "streamprint-manifest.json", "seeds": seeds}


def checkpoint_seed(seeds: Path) -> bytes:
    """A real checkpoint of the library's movie, for the right file."""
    import dataclasses

    import streamprint
    from streamprint.formats.checkpoint import checkpoint_to_dict

    movie = seeds / "lib" / "a.mkv"
    saved: list = []
    streamprint.fingerprint(movie, sampling=streamprint.Sampling.every(1), checkpoint=saved.append, checkpoint_every=1e-9,
                            thumbnails=True)  # as a batch makes them
    st = movie.stat()
    c = dataclasses.replace(saved[len(saved) // 2], input=(st.st_size, st.st_mtime_ns))
    return json.dumps(checkpoint_to_dict(c)).encode()


def run(cases: int, seed: int, work: Path, progress: bool = False) -> dict:
    """Run ``cases`` cases (spread over :data:`KINDS`); returns counts and the bad cases."""
    paths = make_seeds(work)
    seeds = paths["seeds"]
    exts = [ext for ext in ("mkv", "mp4", "ts", "avi", "h264.avi") if (seeds / f"seed.{ext}").exists()]
    movies = [(seeds / f"seed.{ext}").read_bytes() for ext in exts]
    originals = {"data-json": (seeds / "fp.json").read_bytes(), "data-csv": (seeds / "fp.csv").read_bytes(),
                 "manifest": paths["manifest"].read_bytes(), "checkpoint": checkpoint_seed(seeds),
                 "gallery": (seeds / "out" / ".streamprint-gallery.json").read_bytes()}
    seeds_before = _files(seeds)
    rng = np.random.default_rng(seed)
    worker = Worker()
    bad: list[dict] = []
    codes: dict[str, dict[str, int]] = {k: {} for k in KINDS}
    start = time.perf_counter()
    try:
        for i in range(cases):
            kind = KINDS[i % len(KINDS)]
            case_dir = work / "cases" / f"{i:05d}"
            shutil.rmtree(case_dir, ignore_errors=True)
            inputs, outputs = case_dir / "in", case_dir / "out"
            inputs.mkdir(parents=True)
            if kind == "movie":
                which = i // len(KINDS) % len(exts)
                src = inputs / f"m.{exts[which]}"
                src.write_bytes(mutate(movies[which], rng))
                outputs.mkdir()
                # every frame, or the default sampling (non-reference frames skipped)
                every = ["--every", "1"] if i // (len(KINDS) * len(exts)) % 2 == 0 else []
                argv = [str(src), str(outputs / "o.png"), "--data", str(outputs / "o.json"), *every, "-q"]
                allowed = {"o.png", "o.json"}
            elif kind.startswith("data"):
                src = inputs / ("d.json" if kind == "data-json" else "d.csv")
                src.write_bytes(mutate(originals[kind], rng, text=True))
                outputs.mkdir()
                out = "o.html" if i // len(KINDS) % 2 else "o.png"  # a page too: thumbnails, palette
                argv = ["render", str(src), str(outputs / out), "-q"]
                allowed = {out}
            elif kind == "gallery":
                shutil.copytree(seeds / "out", outputs)
                (outputs / ".streamprint-gallery.json").write_bytes(mutate(originals["gallery"], rng, text=True))
                if i // len(KINDS) % 2:
                    (outputs / "a.mkv.json").touch()  # as if changed: read again (else its cached entry is used)
                argv = ["gallery", str(outputs), "-q"]
                # a batch's folder: the command takes its lock (the lock file gets its pid)
                allowed = {"index.html", ".streamprint-gallery.json", ".streamprint.lock"}
            else:
                shutil.copytree(paths["lib"], inputs / "lib", copy_function=shutil.copy2)
                shutil.copytree(seeds / "out", outputs)
                if kind == "manifest":
                    (outputs / "streamprint-manifest.json").write_bytes(mutate(originals["manifest"], rng, text=True))
                    (outputs / "a.mkv.json").unlink()  # so that the movie is done again, or found missing
                else:
                    (outputs / "streamprint-manifest.json").unlink()
                    (outputs / "a.mkv.json").unlink()
                    (outputs / "a.mkv.png").unlink()
                    ck = outputs / ".streamprint-checkpoints" / "a.mkv.json"
                    ck.parent.mkdir(parents=True, exist_ok=True)
                    ck.write_bytes(mutate(originals["checkpoint"], rng, text=True))
                argv = ["batch", str(inputs / "lib"), str(outputs), "-q", "--jobs", "1", "--every", "1"]
                allowed = BATCH_OUTPUTS | {"streamprint-manifest.json", ".streamprint.lock",
                                           ".streamprint-checkpoints/a.mkv.json"}
            before_in = _files(inputs)
            before_out = _files(outputs)
            result = worker.run({"argv": argv, "cwd": str(case_dir)})
            code = "hang" if "hang" in result else f"crash {result['crash']}" if "crash" in result else result["code"]
            codes[kind][str(code)] = codes[kind].get(str(code), 0) + 1
            if code in ("hang",) or str(code).startswith("crash"):
                worker = Worker()
            err = result.get("stderr", "")
            problems = judge(code, err, before_in, _files(inputs), before_out, _files(outputs), allowed,
                             {p.name for p in case_dir.iterdir()})
            if problems:
                bad.append({"case": i, "kind": kind, "problems": problems, "stderr": err[-500:]})
            else:
                shutil.rmtree(case_dir)
            if progress and i % 100 == 99:
                print(f"  {i + 1} cases, {len(bad)} bad, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    finally:
        worker.close()
    if _files(seeds) != seeds_before:  # shared by every case: no case may write there
        bad.append({"case": None, "kind": "all", "problems": ["the seed files changed"], "stderr": ""})
    return {"cases": cases, "seed": seed, "seconds": round(time.perf_counter() - start, 1), "exit_codes": codes,
            "bad": bad}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".cache" / "fuzz")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args()
    shutil.rmtree(args.work / "cases", ignore_errors=True)
    report = run(args.cases, args.seed, args.work, progress=True)
    print(f"{'kind':<12} {'cases':>6}  exit codes")
    for kind, codes in report["exit_codes"].items():
        print(f"{kind:<12} {sum(codes.values()):>6}  " + ", ".join(f"{c}: {n}" for c, n in sorted(codes.items())))
    print(f"bad cases: {len(report['bad'])} (kept under {args.work / 'cases'}); {report['seconds']} s")
    for b in report["bad"][:10]:
        print(f"  case {b['case']} {b['kind']}: {', '.join(b['problems'])}: {b['stderr'][-200:]!r}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({k: v for k, v in report.items()}, indent=1) + "\n")
    sys.exit(1 if report["bad"] else 0)


if __name__ == "__main__":
    main()
