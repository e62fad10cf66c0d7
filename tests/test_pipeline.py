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


# -- damaged entries, stored formats, identity stages, non-UTF-8 text ---------------------


def _entry_file(key: str):
    return next(local_store_dir().glob(f"entries/*/{key}.json"))


def _stage(result, name):
    return next(s for s in result.stages if s.name == name)


def _flip_digest_bit(key: str) -> None:
    """One flipped bit in the entry's image digest: still valid JSON, no longer hex."""
    path = _entry_file(key)
    doc = json.loads(path.read_text())
    digest = doc["entry"]["image"]
    doc["entry"]["image"] = chr(ord(digest[0]) ^ 0x40) + digest[1:]  # "a" -> "!", "3" -> "s"...
    path.write_text(json.dumps(doc))


def test_an_entry_with_a_non_hex_digest_is_recomputed_and_repaired(photo, tmp_path):
    first = imgvar.stylize(photo, "pencil", out=tmp_path / "a.png", settings=settings())
    key = _stage(first, "stylize").key
    _flip_digest_bit(key)
    second = imgvar.stylize(photo, "pencil", out=tmp_path / "b.png", settings=settings())
    assert not _stage(second, "stylize").cache_hit
    assert second.output_digest == first.output_digest
    assert LocalStore(local_store_dir()).get_entry(key)["image"] == _stage(first, "stylize").output_digest
    third = imgvar.stylize(photo, "pencil", out=tmp_path / "c.png", settings=settings())
    assert third.cached and _stage(third, "stylize").cache_hit


def test_no_cache_replaces_a_damaged_entry_but_keeps_a_healthy_one(photo, tmp_path):
    first = imgvar.stylize(photo, "pencil", settings=settings())
    key = _stage(first, "stylize").key
    _flip_digest_bit(key)
    imgvar.stylize(photo, "pencil", settings=settings(cache=False))
    repaired = _entry_file(key).read_text()
    assert LocalStore(local_store_dir()).get_entry(key) is not None
    imgvar.stylize(photo, "pencil", settings=settings(cache=False))
    assert _entry_file(key).read_text() == repaired  # healthy: create-if-absent kept it
    assert imgvar.stylize(photo, "pencil", settings=settings()).cached


@pytest.mark.parametrize("damage", [
    "bad json", "not an object", "entry not a dict", "data not a dict", "image a number",
    "pixels not hex", "blob missing", "blob altered", "blob undecodable", "unknown format", "data unusable",
])
def test_any_malformed_entry_is_a_miss_that_gets_replaced(photo, damage):
    first = imgvar.run(photo, "pencil sketch", settings=settings())
    key = _stage(first, "stylize").key
    path = _entry_file(key)
    doc = json.loads(path.read_text())
    entry = doc["entry"]
    blob = next(local_store_dir().glob(f"blobs/*/{entry['image']}"))
    if damage == "bad json":
        path.write_text(path.read_text()[:-9])
    elif damage == "not an object":
        path.write_text("[1, 2]")
    elif damage == "entry not a dict":
        doc["entry"] = "x"
    elif damage == "data not a dict":
        entry["data"] = [1]
    elif damage == "image a number":
        entry["image"] = 7
    elif damage == "pixels not hex":
        entry["pixels"] = "z" * 64
    elif damage == "blob missing":
        blob.unlink()
    elif damage == "blob altered":
        blob.write_bytes(blob.read_bytes()[:-1] + b"\x00")
    elif damage == "unknown format":
        entry["format"] = "gif"
    elif damage == "data unusable":
        entry["data"] = {"changes": [{"no": "kind"}]}
    if damage == "blob undecodable":
        from imgvar.store.keys import sha256_hex

        junk = b"RGB 5x5\nshort"
        (blob.parent / sha256_hex(junk)).write_bytes(junk)
        entry["image"] = sha256_hex(junk)
    if damage not in ("bad json", "not an object", "blob missing", "blob altered"):
        doc.pop("check", None)  # a damaged entry that also lost its check: the shape is all that is left
        path.write_text(json.dumps(doc))
    second = imgvar.run(photo, "pencil sketch", settings=settings())
    assert not _stage(second, "stylize").cache_hit
    assert second.output_digest == first.output_digest
    assert [c.summary for c in second.changes] == [c.summary for c in first.changes]
    third = imgvar.run(photo, "pencil sketch", settings=settings())
    assert _stage(third, "stylize").cache_hit and third.output_digest == first.output_digest


