"""CLIP as the pipeline uses it: embeddings (cached in the store), scores, and what they decide.

`ClipFeatures` is cheap to make: it looks for the weights on first use (no
network, well under a second) and loads the model only when an embedding is
not in the store. Without weights it says why (`reason`) and every caller goes
on without CLIP.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from .weights import ClipSpec, configured, locate, missing_reason

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from ..config import Settings
    from .session import ClipSession

log = logging.getLogger(__name__)
VERSION = "clip-1"  # of the embeddings' cache entries
NEUTRAL_TEXT = "a photo"  # the "before" text of directional scores: what any input is


class ClipUnavailable(Exception):
    """CLIP cannot run here; the message says why and how to fix it."""


_sessions: dict[tuple[str, str], ClipSession] = {}  # (model id, device) -> loaded model, shared in a process
_sessions_lock = threading.Lock()


class ClipFeatures:
    """CLIP embeddings and scores for one command, with the store as their cache."""

    def __init__(self, settings: Settings, store: Any = None) -> None:
        self.spec: ClipSpec = configured(settings)
        self.enabled = settings["clip.use"] != "off"
        self.device = str(settings["clip.device"])
        self.store = store
        self._checked = False
        self._weights = None
        self._reason: str | None = None
        self.loaded = False  # whether the model itself was needed (not every embedding was stored)

    # -- availability ---------------------------------------------------------------------

    def _check(self) -> None:
        if self._checked:
            return
        self._checked = True
        if not self.enabled:
            self._reason = "CLIP is off (clip.use = \"off\")"
            return
        try:
            self._weights = locate(self.spec)
        except Exception as exc:  # a broken hub cache or an unknown tag: say it, go on without CLIP
            self._reason = f"CLIP weights could not be looked up: {exc}"
            return
        if self._weights is None:
            self._reason = missing_reason(self.spec)

    @property
    def available(self) -> bool:
        self._check()
        return self._reason is None

    @property
    def reason(self) -> str | None:
        self._check()
        return self._reason

    def info(self) -> dict[str, Any]:
        """What the run record and --json say about CLIP."""
        return {"model": self.spec.source, "available": self.available, "reason": self.reason}

    def _session(self) -> ClipSession:
        self._check()
        if self._reason is not None:
            raise ClipUnavailable(self._reason)
        key = (self.spec.model_id, self.device)
        with _sessions_lock:
            session = _sessions.get(key)
            if session is None:
                from .session import ClipSession

                try:
                    session = ClipSession(self.spec, self._weights, self.device)
                except Exception as exc:  # a damaged or mismatched file: CLIP is unavailable, the run goes on
                    self._reason = f"the CLIP weights at {self._weights} could not be loaded: {exc}"
                    raise ClipUnavailable(self._reason) from exc
                _sessions[key] = session
        self.loaded = True
        return session

    # -- embeddings, cached by content and model --------------------------------------------

    def _key(self, kind: str, params: dict[str, Any], inputs: dict[str, str]) -> str:
        from ..store.keys import content_key

        return content_key("clip-" + kind, self.spec.model_id, VERSION, params, inputs)

    def _cached(self, keys: list[str]) -> list[list[float] | None]:
        if self.store is None:
            return [None] * len(keys)
        found = []
        for key in keys:
            entry = self.store.get_entry(key)
            vector = entry.get("vector") if entry else None
            found.append(vector if isinstance(vector, list) and vector else None)
        return found

    def _keep(self, key: str, vector: np.ndarray) -> None:
        if self.store is not None:
            self.store.put_entry(key, {"vector": [round(float(v), 7) for v in vector]})

    def _vectors(self, keys: list[str], compute) -> np.ndarray:
        import numpy as np

        found = self._cached(keys)
        todo = [i for i, v in enumerate(found) if v is None]
        if todo:
            fresh = compute(todo)
            for i, vector in zip(todo, fresh):
                found[i] = vector
                self._keep(keys[i], vector)
        return np.asarray(found, dtype=np.float32)

    def image_vectors(self, images: list[tuple[str, Image.Image]]) -> np.ndarray:
        """Unit embeddings of (digest, image) pairs, one row each."""
        keys = [self._key("image", {}, {"image": digest}) for digest, _ in images]
        return self._vectors(keys, lambda todo: self._session().encode_images([images[i][1] for i in todo]))

    def text_vectors(self, texts: list[str]) -> np.ndarray:
        keys = [self._key("text", {"text": text}, {}) for text in texts]
        return self._vectors(keys, lambda todo: self._session().encode_texts([texts[i] for i in todo]))

    def image_vector(self, digest: str, image: Image.Image) -> np.ndarray:
        return self.image_vectors([(digest, image)])[0]

    # -- scores ---------------------------------------------------------------------------

    def scores(self, digest: str, image: Image.Image, texts: list[str]) -> list[float]:
        """Cosine similarity of the image with each text."""
        return [float(s) for s in self.text_vectors(texts) @ self.image_vector(digest, image)]

    def quality(self, before: tuple[str, Image.Image], after: tuple[str, Image.Image], target: str) -> dict[str, float]:
        """How well the result matches the target text, how far it moved toward it, and how much of
        the original it kept (InstructPix2Pix's CLIP metrics)."""
        i0, i1 = self.image_vectors([before, after])
        t0, t1 = self.text_vectors([NEUTRAL_TEXT, target])
        return {"text_score": round(float(i1 @ t1), 4), "directional": round(directional(i0, i1, t0, t1), 4),
                "image_similarity": round(float(i0 @ i1), 4)}


def directional(i0: np.ndarray, i1: np.ndarray, t0: np.ndarray, t1: np.ndarray) -> float:
    """cos(I1 - I0, T1 - T0): whether the image changed the way the text did (0 when either did not)."""
    import numpy as np

    di, dt = i1 - i0, t1 - t0
    norm = float(np.linalg.norm(di) * np.linalg.norm(dt))
    return float(di @ dt) / norm if norm > 1e-9 else 0.0


def best_candidate(scores: list[dict[str, float]], floor: float) -> int:
    """The candidate that moved most toward the target among those that kept enough of the original
    (image similarity >= floor); when none kept enough, the one that kept the most."""
    kept = [i for i, s in enumerate(scores) if s["image_similarity"] >= floor]
    if kept:
        return max(kept, key=lambda i: (scores[i]["directional"], scores[i]["text_score"], -i))
    return max(range(len(scores)), key=lambda i: (scores[i]["image_similarity"], -i))
