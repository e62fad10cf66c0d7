"""Synthetic matting scenes with known masks, for `benchmarks/matte.py`.

Each scene pastes one or more known shapes, filled with real photo texture,
onto a real photo background, so the exact subject mask is known. Shapes: the
`skimage.data.horse()` silhouette, the coffee cut-out of `examples/` (a real
object with its reference mask), a standing person built from ellipses, and a
car profile. Backgrounds: skimage photos and, when present, the CC0 scenes in
`shared/images/photos` (looked for at /work/shared/images/photos and at
../shared/images/photos relative to the repository).

    from matte_scenes import build_scenes
    for scene in build_scenes(): scene.name, scene.image, scene.mask
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PHOTO_DIRS = (Path("/work/shared/images/photos"), ROOT.parent / "shared" / "images" / "photos")
SIDE = 480  # long side of every scene: small enough to run many quickly


@dataclass
class Scene:
    name: str
    image: Image.Image  # RGB
    mask: Image.Image  # L, 255 = subject


def photo_dir() -> Path | None:
    """The shared photo folder, or None when this checkout has none."""
    env = os.environ.get("IMGVAR_SHARED_PHOTOS")
    for d in ([Path(env)] if env else []) + list(PHOTO_DIRS):
        if d.is_dir() and any(d.glob("*.jpg")):
            return d
    return None


def _fit(img: np.ndarray, w: int, h: int) -> np.ndarray:
    """Resize and centre-crop an RGB array to exactly w x h."""
    import cv2

    ih, iw = img.shape[:2]
    s = max(w / iw, h / ih)
    r = cv2.resize(img, (max(w, round(iw * s)), max(h, round(ih * s))), interpolation=cv2.INTER_AREA)
    y, x = (r.shape[0] - h) // 2, (r.shape[1] - w) // 2
    return r[y : y + h, x : x + w]


def backgrounds() -> list[tuple[str, np.ndarray]]:
    """(name, RGB array) backgrounds: skimage photos plus the shared photos."""
    import numpy as np
    from PIL import Image
    from skimage import data

    out = [
        ("grass", np.dstack([data.grass()] * 3) if data.grass().ndim == 2 else data.grass()),
        ("gravel", np.dstack([data.gravel()] * 3)),
        ("brick", np.dstack([data.brick()] * 3)),
        ("rocket", data.rocket()),
    ]
    d = photo_dir()
    if d is not None:
        for p in sorted(d.glob("*.jpg")):
            out.append((p.stem.replace("_pexels", ""), np.asarray(Image.open(p).convert("RGB"))))
    return out


def _textures() -> dict[str, np.ndarray]:
    from skimage import data

    return {
        "fur": data.chelsea()[30:280, 60:300],
        "suit": data.astronaut()[20:512, 150:330],
        "coffee": data.coffee()[60:380, 100:480],
        "skin": data.astronaut()[60:200, 170:290],
    }


def horse_shape(h: int) -> np.ndarray:
    """The horse silhouette (True = horse), h pixels high, tightly cropped."""
    import cv2
    import numpy as np
    from skimage import data

    m = ~data.horse()  # the horse is black in that image
    ys, xs = np.nonzero(m)
    m = m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.uint8)
    w = round(m.shape[1] * h / m.shape[0])
    return cv2.resize(m * 255, (w, h), interpolation=cv2.INTER_AREA) > 127


def person_shape(h: int) -> np.ndarray:
    """A standing person (head, torso, arms, legs) from ellipses, h pixels high."""
    import cv2
    import numpy as np

    w = max(8, h * 2 // 5)
    m = np.zeros((h, w), np.uint8)
    u = h / 100.0
    cx = w // 2

    def ell(x: float, y: float, ax: float, ay: float, angle: float = 0) -> None:
        cv2.ellipse(m, (round(x), round(y)), (max(1, round(ax)), max(1, round(ay))), angle, 0, 360, 255, -1)

    ell(cx, 7 * u, 5.5 * u, 7 * u)  # head
    ell(cx, 16 * u, 3 * u, 4 * u)  # neck
    ell(cx, 34 * u, 11 * u, 18 * u)  # torso
    ell(cx - 12 * u, 36 * u, 3.2 * u, 16 * u, 8)  # arms
    ell(cx + 12 * u, 36 * u, 3.2 * u, 16 * u, -8)
    ell(cx - 5 * u, 72 * u, 4.5 * u, 27 * u, 3)  # legs
    ell(cx + 5 * u, 72 * u, 4.5 * u, 27 * u, -3)
    return m > 0


def car_shape(w: int) -> np.ndarray:
    """A car in profile: body, cabin and wheels, w pixels wide."""
    import cv2
    import numpy as np

    h = w * 9 // 20
    m = np.zeros((h, w), np.uint8)
    u = w / 100.0
    cv2.rectangle(m, (0, round(18 * u)), (w - 1, round(36 * u)), 255, -1)
    pts = np.array([[18 * u, 18 * u], [32 * u, 3 * u], [68 * u, 3 * u], [84 * u, 18 * u]], np.int32)
    cv2.fillPoly(m, [pts], 255)
    for x in (22 * u, 78 * u):
        cv2.circle(m, (round(x), round(36 * u)), round(9 * u), 255, -1)
    return m > 0


def coffee_cutout(h: int) -> tuple[np.ndarray, np.ndarray]:
    """The real coffee-cup object of examples/: (RGB crop, mask), h pixels high."""
    import cv2
    import numpy as np
    from PIL import Image

    img = np.asarray(Image.open(ROOT / "examples" / "coffee.png").convert("RGB"))
    m = np.asarray(Image.open(ROOT / "examples" / "coffee_mask.png").convert("L")) > 127
    ys, xs = np.nonzero(m)
    img, m = img[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1], m[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    w = round(m.shape[1] * h / m.shape[0])
    return (
        cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA),
        cv2.resize(m.astype(np.uint8) * 255, (w, h), interpolation=cv2.INTER_AREA) > 127,
    )


def paste(bg: np.ndarray, mask: np.ndarray, fill: np.ndarray, x: int, y: int, out_mask: np.ndarray) -> None:
    """Paste `fill` through `mask` at (x, y), with a slightly soft edge, clipping at the borders."""
    import cv2
    import numpy as np

    h, w = mask.shape
    H, W = bg.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    m = mask[y0 - y : y1 - y, x0 - x : x1 - x]
    f = _fit(fill, w, h)[y0 - y : y1 - y, x0 - x : x1 - x] if fill.shape[:2] != (h, w) else fill[y0 - y : y1 - y, x0 - x : x1 - x]
    a = cv2.GaussianBlur(m.astype(np.float32), (3, 3), 0.7)[..., None]
    region = bg[y0:y1, x0:x1].astype(np.float32)
    bg[y0:y1, x0:x1] = np.clip(region * (1 - a) + f.astype(np.float32) * a, 0, 255).astype(np.uint8)
    out_mask[y0:y1, x0:x1] |= m


def _scene(name: str, bg: np.ndarray, items: list[tuple[np.ndarray, np.ndarray, float, float]]) -> Scene:
    """items: (mask, fill, cx, cy) with the centre given as a fraction of the scene size."""
    import numpy as np
    from PIL import Image

    img = bg.copy()
    H, W = img.shape[:2]
    mask = np.zeros((H, W), bool)
    for m, fill, cx, cy in items:
        paste(img, m, fill, round(cx * W - m.shape[1] / 2), round(cy * H - m.shape[0] / 2), mask)
    return Scene(name, Image.fromarray(img), Image.fromarray(mask.astype(np.uint8) * 255))


def build_scenes() -> list[Scene]:
    """Every composite: each background with a few subject layouts."""
    tex = _textures()
    cup, cup_mask = coffee_cutout(SIDE * 9 // 20)
    scenes: list[Scene] = []
    for i, (bname, raw) in enumerate(backgrounds()):
        W, H = SIDE, SIDE * 3 // 4
        bg = _fit(raw, W, H)
        horse = horse_shape(H * 11 // 20)
        person = person_shape(H * 4 // 5)
        car = car_shape(W * 3 // 10)
        # Layouts rotate with the background so every kind meets several scenes.
        fills = [tex["fur"], tex["coffee"], tex["suit"]]
        layouts = [
            (f"{bname}-horse-centre", [(horse, fills[i % 3], 0.5, 0.5)]),
            (f"{bname}-person-left-bottom", [(person, tex["suit"], 0.3, 1.0 - person.shape[0] / (2 * H))]),
            (f"{bname}-two-cars", [(car, fills[(i + 1) % 3], 0.27, 0.62), (car, fills[(i + 2) % 3], 0.74, 0.6)]),
            (f"{bname}-cup-right", [(cup_mask, cup, 0.64, 0.55)]),
        ]
        scenes.extend(_scene(n, bg, items) for n, items in layouts)
    return scenes
