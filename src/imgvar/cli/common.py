"""The options every image command shares, bundled; no Typer here, so the cache-hit fast path can use it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional


@dataclass
class Common:
    out: Optional[str] = None
    engine: Optional[str] = None
    store: Optional[str] = None
    json: bool = False
    seed: Optional[int] = None
    no_cache: bool = False
    config: Optional[Path] = None
    quiet: bool = False
    verbose: int = 0
    debug: bool = False
    max_cost: Optional[float] = None
    dry_run: bool = False
    api_key: Optional[str] = None
    quality: Optional[str] = None
    size: Optional[str] = None
    input_fidelity: Optional[str] = None
    model_format: Optional[str] = None
    retry_timeouts: bool = False

    def settings(self, **extra_flags: Any):
        """Effective settings: defaults < files < env < these flags."""
        from ..config import load_settings

        flags = {"engine": self.engine, "store": self.store, "seed": self.seed,
                 "cache": False if self.no_cache else None, "cost.max_per_run": self.max_cost,
                 "cloud.quality": self.quality, "cloud.size": self.size, "cloud.input_fidelity": self.input_fidelity,
                 "cloud.output_format": self.model_format,
                 "cloud.retry_timeouts": True if self.retry_timeouts else None, **extra_flags}
        settings = load_settings(self.config, flags)
        if self.api_key:
            # The key belongs to the engine that will run: azure when chosen, else openai.
            target = "azure.api_key" if settings["engine"] == "azure" else "openai.api_key"
            settings = settings.with_overrides({target: self.api_key})
        return settings
