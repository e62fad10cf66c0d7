"""The output prompt, read as a person would: full sentences for English and French prompts,
made by the real local pipeline on tiny images."""

from __future__ import annotations

import pytest
from conftest import make_cutout, make_photo

import imgvar
from imgvar.config import load_settings
from imgvar.engines.base import Change
from imgvar.engines.local.describer import TemplateDescriber, placement
from imgvar.plan import Plan, SubTask

NO, BG = False, True  # whether the prompt recontextualises a cut-out onto a background

CASES = [
    ('in Van Gogh style', NO, 1.0,
     'The original image restyled as a post-impressionist painting in the manner of Van Gogh.'),
    ('in Van Gough style', NO, 1.0,
     'The original image restyled as a post-impressionist painting in the manner of Van Gogh.'),
    ('à la manière de Van Gogh', NO, 1.0,
     "L'image d'origine, restylisée en peinture postimpressionniste à la manière de Van Gogh."),
    ('style van gogh, plus sombre', NO, 1.0,
     "L'image d'origine, restylisée en peinture postimpressionniste à la manière de Van Gogh et rendue plus sombre."),
    ('in the style of Monet', NO, 1.0,
     'The original image restyled as an impressionist painting in the manner of Monet.'),
    ('façon Monet', NO, 1.0,
     "L'image d'origine, restylisée en peinture impressionniste à la manière de Monet."),
    ('like a Renoir painting', NO, 1.0,
     'The original image restyled as an impressionist painting in the style of Renoir.'),
    ('impressionism', NO, 1.0, 'The original image restyled as an impressionist painting.'),
    ('in the style of Munch', NO, 1.0,
     'The original image restyled as an expressionist painting in the manner of Munch.'),
    ('in watercolor', NO, 1.0, 'The original image restyled as a watercolour painting.'),
    ('style aquarel', NO, 1.0, 'The original image restyled as a watercolour painting.'),
    ('en aquarelle, plus lumineux', NO, 1.0,
     "L'image d'origine, restylisée en aquarelle et rendue plus lumineuse."),
    ('as an oil painting', NO, 1.0, 'The original image restyled as an oil painting.'),
    ('like a painting by Rembrandt', NO, 1.0,
     'The original image restyled as an oil painting, the nearest offline preset to Rembrandt.'),
    ('in the style of Turner', NO, 1.0,
     'The original image restyled as a watercolour painting, the nearest offline preset to Turner.'),
    ('à la manière de Turner', NO, 1.0,
     "L'image d'origine, restylisée en aquarelle, le style hors ligne le plus proche de Turner."),
    ('in ukiyo-e style', NO, 1.0, 'The original image restyled as a Japanese ukiyo-e woodblock print.'),
    ('en estampe japonaise', NO, 1.0, "L'image d'origine, restylisée en estampe japonaise ukiyo-e."),
    ('in the style of Hokusai', NO, 1.0,
     'The original image restyled as a Japanese ukiyo-e woodblock print in the style of Hokusai.'),
    ("au lavis d'encre", NO, 1.0, "L'image d'origine, restylisée au lavis d'encre."),
    ('pencil sketch', NO, 1.0, 'The original image restyled as a graphite pencil sketch.'),
    ('au crayon, plus sombre', NO, 1.0,
     "L'image d'origine, restylisée en croquis au crayon et rendue plus sombre."),
    ('in charcoal', NO, 1.0, 'The original image restyled as a charcoal drawing.'),
    ('au fusain', NO, 1.0, "L'image d'origine, restylisée en dessin au fusain."),
    ('comic book style', NO, 1.0, 'The original image restyled as a comic book illustration.'),
    ('en bande dessinée', NO, 1.0, "L'image d'origine, restylisée en illustration de bande dessinée."),
    ('like Warhol', NO, 1.0, 'The original image restyled as a pop art print in the style of Warhol.'),
    ('in pointillist style', NO, 1.0, 'The original image restyled as a pointillist painting.'),
    ('façon Seurat', NO, 1.0,
     "L'image d'origine, restylisée en peinture pointilliste dans le style de Seurat."),
    ('en vitrail', NO, 1.0, "L'image d'origine, restylisée en vitrail."),
    ('en mosaïque', NO, 1.0, "L'image d'origine, restylisée en mosaïque de pierre."),
    ('in the style of Picasso', NO, 1.0,
     'The original image restyled as a stained glass window, the nearest offline preset to Picasso.'),
    ('in zorblax style', NO, 1.0,
     "The original image restyled as an oil painting, since no offline preset matches 'zorblax'."),
    ('style zorblax', NO, 1.0,
     "The original image restyled as an oil painting, since no offline preset matches 'zorblax'."),
    ('in Van Gogh style', NO, 0.7,
     'The original image restyled as a post-impressionist painting in the manner of Van Gogh at 70% strength.'),
    ('en aquarelle', NO, 0.7, "L'image d'origine, restylisée en aquarelle à 70 % d'intensité."),
    ('in the style of Rembrandt', NO, 0.7,
     'The original image restyled as an oil painting, the nearest offline preset to Rembrandt, at 70% strength.'),
    ('brighter and more contrast', NO, 1.0, 'The original image made brighter and given more contrast.'),
    ('darker, less saturated and warmer', NO, 1.0,
     'The original image made darker and less saturated, and given warmer tones.'),
    ('plus lumineux et plus de contraste', NO, 1.0,
     "L'image d'origine, rendue plus lumineuse et plus contrastée."),
    ('plus sombre, moins saturé, plus chaud', NO, 1.0,
     "L'image d'origine, rendue plus sombre et moins saturée, et réchauffée."),
    ('in black and white, sharper', NO, 1.0, 'The original image turned black and white, and sharpened.'),
    ('put the cat on a beach', BG, 1.0,
     'The original image with the cat placed on a beach, its colours harmonised with the new scene.'),
    ('put the cat at a rocket launch', BG, 1.0,
     'The original image with the cat placed at a rocket launch, its colours harmonised with the new scene.'),
    ('put the cat in deep space', BG, 1.0,
     'The original image with the cat placed in deep space, its colours harmonised with the new scene.'),
    ('under the sea', BG, 1.0,
     'The original image with the subject placed under the sea, its colours harmonised with the new scene.'),
    ('mets le chat sur une plage', BG, 1.0,
     "L'image d'origine, avec le chat placé sur une plage, ses couleurs harmonisées avec la nouvelle scène."),
    ('mets la voiture à la plage', BG, 1.0,
     "L'image d'origine, avec la voiture placée à la plage, ses couleurs harmonisées avec la nouvelle scène."),
    ("mets les chats dans l'espace", BG, 1.0,
     "L'image d'origine, avec les chats placés dans l'espace, ses couleurs harmonisées avec la nouvelle scène."),
    ('déplace le chat à Paris', BG, 1.0,
     "L'image d'origine, avec le chat placé à Paris, ses couleurs harmonisées avec la nouvelle scène."),
    ('put the cat on a beach at sunset, in watercolor, brighter', BG, 1.0,
     'The original image with the cat placed on a beach at sunset, its colours harmonised with the new scene, then restyled as a watercolour painting and made brighter.'),
    ('mets le chat sur une plage au coucher du soleil, façon Van Gogh, plus lumineux', BG, 1.0,
     "L'image d'origine, avec le chat placé sur une plage au coucher du soleil, ses couleurs harmonisées avec la nouvelle scène, puis restylisée en peinture postimpressionniste à la manière de Van Gogh et rendue plus lumineuse."),
    ('in Van Gogh style, add a hat', NO, 1.0,
     'The original image restyled as a post-impressionist painting in the manner of Van Gogh. Not applied: “add a hat” (the local engine cannot add objects without --object IMAGE; a cloud engine can).'),
    ('façon Van Gogh, ajoute un chapeau', NO, 1.0,
     "L'image d'origine, restylisée en peinture postimpressionniste à la manière de Van Gogh. Demande non appliquée : « ajoute un chapeau » (ajout d'objet impossible avec le moteur local sans --object IMAGE, possible avec un moteur cloud)."),
    ('zoom in on the face, add a hat, van gogh', NO, 1.0,
     'The original image restyled as a post-impressionist painting in the manner of Van Gogh. Not applied: “zoom in on the face” (not understood) and “add a hat” (the local engine cannot add objects without --object IMAGE; a cloud engine can).'),
    ('brighter, make the car red', NO, 1.0,
     'The original image made brighter. Not applied: “make the car red” (the local engine cannot recolour part of an image; a cloud engine can).'),
    ('plus lumineux, rends la voiture rouge', NO, 1.0,
     "L'image d'origine, rendue plus lumineuse. Demande non appliquée : « rends la voiture rouge » (recoloration ciblée impossible avec le moteur local, possible avec un moteur cloud)."),
    ('brighter, remove the fence', NO, 1.0,
     'The original image made brighter. Not applied: “remove the fence” (the local engine cannot remove objects without --mask IMAGE marking them; a cloud engine can).'),
    ('plus lumineux, remplace le chat par un chien', NO, 1.0,
     "L'image d'origine, rendue plus lumineuse. Demande non appliquée : « remplace le chat par un chien » (remplacement d'objet impossible avec le moteur local, possible avec un moteur cloud)."),
    ('brighter, move the vase to the left', NO, 1.0,
     'The original image made brighter. Not applied: “move the vase to the left” (the local engine cannot move objects; a cloud engine can).'),
    ('pencil sketch, rotate it a bit', NO, 1.0,
     'The original image restyled as a graphite pencil sketch. Not applied: “rotate it a bit” (not understood).'),
    # beside a request, a fragment that asks nothing is noise, not a request to report
    ('pencil sketch, blorp zing', NO, 1.0, 'The original image restyled as a graphite pencil sketch.'),
    ('in watercolor, the cat at night in the snow', NO, 1.0,
     'The original image with the scene around the cat at night, in falling snow, then restyled as a watercolour painting.'),
    ('mets le chat de nuit sous la neige, en aquarelle', NO, 1.0,
     "L'image d'origine, avec le décor autour du chat de nuit sous la neige, puis restylisée en aquarelle."),
    ('en hiver, au crépuscule', NO, 1.0,
     "L'image d'origine, avec le décor autour du sujet en hiver, au crépuscule."),
    ('blur the background', NO, 1.0,
     'The original image with the subject against a blurred background.'),
    ('le chat sur un fond blanc', NO, 1.0,
     "L'image d'origine, avec le chat sur un fond blanc uni."),
]


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    paths = {"photo": folder / "photo.png", "cutout": folder / "cutout.png", "background": folder / "bg.png"}
    make_photo((48, 32)).save(paths["photo"])
    make_cutout((48, 32)).save(paths["cutout"])
    make_photo((48, 32), seed=2).save(paths["background"])
    return paths


