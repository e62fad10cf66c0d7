"""Stage 2b: keep the subject, change its setting."""

from __future__ import annotations

from typing import Any

from ..engines.base import Change, RecontextRequest
from .base import Stage, StageOutput, State, answered


def recontext_request(state: State) -> RecontextRequest:
    task = state.plan.first("recontext") if state.plan else None
    settings = state.settings
    return RecontextRequest(
        setting=str(task.args.get("setting") or task.text) if task else "",
        subject=task.args.get("subject") if task else None,
        background=state.background.image if state.background else None,
        mask=state.mask,
        harmonize=float(settings["recontext.harmonize"]),
        feather=float(settings["recontext.feather"]),
        shadow=float(settings["recontext.shadow"]),
        seed=int(settings["seed"]),
    )


class RecontextStage(Stage):
    name = "recontext"
    role = "recontexter"

    def applies(self, state: State) -> bool:
        return bool(state.plan and state.plan.first("recontext")) and not answered(state, "recontext")

    def skip_reason(self, state: State, impl: Any) -> Change | None:
        task = state.plan.first("recontext")
        missing = None
        if getattr(impl, "needs_background", False) and state.background is None:
            missing = ("no --background image was given", "aucune image --background n'a été fournie")
        elif getattr(impl, "needs_matte", False) and state.mask is None and state.source.image.mode != "RGBA":
            missing = ("the image has no transparent background and no --mask was given",
                       "l'image n'a pas de fond transparent et aucun --mask n'a été fourni")
        if missing is None:
            return None
        return Change("recontext", f"“{task.text}” ({missing[0]})", False,
                      {"reason": missing[0], "summary_fr": f"« {task.text} » ({missing[1]})"})

    def params(self, state: State) -> dict[str, Any]:
        return recontext_request(state).params()

    def inputs(self, state: State) -> dict[str, str]:
        # The matte comes from the original (the stylized image may have lost alpha).
        inputs = {"image": state.image_digest, "matte_source": state.mask_digest or state.source.digest}
        if state.background is not None:
            inputs["background"] = state.background.digest
        return inputs

    def execute(self, state: State, impl: Any) -> StageOutput:
        request = recontext_request(state)
        if request.mask is None and state.source.image.mode == "RGBA":
            request.mask = state.source.image.getchannel("A")
        outcome = impl.recontext(state.image, request)
        return StageOutput(outcome.image, {"changes": [outcome.change.to_dict()], "opaque": True})

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
