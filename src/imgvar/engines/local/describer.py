"""The output prompt: one or two sentences saying what was changed and what was not.

Each stage words its own change as a phrase that completes "The original image …" /
"L'image d'origine, …"; this module joins those phrases into one sentence a person would
write, and words where a recontextualised subject went.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...plan import Plan
    from ..base import Change


# Changes a cloud edit words as "with …" / "avec …", said before the whole-image changes.
_NOUN_PHRASE_KINDS = ("recontext", "add_object", "recolor", "remove_object", "replace_object", "move")


class TemplateDescriber:
    version = "template-2"

    def describe(self, plan: Plan, changes: list[Change]) -> str:
        french = plan.language == "fr"
        done = [c for c in changes if c.applied]
        preposition = _plan_preposition(plan)
        setting_first: list[str] = []  # "with the cat placed on a beach, …"
        rest: list[str] = []  # "restyled as …", "made brighter"
        for change in done:
            if change.kind == "recontext" and change.detail.get("setting"):
                setting_first.append(placement(change.detail.get("subject"), str(change.detail["setting"]),
                                               preposition, french))
                continue
            text = _summary(change, french)
            if change.kind in _NOUN_PHRASE_KINDS:  # a cloud edit's noun phrase
                if not text.startswith(("with ", "avec ", "sans ")):
                    text = ("avec " if french else "with ") + text
                setting_first.append(text)
            else:
                rest.append(text)
        rest = _merge_verbs(rest)
        # (opening, unchanged, after the opening, before the later changes, "and")
        words = (("L'image d'origine", "L'image d'origine, inchangée.", ", ", ", puis ", "et") if french else
                 ("The original image", "The original image, unchanged.", " ", ", then ", "and"))
        opening, unchanged, lead, then, conj = words
        if not setting_first and not rest:
            first = unchanged
        else:
            first = opening
            if setting_first:
                first += lead + _join(setting_first, conj)
            if rest:
                first += (then if setting_first else lead) + _join(rest, conj)
            first += "."
        return first + not_applied_sentence(changes, french) + unsure_matte_sentence(done, french)


def unsure_matte_sentence(done: list[Change], french: bool) -> str:
    """Said when the subject was found automatically with little confidence: the user should check it."""
    if not any(c.detail.get("matte_unsure") for c in done):
        return ""
    if french:
        return " Le sujet a été détouré automatiquement et son contour peut être imprécis."
    return " The subject was cut out automatically and its outline may be imprecise."


def not_applied_sentence(changes: list[Change], french: bool) -> str:
    """" Not applied: …." for the changes that could not be made, or "" when all were."""
    skipped = [_summary(c, french) for c in changes if not c.applied]
    if not skipped:
        return ""
    if french:
        label = " Demandes non appliquées : " if len(skipped) > 1 else " Demande non appliquée : "
        return label + _join(skipped, "et") + "."
    return " Not applied: " + _join(skipped, "and") + "."


def _summary(change: Change, french: bool) -> str:
    if french and change.detail.get("summary_fr"):
        return str(change.detail["summary_fr"])
    return change.summary


def _plan_preposition(plan: Plan) -> str | None:
    task = plan.first("recontext") if plan else None
    value = task.args.get("preposition") if task else None
    return str(value) if value else None


def _join(parts: list[str], word: str) -> str:
    """"a", "a and b", "a, b and c"; a comma before the last "and" when the part before it
    holds a comma or an "and" of its own, so the list still reads as a list."""
    if len(parts) == 1:
        return parts[0]
    comma = "," if "," in parts[-2] or f" {word} " in parts[-2] else ""
    return ", ".join(parts[:-1]) + f"{comma} {word} " + parts[-1]


# Phrases that share their verb are said once: "made brighter and more saturated".
_SHARED_VERBS = ("made ", "given ", "rendue ")


def _merge_verbs(phrases: list[str]) -> list[str]:
    merged: list[str] = []
    for phrase in phrases:
        verb = next((v for v in _SHARED_VERBS if phrase.startswith(v)), None)
        if verb and merged and merged[-1].startswith(verb) and "," not in merged[-1]:
            link = " et " if verb == "rendue " else " and "
            previous = merged[-1].replace(link, ", ")  # "made brighter, warmer and …"
            merged[-1] = previous + link + phrase[len(verb):]
        else:
            merged.append(phrase)
    return merged


# --- where a recontextualised subject went -------------------------------------------------------

_EN_PREPS = re.compile(
    r"(?:in front of|next to|on top of|in the middle of|under|underneath|beneath|below|above|over|"
    r"behind|beside|near|among|amid|around|across|through|inside|on|at|in|onto|into)\s", re.I)
_FR_PREPS = re.compile(
    r"(?:au milieu d|à côté d|près d|au-dessus d|autour d|en face d|sous|sur|devant|derrière|parmi|"
    r"chez|dans|à|au|aux|en)\b", re.I)
# A setting named without its preposition (a cloud plan, "a beach at sunset"): the usual one.
_EN_ON = frozenset("beach shore coast seashore island moon mars planet roof rooftop stage boat ship pier "
                   "bridge street road highway mountain hill cliff dune glacier ice lawn farm field "
                   "mountaintop".split())
_EN_AT = frozenset("sunset sunrise dawn dusk night midnight noon twilight".split())
_FR_SUR = frozenset("plage lune mars planète île toit scène bateau pont route montagne colline falaise "
                    "dune pelouse glacier quai".split())


def placement(subject: str | None, setting: str, preposition: str | None, french: bool) -> str:
    """"with the cat placed on a beach, its colours harmonised with the new scene", or the French."""
    setting = " ".join(setting.split())
    if preposition is None and (_FR_PREPS if french else _EN_PREPS).match(setting):
        preposition = ""  # the setting says it already: "under the sea", "sous la pluie"
    if preposition is None:
        preposition = _usual_preposition(setting, french)
    where = f"{preposition} {setting}".strip()
    if french:
        where = re.sub(r"^à le\b", "au", re.sub(r"^à les\b", "aux", where))
        who = lower_determiner(subject) if subject else "le sujet"
        return f"avec {who} placé{agreement(who)} {where}, ses couleurs harmonisées avec la nouvelle scène"
    who = lower_determiner(subject) if subject else "the subject"
    return f"with {who} placed {where}, its colours harmonised with the new scene"


def _usual_preposition(setting: str, french: bool) -> str:
    words = re.findall(r"[^\W\d_]+", setting.lower())
    if french:
        if setting[:1].isupper():
            return "à"  # "à Paris"
        return "sur" if any(w in _FR_SUR for w in words) else "dans"
    if any(w in _EN_ON for w in words[:3]):
        return "on"
    return "at" if words and words[-1] in _EN_AT and len(words) <= 2 else "in"


_DETERMINERS = ("the ", "a ", "an ", "my ", "our ", "your ", "his ", "her ", "their ", "this ", "le ", "la ",
                "les ", "l'", "un ", "une ", "des ", "mon ", "ma ", "mes ", "son ", "sa ", "ses ", "ce ", "cet ",
                "cette ", "ces ", "notre ", "votre ", "leur ", "leurs ")


def lower_determiner(subject: str) -> str:
    """"The dog" -> "the dog" mid-sentence; proper names keep their capital."""
    if subject.lower().startswith(_DETERMINERS) and not subject.isupper():
        return subject[0].lower() + subject[1:]
    return subject.lower() if subject.isupper() else subject


def agreement(subject: str) -> str:
    """The ending "placé" takes after a French subject: "la voiture placée", "les chats placés"."""
    first = subject.lower().split(" ")[0]
    if first in ("les", "des", "mes", "ses", "ces", "leurs", "nos", "vos") or " et " in subject:
        return "s"
    if first in ("la", "une", "ma", "sa", "cette"):
        return "e"
    return ""
