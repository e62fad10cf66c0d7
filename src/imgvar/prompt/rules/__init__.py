"""One rule module per task kind. Each rule reads the residue of a clause (what is left once
embedded style phrases are cut out) and returns hits, or None when it does not understand it.
`RULES` is the order they are tried in: the first that understands a clause wins."""

from __future__ import annotations

from ..clause import Rule
from .add_object import rule_add_continued, rule_add_verb, rule_give, rule_wearing
from .adjust import rule_adjust
from .recolor import rule_recolor_bare, rule_recolor_verb
from .recontext import rule_background, rule_place_only, rule_prep_phrase, rule_recontext_verb
from .style import rule_style_phrase

RULES: list[Rule] = [
    rule_recolor_verb,
    rule_background,
    rule_recontext_verb,
    rule_adjust,
    rule_add_verb,
    rule_give,
    rule_recolor_bare,
    rule_prep_phrase,
    rule_wearing,
    rule_style_phrase,
    rule_place_only,
    rule_add_continued,
]
