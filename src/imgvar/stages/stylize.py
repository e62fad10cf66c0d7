"""Stage 2a: restyle the whole image as the plan's style task asks."""

from __future__ import annotations

from dataclasses import replace
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


# Detail scales tried by --candidates, in order, each with its own seed: coarser and finer strokes.
CANDIDATE_DETAIL = (1.0, 0.7, 1.4, 0.5, 2.0, 0.85, 1.2, 0.6)


def candidate_count(state: State) -> int:
    return int(state.settings["style.candidates"])


def _clip_ready(state: State) -> bool:
    return state.clip is not None and state.clip.available


def _unknown_phrase(request: StyleRequest) -> bool:
    """A phrase the offline lexicon does not know (it would fall back to the default preset)."""
    from ..styles import resolve_style

    return request.style_image is None and bool(request.style) and resolve_style(request.style).how == "fallback"


class StylizeStage(Stage):
    name = "stylize"
    role = "stylizer"

    def applies(self, state: State) -> bool:
        if answered(state, "style"):
            return False
        return state.style_image is not None or bool(state.plan and state.plan.first("style"))

    def params(self, state: State) -> dict[str, Any]:
        request = style_request(state)
        params = request.params()
        n = candidate_count(state)
        if n > 1:
            params["candidates"] = n
        # CLIP decides the preset of an unknown phrase and the best candidate: its weights are an input.
        if _clip_ready(state) and (n > 1 or _unknown_phrase(request)):
            params["clip"] = state.clip.spec.model_id
            if n > 1:
                params["min_image_similarity"] = float(state.settings["clip.min_image_similarity"])
        return params

    def inputs(self, state: State) -> dict[str, str]:
        inputs = {"image": state.image_digest}
        if state.style_image is not None:
            inputs["style_image"] = state.style_image.digest
        return inputs

    def execute(self, state: State, impl: Any) -> StageOutput:
        from ..clip import ClipUnavailable

        request = style_request(state)
        chosen = None
        if _clip_ready(state) and _unknown_phrase(request):
            try:
                chosen = _nearest(state, request.style)
                request = replace(request, style=chosen["preset"])
            except ClipUnavailable:
                chosen = None
        candidates = None
        n = candidate_count(state)
        if n > 1 and _clip_ready(state):
            try:
                outcome, candidates = _best_of(state, impl, request, n)
            except ClipUnavailable:
                outcome = impl.stylize(state.image, request)
        else:
            outcome = impl.stylize(state.image, request)
        change = outcome.change
        if chosen is not None:
            change = _say_clip_chose(change, chosen)
        data: dict[str, Any] = {"changes": [change.to_dict()]}
        if candidates is not None:
            data["candidates"] = candidates
        return StageOutput(outcome.image, data)

    def apply(self, state: State, output: StageOutput) -> None:
        state.changes.extend(Change.from_dict(c) for c in output.data.get("changes", []))
        if output.data.get("candidates"):
            state.candidates = list(output.data["candidates"])


def _nearest(state: State, phrase: str) -> dict[str, Any]:
    from ..clip.judge import nearest_preset

    preset, similarity = nearest_preset(state.clip, phrase)
    return {"phrase": phrase, "preset": preset, "similarity": round(similarity, 4), "model": state.clip.spec.source}


def _say_clip_chose(change: Change, chosen: dict[str, Any]) -> Change:
    phrase = chosen["phrase"]
    detail = {**change.detail, "requested": phrase, "how": "clip", "clip_choice": chosen}
    if "summary_fr" in detail:
        detail["summary_fr"] += f", le style hors ligne le plus proche de « {phrase} » selon CLIP"
    return Change(change.kind, f"{change.summary}, the offline preset nearest to '{phrase}' by CLIP", change.applied,
                  detail)


def _best_of(state: State, impl: Any, request: StyleRequest, n: int) -> tuple[Any, list[dict[str, Any]]]:
    """`n` variants of the style (seeds and stroke scales), kept by CLIP: the one that moved most toward
    the style's text while keeping clip.min_image_similarity of the original."""
    from ..clip import best_candidate
    from ..clip.judge import task_text
    from ..imageio import pixel_digest

    task = state.plan.first("style") if state.plan else None
    target = (task_text(task) if task else None) or f"{request.style} style"
    before = (state.image_digest, state.image)
    outcomes, scores, variants = [], [], []
    for i in range(n):
        variant = replace(request, seed=request.seed + i, detail=request.detail * CANDIDATE_DETAIL[i % len(CANDIDATE_DETAIL)])
        outcome = impl.stylize(state.image, variant)
        outcomes.append(outcome)
        variants.append(variant)
        scores.append(state.clip.quality(before, (pixel_digest(outcome.image), outcome.image), target))
    best = best_candidate(scores, float(state.settings["clip.min_image_similarity"]))
    report = [{"seed": v.seed, "detail": round(v.detail, 4), **score, "chosen": i == best}
              for i, (v, score) in enumerate(zip(variants, scores))]
    return outcomes[best], report
