"""Retro pixel art: big square pixels, a 16-colour palette, ordered dithering, dark outlines.

The image is averaged into blocks (about 128 along the long side, fewer with a
higher `detail`), each block snapped to a 16-colour palette (k-means over the
whole image in `prepare`, nudged to livelier, more contrasted tones) through a
4x4 Bayer ordered dither, blocks on the dark side of strong edges turned into
a one-block outline, then blown back up with nearest-neighbour. Block edges
are fixed in global coordinates, so tiles agree.
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

BLOCKS = 128  # blocks along the long side of a 1 MP image at detail 1


def block_size(ctx: RenderContext) -> int:
    """Block size in pixels, from the full image size only (every tile gets the same).

    About 128 blocks along the long side, a few less on small pictures and a
    few more on big ones (96..160), divided by `detail` (more blocks below 1).
    """
    side = math.sqrt(ctx.width * ctx.height) / 1000.0
    blocks = min(160.0, max(96.0, BLOCKS * side ** 0.25)) / max(ctx.detail, 1e-3)
    return max(1, round(max(ctx.width, ctx.height) / blocks))


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    # A livelier copy, so the palette gets cleaner, more saturated tones than the photo's greys.
    lively = ops.saturate(ops.contrast(small, 1.12), 1.35)
    pal = ops.kmeans_colors(lively, 12, seed=ctx.seed, iters=12, samples=6000)  # plenty for 12 colours
    hsv = ops.rgb_to_hsv(pal.T.reshape(1, 3, -1, 1))
    # Nudge: more saturation, darks a little darker and lights a little lighter.
    hsv[:, 1] = hsv[:, 1].clamp(0, 1) ** 0.8
    v = hsv[:, 2]
    hsv[:, 2] = (0.5 + (v - 0.5) * 1.15).clamp(0.04, 1.0)
    pal = ops.hsv_to_rgb(hsv).reshape(3, -1).T
    # Every console palette has a near-black, two greys and a near-white.
    darkest = pal[ops.luminance(pal.T.reshape(1, 3, -1, 1)).flatten().argmin()]
    ink = (darkest * 0.35 + torch.tensor([0.04, 0.03, 0.08], device=pal.device) * 0.65).view(1, 3)
    fixed = torch.tensor([[0.36, 0.37, 0.42], [0.66, 0.67, 0.70], [0.96, 0.95, 0.90]], device=pal.device)
    return {"palette": torch.cat([pal, ink, fixed]).clamp(0, 1).contiguous()}


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch
    import torch.nn.functional as F

    h, w = x.shape[-2:]
    bs = block_size(ctx)
    # Align the blocks to the global grid: pad the tile so it starts on a block boundary.
    ox, oy = ctx.x0 % bs, ctx.y0 % bs
    pw = math.ceil((ox + w) / bs) * bs - ox - w
    ph = math.ceil((oy + h) / bs) * bs - oy - h
    padded = F.pad(x, (ox, pw, oy, ph), mode="replicate") if (ox or oy or pw or ph) else x
    blocks = F.avg_pool2d(padded, bs) if bs > 1 else padded
    bh, bw = blocks.shape[-2:]
    bx0, by0 = (ctx.x0 - ox) // bs, (ctx.y0 - oy) // bs  # global block index of the first block

    palette = ctx.globals.get("palette")
    if palette is None:
        palette = ops.kmeans_colors(blocks, 16, seed=ctx.seed)
    lively = ops.saturate(ops.contrast(blocks, 1.1), 1.3)

    # Ordered (Bayer 4x4) dithering on the global block grid.
    bay = cells.bayer4(x.device)
    iy = (torch.arange(bh, device=x.device) + by0) % 4
    ix = (torch.arange(bw, device=x.device) + bx0) % 4
    thresh = bay[iy][:, ix].view(1, 1, bh, bw)
    # A whisper of hashed noise so two seeds differ even in flat areas.
    seedy = ops.hash01(torch.arange(bw, device=x.device).view(1, -1) + bx0,
                         torch.arange(bh, device=x.device).view(-1, 1) + by0, ctx.seed, 77).view(1, 1, bh, bw)
    spread = 0.09
    dithered = lively + (thresh - 0.5 + (seedy - 0.5) * 0.15) * spread
    idx = cells.nearest(dithered, palette)
    out = ops.palette_lookup(idx, palette)

    # One-block dark outline on the dark side of strong edges.
    lum = ops.luminance(blocks)
    p = F.pad(lum, (1, 1, 1, 1), mode="replicate")
    neigh = torch.stack([p[..., 1:-1, 2:], p[..., 1:-1, :-2], p[..., 2:, 1:-1], p[..., :-2, 1:-1]]).amax(0)
    edge = (neigh - lum) > 0.25
    # The outline keeps the block's hue: its colour darkened, snapped back to the palette.
    shade = ops.palette_lookup(cells.nearest(out * 0.45, palette), palette)
    out = torch.where(edge, shade, out)

    # Back up with nearest-neighbour, then drop the alignment padding.
    if bs > 1:
        out = F.interpolate(out, size=(bh * bs, bw * bs), mode="nearest")
    return out[..., oy:oy + h, ox:ox + w]


register(StylePreset(
    name="pixel_art",
    description="retro pixel art: big square pixels, a 16-colour palette, ordered dithering and dark outlines",
    manner="as retro pixel art",
    render=render,
    prepare=prepare,
    aliases=("pixel art", "pixel", "pixels", "8 bit", "8bit", "16 bit", "16bit", "retro game", "jeu video retro",
             "jeux video retro", "pixelise", "pixelisee", "pixel art retro", "sprite", "sprites"),
    display={"8 bit": "8-bit", "8bit": "8-bit", "16 bit": "16-bit", "16bit": "16-bit"},
    margin=40,
))
