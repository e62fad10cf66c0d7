"""The edit plan: what a prompt asks for, split into typed sub-tasks.

Every analyzer (the offline parser, a cloud model) produces this same shape,
so the stages downstream never care where a plan came from. `to_dict` is the
JSON form documented in the README under "Analysis schema".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Minor versions only add kinds or optional fields: a reader of an earlier one treats a kind it
# does not know as `other`. 1.1 added remove_object, replace_object and move.
PLAN_SCHEMA = "imgvar.plan/1.1"

# The kinds of sub-task a plan can hold, and the args each one carries:
#   style       {"style": "van gogh"}                      restyle the whole image
#   recontext   {"subject": "the cat" | None, "setting": "a beach at sunset"}
#   add_object  {"object": "a red hat", "where": "on the dog" | None}
#   recolor     {"target": "the car" | None, "color": "red"}
#   adjust      {"adjustment": ADJUSTMENTS[i], "direction": "increase" | "decrease"}
#   remove_object  {"object": "the fence", "where": "on the left" | None}
#   replace_object {"target": "the fruits", "replacement": "a cake"}
#   move        {"object": "the vase", "where": "to the right of the lamp"}
#   other       {}                                          understood by no rule
TASK_KINDS: tuple[str, ...] = ("style", "recontext", "add_object", "recolor", "adjust", "remove_object",
                               "replace_object", "move", "other")

ADJUSTMENTS: tuple[str, ...] = (
    "brightness",
    "contrast",
    "saturation",
    "warmth",
    "sharpness",
    "blur",
    "grayscale",
)


@dataclass
class SubTask:
    kind: str
    text: str  # the fragment of the prompt this task came from
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in TASK_KINDS:
            raise ValueError(f"unknown task kind {self.kind!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SubTask:
        return cls(kind=data["kind"], text=data.get("text", ""), args=dict(data.get("args") or {}))


@dataclass
class Plan:
    prompt: str
    language: str  # "en" or "fr"
    tasks: list[SubTask] = field(default_factory=list)
    # A draft of the output prompt from an analyzer that saw the image (a cloud text model):
    # the describer completes it after the edit instead of making another call.
    output_prompt: str | None = None

    def first(self, kind: str) -> SubTask | None:
        return next((t for t in self.tasks if t.kind == kind), None)

    def of_kind(self, kind: str) -> list[SubTask]:
        return [t for t in self.tasks if t.kind == kind]

    def kinds(self) -> list[str]:
        return [t.kind for t in self.tasks]

    def to_dict(self) -> dict[str, Any]:
        data = {
            "schema": PLAN_SCHEMA,
            "prompt": self.prompt,
            "language": self.language,
            "tasks": [asdict(t) for t in self.tasks],
        }
        if self.output_prompt is not None:
            data["output_prompt"] = self.output_prompt
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            prompt=data["prompt"],
            language=data.get("language", "en"),
            tasks=[SubTask.from_dict(t) for t in data.get("tasks", [])],
            output_prompt=data.get("output_prompt"),
        )