def test_a_flipped_bit_anywhere_in_an_entry_fails_its_check(photo):
    first = imgvar.run(photo, "pencil sketch", settings=settings())
    key = _stage(first, "describe").key
    path = _entry_file(key)
    doc = json.loads(path.read_text())
    doc["entry"]["data"]["output_prompt"] = doc["entry"]["data"]["output_prompt"].replace("p", "q", 1)
    path.write_text(json.dumps(doc))
    second = imgvar.run(photo, "pencil sketch", settings=settings())
    assert not _stage(second, "describe").cache_hit
    assert second.output_prompt == first.output_prompt


def test_intermediate_images_are_raw_pixels_whose_blob_digest_is_the_pixel_digest(photo):
    from imgvar.imageio import pixel_digest

    result = imgvar.stylize(photo, "pencil", settings=settings())
    stage = _stage(result, "stylize")
    entry = LocalStore(local_store_dir()).get_entry(stage.key)
    assert entry["format"] == "raw" and entry["image"] == entry["pixels"] == stage.output_digest
    data = LocalStore(local_store_dir()).get_blob(entry["image"])
    assert data.startswith(b"RGB 96x64\n") and len(data) == len(b"RGB 96x64\n") + 96 * 64 * 3
    assert pixel_digest(result.image) == stage.output_digest


def test_a_postprocess_with_nothing_to_do_stores_no_image_and_hits_next_time(photo):
    blobs = lambda: sorted(p.name for p in local_store_dir().glob("blobs/*/*"))  # noqa: E731
    first = imgvar.stylize(photo, "pencil", settings=settings())
    post = _stage(first, "postprocess")
    entry = LocalStore(local_store_dir()).get_entry(post.key)
    assert entry["image"] is None and entry["same"] is True
    assert post.output_digest == _stage(first, "stylize").output_digest
    before = blobs()
    again = imgvar.stylize(photo, "pencil", settings=settings())
    assert _stage(again, "postprocess").cache_hit and again.output_digest == first.output_digest
    assert blobs() == before


def test_a_postprocess_that_adjusts_stores_its_image(photo):
    result = imgvar.run(photo, "pencil sketch, darker", settings=settings())
    entry = LocalStore(local_store_dir()).get_entry(_stage(result, "postprocess").key)
    assert entry["image"] and entry["format"] == "raw" and not entry.get("same")


def test_entries_written_before_raw_pixels_still_hit(photo):
    """An entry holding a PNG blob and no pixel digest (the earlier layout) is read, not recomputed."""
    from imgvar.imageio import encode_image

    first = imgvar.stylize(photo, "pencil", settings=settings())
    stage = _stage(first, "stylize")
    store = LocalStore(local_store_dir())
    entry = store.get_entry(stage.key)
    png = store.put_blob(encode_image(first.image, "png", compress_level=6))
    store.put_entry(stage.key, {"image": png, "data": entry["data"]}, replace=True)
    again = imgvar.stylize(photo, "pencil", settings=settings())
    assert _stage(again, "stylize").cache_hit and again.output_digest == first.output_digest


def test_a_run_with_non_utf8_file_name_and_prompt_is_recorded(tmp_path, photo):
    odd = tmp_path / "caf\udce9.png"  # a Latin-1 byte in the name, as os.listdir gives it
    odd.write_bytes(photo.read_bytes())
    result = imgvar.run(str(odd), "pencil sketch \udcff", settings=settings())
    record = LocalStore(local_store_dir()).get_run(result.run_id)
    assert record["status"] == "ok" and "\ufffd" in record["prompt"] + json.dumps(record["input"])
    again = imgvar.run(str(odd), "pencil sketch \udcff", settings=settings())
    assert again.cached


def test_lazy_local_roles_carry_their_classes_versions():
    import sys

    from imgvar.engines.local import ROLES, local_engine

    engine = local_engine()
    for role, (module, cls, version) in ROLES.items():
        impl = getattr(engine, role)
        assert impl.version == version
        real = getattr(__import__(f"imgvar.engines.local.{module}", fromlist=[cls]), cls)
        assert real.version == version, f"update ROLES[{role!r}] in engines/local/__init__.py"
    assert "imgvar.engines.local" in sys.modules


