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


def _rotated(h: int, w: int, ctx: RenderContext, angle_deg: float, across_px: float, along_px: float, dev):
    """Tile-local rotated coordinates (in cells), and the integer cell of the tile origin.

    Returns (across, along) float32 (1, 1, H, W) measured from cells (row0, col0),
    so values stay small and precise however large the image is.
    """
    import torch

    a = math.radians(angle_deg)
    ca, sa = math.cos(a), math.sin(a)
    ox, oy = ctx.x0 + 0.5, ctx.y0 + 0.5
    across0 = (-ox * sa + oy * ca) / across_px
    along0 = (ox * ca + oy * sa) / along_px
    row0, col0 = math.floor(across0), math.floor(along0)
    xs = torch.arange(w, device=dev, dtype=torch.float32).view(1, 1, 1, -1)
    ys = torch.arange(h, device=dev, dtype=torch.float32).view(1, 1, -1, 1)
    across = (ys * (ca / across_px) - xs * (sa / across_px)) + (across0 - row0)
    along = (xs * (ca / along_px) + ys * (sa / along_px)) + (along0 - col0)
    return across, along, row0, col0


def _row_lattice(across: torch.Tensor, along: torch.Tensor, row0: int, col0: int, seed: int, salt: int,
                 channels: int) -> tuple[torch.Tensor, int, int]:
    """Hashed lattice (1, C, rows, cols) covering the tile, and the row/col of its first node."""
    import torch

    r_lo = math.floor(float(across.min())) - 1
    r_hi = math.floor(float(across.max())) + 2
    c_lo = math.floor(float(along.min())) - 1
    c_hi = math.floor(float(along.max())) + 2
    dev = across.device
    rows = torch.arange(r_lo, r_hi + 1, device=dev, dtype=torch.int64).view(-1, 1) + row0
    cols = torch.arange(c_lo, c_hi + 1, device=dev, dtype=torch.int64).view(1, -1) + col0
    planes = [ops.hash01(cols, rows, seed, salt + 31 * c) for c in range(channels)]
    return torch.stack(planes).unsqueeze(0), r_lo, c_lo


def hatch(dark: torch.Tensor, ctx: RenderContext, angle_deg: float, spacing_px: float, length_px: float,
          salt: int, irregularity: float = 0.6, jitter: float = 0.25, wobble: torch.Tensor | None = None,
          aa_px: float = 0.75, min_width: float = 0.0) -> torch.Tensor:
    """Hatching: parallel strokes along `angle_deg`, `spacing_px` apart, whose width follows `dark` (0..1).

    Each stroke line has its own pressure noise along its length (cells of
    `length_px`), so light tones break into separate tapered strokes and dark
    tones merge into solid fills; lines are jittered sideways per row and may be
    bent by a `wobble` field (in spacings). Strokes are never thinner than
    `min_width` (a fraction of the spacing): lighter tones get fainter lines
    instead. Returns ink coverage 0..1; its mean tracks `dark`. Continuous
    across tiles.
    """
    import torch
    import torch.nn.functional as F

    h, w = dark.shape[-2:]
    spacing_px = max(spacing_px, 1.5)
    across, along, row0, col0 = _rotated(h, w, ctx, angle_deg, spacing_px, max(length_px, 2.0), dark.device)
    if wobble is not None:
        across = across + wobble
    row = torch.floor(across)
    lattice, r_lo, c_lo = _row_lattice(across, along, row0, col0, ctx.seed, salt, 2)
    nr, nc = lattice.shape[-2:]
    # Sample exactly on the pixel's row: bilinear along the stroke only.
    gx = (along - c_lo) * (2.0 / (nc - 1)) - 1.0
    gy = (row - r_lo) * (2.0 / (nr - 1)) - 1.0
    grid = torch.cat([gx, gy], dim=1).permute(0, 2, 3, 1)
    sample = F.grid_sample(lattice, grid, mode="bilinear", padding_mode="border", align_corners=True)
    pressure, shift = sample[:, 0:1], sample[:, 1:2]
    p = (dark + (pressure - 0.5) * irregularity * (dark * 3.0).clamp(max=1.0)).clamp(0, 1)
    dist = (across - row - 0.5 - (shift - 0.5) * jitter).abs()
    half = (p * 0.5).clamp(min=min_width * 0.5)
    opacity = (p / max(min_width, 1e-3)).clamp(max=1.0) if min_width > 0 else 1.0
    return ((half - dist) * (spacing_px / aa_px) + 0.5).clamp(0, 1) * opacity


def fast_grain(h: int, w: int, ctx: RenderContext, salt: int) -> torch.Tensor:
    """Per-pixel uniform noise 0..1, continuous across tiles, far cheaper than hashing every pixel.

    Two seeded random tables with coprime periods (241 and 263 px) are read at
    the global coordinates and summed modulo 1: the pattern repeats only every
    ~63000 px.
    """
    import torch

    dev = ops.device()
    out = None
    for k, period in enumerate((241, 263)):
        table = _grain_table(ctx.seed, salt, k, period).to(dev)
        iy = (torch.arange(h, device=dev) + ctx.y0) % period
        ix = (torch.arange(w, device=dev) + ctx.x0) % period
        part = table[iy.view(-1, 1), ix.view(1, -1)]
        out = part if out is None else out + part
    return torch.frac(out).view(1, 1, h, w)


