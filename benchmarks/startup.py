#!/usr/bin/env python3
"""Startup time of the imgvar command, measured against a bare Python start.

Times `imgvar --help`, `imgvar --version`, a fully cached
`imgvar run examples/cat.png "in Van Gogh style"` (every stage from the store,
in a temporary IMGVAR_HOME filled by the warm-up runs) and, as the peer,
`python -c pass` (the same interpreter as this script) in one run, each N
times after 2 warm-up runs, interleaving them so drift in machine load hits
them alike. Prints median and minimum wall time, the ratio of each median to
the peer's, and whether the targets hold:

    imgvar --help        <=  3 x  python -c pass      (medians)
    imgvar run (cached)  <=  6 x  imgvar --help       (medians)

A cached run should import nothing a cache hit does not use: the script lists
which of torch, openai, numpy, typer, rich, pydantic, the prompt parser and
the style presets that run imports (informational).

It also checks that `imgvar --help` imports none of the heavy or optional
packages (torch, open_clip, openai, azure, typer, rich), by running the help
path under `python -X importtime` and reading the imported module names.

Python's bytecode cache is left on for the timed commands (as on a user's
machine), whatever PYTHONDONTWRITEBYTECODE says in the calling shell.

This is a measurement, not a test: it exits 0 whatever the numbers, and 1
only when the imgvar command cannot be found. Standard library only.

    .venv/bin/python benchmarks/startup.py [--runs N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 3.0
CACHED_RUN_RATIO = 6.0
WARMUP = 2
HEAVY = ("torch", "open_clip", "openai", "azure", "typer", "rich")
HELP_SNIPPET = "import sys; sys.argv=['imgvar','--help']; from imgvar.cli import main; main()"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cat.png"
CACHED_PROMPT = "in Van Gogh style"
# What a cache hit has no use for; the cached run is checked for each.
NEEDLESS_ON_HIT = ("torch", "openai", "numpy", "typer", "rich", "pydantic", "imgvar.prompt", "imgvar.styles")


def find_imgvar() -> str | None:
    """The imgvar script next to this interpreter (same venv), else the one on PATH."""
    bindir = Path(sys.executable).parent  # not resolved: a venv's python is often a symlink
    for name in ("imgvar", "imgvar.exe"):
        candidate = bindir / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("imgvar")


def time_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=env)
    return (time.perf_counter() - start) * 1000.0, proc.returncode


def measure(commands: dict[str, list[str]], runs: int, env: dict[str, str] | None = None) -> dict[str, dict]:
    samples: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    for i in range(WARMUP + runs):
        for name, argv in commands.items():
            ms, rc = time_once(argv, env)
            codes[name].add(rc)
            if i >= WARMUP:
                samples[name].append(ms)
    return {
        name: {
            "argv": commands[name],
            "median_ms": statistics.median(samples[name]),
            "min_ms": min(samples[name]),
            "exit_codes": sorted(codes[name]),
            "samples_ms": [round(s, 3) for s in samples[name]],
        }
        for name in commands
    }


def heavy_imports() -> dict:
    """Run the --help path under -X importtime and list the heavy packages it imports."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", HELP_SNIPPET], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    modules: list[str] = []
    imgvar_cumulative_us = None
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:"):].split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue  # the header line
        name = parts[2].strip()
        modules.append(name)
        if name == "imgvar":
            imgvar_cumulative_us = int(parts[1])
    found = sorted({m for m in modules if m.split(".")[0] in HEAVY})
    return {
        "checked": list(HEAVY),
        "found": found,
        "ok": proc.returncode == 0 and not found,
        "exit_code": proc.returncode,
        "modules_imported": len(modules),
        "imgvar_import_ms": None if imgvar_cumulative_us is None else imgvar_cumulative_us / 1000.0,
        "error": None if proc.returncode == 0 else (proc.stderr.strip().splitlines() or ["?"])[-1],
    }


def cached_run_imports(argv: list[str], env: dict[str, str]) -> dict:
    """Which needless packages a cached run imports, read from -X importtime."""
    snippet = f"import sys; from imgvar.cli import main; sys.exit(main({argv[1:]!r}))"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", snippet], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    names = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    found = sorted({p for p in NEEDLESS_ON_HIT for n in names if n == p or n.startswith(p + ".")})
    return {"checked": list(NEEDLESS_ON_HIT), "found": found, "exit_code": proc.returncode}


