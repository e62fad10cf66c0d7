"""Offline style presets: procedural non-photorealistic rendering, chosen by name or prompt."""

from .registry import StyleMatch, StylePreset, get_preset, normalise, presets, resolve_style

__all__ = ["StyleMatch", "StylePreset", "get_preset", "normalise", "presets", "resolve_style"]
