#!/usr/bin/env python3
"""How sparing the cloud engines are: calls, bytes uploaded, cost and what the cache saves.

Everything goes through the real library, the real openai SDK and real HTTP,
but to the local fake server of the test suite (tests/fake_openai.py, imported
by putting the repository's tests/ folder on sys.path), never to the real
service. It therefore measures the engine's economy: how many calls a run
makes, how many bytes it sends, how close the estimate shown before a call is
to the cost recorded after it, and how much the store saves. Token counts, and
so costs, come from the fake's token model (OpenAI's published rules, applied
to what was actually sent), priced with imgvar's built-in price table; they
say nothing about the service's speed or its images.

Four measurements, each in its own fresh, temporary IMGVAR_HOME:

1. calls and bytes per run, for a few inputs and prompts, with the size of the
   uploaded image beside the input's own;
2. the estimate (`dry_run`) against the cost from usage, for every image model
   in the price table at quality low, medium and high (the default text model,
   the default size for a landscape input); models without a known price are
   listed as skipped, with the reason;
3. the cache over a batch run twice, and over a batch holding every pair twice;
4. the peer, measured in the same run: a naive client that sends the same
   edit with the SDK directly, the original image at full size as PNG.

This is a measurement, not a test: it exits 0 whatever the numbers (2 on a
usage error). `--json` prints one JSON object; the same object is written to
OUT/cloud_economy.json.

    .venv/bin/python benchmarks/cloud_economy.py [--images N] [--json] [--out DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
sys.path.insert(0, str(REPO / "tests"))  # the fake server lives with the tests

import numpy as np  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from fake_openai import FakeOpenAI, parser_plan_for  # noqa: E402
from imgvar import api  # noqa: E402
from imgvar.config import load_settings  # noqa: E402
from imgvar.cost import QUALITIES, cost_of_usage, load_prices  # noqa: E402
from imgvar.engines.cloud.editor import choose_size  # noqa: E402
from imgvar.errors import ImgvarError  # noqa: E402

STYLE = "in Van Gogh style"
RECONTEXT = "put the subject on a beach at sunset"
COMBINED = "in watercolor, brighter"
# Image models named here but absent from the price table show how an unpriced model is handled.
UNPRICED_PROBES = ("gpt-image-2",)
BATCH_IMAGES = ("cat.png", "astronaut.png", "coffee.png", "rocket.jpg", "space.jpg")
BATCH_PROMPTS = ("in Van Gogh style", "in watercolor", "as an oil painting", "in ukiyo-e style",
                 "as a pencil sketch", "in pop art style")
MAX_BATCH = len(BATCH_IMAGES) * len(BATCH_PROMPTS)  # distinct pairs (the counts are coprime)
ESTIMATE_TOLERANCE = 0.15
DEFAULT_RUN_LIMIT = 0.02  # USD: what one run may cost with the default settings (README, "Cost and budgets")
ENV_PREFIXES = ("IMGVAR_", "OPENAI_", "AZURE_OPENAI_")
BIG_SIZE = (4000, 3000)


# -- homes, settings and runs ---------------------------------------------------------------------


@contextlib.contextmanager
def fresh_home(fake: FakeOpenAI, engine: str = "openai", **env: str) -> Iterator[Path]:
    """A new, empty IMGVAR_HOME and an environment naming only the fake server; both undone on exit."""
    saved = dict(os.environ)
    home = Path(tempfile.mkdtemp(prefix="imgvar-economy-"))
    try:
        for name in list(os.environ):
            if name.startswith(ENV_PREFIXES):
                del os.environ[name]
        os.environ["IMGVAR_HOME"] = str(home)
        os.environ["IMGVAR_ENGINE"] = engine
        if engine == "openai":
            os.environ["OPENAI_API_KEY"] = fake.api_key
            os.environ["OPENAI_BASE_URL"] = fake.url + "/v1"
        else:
            os.environ["AZURE_OPENAI_ENDPOINT"] = fake.url
            os.environ["AZURE_OPENAI_API_KEY"] = fake.api_key
            os.environ["IMGVAR_AZURE_TEXT_DEPLOYMENT"] = "plan-dep"
            os.environ["IMGVAR_AZURE_IMAGE_DEPLOYMENT"] = "edit-dep"
        os.environ.update(env)
        yield home
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(home, ignore_errors=True)


def run_once(fake: FakeOpenAI, image: Path, prompt: str, scratch: Path) -> tuple[Any, list]:
    """One `imgvar.api.run` with the current environment; the result and the requests it sent."""
    start = len(fake.requests)
    out = scratch / "out.jpg"  # the result is written as a user's run would; JPEG keeps big inputs quick
    result = api.run(image, prompt, out=out, settings=load_settings())
    return result, fake.requests[start:]


def call_counts(requests: list) -> dict[str, int]:
    return {"text": sum(r.kind == "chat" for r in requests),
            "image": sum(r.kind in ("edit", "generate") for r in requests)}


def rel_error(estimate: float, real: float) -> float | None:
    return None if real <= 0 else (estimate - real) / real


# -- inputs ---------------------------------------------------------------------------------------


def synthetic_photo(path: Path, size: tuple[int, int] = BIG_SIZE) -> Path:
    """A camera-like 12 MP photo: sky, ground, a house and a sun, softened, with sensor noise, as JPEG."""
    w, h = size
    rng = np.random.default_rng(7)
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None]
    x = np.linspace(0, 1, w, dtype=np.float32)[None, :]
    sky = np.stack([90 + 80 * y + 20 * x, 140 + 60 * y + 0 * x, 230 - 40 * y + 0 * x], axis=-1)
    image = Image.fromarray(np.clip(sky, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, int(h * 0.65), w, h], fill=(70, 130, 50))
    draw.ellipse([int(w * 0.7), int(h * 0.08), int(w * 0.82), int(h * 0.24)], fill=(250, 220, 80))
    draw.rectangle([int(w * 0.2), int(h * 0.4), int(w * 0.45), int(h * 0.75)], fill=(180, 60, 50))
    draw.polygon([(int(w * 0.17), int(h * 0.4)), (int(w * 0.325), int(h * 0.2)), (int(w * 0.48), int(h * 0.4))],
                 fill=(90, 50, 40))
    for i in range(40):  # grass tufts and clouds: some texture for the encoders
        cx, cy = rng.integers(0, w), rng.integers(int(h * 0.66), h)
        draw.ellipse([cx - 60, cy - 20, cx + 60, cy + 20], fill=(60 + i % 30, 120 + i % 40, 45))
    image = image.filter(ImageFilter.GaussianBlur(2))
    arr = np.asarray(image).astype(np.int16) + rng.integers(-10, 11, size=(h, w, 3), dtype=np.int16)
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB").save(path, "JPEG", quality=90)
    return path


def find_cutout() -> Path | None:
    """An example PNG with an alpha channel (a cut-out subject)."""
    for path in sorted(EXAMPLES.glob("*.png")):
        with Image.open(path) as im:
            if im.mode in ("RGBA", "LA") or "transparency" in im.info:
                return path
    return None


def describe_input(path: Path) -> dict[str, Any]:
    with Image.open(path) as im:
        return {"file": _display(path), "format": im.format, "mode": im.mode, "pixels": list(im.size),
                "file_bytes": path.stat().st_size}


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return f"(synthetic) {path.name}"


# -- 1. calls and bytes per run -------------------------------------------------------------------


def measure_uploads(fake: FakeOpenAI, cases: list[tuple[str, Path, str]], scratch: Path) -> tuple[list[dict], dict]:
    """One row per case, and the image-call request of each OpenAI case, by (input, prompt)."""
    rows, sent = [], {}
    for engine, image, prompt in cases:
        with fresh_home(fake, engine):
            result, requests = run_once(fake, image, prompt, scratch)
        chats = [r for r in requests if r.kind == "chat"]
        edits = [r for r in requests if r.kind == "edit"]
        images = [r for r in requests if r.kind in ("edit", "generate")]
        if engine == "openai" and images:
            sent[(image, prompt)] = images[0]
        uploads = [{"field": f.field, "filename": f.filename, "pixels": list(f.size) if f.size else None,
                    "bytes": len(f.data), "mode": f.mode} for r in edits for f in r.files]
        image_upload = next((u for u in uploads if u["field"].startswith("image")), None)
        mask_upload = next((u for u in uploads if u["field"] == "mask"), None)
        rows.append({
            "engine": engine, "input": describe_input(image), "prompt": prompt,
            "tasks": [t.kind for t in result.plan.tasks],
            "calls": call_counts(requests),
            "image_call": "+".join(r.kind for r in images) or None,
            "body_bytes": {"text": sum(r.body_bytes for r in chats), "image": sum(r.body_bytes for r in images)},
            "text_thumbnail_pixels": [list(s) for r in chats for s in r.images],
            "text_image_detail": [d for r in chats for d in r.details],
            "image_call_options": _options(images[0]) if images else {},
            "uploads": uploads,
            "upload_pixels": image_upload["pixels"] if image_upload else None,
            "upload_image_bytes": image_upload["bytes"] if image_upload else None,
            "mask_bytes": mask_upload["bytes"] if mask_upload else None,
            "upload_vs_input_bytes": (image_upload["bytes"] / image.stat().st_size) if image_upload else None,
            "upload_vs_input_pixels": (_area(image_upload["pixels"]) / _area(describe_input(image)["pixels"])
                                       if image_upload else None),
            "cost_usd": result.cost_usd,
            "image_prompt": _options(images[0], prompt=True).get("prompt") if images else None,
        })
    return rows, sent


def _options(record: Any, prompt: bool = False) -> dict[str, Any]:
    """The text parameters of an image call (multipart form of an edit, JSON of a generation)."""
    source = record.form if record.kind == "edit" else (record.json or {})
    return {k: v for k, v in source.items() if isinstance(v, (str, int, float)) and (prompt or k != "prompt")}


def _area(size: list) -> int:
    return size[0] * size[1]


# -- 2. estimate against cost ---------------------------------------------------------------------


def measure_costs(fake: FakeOpenAI, image: Path, prompt: str, scratch: Path) -> dict[str, Any]:
    prices = load_prices()
    image_models = [name for name, p in prices.models.items() if p.kind == "image"]
    with fresh_home(fake):
        text_model = load_settings()["openai.text_model"]
    with Image.open(image) as im:
        size = choose_size("auto", im.size)
    cells, skipped = [], []
    for model in [*image_models, *[m for m in UNPRICED_PROBES if m not in prices.models]]:
        for quality in QUALITIES:
            with fresh_home(fake, IMGVAR_OPENAI_IMAGE_MODEL=model, IMGVAR_CLOUD_QUALITY=quality):
                sent_before = len(fake.requests)
                try:
                    dry = api.dry_run(image, prompt, settings=load_settings())
                except ImgvarError as exc:
                    skipped.append({"model": model, "quality": quality, "reason": str(exc),
                                    "requests_sent": len(fake.requests) - sent_before})
                    continue
                result, requests = run_once(fake, image, prompt, scratch)
            by_kind = {c["kind"]: c for c in result.calls}
            per_call = {}
            for estimate in dry.calls:
                real = by_kind.get(estimate["kind"], {}).get("usd", 0.0)
                per_call[estimate["kind"]] = {"estimate_usd": estimate["usd"], "max_usd": estimate["usd_max"],
                                              "usd": real, "rel_error": rel_error(estimate["usd"], real),
                                              "estimate_tokens": estimate["tokens"],
                                              "usage": by_kind.get(estimate["kind"], {}).get("usage")}
            cells.append({
                "model": model, "quality": quality, "size": f"{size[0]}x{size[1]}",
                "estimate_usd": dry.usd, "max_usd": dry.usd_max, "usd": result.cost_usd,
                "rel_error": rel_error(dry.usd, result.cost_usd), "max_covers": dry.usd_max >= result.cost_usd,
                "calls": call_counts(requests), "per_call": per_call,
            })
    # Each unpriced model is refused the same way at every quality: one row per model.
    seen: dict[str, dict] = {}
    for row in skipped:
        entry = seen.setdefault(row["model"], {"model": row["model"], "reason": row["reason"], "requests_sent": 0})
        entry["requests_sent"] += row["requests_sent"]
    return {"input": describe_input(image), "prompt": prompt, "text_model": text_model,
            "image_models": image_models, "cells": cells, "skipped": list(seen.values())}


# -- 3. the cache ---------------------------------------------------------------------------------


def batch_pairs(n: int) -> list[tuple[Path, str]]:
    return [(EXAMPLES / BATCH_IMAGES[i % len(BATCH_IMAGES)], BATCH_PROMPTS[i % len(BATCH_PROMPTS)]) for i in range(n)]


def run_batch(fake: FakeOpenAI, pairs: list[tuple[Path, str]], scratch: Path) -> dict[str, Any]:
    started = time.perf_counter()
    calls = {"text": 0, "image": 0}
    usd, cached_runs, paying_runs = 0.0, 0, 0
    for image, prompt in pairs:
        result, requests = run_once(fake, image, prompt, scratch)
        counts = call_counts(requests)
        calls = {k: calls[k] + counts[k] for k in calls}
        usd += result.cost_usd
        cached_runs += bool(result.cached)
        paying_runs += bool(requests)
    return {"runs": len(pairs), "calls": calls, "usd": round(usd, 8), "runs_fully_cached": cached_runs,
            "runs_that_sent": paying_runs, "seconds": round(time.perf_counter() - started, 2)}


def measure_cache(fake: FakeOpenAI, n: int, scratch: Path) -> dict[str, Any]:
    pairs = batch_pairs(n)
    with fresh_home(fake):
        first = run_batch(fake, pairs, scratch)
        second = run_batch(fake, pairs, scratch)
    doubled = pairs * 2
    random.Random(0).shuffle(doubled)
    with fresh_home(fake):
        dup = run_batch(fake, doubled, scratch)
    saving = None if first["usd"] <= 0 else 1 - second["usd"] / first["usd"]
    # Without a store every run of the doubled batch would pay what its pair paid in the first pass.
    uncached_dup = 2 * first["usd"]
    return {
        "pairs": [[_display(p), q] for p, q in pairs],
        "first_pass": first, "second_pass": second,
        "saving": saving,
        "doubled_batch": {**dup, "distinct_pairs": n, "usd_if_every_run_paid": round(uncached_dup, 8),
                          "saving": None if uncached_dup <= 0 else 1 - dup["usd"] / uncached_dup},
    }


# -- 4. the naive peer ----------------------------------------------------------------------------


def naive_png(path: Path) -> bytes:
    """What a naive client uploads: the original file when it is a PNG, else the image as PNG, full size."""
    with Image.open(path) as im:
        if im.format == "PNG":
            return path.read_bytes()
        buf = io.BytesIO()
        im.convert("RGB").save(buf, "PNG")
        return buf.getvalue()


def measure_peer(fake: FakeOpenAI, cases: list[tuple[Path, str]], sent: dict) -> list[dict]:
    """The naive client against imgvar's own image call for the same case, as measured in part 1."""
    import openai

    prices = load_prices()
    with fresh_home(fake):
        model = load_settings()["openai.image_model"]
    rows = []
    for image, prompt in cases:
        ours = sent[(image, prompt)]
        ours_usage = ours.response["usage"]
        form = ours.form
        data = naive_png(image)
        client = openai.OpenAI(api_key=fake.api_key, base_url=fake.url + "/v1", max_retries=0)
        start = len(fake.requests)
        response = client.images.edit(model=model, image=(image.stem + ".png", data, "image/png"),
                                      prompt=form["prompt"], size=form["size"], quality=form["quality"], n=1)
        naive = fake.requests[start]
        naive_usage = response.usage.model_dump() if response.usage is not None else naive.response["usage"]
        price = prices.price(model)

        def side(record: Any, usage: dict, upload_bytes: int, pixels: list) -> dict[str, Any]:
            image_tokens = usage["input_tokens_details"]["image_tokens"]
            return {"body_bytes": record.body_bytes, "upload_image_bytes": upload_bytes, "upload_pixels": pixels,
                    "image_input_tokens": image_tokens,
                    "image_input_usd": image_tokens * price.image_input / 1_000_000,
                    "edit_call_usd": cost_of_usage(prices, model, usage)}

        ours_file = next(f for f in ours.files if f.field.startswith("image"))
        naive_file = next(f for f in naive.files if f.field.startswith("image"))
        a = side(ours, ours_usage, len(ours_file.data), list(ours_file.size))
        b = side(naive, naive_usage, len(naive_file.data), list(naive_file.size))
        rows.append({
            "input": describe_input(image), "prompt": prompt, "model": model,
            "size": form["size"], "quality": form["quality"], "imgvar": a, "naive": b,
            "ratio": {k: (b[k] / a[k] if a[k] else None)
                      for k in ("body_bytes", "image_input_tokens", "image_input_usd", "edit_call_usd")},
        })
    return rows


