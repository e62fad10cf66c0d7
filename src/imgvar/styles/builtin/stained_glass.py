"""Stained glass window: Voronoi panes of saturated glass held by dark lead cames.

Panes are jittered-grid Voronoi cells, about 20 stroke units across; where the
picture is busy (a whole-image detail map from `prepare`, so every tile makes
the same choice) a pane is broken into four smaller ones. Where a pane
straddles a strong image edge the glazier cuts it in two along that edge. Each
piece takes one glass colour: the blurred image at its point, made rich and
saturated and pulled towards a small k-means palette of "glass sheets". Inside
a piece the glass is mottled and glows towards its middle; lead lines with a
rounded highlight run along every border, and thin painted (grisaille) lines
trace the strongest image edges.
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
LEAD = 0.15  # lead came value; its rounded top catches some light
LEAD_WIDTH = 0.05  # half-width of a came, as a fraction of the pane size
# Leads are dark lines on every border, so on thumbnails they would bury the subject: panes shrink
# faster than usual below a megapixel (see ops_cells.small_image_scale).
SMALL_POWER = 1.2


def _glassify(c: torch.Tensor) -> torch.Tensor:
    """Glass colours: rich and saturated, no muddy greys."""
    import torch

    hsv = ops.rgb_to_hsv(c)
    h, s, v = hsv[:, 0:1], hsv[:, 1:2], hsv[:, 2:3]
    s = (s.clamp(0, 1) ** 0.5 * 1.25).clamp(0, 0.97)
    v = 0.1 + 0.95 * v.clamp(0, 1)
    return ops.hsv_to_rgb(torch.cat([h, s, v], dim=1))


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    palette = ops.kmeans_colors(small, 14, seed=ctx.seed, iters=10)
    # Where the picture is busy (faces, small shapes) panes are cut smaller.
    lum = ops.luminance(small)
    gx, gy = ops.sobel(ops.gaussian(lum, 1.0))
    mag = ops.gaussian(torch.sqrt(gx * gx + gy * gy), max(1.5, max(small.shape[-2:]) / 120))
    ref = torch.quantile(mag.flatten(), 0.65).clamp(min=1e-4)
    return {"palette": _glassify(palette.T.reshape(1, 3, -1, 1)).reshape(3, -1).T.contiguous(),
            "detail": (mag / ref).contiguous()}


def _glass_colour(col: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    """Image colours (1, 3, ch, cw) -> glass: saturated, pulled towards the nearest glass sheet."""
    glass = _glassify(ops.contrast(col, 1.3))
    palette = ctx.globals.get("palette")
    if palette is not None:
        idx = cells.nearest(glass, palette)
        glass = ops.blend(glass, ops.palette_lookup(idx, palette), 0.3)
    return glass


def _shifted(lat: cells.Lattice, off: torch.Tensor) -> cells.Lattice:
    return cells.Lattice(lat.cell, lat.cx0, lat.cy0, lat.cw, lat.ch, lat.points + off, lat.seed, lat.salt)


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    pane = ctx.px(PANE) * cells.small_image_scale(ctx.width, ctx.height, power=SMALL_POWER)
    src = cells.gaussian_at(x, pane * 0.12, ctx.x0, ctx.y0)
    detail = ctx.globals.get("detail")

    def busy(coarse: cells.Lattice) -> torch.Tensor:
        if detail is None:
            return torch.zeros_like(coarse.hash(0), dtype=torch.bool)
        return cells.sample_global(detail, coarse, ctx.width, ctx.height) > 1.0 + 0.5 * coarse.hash(9)

    lat, key, small = cells.adaptive_lattice(h, w, ctx.x0, ctx.y0, pane, ctx.seed, 1, busy)
    vor = cells.voronoi(h, w, ctx.x0, ctx.y0, lat, edges="exact")
    # The cells of one pane share their point: the pane's key gives its randomness.
    key2 = (key * 7.31 + 0.17) % 1.0

    # Where a pane straddles a strong image edge, the glazier cuts it in two along that edge:
    # a straight lead through the pane's point, with the glass of each side on its side.
    lum = ops.luminance(cells.gaussian_at(x, pane * 0.2, ctx.x0, ctx.y0))
    gx, gy = ops.sobel(lum)
    grad = cells.sample_points(torch.cat([gx, gy], dim=1), lat, ctx.x0, ctx.y0)
    mag = grad.norm(dim=1, keepdim=True)
    normal = grad / mag.clamp(min=1e-6)
    split = (mag * pane) > 0.02 + 0.1 * key
    off = normal * (pane * 0.3)
    side_a = cells.sample_points(src, _shifted(lat, off), ctx.x0, ctx.y0)
    side_b = cells.sample_points(src, _shifted(lat, -off), ctx.x0, ctx.y0)
    whole = cells.sample_points(src, lat, ctx.x0, ctx.y0)
    # Each sheet of glass a little lighter or darker than its neighbours.
    col_a = _glass_colour(torch.where(split, side_a, whole), ctx) * (0.97 + 0.06 * key2)
    col_b = _glass_colour(torch.where(split, side_b, whole), ctx) * (0.97 + 0.06 * (key2 * 3.7 % 1.0))
    per_pane = vor.gather(torch.cat([normal, split.float(), small.float()], dim=1))
    s = vor.dx * per_pane[:, 0:1] + vor.dy * per_pane[:, 1:2]  # signed distance to the cut
    cut = per_pane[:, 2:3] > 0.5
    fine = per_pane[:, 3:4]  # 1 in the small panes
    colour = torch.where(cut & (s < 0), vor.gather(col_b), vor.gather(col_a))
    edge = torch.where(cut, torch.minimum(vor.edge, s.abs()), vor.edge)

    # Glass texture: mottling, a few streaks, and a soft glow towards the pane's middle.
    mottle = ctx.noise(h, w, 5.0, salt=7, octaves=2)
    streak = ctx.noise(h, w, 2.0, salt=8)
    glow = (edge / (0.3 * pane)).clamp(0, 1)
    shade = 0.97 + 0.2 * glow + 0.1 * (mottle - 0.5) + 0.05 * (streak - 0.5)
    glass = colour * shade * (0.97 + 0.03 * ctx.grain(h, w, salt=9))

    # Painted grisaille lines on the strongest image edges keep faces and outlines.
    paint = cells.xdog_at(ops.luminance(x), max(0.8, pane * 0.06), ctx.x0, ctx.y0, tau=0.98, eps=-0.02,
                          phi=40.0)
    glass = glass * (0.4 + 0.6 * paint)

    # Lead cames: dark, a little thinner around the small panes, with a rounded highlight.
    half = pane * LEAD_WIDTH * (1.0 - 0.35 * fine)
    soft = max(0.6, pane * 0.03)
    lead = 1.0 - ops.smoothstep(half - soft, half + soft, edge)
    ridge = (1.0 - (edge / half).clamp(0, 1)) ** 2
    lead_col = ops.color((LEAD, LEAD, LEAD * 1.1), x.device) * (1.0 + 1.6 * ridge)
    return ops.blend(glass, lead_col, lead).clamp(0, 1)


register(StylePreset(
    name="stained_glass",
    description="stained glass window: pieces of saturated glass held by dark lead lines",
    manner="as a stained glass window",
    render=render,
    prepare=prepare,
    aliases=("stained glass", "stained glass window", "vitrail", "vitraux", "church window", "cathedral glass",
             "verriere", "leaded glass"),
    approximates=("picasso", "cubism", "cubisme", "cubist", "cubiste", "tiffany", "chagall", "rouault"),
    display={"picasso": "Picasso", "cubism": "Cubism", "cubisme": "cubisme", "cubist": "Cubist",
             "cubiste": "cubiste", "tiffany": "Tiffany", "chagall": "Chagall", "rouault": "Rouault"},
    margin=36,
))
