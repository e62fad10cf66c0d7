#!/usr/bin/env python3
"""Speed and memory of imgvar's offline style presets on the CPU, beside G'MIC's closest filters.

    .venv/bin/python benchmarks/styles.py [--presets a,b] [--sizes 1,12] [--repeat N] [--out DIR]
                                          [--json] [--no-memory-check] [--peer NAME=COMMAND]

For each registered preset and each size (megapixels), a fresh Python process loads the input,
runs `render_preset`, saves the result and reports the render's wall time and its peak RSS
(absolute, and above the RSS right after imports and image load). On the same input G'MIC runs
the preset's peer command (benchmarks/gmic_peers.py): the filter's time is read from G'MIC's own
timer (`tic`/`toc` around the filter, after a warm-up application on a small crop, so start-up,
library parsing and PNG I/O are left out as they are for imgvar); the process's wall clock, and
that minus a bare `gmic input output`, are printed beside it. A separate run per preset at 24 MP checks peak
memory. Targets: <= 2 s/MP on 2 cores, no slower than the G'MIC peer, peak <= 1.5 GB at 24 MP.
Side-by-side sheets (imgvar | G'MIC at 1 MP) and a JSON copy of the results go to --out.
It is a measurement: it exits 0 whether targets pass or fail (2 on a usage error).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gmic_peers import (  # noqa: E402
    GMIC_VERSION_CHOSEN_FOR, PEERS, Peer, find_gmic, gmic_filter_seconds, gmic_version, run_gmic, time_binary)

SPEED_TARGET = 2.0  # seconds per megapixel, on 2 cores
MEMORY_TARGET = 1.5e9  # bytes of peak RSS at MEMORY_CHECK_MP
MEMORY_CHECK_MP = 24.0
SHEET_MP = 1.0
PHOTO = "beach_city_pexels.jpg"
RESULT_TAG = "@@RESULT "


# ---------------------------------------------------------------------------------------------
# presets (the registry, robust to a preset module that is half written)


def load_presets() -> tuple[dict, list[str]]:
    """Registered presets by name, and notes about modules that failed to import."""
    import importlib
    import types

    from imgvar.styles import registry

    try:
        return {p.name: p for p in registry.presets()}, []
    except Exception as exc:  # one broken module stops the package import: load them one by one
        notes = [f"imgvar.styles.builtin failed to import ({type(exc).__name__}: {exc}); "
                 "loading its modules one by one"]
    folder = Path(registry.__file__).parent / "builtin"
    stub = types.ModuleType("imgvar.styles.builtin")
    stub.__path__ = [str(folder)]
    sys.modules["imgvar.styles.builtin"] = stub
    for path in sorted(folder.glob("*.py")):
        if path.stem == "__init__":
            continue
        try:
            importlib.import_module(f"imgvar.styles.builtin.{path.stem}")
        except Exception as exc:
            notes.append(f"preset module {path.stem} failed to import: {type(exc).__name__}: {exc}")
    return dict(registry._PRESETS), notes


# ---------------------------------------------------------------------------------------------
# the child: one preset, one image, in a fresh process


def _rss_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child_main(argv: list[str]) -> int:
    name, src, dst, repeat = argv[0], argv[1], argv[2], int(argv[3])
    import resource

    import torch
    from PIL import Image

    from imgvar.styles.render import render_preset

    presets, _ = load_presets()
    preset = presets.get(name)
    if preset is None:
        print(RESULT_TAG + json.dumps({"ok": False, "error": f"preset {name!r} is not registered"}))
        return 0
    image = Image.open(src)
    image.load()
    image = image.convert("RGB")
    baseline = _rss_kib()  # after imports and image load
    # An untimed warm-up on a small crop: lazy imports and torch's one-off set-up are not per pixel
    # (G'MIC's start-up is likewise subtracted from its time).
    start = time.perf_counter()
    render_preset(image.crop((0, 0, min(160, image.width), min(120, image.height))), preset)
    warmup = time.perf_counter() - start
    times, cpu = [], []
    out = None
    for _ in range(repeat):
        out = None
        start, start_cpu = time.perf_counter(), time.process_time()
        out = render_preset(image, preset)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    render_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out.save(dst, compress_level=1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(RESULT_TAG + json.dumps({
        "ok": True, "times": times, "cpu_times": cpu, "warmup_seconds": warmup, "baseline_kib": baseline,
        "render_peak_kib": render_peak, "peak_kib": peak, "threads": torch.get_num_threads(),
        "torch": torch.__version__, "size": list(out.size)}))
    return 0


# ---------------------------------------------------------------------------------------------
# input images


def shared_dir() -> Path | None:
    for candidate in (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return None


def source_photo() -> tuple[Path | None, str]:
    shared = shared_dir()
    if shared is None:
        return None, "../shared is absent: using a synthesized photo-like test image"
    photos = shared / "images" / "photos"
    choice = photos / PHOTO
    if not choice.is_file():
        found = sorted(photos.glob("*.jpg")) if photos.is_dir() else []
        if not found:
            return None, f"no photos in {photos}: using a synthesized photo-like test image"
        choice = found[0]
    return choice, f"input: {choice} (from ../shared), Lanczos-resized to each size"


def dims_for(mp: float, aspect: float) -> tuple[int, int]:
    w = max(1, round(math.sqrt(mp * 1e6 * aspect)))
    return w, max(1, round(mp * 1e6 / w))


def synth_photo(w: int, h: int):
    """A deterministic photo-like scene: sky and ground gradients, sun, hills, buildings, grain."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFilter

    y = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    sky = (1 - y) * np.array([70, 120, 200], np.float32) + y * np.array([250, 190, 150], np.float32)
    ground = (1 - y) * np.array([60, 110, 60], np.float32) + y * np.array([120, 90, 50], np.float32)
    arr = np.where(y < 0.55, sky, ground) * np.ones((1, w, 1), np.float32)
    img = Image.fromarray(arr.clip(0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(img)
    s = min(w, h)
    draw.ellipse((0.70 * w, 0.12 * h, 0.70 * w + 0.16 * s, 0.12 * h + 0.16 * s), fill=(255, 230, 160))
    for i, (x0, x1, top, colour) in enumerate([(0.0, 0.45, 0.40, (70, 95, 80)), (0.3, 0.8, 0.45, (55, 80, 70)),
                                               (0.6, 1.0, 0.42, (80, 100, 90))]):
        draw.polygon([(x0 * w, 0.56 * h), ((x0 + x1) / 2 * w, top * h), (x1 * w, 0.56 * h)], fill=colour)
    rng = np.random.default_rng(7)
    for _ in range(14):
        bx, bw, bh = rng.uniform(0.05, 0.9), rng.uniform(0.03, 0.07), rng.uniform(0.1, 0.35)
        c = tuple(int(v) for v in rng.integers(60, 200, 3))
        draw.rectangle((bx * w, (0.56 - bh) * h, (bx + bw) * w, 0.56 * h), fill=c)
        for k in range(6):
            wy = (0.56 - bh + (k + 0.5) * bh / 6) * h
            draw.rectangle(((bx + bw * 0.2) * w, wy, (bx + bw * 0.8) * w, wy + 0.006 * h), fill=(240, 230, 180))
    for _ in range(40):  # flowers and stones in the foreground
        cx, cy, r = rng.uniform(0, 1) * w, rng.uniform(0.6, 1) * h, rng.uniform(0.004, 0.015) * s
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=tuple(int(v) for v in rng.integers(80, 255, 3)))
    img = img.filter(ImageFilter.GaussianBlur(max(0.5, s / 1500)))
    grain = rng.normal(0.0, 6.0, (h, w, 1)).astype(np.float32)
    out = np.asarray(img, dtype=np.float32) + grain
    return Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")


def make_input(mp: float, folder: Path, source: Path | None) -> tuple[Path, tuple[int, int]]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    if source is not None:
        with Image.open(source) as im:
            photo = im.convert("RGB")
        w, h = dims_for(mp, photo.width / photo.height)
        path = folder / f"{source.stem}_{w}x{h}.png"
        if not path.is_file():
            photo.resize((w, h), Image.Resampling.LANCZOS).save(path, compress_level=1)
    else:
        w, h = dims_for(mp, 16 / 9)
        path = folder / f"synthetic_{w}x{h}.png"
        if not path.is_file():
            synth_photo(w, h).save(path, compress_level=1)
    return path, (w, h)


# ---------------------------------------------------------------------------------------------
# measuring


def measure_imgvar(name: str, image: Path, output: Path, repeat: int, timeout: float) -> dict:
    """Run the child for one preset and image; its result dict ("ok", times, peak...)."""
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")  # the CPU numbers, even on a GPU machine
    argv = [sys.executable, str(Path(__file__).resolve()), "_child", name, str(image), str(output), str(repeat)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout * repeat + 120, env=env)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"killed after {timeout * repeat + 120:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            result = json.loads(line[len(RESULT_TAG):])
            if result.get("ok"):
                result["seconds"] = statistics.median(result["times"])
                result["cpu_seconds"] = statistics.median(result["cpu_times"])
            return result
    tail = [ln for ln in (proc.stderr or "").strip().splitlines() if ln.strip()]
    return {"ok": False, "error": tail[-1] if tail else f"child exited {proc.returncode}"}


def measure_gmic(gmic: str, pipeline: list[str], image: Path, output: Path, repeat: int,
                 timeout: float, gnu_time: str | None) -> dict:
    runs = []
    for _ in range(repeat):
        run = run_gmic(gmic, image, pipeline, output, timeout, gnu_time)
        if not run.ok:
            return {"ok": False, "timed_out": run.timed_out, "seconds": run.seconds, "error": run.error}
        runs.append(run)
    peaks = [r.peak_kib for r in runs if r.peak_kib is not None]
    cpus = [r.cpu_seconds for r in runs if r.cpu_seconds is not None]
    return {"ok": True, "times": [r.seconds for r in runs], "seconds": statistics.median(r.seconds for r in runs),
            "cpu_seconds": statistics.median(cpus) if cpus else None, "peak_kib": max(peaks) if peaks else None}


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f}"


