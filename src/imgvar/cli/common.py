"""The options every image command shares, bundled; no Typer here, so the cache-hit fast path can use it."""

from __future__ import annotations

import logging
import sys
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


def setup_logging(verbose: int = 0, debug: bool = False) -> None:
    """imgvar's own log lines on stderr (debug with -vv or --debug); other libraries stay at warnings."""
    from ..secrets import RedactingFilter

    logging.basicConfig(level=logging.WARNING, format="imgvar: %(levelname)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    own = logging.DEBUG if verbose >= 2 or debug else logging.WARNING
    logging.getLogger("imgvar").setLevel(own)
    logging.getLogger("PIL").setLevel(logging.WARNING)  # its chunk-by-chunk debug lines are not ours
    # The storage SDK logs every failed request before it retries; the store says it once, in its words.
    logging.getLogger("azure").setLevel(logging.ERROR)
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # its retries; a failed pull says why once
