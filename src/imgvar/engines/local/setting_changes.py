"""Offline setting changes: the subject kept pixel for pixel, its background relit or restaged.

Only changes that a photograph's own background can honestly carry are offered: a time of
day (night, dusk, sunset, golden hour, dawn), weather (fog, rain, snow), a season (autumn,
winter), a shallow depth of field, or a plain, gradient or studio backdrop. A new place
("on a beach", "in Paris", "on the moon") would have to be invented, so such settings are
recognised and left to the caller to refuse.

The effects run on a *background plate*: the photo with the subject region filled from the
surrounding background, so no effect (blur, haze, glow) ever picks up the subject's colours.
The result is composited back through the matte; fully opaque subject pixels are copied
from the input unchanged, and only the soft edge takes on a little of the new light.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from PIL import Image

if TYPE_CHECKING:
    import numpy as np

OFFLINE_SETTINGS: tuple[str, ...] = (
    "night", "dusk", "sunset", "golden hour", "dawn", "morning", "fog", "rain", "snow",
    "autumn", "winter", "background blur", "plain colour background", "gradient background",
    "photo studio",
)


# --- recipe --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingEffect:
    """One effect: its name, how strong (1.0 = the usual look) and, for backdrops, a colour."""

    name: str
    strength: float = 1.0
    color: tuple[int, int, int] | None = None
    color_words: tuple[str, str] | None = None  # how to name the colour: (English, French)


@dataclass
class SettingRecipe:
    """The effects in the order they are applied, and how a person would describe the result."""

    effects: list[SettingEffect] = field(default_factory=list)
    summary_en: str = ""
    summary_fr: str = ""

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.effects]


# Effect name -> (English phrase, French phrase) for the output prompt.
_PHRASES: dict[str, tuple[str, str]] = {
    "night": ("at night", "de nuit"),
    "dusk": ("at dusk", "au crépuscule"),
    "sunset": ("at sunset", "au coucher du soleil"),
    "golden_hour": ("at golden hour", "à l'heure dorée"),
    "dawn": ("at dawn", "à l'aube"),
    "morning": ("in the morning", "le matin"),
    "fog": ("in the fog", "dans le brouillard"),
    "rain": ("in the rain", "sous la pluie"),
    "snow": ("in falling snow", "sous la neige"),
    "autumn": ("in autumn", "en automne"),
    "winter": ("in winter", "en hiver"),
    "blur": ("against a blurred background", "devant un arrière-plan flou"),
    "backdrop": ("on a plain {en} background", "sur un fond {fr} uni"),
    "gradient": ("on a {en} gradient background", "sur un fond dégradé {fr}"),
    "studio": ("in a photo studio", "dans un studio photo"),
}

# Effects compose in a physical order, whatever order the words came in: the backdrop first,
# then what lies on surfaces (leaves, snow cover), then the light, then what is in the air.
_ORDER = ("backdrop", "gradient", "studio", "blur", "autumn", "winter", "snow", "golden_hour",
          "sunset", "dusk", "dawn", "morning", "night", "fog", "rain")


# --- parsing -------------------------------------------------------------------------------------

# (pattern on folded text, effect). Longer phrases come first so they win over their parts.
_RULES: tuple[tuple[str, str], ...] = (
    (r"golden hour|magic hour|heure doree|heure magique", "golden_hour"),
    (r"blue hour|heure bleue|twilight|crepuscule|dusk|evening|soir|soiree|tombee de la nuit|nightfall", "dusk"),
    (r"coucher (?:du |de )?soleil|soleil couchant|sunset|sundown", "sunset"),
    (r"lever (?:du |de )?soleil|soleil levant|petit matin|sunrise|daybreak|first light|dawn|aube|aurore",
     "dawn"),
    (r"morning|matin|matinee", "morning"),
    (r"(?:mid)?night(?: ?time)?|after dark|nuit|nocturne", "night"),
    (r"fog(?:gy)?|mist(?:y)?|haze|hazy|brouillard|brume(?:ux|use)?|embrume(?:e)?", "fog"),
    (r"thunderstorm|storm(?:y)?|rain(?:y|ing|fall|storm)?|downpour|drizzle|pluie|pluvieu(?:x|se)|averse|orage"
     r"|il pleut|qui pleut", "rain"),
    (r"snow(?:y|ing|fall|storm)?|blizzard|neige(?:ux|use|uses)?|enneige(?:e|s|es)?|flocons?|il neige|qui neige",
     "snow"),
    (r"autumn(?:al)?|fall|automn(?:e|al|ale)", "autumn"),
    (r"winter(?:y)?|wintry|hiver|hivernal(?:e)?", "winter"),
    (r"(?:shallow )?depth of field|profondeur de champ|portrait mode|mode portrait|bokeh|out of focus"
     r"|defocus(?:ed)?|blur(?:red|ry)?|flou(?:e|te|tee)?|brouille", "blur"),
    (r"gradient|degrade", "gradient"),
    (r"(?:photo )?studio(?: photo)?", "studio"),
)

_COLORS: dict[str, tuple[int, int, int]] = {
    "white": (255, 255, 255), "blanc": (255, 255, 255), "blanche": (255, 255, 255),
    "black": (0, 0, 0), "noir": (0, 0, 0), "noire": (0, 0, 0),
    "grey": (128, 128, 130), "gray": (128, 128, 130), "gris": (128, 128, 130), "grise": (128, 128, 130),
    "blue": (40, 96, 170), "bleu": (40, 96, 170), "bleue": (40, 96, 170),
    "navy": (20, 32, 80), "marine": (20, 32, 80),
    "red": (190, 30, 40), "rouge": (190, 30, 40),
    "green": (40, 130, 70), "vert": (40, 130, 70), "verte": (40, 130, 70),
    "yellow": (240, 200, 40), "jaune": (240, 200, 40),
    "orange": (240, 130, 30),
    "pink": (240, 170, 190), "rose": (240, 170, 190),
    "purple": (110, 50, 140), "violet": (110, 50, 140), "violette": (110, 50, 140),
    "beige": (225, 212, 188), "cream": (246, 240, 220), "creme": (246, 240, 220),
    "brown": (110, 70, 40), "marron": (110, 70, 40), "brun": (110, 70, 40),
    "teal": (20, 120, 120), "turquoise": (60, 200, 190),
}
_COLOR_FR = {
    (255, 255, 255): "blanc", (0, 0, 0): "noir", (128, 128, 130): "gris", (40, 96, 170): "bleu",
    (20, 32, 80): "bleu marine", (190, 30, 40): "rouge", (40, 130, 70): "vert", (240, 200, 40): "jaune",
    (240, 130, 30): "orange", (240, 170, 190): "rose", (110, 50, 140): "violet", (225, 212, 188): "beige",
    (246, 240, 220): "crème", (110, 70, 40): "marron", (20, 120, 120): "bleu canard",
    (60, 200, 190): "turquoise",
}
_COLOR_EN = {
    (255, 255, 255): "white", (0, 0, 0): "black", (128, 128, 130): "grey", (40, 96, 170): "blue",
    (20, 32, 80): "navy", (190, 30, 40): "red", (40, 130, 70): "green", (240, 200, 40): "yellow",
    (240, 130, 30): "orange", (240, 170, 190): "pink", (110, 50, 140): "purple", (225, 212, 188): "beige",
    (246, 240, 220): "cream", (110, 70, 40): "brown", (20, 120, 120): "teal", (60, 200, 190): "turquoise",
}
_SHADES = {"light": 0.45, "pale": 0.55, "clair": 0.45, "claire": 0.45, "pastel": 0.55,
           "dark": -0.5, "deep": -0.35, "fonce": -0.5, "foncee": -0.5, "sombre": -0.5}
_SHADE_WORDS = {0.45: ("light", "clair"), 0.55: ("pale", "pâle"), -0.5: ("dark", "foncé"),
                -0.35: ("deep", "profond")}

_STRONG = {"heavy", "dense", "thick", "strong", "intense", "deep", "very", "forte", "fort", "epais",
           "epaisse", "battante", "grosse", "gros", "tres", "pouring"}
_WEAK = {"light", "soft", "gentle", "slight", "faint", "subtle", "fine", "leger", "legere", "douce", "doux",
         "little", "bit", "slightly", "peu"}

# Words that carry no place of their own: articles, prepositions, verbs of the request,
# and the nouns that name the background itself.
_NEUTRAL = set("""
a an the at in on by with and into onto to of it its make put place set turn change show give during under
while as some this that scene setting time day days weather season light lighting sky background backdrop
backgrounds bg plain solid flat uniform simple seamless colour color colored coloured mode shot photo picture
image version look looking like cold bright dark beautiful lovely nice moody atmosphere ambiance
le la les l un une des de du d au aux en dans sous sur avec et par pendant mettre mets met faire fais rends
rendre une scene decor fond arriere plan arriereplan uni unie temps jour journee saison lumiere eclairage
ciel ambiance froid froide tout toute couleur photo image version
""".split())


def _fold(text: str) -> str:
    """Lowercase, accents stripped, apostrophes and punctuation as spaces; same length as `text`."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)[:1].lower() or " "
        out.append(base if base.isalnum() and base.isascii() else " ")
    return "".join(out)