def main() -> int:
    parser = argparse.ArgumentParser(description="Measure imgvar's startup time against `python -c pass`.")
    parser.add_argument("--runs", type=int, default=20, metavar="N", help="timed runs per command (default 20)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    imgvar = find_imgvar()
    if imgvar is None:
        print(f"startup.py: no imgvar command next to {sys.executable} or on PATH", file=sys.stderr)
        return 1

    home = tempfile.TemporaryDirectory(prefix="imgvar-startup-")
    # As on a user's machine, Python keeps compiled bytecode: a shell that sets
    # PYTHONDONTWRITEBYTECODE would time the compiler on every start instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(IMGVAR_HOME=home.name, IMGVAR_ENGINE="local")
    cached = [imgvar, "run", str(EXAMPLE), CACHED_PROMPT, "-q", "--out", os.path.join(home.name, "out.png")]
    commands = {
        "imgvar --help": [imgvar, "--help"],
        "imgvar --version": [imgvar, "--version"],
        "imgvar run (cached)": cached,
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    results = measure(commands, args.runs, env)  # the warm-up runs fill the store
    peer = results["python -c pass"]["median_ms"]
    for r in results.values():
        r["ratio"] = r["median_ms"] / peer if peer > 0 else float("inf")
    ratio = results["imgvar --help"]["ratio"]
    target = {"rule": f"median(imgvar --help) <= {TARGET_RATIO:g} x median(python -c pass)",
              "limit": TARGET_RATIO, "ratio": ratio, "pass": ratio <= TARGET_RATIO}
    run_ratio = results["imgvar run (cached)"]["median_ms"] / results["imgvar --help"]["median_ms"]
    run_target = {"rule": f"median(imgvar run, cached) <= {CACHED_RUN_RATIO:g} x median(imgvar --help)",
                  "limit": CACHED_RUN_RATIO, "ratio": run_ratio, "pass": run_ratio <= CACHED_RUN_RATIO}
    imports = heavy_imports()
    run_imports = cached_run_imports(cached, env)
    home.cleanup()

    if args.json:
        print(json.dumps({
            "runs": args.runs, "warmup": WARMUP, "imgvar": imgvar, "python": sys.executable,
            "python_version": platform.python_version(), "platform": platform.platform(),
            "commands": results, "target": target, "heavy_imports": imports,
            "cached_run_target": run_target, "cached_run_imports": run_imports,
        }, indent=2))
        return 0

    print(f"imgvar: {imgvar}")
    print(f"python: {sys.executable} ({platform.python_version()}, {platform.platform()})")
    print(f"{args.runs} timed runs each after {WARMUP} warm-up runs, interleaved\n")
    print(f"{'command':<20} {'median ms':>10} {'min ms':>9} {'x python':>9}")
    for name, r in results.items():
        note = "" if r["exit_codes"] == [0] else f"   (exit codes {r['exit_codes']})"
        print(f"{name:<20} {r['median_ms']:>10.1f} {r['min_ms']:>9.1f} {r['ratio']:>9.2f}{note}")
    print(f"\ntarget: {target['rule']}: {ratio:.2f}x -> {'PASS' if target['pass'] else 'FAIL'}")
    print(f"target: {run_target['rule']}: {run_ratio:.2f}x -> {'PASS' if run_target['pass'] else 'FAIL'}")
    print(f"cached run imports: {', '.join(run_imports['found']) or 'none'} of {', '.join(NEEDLESS_ON_HIT)}")
    if imports["exit_code"] != 0:
        print(f"imports: could not check, the --help path failed under -X importtime: {imports['error']}")
    elif imports["found"]:
        print(f"imports: FAIL, imgvar --help imports {', '.join(imports['found'])}")
    else:
        extra = ""
        if imports["imgvar_import_ms"] is not None:
            extra = f"; imgvar package import {imports['imgvar_import_ms']:.1f} ms"
        print(f"imports: PASS, imgvar --help imports none of {', '.join(HEAVY)} "
              f"({imports['modules_imported']} modules in all{extra})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
