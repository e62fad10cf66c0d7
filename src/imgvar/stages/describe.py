"""Stage 4: the output prompt, saying what was changed and what could not be."""

from __future__ import annotations

from typing import Any

from ..engines.base import Change
from .base import Stage, StageOutput, State

# What the engine would have had to do, for the "not applied" reason.
_CANNOT = {
    "add_object": ("add objects", "ajout d'objet"),
    "recolor": ("recolour part of an image", "recoloration ciblée"),
    "style": ("restyle", "changement de style"),
    "recontext": ("change the setting", "changement de décor"),
    "remove_object": ("remove objects", "suppression d'objet"),
    "replace_object": ("replace objects", "remplacement d'objet"),
    "move": ("move objects", "déplacement d'objet"),
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
        quoted_en, quoted_fr = f"“{task.text}”", f"« {task.text} »"
        if task.kind == "other":
            missing.append(Change("other", f"{quoted_en} (not understood)", False,
                                  {"summary_fr": f"{quoted_fr} (non comprise)"}))
            continue
        what_en, what_fr = _CANNOT.get(task.kind, ("do this", "opération"))
        en = f"the {engine_name} engine cannot {what_en}"
        fr = f"{what_fr} impossible avec le moteur {engine_name}"
        if engine_name == "local" and task.kind == "add_object":
            en += " without --object IMAGE; a cloud engine can"
            fr += " sans --object IMAGE, possible avec un moteur cloud"
        elif engine_name == "local" and task.kind == "remove_object":
            en += " without --mask IMAGE marking them; a cloud engine can"
            fr += " sans --mask IMAGE qui la marque, possible avec un moteur cloud"
        elif engine_name == "local":
            en += "; a cloud engine can"
            fr += ", possible avec un moteur cloud"
        missing.append(Change(task.kind, f"{quoted_en} ({en})", False, {"summary_fr": f"{quoted_fr} ({fr})"}))
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
