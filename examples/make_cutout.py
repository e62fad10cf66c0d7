#!/usr/bin/env python3
"""Build the cut-out subject used by the recontext demos.

Reads ``examples/coffee.png`` (CC0, scikit-image sample data) and writes:

* ``examples/coffee_mask.png``   - the matte, mode L, white = subject (cup, coffee, spoon, saucer)
* ``examples/coffee_cutout.png`` - the photo as RGBA with that matte as alpha

This is a maintainer script, not part of imgvar: it needs numpy, scipy,
scikit-image and Pillow, and is run by hand only when the example files must be
rebuilt::

    .venv/bin/python examples/make_cutout.py --preview /tmp/coffee_check.png

``--preview`` also writes the cut-out composited over flat magenta so the edge
can be inspected. The result is deterministic (fixed RANSAC seed).

How the matte is made (all tuned for this one photo):

1. Red glaze: hue < 16 deg, saturation > 0.75, value > 0.13 (the last keeps the
   saucer's dark cast shadow on the table out), opened, largest component,
   closed and hole-filled.
2. Saucer: a RANSAC ellipse fit to that region's outline. The saucer's rim is
   the one long smooth edge, so the cup and the shadow leaks fall out as
   outliers, and the ellipse restores the rim where the hue test missed it.
3. Cup rim and spoon: bright low-saturation regions (porcelain, steel) that
   touch the saucer; the red cup body above the saucer is added where it
   touches them. Hole filling then keeps the coffee inside the cup.
4. Refinement: a watershed on the Lab colour gradient, seeded with the rough
   mask shrunk by 5 px (subject) and everything beyond 8 px outside it (table),
   snaps the outline to the real edge; then a Gaussian smoothing of the binary
   mask removes pixel stair-steps and a 0.8 px blur feathers the edge.
5. The cut-out's colours are decontaminated: pixels that are not fully opaque
   take the colour of the nearest opaque subject pixel, so no wood fringe is
   carried into a new scene, and fully transparent pixels far from the subject
   are zeroed so the PNG stays small.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage as ndi
from skimage.color import rgb2hsv, rgb2lab
from skimage.filters import sobel
from skimage.measure import find_contours
from skimage.segmentation import watershed

HERE = Path(__file__).resolve().parent


def disk(r: int) -> np.ndarray:
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    return x * x + y * y <= r * r


def largest(mask: np.ndarray) -> np.ndarray:
    lab, n = ndi.label(mask)
    if n == 0:
        return mask
    sizes = np.bincount(lab.ravel())
    sizes[0] = 0
    return lab == np.argmax(sizes)


def components_touching(mask: np.ndarray, other: np.ndarray, min_size: int = 0) -> np.ndarray:
    """The connected components of `mask` that overlap `other` and have at least `min_size` pixels."""
    lab, n = ndi.label(mask)
    sizes = np.bincount(lab.ravel(), minlength=n + 1)
    keep = np.zeros(n + 1, bool)
    keep[np.unique(lab[other])] = True
    keep &= sizes >= min_size
    keep[0] = False
    return keep[lab]


# --- ellipse fitting (Halir & Flusser direct least squares, Sampson distance, RANSAC) ---

def fit_conic(x: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Conic coefficients (a, b, c, d, e, f) of the best-fitting ellipse, in pixel coordinates."""
    mx, my = x.mean(), y.mean()
    sc = max(x.std(), y.std(), 1e-9)
    u, v = (x - mx) / sc, (y - my) / sc  # normalised for conditioning
    d1 = np.c_[u * u, u * v, v * v]
    d2 = np.c_[u, v, np.ones_like(u)]
    s1, s2, s3 = d1.T @ d1, d1.T @ d2, d2.T @ d2
    try:
        t = -np.linalg.solve(s3, s2.T)
    except np.linalg.LinAlgError:
        return None
    m = s1 + s2 @ t
    m = np.array([m[2] / 2, -m[1], m[0] / 2])
    _, vecs = np.linalg.eig(m)
    vecs = np.real(vecs)
    cond = 4 * vecs[0] * vecs[2] - vecs[1] ** 2
    if not (cond > 0).any():
        return None
    a1 = vecs[:, np.argmax(cond > 0)]
    A, B, C, D, E, F = np.r_[a1, t @ a1]
    s2_ = sc * sc
    a, b, c = A / s2_, B / s2_, C / s2_
    d = D / sc - 2 * a * mx - b * my
    e = E / sc - 2 * c * my - b * mx
    f = F + a * mx * mx + b * mx * my + c * my * my - D / sc * mx - E / sc * my
    return np.array([a, b, c, d, e, f])


def conic_eval(p: np.ndarray, x, y):
    a, b, c, d, e, f = p
    return a * x * x + b * x * y + c * y * y + d * x + e * y + f


