"""Stage 3: re-assembly and final adjustments.

Puts the original alpha back on a restyled image, then applies the plan's
`adjust` tasks (brightness, contrast, saturation, warmth, sharpness, blur,
grayscale) as gentle global corrections.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engines.base import Change
from .base import Stage, StageOutput, State

if TYPE_CHECKING:
    from PIL import Image

# One step of "brighter", "more contrast"...: noticeable, not destructive.
STEP = 0.2

_PHRASES = {
    ("brightness", "increase"): ("made brighter", "rendue plus lumineuse"),
    ("brightness", "decrease"): ("made darker", "rendue plus sombre"),
    ("contrast", "increase"): ("given more contrast", "rendue plus contrastée"),
    ("contrast", "decrease"): ("given softer contrast", "rendue moins contrastée"),
    ("saturation", "increase"): ("made more saturated", "rendue plus saturée"),
    ("saturation", "decrease"): ("made less saturated", "rendue moins saturée"),
    ("warmth", "increase"): ("given warmer tones", "réchauffée"),
    ("warmth", "decrease"): ("given cooler tones", "refroidie"),
    ("sharpness", "increase"): ("sharpened", "rendue plus nette"),
    ("sharpness", "decrease"): ("softened", "adoucie"),
    ("blur", "increase"): ("blurred", "floutée"),
    ("blur", "decrease"): ("sharpened", "rendue plus nette"),
    ("grayscale", "increase"): ("turned black and white", "passée en noir et blanc"),
    ("grayscale", "decrease"): ("left in colour", "laissée en couleur"),
}


def adjust(image: Image.Image, adjustment: str, direction: str) -> Image.Image:
    from PIL import ImageEnhance, ImageFilter, ImageOps  # only when there is an adjustment to make

    sign = 1.0 if direction == "increase" else -1.0
    factor = 1.0 + sign * STEP
    if adjustment == "brightness":
        return ImageEnhance.Brightness(image).enhance(factor)
    if adjustment == "contrast":
        return ImageEnhance.Contrast(image).enhance(factor)
    if adjustment == "saturation":
        return ImageEnhance.Color(image).enhance(1.0 + sign * 0.35)
    if adjustment == "warmth":
        return _warmth(image, sign * 0.08)
    if adjustment == "sharpness" or (adjustment == "blur" and sign < 0):
        return image.filter(ImageFilter.UnsharpMask(radius=2, percent=120 if sign > 0 or adjustment == "blur" else 0))
    if adjustment == "blur":
        return image.filter(ImageFilter.GaussianBlur(max(1.0, max(image.size) / 400)))
    if adjustment == "grayscale" and sign > 0:
        return ImageOps.grayscale(image).convert("RGB")
    return image


def _warmth(image: Image.Image, amount: float) -> Image.Image:
    from PIL import Image

    r, g, b = image.split()
    r = r.point(lambda v: min(255, int(v * (1 + amount) + 0.5)))
    b = b.point(lambda v: min(255, int(v * (1 - amount) + 0.5)))
    return Image.merge("RGB", (r, g, b))


class PostprocessStage(Stage):
    name = "postprocess"
    role = None
    version = "post-1"

    def _adjustments(self, state: State) -> list[tuple[str, str]]:
        tasks = state.plan.of_kind("adjust") if state.plan else []
        return [(str(t.args.get("adjustment")), str(t.args.get("direction", "increase"))) for t in tasks
                if (t.args.get("adjustment"), t.args.get("direction", "increase")) in _PHRASES]

    def _keep_alpha(self, state: State) -> bool:
        recontexted = any(c.kind == "recontext" and c.applied for c in state.changes)
        return state.source.image.mode == "RGBA" and not recontexted

    def params(self, state: State) -> dict[str, Any]:
        return {"adjust": [list(a) for a in self._adjustments(state)], "keep_alpha": self._keep_alpha(state)}

    def inputs(self, state: State) -> dict[str, str]:
        return {"image": state.image_digest, "alpha_source": state.source.digest}

    def execute(self, state: State, impl: Any) -> StageOutput:
        adjustments = self._adjustments(state)
        keep_alpha = self._keep_alpha(state)
        if not adjustments and not keep_alpha and state.image.mode == "RGB":
            # Nothing to do: hand the input back as is, so no copy is made and nothing is stored.
            return StageOutput(state.image, {"changes": []})
        image = state.image.convert("RGB")
        changes = []
        for adjustment, direction in adjustments:
            image = adjust(image, adjustment, direction)
            en, fr = _PHRASES[(adjustment, direction)]
            changes.append(Change("adjust", en, True, {"adjustment": adjustment, "direction": direction,
                                                       "summary_fr": fr}).to_dict())
        if keep_alpha:
            image = image.convert("RGBA")
            image.putalpha(state.source.image.getchannel("A"))
        return StageOutput(image, {"changes": changes})

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
