"""replace_object: one thing becomes another. "replace the fruits with a cake", "swap the
sunflowers for roses", "turn the cat into a dog", "a dog instead of the cat", "remplace le
chat par un chien".

The same shapes also say other kinds, told apart by what the new thing is: a colour
("turn the red car into a blue car") is a recolor, a setting ("turn the day into night") a
recontext, a material for the whole image ("turn them into marble statues") a style.
"""

from __future__ import annotations

import re

from ..clause import Clause, Ctx, Hit, subject_phrase
from ..patterns import COLOR_RX, DET, NONCONTENT, PLACE_RX, STYLE_TERM_RX, WEATHER_RX, rx
from ..tagging import clean_style

_SWAP = rx(
    r"(?:replace|swap(?:\s+out)?|exchange|switch(?:\s+out)?|trade|change\s+out|"
    r"remplace[rz]?|echange[rz]?|substitue[rz]?|troque[rz]?)\s+(?P<x>.+?)\s+"
    r"(?:with|by|for|to|par|contre|avec|pour)\s+(?P<y>.+)"
)
_SWAP_ALONE = rx(r"(?:replace|swap\s+out|remplace[rz]?)\s+(?P<x>.+)")
_SUBSTITUTE = rx(r"substitute\s+(?P<y>.+?)\s+for\s+(?P<x>.+)")
_TURN_INTO = rx(
    r"(?:change|turn|transform|convert|morph|make|switch|modify|alter|"
    r"transforme[rz]?|change[rz]?|converti[rsz]?|modifie[rz]?|mute[rz]?)\s+(?P<x>.+?)\s+"
    r"(?:into|to|for|en|par)\s+(?P<y>.+)"
)
_CHANGE_WITH = rx(r"(?:change|switch|swap|exchange|change[rz]?)\s+(?P<x>.+?)\s+(?:with|avec)\s+(?P<y>.+)")
_DRESS = rx(r"(?:dress|clothe|habille[rz]?)\s+(?P<x>.+?)\s+(?:up\s+)?(?:in|as|en|avec)\s+(?P<y>.+)")
_LOOK_LIKE = rx(r"(?:make|let|have)\s+(?P<x>.+?)\s+look\s+like\s+(?!(?:it|they|he|she)\b)(?P<y>.+)")
# "change the material of the product": it becomes another thing of the same shape
_MATERIAL_OF = rx(
    r"(?:change|modify|alter|change[rz]?|modifie[rz]?)\s+(?:the\s+|le\s+|la\s+|l')?(?:material|texture|fabric|"
    r"materiau|matiere|tissu)\s+(?:of|de|du|des|d')\s*(?P<x>.+?)(?:\s+(?:to|into|en|pour)\s+(?P<y>.+))?"
)
_MADE_OF = rx(
    r"(?:make|let|have|render|fais|rends)\s+(?P<x>.+?)\s+(?:be\s+)?(?:made\s+)?(?:out\s+of|of|from|en)\s+"
    r"(?P<y>.+)"
)
_NOT_A_VERB = r"(?!(?:wear|wears|hold|holds|carry|look|looks|have|has|put|be|become|seem)\b)"
_MAKE_A = rx(
    rf"(?:make|let)\s+(?P<x>{DET}?{_NOT_A_VERB}\S+(?:\s+{_NOT_A_VERB}\S+)?)\s+"
    rf"(?:look\s+like\s+|be\s+|become\s+)?(?P<y>(?:a|an|un|une)\s+(?!(?:lot|bit|little|tad|touch|peu)\b).+)"
)
_FAIS_DE = rx(r"(?:fais|faites|faire)(?:\s+(?P<x>d(?:e|u|es|')\s*.+?)|-en)\s+(?P<y>(?:un|une|des)\s+.+)")
_INSTEAD = rx(
    r"(?P<y>.+?)\s+(?:instead\s+of|in\s+place\s+of|rather\s+than|au\s+lieu\s+d(?:e|u|es|')|"
    r"[aà]\s+la\s+place\s+d(?:e|u|es|'))\s*(?P<x>.+)"
)
# "put a tiger where the cat is"
_WHERE_IS = rx(r"(?P<y>.+?)\s+where\s+(?P<x>.+?)\s+(?:is|are|was|were|stands?|sits?|used\s+to\s+be)")
_BECOMES = rx(
    rf"(?P<x>{DET}.+?)\s+(?:becomes?|turns?\s+into|is\s+now|should\s+be|devient|devrait\s+etre|"
    rf"se\s+transforme\s+en)\s+(?P<y>(?:a|an|un|une|des|some)\s+.+)"
)
# "can the black background be changed to white?"
_PASSIVE = rx(
    rf"(?:(?:can|could|should|would|will)\s+)?(?P<x>{DET}.+?)\s+(?:be|get|gets|is|are)\s+"
    rf"(?:changed|turned|made|replaced|swapped|converted)\s+(?:to|into|with|by|for)\s+(?P<y>.+)"
)
_LEADING_VERB = rx(
    r"(?:put|use|add|have|show|place|make\s+it|there\s+should\s+be|mets|mettez|ajoute[rz]?|utilise[rz]?|"
    r"place[rz]?)\s+"
)
# The new thing, when it is a material or figure the whole image becomes: a style.
_MATERIAL = rx(
    r"\b(?:marble|bronze|stone|granite|clay|plasticine|plastic|lego|wood(?:en)?|gold(?:en)?|"
    r"glass|crystal|paper|origami|ice|wax|porcelain|ceramic|metal|chrome|knitted|wool|"
    r"marbre|pierre|argile|plastique|bois|verre|cristal|papier|glace|cire|porcelaine|"
    r"sculptures?|statues?|figurines?|toys?|dolls?|puppets?|jouets?|poupees?)\b"
)
_HAIR = {"redhead": "red", "ginger": "ginger", "blonde": "blonde", "blond": "blonde", "brunette": "brown",
         "rousse": "roux", "roux": "roux"}


