"""Harmonisation: colour, sharpness, grain, shadows and edges that make a composite one photograph."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from imgvar.engines.local.harmonise import (
    blend_edges,
    cast_shadow,
    compose,
    decontaminate,
    estimate_blur,
    estimate_noise,
    light_direction,
    match_colour,
    match_noise,
    match_sharpness,
)
from imgvar.engines.local.placement import Placement


def disc_mask(size: int = 160, radius: int = 50) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size]
    return (((xx - size / 2) ** 2 + (yy - size / 2) ** 2) <= radius ** 2).astype(np.float32)


def textured(size: int = 160, seed: int = 0) -> np.ndarray:
    """Sharp-edged blocks of random colour: plenty of crisp edges to measure."""
    rng = np.random.default_rng(seed)
    blocks = rng.uniform(0.15, 0.85, (size // 8, size // 8, 3)).astype(np.float32)
    return cv2.resize(blocks, (size, size), interpolation=cv2.INTER_NEAREST)


def lab_mean(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32), cv2.COLOR_RGB2LAB)[mask > 0.5].mean(axis=0)


def high_freq(img: np.ndarray, mask: np.ndarray) -> float:
    lap = cv2.Laplacian(img.mean(axis=2).astype(np.float32), cv2.CV_32F)
    return float((lap[mask > 0.5] ** 2).mean())


def test_match_colour_moves_toward_the_scene_and_zero_is_identity() -> None:
    mask = disc_mask()
    fg = np.clip(textured() * 0.5 + np.array([0.45, 0.3, 0.1], np.float32), 0, 1)  # warm subject
    bg = np.clip(textured(seed=3) * 0.3 + np.array([0.1, 0.25, 0.55], np.float32), 0, 1)  # cool, darker scene
    assert np.array_equal(match_colour(fg, mask, bg, 0.0), fg)
    before, target = lab_mean(fg, mask), lab_mean(bg, np.ones_like(mask))
    after = lab_mean(match_colour(fg, mask, bg, 0.8), mask)
    for ch in range(3):
        assert abs(after[ch] - target[ch]) < abs(before[ch] - target[ch])


def test_match_colour_white_balance_moves_more_than_contrast() -> None:
    mask = np.ones((160, 160), np.float32)
    base = textured()
    fg = base * 0.8 + 0.1  # neutral, contrasty
    bg = np.clip(base * 0.4 + np.array([0.25, 0.3, 0.42], np.float32), 0, 1)  # a blue cast, flatter light
    lab_f, lab_b = (cv2.cvtColor(x.astype(np.float32), cv2.COLOR_RGB2LAB).reshape(-1, 3) for x in (fg, bg))
    lab_o = cv2.cvtColor(match_colour(fg, mask, bg, 0.6), cv2.COLOR_RGB2LAB).reshape(-1, 3)
    share_b = (lab_o[:, 2].mean() - lab_f[:, 2].mean()) / (lab_b[:, 2].mean() - lab_f[:, 2].mean())
    share_contrast = (lab_o[:, 0].std() - lab_f[:, 0].std()) / (lab_b[:, 0].std() - lab_f[:, 0].std())
    assert 0 < share_contrast < share_b < 1


def test_estimate_blur_tracks_a_known_blur() -> None:
    sharp = textured()
    s1 = estimate_blur(cv2.GaussianBlur(sharp, (0, 0), 1.5))
    s3 = estimate_blur(cv2.GaussianBlur(sharp, (0, 0), 3.0))
    assert estimate_blur(sharp) < s1 < s3
    assert s3 == pytest.approx(3.0, rel=0.35)


def test_match_sharpness_softens_a_sharp_subject_on_a_soft_scene() -> None:
    mask = disc_mask()
    fg = textured()
    bg = cv2.GaussianBlur(textured(seed=5), (0, 0), 3.0)
    out, sigma = match_sharpness(fg, mask, bg, max_sigma=5.0)
    assert 2.0 < sigma < 4.0
    assert high_freq(out, mask) < 0.5 * high_freq(fg, mask)
    # Capped: a very soft scene softens the subject only so far.
    capped, sigma = match_sharpness(fg, mask, bg, max_sigma=1.0)
    assert sigma == 1.0
    assert high_freq(out, mask) < high_freq(capped, mask) < high_freq(fg, mask)


def test_match_sharpness_never_sharpens() -> None:
    mask = disc_mask()
    fg = cv2.GaussianBlur(textured(), (0, 0), 2.5)
    out, sigma = match_sharpness(fg, mask, textured(seed=5))
    assert sigma == 0.0
    assert high_freq(out, mask) <= high_freq(fg, mask) + 1e-9


@pytest.mark.parametrize("grain", [0.02, 0.05])
def test_match_noise_adds_grain_of_about_the_scenes_level(grain: float) -> None:
    rng = np.random.default_rng(7)
    mask = np.ones((160, 160), np.float32)
    fg = np.full((160, 160, 3), 0.5, np.float32)  # perfectly clean
    bg = np.clip(0.5 + rng.normal(0, grain, (160, 160, 1)).astype(np.float32) * np.ones(3, np.float32), 0, 1)
    assert estimate_noise(bg) == pytest.approx(grain, rel=0.25)
    out = match_noise(fg, mask, bg, seed=1)
    added = (out - fg).mean(axis=2).std()
    assert added == pytest.approx(grain, rel=0.3)
    assert np.array_equal(out, match_noise(fg, mask, bg, seed=1))  # seeded


def test_match_noise_leaves_a_grainier_subject_alone() -> None:
    rng = np.random.default_rng(2)
    mask = np.ones((120, 120), np.float32)
    fg = np.clip(0.5 + rng.normal(0, 0.05, (120, 120, 3)), 0, 1).astype(np.float32)
    bg = np.full((120, 120, 3), 0.4, np.float32)
    assert np.array_equal(match_noise(fg, mask, bg, seed=0), fg)


@pytest.mark.parametrize(("side", "expect"), [("right", (0, 60)), ("left", (120, 180))])
def test_light_direction_follows_the_bright_side(side: str, expect: tuple[float, float]) -> None:
    ramp = np.linspace(0.2, 0.9, 200, dtype=np.float32)
    if side == "left":
        ramp = ramp[::-1]
    bg = np.repeat(np.repeat(ramp[None, :, None], 150, axis=0), 3, axis=2)
    assert expect[0] <= light_direction(bg) <= expect[1]


def standing_matte(w: int = 240, h: int = 200) -> tuple[np.ndarray, int]:
    matte = np.zeros((h, w), np.float32)
    matte[60:160, 105:135] = 1.0  # a post standing on the ground at row 160
    return matte, 160


def test_cast_shadow_darkens_the_ground_away_from_the_light() -> None:
    matte, ground = standing_matte()
    lit_from_right = cast_shadow(matte, 20.0, 0.6, ground)
    # Contact: right under the feet is darker than open ground.
    assert lit_from_right[ground + 1, 120] < 0.85
    assert lit_from_right[ground + 30, 20] == pytest.approx(1.0, abs=1e-3)
    # Cast: to the left (away from a light on the right) along the ground, not to the right.
    left = lit_from_right[ground - 12: ground, 60:100].mean()
    right = lit_from_right[ground - 12: ground, 140:180].mean()
    assert left < right - 0.05
    lit_from_left = cast_shadow(matte, 160.0, 0.6, ground)
    assert lit_from_left[ground - 12: ground, 140:180].mean() < lit_from_left[ground - 12: ground, 60:100].mean() - 0.05
    assert np.all(cast_shadow(matte, 20.0, 0.0, ground) == 1.0)


def test_cast_shadow_stays_off_the_sky() -> None:
    matte, ground = standing_matte()
    mult = cast_shadow(matte, 20.0, 0.6, ground, horizon_y=150)
    assert mult[:145].min() == pytest.approx(1.0, abs=1e-3)


def test_decontaminate_removes_a_green_fringe() -> None:
    size = 160
    hard = disc_mask(size, 50)
    alpha = cv2.GaussianBlur(hard, (0, 0), 2.0)  # a soft edge, as a matting model gives
    red = np.array([0.8, 0.15, 0.1], np.float32)
    green = np.array([0.1, 0.85, 0.2], np.float32)
    # The source: a red disc shot on a green screen; its edge pixels are red/green mixtures.
    source = alpha[..., None] * red + (1 - alpha[..., None]) * green
    grey = np.full_like(source, 0.5)
    band = (alpha > 0.1) & (alpha < 0.9)

    def fringe(fg: np.ndarray) -> float:
        out = fg * alpha[..., None] + grey * (1 - alpha[..., None])
        return float((out[..., 1] - out[..., [0, 2]].mean(axis=2))[band].mean())  # green excess

    clean = decontaminate(source, alpha)
    assert fringe(clean) < fringe(source) - 0.05
    assert fringe(clean) < 0.02
    inner = hard * (cv2.distanceTransform(hard.astype(np.uint8), cv2.DIST_L2, 3) > 8)
    assert np.allclose(clean[inner > 0], source[inner > 0], atol=1e-4)  # the inside is untouched


def test_blend_edges_feathers_inside_the_matte() -> None:
    hard = disc_mask()
    soft = blend_edges(hard, 2.0)
    assert 0.0 < soft[80, 80 + 49] < 1.0
    assert soft[80, 80] == pytest.approx(1.0, abs=1e-3)
    assert soft[0, 0] == 0.0


def test_compose_places_the_subject_and_returns_the_placed_matte() -> None:
    subject = Image.new("RGB", (200, 160), (20, 200, 40))
    ImageDraw.Draw(subject).ellipse([60, 30, 140, 130], fill=(200, 40, 30))
    matte = Image.new("L", (200, 160), 0)
    ImageDraw.Draw(matte).ellipse([60, 30, 140, 130], fill=255)
    bg = Image.new("RGB", (320, 200), (90, 120, 160))
    ImageDraw.Draw(bg).rectangle([0, 110, 320, 200], fill=(110, 100, 70))
    placement = Placement(x=200, y=60, width=40, height=50, frame=(240, 150))
    image, placed = compose(subject, matte, bg, placement, harmonize=0.5, feather=1.5, shadow=0.35, seed=0)
    assert image.size == placed.size == (240, 150)
    box = placed.point(lambda v: 255 if v > 8 else 0).getbbox()
    assert box is not None
    assert all(abs(a - b) <= 1 for a, b in zip(box, placement.box))
    arr = np.asarray(image, np.float32)
    assert arr[85, 220, 0] > arr[85, 220, 2] + 60  # the red subject is there
    assert arr[30, 60, 2] > arr[30, 60, 0]  # the blue sky is elsewhere
    # No green from the subject's old backdrop anywhere in the result.
    assert (arr[..., 1] - np.maximum(arr[..., 0], arr[..., 2])).max() < 20


def test_compose_keeps_a_box_that_runs_off_the_frame() -> None:
    subject = Image.new("RGB", (100, 100), (200, 200, 200))
    matte = Image.new("L", (100, 100), 0)
    ImageDraw.Draw(matte).rectangle([20, 20, 80, 99], fill=255)
    bg = Image.new("RGB", (200, 100), (50, 50, 50))
    placement = Placement(x=-10, y=40, width=60, height=80, frame=(200, 100))
    image, placed = compose(subject, matte, bg, placement, harmonize=0.0, feather=0.0, shadow=0.0, seed=0)
    assert placed.getbbox() == (0, 40, 50, 100)
