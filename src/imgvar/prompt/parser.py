"""Offline prompt parser: an English or French modification prompt becomes a `Plan`.

Grammar and keyword based, deterministic, standard library only. Matching runs on a folded
copy of the prompt (lowercase, accents stripped, same length as the original), so every
match position is also a position in the user's text and arguments keep the user's words.

A prompt is split into clauses; in each clause, style phrases and "black and white" are cut
out first (they can sit inside any other clause), then the rest goes through an ordered list
of rules, the first that understands it wins, and whatever none understands becomes `other`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from imgvar.plan import Plan, SubTask

from . import lexicon as lx

class _LazyPattern:
    """A regex compiled on first use, so importing the parser costs almost nothing for runs
    that never parse a prompt (a fully cached run)."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> object:  # reached only for names not cached yet
        if name.startswith("_"):
            raise AttributeError(name)
        if self._compiled is None:
            self._compiled = re.compile(_expand(self._source))
        value = getattr(self._compiled, name)
        setattr(self, name, value)  # later calls skip __getattr__
        return value


def _rx(pattern: str) -> re.Pattern[str]:
    return _LazyPattern(pattern)  # type: ignore[return-value]


# --- pattern building blocks ---------------------------------------------------------------------


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


def _words(*words: str) -> str:
    return "|".join(words)


# The lexicon alternations are long: patterns hold a marker for each, expanded when the
# pattern is first compiled (see _LazyPattern), so importing the parser builds none of them.
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


def _expand(source: str) -> str:
    for name in _LEXICON_GROUPS:
        marker = f"\x00{name}\x00"
        if marker in source:
            source = source.replace(marker, _lexicon_alt(name))
    return source


ARTIST, MEDIUM, STYLE_TERM, PLACE, ACCESSORY, _COLOR_WORD = (
    f"\x00{name}\x00" for name in _LEXICON_GROUPS
)
# Adjectives that shade a colour ("dark red", "bleu clair"); compound names such as
# "sky blue" are whole entries of the colour list.
_COLOR_PRE = _words(
    "light", "dark", "darker", "lighter", "bright", "pale", "deep", "vivid", "vibrant", "neon",
    "pastel", "hot", "electric", "metallic", "matte", "dusty", "soft", "rich", "shiny", "glossy",
)
_COLOR_POST = _words(
    "clair", "claire", "clairs", "claires", "fonce", "foncee", "fonces", "foncees", "vif", "vive",
    "vifs", "vives", "pale", "pales", "pastel", "fluo", "electrique", "metallise", "metallisee",
    "sombre", "profond", "profonde", "brillant", "brillante", "mat",
)
COLOR = rf"(?:(?:{_COLOR_PRE})[\s\-]+){{0,2}}{_COLOR_WORD}(?:[\s\-]+(?:{_COLOR_POST})\b)?"

_DET = _words(
    "the", "a", "an", "some", "this", "that", "these", "those", "his", "her", "its", "their",
    "my", "your", "our", "le", "la", "les", "un", "une", "des", "du", r"de\s+la", "ce", "cet",
    "cette", "ces", "son", "sa", "ses", "leur", "leurs", "mon", "ma", "mes", "two", "three",
    "deux", "trois",
)
DET = rf"(?:(?:{_DET})\s+|(?:de\s+)?l'|d')"

# Words that cannot be part of a bare style name ("in X style", "façon X").
_STOP = frozenset(
    """the a an some this that these those his her its their my your our le la les l' un une
    des du de d' in on at to into onto with by for of from under over near behind beside and or
    but then also it them him me you we they i is are be was et ou puis sur dans avec sous par
    pour en au aux à chez vers entre make put add give turn change replace set place move show
    paint draw apply use look looks like as please mets ajoute rends fais donne peins comme
    style styled painting tableau peinture more less plus moins very really much slightly
    a bit""".split()
)
_STOP_RX = "|".join(sorted((re.escape(w) for w in _STOP), key=len, reverse=True))
_WORD = rf"(?!(?:{_STOP_RX})\b)[^\W_]+(?:['\-](?!(?:style|styled|inspired|like|esque)\b)[^\W_]+)*"
NAME = rf"{_WORD}(?:\s+{_WORD}){{0,2}}"

# Tokens that carry no request by themselves: a residue made only of these is dropped.
_NONCONTENT = _STOP | frozenset(
    """image photo picture pic scene shot whole thing everything all tout l'image photo cette
    do create generate render redraw reimagine recreate transform convert would could should
    can will just please now also so too bit little lot un peu beaucoup bien encore tres
    effect filter version effet filtre aspect air look vibe mode pls merci thanks thank
    transforme convertis applique utilise montre dessine make it's est sont soit""".split()
)

# Tokens that start a verb phrase: such a clause is not a bare noun phrase.
_VERBS = frozenset(
    """make put add give turn change replace set place move show paint draw apply use transform
    convert render redraw insert include attach stick swap switch bring take send drop teleport
    transport go travel visit color colour recolor recolour dye tint remove keep let get have
    mets met mettre ajoute ajouter rajoute rends rendre fais faire donne donner peins peindre
    transforme change remplace deplace place transporte emmene amene insere dessine montre
    enleve retire colore colorie garde applique utilise increase decrease reduce boost lower
    raise augmente diminue baisse""".split()
)

_PRONOUN_TARGETS = frozenset(
    """it this that them everything everyone all image photo picture pic scene l' le la les lui
    tout -la -le -les""".split()
)

# Prepositions that say where something is; "in"/"dans"/"en" are kept apart because they
# also introduce clothes and materials ("a cat in a tuxedo").
_WHERE_PREPS = (
    r"in\s+front\s+of", r"next\s+to", r"on\s+top\s+of", r"in\s+the\s+middle\s+of",
    r"au\s+milieu\s+d(?:e|u|es|')", r"[aà]\s+cote\s+d(?:e|u|es|')", r"pres\s+d(?:e|u|es|')",
    r"au[\s\-]dessus\s+d(?:e|u|es|')", r"autour\s+d(?:e|u|es|')", r"en\s+face\s+d(?:e|u|es|')",
    "onto", "into", "inside", "underneath", "beneath", "under", "near", "beside", "behind",
    "among", "amid", "within", "above", "over", "across", "through", "around", "on", "at", "to",
    "sur", "sous", "devant", "derriere", "parmi", "chez", "vers", "à", "au", "aux",
)
_LOC_PREP = _words(*_WHERE_PREPS, "in", "dans", "en")
_LOC_PREP_RX = _rx(rf"\b(?:{_LOC_PREP})(?=\s)")
# Prepositions that say where, not just "in": they stay in the setting ("under the sea").
_KEEP_PREP = _rx(
    r"(?:in\s+front|next|on\s+top|in\s+the\s+middle|au\s+milieu|[aà]\s+cote|pres|au[\s\-]dessus"
    r"|autour|en\s+face|underneath|beneath|under|near|beside|behind|among|amid|above|over"
    r"|across|through|around|sous|devant|derriere|parmi)\b"
)

_BG_EN = r"background|backdrop|bg"
_BG_FR = r"fond|arriere[\s\-]?plan|decor"
_BG_ANY = _words(
    _BG_EN, _BG_FR, "scenery", "setting", "location", "environment", "surroundings", "season",
    "weather", r"time\s+of\s+day", "saison", "environnement", "cadre", "lieu", "ambiance",
)




