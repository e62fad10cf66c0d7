"""Helpers shared by the water-based presets (watercolour, ukiyo-e, ink wash).

Everything here is torch-only and tile-safe: noise is always taken from global
coordinates (through the context's seed and tile origin), also at reduced
working resolutions, so tiles rendered on their own meet without seams.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import ops

if TYPE_CHECKING:
    import torch

    from .render import RenderContext


def smoothstep(e0: float, e1: float, x: torch.Tensor) -> torch.Tensor:
    t = ((x - e0) / (e1 - e0)).clamp(0, 1)
    return t * t * (3 - 2 * t)


def noise_at(ctx: RenderContext, h: int, w: int, scale: float, cell_units: float, salt: int,
             octaves: int = 1) -> torch.Tensor:
    """`ctx.noise` for a working resolution `scale` times smaller than the tile (scale 2 = half).

    The lattice is addressed in full-image pixels, so the texture is the same
    whatever the tile origin's parity and continues across seams.
    """
    cell = max(1.0, ctx.px(cell_units) / scale)
    return ops.value_noise(h, w, cell, ctx.seed, salt, ctx.x0 / scale, ctx.y0 / scale, octaves)


def half_size(x: torch.Tensor, factor: int = 2) -> tuple[int, int]:
    h, w = x.shape[-2:]
    return max(8, h // factor), max(8, w // factor)


def density(c: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
    """Bousseau et al.'s pigment density: C' = C - (C - C^2)(d - 1).

    d = 1 keeps the colour, d > 1 deposits more pigment (darker, richer),
    d < 1 thins it toward the paper; white paper (C = 1) is never tinted.
    """
    return (c - (c - c * c) * (d - 1.0)).clamp(0, 1)


def gradient_magnitude(x: torch.Tensor) -> torch.Tensor:
    """Colour gradient magnitude (1 channel) of a (1, C, H, W) tensor."""
    gx, gy = ops.sobel(x)
    return (gx * gx + gy * gy).sum(dim=1, keepdim=True).sqrt()


def random_flow(ctx: RenderContext, h: int, w: int, scale: float, cell_units: float, salt: int,
                bias: float = 0.0, spread: float = 1.0) -> torch.Tensor:
    """A smooth random direction field (1, 2, H, W): the lie of paper fibres or of a wet wash.

    `bias` is the mean angle in radians, `spread` how far (in half-turns) it wanders.
    """
    import torch

    angle = bias + (noise_at(ctx, h, w, scale, cell_units, salt, octaves=2) - 0.5) * math.pi * 2.0 * spread
    return torch.cat([torch.cos(angle), torch.sin(angle)], dim=1)


def fibres(ctx: RenderContext, h: int, w: int, scale: float, length_units: float, salt: int,
           fibre_units: float = 0.7, flow_units: float = 30.0) -> torch.Tensor:
    """Paper fibres: fine noise smeared along a smooth random flow (LIC). Returns roughly 0..1, mean 0.5.

    Computed at the working resolution (h, w) = tile / scale; contrast is
    restored after the LIC averages the noise down.
    """
    base = noise_at(ctx, h, w, scale, fibre_units, salt)
    flow = random_flow(ctx, h, w, scale, flow_units, salt + 1, spread=0.6)
    streaks = ops.lic(base, flow, max(1.5, ctx.px(length_units) / scale), steps=5)
    return ((streaks - 0.5) * 2.6 + 0.5).clamp(0, 1)


def warp(x: torch.Tensor, ctx: RenderContext, scale: float, amount_units: float, cell_units: float,
         salt: int) -> torch.Tensor:
    """Displace `x` by smooth noise: the irregular, hand-made wobble of wash edges."""
    import torch
    import torch.nn.functional as F

    h, w = x.shape[-2:]
    dx = noise_at(ctx, h, w, scale, cell_units, salt, octaves=2) - 0.5
    dy = noise_at(ctx, h, w, scale, cell_units, salt + 7, octaves=2) - 0.5
    amp = ctx.px(amount_units) / scale * 2.0  # noise in -0.5..0.5 -> +-amount pixels
    grid = ops._base_grid(h, w, x.device)
    offset = torch.cat([dx * (amp * 2.0 / w), dy * (amp * 2.0 / h)], dim=1).permute(0, 2, 3, 1)
    return F.grid_sample(x, grid + offset, mode="bilinear", padding_mode="border", align_corners=False)


def soft_quantise(x: torch.Tensor, palette: torch.Tensor, softness: float) -> torch.Tensor:
    """Pull every pixel toward a soft mix of its nearest palette colours (softness ~ colour distance scale).

    softness -> 0 gives hard posterisation; larger values keep gradients.
    """
    import torch

    b, c, h, w = x.shape
    flat = x.permute(0, 2, 3, 1).reshape(-1, c)
    out = torch.empty_like(flat)
    chunk = 1 << 19
    for start in range(0, flat.shape[0], chunk):
        part = flat[start:start + chunk]
        d2 = torch.cdist(part, palette).pow(2)
        wgt = torch.softmax(-d2 / (softness * softness), dim=1)
        out[start:start + chunk] = wgt @ palette
    return out.view(b, h, w, c).permute(0, 3, 1, 2)


def mode_filter(index: torch.Tensor, k: int, radius: int) -> torch.Tensor:
    """Majority vote of palette indices over a (2r+1)^2 box: removes specks, keeps flat regions."""
    import torch
    import torch.nn.functional as F

    onehot = F.one_hot(index[:, 0], k).permute(0, 3, 1, 2).float()
    r = max(1, int(radius))
    votes = F.avg_pool2d(F.pad(onehot, (r, r, r, r), mode="replicate"), 2 * r + 1, stride=1)
    return votes.argmax(dim=1, keepdim=True)


def global_rows(ctx: RenderContext, h: int, w: int, scale: float = 1.0) -> torch.Tensor:
    """Vertical position of every row in the whole image, 0 at the top, 1 at the bottom: (1, 1, H, W)."""
    import torch

    ys = (torch.arange(h, dtype=torch.float32, device=ops.device()) + 0.5) * scale + ctx.y0
    return (ys / max(1, ctx.height)).view(1, 1, h, 1).expand(1, 1, h, w)


def pull_to_palette(colours: torch.Tensor, palette: torch.Tensor, amount: float) -> torch.Tensor:
    """Move each colour (k, 3) part of the way toward its nearest palette colour, in Lab."""
    import torch

    lab = ops.rgb_to_lab(colours.T.reshape(1, 3, -1, 1))[0, :, :, 0].T
    pal = ops.rgb_to_lab(palette.T.reshape(1, 3, -1, 1))[0, :, :, 0].T
    # Weight lightness less: a woodblock keeps the tonal structure but swaps the hues.
    wl = torch.tensor([0.5, 1.0, 1.0], device=colours.device)
    near = torch.cdist(lab * wl, pal * wl).argmin(dim=1)
    mixed = lab + (pal[near] - lab) * amount
    return ops.lab_to_rgb(mixed.T.reshape(1, 3, -1, 1))[0, :, :, 0].T.clamp(0, 1)
