"""Offline setting changes: parsing the setting words, and background-only rendering."""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from imgvar.engines.local.setting_changes import (
    OFFLINE_SETTINGS,
    SettingRecipe,
    apply_setting,
    plan_setting,
    unsupported_words,
)

from conftest import EXAMPLES

# --- parsing -------------------------------------------------------------------------------------

PARSES = [
    ("at night", ["night"]), ("by night", ["night"]), ("la nuit", ["night"]), ("de nuit", ["night"]),
    ("at sunset", ["sunset"]), ("au coucher du soleil", ["sunset"]), ("dusk", ["dusk"]),
    ("golden hour", ["golden_hour"]), ("at dawn", ["dawn"]), ("à l'aube", ["dawn"]), ("A L'AUBE", ["dawn"]),
    ("sunrise", ["dawn"]), ("in the fog", ["fog"]), ("foggy", ["fog"]), ("misty", ["fog"]),
    ("dans le brouillard", ["fog"]), ("in the rain", ["rain"]), ("rainy", ["rain"]), ("sous la pluie", ["rain"]),
    ("in the snow", ["snow"]), ("snowy", ["snow"]), ("snowing", ["snow"]), ("sous la neige", ["snow"]),
    ("in autumn", ["autumn"]), ("fall", ["autumn"]), ("en automne", ["autumn"]), ("in winter", ["winter"]),
    ("en hiver", ["winter"]), ("blur the background", ["blur"]), ("background blur", ["blur"]),
    ("bokeh", ["blur"]), ("portrait mode", ["blur"]), ("arrière-plan flou", ["blur"]),
    ("on a white background", ["backdrop"]), ("on a plain blue background", ["backdrop"]),
    ("sur fond noir", ["backdrop"]), ("gradient background", ["gradient"]), ("studio backdrop", ["studio"]),
    ("in a photo studio", ["studio"]),
    # Combinations run in physical order: surfaces, then light, then air.
    ("at night in the snow", ["snow", "night"]), ("night in the snow", ["snow", "night"]),
    ("a foggy autumn morning", ["autumn", "morning", "fog"]), ("sunset in winter", ["winter", "sunset"]),
    ("la nuit sous la neige", ["snow", "night"]),
]


@pytest.mark.parametrize("setting,effects", PARSES)
def test_plan_setting_recognises_offline_settings(setting: str, effects: list[str]) -> None:
    recipe = plan_setting(setting)
    assert isinstance(recipe, SettingRecipe)
    assert recipe.names == effects
    assert unsupported_words(setting) == []


@pytest.mark.parametrize("setting,word", [
    ("on the moon", "moon"), ("a beach at sunset", "beach"), ("on a beach at sunset", "beach"),
    ("in Paris", "Paris"), ("underwater", "underwater"), ("in space", "space"),
    ("dans la forêt en automne", "forêt"),
])
def test_places_are_refused_and_named(setting: str, word: str) -> None:
    assert plan_setting(setting) is None
    assert word in unsupported_words(setting)


def test_no_change_at_all_is_not_a_recipe() -> None:
    assert plan_setting("") is None
    assert plan_setting("the background") is None


def test_summaries_read_like_a_person_wrote_them() -> None:
    recipe = plan_setting("at night in the snow")
    assert recipe is not None
    assert recipe.summary_en == "at night, in falling snow"
    assert recipe.summary_fr == "de nuit, sous la neige"
    fr = plan_setting("sur fond bleu foncé")
    assert fr is not None and fr.summary_fr == "sur un fond bleu foncé uni"
    assert fr.summary_en == "on a plain dark blue background"


def test_backdrop_colours_and_strength_words() -> None:
    white = plan_setting("on a white background")
    black = plan_setting("sur fond noir")
    assert white is not None and white.effects[0].color == (255, 255, 255)
    assert black is not None and black.effects[0].color == (0, 0, 0)
    heavy, light = plan_setting("heavy rain"), plan_setting("light rain")
    assert heavy is not None and light is not None
    assert heavy.effects[0].strength > 1.0 > light.effects[0].strength
    assert plan_setting("blue") is None  # a colour with no background to be


def test_offline_settings_list_what_is_offered() -> None:
    for name in ("night", "fog", "snow", "background blur", "photo studio"):
        assert name in OFFLINE_SETTINGS


