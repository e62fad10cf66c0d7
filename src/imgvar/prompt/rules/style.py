"""style, when a clause is nothing but a style name ("watercolor", "a pencil sketch of the
dog"); style phrases inside other clauses are tagged first (see `tagging`)."""

from __future__ import annotations

from ..clause import Ctx, Hit
from ..patterns import PLACE_RX, STYLE_TERM_RX, rx
from ..tagging import clean_style

OF_RX = rx(r"\s(?:of|de|du|des|d')\s")


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

