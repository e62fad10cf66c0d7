"""The clause being parsed: its text, its folded twin, what was cut out of it, and the hits
(typed requests with their spans) the rules find in it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from . import lexicon as lx
from .patterns import MORE_VERBS, NONCONTENT, PLACE_RX, PRONOUN_TARGETS, VERBS


@dataclass
class Hit:
    kind: str
    start: int
    end: int
    args: dict
    joined: list[tuple[int, int]] = field(default_factory=list)  # spans of later hits merged into this one


class Clause:
    """One clause of the prompt: the original text, its folded twin, and what was cut out.

    Cut-out spans are blanked in both copies, so later rules never see them again while
    every index still points into the prompt.
    """

    def __init__(self, src: str, low: str, view: str, start: int, end: int) -> None:
        self.src = src  # the prompt as given, used for `text`
        self.view = view  # the prompt with quotes/brackets blanked, used for arguments
        self.low = low  # folded twin of `view`
        self.start, self.end = start, end

    def mask(self, a: int, b: int) -> None:
        blank = " " * (b - a)
        self.view = self.view[:a] + blank + self.view[b:]
        self.low = self.low[:a] + blank + self.low[b:]

    def trim(self, a: int, b: int) -> tuple[int, int]:
        while a < b and self.low[a].isspace():
            a += 1
        while b > a and self.low[b - 1].isspace():
            b -= 1
        return a, b

    def arg(self, a: int, b: int) -> str:
        return " ".join(self.view[a:b].split()).strip(" ,;:.!?-")

    def tokens(self, a: int, b: int) -> list[str]:
        return re.findall(r"[^\W\d_]+'?|\d+", self.low[a:b])

    def has_content(self, a: int, b: int) -> bool:
        return any(t not in NONCONTENT for t in self.tokens(a, b))

    def starts_with_verb(self, a: int, b: int) -> bool:
        toks = self.tokens(a, b)
        return bool(toks) and toks[0].rstrip("'") in VERBS | MORE_VERBS

    def has_place(self, a: int, b: int, proper: bool = True) -> bool:
        if PLACE_RX.search(self.low, a, b):
            return True
        return proper and self.has_proper_noun(a, b)

    def has_proper_noun(self, a: int, b: int) -> bool:
        for m in re.finditer(r"[^\W\d_][\w'\-]*", self.view[a:b]):
            word = m.group()
            if word[0].isupper() and lx.fold(word) not in NONCONTENT | VERBS:
                return True
        return False


def subject_phrase(c: Clause, a: int, b: int) -> str | None:
    """A subject or target phrase, or None when it only points at the whole image."""
    a, b = c.trim(a, b)
    text = c.arg(a, b)
    key = lx.fold(text)
    key = re.sub(r"^(?:the|this|my|l'|la|cette|le)\s*(?=image|photo|picture|pic|scene)", "", key)
    if not text or key in PRONOUN_TARGETS:
        return None
    if not c.has_content(a, b) and key not in ("him", "her"):
        return None
    return text


@dataclass
class Ctx:
    c: Clause
    full_lo: int  # residue start, verbs included ("make the car red")
    lo: int  # residue start after leading filler ("make it", "transform this photo into")
    hi: int
    prev: list[Hit]

    def hit(self, kind: str, args: dict, a: int | None = None, b: int | None = None) -> Hit:
        return Hit(kind, self.full_lo if a is None else a, self.hi if b is None else b, args)


Rule = Callable[[Ctx], "list[Hit] | None"]
