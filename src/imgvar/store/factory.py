"""Opens the store that the settings name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UsageError
from ..paths import local_store_dir

if TYPE_CHECKING:
    from ..config import Settings
    from .base import Store


def open_store(settings: Settings) -> Store:
    backend = settings["store"]
    if backend == "local":
        from .local import LocalStore

        return LocalStore(local_store_dir())
    raise UsageError(f"store '{backend}' is not available in this installation (available: local)")
