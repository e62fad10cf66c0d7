"""The output prompt: one or two sentences saying what was changed and what was not."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...plan import Plan
    from ..base import Change


class TemplateDescriber:
    version = "template-1"

    def describe(self, plan: Plan, changes: list[Change]) -> str:
        french = plan.language == "fr"
        done = [_summary(c, french) for c in changes if c.applied]
        if french:
            first = ("L'image d'origine " + _join(done, "puis") + ".") if done else "L'image d'origine, inchangée."
        else:
            first = ("The original image " + _join(done, "then") + ".") if done else "The original image, unchanged."
        return first + not_applied_sentence(changes, french)


def not_applied_sentence(changes: list[Change], french: bool) -> str:
    """" Not applied: …." for the changes that could not be made, or "" when all were."""
    skipped = [_summary(c, french) for c in changes if not c.applied]
    if not skipped:
        return ""
    return (" Non appliqué : " if french else " Not applied: ") + "; ".join(skipped) + "."


def _summary(change: Change, french: bool) -> str:
    if french and change.detail.get("summary_fr"):
        return str(change.detail["summary_fr"])
    return change.summary


def _join(parts: list[str], word: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f", {word} " + parts[-1]