_GRAIN_TABLES: dict = {}


def _grain_table(seed: int, salt: int, k: int, period: int):
    import torch

    key = (seed, salt, k, period)
    table = _GRAIN_TABLES.get(key)
    if table is None:
        gen = torch.Generator(device="cpu").manual_seed((seed * 1_000_003 + salt * 7919 + k * 104_729) & 0x7FFFFFFF)
        table = torch.rand((period, period), generator=gen)
        if len(_GRAIN_TABLES) > 64:
            _GRAIN_TABLES.clear()
        _GRAIN_TABLES[key] = table
    return table


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


def paper_tooth(h: int, w: int, ctx: RenderContext, cell_px: float, salt: int,
                grain_mix: float = 0.35) -> torch.Tensor:
    """Paper height field 0..1: small bumps (blurred grain, about `cell_px` wide) plus per-pixel grain."""
    grain = fast_grain(h, w, ctx, salt)
    bumps = ops.gaussian(grain, max(0.3, cell_px * 0.5))
    # Blurring white noise shrinks its spread by about 1 / (2 sqrt(pi) sigma): stretch it back.
    gain = min(8.0, 2.0 * math.sqrt(math.pi) * max(0.5, cell_px * 0.5)) * 1.1
    bumps = ((bumps - 0.5) * gain + 0.5).clamp(0, 1)
    if grain_mix <= 0:
        return bumps
    return bumps * (1 - grain_mix) + grain * grain_mix


def deposit(amount: torch.Tensor, tooth: torch.Tensor, hardness: float = 3.0, smooth: float = 0.5) -> torch.Tensor:
    """Pigment caught by a toothy paper: light pressure marks only the peaks, heavy fills the pits.

    `smooth` is the share laid down evenly (smudged into the paper); the rest
    is a threshold of the paper height against the pressure, which gives the
    broken, grainy edge of a dry medium.
    """
    a = amount.clamp(0, 1)
    caught = ((a - (1.0 - tooth)) * hardness).clamp(0, 1)
    return a * smooth + caught * (1.0 - smooth)


def half_res(x: torch.Tensor, ctx: RenderContext) -> tuple[torch.Tensor, RenderContext, tuple[int, int, int, int]]:
    """Half-resolution copy whose pixels sit on the global even grid, and a context for it.

    Tiles whose origin is odd are padded by a pixel first, so every tile
    halves the image along the same global 2x2 blocks: noise and strokes made
    at half resolution (with the returned context, whose origin and unit are
    halved) agree across tile seams. Bring results back with `from_half`.
    """
    import dataclasses

    import torch.nn.functional as F

    h, w = x.shape[-2:]
    px, py = ctx.x0 % 2, ctx.y0 % 2
    pr, pb = (w + px) % 2, (h + py) % 2
    if px or py or pr or pb:
        x = F.pad(x, (px, pr, py, pb), mode="replicate")
    half = F.avg_pool2d(x, 2)
    hctx = dataclasses.replace(ctx, unit=ctx.unit / 2.0, x0=(ctx.x0 - px) // 2, y0=(ctx.y0 - py) // 2)
    return half, hctx, (px, py, h, w)


def from_half(y: torch.Tensor, key: tuple[int, int, int, int]) -> torch.Tensor:
    """Upsample a `half_res` result back onto the tile's full-resolution pixels."""
    import torch.nn.functional as F

    px, py, h, w = key
    up = F.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
    return up[..., py:py + h, px:px + w]


def steer(tangent: torch.Tensor, aniso: torch.Tensor, angle_deg: float, strength: float = 1.0) -> torch.Tensor:
    """Blend a flow tangent towards a fixed direction where the flow is weak (low anisotropy).

    Along real edges strokes follow the forms; in flat, noisy regions they fall
    back to the artist's habitual diagonal instead of swirling.
    """
    import torch

    a = math.radians(angle_deg)
    d = torch.tensor([math.cos(a), math.sin(a)], device=tangent.device, dtype=tangent.dtype).view(1, 2, 1, 1)
    dot = (tangent * d).sum(dim=1, keepdim=True)
    t = torch.where(dot < 0, -tangent, tangent)
    wgt = (aniso * strength).clamp(0, 1)
    mixed = d + (t - d) * wgt
    return ops.unit_vectors(mixed)


def edge_weight(lum: torch.Tensor, sigma_px: float, gain: float) -> torch.Tensor:
    """0..1: how much a pixel lies on a real edge (smoothed gradient magnitude, scaled by `gain`).

    Used with `steer` so that only genuine structures bend the strokes, not
    texture noise or sensor grain.
    """
    import torch

    gx, gy = ops.sobel(ops.gaussian(lum, max(0.5, sigma_px * 0.5)))
    mag = torch.sqrt(gx * gx + gy * gy)
    return (ops.gaussian(mag, sigma_px) * gain).clamp(0, 1)