class Bench:
    """One run of the benchmark: the environment found, the inputs made, the results so far."""

    def __init__(self, args: argparse.Namespace, report) -> None:
        self.args = args
        self.report = report
        self.out_dir: Path = args.out
        self.sizes: list[float] = args.sizes
        self.gmic = find_gmic()
        self.gnu_time = time_binary() if self.gmic else None
        self.version = gmic_version(self.gmic) if self.gmic else None
        self.source, self.source_note = source_photo()
        self.images: dict[str, tuple[Path, tuple[int, int]]] = {}
        self.baselines: dict[str, dict] = {}  # bare `gmic input output` per size
        self.sheet_mp = min(self.sizes, key=lambda s: abs(s - SHEET_MP))

    def say(self, *parts: object) -> None:
        print(*parts, file=self.report, flush=True)

    def make_inputs(self) -> None:
        wanted = list(self.sizes)
        if self.args.memory_check and MEMORY_CHECK_MP not in wanted:
            wanted.append(MEMORY_CHECK_MP)
        for mp in wanted:
            self.images[size_key(mp)] = make_input(mp, self.out_dir / "inputs", self.source)
        self.say("inputs: " + ", ".join(f"{size_key(mp)} MP = {'x'.join(map(str, self.images[size_key(mp)][1]))}"
                                        for mp in wanted))

    def gmic_at(self, key: str, name: str, peer: Peer, image: Path, pixels_mp: float) -> dict:
        if key not in self.baselines:
            io_out = self.out_dir / f"gmic_io_{key}mp.png"
            self.baselines[key] = measure_gmic(self.gmic, [], image, io_out, self.args.repeat, self.args.timeout,
                                               self.gnu_time)
            io_out.unlink(missing_ok=True)
        base = self.baselines[key]
        g = measure_gmic(self.gmic, peer.argv(), image, self.out_dir / f"gmic_{name}_{key}mp.png",
                         self.args.repeat, self.args.timeout, self.gnu_time)
        g["io_baseline_seconds"] = base.get("seconds") if base.get("ok") else None
        if g.get("ok"):
            baseline = g["io_baseline_seconds"] or 0.0
            g["net_wall_seconds"] = max(g["seconds"] - baseline, 1e-3)
            timed = [gmic_filter_seconds(self.gmic, image, peer.argv(), self.out_dir / f"gmic_{name}_{key}mp_t.png",
                                         self.args.timeout) for _ in range(self.args.repeat)]
            timed = [t for t in timed if t is not None]
            (self.out_dir / f"gmic_{name}_{key}mp_t.png").unlink(missing_ok=True)
            if timed:
                # G'MIC's own timer around the filter: the time compared with imgvar's render.
                g["filter_seconds"] = statistics.median(timed)
                g["net_seconds"] = max(g["filter_seconds"], 1e-3)
                g["net_source"] = "G'MIC's timer"
                g["below_noise"] = False
            else:
                g["net_seconds"] = g["net_wall_seconds"]
                g["net_source"] = "wall clock minus I/O baseline"
                # A filter that costs less than the noise of G'MIC's own start-up and PNG I/O cannot be
                # timed apart from it: the comparison is reported as inconclusive, not as a result.
                g["below_noise"] = bool(baseline) and g["seconds"] - baseline < max(0.05, 0.1 * baseline)
            g["s_per_mp"] = g["net_seconds"] / pixels_mp
            g["raw_s_per_mp"] = g["seconds"] / pixels_mp
            if g.get("cpu_seconds") is not None:
                g["net_cpu_seconds"] = max(g["cpu_seconds"] - (base.get("cpu_seconds") or 0.0), 0.0)
            peak = f"  peak {mib(g['peak_kib'])} MiB" if g.get("peak_kib") else ""
            self.say(f"  G'MIC  {g['net_seconds']:8.2f} s net {g['s_per_mp']:7.2f} s/MP  "
                     f"cpu {fmt(g.get('net_cpu_seconds'))} s{peak}  (filter time by {g['net_source']}; "
                     f"raw {g['seconds']:.2f} s, I/O baseline {fmt(g['io_baseline_seconds'])} s, "
                     f"raw minus baseline {g['net_wall_seconds']:.2f} s)")
        elif g.get("timed_out"):
            g["s_per_mp_min"] = g["seconds"] / pixels_mp
            self.say(f"  G'MIC  timed out after {g['seconds']:.0f} s (> {g['s_per_mp_min']:.2f} s/MP)")
        else:
            self.say(f"  G'MIC  failed: {g.get('error')}")
        return g

    def run_preset(self, name: str, peer: Peer | None) -> dict:
        entry: dict = {"preset": name, "peer": peer.command if peer else None,
                       "peer_reason": peer.reason if peer else None, "sizes": {}}
        for mp in self.sizes:
            key = size_key(mp)
            image, (w, h) = self.images[key]
            pixels_mp = w * h / 1e6
            self.say(f"\n{name} @ {key} MP ({w}x{h})")
            out_img = self.out_dir / f"imgvar_{name}_{key}mp.png"
            iv = measure_imgvar(name, image, out_img, self.args.repeat, self.args.timeout)
            if iv.get("ok"):
                iv["s_per_mp"] = iv["seconds"] / pixels_mp
                self.say(f"  imgvar {iv['seconds']:8.2f} s     {iv['s_per_mp']:7.2f} s/MP  "
                         f"cpu {iv['cpu_seconds']:.2f} s"
                         f"  peak {mib(iv['peak_kib'])} MiB (+{mib(iv['peak_kib'] - iv['baseline_kib'])} over "
                         f"{mib(iv['baseline_kib'])} after imports and load)  torch threads {iv['threads']}")
            else:
                self.say(f"  imgvar failed: {iv.get('error')}")
            cell: dict = {"pixels": [w, h], "megapixels": pixels_mp, "imgvar": iv}
            if self.gmic and peer is not None:
                g = cell["gmic"] = self.gmic_at(key, name, peer, image, pixels_mp)
                if iv.get("ok") and g.get("ok"):
                    cell["ratio"] = iv["seconds"] / g["net_seconds"]
                    if g.get("net_cpu_seconds"):
                        cell["cpu_ratio"] = iv["cpu_seconds"] / g["net_cpu_seconds"]
                    self.say(f"  ratio imgvar/G'MIC {cell['ratio']:.2f} wall, {fmt(cell.get('cpu_ratio'))} cpu")
            entry["sizes"][key] = cell
            if mp == self.sheet_mp and iv.get("ok"):
                entry["sheet"] = str(self.sheet(name, peer, key, iv, cell.get("gmic")))
            if mp > 1.5 and not self.args.keep_outputs:  # 12 MP PNGs are tens of MB each
                out_img.unlink(missing_ok=True)
                (self.out_dir / f"gmic_{name}_{key}mp.png").unlink(missing_ok=True)
        if self.args.memory_check:
            entry["memory"] = self.memory_check(name)
        return entry

    def memory_check(self, name: str) -> dict:
        key = size_key(MEMORY_CHECK_MP)
        image, (w, h) = self.images[key]
        self.say(f"{name} @ {key} MP ({w}x{h}), memory check")
        out_img = self.out_dir / f"imgvar_{name}_{key}mp.png"
        mem = measure_imgvar(name, image, out_img, 1, self.args.timeout)
        if not self.args.keep_outputs:
            out_img.unlink(missing_ok=True)
        if mem.get("ok"):
            mem["s_per_mp"] = mem["seconds"] / (w * h / 1e6)
            self.say(f"  imgvar peak {mib(mem['peak_kib'])} MiB (+{mib(mem['peak_kib'] - mem['baseline_kib'])} over "
                     f"imports and load)  {mem['seconds']:.2f} s  {mem['s_per_mp']:.2f} s/MP  "
                     f"cpu {mem['cpu_seconds']:.2f} s")
        else:
            self.say(f"  imgvar failed: {mem.get('error')}")
        return mem

    def sheet(self, name: str, peer: Peer | None, key: str, iv: dict, g: dict | None) -> Path:
        g = g or {}
        left = [f"imgvar · {name}", f"{iv['seconds']:.2f} s render · {iv['s_per_mp']:.2f} s/MP · {key} MP"]
        right_img = self.out_dir / f"gmic_{name}_{key}mp.png" if g.get("ok") else None
        if peer is None:
            right = ["G'MIC: no peer for this preset"]
        elif self.gmic is None:
            right = [f"G'MIC · {peer.command}", "not installed here"]
        elif g.get("ok"):
            right = [f"G'MIC {self.version} · {peer.command}",
                     f"{g['net_seconds']:.2f} s filter time by {g.get('net_source', 'wall clock')} ({g['seconds']:.2f} s raw) · "
                     f"{g['s_per_mp']:.2f} s/MP"]
        else:
            right = [f"G'MIC · {peer.command}", f"failed: {g.get('error', '')}"[:120]]
        path = self.out_dir / f"sheet_{name}.png"
        make_sheet(path, self.out_dir / f"imgvar_{name}_{key}mp.png", left, right_img, right)
        self.say(f"  sheet  {path}")
        return path


