"""Image operations the style presets are built from, on torch tensors.

Tensors are float32, shape (1, C, H, W), values in 0..1, on `device()` (a GPU
when torch sees one, else the CPU: same code, same results up to float noise).
Random textures are hashed from global pixel coordinates and the seed, so a
tile rendered on its own matches the same region of the whole image.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from PIL import Image


@lru_cache(maxsize=1)
def device() -> torch.device:
    import torch

    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def to_tensor(image: Image.Image) -> torch.Tensor:
    import numpy as np
    import torch

    arr = torch.from_numpy(np.array(image if image.mode == "RGB" else image.convert("RGB"), dtype=np.uint8))
    # Planar (NCHW-contiguous) float: every later op is faster on it than on a channels-last view.
    out = torch.empty((1, 3, arr.shape[0], arr.shape[1]), device=device())
    out[0].copy_(arr.permute(2, 0, 1))
    return out.div_(255.0)


def to_uint8(x: torch.Tensor):
    """(1, C, H, W) tensor -> HxWxC uint8 numpy array."""
    import torch

    # Scaled, rounded and clamped in place, then laid out as HxWxC by torch (threaded), so the
    # array is contiguous and PIL takes it without another copy.
    arr = x[0].mul(255.0).add_(0.5).clamp_(0.0, 255.0).to(dtype=torch.uint8)
    return arr.permute(1, 2, 0).contiguous().cpu().numpy()


def to_image(x: torch.Tensor) -> Image.Image:
    from PIL import Image

    arr = to_uint8(x)
    return Image.fromarray(arr[..., 0] if arr.shape[2] == 1 else arr, "L" if arr.shape[2] == 1 else "RGB")


# --- colour ---------------------------------------------------------------

_LUMA = (0.299, 0.587, 0.114)


def luminance(x: torch.Tensor) -> torch.Tensor:
    return x[:, 0:1] * _LUMA[0] + x[:, 1:2] * _LUMA[1] + x[:, 2:3] * _LUMA[2]


def gray3(x: torch.Tensor) -> torch.Tensor:
    return luminance(x).expand(-1, 3, -1, -1)


def saturate(x: torch.Tensor, amount: float) -> torch.Tensor:
    """Scale chroma around the luminance: amount 1 keeps, >1 intensifies, 0 greys."""
    y = luminance(x)
    return (y + (x - y) * amount).clamp(0, 1)


def contrast(x: torch.Tensor, amount: float, pivot: float = 0.5) -> torch.Tensor:
    return ((x - pivot) * amount + pivot).clamp(0, 1)


def levels(x: torch.Tensor, black: float, white: float, gamma: float = 1.0) -> torch.Tensor:
    return ((x - black) / max(white - black, 1e-6)).clamp(0, 1).pow(gamma)


def rgb_to_hsv(x: torch.Tensor) -> torch.Tensor:
    import torch

    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    maxc, _ = x.max(dim=1)
    minc, _ = x.min(dim=1)
    delta = maxc - minc
    safe = torch.where(delta > 1e-6, delta, torch.ones_like(delta))
    h = torch.where(maxc == r, ((g - b) / safe) % 6, torch.where(maxc == g, (b - r) / safe + 2, (r - g) / safe + 4))
    h = torch.where(delta > 1e-6, h / 6.0, torch.zeros_like(h))
    s = torch.where(maxc > 1e-6, delta / torch.where(maxc > 1e-6, maxc, torch.ones_like(maxc)), torch.zeros_like(maxc))
    return torch.stack([h % 1.0, s, maxc], dim=1)


def hsv_to_rgb(hsv: torch.Tensor) -> torch.Tensor:
    import torch

    h, s, v = hsv[:, 0] * 6.0, hsv[:, 1], hsv[:, 2]

    def channel(n: float) -> torch.Tensor:
        k = (n + h) % 6
        return v - v * s * torch.clamp(torch.minimum(k, 4 - k), 0, 1)

    return torch.stack([channel(5), channel(3), channel(1)], dim=1)


def _srgb_to_linear(x: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055).clamp(min=0).pow(2.4))


def _linear_to_srgb(x: torch.Tensor) -> torch.Tensor:
    import torch

    x = x.clamp(0, 1)
    return torch.where(x <= 0.0031308, x * 12.92, 1.055 * x.pow(1 / 2.4) - 0.055)


_RGB2XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))
_WHITE = (0.95047, 1.0, 1.08883)


def rgb_to_lab(x: torch.Tensor) -> torch.Tensor:
    """sRGB (0..1) to CIE Lab with L in 0..100."""
    import torch

    lin = _srgb_to_linear(x)
    m = torch.tensor(_RGB2XYZ, dtype=x.dtype, device=x.device)
    xyz = torch.einsum("ij,bjhw->bihw", m, lin)
    white = torch.tensor(_WHITE, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    t = xyz / white
    f = torch.where(t > 0.008856, t.clamp(min=1e-9).pow(1 / 3), 7.787 * t + 16 / 116)
    return torch.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], dim=1)


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    import torch

    fy = (lab[:, 0] + 16) / 116
    fx = fy + lab[:, 1] / 500
    fz = fy - lab[:, 2] / 200
    f = torch.stack([fx, fy, fz], dim=1)
    t = torch.where(f > 0.2069, f.pow(3), (f - 16 / 116) / 7.787)
    white = torch.tensor(_WHITE, dtype=lab.dtype, device=lab.device).view(1, 3, 1, 1)
    m = torch.linalg.inv(torch.tensor(_RGB2XYZ, dtype=torch.float64)).to(lab.dtype).to(lab.device)
    lin = torch.einsum("ij,bjhw->bihw", m, t * white)
    return _linear_to_srgb(lin)


# --- filtering --------------------------------------------------------------

@lru_cache(maxsize=64)
def _gauss_kernel(sigma: float, dev: str):
    import torch

    radius = max(1, int(math.ceil(3 * sigma)))
    xs = torch.arange(-radius, radius + 1, dtype=torch.float32)
    k = torch.exp(-(xs**2) / (2 * sigma * sigma))
    return (k / k.sum()).to(dev), radius


def gaussian(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur; large sigmas go through a pyramid so the cost does not grow with sigma."""
    import torch.nn.functional as F

    if sigma < 0.3:
        return x
    if sigma > 4.0 and min(x.shape[-2:]) >= 16:
        h, w = x.shape[-2:]
        small = F.avg_pool2d(x, 2, ceil_mode=True)
        blurred = gaussian(small, math.sqrt(max(sigma * sigma - 1.0, 0.25)) / 2.0)
        return F.interpolate(blurred, size=(h, w), mode="bilinear", align_corners=False)
    k, r = _gauss_kernel(round(sigma, 3), str(x.device))
    # Weighted sums of shifted slices: on CPU this beats conv2d by several times for short kernels.
    weights = k.tolist()
    p = F.pad(x, (r, r, 0, 0), mode="replicate")
    w = x.shape[-1]
    out = p[..., 0:w] * weights[0]
    for i in range(1, 2 * r + 1):
        out = out.add_(p[..., i:i + w], alpha=weights[i])
    p = F.pad(out, (0, 0, r, r), mode="replicate")
    h = x.shape[-2]
    out = p[..., 0:h, :] * weights[0]
    for i in range(1, 2 * r + 1):
        out = out.add_(p[..., i:i + h, :], alpha=weights[i])
    return out


