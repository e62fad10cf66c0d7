"""Post-impressionism after Van Gogh: thick curved strokes that follow the forms and swirl in the sky.

The structure-tensor flow gives the stroke direction where the image has
structure; in flat areas (skies, walls) it is steered toward a field of a few
vortices placed from a hashed lattice, so skies turn into spirals. Strokes are
line integral convolutions of stroke-wide noise along that flow; each stroke
carries one colour (the image smeared along the flow, pushed toward
ultramarine/cobalt and chrome yellow/orange, more saturated) with its own
lighter or darker value, and the stroke height field is lit as impasto. Thin
dark-blue contour strokes outline the main edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_paint as pt
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

BLUE_POLE = 0.615  # ultramarine / cobalt
YELLOW_POLE = 0.12  # chrome yellow / orange
DEEP_BLUE = (0.07, 0.11, 0.36)  # contour strokes

# The look, in one place (sizes in stroke units).
PARAMS = dict(
    pull=0.55,  # how far hues move toward the blue and yellow poles (0..1)
    grey_jitter=0.6,  # per-stroke jitter of the blue-shadow / yellow-light split of greys
    cell=8.0,  # stroke width: seeds are blocks this wide...
    pre=2.0,  # ...softened this much...
    len=14.0,  # ...and smeared along the flow this far (LIC half-length)
    steps=6,
    g1=20.0,  # sharpness of the stroke ridges
    g2=14.0,  # sharpness of the per-stroke values
    acc=0.72,  # accents (opposite-pole strokes) where a third seed exceeds this
    local=0.8,  # local contrast boost before smearing, so forms survive
    dark=0.25,  # darkening in the grooves between strokes
    relief=4.0,  # impasto light
)


def _paint(x: torch.Tensor, tone: torch.Tensor, accent: torch.Tensor, shade: torch.Tensor) -> torch.Tensor:
    """Van Gogh's colour, stroke by stroke.

    Hues are pulled toward the blue and yellow poles and saturated; greys become blue in
    the shadows and yellow in the lights (`shade`: value relative to the surroundings),
    the threshold jittered per stroke so that transitions break into interleaved strokes;
    every stroke gets its own value (`tone`, 0..1) and a few (`accent` > 0) take the
    opposite pole, like the yellow strokes in a blue sky.
    """
    import torch

    hsv = ops.rgb_to_hsv(x)
    h, s, v = hsv[:, 0:1], hsv[:, 1:2], hsv[:, 2:3]
    neutral = 1.0 - ops.smoothstep(0.1, 0.42, s)
    h = pt.hue_poles(h, (YELLOW_POLE, BLUE_POLE), PARAMS["pull"])
    warm = torch.full_like(h, YELLOW_POLE + 0.015)
    cold = torch.full_like(h, BLUE_POLE)
    grey_hue = torch.where(v + shade * 1.5 + (tone - 0.5) * PARAMS["grey_jitter"] > 0.7, warm, cold)
    h = torch.where(neutral + (tone - 0.5) * 0.4 > 0.5, grey_hue, h)
    s = torch.maximum(s * 1.8 + 0.12, neutral * 0.5)
    # Accents: the opposite pole.
    bluish = ((h - BLUE_POLE + 0.5) % 1.0 - 0.5).abs() < 0.2
    h = torch.where(accent > 0, torch.where(bluish, warm, cold), h)
    v = torch.where(accent > 0, torch.where(bluish, v.clamp(min=0.75), v * 0.8), v)
    # One value per stroke: darker strokes are richer, lighter ones paler.
    v = (v * (0.74 + 0.5 * tone) + (tone - 0.5).clamp(min=0) * 0.35 * (1 - v)).clamp(0, 1)
    s = (s * (1.25 - 0.45 * tone)).clamp(0, 0.95)
    return ops.hsv_to_rgb(torch.cat([h, s, v], dim=1))


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    al = pt.Aligned(x, ctx, 2)
    half = al.small()
    # Structure: edge tangents, and how much structure there is (flat areas get swirls).
    lum = ops.luminance(ops.gaussian(half, ctx.px(1.0) / 2))
    tangent, aniso = ops.flow_field(lum, ctx.px(3) / 2)
    energy = pt.grad_energy(lum, ctx.px(6) / 2)
    structured = ops.smoothstep(0.004, 0.03, energy) * ops.smoothstep(0.15, 0.6, aniso)

    # Swirls at quarter resolution: a few vortices over an undulating background flow.
    xs, ys = al.coords(4)
    bg = pt.wave_field(al.noise(ctx.px(160), salt=11, factor=4), 2.2, 0.0)
    swirl = pt.swirl_field(xs, ys, ctx.px(380), ctx.seed, salt=12, density=0.55, background=bg, bg_weight=0.3)
    swirl = pt.normalise_field(ops.resize(swirl, (al.h, al.w)))
    flow = pt.steer(tangent, swirl, (1.0 - structured) * 0.95)

    # Strokes: blocky seeds (one value per stroke-wide cell) smeared along the flow into dashes
    # with ends, then sharpened into distinct strokes. The colour is smeared in the same pass
    # (one colour per stroke), after a local contrast boost so forms survive the smearing.
    P = PARAMS
    seeds = torch.cat([al.grain(ctx.px(P["cell"]), salt=1), al.grain(ctx.px(P["cell"]), salt=2),
                       al.grain(ctx.px(P["cell"] * 0.6), salt=4)], dim=1)
    seeds = ops.gaussian(seeds, ctx.px(P["pre"]) / 2)
    base = (half + (half - ops.gaussian(half, ctx.px(14) / 2)) * P["local"]).clamp(0, 1)
    smeared = ops.lic(torch.cat([seeds, base], dim=1), flow, ctx.px(P["len"]) / 2, steps=P["steps"])
    streaks, col = smeared[:, 0:3], smeared[:, 3:6]
    stroke = pt.sigmoid_contrast(streaks[:, 0:1], P["g1"])
    # Strokes vary less where the image has structure, so forms keep their shading.
    tone = 0.5 + (pt.sigmoid_contrast(streaks[:, 1:2], P["g2"]) - 0.5) * (1.0 - 0.5 * structured)
    accent = (streaks[:, 2:3] - P["acc"]) * (1.0 - structured)

    # Colour pushed to the palette, stroke by stroke.
    col = ops.blend(col, base, structured * 0.5)
    shade = lum - ops.gaussian(lum, ctx.px(24) / 2)
    col = _paint(ops.contrast(col, 1.1), tone, accent, shade)
    col = col * (1 - P["dark"] + P["dark"] * stroke)

    # Thin dark-blue contours on the main edges and fine bristle lines, brushed along the flow.
    edges = 1.0 - ops.xdog(lum, ctx.px(1.6) / 2, tau=0.985, eps=-0.005, phi=60.0)
    fine = ops.lic(torch.cat([edges, al.noise(ctx.px(1.3), salt=3)], dim=1), flow, ctx.px(5) / 2, steps=3)
    edges, bristle = fine[:, 0:1] * ops.smoothstep(0.01, 0.05, energy), fine[:, 1:2]
    deep = ops.color(DEEP_BLUE, x.device)
    col = ops.blend(col, deep, (edges * 1.4).clamp(0, 0.85))

    # Impasto: stroke ridges plus the bristle lines, lit from the upper left.
    height = stroke * 0.75 + bristle * 0.6
    full = ops.resize(col, (al.H, al.W))
    out = full * pt.shading(height, P["relief"], (al.H, al.W))
    return al.crop(out.clamp(0, 1))


register(StylePreset(
    name="van_gogh",
    description="post-impressionism after Van Gogh: thick swirling strokes, blue and yellow, heavy impasto",
    manner="as a post-impressionist painting in the manner of Van Gogh",
    render=render,
    aliases=("van gogh", "vangogh", "vincent van gogh", "gogh", "post impressionism", "post impressionist",
             "postimpressionism", "postimpressionist", "postimpressionnisme", "post impressionnisme",
             "post impressionniste", "postimpressionniste", "starry night", "nuit etoilee", "la nuit etoilee"),
    approximates=(),
    display={"van_gogh": "Van Gogh", "van gogh": "Van Gogh", "vangogh": "Van Gogh",
             "vincent van gogh": "Vincent van Gogh",
             "gogh": "Van Gogh", "post impressionism": "post-impressionism",
             "post impressionist": "post-impressionist", "postimpressionism": "post-impressionism",
             "postimpressionist": "post-impressionist", "postimpressionnisme": "postimpressionnisme",
             "post impressionnisme": "post-impressionnisme", "post impressionniste": "post-impressionniste",
             "postimpressionniste": "postimpressionniste", "starry night": "The Starry Night",
             "nuit etoilee": "La Nuit étoilée", "la nuit etoilee": "La Nuit étoilée"},
    margin=32,
))
