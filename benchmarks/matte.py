#!/usr/bin/env python3
"""How good and how fast the subject mattes are, per tier.

For each tier (`classic`, `model`) it reports, per image, the IoU of the
matte (thresholded at 50%) with the reference mask, the boundary F-score
(precision and recall of boundary pixels within 1% of the image diagonal) and
the seconds taken, then the mean per tier and set. Three sets:

  (a) real photos with reference mattes: `name.jpg|png` beside `name.mask.png`
      in the folder given by `--photos DIR` or the environment variable
      IMGVAR_MATTE_PHOTOS (said clearly when there is none);
  (b) examples/coffee.png with examples/coffee_mask.png;
  (c) synthetic composites with known masks (`matte_scenes.py`).

The `model` tier imports `imgvar.matte.model` lazily; when that module or its
weights are missing, the tier is reported unavailable with the reason.

This is a measurement, not a test: it exits 0 whatever the numbers.

    .venv/bin/python benchmarks/matte.py [--photos DIR] [--tiers classic,model] [--save DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

MASK_SUFFIX = ".mask.png"


@dataclass
class Case:
    set: str
    name: str
    image: Image.Image
    mask: Image.Image


@dataclass
class Row:
    tier: str
    set: str
    name: str
    iou: float
    bf: float
    seconds: float
    confidence: float


def iou(pred: np.ndarray, ref: np.ndarray) -> float:
    union = (pred | ref).sum()
    return float((pred & ref).sum() / union) if union else 1.0


def _boundary(m: np.ndarray) -> np.ndarray:
    import cv2
    import numpy as np

    m8 = m.astype(np.uint8)
    return (m8 - cv2.erode(m8, np.ones((3, 3), np.uint8))) > 0


def boundary_f(pred: np.ndarray, ref: np.ndarray, tol_frac: float = 0.01) -> float:
    """F-score of boundary pixels matched within tol_frac of the diagonal."""
    import cv2
    import numpy as np

    tol = max(1.0, tol_frac * float(np.hypot(*pred.shape)))
    bp, br = _boundary(pred), _boundary(ref)
    if not bp.any() or not br.any():
        return 1.0 if bp.any() == br.any() else 0.0
    dist_to_ref = cv2.distanceTransform((~br).astype(np.uint8), cv2.DIST_L2, 3)
    dist_to_pred = cv2.distanceTransform((~bp).astype(np.uint8), cv2.DIST_L2, 3)
    precision = float((dist_to_ref[bp] <= tol).mean())
    recall = float((dist_to_pred[br] <= tol).mean())
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def photo_cases(folder: Path | None) -> tuple[list[Case], str]:
    from PIL import Image

    if folder is None:
        return [], "real photos: none given (use --photos DIR or IMGVAR_MATTE_PHOTOS), set skipped"
    if not folder.is_dir():
        return [], f"real photos: {folder} is not a folder, set skipped"
    cases = []
    for m in sorted(folder.glob(f"*{MASK_SUFFIX}")):
        stem = m.name[: -len(MASK_SUFFIX)]
        img = next((folder / f"{stem}{ext}" for ext in (".jpg", ".jpeg", ".png", ".JPG", ".PNG") if (folder / f"{stem}{ext}").exists()), None)
        if img is not None:
            cases.append(Case("photos", stem, Image.open(img).convert("RGB"), Image.open(m).convert("L")))
    if not cases:
        return [], f"real photos: no name.jpg|png + name{MASK_SUFFIX} pairs in {folder}, set skipped"
    return cases, f"real photos: {len(cases)} from {folder}"


def example_cases() -> list[Case]:
    from PIL import Image

    img, mask = ROOT / "examples" / "coffee.png", ROOT / "examples" / "coffee_mask.png"
    if not (img.exists() and mask.exists()):
        return []
    return [Case("example", "coffee", Image.open(img).convert("RGB"), Image.open(mask).convert("L"))]


def scene_cases() -> tuple[list[Case], str]:
    import matte_scenes

    d = matte_scenes.photo_dir()
    where = f"with the shared photos of {d}" if d else "shared photos absent (no /work/shared/images/photos nor ../shared/images/photos): skimage backgrounds only"
    cases = [Case("synthetic", s.name, s.image, s.mask) for s in matte_scenes.build_scenes()]
    return cases, f"synthetic composites: {len(cases)}, {where}"


def tiers(names: list[str]) -> tuple[dict[str, Callable], list[str]]:
    """The runnable tiers by name, and a line for each one that is not."""
    out: dict[str, Callable] = {}
    msgs = []
    for name in names:
        if name == "classic":
            from imgvar.matte.classic import classic_matte

            out[name] = classic_matte
        elif name == "model":
            try:
                from imgvar.matte import model  # type: ignore[attr-defined]

                default = getattr(model, "DEFAULT_MODEL", None) or getattr(model, "DEFAULT", None) or "isnet-general-use"
                if not model.model_available(default):
                    msgs.append(f"tier model: unavailable (no weights for {default} on disk)")
                    continue
                out[name] = lambda im, _m=model, _n=default: _m.model_matte(im, _n)
            except ImportError as e:
                msgs.append(f"tier model: unavailable ({e})")
            except Exception as e:  # the module's own error, e.g. missing weights
                msgs.append(f"tier model: unavailable ({type(e).__name__}: {e})")
        else:
            msgs.append(f"tier {name}: unknown, skipped")
    return out, msgs


def run_case(tier: str, fn: Callable, case: Case, save: Path | None) -> Row:
    import numpy as np

    t0 = time.perf_counter()
    matte = fn(case.image)
    dt = time.perf_counter() - t0
    pred = np.asarray(matte.alpha.convert("L").resize(case.mask.size)) >= 128
    ref = np.asarray(case.mask) >= 128
    if save is not None:
        _save(save / f"{tier}-{case.set}-{case.name}.png", case.image, matte.alpha, case.mask)
    return Row(tier, case.set, case.name, iou(pred, ref), boundary_f(pred, ref), dt, float(matte.confidence))


def _save(path: Path, image: Image.Image, alpha: Image.Image, ref: Image.Image) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = image.size
    out = Image.new("RGB", (w * 3, h))
    out.paste(image, (0, 0))
    out.paste(alpha.convert("RGB"), (w, 0))
    out.paste(ref.convert("RGB"), (2 * w, 0))
    out.save(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=os.environ.get("IMGVAR_MATTE_PHOTOS") or None)
    ap.add_argument("--tiers", default="classic,model")
    ap.add_argument("--sets", default="photos,example,synthetic", help="which sets to run")
    ap.add_argument("--save", type=Path, default=None, help="write image | matte | reference PNGs here")
    args = ap.parse_args(argv)

    sets = set(args.sets.split(","))
    cases: list[Case] = []
    if "photos" in sets:
        c, msg = photo_cases(Path(args.photos) if args.photos else None)
        print(msg)
        cases += c
    if "example" in sets:
        cases += example_cases()
    if "synthetic" in sets:
        c, msg = scene_cases()
        print(msg)
        cases += c
    runnable, msgs = tiers([t.strip() for t in args.tiers.split(",") if t.strip()])
    for m in msgs:
        print(m)

    rows = [run_case(t, fn, c, args.save) for t, fn in runnable.items() for c in cases]
    print(f"\n{'tier':8} {'set':10} {'image':34} {'IoU':>6} {'BF':>6} {'conf':>5} {'s':>6}")
    for r in rows:
        print(f"{r.tier:8} {r.set:10} {r.name[:34]:34} {r.iou:6.3f} {r.bf:6.3f} {r.confidence:5.2f} {r.seconds:6.2f}")
    print()
    for t in runnable:
        for s in ("photos", "example", "synthetic", "all"):
            rs = [r for r in rows if r.tier == t and (s == "all" or r.set == s)]
            if rs:
                print(
                    f"mean {t:8} {s:10} n={len(rs):3d}  IoU {statistics.mean(r.iou for r in rs):.3f}"
                    f"  BF {statistics.mean(r.bf for r in rs):.3f}  s/img {statistics.mean(r.seconds for r in rs):.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
