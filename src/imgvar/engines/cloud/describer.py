"""The output prompt of a cloud run: the text model's draft, completed locally (no second call)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..local.describer import TemplateDescriber, not_applied_sentence

if TYPE_CHECKING:
    from ...plan import Plan
    from ..base import Change


class DraftDescriber:
    version = "draft-1"

    def describe(self, plan: Plan, changes: list[Change]) -> str:
        if not plan.output_prompt:
            return TemplateDescriber().describe(plan, changes)
        text = plan.output_prompt.strip()
        skipped = not_applied_sentence(changes, plan.language == "fr")
        # The draft was written before the edit, as if every task succeeded; what was not
        # done is said after it. Local adjustments are already in the draft.
        return text + skipped
