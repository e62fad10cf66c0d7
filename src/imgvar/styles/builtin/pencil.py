"""Graphite pencil sketch: dodge outlines, diagonal hatching with cross-hatching in the darks, paper tooth."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_lines as ol
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    lum = ops.luminance(small).flatten()
    lo, hi = torch.quantile(lum, torch.tensor([0.02, 0.97], device=lum.device)).tolist()
    return {"black": lo, "white": max(hi, lo + 0.2)}


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    h, w = x.shape[-2:]
    g = ctx.globals
    lum = ops.levels(ops.luminance(x), g.get("black", 0.0), g.get("white", 1.0))
    # Outlines: colour dodge of the inverted blur, sharpened a little by a fine XDoG.
    soft = ops.gaussian(lum, ctx.px(0.6))
    lines = ol.dodge_lines(soft, ctx.px(3.0), strength=2.2)
    lines = ((lines - 0.06) * 1.3).clamp(0, 1).pow(0.8)
    lines = lines.max(ol.xdog_ink(soft, ctx.px(0.9), tau=0.985, eps=-0.01, phi=40) * 0.5)
    # Tone the hatching follows: smoothed, highlights pushed to white paper.
    tone = ops.gaussian(lum, ctx.px(1.2))
    dark = (1.0 - ops.levels(tone, 0.02, 0.82, 0.7)).clamp(0, 1)
    spacing = ctx.px(3.2)
    length = ctx.px(18.0)
    # Hand-drawn lines bend a little.
    drift = ctx.noise(h, w, 45.0, salt=10)
    wobble = (drift - 0.5) * 0.6
    kw = dict(wobble=wobble, irregularity=1.0, min_width=0.35, aa_px=0.9)
    h1 = ol.hatch((dark * 1.2 - 0.08).clamp(0, 1) * 0.75, ctx, -58.0, spacing, length, salt=11, **kw)
    h2 = ol.hatch(((dark - 0.55) * 2.0).clamp(0, 1) * 0.7, ctx, 32.0, spacing * 1.1, length * 0.8, salt=12, **kw)
    h3 = ol.hatch(((dark - 0.78) * 3.0).clamp(0, 1) * 0.7, ctx, -12.0, spacing * 0.9, length * 0.7, salt=13, **kw)
    hatch = 1.0 - (1.0 - h1) * (1.0 - h2) * (1.0 - h3)
    # Paper tooth: graphite catches on the ridges, leaving fine white specks in the strokes
    # (light hatching shows the grain most, pressed outlines least).
    tooth = ol.paper_tooth(h, w, ctx, ctx.px(1.0), salt=21, grain_mix=0.4)
    hatch = hatch * 0.85 * (0.5 + 0.5 * tooth)
    wash = dark.pow(2.0) * 0.3 * (0.55 + 0.45 * tooth)
    lines = lines * (0.75 + 0.25 * tooth)
    ink = 1.0 - (1.0 - hatch) * (1.0 - lines) * (1.0 - wash)
    # Graphite is a grey with a slight sheen, never pure black: dense, burnished areas catch the light.
    value = 1.0 - ink * 0.84 + ink.pow(3.0) * (0.04 + 0.08 * drift)
    out = (value * (0.985 + 0.015 * tooth)).clamp(0, 1)
    return out.expand(-1, 3, -1, -1).contiguous()


register(StylePreset(
    name="pencil",
    description="graphite pencil sketch: outlines, diagonal hatching and cross-hatching, paper tooth",
    manner="as a graphite pencil sketch",
    render=render,
    prepare=prepare,
    aliases=("pencil", "pencil sketch", "pencil drawing", "graphite", "sketch", "drawing", "crayon", "au crayon",
             "dessin", "dessin au crayon", "croquis", "esquisse", "mine de plomb"),
    approximates=("line drawing", "blueprint", "etching", "gravure", "engraving", "durer"),
    display={"durer": "Dürer", "mine de plomb": "mine de plomb"},
    margin=16,
))
