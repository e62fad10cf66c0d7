"""Offline analysis: the grammar-and-keyword prompt parser."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

    from ...imageio import ImageFacts
    from ...plan import Plan


class LocalAnalyzer:
    version = "parser-3"

    def analyze(self, prompt: str, image: Image.Image, facts: ImageFacts) -> Plan:
        # Imported here: a cached plan needs only `version`, never the parser.
        from ...prompt import parse_prompt

        return parse_prompt(prompt)
