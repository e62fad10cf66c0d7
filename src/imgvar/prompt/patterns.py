"""Pattern building blocks shared by the rules: lexicon alternations, determiners, names,
prepositions and the word classes that tell content from filler.

Patterns are compiled on first use (`rx`), and the long lexicon alternations are spelled out
only then, so importing the parser builds nothing: a fully cached run never parses.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon as lx


class LazyPattern:
    """A regex compiled on first use, so importing the parser costs almost nothing for runs
    that never parse a prompt (a fully cached run)."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> object:  # reached only for names not cached yet
        if name.startswith("_"):
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = re.compile(expand(self._source))
        value = getattr(self._compiled, name)
        setattr(self, name, value)  # later calls skip __getattr__
        return value


def rx(pattern: str) -> re.Pattern[str]:
    return LazyPattern(pattern)  # type: ignore[return-value]


def _entry(entry: str, plural: bool) -> str:
    tokens = [t for t in re.split(r"[\s\-]+", lx.fold(entry).strip()) if t]
    body = r"[\s\-]*".join(re.escape(t).replace("à", "[aà]") for t in tokens)
    return body + (r"(?:s|es|x)?" if plural else "")


def _alt(*groups: tuple[frozenset[str], bool]) -> str:
    """One alternation over lexicon entries, longest first so "oil painting" beats "oil"."""
    entries: dict[str, bool] = {}
    for words, plural in groups:
        for w in words:
            entries.setdefault(lx.fold(w), plural)
    ordered = sorted(entries, key=len, reverse=True)
    return r"\b(?:" + "|".join(_entry(e, entries[e]) for e in ordered) + r")\b"


def words(*words: str) -> str:
    return "|".join(words)


# The lexicon alternations are long: patterns hold a marker for each, expanded when the
# pattern is first compiled (see LazyPattern), so importing the parser builds none of them.
_LEXICON_GROUPS: dict[str, tuple[tuple[str, bool], ...]] = {
    "ARTIST": (("ARTISTS", False),),
    "MEDIUM": (("MOVEMENTS", True), ("MEDIA", True)),
    "STYLE_TERM": (("ARTISTS", False), ("MOVEMENTS", True), ("MEDIA", True)),
    "PLACE": (("PLACES", True),),
    "ACCESSORY": (("ACCESSORIES", True),),
    "COLOR_WORD": (("COLORS", False),),
}


@lru_cache(maxsize=None)
def _lexicon_alt(name: str) -> str:
    return _alt(*((getattr(lx, words), plural) for words, plural in _LEXICON_GROUPS[name]))


def expand(source: str) -> str:
    for name in _LEXICON_GROUPS:
        marker = f"\x00{name}\x00"
        if marker in source:
            source = source.replace(marker, _lexicon_alt(name))
    return source


ARTIST, MEDIUM, STYLE_TERM, PLACE, ACCESSORY, COLOR_WORD = (
    f"\x00{name}\x00" for name in _LEXICON_GROUPS
)
# Adjectives that shade a colour ("dark red", "bleu clair"); compound names such as
# "sky blue" are whole entries of the colour list.
_COLOR_PRE = words(
    "light", "dark", "darker", "lighter", "bright", "pale", "deep", "vivid", "vibrant", "neon",
    "pastel", "hot", "electric", "metallic", "matte", "dusty", "soft", "rich", "shiny", "glossy",
)
_COLOR_POST = words(
    "clair", "claire", "clairs", "claires", "fonce", "foncee", "fonces", "foncees", "vif", "vive",
    "vifs", "vives", "pale", "pales", "pastel", "fluo", "electrique", "metallise", "metallisee",
    "sombre", "profond", "profonde", "brillant", "brillante", "mat",
)
COLOR = rf"(?:(?:{_COLOR_PRE})[\s\-]+){{0,2}}{COLOR_WORD}(?:[\s\-]+(?:{_COLOR_POST})\b)?"

_DET = words(
    "the", "a", "an", "some", "this", "that", "these", "those", "his", "her", "its", "their",
    "my", "your", "our", "le", "la", "les", "un", "une", "des", "du", r"de\s+la", "ce", "cet",
    "cette", "ces", "son", "sa", "ses", "leur", "leurs", "mon", "ma", "mes", "two", "three",
    "deux", "trois",
)
DET = rf"(?:(?:{_DET})\s+|(?:de\s+)?l'|d')"

# Words that cannot be part of a bare style name ("in X style", "façon X").
STOP = frozenset(
    """the a an some this that these those his her its their my your our le la les l' un une
    des du de d' in on at to into onto with by for of from under over near behind beside and or
    but then also it them him me you we they i is are be was et ou puis sur dans avec sous par
    pour en au aux à chez vers entre make put add give turn change replace set place move show
    paint draw apply use look looks like as please mets ajoute rends fais donne peins comme
    style styled painting tableau peinture more less plus moins very really much slightly
    a bit""".split()
)
_STOP_RX = "|".join(sorted((re.escape(w) for w in STOP), key=len, reverse=True))
WORD = rf"(?!(?:{_STOP_RX})\b)[^\W_]+(?:['\-](?!(?:style|styled|inspired|like|esque)\b)[^\W_]+)*"
NAME = rf"{WORD}(?:\s+{WORD}){{0,2}}"

