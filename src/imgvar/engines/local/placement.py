"""Where a subject goes in a new scene, and how big it is.

A cut-out that keeps its source position and scale looks pasted: a cup the size
of a city, a person covering the landmark they should stand beside. This module
reads placement words from the prompt (English and French), finds where the
background's ground meets its horizon and what its own main subject is, and
chooses a box for the subject that stands on the ground, has a plausible size
and leaves the scene's subject visible.

Sizes are (width, height) in pixels; boxes are (left, top, right, bottom).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

Box = tuple[int, int, int, int]

DEFAULT_GROUND = 0.6

# Each entry: the hint value and the folded (lower-case, unaccented) phrases that ask for it.
# Earlier entries win, so "very small" is tiny before "small" can claim it.
_HORIZONTAL = (
    ("left", ("on the left", "to the left", "at the left", "left side", "left hand side", "a gauche",
              "sur la gauche", "du cote gauche")),
    ("right", ("on the right", "to the right", "at the right", "right side", "right hand side", "a droite",
               "sur la droite", "du cote droit")),
    ("center", ("in the middle", "in the center", "in the centre", "centered", "centred", "at the center",
                "at the centre", "au centre", "au milieu", "centre", "center")),
)
_DEPTH = (
    ("foreground", ("in the foreground", "close up", "up close", "close by", "au premier plan", "en gros plan",
                    "gros plan", "de pres")),
    ("background", ("in the background", "in the distance", "far away", "far off", "distant", "a l arriere plan",
                    "en arriere plan", "a l arriere", "au loin", "au fond", "dans le lointain", "lointain")),
)
_SIZE = (
    ("tiny", ("tiny", "very small", "minuscule", "minuscules", "tres petit", "tres petite", "tres petits",
              "tres petites", "miniature")),
    ("huge", ("huge", "giant", "gigantic", "enormous", "massive", "enorme", "enormes", "geant", "geante",
              "geants", "geantes", "gigantesque")),
    ("small", ("small", "little", "petit", "petite", "petits", "petites")),
    ("large", ("big", "large", "grand", "grande", "grands", "grandes", "gros", "grosse")),
)
_VERTICAL = (
    ("top", ("at the top", "in the sky", "en haut", "dans le ciel", "in the air", "flying", "floating")),
    ("bottom", ("at the bottom", "en bas")),
)


@dataclass
class PlacementHint:
    horizontal: str | None = None  # "left" | "right" | "center"
    depth: str | None = None  # "foreground" | "background"
    size: str | None = None  # "tiny" | "small" | "large" | "huge"
    vertical: str | None = None  # "top" | "bottom"


@dataclass
class Placement:
    """The subject's box in the output frame (top-left corner, size) and the frame's size."""

    x: int
    y: int
    width: int
    height: int
    frame: tuple[int, int]

    @property
    def box(self) -> Box:
        return (self.x, self.y, self.x + self.width, self.y + self.height)


def _fold(text: str) -> str:
    """Lower-case, accents dropped, punctuation (apostrophes, hyphens) as spaces: 'À l'arrière-plan' -> 'a l arriere plan'."""
    low = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in low if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _find(folded: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    padded = f" {folded} "
    for value, phrases in table:
        if any(f" {p} " in padded for p in phrases):  # spaces on both sides: whole words only
            return value
    return None


def placement_hint(text: str) -> PlacementHint:
    """The placement words of a prompt (EN/FR, accent- and case-insensitive, whole words)."""
    folded = _fold(text or "")
    return PlacementHint(_find(folded, _HORIZONTAL), _find(folded, _DEPTH), _find(folded, _SIZE),
                         _find(folded, _VERTICAL))



_FILLER = frozenset("and et a bit un peu very quite rather plutot tres assez more plus".split())


def only_placement(text: str) -> bool:
    """Whether `text` says nothing but where and how big ("small, on the left", "au premier plan")."""
    padded = f" {_fold(text or '')} "
    found = False
    for table in (_HORIZONTAL, _DEPTH, _SIZE, _VERTICAL):
        for _, phrases in table:
            for phrase in phrases:
                if f" {phrase} " in padded:
                    padded = padded.replace(f" {phrase} ", "  ")
                    found = True
    return found and all(word in _FILLER for word in padded.split())

# --- reading the background -------------------------------------------------

def _gray_small(image: Image.Image, width: int = 192) -> np.ndarray:
    import numpy as np
    from PIL import Image as PILImage

    w, h = image.size
    scale = min(1.0, width / max(1, w))
    small = image.convert("L")
    if scale < 1.0:
        small = small.resize((max(8, round(w * scale)), max(8, round(h * scale))), PILImage.Resampling.BILINEAR)
    return np.asarray(small, dtype=np.float32) / 255.0


def _smooth1d(values: np.ndarray, sigma: float) -> np.ndarray:
    import numpy as np

    radius = max(1, int(3 * sigma))
    kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    kernel /= kernel.sum()
    return np.convolve(np.pad(values, radius, mode="edge"), kernel, mode="valid")


def _horizon_edge(gray: np.ndarray) -> tuple[int, float]:
    """The row of the strongest long horizontal edge and how much it stands out.

    The column-mean of the signed vertical gradient keeps edges that run across
    the frame (a horizon, a shoreline, the foot of a wall) and cancels texture.
    """
    import cv2
    import numpy as np

    h = gray.shape[0]
    gy = cv2.Sobel(cv2.GaussianBlur(gray, (0, 0), 1.0), cv2.CV_32F, 0, 1, ksize=3)
    # Per column sign-consistency: a horizon darkens (or brightens) most columns the same way.
    profile = np.abs(_smooth1d(gy.mean(axis=1), 1.0))
    lo, hi = int(h * 0.2), int(h * 0.93)
    band = profile[lo:hi]
    if band.size == 0:
        return int(h * DEFAULT_GROUND), 0.0
    row = lo + int(band.argmax())
    contrast = float(band.max() / (np.median(band) + 1e-3))
    return row, contrast * float(band.max() > 0.02)


def _sky_end(gray: np.ndarray) -> int | None:
    """Where a bright, low-texture top region (a sky) ends, or None when the top is no sky."""
    import cv2
    import numpy as np

    h = gray.shape[0]
    grad = np.abs(cv2.Laplacian(gray, cv2.CV_32F, ksize=3))
    texture = _smooth1d(grad.mean(axis=1), 1.5)
    bright = _smooth1d(gray.mean(axis=1), 1.5)
    top = max(2, h // 10)
    if bright[:top].mean() < 0.45 or texture[:top].mean() > 0.06:
        return None
    calm = texture[:top].mean()
    span = max(2, h // 20)
    # The sky ends where the rows below turn lastingly textured or clearly darker than the top.
    for row in range(top, int(h * 0.93) - span):
        rough = texture[row:row + span].min() > max(3.0 * calm, 0.03)
        dark = bright[row:row + span].max() < bright[:top].mean() - 0.25
        if rough or dark:
            return row
    return None


def ground_line(background: Image.Image) -> float:
    """The fraction of the height where the ground meets the horizon (about 0.6 when unsure)."""
    gray = _gray_small(background)
    h = gray.shape[0]
    row, contrast = _horizon_edge(gray)
    if contrast >= 2.5:
        return round(row / h, 4)
    sky = _sky_end(gray)
    if sky is not None and 0.3 * h <= sky <= 0.9 * h:
        return round(sky / h, 4)
    return DEFAULT_GROUND


def salient_box(background: Image.Image) -> Box | None:
    """The bounding box of the background's own main subject, or None when nothing stands out."""
    import cv2
    import numpy as np
    from PIL import Image as PILImage

    w, h = background.size
    scale = min(1.0, 128 / max(w, h))
    small = background.convert("RGB").resize((max(8, round(w * scale)), max(8, round(h * scale))),
                                             PILImage.Resampling.BILINEAR)
    arr = np.asarray(small)
    ok, spectral = cv2.saliency.StaticSaliencySpectralResidual_create().computeSaliency(arr[..., ::-1].copy())
    if not ok:
        return None
    spectral = cv2.GaussianBlur(spectral.astype(np.float32), (0, 0), 2.0)
    # Colour contrast against the image's mean Lab colour finds large objects the spectral residual misses.
    lab = cv2.cvtColor(cv2.GaussianBlur(arr.astype(np.float32) / 255.0, (0, 0), 2.0), cv2.COLOR_RGB2LAB)
    contrast = np.linalg.norm(lab - lab.reshape(-1, 3).mean(axis=0), axis=2)
    sal = _unit(spectral) + _unit(contrast)
    # Photographers frame their subject away from the borders: weigh the centre up.
    hh, ww = sal.shape
    yy, xx = np.mgrid[0:hh, 0:ww]
    sal = sal * np.exp(-(((xx / ww - 0.5) / 0.4) ** 2 + ((yy / hh - 0.5) / 0.4) ** 2))
    mask = (sal > sal.mean() + 1.5 * sal.std()).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return None
    best = 1 + int(np.argmax([(sal[labels == i]).sum() for i in range(1, count)]))
    x, y, bw, bh, area = stats[best]
    frac = area / mask.size
    if frac < 0.004 or bw * bh > 0.6 * mask.size:
        return None  # specks or half the frame: no single subject to keep clear
    inv = 1.0 / scale
    return (int(x * inv), int(y * inv), min(w, math.ceil((x + bw) * inv)), min(h, math.ceil((y + bh) * inv)))


def _unit(a: np.ndarray) -> np.ndarray:
    lo, hi = float(a.min()), float(a.max())
    return (a - lo) / (hi - lo) if hi > lo else a * 0.0


# --- choosing the box -------------------------------------------------------

def output_frame(source_size: tuple[int, int], background_size: tuple[int, int]) -> tuple[int, int]:
    """The output size: the background's aspect ratio, the source's longest side, at most twice the background's."""
    bw, bh = background_size
    side = min(max(source_size), 2 * max(bw, bh))
    if bw >= bh:
        return side, max(1, round(side * bh / bw))
    return max(1, round(side * bw / bh)), side


def subject_box(matte: Image.Image, threshold: int = 8) -> tuple[Box, bool]:
    """The matte's tight box and whether the subject is cut by the image's bottom edge (a bust, a cropped table)."""
    box = matte.point(lambda v: 255 if v > threshold else 0).getbbox()
    if box is None:
        raise UsageError("the subject mask is empty (no pixel marks the subject)")
    return box, box[3] >= matte.size[1] - 1


def check_overrides(at: tuple[float, float] | None, scale: float | None) -> None:
    """`at` must be two fractions 0..1 and `scale` a fraction in (0, 2]."""
    if at is not None:
        if len(at) != 2 or not all(isinstance(v, (int, float)) and math.isfinite(v) and 0 <= v <= 1 for v in at):
            shown = ",".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in at)
            raise UsageError(f"--at {shown}: both numbers are fractions of the frame, from 0 to 1")
    if scale is not None:
        if not (isinstance(scale, (int, float)) and math.isfinite(scale) and 0 < scale <= 2):
            shown = f"{scale:g}" if isinstance(scale, (int, float)) else str(scale)
            raise UsageError(f"--scale {shown}: the subject's height as a fraction of the frame, above 0 and at "
                             "most 2")


# Subject height as a fraction of the frame height.
_SIZE_FRACTION = {"tiny": 0.14, "small": 0.28, None: 0.5, "large": 0.68, "huge": 0.85}
_DEPTH_FACTOR = {"background": 0.55, None: 1.0, "foreground": 1.35}
# Where the feet stand between the horizon (0) and the frame bottom (1).
_FOOT_DEPTH = {"background": 0.12, None: 0.5, "foreground": 0.85}


# A subject cut by the frame's bottom (a bust) is a near view: the frame crops a body that goes on below,
# so even a "small" one fills more of the height than a whole figure would.
_CUT_SIZE_FRACTION = {"tiny": 0.35, "small": 0.45, None: 0.65, "large": 0.8, "huge": 0.92}
_CUT_DEPTH_FACTOR = {"background": 0.75, None: 1.0, "foreground": 1.2}


def _height_fraction(hint: PlacementHint, cut_bottom: bool) -> float:
    if cut_bottom:
        return min(_CUT_SIZE_FRACTION[hint.size] * _CUT_DEPTH_FACTOR[hint.depth], 0.95)
    return min(_SIZE_FRACTION[hint.size] * _DEPTH_FACTOR[hint.depth], 0.95)


def _x_centre(hint: PlacementHint, width: int, w: int) -> float:
    third = 0.25 if w < width * 0.3 else 1 / 3
    return {"left": third, "right": 1 - third}.get(hint.horizontal or "", 0.5) * width


def _overlap(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy / max(1, (b[2] - b[0]) * (b[3] - b[1]))


def _avoid(x: int, y: int, w: int, h: int, frame: tuple[int, int], salient: Box | None,
           hint: PlacementHint) -> int:
    """Slide the box sideways so it hides as little of the scene's own subject as it can."""
    if salient is None:
        return x
    width = frame[0]
    margin = round(width * 0.06)  # hugging the frame's edge reads as cropped, not placed
    lo, hi = margin, max(margin, width - w - margin)
    if hint.horizontal == "left":
        hi = max(lo, min(hi, width // 2 - w // 2))
    elif hint.horizontal == "right":
        lo = min(hi, max(lo, width // 2 - w // 2))
    if _overlap((x, y, x + w, y + h), salient) < 0.05:
        return x
    best, best_cost = x, float("inf")
    for cx in range(lo, hi + 1, max(1, (hi - lo) // 40 or 1)):
        # Covering the scene's subject costs most; straying from the asked-for spot a little.
        cost = _overlap((cx, y, cx + w, y + h), salient) + 0.3 * abs(cx - x) / width
        if cost < best_cost:
            best, best_cost = cx, cost
    return best


def place(subject_size: tuple[int, int], background_size: tuple[int, int], background: Image.Image | None,
          hint: PlacementHint, *, at: tuple[float, float] | None = None, scale: float | None = None,
          source_size: tuple[int, int] | None = None, cut_bottom: bool = False) -> Placement:
    """The subject's box in the output frame.

    `subject_size` is the matte's tight box; `source_size` the whole source image
    (it sets the frame's resolution; the subject's size when omitted).
    `cut_bottom` says the matte touches the source's bottom edge: the subject
    then stays anchored to the frame's bottom. `at` (bottom-centre, fractions of
    the frame) and `scale` (height as a fraction of the frame) override the defaults.
    """
    check_overrides(at, scale)
    width, height = frame = output_frame(source_size or subject_size, background_size)
    sw, sh = max(1, subject_size[0]), max(1, subject_size[1])
    aspect = sw / sh
    frac = scale if scale is not None else _height_fraction(hint, cut_bottom)
    h = frac * height
    w = h * aspect
    if scale is None and w > 0.9 * width:  # never wider than the frame allows
        w = 0.9 * width
        h = w / aspect
    w, h = max(1, round(w)), max(1, round(h))
    if at is not None:
        return Placement(round(at[0] * width - w / 2), round(at[1] * height - h), w, h, frame)

    ground = ground_line(background) if background is not None else DEFAULT_GROUND
    y = _default_y(h, height, ground, hint, cut_bottom, fixed_size=scale is not None)
    x = round(_x_centre(hint, width, w) - w / 2)
    margin = round(width * 0.03)
    x = min(max(x, margin), max(margin, width - w - margin)) if w <= width - 2 * margin else (width - w) // 2
    if background is not None:
        box = salient_box(background)
        if box is not None:
            bw, bh = background.size
            box = _to_frame(box, (bw, bh), frame)
            x = _avoid(x, y, w, h, frame, box, hint)
    return Placement(x, y, w, h, frame)


def _default_y(h: int, height: int, ground: float, hint: PlacementHint, cut_bottom: bool, fixed_size: bool) -> int:
    if cut_bottom or hint.vertical == "bottom" and hint.depth != "background":
        return height - h if cut_bottom else round(height * 0.97) - h
    if hint.vertical == "top":
        return round(height * 0.06)
    foot = ground + _FOOT_DEPTH[hint.depth] * (1.0 - ground)
    y = round(foot * height) - h
    top_margin = round(height * 0.04)
    if y < top_margin and not fixed_size:
        # Too tall to stand there with its head in the frame: step toward the camera first.
        y = min(top_margin, round(height * 0.97) - h)
    return y


def _to_frame(box: Box, size: tuple[int, int], frame: tuple[int, int]) -> Box:
    """A box in background pixels mapped into the cover-fitted frame."""
    bw, bh = size
    fw, fh = frame
    s = max(fw / bw, fh / bh)
    ox, oy = (bw * s - fw) / 2, (bh * s - fh) / 2
    return (round(box[0] * s - ox), round(box[1] * s - oy), round(box[2] * s - ox), round(box[3] * s - oy))


# --- adding an object -------------------------------------------------------

_BESIDE = ("next to", "beside", "besides", "near", "by", "alongside", "a cote de", "a cote du", "a cote des",
           "pres de", "pres du", "aupres de")
_ON = ("on", "on top of", "onto", "atop", "over", "wearing", "sur", "au dessus de", "au dessus du", "porte",
       "portant", "coiffe de")


def _relation_kind(relation: str) -> str:
    folded = f" {_fold(relation)} "
    if any(f" {p} " in folded for p in _BESIDE):
        return "beside"
    if any(f" {p} " in folded for p in _ON):
        return "on"
    return "scene"


def place_object(object_size: tuple[int, int], scene_size: tuple[int, int], relation: str, anchor_box: Box | None,
                 hint: PlacementHint, *, background: Image.Image | None = None) -> Placement:
    """A box for an added object: on top of the anchor ("a hat on the dog"), beside it, or in the scene."""
    kind = _relation_kind(relation)
    if anchor_box is None or kind == "scene":
        size = hint.size or "small"  # an added object is a detail unless the prompt says otherwise
        frame_hint = PlacementHint(hint.horizontal, hint.depth, size, hint.vertical)
        placed = place(object_size, scene_size, background, frame_hint, source_size=scene_size)
        return _rescale(placed, scene_size)
    ow, oh = max(1, object_size[0]), max(1, object_size[1])
    aspect = ow / oh
    ax0, ay0, ax1, ay1 = anchor_box
    aw, ah = max(1, ax1 - ax0), max(1, ay1 - ay0)
    width, height = scene_size
    if kind == "on":
        frac = {"tiny": 0.25, "small": 0.35, None: 0.5, "large": 0.7, "huge": 0.9}[hint.size]
        w = max(1, round(aw * frac))
        h = max(1, round(w / aspect))
        cx = (ax0 + ax1) / 2
        # Sink it a little into the anchor's top so it rests on it rather than hovering.
        y = ay0 - round(h * 0.85)
        x = round(cx - w / 2)
    else:
        frac = {"tiny": 0.2, "small": 0.35, None: 0.6, "large": 0.85, "huge": 1.1}[hint.size]
        h = max(1, round(ah * frac))
        w = max(1, round(h * aspect))
        gap = round(aw * 0.06)
        room_left, room_right = ax0, width - ax1
        left = hint.horizontal == "left" or (hint.horizontal != "right" and room_left > room_right)
        x = ax0 - gap - w if left else ax1 + gap
        y = ay1 - h  # same ground line as the anchor
    x = min(max(x, 0), max(0, width - w))
    y = min(max(y, 0), max(0, height - h))
    return Placement(x, y, w, h, (width, height))


def _rescale(placed: Placement, scene_size: tuple[int, int]) -> Placement:
    """`place` sizes its frame from the source; an added object lives in the scene's own frame."""
    fw, fh = placed.frame
    sx, sy = scene_size[0] / fw, scene_size[1] / fh
    return Placement(round(placed.x * sx), round(placed.y * sy), max(1, round(placed.width * sx)),
                     max(1, round(placed.height * sy)), scene_size)
