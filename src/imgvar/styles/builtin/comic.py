"""Comic / cartoon: cel shading in a few flat lightness bands, bold XDoG ink lines, halftone in the shadows."""

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

    lab = ops.rgb_to_lab(ops.kuwahara(small, 3))
    L = lab[:, 0].flatten()
    lo, hi = torch.quantile(L, torch.tensor([0.02, 0.985], device=L.device)).tolist()
    hi = max(hi, lo + 25.0)
    # Band edges at fixed fractions of the image's own lightness range (like posterising).
    edges = [lo + (hi - lo) * f for f in (0.28, 0.52, 0.78)]
    return {"edges": edges, "lo": lo, "hi": hi}


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    g = ctx.globals
    # Flatten texture at half resolution: Kuwahara keeps edges, a little blur rounds the patches.
    half, hctx, key = ol.half_res(x, ctx)
    flat = ops.kuwahara(half, max(2, round(hctx.px(4.0))), sharpness=10.0)
    flat = ops.gaussian(flat, hctx.px(0.8))
    lab_half = ops.rgb_to_lab(flat)
    lab = ol.from_half(lab_half, key)
    L, ab = lab[:, 0:1], lab[:, 1:3]
    edges = g.get("edges", [35.0, 55.0, 75.0])
    lo, hi = g.get("lo", 5.0), g.get("hi", 95.0)
    # Cel shading: lightness quantised into four bands (shadow, mid, light, highlight), kept in order.
    values = [max(lo, 12.0) * 0.6 + 6.0, 0.0, 0.0, min(hi + 4.0, 98.0)]
    values[1] = values[0] + (values[3] - values[0]) * 0.42
    values[2] = values[0] + (values[3] - values[0]) * 0.72
    Lq = ol.smooth_quantise(L, edges, values, softness=2.0)
    # Comic colours are cleaner and a little louder than life.
    ab = ab * 1.35
    rgb = ops.lab_to_rgb(torch.cat([Lq, ab], dim=1)).clamp(0, 1)
    # Light halftone dots in the shadow band.
    shadow = ((edges[0] - L) / 3.0 + 0.5).clamp(0, 1)
    dots = ol.halftone(h, w, ctx, shadow * 0.28, ctx.px(5.0), angle_deg=45.0, aa_px=max(0.7, ctx.px(0.6)))
    rgb = rgb * (1.0 - dots * 0.55)
    # Bold ink: XDoG on the flattened lightness for the contours, on the lightly blurred photo for
    # the features, then thickened a little.
    bold = ol.xdog_ink(L / 100.0, ctx.px(1.8), tau=0.98, eps=-0.005, phi=80.0)
    fine = ol.xdog_ink(ops.gaussian(ops.luminance(x), ctx.px(0.8)), ctx.px(1.4), tau=0.985, eps=-0.005, phi=60.0)
    ink = bold.max(fine * 0.9)
    ink = ol.dilate(ink, ctx.px(0.6))
    ink = ops.gaussian(ink, max(0.3, ctx.px(0.4)))
    ink = ((ink - 0.2) * 1.8).clamp(0, 1)
    # Printed on slightly warm paper with a faint grain.
    paper = 0.985 + 0.015 * ctx.noise(h, w, 1.5, salt=41)
    out = rgb * (1.0 - ink) * paper
    return out.clamp(0, 1)


register(StylePreset(
    name="comic",
    description="comic book / cartoon: flat cel-shaded colour bands, bold black ink lines, halftone shadows",
    manner="as a comic book illustration",
    render=render,
    prepare=prepare,
    aliases=("comic", "comics", "comic book", "cartoon", "cartoonish", "bande dessinee", "bd", "dessin anime",
             "manga", "anime", "cel shading", "cel shaded", "toon", "graphic novel", "ligne claire", "tintin",
             "herge"),
    approximates=("disney", "pixar", "ghibli", "miyazaki", "moebius"),
    display={"tintin": "Tintin", "herge": "Hergé", "bande dessinee": "bande dessinée", "dessin anime": "dessin animé",
             "disney": "Disney", "pixar": "Pixar", "ghibli": "Studio Ghibli", "miyazaki": "Miyazaki",
             "moebius": "Moebius"},
    margin=24,
))
