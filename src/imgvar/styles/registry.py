"""Named style presets and the lookup from a prompt's style phrase to a preset."""

from __future__ import annotations

import difflib
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    import torch

    from .render import RenderContext

# render(tile (1, 3, H, W) in 0..1, context) -> tile of the same shape
RenderFn = Callable[["torch.Tensor", "RenderContext"], "torch.Tensor"]
# prepare(whole image downscaled to <= 512 px, context) -> globals shared by every tile (palettes...)
PrepareFn = Callable[["torch.Tensor", "RenderContext"], dict]

DEFAULT_PRESET = "oil"


@dataclass(frozen=True)
class StylePreset:
    name: str
    description: str  # one line, shown by `imgvar styles`
    manner: str  # how the output prompt names the result: "as an oil painting"
    render: RenderFn
    aliases: tuple[str, ...] = ()  # normalised phrases (English and French) that name this style
    # Names this preset only approximates (an artist or movement with no preset of its own);
    # a match here is reported as "the nearest offline preset".
    approximates: tuple[str, ...] = ()
    prepare: PrepareFn | None = None
    margin: float = 16.0  # context each tile needs around it, in stroke units
    version: str = "1"
    # Names in the output prompt, keyed by normalised alias ("van gogh" -> "Van Gogh").
    display: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Wording:
    """How the output prompt names a preset's look, without and with its artist."""

    en: str  # "as a post-impressionist painting"
    fr: str  # "en peinture postimpressionniste"
    artist: str | None = None  # the painter the preset follows, if any ("Van Gogh")


# The built-in presets' wording; `wording()` derives one for any other preset.
_WORDING: dict[str, Wording] = {
    "van_gogh": Wording("as a post-impressionist painting", "en peinture postimpressionniste", "Van Gogh"),
    "impressionist": Wording("as an impressionist painting", "en peinture impressionniste", "Monet"),
    "expressionist": Wording("as an expressionist painting", "en peinture expressionniste", "Munch"),
    "oil": Wording("as an oil painting", "en peinture à l'huile"),
    "pointillist": Wording("as a pointillist painting", "en peinture pointilliste"),
    "watercolor": Wording("as a watercolour painting", "en aquarelle"),
    "ukiyo_e": Wording("as a Japanese ukiyo-e woodblock print", "en estampe japonaise ukiyo-e"),
    "ink_wash": Wording("as an East Asian ink wash painting", "au lavis d'encre"),
    "pencil": Wording("as a graphite pencil sketch", "en croquis au crayon"),
    "charcoal": Wording("as a charcoal drawing", "en dessin au fusain"),
    "comic": Wording("as a comic book illustration", "en illustration de bande dessinée"),
    "pop_art": Wording("as a pop art print", "en sérigraphie pop art"),
    "stained_glass": Wording("as a stained glass window", "en vitrail"),
    "mosaic": Wording("as a mosaic of stone tesserae", "en mosaïque de pierre"),
    "pixel_art": Wording("as retro pixel art", "en pixel art rétro"),
}

# Names whose French form differs from the English display (works of art, mostly).
FRENCH_DISPLAY: dict[str, str] = {
    "starry night": "La Nuit étoilée", "the scream": "Le Cri", "water lilies": "Les Nymphéas",
    "great wave": "la Grande Vague", "seurat drawing": "les dessins de Seurat", "titian": "Titien",
    "leonardo": "Léonard de Vinci", "da vinci": "Léonard de Vinci", "caravaggio": "Caravage",
    "romanticism": "romantisme", "cubism": "cubisme", "cubist": "cubiste", "byzantine": "byzantin",
    "roman mosaic": "mosaïque romaine", "ben day": "trame Ben-Day", "realism": "réalisme",
    "neo impressionism": "néo-impressionnisme", "neo impressionist": "néo-impressionniste",
}


def wording(preset: StylePreset) -> Wording:
    known = _WORDING.get(preset.name)
    if known is not None:
        return known
    # A plug-in preset: its English manner, and its name in French.
    return Wording(preset.manner, f"dans le style « {preset.name.replace('_', ' ')} »")


_PRESETS: dict[str, StylePreset] = {}


def register(preset: StylePreset) -> StylePreset:
    _PRESETS[preset.name] = preset
    return preset


def presets() -> list[StylePreset]:
    _ensure_loaded()
    return list(_PRESETS.values())


def get_preset(name: str) -> StylePreset | None:
    _ensure_loaded()
    return _PRESETS.get(normalise(name).replace(" ", "_"))


def normalise(text: str) -> str:
    """Lowercase, accents removed, punctuation to spaces: 'Façon Van-Gogh' -> 'facon van gogh'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = "".join(c if c.isalnum() else " " for c in plain)
    return " ".join(cleaned.split())


@dataclass(frozen=True)
class StyleMatch:
    preset: StylePreset
    exact: bool  # False when the phrase named no preset and the nearest one was used
    matched: str  # the name, alias or approximated name that matched
    how: str  # "name", "alias", "approximate", "typo" or "fallback"

    @property
    def display(self) -> str:
        return self.preset.display.get(self.matched) or self.matched

    @property
    def display_fr(self) -> str:
        return FRENCH_DISPLAY.get(self.matched) or self.display

    def to_dict(self) -> dict[str, Any]:
        return {"preset": self.preset.name, "exact": self.exact, "matched": self.matched, "how": self.how}


def resolve_style(phrase: str) -> StyleMatch:
    """Map a style phrase to a preset.

    Order: a preset's own name; the longest alias found in the phrase; the
    longest approximated name (nearest preset); a close spelling of any of
    those (typos); else the default preset, flagged as a fallback.
    """
    _ensure_loaded()
    norm = normalise(phrase)
    direct = _PRESETS.get(norm.replace(" ", "_"))
    if direct is not None:
        return StyleMatch(direct, True, direct.name, "name")
    padded = f" {norm} "
    for kind, exact in (("aliases", True), ("approximates", False)):
        best: tuple[int, StylePreset, str] | None = None
        for preset in _PRESETS.values():
            for alias in getattr(preset, kind):
                if f" {alias} " in padded and (best is None or len(alias) > best[0]):
                    best = (len(alias), preset, alias)
        if best is not None:
            return StyleMatch(best[1], exact, best[2], "alias" if exact else "approximate")
    vocabulary = {}
    for preset in _PRESETS.values():
        for alias in (preset.name.replace("_", " "), *preset.aliases, *preset.approximates):
            vocabulary.setdefault(alias, preset)
    close = difflib.get_close_matches(norm, list(vocabulary), n=1, cutoff=0.82)
    if close:
        return StyleMatch(vocabulary[close[0]], False, close[0], "typo")
    return StyleMatch(_PRESETS[DEFAULT_PRESET], False, norm, "fallback")


_loaded = threading.Event()
_loading = threading.Lock()


def _ensure_loaded() -> None:
    # Presets register one by one as `builtin` runs: a second thread must wait for all of them,
    # not go on with the first few.
    if _loaded.is_set():
        return
    with _loading:
        from . import builtin  # noqa: F401  registers the built-in presets on import
        _loaded.set()
