"""The model tier, run through rembg's real sessions on tiny ONNX networks built here.

Each network is a 1x1 convolution over the normalised RGB channels followed by
a sigmoid: brightness in, "subject" out. rembg's own pre-processing (resize,
normalise) and post-processing (min-max, resize back) run unchanged around it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from imgvar import models
from imgvar.errors import EngineError
from imgvar.matte import Matte
from imgvar.matte import model as matte_model
from imgvar.paths import models_dir

# The square each session resizes to (read from rembg's sessions: u2net family 320, isnet 1024).
SIDES = {"u2netp": 320, "isnet-general-use": 1024}


def tiny_network(side: int, gain: float = 3.0) -> bytes:
    """An ONNX model mapping [1,3,side,side] to [1,1,side,side]: sigmoid(gain * (R+G+B) + bias)."""
    from onnx import TensorProto, helper

    weight = helper.make_tensor("w", TensorProto.FLOAT, [1, 3, 1, 1], [gain] * 3)
    bias = helper.make_tensor("b", TensorProto.FLOAT, [1], [0.0])
    graph = helper.make_graph(
        [helper.make_node("Conv", ["input.1", "w", "b"], ["logit"]),
         helper.make_node("Sigmoid", ["logit"], ["mask"])],
        "tiny-matte",
        [helper.make_tensor_value_info("input.1", TensorProto.FLOAT, [1, 3, side, side])],
        [helper.make_tensor_value_info("mask", TensorProto.FLOAT, [1, 1, side, side])],
        initializer=[weight, bias],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # readable by any onnxruntime >= 1.16
    return model.SerializeToString()


def install(monkeypatch, name: str) -> Path:
    """Put a tiny network where `imgvar models pull` would, with the registry expecting its checksum."""
    data = tiny_network(SIDES[name])
    spec = dataclasses.replace(models.MODELS[name], checksum="md5:" + hashlib.md5(data).hexdigest())
    monkeypatch.setitem(models.MODELS, name, spec)
    path = models.model_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def subject_scene(size: tuple[int, int] = (240, 180)) -> tuple[Image.Image, np.ndarray]:
    """A bright square on a dark, slightly noisy background, and the square's true mask."""
    w, h = size
    rng = np.random.default_rng(3)
    image = Image.fromarray((30 + rng.integers(0, 20, (h, w, 3))).astype(np.uint8), "RGB")
    box = (w // 3, h // 4, 2 * w // 3, 3 * h // 4)
    ImageDraw.Draw(image).rectangle(box, fill=(235, 225, 210))
    truth = np.zeros((h, w), bool)
    truth[box[1]:box[3] + 1, box[0]:box[2] + 1] = True
    return image, truth


def iou(alpha: Image.Image, truth: np.ndarray) -> float:
    found = np.asarray(alpha) >= 128
    return float((found & truth).sum() / max(1, (found | truth).sum()))


def test_unavailable_without_weights():
    assert not matte_model.model_available("isnet-general-use")
    reason = matte_model.unavailable_reason("isnet-general-use")
    assert reason == "weights for isnet-general-use not downloaded: imgvar models pull isnet-general-use"
    with pytest.raises(EngineError, match="imgvar models pull isnet-general-use"):
        matte_model.model_matte(Image.new("RGB", (32, 32)), "isnet-general-use")


def test_unavailable_without_the_runtime(monkeypatch):
    install(monkeypatch, "u2netp")
    assert matte_model.model_available("u2netp")
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "rembg" else real(n, *a))
    assert not matte_model.model_available("u2netp")
    assert matte_model.unavailable_reason("u2netp") == matte_model.INSTALL_HINT


