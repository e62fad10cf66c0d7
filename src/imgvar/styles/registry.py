"""Named style presets and the lookup from a prompt's style phrase to a preset."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

# render(image RGB, detail, rng) -> image RGB of the same size
RenderFn = Callable[["Image.Image", float, "np.random.Generator"], "Image.Image"]


@dataclass(frozen=True)
class StylePreset:
    name: str
    description: str  # one line, shown by `imgvar styles`
    manner: str  # how the output prompt names it: "in the manner of a pencil sketch"
    render: RenderFn
    aliases: tuple[str, ...] = field(default_factory=tuple)  # normalised phrases, English and French
    version: str = "1"


_PRESETS: dict[str, StylePreset] = {}


def register(preset: StylePreset) -> StylePreset:
    _PRESETS[preset.name] = preset
    return preset


def presets() -> list[StylePreset]:
    _ensure_loaded()
    return list(_PRESETS.values())


def get_preset(name: str) -> StylePreset | None:
    _ensure_loaded()
    return _PRESETS.get(normalise(name).replace(" ", "_").replace("-", "_"))


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
    matched: str  # the alias or name that matched


def resolve_style(phrase: str, fallback: str = "painterly") -> StyleMatch:
    """Map a style phrase to a preset: exact name, then the longest alias found in the phrase."""
    _ensure_loaded()
    norm = normalise(phrase)
    direct = get_preset(norm)
    if direct is not None:
        return StyleMatch(direct, True, direct.name)
    best: tuple[int, StylePreset, str] | None = None
    padded = f" {norm} "
    for preset in _PRESETS.values():
        for alias in preset.aliases:
            if f" {alias} " in padded and (best is None or len(alias) > best[0]):
                best = (len(alias), preset, alias)
    if best is not None:
        return StyleMatch(best[1], True, best[2])
    return StyleMatch(_PRESETS[fallback], False, fallback)


def _ensure_loaded() -> None:
    if not _PRESETS:
        from . import builtin  # noqa: F401  registers the built-in presets on import
