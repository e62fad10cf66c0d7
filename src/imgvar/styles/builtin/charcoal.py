"""Charcoal on toned paper: smudged dark masses, grainy strokes along the forms, chalk highlights."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_lines as ol
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

PAPER = (0.74, 0.70, 0.64)  # warm grey Ingres paper
CHARCOAL = (0.11, 0.105, 0.11)
CHALK = (0.97, 0.96, 0.93)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    lum = ops.luminance(small).flatten()
    lo, mid, hi = torch.quantile(lum, torch.tensor([0.02, 0.5, 0.98], device=lum.device)).tolist()
    return {"black": lo, "white": max(hi, lo + 0.2), "median": mid}


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    g = ctx.globals
    # Charcoal is a soft medium: tones, smudges, strokes and contours are all drawn at half
    # resolution; only the paper tooth that breaks them up is full resolution.
    half, hctx, key = ol.half_res(x, ctx)
    lum = ops.levels(ops.luminance(half), g.get("black", 0.0), g.get("white", 1.0))
    # Strong contrast around the image's own median: charcoal drawings are bold.
    mid = (g.get("median", 0.5) - g.get("black", 0.0)) / max(g.get("white", 1.0) - g.get("black", 0.0), 1e-3)
    mid = min(max(0.5 * mid + 0.22, 0.35), 0.6)
    tone = torch.sigmoid((ops.gaussian(lum, hctx.px(1.0)) - mid) * 6.5)
    # Masses and strokes smudged along the flow of the forms.
    hh, hw = lum.shape[-2:]
    tangent, aniso = ops.flow_field(lum, hctx.px(5.0))
    edges = ol.edge_weight(lum, hctx.px(3.0), gain=30.0 * hctx.unit)
    tangent = ol.steer(tangent, ops.gaussian(aniso, hctx.px(4.0)) * edges, -55.0, strength=2.0)
    # One LIC smears both the blurred tone (smudged masses) and grain (stroke texture).
    grain = ol.fast_grain(hh, hw, hctx, salt=31)
    both = ops.lic(torch.cat([ops.gaussian(tone, hctx.px(3.0)), grain], dim=1), tangent, hctx.px(10.0), steps=4)
    mass = both[:, 0:1]
    strokes = ((both[:, 1:2] - 0.5) * 4.0 + 0.5).clamp_(0, 1)
    dark = 1.0 - (0.7 * tone + 0.3 * mass)
    # Grainy stroke texture modulates the pressure; the lights stay mostly bare paper.
    base = (dark * 1.12 - 0.1).clamp_(0, 1)
    amount = (base + (strokes - 0.5) * 0.5 * (base * 2.5).clamp_(max=1.0) * (1.0 - base * 0.6)).clamp_(0, 1)
    # Contour strokes: a thick XDoG plus the dodge of the blur for the features, broken up by the grain.
    soft = ops.gaussian(lum, hctx.px(0.7))
    lines = ol.xdog_ink(soft, hctx.px(1.3), tau=0.98, eps=-0.01, phi=25)
    lines = lines.max(ol.dodge_lines(soft, hctx.px(4.0), strength=2.0).pow(0.9) * 0.8)
    amount = amount.max(lines * (0.55 + 0.45 * strokes))
    # White chalk on the lights (the paper itself is the mid-tone), following the strokes.
    light = ((0.38 - dark) * 2.6 + (strokes - 0.5) * 0.4).clamp_(0, 1)
    up = ol.from_half(torch.cat([amount, light, strokes], dim=1), key)
    amount, light, strokes = up[:, 0:1], up[:, 1:2], up[:, 2:3]
    # Heavy paper tooth catches the charcoal: light pressure marks only the peaks.
    tooth = ol.paper_tooth(h, w, ctx, ctx.px(1.5), salt=32, grain_mix=0.2)
    # The stick drags along its stroke: the catch follows the streaks as well as the paper.
    catch = tooth * 0.55 + strokes * 0.45
    cover = ol.deposit(amount, catch, hardness=4.0, smooth=0.6)
    chalk = ol.deposit(light * (1.0 - cover) * 0.9, catch, hardness=4.0, smooth=0.45)
    # Paper, then charcoal over it, then chalk over both, as single-channel weights of three colours
    # mixed in one pass (cheaper than compositing three RGB layers).
    lit = (0.96 + 0.06 * ctx.noise(h, w, 60.0, salt=33)) * (0.97 + 0.05 * tooth)
    bare = 1.0 - chalk
    weights = torch.cat([lit * (1.0 - cover) * bare, cover * bare, chalk], dim=1)
    colours = torch.tensor((PAPER, CHARCOAL, CHALK), device=x.device)
    return torch.einsum("bkhw,kc->bchw", weights, colours).clamp_(0, 1)


register(StylePreset(
    name="charcoal",
    description="charcoal drawing on toned paper: smudged masses, grainy strokes along the forms, chalk lights",
    manner="as a charcoal drawing",
    render=render,
    prepare=prepare,
    aliases=("charcoal", "charcoal drawing", "fusain", "au fusain", "dessin au fusain", "conte", "conte crayon",
             "chalk", "craie",
             # An alias, not an approximation: "drawing" alone names pencil, and aliases are matched first.
             # Seurat's drawings are conte crayon on textured paper, which is this preset.
             "seurat drawing"),
    approximates=("kathe kollwitz", "kollwitz"),
    display={"kathe kollwitz": "Käthe Kollwitz", "kollwitz": "Kollwitz", "seurat drawing": "Seurat's drawings",
             "conte": "conté", "conte crayon": "conté crayon"},
    margin=40,
    version="2",
))