@pytest.mark.parametrize("name", ["u2netp", "isnet-general-use"])
def test_model_matte_marks_the_bright_square(monkeypatch, name):
    install(monkeypatch, name)
    image, truth = subject_scene()
    matte = matte_model.model_matte(image, name)
    assert isinstance(matte, Matte) and matte.engine == f"model:{name}"
    assert matte.alpha.mode == "L" and matte.alpha.size == image.size
    assert iou(matte.alpha, truth) > 0.9
    assert matte.confidence > 0.8 and not matte.unsure and matte.notes == []


def test_sessions_are_cached_and_renewed_when_the_file_changes(monkeypatch):
    path = install(monkeypatch, "u2netp")
    first = matte_model.get_session("u2netp")
    assert matte_model.get_session("u2netp") is first
    assert Path(first.session.inner_session._model_path) == path  # our file, not rembg's home
    fresh = path.with_suffix(".new")
    fresh.write_bytes(tiny_network(SIDES["u2netp"], gain=-3.0))
    fresh.replace(path)  # as `pull` puts a new file in place: the next call gets a new session
    second = matte_model.get_session("u2netp")
    assert second is not first
    image, truth = subject_scene()
    inverted = matte_model.model_matte(image, "u2netp")
    assert iou(inverted.alpha, ~truth) > 0.9  # the new weights are the ones that ran


def test_rembg_is_never_asked_to_download(monkeypatch, tmp_path):
    """rembg's own homes are empty and its downloader would fail loudly; our file is still used."""
    monkeypatch.setenv("U2NET_HOME", str(tmp_path / "u2net"))
    import pooch

    def no_download(*args, **kwargs):
        raise AssertionError("rembg tried to download")

    monkeypatch.setattr(pooch, "retrieve", no_download)
    install(monkeypatch, "u2netp")
    matte = matte_model.model_matte(subject_scene()[0], "u2netp")
    assert matte.confidence > 0.8
    assert not (tmp_path / "u2net").exists()


def test_a_corrupt_weights_file_is_one_engine_error(monkeypatch):
    install(monkeypatch, "u2netp").write_bytes(b"not an onnx file")
    with pytest.raises(EngineError, match="delete it and run: imgvar models pull u2netp") as err:
        matte_model.model_matte(subject_scene()[0], "u2netp")
    assert "\n" not in str(err.value)


def test_confidence_is_low_for_an_undecided_or_empty_mask():
    h, w = 100, 100
    decided = np.zeros((h, w), np.uint8)
    decided[30:70, 30:70] = 255
    assert matte_model.mask_confidence(Image.fromarray(decided))[0] == 1.0
    ramp = np.tile(np.linspace(0, 255, w).astype(np.uint8), (h, 1))  # every level as often: mostly undecided
    assert matte_model.mask_confidence(Image.fromarray(ramp))[0] < 0.3
    empty, notes = matte_model.mask_confidence(Image.fromarray(np.zeros((h, w), np.uint8)))
    assert empty == 0.0 and notes == ["the model found no subject"]
    full, notes = matte_model.mask_confidence(Image.fromarray(np.full((h, w), 255, np.uint8)))
    assert full == 0.0 and "whole image" in notes[0]


def test_pulled_weights_run(monkeypatch):
    """The whole path: served over HTTP, pulled with checksum, then run by rembg's session."""
    from test_models import _Server

    data = tiny_network(SIDES["u2netp"])
    spec = dataclasses.replace(models.MODELS["u2netp"], checksum="md5:" + hashlib.md5(data).hexdigest())
    monkeypatch.setitem(models.MODELS, "u2netp", spec)
    server = _Server({"/u2netp.onnx": data})
    try:
        monkeypatch.setenv(models.URL_ENV, server.url)
        assert not matte_model.model_available("u2netp")
        models.pull("u2netp", progress=False)
    finally:
        server.close()
    assert matte_model.model_available("u2netp")
    image, truth = subject_scene()
    assert iou(matte_model.model_matte(image, "u2netp").alpha, truth) > 0.9
    assert sorted(p.name for p in models_dir().iterdir()) == ["u2netp.onnx"]
