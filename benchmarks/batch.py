#!/usr/bin/env python3
"""Throughput of `imgvar batch` against a shell loop of `imgvar run`, offline and against a slow cloud.

Offline, on N small photos (320x240 crops of ../shared/images/photos, or synthetic photos
when that folder is absent), four prompts in turn, every case with an empty store:

    loop      `for each row: imgvar run IMAGE PROMPT --out OUT` (a fresh process per image)
    batch     `imgvar batch manifest.csv --jobs 1`, `--jobs 2` (forked processes, the default)
              and `--jobs 2 --workers threads`

Cloud, against the local fake OpenAI server of the tests (tests/fake_openai.py) answering
every call after 2 s, on M images with `--engine openai`: `--jobs 1` and `--jobs 8`.

Targets: batch --jobs 1 >= 3x the loop's images/s offline; --jobs 2 >= 1.7x --jobs 1
offline; --jobs 8 >= 6x --jobs 1 against the 2 s fake.

    .venv/bin/python benchmarks/batch.py [--items 100] [--cloud-items 16] [--latency 2] [--json]

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fake OpenAI server and the synthetic photos the tests use
PHOTOS = ROOT.parent / "shared" / "images" / "photos"
IMGVAR = str(ROOT / ".venv" / "bin" / "imgvar")
PROMPTS = ("in Van Gogh style", "pencil sketch", "as a watercolor", "ukiyo-e print")


def make_inputs(folder: Path, count: int) -> list[tuple[str, str]]:
    from PIL import Image

    sources = sorted(PHOTOS.glob("*.jpg")) if PHOTOS.is_dir() else []
    if not sources:
        print(f"note: {PHOTOS} not found; using synthetic photos", file=sys.stderr)
    rows = []
    for i in range(count):
        if sources:
            with Image.open(sources[i % len(sources)]) as src:
                src = src.convert("RGB")
                w, h = src.size
                x, y = (i * 37) % max(1, w - 640), (i * 23) % max(1, h - 480)
                image = src.crop((x, y, x + 640, y + 480)).resize((320, 240))
        else:
            from conftest import make_photo

            image = make_photo((320, 240), seed=i + 1)
        image.putpixel((i % 320, (i // 320) % 240), (255, 0, 255))  # every input its own, so none is a cache hit
        name = f"p{i:03d}.jpg"
        image.save(folder / name, quality=90)
        rows.append((name, PROMPTS[i % len(PROMPTS)]))
    return rows


def write_manifest(folder: Path, rows: list[tuple[str, str]]) -> Path:
    path = folder / "manifest.csv"
    path.write_text("image,prompt,out\n" + "".join(f"{n},{p},{Path(n).stem}.png\n" for n, p in rows))
    return path


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])}... failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return seconds


def env_with_home(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGVAR_")}
    env.update(extra or {}, IMGVAR_HOME=str(home))
    return env


def offline(work: Path, count: int) -> list[dict]:
    rows = make_inputs(work, count)
    manifest = write_manifest(work, rows)
    cases = []
    loop_script = "".join(f'"{IMGVAR}" run {n} "{p}" --out loop/{Path(n).stem}.png -q >/dev/null || exit 1\n'
                          for n, p in rows)
    (work / "loop").mkdir()
    seconds = timed(["bash", "-c", loop_script], work, env_with_home(work / "home-loop"))
    cases.append({"case": "shell loop of imgvar run", "items": count, "seconds": seconds})
    for label, extra in (("batch --jobs 1", ["--jobs", "1"]), ("batch --jobs 2", ["--jobs", "2"]),
                         ("batch --jobs 2 --workers threads", ["--jobs", "2", "--workers", "threads"])):
        home = work / f"home-{len(cases)}"
        out = work / f"out-{len(cases)}"
        seconds = timed([IMGVAR, "batch", str(manifest), "--out", str(out), "-q", *extra], work, env_with_home(home))
        cases.append({"case": label, "items": count, "seconds": seconds})
    return cases


def cloud(work: Path, count: int, latency: float, variants: tuple[tuple[int, str], ...] = ((1, "auto"), (8, "auto"))
          ) -> list[dict]:
    from fake_openai import FakeOpenAI, parser_plan_for

    rows = make_inputs(work, count)
    manifest = write_manifest(work, [(n, "in Van Gogh style") for n, _ in rows])
    cases = []
    for jobs, workers in variants:
        with FakeOpenAI(plan_for=parser_plan_for) as fake:
            for kind in ("chat", "edit"):
                fake.fail_next(kind, "slow", times=10 * count, delay=latency)
            tag = f"{jobs}-{workers}"
            env = env_with_home(work / f"home-cloud-{tag}", {"OPENAI_API_KEY": fake.api_key,
                                                              "OPENAI_BASE_URL": fake.url + "/v1"})
            seconds = timed([IMGVAR, "batch", str(manifest), "--out", str(work / f"cloud-{tag}"), "--engine", "openai",
                             "--jobs", str(jobs), "--workers", workers, "-q"], work, env)
            calls = len(fake.calls("chat")) + len(fake.calls("edit"))
        label = f"cloud, batch --jobs {jobs}" + ("" if workers == "auto" else f" --workers {workers}")
        cases.append({"case": label, "items": count, "seconds": seconds, "calls": calls})
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--cloud-items", type=int, default=16)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds the fake server waits per call")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not Path(IMGVAR).exists():
        raise SystemExit(f"{IMGVAR} not found: run scripts/test (or pip install -e .) first")
    with tempfile.TemporaryDirectory(prefix="imgvar-bench-batch-") as tmp:
        work = Path(tmp)
        (work / "off").mkdir()
        (work / "cloud").mkdir()
        cases = offline(work / "off", args.items) + cloud(
            work / "cloud", args.cloud_items, args.latency, ((1, "auto"), (8, "auto"), (8, "processes")))
        shutil.rmtree(work, ignore_errors=True)
    for case in cases:
        case["images_per_s"] = round(case["items"] / case["seconds"], 3)
        case["seconds"] = round(case["seconds"], 2)
    rate = {c["case"]: c["images_per_s"] for c in cases}
    ratios = [
        ("batch --jobs 1 / shell loop", rate["batch --jobs 1"] / rate["shell loop of imgvar run"], 3.0),
        ("batch --jobs 2 / --jobs 1", rate["batch --jobs 2"] / rate["batch --jobs 1"], 1.7),
        ("threads: --jobs 2 / --jobs 1", rate["batch --jobs 2 --workers threads"] / rate["batch --jobs 1"], None),
        ("cloud --jobs 8 / --jobs 1", rate["cloud, batch --jobs 8"] / rate["cloud, batch --jobs 1"], 6.0),
        ("cloud processes: --jobs 8 / --jobs 1",
         rate["cloud, batch --jobs 8 --workers processes"] / rate["cloud, batch --jobs 1"], None),
    ]
    if args.json:
        print(json.dumps({"cases": cases, "ratios": [{"ratio": n, "value": round(v, 2), "target": t}
                                                     for n, v, t in ratios]}, indent=2))
        return
    print(f"{'case':<36} {'items':>5} {'seconds':>8} {'images/s':>9}")
    for c in cases:
        print(f"{c['case']:<36} {c['items']:>5} {c['seconds']:>8.2f} {c['images_per_s']:>9.2f}")
    print()
    for name, value, target in ratios:
        verdict = "" if target is None else (f"  target >= {target:g}: " + ("met" if value >= target else "NOT met"))
        print(f"{name:<36} {value:>6.2f}x{verdict}")


if __name__ == "__main__":
    main()
