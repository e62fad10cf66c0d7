"""The classic matte: find a photo's subject with no model weights.

Pipeline, at a reduced working size:
1. Saliency from several cues: colour contrast against each image side (the
   border is mostly background), geodesic distance from each side through the
   colour gradient, OpenCV's spectral-residual and fine-grained saliency, and
   a soft centre prior. Each side is scored apart and the second-closest side
   is kept, so a subject touching one edge (a person cut by the bottom) still
   stands out. Strata that leave the frame at both sides at the same height
   (a tree line, hills, a shore) are damped: they contrast with the top and
   bottom, yet they are background.
2. GrabCut seeded from thresholds of that map, with sure background on the
   border band except where the salient region touches it.
3. Connected components: the salient ones kept (several subjects when there
   are), specks dropped, holes filled unless they look like background.
4. Edge-aware refinement at full resolution with a guided filter (the photo as
   guide), which gives hair and fur a soft alpha.

A confidence score says how believable the result is (colour separability,
agreement with the saliency map, compactness, borders touched); below
`UNSURE_BELOW` a note says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from imgvar.matte import UNSURE_BELOW, Matte

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from imgvar.matte.select import Scorer

ENGINE = "classic"
SAL_SIDE = 160  # saliency cues are coarse: computed small, then upsampled
CUT_SIDE = 320  # GrabCut's cost grows fast with size; edges are refined later
BAND = 0.03  # border band, as a fraction of the short side
OTSU_FLOOR = 0.35
MIN_CUT_SIDE = 12  # pixels on the short side at the cut size
ROW_MATCH = 15.0  # Lab distance under which a pixel matches both sides' colours at its height


@dataclass
class Saliency:
    """Saliency maps at the cut size, each 0..1."""

    prob: np.ndarray  # combined subject probability
    contrast: np.ndarray  # colour distance to the border's colours (Lab units, not normalised)
    cues: dict[str, np.ndarray] = field(default_factory=dict)


def _rgb(image: Image.Image) -> np.ndarray:
    """The image as an RGB uint8 array; transparency is flattened on grey."""
    import numpy as np
    from PIL import Image

    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (128, 128, 128, 255))
        image = Image.alpha_composite(base, rgba)
    return np.ascontiguousarray(np.asarray(image.convert("RGB")))


def _resize(a: np.ndarray, side: int, *, nearest: bool = False) -> np.ndarray:
    import cv2

    h, w = a.shape[:2]
    s = side / max(h, w)
    if s >= 1:
        return a
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(a, size, interpolation=cv2.INTER_NEAREST if nearest else cv2.INTER_AREA)


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIE Lab as float32 with L in 0..100 and a, b roughly -128..127."""
    import cv2
    import numpy as np

    return cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)


def _sides(h: int, w: int) -> list[tuple[slice, slice]]:
    b = max(2, round(BAND * min(h, w)))
    return [(slice(0, b), slice(None)), (slice(h - b, h), slice(None)), (slice(None), slice(0, b)), (slice(None), slice(w - b, w))]


def _second_smallest(maps: list[np.ndarray]) -> np.ndarray:
    """Per pixel, the second-smallest of the side maps: a pixel is background
    when it resembles at least two sides, so one side the subject touches does
    not make the subject look like background."""
    import numpy as np

    return np.sort(np.stack(maps), axis=0)[1]