def rule_replace(ctx: Ctx) -> list[Hit] | None:
    c, lo, hi = ctx.c, ctx.full_lo, ctx.hi
    for pattern in (_SUBSTITUTE, _SWAP, _TURN_INTO, _CHANGE_WITH, _FAIS_DE, _MAKE_A, _MADE_OF, _DRESS, _LOOK_LIKE):
        m = pattern.fullmatch(c.low, lo, hi)
        if m:
            x = m.span("x") if m.group("x") else None
            if pattern is _MADE_OF and not _MATERIAL.search(c.low, *m.span("y")):
                continue
            # "swap the sunflowers for roses": after replace/swap the new thing is a thing, not a colour
            kind = "swap" if pattern in (_SUBSTITUTE, _SWAP) else "look" if pattern in (_LOOK_LIKE, _MAKE_A, _DRESS) else "turn"
            found = _swap(ctx, x, m.span("y"), colors=kind != "swap" or _names_color(c, x), pattern_kind=kind)
            if found:
                return found
    for pattern in (_INSTEAD, _WHERE_IS, _BECOMES, _PASSIVE):
        m = pattern.fullmatch(c.low, ctx.lo, hi)
        if m:
            ya = m.start("y")
            if pattern in (_INSTEAD, _WHERE_IS) and (verb := _LEADING_VERB.match(c.low, ya, m.end("y"))):
                ya = verb.end()
            found = _swap(ctx, m.span("x"), (ya, m.end("y")))
            if found:
                return found
    styled = any(h.kind == "style" and h.start >= c.start for h in ctx.prev)
    if ctx.lo > lo and not styled and re.match(DET, c.low[ctx.lo:hi]):  # "convert to a bronze statue"
        found = _swap(ctx, None, (ctx.lo, hi))
        if found:
            return found
    m = _MATERIAL_OF.fullmatch(c.low, lo, hi)
    if m:
        new = c.arg(*m.span("y")) if m.group("y") else None
        return [ctx.hit("replace_object", {"target": subject_phrase(c, *m.span("x")), "replacement": new})]
    m = _SWAP_ALONE.fullmatch(c.low, lo, hi)
    if m and c.has_content(*m.span("x")):
        return [ctx.hit("replace_object", {"target": subject_phrase(c, *m.span("x")), "replacement": None})]
    return None


