"""A contact sheet of a batch: each row's input beside its output, labelled with the row, prompt and status."""

from __future__ import annotations

import textwrap
from pathlib import Path

from PIL import Image, ImageDraw

from .runner import ItemResult

THUMB = 256  # longest side of each picture, pixels
LABEL_W = 360
PAD = 8
BACKGROUND = (245, 243, 238)
INK = (30, 30, 30)
FAILED_INK = (170, 30, 30)


def contact_sheet(results: list[ItemResult]) -> Image.Image:
    """One row per item, in manifest order: input | output (or why there is none) | label."""
    from ..styles.sheet import _font

    rows = sorted(results, key=lambda r: r.row)
    height = THUMB + PAD
    sheet = Image.new("RGB", (PAD + 2 * (THUMB + PAD) + LABEL_W, PAD + max(1, len(rows)) * height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font, small = _font(15), _font(13)
    for i, result in enumerate(rows):
        y = PAD + i * height
        for column, path in enumerate((result.input, result.output if result.status in ("done", "cached") else None)):
            x = PAD + column * (THUMB + PAD)
            thumb = _thumb(path)
            if thumb is None:
                draw.rectangle([x, y, x + THUMB - 1, y + THUMB - 1], outline=(200, 200, 200))
                draw.text((x + 8, y + THUMB // 2 - 8), result.status, fill=FAILED_INK, font=font)
            else:
                sheet.paste(thumb, (x + (THUMB - thumb.width) // 2, y + (THUMB - thumb.height) // 2))
        x = PAD + 2 * (THUMB + PAD)
        ink = FAILED_INK if result.status in ("failed", "skipped") else INK
        lines = [f"row {result.row} · {result.status}", *textwrap.wrap(result.prompt, 40)[:5]]
        if result.error:
            lines += textwrap.wrap(result.error["message"], 44)[:4]
        elif result.output_prompt:
            lines += [""] + textwrap.wrap(result.output_prompt, 44)[:6]
        for k, line in enumerate(lines):
            draw.text((x, y + 4 + k * 18), line, fill=ink, font=font if k < 1 else small)
    return sheet


def _thumb(path: str | None) -> Image.Image | None:
    if not path or not Path(path).is_file():
        return None
    try:
        with Image.open(path) as image:
            image.draft("RGB", (THUMB, THUMB))
            thumb = image.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    thumb.thumbnail((THUMB, THUMB))
    return thumb
