"""Recontext of an ordinary photo (no alpha, no mask): the automatic matte, placement
overrides, offline setting changes that leave the subject's pixels alone, and `cutout`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.errors import ExitCode

pytest.importorskip("cv2")

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
COFFEE = EXAMPLES / "coffee.png"  # a real photo with a clear subject and a reference matte
COFFEE_MASK = EXAMPLES / "coffee_mask.png"


def invoke(*args, input: bytes | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


@pytest.mark.parametrize("prompt", ["at night in the snow", "blur the background", "on a white background",
                                    "en automne, au coucher du soleil"])
def test_an_offline_setting_leaves_the_subject_pixels_alone(tmp_path, prompt):
    out, mask = tmp_path / "o.png", tmp_path / "m.png"
    result = invoke("run", COFFEE, prompt, "--out", out, "--save-mask", mask, "--json")
    assert result.exit_code == 0, result.output
    change = json.loads(result.stdout)["changes"][0]
    assert change["kind"] == "recontext" and change["applied"] and change["detail"]["matte"]["engine"] == "classic"
    original = np.asarray(Image.open(COFFEE).convert("RGB")).astype(int)
    made = np.asarray(Image.open(out).convert("RGB")).astype(int)
    matte = np.asarray(Image.open(mask).convert("L"))
    subject, scene = matte == 255, matte == 0
    assert subject.mean() > 0.2 and scene.mean() > 0.2
    assert np.array_equal(made[subject], original[subject])
    assert np.abs(made[scene] - original[scene]).mean() > 8  # the setting did change


def test_the_saved_mask_is_the_subject(tmp_path):
    mask = tmp_path / "m.png"
    result = invoke("run", COFFEE, "at dusk", "--out", tmp_path / "o.png", "--save-mask", mask)
    assert result.exit_code == 0, result.output
    found = np.asarray(Image.open(mask).convert("L")) > 127
    reference = np.asarray(Image.open(COFFEE_MASK).convert("L")) > 127
    assert _iou(found, reference) > 0.9


def test_night_darkens_the_scene_and_keeps_the_output_prompt_honest(tmp_path):
    out = tmp_path / "o.png"
    result = invoke("run", COFFEE, "put the cup at night", "--out", out, "--json")
    data = json.loads(result.stdout)
    assert data["output_prompt"] == "The original image with the scene around the cup at night."
    before = np.asarray(Image.open(COFFEE).convert("L"), dtype=float)
    after = np.asarray(Image.open(out).convert("L"), dtype=float)
    assert after.mean() < before.mean() - 10


def test_the_matte_is_computed_once_for_the_same_photo(tmp_path):
    first = invoke("run", COFFEE, "in the fog", "--out", tmp_path / "a.png", "--json")
    second = invoke("run", COFFEE, "at sunset", "--out", tmp_path / "b.png", "--json")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    stages = {s["name"]: s for s in json.loads(second.stdout)["stages"]}
    assert stages["matte"]["cache_hit"] is True and stages["recontext"]["cache_hit"] is False


def test_placement_flags_put_the_subject_where_asked(tmp_path):
    background = tmp_path / "plain.png"
    Image.new("RGB", (400, 300), (30, 120, 200)).save(background)
    out = tmp_path / "o.png"
    result = invoke("recontext", COFFEE, "on the table", "--background", background, "--at", "0.25,0.9",
                    "--scale", "0.3", "--out", out, "--no-cache")
    assert result.exit_code == 0, result.output
    made = np.asarray(Image.open(out).convert("RGB")).astype(int)
    moved = np.abs(made - np.array([30, 120, 200])).sum(axis=2) > 60
    ys, xs = np.nonzero(moved)
    h, w = moved.shape
    assert abs(xs.mean() / w - 0.25) < 0.08  # centred where asked
    assert 0.2 < (ys.max() - ys.min()) / h < 0.4  # about the height asked
    assert ys.max() / h > 0.8  # standing on the point asked


@pytest.mark.parametrize(("flag", "value", "fragment"), [
    ("--at", "2,3", "--at"), ("--at", "left", "--at"), ("--scale", "0", "--scale"), ("--scale", "nan", "--scale"),
])
def test_bad_placement_flags_are_usage_errors(tmp_path, background, flag, value, fragment):
    result = invoke("recontext", COFFEE, "on a beach", "--background", background, flag, value,
                    "--out", tmp_path / "o.png")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert fragment in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o.png").exists()


def test_cutout_puts_the_subject_on_transparency(tmp_path):
    out, mask = tmp_path / "c.png", tmp_path / "m.png"
    assert invoke("cutout", COFFEE, "--out", out).exit_code == 0
    result = invoke("cutout", COFFEE, "--mask-only", "--out", mask, "--json")
    assert result.exit_code == 0, result.output
    cut = Image.open(out)
    matte = Image.open(mask)
    assert cut.mode == "RGBA" and matte.mode == "L" and cut.size == matte.size == (600, 400)
    assert np.array_equal(np.asarray(cut.getchannel("A")), np.asarray(matte))
    reference = np.asarray(Image.open(COFFEE_MASK).convert("L")) > 127
    assert _iou(np.asarray(matte) > 127, reference) > 0.9
    data = json.loads(result.stdout)
    assert data["output"] == str(mask) and data["matte"]["engine"] == "classic"


def test_cutout_reads_stdin_and_writes_stdout():
    result = invoke("cutout", "-", "--out", "-", input=COFFEE.read_bytes())
    assert result.exit_code == 0, result.stderr
    cut = Image.open(io.BytesIO(result.stdout_bytes))
    assert cut.mode == "RGBA" and cut.getchannel("A").getextrema() == (0, 255)


def test_cutout_of_an_image_with_its_own_alpha_keeps_it(tmp_path, cutout):
    out = tmp_path / "c.png"
    result = invoke("cutout", cutout, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["matte"]["engine"] == "alpha"
    assert np.array_equal(np.asarray(Image.open(out).getchannel("A")),
                          np.asarray(Image.open(cutout).convert("RGBA").getchannel("A")))


def test_cutout_of_a_missing_file_is_one_line(tmp_path):
    result = invoke("cutout", tmp_path / "nope.png")
    assert result.exit_code != 0 and result.exit_code != 1
    assert "Traceback" not in result.output and "nope.png" in result.stderr


@pytest.mark.parametrize("size", [(1, 1), (3, 900), (300, 200)], ids=["dot", "sliver", "flat"])
def test_an_image_with_no_subject_to_find_is_a_usage_error(tmp_path, size):
    image = tmp_path / "plain.png"
    Image.new("RGB", size, (120, 120, 120)).save(image)
    for args in (["cutout", image], ["run", image, "at night"]):
        for _ in range(2):  # the second time from the store: the same answer
            result = invoke(*args, "--out", tmp_path / "o.png")
            assert result.exit_code == ExitCode.USAGE, result.output
            assert "--mask" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o.png").exists()


def test_save_mask_may_not_overwrite_the_image(tmp_path):
    out = tmp_path / "o.png"
    result = invoke("run", COFFEE, "at night", "--out", out, "--save-mask", out)
    assert result.exit_code == ExitCode.USAGE and "--save-mask" in result.stderr
    assert not out.exists()


def test_a_background_of_a_few_pixels_is_bad_input(tmp_path):
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (8, 40), (0, 90, 200)).save(tiny)
    result = invoke("recontext", COFFEE, "on a beach", "--background", tiny, "--out", tmp_path / "o.png")
    assert result.exit_code == ExitCode.BAD_INPUT, result.output
    assert "8x40" in result.stderr and not (tmp_path / "o.png").exists()


def _hat(path: Path) -> Path:
    from PIL import ImageDraw

    hat = Image.new("RGBA", (200, 140), (0, 0, 0, 0))
    draw = ImageDraw.Draw(hat)
    draw.ellipse((0, 95, 200, 140), fill=(40, 30, 25, 255))
    draw.rectangle((45, 10, 155, 110), fill=(20, 200, 40, 255))  # a green no photo here holds
    hat.save(path)
    return path


def _green(image: Image.Image) -> np.ndarray:
    a = np.asarray(image.convert("RGB")).astype(int)
    return (a[..., 1] > 150) & (a[..., 0] < 90) & (a[..., 2] < 110)


def test_an_object_goes_on_top_of_the_subject(tmp_path):
    out, mask = tmp_path / "o.png", tmp_path / "m.png"
    result = invoke("run", COFFEE, "add a hat on the cup", "--object", _hat(tmp_path / "hat.png"), "--out", out,
                    "--save-mask", mask, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    change = data["changes"][0]
    assert change["kind"] == "add_object" and change["applied"] and change["detail"]["anchored"] is True
    assert data["output_prompt"] == "The original image with a hat added on the cup."
    green = _green(Image.open(out))
    assert green.sum() > 200 and not _green(Image.open(COFFEE)).any()
    subject = np.asarray(Image.open(mask).convert("L")) > 127
    ys, xs = np.nonzero(subject)
    gy, gx = np.nonzero(green)
    assert gy.mean() < ys.min() + 0.25 * (ys.max() - ys.min())  # on its top
    assert abs(gx.mean() - xs.mean()) < 0.2 * (xs.max() - xs.min())  # and over its middle


def test_an_object_placed_in_the_scene_needs_no_subject(tmp_path):
    result = invoke("run", COFFEE, "add a hat in the sky", "--object", _hat(tmp_path / "hat.png"),
                    "--out", tmp_path / "o.png", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [s["name"] for s in data["stages"]].count("matte") == 0
    assert data["changes"][0]["detail"]["anchored"] is False


def test_an_object_on_the_subject_travels_with_it_to_a_new_scene(tmp_path):
    background = tmp_path / "plain.png"
    Image.new("RGB", (400, 300), (30, 120, 200)).save(background)
    out = tmp_path / "o.png"
    result = invoke("run", COFFEE, "add a hat on the cup, then put it on a beach", "--object",
                    _hat(tmp_path / "hat.png"), "--background", background, "--out", out)
    assert result.exit_code == 0, result.output
    assert _green(Image.open(out)).sum() > 50  # the hat came along


def test_without_an_object_image_an_addition_is_not_applied_offline(tmp_path):
    result = invoke("run", COFFEE, "add a hat on the cup, brighter", "--out", tmp_path / "o.png", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and "--object IMAGE" in data["output_prompt"]


def test_a_missing_object_image_is_bad_input(tmp_path):
    result = invoke("run", COFFEE, "add a hat on the cup", "--object", tmp_path / "nope.png", "--out", tmp_path / "o.png")
    assert result.exit_code == ExitCode.BAD_INPUT and "nope.png" in result.stderr


@pytest.mark.parametrize(("where", "place"), [("in the sky", True), ("sky", True), ("sur la mer", True),
                                              ("on the dog", False), ("sur le chat", False), (None, False)])
def test_where_an_object_goes_names_a_place_or_the_subject(where, place):
    from imgvar.engines.local.adder import names_a_place

    assert names_a_place(where) is place


def test_the_anchor_of_an_object_on_the_subject_is_its_top():
    from PIL import ImageDraw

    from imgvar.engines.local.adder import top_box

    matte = Image.new("L", (200, 200), 0)
    draw = ImageDraw.Draw(matte)
    draw.rectangle((80, 20, 120, 60), fill=255)  # a head
    draw.rectangle((30, 60, 170, 199), fill=255)  # wide shoulders
    assert top_box(matte) == (80, 20, 121, 200)