_ONE = rx(r"\bones?\s*$")
# What a scene is made of: turning one into a place or a time is a new setting ("turn the day into night").
_SCENE = rx(r"\b(?:sky|skies|day|night|weather|season|time|scene|setting|landscape|scenery|background|place|"
            r"location|ciel|jour|nuit|saison|temps|scene|decor|paysage|lieu|fond)\b")
_NOT_A_THING = rx(r"\b(?:smile|frown|expression|pose|posture|mood|emotion|sourire|expression|pose)\b")
_COUNT = rx(r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|deux|trois|quatre|cinq)\b")
_COLOR_WORDS = rx(r"\b(?:colou?rs?|hues?|tints?|shades?|couleurs?|teintes?)\b")
_SCENE_FROM = rx(r"(?:(?:an?|the|un|une)\s+)?(?:still|scene|shot|frame|set|movie\s+set|film\s+set|image)\s+(?:from|of|in)\b")
_ART_FORM = rx(
    r"\b(?:painting|drawing|illustration|sketch|artwork|render|rendering|portrait|print|engraving|poster|"
    r"cartoon|photo|photograph|tableau|peinture|dessin|croquis|gravure|affiche)s?\s*$"
)
_TEXT = rx(r"\b(?:word|words|text|letters|caption|writing|title|texte|mot|mots|lettres|ecriture)\b")
_SKY = rx(r"\b(?:sky|skies|weather|ciel|temps|meteo)\b")
_STYLE_WORDS = frozenset("""painting paintings drawing drawings picture pictures illustration art artwork version
    style render rendering image photo photograph print piece character characters tableau peinture dessin
    illustration oeuvre personnage one""".split())


def _thing_besides_style(c: Clause, a: int, b: int) -> bool:
    """Whether Y names a thing beyond its style words ("a cartoon dog" does, "a Monet painting" does not)."""
    rest = STYLE_TERM_RX.sub(" ", c.low[a:b])
    return any(w not in NONCONTENT and w not in _STYLE_WORDS for w in re.findall(r"[^\W\d_]+'?", rest))


def _quoted(c: Clause, a: int, b: int) -> bool:
    a, b = c.trim(a, b)
    around = c.src[max(0, a - 1):a + 1] + c.src[b - 1:b + 1]
    return any(q in around for q in "'\"“”‘’«»")


def _names_color(c: Clause, x: tuple[int, int] | None) -> bool:
    return x is not None and bool(re.search(r"\b(?:colou?rs?|couleurs?)\b", c.low[x[0]:x[1]]) or
                                  COLOR_RX.search(c.low, *x))


