"""Pointillism (Seurat, Signac): dots of pure colour on a light canvas that mix in the eye.

Two layers of round dabs sit on jittered grids (the second over the first).
Each dab takes one pigment from a small palette of pure colours, picked at
random between the two pigments that bracket the local colour so that the
average over a few dabs matches the (slightly saturated) image: the colour is
divided, as the Neo-Impressionists did, instead of mixed on the palette.
Darker areas get bigger dabs, lighter ones let the warm canvas through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_cells as cells
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

# Pure pigments (sRGB): a Neo-Impressionist palette, plus white and a dark blue for the shadows.
PIGMENTS = (
    (0.86, 0.16, 0.13),  # vermilion red
    (0.96, 0.52, 0.12),  # orange
    (0.98, 0.86, 0.22),  # cadmium yellow
    (0.64, 0.80, 0.22),  # yellow-green
    (0.08, 0.58, 0.36),  # emerald
    (0.18, 0.68, 0.84),  # cyan / cerulean
    (0.16, 0.26, 0.76),  # ultramarine
    (0.52, 0.28, 0.66),  # violet
    (0.97, 0.95, 0.88),  # white
    (0.95, 0.66, 0.62),  # rose (red and white)
    (0.66, 0.80, 0.94),  # sky (cerulean and white)
    (0.10, 0.12, 0.34),  # dark blue for the shadows
    (0.12, 0.30, 0.20),  # deep green
    (0.42, 0.16, 0.20),  # crimson lake
)
# Seurat also laid his pigments out lightened with white: the tints let light areas stay light.
TINTS = tuple(tuple(round(c + (0.97 - c) * 0.5, 3) for c in p) for p in PIGMENTS[:8])
# ... and darkened in the shadows with blue (Seurat's shadows are coloured, never black).
SHADES = tuple(tuple(round(c + (d - c) * 0.45, 3) for c, d in zip(p, (0.10, 0.12, 0.34))) for p in PIGMENTS[:8])
CANVAS = (0.93, 0.89, 0.80)


def dot_spacing(ctx: RenderContext, units: float) -> float:
    """Dab spacing in pixels: stroke units, but finer on small images so a 300-px photo keeps its subject."""
    return ctx.px(units) * cells.small_image_scale(ctx.width, ctx.height)


def _dither_choice(target_lab: torch.Tensor, pal_lab: torch.Tensor, u: torch.Tensor, n: int = 4) -> torch.Tensor:
    """Per dab (target (N, 3) Lab, random u (N,)), a palette index.

    Pattern dithering (Knoll / Yliluoma): build, for each target, a list of `n`
    pigments whose mean is the target by repeatedly taking the pigment nearest
    to the target plus the error so far; then pick one of them at random. The
    dabs around a point then average, in the eye, to the image's colour.
    """
    import torch

    err = torch.zeros_like(target_lab)
    picks = []
    # Lightness counts double when choosing: neighbouring dabs differ in hue more than in value.
    wl = torch.tensor([2.0, 1.0, 1.0], device=target_lab.device)
    pal_w = pal_lab * wl
    for _ in range(n):
        want = target_lab + err
        idx = torch.cdist(want * wl, pal_w, compute_mode="donot_use_mm_for_euclid_dist").argmin(dim=1)
        picks.append(idx)
        err = err + (target_lab - pal_lab[idx])
    picks = torch.stack(picks, dim=1)
    which = (u * n).long().clamp(max=n - 1)
    return picks.gather(1, which.view(-1, 1)).view(-1)


def _layer(h: int, w: int, ctx: RenderContext, target: torch.Tensor, spacing: float, salt: int,
           pal: torch.Tensor, pal_lab: torch.Tensor):
    """One layer of dabs: (colour (1, 3, H, W), coverage (1, 1, H, W))."""
    import torch

    lat = cells.lattice(h, w, ctx.x0, ctx.y0, spacing, ctx.seed, salt=salt, jitter=0.95,
                        stagger=0.5 * (salt % 2))
    col = cells.sample_points(target, lat, ctx.x0, ctx.y0)  # (1, 3, ch, cw)
    # Slightly oval dabs at random angles: a brush tip, not a printer's dot.
    ang = lat.hash(3) * 3.14159
    rot = torch.cat([torch.cos(ang), torch.sin(ang)], dim=1)
    stretch = 1.0 + 0.35 * lat.hash(4)
    vor = cells.voronoi(h, w, ctx.x0, ctx.y0, lat, rot=rot, stretch=stretch)
    # Which pigment each dab gets: stochastic dithering between the two bracketing pigments.
    lab = ops.rgb_to_lab(col).permute(0, 2, 3, 1).reshape(-1, 3)
    # Jitter the target a little per dab so flat areas still break into several hues.
    jit = torch.cat([lat.hash(5) - 0.5, lat.hash(6) - 0.5, lat.hash(7) - 0.5], dim=1)
    jit = jit.permute(0, 2, 3, 1).reshape(-1, 3) * torch.tensor([6.0, 16.0, 16.0], device=lab.device)
    idx = _dither_choice(lab + jit, pal_lab, lat.hash(8).reshape(-1))
    dab = pal[idx].T.reshape(1, 3, lat.ch, lat.cw)
    # A touch of the local colour in each dab (pigment dragged through wet paint) calms the noise.
    dab = ops.blend(dab, col, 0.25)
    # Dab size: darker areas are covered more densely; lighter ones show canvas.
    lum = ops.luminance(col)
    radius = spacing * (0.42 + 0.25 * (1 - lum) + 0.10 * lat.hash(9))
    r = vor.gather(radius)
    soft = max(0.6, spacing * 0.12)
    cover = ops.smoothstep(0.0, 1.0, (r - vor.d1) / soft + 0.5)
    return vor.gather(dab), cover


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    dev = x.device
    pal = torch.tensor(PIGMENTS + TINTS + SHADES, device=dev)
    pal_lab = ops.rgb_to_lab(pal.T.reshape(1, 3, -1, 1)).reshape(3, -1).T
    # The colour the dabs should add up to: softened, a little more saturated and contrasted.
    target = cells.gaussian_at(x, ctx.px(1.2), ctx.x0, ctx.y0)
    target = ops.saturate(ops.contrast(target, 1.05), 1.25).pow(0.9)
    spacing = dot_spacing(ctx, 5.0)
    canvas = ops.color(CANVAS, dev)
    grain = ctx.grain(h, w, salt=11)
    weave = ctx.noise(h, w, 1.5, salt=12)
    out = canvas * (0.94 + 0.06 * weave) * (0.97 + 0.03 * grain)
    for salt in (1, 2):
        dab, cover = _layer(h, w, ctx, target, spacing, salt, pal, pal_lab)
        if salt == 2:
            cover = cover * 0.85
        # Paint is a little uneven inside a dab.
        dab = dab * (0.92 + 0.08 * ctx.grain(h, w, salt=20 + salt))
        out = ops.blend(out, dab, cover)
    # A faint wash of the local colour keeps the subject readable at a distance.
    out = ops.blend(out, target, 0.1)
    return out.clamp(0, 1)


register(StylePreset(
    name="pointillist",
    description="pointillism: dabs of pure pigment on a light canvas that mix in the eye (Seurat, Signac)",
    manner="as a pointillist painting",
    render=render,
    aliases=("seurat", "signac", "pointillism", "pointillist", "pointillisme", "pointilliste", "divisionism",
             "divisionnisme", "dots", "points", "grande jatte",
             # Neo-Impressionism *is* this manner; as aliases (not approximates) they outrank the
             # impressionist preset's "impressionism" alias found inside them.
             "neo impressionism", "neo impressionnisme", "neo impressionist", "neo impressionniste"),
    approximates=("henri edmond cross", "van rysselberghe", "theo van rysselberghe"),
    display={"seurat": "Seurat", "signac": "Signac", "grande jatte": "La Grande Jatte",
             "neo impressionism": "Neo-Impressionism", "neo impressionnisme": "néo-impressionnisme",
             "neo impressionist": "Neo-Impressionist", "neo impressionniste": "néo-impressionniste",
             "henri edmond cross": "Henri-Edmond Cross", "van rysselberghe": "Van Rysselberghe",
             "theo van rysselberghe": "Théo van Rysselberghe"},
    margin=16,
))