# --- rendering -----------------------------------------------------------------------------------


def _scene(size: tuple[int, int] = (200, 150)) -> tuple[Image.Image, Image.Image]:
    """Sky, green foliage, grey ground with texture, and a red disc as the subject."""
    w, h = size
    rng = np.random.default_rng(7)
    y = np.linspace(0, 1, h)[:, None, None]
    arr = np.concatenate([120 + 60 * y, 160 + 40 * y, 225 - 30 * y], axis=2) * np.ones((1, w, 1))
    arr[int(h * 0.4):int(h * 0.7)] = (60, 140, 50)
    arr[int(h * 0.7):] = (120, 115, 110)
    arr += rng.normal(0, 12, arr.shape)
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    matte = Image.new("L", size, 0)
    box = (int(w * 0.35), int(h * 0.3), int(w * 0.65), int(h * 0.85))
    ImageDraw.Draw(image).ellipse(box, fill=(220, 20, 20))
    ImageDraw.Draw(matte).ellipse(box, fill=255)
    return image, matte.filter(ImageFilter.GaussianBlur(1.5))


ALL_SETTINGS = ["at night", "at sunset", "golden hour", "dusk", "at dawn", "in the fog", "in the rain",
                "in the snow", "in autumn", "in winter", "blur the background", "on a plain blue background",
                "gradient background", "in a photo studio", "at night in the snow", "a foggy autumn morning"]


def _render(setting: str, image: Image.Image, matte: Image.Image, seed: int = 0) -> np.ndarray:
    recipe = plan_setting(setting)
    assert recipe is not None
    out = apply_setting(image, matte, recipe, seed=seed)
    assert out.mode == "RGB" and out.size == image.size
    return np.asarray(out).astype(np.float64)


@pytest.fixture(scope="module")
def scene() -> tuple[Image.Image, Image.Image]:
    return _scene()


@pytest.mark.parametrize("setting", ALL_SETTINGS)
def test_subject_pixels_are_untouched_and_background_changes(setting, scene) -> None:
    image, matte = scene
    out = _render(setting, image, matte)
    src = np.asarray(image).astype(np.float64)
    solid = np.asarray(matte) == 255
    assert np.array_equal(out[solid], src[solid])
    empty = np.asarray(matte) == 0
    assert np.abs(out[empty] - src[empty]).mean() > 4.0


def test_subject_untouched_on_a_real_photo() -> None:
    image = Image.open(EXAMPLES / "coffee.png").convert("RGB").resize((300, 200))
    matte = Image.open(EXAMPLES / "coffee_mask.png").resize((300, 200))
    solid = np.asarray(matte) == 255
    for setting in ("at night in the snow", "in a photo studio", "blur the background"):
        out = _render(setting, image, matte)
        assert np.array_equal(out[solid], np.asarray(image).astype(np.float64)[solid])


def _bg(arr: np.ndarray, matte: Image.Image) -> np.ndarray:
    return arr[np.asarray(matte) == 0]


def test_night_is_darker_and_bluer(scene) -> None:
    image, matte = scene
    before, after = _bg(np.asarray(image).astype(np.float64), matte), _bg(_render("at night", image, matte), matte)
    assert after.mean() < 0.5 * before.mean()
    ratio_before = before[:, 2].mean() / before[:, 0].mean()
    assert after[:, 2].mean() / after[:, 0].mean() > ratio_before


def test_sunset_is_warmer(scene) -> None:
    image, matte = scene
    before, after = _bg(np.asarray(image).astype(np.float64), matte), _bg(_render("at sunset", image, matte), matte)
    assert after[:, 0].mean() / after[:, 2].mean() > 1.3 * before[:, 0].mean() / before[:, 2].mean()


def test_fog_lowers_contrast_and_greys(scene) -> None:
    image, matte = scene
    before, after = _bg(np.asarray(image).astype(np.float64), matte), _bg(_render("in the fog", image, matte), matte)
    assert after.mean(axis=1).std() < 0.8 * before.mean(axis=1).std()
    chroma = lambda a: (a.max(axis=1) - a.min(axis=1)).mean()  # noqa: E731
    assert chroma(after) < chroma(before)
    assert after.mean() > before.mean()


