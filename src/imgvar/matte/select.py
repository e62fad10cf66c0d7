"""Choosing among candidate subjects when the prompt names one.

`position_words` reads where the wanted subject is from a phrase in English or
French ("the woman on the left", "le chat à droite", "the biggest one");
`pick` keeps the candidates that fit. A text–image scorer (`Scorer`) can rank
candidates by what they show; with neither a scorer nor position words every
salient candidate is kept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image


class Scorer(Protocol):
    """Scores how well each crop matches a text (higher = better)."""

    def __call__(self, image: Image.Image, crops: list[Image.Image], text: str) -> list[float]: ...


@dataclass
class Candidate:
    """One candidate subject."""

    mask: np.ndarray  # bool, at the size of the image it was found in
    area: int  # pixels of mask
    centroid: tuple[float, float]  # (x, y) as fractions of width and height
    saliency: float  # 0..1, how much it stands out
    box: tuple[int, int, int, int] | None = None  # (x0, y0, x1, y1), from the mask when None

    def bbox(self) -> tuple[int, int, int, int]:
        if self.box is not None:
            return self.box
        import numpy as np

        ys, xs = np.nonzero(self.mask)
        if len(xs) == 0:
            return (0, 0, 0, 0)
        return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


@dataclass(frozen=True)
class PositionHint:
    """Where the wanted subject is, as read from a phrase."""

    horizontal: str | None = None  # "left", "right", "centre"
    vertical: str | None = None  # "top", "bottom", "centre"
    depth: str | None = None  # "foreground", "background"
    size: str | None = None  # "largest", "smallest"

    @property
    def empty(self) -> bool:
        return not (self.horizontal or self.vertical or self.depth or self.size)


def _fold(text: str) -> str:
    """Lower case without accents, apostrophes as spaces: 'À droite' -> 'a droite'."""
    t = unicodedata.normalize("NFKD", text.lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[’'`\-_]", " ", t)


# Multi-word phrases come first so "premier plan" wins over a lone "plan".
_WORDS: list[tuple[str, str, str]] = [
    ("depth", "foreground", r"\b(foreground|front|nearest|closest|premier plan|au premier plan|devant)\b"),
    ("depth", "background", r"\b(background|far|farthest|furthest|arriere plan|au fond|second plan|derriere)\b"),
    ("size", "largest", r"\b(largest|biggest|bigger|larger|plus grand|plus grande|plus gros|plus grosse)\b"),
    ("size", "smallest", r"\b(smallest|smaller|tiniest|plus petit|plus petite)\b"),
    ("horizontal", "left", r"\b(left|leftmost|gauche)\b"),
    ("horizontal", "right", r"\b(right|rightmost|droite)\b"),
    ("vertical", "top", r"\b(top|upper|above|haut|en haut|dessus)\b"),
    ("vertical", "bottom", r"\b(bottom|lower|below|bas|en bas|dessous)\b"),
    ("horizontal", "centre", r"\b(centre|center|central|middle|milieu|au centre)\b"),
]


def position_words(text: str) -> PositionHint:
    """The position, depth and size words of a phrase (English and French)."""
    t = _fold(text)
    found: dict[str, str] = {}
    for axis, value, pattern in _WORDS:
        if axis not in found and re.search(pattern, t):
            found[axis] = value
    return PositionHint(**found)


def _position_score(c: Candidate, hint: PositionHint) -> float:
    """Higher = fits the position words better."""
    x, y = c.centroid
    s = 0.0
    if hint.horizontal == "left":
        s -= x
    elif hint.horizontal == "right":
        s += x
    elif hint.horizontal == "centre":
        s -= abs(x - 0.5)
    if hint.vertical == "top":
        s -= y
    elif hint.vertical == "bottom":
        s += y
    elif hint.vertical == "centre":
        s -= abs(y - 0.5)
    if hint.depth:
        # Nearer things sit lower in the frame and look bigger.
        y1 = c.bbox()[3]
        h = max(1, c.mask.shape[0]) if c.mask is not None else 1
        near = 0.5 * (y1 / h) + 0.5 * min(1.0, (c.area / max(1, c.mask.size)) ** 0.5 * 3)
        s += near if hint.depth == "foreground" else -near
    return s


def _crops(image: Image.Image, cands: list[Candidate]) -> list[Image.Image]:
    out = []
    for c in cands:
        x0, y0, x1, y1 = c.bbox()
        if c.mask is not None and c.mask.shape[::-1] != image.size:
            sx, sy = image.width / c.mask.shape[1], image.height / c.mask.shape[0]
            x0, y0, x1, y1 = int(x0 * sx), int(y0 * sy), int(x1 * sx) + 1, int(y1 * sy) + 1
        out.append(image.crop((x0, y0, max(x0 + 1, x1), max(y0 + 1, y1))))
    return out


def pick(
    components: list[Candidate],
    hint: PositionHint,
    scorer: Scorer | None = None,
    phrase: str | None = None,
    *,
    image: Image.Image | np.ndarray | None = None,
) -> list[Candidate]:
    """The candidates a phrase points at.

    Position words choose one candidate (the leftmost for "left", the largest
    for "biggest", ...). A scorer, given the image and the phrase, ranks the
    candidates by content; with position words too, the two ranks are summed.
    With neither, every candidate is kept.
    """
    if len(components) <= 1:
        return list(components)
    ranks = [0.0] * len(components)
    used = False
    if hint.size:
        sign = 1 if hint.size == "largest" else -1
        ranks = [r + sign * _rank([c.area for c in components])[i] for i, (r, c) in enumerate(zip(ranks, components))]
        used = True
    if hint.horizontal or hint.vertical or hint.depth:
        pos = _rank([_position_score(c, hint) for c in components])
        ranks = [r + p for r, p in zip(ranks, pos)]
        used = True
    if scorer is not None and phrase and image is not None:
        pil = _as_pil(image)
        scores = list(scorer(pil, _crops(pil, components), phrase))
        if len(scores) == len(components):
            ranks = [r + s for r, s in zip(ranks, _rank(scores))]
            used = True
    if not used:
        return list(components)
    best = max(range(len(components)), key=lambda i: (ranks[i], components[i].saliency, -i))
    return [components[best]]


def _rank(values: list[float]) -> list[float]:
    """Values mapped to 0..1 by rank (ties share), so cues of different scales add fairly."""
    order = sorted(set(values))
    n = max(1, len(order) - 1)
    return [order.index(v) / n for v in values]


def _as_pil(image: Image.Image | np.ndarray) -> Image.Image:
    from PIL import Image

    return image if isinstance(image, Image.Image) else Image.fromarray(image)
