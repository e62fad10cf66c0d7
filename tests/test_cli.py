"""The CLI as a user meets it: outputs, the cache, output conventions and one-line errors."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.cli.fast import top_level_help
from imgvar.errors import ExitCode
from imgvar.imageio import read_metadata

runner = CliRunner()


def invoke(*args: str, input: bytes | None = None):
    return runner.invoke(app, [str(a) for a in args], input=input)


def assert_one_line_error(result, code: int, fragment: str) -> None:
    """One error line, last on stderr (after any progress lines), with the documented exit code."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower()]
    assert len(errors) == 1 and errors[0] == lines[-1], result.stderr
    assert lines[-1].startswith("imgvar: error:") and fragment in lines[-1], lines[-1]
    assert "Traceback" not in result.output


def test_fast_help_lists_every_command_the_app_has():
    import typer

    group = typer.main.get_command(app)
    help_text = top_level_help()
    for name in group.commands:
        assert f"  {name} " in help_text, name


def test_run_writes_beside_the_input_and_prints_the_output_prompt(photo):
    result = invoke("run", photo, "in Van Gogh style")
    assert result.exit_code == 0, result.output
    out = photo.with_name("photo.imgvar.png")
    assert out.is_file()
    assert "Van Gogh" in result.stdout or "van gogh" in result.stdout
    assert f"wrote {out}" in result.stderr
    meta = read_metadata(out)
    assert meta["imgvar:prompt"] == "in Van Gogh style"
    assert meta["imgvar:output_prompt"] == result.stdout.strip()
    with Image.open(out) as img:
        assert img.size == Image.open(photo).size


def test_second_run_comes_from_the_cache_with_identical_bytes(photo, tmp_path):
    first = invoke("run", photo, "in Van Gogh style", "--out", tmp_path / "a.png", "--json")
    second = invoke("run", photo, "in Van Gogh style", "--out", tmp_path / "b.png", "--json")
    assert first.exit_code == second.exit_code == 0
    one, two = json.loads(first.stdout), json.loads(second.stdout)
    assert one["cached"] is False and two["cached"] is True
    assert all(stage["cache_hit"] for stage in two["stages"])
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert one["output_digest"] == two["output_digest"]
    human = invoke("run", photo, "in Van Gogh style", "--out", tmp_path / "c.png")
    assert "from cache" in human.stderr


def test_no_cache_recomputes(photo, tmp_path):
    invoke("run", photo, "in Van Gogh style", "--out", tmp_path / "a.png")
    again = json.loads(invoke("run", photo, "in Van Gogh style", "--out", tmp_path / "b.png", "--json",
                              "--no-cache").stdout)
    assert not any(stage["cache_hit"] for stage in again["stages"])
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


@pytest.mark.parametrize("name,fmt", [("out.jpg", "JPEG"), ("out.webp", "WEBP"), ("out.png", "PNG")])
def test_output_format_follows_the_extension(photo, tmp_path, name, fmt):
    result = invoke("run", photo, "pencil sketch", "--out", tmp_path / name, "-q")
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / name) as img:
        assert img.format == fmt
    assert read_metadata(tmp_path / name)["imgvar:prompt"] == "pencil sketch"


def test_json_output_is_one_object_with_the_documented_fields(photo, tmp_path):
    result = invoke("run", photo, "in Van Gogh style, brighter", "--out", tmp_path / "o.png", "--json")
    data = json.loads(result.stdout)
    assert data["schema"] == "imgvar.result/1"
    assert data["output"] == str((tmp_path / "o.png").resolve())
    assert [t["kind"] for t in data["plan"]["tasks"]] == ["style", "adjust"]
    assert [s["name"] for s in data["stages"]] == ["analyze", "stylize", "postprocess", "describe"]
    assert data["engine"] == "local" and data["cost_usd"] == 0.0
    assert result.stderr == ""


def test_alpha_is_kept_when_the_input_has_it(cutout, tmp_path):
    result = invoke("run", cutout, "pencil sketch", "--out", tmp_path / "o.png", "-q")
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "o.png") as out, Image.open(cutout) as src:
        assert out.mode == "RGBA"
        assert np.array_equal(np.asarray(out.getchannel("A")), np.asarray(src.getchannel("A")))


def test_stylize_strength_zero_returns_the_input(photo, tmp_path):
    result = invoke("stylize", photo, "van gogh", "--strength", "0", "--out", tmp_path / "o.png", "-q")
    assert result.exit_code == 0, result.output
    assert np.array_equal(np.asarray(Image.open(tmp_path / "o.png")), np.asarray(Image.open(photo)))


def test_same_seed_same_bytes_other_seed_other_bytes(photo, tmp_path):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert invoke("stylize", photo, "pencil", "--seed", seed, "--out", tmp_path / f"{name}.png",
                      "--no-cache", "-q").exit_code == 0
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    assert (tmp_path / "a.png").read_bytes() != (tmp_path / "c.png").read_bytes()