@dataclass
class _Parse:
    effects: list[tuple[int, SettingEffect]]  # (position in the text, effect)
    unsupported: list[str]


def _parse(setting: str) -> _Parse:
    folded = _fold(setting)
    taken = [False] * len(folded)
    found: list[tuple[int, int, str]] = []  # start, end, effect
    for pattern, effect in _RULES:
        for m in re.finditer(rf"\b(?:{pattern})\b", folded):
            if not any(taken[m.start():m.end()]):
                found.append((m.start(), m.end(), effect))
                taken[m.start():m.end()] = [True] * (m.end() - m.start())
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[a-z0-9]+", folded)
             if not any(taken[m.start():m.end()])]
    color, color_at, shade, has_backdrop_word = None, -1, 0.0, False
    strengths: list[tuple[int, float]] = []
    unsupported: list[str] = []
    for start, end, word in words:
        if word in _COLORS:
            color, color_at = _COLORS[word], start
        elif word in _SHADES:
            shade = _SHADES[word]
            if word in ("light", "dark", "deep"):  # also plain adjectives: "light rain", "deep night"
                strengths.append((start, 0.6 if word == "light" else 1.35))
        elif word in _STRONG:
            strengths.append((start, 1.35))
        elif word in _WEAK:
            strengths.append((start, 0.6))
        elif word in _NEUTRAL:
            has_backdrop_word |= word in ("background", "backdrop", "backgrounds", "bg", "fond", "plain",
                                          "solid", "uni", "unie", "seamless")
        else:
            unsupported.append(setting[start:end])
    names = {e for _, _, e in found}
    color_words = None
    if color is not None:
        en, fr = _COLOR_EN[color], _COLOR_FR[color]
        if shade:
            color = _shade(color, shade)
            en, fr = f"{_SHADE_WORDS[shade][0]} {en}", f"{fr} {_SHADE_WORDS[shade][1]}"
        color_words = (en, fr)
    if color is not None and not (names & {"gradient", "studio"}):
        if has_backdrop_word:
            found.append((color_at, color_at + 1, "backdrop"))
        else:
            unsupported.append(setting[color_at:].split()[0] if color_at >= 0 else "colour")
    elif has_backdrop_word and not names and color is None and "plain" in folded:
        color, color_words = (255, 255, 255), ("white", "blanc")
        found.append((folded.index("plain"), folded.index("plain") + 5, "backdrop"))
    effects = []
    for start, end, name in sorted(found):
        strength = _nearest_strength(start, end, strengths, found)
        needs_color = name in ("backdrop", "gradient", "studio")
        effects.append((start, SettingEffect(name, 1.0 if needs_color else strength, color if needs_color else None,
                                             color_words if needs_color and color is not None else None)))
    return _Parse(_dedupe(effects), unsupported)


