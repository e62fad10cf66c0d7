"""Offline object addition: a given object image placed where the prompt says and made one
photo with the picture ("a hat on the dog": on top of the subject; "a boat on the sea": in
the scene), by the same placement and harmonisation as a recontextualised subject."""

from __future__ import annotations

from PIL import Image

from ..base import AddObjectOutcome, AddObjectRequest, Change


class LocalObjectAdder:
    version = "place-1"

    def add(self, image: Image.Image, request: AddObjectRequest) -> AddObjectOutcome:
        from .harmonise import compose
        from .placement import place_object, placement_hint, subject_box

        scene = image.convert("RGB")
        box, _ = subject_box(request.object_matte)
        anchor = None
        if request.subject_matte is not None and not names_a_place(request.where):
            anchor = top_box(request.subject_matte)
        hint = placement_hint(request.placement_text)
        if anchor is not None and hint.size is None and _worn(request.object_name):
            hint.size = "large"  # a hat or glasses spans most of the head it sits on
        where = place_object((box[2] - box[0], box[3] - box[1]), scene.size, request.where or "", anchor,
                             hint, background=scene)
        result, placed = compose(request.object_image.convert("RGB"), request.object_matte, scene, where,
                                 harmonize=request.harmonize, feather=request.feather,
                                 shadow=request.shadow if anchor is None else 0.0, seed=request.seed)
        what = request.object_name or "the object"
        en = f"with {what} added" + (f" {request.where}" if request.where else "")
        fr = f"avec {what} ajouté" + (f" {request.where}" if request.where else "")
        return AddObjectOutcome(result, placed, Change("add_object", en, True, {
            "object": request.object_name, "where": request.where, "anchored": anchor is not None,
            "box": list(where.box), "summary_fr": fr}))


def _worn(name: str) -> bool:
    from ...prompt import lexicon as lx

    words = lx.fold(name or "").replace("'", " ").split()
    return any(w in lx.ACCESSORIES for w in words)


def names_a_place(where: str | None) -> bool:
    """ "in the sky", "on the sea", "sur la mer": the scene, not the subject, takes the object."""
    if not where:
        return False
    from ...prompt import lexicon as lx

    words = lx.fold(where).replace("'", " ").split()
    return any(w in lx.PLACES for w in words) or any(f"{a} {b}" in lx.PLACES for a, b in zip(words, words[1:]))


def top_box(matte: Image.Image, share: float = 0.2) -> tuple[int, int, int, int]:
    """The subject's box, as wide as its top part only: a hat sits on a head, not on the
    shoulders and the helmet beside them."""
    from .placement import subject_box

    (x0, y0, x1, y1), _ = subject_box(matte)
    band = matte.crop((0, y0, matte.width, y0 + max(1, round((y1 - y0) * share))))
    top = band.point(lambda v: 255 if v > 127 else 0).getbbox()
    return (top[0], y0, top[2], y1) if top else (x0, y0, x1, y1)
