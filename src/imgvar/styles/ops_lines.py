"""Building blocks for the line-based presets (pencil, charcoal, comic, pop art).

Everything here is hashed from global pixel coordinates (the tile origin in
`ctx`), so a tile rendered on its own matches the same region of the whole
image, and sizes are given in stroke units through `ctx.px`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import ops

if TYPE_CHECKING:
    import torch

    from .render import RenderContext


def _global_coords(h: int, w: int, ctx: RenderContext, dev) -> tuple[torch.Tensor, torch.Tensor]:
    """Pixel-centre coordinates in the full image, as (1, W) and (H, 1) float64 rows."""
    import torch

    xs = (torch.arange(w, device=dev, dtype=torch.float64) + (ctx.x0 + 0.5)).view(1, -1)
    ys = (torch.arange(h, device=dev, dtype=torch.float64) + (ctx.y0 + 0.5)).view(-1, 1)
    return xs, ys


def _smooth(t: torch.Tensor) -> torch.Tensor:
    return t * t * (3.0 - 2.0 * t)


def streaks(h: int, w: int, ctx: RenderContext, angle_deg: float, across_px: float, along_px: float,
            salt: int) -> torch.Tensor:
    """Streaky noise in 0..1: thin parallel strokes along `angle_deg` (0 = rightwards, 90 = down).

    Each row of `across_px` pixels carries its own 1-D smooth noise along the
    stroke direction, offset at random so stroke ends do not line up; rows are
    blended across. Thresholding it against a tone gives hatching strokes of
    random length and pressure. Continuous across tiles.
    """
    import torch

    dev = ops.device()
    xs, ys = _global_coords(h, w, ctx, dev)
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    across = (-xs * sa + ys * ca) / max(across_px, 0.5)  # (H, W) by broadcasting
    along = (xs * ca + ys * sa) / max(along_px, 1.0)
    row = torch.floor(across)
    fa = _smooth((across - row).float())
    row = row.to(torch.int64)
    seed = ctx.seed

    def row_noise(r: torch.Tensor) -> torch.Tensor:
        offset = ops._hash01(r, torch.zeros_like(r), seed, salt + 7919)
        t = along + offset * 17.0
        cell = torch.floor(t)
        f = _smooth((t - cell).float())
        cell = cell.to(torch.int64)
        v0 = ops._hash01(cell, r, seed, salt).float()
        v1 = ops._hash01(cell + 1, r, seed, salt).float()
        return v0 + (v1 - v0) * f

    n0 = row_noise(row)
    n1 = row_noise(row + 1)
    return (n0 + (n1 - n0) * fa).view(1, 1, h, w)


def tone_threshold(tone: torch.Tensor, noise: torch.Tensor, softness: float = 0.08) -> torch.Tensor:
    """Coverage in 0..1 where `noise` falls below `tone`: a dither with soft, anti-aliased edges."""
    return ((tone - noise) / softness + 0.5).clamp(0, 1)


def dodge_lines(lum: torch.Tensor, sigma_px: float, strength: float = 1.0) -> torch.Tensor:
    """Colour dodge of the image by its inverted blur (the classic pencil-sketch trick).

    Returns ink coverage 0..1: high on the dark side of edges, 0 in flat areas.
    """
    blur = ops.gaussian(lum, sigma_px)
    dodge = (lum + 0.02) / (blur + 0.02)
    return ((1.0 - dodge) * strength).clamp(0, 1)


def xdog_ink(lum: torch.Tensor, sigma_px: float, k: float = 1.6, tau: float = 0.98, eps: float = -0.005,
             phi: float = 60.0) -> torch.Tensor:
    """XDoG ink coverage 0..1 (1 = black ink) from a 1-channel luminance."""
    return 1.0 - ops.xdog(lum, max(0.5, sigma_px), k=k, tau=tau, eps=eps, phi=phi)


def dilate(x: torch.Tensor, radius_px: float) -> torch.Tensor:
    """Grey dilation (max filter) with a square of radius `radius_px` (rounded); thickens ink."""
    import torch.nn.functional as F

    r = int(round(radius_px))
    if r < 1:
        return x
    return F.max_pool2d(x, 2 * r + 1, stride=1, padding=r)


def smooth_quantise(v: torch.Tensor, edges: torch.Tensor | list[float], values: list[float] | torch.Tensor,
                    softness: float) -> torch.Tensor:
    """Map `v` through steps: below edges[0] -> values[0], ..., above edges[-1] -> values[-1].

    Transitions are smoothed over `softness` (in units of v) so band borders
    are anti-aliased rather than jagged.
    """
    out = v.new_full(v.shape, float(values[0]))
    for i, e in enumerate(edges):
        step = ((v - float(e)) / max(softness, 1e-4) + 0.5).clamp(0, 1)
        step = _smooth(step)
        out = out + step * (float(values[i + 1]) - float(values[i]))
    return out


def band_index_weights(v: torch.Tensor, edges: list[float], softness: float) -> list[torch.Tensor]:
    """Soft membership (list of (1,1,H,W), summing to 1) of `v` in the bands delimited by `edges`."""
    steps = [_smooth(((v - float(e)) / max(softness, 1e-4) + 0.5).clamp(0, 1)) for e in edges]
    weights = []
    prev = None
    for s in steps:
        weights.append((1.0 - s) if prev is None else (prev - s))
        prev = s
    weights.append(prev)
    return weights


def halftone(h: int, w: int, ctx: RenderContext, coverage: torch.Tensor, spacing_px: float,
             angle_deg: float = 45.0, aa_px: float = 0.8) -> torch.Tensor:
    """Round dots on a rotated grid, in global coordinates, whose area follows `coverage` (0..1).

    Returns ink 0..1 (1 inside a dot). Dots grow into each other above ~0.78 coverage.
    """
    import torch

    dev = coverage.device
    xs, ys = _global_coords(h, w, ctx, dev)
    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    u = (xs * ca + ys * sa) / spacing_px
    v = (-xs * sa + ys * ca) / spacing_px
    du = (u - torch.floor(u) - 0.5).float()
    dv = (v - torch.floor(v) - 0.5).float()
    dist = torch.sqrt(du * du + dv * dv).view(1, 1, h, w) * spacing_px  # to the dot centre, in pixels
    radius = torch.sqrt(coverage.clamp(0, 1) / math.pi) * spacing_px
    return ((radius - dist) / max(aa_px, 1e-3) + 0.5).clamp(0, 1)


def paper_tooth(h: int, w: int, ctx: RenderContext, cell_units: float, salt: int,
                grain_mix: float = 0.35) -> torch.Tensor:
    """Paper height field 0..1: fine smooth bumps plus per-pixel grain, continuous across tiles."""
    bumps = ctx.noise(h, w, cell_units, salt=salt, octaves=2)
    bumps = ((bumps - 0.5) * 2.2 + 0.5).clamp(0, 1)
    if grain_mix <= 0:
        return bumps
    return bumps * (1 - grain_mix) + ctx.grain(h, w, salt=salt + 1) * grain_mix


def deposit(amount: torch.Tensor, tooth: torch.Tensor, hardness: float = 3.0) -> torch.Tensor:
    """Pigment caught by a toothy paper: light pressure marks only the peaks, heavy fills the pits."""
    return ((amount * 1.25 - (1.0 - tooth)) * hardness + amount * 0.5).clamp(0, 1) * amount.clamp(0, 1).pow(0.25)


def guided_smooth(x: torch.Tensor, radius_px: float, eps: float = 0.01) -> torch.Tensor:
    """Grey-guided edge-preserving smoothing (He et al.'s guided filter, guide = luminance).

    A cheap bilateral stand-in: flattens texture, keeps strong edges; cost independent of the radius.
    """
    r = max(1, int(round(radius_px)))
    g = ops.luminance(x)
    mean_g = ops.box_mean(g, r)
    var_g = ops.box_mean(g * g, r) - mean_g * mean_g
    mean_x = ops.box_mean(x, r)
    cov = ops.box_mean(g * x, r) - mean_g * mean_x
    a = cov / (var_g + eps)
    b = mean_x - a * mean_g
    return (ops.box_mean(a, r) * g + ops.box_mean(b, r)).clamp(0, 1)