def _shade(color: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """Lighter toward white for amount > 0, darker toward black for amount < 0."""
    if amount > 0:
        return tuple(round(c + (255 - c) * amount) for c in color)  # type: ignore[return-value]
    return tuple(round(c * (1 + amount)) for c in color)  # type: ignore[return-value]


def _nearest_strength(start: int, end: int, strengths: list[tuple[int, float]],
                      found: list[tuple[int, int, str]]) -> float:
    """A strength word applies to the effect it is closest to ("heavy rain", "pluie battante")."""
    best = 1.0
    for at, value in strengths:
        nearest = min(found, key=lambda f: min(abs(at - f[0]), abs(at - f[1])))
        if nearest[0] == start and nearest[1] == end:
            best = value
    return best


def _dedupe(effects: list[tuple[int, SettingEffect]]) -> list[tuple[int, SettingEffect]]:
    seen: set[str] = set()
    out = []
    for at, effect in effects:
        if effect.name not in seen:
            seen.add(effect.name)
            out.append((at, effect))
    # A plain backdrop replaces the scene: gradient or studio already imply it.
    if {"gradient", "studio"} & seen:
        out = [(at, e) for at, e in out if e.name != "backdrop"]
    return out


def unsupported_words(setting: str) -> list[str]:
    """The words of `setting` that an offline change cannot honour (places, new scenes, objects)."""
    return _parse(setting).unsupported


def plan_setting(setting: str) -> SettingRecipe | None:
    """The recipe for `setting` (English or French), or None when any part of it names something
    that is not in the photo and cannot be made offline, or when it names no change at all."""
    parsed = _parse(setting)
    if parsed.unsupported or not parsed.effects:
        return None
    in_text_order = [e for _, e in parsed.effects]
    ordered = sorted(in_text_order, key=lambda e: _ORDER.index(e.name))
    en = ", ".join(_phrase(e, 0) for e in in_text_order)
    fr = ", ".join(_phrase(e, 1) for e in in_text_order)
    return SettingRecipe(ordered, en, fr)


def _phrase(effect: SettingEffect, lang: int) -> str:
    text = _PHRASES[effect.name][lang]
    if "{" in text:
        default = ("white", "blanc") if effect.name == "backdrop" else ("grey", "gris")
        en, fr = effect.color_words or default
        text = text.format(en=en, fr=fr)
    return text


# --- rendering: shared tools ---------------------------------------------------------------------


@dataclass
class _Scene:
    """What every effect may consult: the matte, the frame geometry and the seeded randomness."""

    alpha: np.ndarray  # (H, W) float32 in 0..1
    rng: np.random.Generator
    seed: int

    @property
    def h(self) -> int:
        return int(self.alpha.shape[0])

    @property
    def w(self) -> int:
        return int(self.alpha.shape[1])

    @property
    def side(self) -> float:
        return float(max(self.h, self.w))

    def box(self) -> tuple[int, int, int, int]:
        """The subject's bounding box (x0, y0, x1, y1); the middle of the frame if there is none."""
        import numpy as np

        ys, xs = np.nonzero(self.alpha > 0.5)
        if len(xs) == 0:
            return self.w // 3, self.h // 3, 2 * self.w // 3, 2 * self.h // 3
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _smoothstep(lo: float, hi: float, x: np.ndarray) -> np.ndarray:
    import numpy as np

    t = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _luma(x: np.ndarray) -> np.ndarray:
    return x[..., 0] * 0.2126 + x[..., 1] * 0.7152 + x[..., 2] * 0.0722


def _saturate(x: np.ndarray, amount: np.ndarray | float) -> np.ndarray:
    lum = _luma(x)[..., None]
    return lum + (x - lum) * amount


def _lin(x: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.power(np.clip(x, 0.0, 1.0), 2.2, dtype=np.float32)


def _srgb(x: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.power(np.clip(x, 0.0, 1.0), 1 / 2.2, dtype=np.float32)


def _blur(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; wide ones run on a downscaled copy, which looks the same and costs far less."""
    import cv2

    if sigma <= 6:
        return cv2.GaussianBlur(x, (0, 0), max(0.3, sigma), borderType=cv2.BORDER_REFLECT)
    h, w = x.shape[:2]
    f = sigma / 3.0
    small = cv2.resize(x, (max(1, round(w / f)), max(1, round(h / f))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 3.0, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _rows(scene: _Scene) -> np.ndarray:
    """Vertical position, 0 at the top and 1 at the bottom, shaped to broadcast over (H, W)."""
    import numpy as np

    return np.linspace(0.0, 1.0, scene.h, dtype=np.float32)[:, None]


def _noise(scene: _Scene, cells: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth value noise in 0..1 with about `cells` features across the long side."""
    import cv2
    import numpy as np

    gh = max(2, round(cells * scene.h / scene.side)) + 2
    gw = max(2, round(cells * scene.w / scene.side)) + 2
    grid = rng.random((gh, gw), dtype=np.float32)
    return np.clip(cv2.resize(grid, (scene.w, scene.h), interpolation=cv2.INTER_CUBIC), 0.0, 1.0)


def _vignette(scene: _Scene, amount: float) -> np.ndarray:
    import numpy as np

    yy = np.linspace(-1.0, 1.0, scene.h, dtype=np.float32)[:, None]
    xx = np.linspace(-1.0, 1.0, scene.w, dtype=np.float32)[None, :]
    return (1.0 - amount * np.clip((xx * xx + yy * yy) / 2.0, 0.0, 1.0) ** 1.2)[..., None]


def _depth(x: np.ndarray, scene: _Scene) -> np.ndarray:
    """A crude distance map in 0..1 (1 = far): higher in the frame and less textured is farther."""
    import cv2
    import numpy as np

    lum = _luma(x).astype(np.float32)
    detail = np.abs(cv2.Laplacian(_blur(lum, scene.side / 800), cv2.CV_32F, ksize=3))
    detail = _blur(detail, scene.side / 40)
    detail = detail / (np.percentile(detail, 95) + 1e-6)
    height = (1.0 - _rows(scene)) ** 0.9
    depth = 0.65 * height + 0.35 * (1.0 - np.clip(detail, 0.0, 1.0))
    near = _near_subject(scene)
    return _blur(np.clip(depth * (1.0 - 0.5 * near), 0.0, 1.0), scene.side / 60)


def _near_subject(scene: _Scene) -> np.ndarray:
    """1 at the subject, falling to 0 about a third of the frame away from it."""
    import cv2
    import numpy as np

    outside = (scene.alpha < 0.5).astype(np.uint8)
    if outside.all():
        return np.zeros_like(scene.alpha)
    dist = cv2.distanceTransform(outside, cv2.DIST_L2, 5)
    return np.clip(1.0 - dist / (0.35 * scene.side), 0.0, 1.0)


def _screen(x: np.ndarray, layer: np.ndarray, tint: tuple[float, float, float]) -> np.ndarray:
    import numpy as np

    light = layer[..., None] * np.asarray(tint, dtype=np.float32)
    return 1.0 - (1.0 - x) * (1.0 - np.clip(light, 0.0, 1.0))


# --- rendering: lights ---------------------------------------------------------------------------


def _night(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Day for night: a few stops under, moonlit blue, desaturated, small lights kept and glowing."""
    import numpy as np

    lin = _lin(x)
    spots = _lamps(x, scene)
    lum = _luma(x)
    sky = _smoothstep(0.55, 0.0, _rows(scene))[..., None] * _smoothstep(0.5, 0.85, lum)[..., None]
    exposure = 0.12 / (0.5 + 0.5 * s)
    lin = _saturate(lin, 0.45) * exposure * np.asarray([0.55, 0.8, 1.35], np.float32)
    lin = lin * (1.0 - 0.45 * sky)  # a bright day sky must become a dark night sky
    warm = np.asarray([1.0, 0.72, 0.38], np.float32)
    lamps = spots[..., None] * warm * 0.9
    glow = _blur(spots, scene.side / 90)[..., None] * warm * 0.5
    lin = lin * (1.0 - spots[..., None]) + lamps + glow
    out = _srgb(lin) * _vignette(scene, 0.45)
    grain = scene.rng.normal(0.0, 0.010, (scene.h, scene.w, 1)).astype(np.float32)
    return out + grain


def _lamps(x: np.ndarray, scene: _Scene) -> np.ndarray:
    """Where lights would shine at night: small, near-white spots much brighter than around
    them (lamps, lit windows). A daylight photo has few; if many qualify (white flowers,
    a bright sky between beams), they are sunlit things, not lights, and are toned down."""

    lum = _luma(x)
    spots = _smoothstep(0.2, 0.4, lum - _blur(lum, scene.side / 40)) * _smoothstep(0.88, 0.98, lum)
    spots = spots * (1.0 - _smoothstep(0.0, 1.0, _blur(spots, scene.side / 60) * 4.0))  # small only
    share = float(spots.mean())
    return spots * min(1.0, 0.002 / max(share, 1e-9))


def _warm_light(x: np.ndarray, scene: _Scene, top: tuple, mid: tuple, bottom: tuple,
                exposure: float, glow_tint: tuple, glow: float, contrast: float, sat: float) -> np.ndarray:
    """A low sun: a colour gradient from sky to ground, a glow on the side away from the subject,
    and a steeper tone curve for the long shadows."""
    import numpy as np

    y = _rows(scene)[..., None]
    t, m, b = (np.asarray(c, np.float32) for c in (top, mid, bottom))
    gain = np.where(y < 0.5, t + (m - t) * (y / 0.5), m + (b - m) * ((y - 0.5) / 0.5))
    lin = _saturate(_lin(x), sat) * gain * exposure
    x0, _, x1, _ = scene.box()
    sun_x = 0.2 if (x0 + x1) / 2 > scene.w / 2 else 0.8
    yy = np.linspace(0.0, scene.h / scene.side, scene.h, dtype=np.float32)[:, None]
    xx = np.linspace(0.0, scene.w / scene.side, scene.w, dtype=np.float32)[None, :]
    r2 = (xx - sun_x * scene.w / scene.side) ** 2 + (yy - 0.3 * scene.h / scene.side) ** 2
    halo = np.exp(-r2 / 0.12)[..., None] * np.asarray(glow_tint, np.float32) * glow
    out = _srgb(lin + halo * (0.3 + lin))
    # S-curve around mid grey: deeper shadows, brighter warm highlights.
    curve = out + contrast * (out - 0.5) * out * (1.0 - out) * 4.0
    return curve * _vignette(scene, 0.25)


def _sunset(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    out = _warm_light(x, scene, top=(1.15, 0.72, 0.72), mid=(1.35, 0.85, 0.5), bottom=(1.0, 0.62, 0.48),
                      exposure=0.8, glow_tint=(1.0, 0.55, 0.2), glow=0.9, contrast=0.35, sat=1.05)
    return x + (out - x) * s


def _golden_hour(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    out = _warm_light(x, scene, top=(1.15, 0.98, 0.78), mid=(1.25, 1.0, 0.66), bottom=(1.12, 0.9, 0.65),
                      exposure=0.95, glow_tint=(1.0, 0.78, 0.4), glow=0.7, contrast=0.2, sat=1.1)
    return x + (out - x) * s


def _dusk(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    out = _warm_light(x, scene, top=(0.7, 0.62, 1.15), mid=(1.25, 0.7, 0.6), bottom=(0.7, 0.6, 0.8),
                      exposure=0.42, glow_tint=(1.0, 0.45, 0.25), glow=0.5, contrast=0.3, sat=0.8)
    return x + (out - x) * s


def _dawn(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Soft early light: pink-peach highlights, cool shadows, lifted blacks, a low haze."""
    import numpy as np

    lin = _lin(x)
    lum = _luma(lin)[..., None]
    hi = np.clip(lum * 2.0, 0.0, 1.0)
    tint = np.asarray([0.86, 0.94, 1.1], np.float32) * (1 - hi) + np.asarray([1.2, 0.95, 0.9], np.float32) * hi
    out = _srgb(_saturate(lin, 0.85) * tint * 0.9)
    out = 0.07 + out * 0.9  # lifted blacks: the air is still hazy
    depth = _depth(x, scene)[..., None]
    haze = np.asarray([0.93, 0.84, 0.82], np.float32)
    out = out + (haze - out) * depth * 0.35
    return x + (out - x) * s


# --- rendering: air ------------------------------------------------------------------------------


def _fog(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Haze that thickens with distance, scatters detail, and takes the scene's own light."""
    import numpy as np

    depth = _depth(x, scene)
    fog_col = 0.55 * np.percentile(x.reshape(-1, 3), 90, axis=0) + 0.45 * np.asarray([0.84, 0.86, 0.88])
    fog_col = _saturate(fog_col.astype(np.float32)[None, None], 0.3)
    thickness = s * (0.12 + 2.6 * depth ** 1.6)[..., None]
    t = np.exp(-thickness)
    soft = _blur(x, scene.side / 250)
    x = x + (soft - x) * (1.0 - t)  # fog scatters fine detail
    out = x * t + fog_col * (1.0 - t)
    return _saturate(out, 0.85)


def _streaks(scene: _Scene, rng: np.random.Generator, per_mp: float, length: float, width: int,
             angle: float, blur: float) -> np.ndarray:
    """A layer of rain streaks: short anti-aliased lines smeared along the fall direction."""
    import cv2
    import numpy as np

    layer = np.zeros((scene.h, scene.w), np.float32)
    n = int(per_mp * scene.h * scene.w / 1e6)
    unit = scene.side / 1000
    xs, ys = rng.random(n) * scene.w, rng.random(n) * scene.h
    lens = length * unit * (0.6 + 0.8 * rng.random(n))
    levels = 0.5 + 0.5 * rng.random(n)
    dx, dy = np.sin(angle), np.cos(angle)
    for x0, y0, ln, lv in zip(xs, ys, lens, levels):
        cv2.line(layer, (int(x0), int(y0)), (int(x0 + dx * ln), int(y0 + dy * ln)), float(lv),
                 max(1, round(width * unit)), cv2.LINE_AA)
    k = max(3, int(blur * unit) | 1)
    kernel = np.zeros((k, k), np.float32)
    c = k // 2
    cv2.line(kernel, (int(c - dx * c), int(c - dy * c)), (int(c + dx * c), int(c + dy * c)), 1.0, 1)
    return cv2.filter2D(layer, -1, kernel / kernel.sum())


def _rain(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Overcast and wet: darker, greyer, glossy ground, and seeded diagonal streaks."""
    import numpy as np

    lum = _luma(x)
    out = _saturate(x, 0.6) * np.asarray([0.93, 0.97, 1.04], np.float32)
    ground = _smoothstep(0.5, 0.95, _rows(scene))[..., None]
    gloss = _smoothstep(0.05, 0.25, lum - _blur(lum, scene.side / 100))[..., None]
    out = out * (0.75 - 0.12 * ground) + gloss * ground * 0.25  # wet surfaces: darker, with sheen
    out = out + (np.float32(0.55) - out) * (_depth(x, scene)[..., None] * 0.3)
    return out


def _rain_streaks(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    import numpy as np

    rng = np.random.default_rng([scene.seed, 11])
    angle = 0.18 + 0.08 * (rng.random() - 0.5)
    ambient = float(np.clip(_luma(x).mean() * 1.8 + 0.25, 0.35, 1.0))
    far = _streaks(scene, rng, 2200 * s, 16, 1, angle, 9)
    near = _streaks(scene, rng, 260 * s, 40, 2, angle, 21)
    return _screen(x, (far * 0.35 + near * 0.45) * ambient, (0.85, 0.88, 0.92))


def _flakes(scene: _Scene, rng: np.random.Generator, density: float) -> np.ndarray:
    """Falling snow in three depths: many fine sharp flakes, fewer mid ones, a few large and out of focus."""
    import cv2
    import numpy as np

    unit = scene.side / 1000
    total = np.zeros((scene.h, scene.w), np.float32)
    # Small flakes are soft dots: a point of light spread by a Gaussian, scaled to peak at `level`.
    for per_mp, sigma, level in ((2600, 0.9, 0.7), (700, 1.8, 0.85)):
        n = int(per_mp * density * scene.h * scene.w / 1e6)
        layer = np.zeros_like(total)
        ys, xs = rng.integers(0, scene.h, n), rng.integers(0, scene.w, n)
        sig = max(0.6, sigma * unit)
        np.add.at(layer, (ys, xs), (0.5 + 0.5 * rng.random(n)).astype(np.float32) * level * 6.283 * sig * sig)
        total = np.maximum(total, _blur(layer, sig))
    # A few flakes close to the lens: large, faint, out-of-focus discs.
    layer = np.zeros_like(total)
    n = int(45 * density * scene.h * scene.w / 1e6)
    for cx, cy, r in zip(rng.random(n) * scene.w, rng.random(n) * scene.h, rng.uniform(6, 11, n) * unit):
        cv2.circle(layer, (int(cx), int(cy)), max(2, round(r)), 0.45, -1, cv2.LINE_AA)
    return np.maximum(total, _blur(layer, 2.5 * unit))


def _snow_cover(x: np.ndarray, scene: _Scene, amount: float, rng: np.random.Generator) -> np.ndarray:
    """Snow lying where it would settle: the ground, upper edges of things, pale flat areas."""
    import cv2
    import numpy as np

    lum = _luma(x)
    chroma = x.max(axis=2) - x.min(axis=2)
    soft = _blur(lum, scene.side / 700)
    # The photo's own texture decides where snow lies: the lit, upper side of each bump and
    # ledge catches it, dark crevices and vegetation poke through.
    relief = soft - _blur(soft, scene.side / 120)
    relief = relief / (np.percentile(np.abs(relief), 90) + 1e-6)
    ledge = cv2.Sobel(soft, cv2.CV_32F, 0, 1, ksize=3) * (scene.side / 100)
    field = 0.5 + 0.3 * np.clip(relief, -1.5, 1.5) - 0.15 * np.clip(ledge, -1.0, 1.0) \
        + 0.15 * (_noise(scene, 150, rng) - 0.5) + 0.2 * (lum - 0.5)
    detail = _blur(np.abs(relief), scene.side / 60)
    ground = _smoothstep(0.3, 0.75, _rows(scene)) * _smoothstep(0.1, 0.4, detail)
    threshold = 1.0 - amount * (0.15 + 0.45 * ground)
    cover = _smoothstep(-0.08, 0.08, field - threshold)
    pale = _smoothstep(0.55, 0.85, lum) * (1.0 - _smoothstep(0.06, 0.2, chroma)) * amount
    cover = np.maximum(cover * np.clip(ground * 1.5, 0.0, 1.0), pale * 0.6)
    cover = _blur(cover, scene.side / 1500)
    # Shaded snow is blue-grey, lit snow near white; it keeps a little of the ground's shading.
    snow = np.asarray([0.95, 0.97, 1.0], np.float32) * (0.86 + 0.14 * soft[..., None])
    return x + (snow - x) * cover[..., None]


def _snow(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    import numpy as np

    rng = np.random.default_rng([scene.seed, 2])
    out = _saturate(x, 0.8) * np.asarray([0.95, 0.98, 1.04], np.float32)
    out = 0.05 + out * 0.92  # flat overcast light
    return _snow_cover(out, scene, 0.8 * min(s, 1.2), rng)


def _with_flakes(x: np.ndarray, scene: _Scene, density: float) -> np.ndarray:
    import numpy as np

    rng = np.random.default_rng([scene.seed, 12])
    # Flakes reflect the ambient light: bright by day, dim grey-blue at night.
    ambient = float(np.clip(_luma(x).mean() * 1.6 + 0.3, 0.4, 1.0))
    return _screen(x, _flakes(scene, rng, density) * ambient, (0.97, 0.98, 1.0))


# --- rendering: seasons --------------------------------------------------------------------------


def _vegetation(hsv: np.ndarray) -> np.ndarray:
    """How much a pixel looks like foliage: a yellow-green to green-cyan hue with some colour."""
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    band = _smoothstep(45.0, 70.0, hue) * (1.0 - _smoothstep(165.0, 190.0, hue))
    return band * _smoothstep(0.08, 0.25, sat) * _smoothstep(0.04, 0.15, val)


def _autumn(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Foliage turned red, orange and yellow, varying from tree to tree; the rest only warmed."""
    import cv2
    import numpy as np

    rng = np.random.default_rng([scene.seed, 3])
    hsv = cv2.cvtColor(np.clip(x, 0, 1).astype(np.float32), cv2.COLOR_RGB2HSV)
    veg = _vegetation(hsv) * min(1.0, s)
    target = 6.0 + 44.0 * (0.7 * _noise(scene, 12, rng) + 0.3 * _noise(scene, 80, rng))
    hsv[..., 0] = hsv[..., 0] + (target - hsv[..., 0]) * veg
    hsv[..., 1] = np.clip(hsv[..., 1] * (1.0 + 0.35 * veg), 0.0, 1.0)
    hsv[..., 2] = hsv[..., 2] * (1.0 - 0.08 * veg)
    out = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    return out * np.asarray([1.04, 1.0, 0.92], np.float32)


def _winter(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Dormant and cold: greens dried to straw, cool flat light, some snow lying, a few flakes."""
    import cv2
    import numpy as np

    rng = np.random.default_rng([scene.seed, 4])
    hsv = cv2.cvtColor(np.clip(x, 0, 1).astype(np.float32), cv2.COLOR_RGB2HSV)
    veg = _vegetation(hsv)
    hsv[..., 0] = hsv[..., 0] + (38.0 - hsv[..., 0]) * veg
    hsv[..., 1] = hsv[..., 1] * (1.0 - 0.6 * veg)
    out = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    out = _srgb(_saturate(_lin(out), 0.55) * np.asarray([0.9, 0.98, 1.12], np.float32))
    out = 0.06 + out * 0.9
    return _snow_cover(out, scene, 0.55 * s, rng)


# --- rendering: focus and backdrops --------------------------------------------------------------


def _disc_blur(x: np.ndarray, radius: float) -> np.ndarray:
    """A lens (disc) blur; large radii run on a downscaled copy, where the disc is small."""
    import cv2
    import numpy as np

    if radius < 0.75:
        return x
    scale = max(1.0, radius / 6.0)
    h, w = x.shape[:2]
    small = cv2.resize(x, (max(1, round(w / scale)), max(1, round(h / scale))), interpolation=cv2.INTER_AREA)
    r = max(1, round(radius / scale))
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    kernel = np.clip(r + 0.5 - np.sqrt(xx * xx + yy * yy), 0.0, 1.0).astype(np.float32)
    out = cv2.filter2D(small, -1, kernel / kernel.sum(), borderType=cv2.BORDER_REFLECT)
    return cv2.resize(out, (w, h), interpolation=cv2.INTER_LINEAR) if scale > 1 else out


def _background_blur(x: np.ndarray, scene: _Scene, s: float) -> np.ndarray:
    """Shallow depth of field: sharper next to the subject, more blurred with distance.

    Normalised convolution over the background alone, in linear light, so highlights bloom
    into discs and the subject's colours are never smeared onto its surroundings."""
    import numpy as np

    weight = _background_weight(scene)
    lin = _lin(x)
    far = np.clip(0.6 * (1.0 - _near_subject(scene)) + 0.4 * _depth(x, scene), 0.0, 1.0)
    rmax = 0.028 * scene.side * s
    radii = [0.0, rmax * 0.2, rmax * 0.5, rmax]
    levels = [lin]
    for r in radii[1:]:
        num = _disc_blur(np.concatenate([lin * weight[..., None], weight[..., None]], axis=2), r)
        levels.append(np.where(num[..., 3:] > 1e-3, num[..., :3] / np.maximum(num[..., 3:], 1e-3), lin))
    wanted = (0.15 + 0.85 * far) * rmax  # radius per pixel
    out = np.zeros_like(lin)
    for i in range(len(radii) - 1):
        lo, hi = radii[i], radii[i + 1]
        t = np.clip((wanted - lo) / max(hi - lo, 1e-6), 0.0, 1.0)[..., None]
        inside = ((wanted >= lo) & ((wanted < hi) | (i == len(radii) - 2)))[..., None]
        out = np.where(inside, levels[i] + (levels[i + 1] - levels[i]) * t, out)
    return _srgb(out)


def _background_weight(scene: _Scene) -> np.ndarray:
    """1 on clean background, 0 on the subject and its soft fringe."""
    import cv2
    import numpy as np

    grow = max(1, round(scene.side / 250))
    hard = (scene.alpha > 0.02).astype(np.uint8)
    hard = cv2.dilate(hard, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1)))
    return 1.0 - hard.astype(np.float32)


def _color(effect: SettingEffect, default: tuple[int, int, int]) -> np.ndarray:
    import numpy as np

    return np.asarray(effect.color or default, np.float32) / 255.0


def _backdrop(x: np.ndarray, scene: _Scene, effect: SettingEffect) -> np.ndarray:
    import numpy as np

    return np.broadcast_to(_color(effect, (255, 255, 255)), x.shape).copy()


def _dither(scene: _Scene) -> np.ndarray:
    """Half a grey level of noise, so smooth gradients do not band in 8 bits."""
    import numpy as np

    rng = np.random.default_rng([scene.seed, 5])
    return ((rng.random((scene.h, scene.w, 1), dtype=np.float32) - 0.5) / 255.0).astype(np.float32)


def _gradient(x: np.ndarray, scene: _Scene, effect: SettingEffect) -> np.ndarray:

    col = _color(effect, (128, 128, 130))
    top, bottom = col + (1.0 - col) * 0.3, col * 0.6
    y = _smoothstep(0.0, 1.0, _rows(scene))[..., None]
    out = top + (bottom - top) * y
    return out * _vignette(scene, 0.15) + _dither(scene)


def _studio(x: np.ndarray, scene: _Scene, effect: SettingEffect) -> np.ndarray:
    """A seamless paper sweep: a pool of light behind the subject, darker corners, the floor
    curving up into the wall at the subject's feet, and a soft shadow under it."""
    import numpy as np

    col = _color(effect, (150, 150, 155))
    x0, y0, x1, y1 = scene.box()
    cx, cy = (x0 + x1) / 2 / scene.side, (y0 + 0.35 * (y1 - y0)) / scene.side
    yy = np.linspace(0.0, scene.h / scene.side, scene.h, dtype=np.float32)[:, None]
    xx = np.linspace(0.0, scene.w / scene.side, scene.w, dtype=np.float32)[None, :]
    pool = np.exp(-((xx - cx) ** 2 / 0.18 + (yy - cy) ** 2 / 0.12))[..., None]
    floor_line = min(y1, scene.h - 1) / scene.h
    sweep = _smoothstep(floor_line - 0.12, floor_line + 0.05, _rows(scene))[..., None]
    out = col * (0.72 + 0.38 * pool) * (1.0 - 0.08 * sweep) * _vignette(scene, 0.35)
    out = out * (1.0 - _floor_shadow(scene)[..., None] * 0.45)
    return out + _dither(scene)


def _floor_shadow(scene: _Scene) -> np.ndarray:
    """The subject's footprint flattened onto the floor under it, softened with distance."""
    import cv2
    import numpy as np

    x0, y0, x1, y1 = scene.box()
    height = max(2, round((y1 - y0) * 0.1))
    foot = cv2.resize(scene.alpha[y0:y1, x0:x1], (max(1, x1 - x0), height), interpolation=cv2.INTER_AREA)
    canvas = np.zeros_like(scene.alpha)
    top = min(scene.h - 1, y1 - height // 2)
    bottom = min(scene.h, top + height)
    canvas[top:bottom, x0:x1] = foot[: bottom - top]
    wide = _blur(canvas, scene.side / 60)
    tight = _blur(canvas, scene.side / 250)
    return np.clip(0.6 * wide / max(float(wide.max()), 1e-6) + 0.5 * tight, 0.0, 1.0)


# --- compositing ---------------------------------------------------------------------------------


def _fill_holes(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Fill where weight is 0 from the surroundings (push-pull over an image pyramid)."""
    import cv2
    import numpy as np

    levels = [(x * weight[..., None], weight)]
    while min(levels[-1][1].shape) > 2:
        px, pw = levels[-1]
        size = ((pw.shape[1] + 1) // 2, (pw.shape[0] + 1) // 2)
        levels.append((cv2.resize(px, size, interpolation=cv2.INTER_AREA),
                       cv2.resize(pw, size, interpolation=cv2.INTER_AREA)))
    px, pw = levels[-1]
    total = float(pw.sum())
    mean = px.reshape(-1, 3).sum(axis=0) / total if total > 0 else np.full(3, 0.5, np.float32)
    est = np.where(pw[..., None] > 1e-4, px / np.maximum(pw[..., None], 1e-4), mean).astype(np.float32)
    for px, pw in reversed(levels[:-1]):
        up = cv2.resize(est, (pw.shape[1], pw.shape[0]), interpolation=cv2.INTER_LINEAR)
        est = px + (1.0 - np.clip(pw, 0.0, 1.0))[..., None] * up
    return est


_Light = Callable[["np.ndarray", _Scene, float], "np.ndarray"]
_LIGHTS: dict[str, _Light] = {
    "night": _night, "sunset": _sunset, "golden_hour": _golden_hour, "dusk": _dusk, "dawn": _dawn,
    "morning": lambda x, sc, s: _dawn(x, sc, 0.5 * s), "fog": _fog, "rain": _rain, "snow": _snow,
    "autumn": _autumn, "winter": _winter, "blur": _background_blur,
}
_AIR: dict[str, _Light] = {
    "rain": _rain_streaks, "snow": _with_flakes, "winter": lambda x, sc, s: _with_flakes(x, sc, 0.3 * s),
}
_BACKDROPS = {"backdrop": _backdrop, "gradient": _gradient, "studio": _studio}


def _apply_effect(x: np.ndarray, scene: _Scene, effect: SettingEffect) -> np.ndarray:
    import numpy as np

    if effect.name in _BACKDROPS:
        out = _BACKDROPS[effect.name](x, scene, effect)
    else:
        out = _LIGHTS[effect.name](x, scene, effect.strength)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def apply_setting(image: Image.Image, matte: Image.Image, recipe: SettingRecipe, seed: int = 0) -> Image.Image:
    """The image with its background changed by `recipe`; where the matte is 255 the subject's
    pixels are returned unchanged, and its soft edge blends into the new light."""
    import numpy as np

    rgb = image.convert("RGB")
    matte = matte.convert("L")
    if matte.size != rgb.size:
        matte = matte.resize(rgb.size, Image.Resampling.LANCZOS)
    src = np.asarray(rgb)
    a8 = np.asarray(matte)
    if not recipe.effects:
        return rgb.copy()
    alpha = a8.astype(np.float32) / 255.0
    img = src.astype(np.float32) / 255.0
    scene = _Scene(alpha, np.random.default_rng([seed, 0]), seed)
    weight = _background_weight(scene)
    # Real pixels wherever the matte is empty; the subject and its fringe filled from around.
    plate = np.where(a8[..., None] == 0, img, _fill_holes(img, weight)).astype(np.float32)
    background = plate
    for effect in recipe.effects:
        background = _apply_effect(background, scene, effect)
    for effect in recipe.effects:  # what falls through the air comes last, over every light
        if effect.name in _AIR:
            background = np.clip(_AIR[effect.name](background, scene, effect.strength), 0.0, 1.0)
    out = _composite(img, plate, background, alpha)
    out8 = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
    solid = a8 == 255
    out8[solid] = src[solid]
    return Image.fromarray(out8, "RGB")


def _composite(img: np.ndarray, plate: np.ndarray, background: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Subject over the new background. Edge pixels are first freed of the old background
    (I = aF + (1-a)B solved for F) and then take on part of the new light, more the more
    transparent they are, so the outline neither keeps a halo of the old scene nor looks cut out."""
    import numpy as np

    a = alpha[..., None]
    gain = np.minimum((1.0 - a) / np.maximum(a, 1e-3), 1.0)
    fg = np.clip(img + gain * (img - plate), 0.0, 1.0)
    fg = fg + (background - plate) * (0.8 * (1.0 - a))
    return a * fg + (1.0 - a) * background