# --- the clause being parsed ---------------------------------------------------------------------


@dataclass
class _Hit:
    kind: str
    start: int
    end: int
    args: dict
    joined: list[tuple[int, int]] = field(default_factory=list)  # spans of later hits merged into this one


class _Clause:
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
        return any(t not in _NONCONTENT for t in self.tokens(a, b))

    def starts_with_verb(self, a: int, b: int) -> bool:
        toks = self.tokens(a, b)
        return bool(toks) and toks[0].rstrip("'") in _VERBS

    def has_place(self, a: int, b: int, proper: bool = True) -> bool:
        if _PLACE_RX.search(self.low, a, b):
            return True
        return proper and self.has_proper_noun(a, b)

    def has_proper_noun(self, a: int, b: int) -> bool:
        for m in re.finditer(r"[^\W\d_][\w'\-]*", self.view[a:b]):
            word = m.group()
            if word[0].isupper() and lx.fold(word) not in _NONCONTENT | _VERBS:
                return True
        return False


_PLACE_RX = _rx(PLACE)
_STYLE_TERM_RX = _rx(STYLE_TERM)
_MEDIUM_RX = _rx(MEDIUM)
_ARTIST_RX = _rx(ARTIST)
_COLOR_FULL = _rx(COLOR)
_ACCESSORY_RX = _rx(ACCESSORY)


def _subject(c: _Clause, a: int, b: int) -> str | None:
    """A subject or target phrase, or None when it only points at the whole image."""
    a, b = c.trim(a, b)
    text = c.arg(a, b)
    key = lx.fold(text)
    key = re.sub(r"^(?:the|this|my|l'|la|cette|le)\s*(?=image|photo|picture|pic|scene)", "", key)
    if not text or key in _PRONOUN_TARGETS:
        return None
    if not c.has_content(a, b) and key not in ("him", "her"):
        return None
    return text


# --- embedded phrases: style and grayscale, cut out before anything else -------------------------

_PRE = r"(?:(?:in|with|en|dans|avec|à|au|de|d'un|d'une)\s+)?"
_D = rf"(?:{DET})?"
_GRAY_RX = _rx(
    r"\b(?:(?:in|en|to|into)\s+)?(?:black\s*(?:and|&|n|'n')\s*white|b\s*[&/]\s*w|"
    r"noir\s*(?:et|&)\s*blanc|(?:niveaux|nuances|echelle)\s+de\s+gris|gr[ae]y[\s\-]*scale[ds]?|"
    r"monochrom(?:e|atic|atique)|n\s*[&/]\s*b)\b"
)
_COLORIZE_RX = _rx(
    r"\b(?:(?:in|en)\s+(?:full\s+)?colou?rs?|en\s+couleurs?|colou?ri[sz](?:e|ed|es)|"
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
    (r"(?<![\w']){D}(?P<x>{X})\s+(?:aesthetic|effect|filter|vibe|vibes|feel|finish)\b", "any"),
    (r"\b(?:effet|filtre|esthetique|rendu)\s+(?P<x>{X})", "any"),
]


@lru_cache(maxsize=512)
def _style_rx(template: str, x: str, medium: str, artist: str) -> re.Pattern[str]:
    out = template.replace("{PRE}", _PRE).replace("{D}", _D).replace("{X}", x)
    return _rx(out.replace("{MEDIUM}", medium).replace("{ARTIST}", artist))


def _literal_alt(terms: Iterable[str]) -> str:
    ordered = sorted(set(terms), key=len, reverse=True)
    return r"\b(?:" + "|".join(re.escape(t) for t in ordered) + r")\b" if ordered else ""


def _style_patterns(c: _Clause, lo: int, hi: int) -> Iterator[tuple[re.Pattern[str], str, bool]]:
    """(pattern, template kind, generic) in the order they are tried: known style terms first,
    then any short name. The known pass spells out only the terms this clause holds, which
    compiles far faster than the whole lexicon."""
    terms = [m.group() for m in _STYLE_TERM_RX.finditer(c.low, lo, hi)]
    known = _literal_alt(terms)
    media = _literal_alt(t for t in terms if _MEDIUM_RX.fullmatch(t))
    artists = _literal_alt(t for t in terms if _ARTIST_RX.fullmatch(t))
    for template, kind in _STYLE_TEMPLATES:
        needed = {"{X}": known, "{MEDIUM}": media, "{ARTIST}": artists}
        if all(value for key, value in needed.items() if key in template):
            yield _style_rx(template, known, media, artists), kind, False
    for template, kind in _STYLE_TEMPLATES:
        if kind != "known":
            yield _style_rx(template, NAME, "", ""), kind, True


_STYLE_FILLER_END = _rx(
    r"(?:[\s\-]+(?:style|styled|painting|paintings|tableau|peinture|look|effect|effet|filter|"
    r"filtre|version|drawing|picture|artwork|aesthetic|vibes?))+$"
)
_STYLE_FILLER_START = _rx(
    r"^(?:(?:the|a|an|le|la|les|un|une|des|du|de|d'|l'|au|aux|à|en|in|style|tableau|peinture|"
    r"painting)"
    r"(?:\s+|(?<=')))+"
)


def _clean_style(raw: str) -> str:
    """The style phrase as written, lowercased, without determiners and filler words."""
    s = " ".join(raw.lower().replace("\u2019", "'").split()).strip(" ,;:.!?-\"'")
    s = re.sub(r"'s$", "", s)
    if lx.normalize(s) in lx.MEDIA | lx.MOVEMENTS | lx.ARTISTS:
        return s
    stripped = _STYLE_FILLER_START.sub("", s)
    if lx.normalize(stripped) not in lx.MEDIA | lx.MOVEMENTS | lx.ARTISTS:
        stripped = _STYLE_FILLER_END.sub("", stripped)
    return stripped.strip(" -") or s


def _style_name_ok(c: _Clause, a: int, b: int, kind: str, generic: bool) -> bool:
    name = c.low[a:b]
    if not generic:
        return True
    if _PLACE_RX.search(name) or _COLOR_FULL.fullmatch(name) or _ADJUST_WORD_RX.fullmatch(name):
        return False
    if kind == "a_la":
        return c.view[a].isupper()
    return True


def _extract_embedded(c: _Clause, lo: int, hi: int) -> list[_Hit]:
    hits: list[_Hit] = []
    for rx, direction in ((_GRAY_RX, "increase"), (_COLORIZE_RX, "decrease")):
        for m in rx.finditer(c.low, lo, hi):
            hits.append(_Hit("adjust", m.start(), m.end(),
                             {"adjustment": "grayscale", "direction": direction}))
            c.mask(m.start(), m.end())
    for rx, kind, generic in _style_patterns(c, lo, hi):
        for m in rx.finditer(c.low, lo, hi):
            a, b = c.trim(*m.span("x"))
            if a >= b or not _style_name_ok(c, a, b, kind, generic):
                continue
            style = _clean_style(c.view[a:b])
            if style:
                hits.append(_Hit("style", m.start(), m.end(), {"style": style}))
                c.mask(m.start(), m.end())
    return hits


# --- adjustments ---------------------------------------------------------------------------------

_B, _C, _S, _W, _SH, _BL = "brightness", "contrast", "saturation", "warmth", "sharpness", "blur"

