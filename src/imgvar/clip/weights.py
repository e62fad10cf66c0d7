"""Which CLIP weights the settings name, whether they are on this machine, and fetching them.

open_clip fetches pretrained weights from the Hugging Face hub as it builds a
model; offline, without HF_HUB_OFFLINE=1, that retries for most of a minute.
So nothing here asks the network unless asked to pull: the hub's local cache is
looked up by file name (no request), and a model is built from the file found.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EngineError, UsageError

if TYPE_CHECKING:
    from ..config import Settings

# (architecture, pretrained tag) -> hub repository, for the common checkpoints, so that finding
# them costs no open_clip import (2 s); any other tag is looked up in open_clip's own table.
KNOWN_REPOS = {
    ("ViT-B-32", "laion2b_s34b_b79k"): "laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
    ("ViT-B-16", "laion2b_s34b_b88k"): "laion/CLIP-ViT-B-16-laion2B-s34B-b88K",
    ("ViT-L-14", "laion2b_s32b_b82k"): "laion/CLIP-ViT-L-14-laion2B-s32B-b82K",
    ("ViT-B-32", "openai"): "timm/vit_base_patch32_clip_224.openai",
}
# The files a repository may hold, preferred first (open_clip's own order).
WEIGHT_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
APPROX_BYTES = {"ViT-B-32": 605_000_000, "ViT-B-16": 599_000_000, "ViT-L-14": 1_710_000_000}
LICENCES = {"laion": "MIT (LAION model card)"}


@dataclass(frozen=True)
class ClipSpec:
    """The CLIP model the settings ask for."""

    arch: str  # an open_clip architecture, e.g. "ViT-B-32"
    tag: str  # a pretrained tag, e.g. "laion2b_s34b_b79k"; ignored with a checkpoint
    checkpoint: str = ""  # a local weights file, used instead of the tag
    model_config: str = ""  # an open_clip model config (JSON) defining `arch`, for custom architectures

    @property
    def source(self) -> str:
        return f"{self.arch} from {self.checkpoint}" if self.checkpoint else f"{self.arch} {self.tag}"

    @property
    def model_id(self) -> str:
        """Names the weights in cache keys: embeddings from other weights are other embeddings."""
        if not self.checkpoint:
            return f"{self.arch}/{self.tag}"
        try:
            st = os.stat(self.checkpoint)
            stamp = f"{st.st_size}-{int(st.st_mtime)}"
        except OSError:
            stamp = "missing"
        return f"{self.arch}/file-{hashlib.sha256(f'{os.path.abspath(self.checkpoint)}|{stamp}'.encode()).hexdigest()[:16]}"


def configured(settings: Settings) -> ClipSpec:
    return ClipSpec(str(settings["clip.model"]), str(settings["clip.pretrained"]),
                    str(settings["clip.checkpoint"]).strip(), str(settings["clip.model_config"]).strip())


def repo_of(spec: ClipSpec) -> str:
    """The hub repository holding the weights of a pretrained tag."""
    known = KNOWN_REPOS.get((spec.arch, spec.tag))
    if known:
        return known
    from open_clip.pretrained import get_pretrained_cfg

    hub = (get_pretrained_cfg(spec.arch, spec.tag) or {}).get("hf_hub", "")
    if not hub:
        raise UsageError(f"open_clip knows no hub weights for clip.model '{spec.arch}' with clip.pretrained "
                         f"'{spec.tag}' (see open_clip.list_pretrained(), or set clip.checkpoint to a file)")
    return hub.split("/")[0] + "/" + hub.split("/")[1]


def locate(spec: ClipSpec) -> Path | None:
    """The weights file on this machine, or None. Sends no request."""
    if spec.checkpoint:
        path = Path(spec.checkpoint).expanduser()
        return path if path.is_file() else None
    repo = repo_of(spec)
    for name in WEIGHT_FILES:
        found = hub_cached_file(repo, name)
        if found is not None:
            return found
    return None


def hub_cache_dir() -> Path:
    """The hub's cache folder, from the environment as it is now (huggingface_hub reads it once, at import)."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"]).expanduser()
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]).expanduser() / "hub"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "huggingface" / "hub"


def hub_cached_file(repo: str, filename: str, revision: str = "main") -> Path | None:
    """Where the hub's cache keeps `filename` of `repo` at `revision`, if it is there.

    The cache's documented layout (what huggingface_hub.try_to_load_from_cache reads), read
    directly: importing the hub's download module would cost a tenth of a second per command.
    """
    folder = hub_cache_dir() / f"models--{repo.replace('/', '--')}"
    try:
        commit = (folder / "refs" / revision).read_text(encoding="ascii").strip()
    except OSError:
        commit = revision  # a pinned commit has no ref file
    path = folder / "snapshots" / commit / filename
    return path if path.is_file() else None


def missing_reason(spec: ClipSpec) -> str:
    """Why the weights cannot be used, with the way to get them."""
    if spec.checkpoint:
        return f"clip.checkpoint {spec.checkpoint} is not a file"
    return (f"the CLIP weights ({spec.arch} {spec.tag}) are not downloaded: run 'imgvar models pull clip' when "
            "online, or set clip.checkpoint to a weights file")


def pull(spec: ClipSpec) -> tuple[Path, bool]:
    """Download the weights into the hub cache (its own progress bars on stderr); (path, downloaded)."""
    found = locate(spec)
    if found is not None:
        return found, False
    if spec.checkpoint:
        raise UsageError(missing_reason(spec))
    repo = repo_of(spec)
    _check_hub_reachable(repo)
    from huggingface_hub import hf_hub_download

    errors = []
    for name in WEIGHT_FILES:
        try:
            return Path(hf_hub_download(repo, name)), True
        except Exception as exc:  # hub, network and file errors alike: try the next file, then report
            errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    raise EngineError(f"cannot download the CLIP weights from the Hugging Face hub ({repo}): {errors[-1]}; "
                      "retry when online, or set clip.checkpoint to a weights file")


PROBE_TIMEOUT_S = 5.0


def _check_hub_reachable(repo: str) -> None:
    """Fail in seconds when the hub cannot be reached: its client retries for most of a minute per file."""
    import urllib.error
    import urllib.request

    def failed(reason: object) -> EngineError:
        return EngineError(f"cannot reach the Hugging Face hub to download the CLIP weights ({repo}): {reason}; "
                           "retry when online, or set clip.checkpoint to a weights file")

    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise failed("HF_HUB_OFFLINE is set")
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    request = urllib.request.Request(f"{endpoint}/api/models/{repo}", method="HEAD",
                                     headers={"User-Agent": "imgvar"})
    try:
        urllib.request.urlopen(request, timeout=PROBE_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        return  # it answered: reachable (the download says what is wrong, if anything)
    except (urllib.error.URLError, OSError) as exc:
        raise failed(getattr(getattr(exc, "reason", None), "strerror", None) or getattr(exc, "reason", exc)) from None


def licence(spec: ClipSpec) -> str:
    if spec.checkpoint:
        return "as its source states"
    return LICENCES.get(KNOWN_REPOS.get((spec.arch, spec.tag), "").split("/")[0], "see the model card")