def test_snow_adds_bright_pixels(scene) -> None:
    image, matte = scene
    before, after = _bg(np.asarray(image).astype(np.float64), matte), _bg(_render("in the snow", image, matte), matte)
    bright = lambda a: (a.min(axis=1) > 215).mean()  # noqa: E731
    assert bright(after) > bright(before) + 0.05


def _mean_hue(arr: np.ndarray) -> float:
    r, g, b = (arr / 255.0).mean(axis=0)
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_autumn_turns_foliage_toward_orange(scene) -> None:
    image, matte = scene
    h = image.height
    band = np.zeros((h, image.width), bool)
    band[int(h * 0.42):int(h * 0.68)] = True
    band &= np.asarray(matte) == 0
    before = np.asarray(image).astype(np.float64)[band]
    after = _render("in autumn", image, matte)[band]
    assert 90 < _mean_hue(before) < 130
    assert _mean_hue(after) < 60
    sky = np.zeros_like(band)
    sky[: int(h * 0.3)] = True  # the sky is not foliage and keeps its hue
    assert abs(_mean_hue(_render("in autumn", image, matte)[sky]) - _mean_hue(np.asarray(image)[sky])) < 12


def _high_freq(arr: np.ndarray) -> float:
    grey = arr.mean(axis=2)
    return float(np.abs(np.diff(grey, axis=1)).mean())


def test_blur_softens_background_without_bleeding_the_subject() -> None:
    # A red subject on a green, finely textured background.
    rng = np.random.default_rng(3)
    arr = np.zeros((160, 200, 3))
    arr[...] = (40, 150, 60)
    arr += rng.normal(0, 30, arr.shape)
    image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    ImageDraw.Draw(image).ellipse((70, 40, 130, 120), fill=(230, 10, 10))
    matte = Image.new("L", image.size, 0)
    ImageDraw.Draw(matte).ellipse((70, 40, 130, 120), fill=255)
    out = _render("blur the background", image, matte)
    empty = np.asarray(matte) == 0
    assert _high_freq(np.where(empty[..., None], out, 0)) < 0.5 * _high_freq(np.where(empty[..., None],
                                                                                        np.asarray(image), 0))
    # Just outside the subject, the background must stay green, not pick up red.
    ring = np.asarray(matte.filter(ImageFilter.MaxFilter(9))) > 0
    ring &= empty
    assert out[ring][:, 0].mean() < out[ring][:, 1].mean()
    assert out[ring][:, 0].mean() < 90


def test_backdrop_is_the_colour(scene) -> None:
    image, matte = scene
    out = _render("on a plain blue background", image, matte)
    recipe = plan_setting("on a plain blue background")
    assert recipe is not None
    assert np.all(_bg(out, matte) == np.asarray(recipe.effects[0].color))
    black = _render("sur fond noir", image, matte)
    assert np.all(_bg(black, matte) == 0)


def test_studio_casts_a_floor_shadow_under_the_subject(scene) -> None:
    image, matte = scene
    out = _render("in a photo studio", image, matte).mean(axis=2)
    ys, xs = np.nonzero(np.asarray(matte) > 128)
    below = out[ys.max() + 3, xs.min() + 5: xs.max() - 5].mean()
    beside = out[ys.max() + 3, : xs.min() - 15].mean()
    assert below < beside


def test_seeded_and_deterministic(scene) -> None:
    image, matte = scene
    for setting in ("in the rain", "in the snow"):
        a, b = _render(setting, image, matte, 5), _render(setting, image, matte, 5)
        assert np.array_equal(a, b)
        c = _render(setting, image, matte, 6)
        assert not np.array_equal(a, c)


def test_soft_edge_blends_between_subject_and_new_background(scene) -> None:
    image, matte = scene
    out = _render("on a plain blue background", image, matte)
    a = np.asarray(matte)
    edge = (a > 60) & (a < 200)
    assert edge.any()
    # Half-subject pixels sit between the red subject and the blue backdrop.
    assert 20 < out[edge][:, 2].mean() < 160
    assert out[edge][:, 0].mean() > 40


def test_empty_recipe_returns_the_image(scene) -> None:
    image, matte = scene
    out = apply_setting(image, matte, SettingRecipe([], "", ""))
    assert np.array_equal(np.asarray(out), np.asarray(image))
