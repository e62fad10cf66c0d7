"""What the library returns: results of a run and of an analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from .engines.base import Change
    from .imageio import ImageFacts
    from .plan import Plan
    from .stages.base import StageReport

RESULT_SCHEMA = "imgvar.result/1"
ANALYSIS_SCHEMA = "imgvar.analysis/1"


@dataclass
class Result:
    image: Image.Image
    output_prompt: str
    prompt: str
    plan: Plan
    facts: ImageFacts
    engine: str
    changes: list[Change] = field(default_factory=list)
    stages: list[StageReport] = field(default_factory=list)
    output: str | None = None  # where the image was written ("-" for stdout)
    output_digest: str | None = None
    run_id: str | None = None
    cost_usd: float = 0.0
    calls: list[dict[str, Any]] = field(default_factory=list)  # the paid calls this run made (ledger rows)
    matte: dict[str, Any] | None = None  # how the subject was found (engine, confidence, notes), when it was
    mask_output: str | None = None  # where --save-mask wrote the subject's matte
    clip: dict[str, Any] | None = None  # CLIP: model, available (or why not), quality scores, candidates

    @property
    def cached(self) -> bool:
        """True when every stage came from the store."""
        return bool(self.stages) and all(s.cache_hit for s in self.stages)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": RESULT_SCHEMA,
            "output": self.output,
            "output_digest": self.output_digest,
            "output_prompt": self.output_prompt,
            "prompt": self.prompt,
            "engine": self.engine,
            "cached": self.cached,
            "run_id": self.run_id,
            "cost_usd": self.cost_usd,
            "calls": self.calls,
            "size": list(self.image.size),
            "mode": self.image.mode,
            "plan": self.plan.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "stages": [s.to_dict() for s in self.stages],
            "matte": self.matte,
            "mask_output": self.mask_output,
            "clip": self.clip,
        }


@dataclass
class Cutout:
    """`imgvar cutout`: the subject on transparency, or its matte alone."""

    image: Image.Image  # RGBA cut-out, or the L matte with --mask-only
    matte: dict[str, Any]  # engine, confidence, notes
    output: str | None = None
    cached: bool = False
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "imgvar.cutout/1", "output": self.output, "size": list(self.image.size),
                "mode": self.image.mode, "matte": self.matte, "cached": self.cached, "run_id": self.run_id}


@dataclass
class Analysis:
    plan: Plan
    facts: ImageFacts
    engine: str
    cached: bool
    run_id: str | None = None
    cost_usd: float = 0.0
    warnings: list[str] = field(default_factory=list)  # what a run of this plan would stop at
    clip: dict[str, Any] | None = None  # CLIP: tags, prompt similarity, tasks already satisfied (or why not)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": ANALYSIS_SCHEMA,
            "engine": self.engine,
            "cached": self.cached,
            "run_id": self.run_id,
            "cost_usd": self.cost_usd,
            "plan": self.plan.to_dict(),
            "image": self.facts.to_dict(),
            "warnings": self.warnings,
            "clip": self.clip,
        }


@dataclass
class DryRun:
    """What a run would do and spend: the plan, and each paid call with its estimate (or a cache hit)."""

    command: str
    engine: str
    plan: Plan
    plan_source: str  # "cache" (the cloud plan is stored), "offline parser" (stand-in), "local"
    calls: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None  # the error the real run would stop at before any work

    @property
    def needs_key(self) -> str | None:
        """What the real run needs that is not set ("OPENAI_API_KEY or --api-key"); None when nothing.

        Estimates are local, so a dry run works without credentials; stored results need none.
        """
        return next((c["needs_key"] for c in self.calls if not c["cached"] and c.get("needs_key")), None)

    @property
    def warnings(self) -> list[str]:
        """One line each, for whoever shows the dry run."""
        need = self.needs_key
        notes = [f"the run would stop: {self.refusal}"] if self.refusal else []
        return notes + ([f"not set: {need} (the real run needs it; the estimate does not)"] if need else [])

    @property
    def usd(self) -> float:
        return round(sum(c["usd"] for c in self.calls if not c["cached"]), 6)

    @property
    def usd_max(self) -> float:
        return round(sum(c["usd_max"] for c in self.calls if not c["cached"]), 6)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "imgvar.dry_run/1", "command": self.command, "engine": self.engine,
                "plan_source": self.plan_source, "plan": self.plan.to_dict(), "calls": self.calls,
                "estimate_usd": self.usd, "max_usd": self.usd_max,
                "paid_calls": sum(1 for c in self.calls if not c["cached"]),
                "needs_key": self.needs_key, "warnings": self.warnings}


@dataclass
class SheetResult:
    image: Image.Image
    output: str | None
    presets: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "imgvar.sheet/1", "output": self.output, "size": list(self.image.size),
                "presets": self.presets}
