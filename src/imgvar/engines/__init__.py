"""Engines: named bundles of role implementations (analyzer, stylizer, recontexter, describer)."""

from .base import Change, Engine, RecontextRequest, StyleRequest
from .registry import EngineRegistry, EngineSpec, default_registry, resolve_engine

__all__ = ["Change", "Engine", "EngineRegistry", "EngineSpec", "RecontextRequest", "StyleRequest",
           "default_registry", "resolve_engine"]