def _swap(ctx: Ctx, x: tuple[int, int] | None, y: tuple[int, int], colors: bool = True,
          pattern_kind: str = "turn") -> list[Hit] | None:
    """The task for "X becomes Y", by what Y is."""
    c = ctx.c
    ya, yb = c.trim(*y)
    if ya >= yb or not c.has_content(ya, yb):
        return None
    target = subject_phrase(c, *x) if x else None
    new = c.arg(ya, yb)
    explicit = pattern_kind == "swap"  # "replace the cigarette with pencil": a thing, whatever its name
    if x and (_quoted(c, *x) or _TEXT.search(c.low, *x) or _NOT_A_THING.search(c.low, *x)) or (
            x is None and _COUNT.match(c.low, ya, yb)) or re.fullmatch(r"[\d\s.,'%]+", c.low[ya:yb]):
        return [ctx.hit("other", {})]  # a text edit, an expression, a count: "replace 'TRAIN' with 'PLANE'"
    if _COLOR_WORDS.search(c.low, ya, yb) and COLOR_RX.search(c.low, ya, yb) and colors:
        m = COLOR_RX.search(c.low, ya, yb)  # "to a red sunrise type of colour"
        return [ctx.hit("recolor", {"target": target, "color": " ".join(m.group().split())})]
    if _ONE.search(c.low, ya, yb) and x:  # "turn the sky into a sunny one": Y describes X anew
        if WEATHER_RX.search(c.low, ya, yb) or c.has_place(ya, yb, proper=False):
            return [ctx.hit("recontext", {"subject": None, "setting": f"{new[:-3].strip()} {c.tokens(*x)[-1]}",
                                          "preposition": None})]
    if _SCENE_FROM.match(c.low, ya, yb):  # "a still from a western"
        return [ctx.hit("recontext", {"subject": None, "setting": new, "preposition": None})]
    if target is None and _ART_FORM.search(c.low, ya, yb):  # "a thomas kinkade painting"
        return [ctx.hit("style", {"style": clean_style(c.view[ya:yb])})]
    if not (explicit and target) and STYLE_TERM_RX.search(c.low, ya, yb) and not _thing_besides_style(c, ya, yb):
        return [ctx.hit("style", {"style": clean_style(c.view[ya:yb])})]
    color = _new_color(c, x, (ya, yb)) if colors else None
    if color:
        return [ctx.hit("recolor", {"target": target, "color": color})]
    scene = x is not None and _SCENE.search(c.low, *x)
    if _is_setting(c, ya, yb, whole_image=target is None) and (target is None or scene or (
            pattern_kind != "look" and sum(w not in NONCONTENT for w in c.tokens(ya, yb)) <= 2)) or (
            x and _SKY.search(c.low, *x) and WEATHER_RX.search(c.low, ya, yb)):
        return [ctx.hit("recontext", {"subject": None, "setting": new, "preposition": None})]
    person = target is None or target.lower() in ("him", "her", "them", "me", "us", "lui", "elle", "eux")
    if person and _MATERIAL.search(c.low, ya, yb):
        return [ctx.hit("style", {"style": " ".join(re.sub(r"^(?:an?|some|des|un|une)\s+", "", new.lower()).split())})]
    if x is not None and not c.has_content(*x) and target is None and not c.low[x[0]:x[1]].strip():
        return None
    return [ctx.hit("replace_object", {"target": target, "replacement": new})]


def _new_color(c: Clause, x: tuple[int, int] | None, y: tuple[int, int]) -> str | None:
    """A colour when Y only recolours X: "red", "a blue car" for "the red car", "a redhead"."""
    ya, yb = y
    if COLOR_RX.fullmatch(c.low, ya, yb):
        return " ".join(c.low[ya:yb].split())
    words = c.tokens(ya, yb)
    hair = [_HAIR[w] for w in words if w in _HAIR]
    if hair and len(words) <= 3:
        return hair[0]
    m = COLOR_RX.search(c.low, ya, yb)
    if not m:
        return None
    rest_new = [w for w in c.tokens(m.end(), yb)]
    if rest_new and rest_new[0] in ("one", "ones", "shade", "color", "colour", "tone", "hue", "teinte", "couleur"):
        return " ".join(c.low[m.start():m.end()].split())
    if x is None:
        return None
    olds = [w for w in c.tokens(*x) if not COLOR_RX.fullmatch(w)]
    if rest_new and olds and rest_new[-1].rstrip("s") == olds[-1].rstrip("s"):
        return " ".join(c.low[m.start():m.end()].split())
    return None


def _is_setting(c: Clause, a: int, b: int, whole_image: bool) -> bool:
    """Y is a new setting: a place, time or weather ends it ("night", "a snowy forest"), or,
    for the whole image, it names one anywhere ("a winter scene")."""
    if whole_image:
        return c.has_place(a, b, proper=True)
    last = None
    for m in PLACE_RX.finditer(c.low, a, b):
        last = m
    return last is not None and not c.low[last.end():b].strip(" .!?")

