"""Helpers for the painterly presets (van_gogh, impressionist, expressionist).

Everything random is hashed from global pixel coordinates, so a tile rendered on
its own matches the same region of the whole image. Work at a reduced scale is
done on a grid aligned to multiples of the reduction factor in global
coordinates (see `align`), so that every tile shares the same coarse pixels.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import ops

if TYPE_CHECKING:
    import torch

    from .render import RenderContext


# --- aligned reduced-resolution grids ------------------------------------------

class Aligned:
    """A tile padded so that its origin and size are multiples of `align` (>= f) in global pixels.

    `x` is the padded tile, `X0`/`Y0` its global origin, `h`/`w` the reduced size
    (padded size // f). `crop` cuts a full-resolution result back to the tile.
    """

    def __init__(self, x: torch.Tensor, ctx: RenderContext, f: int, align: int = 32):
        import torch.nn.functional as F

        # Aligning to more than f keeps quarter-resolution grids and blur pyramids (which
        # halve the image repeatedly) on the same global lattice in every tile too.
        a = max(f, align)
        h, w = x.shape[-2:]
        pl, pt = ctx.x0 % a, ctx.y0 % a
        pr, pb = (-(w + pl)) % a, (-(h + pt)) % a
        # Tiny images: enough room for a quarter-resolution grid of a few pixels.
        pr += max(0, 16 * f - (w + pl + pr))
        pb += max(0, 16 * f - (h + pt + pb))
        if pl or pt or pr or pb:
            x = F.pad(x, (pl, pr, pt, pb), mode="replicate")
        self.x = x
        self.f = f
        self.box = (pt, pl, h, w)
        self.X0, self.Y0 = ctx.x0 - pl, ctx.y0 - pt
        self.H, self.W = x.shape[-2:]
        self.h, self.w = self.H // f, self.W // f
        self.seed = ctx.seed

    def crop(self, y: torch.Tensor) -> torch.Tensor:
        pt, pl, h, w = self.box
        return y[..., pt:pt + h, pl:pl + w]

    def small(self, factor: int | None = None) -> torch.Tensor:
        f = factor or self.f
        return ops.resize(self.x, (self.H // f, self.W // f), "area")

    def coords(self, factor: int | None = None):
        """Global pixel-centre coordinates of the reduced grid: xs (1, 1, 1, w), ys (1, 1, h, 1)."""
        import torch

        f = factor or self.f
        dev = self.x.device
        xs = self.X0 + (torch.arange(self.W // f, device=dev, dtype=torch.float32) + 0.5) * f
        ys = self.Y0 + (torch.arange(self.H // f, device=dev, dtype=torch.float32) + 0.5) * f
        return xs.view(1, 1, 1, -1), ys.view(1, 1, -1, 1)

    def noise(self, cell_px: float, salt: int, octaves: int = 1, factor: int | None = None) -> torch.Tensor:
        """Smooth noise on the reduced grid, equal to the full-resolution noise sampled there."""
        f = factor or self.f
        return ops.value_noise(self.H // f, self.W // f, max(1.0, cell_px / f), self.seed, salt,
                               self.X0 / f, self.Y0 / f, octaves, dev=self.x.device)

    def grain(self, cell_px: float, salt: int, factor: int | None = None) -> torch.Tensor:
        """Blocky white noise with cells of `cell_px` global pixels on the reduced grid."""
        f = factor or self.f
        return ops.hash_noise(self.H // f, self.W // f, self.seed, salt, self.X0 / f, self.Y0 / f,
                              cell=max(1.0, cell_px / f), dev=self.x.device)


# --- small maths ---------------------------------------------------------------------

def sigmoid_contrast(x: torch.Tensor, gain: float, mid: float = 0.5) -> torch.Tensor:
    import torch

    return torch.sigmoid((x - mid) * gain)


def normalise_field(v: torch.Tensor) -> torch.Tensor:
    """Unit vectors of a (1, 2, H, W) field (torch.norm is several times slower on CPU here)."""
    n = (v[:, 0:1] * v[:, 0:1] + v[:, 1:2] * v[:, 1:2]).clamp(min=1e-12).rsqrt()
    return v * n


def steer(t: torch.Tensor, ref: torch.Tensor, weight: torch.Tensor | float) -> torch.Tensor:
    """Blend the sign-less tangent field toward `ref` (weight 0 keeps t, 1 gives ref).

    Blending happens on doubled angles, where t and -t are the same point, so the result
    has no seams where t turns perpendicular to ref (blending the vectors directly would
    flip sign there). The result is sign-less too, which is all that LIC needs.
    """
    import torch

    def double(v):
        x, y = v[:, 0:1], v[:, 1:2]
        return torch.cat([x * x - y * y, 2 * x * y], dim=1)

    b = normalise_field(ops.blend(double(t), double(ref), weight))
    c, s = b[:, 0:1], b[:, 1:2]
    cos_h = ((1 + c) * 0.5).clamp(min=0).sqrt()
    sin_h = ((1 - c) * 0.5).clamp(min=0).sqrt() * torch.where(s < 0, -1.0, 1.0)
    return torch.cat([cos_h, sin_h], dim=1)


def grad_energy(lum: torch.Tensor, sigma: float) -> torch.Tensor:
    """Smoothed gradient magnitude: how much structure there is around each pixel."""
    gx, gy = ops.sobel(lum)
    return ops.gaussian((gx * gx + gy * gy).sqrt(), sigma)


# --- fields ---------------------------------------------------------------------------

def swirl_field(xs: torch.Tensor, ys: torch.Tensor, cell: float, seed: int, salt: int,
                density: float = 0.6, twist: float = 0.35, background: torch.Tensor | None = None,
                bg_weight: float = 0.3) -> torch.Tensor:
    """A flow made of a few vortices, one at most per lattice cell of `cell` pixels.

    xs (1, 1, 1, W) and ys (1, 1, H, 1) are global pixel coordinates. Each cell
    holds a vortex with probability `density`, at a hashed position, with a
    hashed radius and spin; `twist` turns the circles into inward spirals. A
    `background` unit field (1, 2, H, W) fills the space between vortices.
    Returns a unit field (1, 2, H, W).
    """
    import torch

    cx_i = torch.floor(xs / cell).to(torch.int64)
    cy_i = torch.floor(ys / cell).to(torch.int64)
    h, w = ys.shape[-2], xs.shape[-1]
    vx = torch.zeros((1, 1, h, w), device=xs.device)
    vy = torch.zeros_like(vx)
    if background is not None:
        vx = vx + background[:, 0:1] * bg_weight
        vy = vy + background[:, 1:2] * bg_weight
    ct, st = math.cos(twist), math.sin(twist)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            ix, iy = cx_i + dx, cy_i + dy
            present = (ops.hash01(ix, iy, seed, salt) < density).float()
            px = (ix.float() + 0.15 + 0.7 * ops.hash01(ix, iy, seed, salt + 1)) * cell
            py = (iy.float() + 0.15 + 0.7 * ops.hash01(ix, iy, seed, salt + 2)) * cell
            radius = cell * (0.28 + 0.22 * ops.hash01(ix, iy, seed, salt + 3))
            spin = torch.where(ops.hash01(ix, iy, seed, salt + 4) < 0.5, -1.0, 1.0)
            ddx, ddy = xs - px, ys - py
            r = (ddx * ddx + ddy * ddy).sqrt().clamp(min=1e-3)
            wgt = present * torch.exp(-(r / radius) ** 2) / r
            # Tangential (spin) plus a little inward pull: a spiral.
            vx = vx + wgt * (-ddy * spin * ct - ddx * st)
            vy = vy + wgt * (ddx * spin * ct - ddy * st)
    return normalise_field(torch.cat([vx, vy], dim=1))


def wave_field(noise: torch.Tensor, spread: float, base_angle: float = 0.0) -> torch.Tensor:
    """Unit field at angle base_angle + (noise - 0.5) * spread: gently undulating parallel flow."""
    import torch

    a = base_angle + (noise - 0.5) * spread
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)


def isoline_field(height: torch.Tensor) -> torch.Tensor:
    """Unit tangent to the contour lines of a smooth height field."""
    import torch

    gx, gy = ops.sobel(height)
    nudge = torch.tensor([1e-5, 0.0], device=height.device).view(1, 2, 1, 1)  # no zero vectors
    return normalise_field(torch.cat([-gy, gx], dim=1) + nudge)


# --- dabs --------------------------------------------------------------------------

class Lattice:
    """A jittered lattice of `cell`-pixel cells covering the global coordinates xs, ys (with a
    spare ring of cells), with hashed per-cell values in small tables gathered per pixel:
    hashing once per cell instead of once per pixel and neighbour."""

    def __init__(self, xs: torch.Tensor, ys: torch.Tensor, cell: float, seed: int, salt: int):
        import torch

        self.cell, self.seed, self.salt = cell, seed, salt
        self.ix0 = math.floor(float(xs.min()) / cell) - 2
        self.iy0 = math.floor(float(ys.min()) / cell) - 2
        self.nx = math.floor(float(xs.max()) / cell) - self.ix0 + 3
        self.ny = math.floor(float(ys.max()) / cell) - self.iy0 + 3
        dev = xs.device
        self.ix = torch.arange(self.ix0, self.ix0 + self.nx, device=dev, dtype=torch.int64).view(1, -1)
        self.iy = torch.arange(self.iy0, self.iy0 + self.ny, device=dev, dtype=torch.int64).view(-1, 1)
        # Lattice cell of every pixel, as table indices.
        self.jx = (torch.floor(xs / cell).to(torch.int64) - self.ix0).view(1, -1)
        self.jy = (torch.floor(ys / cell).to(torch.int64) - self.iy0).view(-1, 1)

    def table(self, k: int) -> torch.Tensor:
        """Uniform 0..1 per cell, (ny, nx), for hash channel k."""
        return ops.hash01(self.ix, self.iy, self.seed, self.salt + k)

    def centres(self, jitter: float):
        c = self.cell
        px = (self.ix.float() + 0.5 + jitter * (self.table(0) - 0.5)) * c
        py = (self.iy.float() + 0.5 + jitter * (self.table(1) - 0.5)) * c
        return px, py

    def gather(self, table: torch.Tensor, flat: torch.Tensor) -> torch.Tensor:
        """Per-pixel values of a (ny, nx) table at flat cell indices (1, 1, H, W)."""
        return table.reshape(-1)[flat]


def dab_cells(xs: torch.Tensor, ys: torch.Tensor, tangent: torch.Tensor, cell: float, elong: float,
              seed: int, salt: int, jitter: float = 0.85):
    """Nearest jittered-grid centre under an anisotropic distance (long along `tangent`).

    Returns (dist2, cx, cy, flat, lattice): the squared normalised distance (in cells, as if
    the dab were round) to the winning centre, its global position, the winner's flat cell
    index and the Lattice (for per-dab random values: lattice.gather(lattice.table(k), flat)).
    Short oriented ellipses tile the plane this way, one dab per lattice cell.
    """
    import torch

    lat = Lattice(xs, ys, cell, seed, salt)
    px_t, py_t = lat.centres(jitter)
    flat_px, flat_py = px_t.reshape(-1), py_t.reshape(-1)
    tx, ty = tangent[:, 0:1], tangent[:, 1:2]
    a = 1.0 / (elong * cell * cell)  # along: elongated
    b = elong / (cell * cell)  # across: narrow
    best = None
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            flat = ((lat.jy + dy) * lat.nx + (lat.jx + dx)).view(1, 1, lat.jy.shape[0], lat.jx.shape[1])
            px, py = flat_px[flat], flat_py[flat]
            ddx, ddy = xs - px, ys - py
            along = ddx * tx + ddy * ty
            across = ddy * tx - ddx * ty
            d = along * along * a + across * across * b
            if best is None:
                best, bx, by, bflat = d, px, py, flat
            else:
                m = d < best
                best = torch.where(m, d, best)
                bx = torch.where(m, px, bx)
                by = torch.where(m, py, by)
                bflat = torch.where(m, flat, bflat)
    return best, bx, by, bflat, lat


def sample_at(src: torch.Tensor, gx: torch.Tensor, gy: torch.Tensor, al: Aligned, factor: int) -> torch.Tensor:
    """Bilinear samples of `src` (a grid of `al` reduced by `factor`) at global pixel positions."""
    import torch
    import torch.nn.functional as F

    h, w = src.shape[-2:]
    nx = (gx - al.X0) / (factor * w) * 2.0 - 1.0
    ny = (gy - al.Y0) / (factor * h) * 2.0 - 1.0
    grid = torch.stack([nx[:, 0], ny[:, 0]], dim=-1)
    return F.grid_sample(src, grid, mode="bilinear", padding_mode="border", align_corners=False)


# --- surfaces --------------------------------------------------------------------------

def canvas_weave(al: Aligned, period_px: float, salt: int) -> torch.Tensor:
    """Canvas texture around 0 (about -1..1), full resolution of the aligned tile."""
    import torch

    xs, ys = al.coords(1)
    k = 2 * math.pi / max(2.0, period_px)
    # Threads wobble a little so the weave does not look printed (smooth: computed small).
    wob = ops.resize(al.noise(period_px * 6, salt, factor=4), (al.H, al.W)) - 0.5
    warp = torch.sin(xs * k + wob * 3.0)
    weft = torch.sin(ys * k + wob * 3.0)
    grain = ops.resize(al.grain(1.0, salt + 1, factor=2), (al.H, al.W)) - 0.5
    return 0.45 * warp * weft.sign() * weft.abs().sqrt() + 0.35 * weft * warp.sign() * warp.abs().sqrt() + 0.4 * grain


def hue_poles(h: torch.Tensor, poles: tuple[float, float], pull: float) -> torch.Tensor:
    """Pull each hue (0..1) toward the nearer of two poles by `pull` (0 keeps, 1 snaps)."""
    import torch

    out = []
    for p in poles:
        d = (h - p + 0.5) % 1.0 - 0.5  # signed circular distance to the pole
        out.append((d, p))
    (d0, p0), (d1, p1) = out
    near0 = d0.abs() <= d1.abs()
    d = torch.where(near0, d0, d1)
    p = torch.where(near0, torch.full_like(h, p0), torch.full_like(h, p1))
    return (p + d * (1 - pull)) % 1.0


def shading(height: torch.Tensor, strength: float, size: tuple[int, int]) -> torch.Tensor:
    """Impasto light (around 1) of a reduced-resolution height field, brought up to `size`.

    Lit where the height was computed and then upsampled: gradients of an upsampled field
    show the interpolation as fine ridges. `strength` is per full-resolution pixel.
    """
    f = size[-1] / height.shape[-1]
    return ops.resize(ops.relief(height, strength / f), size)
