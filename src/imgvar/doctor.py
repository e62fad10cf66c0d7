"""`imgvar doctor`: what is installed, what it weighs, and what can run.

Versions come from package metadata, so nothing heavy is imported except
torch, which the device check needs (its import time is reported too).
Secrets are never reported, only where they were found.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Settings

PACKAGES = ("torch", "torchvision", "open_clip_torch", "openai", "azure-storage-blob", "azure-identity", "Pillow",
            "numpy", "typer", "rich")
_CUDA_PREFIXES = ("nvidia-", "nvidia_", "cuda-", "cuda_")  # CUDA runtime wheels torch pulls on Linux
_TORCH = ("torch", "torchvision")


@dataclass
class Engine:
    name: str
    usable: bool
    detail: str  # why, or why not; never a secret's value


@dataclass
class Footprint:
    """Installed bytes of this environment's distributions, by group."""

    torch: int = 0  # torch and torchvision
    cuda: int = 0  # nvidia-* and cuda-* wheels
    triton: int = 0
    other: int = 0
    distributions: int = 0

    @property
    def total(self) -> int:
        return self.torch + self.cuda + self.triton + self.other

    def to_dict(self) -> dict[str, int]:
        return {**asdict(self), "total": self.total}


@dataclass
class Report:
    imgvar: str
    python: str
    platform: str
    packages: dict[str, str | None]  # distribution -> version, None when missing
    torch_build: str  # "CPU-only", "CUDA 12.8", "ROCm 6.2" or "not installed"
    device: str  # what torch will compute on
    torch_import_s: float | None
    engines: list[Engine]
    models_dir: str
    models: list[str]  # files under models_dir, relative, with sizes
    store: dict[str, str]
    config_files: list[dict[str, Any]]
    footprint: Footprint
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["footprint"] = self.footprint.to_dict()
        return data


def _store(settings: Any) -> dict[str, str]:
    """Which store and where; for Azure, the container (no request is sent) or what is missing."""
    from .paths import local_store_dir

    kind = str(settings["store"])
    if kind != "azure":
        return {"kind": kind, "location": str(local_store_dir())}
    from .errors import ImgvarError
    from .store.azure_access import open_container

    try:
        access = open_container(settings)
    except ImgvarError as exc:
        return {"kind": kind, "location": f"not usable: {exc}"}
    return {"kind": kind, "location": f"{access.location} (credentials: {access.source}), cached in {local_store_dir()}"}


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _torch_facts() -> tuple[str, str, float | None]:
    """Build, device and import time; torch is imported here and only here."""
    if importlib.util.find_spec("torch") is None:
        return "not installed", "CPU (torch is not installed)", None
    started = time.perf_counter()
    try:
        import torch
    except Exception as exc:  # a broken install should be reported, not crash the doctor
        return "broken", f"CPU (torch does not import: {type(exc).__name__}: {exc})", None
    seconds = round(time.perf_counter() - started, 2)
    cuda, hip = getattr(torch.version, "cuda", None), getattr(torch.version, "hip", None)
    build = f"CUDA {cuda}" if cuda else f"ROCm {hip}" if hip else "CPU-only"
    device = f"CPU ({os.cpu_count() or '?'} cores)"
    try:
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            count = torch.cuda.device_count()
            device = f"CUDA GPU: {props.name}, {props.total_memory / 2**30:.1f} GiB" + (
                f" (and {count - 1} more)" if count > 1 else "")
        elif getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            device = "MPS (Apple GPU)"
        elif cuda:
            device += "; this torch is built for CUDA but sees no GPU"
    except Exception as exc:  # a driver mismatch shows up here
        device += f"; GPU check failed: {exc}"
    return build, device, seconds


def _imports(module: str) -> str | None:
    """None when `module` imports, else why not."""
    try:
        __import__(module)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _origin(settings: Settings, key: str) -> str:
    source = settings.source(key)
    return source[4:] if source.startswith("env ") else f"{key} in {source}" if source != "flag" else "a flag"


def _engines(settings: Settings, check_imports: bool) -> list[Engine]:
    engines = [Engine("local", True, "offline, always available")]
    sdk = _imports("openai") if check_imports else None
    sdk_note = f"; the openai package does not import ({sdk})" if sdk else ""
    if settings["openai.api_key"]:
        engines.append(Engine("openai", not sdk, f"key set (from {_origin(settings, 'openai.api_key')}){sdk_note}"))
    else:
        engines.append(Engine("openai", False, "no API key: set OPENAI_API_KEY (or openai.api_key in the config, "
                                               f"or --api-key){sdk_note}"))
    missing = []
    if not (settings["azure.endpoint"] or settings["azure.base_url"]):
        missing.append("an endpoint (AZURE_OPENAI_ENDPOINT or azure.endpoint / azure.base_url)")
    if settings["azure.auth"] == "entra":
        if importlib.util.find_spec("azure.identity") is None:
            missing.append("the azure-identity package for azure.auth = entra (pip install 'imgvar[entra]')")
        auth = "Entra ID sign-in"
    elif settings["azure.api_key"]:
        auth = f"key set (from {_origin(settings, 'azure.api_key')})"
    else:
        missing.append("a key (AZURE_OPENAI_API_KEY or azure.api_key) or azure.auth = entra")
        auth = ""
    if sdk:
        missing.append(f"an importable openai package ({sdk})")
    if missing:
        engines.append(Engine("azure", False, "needs " + "; ".join(missing)))
    else:
        place = _origin(settings, "azure.base_url" if settings["azure.base_url"] else "azure.endpoint")
        engines.append(Engine("azure", True, f"endpoint set (from {place}), {auth}"))
    return engines


