"""Stage 2a: restyle the whole image as the plan's style task asks."""

from __future__ import annotations

from typing import Any

from ..engines.base import Change, StyleRequest
from .base import Stage, StageOutput, State, answered


def style_request(state: State) -> StyleRequest:
    task = state.plan.first("style") if state.plan else None
    settings = state.settings
    return StyleRequest(
        style=str(task.args.get("style") or task.text) if task else "",
        strength=float(settings["style.strength"]),
        detail=float(settings["style.detail"]),
        seed=int(settings["seed"]),
        style_image=state.style_image.image if state.style_image else None,
        style_image_name=_display_name(state.style_image.source) if state.style_image else None,
        time_budget=float(settings["style.time_budget"]),
    )


def _display_name(source: str) -> str:
    from pathlib import Path

    return "the reference image" if source in ("-", "") or source.startswith("<") else Path(source).name


class StylizeStage(Stage):
    name = "stylize"
    role = "stylizer"

    def applies(self, state: State) -> bool:
        if answered(state, "style"):
            return False
        return state.style_image is not None or bool(state.plan and state.plan.first("style"))

    def params(self, state: State) -> dict[str, Any]:
        return style_request(state).params()

    def inputs(self, state: State) -> dict[str, str]:
        inputs = {"image": state.image_digest}
        if state.style_image is not None:
            inputs["style_image"] = state.style_image.digest
        return inputs

    def execute(self, state: State, impl: Any) -> StageOutput:
        outcome = impl.stylize(state.image, style_request(state))
        return StageOutput(outcome.image, {"changes": [outcome.change.to_dict()]})

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
