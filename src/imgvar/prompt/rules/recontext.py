"""recontext: a new setting for a kept subject, from a verb ("put the dog on a beach"), a
background phrase ("change the background to a forest"), or a place phrase ("on a beach at
sunset", "Paris at night")."""

from __future__ import annotations

import re

from ..clause import Clause, Ctx, Hit, subject_phrase
from ..patterns import (ACCESSORY, ACCESSORY_RX, BG_ANY, BG_EN, BG_FR, COLOR_RX, DET, KEEP_PREP, LOC_PREP_RX,
                        OPT_DET, WEATHER_RX, WORD, rx)
from .adjust import ADJUST_WORD_RX

_BG_VERB = rx(
    rf"(?:change|replace|swap|switch|set|make|turn|update|modify|use|remplace[rz]?|change[rz]?|"
    rf"modifie[rz]?|mets|mettre|met|transforme[rz]?)\s+(?P<bg>{OPT_DET}(?:{BG_ANY}))\b"
    rf"(?:\s+(?:image|scene|scenery))?\s*(?:(?:to|with|into|for|by|as|par|en|pour|avec|à|au|"
    rf"de|d'|du|des)\s+|:\s*|d')?(?P<x>.+)"
)
_BG_NOUN = rx(
    rf"(?:(?P<subj>.+?)\s+)?(?:(?:with|on|against|in\s+front\s+of|over|avec|sur|devant)\s+)?"
    rf"{OPT_DET}(?P<x>{WORD}(?:\s+{WORD}){{0,3}})\s+(?P<bg>{BG_EN})"
)
_BG_FR_RX = rx(
    rf"(?:(?P<subj>.+?)\s+)?(?:(?:sur|avec|devant)\s+)?(?:un\s+|le\s+|l')?(?P<bg>{BG_FR})\s+"
    rf"(?:de\s+|d'|du\s+|des\s+)?(?P<x>.+)"
)
_BG_BEHIND = rx(
    r"(?:(?:with|avec)\s+)?(?P<x>.+?)\s+(?P<bg>in\s+the\s+(?:background|distance)|"
    r"en\s+(?:arriere[\s\-]?plan|fond)|au\s+fond)"
)
_BG_STATE = rx(
    rf"(?P<bg>{OPT_DET}(?:{BG_ANY}))\b\s*(?:should\s+be|must\s+be|is|becomes|:|=|doit\s+etre|devient|"
    rf"est)\s*(?P<x>.+)"
)


_BG_GIVE = rx(
    rf"(?:give|add|put)\s+(?:it\s+|him\s+|her\s+|them\s+)?(?:a\s+|the\s+)?(?:new\s+)?(?:{BG_EN})\s+"
    rf"(?:of|with|showing|like)\s+(?P<x>.+)"
)
_BG_ALONE = rx(
    rf"(?:change|replace|swap|switch|update|modify|remplace[rz]?|change[rz]?|modifie[rz]?)\s+"
    rf"(?:{OPT_DET})?(?:photo\s+|image\s+)?(?:{BG_ANY})"
)


def rule_background(ctx: Ctx) -> list[Hit] | None:
    c = ctx.c
    m = _BG_GIVE.fullmatch(c.low, ctx.full_lo, ctx.hi)
    if m:  # "give background of an ocean"
        return [ctx.hit("recontext", {"subject": None, "setting": c.arg(*m.span("x")), "preposition": None})]
    if _BG_ALONE.fullmatch(c.low, ctx.full_lo, ctx.hi):  # "change the background": a new one, not said which
        french = not re.match(r"change|replace|swap|switch|update|modify\b", c.low[ctx.full_lo:ctx.hi])
        setting = "un autre arrière-plan" if french else "a different background"
        return [ctx.hit("recontext", {"subject": None, "setting": setting, "preposition": None})]
    for pattern, lo in ((_BG_VERB, ctx.full_lo), (_BG_STATE, ctx.lo), (_BG_NOUN, ctx.lo),
                   (_BG_FR_RX, ctx.lo), (_BG_BEHIND, ctx.lo)):
        m = pattern.fullmatch(c.low, lo, ctx.hi)
        if not m or pattern is _BG_BEHIND and c.starts_with_verb(lo, ctx.hi):
            continue  # "add a tree in the background" is an addition
        xa, xb = c.trim(*m.span("x"))
        x = c.low[xa:xb]
        if xa >= xb or ADJUST_WORD_RX.fullmatch(x) or ADJUST_WORD_RX.search(x) and len(c.tokens(xa, xb)) <= 3:
            return None  # "blurry background" is an adjustment
        subject = None
        if m.groupdict().get("subj"):
            sa, sb = m.span("subj")
            if c.starts_with_verb(sa, sb):  # "put THE CAT on a white background"
                verb = re.match(r"\S+\s*", c.low[sa:sb])
                sa = c.trim(sa + (verb.end() if verb else 0), sb)[0]
            if sa < sb and not c.starts_with_verb(sa, sb) and c.has_content(sa, sb):
                subject = subject_phrase(c, sa, sb)
        if COLOR_RX.fullmatch(x):  # a plain backdrop: `_background_only` makes it a setting
            bg = c.arg(*m.span("bg"))
            return [ctx.hit("recolor", {"target": bg, "color": " ".join(x.split()), "subject": subject})]
        return [ctx.hit("recontext", {"subject": subject, "setting": c.arg(xa, xb), "preposition": None})]
    return None


