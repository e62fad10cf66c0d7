"""What CLIP says about an image and a plan: tags, the prompt's match, tasks already done,
the nearest preset for a style phrase, and which candidate subject a phrase names."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .features import NEUTRAL_TEXT, ClipFeatures

if TYPE_CHECKING:
    from PIL import Image

    from ..plan import Plan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

LOGIT_SCALE = 100.0  # CLIP's trained temperature: cosine gaps of a few hundredths become clear choices
SATISFIED_P = 0.8  # "already done" when the task's text beats a plain photo with this probability


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, tuple[str, tuple[str, ...]]]:
    """facet -> (sentence template, labels), from data/clip_vocabulary.toml."""
    from importlib.resources import files

    data = tomllib.loads(files("imgvar").joinpath("data/clip_vocabulary.toml").read_text(encoding="utf-8"))
    return {facet: (str(spec["template"]), tuple(spec["labels"])) for facet, spec in data.items()}


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(LOGIT_SCALE * (s - top)) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def tags(clip: ClipFeatures, digest: str, image: Image.Image, top: int = 3) -> dict[str, list[dict[str, Any]]]:
    """For each facet of the vocabulary, its `top` labels with their probabilities among the facet's labels."""
    out = {}
    for facet, (template, labels) in vocabulary().items():
        probs = softmax(clip.scores(digest, image, [template.format(label) for label in labels]))
        ranked = sorted(zip(labels, probs), key=lambda lp: -lp[1])[:top]
        out[facet] = [{"label": label, "p": round(p, 3)} for label, p in ranked]
    return out


def task_text(task: Any) -> str | None:
    """The words a task wants the image to show, for the kinds whose result CLIP can see."""
    args = task.args
    if task.kind == "style":
        style = str(args.get("style") or task.text)
        return style if "style" in style.lower() or "painting" in style.lower() else f"{style} style"
    if task.kind == "recontext" and args.get("setting"):
        return f"a photo {args['setting']}" if args["setting"].split()[0] in ("in", "on", "at") \
            else f"a photo of {args['setting']}"
    if task.kind == "add_object" and args.get("object"):
        return f"a photo with {args['object']}"
    if task.kind == "recolor" and args.get("color"):
        return f"a photo of {args.get('target') or 'something'} in {args['color']}"
    if task.kind == "adjust" and args.get("adjustment") == "grayscale":
        return "a black and white photo"
    return None


def analysis(clip: ClipFeatures, digest: str, image: Image.Image, prompt: str, plan: Plan | None) -> dict[str, Any]:
    """The CLIP part of `imgvar analyze`: tags, how well the prompt matches, and which tasks the image
    already satisfies (their text beats a plain photo for this image)."""
    info = clip.info()
    if not info["available"]:
        return info
    info["tags"] = tags(clip, digest, image)
    info["prompt_similarity"] = round(clip.scores(digest, image, [prompt])[0], 4)
    satisfied = []
    for task in (plan.tasks if plan else []):
        text = task_text(task)
        if text is None:
            continue
        p = softmax(clip.scores(digest, image, [text, NEUTRAL_TEXT]))[0]
        satisfied.append({"kind": task.kind, "text": text, "p": round(p, 3), "satisfied": p >= SATISFIED_P})
    info["tasks"] = satisfied
    return info


def nearest_preset(clip: ClipFeatures, phrase: str) -> tuple[str, float]:
    """The preset whose description is nearest to `phrase` in CLIP's text space, with the similarity."""
    from ..styles import presets

    choices = presets()
    texts = [phrase] + [f"{p.name.replace('_', ' ')}: {p.description}" for p in choices]
    vectors = clip.text_vectors(texts)
    sims = vectors[1:] @ vectors[0]
    best = int(sims.argmax())
    return choices[best].name, float(sims[best])


def subject_scorer(clip: ClipFeatures):
    """A `matte.select.Scorer`: CLIP similarity of each candidate's crop with the phrase."""
    from ..imageio import pixel_digest

    def score(image: Image.Image, crops: list[Image.Image], text: str) -> list[float]:
        from .features import ClipUnavailable

        try:
            vectors = clip.image_vectors([(pixel_digest(crop), crop) for crop in crops])
            return [float(s) for s in vectors @ clip.text_vectors([f"a photo of {text}"])[0]]
        except ClipUnavailable:  # the weights would not load: no ranking by content, the other cues decide
            return [0.0] * len(crops)

    return score


def clip_analysis(state: Any, progress: Any = None) -> dict[str, Any] | None:
    """`analysis` for a command's state; what CLIP could not do is said, never raised."""
    from .features import ClipUnavailable

    clip = state.clip
    if clip is None:
        return None
    try:
        with _reported(clip, progress):
            return analysis(clip, state.source.digest, state.source.image, state.prompt, state.plan)
    except ClipUnavailable as exc:
        return {**clip.info(), "available": False, "reason": str(exc)}


def run_quality(state: Any, progress: Any = None) -> dict[str, Any] | None:
    """The quality line of a run: the result's CLIP score against the prompt, the directional score
    (did it change the way the prompt asks) and its similarity to the original; with the candidates'."""
    from .features import ClipUnavailable

    clip = state.clip
    if clip is None:
        return None
    info = clip.info()
    if state.candidates:
        info["candidates"] = state.candidates
    wanted = int(state.settings["style.candidates"])
    if not info["available"] and wanted > 1 and state.plan and state.plan.first("style"):
        info["notes"] = [f"--candidates {wanted} needs CLIP, so one version was made: {info['reason']}"]
    if info["available"]:
        try:
            with _reported(clip, progress):
                info["quality"] = clip.quality((state.source.digest, state.source.image),
                                               (state.image_digest, state.image), state.prompt)
        except ClipUnavailable as exc:
            info.update(available=False, reason=str(exc))
    return info


@contextmanager
def _reported(clip: ClipFeatures, progress: Any) -> Iterator[None]:
    """The CLIP step as a stage in the progress display (loading the model takes seconds on a CPU)."""
    if clip.available and progress is not None:
        progress("start", "clip", {"engine": "open_clip"})
    started = time.perf_counter()
    yield
    if clip.available and progress is not None:
        progress("done", "clip", {"engine": "open_clip", "cache_hit": not clip.loaded,
                                  "seconds": time.perf_counter() - started})
