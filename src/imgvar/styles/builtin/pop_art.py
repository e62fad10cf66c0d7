"""Pop art (Lichtenstein / Warhol): bold flat primaries, Ben-Day dots in the mid-tones, thick black outlines."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .. import ops
from .. import ops_lines as ol
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

# Printing inks: hue anchors (degrees) and the flat colour each hue family is printed in.
INKS = (
    (0.0, (0.89, 0.11, 0.14)),  # red
    (50.0, (1.00, 0.85, 0.08)),  # yellow
    (125.0, (0.10, 0.66, 0.32)),  # green
    (205.0, (0.08, 0.42, 0.82)),  # blue
    (300.0, (0.90, 0.22, 0.58)),  # magenta
)
NEUTRAL = (0.12, 0.40, 0.80)  # greys are printed as blue (Lichtenstein's skies and shadows)
BLACK = (0.06, 0.05, 0.07)
WHITE = (0.99, 0.97, 0.92)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    lum = ops.luminance(ops.kuwahara(small, 3)).flatten()
    q = torch.quantile(lum, torch.tensor([0.02, 0.14, 0.5, 0.86, 0.98], device=lum.device)).tolist()
    lo, hi = q[0], max(q[4], q[0] + 0.15)
    # Band edges: half fixed fractions of the range, half the image's own quantiles.
    fixed = [lo + (hi - lo) * f for f in (0.22, 0.5, 0.78)]
    edges = [0.5 * a + 0.5 * b for a, b in zip(fixed, q[1:4])]
    for i in range(1, 3):
        edges[i] = max(edges[i], edges[i - 1] + 0.05)
    return {"edges": edges}


def _ink_colour(flat: torch.Tensor, sat_threshold: float = 0.14) -> torch.Tensor:
    """Each pixel's printing ink (the flat primary of its hue family, or the neutral blue for greys),
    and a fourth channel: how vivid the pixel is (0..1)."""
    import torch

    hsv = ops.rgb_to_hsv(flat)
    hue, sat = hsv[:, 0:1] * 360.0, hsv[:, 1:2] * hsv[:, 2:3].clamp(min=0.25).sqrt()
    dev = flat.device
    num = torch.zeros_like(flat)
    den = torch.zeros_like(hue)
    for anchor, colour in INKS:
        d = torch.remainder(hue - anchor + 180.0, 360.0) - 180.0
        wgt = torch.exp(-(d / 12.0) ** 2) + 1e-12
        num = num + wgt * ops.color(colour, dev)
        den = den + wgt
    vivid = num / den.clamp(min=1e-6)
    chroma = ((sat - sat_threshold) / 0.04 + 0.5).clamp(0, 1)
    neutral = ops.color(NEUTRAL, dev)
    return torch.cat([neutral + (vivid - neutral) * chroma, chroma * sat.clamp(0, 1)], dim=1)


def _shift(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    """The colour plate moved by about a stroke unit and a half, in a direction picked by the seed."""
    import torch.nn.functional as F

    angle = (ctx.seed * 2.399963) % (2 * math.pi)  # golden angle: neighbouring seeds differ
    dx = int(round(math.cos(angle) * ctx.px(1.6)))
    dy = int(round(math.sin(angle) * ctx.px(1.6)))
    if dx == 0 and dy == 0:
        return x
    h, w = x.shape[-2:]
    p = F.pad(x, (abs(dx), abs(dx), abs(dy), abs(dy)), mode="replicate")
    return p[..., abs(dy) - dy:abs(dy) - dy + h, abs(dx) - dx:abs(dx) - dx + w]


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    dev = x.device
    edges = ctx.globals.get("edges", [0.25, 0.5, 0.75])
    # Flat shapes: smoothed at half resolution, so bands and inks follow shapes, not texture.
    half, hctx, key = ol.half_res(x, ctx)
    flat = ops.kuwahara(half, max(2, round(hctx.px(5.0))), sharpness=10.0)
    flat = ops.gaussian(flat, hctx.px(1.0))
    ink_half = _ink_colour(ops.gaussian(flat, hctx.px(2.0)))
    back = ol.from_half(torch.cat([flat, ink_half], dim=1), key)
    flat, ink, vivid = back[:, 0:3], back[:, 3:6], back[:, 6:7]
    # Saturated colours print as flat ink whatever their lightness (a red bridge stays red, not black).
    lum = ops.luminance(flat)
    lum = lum + ((edges[0] + edges[1]) * 0.5 - lum) * (vivid * 1.4).clamp(0, 0.75)
    # Four tone bands: black shadows, solid ink, Ben-Day dots of the ink on white, white highlights.
    soft = 0.012
    bands = ol.band_index_weights(lum, edges, soft)
    black = ops.color(BLACK, dev)
    white = ops.color(WHITE, dev)
    # Dot size follows the tone inside the dotted band; dots from global coordinates agree across tiles.
    lo_e, hi_e = edges[1], edges[2]
    t = ((hi_e - lum) / max(hi_e - lo_e, 1e-3)).clamp(0, 1)
    coverage = 0.18 + 0.42 * t
    spacing = ctx.px(7.5)
    dots = ol.halftone(h, w, ctx, coverage, spacing, angle_deg=45.0, aa_px=max(0.8, ctx.px(0.7)))
    dotted = white + (ink - white) * dots
    out = bands[0] * black + bands[1] * ink + bands[2] * dotted + bands[3] * white
    # Screen-print misregistration: the colour layer sits a little off the black key plate.
    out = _shift(out, ctx)
    # Thick black outlines: XDoG on the flattened band lightness, so every colour shape gets its contour.
    lines = ol.xdog_ink(ops.gaussian(lum, ctx.px(0.5)), ctx.px(2.2), tau=0.98, eps=-0.004, phi=90.0)
    # Features (eyes, mouths, lettering) from the lightly blurred photo, so faces keep their drawing.
    fine = ol.xdog_ink(ops.gaussian(ops.luminance(x), ctx.px(1.0)), ctx.px(1.6), tau=0.98, eps=-0.01, phi=60.0)
    lines = ol.dilate(lines, ctx.px(1.0)).max(fine)
    lines = ((ops.gaussian(lines, max(0.3, ctx.px(0.5))) - 0.3) * 2.0).clamp(0, 1)
    out = out * (1.0 - lines) + black * lines
    # Cheap newsprint: a faint grain in the paper.
    grain = ol.fast_grain(h, w, ctx, salt=51)
    out = out * (0.97 + 0.03 * ops.gaussian(grain, ctx.px(0.7)))
    return out.clamp(0, 1)


register(StylePreset(
    name="pop_art",
    description="pop art: bold flat primaries, Ben-Day halftone dots in the mid-tones, thick black outlines",
    manner="as a pop art print",
    render=render,
    prepare=prepare,
    aliases=("pop art", "popart", "pop", "warhol", "andy warhol", "lichtenstein", "roy lichtenstein", "ben day",
             "halftone", "trame", "affiche pop"),
    approximates=("poster", "affiche", "screen print", "serigraphie", "haring", "keith haring", "basquiat"),
    display={"warhol": "Warhol", "andy warhol": "Andy Warhol", "lichtenstein": "Lichtenstein",
             "roy lichtenstein": "Roy Lichtenstein", "ben day": "Ben-Day dots", "serigraphie": "sérigraphie",
             "haring": "Haring", "keith haring": "Keith Haring", "basquiat": "Basquiat"},
    margin=24,
))
