"""Cell helpers for the "cells" presets (pointillist, stained glass, mosaic, pixel art).

The core is a jittered-grid Voronoi assignment: the plane is cut into square
cells of `cell` pixels, each holding one point jittered inside it (hashed from
the cell's *global* coordinates and the seed, so a tile and the whole image
agree). Every pixel takes the nearest of the 3x3 neighbouring cells' points.
Per-cell data (colours, angles...) live on a small "lattice" tensor
(1, C, ch, cw) covering the tile plus one cell of slack on each side, and are
spread back to pixels with `gather`.

All of it is torch tensor maths: a handful of passes over the tile, no Python
loops over pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

_OFFSETS = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


def hash01(ix: torch.Tensor, iy: torch.Tensor, seed: int, salt: int) -> torch.Tensor:
    """Uniform 0..1 (float32) hashed from integer coordinates: same mix as the ops' noise."""
    m = 0xFFFFFFFF
    v = (ix * 0x27D4EB2D + iy * 0x165667B1 + (seed * 0x9E3779B1 + salt * 0x85EBCA77)) & m
    v = ((v ^ (v >> 16)) * 0x7FEB352D) & m
    v = ((v ^ (v >> 15)) * 0x846CA68B) & m
    v = v ^ (v >> 16)
    return (v.double() / float(m + 1)).float()


@dataclass
class Lattice:
    """The jittered points of the cells around a tile, in global pixel coordinates."""

    cell: float  # cell size in pixels
    cx0: int  # global index of the lattice's first column / row of cells
    cy0: int
    cw: int
    ch: int
    points: torch.Tensor  # (1, 2, ch, cw): x, y of each cell's point, global pixels
    seed: int
    salt: int

    def hash(self, salt: int) -> torch.Tensor:
        """Per-cell uniform 0..1 values (1, 1, ch, cw), the same in every tile."""
        import torch

        dev = self.points.device
        ix = torch.arange(self.cx0, self.cx0 + self.cw, device=dev, dtype=torch.int64).view(1, -1)
        iy = torch.arange(self.cy0, self.cy0 + self.ch, device=dev, dtype=torch.int64).view(-1, 1)
        return hash01(ix, iy, self.seed, self.salt * 7919 + salt).view(1, 1, self.ch, self.cw)

    def local_points(self, x0: int, y0: int) -> torch.Tensor:
        """Points in tile pixel coordinates (1, 2, ch, cw)."""
        import torch

        off = torch.tensor([x0, y0], dtype=self.points.dtype, device=self.points.device).view(1, 2, 1, 1)
        return self.points - off


def lattice(h: int, w: int, x0: int, y0: int, cell: float, seed: int, salt: int = 0,
            jitter: float = 0.9, stagger: float = 0.0, dev=None) -> Lattice:
    """Jittered points for the cells covering a (h, w) tile at (x0, y0), plus one cell around.

    `jitter` (0..1) is how far a point may wander from its cell's centre, as a
    fraction of the cell; `stagger` shifts odd rows sideways by that fraction of a
    cell (0.5 gives a brick / hexagonal-ish layout).
    """
    import torch

    from .ops import device

    dev = dev or device()
    cell = float(cell)
    cx0 = math.floor(x0 / cell) - 2
    cy0 = math.floor(y0 / cell) - 2
    cw = math.floor((x0 + w) / cell) + 3 - cx0
    ch = math.floor((y0 + h) / cell) + 3 - cy0
    ix = torch.arange(cx0, cx0 + cw, device=dev, dtype=torch.int64).view(1, -1).expand(ch, cw)
    iy = torch.arange(cy0, cy0 + ch, device=dev, dtype=torch.int64).view(-1, 1).expand(ch, cw)
    jx = hash01(ix, iy, seed, salt * 7919 + 1) - 0.5
    jy = hash01(ix, iy, seed, salt * 7919 + 2) - 0.5
    shift = (iy % 2).float() * stagger
    px = (ix.float() + 0.5 + shift + jx * jitter) * cell
    py = (iy.float() + 0.5 + jy * jitter) * cell
    points = torch.stack([px, py], dim=0).unsqueeze(0)
    return Lattice(cell, cx0, cy0, cw, ch, points, seed, salt)


