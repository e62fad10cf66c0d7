"""Ukiyo-e woodblock print in the manner of Hokusai: flat areas of a few printed colours (the image's
k-means colours pulled toward a woodblock palette), a crisp indigo key-block outline, bokashi
gradation in large flat areas such as the sky, and fibrous warm paper."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_lines as ol
from .. import ops_wash as ow
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

# Woodblock pigments: Prussian blue (two strengths), indigo, paper and pale ochre, muted vermilion,
# sage green, soft and beni pinks, purple, wood tan and a grey wash; near-black sumi is kept for the outlines.
WOODBLOCK = (
    (0.11, 0.23, 0.44),  # Prussian blue
    (0.44, 0.60, 0.68),  # pale Prussian blue
    (0.16, 0.19, 0.31),  # indigo
    (0.92, 0.89, 0.80),  # paper
    (0.86, 0.79, 0.62),  # pale ochre
    (0.76, 0.36, 0.25),  # muted vermilion
    (0.55, 0.62, 0.47),  # sage green
    (0.89, 0.70, 0.64),  # soft pink
    (0.80, 0.47, 0.55),  # beni pink
    (0.49, 0.38, 0.56),  # murasaki purple
    (0.79, 0.64, 0.44),  # wood tan
    (0.62, 0.60, 0.55),  # grey wash
)
PAPER = (1.0, 0.985, 0.955)  # warm tint of the sheet, multiplied over the print
INK = (0.10, 0.11, 0.19)  # dark indigo key block
K = 10


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    import torch

    # The colours of the print: a quarter-megapixel copy has them all, at a quarter of the cost.
    side = max(small.shape[-2:])
    if side > 256:
        small = ops.resize(small, (max(1, round(small.shape[-2] * 256 / side)), max(1, round(small.shape[-1] * 256 / side))),
                           "area")
    smooth = ops.kuwahara(ops.gaussian(small, 0.5), 2)
    centres = ow.kmeans_lab(smooth, K, ctx.seed)
    palette = torch.tensor(WOODBLOCK, device=small.device)
    printed = ow.pull_to_palette(ops.saturate(centres.T.reshape(1, 3, -1, 1), 1.2)[0, :, :, 0].T, palette, 0.8, 0.4)
    # Prints are light: the lightest colour is the bare paper, the darkest an indigo, not black.
    lum = ops.luminance(printed.T.reshape(1, 3, -1, 1)).flatten()
    printed[lum.argmax()] = palette[3]
    printed = torch.where(lum[:, None] < 0.2, ops.blend(printed, palette[2], 0.6), printed)
    return {"centres": centres, "printed": printed}


def _render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch
    import torch.nn.functional as F

    h, w = x.shape[-2:]
    dev = x.device
    f = 2
    hs, ws = ow.half_size(x, f)
    small = ops.resize(x, (hs, ws), "area")
    smooth = ops.gaussian(ops.kuwahara(small, max(1, round(ctx.px(6) / f))), max(0.5, ctx.px(1) / f))

    # Calm areas (a sky, a wall) at quarter resolution: they get broader regions and the bokashi.
    q = 4
    quarter = ops.resize(smooth, ow.half_size(x, q), "area")
    busy = ow.gradient_magnitude(quarter) * (ctx.unit * q / 2)
    calm = 1.0 - ops.smoothstep(0.01, 0.04, ops.gaussian(busy, max(1.0, ctx.px(10) / q)))
    calm = ops.resize(ops.gaussian(calm, max(1.0, ctx.px(8) / q)), (hs, ws))

    # Flat colour areas: nearest k-means colour, a majority vote to clear specks (wider where calm,
    # so a sky has no islands), upsampled before the final choice so borders are smooth curves.
    centres = ctx.globals["centres"].to(dev)
    printed = ctx.globals["printed"].to(dev)
    index = ops.nearest_palette(smooth, centres)
    onehot = F.one_hot(index[:, 0], K).permute(0, 3, 1, 2).float()
    votes = ops.blend(ops.gaussian(onehot, max(1.0, ctx.px(2.6) / f)),
                      ops.gaussian(onehot, max(1.0, ctx.px(9) / f)), calm)

    # Bokashi: toward the top edge the print darkens to Prussian blue, most in calm areas.
    top = (1.0 - ow.global_rows(ctx, hs, ws, f) / 0.4).clamp(0, 1) ** 1.5
    bokashi = top * (0.3 + 0.7 * calm)
    # Mokume: the grain of the block shows in the large flat areas.
    grain_rings = ow.wood_grain(ctx, hs, ws, f, 4.0, salt=55) * calm

    _, coherence = ops.flow_field(ops.luminance(smooth), max(1.0, ctx.px(2) / f))

    # Printing texture: the pigment lies unevenly (baren pressure), soaks into the fibres and shows
    # the wood's grain; all smooth enough to be made here and brought up to full resolution.
    mottle = ow.noise_at(ctx, hs, ws, f, ow.paper_units(ctx, 5), salt=51, octaves=3) - 0.5
    fib = ow.fibres(ctx, hs, ws, f, 8, salt=52)
    texture = 0.22 * mottle - 0.3 * fib + 0.15 * grain_rings
    low = ops.resize(torch.cat([bokashi, texture, fib, coherence], dim=1), (h, w))
    colour = _print_blocks(votes, printed, h, w)
    colour = ops.blend(colour, ops.color(WOODBLOCK[0], dev), low[:, 0:1] * 0.75)
    fib = low[:, 2:3]
    speck = ol.fast_grain(h, w, ctx, salt=53) - 0.5
    colour = ow.density(colour, 1.0 + low[:, 1:2] + 0.08 * speck)

    # Key block: crisp, even indigo outlines from a DoG of the smoothed image.
    # Kept along coherent contours, not on specks of texture.
    lum = ops.gaussian(ops.luminance(x), max(0.6, ctx.px(1.2)))
    lines = ow.dog_lines(lum, max(0.7, ctx.px(0.9)), threshold=0.012, sharpness=220.0)
    lines = lines * ops.smoothstep(0.1, 0.3, ctx.noise(h, w, 9, salt=54, octaves=2) + 0.15)
    lines = lines * ops.smoothstep(0.15, 0.45, low[:, 3:4])
    ink = ops.color(INK, dev)
    colour = ops.blend(colour, ink, lines * 0.92)

    # Warm paper under everything, with fibres showing through.
    paper = ops.color(PAPER, dev)
    colour = colour * paper * (1.0 - 0.04 * fib)
    return colour.clamp(0, 1)


def _print_blocks(votes: torch.Tensor, printed: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """Full-resolution flat colour from reduced-resolution block votes (1, K, hs, ws).

    Each pixel takes the printed colour of its block; only pixels near a border between blocks
    interpolate the votes and sharpen them (10th power), which keeps the borders crisp and
    antialiased while the (many more) pixels inside the blocks cost one lookup.
    """
    import torch
    import torch.nn.functional as F

    winner = votes.argmax(dim=1, keepdim=True).float()
    # A border pixel has a different winner within one (reduced) pixel: its interpolated
    # votes may then favour another block.
    mixed = F.max_pool2d(winner, 3, stride=1, padding=1) != -F.max_pool2d(-winner, 3, stride=1, padding=1)
    winner = F.interpolate(winner, size=(h, w), mode="nearest").long().view(-1)
    colour = printed.T.contiguous().index_select(1, winner)  # (3, h * w)
    near = F.interpolate(mixed.float(), size=(h, w), mode="nearest").view(-1).nonzero().view(-1)
    if near.numel():
        ys = torch.div(near, w, rounding_mode="floor")
        xs = near - ys * w
        grid = torch.stack([(xs.float() + 0.5) * (2.0 / w) - 1.0, (ys.float() + 0.5) * (2.0 / h) - 1.0], dim=-1)
        v = F.grid_sample(votes, grid.view(1, 1, -1, 2), mode="bilinear", padding_mode="border",
                          align_corners=False)[0, :, 0]  # (K, n): the same values as a bilinear upsample
        share = v.clamp_(min=1e-4).pow_(10)
        share.div_(share.sum(dim=0, keepdim=True))
        colour[:, near] = printed.T @ share
    return colour.view(1, 3, h, w)


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    # Tiles are cropped to an 8-pixel grid so the reduced-resolution passes (and the pyramids of the
    # wider blurs) use the same pixel blocks as the whole image: tiles then meet without seams.
    tile, tile_ctx, pads = ow.align(x, ctx, 8)
    return ow.unalign(_render(tile, tile_ctx), pads)


register(StylePreset(
    name="ukiyo_e",
    description="ukiyo-e woodblock print: flat printed colours, indigo key-block outlines, bokashi sky, fibrous paper",
    manner="as a Japanese ukiyo-e woodblock print",
    render=render,
    prepare=prepare,
    aliases=("ukiyo e", "ukiyoe", "ukiyo", "hokusai", "hiroshige", "japanese woodblock", "japanese woodblock print",
             "woodblock", "woodblock print", "japanese print", "estampe japonaise", "estampes japonaises", "estampe",
             "gravure sur bois", "xylographie", "great wave", "grande vague", "japonisme"),
    approximates=("utamaro", "kuniyoshi", "hasui", "kawase hasui", "woodcut", "linocut", "linogravure",
                  "japanese art", "art japonais"),
    display={"ukiyo e": "ukiyo-e", "ukiyoe": "ukiyo-e", "ukiyo": "ukiyo-e", "hokusai": "Hokusai",
             "hiroshige": "Hiroshige", "great wave": "The Great Wave", "grande vague": "la Grande Vague",
             "utamaro": "Utamaro", "kuniyoshi": "Kuniyoshi", "hasui": "Hasui", "kawase hasui": "Kawase Hasui"},
    margin=40,
    version="2",
))