def test_a_cache_hit_imports_neither_the_parser_nor_the_presets(photo, tmp_path):
    import subprocess
    import sys

    imgvar.run(photo, "in Van Gogh style", out=tmp_path / "o.png", settings=settings())
    code = ("import sys, imgvar; from imgvar.config import load_settings; "
            f"r = imgvar.run({str(photo)!r}, 'in Van Gogh style', out={str(tmp_path / 'p.png')!r}, "
            "settings=load_settings(environ={}, flags={})); "
            "assert r.cached; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'openai') "
            "or m.startswith(('imgvar.prompt', 'imgvar.styles'))))")
    import os

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_an_installed_engine_plugin_is_found(tmp_path, monkeypatch):
    import imgvar.engines.registry as registry_module

    site = tmp_path / "site"
    meta = site / "fakeplug-1.0.dist-info"
    meta.mkdir(parents=True)
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: fakeplug\nVersion: 1.0\n")
    (meta / "entry_points.txt").write_text("[imgvar.engines]\nfake = fakeplug_mod:register\n")
    (site / "fakeplug_mod.py").write_text(
        "from imgvar.engines.registry import EngineSpec\n"
        "from imgvar.engines.base import Engine\n"
        "def register(registry):\n"
        "    registry.register(EngineSpec('fakeplug', lambda s: Engine('fakeplug'), lambda s: True))\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(registry_module, "_REGISTRY", None)
    assert registry_module.default_registry().get("fakeplug") is not None


def test_encode_output_reuses_the_stored_file_and_keys_every_setting(tmp_path):
    from imgvar.imageio import encode_image, pixel_digest
    from imgvar.pipeline import encode_output

    store = LocalStore(local_store_dir())
    image = Image.new("RGB", (40, 30), (200, 10, 10))
    digest = pixel_digest(image)
    data, blob = encode_output(store, image, digest, "png", {"imgvar:prompt": "p"}, quality=92, compress_level=1)
    assert data == encode_image(image, "png", {"imgvar:prompt": "p"}, compress_level=1)
    assert store.get_blob(blob) == data
    # The second call reads the stored file: an image with other pixels under the same digest proves it.
    other = Image.new("RGB", (40, 30), (0, 0, 255))
    again, _ = encode_output(store, other, digest, "png", {"imgvar:prompt": "p"}, quality=92, compress_level=1)
    assert again == data
    for change in ({"compress_level": 9}, {"metadata": {"imgvar:prompt": "q"}}, {"fmt": "jpeg"}):
        args = {"fmt": "png", "metadata": {"imgvar:prompt": "p"}, "compress_level": 1, **change}
        fresh, _ = encode_output(store, other, digest, args["fmt"], args["metadata"], quality=92,
                                 compress_level=args["compress_level"])
        assert fresh == encode_image(other, args["fmt"], args["metadata"], compress_level=args["compress_level"])
    # A lost file is encoded again.
    next(local_store_dir().glob(f"blobs/*/{blob}")).unlink()
    redone, _ = encode_output(store, other, digest, "png", {"imgvar:prompt": "p"}, quality=92, compress_level=1)
    assert redone == encode_image(other, "png", {"imgvar:prompt": "p"}, compress_level=1)


def test_a_stage_image_in_another_mode_is_normalised_stored_raw_and_hits(photo, registry_engine):
    class _Palette:
        version = "palette-1"

        def stylize(self, image, request):
            return StyleOutcome(image.convert("P"), Change("style", "posterised"))

    registry_engine("palette-engine", _Palette())
    first = imgvar.stylize(photo, "anything", settings=settings(engine="palette-engine"))
    stage = _stage(first, "stylize")
    entry = LocalStore(local_store_dir()).get_entry(stage.key)
    assert entry["format"] == "raw" and entry["pixels"] == stage.output_digest
    assert first.image.mode == "RGB"
    again = imgvar.stylize(photo, "anything", settings=settings(engine="palette-engine"))
    assert _stage(again, "stylize").cache_hit and again.output_digest == first.output_digest


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L"])
@pytest.mark.parametrize("size", [(1, 1), (5, 300), (1500, 800)])  # one band, many bands, threaded bands
def test_fast_png_output_round_trips_pixels_and_metadata(mode, size):
    import io

    from imgvar.imageio import encode_image, read_metadata

    image = Image.effect_noise(size, 50).convert(mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize(size))
    meta = {"imgvar:prompt": "café ☕", "Software": "imgvar"}
    data = encode_image(image, "png", meta, compress_level=1)
    back = Image.open(io.BytesIO(data))
    back.load()
    assert (back.mode, back.size) == (mode, size) and back.tobytes() == image.tobytes()
    assert read_metadata(data) == meta
    assert encode_image(image.copy(), "png", dict(reversed(list(meta.items()))), compress_level=1) == data
    assert encode_image(image, "png", meta, compress_level=6) != data  # other levels are Pillow's encoder
