"""Runs a preset over an image of any size: whole when small, in overlapping tiles when large.

Sizes in presets are in *stroke units*: one unit is about a pixel on a 1 MP
image and grows with the square root of the pixel count, so a 12 MP photo gets
strokes as large relative to the frame as a 1 MP one. `--detail` scales it.
Tiles carry a margin of context (the preset's `margin` in units) so filters see
across the seams; globals such as palettes come from `prepare` on a small copy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from PIL import Image

    from .registry import StylePreset

TILE = 1024  # tile core size in pixels
WHOLE_LIMIT = 2_600_000  # images up to this many pixels are rendered in one piece


@dataclass
class RenderContext:
    seed: int
    detail: float
    unit: float  # pixels per stroke unit
    width: int  # full image size
    height: int
    x0: int = 0  # this tile's top-left corner in the full image
    y0: int = 0
    globals: dict[str, Any] = field(default_factory=dict)

    def px(self, units: float) -> float:
        """A size in stroke units, in pixels."""
        return units * self.unit

    def noise(self, h: int, w: int, cell_units: float, salt: int, octaves: int = 1) -> torch.Tensor:
        """Smooth noise for this tile, continuous across tiles (cell size in stroke units)."""
        from .ops import value_noise

        return value_noise(h, w, max(1.0, self.px(cell_units)), self.seed, salt, self.x0, self.y0, octaves)

    def grain(self, h: int, w: int, salt: int) -> torch.Tensor:
        """Per-pixel white noise for this tile, continuous across tiles."""
        from .ops import hash_noise

        return hash_noise(h, w, self.seed, salt, self.x0, self.y0)


def stroke_unit(width: int, height: int, detail: float) -> float:
    return max(1.0, math.sqrt(width * height) / 1000.0) * detail


def render_preset(image: Image.Image, preset: StylePreset, *, detail: float = 1.0, seed: int = 0) -> Image.Image:
    """The preset applied to `image` (RGB), same size, deterministic for a seed."""
    import numpy as np
    import torch
    from PIL import Image

    from .ops import resize, to_tensor, to_uint8

    rgb = image.convert("RGB")
    w, h = rgb.size
    ctx = RenderContext(seed=seed, detail=detail, unit=stroke_unit(w, h, detail), width=w, height=h)
    with torch.inference_mode():
        if preset.prepare is not None:
            scale = min(1.0, 512.0 / max(w, h))
            small = rgb if scale >= 1.0 else rgb.resize((max(1, round(w * scale)), max(1, round(h * scale))),
                                                         Image.Resampling.BOX)
            ctx.globals = preset.prepare(to_tensor(small), ctx)
        if w * h <= WHOLE_LIMIT:
            out = preset.render(to_tensor(rgb), ctx)
            return Image.fromarray(to_uint8(_fit(out, h, w, resize)), "RGB")
        from ..progress import advance

        result = np.empty((h, w, 3), dtype=np.uint8)
        margin = int(math.ceil(preset.margin * ctx.unit)) + 8
        tiles, done = math.ceil(h / TILE) * math.ceil(w / TILE), 0
        for ty in range(0, h, TILE):
            for tx in range(0, w, TILE):
                x0, y0 = max(0, tx - margin), max(0, ty - margin)
                x1, y1 = min(w, tx + TILE + margin), min(h, ty + TILE + margin)
                tile_ctx = RenderContext(seed, detail, ctx.unit, w, h, x0, y0, ctx.globals)
                tile = preset.render(to_tensor(rgb.crop((x0, y0, x1, y1))), tile_ctx)
                tile = to_uint8(_fit(tile, y1 - y0, x1 - x0, resize))
                cw, ch = min(TILE, w - tx), min(TILE, h - ty)
                result[ty:ty + ch, tx:tx + cw] = tile[ty - y0:ty - y0 + ch, tx - x0:tx - x0 + cw]
                done += 1
                advance(done, tiles, "tiles")
        return Image.fromarray(result, "RGB")


def _fit(x: torch.Tensor, h: int, w: int, resize) -> torch.Tensor:
    """Presets that work at a reduced scale may return another size: bring it back."""
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    return resize(x, (h, w)) if tuple(x.shape[-2:]) != (h, w) else x