@dataclass
class Cells:
    """Per-pixel result of a Voronoi assignment over a lattice."""

    index: torch.Tensor  # (1, 1, H, W) int64 flat index into the lattice (row * cw + col)
    dx: torch.Tensor  # (1, 1, H, W) pixel minus its point (in the cell's own frame when rotated)
    dy: torch.Tensor
    d1: torch.Tensor  # distance to the nearest point (in the chosen metric)
    d2: torch.Tensor  # distance to the second nearest
    edge: torch.Tensor  # distance to the cell border in pixels (bisector distance for the plain metric)
    lat: Lattice

    def gather(self, values: torch.Tensor) -> torch.Tensor:
        """Per-cell values (1, C, ch, cw) -> per-pixel (1, C, H, W)."""
        return gather(values, self.index)


def gather(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    c = values.shape[1]
    flat = values.reshape(c, -1)
    h, w = index.shape[-2:]
    return flat[:, index.view(-1)].view(1, c, h, w)


def voronoi(h: int, w: int, x0: int, y0: int, lat: Lattice, metric: str = "euclid",
            rot: torch.Tensor | None = None, stretch: torch.Tensor | None = None,
            weight: torch.Tensor | None = None) -> Cells:
    """Nearest lattice point for every pixel of a (h, w) tile at (x0, y0).

    metric: "euclid" (round cells, exact border distance) or "square" (the
    Chebyshev distance: square-ish tiles). `rot` (1, 2, ch, cw) gives each
    cell's frame as (cos, sin) and turns its square; `stretch` (1, 1, ch, cw)
    scales the along-axis distance (ellipses / oblongs); `weight` (1, 1, ch, cw)
    multiplies a cell's distance (> 1 shrinks it: a point marked inactive with
    a huge weight never wins).
    """
    import torch

    dev = lat.points.device
    cell = lat.cell
    gx = torch.arange(w, device=dev, dtype=torch.float32) + (x0 + 0.5)
    gy = torch.arange(h, device=dev, dtype=torch.float32) + (y0 + 0.5)
    # The cell each pixel sits in, as a lattice column / row.
    col = (torch.floor(gx / cell).long() - lat.cx0).clamp(1, lat.cw - 2)
    row = (torch.floor(gy / cell).long() - lat.cy0).clamp(1, lat.ch - 2)
    px_all = lat.points[0, 0]
    py_all = lat.points[0, 1]
    gxv = gx.view(1, -1)
    gyv = gy.view(-1, 1)
    extra = []
    if rot is not None:
        extra += [rot[0, 0], rot[0, 1]]
    if stretch is not None:
        extra.append(stretch[0, 0])
    if weight is not None:
        extra.append(weight[0, 0])

    best = second = None
    best_k = second_k = None
    best_dx = best_dy = None
    inf = torch.tensor(float("inf"), device=dev)
    for k, (oy, ox) in enumerate(_OFFSETS):
        r = row + oy
        c = col + ox
        # Separable gather: rows then columns (a (ch, cw) table -> (h, w)).
        ptx = px_all.index_select(0, r).index_select(1, c)
        pty = py_all.index_select(0, r).index_select(1, c)
        dx = gxv - ptx
        dy = gyv - pty
        i = 0
        if rot is not None:
            cs = extra[0].index_select(0, r).index_select(1, c)
            sn = extra[1].index_select(0, r).index_select(1, c)
            dx, dy = dx * cs + dy * sn, dy * cs - dx * sn
            i = 2
        if stretch is not None:
            st = extra[i].index_select(0, r).index_select(1, c)
            dx = dx / st
            i += 1
        if metric == "square":
            d = torch.maximum(dx.abs(), dy.abs())
        else:
            d = torch.sqrt(dx * dx + dy * dy)
        if weight is not None:
            d = d * extra[i].index_select(0, r).index_select(1, c)
        if best is None:
            best, best_k, best_dx, best_dy = d, torch.zeros_like(d, dtype=torch.uint8), dx, dy
            second, second_k = torch.full_like(d, float("inf")), torch.zeros_like(best_k)
            continue
        closer = d < best
        nearer2 = d < second
        second_k = torch.where(closer, best_k, torch.where(nearer2, torch.full_like(best_k, k), second_k))
        second = torch.where(closer, best, torch.minimum(second, d))
        best_k = torch.where(closer, torch.full_like(best_k, k), best_k)
        best = torch.where(closer, d, best)
        best_dx = torch.where(closer, dx, best_dx)
        best_dy = torch.where(closer, dy, best_dy)
    del inf

    offs = torch.tensor(_OFFSETS, device=dev, dtype=torch.int64)
    oy1, ox1 = offs[best_k.long(), 0], offs[best_k.long(), 1]
    oy2, ox2 = offs[second_k.long(), 0], offs[second_k.long(), 1]
    r1 = row.view(-1, 1) + oy1
    c1 = col.view(1, -1) + ox1
    index = r1 * lat.cw + c1
    if metric == "square" or rot is not None or stretch is not None or weight is not None:
        edge = (second - best) * 0.5
    else:
        # Distance to the bisector between the nearest and second-nearest points:
        # (|x-b|^2 - |x-a|^2) / (2 |b-a|), which gives borders of even width.
        index2 = (row.view(-1, 1) + oy2) * lat.cw + (col.view(1, -1) + ox2)
        flat = lat.points.reshape(2, -1)
        ax, ay = flat[0][index], flat[1][index]
        bx, by = flat[0][index2], flat[1][index2]
        sep = torch.sqrt((bx - ax) ** 2 + (by - ay) ** 2).clamp(min=1e-3)
        edge = (second * second - best * best) / (2 * sep)
    v = lambda t: t.view(1, 1, h, w)  # noqa: E731
    return Cells(v(index), v(best_dx), v(best_dy), v(best), v(second), v(edge), lat)


def sample_points(img: torch.Tensor, lat: Lattice, x0: int, y0: int, mode: str = "bilinear") -> torch.Tensor:
    """Sample a tile image (1, C, H, W) at the lattice points -> (1, C, ch, cw) (clamped at the tile edge)."""
    import torch.nn.functional as F

    h, w = img.shape[-2:]
    pts = lat.local_points(x0, y0)
    gx = pts[:, 0] * (2.0 / w) - 1.0
    gy = pts[:, 1] * (2.0 / h) - 1.0
    grid = torch_stack_last(gx, gy)
    return F.grid_sample(img, grid, mode=mode, padding_mode="border", align_corners=False)


def sample_global(small: torch.Tensor, lat: Lattice, width: int, height: int) -> torch.Tensor:
    """Sample a whole-image map (e.g. from `prepare`, any size) at the lattice points' global positions."""
    import torch.nn.functional as F

    gx = lat.points[:, 0] * (2.0 / width) - 1.0
    gy = lat.points[:, 1] * (2.0 / height) - 1.0
    return F.grid_sample(small, torch_stack_last(gx, gy), mode="bilinear", padding_mode="border",
                         align_corners=False)


def torch_stack_last(gx: torch.Tensor, gy: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.stack([gx, gy], dim=-1)


def smoothstep(e0: float, e1: float, x: torch.Tensor) -> torch.Tensor:
    t = ((x - e0) / (e1 - e0)).clamp(0, 1)
    return t * t * (3 - 2 * t)


def bayer4(dev=None) -> torch.Tensor:
    """The 4x4 ordered-dither matrix, thresholds in (0, 1)."""
    import torch

    from .ops import device

    m = torch.tensor([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], dtype=torch.float32)
    return ((m + 0.5) / 16.0).to(dev or device())