def _models(models_dir: Path) -> list[str]:
    if not models_dir.is_dir():
        return []
    found = []
    for path in sorted(models_dir.rglob("*")):
        if path.is_file():
            found.append(f"{path.relative_to(models_dir)} ({_size(path.stat().st_size)})")
    return found


def _size(count: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} B"


def _group(name: str) -> str:
    key = name.lower().replace("_", "-")
    if key in _TORCH:
        return "torch"
    if key.startswith(_CUDA_PREFIXES):
        return "cuda"
    if key.startswith("triton"):
        return "triton"
    return "other"


def footprint() -> Footprint:
    """Sum of every installed distribution's files (sizes from its RECORD,
    else from the file system), grouped so the weight of torch shows."""
    from importlib.metadata import distributions

    result, seen = Footprint(), set()
    for dist in distributions():
        name = (dist.metadata["Name"] or "").lower()
        if not name or name in seen:
            continue  # the first one on sys.path is the one imported
        seen.add(name)
        total = 0
        for item in dist.files or ():
            if item.size is not None:
                total += item.size
                continue
            try:
                total += os.stat(item.locate()).st_size
            except OSError:
                pass  # a file the RECORD lists but the install lacks
        group = _group(name)
        setattr(result, group, getattr(result, group) + total)
        result.distributions += 1
    return result


def diagnose(settings: Settings | None = None, *, check_device: bool = True) -> Report:
    """Everything `imgvar doctor` prints."""
    from . import __version__
    from .config import load_settings
    from .paths import home_dir, user_config_path

    settings = settings if settings is not None else load_settings()
    build, device, import_s = _torch_facts() if check_device else ("not checked", "not checked", None)
    models_dir = home_dir() / "models"
    models = _models(models_dir)
    notes = []
    if not models:
        notes.append(f"no model weights downloaded yet; they would live in {models_dir}")
    if importlib.util.find_spec("open_clip") is None:
        notes.append("open_clip is not installed: CLIP-based checks are unavailable")
    else:
        from .clip import ClipFeatures

        clip = ClipFeatures(settings)
        notes.append(f"CLIP {clip.spec.source}: " + ("weights present" if clip.available else str(clip.reason)))
    user_file = user_config_path()
    configs = [{"path": str(user_file), "role": "user config", "in_use": user_file in settings.files}]
    configs += [{"path": str(p), "role": "--config", "in_use": True} for p in settings.files if p != user_file]
    store = _store(settings)
    return Report(
        imgvar=__version__,
        python=f"{platform.python_version()} ({sys.executable})",
        platform=platform.platform(),
        packages={name: _version(name) for name in PACKAGES},
        torch_build=build,
        device=device,
        torch_import_s=import_s,
        engines=_engines(settings, check_imports=True),
        models_dir=str(models_dir),
        models=models,
        store=store,
        config_files=configs,
        footprint=footprint(),
        notes=notes,
    )


def render(report: Report) -> str:
    """The report as plain text lines."""
    width = 18
    line = lambda label, value: f"{label + ':':<{width}} {value}"  # noqa: E731
    packages = ", ".join(f"{name} {version or 'missing'}" for name, version in report.packages.items())
    import_note = f" (import {report.torch_import_s:.2f} s)" if report.torch_import_s is not None else ""
    foot = report.footprint
    lines = [
        line("imgvar", report.imgvar),
        line("python", report.python),
        line("platform", report.platform),
        line("packages", packages),
        line("torch build", report.torch_build + import_note),
        line("device", report.device),
        "engines:",
        *(f"  {e.name:<8} {'usable' if e.usable else 'not usable'}: {e.detail}" for e in report.engines),
        line("models", f"{len(report.models)} file(s) in {report.models_dir}"),
        *(f"  {m}" for m in report.models),
        line("store", f"{report.store['kind']} at {report.store['location']}"),
        "config files:",
        *(f"  {c['path']} ({c['role']}, {'in use' if c['in_use'] else 'not present'})" for c in report.config_files),
        line("installed size", f"{_size(foot.total)} in {foot.distributions} distributions: torch+torchvision "
                               f"{_size(foot.torch)}, CUDA wheels {_size(foot.cuda)}, triton {_size(foot.triton)}, "
                               f"the rest {_size(foot.other)}"),
        *(f"note: {n}" for n in report.notes),
    ]
    return "\n".join(lines) + "\n"