BOX_DIRECT_RADIUS = 6  # up to this radius box_mean averages directly; beyond, summed-area tables


def box_mean(x: torch.Tensor, radius: int) -> torch.Tensor:
    """Mean over a (2r+1)^2 window with summed-area tables: cost independent of the radius."""
    import torch
    import torch.nn.functional as F

    r = max(1, int(radius))
    if r <= BOX_DIRECT_RADIUS:
        # Small windows: sums of shifted slices (as in `gaussian`) beat both the summed-area
        # tables' float64 passes and avg_pool2d, which is slow on the CPU for these shapes.
        h, w = x.shape[-2:]
        n = 2 * r + 1
        p = F.pad(x, (r, r, 0, 0), mode="replicate")
        out = p[..., 0:w].clone()
        for i in range(1, n):
            out.add_(p[..., i:i + w])
        p = F.pad(out, (0, 0, r, r), mode="replicate")
        del out  # at most two copies alive: large tiles have many channels here
        out = p[..., 0:h, :].clone()
        for i in range(1, n):
            out.add_(p[..., i:i + h, :])
        del p
        return out.mul_(1.0 / (n * n))
    # Float64 sums: float32 prefix sums over a megapixel lose the low bits that variances need.
    p = F.pad(x, (r + 1, r, r + 1, r), mode="replicate").double()
    s = p.cumsum(-1).cumsum(-2)
    h, w = x.shape[-2:]
    n = 2 * r + 1
    total = s[..., n:n + h, n:n + w] - s[..., 0:h, n:n + w] - s[..., n:n + h, 0:w] + s[..., 0:h, 0:w]
    return (total / (n * n)).to(torch.float32)