def _side_contrast(lab: np.ndarray) -> np.ndarray:
    """Distance of each pixel to the nearest colour cluster of each side."""
    import cv2
    import numpy as np

    h, w = lab.shape[:2]
    flat = lab.reshape(-1, 3)
    maps = []
    for ys, xs in _sides(h, w):
        px = np.ascontiguousarray(lab[ys, xs].reshape(-1, 3))
        k = min(6, len(px))
        cv2.setRNGSeed(7)
        crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 12, 0.5)
        _, labels, centres = cv2.kmeans(px, k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
        # Tiny clusters are often a subject's edge grazing the side: ignore them.
        counts = np.bincount(labels.ravel(), minlength=k)
        big = counts >= max(3, 0.04 * len(px))
        centres = centres[big] if big.any() else centres
        d = np.sqrt(((flat[:, None, :] - centres[None]) ** 2).sum(-1)).min(1)
        maps.append(d.reshape(h, w))
    return _second_smallest(maps)


def _row_contrast(lab: np.ndarray) -> np.ndarray:
    """Distance of each pixel to the left and right sides' colours at its own height, the larger
    of the two: a strip of trees, hills or shore that leaves the frame on both sides matches both,
    a subject cut by one side matches one."""
    import cv2
    import numpy as np

    h, w = lab.shape[:2]
    r = max(1, round(0.04 * h))
    sm = cv2.GaussianBlur(lab, (0, 0), 1.5)
    out = []
    for ys, xs in _sides(h, w)[2:]:  # the left and right bands
        side = sm[ys, xs]
        d = np.full((h, w), np.inf, np.float32)
        for dy in range(-r, r + 1):
            rows = np.clip(np.arange(h) + dy, 0, h - 1)
            for j in range(side.shape[1]):
                ref = side[rows, j][:, None, :]
                d = np.minimum(d, np.sqrt(((sm - ref) ** 2).sum(-1)))
        out.append(d)
    return np.maximum(out[0], out[1])


def _geodesic(lab: np.ndarray, texture: bool = True) -> np.ndarray:
    """Geodesic distance from each side through the colour gradient.

    With `texture` the gradient is taken after a wide blur, so foliage, grass and water do
    not wall the subject in; without, fine edges count (fur on wood, close colours)."""
    import cv2
    import numpy as np
    from skimage.graph import MCP_Geometric

    h, w = lab.shape[:2]
    sm = cv2.GaussianBlur(lab, (0, 0), 3.0 if texture else 1.0)
    gx = cv2.Sobel(sm, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(sm, cv2.CV_32F, 0, 1, ksize=3)
    grad = np.sqrt((gx**2 + gy**2).sum(-1)) / 8.0
    # Weak gradients are texture noise: only edges stronger than it cost much.
    floor = np.percentile(grad, 60 if texture else 50)
    cost = np.maximum(grad - floor, 0) + 0.05
    maps = []
    for ys, xs in _sides(h, w):
        seeds = np.zeros((h, w), bool)
        seeds[ys, xs] = True
        mcp = MCP_Geometric(cost.astype(np.float64))
        dist, _ = mcp.find_costs(list(zip(*np.nonzero(seeds))))
        maps.append(dist)
    return _second_smallest(maps)


def _opencv_saliency(rgb: np.ndarray) -> np.ndarray:
    """Spectral residual and fine-grained saliency, averaged, 0..1."""
    import cv2
    import numpy as np

    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    out = np.zeros(rgb.shape[:2], np.float32)
    for algo in (cv2.saliency.StaticSaliencySpectralResidual_create(), cv2.saliency.StaticSaliencyFineGrained_create()):
        ok, m = algo.computeSaliency(bgr)
        if ok:
            m = cv2.resize(m.astype(np.float32), (rgb.shape[1], rgb.shape[0]))
            m = cv2.GaussianBlur(m, (0, 0), max(1.0, 0.02 * max(m.shape)))
            out += _norm(m)
    return _norm(out)


def _norm(a: np.ndarray, lo: float = 1.0, hi: float = 99.0) -> np.ndarray:
    import numpy as np

    a = a.astype(np.float32)
    p0, p1 = np.percentile(a, [lo, hi])
    if p1 - p0 < 1e-6:
        return np.zeros_like(a)
    return np.clip((a - p0) / (p1 - p0), 0, 1)


def _centre_prior(h: int, w: int) -> np.ndarray:
    import numpy as np

    y = (np.arange(h, dtype=np.float32) + 0.5) / h - 0.5
    x = (np.arange(w, dtype=np.float32) + 0.5) / w - 0.5
    # Subjects sit a little below the middle more often than above it.
    return np.exp(-((x[None] / 0.4) ** 2 + ((y[:, None] - 0.05) / 0.45) ** 2) / 2)


def saliency(rgb: np.ndarray, texture: bool = True) -> Saliency:
    """The combined subject-probability map of an RGB array (at the cut size)."""
    import cv2
    import numpy as np

    small = _resize(rgb, SAL_SIDE)
    h, w = small.shape[:2]
    lab = cv2.GaussianBlur(_lab(small), (0, 0), 0.8)
    row = _row_contrast(lab)
    contrast = np.minimum(_side_contrast(lab), row)
    geo = _geodesic(lab, texture)
    ocv = _opencv_saliency(small)
    centre = _centre_prior(h, w)
    # Absolute Lab distances matter: a scene with no colour far from its border
    # has no subject, so contrast is scaled by a fixed unit, not by its own max.
    c_abs = np.clip(contrast / 30.0, 0, 1)
    c_rel = _norm(contrast)
    g_rel = _norm(geo)
    prob = 0.35 * c_rel + 0.35 * g_rel + 0.15 * ocv + 0.15 * c_abs
    # Strata that leave the frame on both sides at the same height (trees, hills, a shore) are
    # background, however much they contrast with the top and bottom.
    prob = prob * (0.7 + 0.3 * centre) * np.clip(row / ROW_MATCH, 0.3, 1.0)
    prob = cv2.GaussianBlur(prob, (0, 0), 1.0)
    size = _resize(rgb, CUT_SIDE).shape[1::-1]
    up = lambda a: cv2.resize(a.astype(np.float32), size, interpolation=cv2.INTER_LINEAR)  # noqa: E731
    cues = {"contrast": up(c_rel), "geodesic": up(g_rel), "opencv": up(ocv), "centre": up(centre)}
    return Saliency(prob=up(_norm(prob, 0, 99.5)), contrast=up(contrast), cues=cues)


def _seeds(prob: np.ndarray) -> np.ndarray:
    """GrabCut's initial labels from the probability map."""
    import cv2
    import numpy as np

    h, w = prob.shape
    t = _otsu(prob)
    mask = np.full((h, w), cv2.GC_PR_BGD, np.uint8)
    mask[prob >= t] = cv2.GC_PR_FGD
    mask[prob < 0.5 * t] = cv2.GC_BGD
    core = cv2.erode((prob >= max(t, 0.6) + 0.5 * (1 - max(t, 0.6))).astype(np.uint8), np.ones((5, 5), np.uint8))
    mask[core > 0] = cv2.GC_FGD
    band = np.zeros((h, w), bool)
    for ys, xs in _sides(h, w):
        band[ys, xs] = True
    # The border band is background, except where the salient region runs
    # into it (a subject cut by the frame).
    mask[band & (prob < t)] = cv2.GC_BGD
    return mask


def _otsu(prob: np.ndarray) -> float:
    import cv2
    import numpy as np

    t, _ = cv2.threshold((prob * 255).astype(np.uint8), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return float(np.clip(t / 255.0, OTSU_FLOOR, 0.7))


def _grabcut(rgb: np.ndarray, seeds: np.ndarray, iters: int = 3) -> np.ndarray:
    import cv2
    import numpy as np

    mask = seeds.copy()
    if not ((mask == cv2.GC_PR_FGD) | (mask == cv2.GC_FGD)).any() or not ((mask == cv2.GC_BGD) | (mask == cv2.GC_PR_BGD)).any():
        return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.setRNGSeed(1)  # GrabCut's GMM initialisation uses OpenCV's RNG
    try:
        cv2.grabCut(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), mask, None, bgd, fgd, iters, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD))
    return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))


