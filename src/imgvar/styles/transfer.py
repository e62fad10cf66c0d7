"""Style transfer from a reference image, offline and without trained weights.

Two parts:

1. **Colour**: the content's colour statistics are matched to the style's, by
   the Monge-Kantorovich linear map between the two RGB covariances (or the
   per-channel mean and spread in Lab).
2. **Texture**: a Gatys-style optimisation of the pixels, but the statistics
   are those of a bank of *fixed random* convolution filters with ReLU, taken
   over an image pyramid (Ustyuzhaninov et al. 2016, "Texture synthesis using
   shallow convolutional networks with random filters"; He et al. 2016).
   The style loss matches the rectified responses' centred Gram matrices and
   means to the style image's at every scale; the content loss keeps a
   low-pass copy of the image close to the colour-matched content, so the
   subject survives. The pixels change only along the style's principal colour
   axes, and the optimisation starts at half size (coarse to fine).

The optimisation runs at a small working size; the full-resolution result is
the colour-matched full-resolution content plus the upsampled stylisation
residual (optimised minus colour-matched working image), so memory and time
do not grow with the input beyond a few pointwise passes.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..progress import advance
from . import ops

if TYPE_CHECKING:
    import torch
    from PIL import Image

DEFAULT_ITERATIONS = 80
WORKING_LONG_SIDE = 384  # pixels, times `detail`
WORKING_AREA = 384 * 240  # pixels, times `detail` squared: squarer images get a shorter long side
MIN_WORKING_LONG_SIDE = 96
MAX_WORKING_LONG_SIDE = 768
LEARNING_RATE = 0.04
CONTENT_WEIGHT = 0.5
CONTENT_SIGMA = 2.0  # px at the working size: the low-pass the content loss looks at
LEVEL_WEIGHTS = (1.0, 1.0, 0.5, 0.25)  # style loss weight per pyramid level, fine to coarse
MARGIN = 8  # px of free canvas round the working image, discarded at the end
EXT_MODE = "reflect"  # how the margin's starting content is made from the image
COARSE_SHARE = 0.4  # share of the steps run at half the working size first
INIT_NOISE = 0.05  # seeded noise added to the start so texture can grow in flat areas
STATS_SAMPLES = 262_144  # pixels sampled for colour statistics


@dataclass
class TransferInfo:
    iterations: int  # optimisation steps actually run
    seconds: float
    stopped_by_budget: bool  # True if the time budget cut the optimisation short
    working_size: tuple[int, int]  # (width, height) the optimisation ran at
    loss_start: float = float("nan")  # style loss of the colour-matched content (working size)
    loss_end: float = float("nan")  # style loss of the optimised image (working size), if any step ran
    planned_iterations: int = 0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["working_size"] = list(self.working_size)
        for key in ("loss_start", "loss_end"):
            if math.isnan(d[key]):
                d[key] = None
        return d


# --- colour -----------------------------------------------------------------

def _pixels(x: torch.Tensor, limit: int = STATS_SAMPLES) -> torch.Tensor:
    """(N, 3) float64 pixels of a (1, 3, H, W) tensor, a regular subsample when large."""
    flat = x[0].reshape(x.shape[1], -1)
    n = flat.shape[1]
    if n > limit:
        step = int(math.ceil(n / limit))
        flat = flat[:, ::step]
    return flat.T.double()


def _sqrtm(m: torch.Tensor, inverse: bool = False, floor: float = 0.0) -> torch.Tensor:
    import torch

    evals, evecs = torch.linalg.eigh(m)
    evals = evals.clamp(min=floor)
    roots = evals.sqrt()
    if inverse:
        roots = 1.0 / roots
    return (evecs * roots) @ evecs.T


def _covariance_map(content: torch.Tensor, style: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The affine map (A, b) with A @ c + b carrying the content's Gaussian onto the style's."""
    import torch

    pc, ps = _pixels(content), _pixels(style)
    mc, ms = pc.mean(0), ps.mean(0)
    cc = torch.cov(pc.T)
    cs = torch.cov(ps.T)
    eye = torch.eye(3, dtype=torch.float64, device=cc.device)
    # A floor on the content's spread keeps a flat or grey content from turning
    # sensor noise in its empty directions into loud colour.
    floor = max(1e-6, 1e-3 * float(torch.linalg.eigvalsh(cc).max()))
    cc = cc + eye * 1e-9
    cs = cs + eye * 1e-9
    c_half = _sqrtm(cc, floor=floor)
    c_inv_half = _sqrtm(cc, inverse=True, floor=floor)
    middle = _sqrtm(c_half @ cs @ c_half)
    a = c_inv_half @ middle @ c_inv_half
    return a, ms - a @ mc


