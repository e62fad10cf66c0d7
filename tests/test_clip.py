"""CLIP features on a tiny random-initialised open_clip model built here: the real tokenizer, encode
and score path, a real checkpoint saved and loaded through clip.checkpoint, and the offline path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, make_photo

from imgvar.clip import ClipFeatures, best_candidate, directional
from imgvar.config import load_settings

TINY = "imgvar-test-tiny"
# Small vision and text towers; the bundled tokenizer's vocabulary and context length are kept.
TINY_CONFIG = {"embed_dim": 32,
               "vision_cfg": {"image_size": 32, "layers": 1, "width": 64, "head_width": 32, "patch_size": 16},
               "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1}}


@pytest.fixture(scope="session")
def tiny_clip(tmp_path_factory) -> dict[str, str]:
    """A random-initialised model registered from its own config, saved as a real checkpoint."""
    import open_clip
    import torch

    folder = tmp_path_factory.mktemp("tiny-clip")
    config = folder / f"{TINY}.json"
    config.write_text(json.dumps(TINY_CONFIG), encoding="utf-8")
    open_clip.add_model_config(str(config))
    torch.manual_seed(0)
    model = open_clip.create_model(TINY, pretrained=None)
    checkpoint = folder / "tiny.pt"
    torch.save(model.state_dict(), checkpoint)
    return {"IMGVAR_CLIP_MODEL": TINY, "IMGVAR_CLIP_MODEL_CONFIG": str(config),
            "IMGVAR_CLIP_CHECKPOINT": str(checkpoint)}


@pytest.fixture
def clip_env(tiny_clip, monkeypatch) -> dict[str, str]:
    for name, value in tiny_clip.items():
        monkeypatch.setenv(name, value)
    return tiny_clip


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    make_photo((96, 64)).save(path)
    return path


def imgvar(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("IMGVAR_", "HF_"))}
    full.update(env or {}, IMGVAR_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "imgvar", *args], env=full, capture_output=True, text=True,
                          timeout=180)


# -- offline, without weights ---------------------------------------------------------------

@pytest.mark.parametrize("hub_offline", [False, True])
def test_absent_weights_are_known_in_well_under_two_seconds(tmp_path: Path, monkeypatch, hub_offline: bool) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # an empty hub cache
    if hub_offline:
        monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    else:
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    started = time.monotonic()
    clip = ClipFeatures(load_settings())
    available = clip.available
    seconds = time.monotonic() - started
    assert not available and seconds < 2
    assert "imgvar models pull clip" in clip.reason and "clip.checkpoint" in clip.reason


@pytest.mark.parametrize("hub_offline", ["", "1"])
def test_a_run_without_weights_completes_and_says_so(tmp_path: Path, photo_file: Path, hub_offline: str) -> None:
    env = {"HF_HOME": str(tmp_path / "hf"), **({"HF_HUB_OFFLINE": hub_offline} if hub_offline else {})}
    started = time.monotonic()
    done = imgvar(tmp_path / "home", "stylize", str(photo_file), "pencil", "--candidates", "3",
                  "--out", str(tmp_path / "o.png"), env=env)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 30  # no minute of hub retries
    assert "note: --candidates 3 needs CLIP, so one version was made" in done.stderr
    assert "imgvar models pull clip" in done.stderr
    record = json.loads(next((tmp_path / "home" / "store" / "runs").rglob("*.json")).read_text())
    assert record["clip"]["available"] is False and "pull clip" in record["clip"]["reason"]


def test_clip_off_is_not_attempted(monkeypatch) -> None:
    monkeypatch.setenv("IMGVAR_CLIP_USE", "off")
    clip = ClipFeatures(load_settings())
    assert not clip.available and "clip.use" in clip.reason


# -- the real encode path on the tiny model -------------------------------------------------

def test_embeddings_match_open_clip_itself(clip_env) -> None:
    import open_clip
    import torch

    clip = ClipFeatures(load_settings())
    assert clip.available
    image = make_photo((80, 60))
    texts = ["a house under a blue sky", "a bowl of soup"]
    ours_i = clip.image_vector("photo-digest", image)
    ours_t = clip.text_vectors(texts)
    assert ours_i.shape == (32,) and ours_t.shape == (2, 32)
    assert np.allclose(np.linalg.norm(ours_t, axis=1), 1, atol=1e-5)

    model, _, preprocess = open_clip.create_model_and_transforms(TINY, pretrained=clip_env["IMGVAR_CLIP_CHECKPOINT"])
    model.eval()
    with torch.no_grad():
        ref_i = model.encode_image(preprocess(image.convert("RGB")).unsqueeze(0))[0]
        ref_t = model.encode_text(open_clip.get_tokenizer(TINY)(texts))
    ref_i = (ref_i / ref_i.norm()).numpy()
    ref_t = (ref_t / ref_t.norm(dim=-1, keepdim=True)).numpy()
    assert np.allclose(ours_i, ref_i, atol=1e-5) and np.allclose(ours_t, ref_t, atol=1e-5)
    assert np.allclose(clip.scores("photo-digest", image, texts), ref_t @ ref_i, atol=1e-5)


def test_embeddings_are_cached_in_the_store_by_content_and_model(clip_env, tmp_path: Path, monkeypatch) -> None:
    from imgvar.clip import features
    from imgvar.store.local import LocalStore

    store = LocalStore(tmp_path / "store")
    first = ClipFeatures(load_settings(), store)
    vector = first.image_vector("d1", make_photo())
    texts = first.text_vectors(["a red door"])
    assert first.loaded

    monkeypatch.setattr(features, "_sessions", {})  # a new process: no model in memory
    again = ClipFeatures(load_settings(), store)
    assert np.allclose(again.image_vector("d1", make_photo()), vector, atol=1e-6)
    assert np.allclose(again.text_vectors(["a red door"]), texts, atol=1e-6)
    assert not again.loaded  # every embedding came from the store

    # Other weights are other embeddings: the model is part of the key.
    monkeypatch.setenv("IMGVAR_CLIP_CHECKPOINT", str(tmp_path / "other.pt"))
    Path(tmp_path / "other.pt").write_bytes(Path(clip_env["IMGVAR_CLIP_CHECKPOINT"]).read_bytes())
    other = ClipFeatures(load_settings(), store)
    assert other.spec.model_id != again.spec.model_id
    other.image_vector("d1", make_photo())
    assert other.loaded


def test_a_damaged_checkpoint_leaves_clip_unavailable_not_the_run_broken(clip_env, tmp_path: Path,
                                                                         monkeypatch) -> None:
    from imgvar.clip import ClipUnavailable
    from imgvar.clip.judge import run_quality

    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    monkeypatch.setenv("IMGVAR_CLIP_CHECKPOINT", str(bad))
    clip = ClipFeatures(load_settings())
    assert clip.available  # the file is there...
    with pytest.raises(ClipUnavailable, match="could not be loaded"):
        clip.text_vectors(["x"])  # ...but will not load
    assert not clip.available and "could not be loaded" in clip.reason
    state = type("S", (), {"clip": clip, "candidates": None, "settings": load_settings(), "plan": None})()
    assert run_quality(state) == {**clip.info()}  # the run's record says why, and the run goes on


# -- decisions on constructed cases with known answers ------------------------------------------

def test_directional_similarity() -> None:
    i0, t0 = np.array([1.0, 0, 0]), np.array([0, 1.0, 0])
    assert directional(i0, i0 + [0, 0, 1], t0, t0 + [0, 0, 2]) == pytest.approx(1.0)
    assert directional(i0, i0 - [0, 0, 1], t0, t0 + [0, 0, 2]) == pytest.approx(-1.0)
    assert directional(i0, i0, t0, t0 + [0, 0, 1]) == 0.0  # the image did not change


def test_best_candidate_respects_the_image_floor() -> None:
    scores = [{"directional": 0.9, "text_score": 0.3, "image_similarity": 0.5},  # moved most, lost the original
              {"directional": 0.4, "text_score": 0.2, "image_similarity": 0.8},
              {"directional": 0.6, "text_score": 0.2, "image_similarity": 0.75}]
    assert best_candidate(scores, floor=0.7) == 2
    assert best_candidate(scores, floor=0.0) == 0
    assert best_candidate(scores, floor=0.95) == 1  # none keeps enough: the one that keeps most


def test_nearest_preset_of_a_preset_description_is_that_preset(clip_env) -> None:
    from imgvar.clip.judge import nearest_preset
    from imgvar.styles import presets

    clip = ClipFeatures(load_settings())
    for preset in presets()[:5]:
        name, similarity = nearest_preset(clip, f"{preset.name.replace('_', ' ')}: {preset.description}")
        assert name == preset.name and similarity == pytest.approx(1.0, abs=1e-4)


# -- the pipeline and the CLI -------------------------------------------------------------------

def test_analyze_json_has_clip_fields_that_match_the_schema(clip_env, tmp_path: Path, photo_file: Path) -> None:
    import jsonschema

    done = imgvar(tmp_path / "home", "analyze", str(photo_file), "put the house in the snow, as a watercolor",
                  "--json", env=clip_env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    schema = json.loads((REPO / "src" / "imgvar" / "schemas" / "analysis-1.json").read_text())
    jsonschema.validate(out, schema)
    clip = out["clip"]
    assert clip["available"] and clip["model"].startswith(TINY)
    assert set(clip["tags"]) == {"subject", "scene", "medium", "time_of_day", "season"}
    for top in clip["tags"].values():
        assert len(top) == 3 and top[0]["p"] >= top[1]["p"] >= top[2]["p"]
    assert -1 <= clip["prompt_similarity"] <= 1
    assert {t["kind"] for t in clip["tasks"]} == {"recontext", "style"}


def test_an_unknown_style_phrase_gets_the_nearest_preset_and_says_so(clip_env, tmp_path: Path,
                                                                      photo_file: Path) -> None:
    done = imgvar(tmp_path / "home", "stylize", str(photo_file), "make it Minecraft", "--json",
                  "--out", str(tmp_path / "o.png"), env=clip_env)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert "nearest to 'minecraft' by CLIP" in out["output_prompt"]
    detail = out["changes"][0]["detail"]
    assert detail["how"] == "clip" and detail["clip_choice"]["preset"] == detail["preset"]
    without = imgvar(tmp_path / "home2", "stylize", str(photo_file), "make it Minecraft",
                     "--json", "--out", str(tmp_path / "p.png"), env={"IMGVAR_CLIP_USE": "off"})
    assert "since no offline preset matches" in json.loads(without.stdout)["output_prompt"]


def test_candidates_keep_the_best_by_clip_and_record_every_score(clip_env, tmp_path: Path, photo_file: Path) -> None:
    from PIL import Image

    home = tmp_path / "home"
    done = imgvar(home, "stylize", str(photo_file), "pencil", "--candidates", "3", "--json",
                  "--out", str(tmp_path / "best.png"), env=clip_env)
    assert done.returncode == 0, done.stderr
    clip = json.loads(done.stdout)["clip"]
    candidates = clip["candidates"]
    assert len(candidates) == 3 and sum(c["chosen"] for c in candidates) == 1
    chosen = next(i for i, c in enumerate(candidates) if c["chosen"])
    assert chosen == best_candidate(candidates, floor=0.7)
    assert set(clip["quality"]) == {"text_score", "directional", "image_similarity"}
    # The image written is that candidate: the same seed and stroke scale alone give the same pixels.
    c = candidates[chosen]
    alone = imgvar(home, "stylize", str(photo_file), "pencil", "--seed", str(c["seed"]), "--detail", str(c["detail"]),
                   "--out", str(tmp_path / "alone.png"), env=clip_env)
    assert alone.returncode == 0, alone.stderr
    assert np.array_equal(np.asarray(Image.open(tmp_path / "best.png")), np.asarray(Image.open(tmp_path / "alone.png")))
    record = json.loads(next(p for p in (home / "store" / "runs").rglob("*.json")
                             if json.loads(p.read_text()).get("clip", {}).get("candidates")).read_text())
    assert record["clip"]["candidates"] == candidates


def test_every_run_record_has_a_quality_line(clip_env, tmp_path: Path, photo_file: Path) -> None:
    home = tmp_path / "home"
    done = imgvar(home, "run", str(photo_file), "in Van Gogh style", "--json", "--out", str(tmp_path / "o.png"),
                  env=clip_env)
    assert done.returncode == 0, done.stderr
    quality = json.loads(done.stdout)["clip"]["quality"]
    assert all(-1 <= quality[k] <= 1 for k in ("text_score", "directional", "image_similarity"))
    record = json.loads(next((home / "store" / "runs").rglob("*.json")).read_text())
    assert record["clip"]["quality"] == quality


def test_models_list_shows_the_clip_weights(clip_env, tmp_path: Path) -> None:
    listed = imgvar(tmp_path / "home", "models", "list", "--json", env=clip_env)
    row = next(r for r in json.loads(listed.stdout)["models"] if r["name"] == "clip")
    assert row["present"] and row["path"] == clip_env["IMGVAR_CLIP_CHECKPOINT"] and row["role"] == "clip"
    pulled = imgvar(tmp_path / "home", "models", "pull", "clip", "--json", env=clip_env)
    assert pulled.returncode == 0 and json.loads(pulled.stdout)["downloaded"] is False
    absent = imgvar(tmp_path / "home", "models", "list", "--json", env={"HF_HOME": str(tmp_path / "hf")})
    row = next(r for r in json.loads(absent.stdout)["models"] if r["name"] == "clip")
    assert not row["present"] and row["expected_bytes"] > 500_000_000
    offline = imgvar(tmp_path / "home", "models", "pull", "clip",
                     env={"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"})
    assert offline.returncode == 4 and "cannot reach the Hugging Face hub" in offline.stderr
    started = time.monotonic()
    unreachable = imgvar(tmp_path / "home", "models", "pull", "clip",  # no network, and no HF_HUB_OFFLINE to say so
                         env={"HF_HOME": str(tmp_path / "hf"), "HF_ENDPOINT": "http://127.0.0.1:9"})
    assert unreachable.returncode == 4 and "cannot reach the Hugging Face hub" in unreachable.stderr
    assert time.monotonic() - started < 15  # not the hub client's minute of retries


def test_the_subject_scorer_ranks_crops_with_clip(clip_env) -> None:
    from imgvar.clip.judge import subject_scorer

    clip = ClipFeatures(load_settings())
    crops = [make_photo((40, 40), seed=s) for s in (1, 2, 3)]
    scores = subject_scorer(clip)(make_photo(), crops, "the house")
    expected = clip.image_vectors([("a", crops[0]), ("b", crops[1]), ("c", crops[2])]) @ clip.text_vectors(
        ["a photo of the house"])[0]
    assert np.allclose(scores, expected, atol=1e-5)
