"""Finding the subject of a photo: an alpha matte, white = subject.

Three sources, tried in this order by `find_subject`:
- the image's own alpha channel, when it has real transparency;
- a trained background-removal model (`model.py`, through rembg and
  onnxruntime) when `matte.engine` allows it and its weights are on disk;
- the classic tier (`classic.py`): saliency and priors seeding GrabCut, then
  edge-aware refinement. No weights, always there.

Every answer says which engine made it and how sure it is, so an unsure matte
can be reported in the output prompt and the run record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

# Below this confidence a matte is reported as unsure.
UNSURE_BELOW = 0.6

ENGINES = ("auto", "model", "classic")


@dataclass
class Matte:
    """A subject matte for one image."""

    alpha: Image.Image  # mode "L", the image's size, 255 = subject
    confidence: float  # 0..1: how sure the engine is that this is the subject
    engine: str  # "alpha", "mask", "classic", "model:isnet-general-use"
    notes: list[str] = field(default_factory=list)  # e.g. why auto fell back to classic

    @property
    def unsure(self) -> bool:
        return self.confidence < UNSURE_BELOW

    def record(self) -> dict[str, Any]:
        """What a run record keeps about the matte (not the pixels)."""
        return {"engine": self.engine, "confidence": round(float(self.confidence), 3), "notes": list(self.notes)}


def own_alpha(image: Image.Image) -> Image.Image | None:
    """The image's alpha channel when it really cuts something out (not a fully opaque alpha)."""
    if image.mode not in ("RGBA", "LA", "PA"):
        return None
    alpha = image.getchannel("A")
    lo, hi = alpha.getextrema()
    return alpha if lo < 250 and hi > 5 else None


def find_subject(image: Image.Image, *, mask: Image.Image | None = None, engine: str = "auto",
                 model: str = "isnet-general-use", subject: str | None = None, scorer: Any = None) -> Matte:
    """The subject's matte: `mask` when given, else the image's alpha, else the engine's estimate.

    `auto` uses the trained model when its weights are on disk and falls back to the
    classic tier otherwise, saying why in the notes; `model` insists on the weights.
    `scorer` (a `select.Scorer`, e.g. CLIP's) picks among several candidate subjects the one
    that best matches `subject`.
    """
    if engine not in ENGINES:
        from ..errors import UsageError

        raise UsageError(f"unknown matte engine '{engine}' (choose one of {', '.join(ENGINES)})")
    if mask is not None:
        return Matte(mask.convert("L"), 1.0, "mask")
    alpha = own_alpha(image)
    if alpha is not None:
        return Matte(alpha, 1.0, "alpha")
    rgb = image.convert("RGB")
    notes: list[str] = []
    if engine in ("auto", "model"):
        from .model import model_available, model_matte, unavailable_reason

        if model_available(model):
            return model_matte(rgb, model)
        reason = unavailable_reason(model) or f"model {model} unavailable"
        if engine == "model":
            from ..errors import EngineError

            raise EngineError(f"the matte model cannot run: {reason}")
        notes.append(f"classic matte used: {reason}")
    from .classic import classic_matte

    found = classic_matte(rgb, subject, scorer=scorer)
    found.notes[:0] = notes
    return found
