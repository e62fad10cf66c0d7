"""add_object: "add a red hat on the dog", "give the cat sunglasses", "a cat wearing a
crown", "ajoute un chapeau au chien"."""

from __future__ import annotations

import re

from ..clause import Ctx, Hit, subject_phrase
from ..patterns import ACCESSORY_RX, COLOR_WORD, DET, WHERE_PREPS, rx, words

_ADD_VERB = rx(
    r"(?:add|insert|include|draw|attach|stick|paste|a?joute[rz]?|rajoute[rz]?|insere[rz]?|"
    r"inclu(?:s|t|re|ez)|dessine[rz]?)\s+"
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
    return [ctx.hit("add_object", {"object": obj, "where": where})]


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
    return [ctx.hit("add_object", {"object": obj, "where": where})]


_WEAR_RX = rx(
    r"(?:(?P<subj>.+?)\s+)?(?P<w>wearing|with|avec|portant|qui\s+portent?|dressed\s+(?:in|as)|"
    r"habille(?:e|s|es)?\s+(?:en|d'un|d'une|de)|vetu(?:e|s|es)?\s+d(?:e|'un|'une|')|holding|"
    r"tenant|in|en)\s+(?P<obj>.+)"
)


_MAKE_WEAR = rx(
    r"(?:(?:make|let|have)\s+(?P<subj>.+?)\s+(?:wear|hold|carry|put\s+on)|"
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


def rule_add_continued(ctx: Ctx) -> list[Hit] | None:
    """"add a cat and a dog": the bare noun phrase after "and" is added too."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if not ctx.prev or ctx.prev[-1].kind != "add_object" or c.starts_with_verb(lo, hi):
        return None
    return added_object(ctx, lo)

