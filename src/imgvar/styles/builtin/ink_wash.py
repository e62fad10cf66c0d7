"""East Asian ink wash (sumi-e): a few graded washes of black ink taken from the luminance, with
wet, bleeding edges, expressive brush outlines of varying width with dry-brush breaks, and a lot
of untouched warm rice paper with fibres."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import ops
from .. import ops_wash as ow
from ..registry import StylePreset, register

if TYPE_CHECKING:
    import torch

    from ..render import RenderContext

PAPER = (0.95, 0.93, 0.875)  # xuan paper, warm off-white
INK = (0.07, 0.07, 0.08)  # pine-soot ink
LEVELS = 4  # graded washes from pale grey to near-black


def ink_value(x: torch.Tensor) -> torch.Tensor:
    """How light a colour reads in ink: luminance, with saturated colours taken a little darker
    (a painter renders a pink flower against a pale sky as a mid wash, not as bare paper)."""
    chroma = x.max(dim=1, keepdim=True).values - x.min(dim=1, keepdim=True).values
    return (ops.luminance(x) - 0.2 * chroma).clamp(0, 1)


def prepare(small: torch.Tensor, ctx: RenderContext) -> dict:
    v = ink_value(ops.gaussian(small, 1.5)).flatten()
    # Roughly the lighter 40 % of the picture stays bare paper and the darkest few percent solid ink,
    # tempered by fixed tones so a night scene stays dark and a snow scene light.
    hi = 0.5 * float(v.quantile(0.55)) + 0.5 * 0.75
    lo = 0.5 * float(v.quantile(0.03)) + 0.5 * 0.08
    return {"paper": hi, "solid": min(lo, hi - 0.25)}


def _render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    import torch

    h, w = x.shape[-2:]
    dev = x.device
    f = 2
    hs, ws = ow.half_size(x, f)
    value = ink_value(x)
    small = ops.resize(value, (hs, ws), "area")

    # Ink amount from the luminance: light areas stay bare paper, the rest falls into a few washes.
    smooth = ops.gaussian(ops.kuwahara(small, max(1, round(ctx.px(5) / f))), max(0.6, ctx.px(1.5) / f))
    # A painter sets a subject off its surroundings: local contrast is raised before the tones are
    # chosen, so a pink flower against an equally light sky still gets its wash.
    local = (smooth + 0.8 * (smooth - ops.gaussian(smooth, max(2.0, ctx.px(12) / f)))).clamp(0, 1)
    hi = ctx.globals.get("paper", 0.6)
    lo = ctx.globals.get("solid", 0.1)
    amount = ((hi - local) / max(hi - lo, 0.05)).clamp(0, 1)
    washes = ow.tone_steps(amount, LEVELS, 0.18) ** 1.35

    # Wet ink: the wash borders wander and bleed softly, pigment pools at the rims.
    washes = ow.warp(washes, ctx, f, 3.0, 18, salt=71)
    bleed = ops.gaussian(washes, max(0.8, ctx.px(2.5) / f))
    rim = ow.gradient_magnitude(ops.gaussian(washes, max(0.6, ctx.px(1.2) / f))) * (ctx.unit * f / 2)
    rim = (rim * 6.0).clamp(0, 1) * (bleed > 0.02).float()
    # Uneven water: low-frequency variation of the ink load, and a few fibres the ink runs along.
    load = 1.0 + 0.35 * (ow.noise_at(ctx, hs, ws, f, 40, salt=72, octaves=3) - 0.5)
    fib = ow.fibres(ctx, hs, ws, f, 9, salt=73)
    wash = (bleed * load * (1.0 + 0.12 * fib) + 0.25 * rim).clamp(0, 1)

    # Brush outlines: a DoG whose threshold wanders, so the stroke swells and thins; dry-brush
    # streaks along the image's flow break the line here and there.
    tangent, coherence = ops.flow_field(smooth, max(1.0, ctx.px(2) / f))
    streaks = ops.lic(ow.noise_at(ctx, hs, ws, f, 0.8, salt=74), tangent, max(2.0, ctx.px(7) / f), steps=5)
    low = ops.resize(torch.cat([wash, fib, streaks, coherence], dim=1), (h, w))
    wash, fib, streaks, coherence = low[:, 0:1], low[:, 1:2], low[:, 2:3], low[:, 3:4]
    # Lines where edges are coherent (contours), not in fur or foliage.
    # The DoG runs on the ink value and on each colour channel: an edge between two colours of the
    # same lightness still gets its outline (on whichever side reads darker in some channel).
    chans = ops.gaussian(torch.cat([value, x], dim=1), max(0.6, ctx.px(1.0)))
    sigma = max(0.8, ctx.px(1.4))
    dog = ops.gaussian(chans, sigma) - ops.gaussian(chans, sigma * 1.6)
    d = torch.minimum(dog[:, :1], 0.8 * dog[:, 1:].min(dim=1, keepdim=True).values)
    width = ctx.noise(h, w, 22, salt=75, octaves=2)
    threshold = 0.006 + 0.03 * width ** 2
    line = ops.smoothstep(0.0, 0.012, -(d + threshold))
    dry = ops.smoothstep(0.3, 0.45, (streaks - 0.5) * 3.0 + 0.5 + 0.6 * (width - 0.3))
    line = line * (0.35 + 0.65 * dry) * ops.smoothstep(0.2, 0.6, coherence)

    ink_amount = 1.0 - (1.0 - wash * 0.92) * (1.0 - line * 0.95)
    # Ink sinks into the fibres: a faint fibre pattern also shows on the bare paper.
    grain = ctx.grain(h, w, salt=76) - 0.5
    paper = ops.color(PAPER, dev) * (1.0 - 0.05 * fib + 0.02 * grain)
    ink = ops.color(INK, dev)
    return ops.blend(paper, ink, ink_amount.clamp(0, 1)).clamp(0, 1)


def render(x: torch.Tensor, ctx: RenderContext) -> torch.Tensor:
    # Tiles are cropped to an 8-pixel grid so the reduced-resolution passes (and the pyramids of the
    # wider blurs) use the same pixel blocks as the whole image: tiles then meet without seams.
    tile, tile_ctx, pads = ow.align(x, ctx, 8)
    return ow.unalign(_render(tile, tile_ctx), pads)


register(StylePreset(
    name="ink_wash",
    description="sumi-e ink wash: graded black ink washes with wet edges, expressive brush lines, bare rice paper",
    manner="as an East Asian ink wash painting",
    render=render,
    prepare=prepare,
    aliases=("ink wash", "ink wash painting", "sumi e", "sumie", "sumi", "suibokuga", "shui mo", "shuimo",
             "ink painting", "brush painting", "chinese painting", "chinese ink", "japanese ink painting", "lavis",
             "lavis a l encre", "encre de chine", "peinture a l encre", "peinture chinoise", "encre", "ink"),
    approximates=("calligraphy", "calligraphie", "zen", "sesshu", "qi baishi", "chinese landscape",
                  "paysage chinois", "shan shui"),
    display={"sumi e": "sumi-e", "sumie": "sumi-e", "sesshu": "Sesshū", "qi baishi": "Qi Baishi",
             "shan shui": "shan shui"},
    margin=44,
    version="1",
))
