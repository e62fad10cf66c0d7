"""add_object: "add a red hat on the dog", "give the cat sunglasses", "a cat wearing a
crown", "ajoute un chapeau au chien"."""

from __future__ import annotations

import re

from ..clause import Ctx, Hit, subject_phrase
from ..patterns import ACCESSORY_RX, COLOR, COLOR_WORD, DET, WEATHER_RX, WHERE_PREPS, rx, words
from .style import look_hits

_ADD_VERB = rx(
    r"(?:add|insert|include|draw|attach|stick|paste|integrate|overlay|"
    r"(?:make|let)\s+(?:there\s+be|appear)|there\s+should\s+be|"
    r"a?joute[rz]?|rajoute[rz]?|insere[rz]?|inclu(?:s|t|re|ez)|dessine[rz]?|integre[rz]?|incruste[rz]?|"
    r"fai(?:s|tes|re)\s+appara[iî]tre|write|type|ecri(?:s|re|vez)|inscri(?:s|re|vez)|"
    r"(?:addition|ajout)\s+(?:of|d(?:e|u|es|'))(?=\s|\w))\s*"
)
# "add a bird in the sky" places it, "add a cat in a basket" describes it: "in" only counts
# before a definite or possessive determiner.
_WHERE_RX = rx(
    rf"\b(?:(?:in|dans|en)(?=\s+(?:the|his|her|its|their|le|la|les|l'|sa|son|ses)\b)|"
    rf"{words(*WHERE_PREPS)})(?=\s)"
)


def added_object(ctx: Ctx, a: int) -> list[Hit] | None:
    """An add_object task for "a red hat on the dog" starting at `a`: object, then where."""
    c, hi = ctx.c, ctx.hi
    where = None
    obj_b = hi
    for w in _WHERE_RX.finditer(c.low, a, hi):
        if c.has_content(a, w.start()):
            where, obj_b = c.arg(w.start(), hi), w.start()
            break
    obj = c.arg(a, obj_b)
    if not obj or not c.has_content(a, obj_b):
        return None
    # "add a lens-flare effect" adds a thing; "add a vintage effect" asks for a look
    return (not_an_object(ctx, a, obj_b, things=False, where=where)
            or [ctx.hit("add_object", {"object": obj, "where": where})])


_TINT = rx(
    rf"(?:(?:an?|some|the|un|une|des)\s+)?(?:(?P<color>{COLOR})\s+(?:filter|hue|tint|tone|cast|wash|overlay|filtre|teinte)s?\b|"
    rf"(?:tint|hue|shade|wash|cast|filter|teinte|filtre)s?\s+(?:of\s+|de\s+|d')?(?P<color2>{COLOR}))"
)
_PAINT = rx(rf"(?P<color>{COLOR})\s+(?:colou?r|paint|paintjob|paint\s+job|coat|shade|couleur|peinture)\b")
_TIME = rx(
    r"(?:(?:an?|the|some|un|une|le|la)\s+)?(?:[^\W\d_]+\s+)?(?:sunset|sunrise|dusk|dawn|twilight|night|nighttime|"
    r"golden\s+hour|coucher\s+de\s+soleil|lever\s+de\s+soleil|crepuscule|aube|nuit)\b"
)
_EXPRESSION = rx(
    r"\b(?:smile|smiles|smiling|grin|frown|expression|emotion|squint|wink|pose|posture|sourire|grimace|"
    r"expression|moue)\b"
)
_SKY = rx(r"(?:(?:an?|some|more|the|un|une|des|du|plus\s+de)\s+)?(?:[^\W\d_]+\s+){0,3}?(?:sky|skies|clouds?|ciel|nuages?)\b")


def not_an_object(ctx: Ctx, a: int, b: int, things: bool = True, where: str | None = None) -> list[Hit] | None:
    """What "add …" or "give …" asks for when it adds no thing: weather is a setting ("add
    falling snow"), a look is a style ("donne un aspect de photo vintage")."""
    c = ctx.c
    a, b = c.trim(a, b)
    if _EXPRESSION.search(c.low, a, b):  # "put a smile on her face": an expression, no thing
        return [ctx.hit("other", {})]
    tint = _TINT.search(c.low, a, b)
    if tint:  # "add a blue filter", "an orange hue": a colour over the image
        color = tint.group("color") or tint.group("color2")
        return [ctx.hit("recolor", {"target": None, "color": " ".join(color.split())})]
    paint = _PAINT.search(c.low, a, b)
    if paint:  # "give the car a red colour", "a fresh coat of blue paint"
        return [ctx.hit("recolor", {"target": where, "color": " ".join(paint.group("color").split())})]
    if WEATHER_RX.search(c.low, a, b) or _SKY.match(c.low, a, b) or _TIME.match(c.low, a, b):
        return [ctx.hit("recontext", {"subject": None, "setting": c.arg(*c.trim(a, ctx.hi)), "preposition": None})]
    return look_hits(ctx, a, b, things=things)


def rule_add_verb(ctx: Ctx) -> list[Hit] | None:
    """add a red hat on the dog / ajoute un chapeau au chien."""
    m = _ADD_VERB.match(ctx.c.low, ctx.full_lo, ctx.hi)
    return added_object(ctx, m.end()) if m else None


_GIVE = rx(r"(?:give|donne[rz]?)(?P<pron>-(?:lui|leur|moi))?\s+")
_OBJ_PRONOUN = rx(r"(?:it|him|her|them|me|lui|leur)\b")
_SECOND_NP = rx(
    r"\s(?:a|an|some|the|his|her|its|their|two|three|un|une|des|du|de\s+la|le|la|les)\s"
)
_TO_RX = rx(r"\s(?:to|à|au|aux)\s")
ADJECTIVE = rx(
    rf"(?:{COLOR_WORD}|big|small|little|large|tiny|old|young|cute|fat|fluffy|black|white|"
    r"brown|grey|gray|happy|sad|angry|baby)\b"
)


