"""move: something already in the image goes elsewhere. "move the vase to the right of the
lamp", "put the cup on the left", "push the chair under the table", "swap the positions of
the pen and the pencil", "bring her closer to him", "déplace la lampe à gauche".

"put" and "place" move a thing only when the prompt names one already there ("the cup", "his
hat") and the destination is a position or another thing, not a setting: "put a hat on the
dog" adds one, "put the dog on a beach" is a recontext."""

from __future__ import annotations

from ..clause import Ctx, Hit, subject_phrase
from ..patterns import rx

_MOVE_VERB = rx(
    r"(?:move|shift|slide|drag|relocate|reposition|nudge|push|pull|bring|photoshop|"
    r"deplace[rz]?|bouge[rz]?|decale[rz]?|glisse[rz]?|rapproche[rz]?|eloigne[rz]?|pousse[rz]?|descend(?:s|re|ez)?|"
    r"remonte[rz]?)"
    r"(?:-(?:le|la|les))?\s+"
)
_PUT_VERB = rx(r"(?:put|place|position|set|lay|mets|mettez|mettre|place[rz]?|pose[rz]?)\s+")
_KNOWN = rx(
    r"(?:the|this|that|these|those|his|her|its|their|my|your|le|la|les|l'|ce|cet|cette|ces|son|sa|ses|"
    r"leur|leurs|mon|ma|mes)\b"
)
_POSITION = rx(
    r"\b(?:left|right|side|corner|center|centre|middle|top|bottom|front|behind|beside|next\s+to|near|"
    r"closer|further|farther|away|above|below|under|underneath|up|down|upwards|downwards|foreground|"
    r"gauche|droite|cote|coin|centre|milieu|haut|bas|devant|derriere|pres|au[\s\-]dessus|en[\s\-]dessous|"
    r"sous|premier\s+plan|loin|plus\s+pres)\b"
)
_TO = rx(
    r"\s(?:to|towards?|closer|further|farther|nearer|up|down|left|right|into|onto|in|on|at|next|beside|near|"
    r"over|under|underneath|above|below|behind|inside|within|through|across|among|between|vers|à|au|aux|sur|sous|"
    r"devant|derriere|pres|plus|en|dans|entre|parmi)\b"
)
_PRONOUN = rx(r"(?:him|her|it|them|me|us|le|la|les|lui)")
_BODY_PART = rx(
    r"\b(?:arms?|legs?|hands?|feet|foot|head|heads|eyes?|face|gaze|fingers?|bras|jambes?|mains?|pieds?|tete|"
    r"yeux|visage|regard)\b"
)
_CENTER = rx(r"(?:center|centre[rz]?|recentre[rz]?)\s+(?P<x>.+?)(?:\s+(?:in|on|dans|sur)\s+.*)?")
_SWAP_PLACES = rx(
    r"(?:swap|switch|exchange|trade|invert|echange[rz]?|inverse[rz]?)\s+(?:the\s+)?(?:positions?|places?|spots?|"
    r"la\s+place|les\s+places|les\s+positions)\s+(?:of\s+|de\s+|d'|des\s+)?(?P<x>.+)"
)
_POSITION_OF = rx(
    r"(?:change|alter|adjust|modify|change[rz]?|modifie[rz]?)\s+(?:the\s+|la\s+)?(?:(?P<x1>.+?)(?:'s?)?\s+)?"
    r"(?:positions?|placement|place)(?:\s+(?:of|de|du|des|d')\s*(?P<x2>.+))?"
)


def rule_move(ctx: Ctx) -> list[Hit] | None:
    c, lo, hi = ctx.c, ctx.full_lo, ctx.hi
    for pattern, where in ((_CENTER, "in the center"), (_SWAP_PLACES, "swapped"), (_POSITION_OF, None)):
        m = pattern.fullmatch(c.low, lo, hi)
        if not m:
            continue
        group = next((g for g in ("x", "x1", "x2") if g in m.groupdict() and m.group(g)), None)
        if group is None or not c.has_content(*m.span(group)):
            continue
        obj = subject_phrase(c, *m.span(group)) or c.arg(*m.span(group))
        if where == "in the center" and not c.low.startswith("center", lo):
            where = "au centre"
        return [ctx.hit("move", {"object": obj, "where": where})]
    moved = _MOVE_VERB.match(c.low, lo, hi)
    verb = moved or _PUT_VERB.match(c.low, lo, hi)
    if not verb:
        return None
    a = verb.end()
    to = _TO.search(c.low, a - 1, hi)
    if not to:  # "move the diver": where is not said
        if moved and c.has_content(a, hi) and not _BODY_PART.search(c.low, a, hi):
            return [ctx.hit("move", {"object": subject_phrase(c, a, hi) or c.arg(a, hi), "where": None})]
        return None
    pronoun = _PRONOUN.fullmatch(c.low, *c.trim(a, to.start())) if to.start() > a else None
    if moved and (to.start() < a or pronoun):  # "move him to the right", "move to the left"
        obj = c.arg(a, to.start()) if to.start() > a else "it"
        return [ctx.hit("move", {"object": obj, "where": c.arg(to.start() + 1, hi)})]
    if not c.has_content(a, to.start()) or _BODY_PART.search(c.low, a, to.start()):
        return None  # "move her arm to the left" is a pose
    where_a = to.start() + 1
    position = _POSITION.search(c.low, where_a, hi)
    if c.has_place(where_a, hi, proper=True) and not (moved and position):
        return None  # a setting: "move the dog to the beach" is a recontext
    if not moved and not (_KNOWN.match(c.low, a) and (position or _KNOWN.search(c.low, where_a, hi))):
        return None
    obj = subject_phrase(c, a, to.start())
    return [ctx.hit("move", {"object": obj or c.arg(a, to.start()), "where": c.arg(where_a, hi)})]
