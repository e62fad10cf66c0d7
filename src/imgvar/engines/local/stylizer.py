"""Offline stylize: a named procedural preset, blended with the input by strength."""

from __future__ import annotations

from PIL import Image

from ...styles import resolve_style
from ..base import Change, StyleOutcome, StyleRequest


class LocalStylizer:
    version = "presets-1"

    def stylize(self, image: Image.Image, request: StyleRequest) -> StyleOutcome:
        import numpy as np

        match = resolve_style(request.style)
        preset = match.preset
        rgb = image.convert("RGB")
        if request.strength <= 0:
            styled = rgb.copy()
        else:
            styled = preset.render(rgb, request.detail, np.random.default_rng(request.seed))
            if request.strength < 1:
                styled = Image.blend(rgb, styled, request.strength)
        return StyleOutcome(styled, _change(request, match))


def _change(request: StyleRequest, match) -> Change:
    preset = match.preset
    if match.exact:
        summary = f"restyled {preset.manner} ('{request.style}', {preset.name} preset)"
        summary_fr = f"restylisée ('{request.style}', préréglage {preset.name})"
    else:
        summary = (f"restyled {preset.manner}, the nearest offline preset to '{request.style}'"
                   f" ({preset.name})")
        summary_fr = f"restylisée avec le préréglage {preset.name}, le plus proche de '{request.style}'"
    if request.strength < 1:
        summary += f" at {round(request.strength * 100)}% strength"
        summary_fr += f" à {round(request.strength * 100)} %"
    return Change("style", summary, True, {
        "preset": preset.name, "requested": request.style, "exact": match.exact,
        "strength": request.strength, "summary_fr": summary_fr,
    })
