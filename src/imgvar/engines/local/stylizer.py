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
        name = request.style_image_name
        summary = f"restyled after {name or 'the reference image'}"
        summary_fr = "restylisée d'après " + (name or "l'image de référence")
        if request.strength < 1:
            summary += f" at {_percent(request.strength)} strength"
            summary_fr += f" à {_percent(request.strength, fr=True)} d'intensité"
        summary += ", taking on its palette and brush texture"
        summary_fr += ", dont elle reprend la palette et la texture"
        if info.stopped_by_budget:
            summary += f" (cut short by the {request.time_budget:g} s time budget)"
            summary_fr += f" (interrompue par la limite de {request.time_budget:g} s)"
        return StyleOutcome(styled, Change("style", summary, True, {
            "style_image": name or "the reference image", "transfer": info.to_dict(), "strength": request.strength,
            "summary_fr": summary_fr}))


def style_change(request: StyleRequest, match: StyleMatch) -> Change:
    """Say which look the image was given and how the style phrase chose it, in English and French."""
    from ...styles.registry import normalise, wording

    preset = match.preset
    w = wording(preset)
    how = match.how
    if how == "typo":  # a misspelling of an approximated name is still an approximation
        how = "approximate" if match.matched in preset.approximates else "alias"
    if how == "approximate":
        en = f"{w.en}, the nearest offline preset to {match.display}"
        fr = f"{w.fr}, le style hors ligne le plus proche {_of_fr(match.display_fr, style=True)}"
        if request.strength < 1:
            en += f", at {_percent(request.strength)} strength"
            fr += f", à {_percent(request.strength, fr=True)} d'intensité"
    else:
        en, fr = w.en, w.fr
        name = match.display if how in ("name", "alias") else ""
        if _names_someone(name, w.en):
            if w.artist and normalise(name).endswith(normalise(w.artist)):
                en, fr = f"{en} in the manner of {name}", f"{fr} à la manière {_of_fr(match.display_fr)}"
            else:
                en, fr = f"{en} in the style of {name}", f"{fr} dans le style {_of_fr(match.display_fr)}"
        if request.strength < 1:
            en += f" at {_percent(request.strength)} strength"
            fr += f" à {_percent(request.strength, fr=True)} d'intensité"
        if how == "fallback":
            en += f", since no offline preset matches '{request.style}'"
            fr += f", le style par défaut, car aucun style hors ligne ne correspond à « {request.style} »"
    return Change("style", f"restyled {en}", True, {**match.to_dict(), "requested": request.style,
                                                    "strength": request.strength,
                                                    "summary_fr": f"restylisée {fr}"})


def _names_someone(name: str, manner: str) -> bool:
    """Whether a matched name is worth repeating: an artist or a work ("Renoir", "The Great Wave"),
    not a movement or a medium the manner already says ("impressionism", "Byzantine")."""
    if not name[:1].isupper():
        return False
    last = name.split()[-1].lower()
    if last.endswith(("ism", "isme", "ist", "iste", "ine")) or last in manner:
        return False
    return True


def _of_fr(name: str, style: bool = False) -> str:
    """French "de" before a name: "de Monet", "d'Andy Warhol", "du Cri", "des Nymphéas"."""
    for article, contracted in (("le ", "du "), ("les ", "des "), ("la ", "de la "), ("l'", "de l'")):
        if name.lower().startswith(article):  # a title: "Le Cri", "la Grande Vague"
            return contracted + name[len(article):]
    if not name[:1].isupper():  # a movement or medium: "du style « cubisme »"
        return f"du style « {name} »" if style else f"de « {name} »"
    return f"d'{name}" if name[0].lower() in "aeiouyàâéèêîïôû" else f"de {name}"


def _percent(strength: float, fr: bool = False) -> str:
    return f"{round(strength * 100)}{' ' if fr else ''}%"
