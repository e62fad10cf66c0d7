"""adjust: global corrections (brightness, contrast, saturation, warmth, sharpness, blur)
and their direction, from comparatives ("brighter"), verbs ("tone down the colours") and
"more"/"less" with a noun or adjective."""

from __future__ import annotations

import re

from ..clause import Clause, Ctx, Hit
from ..patterns import NONCONTENT, rx, words

_B, _C, _S, _W, _SH, _BL = "brightness", "contrast", "saturation", "warmth", "sharpness", "blur"

# Comparatives and verbs carry their own direction; "less"/"moins" in front flips it.
_ADJ_FIXED = [
    (r"brighter|brighten(?:ed|s)?|lighten(?:ed|s)?|lighter|eclairci(?:r|s|t|ssez)", _B, 1),
    (r"darker|darken(?:ed|s)?|dimmer|assombri(?:r|s|t|ssez)|obscurci(?:r|s|t|ssez)", _B, -1),
    (r"warmer|warm\s+(?:it\s+)?up|rechauffe[rz]?|"
     r"warm(?:er)?\s+(?:tones?|colou?rs?|tint|light(?:ing)?|glow|hues?|filter|feel|atmosphere|vibe|cast)|"
     r"(?:lumiere|eclairage|ambiance)\s+(?:plus\s+)?chaude|"
     r"(?:tons|teintes|couleurs)\s+chaud(?:s|es)", _W, 1),
    (r"cooler|colder|cool\s+(?:it\s+)?down|refroidi(?:r|s|t|ssez)|"
     r"(?:cool|cold)(?:er)?\s+(?:tones?|colou?rs?|tint|light(?:ing)?|glow|hues?|filter|feel|cast)|"
     r"(?:tons|teintes|couleurs)\s+froid(?:s|es)|(?:lumiere|eclairage|ambiance)\s+(?:plus\s+)?froide",
     _W, -1),
    (r"sharper|sharpen(?:ed|s|ing)?|crisper", _SH, 1),
    (r"warming(?:\s+filter)?", _W, 1),
    # the tones of a retouch: shadows opened or deepened, highlights pulled back, exposure fixed
    (r"(?:lift|brighten|open\s+up|raise|reduce|soften|lessen|recover|boost)\s+(?:the\s+)?shadows?", _B, 1),
    (r"(?:deepen|darken|crush)\s+(?:the\s+)?shadows?", _C, 1),
    (r"(?:reduce|lower|tone\s+down|recover|tame|pull\s+back|bring\s+down)\s+(?:the\s+)?highlights?", _B, -1),
    (r"under[\s\-]?exposed|sous[\s\-]?expos(?:e|ee)", _B, 1),
    (r"over[\s\-]?exposed|sur[\s\-]?expos(?:e|ee)|blown[\s\-]?out", _B, -1),
    (r"richer|more\s+pop|plus\s+de\s+peps", _S, 1),
    # "too yellow", "trop jaune": a cast to take away
    (r"(?:too|trop|so|very|tres|looks?|seems?|less|moins)\s+(?:yellow|yellowish|orange|red|warm|jaune|rouge|chaud|"
     r"chaude)", _W, -1),
    (r"(?:too|trop|so|very|tres|looks?|seems?|less|moins)\s+(?:blue|bluish|cold|cool|bleue?|froide?)", _W, 1),
    (r"cooling(?:\s+filter)?", _W, -1),
    (r"dramatic\s+(?:light(?:ing)?|shadows?|look|contrast)|more\s+dramatic", _C, 1),
    (r"blurr(?:y|ier|ed)|blurs?|unfocus(?:ed)?|defocus(?:ed)?|soften(?:ed|s)?|softer|out\s+of\s+focus|flout(?:e|er|ez)|"
     r"flou(?:e|es|s)?|adouci(?:r|s|t|ssez)", _BL, 1),
    (r"unblur|deblur|deflout(?:e|er|ez)", _BL, -1),
    (r"saturate[sd]?|(?:make\s+)?(?:the\s+)?colou?rs?\s+pop|pop\s+(?:the\s+)?colou?rs", _S, 1),
    (r"desaturate[sd]?|desatur(?:e|ee|ees|es|er|ez)|washed\s+out|muted", _S, -1),
]
# Plain adjectives count only after "more"/"less"/"plus"/"moins", or alone in their clause.
_ADJ_BASE = [
    (r"bright|luminous|lumineu(?:x|se|ses)|clair(?:e|es|s)?", _B, 1),
    (r"dark|dim|sombres?|fonce(?:e|es|s)?", _B, -1),
    (r"dramatic|dramatique|moody|harsh|punchy", _C, 1),
    (r"pale|paler|faded|washed", _S, -1),
    (r"saturated|vivid|vibrant|colou?rful|punchy|lively|satur(?:e|ee|ees|es)|vif|vive|vifs|vives|"
     r"eclatant(?:e|es|s)?|colore(?:e|es|s)?", _S, 1),
    (r"dull|ternes?", _S, -1),
    (r"contrast(?:ed|y)|contraste(?:e|es|s)?", _C, 1),
    (r"warm|chaud(?:e|es|s)?", _W, 1),
    (r"cool|cold|froid(?:e|es|s)?", _W, -1),
    (r"sharp|crisp|detailed|net|nette|nets|nettes|precis(?:e|es)?", _SH, 1),
    (r"soft|doux|douce", _BL, 1),
]
# Nouns need a direction word in front ("more contrast", "réduis le flou"); a cast counts
# against its side ("reduce the blue tint" warms the image).
_CAST = r"(?:\s+(?:tint|cast|hue|tone|channel|effect)s?)"
_ADJ_NOUN = [
    (r"brightness|luminosity|exposure|light|luminosite|exposition|lumiere|clarte", _B, 1),
    (r"contrast|contraste|drama|punch", _C, 1),
    (r"saturation|vibrance|vibrancy|colou?rs?|colou?rfulness|couleurs", _S, 1),
    (rf"warmth|chaleur|temperature|temp|redness|yellowness|orangeness|(?:orange|yellow|red|amber|warm|pink|magenta){_CAST}", _W, 1),
    (rf"blueness|(?:blue|cyan|cool|cold){_CAST}", _W, -1),
    (r"sharpness|details?|clarity|definition|nettete|precision", _SH, 1),
    (r"blur|bokeh|softness|flou", _BL, 1),
]
_UP = words(
    r"(?:turn|crank|bump|dial|pump|ramp|jack|kick|amp|punch|push|bring)\s+up", r"up", r"better", r"meilleure?s?",
    r"more(?:\s+of)?", r"increase[ds]?", "increasing", r"boost(?:ed|s)?", r"raise[ds]?",
    "higher", "high", r"add(?:s|ed)?", r"enhance[ds]?", r"improve[ds]?", r"amelior(?:e[rz]?|ant)", "stronger", "strong",
    r"max(?:imum|imize)?", r"plus\s+de", r"plus\s+d'", r"davantage\s+de", r"augmente[rz]?",
    r"accentue[rz]?", r"renforce[rz]?", r"rehausse[rz]?", r"a?joute[rz]?", r"rajoute[rz]?",
    r"monte[rz]?", r"with\s+more", r"avec\s+plus\s+de",
)
_DOWN = words(
    r"(?:turn|dial|bring|knock|calm|tame|cut)\s+(?:down|back)", r"cut", r"soften", r"take\s+(?:away|out)",
    r"calme[rz]?", r"tempere[rz]?",
    r"get\s+rid\s+of",
    "less", "fewer", r"decrease[ds]?", r"reduce[ds]?", "lower", "low", r"remove[ds]?", "minus",
    "weaker", r"tone\s+down", r"moins\s+de", r"moins\s+d'", r"diminue[rz]?",
    r"redui(?:s|re|sez|t)", r"baisse[rz]?", r"attenue[rz]?", r"enleve[rz]?", r"retire[rz]?",
    r"supprime[rz]?", r"with\s+less", r"avec\s+moins\s+de", "no",
)
_NOUN_FILL = words(
    "the", "some", "les", "ses", "its", "his", "her", "their", "significant", "extra", "slight", "general",
    "overall", r"(?:a\s+)?lots?\s+of", r"alot\s+of", r"a\s+touch\s+of", r"colou?r", "couleur", "global(?:e)?", r"a\s+bit\s+(?:of|more)", r"a\s+little(?:\s+more)?", r"a\s+lot\s+(?:of|more)",
    "more", "du", r"de\s+la", "la", "le", r"un\s+peu\s+(?:de|plus\s+de)", r"plus\s+de",
    r"beaucoup\s+de", "des", "its", r"the\s+image's", "image", "photo",
)
_MOD = (
    r"(?:(?:a\s+(?:bit|little|lot)|slightly|much|way|even|far|un\s+peu|beaucoup|bien|encore|"
    r"legerement|nettement)\s+)?(?:more|less|plus|moins)|very|really|super|extra|tres|vraiment|"
    r"not\s+so|not\s+as|pas\s+si|too|trop"
)
_ADJUST_RULES: list[tuple[re.Pattern[str], str, int, str]] = (
    [(rx(rf"\b(?:(?P<mod>{_MOD})\s+)?(?:{w})\b"), a, d, "fixed") for w, a, d in _ADJ_FIXED]
    + [(rx(rf"\b(?:(?P<mod>{_MOD})\s+)?(?:{w})\b"), a, d, "base") for w, a, d in _ADJ_BASE]
    + [(rx(rf"\b(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\s+(?:(?:{_NOUN_FILL})\s+|l'|d')*(?:{w})\b"),
        a, sign, "noun") for w, a, sign in _ADJ_NOUN]
    + [(rx(rf"\b(?:turn|crank|bump|dial|pump|bring|push|knock|tone)\s+(?:(?:{_NOUN_FILL})\s+|l'|d')*(?:{w})"
           rf"\s+(?P<updown>up|down|back)\b"), a, sign, "noun_after") for w, a, sign in _ADJ_NOUN]
    # a cast alone ("give it a blue hue") is a colour, not a correction: no bare casts
    + [(rx(rf"\b(?:{w.split('|(?:')[0]})\b"), a, 1, "bare_noun") for w, a, _ in _ADJ_NOUN]
)
ADJUST_WORD_RX = rx(r"\b(?:" + "|".join(w for w, *_ in _ADJ_FIXED + _ADJ_BASE) + r")\b")


