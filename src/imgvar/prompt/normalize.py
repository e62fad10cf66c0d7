"""Normalisation: the prompt's folded twin (same length, so every match is a position in the
user's text), and the polite openings and filler that carry no request."""

from __future__ import annotations

import re

from . import lexicon as lx
from .clause import Clause
from .patterns import rx

POLITE = rx(
    r"(?:please|pls|plz|kindly|just|now|simply|also|then|and|et|puis|ensuite|aussi|hey|ok|okay|but|mais|or|ou|"
    r"(?:(?:the|this|my)\s+)?(?:image|photo|picture|it)?\s*needs?(?:\s+to\s+be)?|"
    r"can\s+you|could\s+you|would\s+you|will\s+you|can\s+u|i\s+want\s+you\s+to|i\s+want\s+to|"
    r"i\s+want|i'd\s+like\s+you\s+to|i'd\s+like\s+to|i'd\s+like|i\s+would\s+like\s+(?:you\s+)?to|"
    r"i\s+would\s+like|let's|lets|try\s+to|go\s+ahead\s+and|s'il\s+te\s+plait|s'il\s+vous\s+plait|"
    r"stp|svp|peux[\s\-]+tu|pourrais[\s\-]+tu|pouvez[\s\-]+vous|pourriez[\s\-]+vous|tu\s+peux|"
    r"vous\s+pouvez|je\s+veux|je\s+voudrais|j'aimerais|j'aimerai|merci\s+de|essaie\s+de|"
    r"essayez\s+de|(?:can|could|would|will)\s+(?:someone|somebody|anyone|anybody|one|u|ya)|you\s+(?:can|could)|"
    r"(?:is|are)\s+(?:anyone|someone|anybody|you)\s+able\s+to|(?:someone|anyone)\s+(?:willing|able|care)\s+to|"
    r"(?:please\s+)?help\s+me(?:\s+to)?|i\s+need(?:\s+(?:you|someone)\s+to)?|need\s+(?:someone\s+to|you\s+to)|"
    r"(?:simple|quick|small|easy)\s+(?:edit|request|one)|request|requesting|possibly|maybe|"
    r"if\s+(?:you|someone|anyone)\s+could|if\s+possible|hoping\s+(?:someone\s+can|to)|i'd\s+love(?:\s+to)?|"
    r"(?:can|could|may)\s+i\s+(?:get|have)|est[\s\-]+ce\s+que\s+(?:tu|vous|quelqu'un)\s+(?:peux|peut|pouvez|pourrai[st])|"
    r"quelqu'un\s+(?:peut|pourrait)|qui\s+peut|il\s+faut|il\s+faudrait)\b[\s:]*"
)
POLITE_END = rx(
    r"[\s,]*\b(?:please|pls|thanks|thank\s+you|merci|s'il\s+te\s+plait|s'il\s+vous\s+plait|stp|"
    r"svp|for\s+me|pour\s+moi)$"
)
_IMAGE = (
    r"(?:it|this|them|everything|image|photo|picture|pic|"
    r"(?:the|this|my|that)\s+(?:image|photo|picture|pic|scene|shot|whole\s+thing))"
)
FILLER = rx(
    rf"(?:(?:make|let|have|get)\s+{_IMAGE}\s+look(?:\s+like)?|make\s+{_IMAGE}(?=\s)|"
    rf"make\s+(?:his|her|their|our|your)\s+(?:image|photo|picture|pic)(?=\s)|let\s+(?:it|this)\s+be|"
    rf"(?:change|turn|convert|transform)\s+(?:the|this)\s+(?:whole|entire)\s+(?:image|photo|picture)\s+(?:into|to)|"
    rf"(?:what|how)\s+(?:if|would\s+(?:it|this|they)\s+look\s+(?:like\s+)?(?:if|when))"
    rf"(?:\s+(?:it|this|they|the\s+\w+))?(?:\s+(?:was|were|is|are|had\s+been|took\s+place|happened))?|"
    rf"(?:as\s+(?:if|though)|imagine|pretend)(?:\s+(?:it|this|they)(?:'s|'re|\s+was|\s+were|\s+is|\s+are))?|"
    rf"(?:(?:et\s+)?si|comme\s+si)(?:\s+(?:c'etait|c'est|il|elle|ils|elles)(?:\s+(?:etait|etaient|faisait))?)?|"
    rf"(?:imagine[rz]?|montre[rz]?)[\s\-]+(?:la|le|les|l'image|la\s+photo|cette\s+photo)|"
    rf"(?:transform|turn|convert|change|render|redraw|reimagine|recreate|remake|restyle)"
    rf"(?:\s+{_IMAGE})?\s+(?:into|in|to|as)|transform|convert|"
    rf"(?:switch|go|set\s+it)\s+to|"
    rf"(?:transforme[rz]?|converti[rsz]?|change[rz]?|fais|redessine[rz]?|repein[st]|passe[rz]?|mets|mettre)"
    rf"(?:[\s\-]+(?:la|le|les|l'image|la\s+photo|cette\s+photo|cette\s+image|le\s+tout|tout))?"
    rf"\s+en|transforme[rz]?|rends(?:-la|-le|-les)|rend(?:s|ez)?\s+(?:l'image|la\s+photo|"
    rf"cette\s+image|cette\s+photo|le\s+tout)|fais(?:-en|-la|-le))\b\s*"
)
RENDER_VERB = rx(
    r"(?:turn|transform|convert|render|redraw|reimagine|paint|draw|make|show|depict|generate|create|produce|change|"
    r"apply|use|applique[rz]?|utilise[rz]?|change[rz]?|"
    r"transforme[rz]?|converti[rsz]?|dessine[rz]?|peins|redessine[rz]?|fais|rends|montre[rz]?)\b"
)


