"""Stage 2 (cloud engines): every edit the plan asks for, in one image-model call.

Only engines with an editor role run it. What it answers (style, recontext,
add_object, recolor, remove_object, replace_object, move) the offline recontext and stylize stages then skip, so a
run never pays twice for the same change.
"""

from __future__ import annotations

from typing import Any

from ..engines.base import Change, EditRequest
from .base import Stage, StageOutput, State, answered

EDIT_KINDS = ("style", "recontext", "add_object", "recolor", "remove_object", "replace_object", "move")


def edit_tasks(state: State) -> list:
    """The plan's tasks a paid edit should make: not those already made, and not a recontext that
    the offline compositor does for free (a background image and the subject's matte are given)."""
    if state.plan is None:
        return []
    free_recontext = state.background is not None and state.subject_matte() is not None
    return [t for t in state.plan.tasks if t.kind in EDIT_KINDS and not answered(state, t.kind)
            and not (t.kind == "recontext" and free_recontext)
            and not (t.kind == "add_object" and state.object_image is not None)]  # the user's own object


def edit_request(state: State) -> EditRequest:
    settings = state.settings
    plan = state.plan
    tasks = edit_tasks(state)
    mask = state.subject_matte() if any(t.kind == "recontext" for t in tasks) else None
    # An edit that must keep the subject keeps its details best at high input fidelity.
    fidelity = "high" if mask is not None else settings["cloud.input_fidelity"]
    return EditRequest(
        prompt=state.prompt,
        language=plan.language if plan else "en",
        tasks=tasks,
        mask=mask,
        style_image=state.style_image.image if state.style_image else None,
        style_image_name=state.style_image.source if state.style_image else None,
        background=state.background.image if state.background else None,
        quality=settings["cloud.quality"],
        size=settings["cloud.size"],
        input_fidelity=fidelity,
        output_format=settings["cloud.output_format"],
    )


class EditStage(Stage):
    name = "edit"
    role = "editor"

    def applies(self, state: State) -> bool:
        return bool(edit_tasks(state)) or (state.style_image is not None and not answered(state, "style"))

    def params(self, state: State) -> dict[str, Any]:
        return edit_request(state).params()

    def inputs(self, state: State) -> dict[str, str]:
        inputs = {"image": state.image_digest}
        request = edit_request(state)
        if request.mask is not None:
            inputs["matte_source"] = state.mask_digest or state.source.digest
        if state.style_image is not None:
            inputs["style_image"] = state.style_image.digest
        if state.background is not None:
            inputs["background"] = state.background.digest
        return inputs

    def execute(self, state: State, impl: Any) -> StageOutput:
        from .recontext import note_matte

        outcome = impl.edit(state.image, edit_request(state))
        for change in outcome.changes:
            note_matte(state, change)
        return StageOutput(outcome.image, {"changes": [c.to_dict() for c in outcome.changes], "opaque": True})

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