def match_colors(content: torch.Tensor, style: torch.Tensor, method: str = "covariance") -> torch.Tensor:
    """`content` (1, 3, H, W, 0..1) recoloured to the style's colour statistics.

    "covariance": the linear Monge-Kantorovich map between the two RGB Gaussians
    (mean and full 3x3 covariance match). "lab": per-channel mean and standard
    deviation in CIE Lab.
    """
    import torch

    if method == "covariance":
        a, b = _covariance_map(content, style)
        a32 = a.to(content.dtype)
        b32 = b.to(content.dtype).view(1, 3, 1, 1)
        out = torch.einsum("ij,bjhw->bihw", a32, content) + b32
        return out.clamp(0, 1)
    if method == "lab":
        lc, ls = ops.rgb_to_lab(content), ops.rgb_to_lab(style)
        pc, ps = _pixels(lc), _pixels(ls)
        mc, sc = pc.mean(0), pc.std(0)
        ms, ss = ps.mean(0), ps.std(0)
        scale = (ss / sc.clamp(min=1e-3)).to(content.dtype).view(1, 3, 1, 1)
        shift = (ms.to(content.dtype).view(1, 3, 1, 1) - mc.to(content.dtype).view(1, 3, 1, 1) * scale)
        return ops.lab_to_rgb(lc * scale + shift).clamp(0, 1)
    raise ValueError(f"unknown colour matching method {method!r} (use 'covariance' or 'lab')")


# --- texture statistics -------------------------------------------------------

# Filter banks per pyramid level, as (size, count) pairs. The fine level is the
# expensive one (4x the pixels of the next), so it gets few small filters; the
# coarse levels, where strokes and swirls live, get more and larger ones.
LEVEL_BANKS = (
    ((3, 16), (5, 16)),
    ((3, 16), (5, 24), (7, 24)),
    ((5, 32), (7, 32), (11, 32)),
    ((5, 32), (7, 32), (11, 32)),
)


def _downsample(x: torch.Tensor) -> torch.Tensor:
    """Half size through a binomial [1 3 3 1] filter: unlike 2x2 box pooling, its gradient is smooth."""
    import torch
    import torch.nn.functional as F

    c = x.shape[1]
    k1 = torch.tensor([1.0, 3.0, 3.0, 1.0], device=x.device, dtype=x.dtype) / 8.0
    k = (k1[:, None] * k1[None, :]).expand(c, 1, 4, 4).contiguous()
    return F.conv2d(x, k, stride=2, groups=c)


