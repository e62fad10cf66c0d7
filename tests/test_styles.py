"""Every offline style preset: shape, determinism, distinctness, structure, tiling, and prompt mapping."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image, ImageFilter

from conftest import EXAMPLES, make_photo
from imgvar.engines.base import StyleRequest
from imgvar.engines.local.stylizer import LocalStylizer
from imgvar.styles import get_preset, presets, resolve_style
from imgvar.styles import render as render_module
from imgvar.styles.render import render_preset

PRESET_NAMES = [p.name for p in presets()]


@pytest.fixture(scope="module")
def cat() -> Image.Image:
    return Image.open(EXAMPLES / "cat.png").convert("RGB")


@pytest.fixture(scope="module")
def rendered(cat) -> dict[str, Image.Image]:
    return {name: render_preset(cat, get_preset(name), seed=1) for name in PRESET_NAMES}


def test_at_least_twelve_presets_each_described():
    assert len(PRESET_NAMES) >= 12
    for preset in presets():
        assert preset.description and preset.manner.startswith(("as ", "in ")), preset.name
        assert preset.aliases, preset.name


@pytest.mark.parametrize("name", PRESET_NAMES)
@pytest.mark.parametrize("size", [(96, 64), (33, 57), (1, 1)])
def test_output_size_and_mode_on_synthetic_images(name, size):
    image = make_photo(size) if min(size) > 8 else Image.new("RGB", size, (120, 80, 40))
    out = render_preset(image, get_preset(name), seed=3)
    assert out.size == size and out.mode == "RGB"


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_bundled_photo_same_seed_same_bytes_other_seed_differs(name, cat, rendered):
    again = render_preset(cat, get_preset(name), seed=1)
    assert again.size == cat.size
    assert again.tobytes() == rendered[name].tobytes()
    other = render_preset(cat, get_preset(name), seed=2)
    assert other.tobytes() != rendered[name].tobytes()


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_output_is_not_the_input(name, cat, rendered):
    diff = np.abs(np.asarray(rendered[name], float) - np.asarray(cat, float)).mean()
    assert diff > 8.0, f"{name} changes the photo by only {diff:.1f}/255 on average"


def _edges(image: Image.Image) -> np.ndarray:
    gray = image.convert("L").filter(ImageFilter.GaussianBlur(2))
    arr = np.asarray(gray, float)
    gy, gx = np.gradient(arr)
    return np.hypot(gx, gy)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_structure_is_kept(name, cat, rendered):
    # Edge maps of input and output correlate: the subject stays recognisable.
    a, b = _edges(cat).ravel(), _edges(rendered[name]).ravel()
    corr = np.corrcoef(a, b)[0, 1]
    assert corr > 0.3, f"{name}: edge correlation {corr:.2f}"


def test_presets_differ_measurably_from_each_other(rendered):
    arrays = {name: np.asarray(img, float) for name, img in rendered.items()}
    for a, b in itertools.combinations(arrays, 2):
        diff = np.abs(arrays[a] - arrays[b]).mean()
        assert diff > 6.0, f"{a} and {b} differ by only {diff:.1f}/255"


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_strength_zero_returns_the_input(name, cat):
    outcome = LocalStylizer().stylize(cat, StyleRequest(style=name, strength=0.0))
    assert outcome.image.tobytes() == cat.tobytes()


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_tiles_match_the_whole_render(name, monkeypatch):
    """The tiled path (used above 2.6 MP) gives the same picture as rendering whole: no seams."""
    image = make_photo((700, 420), seed=5).resize((700, 420))
    whole = np.asarray(render_preset(image, get_preset(name), seed=4), float)
    monkeypatch.setattr(render_module, "WHOLE_LIMIT", 0)
    monkeypatch.setattr(render_module, "TILE", 256)
    tiled = np.asarray(render_preset(image, get_preset(name), seed=4), float)
    diff = np.abs(whole - tiled)
    assert diff.mean() < 3.0, f"{name}: tiled differs from whole by {diff.mean():.2f}/255 on average"
    # no visible seam: the columns either side of a tile border differ no more than elsewhere
    seam = np.abs(tiled[:, 256] - tiled[:, 255]).mean()
    elsewhere = np.abs(tiled[:, 200] - tiled[:, 199]).mean() + np.abs(tiled[:, 300] - tiled[:, 299]).mean()
    assert seam < elsewhere * 1.5 + 4.0, f"{name}: seam step {seam:.1f} vs {elsewhere / 2:.1f}"


# Prompt phrase -> preset, in English and French, at least one of each per preset.
MAPPING = [
    ("van gogh", "van_gogh"), ("façon Van Gogh", "van_gogh"), ("post-impressionism", "van_gogh"),
    ("postimpressionnisme", "van_gogh"),
    ("monet", "impressionist"), ("impressionism", "impressionist"), ("impressionniste", "impressionist"),
    ("munch", "expressionist"), ("expressionism", "expressionist"), ("expressionniste", "expressionist"),
    ("le cri", "expressionist"),
    ("seurat", "pointillist"), ("pointillism", "pointillist"), ("pointillisme", "pointillist"),
    ("stained glass", "stained_glass"), ("vitrail", "stained_glass"),
    ("mosaic", "mosaic"), ("mosaïque", "mosaic"),
    ("pixel art", "pixel_art"), ("8-bit", "pixel_art"), ("pixelisé", "pixel_art"),
    ("watercolor", "watercolor"), ("watercolour", "watercolor"), ("aquarelle", "watercolor"),
    ("hokusai", "ukiyo_e"), ("ukiyo-e", "ukiyo_e"), ("estampe japonaise", "ukiyo_e"),
    ("sumi-e", "ink_wash"), ("ink wash", "ink_wash"), ("encre de chine", "ink_wash"),
    ("pencil sketch", "pencil"), ("au crayon", "pencil"), ("croquis", "pencil"),
    ("charcoal", "charcoal"), ("fusain", "charcoal"), ("au fusain", "charcoal"),
    ("comic book", "comic"), ("cartoon", "comic"), ("bande dessinée", "comic"),
    ("pop art", "pop_art"), ("warhol", "pop_art"), ("lichtenstein", "pop_art"),
    ("oil painting", "oil"), ("peinture à l'huile", "oil"), ("huile", "oil"),
]


@pytest.mark.parametrize("phrase,expected", MAPPING)
def test_prompt_phrases_map_to_presets(phrase, expected):
    match = resolve_style(phrase)
    assert match.preset.name == expected and match.exact, (phrase, match)


def test_mapping_table_covers_every_preset():
    assert {expected for _, expected in MAPPING} == set(PRESET_NAMES)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_preset_names_and_aliases_resolve_to_themselves(name):
    preset = get_preset(name)
    assert resolve_style(name).preset is preset
    for alias in preset.aliases:
        assert resolve_style(alias).preset is preset, alias


def test_unknown_style_falls_back_to_the_nearest_preset_and_says_so():
    approx = resolve_style("rembrandt")
    assert approx.preset.name == "oil" and not approx.exact and approx.how == "approximate"
    typo = resolve_style("van gough")
    assert typo.preset.name == "van_gogh" and not typo.exact and typo.how == "typo"
    unknown = resolve_style("zorblax quintessence")
    assert unknown.how == "fallback" and not unknown.exact
    outcome = LocalStylizer().stylize(make_photo(), StyleRequest(style="zorblax quintessence"))
    assert "no offline preset matches 'zorblax quintessence'" in outcome.change.summary


def test_output_prompt_names_the_artist(photo):
    outcome = LocalStylizer().stylize(Image.open(photo).convert("RGB"), StyleRequest(style="van gogh"))
    assert "in the manner of Van Gogh" in outcome.change.summary