def preps_in(c: Clause, a: int, b: int) -> list[re.Match[str]]:
    return list(LOC_PREP_RX.finditer(c.low, a, b))


def pick_place(c: Clause, preps: list[re.Match[str]], hi: int) -> re.Match[str] | None:
    """The first preposition whose own noun phrase names a place ("the cat in the hat ON A
    BEACH")."""
    for i, p in enumerate(preps):
        np_end = preps[i + 1].start() if i + 1 < len(preps) else hi
        if c.has_place(p.end(), np_end):
            return p
    return None


WEAR_ACCESSORY = rx(rf"\s(?:wearing|with|avec|portant)\s+(?=.*{ACCESSORY})")


def recontext_from(
    ctx: Ctx, subj_a: int, prep: re.Match[str], subj_b: int | None = None
) -> list[Hit]:
    """A recontext task: subject before `prep`, setting after it (or from it, for "under")."""
    c, hi = ctx.c, ctx.hi
    kept = bool(KEEP_PREP.match(c.low, prep.start()))
    set_a = prep.start() if kept else prep.end()
    set_a, set_b = c.trim(set_a, hi)
    hits: list[Hit] = []
    wear = WEAR_ACCESSORY.search(c.low, set_a, set_b)
    subject = subject_phrase(c, subj_a, prep.start() if subj_b is None else subj_b)
    if wear:  # "on a beach wearing sunglasses": the clothes are an addition
        w_a = wear.start() + 1
        obj_a = wear.end()
        hits.append(ctx.hit("add_object", {"object": c.arg(obj_a, set_b), "where": subject},
                            w_a, set_b))
        set_b = c.trim(set_a, w_a)[1]
    setting = c.arg(set_a, set_b)
    args = {"subject": subject, "setting": setting, "preposition": None if kept else _preposition(prep)}
    return [ctx.hit("recontext", args, b=set_b)] + hits


# How the output prompt says where the subject went: the prompt's own word, in its plain
# form ("onto" -> "on"); "to" and "vers" say where it went, not where it is, so they are dropped.
_PREP_FORMS = {"onto": "on", "into": "in", "inside": "in", "within": "in", "a": "à"}


def _preposition(prep: re.Match[str]) -> str | None:
    word = " ".join(prep.group().split())
    if word in ("to", "vers"):
        return None
    return _PREP_FORMS.get(word, word)


_RX_VERB = rx(
    r"(?P<verb>put|place|move|set|show|transport|teleport|bring|take|send|drop|position|"
    r"relocate|depict|imagine|go|travel|fly|mets|met|mettre|mettez|place[rz]?|deplace[rz]?|"
    r"transporte[rz]?|teleporte[rz]?|emmene[rz]?|amene[rz]?|envoie|envoyer|envoyez|montre[rz]?|"
    r"pose[rz]?|imagine[rz]?)(?:-(?:le|la|les|lui|moi))?\b"
)
_PUT_VERBS = rx(r"put|place|mets|met|mettre|mettez|placer?|placez|pose[rz]?|drop|stick")