def judge(entry: dict, sizes: list[float], memory_check: bool, have_gmic: bool) -> dict:
    checks: list[str] = []
    failed = False
    for mp in sizes:
        cell = entry["sizes"][size_key(mp)]
        iv = cell["imgvar"]
        if not iv.get("ok"):
            checks.append(f"{size_key(mp)} MP render failed")
            failed = True
            continue
        ok = iv["s_per_mp"] <= SPEED_TARGET
        failed |= not ok
        checks.append(f"{size_key(mp)} MP {iv['s_per_mp']:.2f} s/MP {'<=' if ok else '>'} {SPEED_TARGET:g}")
        g = cell.get("gmic")
        if g is None:
            checks.append("vs G'MIC n/a (" + ("no peer" if have_gmic else "G'MIC not installed") + ")")
        elif g.get("ok") and g.get("below_noise"):
            checks.append("vs G'MIC inconclusive (its net time is inside its I/O baseline's noise)")
        elif g.get("ok"):
            ok = iv["seconds"] <= g["net_seconds"]
            failed |= not ok
            checks.append(f"{'faster' if ok else 'slower'} than G'MIC (x{cell['ratio']:.2f})")
        elif g.get("timed_out"):
            ok = iv["seconds"] <= g["seconds"]
            failed |= not ok
            checks.append(f"{'faster' if ok else 'not shown faster'} than G'MIC (which timed out)")
        else:
            checks.append("vs G'MIC n/a (the peer failed)")
    if memory_check:
        mem = entry.get("memory") or {}
        if mem.get("ok"):
            ok = mem["peak_kib"] * 1024 <= MEMORY_TARGET
            failed |= not ok
            checks.append(f"{MEMORY_CHECK_MP:g} MP peak {mem['peak_kib'] * 1024 / 1e9:.2f} GB "
                          f"{'<=' if ok else '>'} {MEMORY_TARGET / 1e9:.1f}")
        else:
            failed = True
            checks.append(f"{MEMORY_CHECK_MP:g} MP memory run failed")
    return {"verdict": "FAIL" if failed else "PASS", "checks": checks}


