"""Placement of a subject in a new scene: prompt hints, the ground line, the scene's subject, the box."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from imgvar.engines.local.placement import (
    Placement,
    PlacementHint,
    ground_line,
    output_frame,
    place,
    place_object,
    placement_hint,
    salient_box,
    subject_box,
)
from imgvar.errors import UsageError


def horizon_scene(size: tuple[int, int] = (240, 160), horizon: float = 0.55, seed: int = 0) -> Image.Image:
    """A bright smooth sky over textured ground, meeting at `horizon` (fraction of the height)."""
    w, h = size
    rng = np.random.default_rng(seed)
    row = round(h * horizon)
    y = np.linspace(0, 1, h)[:, None, None]
    img = np.empty((h, w, 3), np.float32)
    img[:] = np.array([150, 190, 240]) + 30 * y  # sky brightening toward the horizon
    ground = np.array([90, 110, 60]) + rng.normal(0, 18, (h - row, w, 1))
    img[row:] = ground
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


@pytest.mark.parametrize(("text", "expected"), [
    ("a cat on the left", PlacementHint(horizontal="left")),
    ("the dog to the right of the frame", PlacementHint(horizontal="right")),
    ("a vase in the middle", PlacementHint(horizontal="center")),
    ("a tiny boat", PlacementHint(size="tiny")),
    ("a small house", PlacementHint(size="small")),
    ("a BIG tree", PlacementHint(size="large")),
    ("a large statue", PlacementHint(size="large")),
    ("a huge moon", PlacementHint(size="huge")),
    ("a lighthouse in the foreground", PlacementHint(depth="foreground")),
    ("a castle in the distance", PlacementHint(depth="background")),
    ("mountains far away", PlacementHint(depth="background")),
    ("a face close up", PlacementHint(depth="foreground")),
    ("un chat à gauche", PlacementHint(horizontal="left")),
    ("un chien À DROITE", PlacementHint(horizontal="right")),
    ("une fontaine au centre", PlacementHint(horizontal="center")),
    ("un arbre au premier plan", PlacementHint(depth="foreground")),
    ("un château à l'arrière-plan", PlacementHint(depth="background")),
    ("un château à l’arrière-plan", PlacementHint(depth="background")),
    ("un bateau au loin", PlacementHint(depth="background")),
    ("un petit chien", PlacementHint(size="small")),
    ("une grande maison", PlacementHint(size="large")),
    ("une fourmi minuscule", PlacementHint(size="tiny")),
    ("un rocher énorme", PlacementHint(size="huge")),
    ("a small dog on the left in the distance", PlacementHint("left", "background", "small", None)),
    ("a very small bird", PlacementHint(size="tiny")),
    # Whole words only: these contain the words but do not ask for them.
    ("leftover pizza on a smallish plate", PlacementHint()),
    ("my grandfather's bigger car", PlacementHint()),
    ("a beach at sunset", PlacementHint()),
])
def test_placement_hint_table(text: str, expected: PlacementHint) -> None:
    assert placement_hint(text) == expected


@pytest.mark.parametrize("horizon", [0.4, 0.55, 0.7])
def test_ground_line_finds_a_clear_horizon(horizon: float) -> None:
    assert ground_line(horizon_scene(horizon=horizon)) == pytest.approx(horizon, abs=0.04)


def test_ground_line_defaults_when_there_is_no_horizon() -> None:
    flat = Image.new("RGB", (200, 150), (120, 120, 120))
    assert ground_line(flat) == pytest.approx(0.6, abs=0.05)


def test_salient_box_finds_the_scenes_subject() -> None:
    scene = horizon_scene((240, 160), 0.7)
    ImageDraw.Draw(scene).rectangle([100, 50, 140, 110], fill=(220, 30, 30))
    box = salient_box(scene)
    assert box is not None
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    assert 100 <= cx <= 140 and 50 <= cy <= 110


def test_output_frame_has_the_backgrounds_aspect_and_the_sources_side() -> None:
    assert output_frame((600, 400), (1200, 600)) == (600, 300)
    assert output_frame((300, 900), (400, 800)) == (450, 900)
    # Capped at twice the background's resolution: no blurrier upscale than that.
    assert output_frame((3000, 2000), (200, 100)) == (400, 200)


def _centre_x(p: Placement) -> float:
    return (p.x + p.width / 2) / p.frame[0]


def test_place_default_stands_on_the_ground_and_fits() -> None:
    bg = horizon_scene((300, 200), 0.5)
    p = place((80, 120), bg.size, bg, PlacementHint(), source_size=(300, 200))
    w, h = p.frame
    assert (w, h) == (300, 200)
    feet = (p.y + p.height) / h
    assert 0.5 <= feet <= 0.97  # on or below the horizon, not floating in the sky, not cut
    assert 0.4 <= p.height / h <= 0.65
    assert p.x >= 0 and p.y >= 0 and p.x + p.width <= w


def test_place_honours_left_right_small_large_foreground() -> None:
    bg = horizon_scene((300, 200), 0.5)

    def at(hint: PlacementHint) -> Placement:
        return place((80, 120), bg.size, bg, hint, source_size=(300, 200))

    default = at(PlacementHint())
    assert _centre_x(at(PlacementHint(horizontal="left"))) < 0.42
    assert _centre_x(at(PlacementHint(horizontal="right"))) > 0.58
    assert at(PlacementHint(size="small")).height < default.height < at(PlacementHint(size="large")).height
    assert at(PlacementHint(size="tiny")).height < at(PlacementHint(size="small")).height
    assert at(PlacementHint(depth="background")).height < default.height
    fore = at(PlacementHint(depth="foreground"))
    assert fore.height > default.height
    assert fore.y + fore.height > default.y + default.height  # nearer things stand lower in the frame


def test_place_never_wider_than_the_frame() -> None:
    bg = horizon_scene((300, 200), 0.5)
    p = place((900, 100), bg.size, bg, PlacementHint(size="huge"), source_size=(900, 300))
    assert p.width <= 0.9 * p.frame[0] + 1
    assert p.x >= 0 and p.x + p.width <= p.frame[0]


def test_at_and_scale_override_the_defaults() -> None:
    bg = horizon_scene((300, 200), 0.5)
    p = place((50, 100), bg.size, bg, PlacementHint(horizontal="left"), at=(0.8, 0.9), scale=0.3,
              source_size=(300, 200))
    assert p.height == 60
    assert p.width == 30
    assert (p.x + p.width / 2, p.y + p.height) == pytest.approx((240, 180), abs=1)


@pytest.mark.parametrize(("at", "scale"), [((1.5, 0.5), None), ((0.5, -0.1), None), ((float("nan"), 0.5), None),
                                           (None, 0.0), (None, 2.5), (None, float("inf"))])
def test_out_of_range_overrides_are_usage_errors(at, scale) -> None:
    bg = horizon_scene((120, 80))
    with pytest.raises(UsageError) as err:
        place((20, 40), bg.size, bg, PlacementHint(), at=at, scale=scale)
    assert "\n" not in str(err.value)


def test_place_avoids_the_scenes_subject() -> None:
    bg = horizon_scene((300, 200), 0.55)
    ImageDraw.Draw(bg).rectangle([130, 60, 170, 130], fill=(230, 40, 30))
    p = place((60, 120), bg.size, bg, PlacementHint(), source_size=(300, 200))
    # Centred, the subject would have covered the red tower; it moved aside instead.
    assert p.x + p.width <= 135 or p.x >= 165


def test_bust_cut_at_the_bottom_stays_anchored_to_the_bottom() -> None:
    matte = Image.new("L", (100, 120), 0)
    ImageDraw.Draw(matte).ellipse([20, 10, 80, 150], fill=255)  # runs off the bottom edge
    box, cut = subject_box(matte)
    assert cut
    bg = horizon_scene((300, 200), 0.5)
    for hint in (PlacementHint(), PlacementHint(horizontal="left", size="small")):
        p = place((box[2] - box[0], box[3] - box[1]), bg.size, bg, hint, source_size=matte.size, cut_bottom=True)
        assert p.y + p.height == p.frame[1]


def test_subject_box_of_a_floating_subject_is_not_cut() -> None:
    matte = Image.new("L", (100, 120), 0)
    ImageDraw.Draw(matte).rectangle([30, 20, 60, 90], fill=255)
    assert subject_box(matte) == ((30, 20, 61, 91), False)


def test_place_object_on_top_of_the_anchor() -> None:
    anchor = (100, 80, 200, 180)
    p = place_object((40, 30), (300, 200), "a hat on the dog", anchor, PlacementHint())
    assert p.width < 100
    assert anchor[0] <= p.x + p.width / 2 <= anchor[2]
    assert anchor[1] - 5 <= p.y + p.height <= anchor[1] + p.height  # rests on the top, a little sunk in


def test_place_object_beside_the_anchor_on_the_same_ground() -> None:
    anchor = (40, 60, 120, 180)
    p = place_object((50, 80), (300, 200), "a lamp next to the chair", anchor, PlacementHint())
    assert p.y + p.height == anchor[3]
    assert p.x >= anchor[2]  # more room on the right
    left = place_object((50, 80), (300, 200), "une lampe à côté de la chaise", (180, 60, 260, 180),
                        PlacementHint(horizontal="left"))
    assert left.x + left.width <= 180


def test_place_object_in_the_scene_is_smaller_than_a_subject() -> None:
    bg = horizon_scene((300, 200), 0.5)
    obj = place_object((60, 60), bg.size, "a boat on the sea", None, PlacementHint(), background=bg)
    subj = place((60, 60), bg.size, bg, PlacementHint(), source_size=bg.size)
    assert obj.frame == (300, 200)
    assert obj.height < subj.height
