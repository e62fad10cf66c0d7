"""Stage 4: the output prompt, saying what was changed and what could not be."""

from __future__ import annotations

from typing import Any

from ..engines.base import Change
from .base import Stage, StageOutput, State

_UNSUPPORTED_FR = {
    "add_object": "ajout d'objet",
    "recolor": "recoloration ciblée",
}


def unhandled_changes(state: State, engine_name: str) -> list[Change]:
    """Plan tasks no stage answered, reported as not applied so the user knows."""
    if state.plan is None:
        return []
    answered = {c.kind for c in state.changes}
    missing = []
    for task in state.plan.tasks:
        if task.kind in answered or task.kind == "adjust":
            continue
        if task.kind == "other":
            missing.append(Change("other", f"'{task.text}' (not understood)", False,
                                  {"summary_fr": f"« {task.text} » (non compris)"}))
        else:
            hint = "" if engine_name != "local" else "; a cloud engine can do it"
            missing.append(Change(task.kind, f"'{task.text}' ({engine_name} engine cannot do this{hint})", False,
                                  {"summary_fr": f"« {task.text} » ({_UNSUPPORTED_FR.get(task.kind, task.kind)}"
                                                 f" impossible avec le moteur {engine_name})"}))
    return missing


class DescribeStage(Stage):
    name = "describe"
    role = "describer"

    def params(self, state: State) -> dict[str, Any]:
        return {"plan": state.plan.to_dict() if state.plan else None,
                "changes": [c.to_dict() for c in state.changes]}

    def inputs(self, state: State) -> dict[str, str]:
        return {}

    def execute(self, state: State, impl: Any) -> StageOutput:
        return StageOutput(data={"output_prompt": impl.describe(state.plan, state.changes)})

    def apply(self, state: State, output: StageOutput) -> None:
        state.output_prompt = output.data["output_prompt"]
