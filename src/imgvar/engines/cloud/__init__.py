"""Cloud engines: OpenAI and Azure OpenAI, one text call and at most one image call per run.

The package exports lazily: checking whether a cloud engine is configured
(`provider`) must not load the engine and its call machinery.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CloudContext", "cloud_engine"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
