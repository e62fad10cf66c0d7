"""The model tier: a trained background-removal network, run by rembg's sessions on onnxruntime.

rembg owns each network's pre- and post-processing; this module only decides
where the weights come from (`imgvar.models`, never rembg's own downloader),
keeps one session per model per process, and turns the mask into a `Matte`
with a confidence.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from typing import TYPE_CHECKING, Any

from ..errors import EngineError, UsageError
from ..models import MODELS, is_present, model_path
from . import Matte

if TYPE_CHECKING:
    from PIL import Image

INSTALL_HINT = "rembg/onnxruntime not installed: pip install 'imgvar[matte]'"

# A pixel this close to 0 or 255 counts as decided (on the 0..1 scale).
_DECIDED = 0.1
# Subject shares below the first or above the second mean nothing (or everything) was found.
_EMPTY, _FULL = 0.002, 0.98

_sessions: dict[tuple[str, str, int, int, int], "MatteModel"] = {}
_lock = threading.Lock()


def _runtime_installed() -> bool:
    # find_spec looks without importing, so asking stays cheap.
    return all(importlib.util.find_spec(m) is not None for m in ("rembg", "onnxruntime"))


def unavailable_reason(name: str) -> str | None:
    """Why `name` cannot run here, in one line; None when it can."""
    if name not in MODELS:
        return f"unknown matte model '{name}' (known: {', '.join(MODELS)})"
    if not _runtime_installed():
        return INSTALL_HINT
    if not is_present(name):
        return f"weights for {name} not downloaded: imgvar models pull {name}"
    return None


def model_available(name: str) -> bool:
    """Whether the weights of `name` are on disk and rembg and onnxruntime can be imported."""
    return unavailable_reason(name) is None


class MatteModel:
    """One rembg session for one model, its weights read from `imgvar.models` only."""

    def __init__(self, name: str) -> None:
        reason = unavailable_reason(name)
        if reason is not None:
            raise (UsageError if name not in MODELS else EngineError)(reason)
        self.name = name
        self.path = model_path(name)
        self.session = self._create()

    def _create(self) -> Any:
        try:
            import onnxruntime as ort
            from rembg.sessions import sessions_class
        except ImportError as exc:
            raise EngineError(f"{INSTALL_HINT} ({exc})") from None
        base = next((c for c in sessions_class if c.name() == self.name), None)
        if base is None:
            raise EngineError(f"the installed rembg has no session for {self.name}; upgrade it: "
                              f"pip install -U 'imgvar[matte]'")
        # The same session with its downloader replaced by our file: rembg cannot fetch anything,
        # whatever its version looks for, and no process-wide environment is changed.
        path = str(self.path)
        local = type(f"Local{base.__name__}", (base,), {"download_models": classmethod(lambda cls, *a, **k: path)})
        try:
            return local(self.name, _session_options(ort))
        except Exception as exc:  # a truncated or foreign file: onnxruntime cannot load it
            raise EngineError(f"cannot load {self.path} for {self.name}: {_first_line(exc)}; "
                              f"delete it and run: imgvar models pull {self.name}") from None

    def predict(self, image: Image.Image) -> Image.Image:
        """The model's mask for `image`: mode "L", the image's size, 255 = subject."""
        try:
            masks = self.session.predict(image.convert("RGB"))
        except Exception as exc:
            raise EngineError(f"matte model {self.name} failed: {_first_line(exc)}") from None
        return masks[0].convert("L")


def _session_options(ort: Any) -> Any:
    """Options that share the CPU politely: one graph at a time, no busy-waiting threads."""
    opts = ort.SessionOptions()
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.inter_op_num_threads = 1
    threads = os.environ.get("OMP_NUM_THREADS")
    opts.intra_op_num_threads = int(threads) if threads and threads.isdigit() else min(4, os.cpu_count() or 1)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3  # onnxruntime's warnings are about the graph, not the user's image
    return opts


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def get_session(name: str) -> MatteModel:
    """The process's session for `name`, made on first use; a re-pulled file gets a new one."""
    path = model_path(name)
    try:
        stat = path.stat()
        key = (name, str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (name, str(path), 0, 0, 0)
    with _lock:
        session = _sessions.get(key)
        if session is None:
            session = MatteModel(name)
            _sessions[key] = session
    return session


def model_matte(image: Image.Image, name: str) -> Matte:
    """The subject of `image` according to the model `name`, with how sure it is."""
    alpha = get_session(name).predict(image)
    if alpha.size != image.size:  # rembg resizes back already; a custom session might not
        alpha = alpha.resize(image.size)
    confidence, notes = mask_confidence(alpha)
    return Matte(alpha=alpha, confidence=confidence, engine=f"model:{name}", notes=notes)


def mask_confidence(alpha: Image.Image) -> tuple[float, list[str]]:
    """How decisive a mask is (share of pixels near 0 or 255), zero when it found nothing or everything."""
    import numpy as np

    a = np.asarray(alpha.convert("L"), dtype=np.float32) / 255.0
    decided = float(np.mean((a <= _DECIDED) | (a >= 1.0 - _DECIDED)))
    subject = float(np.mean(a >= 0.5))
    notes = []
    if subject <= _EMPTY:
        notes.append("the model found no subject")
    elif subject >= _FULL:
        notes.append("the model marked the whole image as subject")
    # Ramps rather than cliffs: full trust from 2% to 90% subject, none at the thresholds.
    small = (subject - _EMPTY) / (0.02 - _EMPTY)
    large = (_FULL - subject) / (_FULL - 0.9)
    found = min(1.0, max(0.0, min(small, large)))
    return round(decided * found, 4), notes
