"""Expressionism after Munch: a wavering world in long rhythmic strokes of hot and cold colour.

The image is first warped by a smooth displacement field (strongest where the
image is flat, so skies and walls undulate while faces and edges hold). Long
strokes follow the warped structure where there is some, and elsewhere the
contour lines of the smoothed luminance (plus a little noise), which turns
skies into wavy bands. Colour is not naturalistic: luminance bands map onto a
hot ramp (blood red, orange, yellow) or a cold one (deep blue, teal, acid
green), chosen by the original hue so that warm stays warm and cool stays cool,
with streaks of neighbouring bands inside each stroke. Dark brushed outlines
close the forms.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_paint as pt
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

HOT = (
    (0.16, 0.04, 0.07),  # dark crimson-brown
    (0.55, 0.07, 0.06),  # blood red
    (0.86, 0.24, 0.07),  # blood orange
    (0.96, 0.48, 0.10),  # orange
    (0.99, 0.74, 0.22),  # chrome yellow
    (1.00, 0.92, 0.58),  # pale yellow
)
COLD = (
    (0.04, 0.05, 0.14),  # night blue-black
    (0.07, 0.13, 0.40),  # deep prussian blue
    (0.10, 0.28, 0.62),  # cobalt
    (0.16, 0.55, 0.62),  # turquoise
    (0.55, 0.80, 0.26),  # acid green
    (0.84, 0.93, 0.62),  # pale green-yellow
)
INK = (0.05, 0.04, 0.10)

# The look, in one place (sizes in stroke units).
PARAMS = dict(
    warp=24.0,  # largest displacement of the wavering, in flat areas
    slope=300.0,  # flat areas band horizontally: a value slope of 1 per this many units down the frame
    wave=0.12,  # ...plus this much smooth noise, so the bands undulate
    streak_w=6.0,  # width of the long streaks inside strokes
    band_noise=0.10,  # how far band edges wander (smeared along the flow)
    streak=0.14,  # how strongly streaks pick neighbouring bands
    bands=6,  # value bands
    outline=0.9,  # darkest outline opacity
)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    """Whole-image facts every tile must agree on: the luminance range (so values map to colour
    the same way everywhere) and where the image is flat, far from any structure (the warp is
    strongest there; a local estimate would reach further than any tile margin)."""
    lum = ops.luminance(small)
    flat_lum = lum.flatten()
    lo = float(flat_lum.quantile(0.02))
    hi = float(flat_lum.quantile(0.98))
    per_unit = ctx.unit * small.shape[-1] / ctx.width  # small-image pixels per stroke unit
    lum = ops.gaussian(lum, 2.0 * per_unit)
    # Gradient per two stroke units (the thresholds were set on half-resolution 1 MP images).
    energy = pt.grad_energy(lum, 6.0 * per_unit) * (2.0 * per_unit)
    flat = 1.0 - ops.smoothstep(0.003, 0.02, ops.gaussian(energy, 14.0 * per_unit))
    return {"lum_lo": lo, "lum_hi": max(hi, lo + 0.1), "flat": flat}


def _ramp(t: torch.Tensor, colours) -> torch.Tensor:
    """Piecewise-linear colour ramp: t (1, 1, H, W) in 0..1 -> (1, 3, H, W)."""
    import torch

    pal = torch.tensor(colours, device=t.device)
    n = pal.shape[0]
    pos = t.clamp(0, 1) * (n - 1)
    i0 = pos.floor().clamp(max=n - 2).long()
    f = pos - i0.float()
    c0 = pal[i0[:, 0]].permute(0, 3, 1, 2)
    c1 = pal[i0[:, 0] + 1].permute(0, 3, 1, 2)
    return c0 + (c1 - c0) * f


def _bands(t: torch.Tensor, n: int) -> torch.Tensor:
    """Soft staircase: flat bands of value with short transitions."""
    q = t.clamp(0, 1) * n
    base = q.floor()
    return ((base + ops.smoothstep(0.3, 0.7, q - base)) / n).clamp(0, 1)


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch
    import torch.nn.functional as F

    P = PARAMS
    al = pt.Aligned(x, ctx, 2)
    half = al.small()
    # Flat means far from any structure: the warp must not tear small shapes apart.
    xs, ys = al.coords()
    g = ctx.globals
    if "flat" in g:
        flat_grid = torch.stack([(xs / ctx.width * 2 - 1).expand(1, 1, al.h, al.w)[:, 0],
                                 (ys / ctx.height * 2 - 1).expand(1, 1, al.h, al.w)[:, 0]], dim=-1)
        flat = F.grid_sample(g["flat"], flat_grid, mode="bilinear", padding_mode="border", align_corners=False)
    else:
        flat = torch.ones_like(half[:, 0:1])

    # Wavering: smooth displacement, strongest in flat areas.
    disp = torch.cat([al.noise(ctx.px(120), salt=51, octaves=2), al.noise(ctx.px(120), salt=52, octaves=2)], dim=1)
    amp = ctx.px(P["warp"]) / 2 * (0.2 + 0.8 * flat)
    h, w = al.h, al.w
    scale = torch.tensor([2.0 / w, 2.0 / h], device=x.device).view(1, 2, 1, 1)
    offset = (disp - 0.5) * 2.0 * amp * scale
    grid = ops._base_grid(h, w, x.device) + offset.permute(0, 2, 3, 1)
    warped = F.grid_sample(half, grid, mode="bilinear", padding_mode="border", align_corners=False)
    flat_w = F.grid_sample(flat, grid, mode="bilinear", padding_mode="border", align_corners=False)

    # Flow: structure where there is some, otherwise wavy contour lines of the smoothed values.
    lum = ops.luminance(ops.gaussian(warped, ctx.px(1.5) / 2))
    tangent, aniso = ops.flow_field(lum, ctx.px(4) / 2)
    # A gentle slope down the frame keeps flat areas in roughly horizontal bands; noise makes them undulate.
    relief_field = (ops.gaussian(lum, ctx.px(12) / 2) + ys / ctx.px(P["slope"])
                    + (al.noise(ctx.px(150), salt=53, octaves=2) - 0.5) * P["wave"])
    contour = pt.isoline_field(relief_field)
    flow = pt.steer(tangent, contour, (flat_w * 0.9 + (1.0 - aniso) * 0.1).clamp(0, 1))

    # Long strokes of colour, and long streaks that pick neighbouring bands.
    painted = ops.lic(warped, flow, ctx.px(18) / 2, steps=6)
    # Band offsets are smeared along the flow too, so band edges run with the strokes instead of looping.
    seeds = torch.cat([ops.gaussian(al.grain(ctx.px(P["streak_w"]), salt=54), ctx.px(P["streak_w"]) * 0.15),
                       al.noise(ctx.px(30), salt=55)], dim=1)
    smeared = ops.lic(seeds, flow, ctx.px(36) / 2, steps=8)
    streak = pt.sigmoid_contrast(smeared[:, 0:1], 14.0)
    wobble = (smeared[:, 1:2] - 0.5) * 2.0

    lo, hi = g.get("lum_lo", 0.0), g.get("lum_hi", 1.0)
    y = ops.luminance(painted)
    t = ops.blend(y, ((y - lo) / (hi - lo)).clamp(0, 1), 0.6)
    t = t + wobble * P["band_noise"] + (streak - 0.5) * P["streak"]
    t = _bands(t, P["bands"])

    # Hot or cold, from the original hue (warm stays warm); greys by value (lights hot, darks cold).
    lab = ops.rgb_to_lab(painted)
    chroma = (lab[:, 1:2] ** 2 + lab[:, 2:3] ** 2).sqrt()
    warm_hue = torch.sigmoid((lab[:, 1:2] * 0.9 + lab[:, 2:3] * 0.6 - 2.0) / 4.0)  # reds, pinks, oranges, yellows
    warm_grey = ops.smoothstep(0.35, 0.65, t)
    warm = ops.blend(warm_grey, warm_hue, ops.smoothstep(6.0, 18.0, chroma))
    # The deepest shadows always go cold (blue-black against the fire, as in The Scream).
    warm = ops.smoothstep(0.3, 0.7, warm) * ops.smoothstep(0.1, 0.25, y)
    col = ops.blend(_ramp(t, COLD), _ramp(t, HOT), warm)
    col = col * (0.9 + 0.2 * streak)

    # Dark outlines, brushed a little along the flow.
    edges = 1.0 - ops.xdog(lum, ctx.px(2.0) / 2, tau=0.985, eps=-0.004, phi=50.0)
    edges = ops.lic(edges, flow, ctx.px(6) / 2, steps=3)
    ink = ops.color(INK, x.device)
    col = ops.blend(col, ink, (edges * 1.6).clamp(0, P["outline"]))

    full = ops.resize(col, (al.H, al.W))
    board = ops.resize(al.grain(1.0, salt=56), (al.H, al.W)) - 0.5  # a fine tooth in the board
    out = full * pt.shading(streak, 1.5, (al.H, al.W)) * (1.0 + 0.06 * board)
    return al.crop(out.clamp(0, 1))


register(StylePreset(
    name="expressionist",
    description="expressionism after Munch: wavering forms, long rhythmic strokes, hot and cold colour, dark outlines",
    manner="as an expressionist painting in the manner of Munch",
    render=render,
    prepare=prepare,
    aliases=("munch", "edvard munch", "expressionism", "expressionist", "expressionnisme", "expressionniste",
             "the scream", "le cri", "kirchner", "fauvism", "fauvisme", "fauve", "fauvist",
             "fauviste", "die brucke", "der blaue reiter"),
    approximates=("matisse", "derain", "vlaminck", "schiele", "egon schiele", "kandinsky", "nolde",
                  "kokoschka", "franz marc", "soutine", "jawlensky", "macke"),
    display={"munch": "Munch", "edvard munch": "Edvard Munch", "expressionism": "expressionism",
             "expressionist": "expressionist", "expressionnisme": "expressionnisme",
             "expressionniste": "expressionniste", "the scream": "The Scream",
             "le cri": "Le Cri", "kirchner": "Kirchner", "fauvism": "fauvism", "fauvisme": "fauvisme",
             "fauve": "fauve", "fauvist": "fauvist", "fauviste": "fauviste", "die brucke": "Die Brücke",
             "der blaue reiter": "Der Blaue Reiter", "matisse": "Matisse", "derain": "Derain",
             "vlaminck": "Vlaminck", "schiele": "Schiele", "egon schiele": "Egon Schiele",
             "kandinsky": "Kandinsky", "nolde": "Nolde", "kokoschka": "Kokoschka",
             "franz marc": "Franz Marc", "soutine": "Soutine", "jawlensky": "Jawlensky", "macke": "Macke"},
    margin=40,
))