# Comparatives and verbs carry their own direction; "less"/"moins" in front flips it.
_ADJ_FIXED = [
    (r"brighter|brighten(?:ed|s)?|lighten(?:ed|s)?|lighter|eclairci(?:r|s|t|ssez)", _B, 1),
    (r"darker|darken(?:ed|s)?|dimmer|assombri(?:r|s|t|ssez)|obscurci(?:r|s|t|ssez)", _B, -1),
    (r"warmer|warm\s+(?:it\s+)?up|rechauffe[rz]?|warm(?:er)?\s+(?:tones?|colou?rs?|tint)|"
     r"(?:tons|teintes|couleurs)\s+chaud(?:s|es)", _W, 1),
    (r"cooler|colder|cool\s+(?:it\s+)?down|refroidi(?:r|s|t|ssez)|"
     r"(?:cool|cold)(?:er)?\s+(?:tones?|colou?rs?|tint)|(?:tons|teintes|couleurs)\s+froid(?:s|es)",
     _W, -1),
    (r"sharper|sharpen(?:ed|s)?|crisper", _SH, 1),
    (r"blurr(?:y|ier|ed)|blurs?|soften(?:ed|s)?|softer|out\s+of\s+focus|flout(?:e|er|ez)|"
     r"flou(?:e|es|s)?|adouci(?:r|s|t|ssez)", _BL, 1),
    (r"unblur|deblur|deflout(?:e|er|ez)", _BL, -1),
    (r"saturate[sd]?|(?:make\s+)?(?:the\s+)?colou?rs\s+pop|pop\s+(?:the\s+)?colou?rs", _S, 1),
    (r"desaturate[sd]?|desatur(?:e|ee|ees|es|er|ez)|washed\s+out|muted", _S, -1),
]
# Plain adjectives count only after "more"/"less"/"plus"/"moins", or alone in their clause.
_ADJ_BASE = [
    (r"bright|luminous|lumineu(?:x|se|ses)|clair(?:e|es|s)?", _B, 1),
    (r"dark|dim|sombres?|fonce(?:e|es|s)?", _B, -1),
    (r"saturated|vivid|vibrant|colou?rful|punchy|satur(?:e|ee|ees|es)|vif|vive|vifs|vives|"
     r"eclatant(?:e|es|s)?|colore(?:e|es|s)?", _S, 1),
    (r"dull|ternes?", _S, -1),
    (r"contrast(?:ed|y)|contraste(?:e|es|s)?", _C, 1),
    (r"warm|chaud(?:e|es|s)?", _W, 1),
    (r"cool|cold|froid(?:e|es|s)?", _W, -1),
    (r"sharp|crisp|detailed|net|nette|nets|nettes|precis(?:e|es)?", _SH, 1),
    (r"soft|doux|douce", _BL, 1),
]
# Nouns need a direction word in front ("more contrast", "réduis le flou").
_ADJ_NOUN = [
    (r"brightness|luminosity|exposure|light|luminosite|exposition|lumiere|clarte", _B),
    (r"contrast|contraste", _C),
    (r"saturation|vibrance|vibrancy|colou?rs|colou?rfulness|couleurs", _S),
    (r"warmth|chaleur", _W),
    (r"sharpness|details?|clarity|definition|nettete|precision", _SH),
    (r"blur|bokeh|softness|flou", _BL),
]
_UP = _words(
    r"more(?:\s+of)?", r"increase[ds]?", "increasing", r"boost(?:ed|s)?", r"raise[ds]?",
    "higher", "high", r"add(?:s|ed)?", r"enhance[ds]?", r"improve[ds]?", "stronger", "strong",
    r"max(?:imum|imize)?", r"plus\s+de", r"plus\s+d'", r"davantage\s+de", r"augmente[rz]?",
    r"accentue[rz]?", r"renforce[rz]?", r"rehausse[rz]?", r"a?joute[rz]?", r"rajoute[rz]?",
    r"monte[rz]?", r"with\s+more", r"avec\s+plus\s+de",
)
_DOWN = _words(
    "less", "fewer", r"decrease[ds]?", r"reduce[ds]?", "lower", "low", r"remove[ds]?", "minus",
    "weaker", r"tone\s+down", r"moins\s+de", r"moins\s+d'", r"diminue[rz]?",
    r"redui(?:s|re|sez|t)", r"baisse[rz]?", r"attenue[rz]?", r"enleve[rz]?", r"retire[rz]?",
    r"supprime[rz]?", r"with\s+less", r"avec\s+moins\s+de", "no",
)
_NOUN_FILL = _words(
    "the", "some", r"a\s+bit\s+(?:of|more)", r"a\s+little(?:\s+more)?", r"a\s+lot\s+(?:of|more)",
    "more", "du", r"de\s+la", "la", "le", r"un\s+peu\s+(?:de|plus\s+de)", r"plus\s+de",
    r"beaucoup\s+de", "des", "its", r"the\s+image's", "image", "photo",
)
_MOD = (
    r"(?:(?:a\s+(?:bit|little|lot)|slightly|much|way|even|far|un\s+peu|beaucoup|bien|encore|"
    r"legerement|nettement)\s+)?(?:more|less|plus|moins)|very|really|super|extra|tres|vraiment|"
    r"not\s+so|not\s+as|pas\s+si"
)
_ADJUST_RULES: list[tuple[re.Pattern[str], str, int, str]] = (
    [(_rx(rf"\b(?:(?P<mod>{_MOD})\s+)?(?:{w})\b"), a, d, "fixed") for w, a, d in _ADJ_FIXED]
    + [(_rx(rf"\b(?:(?P<mod>{_MOD})\s+)?(?:{w})\b"), a, d, "base") for w, a, d in _ADJ_BASE]
    + [(_rx(rf"\b(?:(?P<up>{_UP})|(?P<down>{_DOWN}))\s+(?:(?:{_NOUN_FILL})\s+|l'|d')*(?:{w})\b"),
        a, 1, "noun") for w, a in _ADJ_NOUN]
    + [(_rx(rf"\b(?:{w})\b"), a, 1, "bare_noun") for w, a in _ADJ_NOUN]
)
_ADJUST_WORD_RX = _rx(r"\b(?:" + "|".join(w for w, *_ in _ADJ_FIXED + _ADJ_BASE) + r")\b")


def _adjustments(c: _Clause, lo: int, hi: int, prev: list[_Hit]) -> list[_Hit]:
    """Every adjustment named in [lo, hi), leftmost and longest first, no overlaps."""
    found: list[tuple[int, int, str, int]] = []
    for rx, adjustment, direction, cls in _ADJUST_RULES:
        for m in rx.finditer(c.low, lo, hi):
            mod = m.groupdict().get("mod") or ""
            rest = c.low[lo:m.start()] + " " + c.low[m.end():hi]
            alone = not any(t not in _NONCONTENT for t in re.findall(r"[^\W\d_]+'?", rest))
            flips = bool(re.search(r"\b(?:less|moins|not|pas)\b", mod))
            if cls == "base" and not mod and not alone:
                continue
            if cls == "bare_noun":
                if not alone:
                    continue
                direction = _inherited_direction(prev)
            if cls == "noun" and m.group("down"):
                direction = -1
            if flips:
                direction = -direction
            found.append((m.start(), m.end(), adjustment, direction))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    hits: list[_Hit] = []
    end = -1
    for a, b, adjustment, direction in found:
        if a >= end:
            word = "increase" if direction > 0 else "decrease"
            hits.append(_Hit("adjust", a, b, {"adjustment": adjustment, "direction": word}))
            end = b
    return hits


