"""Shared fixtures: an isolated IMGVAR_HOME for every test, and small synthetic images."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

_SECRET_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY",
                "OPENAI_API_VERSION", "AZURE_STORAGE_CONNECTION_STRING")


@pytest.fixture(autouse=True)
def imgvar_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own home, so no test reads or writes the user's config and store."""
    home = tmp_path_factory.mktemp("imgvar-home")
    for name in list(os.environ):
        if name.startswith("IMGVAR_") or name in _SECRET_VARS:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("IMGVAR_HOME", str(home))
    # Nor the user's Hugging Face cache: CLIP weights are absent unless a test provides them.
    monkeypatch.setenv("HF_HOME", str(home / "hf"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    return home


def make_photo(size: tuple[int, int] = (96, 64), seed: int = 1) -> Image.Image:
    """A photo-like test image: a sky gradient, ground, a sun and a house, plus mild noise."""
    w, h = size
    rng = np.random.default_rng(seed)
    y = np.linspace(0, 1, h)[:, None]
    sky = np.stack([90 + 80 * y, 140 + 60 * y, 230 - 40 * y], axis=-1) * np.ones((1, w, 1))
    image = Image.fromarray(sky.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, int(h * 0.65), w, h], fill=(70, 130, 50))
    draw.ellipse([int(w * 0.7), int(h * 0.08), int(w * 0.85), int(h * 0.3)], fill=(250, 220, 80))
    draw.rectangle([int(w * 0.2), int(h * 0.4), int(w * 0.45), int(h * 0.75)], fill=(180, 60, 50))
    draw.polygon([(int(w * 0.17), int(h * 0.4)), (int(w * 0.325), int(h * 0.2)), (int(w * 0.48), int(h * 0.4))],
                 fill=(90, 50, 40))
    arr = np.asarray(image).astype(np.int16) + rng.integers(-6, 7, size=(h, w, 3))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")


def make_cutout(size: tuple[int, int] = (80, 80)) -> Image.Image:
    """An RGBA subject: an orange disc on a transparent background."""
    w, h = size
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).ellipse([w // 4, h // 4, 3 * w // 4, 3 * h // 4], fill=(240, 140, 30, 255))
    return image


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    make_photo().save(path)
    return path


@pytest.fixture
def cutout(tmp_path: Path) -> Path:
    path = tmp_path / "subject.png"
    make_cutout().save(path)
    return path


@pytest.fixture
def background(tmp_path: Path) -> Path:
    path = tmp_path / "beach.jpg"
    w, h = 120, 90
    y = np.linspace(0, 1, h)[:, None, None] * np.ones((1, w, 1))
    sand = np.concatenate([250 - 40 * y, 200 - 30 * y, 120 + 0 * y], axis=-1)
    Image.fromarray(sand.astype(np.uint8), "RGB").save(path, quality=95)
    return path


@pytest.fixture
def fake_openai():
    """A local OpenAI / Azure OpenAI-compatible server (tests/fake_openai.py), closed after the test."""
    from fake_openai import FakeOpenAI

    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="session")
def azurite():
    """One Azurite blob service for the session (tests/azurite.py); skipped only where Node.js is absent."""
    from azurite import Azurite, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with Azurite() as service:
        yield service


@pytest.fixture
def azure_store_env(azurite, monkeypatch) -> dict[str, str]:
    """Settings for `store = "azure"` on a container of this test's own, in the environment."""
    import uuid

    from imgvar.store.read_through import forget_failures

    forget_failures()
    env = {"IMGVAR_STORE": "azure", "AZURE_STORAGE_CONNECTION_STRING": azurite.connection_string,
           "IMGVAR_AZURE_BLOB_CONTAINER": "t" + uuid.uuid4().hex[:20]}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield env
    forget_failures()
