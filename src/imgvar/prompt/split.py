"""Clause splitting: punctuation, "then" and "and"/"et" separate requests, except inside
fixed phrases ("black and white", "rock and roll")."""

from __future__ import annotations

from dataclasses import dataclass

from .patterns import rx

_PROTECTED = rx(
    r"\b(?:black\s*(?:and|&|n|'n')\s*white|noir\s*(?:et|&)\s*blanc|blanc\s+et\s+noir|"
    r"b\s*&\s*w|n\s*&\s*b|salt\s+and\s+pepper|sel\s+et\s+poivre|rock\s*(?:and|&|'n'|n)\s*roll|"
    r"pen\s*(?:and|&)\s*ink|ink\s+and\s+wash|arts\s+and\s+crafts|tom\s+and\s+jerry|"
    r"rick\s+and\s+morty|calvin\s+and\s+hobbes|r\s*&\s*b|day\s+and\s+night|jour\s+et\s+nuit|"
    r"dungeons\s+(?:and|&)\s+dragons)\b"
)
_SEPARATOR = rx(
    r"(?P<hard>\s*(?:[,;!?\n]|(?<!\d)\.(?!\d)|\s[\-\u2013\u2014]\s)+\s*"
    r"|\s+(?:and\s+then|and\s+also|then|also|et\s+puis|et\s+aussi|puis|ensuite)\s+)"
    r"|(?P<soft>\s+(?:and|et|ainsi\s+que|as\s+well\s+as)\s+|\s*&\s*)"
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
    for m in _SEPARATOR.finditer(low):
        if any(a < m.end() and m.start() < b for a, b in protected):
            continue
        if m.start() > start:
            segments.append(Segment(start, m.start(), soft))
        start, soft = m.end(), bool(m.group("soft"))
    if start < len(low):
        segments.append(Segment(start, len(low), soft))
    return segments