@dataclass
class Part:
    """One connected region of the cut."""

    mask: np.ndarray  # bool, cut size
    area: int
    centroid: tuple[float, float]  # (x, y) as fractions of width and height
    saliency: float  # mean probability inside


def _parts(mask: np.ndarray, prob: np.ndarray) -> list[Part]:
    import cv2
    import numpy as np

    n, labels, stats, cents = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    h, w = mask.shape
    parts = []
    for i in range(1, n):
        m = labels == i
        parts.append(Part(m, int(stats[i, cv2.CC_STAT_AREA]), (cents[i][0] / w, cents[i][1] / h), float(prob[m].mean())))
    return parts


def _keep(parts: list[Part]) -> list[Part]:
    """The salient, large-enough parts: several subjects when there are, no specks."""
    if not parts:
        return []
    score = lambda p: p.area * (p.saliency**2)  # noqa: E731
    best = max(score(p) for p in parts)
    total = parts[0].mask.size
    top_sal = max(p.saliency for p in parts if p.area >= 0.005 * total) if any(p.area >= 0.005 * total for p in parts) else 1.0
    # A big region GrabCut grew into plain background has a low mean saliency.
    return [p for p in parts if score(p) >= 0.12 * best and p.area >= 0.002 * total and p.saliency >= 0.55 * top_sal]


