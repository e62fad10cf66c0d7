"""Downloadable model weights: which exist, where they live, and how they are fetched.

Weights are never fetched behind the user's back: only `pull` downloads, and
the engines that use weights refuse to run without them. A download goes to a
temporary file beside its destination, is checked against the published
checksum and only then renamed into place, so a model file on disk is either
complete and verified or absent.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from .errors import EngineError, ImgvarError, OutputError, UsageError
from .paths import models_dir

if TYPE_CHECKING:
    from .config import Settings

# A base URL that replaces the published hosts (a mirror, or a local server), e.g. `http://127.0.0.1:8000/`.
URL_ENV = "IMGVAR_MODELS_URL"
# Seconds to wait for a connection or for the next chunk: offline fails fast instead of hanging.
TIMEOUT_S = 10.0
_CHUNK = 1 << 20
_RELEASES = "https://github.com/danielgatis/rembg/releases/download/v0.0.0/"


@dataclass(frozen=True)
class ModelSpec:
    """One downloadable model: where it comes from and how to tell a good copy."""

    name: str
    role: str  # what it is for: "matte"
    file_name: str  # its name under models_dir()
    url: str
    checksum: str  # "md5:<hex>" or "sha256:<hex>", as the publisher gives it
    approx_bytes: int
    licence: str
    description: str


# The matte models rembg runs. rembg's sessions look for `<name>.onnx`, whatever the name of the
# published file, so that is the name on disk. Checksums are those rembg verifies its downloads with.
MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (
    ModelSpec("isnet-general-use", "matte", "isnet-general-use.onnx", _RELEASES + "isnet-general-use.onnx",
              "md5:fc16ebd8b0c10d971d3513d564d01e29", 179_000_000, "Apache-2.0",
              "IS-Net (DIS), general use: crisp edges on most photos; the default."),
    ModelSpec("birefnet-general-lite", "matte", "birefnet-general-lite.onnx",
              _RELEASES + "BiRefNet-general-bb_swin_v1_tiny-epoch_232.onnx",
              "md5:4fab47adc4ff364be1713e97b7e66334", 224_000_000, "MIT",
              "BiRefNet general, Swin-tiny backbone: fine detail (hair, fur); slower."),
    ModelSpec("u2net", "matte", "u2net.onnx", _RELEASES + "u2net.onnx",
              "md5:60024c5c889badc19c04ad937298a77b", 176_000_000, "Apache-2.0",
              "U^2-Net, general salient objects; softer edges."),
    ModelSpec("u2netp", "matte", "u2netp.onnx", _RELEASES + "u2netp.onnx",
              "md5:8e83ca70e441ab06c318d82300c84806", 4_600_000, "Apache-2.0",
              "U^2-Net small (4.6 MB): fast and rough."),
    ModelSpec("silueta", "matte", "silueta.onnx", _RELEASES + "silueta.onnx",
              "md5:55e59e0d8062d2f5d013f4725ee84782", 44_000_000, "unstated",
              "U^2-Net pruned to 43 MB by a third party, who stated no licence: close to u2net, a quarter "
              "of the size."),
)}

ROLES = ("matte",)


@dataclass
class ModelStatus:
    """A model as `imgvar models list` shows it."""

    name: str
    role: str
    present: bool
    path: str
    size_bytes: Optional[int]  # on disk; None when absent
    expected_bytes: int  # approximate download size
    licence: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def spec(name: str) -> ModelSpec:
    """The registry entry for `name`; an unknown name is the user's mistake."""
    try:
        return MODELS[name]
    except KeyError:
        raise UsageError(f"unknown model '{name}' (known: {', '.join(MODELS)}, {CLIP})") from None


def model_path(name: str) -> Path:
    """Where the weights of `name` live (whether or not they are there)."""
    return models_dir() / spec(name).file_name


def is_present(name: str) -> bool:
    """Whether the weights are on disk. Not re-hashed: `pull` verified them before putting them there."""
    path = model_path(name)
    return path.is_file() and path.stat().st_size > 0


