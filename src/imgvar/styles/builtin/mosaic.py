"""Roman / Byzantine mosaic: small hand-cut square tesserae set in light grout.

Tesserae sit on a jittered grid with rows staggered a little, each a square
turned by a few degrees and a little smaller than its cell, so the grout
between them varies as in hand-laid work. Each tessera has one flat colour: the
image at its centre, pulled towards a small set of "stone and glass" colours
(k-means from `prepare`) with a slight per-tile shift. Bevelled edges and a
per-tile tilt catch the light differently from tile to tile.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .. import ops
from .. import ops_cells as cells
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

TILE = 9.0  # tessera pitch, stroke units
GROUT = (0.66, 0.63, 0.58)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    stones = ops.kmeans_colors(ops.saturate(small, 1.15), 20, seed=ctx.seed, iters=10)
    return {"stones": stones}


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    dev = x.device
    pitch = ctx.px(TILE) * cells.small_image_scale(ctx.width, ctx.height)
    lat = cells.lattice(h, w, ctx.x0, ctx.y0, pitch, ctx.seed, salt=31, jitter=0.3, stagger=0.0)
    ang = (lat.hash(3) - 0.5) * math.radians(22)
    rot = torch.cat([torch.cos(ang), torch.sin(ang)], dim=1)
    vor = cells.voronoi(h, w, ctx.x0, ctx.y0, lat, metric="square", rot=rot)

    # One flat colour per tessera, pulled towards the stone colours, with a little per-tile jitter.
    src = cells.gaussian_at(x, pitch * 0.3, ctx.x0, ctx.y0)
    col = cells.sample_points(src, lat, ctx.x0, ctx.y0)
    col = ops.saturate(ops.contrast(col, 1.08), 1.25)
    stones = ctx.globals.get("stones")
    if stones is not None:
        idx = cells.nearest(col, stones)
        col = ops.blend(col, ops.palette_lookup(idx, stones), 0.7)
    # Outline courses: tiles on the dark side of a strong contour are set darker, as mosaicists
    # outline figures with a row of dark tesserae.
    lum = ops.luminance(src)
    gx, gy = ops.sobel(lum)
    g = cells.sample_points(torch.cat([gx, gy, lum], dim=1), lat, ctx.x0, ctx.y0)
    mag = g[:, 0:2].norm(dim=1, keepdim=True) * pitch
    local = cells.sample_points(cells.gaussian_at(lum, pitch * 1.2, ctx.x0, ctx.y0), lat, ctx.x0, ctx.y0)
    outline = ops.smoothstep(0.12, 0.3, mag) * (g[:, 2:3] < local).float()
    col = col * (1.0 - 0.45 * outline)
    jit = torch.cat([lat.hash(11), lat.hash(12), lat.hash(13)], dim=1) - 0.5
    col = (col * (0.86 + 0.26 * lat.hash(14)) + 0.07 * jit).clamp(0, 1)

    # Tile shape: a square a little smaller than the pitch, bevelled at its edges.
    half = pitch * (0.40 + 0.05 * lat.hash(15))
    half_px = vor.gather(half)
    inside = half_px - vor.d1  # distance inside the square's outline
    gap = pitch * 0.06
    soft = max(0.5, pitch * 0.06)
    inner = torch.minimum(inside, vor.edge - gap)
    mask = ops.smoothstep(-soft, soft, inner)
    bevel = ops.smoothstep(0.0, pitch * 0.16, inner)

    # Light: each tile tilts a little its own way; bevels catch the light from the upper left.
    tilt = vor.gather(torch.cat([lat.hash(16), lat.hash(17)], dim=1) - 0.5)
    facet = 1.0 + 0.35 * (tilt[:, 0:1] * vor.dx + tilt[:, 1:2] * vor.dy) / pitch
    lit = ops.relief(bevel, 0.25)
    stone = ctx.grain(h, w, salt=18)
    speck = ctx.noise(h, w, 1.2, salt=19)
    flat = vor.gather(col)
    tile = flat * facet * lit * (0.95 + 0.06 * speck + 0.03 * stone)

    grout = ops.color(GROUT, dev) * (0.88 + 0.12 * stone) * (0.9 + 0.1 * speck)
    # Grout takes on some of its surroundings (dust, stain, shadow): no bright net over dark fields.
    grout = ops.blend(grout, flat * 0.85, 0.4)
    # Grout is in the tiles' shadow next to them.
    grout = grout * (0.8 + 0.2 * ops.smoothstep(0.0, pitch * 0.12, -inner))
    return ops.blend(grout, tile, mask).clamp(0, 1)


register(StylePreset(
    name="mosaic",
    description="Roman / Byzantine mosaic: small square tesserae of stone and glass set in light grout",
    manner="as a mosaic of stone tesserae",
    render=render,
    prepare=prepare,
    aliases=("mosaic", "mosaique", "tesserae", "tesselles", "roman mosaic", "byzantine", "byzantin",
             "mosaique romaine", "byzantine mosaic"),
    approximates=("klimt", "gaudi", "art nouveau"),
    display={"byzantine": "Byzantine", "byzantin": "byzantin", "klimt": "Klimt", "gaudi": "Gaudí",
             "art nouveau": "Art Nouveau", "roman mosaic": "Roman mosaic"},
    margin=16,
))
