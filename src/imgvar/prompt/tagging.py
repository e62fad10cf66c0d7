"""Phrase tagging: style phrases ("in Van Gogh style", "en aquarelle") and black-and-white,
found anywhere in a clause and cut out before the rules read what is left."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

from . import lexicon as lx
from .clause import Clause, Hit
from .patterns import (ARTIST_RX, COLOR_RX, MEDIUM_RX, NAME, OPT_DET, PLACE_RX, STYLE_PRE,
                       STYLE_TERM_RX, rx)
from .rules.adjust import ADJUST_WORD_RX

_GRAY_RX = rx(
    r"\b(?:(?:in|en|to|into)\s+)?(?:black\s*(?:and|&|n|'n')\s*white|b\s*[&/]\s*w|"
    r"noir\s*(?:et|&)\s*blanc|(?:niveaux|nuances|echelle)\s+de\s+gris|gr[ae]y[\s\-]*scale[ds]?|"
    r"monochrom(?:e|atic|atique)|n\s*[&/]\s*b)\b"
)
_COLORIZE_RX = rx(
    r"\b(?:(?:in|en)\s+(?:full\s+)?colou?rs?|en\s+couleurs?|colou?ri[sz](?:e|ed|es)|"
    r"colou?r\s+(?:a|the|this|my)\s+(?:photo|picture|image|pic)|"
    r"colori(?:se|ser|sez))\b"
)

# (template, which names it accepts): "{X}" is a known style term on the first pass and any
# short name on the second; "known" templates run on the first pass only.
_STYLE_TEMPLATES: list[tuple[str, str]] = [
    # in watercolor / en aquarelle / au fusain / as an oil painting / like a cartoon
    (r"(?<![\w'])(?:in|into|en|to|as|like|comme|à|au|aux)\s+{D}(?P<x>{MEDIUM})"
     r"(?:\s+(?:painting|drawing|style|version|art|peinture|tableau|dessin))?\b", "known"),
    # in the style of X / dans le style de X / à la manière de X
    (r"(?<![\w']){PRE}{D}(?:style|manner|maniere|facon|way)\s+(?:of|de|du|des|d')\s*{D}(?P<x>{X})",
     "any"),
    # like a painting by X / comme un tableau de X
    (r"\b(?:like|as|comme|tel|telle)\s+{D}(?:painting|drawing|artwork|work|picture|illustration|"
     r"tableau|peinture|dessin|oeuvre|toile)s?\s+(?:by|of|from|de|du|d')\s*(?P<x>{X})", "any"),
    # like a Monet painting
    (r"\b(?:like|as|comme)\s+{D}(?P<x>{X})(?:'s)?\s+(?:painting|artwork|drawing|illustration|"
     r"picture|piece|work)s?\b", "any"),
    # like a Pixar movie (a known name only: "like a horror movie" is a scene)
    (r"\b(?:like|as|comme)\s+{D}(?P<x>{X})(?:'s)?\s+(?:movie|film|cartoon|animation|game|show|character)s?\b",
     "known"),
    # a 1900s photo / an old 1950s postcard: an era's look
    (r"(?<![\w'])(?P<x>(?:old|vintage|antique)\s+(?:(?:19|20)?\d0'?s\s+)?(?:photo|photograph|picture|film|postcard)|"
     r"(?:19|20)?\d0'?s\s+(?:photo|photograph|picture|film|postcard))s?\b", "any"),
    # taken in the 1970s / from the 80s: an era's look
    (r"\b(?:taken|shot|photographed|made|from|in)\s+(?:in\s+)?the\s+(?P<x>(?:19|20)?\d0'?s)\b", "any"),
    # painted by X / inspiré de X
    (r"\b(?:painted|drawn|done|made|rendered|inspired|peint|peinte|dessine|dessinee|inspire|"
     r"inspiree|inspires|inspirees)\s+(?:by|par|de|d'|from)\s*(?P<x>{X})", "any"),
    # in Van Gogh style / Ghibli-style / in the impressionist style
    (r"(?<![\w']){PRE}{D}(?P<x>{X})(?:'s)?[\s\-]*(?:style[ds]?|inspired|esque)\b", "any"),
    # style Van Gogh / de style impressionniste
    (r"(?<![\w']){PRE}{D}style\s+(?:(?:of|de|du|des|d')\s*)?{D}(?P<x>{X})", "any"),
    # façon Van Gogh
    (r"\bfacon\s+{D}(?P<x>{X})", "any"),
    # à la Monet (à la plage is a place: the check in _style_name_ok rejects it)
    (r"(?<![\w'])à\s+la\s+(?P<x>{X})", "a_la"),
    # like Van Gogh / comme Monet
    (r"\b(?:like|as|comme)\s+(?P<x>{ARTIST})", "known"),
    # a vintage look / a sepia filter / effet aquarelle ("the cat look like" is no style)
    (r"(?<![\w'])(?:an?\s+)(?P<x>{X})\s+look\b", "any"),
    (r"(?<![\w']){D}(?P<x>{X})\s+(?:aesthetic|effect|filter|vibe|vibes|feel|finish|version)\b", "any"),
    (r"\b(?:effet|filtre|esthetique|rendu)\s+(?P<x>{X})", "any"),
    # un look plus cinéma / a look more vintage
    (r"(?<![\w'])(?:un|a)\s+look\s+(?:(?:plus|more|tres|very)\s+)?(?P<x>{X})", "any"),
]


@lru_cache(maxsize=512)
def _style_rx(template: str, x: str, medium: str, artist: str) -> re.Pattern[str]:
    out = template.replace("{PRE}", STYLE_PRE).replace("{D}", OPT_DET).replace("{X}", x)
    return rx(out.replace("{MEDIUM}", medium).replace("{ARTIST}", artist))


def _literal_alt(terms: Iterable[str]) -> str:
    ordered = sorted(set(terms), key=len, reverse=True)
    return r"\b(?:" + "|".join(re.escape(t) for t in ordered) + r")\b" if ordered else ""


def _style_patterns(c: Clause, lo: int, hi: int) -> Iterator[tuple[re.Pattern[str], str, bool]]:
    """(pattern, template kind, generic) in the order they are tried: known style terms first,
    then any short name. The known pass spells out only the terms this clause holds, which
    compiles far faster than the whole lexicon."""
    terms = [m.group() for m in STYLE_TERM_RX.finditer(c.low, lo, hi)]
    known = _literal_alt(terms)
    media = _literal_alt(t for t in terms if MEDIUM_RX.fullmatch(t))
    artists = _literal_alt(t for t in terms if ARTIST_RX.fullmatch(t))
    for template, kind in _STYLE_TEMPLATES:
        needed = {"{X}": known, "{MEDIUM}": media, "{ARTIST}": artists}
        if all(value for key, value in needed.items() if key in template):
            yield _style_rx(template, known, media, artists), kind, False
    for template, kind in _STYLE_TEMPLATES:
        if kind != "known":
            yield _style_rx(template, NAME, "", ""), kind, True


_STYLE_FILLER_END = rx(
    r"(?:[\s\-]+(?:style|styled|painting|paintings|tableau|peinture|look|effect|effet|filter|"
    r"filtre|version|drawing|picture|artwork|aesthetic|vibes?))+$"
)
_STYLE_FILLER_START = rx(
    r"^(?:(?:the|a|an|le|la|les|un|une|des|du|de|d'|l'|au|aux|à|en|in|style|tableau|peinture|more|plus|very|"
    r"painting)"
    r"(?:\s+|(?<=')))+"
)


def clean_style(raw: str) -> str:
    """The style phrase as written, lowercased, without determiners and filler words."""
    s = " ".join(raw.lower().replace("\u2019", "'").split()).strip(" ,;:.!?-\"'")
    s = re.sub(r"'s$", "", s)
    if lx.normalize(s) in lx.MEDIA | lx.MOVEMENTS | lx.ARTISTS:
        return s
    stripped = _STYLE_FILLER_START.sub("", s)
    if lx.normalize(stripped) not in lx.MEDIA | lx.MOVEMENTS | lx.ARTISTS:
        stripped = _STYLE_FILLER_END.sub("", stripped)
    return stripped.strip(" -") or s


# Words before "style" that are not an art style: "the same style", "formal style" (clothes).
_NOT_A_STYLE = frozenset(
    """same different similar new another other original current usual own whole overall formal casual
    business smart hair hairstyle haircut clothing clothes dress outfit fashion writing font text
    photo photographic picture image life living cooking fighting dance dancing my his her their its your
    meme memes même meme differente nouveau nouvelle autre ancien vestimentaire coiffure""".split()
)


def _style_name_ok(c: Clause, a: int, b: int, kind: str, generic: bool) -> bool:
    name = c.low[a:b]
    if not generic:
        return True
    if any(w in _NOT_A_STYLE for w in name.split()):
        return False
    if PLACE_RX.search(name) or COLOR_RX.fullmatch(name) or ADJUST_WORD_RX.fullmatch(name):
        return False
    if kind == "a_la":
        return c.view[a].isupper()
    return True


def extract_embedded(c: Clause, lo: int, hi: int) -> list[Hit]:
    hits: list[Hit] = []
    for pattern, direction in ((_GRAY_RX, "increase"), (_COLORIZE_RX, "decrease")):
        for m in pattern.finditer(c.low, lo, hi):
            hits.append(Hit("adjust", m.start(), m.end(),
                             {"adjustment": "grayscale", "direction": direction}))
            c.mask(m.start(), m.end())
    for pattern, kind, generic in _style_patterns(c, lo, hi):
        for m in pattern.finditer(c.low, lo, hi):
            a, b = c.trim(*m.span("x"))
            if a >= b or not _style_name_ok(c, a, b, kind, generic):
                continue
            style = clean_style(c.view[a:b])
            if style:
                hits.append(Hit("style", m.start(), m.end(), {"style": style}))
                c.mask(m.start(), m.end())
    return hits

