#!/usr/bin/env python3
"""The time an `imgvar stylize` process spends around the render, at 2 and 12 MP.

For each size it runs `imgvar stylize IMAGE ukiyo_e --out OUT.png` as a fresh
process with an empty store (so every stage runs), and splits its wall time:

    wall      the process, launch to exit (the command's own entry point, run
              through a small driver that also times the render)
    start-up  a process that only imports what the command imports (imgvar's
              CLI and library, torch and the renderer) and exits
    render    the preset render alone (`styles.render.render_preset`), timed
              inside the same process as `wall` (torch is imported before it,
              so its import counts as start-up)
    rest      wall - start-up - render: decoding, hashing, the store, encoding
              and writing the output, the run record

and prints rest / render against the target rest <= 0.5 x render. The peer,
measured in the same run, is the same command with the earlier encodings: PNG
at zlib level 6 for the store's intermediates and for the output, and a
postprocess that copies its input even when it changes nothing. Runs are
interleaved (new, peer, start-up) so that load on the machine hits them alike;
medians are printed. `imgvar --help` is timed too, for reference.

The input is a real photo from ../shared/images/photos (the largest there),
upscaled with Lanczos to each size and saved as JPEG; when that folder is
absent the script says so and synthesises a photo-like image instead.

    .venv/bin/python benchmarks/overhead.py [--sizes 2,12] [--runs 3] [--style ukiyo_e] [--json]

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT.parent / "shared" / "images" / "photos"
OUT = ROOT / "benchmarks" / "out" / "overhead"
TARGET = 0.5

# Runs the command exactly as the console script does, timing render_preset in passing.
# argv[1]: "new" or "peer"; argv[2]: where to write the timings; the rest: imgvar's arguments.
DRIVER = r"""
import json, sys, time
mode, report, args = sys.argv[1], sys.argv[2], sys.argv[3:]
import torch  # imported by the first render anyway; here it counts as start-up, not as the render
import imgvar.styles.render as render
spent = []
original = render.render_preset
def timed(*a, **k):
    t = time.perf_counter()
    try:
        return original(*a, **k)
    finally:
        spent.append(time.perf_counter() - t)
render.render_preset = timed
if mode == "peer":
    import imgvar.imageio as io_, imgvar.pipeline as pipe
    from imgvar.stages.postprocess import PostprocessStage
    io_.encode_image.__kwdefaults__["compress_level"] = 6
    pipe._encode = lambda image: (io_.encode_image(image, "png"), "png", io_.pixel_digest(image))
    new_execute = PostprocessStage.execute
    def copying(self, state, impl):
        out = new_execute(self, state, impl)
        if out.image is state.image:
            out.image = state.image.convert("RGB")
        return out
    PostprocessStage.execute = copying
from imgvar.cli import main
code = main(args)
json.dump({"render_s": sum(spent), "renders": len(spent), "exit": code}, open(report, "w"))
sys.exit(code)
"""
STARTUP = "import torch, imgvar.cli.app, imgvar.api, imgvar.engines.local.stylizer, imgvar.styles.render"


def find_imgvar() -> str:
    bindir = Path(sys.executable).parent
    for name in ("imgvar", "imgvar.exe"):
        if (bindir / name).is_file():
            return str(bindir / name)
    return "imgvar"


def source_photo() -> tuple["object", str]:
    from PIL import Image

    if PHOTOS.is_dir():
        files = sorted(p for p in PHOTOS.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        if files:
            sizes = {}
            for p in files:
                with Image.open(p) as im:
                    sizes[p] = im.width * im.height
            best = max(files, key=lambda p: sizes[p])
            return Image.open(best).convert("RGB"), f"{best.name} from {PHOTOS}"
    print(f"overhead.py: {PHOTOS} is absent; synthesising a photo-like image", file=sys.stderr)
    return synthetic_photo(), "synthetic (gradients, shapes and noise)"


def synthetic_photo():
    from PIL import Image, ImageDraw, ImageFilter

    w, h = 1600, 1067
    img = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    sky = Image.new("RGB", (w, h), (90, 140, 210))
    img = Image.blend(img, sky, 0.6)
    draw = ImageDraw.Draw(img)
    for i in range(40):
        x, y = (i * 397) % w, (i * 211) % h
        draw.ellipse([x, y, x + 120 + i * 3, y + 80 + i * 2], fill=((i * 53) % 255, (i * 97) % 255, (i * 31) % 255))
    noise = Image.effect_noise((w, h), 24).convert("RGB")
    return Image.blend(img.filter(ImageFilter.GaussianBlur(2)), noise, 0.12)


def make_input(photo, megapixels: float, folder: Path) -> Path:
    from PIL import Image

    scale = (megapixels * 1e6 / (photo.width * photo.height)) ** 0.5
    size = (round(photo.width * scale), round(photo.height * scale))
    path = folder / f"photo-{megapixels:g}mp.jpg"
    photo.resize(size, Image.Resampling.LANCZOS).save(path, quality=92)
    return path


def user_env(**extra: str) -> dict[str, str]:
    """The environment a user's shell gives: Python keeps compiled bytecode (a shell that sets
    PYTHONDONTWRITEBYTECODE would time the compiler in every start-up)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "OPENAI_API_KEY")}
    env.update(extra)
    return env