def _fill_holes(mask: np.ndarray, lab: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """Fill holes, except the large ones whose colour is clearly background."""
    import cv2
    import numpy as np

    inv = (~mask).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4)
    h, w = mask.shape
    out = mask.copy()
    fg_area = max(1, int(mask.sum()))
    for i in range(1, n):
        x, y, bw, bh, area = stats[i]
        if x == 0 or y == 0 or x + bw == w or y + bh == h:
            continue  # touches the frame: outside, not a hole
        hole = labels == i
        looks_bg = float(np.median(contrast[hole])) < 8.0
        if looks_bg and area > 0.01 * fg_area:
            continue
        out |= hole
    return out


def refine(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Soft alpha (uint8) at the size of `rgb` from a coarse binary mask, with
    the photo as guide so edges follow it (and hair gets partial alpha)."""
    import cv2
    import numpy as np

    H, W = rgb.shape[:2]
    soft = mask.astype(np.float32)
    # Stage 1 at a mid size removes the cut's staircase; stage 2 at full size
    # snaps to the photo's real edges with a small radius.
    mid = _resize(rgb, 640)
    soft = cv2.resize(soft, (mid.shape[1], mid.shape[0]), interpolation=cv2.INTER_LINEAR)
    r1 = max(2, round(max(mid.shape[:2]) / CUT_SIDE * 2))
    soft = cv2.ximgproc.guidedFilter(mid, soft, r1, 1e-3)
    if (H, W) != mid.shape[:2]:
        soft = cv2.resize(soft, (W, H), interpolation=cv2.INTER_LINEAR)
        r2 = max(2, round(max(H, W) / 640 * 2))
        soft = cv2.ximgproc.guidedFilter(rgb, soft, r2, 1e-3)
    # Steepen: keep the interior solid and the background clear, leave the
    # transition soft.
    alpha = np.clip((soft - 0.5) * 1.6 + 0.5, 0, 1)
    return (alpha * 255 + 0.5).astype(np.uint8)


def _separability(lab: np.ndarray, mask: np.ndarray) -> float:
    """1 - Bhattacharyya coefficient of the fg and bg colour histograms."""
    import numpy as np

    q = np.clip(((lab + [0, 128, 128]) / [100 / 8, 256 / 8, 256 / 8]).astype(int), 0, 7)
    idx = q[..., 0] * 64 + q[..., 1] * 8 + q[..., 2]
    hf = np.bincount(idx[mask], minlength=512).astype(float)
    hb = np.bincount(idx[~mask], minlength=512).astype(float)
    if hf.sum() == 0 or hb.sum() == 0:
        return 0.0
    return float(1 - np.sqrt(hf / hf.sum() * hb / hb.sum()).sum())


def _edge_support(lab: np.ndarray, mask: np.ndarray) -> float:
    """How much stronger the colour edges are on the mask's outline than in
    the image at large: a real subject's outline follows edges in the photo."""
    import cv2
    import numpy as np

    sm = cv2.GaussianBlur(lab, (0, 0), 1.0)
    g = np.sqrt((cv2.Sobel(sm, cv2.CV_32F, 1, 0) ** 2 + cv2.Sobel(sm, cv2.CV_32F, 0, 1) ** 2).sum(-1))
    g = cv2.dilate(g, np.ones((3, 3), np.uint8))  # the outline may sit a pixel off the edge
    m8 = mask.astype(np.uint8)
    ring = (cv2.dilate(m8, np.ones((3, 3), np.uint8)) - cv2.erode(m8, np.ones((3, 3), np.uint8))) > 0
    ring[[0, -1], :] = False
    ring[:, [0, -1]] = False  # the frame is no edge of the subject
    if ring.sum() < 10:
        return 0.0
    return float(np.mean(g[ring]) / (np.mean(g) + 1e-3))


def _borders_touched(mask: np.ndarray) -> int:
    h, w = mask.shape
    edges = (mask[0], mask[-1], mask[:, 0], mask[:, -1])
    return sum(1 for e in edges if e.mean() > 0.25)


def confidence(sal: Saliency, lab: np.ndarray, mask: np.ndarray) -> tuple[float, list[str]]:
    """How believable the matte is (0..1), with the reasons it is not."""
    import numpy as np

    notes: list[str] = []
    frac = float(mask.mean())
    if frac < 0.005:
        return 0.05, ["no subject stands out from the background"]
    sep = _separability(lab, mask)
    p = sal.prob
    agree = float(p[mask].mean() - p[~mask].mean()) if frac < 1 else 0.0
    strength = float(np.clip(np.median(sal.contrast[mask]) / 25.0, 0, 1))
    touched = _borders_touched(mask)
    edge = _edge_support(lab, mask)
    score = 0.2 * sep + 0.3 * np.clip(agree / 0.5, 0, 1) + 0.25 * strength + 0.25 * np.clip((edge - 1.1) / 1.2, 0, 1)
    if edge < 1.3:
        score -= 0.2
        notes.append("the outline follows no edge in the photo")
    if frac > 0.75:
        score -= 0.25
        notes.append("the subject found covers most of the image")
    elif frac < 0.01:
        score -= 0.15
        notes.append("the subject found is tiny")
    if touched >= 3:
        score -= 0.25
        notes.append(f"the region found runs into {touched} image borders")
    # Mattes that run out through the frame's sides are mostly a horizon band (trees, a road, a
    # shore) taken with the subject: measured on real photos, the clean ones rarely touch them.
    sides = float(mask[:, :3].mean() + mask[:, -3:].mean())
    if sides > 0.05:
        score -= min(0.3, sides)
        notes.append("the region found runs out through the sides of the frame")
    if sep < 0.35:
        notes.append("subject and background colours overlap")
    if strength < 0.4:
        notes.append("little colour contrast between subject and border")
    conf = float(np.clip(score, 0, 1))
    if conf >= UNSURE_BELOW:
        notes = []
    elif not notes:
        notes.append("no clear subject")
    return round(conf, 4), notes


def cut(rgb: np.ndarray, texture: bool = True) -> tuple[np.ndarray, list[Part], Saliency]:
    """The binary cut at the cut size, its parts and the saliency behind it."""

    small = _resize(rgb, CUT_SIDE)
    sal = saliency(rgb, texture)
    out, kept = _kept(_grabcut(small, _seeds(sal.prob)), sal.prob)
    if out.any():  # a second, local pass: the colour models now learnt from the cut itself
        out, kept = _kept(_grabcut(small, _around(out)), sal.prob)
    return out, kept, sal


def _kept(mask: np.ndarray, prob: np.ndarray) -> tuple[np.ndarray, list[Part]]:
    import numpy as np

    kept = _keep(_parts(mask, prob))
    out = np.zeros(mask.shape, bool)
    for p in kept:
        out |= p.mask
    return out, kept


def _around(mask: np.ndarray) -> np.ndarray:
    """GrabCut labels for refining a cut: its core sure, its body and a band round it open, the rest background."""
    import cv2
    import numpy as np

    h, w = mask.shape
    k = max(3, round(0.04 * min(h, w))) | 1
    m8 = mask.astype(np.uint8)
    seeds = np.full((h, w), cv2.GC_BGD, np.uint8)
    seeds[cv2.dilate(m8, np.ones((3 * k, 3 * k), np.uint8)) > 0] = cv2.GC_PR_BGD
    seeds[mask] = cv2.GC_PR_FGD
    seeds[cv2.erode(m8, np.ones((k, k), np.uint8)) > 0] = cv2.GC_FGD
    return seeds


def classic_matte(
    image: Image.Image,
    subject: str | None = None,
    *,
    max_side: int = 640,
    scorer: Scorer | None = None,
) -> Matte:
    """The subject matte of an ordinary photo, found with no model weights.

    `subject` (e.g. "the dog on the left", "le chat à droite") picks among
    several candidate subjects by position words or through `scorer`.
    `max_side` bounds the size at which the mask is worked out; the alpha is
    always returned at the image's own size.
    """
    from PIL import Image

    rgb = _rgb(image)
    work = _resize(rgb, max_side)
    if min(_resize(work, CUT_SIDE).shape[:2]) < MIN_CUT_SIDE:  # a sliver: no room for a border and a subject
        return Matte(alpha=Image.new("L", image.size, 0), confidence=0.0, engine=ENGINE,
                     notes=["the image is too narrow to find a subject in"])
    # Texture-blind cues first (measured better on real photos); when that matte is unsure,
    # the fine-edged one too, and the surer of the two stands.
    mask, conf, notes = _attempt(work, subject, scorer, texture=True)
    if conf < UNSURE_BELOW:
        fine = _attempt(work, subject, scorer, texture=False)
        if fine[1] > conf:
            mask, conf, notes = fine
    alpha = refine(rgb, mask)
    return Matte(alpha=Image.fromarray(alpha, "L"), confidence=conf, engine=ENGINE, notes=notes)


def _attempt(work: np.ndarray, subject: str | None, scorer: Scorer | None, *, texture: bool,
             ) -> tuple[np.ndarray, float, list[str]]:
    """One cut at the cut size: its mask, confidence and notes."""
    mask, parts, sal = cut(work, texture)
    notes: list[str] = []
    if subject:
        mask, note = _select(work, parts, mask, subject, scorer)
        notes += [note] if note else []
    lab = _lab(_resize(work, CUT_SIDE))
    mask = _fill_holes(mask, lab, sal.contrast)
    conf, why = confidence(sal, lab, mask)
    return mask, conf, notes + why


def _select(work: np.ndarray, parts: list[Part], mask: np.ndarray, subject: str, scorer: Scorer | None) -> tuple[np.ndarray, str | None]:
    """Keep the parts the subject phrase points at."""
    import numpy as np

    from imgvar.matte.select import Candidate, pick, position_words

    hint = position_words(subject)
    if len(parts) < 2 or (hint.empty and scorer is None):
        return mask, None
    cands = [Candidate(mask=p.mask, area=p.area, centroid=p.centroid, saliency=p.saliency) for p in parts]
    chosen = pick(cands, hint, scorer=scorer, phrase=subject, image=work)
    out = np.zeros(mask.shape, bool)
    for c in chosen:
        out |= c.mask
    return out, f"kept {len(chosen)} of {len(parts)} candidate subjects for {subject!r}"
