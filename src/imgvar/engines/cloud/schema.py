"""The structured answer of the one text call: the plan and a draft of the output prompt.

The model fills a flat, strict schema (every field present, nullable where a
kind does not use it); `to_plan` turns it into the same `Plan` the offline
parser produces, so nothing downstream knows which analyzer ran.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from ...plan import ADJUSTMENTS, Plan, SubTask

Kind = Literal["style", "recontext", "add_object", "recolor", "adjust", "remove_object", "replace_object", "move",
               "other"]
Adjustment = Literal[ADJUSTMENTS]  # type: ignore[valid-type]

SYSTEM_PROMPT = """You plan edits for an image-variation tool. Split the user's request into sub-tasks:
- style: restyle the whole image; `style` names the style in lower case as the user put it ("van gogh", "watercolor", "ukiyo-e").
- recontext: keep the subject, change its setting; `subject` is the subject as named (null if implicit), `setting` the new setting.
- add_object: `object` to add and `where` (null if unsaid).
- recolor: `target` (null for the whole image) and `color`.
- adjust: a global correction; `adjustment` is one of brightness, contrast, saturation, warmth, sharpness, blur, grayscale and `direction` increase or decrease.
- remove_object: `object` to take out of the image and `where` (null if unsaid).
- replace_object: `target` that becomes something else and `replacement` (null if unsaid); a new colour is recolor, a new setting recontext, a material or art form for the whole image style.
- move: `object` already in the image and `where` it goes.
- other: anything else.
`text` is the fragment of the request each task comes from. Unused fields are null.
`language` is "fr" if the request is in French, else "en".
`subject` (top level) says in a few words what the image shows.
`output_prompt` is one or two sentences, in the request's language, describing the resulting image and what was changed from the original, as if every task was carried out."""


class CloudTask(BaseModel):
    kind: Kind
    text: str
    style: Optional[str] = Field(description="style tasks: the style named")
    subject: Optional[str] = Field(description="recontext tasks: the subject kept")
    setting: Optional[str] = Field(description="recontext tasks: the new setting")
    object: Optional[str] = Field(description="add_object, remove_object and move tasks: the object")
    where: Optional[str] = Field(description="add_object, remove_object and move tasks: where")
    target: Optional[str] = Field(description="recolor and replace_object tasks: what changes")
    replacement: Optional[str] = Field(description="replace_object tasks: what it becomes")
    color: Optional[str] = Field(description="recolor tasks: the new colour")
    adjustment: Optional[Adjustment] = Field(description="adjust tasks")  # type: ignore[valid-type]
    direction: Optional[Literal["increase", "decrease"]] = Field(description="adjust tasks")


class CloudPlan(BaseModel):
    language: Literal["en", "fr"]
    subject: str
    tasks: list[CloudTask]
    output_prompt: str


def to_plan(answer: CloudPlan, prompt: str) -> Plan:
    tasks = [_to_task(t) for t in answer.tasks]
    draft = " ".join(answer.output_prompt.split()) or None
    return Plan(prompt=prompt, language=answer.language, tasks=tasks, output_prompt=draft)


def _to_task(task: CloudTask) -> SubTask:
    text = task.text.strip()
    if task.kind == "style":
        return SubTask("style", text, {"style": (task.style or text).strip().lower()})
    if task.kind == "recontext" and (task.setting or text):
        return SubTask("recontext", text, {"subject": task.subject, "setting": (task.setting or text).strip()})
    if task.kind == "add_object" and (task.object or text):
        return SubTask("add_object", text, {"object": (task.object or text).strip(), "where": task.where})
    if task.kind == "recolor" and task.color:
        return SubTask("recolor", text, {"target": task.target, "color": task.color.strip()})
    if task.kind == "adjust" and task.adjustment and task.direction:
        return SubTask("adjust", text, {"adjustment": task.adjustment, "direction": task.direction})
    if task.kind == "remove_object" and (task.object or text):
        return SubTask("remove_object", text, {"object": (task.object or text).strip(), "where": task.where})
    if task.kind == "replace_object" and (task.target or task.replacement):
        return SubTask("replace_object", text, {"target": task.target, "replacement": task.replacement})
    if task.kind == "move" and task.object and task.where:
        return SubTask("move", text, {"object": task.object.strip(), "where": task.where.strip()})
    return SubTask("other", text, {})  # a kind without the fields it needs is not actionable
