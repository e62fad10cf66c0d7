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
        skipped = [_summary(c, french) for c in changes if not c.applied]
        if french:
            first = ("L'image d'origine " + _join(done, "puis") + ".") if done else "L'image d'origine, inchangée."
            second = (" Non appliqué : " + "; ".join(skipped) + ".") if skipped else ""
        else:
            first = ("The original image " + _join(done, "then") + ".") if done else "The original image, unchanged."
            second = (" Not applied: " + "; ".join(skipped) + ".") if skipped else ""
        return first + second


def _summary(change: Change, french: bool) -> str:
    if french and change.detail.get("summary_fr"):
        return str(change.detail["summary_fr"])
    return change.summary


def _join(parts: list[str], word: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f", {word} " + parts[-1]