def _inherited_direction(prev: list[_Hit]) -> int:
    """A bare "saturation" after "more contrast" means more saturation too."""
    for hit in reversed(prev):
        if hit.kind == "adjust":
            return 1 if hit.args["direction"] == "increase" else -1
    return 1


# --- rules on the residue of a clause ------------------------------------------------------------


@dataclass
class _Ctx:
    c: _Clause
    full_lo: int  # residue start, verbs included ("make the car red")
    lo: int  # residue start after leading filler ("make it", "transform this photo into")
    hi: int
    prev: list[_Hit]

    def hit(self, kind: str, args: dict, a: int | None = None, b: int | None = None) -> _Hit:
        return _Hit(kind, self.full_lo if a is None else a, self.hi if b is None else b, args)


Rule = Callable[[_Ctx], "list[_Hit] | None"]

_RC_VERB = _words(
    "make", "turn", "paint", "repaint", r"colou?r", r"recolou?r", "dye", "tint", "change",
    "switch", "rends", "rend", "rendre", "rendez", "peins", "peint", "peindre", "peignez",
    "repeins", "repeindre", r"colore[rz]?", r"colorie[rz]?", "teins", "teint", "teindre",
    "teignez", "mets", "mettre", "mettez", r"passe[rz]?",
)
_COLOR_TAIL = r"(?:\s+(?:colou?r|couleur|tones?|shade|paint|peinture|teinte))?"
_COLOR_END = _rx(
    rf"(?:(?:to|into|in|en|a|an|un|une|with|par|pour|all|tout|everything|more|plus)\s+)?"
    rf"(?P<color>{COLOR}){_COLOR_TAIL}"
)
_RECOLOR_VERB = _rx(rf"(?:{_RC_VERB})(?:-(?:la|le|les|moi))?\b\s*")
_RECOLOR_OF = _rx(
    rf"(?:change|set|switch|modify|alter|make|turn|modifie[rz]?|change[rz]?|mets|passe[rz]?)\s+"
    rf"(?:the\s+|la\s+|its\s+|sa\s+)?(?:colou?rs?|couleurs?)\s+(?:of|de|du|des|d')\s*"
    rf"(?P<target>.+?)\s+(?:to|into|in|en|pour|par|à|a)\s+(?P<color>{COLOR})"
)
_RECOLOR_POSSESSIVE = _rx(
    rf"(?:change|set|switch|make|turn|modify)\s+(?P<target>.+?)(?:'s|')\s+colou?rs?\s+"
    rf"(?:to|into|in)\s+(?P<color>{COLOR})"
)
_RECOLOR_STATE = _rx(
    rf"(?P<target>{DET}.+?)\s+(?:in|en|should\s+be|must\s+be|is|are|becomes|devient|doit\s+etre|"
    rf"colou?red|painted|peinte?s?|->)\s+(?P<color>{COLOR})"
)
_DET_ONLY = frozenset(
    "the a an some le la les un une des du de l' d' his her its their my your our son sa ses "
    "mon ma mes ce cette ces".split()
)
_TARGET_TAIL = _rx(r"(?:'s)?\s+(?:colou?rs?|couleurs?|look|looks|appear|seem|become)$")


def _color_split(c: _Clause, a: int, hi: int) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """Split "the sky blue" into target and colour: the longest colour phrase that still
    leaves a real target ("sky blue" is a colour, but "the" alone is no target)."""
    for w in re.finditer(r"(?<![\w'\-])[^\W_]", c.low[a:hi]):
        p = a + w.start()
        m = _COLOR_END.fullmatch(c.low, p, hi)
        if not m:
            continue
        ta, tb = c.trim(a, p)
        if ta < tb and all(t in _DET_ONLY for t in c.tokens(ta, tb)):
            continue
        tail = _TARGET_TAIL.search(c.low, ta, tb)  # "the car color", "the car look"
        return (ta, tail.start() if tail else tb), m.span("color")
    return None


def _recolor_hit(ctx: _Ctx, target: tuple[int, int] | None, color: tuple[int, int]) -> list[_Hit]:
    c = ctx.c
    subject = _subject(c, *target) if target and target[0] < target[1] else None
    name = " ".join(c.view[color[0]:color[1]].lower().split())
    return [ctx.hit("recolor", {"target": subject, "color": name})]


def _rule_recolor_verb(ctx: _Ctx) -> list[_Hit] | None:
    """make the car red / change the color of the shirt to green / peins le mur en bleu."""
    c, lo, hi = ctx.c, ctx.full_lo, ctx.hi
    for rx in (_RECOLOR_OF, _RECOLOR_POSSESSIVE):
        m = rx.fullmatch(c.low, lo, hi)
        if m:
            return _recolor_hit(ctx, m.span("target"), m.span("color"))
    m = _RECOLOR_VERB.match(c.low, lo, hi)
    split = _color_split(c, m.end(), hi) if m else None
    return _recolor_hit(ctx, *split) if split else None


