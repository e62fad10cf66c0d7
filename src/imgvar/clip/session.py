"""One loaded CLIP model: images and texts in, L2-normalised embeddings out."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .weights import ClipSpec

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

log = logging.getLogger(__name__)
_BATCH = 16
_registered: set[str] = set()
_register_lock = threading.Lock()


def pick_device(wanted: str) -> str:
    import torch

    if wanted == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if wanted == "cuda" and not torch.cuda.is_available():
        from ..errors import UsageError

        raise UsageError("clip.device is 'cuda' but torch sees no GPU (set clip.device = \"auto\" or \"cpu\")")
    return wanted


class ClipSession:
    """open_clip's model, preprocessing and tokenizer for one set of weights, loaded once."""

    def __init__(self, spec: ClipSpec, weights: Path, device: str = "auto") -> None:
        import open_clip
        import torch

        if spec.model_config:
            with _register_lock:
                if spec.model_config not in _registered:  # open_clip keeps a process-wide table
                    open_clip.add_model_config(spec.model_config)
                    _registered.add(spec.model_config)
        self.spec = spec
        self.device = pick_device(device)
        # A file path, never a tag: building from a tag would ask the hub again.
        model, _, preprocess = open_clip.create_model_and_transforms(spec.arch, pretrained=str(weights),
                                                                     device=self.device)
        self.model = model.eval()
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(spec.arch)
        self._torch = torch

    def encode_images(self, images: list[Image.Image]) -> np.ndarray:
        torch = self._torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(images), _BATCH):
                batch = torch.stack([self.preprocess(im.convert("RGB")) for im in images[start:start + _BATCH]])
                out.append(self.model.encode_image(batch.to(self.device)).float())
        return _normalised(torch.cat(out))

    def encode_texts(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        out = []
        with torch.inference_mode():
            for start in range(0, len(texts), _BATCH):
                tokens = self.tokenizer(texts[start:start + _BATCH]).to(self.device)
                out.append(self.model.encode_text(tokens).float())
        return _normalised(torch.cat(out))


def _normalised(t) -> np.ndarray:
    t = t / t.norm(dim=-1, keepdim=True).clamp_min(1e-12)
    return t.cpu().numpy()