def test_recontext_places_the_subject_on_the_background(cutout, background, tmp_path):
    out = tmp_path / "o.png"
    result = invoke("recontext", cutout, "on a beach", "--background", background, "--out", out)
    assert result.exit_code == 0, result.output
    img = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert Image.open(out).mode == "RGB"  # the new scene is opaque
    centre, corner = img[40, 40], img[2, 2]
    assert centre[0] > 150 and centre[2] < 120  # the orange subject is still there
    assert abs(corner - np.array([250, 200, 120])).sum() < 60  # the sand shows around it
    assert "beach" in result.stdout


def test_recontext_with_a_mask_on_an_opaque_photo(photo, background, tmp_path):
    mask = Image.new("L", (96, 64), 0)
    mask.paste(255, (20, 20, 50, 50))
    mask.save(tmp_path / "mask.png")
    result = invoke("recontext", photo, "on a beach", "--background", background, "--mask", tmp_path / "mask.png",
                    "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output


def test_a_setting_that_cannot_be_made_offline_is_refused_before_any_work(photo, tmp_path):
    for command in ("run", "recontext"):
        result = invoke(command, photo, "put the house on the moon", "--out", tmp_path / "o.png")
        assert_one_line_error(result, ExitCode.USAGE, "--background IMAGE")
        assert "cloud engine" in result.stderr and "matte" not in result.stderr  # no stage ran after analyze
    assert not (tmp_path / "o.png").exists()


def test_analyze_and_dry_run_warn_of_the_refusal_ahead(photo):
    result = invoke("analyze", photo, "put the house on the moon")
    assert result.exit_code == 0 and "run would stop" in result.stderr and "--background" in result.stderr
    assert invoke("analyze", photo, "at night", "--json").stdout.count("would stop") == 0
    dry = invoke("run", photo, "put the house on the moon", "--dry-run")
    assert dry.exit_code == 0 and "the run would stop" in dry.stdout


def test_analyze_prints_the_plan_and_image_facts(photo):
    result = invoke("analyze", photo, "put the cat on a beach at sunset, in watercolor")
    assert result.exit_code == 0, result.output
    for fragment in ("recontext", "style", "watercolor", "96x64", "dominant colours"):
        assert fragment in result.stdout


def test_analyze_json_matches_the_published_schema(photo):
    jsonschema = pytest.importorskip("jsonschema")
    from importlib.resources import files

    schema = json.loads(files("imgvar").joinpath("schemas/analysis-1.json").read_text())
    for prompt in ("put the cat on a beach at sunset, in watercolor", "add a red hat and make the car blue",
                   "plus lumineux, style Van Gogh", "asdf qwerty"):
        data = json.loads(invoke("analyze", photo, prompt, "--json").stdout)
        jsonschema.validate(data, schema)
    assert data["image"]["width"] == 96 and data["image"]["orientation"] == "landscape"


def test_stdin_in_and_stdout_out(photo):
    result = invoke("stylize", "-", "pencil", "--out", "-", input=photo.read_bytes())
    assert result.exit_code == 0, result.output
    img = Image.open(io.BytesIO(result.stdout_bytes))
    assert img.format == "PNG" and img.size == (96, 64)
    assert "pencil" in result.stderr  # the output prompt moves to stderr


def test_styles_json_lists_names_and_descriptions():
    data = json.loads(invoke("styles", "--json").stdout)
    assert data and all(row["name"] and row["description"] for row in data)


def test_runs_lists_the_run_log(photo, tmp_path):
    invoke("run", photo, "pencil sketch", "--out", tmp_path / "o.png")
    runs = json.loads(invoke("runs", "--json").stdout)
    assert runs[0]["command"] == "run" and runs[0]["status"] == "ok"
    assert runs[0]["input"]["digest"] and runs[0]["output"]["path"].endswith("o.png")


# --- user mistakes: one line, documented exit code, no traceback, nothing written ---

def test_missing_file(tmp_path):
    assert_one_line_error(invoke("run", tmp_path / "nope.png", "van gogh"), ExitCode.BAD_INPUT, "nope.png")


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    assert_one_line_error(invoke("run", tmp_path / "empty.png", "van gogh"), ExitCode.BAD_INPUT, "empty")


def test_not_an_image(tmp_path):
    (tmp_path / "notes.png").write_text("hello")
    assert_one_line_error(invoke("run", tmp_path / "notes.png", "van gogh"), ExitCode.BAD_INPUT, "not an image")


def test_truncated_image(photo, tmp_path):
    data = photo.read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    assert_one_line_error(invoke("run", tmp_path / "cut.png", "van gogh"), ExitCode.BAD_INPUT, "cut.png")


def test_empty_prompt(photo):
    assert_one_line_error(invoke("run", photo, "   "), ExitCode.USAGE, "prompt is empty")


def test_unknown_option(photo):
    assert_one_line_error(invoke("run", photo, "van gogh", "--colour"), ExitCode.USAGE, "--colour")


def test_unwritable_output_path(photo, tmp_path):
    result = invoke("run", photo, "van gogh", "--out", tmp_path / "missing" / "o.png")
    assert_one_line_error(result, ExitCode.OUTPUT, "does not exist")


def test_unsupported_output_extension(photo, tmp_path):
    assert_one_line_error(invoke("run", photo, "van gogh", "--out", tmp_path / "o.xyz"), ExitCode.USAGE, ".xyz")


def test_recontext_without_background_is_a_usage_error(cutout, tmp_path):
    result = invoke("recontext", cutout, "on a beach", "--out", tmp_path / "o.png")
    assert_one_line_error(result, ExitCode.USAGE, "--background")
    assert not (tmp_path / "o.png").exists()


def test_recontext_of_a_plain_photo_finds_its_subject(photo, background, tmp_path):
    result = invoke("recontext", photo, "on a beach", "--background", background, "--out", tmp_path / "o.png")
    assert result.exit_code == 0, result.output
    assert "matte" in result.stderr and (tmp_path / "o.png").is_file()


@pytest.mark.parametrize("engine", ["openai", "azure", "dalle"])
def test_engine_that_is_not_available(photo, engine):
    assert_one_line_error(invoke("run", photo, "van gogh", "--engine", engine), ExitCode.USAGE, engine)


def test_store_that_is_not_available(photo):
    assert_one_line_error(invoke("run", photo, "van gogh", "--store", "azure"), ExitCode.USAGE, "azure")


def test_json_and_stdout_image_conflict(photo):
    assert_one_line_error(invoke("run", photo, "van gogh", "--json", "--out", "-"), ExitCode.USAGE, "stdout")


def test_failed_run_keeps_the_earlier_result(photo, tmp_path):
    out = tmp_path / "o.png"
    assert invoke("run", photo, "pencil", "--out", out).exit_code == 0
    before = out.read_bytes()
    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    result = invoke("run", tmp_path / "bad.png", "pencil", "--out", out)
    assert result.exit_code == ExitCode.BAD_INPUT
    assert out.read_bytes() == before


def test_interrupt_exits_130(photo, monkeypatch):
    import imgvar.api

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(imgvar.api, "run", interrupted)
    assert_one_line_error(invoke("run", photo, "van gogh"), ExitCode.INTERRUPTED, "interrupted")


def test_internal_errors_are_one_line_and_debug_shows_the_traceback(photo, monkeypatch):
    import imgvar.api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(imgvar.api, "run", broken)
    assert_one_line_error(invoke("run", photo, "van gogh"), ExitCode.INTERNAL, "boom")
    debug = invoke("run", photo, "van gogh", "--debug")
    assert debug.exit_code == ExitCode.INTERNAL and "Traceback" in debug.stderr


def test_nothing_understood_is_a_usage_error_and_writes_nothing(photo, tmp_path):
    result = invoke("run", photo, "asdf qwerty", "--out", tmp_path / "o.png")
    assert_one_line_error(result, ExitCode.USAGE, "nothing in the prompt")
    assert not (tmp_path / "o.png").exists()


def test_nothing_doable_is_a_usage_error_and_keeps_the_earlier_result(photo, tmp_path):
    out = tmp_path / "o.png"
    assert invoke("run", photo, "pencil", "--out", out).exit_code == 0
    before = out.read_bytes()
    result = invoke("run", photo, "add a red hat", "--out", out)
    assert_one_line_error(result, ExitCode.USAGE, "none of the requested changes")
    assert out.read_bytes() == before


def test_stylize_sheet_shows_every_preset(photo):
    result = invoke("stylize", photo, "--sheet", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    from imgvar.styles import presets

    assert data["presets"] == [p.name for p in presets()]
    sheet = Image.open(photo.with_name("photo.sheet.png"))
    assert sheet.width > 3 * 96 and sheet.height > 2 * 64


def test_stylize_with_a_style_image(photo, tmp_path):
    from conftest import make_cutout

    style = tmp_path / "painting.png"
    make_cutout((64, 64)).convert("RGB").save(style)
    result = invoke("stylize", photo, "--style-image", style, "--out", tmp_path / "o.png", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "painting.png" in data["output_prompt"]
    assert Image.open(tmp_path / "o.png").size == (96, 64)


def test_stylize_needs_a_style(photo):
    assert_one_line_error(invoke("stylize", photo), ExitCode.USAGE, "STYLE")


def test_styles_lists_at_least_twelve_presets():
    lines = invoke("styles").stdout.strip().splitlines()
    assert len(lines) >= 12
