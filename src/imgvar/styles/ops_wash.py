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


def paper_units(ctx: RenderContext, units: float) -> float:
    """`units` as a physical size (paper tooth, fibres, pigment grains, wood grain): it follows the
    image size like a stroke unit but not `--detail`, which sizes the painting, not the materials."""
    return units / max(ctx.detail, 1e-6)


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
           fibre_units: float = 3.0, flow_units: float = 40.0, density: float = 0.5) -> torch.Tensor:
    """Paper fibres: sparse specks smeared along a gently turning random flow (LIC).

    Returns fibre presence, 0 between fibres and up to 1 on them. `density` 0..1
    sets how many there are. Computed at the working resolution (h, w) = tile /
    scale from noise in global coordinates, so it is continuous across tiles.
    """
    fibre_units, flow_units, length_units = (paper_units(ctx, u) for u in (fibre_units, flow_units, length_units))
    cell = max(1.5, ctx.px(fibre_units) / scale)
    specks = ops.value_noise(h, w, cell, ctx.seed, salt, ctx.x0 / scale, ctx.y0 / scale)
    cut = 0.8 + 0.12 * (1.0 - density)
    sparse = ops.smoothstep(cut, cut + 0.1, specks)
    flow = random_flow(ctx, h, w, scale, flow_units, salt + 1, spread=1.0)
    length = max(2.0, ctx.px(length_units) / scale)
    # About one step per pixel of streak, straight: the flow turns over tens of fibre lengths.
    streaks = ops.lic(sparse, flow, length, steps=min(6, max(2, round(length))), follow=False)
    return (streaks * 3.0).clamp(0, 1)


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


def pull_to_palette(colours: torch.Tensor, palette: torch.Tensor, amount: float, lightness_amount: float = 0.3,
                    lightness_weight: float = 0.35) -> torch.Tensor:
    """Move each colour (k, 3) toward its nearest palette colour in Lab: hue and chroma by `amount`,
    lightness only by `lightness_amount`, so the image keeps its tonal structure."""
    import torch

    lab = ops.rgb_to_lab(colours.T.reshape(1, 3, -1, 1))[0, :, :, 0].T
    pal = ops.rgb_to_lab(palette.T.reshape(1, 3, -1, 1))[0, :, :, 0].T
    wl = torch.tensor([lightness_weight, 1.0, 1.0], device=colours.device)
    near = torch.cdist(lab * wl, pal * wl).argmin(dim=1)
    step = torch.tensor([lightness_amount, amount, amount], device=colours.device)
    mixed = lab + (pal[near] - lab) * step
    return ops.lab_to_rgb(mixed.T.reshape(1, 3, -1, 1))[0, :, :, 0].T.clamp(0, 1)


def dog_lines(lum: torch.Tensor, sigma: float, threshold: float = 0.012, sharpness: float = 80.0,
              k: float = 1.6) -> torch.Tensor:
    """Ink amount (1 on a line, 0 on paper) from a difference of Gaussians with tau = 1.

    Flat areas give exactly no line, whatever their tone; `threshold` is the
    DoG depth (in luminance) where a line reaches half strength.
    """
    import torch

    d = ops.gaussian(lum, sigma) - ops.gaussian(lum, sigma * k)
    return (0.5 - 0.5 * torch.tanh(sharpness * (d + threshold))).clamp(0, 1)


def tone_steps(lum: torch.Tensor, levels: int, softness: float = 0.2) -> torch.Tensor:
    """A soft staircase on 0..1 tones: flat plateaus (washes) joined by short ramps of width `softness`."""
    import torch

    v = lum.clamp(0, 1) * levels
    base = torch.floor(v)
    frac = v - base
    s = max(1e-3, min(0.5, softness))
    return ((base + ops.smoothstep(0.5 - s, 0.5 + s, frac)) / levels).clamp(0, 1)