def _rule_recolor_bare(ctx: _Ctx) -> list[_Hit] | None:
    """red / en rouge / the car should be red / (make the car red and) the sky blue."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    m = _COLOR_END.fullmatch(c.low, lo, hi)
    if m:
        return _recolor_hit(ctx, None, m.span("color"))
    m = _RECOLOR_STATE.fullmatch(c.low, lo, hi)
    if m:
        return _recolor_hit(ctx, m.span("target"), m.span("color"))
    if ctx.prev and ctx.prev[-1].kind == "recolor" and re.match(DET, c.low[lo:hi]):
        split = _color_split(c, lo, hi)
        if split and split[0][0] < split[0][1]:
            return _recolor_hit(ctx, *split)
    return None


_BG_VERB = _rx(
    rf"(?:change|replace|swap|switch|set|make|turn|update|modify|use|remplace[rz]?|change[rz]?|"
    rf"modifie[rz]?|mets|mettre|met|transforme[rz]?)\s+(?P<bg>{_D}(?:{_BG_ANY}))\b"
    rf"(?:\s+(?:image|scene|scenery))?\s*(?:(?:to|with|into|for|by|as|par|en|pour|avec|à|au|"
    rf"de|d'|du|des)\s+|:\s*|d')?(?P<x>.+)"
)
_BG_NOUN = _rx(
    rf"(?:(?P<subj>.+?)\s+)?(?:(?:with|on|against|in\s+front\s+of|over|avec|sur|devant)\s+)?"
    rf"{_D}(?P<x>{_WORD}(?:\s+{_WORD}){{0,3}})\s+(?P<bg>{_BG_EN})"
)
_BG_FR_RX = _rx(
    rf"(?:(?P<subj>.+?)\s+)?(?:(?:sur|avec|devant)\s+)?(?:un\s+|le\s+|l')?(?P<bg>{_BG_FR})\s+"
    rf"(?:de\s+|d'|du\s+|des\s+)?(?P<x>.+)"
)
_BG_BEHIND = _rx(
    rf"(?:(?:with|avec)\s+)?(?P<x>.+?)\s+(?P<bg>in\s+the\s+(?:background|distance)|"
    rf"en\s+(?:arriere[\s\-]?plan|fond)|au\s+fond)"
)
_BG_STATE = _rx(
    rf"(?P<bg>{_D}(?:{_BG_ANY}))\b\s*(?:should\s+be|must\s+be|is|becomes|:|=|doit\s+etre|devient|"
    rf"est)\s*(?P<x>.+)"
)


def _rule_background(ctx: _Ctx) -> list[_Hit] | None:
    c = ctx.c
    for rx, lo in ((_BG_VERB, ctx.full_lo), (_BG_STATE, ctx.lo), (_BG_NOUN, ctx.lo),
                   (_BG_FR_RX, ctx.lo), (_BG_BEHIND, ctx.lo)):
        m = rx.fullmatch(c.low, lo, ctx.hi)
        if not m or rx is _BG_BEHIND and c.starts_with_verb(lo, ctx.hi):
            continue  # "add a tree in the background" is an addition
        xa, xb = c.trim(*m.span("x"))
        x = c.low[xa:xb]
        if _ADJUST_WORD_RX.fullmatch(x) or xa >= xb:
            return None  # "blurry background" is an adjustment
        subject = None
        if m.groupdict().get("subj"):
            sa, sb = m.span("subj")
            if c.starts_with_verb(sa, sb):  # "put THE CAT on a white background"
                verb = re.match(r"\S+\s*", c.low[sa:sb])
                sa = c.trim(sa + (verb.end() if verb else 0), sb)[0]
            if sa < sb and not c.starts_with_verb(sa, sb) and c.has_content(sa, sb):
                subject = _subject(c, sa, sb)
        if _COLOR_FULL.fullmatch(x):  # a plain backdrop: `_background_only` makes it a setting
            bg = c.arg(*m.span("bg"))
            return [ctx.hit("recolor", {"target": bg, "color": " ".join(x.split()), "subject": subject})]
        return [ctx.hit("recontext", {"subject": subject, "setting": c.arg(xa, xb), "preposition": None})]
    return None


def _preps(c: _Clause, a: int, b: int) -> list[re.Match[str]]:
    return list(_LOC_PREP_RX.finditer(c.low, a, b))


def _pick_place(c: _Clause, preps: list[re.Match[str]], hi: int) -> re.Match[str] | None:
    """The first preposition whose own noun phrase names a place ("the cat in the hat ON A
    BEACH")."""
    for i, p in enumerate(preps):
        np_end = preps[i + 1].start() if i + 1 < len(preps) else hi
        if c.has_place(p.end(), np_end):
            return p
    return None


_WEAR_ACCESSORY = _rx(rf"\s(?:wearing|with|avec|portant)\s+(?=.*{ACCESSORY})")


def _recontext_from(
    ctx: _Ctx, subj_a: int, prep: re.Match[str], subj_b: int | None = None
) -> list[_Hit]:
    """A recontext task: subject before `prep`, setting after it (or from it, for "under")."""
    c, hi = ctx.c, ctx.hi
    kept = bool(_KEEP_PREP.match(c.low, prep.start()))
    set_a = prep.start() if kept else prep.end()
    set_a, set_b = c.trim(set_a, hi)
    hits: list[_Hit] = []
    wear = _WEAR_ACCESSORY.search(c.low, set_a, set_b)
    subject = _subject(c, subj_a, prep.start() if subj_b is None else subj_b)
    if wear:  # "on a beach wearing sunglasses": the clothes are an addition
        w_a = wear.start() + 1
        obj_a = wear.end()
        hits.append(ctx.hit("add_object", {"object": c.arg(obj_a, set_b), "where": subject},
                            w_a, set_b))
        set_b = c.trim(set_a, w_a)[1]
    setting = c.arg(set_a, set_b)
    args = {"subject": subject, "setting": setting, "preposition": None if kept else _preposition(prep)}
    return [ctx.hit("recontext", args, b=set_b)] + hits


# How the output prompt says where the subject went: the prompt's own word, in its plain
# form ("onto" -> "on"); "to" and "vers" say where it went, not where it is, so they are dropped.
_PREP_FORMS = {"onto": "on", "into": "in", "inside": "in", "within": "in", "a": "à"}


def _preposition(prep: re.Match[str]) -> str | None:
    word = " ".join(prep.group().split())
    if word in ("to", "vers"):
        return None
    return _PREP_FORMS.get(word, word)


_RX_VERB = _rx(
    r"(?P<verb>put|place|move|set|show|transport|teleport|bring|take|send|drop|position|"
    r"relocate|depict|imagine|go|travel|fly|mets|met|mettre|mettez|place[rz]?|deplace[rz]?|"
    r"transporte[rz]?|teleporte[rz]?|emmene[rz]?|amene[rz]?|envoie|envoyer|envoyez|montre[rz]?|"
    r"pose[rz]?|imagine[rz]?)(?:-(?:le|la|les|lui|moi))?\b"
)
_PUT_VERBS = _rx(r"put|place|mets|met|mettre|mettez|placer?|placez|pose[rz]?|drop|stick")


_MAKE_LOOK = _rx(
    r"(?:make|let)\s+(?P<subj>.+?)\s+look\s+(?:like\s+|as\s+if\s+|as\s+though\s+)?"
    r"(?:(?:it|he|she|they)(?:'s|'re|\s+is|\s+are|\s+was|\s+were)\s+)?"
)


def _rule_recontext_verb(ctx: _Ctx) -> list[_Hit] | None:
    """put the dog on a beach / mets le chat sur une plage / make the cat look like it's on
    the moon."""
    c, hi = ctx.c, ctx.hi
    look = _MAKE_LOOK.match(c.low, ctx.full_lo, hi)
    if look:
        place = _pick_place(c, _preps(c, look.end(), hi), hi)
        return _recontext_from(ctx, look.start("subj"), place, look.end("subj")) if place else None
    m = _RX_VERB.match(c.low, ctx.full_lo, hi)
    if not m:
        return None
    preps = _preps(c, m.end(), hi)
    place = _pick_place(c, preps, hi)
    if place:
        return _recontext_from(ctx, m.end(), place)
    if preps and _PUT_VERBS.fullmatch(m.group("verb")):  # "put a hat on the dog"
        obj = _subject(c, m.end(), preps[0].start())
        if obj:
            where = c.arg(preps[0].start(), hi)
            return [ctx.hit("add_object", {"object": obj, "where": where})]
    return None


def _rule_adjust(ctx: _Ctx) -> list[_Hit] | None:
    hits = _adjustments(ctx.c, ctx.lo, ctx.hi, ctx.prev)
    if len(hits) == 1:  # "make the sky darker" came from the whole clause
        hits[0].start, hits[0].end = ctx.full_lo, ctx.hi
    return hits or None


_ADD_VERB = _rx(
    r"(?:add|insert|include|draw|attach|stick|paste|a?joute[rz]?|rajoute[rz]?|insere[rz]?|"
    r"inclu(?:s|t|re|ez)|dessine[rz]?)\s+"
)
# "add a bird in the sky" places it, "add a cat in a basket" describes it: "in" only counts
# before a definite or possessive determiner.
_WHERE_RX = _rx(
    rf"\b(?:(?:in|dans|en)(?=\s+(?:the|his|her|its|their|le|la|les|l'|sa|son|ses)\b)|"
    rf"{_words(*_WHERE_PREPS)})(?=\s)"
)


def _added(ctx: _Ctx, a: int) -> list[_Hit] | None:
    """An add_object task for "a red hat on the dog" starting at `a`: object, then where."""
    c, hi = ctx.c, ctx.hi
    where = None
    obj_b = hi
    for w in _WHERE_RX.finditer(c.low, a, hi):
        if c.has_content(a, w.start()):
            where, obj_b = c.arg(w.start(), hi), w.start()
            break
    obj = c.arg(a, obj_b)
    if not obj or not c.has_content(a, obj_b):
        return None
    return [ctx.hit("add_object", {"object": obj, "where": where})]


def _rule_add_verb(ctx: _Ctx) -> list[_Hit] | None:
    """add a red hat on the dog / ajoute un chapeau au chien."""
    m = _ADD_VERB.match(ctx.c.low, ctx.full_lo, ctx.hi)
    return _added(ctx, m.end()) if m else None


_GIVE = _rx(r"(?:give|donne[rz]?)(?P<pron>-(?:lui|leur|moi))?\s+")
_OBJ_PRONOUN = _rx(r"(?:it|him|her|them|me|lui|leur)\b")
_SECOND_NP = _rx(
    r"\s(?:a|an|some|the|his|her|its|their|two|three|un|une|des|du|de\s+la|le|la|les)\s"
)
_TO_RX = _rx(r"\s(?:to|à|au|aux)\s")
_ADJECTIVE = _rx(
    rf"(?:{_COLOR_WORD}|big|small|little|large|tiny|old|young|cute|fat|fluffy|black|white|"
    r"brown|grey|gray|happy|sad|angry|baby)\b"
)


def _rule_give(ctx: _Ctx) -> list[_Hit] | None:
    """give the cat sunglasses / give sunglasses to the cat / donne au chat des lunettes."""
    c, hi = ctx.c, ctx.hi
    m = _GIVE.match(c.low, ctx.full_lo, hi)
    if not m:
        return None
    a = m.end()
    if m.group("pron"):
        return _give_hit(ctx, None, a, hi)
    to = _TO_RX.search(c.low, a, hi)
    if to and to.start() > a:  # give X to Y (receiver "Y") / donne X au Y (receiver "au Y")
        where_a = to.end() if c.low.startswith("to", to.start() + 1) else to.start() + 1
        return _give_hit(ctx, c.arg(where_a, hi), a, to.start())
    if c.low.startswith(("au ", "aux ", "à "), a):  # donne au chat des lunettes
        second = _SECOND_NP.search(c.low, a + 2, hi)
        if second:
            return _give_hit(ctx, c.arg(a, second.start()), second.start(), hi)
    pron = _OBJ_PRONOUN.match(c.low, a)
    if pron:
        where = _subject(c, a, pron.end())
        return _give_hit(ctx, where, pron.end(), hi)
    first = re.match(rf"{DET}", c.low[a:hi])
    if not first:
        return None
    second = _SECOND_NP.search(c.low, a + first.end() - 1, hi)
    if second:
        return _give_hit(ctx, c.arg(a, second.start()), second.start(), hi)
    # "give the (big) cat sunglasses": the first noun after any adjectives ends the receiver
    pos = a + first.end()
    while (adj := _ADJECTIVE.match(c.low, pos, hi)) and c.low[adj.end():hi].strip():
        pos = adj.end() + 1
    noun = re.match(r"[^\W\d_][\w'\-]*", c.low[pos:hi])
    if not noun or pos + noun.end() >= hi:
        return None
    end = pos + noun.end()
    return _give_hit(ctx, c.arg(a, end), end, hi)


def _give_hit(ctx: _Ctx, where: str | None, a: int, b: int) -> list[_Hit] | None:
    obj = ctx.c.arg(a, b)
    if not obj or not ctx.c.has_content(a, b):
        return None
    return [ctx.hit("add_object", {"object": obj, "where": where})]


def _rule_prep_phrase(ctx: _Ctx) -> list[_Hit] | None:
    """on a beach / in Paris at night / à la plage / a cat in the snow."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if c.starts_with_verb(lo, hi):
        return None
    preps = _preps(c, lo, hi)
    if not preps:
        return None
    place = _pick_place(c, preps, hi)
    if place is None and preps[0].start() == lo:
        first = preps[0]
        rest_a, _ = c.trim(first.end(), hi)
        if _ACCESSORY_RX.search(c.low, rest_a, hi):
            return None  # "in a tuxedo" is clothing: _rule_wearing
        if re.match(rf"{DET}", c.low[rest_a:hi]) and re.fullmatch(
            r"on|onto|at|in|into|sur|dans|à|au|aux", first.group()
        ):
            place = first
    if place is None:
        return None
    if place.start() > lo and (not c.has_content(lo, place.start())
                               or c.has_place(lo, place.start(), proper=False)):
        return None  # "a beach at sunset" is all setting, no subject
    return _recontext_from(ctx, lo, place)


_WEAR_RX = _rx(
    r"(?:(?P<subj>.+?)\s+)?(?P<w>wearing|with|avec|portant|qui\s+portent?|dressed\s+(?:in|as)|"
    r"habille(?:e|s|es)?\s+(?:en|d'un|d'une|de)|vetu(?:e|s|es)?\s+d(?:e|'un|'une|')|holding|"
    r"tenant|in|en)\s+(?P<obj>.+)"
)


_MAKE_WEAR = _rx(
    r"(?:(?:make|let|have)\s+(?P<subj>.+?)\s+(?:wear|hold|carry|put\s+on)|"
    r"(?:surround|entoure[rz]?)\s+(?P<subj2>.+?)\s+(?:with|de|d'|avec))\s+(?P<obj>.+)"
)


def _rule_wearing(ctx: _Ctx) -> list[_Hit] | None:
    """with a crown / a cat wearing sunglasses / le chien avec un chapeau / in a tuxedo /
    make the dog wear a hat."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    m = _MAKE_WEAR.fullmatch(c.low, ctx.full_lo, hi)
    if m:
        subj = m.span("subj") if m.group("subj") else m.span("subj2")
        return [ctx.hit("add_object", {"object": c.arg(*m.span("obj")),
                                       "where": _subject(c, *subj)})]
    m = _WEAR_RX.fullmatch(c.low, lo, hi)
    if not m:
        return None
    oa, ob = m.span("obj")
    if m.group("w") in ("in", "en") and not _ACCESSORY_RX.search(c.low, oa, ob):
        return None
    where = None
    if m.group("subj"):
        sa, sb = m.span("subj")
        if c.starts_with_verb(sa, sb) or c.has_place(sa, sb, proper=False):
            return None
        where = _subject(c, sa, sb)
    if not c.has_content(oa, ob):
        return None
    return [ctx.hit("add_object", {"object": c.arg(oa, ob), "where": where})]


_OF_RX = _rx(r"\s(?:of|de|du|des|d')\s")


def _rule_style_phrase(ctx: _Ctx) -> list[_Hit] | None:
    """watercolor / a pencil sketch / Van Gogh / estampe japonaise."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if c.starts_with_verb(lo, hi):
        return None
    style = _STYLE_TERM_RX.search(c.low, lo, hi)
    if not style:
        return None
    place = _PLACE_RX.search(c.low, lo, hi)
    if place and place.start() < style.start():
        return None
    end = hi
    of = _OF_RX.search(c.low, style.end(), hi)
    if of:  # "pencil sketch of the dog": the style ends where its subject starts
        end = of.start()
    return [ctx.hit("style", {"style": _clean_style(c.view[lo:end])})]


def _rule_place_only(ctx: _Ctx) -> list[_Hit] | None:
    """a beach at sunset / winter / Paris at night (with a place word)."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if c.starts_with_verb(lo, hi) or not c.has_place(lo, hi, proper=False):
        return None
    return [ctx.hit("recontext", {"subject": None, "setting": c.arg(lo, hi), "preposition": None})]


def _rule_add_continued(ctx: _Ctx) -> list[_Hit] | None:
    """"add a cat and a dog": the bare noun phrase after "and" is added too."""
    c, lo, hi = ctx.c, ctx.lo, ctx.hi
    if not ctx.prev or ctx.prev[-1].kind != "add_object" or c.starts_with_verb(lo, hi):
        return None
    return _added(ctx, lo)


_RULES: list[Rule] = [
    _rule_recolor_verb,
    _rule_background,
    _rule_recontext_verb,
    _rule_adjust,
    _rule_add_verb,
    _rule_give,
    _rule_recolor_bare,
    _rule_prep_phrase,
    _rule_wearing,
    _rule_style_phrase,
    _rule_place_only,
    _rule_add_continued,
]

# --- clause-level filler -------------------------------------------------------------------------

_POLITE = _rx(
    r"(?:please|pls|plz|kindly|just|now|simply|also|then|and|et|puis|ensuite|aussi|hey|ok|okay|"
    r"can\s+you|could\s+you|would\s+you|will\s+you|can\s+u|i\s+want\s+you\s+to|i\s+want\s+to|"
    r"i\s+want|i'd\s+like\s+you\s+to|i'd\s+like\s+to|i'd\s+like|i\s+would\s+like\s+(?:you\s+)?to|"
    r"i\s+would\s+like|let's|lets|try\s+to|go\s+ahead\s+and|s'il\s+te\s+plait|s'il\s+vous\s+plait|"
    r"stp|svp|peux[\s\-]+tu|pourrais[\s\-]+tu|pouvez[\s\-]+vous|pourriez[\s\-]+vous|tu\s+peux|"
    r"vous\s+pouvez|je\s+veux|je\s+voudrais|j'aimerais|j'aimerai|merci\s+de|essaie\s+de|"
    r"essayez\s+de)\b[\s:]*"
)
_POLITE_END = _rx(
    r"[\s,]*\b(?:please|pls|thanks|thank\s+you|merci|s'il\s+te\s+plait|s'il\s+vous\s+plait|stp|"
    r"svp|for\s+me|pour\s+moi)$"
)
_IMAGE = (
    r"(?:it|this|them|everything|"
    r"(?:the|this|my|that)\s+(?:image|photo|picture|pic|scene|shot|whole\s+thing))"
)
_FILLER = _rx(
    rf"(?:(?:make|let)\s+{_IMAGE}\s+look(?:\s+like)?|make\s+{_IMAGE}(?=\s)|"
    rf"(?:transform|turn|convert|change|render|redraw|reimagine|recreate|remake|restyle)"
    rf"(?:\s+{_IMAGE})?\s+(?:into|in|to|as)|transform|convert|"
    rf"(?:transforme[rz]?|converti[rsz]?|change[rz]?|fais|redessine[rz]?|repein[st])"
    rf"(?:[\s\-]+(?:la|le|les|l'image|la\s+photo|cette\s+photo|cette\s+image|le\s+tout|tout))?"
    rf"\s+en|transforme[rz]?|rends(?:-la|-le|-les)|rend(?:s|ez)?\s+(?:l'image|la\s+photo|"
    rf"cette\s+image|cette\s+photo|le\s+tout)|fais(?:-en|-la|-le))\b\s*"
)
_RENDER_VERB = _rx(
    r"(?:turn|transform|convert|render|redraw|reimagine|paint|draw|make|show|depict|"
    r"transforme[rz]?|converti[rsz]?|dessine[rz]?|peins|redessine[rz]?|fais|rends|montre[rz]?)\b"
)


def _skip(rx: re.Pattern[str], c: _Clause, lo: int, hi: int) -> int:
    while (m := rx.match(c.low, lo, hi)) and m.end() > lo:
        lo = c.trim(m.end(), hi)[0]
    return lo


def _parse_clause(c: _Clause, prev: list[_Hit]) -> list[_Hit]:
    """The tasks of one clause, in order of appearance; `prev` holds the clauses before."""
    lo, hi = c.trim(c.start, c.end)
    lo = _skip(_POLITE, c, lo, hi)
    while (m := _POLITE_END.search(c.low, lo, hi)) and m.start() >= lo:
        hi = c.trim(lo, m.start())[1]
    if lo >= hi:
        return []
    clause = (lo, hi)
    hits = _extract_embedded(c, lo, hi)
    lo, hi = c.trim(lo, hi)
    flo = _skip(_FILLER, c, lo, hi) if lo < hi else hi
    if flo >= hi or not c.has_content(flo, hi):
        return _whole_clause(hits, clause)
    ctx = _Ctx(c, lo, flo, hi, prev + hits)
    found = next((f for rule in _RULES if (f := rule(ctx))), None)
    if found is None:
        if hits and not _preps(c, lo, hi) and (
            _RENDER_VERB.match(c.low, lo, hi) or re.match(DET, c.low[lo:hi])
        ):
            # "turn the dog into a watercolor", "le chat en noir et blanc": the rest only
            # names what the extracted request applies to
            return _whole_clause(hits, clause)
        found = [_Hit("other", lo, hi, {})]
    return sorted(hits + found, key=lambda h: h.start)


def _whole_clause(hits: list[_Hit], clause: tuple[int, int]) -> list[_Hit]:
    """A lone extracted request owns its whole clause ("make it look like a pencil sketch")."""
    if len(hits) == 1:
        hits[0].start, hits[0].end = clause
    return hits


# --- splitting -----------------------------------------------------------------------------------

_PROTECTED = _rx(
    r"\b(?:black\s*(?:and|&|n|'n')\s*white|noir\s*(?:et|&)\s*blanc|blanc\s+et\s+noir|"
    r"b\s*&\s*w|n\s*&\s*b|salt\s+and\s+pepper|sel\s+et\s+poivre|rock\s*(?:and|&|'n'|n)\s*roll|"
    r"pen\s*(?:and|&)\s*ink|ink\s+and\s+wash|arts\s+and\s+crafts|tom\s+and\s+jerry|"
    r"rick\s+and\s+morty|calvin\s+and\s+hobbes|r\s*&\s*b|day\s+and\s+night|jour\s+et\s+nuit|"
    r"dungeons\s+(?:and|&)\s+dragons)\b"
)
_SEPARATOR = _rx(
    r"(?P<hard>\s*(?:[,;!?\n]|(?<!\d)\.(?!\d)|\s[\-\u2013\u2014]\s)+\s*"
    r"|\s+(?:and\s+then|and\s+also|then|also|et\s+puis|et\s+aussi|puis|ensuite)\s+)"
    r"|(?P<soft>\s+(?:and|et|ainsi\s+que|as\s+well\s+as)\s+|\s*&\s*)"
)


@dataclass
class _Segment:
    start: int
    end: int
    soft: bool  # joined to the previous segment by "and"/"et", not by punctuation


def _split(low: str) -> list[_Segment]:
    protected = [m.span() for m in _PROTECTED.finditer(low)]
    segments: list[_Segment] = []
    start, soft = 0, False
    for m in _SEPARATOR.finditer(low):
        if any(a < m.end() and m.start() < b for a, b in protected):
            continue
        if m.start() > start:
            segments.append(_Segment(start, m.start(), soft))
        start, soft = m.end(), bool(m.group("soft"))
    if start < len(low):
        segments.append(_Segment(start, len(low), soft))
    return segments


# --- public API ----------------------------------------------------------------------------------

_BLANKED = str.maketrans({ch: " " for ch in "\"“”«»()[]{}*_<>"})
_A_AS_A_GRAVE = _rx(r"(?<![\w'])a(?=\s+(?:la\s|l'))")
_A_AS_A_GRAVE_FR = _rx(r"(?<![\w'])a(?=\s+(?:un|une|cote|droite|gauche)\b)")
_A_BEFORE_WORD = _rx(r"(?<![\w'])a(?=\s+([^\W\d_]))")


def _prepare(src: str, language: str) -> tuple[str, str]:
    """The prompt with quotes blanked, and its folded twin (same length)."""
    view = src.translate(_BLANKED)
    low = _A_AS_A_GRAVE.sub("à", lx.fold(view))  # "a la Monet", typed without the accent
    if language == "fr":  # "mets le chat a Paris"
        low = _A_AS_A_GRAVE_FR.sub("à", low)
        low = _A_BEFORE_WORD.sub(lambda m: "à" if view[m.start(1)].isupper() else "a", low)
    return view, low


def _parse_segments(src: str, view: str, low: str, segments: list[_Segment]) -> list[_Hit]:
    hits: list[_Hit] = []
    i = 0
    while i < len(segments):
        seg = segments[i]
        found = _parse_clause(_Clause(src, low, view, seg.start, seg.end), hits)
        nxt = segments[i + 1] if i + 1 < len(segments) else None
        if nxt and nxt.soft and found and _only_other(found):
            # "put the dog | and the cat on a beach": the halves only make sense together
            merged = _parse_clause(_Clause(src, low, view, seg.start, nxt.end), hits)
            if merged and not _only_other(merged):
                found, i = merged, i + 1
        elif seg.soft and i > 0 and found and _only_other(found):
            # "on a beach with rocks | and palm trees": the tail belongs to the clause before
            prev_seg = segments[i - 1]
            before = [h for h in hits if h.start < prev_seg.start]
            merged = _parse_clause(_Clause(src, low, view, prev_seg.start, seg.end), before)
            if merged and not any(h.kind == "other" for h in merged):
                hits, found = before, merged
        hits.extend(found)
        i += 1
    return hits


def _only_other(hits: list[_Hit]) -> bool:
    return all(h.kind == "other" for h in hits)


def parse_prompt(text: str) -> Plan:
    """Split a modification prompt into typed sub-tasks, in the order they appear."""
    if not text or not text.strip():
        return Plan(prompt=text or "", language="en", tasks=[])
    language = detect_language(text)
    src = unicodedata.normalize("NFC", text)
    view, low = _prepare(src, language)
    hits = _parse_segments(src, view, low, _split(low))
    hits = _one_setting([_background_only(h, view, low, language) for h in hits], low)
    tasks: list[SubTask] = []
    seen: list[tuple[str, dict]] = []
    for h in hits:
        if (h.kind, h.args) in seen:
            continue  # the same request twice
        seen.append((h.kind, h.args))
        said = ", ".join(src[a:b].strip() for a, b in sorted([(h.start, h.end), *h.joined]))
        tasks.append(SubTask(kind=h.kind, text=said, args=dict(h.args)))
    if all(t.kind == "other" for t in tasks):
        tasks = [SubTask(kind="other", text=text.strip(), args={})]
    return Plan(prompt=text, language=language, tasks=tasks)


_BACKGROUND_WORD = _rx(r"\b(?:background|backdrop|bg|arriere[\s\-]plan|fond)\b")


def _background_only(h: _Hit, view: str, low: str, language: str) -> _Hit:
    """A change to the background alone is a new setting around a kept subject: "blur the
    background", "make the background white", "portrait mode", "make it night"."""
    text = low[h.start:h.end]
    subject = h.args.pop("subject", None) if h.kind == "recolor" else None
    if h.kind == "adjust" and h.args.get("adjustment") == "blur" and _BACKGROUND_WORD.search(text):
        setting = "un arrière-plan flou" if language == "fr" else "a blurred background"
    elif h.kind == "recolor" and _BACKGROUND_WORD.search(lx.fold(str(h.args.get("target") or ""))):
        color = h.args.get("color")
        setting = f"un fond {color}" if language == "fr" else f"a {color} background"
    elif h.kind == "other":
        from imgvar.engines.local.setting_changes import plan_setting, unsupported_words

        if plan_setting(text) is None or unsupported_words(text):
            return h
        setting = view[h.start:h.end].strip()
    else:
        return h
    return _Hit("recontext", h.start, h.end, {"subject": subject, "setting": setting, "preposition": None})


def _one_setting(hits: list[_Hit], low: str) -> list[_Hit]:
    """Settings named apart ("in winter, at dusk"; "on a beach, at sunset") are one new setting:
    a later recontext that names no subject of its own joins the first, and so does a clause that
    only says where and how big ("small, on the left"), which placement reads from the prompt."""
    from imgvar.engines.local.placement import only_placement

    def says_where(h: _Hit) -> bool:
        return (h.kind == "other" or h.kind == "recontext" and h.args.get("subject") is None) and \
            only_placement(low[h.start:h.end])

    first: _Hit | None = None
    kept: list[_Hit] = []
    anchors = [h for h in hits if h.kind == "recontext" and not says_where(h)] or [
        h for h in hits if h.kind == "add_object"]  # "add a boat, small, on the left"
    for h in hits:
        if anchors and says_where(h):
            anchors[0].joined.append((h.start, h.end))
        elif h.kind != "recontext":
            kept.append(h)
        elif first is None:
            first = h
            kept.append(h)
        elif h.args.get("subject") is None or h.args.get("subject") == first.args.get("subject"):
            prep = h.args.get("preposition")
            phrase = f"{prep} {h.args['setting']}" if prep and not prep.endswith("'") else (
                f"{prep}{h.args['setting']}" if prep else h.args["setting"])
            first.args = {**first.args, "setting": f"{first.args['setting']}, {phrase}"}
            first.joined.append((h.start, h.end))
        else:
            kept.append(h)
    return kept


_TOKEN = _rx(r"[^\W\d_]+'?")
_ACCENTED = _rx(r"[éèêëàâîïôûùçœ]")


def detect_language(text: str) -> str:
    """ "fr" when French function words and accents outweigh English ones, else "en"."""
    if not text or not text.strip():
        return "en"
    low = lx.fold(unicodedata.normalize("NFC", text))
    french = english = 0.0
    for token in _TOKEN.findall(low):
        if token in lx.FRENCH_HINTS:
            french += 1
        elif token in lx.ENGLISH_HINTS:
            english += 1
    french += 0.5 * len(_ACCENTED.findall(text.lower()))
    return "fr" if french > english else "en"
