"""Oil painting: flattened paint patches, brushed along the image's flow, with lit impasto relief."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    h, w = x.shape[-2:]
    # Kuwahara flattens texture into patches of paint while keeping edges.
    paint = ops.kuwahara(x, round(ctx.px(5)))
    # Brush along the structure-tensor flow, at half resolution: strokes are wider than a pixel.
    half = ops.resize(paint, (max(8, h // 2), max(8, w // 2)), "area")
    tangent, _ = ops.flow_field(ops.luminance(half), ctx.px(2) / 2)
    brushed = ops.lic(half, tangent, ctx.px(6) / 2, steps=5)
    bristles = ops.lic(ops.resize(ctx.noise(h, w, 1.2, salt=1), half.shape[-2:], "area"), tangent,
                       ctx.px(8) / 2, steps=5)
    brushed = ops.resize(brushed, (h, w))
    height = ops.resize(bristles, (h, w)) * 0.7 + ops.luminance(brushed) * 0.3
    paint = ops.blend(paint, brushed, 0.6)
    paint = ops.saturate(ops.contrast(paint, 1.08), 1.18)
    return (paint * ops.relief(height, 6.0)).clamp(0, 1)


register(StylePreset(
    name="oil",
    description="oil painting: flattened paint patches brushed along the forms, with lit impasto",
    manner="as an oil painting",
    render=render,
    aliases=("oil", "oil painting", "oils", "painting", "painterly", "peinture", "peinture a l huile", "huile",
             "tableau", "classical painting", "old master", "old masters"),
    approximates=("rembrandt", "vermeer", "caravaggio", "da vinci", "leonardo", "titian", "velazquez", "courbet",
                  "realism", "baroque", "renaissance", "sargent", "hopper", "cezanne", "gauguin"),
    display={"rembrandt": "Rembrandt", "vermeer": "Vermeer", "caravaggio": "Caravaggio", "da vinci": "da Vinci",
             "leonardo": "Leonardo", "titian": "Titian", "velazquez": "Velázquez", "courbet": "Courbet",
             "sargent": "Sargent", "hopper": "Hopper", "cezanne": "Cézanne", "gauguin": "Gauguin"},
    margin=24,
))