# -- output ---------------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[Any]], right: set[int] | None = None) -> str:
    right = right if right is not None else set(range(1, len(headers)))
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(values, widths)))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in cells)])


def kib(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1024 / 1024:.2f} MiB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KiB"


def px(size: list | None) -> str:
    return "-" if not size else f"{size[0]}x{size[1]}"


def usd(value: float) -> str:
    return f"${value:.5f}"


def pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value * 100:+.1f} %" if signed else f"{value * 100:.1f} %"


def checks_of(report: dict[str, Any]) -> list[dict[str, Any]]:
    checks = []

    def check(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": bool(ok), "detail": detail})

    one_each = [r for r in report["uploads"] if r["calls"] != {"text": 1, "image": 1}]
    check("a fresh run makes 1 text and 1 image call", not one_each,
          "all runs" if not one_each else ", ".join(f"{r['input']['file']}: {r['calls']}" for r in one_each))
    dear = [r for r in report["uploads"] if r["cost_usd"] > DEFAULT_RUN_LIMIT]
    check(f"a run with the default settings costs at most {usd(DEFAULT_RUN_LIMIT)}", not dear,
          f"most: {usd(max(r['cost_usd'] for r in report['uploads']))}" + (
              "; over: " + ", ".join(r["input"]["file"] for r in dear) if dear else ""))
    big = [r for r in report["uploads"] if r["upload_pixels"] and max(r["upload_pixels"]) > 1536]
    check("no upload is larger than 1536 px on its long side", not big, f"{len(big)} over")
    cells = report["costs"]["cells"]
    off = [c for c in cells if c["rel_error"] is None or abs(c["rel_error"]) > ESTIMATE_TOLERANCE]
    check(f"every run's estimate is within {ESTIMATE_TOLERANCE:.0%} of its cost", not off,
          f"{len(cells) - len(off)}/{len(cells)} within" + (
              "; off: " + ", ".join(f"{c['model']} {c['quality']} {pct(c['rel_error'])}" for c in off) if off else ""))
    uncovered = [c for c in cells if not c["max_covers"]]
    check("the upper bound covers every run's cost", not uncovered, f"{len(cells) - len(uncovered)}/{len(cells)}")
    leaked = [s for s in report["costs"]["skipped"] if s["requests_sent"]]
    check("an unpriced model is refused before anything is sent", not leaked,
          ", ".join(s["model"] for s in report["costs"]["skipped"]) or "none probed")
    cache = report["cache"]
    second = cache["second_pass"]
    check("a repeated batch makes no calls and costs nothing",
          second["calls"] == {"text": 0, "image": 0} and second["usd"] == 0,
          f"second pass: {second['calls']}, {usd(second['usd'])}")
    dup = cache["doubled_batch"]
    n = dup["distinct_pairs"]
    check("repeats inside one batch are free", dup["calls"] == {"text": n, "image": n} and dup["runs_that_sent"] == n,
          f"{dup['runs']} runs, {dup['runs_that_sent']} sent, calls {dup['calls']}")
    return checks


def print_report(report: dict[str, Any]) -> None:
    env = report["environment"]
    print(f"imgvar {env['imgvar']} / openai {env['openai']} / python {env['python']} ({env['platform']})")
    print("all requests go to a local fake OpenAI server (tests/fake_openai.py); tokens follow its model,")
    print(f"prices imgvar's built-in table ({report['prices_as_of']}); nothing here is the real service\n")

    print("1. calls and bytes per run (fresh store, default settings)\n")
    rows = []
    for r in report["uploads"]:
        rows.append([r["input"]["file"], r["input"]["mode"], px(r["input"]["pixels"]), kib(r["input"]["file_bytes"]),
                     r["prompt"] if r["engine"] == "openai" else f"{r['prompt']} [azure]",
                     f"{r['calls']['text']}+{r['calls']['image']}", r["image_call"] or "-",
                     kib(r["body_bytes"]["text"]),
                     px(r["text_thumbnail_pixels"][0] if r["text_thumbnail_pixels"] else None),
                     kib(r["body_bytes"]["image"]), px(r["upload_pixels"]), kib(r["upload_image_bytes"]),
                     pct(r["upload_vs_input_pixels"], signed=False), pct(r["upload_vs_input_bytes"], signed=False)])
    print(table(["input", "mode", "pixels", "file", "prompt", "calls t+i", "image call", "text body", "thumb",
                 "image body", "upload px", "upload", "px/input", "bytes/file"], rows,
                right={2, 3, 5, 7, 8, 9, 10, 11, 12, 13}))
    print("\n   text body, image body: request bytes the server received for the text call and for the image call")
    print("   thumb: the low-detail copy in the text call; upload: the image part of the edit (a JPEG), against the")
    print("   input's pixels and file size; a generation (a cut-out's new setting) uploads no image\n")

    costs = report["costs"]
    print(f"2. estimate before the run against cost from usage: {costs['input']['file']} "
          f"({px(costs['input']['pixels'])}), \"{costs['prompt']}\", text model {costs['text_model']}\n")
    rows = []
    for c in costs["cells"]:
        image_call = c["per_call"].get("image", {})
        text_call = c["per_call"].get("text", {})
        rows.append([c["model"], c["quality"], c["size"], usd(c["estimate_usd"]), usd(c["max_usd"]), usd(c["usd"]),
                     pct(c["rel_error"]), pct(text_call.get("rel_error")), pct(image_call.get("rel_error")),
                     "yes" if c["max_covers"] else "NO"])
    print(table(["image model", "quality", "size", "estimate", "upper bound", "cost", "error", "text err",
                 "image err", "bound ok"], rows, right={3, 4, 5, 6, 7, 8}))
    for s in costs["skipped"]:
        print(f"   skipped {s['model']}: {s['reason']} (requests sent: {s['requests_sent']})")
    print("   error = (estimate - cost) / cost; text err and image err are the same per call")
    first = costs["cells"][0]["per_call"] if costs["cells"] else {}
    if "text" in first and first["text"]["usage"]:
        est, use = first["text"]["estimate_tokens"], first["text"]["usage"]
        print(f"   text call tokens, estimate against usage: input {est['text_input'] + est['image_input']} against "
              f"{use.get('prompt_tokens')}, output {est['output']} against {use.get('completion_tokens')}")
    if "image" in first and first["image"]["usage"]:
        est, use = first["image"]["estimate_tokens"], first["image"]["usage"]
        details = use.get("input_tokens_details", {})
        print(f"   image call tokens ({costs['cells'][0]['quality']}), estimate against usage: text in "
              f"{est['text_input']} against {details.get('text_tokens')}, image in {est['image_input']} against "
              f"{details.get('image_tokens')}, output {est['output']} against {use.get('output_tokens')}")
    print()

    cache = report["cache"]
    first, second, dup = cache["first_pass"], cache["second_pass"], cache["doubled_batch"]
    print(f"3. the cache: a batch of {dup['distinct_pairs']} distinct (image, prompt) pairs through one store\n")
    rows = [
        ["first pass", first["runs"], first["calls"]["text"], first["calls"]["image"], usd(first["usd"]),
         first["runs_fully_cached"], f"{first['seconds']:.2f}"],
        ["second pass", second["runs"], second["calls"]["text"], second["calls"]["image"], usd(second["usd"]),
         second["runs_fully_cached"], f"{second['seconds']:.2f}"],
        ["each pair twice, shuffled", dup["runs"], dup["calls"]["text"], dup["calls"]["image"], usd(dup["usd"]),
         dup["runs_fully_cached"], f"{dup['seconds']:.2f}"],
    ]
    print(table(["batch", "runs", "text calls", "image calls", "cost", "runs from cache", "seconds"], rows))
    print(f"\n   saving of the second pass: {pct(cache['saving'], signed=False)}")
    print(f"   doubled batch: {usd(dup['usd'])} against {usd(dup['usd_if_every_run_paid'])} if every run paid, "
          f"saving {pct(dup['saving'], signed=False)}\n")

    print("4. peer: a naive client sending the same edit with the SDK, original image at full size as PNG\n")
    rows = []
    for r in report["peer"]:
        for who in ("imgvar", "naive"):
            s = r[who]
            rows.append([r["input"]["file"] if who == "imgvar" else "", who, px(s["upload_pixels"]),
                         kib(s["body_bytes"]), s["image_input_tokens"], usd(s["image_input_usd"]),
                         usd(s["edit_call_usd"])])
        ratio = r["ratio"]
        rows.append(["", "naive / imgvar", "", f"{ratio['body_bytes']:.2f}x", f"{ratio['image_input_tokens']:.2f}x",
                     f"{ratio['image_input_usd']:.2f}x", f"{ratio['edit_call_usd']:.2f}x"])
    print(table(["input", "client", "upload px", "body", "image in tokens", "image in cost", "edit call cost"], rows,
                right={2, 3, 4, 5, 6}))
    print(f"   same model, prompt, size and quality on both sides ({report['peer'][0]['model']}, "
          f"{report['peer'][0]['quality']}); input tokens are the fake's count of the image as uploaded\n")

    print("checks")
    for c in report["checks"]:
        print(f"   {'PASS' if c['ok'] else 'FAIL'}  {c['check']}: {c['detail']}")
    fake_errors = report["fake_server_errors"]
    if fake_errors:
        print(f"\nthe fake server failed {fake_errors} time(s) while answering")
    print(f"\n{report['seconds']:.1f} s in all; JSON written to {report['json_path']}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Measure the cloud engines' calls, uploads, estimates and cache savings against a local fake "
                    "OpenAI server.")
    parser.add_argument("--images", type=int, default=8, metavar="N",
                        help=f"distinct (image, prompt) pairs in the cache batch (1 to {MAX_BATCH}, default 8)")
    parser.add_argument("--out", default=str(Path("benchmarks") / "out"), metavar="DIR",
                        help="where cloud_economy.json goes (default benchmarks/out)")
    parser.add_argument("--json", action="store_true", help="print the numbers as one JSON object")
    args = parser.parse_args()
    if not 1 <= args.images <= MAX_BATCH:
        parser.error(f"--images must be from 1 to {MAX_BATCH}")
    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.error(f"--out {args.out}: cannot create the folder ({exc.strerror})")

    import openai

    from imgvar import __version__

    started = time.perf_counter()
    cat, astronaut = EXAMPLES / "cat.png", EXAMPLES / "astronaut.png"
    cutout = find_cutout()
    with tempfile.TemporaryDirectory(prefix="imgvar-economy-") as tmp, FakeOpenAI(plan_for=parser_plan_for) as fake:
        scratch = Path(tmp)
        big = synthetic_photo(scratch / "photo-4000x3000.jpg")
        cases = [("openai", cat, STYLE), ("openai", astronaut, STYLE), ("openai", big, STYLE),
                 ("openai", cat, COMBINED)]
        if cutout is not None:
            cases.append(("openai", cutout, RECONTEXT))
        cases.append(("azure", cat, STYLE))
        timings = {}
        t = time.perf_counter()
        uploads, sent = measure_uploads(fake, cases, scratch)
        timings["uploads"] = time.perf_counter() - t
        t = time.perf_counter()
        costs = measure_costs(fake, cat, STYLE, scratch)
        timings["costs"] = time.perf_counter() - t
        t = time.perf_counter()
        cache = measure_cache(fake, args.images, scratch)
        timings["cache"] = time.perf_counter() - t
        t = time.perf_counter()
        peer = measure_peer(fake, [(cat, STYLE), (astronaut, STYLE), (big, STYLE)], sent)
        timings["peer"] = time.perf_counter() - t
        fake_errors = len(fake.errors)

    json_path = out_dir / "cloud_economy.json"
    report: dict[str, Any] = {
        "environment": {"imgvar": __version__, "openai": openai.__version__, "python": platform.python_version(),
                        "platform": platform.platform()},
        "prices_as_of": load_prices().as_of,
        "uploads": uploads, "costs": costs, "cache": cache, "peer": peer,
        "fake_server_errors": fake_errors,
        "timings_s": {k: round(v, 2) for k, v in timings.items()},
        "seconds": round(time.perf_counter() - started, 2),
        "json_path": str(json_path),
    }
    report["checks"] = checks_of(report)
    json_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
