"""Tests for imgvar.styles.transfer: reference-image style transfer with random filters.

Small images and few steps keep these fast; every check runs the real
optimisation on the CPU (or the GPU where torch sees one).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import make_photo
from imgvar.styles import ops
from imgvar.styles.transfer import TransferInfo, match_colors, transfer_style


@pytest.fixture(autouse=True)
def one_thread():
    """One intra-op thread: on a shared CPU, torch's thread pool spends more time waiting than working
    on images this small (seconds instead of milliseconds). Restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_style(size: tuple[int, int] = (80, 60), seed: int = 3) -> Image.Image:
    """A 'painting': diagonal strokes in blues and yellows, unlike the photo's palette."""
    w, h = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    stripes = 0.5 + 0.5 * np.sin((xx + 0.6 * yy) * 0.9 + rng.normal(0, 0.4, (h, w)))
    blue = np.array([30, 60, 160], np.float32)
    yellow = np.array([240, 210, 60], np.float32)
    arr = blue + (yellow - blue) * stripes[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def _bytes(image: Image.Image) -> bytes:
    return image.tobytes()


def test_strength_zero_returns_the_content_exactly():
    content = make_photo((96, 64))
    out, info = transfer_style(content, make_style(), strength=0.0, iterations=5)
    assert out.mode == "RGB" and out.size == content.size
    assert _bytes(out) == _bytes(content)
    assert info.iterations == 0 and not info.stopped_by_budget


@pytest.mark.parametrize("size", [(97, 61), (33, 47), (7, 5)])
def test_output_is_rgb_at_the_content_size(size):
    content = make_photo(size).convert("RGBA")  # a mode other than RGB on the way in
    out, info = transfer_style(content, make_style(), iterations=3, seed=1)
    assert out.mode == "RGB"
    assert out.size == size
    assert info.iterations == 3
    assert out.getextrema() != ((0, 0), (0, 0), (0, 0))


def test_large_content_is_optimised_small_and_upsampled():
    content = make_photo((501, 301), seed=4)
    out, info = transfer_style(content, make_style(), iterations=4, detail=0.25)
    assert info.working_size == (96, 58)  # long side 384 * 0.25, clamped to at least 96
    assert out.size == (501, 301) and out.mode == "RGB"
    # The stylisation residual is upsampled: it is smooth at full size, not blocky.
    arr = np.asarray(out, np.float32)
    assert np.abs(np.diff(arr, axis=1)).mean() < 12


def test_detail_scales_the_working_size():
    content = make_photo((800, 400))
    _, fine = transfer_style(content, make_style(), iterations=0, detail=1.0)
    _, coarse = transfer_style(content, make_style(), iterations=0, detail=0.5)
    assert fine.working_size == (384, 192)
    assert coarse.working_size == (192, 96)
    assert fine.iterations == 0 and not fine.stopped_by_budget
    # A square picture gets the same pixel count as a wide one, not a 384 x 384 canvas.
    _, square = transfer_style(make_photo((1000, 1000)), make_style(), iterations=0)
    assert square.working_size == (304, 304)


def test_full_strength_changes_the_image_and_half_strength_lies_between():
    content = make_photo((96, 64))
    style = make_style()
    full, _ = transfer_style(content, style, iterations=4, seed=2)
    half, _ = transfer_style(content, style, iterations=4, seed=2, strength=0.5)
    c = np.asarray(content, np.float32)
    f = np.asarray(full, np.float32)
    hf = np.asarray(half, np.float32)
    assert np.abs(f - c).mean() > 10  # the palette moved a long way
    assert np.abs(hf - (c + f) / 2).max() <= 1.01  # a blend, up to rounding


def _synthetic(mean, mix, n=(64, 64), seed=0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(3, n[0] * n[1], generator=gen) * 0.06
    x = torch.tensor(mix, dtype=torch.float32) @ z + torch.tensor(mean, dtype=torch.float32)[:, None]
    return x.reshape(1, 3, *n).to(ops.device())


def _stats(x: torch.Tensor):
    p = x[0].reshape(3, -1).double()
    return p.mean(1), torch.cov(p)


def test_covariance_matching_moves_mean_and_covariance_to_the_style():
    content = _synthetic((0.35, 0.45, 0.5), [[1.0, 0.2, 0.0], [0.2, 0.8, 0.1], [0.0, 0.1, 0.6]], seed=1)
    style = _synthetic((0.6, 0.5, 0.3), [[0.5, -0.4, 0.1], [0.3, 1.2, 0.0], [0.2, 0.1, 0.9]], seed=2)
    out = match_colors(content, style)
    assert out.shape == content.shape
    m_out, c_out = _stats(out)
    m_sty, c_sty = _stats(style)
    m_in, c_in = _stats(content)
    assert torch.allclose(m_out, m_sty, atol=2e-3)
    assert torch.allclose(c_out, c_sty, atol=2e-4, rtol=0.03)
    assert not torch.allclose(c_in, c_sty, atol=2e-4, rtol=0.03)  # the test is not vacuous


def test_covariance_map_is_the_monge_kantorovich_map():
    """The linear map is symmetric positive definite (a gradient of a convex function), not just any match."""
    from imgvar.styles.transfer import _covariance_map

    content = _synthetic((0.4, 0.4, 0.4), [[1.0, 0.3, 0.0], [0.3, 0.7, 0.2], [0.0, 0.2, 0.5]], seed=3)
    style = _synthetic((0.5, 0.4, 0.6), [[0.6, 0.0, 0.3], [0.0, 1.1, 0.0], [0.3, 0.0, 0.8]], seed=4)
    a, _ = _covariance_map(content, style)
    assert torch.allclose(a, a.T, atol=1e-9)
    assert torch.linalg.eigvalsh(a).min() > 0


def test_lab_matching_moves_lab_mean_and_spread_to_the_style():
    content = _synthetic((0.35, 0.45, 0.5), [[1.0, 0.2, 0.0], [0.2, 0.8, 0.1], [0.0, 0.1, 0.6]], seed=5)
    style = _synthetic((0.6, 0.5, 0.3), [[0.5, -0.4, 0.1], [0.3, 1.2, 0.0], [0.2, 0.1, 0.9]], seed=6)
    out = match_colors(content, style, method="lab")
    lo = ops.rgb_to_lab(out)[0].reshape(3, -1).double()
    ls = ops.rgb_to_lab(style)[0].reshape(3, -1).double()
    assert torch.allclose(lo.mean(1), ls.mean(1), atol=0.3)
    assert torch.allclose(lo.std(1), ls.std(1), rtol=0.05)


def test_unknown_colour_method_is_refused():
    x = _synthetic((0.5, 0.5, 0.5), [[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    with pytest.raises(ValueError):
        match_colors(x, x, method="histogram")


def test_same_seed_same_bytes_other_seed_differs():
    content = make_photo((96, 64))
    style = make_style()
    a, info_a = transfer_style(content, style, iterations=6, seed=7)
    b, info_b = transfer_style(content, style, iterations=6, seed=7)
    c, _ = transfer_style(content, style, iterations=6, seed=8)
    assert not info_a.stopped_by_budget and not info_b.stopped_by_budget
    assert _bytes(a) == _bytes(b)
    assert _bytes(a) != _bytes(c)


def test_optimisation_lowers_the_style_loss():
    content = make_photo((96, 64))
    out, info = transfer_style(content, make_style(), iterations=40, seed=0)
    assert info.iterations == 40
    assert np.isfinite(info.loss_start) and np.isfinite(info.loss_end)
    assert info.loss_end < 0.8 * info.loss_start


def test_tiny_time_budget_stops_early_and_still_returns_an_image():
    content = make_photo((97, 63))
    out, info = transfer_style(content, make_style(), iterations=200, time_budget=0.01)
    assert info.stopped_by_budget
    assert info.iterations < 200
    assert out.mode == "RGB" and out.size == (97, 63)
    # With no texture steps the result is still the colour-matched content, not the input.
    assert _bytes(out) != _bytes(content)


def test_default_budget_not_hit_on_a_small_image():
    out, info = transfer_style(make_photo((64, 48)), make_style(), iterations=5, time_budget=60)
    assert not info.stopped_by_budget and info.iterations == 5


@pytest.mark.parametrize("mode", ["RGBA", "LA", "L", "P", "CMYK"])
def test_style_modes(mode):
    style = make_style()
    if mode in ("RGBA", "LA"):
        rgba = style.convert("RGBA")
        alpha = Image.linear_gradient("L").resize(style.size)
        rgba.putalpha(alpha)
        style = rgba.convert(mode)
    else:
        style = style.convert(mode)
    out, info = transfer_style(make_photo((64, 48)), style, iterations=3)
    assert out.mode == "RGB" and out.size == (64, 48)
    assert info.iterations == 3


def test_grayscale_style_gives_a_grey_result():
    out, _ = transfer_style(make_photo((64, 48)), make_style().convert("L"), iterations=3)
    arr = np.asarray(out, np.int16)
    chroma = np.abs(arr - arr.mean(axis=2, keepdims=True)).mean()
    assert chroma < 6


def test_runs_inside_inference_mode():
    """The preset renderer runs under torch.inference_mode(); the optimisation needs autograd anyway."""
    with torch.inference_mode():
        out, info = transfer_style(make_photo((64, 48)), make_style(), iterations=3)
    assert info.iterations == 3 and out.size == (64, 48)


def test_info_to_dict_is_json():
    _, info = transfer_style(make_photo((64, 48)), make_style(), iterations=2)
    assert isinstance(info, TransferInfo)
    d = json.loads(json.dumps(info.to_dict()))
    assert d["iterations"] == 2
    assert d["working_size"] == [64, 48]
    assert set(d) >= {"iterations", "seconds", "stopped_by_budget", "working_size"}