def test_enough_cases():
    assert len(CASES) >= 40
    assert {"en", "fr"} <= {imgvar.analyze(make_photo((8, 8)), p).plan.language for p, *_ in CASES[:5]}


@pytest.mark.parametrize(("prompt", "recontext", "strength", "expected"), CASES, ids=[c[0] for c in CASES])
def test_output_prompt(images, prompt, recontext, strength, expected):
    settings = load_settings(flags={"style.strength": strength}, environ={})
    image = images["cutout"] if recontext else images["photo"]
    result = imgvar.run(image, prompt, settings=settings, background=images["background"] if recontext else None)
    assert result.output_prompt == expected


@pytest.mark.parametrize(("prompt", "recontext", "strength", "expected"), CASES, ids=[c[0] for c in CASES])
def test_no_internal_ids_or_repetition(prompt, recontext, strength, expected):
    for preset_id in ("van_gogh", "ukiyo_e", "ink_wash", "pop_art", "pixel_art", "stained_glass"):
        assert preset_id not in expected
    assert expected.count("in the manner of") <= 1 and "placed in a beach" not in expected


def test_style_image_transfer_is_named(images):
    settings = load_settings(flags={"style.time_budget": 30.0}, environ={})
    en = imgvar.run(images["photo"], "brighter", style_image=images["background"], settings=settings)
    assert en.output_prompt == ("The original image restyled after bg.png, taking on its palette and brush "
                                "texture, and made brighter.")
    fr = imgvar.run(images["photo"], "plus lumineux", style_image=images["background"], settings=settings)
    assert fr.output_prompt == ("L'image d'origine, restylisée d'après bg.png, dont elle reprend la palette et "
                                "la texture, et rendue plus lumineuse.")