class RandomFeatures:
    """Fixed banks of random convolution filters with ReLU, applied over an image pyramid.

    The filters are drawn from `seed` on the CPU, so they are the same on every
    device. Inputs are centred and scaled by the style's statistics first, so
    the filters see the same range whatever the palette.
    """

    def __init__(self, seed: int, dev, *, banks=None, center: torch.Tensor | None = None, scale: float = 1.0):
        import torch

        banks = LEVEL_BANKS if banks is None else banks
        gen = torch.Generator(device="cpu").manual_seed(int(seed) & 0x7FFF_FFFF_FFFF_FFFF)
        self.levels = []
        for bank in banks:
            layer = []
            for k, n in bank:
                w = torch.randn(n, 3, k, k, generator=gen)
                w = w / w.flatten(1).norm(dim=1).view(n, 1, 1, 1)
                b = torch.randn(n, generator=gen) * 0.1
                layer.append((w.to(dev), b.to(dev)))
            self.levels.append(layer)
        self.center = center if center is not None else torch.full((1, 3, 1, 1), 0.5, device=dev)
        self.scale = scale

    def level_inputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = (x - self.center) / self.scale
        out = [x]
        for _ in range(1, len(self.levels)):
            if min(x.shape[-2:]) < 8:
                break
            x = _downsample(x)
            out.append(x)
        return out

    @staticmethod
    def features(x: torch.Tensor, layer) -> torch.Tensor:
        """Filter responses (1, F, H', W') of one pyramid level, before the ReLU."""
        import torch
        import torch.nn.functional as F

        big = max(w.shape[-1] for w, _ in layer)
        # Valid convolutions (padding would make border pixels special), each cropped
        # to the largest kernel's valid area.
        h, wd = x.shape[-2:]
        oh, ow = h - big + 1, wd - big + 1
        maps = []
        for w, b in layer:
            m = (big - w.shape[-1]) // 2
            sub = x[..., m:m + oh + w.shape[-1] - 1, m:m + ow + w.shape[-1] - 1] if m else x
            maps.append(F.conv2d(sub, w, b))
        return torch.cat(maps, dim=1)

    def stats(self, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(covariance, mean) of the rectified features at every pyramid level big enough to filter."""
        import torch

        out = []
        for level, layer in zip(self.level_inputs(x), self.levels):
            if min(level.shape[-2:]) < max(w.shape[-1] for w, _ in layer) + 2:
                break
            f = torch.relu(self.features(level, layer).flatten(2)[0])
            mean = f.mean(dim=1)
            fc = f - mean[:, None]
            # The centred Gram matrix (covariance) rather than the raw one: the raw one is
            # dominated by the means (mostly colour, already matched), hiding the texture.
            out.append((fc @ fc.T / f.shape[1], mean))
        return out


def style_loss(stats: list, target: list) -> torch.Tensor:
    """Sum over pyramid levels of the relative squared errors of the features' covariances
    and means against the style's, weighted by LEVEL_WEIGHTS."""
    total = 0.0
    for k, ((g, m), (gs, ms)) in enumerate(zip(stats, target)):
        wgt = LEVEL_WEIGHTS[min(k, len(LEVEL_WEIGHTS) - 1)]
        total = total + wgt * ((g - gs) ** 2).sum() / (gs**2).sum().clamp(min=1e-12)
        total = total + wgt * ((m - ms) ** 2).sum() / (ms**2).sum().clamp(min=1e-12)
    return total


# --- the transfer ---------------------------------------------------------------

def _style_rgb(style: Image.Image) -> Image.Image:
    """The style as RGB; transparent parts are laid over white rather than their hidden colour."""
    from PIL import Image

    if style.mode in ("RGBA", "LA", "PA") or (style.mode == "P" and "transparency" in style.info):
        rgba = style.convert("RGBA")
        base = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(base, rgba).convert("RGB")
    return style.convert("RGB")


def _working_size(w: int, h: int, long_side: float, area: float | None = None) -> tuple[int, int]:
    """(w, h) scaled down (never up) to fit `long_side` and, if given, `area`; at least 16 px a side."""
    scale = min(1.0, long_side / max(w, h))
    if area is not None:
        scale = min(scale, math.sqrt(area / (w * h)))
    return max(16, round(w * scale)), max(16, round(h * scale))


def _lowpass(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Gaussian blur by normalised convolution (zero padding divided by the blurred support).

    No pixel is duplicated at the border, unlike replicate or reflect padding:
    a duplicated pixel weighs more in the content loss, and the optimisation
    answers with a line one pixel in from the edge.
    """
    import torch
    import torch.nn.functional as F

    if sigma < 0.3:
        return x
    r = max(1, int(math.ceil(3 * sigma)))
    t = torch.arange(-r, r + 1, dtype=x.dtype, device=x.device)
    k = torch.exp(-(t * t) / (2 * sigma * sigma))
    k = k / k.sum()
    c = x.shape[1]
    kx = k.view(1, 1, 1, -1).expand(c, 1, 1, -1)
    ky = k.view(1, 1, -1, 1).expand(c, 1, -1, 1)
    ones = torch.ones_like(x[:, :1])
    blur = F.conv2d(F.conv2d(x, kx, padding=(0, r), groups=c), ky, padding=(r, 0), groups=c)
    support = F.conv2d(F.conv2d(ones, kx[:1], padding=(0, r)), ky[:1], padding=(r, 0))
    return blur / support


def _colour_basis(style: torch.Tensor) -> torch.Tensor:
    """3x3 matrix whose columns are the style's principal colour axes, each scaled by its
    spread relative to the largest (so the main axis has unit length)."""
    import torch

    p = _pixels(style)
    evals, evecs = torch.linalg.eigh(torch.cov(p.T))
    std = evals.clamp(min=0).sqrt()
    rel = std / std.max().clamp(min=1e-6)
    return (evecs * rel).to(style.dtype).to(style.device)


def _apply(basis: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.einsum("ij,bjhw->bihw", basis, r)


def _stages(planned: int, ww: int, wh: int) -> list[tuple[int, int, int]]:
    """(width, height, steps) per coarse-to-fine stage: a share of the steps at half size first.

    Low frequencies move slowly under per-pixel Adam; a half-size stage costs a
    quarter per step and lays out the larger strokes before the fine pass.
    """
    coarse = int(round(planned * COARSE_SHARE)) if min(ww, wh) >= 64 else 0
    stages = []
    if coarse:
        stages.append((max(16, round(ww / 2)), max(16, round(wh / 2)), coarse))
    stages.append((ww, wh, planned - coarse))
    return stages


def transfer_style(content: Image.Image, style: Image.Image, *, strength: float = 1.0, detail: float = 1.0,
                   seed: int = 0, time_budget: float = 60.0, iterations: int | None = None,
                   color_method: str = "covariance") -> tuple[Image.Image, TransferInfo]:
    """`content` restyled after the reference image `style`, same size, RGB.

    `strength` 0 returns the content unchanged, 1 the full transfer, between a
    blend. `detail` scales the working size (finer texture and slower above 1).
    `time_budget` (seconds, counted from the call) stops the optimisation before
    a step that would overrun it; colour matching and the final full-size pass
    (a few pointwise operations) always run. `iterations` overrides the default
    step count. Same seed, same bytes when the budget is not hit (same device
    and thread count). `color_method` is "covariance" or "lab" (see match_colors).

    Cost is set by the working size, not the input: on one CPU thread a 1 MP
    photo takes about 8 s. On a CPU shared with other jobs, torch's default
    thread pool can be several times slower than one thread for tensors this
    small; callers there may want torch.set_num_threads(1).
    """
    import torch
    import torch.nn.functional as F
    from PIL import Image

    start = time.perf_counter()
    strength = min(1.0, float(strength))
    rgb = content.convert("RGB")
    w, h = rgb.size
    planned = DEFAULT_ITERATIONS if iterations is None else max(0, int(iterations))
    long_side = min(MAX_WORKING_LONG_SIDE, max(MIN_WORKING_LONG_SIDE, WORKING_LONG_SIDE * float(detail)))
    ww, wh = _working_size(w, h, long_side, WORKING_AREA * (long_side / WORKING_LONG_SIDE) ** 2)
    if strength <= 0:
        info = TransferInfo(0, time.perf_counter() - start, False, (ww, wh), planned_iterations=planned)
        return rgb.copy(), info

    dev = ops.device()
    # The caller may be in inference mode (the preset renderer is): this needs autograd.
    with torch.inference_mode(False), torch.enable_grad():
        full = ops.to_tensor(rgb)
        style_img = _style_rgb(style)
        sw, sh = style_img.size
        # The style at the content's working scale, so its strokes keep their size relative to the frame.
        sws, shs = _working_size(sw, sh, max(ww, wh))
        style_small = ops.to_tensor(style_img.resize((sws, shs), Image.Resampling.BOX)
                                    if (sws, shs) != (sw, sh) else style_img)
        style_stats_src = ops.to_tensor(style_img) if sw * sh <= 4 * STATS_SAMPLES else style_small

        matched_full = match_colors(full, style_stats_src, color_method)
        matched = ops.resize(matched_full, (wh, ww), "area" if ww <= w else "bilinear")

        center = style_small.mean(dim=(2, 3), keepdim=True)
        scale = float(style_small.std().clamp(min=0.05))
        net = RandomFeatures(seed, dev, center=center, scale=scale)
        gen = torch.Generator(device="cpu").manual_seed((int(seed) * 7919 + 17) & 0x7FFF_FFFF_FFFF_FFFF)

        done = 0
        stopped = False
        loss_start = loss_end = float("nan")
        full_target = None
        if planned:
            with torch.no_grad():
                full_target = net.stats(style_small)
                loss_start = float(style_loss(net.stats(matched), full_target))
        # The residual is optimised in the style's principal colour axes, scaled by
        # the style's spread along each: Adam moves every coordinate at about the
        # same rate, so in plain RGB it would paint colour noise even for a grey
        # style; here the texture can only vary the way the painting's colours do.
        basis = _colour_basis(style_small)
        last_step = 0.0
        r = None  # residual coordinates, over the current stage's canvas
        prev_margin = 0  # the margin around r's canvas
        for sw_, sh_, steps in (_stages(planned, ww, wh) if planned else []):
            base = matched if (sw_, sh_) == (ww, wh) else ops.resize(matched, (sh_, sw_), "area")
            style_s = style_small if (sw_, sh_) == (ww, wh) else ops.resize(
                style_small, (max(16, round(shs * sh_ / wh)), max(16, round(sws * sw_ / ww))), "area")
            sigma = CONTENT_SIGMA * sh_ / wh
            # The optimisation runs on a canvas a margin larger than the image: the filters
            # see the image's own border pixels as often as any other, and what the
            # border effects of the valid convolutions do happens in the discarded margin.
            m = max(2, round(MARGIN * sh_ / wh))
            base_ext = F.pad(base, (m, m, m, m), mode=EXT_MODE if min(sh_, sw_) > m else "replicate")
            with torch.no_grad():
                target = net.stats(style_s)
                # The content loss covers the margin too (mirrored content there): were the
                # margin free, it could balance the low-pass near the border and leave the
                # border rows less constrained than the rest.
                low_target = _lowpass(base_ext, sigma)
            if r is None:
                r0 = INIT_NOISE * torch.randn(1, 3, sh_ + 2 * m, sw_ + 2 * m, generator=gen).to(dev)
            else:
                r0 = F.pad(ops.resize(r.detach()[..., prev_margin:-prev_margin, prev_margin:-prev_margin], (sh_, sw_), "bicubic"), (m, m, m, m),
                           mode="replicate")
            prev_margin = m
            r = r0.detach().requires_grad_(True)
            opt = torch.optim.Adam([r], lr=LEARNING_RATE)
            for _ in range(steps):
                t0 = time.perf_counter()
                if t0 - start + last_step > time_budget:
                    stopped = True
                    break
                opt.zero_grad(set_to_none=True)
                x = (base_ext + _apply(basis, r)).clamp(0, 1)
                s_loss = style_loss(net.stats(x), target)
                c_loss = ((_lowpass(x, sigma) - low_target) ** 2).mean() * 1000.0
                loss = s_loss + CONTENT_WEIGHT * c_loss
                loss.backward()
                opt.step()
                done += 1
                advance(done, planned, "iterations")
                last_step = time.perf_counter() - t0
            if stopped:
                break

        with torch.no_grad():
            if r is None or done == 0:
                x = matched
            else:
                rr = r.detach()[..., prev_margin:-prev_margin, prev_margin:-prev_margin]
                if tuple(rr.shape[-2:]) != (wh, ww):
                    rr = ops.resize(rr, (wh, ww), "bicubic")
                x = (matched + _apply(basis, rr)).clamp(0, 1)
            if done:
                loss_end = float(style_loss(net.stats(x), full_target))
            residual = x.detach() - matched
            if (ww, wh) != (w, h):
                residual = ops.resize(residual, (h, w), "bicubic")
            out = (matched_full + residual).clamp(0, 1)
            if strength < 1:
                out = full + (out - full) * float(strength)
            image = Image.fromarray(ops.to_uint8(out), "RGB")
    info = TransferInfo(done, time.perf_counter() - start, stopped, (ww, wh), loss_start, loss_end, planned)
    return image, info