_MAKE_LOOK = rx(
    r"(?:make|let|have|show)\s+(?P<subj>.+?)\s+(?:look\s+(?:like\s+|as\s+if\s+|as\s+though\s+)?"
    r"(?:(?:it|he|she|they)(?:'s|'re|\s+is|\s+are|\s+was|\s+were)\s+)?|"
    r"(?:sit|sitting|stand|standing|be|lie|lying|walk|walking|run|running|swim|swimming|play|playing|"
    r"appear|pose|posing|relax|relaxing|fly|flying|float|floating)\s+)"
)


def rule_recontext_verb(ctx: Ctx) -> list[Hit] | None:
    """put the dog on a beach / mets le chat sur une plage / make the cat look like it's on
    the moon."""
    c, hi = ctx.c, ctx.hi
    look = _MAKE_LOOK.match(c.low, ctx.full_lo, hi)
    if look and _INDEFINITE.match(c.low, look.start("subj")) and c.low.startswith(("have", "let", "show"), ctx.full_lo):
        # "have a bird flying over the lake": something new, not the subject moved
        where = c.arg(look.end(), hi) or None
        return [ctx.hit("add_object", {"object": c.arg(*look.span("subj")), "where": where})]
    if look:
        place = pick_place(c, preps_in(c, look.end(), hi), hi)
        return recontext_from(ctx, look.start("subj"), place, look.end("subj")) if place else None
    m = _RX_VERB.match(c.low, ctx.full_lo, hi)
    if not m:
        return None
    preps = preps_in(c, m.end(), hi)
    place = pick_place(c, preps, hi)
    if place:
        return recontext_from(ctx, m.end(), place)
    if _PUT_VERBS.fullmatch(m.group("verb")):  # "put a hat on the dog", "mettre un vélo"
        end = preps[0].start() if preps else hi
        obj = subject_phrase(c, m.end(), end)
        if obj and re.search(r"\s(?:where|instead\s+of|in\s+place\s+of|[aà]\s+la\s+place\s+d|au\s+lieu\s+d)",
                             c.low[m.end():hi]):
            return None  # "put a tiger where the cat is" replaces
        if obj and (preps or _INDEFINITE.match(c.low, c.trim(m.end(), end)[0])):
            where = c.arg(preps[0].start(), hi) if preps else None
            return [ctx.hit("add_object", {"object": obj, "where": where})]
    return None


_INDEFINITE = rx(r"(?:a|an|some|un|une|des|du|de\s+la|two|three|deux|trois)\s")


def rule_weather(ctx: Ctx) -> list[Hit] | None:
    """"make the sky stormy", "rends le ciel plus orageux": weather no other rule read is a setting."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if not WEATHER_RX.search(c.low, lo, hi):
        return None
    return [ctx.hit("recontext", {"subject": None, "setting": c.arg(lo, hi), "preposition": None})]


def rule_prep_phrase(ctx: Ctx) -> list[Hit] | None:
    """on a beach / in Paris at night / à la plage / a cat in the snow."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if c.starts_with_verb(lo, hi):
        return None
    preps = preps_in(c, lo, hi)
    if not preps:
        return None
    place = pick_place(c, preps, hi)
    if place is None and preps[0].start() == lo:
        first = preps[0]
        rest_a, _ = c.trim(first.end(), hi)
        if ACCESSORY_RX.search(c.low, rest_a, hi):
            return None  # "in a tuxedo" is clothing: rule_wearing
        if re.match(rf"{DET}", c.low[rest_a:hi]) and re.fullmatch(
            r"on|onto|at|in|into|sur|dans|à|au|aux", first.group()
        ):
            place = first
    if place is None:
        return None
    if place.start() > lo and (not c.has_content(lo, place.start())
                               or c.has_place(lo, place.start(), proper=False)):
        return None  # "a beach at sunset" is all setting, no subject
    return recontext_from(ctx, lo, place)


def rule_place_only(ctx: Ctx) -> list[Hit] | None:
    """a beach at sunset / winter / Paris at night (with a place word); after "make it" or
    "what if it were", a name alone is a place too ("make it Lisbon")."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    named = lo > ctx.full_lo and len(c.tokens(lo, hi)) <= 3
    if c.starts_with_verb(lo, hi) or not c.has_place(lo, hi, proper=named):
        return None
    return [ctx.hit("recontext", {"subject": None, "setting": c.arg(lo, hi), "preposition": None})]