def sampson_distance(p: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    a, b, c, d, e, _ = p
    gx, gy = 2 * a * x + b * y + d, b * x + 2 * c * y + e
    return np.abs(conic_eval(p, x, y)) / np.maximum(np.hypot(gx, gy), 1e-12)


def ransac_ellipse(x: np.ndarray, y: np.ndarray, thresh: float = 1.5, trials: int = 2000, seed: int = 0):
    rng = np.random.default_rng(seed)
    best, best_n = None, 0
    for _ in range(trials):
        idx = rng.choice(len(x), 6, replace=False)
        p = fit_conic(x[idx], y[idx])
        if p is None:
            continue
        inliers = sampson_distance(p, x, y) < thresh
        if inliers.sum() > best_n:
            best, best_n = inliers, int(inliers.sum())
    if best is None:
        raise SystemExit("no ellipse found")
    for _ in range(2):  # refit on the inliers
        p = fit_conic(x[best], y[best])
        best = sampson_distance(p, x, y) < thresh
    return fit_conic(x[best], y[best]), best


# --- the matte ---

def make_matte(rgb: np.ndarray) -> np.ndarray:
    """Float matte in [0, 1] (1 = subject) for coffee.png."""
    h, w = rgb.shape[:2]
    hsv = rgb2hsv(rgb)
    hue, sat, val = hsv[..., 0] * 360, hsv[..., 1], hsv[..., 2]

    # 1. the red glaze of cup and saucer
    red = ((hue < 16) | (hue > 340)) & (sat > 0.75) & (val > 0.13)
    red = largest(ndi.binary_opening(red, structure=disk(2)))
    red = ndi.binary_fill_holes(ndi.binary_closing(red, structure=disk(4)))

    # 2. the saucer as an ellipse fitted to that outline
    outline = max(find_contours(red.astype(float), 0.5), key=len)[:, ::-1]  # (x, y)
    conic, inliers = ransac_ellipse(outline[:, 0], outline[:, 1])
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = outline[inliers].mean(axis=0)
    saucer = np.sign(conic_eval(conic, xx, yy)) == np.sign(conic_eval(conic, cx, cy))

    # 3. porcelain rim and steel spoon touching the saucer, then the cup body joining them
    pale = ndi.binary_opening((sat < 0.45) & (val > 0.45), structure=disk(1))
    pale = components_touching(pale, ndi.binary_dilation(saucer, structure=disk(3)), min_size=300)
    body = ndi.binary_opening(red & ~saucer, structure=disk(4))
    body = components_touching(body, ndi.binary_dilation(pale, structure=disk(2)))
    rough = largest(ndi.binary_fill_holes(saucer | pale | body))

    # 4. snap to the real edge: watershed on the colour gradient in a band around the rough mask
    lab = rgb2lab(rgb)
    grad = sum(sobel(ndi.gaussian_filter(lab[..., i], 0.5)) for i in range(3))
    markers = np.zeros((h, w), np.int32)
    markers[~ndi.binary_dilation(rough, structure=disk(8))] = 1
    markers[ndi.binary_erosion(rough, structure=disk(5))] = 2
    subject = watershed(grad, markers) == 2
    subject = largest(ndi.binary_fill_holes(subject))
    subject = ndi.binary_opening(subject, structure=disk(2))
    subject = ndi.gaussian_filter(subject.astype(float), 3.0) > 0.5  # smooth stair-steps
    subject = largest(ndi.binary_fill_holes(subject))

    # slight feather
    return np.clip(ndi.gaussian_filter(subject.astype(float), 0.8), 0.0, 1.0)


def decontaminate(rgb: np.ndarray, alpha: np.ndarray, keep_px: int = 8) -> np.ndarray:
    """Edge pixels take the colour of the nearest opaque pixel; far transparent pixels become black."""
    opaque = alpha >= 0.99
    dist, (iy, ix) = ndi.distance_transform_edt(~opaque, return_indices=True)
    out = rgb[iy, ix]
    out[(alpha <= 0) & (dist > keep_px)] = 0
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=HERE / "coffee.png")
    ap.add_argument("--cutout", type=Path, default=HERE / "coffee_cutout.png")
    ap.add_argument("--mask", type=Path, default=HERE / "coffee_mask.png")
    ap.add_argument("--preview", type=Path, help="also write the cut-out over flat magenta here")
    args = ap.parse_args()

    rgb = np.asarray(Image.open(args.src).convert("RGB"))
    alpha = make_matte(rgb)
    a8 = np.round(alpha * 255).astype(np.uint8)

    Image.fromarray(a8, "L").save(args.mask, optimize=True)
    rgba = np.dstack([decontaminate(rgb, alpha), a8])
    Image.fromarray(rgba, "RGBA").save(args.cutout, optimize=True)
    print(f"wrote {args.mask} and {args.cutout}: subject covers {alpha.mean():.1%} of the frame")

    if args.preview:
        a = a8[..., None] / 255.0
        fg = rgba[..., :3].astype(float)
        comp = fg * a + np.array([255.0, 0.0, 255.0]) * (1 - a)
        Image.fromarray(np.round(comp).astype(np.uint8), "RGB").save(args.preview)
        print(f"wrote preview {args.preview}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