# Tokens that carry no request by themselves: a residue made only of these is dropped.
NONCONTENT = STOP | frozenset(
    """image photo picture pic scene shot whole thing everything all tout l'image photo cette
    do create generate render redraw reimagine recreate transform convert would could should
    will just please now also so too bit little lot un peu beaucoup bien encore tres
    effect filter version effet filtre aspect air look vibe mode pls merci thanks thank page panel
    passe passer passez switch go input output original entire whole overall type kind sort
    me moi toi lui nous vous eux elle il selfie cliche
    cover frame planche
    transforme convertis applique utilise montre dessine make it's est sont soit""".split()
)

# Tokens that start a verb phrase: such a clause is not a bare noun phrase.
VERBS = frozenset(
    """make put add give turn change replace set place move show paint draw apply use transform
    convert render redraw insert include attach stick swap switch bring take send drop teleport
    transport go travel visit color colour recolor recolour dye tint remove keep let get have
    mets met mettre ajoute ajouter rajoute rends rendre fais faire donne donner peins peindre
    transforme change remplace deplace place transporte emmene amene insere dessine montre
    enleve retire colore colorie garde applique utilise increase decrease reduce boost lower
    raise augmente diminue baisse""".split()
)

# Verbs of requests no rule reads (crop, rotate, fix…): what tells a request from a fragment.
MORE_VERBS = frozenset(
    """zoom rotate tilt fix straighten resize crop flip extend restore repair clean retouch enlarge shrink
    widen stretch smooth sharpen brighten darken lighten increase decrease reduce adjust enhance correct
    touch help let do open close rearrange mirror invert reverse expand fill blend merge replace remove swap
    recadre agrandis agrandir retourne pivote corrige corriger nettoie lisse redresse tourne repare restaure
    retouche elargis retrecis inverse ameliore adoucis supprime efface""".split()
)

PRONOUN_TARGETS = frozenset(
    """it this that them everything everyone all image photo picture pic scene l' le la les lui
    tout -la -le -les""".split()
)

# Prepositions that say where something is; "in"/"dans"/"en" are kept apart because they
# also introduce clothes and materials ("a cat in a tuxedo").
WHERE_PREPS = (
    r"in\s+front\s+of", r"next\s+to", r"on\s+top\s+of", r"in\s+the\s+middle\s+of",
    r"au\s+milieu\s+d(?:e|u|es|')", r"[aà]\s+cote\s+d(?:e|u|es|')", r"pres\s+d(?:e|u|es|')",
    r"au[\s\-]dessus\s+d(?:e|u|es|')", r"autour\s+d(?:e|u|es|')", r"en\s+face\s+d(?:e|u|es|')",
    "onto", "into", "inside", "underneath", "beneath", "under", "near", "beside", "behind",
    "among", "amid", "within", "above", "over", "across", "through", "around", "on", "at", "to",
    "sur", "sous", "devant", "derriere", "parmi", "chez", "vers", "à", "au", "aux",
)
_LOC_PREP = words(*WHERE_PREPS, "in", "dans", "en")
LOC_PREP_RX = rx(rf"\b(?:{_LOC_PREP})(?=\s)")
# Prepositions that say where, not just "in": they stay in the setting ("under the sea").
KEEP_PREP = rx(
    r"(?:in\s+front|next|on\s+top|in\s+the\s+middle|au\s+milieu|[aà]\s+cote|pres|au[\s\-]dessus"
    r"|autour|en\s+face|underneath|beneath|under|near|beside|behind|among|amid|above|over"
    r"|across|through|around|sous|devant|derriere|parmi)\b"
)

BG_EN = r"background|backdrop|bg"
BG_FR = r"fond|arriere[\s\-]?plan|decor"
BG_ANY = words(
    BG_EN, BG_FR, "scenery", "setting", "location", "environment", "surroundings", "season", "view",
    "weather", r"time\s+of\s+day", "saison", "environnement", "cadre", "lieu", "ambiance",
)


PLACE_RX = rx(PLACE)
STYLE_TERM_RX = rx(STYLE_TERM)
MEDIUM_RX = rx(MEDIUM)
ARTIST_RX = rx(ARTIST)
COLOR_RX = rx(COLOR)
ACCESSORY_RX = rx(ACCESSORY)

# Weather says a setting, however it is asked for: "add falling snow", "rends le ciel plus orageux".
WEATHER_RX = rx(
    r"\b(?:snow(?:fall|ing|y|storm)?|rain(?:ing|y|storm|fall)?|fog(?:gy)?|mist(?:y)?|haze|hazy|storm(?:y)?|"
    r"thunderstorm|lightning\s+storm|blizzard|hail(?:storm)?|overcast|neige(?:ux|use|uses)?|pluie|"
    r"pluvieu(?:x|se|ses)|brouillard|brume|orage(?:ux|use|uses)?|tempete|grele|nuageu(?:x|se))\b"
)

# An optional determiner, and the prepositions that may open a style phrase.
STYLE_PRE = r"(?:(?:in|with|en|dans|avec|à|au|de|d'un|d'une)\s+)?"
OPT_DET = rf"(?:{DET})?"
