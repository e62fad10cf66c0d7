"""Language detection: French or English, from function words and accents."""

from __future__ import annotations

import unicodedata

from . import lexicon as lx
from .patterns import rx

_TOKEN = rx(r"[^\W\d_]+'?")
_ACCENTED = rx(r"[éèêëàâîïôûùçœ]")


def detect_language(text: str) -> str:
    """ "fr" when French function words and accents outweigh English ones, else "en"."""
    if not text or not text.strip():
        return "en"
    low = lx.fold(unicodedata.normalize("NFC", text))
    french = english = 0.0
    for token in _TOKEN.findall(low):
        weight = 0.5 if token in lx.LEXICON_ONLY_HINTS else 1.0
        if token in lx.FRENCH_HINTS:
            french += weight
        elif token in lx.ENGLISH_HINTS:
            english += weight
    french += 0.5 * len(_ACCENTED.findall(text.lower()))
    return "fr" if french > english else "en"
