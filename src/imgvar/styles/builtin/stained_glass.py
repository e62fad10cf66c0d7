"""Stained glass window: Voronoi panes of saturated glass held by thick dark lead cames.

Panes come from two jittered lattices: a coarse one everywhere and a fine
one switched on where the image has detail (from a whole-image detail map made
in `prepare`, so every tile agrees). Each pane takes one glass colour: the
blurred image at its point, pulled towards a small k-means palette of
saturated "glass sheets". Inside a pane the glass is mottled (noise) and glows
towards its middle; lead lines run along the pane borders with a rounded
highlight, and thin painted (grisaille) lines trace the strongest image edges.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_cells as cells
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

PANE = 20.0  # coarse pane size, stroke units
LEAD = (0.07, 0.07, 0.08)
K = dict(contrast=1.2, ct0=0.25, contour=0.0, csig=0.12, ceps=-0.03, tone=0.06, mottle=0.1, glow=0.2, pane=20.0, power=1.2, half=0.055, lead=0.22, sat=0.5, satm=1.25, cut=0.02, paint=0.6, busy=1.0)


def _glassify(c: torch.Tensor) -> torch.Tensor:
    """Glass colours: rich and saturated, no muddy greys."""
    hsv = ops.rgb_to_hsv(c)
    h, s, v = hsv[:, 0:1], hsv[:, 1:2], hsv[:, 2:3]
    s = (s.clamp(0, 1) ** K['sat'] * K['satm']).clamp(0, 0.97)
    v = 0.1 + 0.95 * v.clamp(0, 1)
    return ops.hsv_to_rgb(_cat(h, s, v))


def _cat(*parts):
    import torch

    return torch.cat(parts, dim=1)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    palette = ops.kmeans_colors(small, 14, seed=ctx.seed, iters=10)
    # Where the picture is busy (faces, small shapes) panes are cut smaller: a detail map of the
    # whole image, so every tile makes the same choice.
    lum = ops.luminance(small)
    gx, gy = ops.sobel(ops.gaussian(lum, 1.0))
    mag = ops.gaussian(torch.sqrt(gx * gx + gy * gy), max(1.5, max(small.shape[-2:]) / 120))
    ref = torch.quantile(mag.flatten(), 0.65).clamp(min=1e-4)
    return {"palette": _glassify(palette.T.reshape(1, 3, -1, 1)).reshape(3, -1).T.contiguous(),
            "detail": (mag / ref).contiguous()}


def _glass_colour(col: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    """Image colours (1, 3, ch, cw) -> glass: saturated, pulled towards the nearest glass sheet."""
    glass = _glassify(ops.contrast(col, K['contrast']))
    palette = ctx.globals.get("palette")
    if palette is not None:
        idx = cells.nearest(glass, palette)
        glass = ops.blend(glass, ops.palette_lookup(idx, palette), 0.3)
    return glass


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    pane = ctx.px(K['pane']) * cells.small_image_scale(ctx.width, ctx.height, power=K['power'])
    src = cells.gaussian_at(x, pane * 0.12, ctx.x0, ctx.y0)
    detail = ctx.globals.get("detail")

    def busy(coarse: cells.Lattice) -> torch.Tensor:
        if detail is None:
            return torch.zeros_like(coarse.hash(0), dtype=torch.bool)
        d = cells.sample_global(detail, coarse, ctx.width, ctx.height)
        return d > K['busy'] + 0.5 * coarse.hash(9)

    lat, key, small = cells.adaptive_lattice(h, w, ctx.x0, ctx.y0, pane, ctx.seed, 1, busy)
    vor = cells.voronoi(h, w, ctx.x0, ctx.y0, lat, edges="exact")
    # Cells of one pane share their point; use the pane's key for its randomness.
    key2 = (key * 7.31 + 0.17) % 1.0

    # Where a pane straddles a strong image edge, the glazier cuts it in two along that edge:
    # a straight lead through the pane's point, with the glass of each side on its side.
    lum = ops.luminance(cells.gaussian_at(x, pane * 0.2, ctx.x0, ctx.y0))
    gx, gy = ops.sobel(lum)
    grad = cells.sample_points(torch.cat([gx, gy], dim=1), lat, ctx.x0, ctx.y0)
    mag = grad.norm(dim=1, keepdim=True)
    normal = grad / mag.clamp(min=1e-6)
    split = (mag * pane) > K['cut'] + 0.1 * key
    off = normal * (pane * 0.3)
    pts = lat.points
    side_a = cells.sample_points(src, _shifted(lat, off), ctx.x0, ctx.y0)
    side_b = cells.sample_points(src, _shifted(lat, -off), ctx.x0, ctx.y0)
    whole = cells.sample_points(src, lat, ctx.x0, ctx.y0)
    tone = 1 - K['tone'] / 2 + K['tone'] * key2  # each sheet of glass a little lighter or darker
    col_a = _glass_colour(torch.where(split, side_a, whole), ctx) * tone
    col_b = _glass_colour(torch.where(split, side_b, whole), ctx) * (1 - K['tone'] / 2 + K['tone'] * (key2 * 3.7 % 1.0))
    nrm = vor.gather(torch.cat([normal, split.float(), small.float()], dim=1))
    fine = nrm[:, 3:4]  # 1 in the small panes
    s = vor.dx * nrm[:, 0:1] + vor.dy * nrm[:, 1:2]  # signed distance to the cut
    cut = nrm[:, 2:3] > 0.5
    colour = torch.where(cut & (s < 0), vor.gather(col_b), vor.gather(col_a))
    edge = torch.where(cut, torch.minimum(vor.edge, s.abs()), vor.edge)
    del pts

    # Glass texture: mottling, a few streaks, and a soft glow towards the pane's middle.
    mottle = ctx.noise(h, w, 5.0, salt=7, octaves=2)
    streak = ctx.noise(h, w, 2.0, salt=8)
    glow = (edge / (0.3 * pane)).clamp(0, 1)
    shade = 0.97 + K['glow'] * glow + K['mottle'] * (mottle - 0.5) + 0.05 * (streak - 0.5)
    glass = colour * shade
    glass = glass * (0.97 + 0.03 * ctx.grain(h, w, salt=9))

    # Painted grisaille lines on the strongest image edges keep faces and outlines.
    paint = cells.xdog_at(ops.luminance(x), max(0.8, pane * 0.06), ctx.x0, ctx.y0, tau=0.98, eps=-0.02, phi=40.0)
    glass = glass * (1 - K['paint'] + K['paint'] * paint)

    # Lead cames: dark, with a rounded highlight along their middle.
    half = pane * K['half'] * (1.0 - 0.35 * fine)
    soft = max(0.6, pane * 0.03)
    lead = 1.0 - cells.smoothstep(half - soft, half + soft, edge)
    if K['contour'] > 0:
        # The main contours of the picture are leaded too, as glaziers outline figures.
        cl = cells.gaussian_at(ops.luminance(x), pane * K['csig'], ctx.x0, ctx.y0)
        cgx, cgy = ops.sobel(cl)
        g = torch.sqrt(cgx * cgx + cgy * cgy) * pane
        contour = cells.smoothstep(K['ct0'], K['ct0'] + 0.2, g)
        lead = torch.maximum(lead, contour * K['contour'])
    ridge = (1.0 - (edge / half).clamp(0, 1)) ** 2
    lead_col = torch.tensor((K['lead'],) * 3, device=x.device).view(1, 3, 1, 1) * (1.0 + 1.6 * ridge)
    out = ops.blend(glass, lead_col, lead)
    return out.clamp(0, 1)


def _shifted(lat: cells.Lattice, off: torch.Tensor) -> cells.Lattice:
    return cells.Lattice(lat.cell, lat.cx0, lat.cy0, lat.cw, lat.ch, lat.points + off, lat.seed, lat.salt)


register(StylePreset(
    name="stained_glass",
    description="stained glass window: panes of saturated glass held by thick dark lead lines",
    manner="as a stained glass window",
    render=render,
    prepare=prepare,
    aliases=("stained glass", "stained glass window", "vitrail", "vitraux", "church window", "cathedral glass"),
    approximates=("picasso", "cubism", "cubisme", "cubist", "cubiste", "tiffany"),
    display={"picasso": "Picasso", "cubism": "Cubism", "cubisme": "cubisme", "cubist": "Cubist",
             "cubiste": "cubiste", "tiffany": "Tiffany"},
    margin=36,
))
