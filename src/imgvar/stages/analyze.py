"""Stage 1: the prompt (and image) become a typed plan of sub-tasks."""

from __future__ import annotations

from typing import Any

from ..plan import Plan
from .base import Stage, StageOutput, State


class AnalyzeStage(Stage):
    name = "analyze"
    role = "analyzer"

    def applies(self, state: State) -> bool:
        return state.plan is None

    def params(self, state: State) -> dict[str, Any]:
        return {"prompt": state.prompt}

    def inputs(self, state: State) -> dict[str, str]:
        return {"image": state.source.digest}

    def execute(self, state: State, impl: Any) -> StageOutput:
        plan = impl.analyze(state.prompt, state.source.image, state.facts)
        return StageOutput(data={"plan": plan.to_dict()})

    def apply(self, state: State, output: StageOutput) -> None:
        state.plan = Plan.from_dict(output.data["plan"])
