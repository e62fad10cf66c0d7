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

from . import ops

if TYPE_CHECKING:
    import torch

_OFFSETS = tuple((dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1))


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
        return ops.hash01(ix, iy, self.seed, self.salt * 7919 + salt).view(1, 1, self.ch, self.cw)

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
    jx = ops.hash01(ix, iy, seed, salt * 7919 + 1) - 0.5
    jy = ops.hash01(ix, iy, seed, salt * 7919 + 2) - 0.5
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
    edge: torch.Tensor  # distance to the cell border in pixels (see `voronoi`'s edges)
    lat: Lattice

    def gather(self, values: torch.Tensor) -> torch.Tensor:
        """Per-cell values (1, C, ch, cw) -> per-pixel (1, C, H, W)."""
        return gather(values, self.index)


def gather(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Per-cell values (1, C, ch, cw) -> per-pixel (1, C, H, W) through a flat cell index (1, 1, H, W)."""
    c = values.shape[1]
    h, w = index.shape[-2:]
    # Row gathers from a (cells, C) table are the fastest gather torch has on the CPU.
    table = values.reshape(c, -1).T.contiguous()
    return table.index_select(0, index.reshape(-1)).T.reshape(1, c, h, w)


def voronoi(h: int, w: int, x0: int, y0: int, lat: Lattice, metric: str = "euclid",
            rot: torch.Tensor | None = None, stretch: torch.Tensor | None = None,
            edges: str = "f2f1") -> Cells:
    """Nearest lattice point for every pixel of a (h, w) tile at (x0, y0).

    metric: "euclid" (round cells) or "square" (the Chebyshev distance:
    square-ish tiles). `rot` (1, 2, ch, cw) gives each cell's frame as
    (cos, sin) and turns its square; `stretch` (1, 1, ch, cw) scales the
    along-axis distance (ellipses / oblongs).

    edges: "f2f1" gives `edge` = (second - nearest) / 2, a cheap border
    distance that is exact across the middle of a border and thicker at the
    corners; "exact" (euclid metric, no rot / stretch) gives the true distance
    to the cell's border (the nearest bisector), so lines have even width.

    Works one band of pixel rows at a time, a band being the rows that fall in
    one row of cells: there every candidate point depends on the column only,
    so the per-candidate tables are vectors and a band's temporaries stay in
    the CPU's cache.
    """
    import torch

    exact = edges == "exact"
    if exact and (metric != "euclid" or rot is not None or stretch is not None):
        raise ValueError("exact edges need the plain euclidean metric")
    dev = lat.points.device
    cell = lat.cell
    gx = torch.arange(w, device=dev, dtype=torch.float32) + (x0 + 0.5)
    col = (torch.floor(gx / cell).long() - lat.cx0).clamp(1, lat.cw - 2)
    gy_all = torch.arange(h, device=dev, dtype=torch.float32) + (y0 + 0.5)
    row_all = (torch.floor(gy_all / cell).long() - lat.cy0).clamp(1, lat.ch - 2)
    # Per-cell fields, each gathered per candidate column offset: (3 column offsets) x (ch, w).
    fields = [lat.points[0, 0], lat.points[0, 1]]
    if rot is not None:
        fields += [rot[0, 0], rot[0, 1]]
    if stretch is not None:
        fields.append(stretch[0, 0])
    by_col = [[f.index_select(1, col + ox) for ox in (-1, 0, 1)] for f in fields]

    out = {name: [] for name in ("index", "dx", "dy", "d1", "d2", "edge")}
    bounds = torch.nonzero(row_all[1:] != row_all[:-1]).flatten().add(1).tolist()
    starts = [0] + bounds
    ends = bounds + [h]
    for a, b in zip(starts, ends):
        r0 = int(row_all[a])
        gy = gy_all[a:b].view(-1, 1)
        # Candidate tables for this band: (k) -> field -> (1, w) vectors.
        cand = []
        for oy, ox in _OFFSETS:
            cand.append([f[ox + 1][r0 + oy].view(1, w) for f in by_col])
        band = _band(gx.view(1, -1), gy, cand, metric, rot is not None, stretch is not None, exact)
        bk, d1, d2, dx, dy, edge = band
        out["index"].append((r0 + (bk // 3 - 1)) * lat.cw + (col.view(1, -1) + (bk % 3 - 1)))
        for name, t in (("dx", dx), ("dy", dy), ("d1", d1), ("d2", d2), ("edge", edge)):
            out[name].append(t)
    cat = {name: torch.cat(parts, dim=0).view(1, 1, h, w) for name, parts in out.items()}
    return Cells(cat["index"], cat["dx"], cat["dy"], cat["d1"], cat["d2"], cat["edge"], lat)


def _in_frame(gx: torch.Tensor, gy: torch.Tensor, frame: list, has_rot: bool, has_stretch: bool):
    """Offsets of the pixels from a cell's point in the cell's own frame.

    `frame` is (x, y[, cos, sin][, stretch]): the point, the cell's rotation if any and
    its stretch along its own x axis if any.
    """
    dx, dy = gx - frame[0], gy - frame[1]
    if has_rot:
        cs, sn = frame[2], frame[3]
        dx, dy = dx * cs + dy * sn, dy * cs - dx * sn
    if has_stretch:
        dx = dx / frame[4 if has_rot else 2]
    return dx, dy


def _band(gx: torch.Tensor, gy: torch.Tensor, cand: list, metric: str, has_rot: bool, has_stretch: bool,
          exact: bool):
    """Voronoi for one band of rows, all of whose pixels lie in the same row of cells."""
    import torch

    def local(k: int):
        return _in_frame(gx, gy, cand[k], has_rot, has_stretch)

    # Distances are non-negative floats, whose bit patterns sort like integers: the candidate's
    # number goes in the 4 lowest mantissa bits, so plain integer min / max track the nearest,
    # its candidate and the runner-up at once (torch.where is far slower on the CPU).
    best = second = None
    kept = []
    for k in range(9):
        dx, dy = local(k)
        if metric == "square":
            d = torch.maximum(dx.abs(), dy.abs())
        else:
            d = dy.square().add_(dx.square())  # squared distance; rooted at the end
        if d.shape != (gy.shape[0], gx.shape[1]):
            d = d.expand(gy.shape[0], gx.shape[1]).contiguous()
        packed = d.view(torch.int32).bitwise_and_(-16).bitwise_or_(k)
        if exact:
            kept.append(d)
        if best is None:
            best = packed
            second = torch.full_like(packed, 0x7F7FFFFF)
            continue
        second = torch.minimum(second, torch.maximum(best, packed))
        best = torch.minimum(best, packed)

    bk = (best & 15).long()
    best = (best & -16).view(torch.float32)
    second = (second & -16).view(torch.float32)
    # The winner's own frame offsets: gather each candidate's vectors by the winning k.
    stack = [torch.cat([cand[k][i].expand(1, gx.shape[1]) for k in range(9)], dim=0) for i in range(len(cand[0]))]
    # stack[i]: (9, w); out[y, x] = stack[i][bk[y, x], x].
    pick = [s.gather(0, bk) for s in stack]
    ax, ay = pick[0], pick[1]
    dx, dy = _in_frame(gx, gy, pick, has_rot, has_stretch)
    if exact:
        # Distance to the nearest bisector between this cell's point a and a neighbour's b:
        # (|x-b|^2 - |x-a|^2) / (2 |b-a|). The cell's own point (|b-a| = 0) is pushed out of the
        # running by a huge penalty rather than a mask (masks are slow here).
        edge = None
        for k in range(9):
            sep2 = (cand[k][0] - ax).square_().add_((cand[k][1] - ay).square_())
            num = (kept[k] - best).add_(sep2.add(1e-30).reciprocal_().mul_(1e-20))
            bis = num.div_(sep2.sqrt_().mul_(2.0).add_(1e-6))
            edge = bis if edge is None else torch.minimum(edge, bis)
    if metric != "square":
        best = best.sqrt()
        second = second.sqrt()
    if not exact:
        edge = (second - best) * 0.5
    return bk, best, second, dx, dy, edge


def sample_points(img: torch.Tensor, lat: Lattice, x0: int, y0: int) -> torch.Tensor:
    """Bilinear samples of a tile image (1, C, H, W) at the lattice points -> (1, C, ch, cw).

    Done by hand from global coordinates (not grid_sample, whose normalised
    coordinates round differently for different tile sizes), so a tile and the
    whole image read exactly the same values; points off the tile take its edge.
    """
    import torch

    c, h, w = img.shape[1:]
    lx = lat.points[0, 0] - (x0 + 0.5)
    ly = lat.points[0, 1] - (y0 + 0.5)
    fx = torch.floor(lx)
    fy = torch.floor(ly)
    tx = (lx - fx).clamp(0, 1)
    ty = (ly - fy).clamp(0, 1)
    ix0 = fx.long().clamp(0, w - 1)
    iy0 = fy.long().clamp(0, h - 1)
    ix1 = (fx.long() + 1).clamp(0, w - 1)
    iy1 = (fy.long() + 1).clamp(0, h - 1)
    flat = img.reshape(c, -1)

    def at(iy: torch.Tensor, ix: torch.Tensor) -> torch.Tensor:
        return flat.index_select(1, (iy * w + ix).reshape(-1)).view(c, *ix.shape)

    top = at(iy0, ix0) * (1 - tx) + at(iy0, ix1) * tx
    bottom = at(iy1, ix0) * (1 - tx) + at(iy1, ix1) * tx
    return (top * (1 - ty) + bottom * ty).unsqueeze(0)


def sample_global(small: torch.Tensor, lat: Lattice, width: int, height: int) -> torch.Tensor:
    """Sample a whole-image map (e.g. from `prepare`, any size) at the lattice points' global positions.

    The map is the same in every tile, so so are the samples (up to float rounding).
    """
    import torch
    import torch.nn.functional as F

    gx = lat.points[:, 0] * (2.0 / width) - 1.0
    gy = lat.points[:, 1] * (2.0 / height) - 1.0
    return F.grid_sample(small, torch.stack([gx, gy], dim=-1), mode="bilinear", padding_mode="border",
                         align_corners=False)


def bayer4(dev=None) -> torch.Tensor:
    """The 4x4 ordered-dither matrix, thresholds in (0, 1)."""
    import torch

    from .ops import device

    m = torch.tensor([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], dtype=torch.float32)
    return ((m + 0.5) / 16.0).to(dev or device())



def small_image_scale(width: int, height: int, floor: float = 0.5, power: float = 0.6) -> float:
    """A factor (<= 1) for cell sizes on images under a megapixel.

    Stroke units never drop below a pixel, so on a 300-px photo a 16-unit cell
    would be a twentieth of the frame; this shrinks cells there (gently) so the
    subject keeps enough cells to read. Depends only on the full image size, so
    every tile agrees.
    """
    side = math.sqrt(width * height)
    return min(1.0, max(floor, side / 1000.0)) ** power


def gaussian_at(x: torch.Tensor, sigma: float, x0: int, y0: int) -> torch.Tensor:
    """Gaussian blur that gives the same values whatever the tile's origin.

    `ops.gaussian` takes big sigmas through a pyramid whose 2x2 pooling grid
    starts at the tile's corner, so two tiles with origins of different parity
    blur a shared region slightly differently, and thresholds on the result
    (palette picks, cuts) can flip at a seam. Here the pooling grid is pinned
    to global coordinates instead: pad the tile to a multiple of the pooling
    factor from the global origin, pool, blur small, upsample, crop back.
    """
    import torch.nn.functional as F

    from . import ops

    if sigma <= 4.0:
        return ops.gaussian(x, sigma)
    f = 1
    while sigma / f > 2.5:
        f *= 2
    h, w = x.shape[-2:]
    ox, oy = x0 % f, y0 % f
    pw = (-(ox + w)) % f
    ph = (-(oy + h)) % f
    p = F.pad(x, (ox, pw, oy, ph), mode="replicate")
    small = F.avg_pool2d(p, f)
    # The box pooling already blurs by about f / sqrt(12) per axis: take it off the remaining sigma.
    rest = math.sqrt(max(sigma * sigma - (f * f - 1) / 12.0, 0.25)) / f
    small = ops.gaussian(small, rest)
    up = F.interpolate(small, scale_factor=f, mode="bilinear", align_corners=False)
    return up[..., oy:oy + h, ox:ox + w]


def nearest(x: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Index (1, 1, H, W) of the nearest palette colour, computed row by row.

    Like `ops.nearest_palette`, but without the matrix-product shortcut of
    `torch.cdist`, whose rounding depends on how many rows are in the batch:
    near-ties could then pick different colours in a tile and in the whole.
    """
    import torch

    b, c, h, w = x.shape
    flat = x.permute(0, 2, 3, 1).reshape(-1, c)
    out = torch.empty(flat.shape[0], dtype=torch.long, device=x.device)
    chunk = 1 << 18
    for s in range(0, flat.shape[0], chunk):
        d = torch.cdist(flat[s:s + chunk], palette, compute_mode="donot_use_mm_for_euclid_dist")
        out[s:s + chunk] = d.argmin(dim=1)
    return out.view(b, 1, h, w)


def xdog_at(lum: torch.Tensor, sigma: float, x0: int, y0: int, k: float = 1.6, tau: float = 0.98,
            eps: float = 0.1, phi: float = 30.0) -> torch.Tensor:
    """`ops.xdog` built on `gaussian_at`: its steep threshold would otherwise show tile seams."""
    import torch

    d = gaussian_at(lum, sigma, x0, y0) - tau * gaussian_at(lum, sigma * k, x0, y0)
    return torch.where(d >= eps, torch.ones_like(d), 1.0 + torch.tanh(phi * (d - eps))).clamp(0, 1)


def adaptive_lattice(h: int, w: int, x0: int, y0: int, cell: float, seed: int, salt: int, split,
                     jitter: float = 0.85) -> tuple[Lattice, torch.Tensor, torch.Tensor]:
    """Cells of two sizes: a coarse lattice whose cells `split` (a function of the coarse Lattice
    returning a (1, 1, ch, cw) bool) breaks into 2x2 finer cells.

    Built as one fine lattice (half the cell size) in which the four fine cells
    of an unsplit coarse cell all carry the coarse cell's point, so a plain 3x3
    Voronoi search over it gives big cells in calm areas and small ones where
    split (use edges="exact": duplicated points are then one cell, with no
    border inside). Returns the fine lattice and a per-fine-cell hash (1, 1,
    ch, cw) that is shared by the four fine cells of an unsplit coarse cell, for
    per-pane randomness, and which fine cells are split (small) ones.
    """
    import torch

    coarse = lattice(h, w, x0, y0, cell, seed, salt=salt, jitter=jitter)
    fine = lattice(h, w, x0, y0, cell / 2.0, seed, salt=salt + 1, jitter=jitter)
    cut = split(coarse)
    dev = fine.points.device
    fx = torch.arange(fine.cx0, fine.cx0 + fine.cw, device=dev)
    fy = torch.arange(fine.cy0, fine.cy0 + fine.ch, device=dev)
    # The fine lattice has half the cell size from the same origin: parent = floor(i / 2).
    pc = torch.div(fx, 2, rounding_mode="floor") - coarse.cx0
    pr = torch.div(fy, 2, rounding_mode="floor") - coarse.cy0
    pc = pc.clamp(0, coarse.cw - 1)
    pr = pr.clamp(0, coarse.ch - 1)

    def up(t: torch.Tensor) -> torch.Tensor:
        return t.index_select(2, pr).index_select(3, pc)

    split_f = up(cut)
    fine.points = torch.where(split_f, fine.points, up(coarse.points))
    key = torch.where(split_f, fine.hash(0), up(coarse.hash(0)))
    return fine, key, split_f
