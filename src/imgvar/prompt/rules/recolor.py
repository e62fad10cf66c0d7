"""recolor: "make the car red", "change the colour of the shirt to green", "peins le mur en
bleu", "the sky should be pink"."""

from __future__ import annotations

import re

from ..clause import Clause, Ctx, Hit, subject_phrase
from ..patterns import COLOR, DET, rx, words

_RC_VERB = words(
    "make", "turn", "paint", "repaint", r"colou?r", r"recolou?r", "dye", "tint", "change",
    "switch", "rends", "rend", "rendre", "rendez", "peins", "peint", "peindre", "peignez",
    "repeins", "repeindre", r"colore[rz]?", r"colorie[rz]?", "teins", "teint", "teindre",
    "teignez", "mets", "mettre", "mettez", r"passe[rz]?",
)
_COLOR_TAIL = r"(?:\s+(?:colou?r|couleur|tones?|shade|paint|peinture|teinte))?"
_COLOR_END = rx(
    rf"(?:(?:to|into|in|en|a|an|un|une|with|par|pour|all|tout|everything|more|plus)\s+)?"
    rf"(?P<color>{COLOR}){_COLOR_TAIL}"
)
_RECOLOR_VERB = rx(rf"(?:{_RC_VERB})(?:-(?:la|le|les|moi))?\b\s*")
_RECOLOR_OF = rx(
    rf"(?:change|set|switch|modify|alter|make|turn|modifie[rz]?|change[rz]?|mets|passe[rz]?)\s+"
    rf"(?:the\s+|la\s+|its\s+|sa\s+)?(?:colou?rs?|couleurs?)\s+(?:of|de|du|des|d')\s*"
    rf"(?P<target>.+?)\s+(?:(?:to|into|in|en|pour|par|à|a)\s+)?(?P<color>{COLOR})\b(?:\s+(?:with|avec)\s+.+)?"
)
_RECOLOR_POSSESSIVE = rx(
    rf"(?:change|set|switch|make|turn|modify)\s+(?P<target>.+?)(?:'s|')\s+colou?rs?\s+"
    rf"(?:to|into|in)\s+(?P<color>{COLOR})"
)
_RECOLOR_STATE = rx(
    rf"(?P<target>{DET}.+?)\s+(?:in|en|should\s+be|must\s+be|is|are|becomes|to\s+be|to\s+become|devient|doit\s+etre|"
    rf"colou?red|painted|peinte?s?|->)\s+(?P<color>{COLOR})"
)
DET_ONLY = frozenset(
    "the a an some le la les un une des du de l' d' his her its their my your our son sa ses "
    "mon ma mes ce cette ces".split()
)
_TARGET_TAIL = rx(r"(?:'s)?\s+(?:colou?rs?|couleurs?|look|looks|appear|seem|become)$")


