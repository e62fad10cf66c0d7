"""A contact sheet: the original and every preset side by side, each labelled."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from .registry import StylePreset

THUMB = 420  # long side of each cell, in pixels
LABEL = 26


def contact_sheet(image: Image.Image, *, detail: float = 1.0, seed: int = 0, thumb: int = THUMB,
                  presets: list[StylePreset] | None = None) -> tuple[Image.Image, list[str]]:
    """Render every preset on a thumbnail of `image`; returns the sheet and the preset names in order."""
    from ..progress import advance
    from .registry import presets as all_presets
    from .render import render_preset

    chosen = presets if presets is not None else all_presets()
    small = image.convert("RGB")
    small.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
    cells: list[tuple[str, Image.Image]] = [("original", small)]
    for i, preset in enumerate(chosen):
        cells.append((preset.name, render_preset(small, preset, detail=detail, seed=seed)))
        advance(i + 1, len(chosen), "presets")
    return _grid(cells), [p.name for p in chosen]


def _grid(cells: list[tuple[str, Image.Image]]) -> Image.Image:
    w, h = cells[0][1].size
    cols = min(4, len(cells))
    rows = math.ceil(len(cells) / cols)
    pad = 8
    sheet = Image.new("RGB", (cols * (w + pad) + pad, rows * (h + LABEL + pad) + pad), (245, 243, 238))
    draw = ImageDraw.Draw(sheet)
    font = _font(16)
    for i, (name, img) in enumerate(cells):
        x = pad + (i % cols) * (w + pad)
        y = pad + (i // cols) * (h + LABEL + pad)
        sheet.paste(img, (x, y))
        draw.text((x + 2, y + h + 4), name.replace("_", " "), fill=(30, 30, 30), font=font)
    return sheet


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has only the small bitmap font
        return ImageFont.load_default()
