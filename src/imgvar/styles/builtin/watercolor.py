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
    return {"palette": ops.kmeans_colors(smooth, 10, ctx.seed), "lum_hi": float(ops.luminance(smooth).quantile(0.9))}


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    dev = x.device
    f = 2  # washes are smooth: build them at half resolution
    hs, ws = ow.half_size(x, f)
    small = ops.resize(x, (hs, ws), "area")

    # Abstraction: Kuwahara flattens texture, then colours are pulled toward a few washes.
    abstract = ops.kuwahara(small, max(1, round(ctx.px(5) / f)))
    abstract = ops.kuwahara(abstract, max(1, round(ctx.px(3) / f)))
    palette = ctx.globals["palette"].to(dev)
    regions = ops.blend(abstract, ow.soft_quantise(abstract, palette, 0.06), 0.7)

    # Wet-in-wet: where the image is calm the colours bleed into each other.
    grad = ow.gradient_magnitude(ops.gaussian(regions, max(0.7, ctx.px(1.5) / f))) * (ctx.unit * f / 2)
    calm = 1.0 - ow.smoothstep(0.01, 0.05, ops.gaussian(grad, max(1.0, ctx.px(3) / f)))
    wet = ops.gaussian(regions, max(1.0, ctx.px(7) / f))
    regions = ops.blend(regions, wet, calm * 0.85 + 0.1)
    # Hand-made washes: the region borders wobble.
    regions = ow.warp(regions, ctx, f, 2.5, 16, salt=31)

    # Edge darkening: pigment pools where a wash meets another.
    edge = ow.gradient_magnitude(ops.gaussian(regions, max(0.6, ctx.px(1.0) / f))) * (ctx.unit * f / 2)
    edge = (edge * 9.0).clamp(0, 1)

    # Turbulent flow: low-frequency pigment density variation, computed small and upsampled.
    turb = ow.noise_at(ctx, hs, ws, f, 55, salt=32, octaves=3) - 0.5
    flow = ow.noise_at(ctx, hs, ws, f, 14, salt=33, octaves=2) - 0.5
    low = torch.cat([regions, edge, turb + 0.6 * flow], dim=1)
    low = ops.resize(low, (h, w))
    colour, edge, turbulence = low[:, :3], low[:, 3:4], low[:, 4:5]

    # Transparent pigment: lighter than the photo, the lightest areas become bare paper.
    colour = 1.0 - (1.0 - colour) * 0.88
    colour = ops.saturate(colour, 1.15)
    lum = ops.luminance(colour)
    hi = max(0.6, min(0.92, ctx.globals.get("lum_hi", 0.85)))
    ragged = ctx.noise(h, w, 6, salt=34, octaves=2) - 0.5
    bare = ow.smoothstep(hi - 0.06, hi + 0.03, lum + 0.08 * ragged)

    # Pigment granulation: multi-octave fine noise, stronger in the darker washes.
    gran = ctx.noise(h, w, 2.2, salt=35, octaves=3) - 0.5
    grain = ctx.grain(h, w, salt=36) - 0.5
    darkness = (1.0 - lum).clamp(0, 1)
    d = 1.0 + 0.55 * turbulence + gran * (0.35 + 1.1 * darkness) + 0.12 * grain + 0.75 * edge
    colour = ow.density(colour, d)

    paper = torch.tensor(PAPER, device=dev).view(1, 3, 1, 1)
    colour = ops.blend(colour, torch.ones_like(colour), bare)
    # Paper texture: fine cold-pressed relief under the paint and on the bare paper.
    tooth = ctx.noise(h, w, 1.3, salt=37, octaves=2) * 0.7 + (grain + 0.5) * 0.3
    colour = colour * paper * ops.relief(tooth, 0.9 / max(1.0, ctx.unit) ** 0.5)

    # Loose pencil under-drawing: light XDoG lines, broken up by noise.
    lum_full = ops.luminance(x)
    lines = ops.xdog(lum_full, max(0.8, ctx.px(1.3)), tau=0.985, eps=0.02, phi=60.0)
    breaks = ow.smoothstep(0.35, 0.65, ctx.noise(h, w, 10, salt=38, octaves=2))
    pencil = torch.tensor(PENCIL, device=dev).view(1, 3, 1, 1)
    colour = ops.blend(colour, colour * pencil, (1.0 - lines) * breaks * 0.55)
    return colour.clamp(0, 1)


register(StylePreset(
    name="watercolor",
    description="watercolour: transparent washes with dark pooled edges, pigment granulation and paper grain",
    manner="as a watercolour painting",
    render=render,
    prepare=prepare,
    aliases=("watercolor", "watercolour", "watercolors", "watercolours", "water color", "water colour",
             "aquarelle", "aquarelles", "aquarelliste", "lavis d aquarelle", "wash painting", "gouache"),
    approximates=("turner", "william turner", "romanticism", "romantisme", "romantic", "romantique",
                  "winslow homer", "homer", "sargent watercolor", "sargent watercolour", "cezanne watercolor",
                  "durer", "andrew wyeth", "wyeth"),
    display={"turner": "Turner", "william turner": "William Turner", "winslow homer": "Winslow Homer",
             "homer": "Winslow Homer", "sargent watercolor": "Sargent", "sargent watercolour": "Sargent",
             "cezanne watercolor": "Cézanne", "durer": "Dürer", "andrew wyeth": "Andrew Wyeth", "wyeth": "Wyeth",
             "romanticism": "Romanticism", "romantisme": "romantisme"},
    margin=32,
    version="1",
))
