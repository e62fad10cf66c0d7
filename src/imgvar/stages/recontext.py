"""Stage 2b: keep the subject, change its setting."""

from __future__ import annotations

from typing import Any

from ..engines.base import Change, RecontextRequest
from ..errors import UsageError
from .base import Stage, StageOutput, State, answered


def offline_refusal(state: State, engine: Any) -> UsageError | None:
    """The error for a new setting nothing here can make: no background image, no engine that
    edits images, and words (a place, a scene) that no offline change honours."""
    task = state.plan.first("recontext") if state.plan else None
    if task is None or answered(state, "recontext") or state.background is not None:
        return None
    if engine is not None and engine.role("editor") is not None:
        return None  # a cloud edit paints the new setting
    from ..engines.local.setting_changes import plan_setting, unsupported_words

    setting = str(task.args.get("setting") or task.text)
    if plan_setting(setting) is not None:
        return None
    words = unsupported_words(setting)
    what = f"“{setting}”" + (f" ({', '.join(words)})" if words else "")
    return UsageError(f"{what} cannot be made offline without a picture of it: give --background IMAGE with "
                      "the new scene, or use a cloud engine (--engine openai with OPENAI_API_KEY set, or "
                      "--engine azure)")


def note_matte(state: State, change: Change) -> None:
    """The automatic matte's record on the change it served; an unsure one is flagged for the output prompt."""
    if state.matte is None or change.kind != "recontext":
        return
    from ..matte import UNSURE_BELOW

    change.detail["matte"] = state.matte
    if state.matte.get("confidence", 1.0) < UNSURE_BELOW:
        change.detail["matte_unsure"] = True


def recontext_request(state: State) -> RecontextRequest:
    task = state.plan.first("recontext") if state.plan else None
    settings = state.settings
    return RecontextRequest(
        setting=str(task.args.get("setting") or task.text) if task else "",
        subject=task.args.get("subject") if task else None,
        background=state.background.image if state.background else None,
        mask=state.mask,
        placement_text=state.prompt,
        at=state.placement.get("at"),
        scale=state.placement.get("scale"),
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
        # `run` checks this right after analysis; a library caller reaching the stage gets the same refusal.
        if getattr(impl, "makes_settings_offline", False) and state.background is None:
            refusal = offline_refusal(state, None)
            if refusal is not None:
                raise refusal
        return None

    def params(self, state: State) -> dict[str, Any]:
        return recontext_request(state).params()

    def inputs(self, state: State) -> dict[str, str]:
        # The matte comes from the original (the stylized image may have lost alpha).
        inputs = {"image": state.image_digest, "matte_source": state.mask_digest or state.source.digest,
                  "source": state.source.digest}
        if state.background is not None:
            inputs["background"] = state.background.digest
        return inputs

    def execute(self, state: State, impl: Any) -> StageOutput:
        request = recontext_request(state)
        if request.mask is None and state.source.image.mode == "RGBA":
            request.mask = state.source.image.getchannel("A")
        outcome = impl.recontext(state.image, request)
        note_matte(state, outcome.change)
        return StageOutput(outcome.image, {"changes": [outcome.change.to_dict()], "opaque": True})

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
