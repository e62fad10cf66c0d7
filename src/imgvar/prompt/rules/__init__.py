"""One rule module per task kind. Each rule reads the residue of a clause (what is left once
embedded style phrases are cut out) and returns hits, or None when it does not understand it.
`RULES` is the order they are tried in: the first that understands a clause wins."""

from __future__ import annotations

from ..clause import Rule
from .add_object import rule_add_continued, rule_add_continued_np, rule_add_verb, rule_give, rule_wearing
from .adjust import rule_adjust, rule_lighting
from .recolor import rule_recolor_bare, rule_recolor_verb
from .recontext import rule_background, rule_place_only, rule_prep_phrase, rule_recontext_verb, rule_weather
from .move import rule_move
from .remove import rule_remove
from .replace import rule_replace
from .style import rule_apply_look, rule_style_phrase

RULES: list[Rule] = [
    rule_recolor_verb,
    rule_remove,
    rule_background,
    rule_move,
    rule_recontext_verb,
    rule_lighting,
    rule_adjust,
    rule_apply_look,
    rule_replace,
    rule_add_verb,
    rule_give,
    rule_recolor_bare,
    rule_add_continued_np,
    rule_prep_phrase,
    rule_style_phrase,
    rule_wearing,
    rule_place_only,
    rule_add_continued,
    rule_weather,
]
