"""Making a composite read as one photograph rather than a collage.

A cut-out gives itself away by its colour cast, by being sharper or cleaner
than the scene, by floating without a shadow, and by a fringe of its old
background around its edge. Each step here removes one of those tells.

Arrays are numpy float32 in 0..1: images H x W x 3 (RGB), masks and mattes
H x W (1 = subject). `compose` takes and returns PIL images.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from .placement import Placement


# --- colour -----------------------------------------------------------------

def _lab(rgb: np.ndarray) -> np.ndarray:
    import cv2
    import numpy as np

    return cv2.cvtColor(np.clip(rgb, 0, 1).astype(np.float32), cv2.COLOR_RGB2LAB)


def _rgb(lab: np.ndarray) -> np.ndarray:
    import cv2
    import numpy as np

    return np.clip(cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_LAB2RGB), 0, 1)


def _weighted_stats(values: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    w = weight.reshape(-1).astype(np.float64)
    v = values.reshape(-1, values.shape[-1]).astype(np.float64)
    total = w.sum()
    if total <= 0:
        w, total = np.ones_like(w), float(w.size)
    mean = (v * w[:, None]).sum(axis=0) / total
    std = np.sqrt(((v - mean) ** 2 * w[:, None]).sum(axis=0) / total)
    return mean, std


def match_colour(fg: np.ndarray, fg_mask: np.ndarray, bg: np.ndarray, amount: float,
                 bg_weight: np.ndarray | None = None) -> np.ndarray:
    """The subject moved part of the way toward the scene's light, in Lab.

    `bg_weight` (H x W of `bg`) weighs the scene's statistics toward the region
    around the subject's contact. White balance (a/b means) moves further than
    brightness contrast, which carries the subject's own shape. Identity at amount 0.
    """
    import numpy as np

    mask = fg_mask > 0.5
    if amount <= 0 or not mask.any():
        return fg
    lab_f, lab_b = _lab(fg), _lab(bg)
    weight = np.ones(bg.shape[:2], np.float32) if bg_weight is None else bg_weight
    mu_b, sd_b = _weighted_stats(lab_b, weight)
    mu_f, sd_f = _weighted_stats(lab_f, mask.astype(np.float32))
    out = lab_f.copy()
    # Luminance: the mean follows the scene's exposure halfway; contrast only a little.
    l_gain = ((sd_b[0] + 1.0) / (sd_f[0] + 1.0)) ** (0.3 * amount)
    l_target = mu_f[0] + (mu_b[0] - mu_f[0]) * 0.5 * amount
    out[..., 0] = (lab_f[..., 0] - mu_f[0]) * l_gain + l_target
    # Colour cast: moves further, but capped so a red cup stays red on a blue scene.
    shift = (mu_b[1:] - mu_f[1:]) * 0.7 * amount
    norm = float(np.hypot(*shift))
    cap = 14.0 * min(1.0, amount * 1.5)
    if norm > cap:
        shift *= cap / norm
    out[..., 1:] = lab_f[..., 1:] + shift.astype(np.float32)
    return _rgb(out)


# --- sharpness ----------------------------------------------------------------

def estimate_blur(image: np.ndarray, mask: np.ndarray | None = None, probe: float = 1.5) -> float:
    """The Gaussian sigma (pixels) of the image's edges, from how much a known re-blur weakens them.

    An edge blurred by s has a peak gradient ~ 1/s; re-blurred by s0 it has
    ~ 1/sqrt(s^2 + s0^2), so the ratio R gives s = s0 / sqrt(R^2 - 1).
    """
    import cv2
    import numpy as np

    gray = image.mean(axis=2).astype(np.float32) if image.ndim == 3 else image.astype(np.float32)
    g1 = _grad(gray)
    g2 = _grad(cv2.GaussianBlur(gray, (0, 0), probe))
    region = np.ones(gray.shape, bool) if mask is None else mask > 0.5
    # Strong edges only: flat areas and noise say nothing about the optics.
    vals = g1[region]
    if vals.size < 16:
        return 0.0
    edges = region & (g1 >= max(np.percentile(vals, 95), 0.02))
    if edges.sum() < 8:
        return 0.0
    ratio = float(np.median(g1[edges] / np.maximum(g2[edges], 1e-6)))
    if ratio <= 1.0 + 1e-3:
        return 8.0
    return float(min(8.0, probe / math.sqrt(ratio * ratio - 1.0)))


def _grad(gray: np.ndarray) -> np.ndarray:
    import cv2
    import numpy as np

    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return np.sqrt(gx * gx + gy * gy) / 8.0


def _interior(mask: np.ndarray, px: int) -> np.ndarray:
    import cv2
    import numpy as np

    kernel = np.ones((2 * px + 1, 2 * px + 1), np.uint8)
    return cv2.erode((mask > 0.5).astype(np.uint8), kernel) > 0


def match_sharpness(fg: np.ndarray, fg_mask: np.ndarray, bg: np.ndarray,
                    bg_mask: np.ndarray | None = None, max_sigma: float = 1.5) -> tuple[np.ndarray, float]:
    """The subject blurred to the scene's softness, and the sigma used; it never sharpens.

    A crisp cut-out on a soft photograph is the commonest giveaway. The subject is
    measured inside its matte (its cut edge is not its optics). The added blur is
    capped at `max_sigma`: a very soft scene is more often depth of field behind
    an in-focus subject than a soft lens, and the subject must stay readable.
    """
    import cv2

    s_fg = estimate_blur(fg, _interior(fg_mask, 3))
    s_bg = estimate_blur(bg, bg_mask)
    extra = min(max_sigma, math.sqrt(max(0.0, s_bg * s_bg - s_fg * s_fg)))
    if extra < 0.3:
        return fg, 0.0
    return cv2.GaussianBlur(fg, (0, 0), extra), extra


# --- noise --------------------------------------------------------------------

def estimate_noise(image: np.ndarray, mask: np.ndarray | None = None) -> float:
    """The grain's standard deviation, from a second-difference residual in the flat areas (robust MAD)."""
    import cv2
    import numpy as np

    gray = image.mean(axis=2).astype(np.float32) if image.ndim == 3 else image.astype(np.float32)
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)  # cancels planes and ramps
    residual = np.abs(cv2.filter2D(gray, cv2.CV_32F, kernel, borderType=cv2.BORDER_REFLECT))
    texture = _grad(cv2.GaussianBlur(gray, (0, 0), 1.5))
    region = np.ones(gray.shape, bool) if mask is None else mask > 0.5
    region[:1, :] = region[-1:, :] = False
    region[:, :1] = region[:, -1:] = False
    if region.sum() < 32:
        return 0.0
    flat = region & (texture <= np.percentile(texture[region], 40))
    # The kernel's gain on white noise is sqrt(sum k^2) = 6; MAD -> sigma is / 0.6745.
    return float(np.median(residual[flat]) / (0.6745 * 6.0)) if flat.any() else 0.0


