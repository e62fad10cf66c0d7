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
    lines = ol.dodge_lines(lum, ctx.px(3.0), strength=2.2).pow(0.8)
    lines = lines.max(ol.xdog_ink(lum, ctx.px(0.9), tau=0.985, eps=-0.01, phi=40) * 0.6)
    # Tone the hatching follows: smoothed, highlights pushed to white paper.
    tone = ops.gaussian(lum, ctx.px(1.5))
    dark = (1.0 - ops.levels(tone, 0.0, 0.88, 0.9)).clamp(0, 1)
    across = max(1.0, ctx.px(1.4))
    along = ctx.px(14.0)
    h1 = ol.tone_threshold(dark * 1.15, ol.streaks(h, w, ctx, -60.0, across, along, salt=11), 0.12)
    h2 = ol.tone_threshold((dark - 0.4) * 1.6, ol.streaks(h, w, ctx, 30.0, across, along * 0.8, salt=12), 0.12)
    h3 = ol.tone_threshold((dark - 0.7) * 2.2, ol.streaks(h, w, ctx, -15.0, across, along * 0.7, salt=13), 0.12)
    hatch = 1.0 - (1.0 - h1 * 0.8) * (1.0 - h2 * 0.85) * (1.0 - h3 * 0.9)
    # A soft graphite wash under the strokes keeps the form readable.
    ink = 1.0 - (1.0 - hatch) * (1.0 - lines) * (1.0 - dark.pow(2.0) * 0.35)
    # Paper tooth: graphite catches on the ridges, leaving fine white specks in the strokes.
    tooth = ol.paper_tooth(h, w, ctx, 0.9, salt=21, grain_mix=0.4)
    ink = ink * (0.62 + 0.38 * tooth)
    # Graphite is a grey with a slight sheen, never pure black.
    value = 1.0 - ink * 0.82
    paper = 0.97 + 0.03 * ctx.noise(h, w, 40.0, salt=22)
    out = (value * paper).clamp(0, 1)
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
