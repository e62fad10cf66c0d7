"""Offline removal: what a --mask marks is filled from its surroundings, only for a removal
with no new setting; without a mask the local engine says what it needs."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import imgvar
from imgvar.config import load_settings
from imgvar.errors import UsageError


def scene_with_pole(folder=None) -> tuple[Image.Image, object, np.ndarray]:
    """A sky-like gradient (top to bottom) with a dark vertical pole; the mask marks the pole."""
    h, w = 90, 120
    rows = np.linspace(60, 220, h)[:, None, None]
    sky = np.concatenate([np.broadcast_to(rows, (h, w, 1)), np.broadcast_to(rows * 0.8, (h, w, 1)),
                          np.full((h, w, 1), 200.0)], axis=2)
    photo = sky.copy()
    photo[10:80, 55:62] = (25, 20, 15)
    mask = np.zeros((h, w), np.uint8)
    mask[8:82, 53:64] = 255
    mask_file = None
    if folder is not None:
        mask_file = folder / "mask.png"
        Image.fromarray(mask).save(mask_file)
    return Image.fromarray(photo.astype(np.uint8)), mask_file, sky


def settings():
    return load_settings(flags={"engine": "local"}, environ={})


def test_a_marked_pole_is_filled_from_the_sky_around_it(tmp_path):
    photo, mask, sky = scene_with_pole(tmp_path)
    result = imgvar.run(photo, "remove the pole", mask=mask, settings=settings())
    out = np.asarray(result.image.convert("RGB")).astype(float)
    pole = (slice(10, 80), slice(55, 62))
    before = np.abs(np.asarray(photo).astype(float)[pole] - sky[pole]).mean()
    after = np.abs(out[pole] - sky[pole]).mean()
    assert before > 100 and after < 6, (before, after)
    # outside the mask nothing moved
    untouched = np.ones(out.shape[:2], bool)
    untouched[5:85, 48:69] = False
    assert np.abs(out[untouched] - np.asarray(photo).astype(float)[untouched]).max() <= 1
    assert result.output_prompt == "The original image with the pole removed."
    assert [(c.kind, c.applied) for c in result.changes] == [("remove_object", True)]


def test_a_removal_without_a_mask_names_the_mask_and_the_cloud():
    photo, _, _ = scene_with_pole()
    with pytest.raises(UsageError, match=r"cannot remove objects without --mask IMAGE.*a cloud engine can"):
        imgvar.run(photo, "remove the pole", settings=settings())


def test_beside_a_new_setting_the_mask_is_the_subject_not_a_removal(tmp_path):
    photo, mask, _ = scene_with_pole(tmp_path)
    result = imgvar.run(photo, "remove the pole, at night", mask=mask, settings=settings())
    kinds = {(c.kind, c.applied) for c in result.changes}
    assert ("recontext", True) in kinds and ("remove_object", False) in kinds


def test_the_french_output_prompt_says_what_went(tmp_path):
    photo, mask, _ = scene_with_pole(tmp_path)
    result = imgvar.run(photo, "enlève le poteau", mask=mask, settings=settings())
    assert result.output_prompt == "L'image d'origine, sans le poteau."