def default_model(role: str = "matte", settings: Settings | None = None) -> str:
    """The model the configuration picks for `role`."""
    if role not in ROLES:
        raise UsageError(f"unknown model role '{role}' (known: {', '.join(ROLES)})")
    if settings is None:
        from .config import load_settings

        settings = load_settings()
    return str(settings[f"{role}.model"])


def list_models(settings: Settings | None = None) -> list[ModelStatus]:
    """Every known model with whether, where and how large it is on disk; the configured CLIP model last."""
    rows = []
    for s in MODELS.values():
        path = model_path(s.name)
        present = is_present(s.name)
        rows.append(ModelStatus(s.name, s.role, present, str(path), path.stat().st_size if present else None,
                                s.approx_bytes, s.licence, s.description))
    rows.append(clip_status(settings))
    return rows


CLIP = "clip"  # the name `models pull` and `models list` give the configured CLIP weights


def clip_status(settings: Settings | None = None) -> ModelStatus:
    """The configured CLIP weights: in the Hugging Face hub's cache, or clip.checkpoint."""
    from .clip.weights import APPROX_BYTES, configured, licence, locate

    if settings is None:
        from .config import load_settings

        settings = load_settings()
    clip = configured(settings)
    try:
        found = locate(clip)
    except ImgvarError:
        found = None
    where = str(found) if found else (clip.checkpoint or "Hugging Face hub cache (HF_HOME)")
    return ModelStatus(CLIP, "clip", found is not None, where, found.stat().st_size if found else None,
                       APPROX_BYTES.get(clip.arch, 0), licence(clip),
                       f"CLIP {clip.source}: tags, text-image scores, nearest style, best candidate.")


def download_url(name: str) -> str:
    """The published URL, or the same file under `IMGVAR_MODELS_URL` when that is set."""
    s = spec(name)
    base = os.environ.get(URL_ENV)
    if not base:
        return s.url
    return base.rstrip("/") + "/" + s.url.rsplit("/", 1)[-1]


def verify(name: str) -> bool:
    """Whether the file on disk matches the published checksum (reads the whole file)."""
    path = model_path(name)
    if not path.is_file():
        return False
    algo, expected = _parse_checksum(spec(name).checksum)
    digest = hashlib.new(algo)
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest() == expected


def resolve(name_or_role: str, settings: Settings | None = None) -> str:
    """A model name from a name or a role ("matte" means the configured matte model)."""
    return default_model(name_or_role, settings) if name_or_role in ROLES else spec(name_or_role).name


@dataclass
class PullResult:
    name: str
    path: str
    size_bytes: int
    downloaded: bool  # False: a verified copy was already there
    url: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pull(name_or_role: str, *, progress: bool = True, settings: Settings | None = None) -> Path:
    """Download a model (or the configured one for a role), verify it, put it in place; return its path."""
    return Path(pull_model(name_or_role, progress=progress, settings=settings).path)


def pull_model(name_or_role: str, *, progress: bool = True, settings: Settings | None = None) -> PullResult:
    """`pull`, saying what it did.

    A copy already on disk that matches the checksum is kept; one that does not is replaced.
    Progress goes to `imgvar.progress` listeners always, and to a bar on stderr when `progress`.
    """
    if name_or_role == CLIP:
        return _pull_clip(settings)
    name = resolve(name_or_role, settings)
    s, path, url = spec(name), model_path(name), download_url(name)
    start = time.monotonic()
    if is_present(name) and verify(name):
        return PullResult(name, str(path), path.stat().st_size, False, url, 0.0)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    with _Bar(name, enabled=progress) as report:
        part = _download(s, url, path, report)
    try:
        os.replace(part, path)  # atomic on one filesystem: readers see the old file or the whole new one
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise OutputError(f"cannot move the download into {path}: {exc.strerror or exc}") from None
    return PullResult(name, str(path), path.stat().st_size, True, url, round(time.monotonic() - start, 3))