def _color_split(c: Clause, a: int, hi: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Split "the sky blue" into target and colour: the longest colour phrase that still
    leaves a real target ("sky blue" is a colour, but "the" alone is no target)."""
    for w in re.finditer(r"(?<![\w'\-])[^\W_]", c.low[a:hi]):
        p = a + w.start()
        m = _COLOR_END.fullmatch(c.low, p, hi)
        if not m:
            continue
        ta, tb = c.trim(a, p)
        if ta < tb and all(t in DET_ONLY for t in c.tokens(ta, tb)):
            continue
        tail = _TARGET_TAIL.search(c.low, ta, tb)  # "the car color", "the car look"
        return (ta, tail.start() if tail else tb), m.span("color")
    return None


def _recolor_hit(ctx: Ctx, target: tuple[int, int] | None, color: tuple[int, int]) -> list[Hit]:
    c = ctx.c
    subject = subject_phrase(c, *target) if target and target[0] < target[1] else None
    name = " ".join(c.view[color[0]:color[1]].lower().split())
    return [ctx.hit("recolor", {"target": subject, "color": name})]


_COLOR_VERB = rx(r"(?P<verb>whiten|blacken|redden|yellow|blanchi[rs]|noirci[rs]|rougi[rs])\s+(?P<target>.+)")
_VERB_COLORS = {"whiten": "white", "blacken": "black", "redden": "red", "yellow": "yellow", "blanchir": "blanc",
                "blanchis": "blanc", "noircir": "noir", "noircis": "noir", "rougir": "rouge", "rougis": "rouge"}


# "change the colours", "reverse the colour scheme": new colours, none named
_NEW_COLORS = rx(
    r"(?:change|alter|modify|swap|switch|reverse|invert|shift|change[rz]?|modifie[rz]?|inverse[rz]?)\s+"
    r"(?:the\s+|its\s+|la\s+|les\s+|sa\s+|ses\s+)?(?:colou?r\s*(?:scheme|palette)|colou?rs?|hues?|couleurs?|teintes?)"
    r"(?:\s+(?:of|on|in|de|du|des)\s+(?P<target>.+))?"
)


# "make the grass greener": a colour said as a comparative
_COMPARATIVE = rx(
    r"(?:make|turn|get)\s+(?P<target>.+?)\s+(?:(?:a\s+(?:bit|little|lot)|much|slightly|even)\s+)?"
    r"(?P<cmp>greener|bluer|redder|whiter|yellower|pinker|blacker|oranger|purpler)"
)
_COMPARED = {"greener": "green", "bluer": "blue", "redder": "red", "whiter": "white", "yellower": "yellow",
             "pinker": "pink", "blacker": "black", "oranger": "orange", "purpler": "purple"}


def rule_recolor_verb(ctx: Ctx) -> list[Hit] | None:
    """make the car red / change the color of the shirt to green / peins le mur en bleu."""
    c, lo, hi = ctx.c, ctx.full_lo, ctx.hi
    m = _COMPARATIVE.fullmatch(c.low, lo, hi)
    if m:
        return [ctx.hit("recolor", {"target": subject_phrase(c, *m.span("target")), "color": _COMPARED[m.group("cmp")]})]
    m = _COLOR_VERB.fullmatch(c.low, lo, hi)
    if m:  # "whiten my teeth"
        return [ctx.hit("recolor", {"target": subject_phrase(c, *m.span("target")),
                                    "color": _VERB_COLORS[m.group("verb")]})]
    for pattern in (_RECOLOR_OF, _RECOLOR_POSSESSIVE):
        m = pattern.fullmatch(c.low, lo, hi)
        if m:
            return _recolor_hit(ctx, m.span("target"), m.span("color"))
    m = _NEW_COLORS.fullmatch(c.low, lo, hi)
    if m:
        target = subject_phrase(c, *m.span("target")) if m.group("target") else None
        french = bool(re.search(r"\b(?:couleurs?|teintes?)\b", c.low[lo:hi]))
        return [ctx.hit("recolor", {"target": target, "color": "d'autres couleurs" if french else "different colours"})]
    m = _RECOLOR_VERB.match(c.low, lo, hi)
    split = _color_split(c, m.end(), hi) if m else None
    if m and not split and (like := _LIKE_TAIL.search(c.low, m.end(), hi)):  # "turn the leaves orange like autumn"
        split = _color_split(c, m.end(), like.start())
    return _recolor_hit(ctx, *split) if split else None


_LIKE_TAIL = rx(r"\s(?:like|as\s+in|as\s+if|comme)\s")


def rule_recolor_bare(ctx: Ctx) -> list[Hit] | None:
    """red / en rouge / the car should be red / (make the car red and) the sky blue."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    m = _COLOR_END.fullmatch(c.low, lo, hi)
    if m:
        return _recolor_hit(ctx, None, m.span("color"))
    m = _RECOLOR_STATE.fullmatch(c.low, lo, hi)
    if m:
        return _recolor_hit(ctx, m.span("target"), m.span("color"))
    if ctx.prev and ctx.prev[-1].kind == "recolor" and re.match(DET, c.low[lo:hi]):
        split = _color_split(c, lo, hi)
        if split and split[0][0] < split[0][1]:
            return _recolor_hit(ctx, *split)
    return None

