"""Offline analysis of a modification prompt (English or French) into a `Plan`."""

from __future__ import annotations

from .parser import detect_language, parse_prompt

__all__ = ["detect_language", "parse_prompt"]
