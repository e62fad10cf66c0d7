"""Offline recontextualisation: the subject placed in a new scene, or its own scene changed.

The subject comes from a matte (the image's alpha channel, a user mask, or the
automatic matte). With a background image it is placed where the prompt says
(`placement`) and made one photo with the scene (`harmonise`); without one the
light, weather or backdrop around it changes and its own pixels stay
(`setting_changes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PIL import Image

from ...errors import UsageError
from ..base import Change, RecontextOutcome, RecontextRequest

if TYPE_CHECKING:
    from .setting_changes import SettingRecipe


class LocalRecontexter:
    version = "composite-2"
    # With a background image it places the subject in that scene; without one it changes
    # the image's own setting (light, weather, season, blur, backdrop) around the subject.
    makes_settings_offline = True

    def recontext(self, image: Image.Image, request: RecontextRequest) -> RecontextOutcome:
        matte = subject_matte(image, request.mask)
        if request.background is None:
            return self._change_setting(image, matte, request)
        from .harmonise import compose
        from .placement import place, placement_hint, subject_box

        box, cut_bottom = subject_box(matte)
        background = request.background.convert("RGB")
        where = place((box[2] - box[0], box[3] - box[1]), background.size, background,
                      placement_hint(request.placement_text or request.setting), at=request.at, scale=request.scale,
                      source_size=image.size, cut_bottom=cut_bottom)
        result, _ = compose(image.convert("RGB"), matte, background, where, harmonize=request.harmonize,
                            feather=request.feather, shadow=request.shadow, seed=request.seed)
        from .describer import placement

        setting = request.setting or ""
        en = placement(request.subject, setting or "the new background", None, False)
        fr = placement(request.subject, setting or "le nouveau décor", None, True)
        return RecontextOutcome(result, Change(
            "recontext", en, True, {"setting": request.setting, "subject": request.subject, "summary_fr": fr},
        ))

    def _change_setting(self, image: Image.Image, matte: Image.Image, request: RecontextRequest) -> RecontextOutcome:
        """The new light, weather or backdrop on the background only; the subject's pixels stay."""
        from .setting_changes import apply_setting, plan_setting

        recipe = plan_setting(request.setting)
        if recipe is None:
            raise UsageError(f"“{request.setting}” cannot be made offline: give --background IMAGE, or use a "
                             "cloud engine")
        result = apply_setting(image.convert("RGB"), matte, recipe, seed=request.seed)
        en, fr = setting_summary(request.subject, recipe)
        return RecontextOutcome(result, Change(
            "recontext", en, True, {"offline_setting": recipe.summary_en, "subject": request.subject,
                                    "effects": [e.name for e in recipe.effects], "summary_fr": fr},
        ))


def setting_summary(subject: str | None, recipe: SettingRecipe) -> tuple[str, str]:
    """"with the scene around the cat at night, in falling snow"; "with the cat on a plain white
    background" when the backdrop itself is new; and the French."""
    import re

    from .describer import lower_determiner

    who_en = lower_determiner(subject) if subject else "the subject"
    who_fr = lower_determiner(subject) if subject else "le sujet"
    if recipe.names and recipe.names[0] in ("backdrop", "gradient", "studio", "blur"):
        return f"with {who_en} {recipe.summary_en}", f"avec {who_fr} {recipe.summary_fr}"
    of_fr = re.sub(r"^de les ", "des ", re.sub(r"^de le ", "du ", f"de {who_fr}"))
    return (f"with the scene around {who_en} {recipe.summary_en}",
            f"avec le décor autour {of_fr} {recipe.summary_fr}")


def subject_matte(image: Image.Image, mask: Image.Image | None) -> Image.Image:
    """The subject's matte in mode L: the given mask, else the image's alpha channel."""
    if mask is not None:
        matte = mask.convert("L")
        if matte.size != image.size:
            matte = matte.resize(image.size, Image.Resampling.LANCZOS)
    elif image.mode == "RGBA":
        matte = image.getchannel("A")
    else:
        raise UsageError("the image has no transparent background to take the subject from; pass --mask FILE")
    lo, hi = matte.getextrema()
    if hi < 128:
        raise UsageError("the subject mask is empty (no pixel marks the subject)")
    if lo > 127:
        raise UsageError("the subject mask covers the whole image, so there is no background to replace")
    return matte