def test_unchanged_image_says_so():
    describer = TemplateDescriber()
    assert describer.describe(Plan("x", "en"), []) == "The original image, unchanged."
    skipped = [Change("other", "“blorp” (not understood)", False, {"summary_fr": "« blorp » (non comprise)"})]
    assert describer.describe(Plan("x", "fr"), skipped) == (
        "L'image d'origine, inchangée. Demande non appliquée : « blorp » (non comprise).")


@pytest.mark.parametrize(("setting", "preposition", "french", "expected"), [
    ("a beach at sunset", None, False, "with the subject placed on a beach at sunset"),  # a cloud plan's setting
    ("night", None, False, "with the subject placed at night"),
    ("a snowy forest", None, False, "with the subject placed in a snowy forest"),
    ("under the sea", None, False, "with the subject placed under the sea"),
    ("la plage", "à", True, "avec le sujet placé à la plage"),
    ("une plage", None, True, "avec le sujet placé sur une plage"),
    ("Paris", None, True, "avec le sujet placé à Paris"),
])
def test_placement_falls_back_to_the_usual_preposition(setting, preposition, french, expected):
    assert placement(None, setting, preposition, french).startswith(expected + ",")


def test_the_plans_preposition_wins_over_the_guess():
    plan = Plan("the cat at the beach", "en", [SubTask("recontext", "the cat at the beach",
                                                       {"subject": "the cat", "setting": "the beach",
                                                        "preposition": "at"})])
    change = Change("recontext", "…", True, {"subject": "the cat", "setting": "the beach"})
    assert TemplateDescriber().describe(plan, [change]) == (
        "The original image with the cat placed at the beach, its colours harmonised with the new scene.")


@pytest.mark.parametrize(("word", "expected"), [
    ("aquarelle", "L'image d'origine, restylisée en aquarelle."),
    ("Pencil", "The original image restyled as a graphite pencil sketch."),
    ("ukiyo_e", "The original image restyled as a Japanese ukiyo-e woodblock print."),
])
def test_a_one_word_style_is_named_in_its_language(images, word, expected):
    assert imgvar.stylize(images["photo"], word).output_prompt == expected