def adjustments(c: Clause, lo: int, hi: int, prev: list[Hit]) -> list[Hit]:
    """Every adjustment named in [lo, hi), leftmost and longest first, no overlaps."""
    found: list[tuple[int, int, str, int]] = []
    for pattern, adjustment, direction, cls in _ADJUST_RULES:
        for m in pattern.finditer(c.low, lo, hi):
            mod = m.groupdict().get("mod") or ""
            rest = c.low[lo:m.start()] + " " + c.low[m.end():hi]
            alone = not any(t not in NONCONTENT for t in re.findall(r"[^\W\d_]+'?", rest))
            flips = bool(re.search(r"\b(?:less|moins|not|pas|too|trop)\b", mod))
            if cls == "base" and not mod and not alone:
                continue
            if cls == "bare_noun":
                if not alone:
                    continue
                direction = _inherited_direction(prev)
            if cls == "noun" and m.group("down") or cls == "noun_after" and m.group("updown") != "up":
                direction = -direction
            if flips:
                direction = -direction
            found.append((m.start(), m.end(), adjustment, direction))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    hits: list[Hit] = []
    end = -1
    for a, b, adjustment, direction in found:
        if a >= end:
            word = "increase" if direction > 0 else "decrease"
            hits.append(Hit("adjust", a, b, {"adjustment": adjustment, "direction": word}))
            end = b
    return hits


