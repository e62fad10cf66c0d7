"""Clause splitting: punctuation, "then" and "and"/"et" separate requests, except inside
fixed phrases ("black and white", "rock and roll")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .patterns import rx

_PROTECTED = rx(
    r"\b(?:black\s*(?:and|&|n|'n')\s*white|noir\s*(?:et|&)\s*blanc|blanc\s+et\s+noir|"
    r"b\s*&\s*w|n\s*&\s*b|salt\s+and\s+pepper|sel\s+et\s+poivre|rock\s*(?:and|&|'n'|n)\s*roll|"
    r"pen\s*(?:and|&)\s*ink|ink\s+and\s+wash|arts\s+and\s+crafts|tom\s+and\s+jerry|"
    r"rick\s+and\s+morty|calvin\s+and\s+hobbes|r\s*&\s*b|day\s+and\s+night|jour\s+et\s+nuit|"
    r"dungeons\s+(?:and|&)\s+dragons|(?:positions?|places|spots)\s+of\s+(?:the\s+)?\w+\s+(?:and|et)\s|"
    r"between\s+(?:the\s+)?\w+\s+and\s|entre\s+(?:les?\s+|la\s+)?\w+\s+et\s)\b"
)
_SEPARATOR = rx(
    r"(?P<hard>\s*(?:[,;!?\n]|(?<!\d)(?<!\bmr)(?<!\bmrs)(?<!\bdr)(?<!\bst)(?<!\bvs)(?<!\b[a-z])\.(?!\d)|\s[\-\u2013\u2014]\s|\s/|/\s)+\s*"
    r"|\s+(?:and\s+then|and\s+also|then|also|but|while|whilst|et\s+puis|et\s+aussi|puis|ensuite|mais|"
    r"tout\s+en)\s+)"
    r"|(?P<soft>\s+(?:and|et|ainsi\s+que|as\s+well\s+as)\s+|\s*&\s*)"
)


# A second imperative in one unpunctuated sentence starts a new request ("make it lighter add a
# kite"); not after words that make it part of the first ("to add", "can you add", "the change").
_SECOND_VERB = rx(
    r"(?<=[^\W\d_])\s+(?=(?:add|remove|delete|erase|replace|swap|insert|make|turn|put|give|change|"
    r"transform|convert|move|rotate|resize|crop|flip|zoom|increase|decrease|reduce|boost|darken|brighten|"
    r"lighten|sharpen|recolou?r|straighten|enhance|adjust|position|photoshop|place|"
    r"ajoute|enleve|supprime|remplace|efface|mets|rends|transforme|retire|donne|deplace|augmente|diminue|"
    r"eclaircis|assombris)\s+\S)"
)
_NOT_BEFORE_VERB = frozenset(
    """to and or not please you u me us i we they he she it let lets let's can could would will should
    must may might also then just the a an this that my your his her its our their some any no
    et ou ne pas de je tu vous il elle nous on le la les un une ce cette mon ma ton ta son sa me te se
    please kindly also""".split()
)


@dataclass
class Segment:
    start: int
    end: int
    soft: bool  # joined to the previous segment by "and"/"et", not by punctuation


def split_clauses(low: str) -> list[Segment]:
    protected = [m.span() for m in _PROTECTED.finditer(low)]
    segments: list[Segment] = []
    start, soft = 0, False
    cuts = sorted(list(_SEPARATOR.finditer(low)) + _second_verbs(low), key=lambda m: m.start())
    for m in cuts:
        if any(a < m.end() and m.start() < b for a, b in protected):
            continue
        if m.start() > start:
            segments.append(Segment(start, m.start(), soft))
        if m.start() < start:
            continue
        start, soft = m.end(), bool(m.groupdict().get("soft"))
    if start < len(low):
        segments.append(Segment(start, len(low), soft))
    return segments



def _second_verbs(low: str) -> list[re.Match[str]]:
    found = []
    for m in _SECOND_VERB.finditer(low):
        before = low[:m.start()].split()
        if len(before) >= 2 and before[-1].strip(",.;:") not in _NOT_BEFORE_VERB:
            found.append(m)
    return found
