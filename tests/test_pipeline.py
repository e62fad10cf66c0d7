"""The staged pipeline: cache keys, hits, recomputation, failures, run records and pluggable engines."""

from __future__ import annotations

import json

import pytest
from PIL import Image

import imgvar
from imgvar.config import load_settings
from imgvar.engines.base import Change, Engine, StyleOutcome
from imgvar.engines.registry import EngineSpec, default_registry
from imgvar.errors import StageError
from imgvar.paths import local_store_dir
from imgvar.store.local import LocalStore


def settings(**flags):
    return load_settings(flags=flags, environ={})


def test_library_api_returns_a_result(photo, tmp_path):
    result = imgvar.run(photo, "in Van Gogh style", out=tmp_path / "o.png", settings=settings())
    assert result.output == str((tmp_path / "o.png").resolve())
    assert result.plan.kinds() == ["style"]
    assert result.changes[0].kind == "style" and result.changes[0].applied
    assert result.output_prompt.startswith("The original image restyled")
    assert result.run_id


def test_library_accepts_a_pil_image_and_writes_nothing_without_out(tmp_path):
    from conftest import make_photo

    result = imgvar.stylize(make_photo(), "pencil", settings=settings())
    assert result.output is None and result.image.size == (96, 64)


def test_each_parameter_and_input_changes_the_stage_key(photo, tmp_path):
    base = imgvar.stylize(photo, "pencil", settings=settings())
    keys = {s.name: s.key for s in base.stages}
    other_seed = {s.name: s.key for s in imgvar.stylize(photo, "pencil", settings=settings(seed=5)).stages}
    other_style = {s.name: s.key for s in imgvar.stylize(photo, "pop art", settings=settings()).stages}
    assert other_seed["stylize"] != keys["stylize"]
    assert other_style["stylize"] != keys["stylize"]
    again = imgvar.stylize(photo, "pencil", settings=settings())
    assert {s.name: s.key for s in again.stages} == keys and again.cached


def test_a_lost_blob_is_recomputed_not_fatal(photo):
    first = imgvar.stylize(photo, "pencil", settings=settings())
    store = LocalStore(local_store_dir())
    digest = store.get_entry(first.stages[0].key)["image"]
    blob = next(local_store_dir().glob(f"blobs/*/{digest}"))
    blob.write_bytes(b"corrupted")
    second = imgvar.stylize(photo, "pencil", settings=settings())
    assert not second.stages[0].cache_hit
    assert second.output_digest == first.output_digest


def test_run_record_holds_inputs_plan_stages_and_output(photo, tmp_path):
    result = imgvar.run(photo, "pencil sketch, darker", out=tmp_path / "o.png", settings=settings())
    record = LocalStore(local_store_dir()).get_run(result.run_id)
    assert record["status"] == "ok" and record["command"] == "run"
    assert record["prompt"] == "pencil sketch, darker"
    assert record["plan"]["tasks"][1]["args"] == {"adjustment": "brightness", "direction": "decrease"}
    assert [s["name"] for s in record["stages"]] == ["analyze", "stylize", "postprocess", "describe"]
    assert record["output"]["digest"] == result.output_digest
    assert record["output_prompt"] == result.output_prompt
    assert record["cost"] == {"usd": 0.0, "calls": []}
    # the original is kept in the store beside its results
    assert LocalStore(local_store_dir()).get_blob(record["input"]["digest"]) == photo.read_bytes()


class _BrokenStylizer:
    version = "broken-1"

    def stylize(self, image, request):
        raise ValueError("no paint left")


class _InvertStylizer:
    version = "invert-1"

    def stylize(self, image, request):
        from PIL import ImageOps

        return StyleOutcome(ImageOps.invert(image.convert("RGB")), Change("style", "inverted"))


@pytest.fixture
def registry_engine():
    """Registers test engines through the same registry a plugin would use."""
    registry = default_registry()
    added = []

    def add(name, stylizer):
        registry.register(EngineSpec(name, lambda s: Engine(name, stylizer=stylizer), lambda s: True))
        added.append(name)

    yield add
    for name in added:
        registry._specs.pop(name, None)


def test_a_failing_stage_is_named_and_logged(photo, tmp_path, registry_engine):
    registry_engine("broken", _BrokenStylizer())
    with pytest.raises(StageError, match="stage 'stylize' failed: no paint left"):
        imgvar.run(photo, "in Van Gogh style", out=tmp_path / "o.png", settings=settings(engine="broken"))
    assert not (tmp_path / "o.png").exists()
    record = LocalStore(local_store_dir()).list_runs(1)[0]
    assert record["status"] == "failed" and "no paint left" in record["error"]


def test_an_engine_fills_some_roles_and_local_fills_the_rest(photo, registry_engine):
    registry_engine("invert", _InvertStylizer())
    result = imgvar.run(photo, "in Van Gogh style", settings=settings(engine="invert"))
    engines = {s.name: s.engine for s in result.stages}
    assert engines == {"analyze": "local", "stylize": "invert", "postprocess": "imgvar", "describe": "local"}
    src = Image.open(photo).convert("RGB")
    assert result.image.getpixel((0, 0)) == tuple(255 - v for v in src.getpixel((0, 0)))


def test_tasks_the_engine_cannot_do_are_reported_not_dropped(photo):
    result = imgvar.run(photo, "add a red hat, make it brighter", settings=settings())
    applied = {c.kind: c.applied for c in result.changes}
    assert applied == {"adjust": True, "add_object": False}
    assert "Not applied" in result.output_prompt and "hat" in result.output_prompt


def test_french_prompt_gives_a_french_output_prompt(photo):
    result = imgvar.run(photo, "au crayon, plus sombre", settings=settings())
    assert result.plan.language == "fr"
    assert result.output_prompt.startswith("L'image d'origine")