# Why the user wants a change is not a change: "… pour un look vintage", "… to make it pop".
PURPOSE = rx(
    r"\s(?:pour|afin)\s+(?:que|qu'|de|d'|donner|creer|simuler|rendre|obtenir|avoir|faire|accentuer|renforcer|"
    r"souligner|evoquer|un\s+(?:look|effet|rendu|aspect|style|air)|une\s+(?:ambiance|atmosphere|touche|allure))\b"
    r"|\s(?:so\s+(?:that|it|the|i|we|you|they|he|she)|in\s+order\s+to|to\s+(?:make|give|create|simulate|achieve|get|emphasi[sz]e|"
    r"enhance|match|evoke|suggest|convey|show|look)|for\s+an?\s+(?:[^\W\d_]+\s+){0,2}(?:look|feel|effect|vibe|"
    r"atmosphere|mood|touch|finish))\b"
    # "… sans toucher le reste", "… without changing anything else": what stays is no request
    r"|\s(?:sans|without)\s+(?:toucher|changer|modifier|alterer|touching|changing|altering|affecting|modifying)\b"
)
# A detail of the request before it, not a request: "(on a beach), with palm trees".
WITH_DETAIL = rx(r"(?:with|avec|featuring|showing|including|where|ou|dont)\b")

# A clause no rule understands is a request nobody can read ("other") unless it is talk around
# the request: thanks, the story of the photo, what the user will give.
CHATTER = rx(
    r"(?:thanks?|thank\s+you|ty|tia|thx|cheers|merci|hey|hi|hello|gold|reward|ps|update|note|"
    r"i|i'm|im|i've|ive|i'll|i\s+am|my|we|we're|our|us|it's|its|it\s+(?:is|was)|this\s+is|that's|there's|"
    r"there\s+is|he's|she's|they|they're|he|she|whoever|whatever|anything|will\s+send|would\s+love|"
    r"feel\s+free|do\s+whatever|if\s|in\s+advance|for\s+(?:my|me|his|her|our|a|the)\b|"
    r"je|j'ai|c'est|nous|mon|ma|mes|il\s+y\s+a|ca|cela|voici)\b"
)

# Where a request starts inside a sentence of talk ("… who can get rid of the trampoline").
INNER_REQUEST = rx(
    r"\b(?:who\s+can|who\s+could|can|could|to|please|and)\s+(?P<v>remove|get\s+rid|add|replace|erase|delete|"
    r"put|change|swap|turn|make)\b|\b(?P<w>without|sans)\s"
)

# A cut-out asked for alone ("détoure le sujet") leaves the subject on a plain background.
CUTOUT = rx(r"\b(?:detoure[rz]?|cut\s+out|isolate|extract)\b")

# A clause that asks to keep something as it is carries no request of its own.
KEEP = rx(
    r"(?:en\s+(?=\w+ant\b))?(?:keep|keeping|preserve|preserving|maintain|maintaining|retain|retaining|leave|leaving|"
    r"(?:but\s+)?(?:do\s+not|don't|dont|without)\s+(?:change|changing|alter|altering|modify|modifying|touch|touching)|"
    r"make\s+sure|ensure|garde[rz]?|gardant|conserve[rz]?|conservant|preserve[rz]?|"
    r"(?:ne\s+)?(?:change|modifie|touche)[rz]?\s+pas|sans\s+(?:changer|modifier|toucher|perdre|alterer|abimer)|"
    r"laisse[rz]?|assure[rz]?[\s\-]+(?:toi|vous)|veille[rz]?\s+a|"
    r"select|selecting|selectionne[rz]?|detoure[rz]?|detourant|cut\s+out\s+(?:my|me|him|her|them|the\s+subject|the\s+person)|"
    r"(?:cut|crop|extract|isolate)\s+.+?\s+(?:out\s+of|from)\s+(?:the|this|my)\s+(?:photo|picture|image|pic)$|"
    r"extract\s+(?:the|this|my)\s+\w+$)\b"
)


def skip(pattern: re.Pattern[str], c: Clause, lo: int, hi: int) -> int:
    while (m := pattern.match(c.low, lo, hi)) and m.end() > lo:
        lo = c.trim(m.end(), hi)[0]
    return lo


_BLANKED = str.maketrans({ch: " " for ch in "\"“”«»()[]{}*_<>"})
# Asides: tags in square brackets ("[Specific]") and long parentheses ("(if it comes out well
# I will send you $10)") are blanked whole; a short one ("(façon Monet)") is read.
_ASIDE = rx(r"\[[^\]]*\]|\((?:[^()\s]+\s+){3,}[^()]*\)?|&(?:amp|quot|#39|lt|gt);")
_A_AS_A_GRAVE = rx(r"(?<![\w'])a(?=\s+(?:la\s|l'))")
_A_AS_A_GRAVE_FR = rx(r"(?<![\w'])a(?=\s+(?:un|une|cote|droite|gauche)\b)")
_A_BEFORE_WORD = rx(r"(?<![\w'])a(?=\s+([^\W\d_]))")


def _blank_aside(m: re.Match[str]) -> str:
    text = m.group()
    return "&" + " " * (len(text) - 1) if text.startswith("&") else " " * len(text)


def prepare(src: str, language: str) -> tuple[str, str]:
    """The prompt with quotes blanked, and its folded twin (same length)."""
    view = _ASIDE.sub(_blank_aside, src).translate(_BLANKED)
    low = _A_AS_A_GRAVE.sub("à", lx.fold(view))  # "a la Monet", typed without the accent
    if language == "fr":  # "mets le chat a Paris"
        low = _A_AS_A_GRAVE_FR.sub("à", low)
        low = _A_BEFORE_WORD.sub(lambda m: "à" if view[m.start(1)].isupper() else "a", low)
    return view, low