def timed_process(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... failed: {proc.stderr.decode(errors='replace').strip()[-400:]}")
    return seconds


def stylize_once(mode: str, image: Path, style: str, folder: Path) -> dict:
    with tempfile.TemporaryDirectory(dir=folder) as home:
        env = user_env(IMGVAR_HOME=home)
        report = Path(home) / "timings.json"
        out = Path(home) / "out.png"
        argv = [sys.executable, "-c", DRIVER, mode, str(report), "stylize", str(image), style,
                "--engine", "local", "--out", str(out)]
        wall = timed_process(argv, env)
        got = json.loads(report.read_text())
        return {"wall_s": wall, "render_s": got["render_s"], "output_bytes": out.stat().st_size}


def measure_size(megapixels: float, photo, style: str, runs: int, folder: Path) -> dict:
    image = make_input(photo, megapixels, folder)
    env = user_env()
    samples: dict[str, list] = {"new": [], "peer": [], "startup": [], "help": []}
    stylize_once("new", image, style, folder)  # warm the file cache and the bytecode
    for _ in range(runs):
        samples["new"].append(stylize_once("new", image, style, folder))
        samples["peer"].append(stylize_once("peer", image, style, folder))
        samples["startup"].append(timed_process([sys.executable, "-c", STARTUP], env))
        samples["help"].append(timed_process([find_imgvar(), "--help"], env))
    startup = statistics.median(samples["startup"])
    result = {"megapixels": megapixels, "input": image.name, "startup_s": startup,
              "help_s": statistics.median(samples["help"])}
    for mode in ("new", "peer"):
        runs_ = samples[mode]
        rests = [r["wall_s"] - startup - r["render_s"] for r in runs_]
        ratios = [rest / r["render_s"] for rest, r in zip(rests, runs_)]
        result[mode] = {
            "wall_s": statistics.median(r["wall_s"] for r in runs_),
            "render_s": statistics.median(r["render_s"] for r in runs_),
            "rest_s": statistics.median(rests),
            "rest_over_render": statistics.median(ratios),
            "output_bytes": runs_[0]["output_bytes"],
            "samples": runs_,
        }
    result["pass"] = result["new"]["rest_over_render"] <= TARGET
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description="Time an imgvar stylize process around its render.")
    parser.add_argument("--sizes", default="2,12", help="megapixels, comma-separated (default 2,12)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per size and mode (default 3)")
    parser.add_argument("--style", default="ukiyo_e", help="preset to render (default ukiyo_e)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    if args.runs < 1 or not sizes:
        parser.error("need --runs >= 1 and at least one size")
    OUT.mkdir(parents=True, exist_ok=True)
    photo, origin = source_photo()
    results = [measure_size(mp, photo, args.style, args.runs, OUT) for mp in sizes]
    if args.json:
        print(json.dumps({"photo": origin, "style": args.style, "runs": args.runs, "target": TARGET,
                          "sizes": results}, indent=2))
        return 0
    print(f"photo: {origin}; style {args.style}; {args.runs} interleaved runs, medians; "
          f"`imgvar --help` {results[0]['help_s'] * 1000:.0f} ms")
    print(f"{'MP':>4} {'mode':<5} {'wall s':>7} {'start-up s':>10} {'render s':>8} {'rest s':>7} "
          f"{'rest/render':>11} {'output MB':>9}")
    for r in results:
        for mode in ("new", "peer"):
            m = r[mode]
            print(f"{r['megapixels']:>4g} {mode:<5} {m['wall_s']:>7.2f} {r['startup_s']:>10.2f} {m['render_s']:>8.2f} "
                  f"{m['rest_s']:>7.2f} {m['rest_over_render']:>11.2f} {m['output_bytes'] / 1e6:>9.2f}")
        ratio = r["new"]["rest_over_render"]
        peer = r["peer"]["rest_over_render"]
        print(f"     target rest <= {TARGET:g} x render: {ratio:.2f} -> {'PASS' if r['pass'] else 'FAIL'}"
              f" (peer {peer:.2f}; rest {r['peer']['rest_s'] / max(r['new']['rest_s'], 1e-9):.1f}x the new)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
