"""Normalisation: the prompt's folded twin (same length, so every match is a position in the
user's text), and the polite openings and filler that carry no request."""

from __future__ import annotations

import re

from . import lexicon as lx
from .clause import Clause
from .patterns import rx

POLITE = rx(
    r"(?:please|pls|plz|kindly|just|now|simply|also|then|and|et|puis|ensuite|aussi|hey|ok|okay|"
    r"can\s+you|could\s+you|would\s+you|will\s+you|can\s+u|i\s+want\s+you\s+to|i\s+want\s+to|"
    r"i\s+want|i'd\s+like\s+you\s+to|i'd\s+like\s+to|i'd\s+like|i\s+would\s+like\s+(?:you\s+)?to|"
    r"i\s+would\s+like|let's|lets|try\s+to|go\s+ahead\s+and|s'il\s+te\s+plait|s'il\s+vous\s+plait|"
    r"stp|svp|peux[\s\-]+tu|pourrais[\s\-]+tu|pouvez[\s\-]+vous|pourriez[\s\-]+vous|tu\s+peux|"
    r"vous\s+pouvez|je\s+veux|je\s+voudrais|j'aimerais|j'aimerai|merci\s+de|essaie\s+de|"
    r"essayez\s+de)\b[\s:]*"
)
POLITE_END = rx(
    r"[\s,]*\b(?:please|pls|thanks|thank\s+you|merci|s'il\s+te\s+plait|s'il\s+vous\s+plait|stp|"
    r"svp|for\s+me|pour\s+moi)$"
)
_IMAGE = (
    r"(?:it|this|them|everything|"
    r"(?:the|this|my|that)\s+(?:image|photo|picture|pic|scene|shot|whole\s+thing))"
)
FILLER = rx(
    rf"(?:(?:make|let)\s+{_IMAGE}\s+look(?:\s+like)?|make\s+{_IMAGE}(?=\s)|"
    rf"(?:transform|turn|convert|change|render|redraw|reimagine|recreate|remake|restyle)"
    rf"(?:\s+{_IMAGE})?\s+(?:into|in|to|as)|transform|convert|"
    rf"(?:transforme[rz]?|converti[rsz]?|change[rz]?|fais|redessine[rz]?|repein[st])"
    rf"(?:[\s\-]+(?:la|le|les|l'image|la\s+photo|cette\s+photo|cette\s+image|le\s+tout|tout))?"
    rf"\s+en|transforme[rz]?|rends(?:-la|-le|-les)|rend(?:s|ez)?\s+(?:l'image|la\s+photo|"
    rf"cette\s+image|cette\s+photo|le\s+tout)|fais(?:-en|-la|-le))\b\s*"
)
RENDER_VERB = rx(
    r"(?:turn|transform|convert|render|redraw|reimagine|paint|draw|make|show|depict|"
    r"transforme[rz]?|converti[rsz]?|dessine[rz]?|peins|redessine[rz]?|fais|rends|montre[rz]?)\b"
)


def skip(pattern: re.Pattern[str], c: Clause, lo: int, hi: int) -> int:
    while (m := pattern.match(c.low, lo, hi)) and m.end() > lo:
        lo = c.trim(m.end(), hi)[0]
    return lo


_BLANKED = str.maketrans({ch: " " for ch in "\"“”«»()[]{}*_<>"})
_A_AS_A_GRAVE = rx(r"(?<![\w'])a(?=\s+(?:la\s|l'))")
_A_AS_A_GRAVE_FR = rx(r"(?<![\w'])a(?=\s+(?:un|une|cote|droite|gauche)\b)")
_A_BEFORE_WORD = rx(r"(?<![\w'])a(?=\s+([^\W\d_]))")


def prepare(src: str, language: str) -> tuple[str, str]:
    """The prompt with quotes blanked, and its folded twin (same length)."""
    view = src.translate(_BLANKED)
    low = _A_AS_A_GRAVE.sub("à", lx.fold(view))  # "a la Monet", typed without the accent
    if language == "fr":  # "mets le chat a Paris"
        low = _A_AS_A_GRAVE_FR.sub("à", low)
        low = _A_BEFORE_WORD.sub(lambda m: "à" if view[m.start(1)].isupper() else "a", low)
    return view, low

