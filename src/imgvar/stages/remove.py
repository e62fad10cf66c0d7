"""Stage 2a (offline): a removal the user marked with `--mask`, filled from its surroundings.

The mask means what to take away only when the plan removes something and asks for no new
setting (for a recontext the mask is the subject to keep). A cloud edit answers a removal
itself, so this stage then does not apply; without a mask the offline engine says what it needs.
"""

from __future__ import annotations

from typing import Any

from ..engines.base import Change, RemoveRequest
from .base import Stage, StageOutput, State, answered


def removal_task(state: State):
    plan = state.plan
    if plan is None or state.mask is None or plan.first("recontext") is not None:
        return None
    return plan.first("remove_object")


class RemoveStage(Stage):
    name = "remove"
    role = "remover"

    def applies(self, state: State) -> bool:
        return removal_task(state) is not None and not answered(state, "remove_object")

    def params(self, state: State) -> dict[str, Any]:
        task = removal_task(state)
        return {"object": task.args.get("object"), "where": task.args.get("where")}

    def inputs(self, state: State) -> dict[str, str]:
        return {"image": state.image_digest, "mask": state.mask_digest}

    def execute(self, state: State, impl: Any) -> StageOutput:
        task = removal_task(state)
        request = RemoveRequest(object_name=str(task.args.get("object") or task.text), where=task.args.get("where"),
                                mask=state.mask)
        outcome = impl.remove(state.image, request)
        return StageOutput(outcome.image, {"changes": [outcome.change.to_dict()]})

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