def _pull_clip(settings: Settings | None) -> PullResult:
    """The CLIP weights, through the hub's own download (it verifies what it fetches and shows progress)."""
    from .clip.weights import configured, pull, repo_of

    if settings is None:
        from .config import load_settings

        settings = load_settings()
    clip = configured(settings)
    start = time.monotonic()
    path, downloaded = pull(clip)
    url = clip.checkpoint or f"https://huggingface.co/{repo_of(clip)}"
    return PullResult(CLIP, str(path), path.stat().st_size, downloaded, url, round(time.monotonic() - start, 3))


def _parse_checksum(checksum: str) -> tuple[str, str]:
    algo, _, hexdigest = checksum.partition(":")
    return algo.lower(), hexdigest.lower()


def _download(s: ModelSpec, url: str, path: Path, report: Callable[[int, int], None]) -> Path:
    """Fetch `url` into a temporary file beside `path`, hashing as it goes; return the verified file."""
    algo, expected = _parse_checksum(s.checksum)
    digest = hashlib.new(algo)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{s.file_name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write in {path.parent}: {exc.strerror or exc}") from None
    part = Path(tmp)
    try:
        with os.fdopen(fd, "wb") as out:
            def sink(chunk: bytes) -> None:
                digest.update(chunk)
                try:
                    out.write(chunk)
                except OSError as exc:  # a full disk is not a network failure
                    raise OutputError(f"cannot write {part}: {exc.strerror or exc}") from None

            _stream(url, s, path, sink, report)
        if digest.hexdigest() != expected:
            raise EngineError(f"checksum mismatch for {s.name} from {url}: {algo} {digest.hexdigest()}, expected "
                              f"{expected}; the download was discarded")
    except BaseException:
        part.unlink(missing_ok=True)  # nothing half-written is ever left behind, Ctrl-C included
        raise
    return part


def _stream(url: str, s: ModelSpec, path: Path, sink: Callable[[bytes], Any],
            report: Callable[[int, int], None]) -> int:
    """Copy the body of `url` into `sink`; network failures become one line naming the URL and the way out."""
    import http.client
    import socket
    import urllib.error
    import urllib.request

    def failed(reason: object) -> EngineError:
        return EngineError(f"cannot download {s.name} from {url}: {reason}; retry when online, or copy "
                           f"{s.file_name} to {path}")

    request = urllib.request.Request(url, headers={"User-Agent": "imgvar"})
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            total = int(response.headers.get("Content-Length") or 0) or s.approx_bytes
            report(0, total)
            while chunk := response.read(_CHUNK):
                sink(chunk)
                received += len(chunk)
                report(received, max(total, received))
    except urllib.error.HTTPError as exc:
        raise failed(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise failed(getattr(exc.reason, "strerror", None) or exc.reason) from None
    except (socket.timeout, TimeoutError):
        raise failed(f"no answer within {TIMEOUT_S:g}s") from None
    except http.client.HTTPException as exc:  # e.g. the connection closed before the whole file came
        raise failed(f"{type(exc).__name__} after {received} bytes") from None
    except OSError as exc:
        raise failed(exc.strerror or exc) from None
    return received


class _Bar:
    """Reports download progress to `imgvar.progress` listeners and, when enabled, as a bar on stderr."""

    def __init__(self, name: str, *, enabled: bool) -> None:
        self.name, self.enabled = name, enabled
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Callable[[int, int], None]:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, DownloadColumn, Progress, TaskProgressColumn, TextColumn,
                                       TimeRemainingColumn, TransferSpeedColumn)

            self._progress = Progress(TextColumn(f"pulling {self.name}"), BarColumn(), TaskProgressColumn(),
                                      DownloadColumn(), TransferSpeedColumn(), TimeRemainingColumn(),
                                      console=Console(file=sys.stderr), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.name, total=None)
        return self.report

    def report(self, done: int, total: int) -> None:
        from .progress import advance

        advance(done, total, "bytes")
        if self._progress is not None:
            self._progress.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
