"""Named style presets and the lookup from a prompt's style phrase to a preset."""

from __future__ import annotations

import difflib
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


def _ensure_loaded() -> None:
    if not _PRESETS:
        from . import builtin  # noqa: F401  registers the built-in presets on import