def rule_give(ctx: Ctx) -> list[Hit] | None:
    """give the cat sunglasses / give sunglasses to the cat / donne au chat des lunettes."""
    c, hi = ctx.c, ctx.hi
    m = _GIVE.match(c.low, ctx.full_lo, hi)
    if not m:
        return None
    a = m.end()
    look = not_an_object(ctx, a, hi)
    if look:  # "donner un aspect de photo vintage", "give it a film look"
        return look
    if m.group("pron"):
        return _give_hit(ctx, None, a, hi)
    to = _TO_RX.search(c.low, a, hi)
    if to and to.start() > a:  # give X to Y (receiver "Y") / donne X au Y (receiver "au Y")
        where_a = to.end() if c.low.startswith("to", to.start() + 1) else to.start() + 1
        return _give_hit(ctx, c.arg(where_a, hi), a, to.start())
    if c.low.startswith(("au ", "aux ", "à "), a):  # donne au chat des lunettes
        second = _SECOND_NP.search(c.low, a + 2, hi)
        if second:
            return _give_hit(ctx, c.arg(a, second.start()), second.start(), hi)
    pron = _OBJ_PRONOUN.match(c.low, a)
    if pron:
        where = subject_phrase(c, a, pron.end())
        return _give_hit(ctx, where, pron.end(), hi)
    first = re.match(rf"{DET}", c.low[a:hi])
    if not first:
        return None
    second = _SECOND_NP.search(c.low, a + first.end() - 1, hi)
    if second:
        return _give_hit(ctx, c.arg(a, second.start()), second.start(), hi)
    # "give the (big) cat sunglasses": the first noun after any adjectives ends the receiver
    pos = a + first.end()
    while (adj := ADJECTIVE.match(c.low, pos, hi)) and c.low[adj.end():hi].strip():
        pos = adj.end() + 1
    noun = re.match(r"[^\W\d_][\w'\-]*", c.low[pos:hi])
    if not noun or pos + noun.end() >= hi:
        return None
    end = pos + noun.end()
    return _give_hit(ctx, c.arg(a, end), end, hi)


def _give_hit(ctx: Ctx, where: str | None, a: int, b: int) -> list[Hit] | None:
    obj = ctx.c.arg(a, b)
    if not obj or not ctx.c.has_content(a, b):
        return None
    if where is None or ctx.c.low[a:b].startswith(("un ", "une ", "a ", "an ")):
        instead = not_an_object(ctx, a, b, where=where)
        if instead:
            return instead
    return [ctx.hit("add_object", {"object": obj, "where": where})]


_WEAR_RX = rx(
    r"(?:(?P<subj>.+?)\s+)?(?P<w>wearing|with|avec|portant|qui\s+portent?|dressed\s+(?:in|as)|"
    r"habille(?:e|s|es)?\s+(?:en|d'un|d'une|de)|vetu(?:e|s|es)?\s+d(?:e|'un|'une|')|holding|"
    r"tenant|in|en)\s+(?P<obj>.+)"
)


_MAKE_WEAR = rx(
    r"(?:(?:make|let|have|help)\s+(?P<subj>.+?)\s+(?:wear|hold|carry|put\s+on)|"
    r"(?:surround|entoure[rz]?)\s+(?P<subj2>.+?)\s+(?:with|de|d'|avec))\s+(?P<obj>.+)"
)


def rule_wearing(ctx: Ctx) -> list[Hit] | None:
    """with a crown / a cat wearing sunglasses / le chien avec un chapeau / in a tuxedo /
    make the dog wear a hat."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    m = _MAKE_WEAR.fullmatch(c.low, ctx.full_lo, hi)
    if m:
        subj = m.span("subj") if m.group("subj") else m.span("subj2")
        return [ctx.hit("add_object", {"object": c.arg(*m.span("obj")),
                                       "where": subject_phrase(c, *subj)})]
    m = _WEAR_RX.fullmatch(c.low, lo, hi)
    if not m:
        return None
    oa, ob = m.span("obj")
    if m.group("w") in ("in", "en") and not ACCESSORY_RX.search(c.low, oa, ob):
        return None
    where = None
    if m.group("subj"):
        sa, sb = m.span("subj")
        if c.starts_with_verb(sa, sb) or c.has_place(sa, sb, proper=False):
            return None
        where = subject_phrase(c, sa, sb)
    if not c.has_content(oa, ob):
        return None
    return [ctx.hit("add_object", {"object": c.arg(oa, ob), "where": where})]


def rule_add_continued_np(ctx: Ctx) -> list[Hit] | None:
    """"ajoute une haie et des jardins autour du bâtiment": a noun phrase after an addition is
    added too, before its place words make it read as a setting."""
    return rule_add_continued(ctx, early=True)


def rule_add_continued(ctx: Ctx, early: bool = False) -> list[Hit] | None:
    """"add a cat and a dog", "remove the sign and the gutter": the bare noun phrase after "and"
    is added (or removed) too."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    kind = ctx.prev[-1].kind if ctx.prev else None
    if kind not in ("add_object", "remove_object") or c.starts_with_verb(lo, hi):
        return None
    if early and not re.match(DET, c.low[lo:hi]):
        return None
    if kind == "remove_object":
        return [ctx.hit("remove_object", {"object": c.arg(lo, hi), "where": None})] if c.has_content(lo, hi) else None
    return added_object(ctx, lo)

