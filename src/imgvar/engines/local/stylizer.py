"""Offline stylize: a named procedural preset, or the look of a reference image, blended by strength."""

from __future__ import annotations

from PIL import Image

from ...styles import StyleMatch, resolve_style
from ..base import Change, StyleOutcome, StyleRequest


class LocalStylizer:
    version = "presets-2"

    def stylize(self, image: Image.Image, request: StyleRequest) -> StyleOutcome:
        rgb = image.convert("RGB")
        if request.style_image is not None:
            return self._transfer(rgb, request)
        from ...styles.render import render_preset

        match = resolve_style(request.style)
        if request.strength <= 0:
            styled = rgb.copy()
        else:
            styled = render_preset(rgb, match.preset, detail=request.detail, seed=request.seed)
            if request.strength < 1:
                styled = Image.blend(rgb, styled, request.strength)
        return StyleOutcome(styled, style_change(request, match))

    def _transfer(self, rgb: Image.Image, request: StyleRequest) -> StyleOutcome:
        from ...styles.transfer import transfer_style

        styled, info = transfer_style(rgb, request.style_image, strength=request.strength, detail=request.detail,
                                      seed=request.seed, time_budget=request.time_budget)
        name = request.style_image_name or "the reference image"
        summary = f"restyled after {name}: its palette and brush texture transferred"
        summary_fr = f"restylisée d'après {name} : palette et texture transférées"
        if info.stopped_by_budget:
            summary += f" (stopped at the {request.time_budget:g} s time budget)"
            summary_fr += f" (arrêt au budget de {request.time_budget:g} s)"
        if request.strength < 1:
            summary += f" at {round(request.strength * 100)}% strength"
            summary_fr += f" à {round(request.strength * 100)} %"
        return StyleOutcome(styled, Change("style", summary, True, {
            "style_image": name, "transfer": info.to_dict(), "strength": request.strength, "summary_fr": summary_fr}))


def style_change(request: StyleRequest, match: StyleMatch) -> Change:
    """Say which preset ran and how it was chosen, in English and French."""
    preset, shown = match.preset, match.display
    proper = shown[:1].isupper()
    if match.how == "name":
        en, fr = f"restyled {preset.manner}", f"restylisée ({preset.name})"
    elif match.how == "alias":
        en = f"restyled in the manner of {shown}, {preset.manner}" if proper else f"restyled {preset.manner}"
        fr = f"restylisée à la manière de {shown} ({preset.name})" if proper else f"restylisée ({preset.name})"
    elif match.how in ("approximate", "typo"):
        target = shown if proper else f"'{request.style}'"
        en = f"restyled {preset.manner}, the nearest offline preset to {target}"
        fr = f"restylisée avec le préréglage {preset.name}, le plus proche de {target}"
    else:
        en = (f"restyled {preset.manner}: no offline preset matches '{request.style}', "
              f"so the default {preset.name} preset was used")
        fr = f"restylisée avec le préréglage par défaut {preset.name} (aucun ne correspond à « {request.style} »)"
    if request.strength < 1:
        en += f" at {round(request.strength * 100)}% strength"
        fr += f" à {round(request.strength * 100)} %"
    return Change("style", en, True, {**match.to_dict(), "requested": request.style,
                                      "strength": request.strength, "summary_fr": fr})
