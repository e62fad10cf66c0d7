"""Transparent watercolour after Bousseau et al. 2006, "Interactive watercolor rendering with temporal
coherence and abstraction": abstracted colour regions, wet-in-wet bleeding, pigment density
C' = C - (C - C^2)(d - 1) modulated by edge darkening, granulation, turbulent flow and paper grain,
white paper left in the lights, and a loose pencil under-drawing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_wash as ow
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

PAPER = (0.985, 0.972, 0.94)  # cold-pressed paper, faintly warm
PENCIL = (0.42, 0.40, 0.40)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    smooth = ops.gaussian(small, 1.5)
    return {"palette": ops.kmeans_colors(smooth, 10, ctx.seed), "white": float(smooth.min(dim=1).values.quantile(0.92))}


def _render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    dev = x.device
    f = 2  # washes are smooth: build them at half resolution
    hs, ws = ow.half_size(x, f)
    small = ops.resize(x, (hs, ws), "area")

    # Abstraction: Kuwahara flattens texture; the tones are then gathered into a few flat washes
    # (a soft staircase on lightness), and the colours pulled a little toward the image's palette.
    abstract = ops.kuwahara(small, max(1, round(ctx.px(4) / f)))
    palette = ctx.globals["palette"].to(dev)
    abstract = ops.blend(abstract, ow.soft_quantise(abstract, palette, 0.07), 0.2)
    lum = ops.luminance(abstract)
    regions = (abstract + (ow.tone_steps(lum, 6, 0.22) - lum)).clamp(0, 1)

    # Wet-in-wet: where the image is calm the colours bleed into each other.
    grad = ow.gradient_magnitude(ops.gaussian(abstract, max(0.7, ctx.px(1.5) / f))) * (ctx.unit * f / 2)
    calm = 1.0 - ops.smoothstep(0.01, 0.05, ops.gaussian(grad, max(1.0, ctx.px(3) / f)))
    wet = ops.gaussian(regions, max(1.0, ctx.px(6) / f))
    regions = ops.blend(regions, wet, calm * 0.7 + 0.1)
    # Hand-made washes, laid as two transparent glazes (each about half the pigment) whose borders
    # wobble independently: where they part, a paler fringe; where they overlap, a darker one.
    glaze = regions.clamp(min=1e-3).sqrt()
    regions = ow.warp(glaze, ctx, f, 2.5, 16, salt=31) * ow.warp(glaze, ctx, f, 2.0, 11, salt=41)

    # Transparent pigment: lighter than the photo, the lightest areas are left as bare paper.
    # Bare paper where the least-inked channel is near white (pale tints stay as washes).
    whiteness = regions.min(dim=1, keepdim=True).values
    hi = max(0.55, min(0.93, ctx.globals.get("white", 0.85)))
    ragged = ow.noise_at(ctx, hs, ws, f, 14, salt=34, octaves=2) - 0.5
    bare = ops.smoothstep(hi - 0.03, hi + 0.03, whiteness + 0.06 * ragged)
    regions = ops.saturate(1.0 - (1.0 - regions) * 0.86, 1.35)
    regions = ops.blend(regions, torch.ones_like(regions), bare)

    # Edge darkening: pigment pools where a wash meets another or the bare paper.
    edge = ow.gradient_magnitude(ops.gaussian(regions, max(0.6, ctx.px(1.0) / f))) * (ctx.unit * f / 2)
    edge = (edge * 9.0).clamp(0, 1)

    # Turbulent flow: low-frequency pigment density variation, computed small and upsampled.
    turb = ow.noise_at(ctx, hs, ws, f, 55, salt=32, octaves=3) - 0.5
    flow = ow.noise_at(ctx, hs, ws, f, 14, salt=33, octaves=2) - 0.5
    low = torch.cat([regions, edge, turb + 0.6 * flow], dim=1)
    low = ops.resize(low, (h, w))
    colour, edge, turbulence = low[:, :3], low[:, 3:4], low[:, 4:5]
    lum = ops.luminance(colour)

    # Pigment granulation: multi-octave fine noise, stronger in the darker washes.
    gran = ctx.noise(h, w, ow.paper_units(ctx, 2.2), salt=35, octaves=3) - 0.5
    grain = ctx.grain(h, w, salt=36) - 0.5
    darkness = (1.0 - lum).clamp(0, 1)
    d = 1.0 + 0.45 * turbulence + gran * (0.2 + 0.8 * darkness) + 0.04 * grain + 0.9 * edge
    colour = ow.density(colour, d)

    paper = ops.color(PAPER, dev)
    # Paper texture: fine cold-pressed relief under the paint and on the bare paper.
    tooth = ctx.noise(h, w, ow.paper_units(ctx, 1.3), salt=37, octaves=2) * 0.7 + (grain + 0.5) * 0.3
    colour = colour * paper * ops.relief(tooth, 0.15)

    # Loose pencil under-drawing: light XDoG lines, broken up by noise.
    lum_full = ops.luminance(x)
    lines = ow.dog_lines(lum_full, max(0.7, ctx.px(0.9)), threshold=0.02, sharpness=70.0)
    breaks = ops.smoothstep(0.3, 0.6, ctx.noise(h, w, 12, salt=38, octaves=2))
    pencil = ops.color(PENCIL, dev)
    colour = ops.blend(colour, colour * pencil, lines * breaks * 0.5)
    return colour.clamp(0, 1)


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    # Tiles are cropped to an 8-pixel grid so the reduced-resolution passes (and the pyramids of the
    # wider blurs) use the same pixel blocks as the whole image: tiles then meet without seams.
    tile, tile_ctx, pads = ow.align(x, ctx, 8)
    return ow.unalign(_render(tile, tile_ctx), pads)


register(StylePreset(
    name="watercolor",
    description="watercolour: transparent washes with dark pooled edges, pigment granulation and paper grain",
    manner="as a watercolour painting",
    render=render,
    prepare=prepare,
    aliases=("watercolor", "watercolour", "watercolors", "watercolours", "water color", "water colour",
             "aquarelle", "aquarelles", "aquarelliste", "lavis d aquarelle", "wash painting", "gouache",
             "sargent watercolor", "sargent watercolour"),
    approximates=("turner", "william turner", "romanticism", "romantisme", "winslow homer", "andrew wyeth"),
    display={"turner": "Turner", "william turner": "William Turner", "winslow homer": "Winslow Homer",
             "sargent watercolor": "Sargent", "sargent watercolour": "Sargent", "andrew wyeth": "Andrew Wyeth",
             "romanticism": "Romanticism"},
    margin=32,
    version="1",
))
