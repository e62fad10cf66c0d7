"""Stage 1b: find the subject when the user gave no mask and the image has no transparency.

Its output is the subject's matte (mode L, white = subject), kept beside the
working image rather than replacing it: the recontext stage composites with
it, and a cloud edit sends it as the mask so the subject's own pixels stay.
"""

from __future__ import annotations

from typing import Any

from .base import Stage, StageOutput, State, answered

MATTE_VERSION = "matte-5"
NO_SUBJECT_BELOW = 0.1  # a matte this unsure is a guess over a flat or featureless image
# Tasks that need to know where the subject is.
NEEDS_SUBJECT = ("recontext",)


def matte_engine(state: State) -> str:
    """The tier that will answer: "classic" or "model:NAME" (auto resolved against the weights on disk)."""
    engine, model = state.settings["matte.engine"], state.settings["matte.model"]
    if engine == "classic":
        return "classic"
    if engine == "model":
        return f"model:{model}"
    from ..matte.model import model_available

    return f"model:{model}" if model_available(model) else "classic"


def subject_words(state: State) -> str | None:
    task = state.plan.first("recontext") if state.plan else None
    return task.args.get("subject") if task else None


def _anchors_an_object(state: State) -> bool:
    """ "a hat on the dog" with --object: the subject is where the object goes."""
    task = state.plan.first("add_object") if state.plan and state.object_image is not None else None
    if task is None or not task.args.get("where"):
        return False
    from ..engines.local.adder import names_a_place  # the lexicon, only when there is an object to place

    return not names_a_place(task.args.get("where"))


def _clip_picks(state: State) -> bool:
    """Whether CLIP ranks the candidate subjects: the classic matte answers (the trained model finds one
    subject, with no candidates to rank), the prompt names one and the weights are here."""
    return (bool(subject_words(state)) and matte_engine(state) == "classic" and state.clip is not None
            and state.clip.available)


class MatteStage(Stage):
    name = "matte"
    role = None
    version = MATTE_VERSION
    makes_working_image = False  # the matte goes to state.mask; the working image is untouched

    def applies(self, state: State) -> bool:
        if state.subject_matte() is not None:  # a --mask, or the image's own transparency
            return False
        if state.wants_matte or _anchors_an_object(state):
            return True
        return bool(state.plan) and any(state.plan.first(k) and not answered(state, k) for k in NEEDS_SUBJECT)

    def params(self, state: State) -> dict[str, Any]:
        params = {"engine": matte_engine(state), "subject": subject_words(state)}
        if _clip_picks(state):
            params["clip"] = state.clip.spec.model_id  # it chooses among candidate subjects
        return params

    def inputs(self, state: State) -> dict[str, str]:
        return {"image": state.source.digest}  # always the original: a restyled image hides edges

    def execute(self, state: State, impl: Any) -> StageOutput:
        from ..matte import find_subject

        engine = matte_engine(state)
        scorer = None
        if _clip_picks(state):
            from ..clip.judge import subject_scorer

            scorer = subject_scorer(state.clip)
        found = find_subject(state.source.image, engine="classic" if engine == "classic" else "model",
                             model=state.settings["matte.model"], subject=subject_words(state), scorer=scorer)
        if state.settings["matte.engine"] == "auto" and engine == "classic":
            from ..matte.model import unavailable_reason

            found.notes.insert(0, f"classic matte: {unavailable_reason(state.settings['matte.model'])}")
        return StageOutput(found.alpha, {"matte": found.record()})

    def apply(self, state: State, output: StageOutput) -> None:
        from ..imageio import pixel_digest

        info = dict(output.data["matte"])
        if output.image is None or output.image.mode != "L" or output.image.size != state.source.image.size:
            raise ValueError("stored matte does not fit the image")
        if output.image.getextrema()[1] < 128 or info.get("confidence", 1.0) < NO_SUBJECT_BELOW:
            from ..errors import UsageError  # said for a stored matte too: the same input, the same answer

            notes = info.get("notes") or []
            why = f" ({notes[-1]})" if notes else ""
            raise UsageError(f"no subject could be found in the image automatically{why}; give --mask FILE "
                             "(white = subject)")
        state.mask = output.image
        state.mask_digest = pixel_digest(output.image)
        state.matte = info
