"""Where imgvar keeps its files: one home directory for config, store and records."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def home_dir() -> Path:
    """`IMGVAR_HOME`, else the platform's per-user data directory."""
    explicit = os.environ.get("IMGVAR_HOME")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "imgvar"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "imgvar"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "imgvar"


def user_config_path() -> Path:
    return home_dir() / "config.toml"


def local_store_dir() -> Path:
    return home_dir() / "store"


def models_dir() -> Path:
    """Downloaded model weights: `IMGVAR_MODELS`, else `models/` under the home directory."""
    explicit = os.environ.get("IMGVAR_MODELS")
    if explicit:
        return Path(explicit).expanduser()
    return home_dir() / "models"
