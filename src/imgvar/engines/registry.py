"""Which engines exist and which one `--engine` picks.

Built-in engines are listed here explicitly; third-party ones register through
the `imgvar.engines` entry-point group with a `register(registry)` function.
A plugin that fails to load is reported as a warning and skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from ..errors import UsageError

if TYPE_CHECKING:
    from ..config import Settings
    from .base import Engine

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "imgvar.engines"


@dataclass(frozen=True)
class EngineSpec:
    name: str
    factory: Callable[[Settings], Engine]
    # True when the engine can run with these settings (credentials present...);
    # `auto` picks the first cloud engine that is available.
    available: Callable[[Settings], bool]
    cloud: bool = False
    summary: str = ""


class EngineRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, EngineSpec] = {}

    def register(self, spec: EngineSpec) -> None:
        self._specs[spec.name] = spec

    def names(self) -> list[str]:
        return list(self._specs)

    def get(self, name: str) -> EngineSpec | None:
        return self._specs.get(name)

    def resolve(self, name: str, settings: Settings) -> Engine:
        """The engine for `name`; `auto` prefers an available cloud engine, else local."""
        if name == "auto":
            for spec in self._specs.values():
                if spec.cloud and spec.available(settings):
                    return spec.factory(settings)
            name = "local"
        spec = self._specs.get(name)
        if spec is None:
            known = ", ".join(["auto", *self._specs])
            raise UsageError(f"engine '{name}' is not available in this installation (available: {known})")
        if not spec.available(settings) and not spec.cloud:
            raise UsageError(f"engine '{name}' is not configured", hint="see 'imgvar config show'")
        # A cloud engine that is not configured says what it lacks.
        return spec.factory(settings)


def _local_factory(settings: Settings) -> Engine:
    from .local import local_engine

    return local_engine(settings)


def _cloud_factory(name: str) -> Callable[[Settings], Engine]:
    def factory(settings: Settings) -> Engine:
        from .cloud import cloud_engine

        return cloud_engine(name, settings)
    return factory


def _cloud_available(name: str) -> Callable[[Settings], bool]:
    def available(settings: Settings) -> bool:
        from .cloud.provider import is_configured

        return is_configured(name, settings)
    return available


def _may_have_plugins() -> bool:
    """False only when no installed distribution declares the entry-point group.

    Reading the few entry_points.txt files costs a few milliseconds; importing
    importlib.metadata to ask it costs tens, on every run. Anything but plain
    folders on sys.path (a zip, say) is left to importlib.metadata.
    """
    import os
    import sys

    marker = f"[{ENTRY_POINT_GROUP}]".encode()
    for entry in sys.path:
        folder = entry or "."
        if not os.path.isdir(folder):
            if os.path.exists(folder):
                return True
            continue
        try:
            with os.scandir(folder) as names:
                metas = [e.path for e in names if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            return True
        for meta in metas:
            try:
                with open(os.path.join(meta, "entry_points.txt"), "rb") as f:
                    if marker in f.read():
                        return True
            except FileNotFoundError:
                continue
            except OSError:
                return True
    return False


def _load_plugins(registry: EngineRegistry) -> None:
    if not _may_have_plugins():
        return
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()(registry)
        except Exception as exc:  # a broken plugin must not break the tool
            log.warning("engine plugin %s could not be loaded: %s", ep.name, exc)


_REGISTRY: EngineRegistry | None = None


def default_registry() -> EngineRegistry:
    global _REGISTRY
    if _REGISTRY is None:
        registry = EngineRegistry()
        registry.register(EngineSpec("local", _local_factory, lambda s: True,
                                     summary="offline engine: runs on the CPU with no key and no download"))
        # In this order `auto` prefers OpenAI when both are configured.
        registry.register(EngineSpec("openai", _cloud_factory("openai"), _cloud_available("openai"), cloud=True,
                                     summary="OpenAI: a text model plans, an image model edits (paid)"))
        registry.register(EngineSpec("azure", _cloud_factory("azure"), _cloud_available("azure"), cloud=True,
                                     summary="Azure OpenAI deployments of the same models (paid)"))
        _load_plugins(registry)
        _REGISTRY = registry
    return _REGISTRY


def resolve_engine(name: str, settings: Settings) -> Engine:
    return default_registry().resolve(name, settings)