def _inherited_direction(prev: list[Hit]) -> int:
    """A bare "saturation" after "more contrast" means more saturation too."""
    for hit in reversed(prev):
        if hit.kind == "adjust":
            return 1 if hit.args["direction"] == "increase" else -1
    return 1


_LIGHTING = rx(
    r"(?:change|transform|modify|adapt|adjust|make|turn|transforme[rz]?|modifie[rz]?|adapte[rz]?|ajuste[rz]?|"
    r"change[rz]?|rends)\s+(?:the\s+|l'|la\s+|les\s+)?(?:lighting|light|lights|eclairage|lumiere|ambiance)\b"
)
_LIGHT_WORDS = (
    (r"warm|golden|cozy|chaleureu|chaud|dore|festive?", _W, 1),
    (r"cool|cold|blue|froid|bleu", _W, -1),
    (r"dramatic|dramatique|contrast", _C, 1),
    (r"bright|lumineu|clair|sunny|ensoleill", _B, 1),
    (r"dark|dim|sombre|tamis", _B, -1),
)


def rule_lighting(ctx: Ctx) -> list[Hit] | None:
    """"transforme l'éclairage pour une ambiance plus chaude", "make the lighting dramatic": an
    adjustment by the words that follow, even in the clause's "pour …" tail."""
    c = ctx.c
    m = _LIGHTING.match(c.low, ctx.full_lo, ctx.hi)
    if not m:
        return None
    rest = c.low[m.end():c.end]
    for pattern, adjustment, direction in _LIGHT_WORDS:
        if re.search(rf"\b(?:{pattern})", rest):
            word = "increase" if direction > 0 else "decrease"
            return [ctx.hit("adjust", {"adjustment": adjustment, "direction": word})]
    return None


# Blurring one part ("blur the faces", "pixelise la plaque") hides it: no global correction.
_HIDE = rx(
    r"(?:blur|blurr|pixelate|pixelli[sz]e|flout(?:e|er|ez)|pixelise[rz]?|masque[rz]?)\s+"
    r"(?>(?:out\s+)?(?:the\s+|les\s+|le\s+|la\s+|l'|his\s+|her\s+|their\s+|all\s+|tous\s+les\s+)?)"
    r"(?!(?:image|photo|picture|background|arriere|fond|it|everything|tout|decor)\b)[^\W\d_]+"
)


def rule_adjust(ctx: Ctx) -> list[Hit] | None:
    if _HIDE.match(ctx.c.low, ctx.full_lo, ctx.hi):
        return [ctx.hit("other", {})]
    hits = adjustments(ctx.c, ctx.lo, ctx.hi, ctx.prev)
    if len(hits) == 1:  # "make the sky darker" came from the whole clause
        hits[0].start, hits[0].end = ctx.full_lo, ctx.hi
    return hits or None
