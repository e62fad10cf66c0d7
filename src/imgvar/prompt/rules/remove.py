"""remove_object: "remove the fence", "get rid of the people on the left", "wipe out the
power lines", "without the car", "enlève le chien", "fais disparaître les passants"."""

from __future__ import annotations

import re

from ..clause import Ctx, Hit, subject_phrase
from ..patterns import BG_ANY, rx

_REMOVE_VERB = rx(
    r"(?:re?move|remvoe|delete|erase|eliminate|exclude|extract|omit|hide|clean\s+up|"
    r"(?:complete\s+|total\s+)?(?:removal|deletion|suppression|retrait|effacement)(?:\s+(?:complete|totale?))?"
    r"\s+(?:of|d(?:e|u|es|'))|"
    r"get\s+rid\s+of|take\s+(?:out|away|off|down)|wipe\s+(?:out|away|off)|clear\s+(?:out|away|off)|"
    r"cut\s+out|crop\s+out|edit\s+out|paint\s+out|rub\s+out|blot\s+out|lose|ditch|"
    r"make\s+(?P<made>.+?)\s+(?:disappear|vanish|go\s+away)|"
    r"enleve[rz]?|retire[rz]?|supprime[rz]?|efface[rz]?|ote[rz]?|elimine[rz]?|vire[rz]?|"
    r"fais\s+disparaitre|faire\s+disparaitre|faites\s+disparaitre|"
    r"debarrasse[rz]?(?:[\s\-]+(?:moi|nous|toi|vous))?\s+d(?:e|u|es|')|"
    r"(?:no|nothing)\s+(?:more|longer)\s+(?:show|have|has)|there\s+should\s+be\s+no)"
    r"(?:-(?:le|la|les|lui|moi))?(?:\s+|(?<=')|$)"
)
# "photoshop the girl out", "take the people out of the back", "get these people away from my dog"
_OUT = rx(
    r"(?:photoshop|edit|take|get|cut|crop|clone|paint|cover|blur|shop|move)\s+(?P<obj>.+?)\s+"
    r"(?:out|away|off)(?:\s+(?:(?:of|from)\s+)?(?P<where>.+))?"
)
# "I'd like the two balloons removed", "the car gone"
_PASSIVE = rx(r"(?P<obj>.+?)\s+(?:removed|deleted|erased|gone|taken\s+out|edited\s+out|photoshopped\s+out)")
# "make him bald", "what would he look like bald": the hair goes
_BALD = rx(r"\b(?:bald|chauve)s?\b")
# "without the car", "no people", "sans le chien": the clause is the removal
_WITHOUT = rx(r"(?:without|minus|sans|no(?:\s+more)?|pas\s+de)\s+(?![^\W\d_]+er\b)")
# "the car should be gone", "le chien doit disparaître"
_GONE = rx(
    r"(?P<obj>.+?)\s+(?:should|must|has\s+to|needs?\s+to)\s+(?:be\s+)?(?:gone|removed|deleted|erased|disappear)"
    r"|(?P<obj2>.+?)\s+(?:doit|doivent)\s+(?:disparaitre|etre\s+(?:supprime|enleve|efface)e?s?)"
)
_FROM = rx(r"\s(?:from|off|out\s+of|de|du|des|d')\s")
# Things a removal is not about: "remove the blur" or "the orange tint" is an adjustment;
# "remove the glare" or "the scratches" is a repair, no kind of its own.
_NOT_AN_OBJECT = rx(
    r"(?:(?:the|its|all|any|le|la|les|l'|du|de\s+la|des)\s*)?(?:[^\W\d_]+\s+)?(?:blur|noise|grain|colou?rs?|"
    r"saturation|contrast|warmth|tint|cast|hue|redness|yellowness|reflections?|glare|red[\s\-]?eyes?|"
    r"scratch(?:es)?|dust|artifacts?|flou|bruit|couleurs?|reflets?|rayures?)(?:\s+(?:from|on|in|de|du|des|sur)\s+.+)?$"
)
# "remove the background" leaves the subject on a plain backdrop: a new setting.
_BACKGROUND = rx(
    rf"(?:(?:the|its|his|her|their|this|le|la|l'|son|sa|leur)\s*)?(?:photo\s+|image\s+)?(?:{BG_ANY})"
    rf"(?:\s+(?:behind|of|from|around|to|so|and|completely|entirely|altogether|derriere|de|du|autour)\b.*)?$"
)


def rule_remove(ctx: Ctx) -> list[Hit] | None:
    c, lo, hi = ctx.c, ctx.full_lo, ctx.hi
    if _BALD.search(c.low, lo, hi):
        hair = "les cheveux" if re.search(r"\bchauve", c.low[lo:hi]) else "the hair"
        return [ctx.hit("remove_object", {"object": hair, "where": None})]
    m = _OUT.fullmatch(c.low, lo, hi)
    if m:
        where = subject_phrase(c, *m.span("where")) if m.group("where") else None
        return _removal(ctx, *m.span("obj"), where)
    m = _PASSIVE.fullmatch(c.low, ctx.lo, hi)
    if m:
        return _removal(ctx, *m.span("obj"), None)
    m = _REMOVE_VERB.match(c.low, lo, hi)
    if m and m.group("made"):
        a, b = m.span("made")
        return _removal(ctx, a, b, None)
    if m:
        a = m.end()
        where = None
        frm = _FROM.search(c.low, a, hi)
        b = hi
        if frm and c.has_content(frm.end(), hi) and c.has_content(a, frm.start()):
            b, where = frm.start(), subject_phrase(c, frm.end(), hi)
        return _removal(ctx, a, b, where)
    m = _WITHOUT.match(c.low, ctx.lo, hi)
    if m:
        return _removal(ctx, m.end(), hi, None)
    m = _GONE.fullmatch(c.low, ctx.lo, hi)
    if m:
        return _removal(ctx, *(m.span("obj") if m.group("obj") else m.span("obj2")), None)
    return None


def _removal(ctx: Ctx, a: int, b: int, where: str | None) -> list[Hit] | None:
    c = ctx.c
    a, b = c.trim(a, b)
    if re.fullmatch(r"(?:it|them|this|that|le|la|les)", c.low[a:b]):  # "is anyone able to remove it?"
        return [ctx.hit("remove_object", {"object": c.arg(a, b), "where": where})]
    if a >= b or _NOT_AN_OBJECT.fullmatch(c.low, a, b) or not c.has_content(a, b):
        return None
    if _BACKGROUND.match(c.low, a, b):
        french = bool(re.match(r"(?:le|la|l'|son|sa|leur)\b|fond|arriere", c.low[a:b]))
        setting = "un fond blanc uni" if french else "a plain white background"
        return [ctx.hit("recontext", {"subject": None, "setting": setting, "preposition": None})]
    obj = subject_phrase(c, a, b)
    return [ctx.hit("remove_object", {"object": obj or c.arg(a, b), "where": where})]
