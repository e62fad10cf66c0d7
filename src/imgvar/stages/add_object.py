"""Stage 2b: an object image (`--object IMAGE`) put into the picture where the prompt says.

It runs before recontext: an object placed on the subject ("a hat on the dog") joins the
subject's matte, so a later recontext carries it into the new scene with the subject.
Without `--object` the stage does not apply: a cloud edit paints new objects, the offline
engine says it cannot.
"""

from __future__ import annotations

from typing import Any

from ..engines.base import AddObjectRequest, Change
from .base import Stage, StageOutput, State, answered


def object_task(state: State):
    return state.plan.first("add_object") if state.plan and state.object_image is not None else None


def object_matte(state: State):
    """The object's own alpha, or its subject found like any photo's."""
    from ..matte import find_subject, own_alpha

    image = state.object_image.image
    alpha = own_alpha(image)
    if alpha is not None:
        return alpha
    found = find_subject(image, engine="classic", model=state.settings["matte.model"])
    if found.alpha.getextrema()[1] < 128:
        from ..errors import UsageError

        raise UsageError("no object could be found in the --object image; give it a transparent background")
    return found.alpha


def add_object_request(state: State) -> AddObjectRequest:
    task = object_task(state)
    settings = state.settings
    return AddObjectRequest(
        object_name=str(task.args.get("object") or task.text), where=task.args.get("where"),
        object_image=state.object_image.image, object_matte=object_matte(state),
        subject_matte=state.subject_matte(),
        harmonize=float(settings["recontext.harmonize"]), feather=float(settings["recontext.feather"]),
        shadow=float(settings["recontext.shadow"]), seed=int(settings["seed"]), placement_text=task.text)


class AddObjectStage(Stage):
    name = "add_object"
    role = "adder"
    makes_working_image = False  # `apply` splits the object's matte off the stored RGBA image

    def applies(self, state: State) -> bool:
        return object_task(state) is not None and not answered(state, "add_object")

    def params(self, state: State) -> dict[str, Any]:
        task = object_task(state)
        settings = state.settings
        return {"object": task.args.get("object"), "where": task.args.get("where"), "text": task.text,
                "harmonize": float(settings["recontext.harmonize"]), "feather": float(settings["recontext.feather"]),
                "shadow": float(settings["recontext.shadow"]), "seed": int(settings["seed"])}

    def inputs(self, state: State) -> dict[str, str]:
        inputs = {"image": state.image_digest, "object": state.object_image.digest}
        if state.mask_digest:
            inputs["matte_source"] = state.mask_digest
        return inputs

    def execute(self, state: State, impl: Any) -> StageOutput:
        outcome = impl.add(state.image, add_object_request(state))
        stored = outcome.image.convert("RGB")
        stored.putalpha(outcome.matte)  # one stored image: the picture, and where the object went
        return StageOutput(stored, {"changes": [outcome.change.to_dict()]})

    def apply(self, state: State, output: StageOutput) -> None:
        from PIL import ImageChops

        from ..imageio import pixel_digest

        if output.image is None or output.image.mode != "RGBA" or output.image.size != state.image.size:
            raise ValueError("stored object composite does not fit the image")
        state.image = output.image.convert("RGB")
        state.image_digest = pixel_digest(state.image)
        placed = output.image.getchannel("A")
        subject = state.subject_matte()
        if subject is not None:  # the object on the subject travels with it into a new scene
            state.mask = ImageChops.lighter(subject, placed)
            state.mask_digest = pixel_digest(state.mask)
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