def kmeans_lab(x: torch.Tensor, k: int, seed: int, lightness_weight: float = 0.6, iters: int = 12,
               samples: int = 8000, restarts: int = 2) -> torch.Tensor:
    """k representative colours (k, 3, RGB) clustered in Lab with k-means++ seeding.

    Unlike luminance-quantile seeding, k-means++ gives small but distinct hues
    (a red bridge in a grey landscape) a centre of their own. Deterministic for a seed.
    """
    import torch

    pixels = x.permute(0, 2, 3, 1).reshape(-1, 3)
    gen = torch.Generator(device="cpu").manual_seed(int(seed) & 0x7FFFFFFF)
    lab = ops.rgb_to_lab(pixels.T.reshape(1, 3, -1, 1))[0, :, :, 0].T
    # Sample with a preference for saturated pixels, so that a small vivid subject (a red bridge,
    # a flower) weighs enough against a large grey background to get a centre of its own.
    chroma = (lab[:, 1] * lab[:, 1] + lab[:, 2] * lab[:, 2]).sqrt()
    weights = (0.15 + (chroma / 40.0).clamp(max=1.5)).cpu()
    idx = torch.multinomial(weights, samples, replacement=True, generator=gen).to(lab.device)
    lab = lab[idx]
    scale = torch.tensor([lightness_weight, 1.0, 1.0], device=lab.device)
    feats = lab * scale
    sq = (feats * feats).sum(1, keepdim=True)

    def distances(c: torch.Tensor) -> torch.Tensor:  # squared, (samples, k), by one matrix product
        return (sq - 2.0 * feats @ c.T + (c * c).sum(1)).clamp_(min=0)

    best, best_cost = None, float("inf")
    for _ in range(restarts):  # k-means++ is randomised: keep the tightest of a few runs
        first = int(torch.randint(0, feats.shape[0], (1,), generator=gen))
        centres = [feats[first]]
        d2 = ((feats - centres[0]) ** 2).sum(1)
        for _ in range(1, k):
            probs = (d2 / d2.sum().clamp(min=1e-9)).cpu()
            pick = int(torch.multinomial(probs, 1, generator=gen)) if float(d2.sum()) > 0 else 0
            centres.append(feats[pick])
            d2 = torch.minimum(d2, ((feats - feats[pick]) ** 2).sum(1))
        c = torch.stack(centres)
        labels = None
        for _ in range(iters):
            new_labels = distances(c).argmin(1)
            if labels is not None and torch.equal(new_labels, labels):
                break  # converged: further iterations would not move a centre
            labels = new_labels
            # Cluster sums as a product with the one-hot labels: far faster than index_add_ here.
            onehot = torch.nn.functional.one_hot(labels, k).to(feats.dtype)
            sums = onehot.T @ feats
            counts = onehot.sum(0)
            c = torch.where(counts[:, None] > 0, sums / counts.clamp(min=1)[:, None], c)
        cost = float(distances(c).min(1).values.mean())
        if cost < best_cost:
            best, best_cost = c, cost
    c = best
    lab_c = c / scale
    return ops.lab_to_rgb(lab_c.T.reshape(1, 3, -1, 1))[0, :, :, 0].T.clamp(0, 1)


def wood_grain(ctx: RenderContext, h: int, w: int, scale: float, period_units: float, salt: int) -> torch.Tensor:
    """Mokume: the wavy parallel rings of a woodblock's grain printed into flat colour, 0..1 (1 on a ring).

    Rings are level lines of (row + large-scale noise), in global coordinates.
    """
    import torch

    rows = global_rows(ctx, h, w, scale) * ctx.height  # full-image pixel rows
    period = max(2.0, ctx.px(paper_units(ctx, period_units)))
    warp_big = noise_at(ctx, h, w, scale, paper_units(ctx, 90), salt, octaves=2) * 14.0
    warp_small = noise_at(ctx, h, w, scale, paper_units(ctx, 12), salt + 1) * 0.8
    phase = rows / period + warp_big + warp_small
    return (0.5 + 0.5 * torch.cos(phase * (2 * math.pi))) ** 6


def align(x: torch.Tensor, ctx: RenderContext, factor: int = 4):
    """Crop a tile so its origin and size are multiples of `factor` in image coordinates.

    Work done at 1/2 or 1/4 resolution then uses the same pixel blocks in every
    tile as in the whole image, so tiles agree exactly at their seams. Returns
    the cropped tile, a context for it and the padding that `unalign` puts back.
    """
    import dataclasses

    h, w = x.shape[-2:]
    left, top = (-ctx.x0) % factor, (-ctx.y0) % factor
    if w - left < 2 * factor or h - top < 2 * factor:
        return x, ctx, (0, 0, 0, 0)
    right, bottom = (w - left) % factor, (h - top) % factor
    cropped = x[..., top:h - bottom, left:w - right]
    return cropped, dataclasses.replace(ctx, x0=ctx.x0 + left, y0=ctx.y0 + top), (left, right, top, bottom)


def unalign(y: torch.Tensor, pads) -> torch.Tensor:
    """Undo `align`: pad the rendered tile back to its original size (edge pixels repeated)."""
    import torch.nn.functional as F

    if not any(pads):
        return y
    return F.pad(y, pads, mode="replicate")
