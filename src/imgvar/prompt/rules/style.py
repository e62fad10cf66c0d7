"""style, when a clause is nothing but a style name ("watercolor", "a pencil sketch of the
dog"); style phrases inside other clauses are tagged first (see `tagging`)."""

from __future__ import annotations

from ..clause import Ctx, Hit
from ..patterns import PLACE_RX, STYLE_TERM_RX, WEATHER_RX, rx
from ..tagging import clean_style
from .adjust import adjustments

# Nouns that name a look, not a thing: "un aspect de photo vintage", "an effect of old film".
_LOOK_NOUN = rx(
    r"(?:(?:an?|the|some|un|une|le|la|l'|des|du)\s*)?(?:[^\W\d_]+\s+){0,2}?"
    r"\b(?:look|aspect|effect|effet|filter|filtre|feel|feeling|vibe|mood|ambiance|ambience|atmosphere|"
    r"atmosphere|style|touch|touche|finish|rendu|allure|air|apparence|appearance|treatment|traitement|"
    r"grading|etalonnage|palette)s?\b(?:\s+(?:de|d'|du|des|of|with))?\s*"
)


def look_hits(ctx: Ctx, a: int, b: int, things: bool = True) -> list[Hit] | None:
    """A look asked for as a thing ("give it a vintage film look", "donne un effet maquette"):
    a setting when it names weather or a place, an adjustment when it names one, else a style.
    With `things` False, a look that names no known style is taken for a thing ("add a
    lens-flare effect") and left to the caller."""
    c = ctx.c
    m = _LOOK_NOUN.search(c.low, a, b)
    if not m or c.has_content(a, m.start()) and not things:
        return None
    whole = c.trim(a, b)
    if WEATHER_RX.search(c.low, *whole) or c.has_place(*whole, proper=False):
        return [ctx.hit("recontext", {"subject": None, "setting": c.arg(*whole), "preposition": None})]
    found = adjustments(c, a, b, ctx.prev)
    if found:
        return found
    if not things and not STYLE_TERM_RX.search(c.low, a, b):
        return None
    rest = c.trim(m.end(), b)
    name = clean_style(c.view[rest[0]:rest[1]] if c.has_content(*rest) else c.view[whole[0]:whole[1]])
    return [ctx.hit("style", {"style": name})] if name else None


_APPLY = rx(r"(?:apply|use|go\s+for|applique[rz]?|utilise[rz]?|opte[rz]?\s+pour)\s+")


def rule_apply_look(ctx: Ctx) -> list[Hit] | None:
    """apply a cinematic colour grade / appliquer un étalonnage cinématographique."""
    m = _APPLY.match(ctx.c.low, ctx.full_lo, ctx.hi)
    return look_hits(ctx, m.end(), ctx.hi) if m else None

OF_RX = rx(r"\s(?:of|de|du|des|d'|with|avec|featuring|using)\s")


def rule_style_phrase(ctx: Ctx) -> list[Hit] | None:
    """watercolor / a pencil sketch / Van Gogh / estampe japonaise."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if c.starts_with_verb(lo, hi):
        return None
    style = STYLE_TERM_RX.search(c.low, lo, hi)
    if not style:
        return None
    place = PLACE_RX.search(c.low, lo, hi)
    if place and place.start() < style.start():
        return None
    end = hi
    of = OF_RX.search(c.low, style.end(), hi)
    if of:  # "pencil sketch of the dog": the style ends where its subject starts
        end = of.start()
    return [ctx.hit("style", {"style": clean_style(c.view[lo:end])})]

