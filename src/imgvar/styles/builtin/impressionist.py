"""Impressionism after Monet: short broken dabs of light, high-key colour on a woven canvas.

An approximation of Hertzmann's layered painting with dabs instead of spline
strokes: a coarse layer of short flow-oriented dabs covers everything, then a
fine layer is laid on top where the image has detail. Dabs are short ellipses
from a jittered grid, found by nearest centre under an anisotropic distance
(long along the flow), so each dab is one touch of one colour: the blurred image
at its centre, with a little per-dab hue and value jitter (broken colour). The
palette is lifted and softened (high key, pastel, violet shadows) and the paint
sits on a light canvas weave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_paint as pt
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

LIGHT = (1.0, 0.97, 0.88)  # warm sunlight
SHADOW = (0.42, 0.42, 0.70)  # violet-blue shadows
CANVAS = (0.93, 0.90, 0.82)

# The look, in one place (sizes in stroke units).
PARAMS = dict(
    sat=1.4,  # colour boost before the high-key lift
    coarse=12.0,  # coarse dab spacing (dabs are about this size)
    fine=6.0,  # fine dab spacing
    elong=2.4,  # dab length / width
    jit=0.11,  # per-dab colour jitter (broken colour)
    fine_thr=0.1,  # colour error above which a fine dab is laid
    gap=0.7,  # canvas shows between coarse dabs beyond this normalised distance
    bristle=0.4,  # bristle streaks in the height field
    dome=0.4,  # dab domes in the height field
    relief=1.5,  # impasto light
)


def _high_key(x: torch.Tensor) -> torch.Tensor:
    """Lift values, soften contrast, tint lights warm and shadows violet, a little more colour."""
    y = ops.luminance(x)
    x = ops.saturate(x, PARAMS["sat"])
    x = 0.11 + 0.87 * x.clamp(0, 1).pow(0.85)
    x = ops.contrast(x, 0.92, 0.6)
    light = ops.color(LIGHT, x.device)
    shadow = ops.color(SHADOW, x.device)
    x = ops.blend(x, x * light, 0.6)
    x = ops.blend(x, shadow * (0.5 + y), ((0.5 - y) * 0.6).clamp(0, 0.18))
    return x.clamp(0, 1)


def _layer(al: pt.Aligned, src: torch.Tensor, flow: torch.Tensor, cell: float, elong: float, jit: float,
           salt: int):
    """One layer of dabs: colour (1, 3, h, w) with and without the per-dab jitter, squared
    normalised distance to the dab centre, the centre position and a per-dab random number."""
    import torch

    xs, ys = al.coords()
    d2, cx, cy, flat, lat = pt.dab_cells(xs, ys, flow, cell, elong, al.seed, salt)
    col = pt.sample_at(src, cx, cy, al, al.f)
    # Broken colour: each dab shifts its value and hue a little on its own.
    r = [lat.gather(lat.table(10 + k), flat) - 0.5 for k in range(4)]
    shift = torch.cat([r[0], r[1], r[2]], dim=1) * jit + r[3] * jit * 0.9
    return (col + shift).clamp(0, 1), col, d2, cx, cy, lat.gather(lat.table(20), flat)


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    P = PARAMS
    al = pt.Aligned(x, ctx, 2)
    half = al.small()
    lum = ops.luminance(ops.gaussian(half, ctx.px(1.5) / 2))
    tangent, aniso = ops.flow_field(lum, ctx.px(4) / 2)
    energy = pt.grad_energy(lum, ctx.px(3) / 2)
    # Flat areas: dabs lie in a loose, mostly horizontal hatching that wanders a little.
    wander = pt.wave_field(al.noise(ctx.px(40), salt=31), 1.6, 0.0)
    flow = pt.steer(tangent, wander, 1.0 - ops.smoothstep(0.1, 0.5, aniso) * ops.smoothstep(0.004, 0.02, energy))

    paint = _high_key(half)
    coarse_src = ops.gaussian(paint, ctx.px(3.5) / 2)
    fine_src = ops.gaussian(paint, ctx.px(1.2) / 2)
    c_col, c_plain, c_d2, _, _, _ = _layer(al, coarse_src, flow, ctx.px(P["coarse"]), P["elong"], P["jit"], 41)
    f_col, _, f_d2, fcx, fcy, f_rand = _layer(al, fine_src, flow, ctx.px(P["fine"]), P["elong"], P["jit"] * 0.6, 61)

    # Fine dabs go where the coarse layer misses the image (Hertzmann's criterion, decided per dab
    # from the error around its centre), as ellipses over the coarse layer.
    err = ops.gaussian((c_plain - fine_src).abs().sum(1, keepdim=True), ctx.px(P["fine"]) / 2)
    e_at = pt.sample_at(err, fcx, fcy, al, al.f)
    keep = (e_at + (f_rand - 0.5) * 0.08 > P["fine_thr"]).float()
    f_mask = keep * ops.smoothstep(1.0, 0.55, f_d2)
    col = ops.blend(c_col, f_col, f_mask)

    # Dabs as low domes of paint with bristle streaks, lit from the upper left.
    bristle = ops.lic(al.noise(ctx.px(1.2), salt=33), flow, ctx.px(4) / 2, steps=3)
    dome = ops.blend((1.0 - c_d2).clamp(min=0), (1.0 - f_d2).clamp(min=0), f_mask)
    height = dome * P["dome"] + bristle * P["bristle"]
    # Canvas peeks through between coarse dabs.
    canvas_col = ops.color(CANVAS, x.device)
    gap = ops.smoothstep(P["gap"], P["gap"] + 0.4, c_d2) * (1.0 - f_mask) * 0.6
    col = ops.blend(col, canvas_col, gap)

    full = ops.resize(col, (al.H, al.W))
    weave = pt.canvas_weave(al, ctx.px(3.0), salt=35)
    out = full * pt.shading(height, P["relief"], (al.H, al.W)) * (1.0 + 0.035 * weave)
    return al.crop(out.clamp(0, 1))


register(StylePreset(
    name="impressionist",
    description="impressionism after Monet: short broken dabs of light, high-key colour, canvas weave",
    manner="as an impressionist painting in the manner of Monet",
    render=render,
    aliases=("monet", "claude monet", "impressionism", "impressionist", "impressionnisme", "impressionniste",
             "renoir", "pissarro", "sisley", "water lilies", "nympheas", "les nympheas", "plein air",
             "en plein air"),
    approximates=("degas", "manet", "morisot", "berthe morisot", "cassatt", "mary cassatt", "caillebotte",
                  "bazille", "sorolla"),
    display={"monet": "Monet", "claude monet": "Claude Monet", "impressionism": "impressionism",
             "impressionist": "impressionist", "impressionnisme": "impressionnisme",
             "impressionniste": "impressionniste", "renoir": "Renoir", "pissarro": "Pissarro",
             "sisley": "Sisley", "water lilies": "Monet's Water Lilies", "nympheas": "Les Nymphéas",
             "les nympheas": "Les Nymphéas", "plein air": "plein air", "en plein air": "en plein air",
             "degas": "Degas", "manet": "Manet", "morisot": "Morisot", "berthe morisot": "Berthe Morisot",
             "cassatt": "Cassatt", "mary cassatt": "Mary Cassatt", "caillebotte": "Caillebotte",
             "bazille": "Bazille", "sorolla": "Sorolla"},
    margin=32,
))