def sobel(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Central-difference gradients (x right, y down) of a 1-channel tensor."""
    import torch.nn.functional as F

    p = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gx = (p[..., 1:-1, 2:] - p[..., 1:-1, :-2]) * 0.5
    gy = (p[..., 2:, 1:-1] - p[..., :-2, 1:-1]) * 0.5
    return gx, gy


def resize(x: torch.Tensor, size: tuple[int, int], mode: str = "bilinear") -> torch.Tensor:
    import torch.nn.functional as F

    if tuple(x.shape[-2:]) == tuple(size):
        return x
    if mode == "area":
        return F.interpolate(x, size=size, mode="area")
    return F.interpolate(x, size=size, mode=mode, align_corners=False)


def flow_field(lum: torch.Tensor, scale: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Edge-tangent flow from the smoothed structure tensor.

    Returns the unit tangent (1, 2, H, W) as (tx, ty) and the anisotropy in 0..1
    (1 along strong edges, 0 in flat or isotropic regions). Computed at reduced
    resolution: the field is smooth by construction.
    """
    import torch

    h, w = lum.shape[-2:]
    factor = max(1, int(scale // 2))
    small = resize(lum, (max(8, h // factor), max(8, w // factor)), "area") if factor > 1 else lum
    gx, gy = sobel(gaussian(small, 1.0))
    tensor = gaussian(torch.cat([gx * gx, gx * gy, gy * gy], dim=1), max(1.0, 2.0 * scale / factor))
    e, f, g = tensor[:, 0:1], tensor[:, 1:2], tensor[:, 2:3]
    theta = 0.5 * torch.atan2(2 * f, e - g)  # gradient orientation; the tangent is perpendicular
    tangent = torch.cat([-torch.sin(theta), torch.cos(theta)], dim=1)
    aniso = torch.sqrt((e - g) ** 2 + 4 * f * f) / (e + g + 1e-6)
    # Interpolating angles' vectors is safe here because sign flips are handled by the LIC.
    tangent = resize(tangent, (h, w))
    return unit_vectors(tangent), resize(aniso, (h, w)).clamp(0, 1)


def unit_vectors(v: torch.Tensor) -> torch.Tensor:
    """Normalise 2-vectors stored as channels (1, 2, H, W); zero vectors stay (near) zero.

    Written out rather than `Tensor.norm(dim=1)`, whose strided reduction is several
    times slower on the CPU for this layout.
    """
    import torch

    return v * torch.rsqrt((v[:, 0:1] * v[:, 0:1] + v[:, 1:2] * v[:, 1:2]).clamp(min=1e-12))


def _base_grid(h: int, w: int, dev) -> torch.Tensor:
    """Pixel centres in grid_sample's normalised coordinates, shape (1, H, W, 2)."""
    import torch

    ys = (torch.arange(h, dtype=torch.float32, device=dev) + 0.5) * (2.0 / h) - 1.0
    xs = (torch.arange(w, dtype=torch.float32, device=dev) + 0.5) * (2.0 / w) - 1.0
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    return torch.stack([gx, gy], dim=-1).unsqueeze(0)


def lic(src: torch.Tensor, tangent: torch.Tensor, length: float, steps: int = 6, follow: bool = True) -> torch.Tensor:
    """Line integral convolution: average `src` along the streamlines of `tangent`.

    Smears colour or noise along the flow, which is what turns a texture into
    brush strokes. `length` is the half-length of a streamline in pixels.
    With `follow=False` each pixel's line runs straight along its own tangent:
    half the cost, and the same result wherever the field barely turns over `length`.
    """
    import torch
    import torch.nn.functional as F

    h, w = src.shape[-2:]
    step = length / steps
    # Pixel steps to normalised units, per axis.
    scale = torch.tensor([2.0 / w, 2.0 / h], device=src.device).view(1, 1, 1, 2) * step
    base = _base_grid(h, w, src.device)
    start = tangent.permute(0, 2, 3, 1)
    acc = src.clone()
    total = 1.0
    sigma = steps / 1.5
    for sign in (1.0, -1.0):
        pos = base
        direction = start * sign
        for i in range(1, steps + 1):
            pos = pos + direction * scale
            sample = F.grid_sample(src, pos, mode="bilinear", padding_mode="border", align_corners=False)
            weight = math.exp(-(i * i) / (2 * sigma * sigma))
            acc.add_(sample, alpha=weight)
            total += weight
            if not follow:
                continue
            # The tangent field is smooth (built at reduced resolution), so its nearest value steers
            # as well as an interpolated one, at a third of the cost.
            t = F.grid_sample(tangent, pos, mode="nearest", padding_mode="border", align_corners=False)
            t = t.permute(0, 2, 3, 1)
            # Streamlines have no sign: keep walking the way we were going.
            dot = t[..., 0:1] * direction[..., 0:1] + t[..., 1:2] * direction[..., 1:2]
            direction = t * (1.0 - 2.0 * (dot < 0))
    return acc / total


def kuwahara(x: torch.Tensor, radius: int, sharpness: float = 8.0) -> torch.Tensor:
    """Smooth Kuwahara filter: four overlapping square sectors, weighted by inverse variance.

    Flattens texture into patches of paint while keeping edges sharp; the soft
    weighting (rather than picking the single best sector) avoids blockiness.
    """
    import torch
    import torch.nn.functional as F

    r = max(1, int(radius))
    half = max(1, r // 2)
    mean = box_mean(x, half)
    sq = box_mean(x * x, half)  # separately, not stacked with the mean: large tiles keep half the memory
    var = (sq - mean * mean).clamp(min=0).sum(dim=1, keepdim=True)
    h, w = x.shape[-2:]
    pm = F.pad(mean, (half, half, half, half), mode="replicate")
    pv = F.pad(var, (half, half, half, half), mode="replicate")
    num = torch.zeros_like(x)
    den = torch.zeros_like(var)
    for dy in (0, 2 * half):
        for dx in (0, 2 * half):
            m = pm[..., dy:dy + h, dx:dx + w]
            v = pv[..., dy:dy + h, dx:dx + w]
            wgt = 1.0 / (1.0 + (v * 255.0) ** (sharpness / 2))
            num = num + m * wgt
            den = den + wgt
    return num / den.clamp(min=1e-8)


def xdog(lum: torch.Tensor, sigma: float, k: float = 1.6, tau: float = 0.98, eps: float = 0.1,
         phi: float = 30.0) -> torch.Tensor:
    """Extended difference of Gaussians (Winnemöller): 1 on paper, towards 0 on ink lines."""
    import torch

    d = gaussian(lum, sigma) - tau * gaussian(lum, sigma * k)
    return torch.where(d >= eps, torch.ones_like(d), 1.0 + torch.tanh(phi * (d - eps))).clamp(0, 1)


def relief(height: torch.Tensor, strength: float, light: tuple[float, float] = (-0.6, -0.8)) -> torch.Tensor:
    """Shading (around 1.0) of a height field lit from the upper left: impasto and paper relief."""
    gx, gy = sobel(height)
    return 1.0 + strength * (gx * light[0] + gy * light[1])


# --- noise -----------------------------------------------------------------

def hash_noise(h: int, w: int, seed: int, salt: int = 0, x0: int = 0, y0: int = 0,
               cell: float = 1.0, dev=None) -> torch.Tensor:
    """Uniform 0..1 noise per cell of `cell` pixels, hashed from global coordinates."""
    import torch

    dev = dev or device()
    ys = (torch.arange(h, device=dev, dtype=torch.float64) + y0) / cell
    xs = (torch.arange(w, device=dev, dtype=torch.float64) + x0) / cell
    iy = torch.floor(ys).to(torch.int64).view(-1, 1)
    ix = torch.floor(xs).to(torch.int64).view(1, -1)
    return hash01(ix, iy, seed, salt).view(1, 1, h, w)


def hash01(ix: torch.Tensor, iy: torch.Tensor, seed: int, salt: int) -> torch.Tensor:
    """Uniform 0..1 (float32) hashed from integer coordinates (broadcasts ix and iy).

    A 32-bit integer mix (lowbias32-style) kept inside int64 to avoid overflow surprises;
    every texture, lattice and jitter in the presets draws from it, in global coordinates.
    """
    m = 0xFFFFFFFF
    v = (ix * 0x27D4EB2D + iy * 0x165667B1 + (seed * 0x9E3779B1 + salt * 0x85EBCA77)) & m
    v = ((v ^ (v >> 16)) * 0x7FEB352D) & m
    v = ((v ^ (v >> 15)) * 0x846CA68B) & m
    v = v ^ (v >> 16)
    return (v.double() / float(m + 1)).float()


# From this cell size (pixels) the lattice is interpolated as two small matrix products rather than
# one grid_sample per pixel: far cheaper for the wide cells that most textures use.
SEPARABLE_NOISE_CELL = 6.0


def _cubic_taps(t: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Weights of the nodes at offsets -1, 0, 1, 2 for a fraction `t`: cubic convolution with
    A = -0.75, as grid_sample's bicubic mode."""
    a = -0.75
    return (((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a)


def _cubic_weights(u: torch.Tensor, n: int) -> torch.Tensor:
    """(len(u), n) matrix of bicubic weights at lattice coordinates `u` (border padding)."""
    import torch

    i0 = torch.floor(u)
    out = torch.zeros((u.numel(), n), dtype=u.dtype, device=u.device)
    rows = torch.arange(u.numel(), device=u.device)
    for k, wk in enumerate(_cubic_taps(u - i0)):
        out.index_put_((rows, (i0.long() + (k - 1)).clamp(0, n - 1)), wk, accumulate=True)
    return out


def _interp_axis(lattice: torch.Tensor, u: torch.Tensor, dim: int, cubic: bool) -> torch.Tensor:
    """Interpolate a 2-D lattice along one axis at coordinates `u` (lattice units, border padding):
    a few gathered rows or columns and their weights, instead of a per-pixel 2-D lookup."""
    import torch

    i0 = torch.floor(u)
    t = u - i0
    i0 = i0.long()
    weights = _cubic_taps(t) if cubic else (1 - t, t)
    first = -1 if cubic else 0
    n = lattice.shape[dim]
    shape = (-1, 1) if dim == 0 else (1, -1)
    out = None
    for k, weight in enumerate(weights):
        part = lattice.index_select(dim, (i0 + (first + k)).clamp_(0, n - 1)) * weight.view(shape)
        out = part if out is None else out.add_(part)
    return out


def _bicubic_separable(lattice: torch.Tensor, py: torch.Tensor, px: torch.Tensor) -> torch.Tensor:
    """Bicubic samples of a 2-D lattice at the grid rows `py` x columns `px` (lattice units)."""
    lh, lw = lattice.shape
    wy = _cubic_weights(py, lh)  # (h, lh)
    wx = _cubic_weights(px, lw).T  # (lw, w)
    h, w = wy.shape[0], wx.shape[1]
    if lh * lw * w + h * lh * w <= h * lh * lw + h * lw * w:
        return wy @ (lattice @ wx)
    return (wy @ lattice) @ wx


def value_noise(h: int, w: int, cell: float, seed: int, salt: int = 0, x0: int = 0, y0: int = 0,
                octaves: int = 1, dev=None) -> torch.Tensor:
    """Smooth noise in 0..1 with features about `cell` pixels wide (fractal sum for octaves > 1).

    The lattice is hashed from global coordinates, so tiles agree at their seams.
    """
    import torch

    dev = dev or device()
    total = torch.zeros((1, 1, h, w), device=dev)
    amp_sum = 0.0
    for octave in range(octaves):
        c = max(1.0, cell / (2**octave))
        # One spare lattice node on each side: bicubic reads neighbours beyond the cell.
        lx0, ly0 = math.floor(x0 / c) - 1, math.floor(y0 / c) - 1
        lw, lh = int(math.ceil((x0 + w) / c)) - lx0 + 3, int(math.ceil((y0 + h) / c)) - ly0 + 3
        ix = torch.arange(lx0, lx0 + lw, device=dev, dtype=torch.int64).view(1, -1)
        iy = torch.arange(ly0, ly0 + lh, device=dev, dtype=torch.int64).view(-1, 1)
        lattice = hash01(ix, iy, seed + 101 * octave, salt).view(1, 1, lh, lw)
        # Pixel centre -> lattice coordinate -> normalised (align_corners=True: node k at -1 + 2k/(n-1)).
        px = (torch.arange(w, device=dev, dtype=torch.float32) + x0 + 0.5) / c - lx0
        py = (torch.arange(h, device=dev, dtype=torch.float32) + y0 + 0.5) / c - ly0
        if c >= SEPARABLE_NOISE_CELL:
            sample = _bicubic_separable(lattice[0, 0], py, px).view(1, 1, h, w)
        else:
            cubic = c > 2
            sample = _interp_axis(_interp_axis(lattice[0, 0], px, 1, cubic), py, 0, cubic).view(1, 1, h, w)
        amp = 0.5**octave
        total += sample * amp
        amp_sum += amp
    return (total / amp_sum).clamp(0, 1)


# --- palettes -------------------------------------------------------------

def kmeans_colors(x: torch.Tensor, k: int, seed: int, iters: int = 12, samples: int = 20000) -> torch.Tensor:
    """k representative colours (k, 3) of an image, deterministic for a seed."""
    import torch

    pixels = x.permute(0, 2, 3, 1).reshape(-1, 3)
    gen = torch.Generator(device="cpu").manual_seed(seed)
    if pixels.shape[0] > samples:
        idx = torch.randint(0, pixels.shape[0], (samples,), generator=gen).to(pixels.device)
        pixels = pixels[idx]
    # Initialise on luminance quantiles so results do not depend on a lucky pick.
    order = luminance(pixels.T.reshape(1, 3, -1, 1)).flatten().argsort()
    centers = pixels[order[torch.linspace(0, len(order) - 1, k).long()]].clone()
    for _ in range(iters):
        labels = torch.cdist(pixels, centers).argmin(dim=1)
        # Cluster means as one product with the one-hot labels (a loop over clusters is far slower).
        onehot = torch.nn.functional.one_hot(labels, k).to(pixels.dtype)
        counts = onehot.sum(0)
        centers = torch.where(counts[:, None] > 0, (onehot.T @ pixels) / counts.clamp(min=1)[:, None], centers)
    return centers


def nearest_palette(x: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    """Index (1, 1, H, W) of the nearest palette colour for every pixel."""
    import torch

    b, _, h, w = x.shape
    flat = x.permute(0, 2, 3, 1).reshape(-1, 3)
    out = torch.empty(flat.shape[0], dtype=torch.long, device=x.device)
    chunk = 1 << 20
    for start in range(0, flat.shape[0], chunk):
        out[start:start + chunk] = torch.cdist(flat[start:start + chunk], palette).argmin(dim=1)
    return out.view(b, 1, h, w)


def palette_lookup(index: torch.Tensor, palette: torch.Tensor) -> torch.Tensor:
    return palette[index[:, 0]].permute(0, 3, 1, 2)


def smoothstep(e0: float, e1: float, x: torch.Tensor) -> torch.Tensor:
    """0 below e0, 1 above e1, a smooth cubic ramp between."""
    t = ((x - e0) / (e1 - e0)).clamp(0, 1)
    return t * t * (3 - 2 * t)


def color(rgb, dev) -> torch.Tensor:
    """A constant colour as a (1, 3, 1, 1) tensor that broadcasts over an image."""
    import torch

    return torch.tensor(rgb, device=dev).view(1, 3, 1, 1)


def blend(a: torch.Tensor, b: torch.Tensor, t) -> torch.Tensor:
    return a + (b - a) * t


def multiply(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return a * b


def screen(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return 1 - (1 - a) * (1 - b)


def overlay(base: torch.Tensor, top: torch.Tensor) -> torch.Tensor:
    import torch

    return torch.where(base < 0.5, 2 * base * top, 1 - 2 * (1 - base) * (1 - top))