# ---------------------------------------------------------------------------------------------
# output: sheets and table


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the small bitmap font
        return ImageFont.load_default()


def make_sheet(path: Path, left: Path, left_label: list[str], right: Path | None, right_label: list[str]) -> None:
    """imgvar | G'MIC side by side at full size, each under a two-line label."""
    from PIL import Image, ImageDraw

    a = Image.open(left).convert("RGB")
    w, h = a.size
    size = max(14, w // 55)
    band = 2 * (size + 4) + 10
    sheet = Image.new("RGB", (2 * w + 8, h + band), (255, 255, 255))
    sheet.paste(a, (0, band))
    if right is not None and right.is_file():
        b = Image.open(right).convert("RGB")
        sheet.paste(b if b.size == (w, h) else b.resize((w, h)), (w + 8, band))
    else:
        ImageDraw.Draw(sheet).rectangle((w + 8, band, 2 * w + 8, band + h), fill=(225, 225, 225))
    draw = ImageDraw.Draw(sheet)
    font = _font(size)
    for x, lines in ((6, left_label), (w + 14, right_label)):
        for i, text in enumerate(lines[:2]):
            draw.text((x, 4 + i * (size + 4)), text, fill=(0, 0, 0), font=font)
    sheet.save(path, compress_level=6)


def fmt(value: float | None, spec: str = ".2f", missing: str = "-") -> str:
    return missing if value is None else format(value, spec)


def size_key(mp: float) -> str:
    return f"{mp:g}"


def print_table(results: list[dict], sizes: list[float], memory_mp: float | None, out) -> None:
    """One row per preset; s/MP cells are 'wall (cpu)', ratios imgvar/G'MIC 'wall (cpu)'."""
    keys = [size_key(s) for s in sizes]
    peak_at = size_key(memory_mp if memory_mp is not None else max(sizes))
    cols = (["preset", "G'MIC peer"] + [f"imgvar s/MP @{k}MP" for k in keys] + [f"G'MIC s/MP @{k}MP" for k in keys]
            + [f"ratio @{k}MP" for k in keys] + [f"peak MiB @{peak_at}MP", "verdict"])
    rows = []
    for r in results:
        peer = r["peer"] or "-"
        row = [r["preset"], peer if len(peer) <= 28 else peer[:27] + "…"]
        for k in keys:
            iv = r["sizes"][k]["imgvar"]
            row.append(f"{iv['s_per_mp']:.2f} ({iv['cpu_seconds'] / r['sizes'][k]['megapixels']:.2f})"
                       if iv.get("ok") else "fail")
        for k in keys:
            g = r["sizes"][k].get("gmic")
            if not g:
                row.append("-")
            elif g.get("ok"):
                cpu = g.get("net_cpu_seconds")
                per_mp = f" ({cpu / r['sizes'][k]['megapixels']:.2f})" if cpu is not None else ""
                row.append(f"{g['s_per_mp']:.2f}{per_mp}")
            else:
                row.append(f">{g['s_per_mp_min']:.2f}" if g.get("timed_out") else "fail")
        for k in keys:
            cell = r["sizes"][k]
            row.append(f"{cell['ratio']:.2f} ({fmt(cell.get('cpu_ratio'))})" if "ratio" in cell else "-")
        mem = r.get("memory") if memory_mp is not None else r["sizes"][size_key(max(sizes))]["imgvar"]
        row.append(f"{mib(mem['peak_kib'])} (+{mib(mem['peak_kib'] - mem['baseline_kib'])})"
                   if mem and mem.get("ok") else "fail")
        row.append(r["verdict"])
        rows.append(row)
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(cols)]
    print("  ".join(c.ljust(widths[i]) for i, c in enumerate(cols)).rstrip(), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    for row in rows:
        print("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip(), file=out)


# ---------------------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[float]:
    try:
        sizes = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes are megapixels, comma-separated, e.g. 1,12 (got {text!r})") from None
    if not sizes or any(not 0 < s <= 200 for s in sizes):
        raise argparse.ArgumentTypeError("sizes are megapixels in (0, 200]")
    return sorted(set(sizes))


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="benchmarks/styles.py",
        description="Time imgvar's offline style presets on the CPU beside G'MIC's closest filters.")
    p.add_argument("--presets", help="comma-separated preset names (default: every registered preset)")
    p.add_argument("--sizes", type=parse_sizes, default=[1.0, 12.0], help="megapixels, comma-separated (default 1,12)")
    p.add_argument("--repeat", type=int, default=1, help="runs per measurement, median reported (default 1)")
    p.add_argument("--out", type=Path, default=HERE / "out",
                   help="sheets, inputs and results.json (default benchmarks/out)")
    p.add_argument("--json", action="store_true",
                   help="print the results as JSON on stdout (the report goes to stderr)")
    p.add_argument("--memory-check", action=argparse.BooleanOptionalAction, default=True,
                   help=f"also run each preset once at {MEMORY_CHECK_MP:g} MP for its peak memory (default on)")
    p.add_argument("--timeout", type=float, default=900.0,
                   help="seconds allowed to one render or gmic run (default 900)")
    p.add_argument("--peer", action="append", default=[], metavar="NAME=COMMAND",
                   help="another G'MIC pipeline for a preset, e.g. --peer 'oil=kuwahara 5' (repeatable)")
    p.add_argument("--keep-outputs", action="store_true",
                   help="keep the rendered images above 1.5 MP (deleted by default)")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.timeout <= 0:
        p.error("--timeout must be positive")
    args.peers = dict(PEERS)
    for item in args.peer:
        name, sep, command = item.partition("=")
        if not sep or not name.strip() or not command.strip():
            p.error(f"--peer wants NAME=COMMAND, got {item!r}")
        args.peers[name.strip()] = Peer(command.strip(), "given on the command line")
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["_child"]:
        return child_main(argv[1:])
    args = parse_args(argv)
    bench = Bench(args, sys.stderr if args.json else sys.stdout)
    say = bench.say
    try:
        presets, notes = load_presets()
    except ImportError as exc:
        print(f"error: cannot import imgvar ({exc}); run it with the project's .venv/bin/python", file=sys.stderr)
        return 1
    import torch

    wanted = ([n.strip() for n in args.presets.split(",") if n.strip()] if args.presets
              else list(PEERS) + [n for n in presets if n not in PEERS])
    chosen = [n for n in wanted if n in presets]
    skipped = [n for n in wanted if n not in presets]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load_start = os.getloadavg()[0]

    say(f"imgvar style benchmark · {time.strftime('%Y-%m-%d %H:%M:%S')} · python {sys.version.split()[0]} · "
        f"torch {torch.__version__}")
    say(f"CPU cores: {cores}; torch threads (default, used by every render): {torch.get_num_threads()}; "
        "renders on the CPU (CUDA hidden)")
    if cores != 2:
        say(f"note: the {SPEED_TARGET:g} s/MP target is defined for 2 cores; this machine has {cores}")
    say(f"load average at start: {load_start:.1f} on {cores} cores"
        + (" - a busy machine: wall times are inflated, the CPU seconds (in brackets) less so"
           if load_start > cores else ""))
    say(bench.source_note)
    if bench.gmic is None:
        say("G'MIC: not found (no `gmic` on PATH; Debian package `gmic`): imgvar's numbers only, "
            "the 'no slower than G'MIC' target is not evaluated")
    else:
        say(f"G'MIC: {bench.gmic} {bench.version}, default threads; peak memory via "
            f"{'GNU time -v' if bench.gnu_time else 'os.wait4 rusage'}")
        if bench.version != GMIC_VERSION_CHOSEN_FOR:
            say(f"note: the peer commands were chosen and checked on G'MIC {GMIC_VERSION_CHOSEN_FOR}")
    for note in notes:
        say(f"note: {note}")
    say(f"registered presets: {', '.join(presets) or 'none'}")
    if skipped:
        say(f"skipped, not registered (yet): {', '.join(skipped)}")

    say("\nG'MIC peers (benchmarks/gmic_peers.py):")
    for name in chosen:
        peer = args.peers.get(name)
        say(f"  {name:<14} {peer.command if peer else '(none)'}")
        if peer:
            say(f"  {'':<14}   {peer.reason}")

    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    if chosen:
        say("")
        bench.make_inputs()
    for name in chosen:
        entry = bench.run_preset(name, args.peers.get(name))
        entry.update(judge(entry, bench.sizes, args.memory_check, bench.gmic is not None))
        results.append(entry)

    load_end = os.getloadavg()[0]
    say(f"\nTargets: each preset <= {SPEED_TARGET:g} s/MP on 2 cores at every size; no slower than its G'MIC "
        f"peer (G'MIC's filter time by its own timer, start-up and PNG I/O left out); peak RSS <= {MEMORY_TARGET / 1e9:.1f} GB at "
        f"{MEMORY_CHECK_MP:g} MP (absolute, imports included). Verdicts use wall time; (cpu) in brackets.")
    if results:
        say("")
        print_table(results, bench.sizes, MEMORY_CHECK_MP if args.memory_check else None, bench.report)
        say("")
        for r in results:
            say(f"{r['preset']:<14} {r['verdict']}  " + "; ".join(r["checks"]))
        say(f"\n{sum(r['verdict'] == 'PASS' for r in results)}/{len(results)} presets pass every target measured")
    else:
        say("\nno registered preset to measure")
    say(f"load average at end: {load_end:.1f} on {cores} cores" + (" - a busy machine" if load_end > cores else ""))
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"), "cores": cores, "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__, "load_average": {"start": load_start, "end": load_end},
        "input": str(bench.source) if bench.source else "synthetic",
        "gmic": {"path": bench.gmic, "version": bench.version,
                 "memory_via": ("GNU time -v" if bench.gnu_time else "os.wait4") if bench.gmic else None},
        "targets": {"s_per_mp": SPEED_TARGET, "peak_bytes": MEMORY_TARGET, "memory_check_mp": MEMORY_CHECK_MP},
        "sizes_mp": bench.sizes, "repeat": args.repeat, "registered": list(presets), "skipped": skipped,
        "notes": notes, "gmic_io_baseline": bench.baselines, "results": results,
    }
    (args.out / "results.json").write_text(json.dumps(payload, indent=2))
    say(f"sheets, inputs and results.json in {args.out}")
    if args.json:
        print(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