def match_noise(fg: np.ndarray, fg_mask: np.ndarray, bg: np.ndarray, seed: int,
                bg_mask: np.ndarray | None = None) -> np.ndarray:
    """The subject given the scene's grain when it is cleaner (seeded, mostly luminance)."""
    import numpy as np

    s_bg = estimate_noise(bg, bg_mask)
    s_fg = estimate_noise(fg, _interior(fg_mask, 2))
    need = math.sqrt(max(0.0, s_bg * s_bg - s_fg * s_fg))
    if need < 0.002:
        return fg
    rng = np.random.default_rng(seed)
    h, w = fg.shape[:2]
    # Sensor grain is mostly luminance with a little colour.
    luma = rng.standard_normal((h, w, 1), dtype=np.float32)
    chroma = rng.standard_normal((h, w, 3), dtype=np.float32)
    grain = (0.9 * luma + 0.436 * chroma) * need  # unit variance per channel
    return np.clip(fg + grain, 0, 1).astype(np.float32)


# --- light and shadow -----------------------------------------------------------

def light_direction(bg: np.ndarray) -> float:
    """Where the light comes from, in degrees: 0 from the right, 90 from straight above, 180 from the left.

    Fitted as the brightness slope of the upper half (the sky or the lit walls);
    a flat slope means an overcast, overhead light.
    """
    import cv2
    import numpy as np

    gray = bg.mean(axis=2) if bg.ndim == 3 else bg
    h, w = gray.shape
    small = cv2.resize(gray.astype(np.float32), (64, max(8, round(64 * h / w))), interpolation=cv2.INTER_AREA)
    upper = small[: max(4, small.shape[0] // 2)]
    yy, xx = np.mgrid[0:upper.shape[0], 0:upper.shape[1]].astype(np.float32)
    xs = (xx / upper.shape[1] - 0.5).ravel()
    ys = (0.5 - yy / small.shape[0]).ravel()  # up is positive
    design = np.stack([np.ones_like(xs), xs, ys], axis=1)
    coef, *_ = np.linalg.lstsq(design, upper.ravel(), rcond=None)
    bx, by = float(coef[1]), float(coef[2])
    if math.hypot(bx, by) < 0.05:
        return 90.0
    # The light is somewhere above the ground: keep the angle in the upper half-plane.
    return float(math.degrees(math.atan2(max(by, 0.15 * abs(bx)), bx)))


def cast_shadow(matte_placed: np.ndarray, light_angle: float, strength: float, ground_y: int,
                horizon_y: int | None = None) -> np.ndarray:
    """A multiplier map (1 = unshadowed): a tight dark contact shadow at `ground_y` plus a
    soft cast shadow laid on the ground plane away from the light (a sheared, squashed copy of the matte).
    """
    import cv2
    import numpy as np

    h, w = matte_placed.shape
    if strength <= 0 or not (matte_placed > 0.5).any():
        return np.ones((h, w), np.float32)
    ys, xs = np.nonzero(matte_placed > 0.5)
    sub_h = max(1, int(ys.max() - ys.min() + 1))
    sub_w = max(1, int(xs.max() - xs.min() + 1))
    contact = _contact(matte_placed, ground_y, sub_w, sub_h)

    # A point t above the feet lands at x + shear*t, ground_y - squash*t: lying back, away from the light.
    shear = -math.cos(math.radians(light_angle)) * 0.9
    squash = 0.22
    m = np.float32([[1, -shear, shear * ground_y], [0, squash, ground_y * (1 - squash)]])
    cast = cv2.warpAffine(matte_placed.astype(np.float32), m, (w, h), flags=cv2.INTER_LINEAR)
    near = cv2.GaussianBlur(cast, (0, 0), max(1.0, sub_h * 0.01))
    far = cv2.GaussianBlur(cast, (0, 0), max(2.0, sub_h * 0.05))
    # Shadows soften and fade with distance from the contact.
    rows = np.arange(h, dtype=np.float32)[:, None]
    dist = np.clip((ground_y - rows) / max(1.0, squash * sub_h), 0, 1)
    cast = (near * (1 - dist) + far * dist) * (1 - 0.6 * dist)
    if horizon_y is not None:
        fade = np.clip((rows - horizon_y) / max(2.0, h * 0.02), 0, 1)  # no shadow on the sky
        cast = cast * fade
    shade = np.clip(0.9 * contact + 0.55 * cast, 0, 1)
    return (1.0 - strength * shade).astype(np.float32)


def _contact(matte: np.ndarray, ground_y: int, sub_w: int, sub_h: int) -> np.ndarray:
    """The occlusion under the base: the matte squashed flat onto the ground line, darkest at the feet."""
    import cv2
    import numpy as np

    h, w = matte.shape
    thick = max(2, round(sub_h * 0.07))
    top = max(0, ground_y - sub_h)
    flat = cv2.resize(matte[top:ground_y].astype(np.float32), (w, thick), interpolation=cv2.INTER_AREA)
    # A solid base darkens its whole width, not only its lowest pixel row.
    flat = np.clip(flat * 2.0, 0, 1)
    out = np.zeros((h, w), np.float32)
    y0 = ground_y - thick // 2
    rows = slice(max(0, y0), min(h, y0 + thick))
    out[rows] = flat[rows.start - y0: rows.stop - y0]
    return cv2.GaussianBlur(out, (0, 0), max(1.0, sub_w * 0.025), sigmaY=max(1.0, thick * 0.35))


def light_wrap(fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray, radius: float, amount: float = 0.5) -> np.ndarray:
    """Let the scene's light spill over the subject's edge, more where the scene is bright."""
    import cv2
    import numpy as np

    blurred = cv2.GaussianBlur(bg, (0, 0), max(1.0, radius))
    outside = cv2.GaussianBlur(1.0 - alpha, (0, 0), max(1.0, radius))
    rim = outside * np.clip(alpha * 4.0, 0, 1)  # only just inside the edge
    luma = blurred.mean(axis=2)
    weight = (rim * amount * np.clip(luma * 1.5, 0, 1))[..., None]
    return fg + (blurred - fg) * weight


def decontaminate(fg: np.ndarray, matte: np.ndarray, radius: float = 3.0) -> np.ndarray:
    """Edge colours pulled from the inside of the matte, so the old background's fringe goes.

    Near the edge (soft alpha or the last few pixels of a hard cut) the colour
    is a mixture with the old background. The inside colour is extended outward
    by normalised convolution, and replaces the edge colour more where alpha is
    lower; the edge's own brightness detail is kept.
    """
    import cv2
    import numpy as np

    r = max(1, round(radius))
    solid = _interior(matte, r).astype(np.float32) * (matte > 0.97)
    if solid.sum() < 4:
        return fg
    inside = fg * solid[..., None]
    est = np.zeros_like(fg)
    filled = np.zeros(matte.shape, np.float32)
    for sigma in (r, 2 * r, 4 * r, 8 * r):  # fine scales first; coarser ones fill what is still empty
        num = _blur(inside, sigma)
        den = _blur(solid, sigma)
        ok = (den > 1e-3) & (filled < 0.5)
        est[ok] = num[ok] / den[ok, None]
        filled[ok] = 1.0
    dist = cv2.distanceTransform((matte > 0.5).astype(np.uint8), cv2.DIST_L2, 3)
    edge = np.clip(1.0 - dist / (r + 1.0), 0, 1)
    weight = np.maximum(edge, np.clip(1.0 - matte, 0, 1)) * (filled > 0)
    weight = np.where(matte > 0.01, weight, 1.0 * (filled > 0))
    # Keep the edge's luminance detail (hair, rims) and take only its colour from the inside.
    luma_fg = fg.mean(axis=2, keepdims=True)
    luma_est = est.mean(axis=2, keepdims=True)
    recoloured = np.clip(est + (luma_fg - luma_est) * 0.5, 0, 1)
    return (fg + (recoloured - fg) * weight[..., None]).astype(np.float32)


def _blur(arr: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur; wide ones run on a reduced copy, which costs far less and looks the same."""
    import cv2

    factor = int(sigma // 3)
    if factor < 2:
        return cv2.GaussianBlur(arr, (0, 0), sigma)
    h, w = arr.shape[:2]
    small = cv2.resize(arr, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / factor)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def blend_edges(matte: np.ndarray, feather: float) -> np.ndarray:
    """The matte eroded by a pixel and feathered by `feather` pixels (float alpha)."""
    import cv2
    import numpy as np

    alpha = cv2.erode(matte.astype(np.float32), np.ones((3, 3), np.uint8))
    if feather > 0:
        alpha = cv2.GaussianBlur(alpha, (0, 0), max(0.5, feather))
    return np.clip(alpha, 0, 1)


# --- the whole composite ------------------------------------------------------

def compose(subject: Image.Image, matte: Image.Image, background: Image.Image, placement: Placement, *,
            harmonize: float = 0.5, feather: float = 1.5, shadow: float = 0.35, seed: int = 0,
            ) -> tuple[Image.Image, Image.Image]:
    """The subject placed, matched and grounded in the scene.

    Returns the composite (RGB, the placement's frame size) and the placed matte
    (L, same size, the subject's matte at its new place and scale).
    """
    import numpy as np
    from PIL import Image as PILImage
    from PIL import ImageOps

    from .placement import subject_box

    fw, fh = placement.frame
    box, _ = subject_box(matte)
    src = np.asarray(subject.convert("RGB").crop(box), np.float32) / 255.0
    src_matte = np.asarray(matte.convert("L").crop(box), np.float32) / 255.0
    w, h = placement.width, placement.height
    if w * h < src.shape[0] * src.shape[1]:  # clean the fringe at whichever size is smaller
        fg_small = _resize(src, (w, h))
        matte_small = np.clip(_resize(src_matte, (w, h)), 0, 1)
        fg_small = decontaminate(fg_small, matte_small, radius=max(2.0, max(w, h) / 250))
    else:
        src = decontaminate(src, src_matte, radius=max(2.0, max(src.shape[:2]) / 250))
        fg_small = _resize(src, (w, h))
        matte_small = np.clip(_resize(src_matte, (w, h)), 0, 1)

    bg_img = ImageOps.fit(background.convert("RGB"), (fw, fh), PILImage.Resampling.LANCZOS, centering=(0.5, 0.5))
    bg = np.asarray(bg_img, np.float32) / 255.0
    fg, alpha_hard = _paste(fg_small, matte_small, bg, placement)
    side = max(fw, fh) / 1000.0

    fg, sharp_sigma = _harmonise(fg, alpha_hard, bg, placement, harmonize, seed)
    if shadow > 0:
        bg = _shadow(bg, alpha_hard, placement, bg_img, shadow)
    feather_px = feather * side
    alpha = blend_edges(alpha_hard, math.hypot(feather_px, sharp_sigma))
    if harmonize > 0:
        fg = light_wrap(fg, bg, alpha, 6 * side, 0.5 * min(1.0, harmonize * 1.5))
    out = fg * alpha[..., None] + bg * (1.0 - alpha[..., None])
    image = PILImage.fromarray(np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8), "RGB")
    placed = PILImage.fromarray(np.clip(alpha_hard * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    return image, placed


def _resize(arr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    import cv2

    w, h = size
    shrink = w < arr.shape[1] or h < arr.shape[0]
    return cv2.resize(arr, (w, h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_CUBIC)


def _paste(fg_small: np.ndarray, matte_small: np.ndarray, bg: np.ndarray,
           placement: Placement) -> tuple[np.ndarray, np.ndarray]:
    """Frame-sized subject colours and matte; the parts of the box outside the frame are dropped."""
    import numpy as np

    fh, fw = bg.shape[:2]
    fg = bg.copy()
    alpha = np.zeros((fh, fw), np.float32)
    x0, y0 = placement.x, placement.y
    sx0, sy0 = max(0, -x0), max(0, -y0)
    dx0, dy0 = max(0, x0), max(0, y0)
    dx1 = min(fw, x0 + placement.width)
    dy1 = min(fh, y0 + placement.height)
    if dx1 <= dx0 or dy1 <= dy0:
        return fg, alpha
    sx1, sy1 = sx0 + (dx1 - dx0), sy0 + (dy1 - dy0)
    fg[dy0:dy1, dx0:dx1] = fg_small[sy0:sy1, sx0:sx1]
    alpha[dy0:dy1, dx0:dx1] = matte_small[sy0:sy1, sx0:sx1]
    return fg, alpha


def _surround(placement: Placement, shape: tuple[int, int]) -> np.ndarray:
    """Weights for the scene's statistics: the area around the subject, heaviest near its base."""
    import numpy as np

    fh, fw = shape
    cx = placement.x + placement.width / 2
    base = placement.y + placement.height
    yy, xx = np.mgrid[0:fh, 0:fw].astype(np.float32)
    sx = max(8.0, placement.width * 1.2)
    sy = max(8.0, placement.height * 0.9)
    local = np.exp(-0.5 * (((xx - cx) / sx) ** 2 + ((yy - (base - placement.height * 0.4)) / sy) ** 2))
    return (0.25 + local).astype(np.float32)  # the whole scene still counts: it sets the light


def _harmonise(fg: np.ndarray, alpha: np.ndarray, bg: np.ndarray, placement: Placement, amount: float,
               seed: int) -> tuple[np.ndarray, float]:
    """Colour, sharpness and grain matched; also the blur sigma given, which the matte's edge must share."""
    import numpy as np

    if amount <= 0 or not (alpha > 0.5).any():
        return fg, 0.0
    weight = _surround(placement, bg.shape[:2])
    fg = match_colour(fg, alpha, bg, amount, weight)
    near = weight > 0.6
    side = max(bg.shape[:2]) / 1000.0
    fg, sigma = match_sharpness(fg, alpha, bg, near if near.sum() > 256 else None, max_sigma=1.5 * max(1.0, side))
    fg = match_noise(fg, alpha, bg, seed, near if near.sum() > 256 else None)
    return fg.astype(np.float32), sigma


def _shadow(bg: np.ndarray, alpha: np.ndarray, placement: Placement, bg_img: Image.Image,
            strength: float) -> np.ndarray:
    from .placement import ground_line

    fh = bg.shape[0]
    ground_y = placement.y + placement.height
    if ground_y >= fh - 1:
        return bg  # cut by the frame's bottom (a bust): no feet, no ground contact to show
    horizon = round(ground_line(bg_img) * fh)
    angle = light_direction(bg)
    multiplier = cast_shadow(alpha, angle, strength, ground_y, min(horizon, ground_y - 1))
    return bg * multiplier[..., None]
