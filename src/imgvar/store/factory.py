"""Opens the store that the settings name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UsageError
from ..paths import local_store_dir

if TYPE_CHECKING:
    from ..config import Settings
    from .azure_blob import AzureBlobStore
    from .base import Store


def open_store(settings: Settings) -> Store:
    """The local store, or for "azure" the container read through the local store."""
    from .local import LocalStore

    backend = settings["store"]
    if backend == "local":
        return LocalStore(local_store_dir())
    if backend == "azure":
        from .read_through import ReadThroughStore

        return ReadThroughStore(LocalStore(local_store_dir()), open_azure(settings))
    raise UsageError(f"store '{backend}' is not available in this installation (available: local, azure)")


def open_azure(settings: Settings) -> AzureBlobStore:
    """The configured container alone, without the local cache (for maintenance and tests)."""
    from .azure_access import open_container
    from .azure_blob import AzureBlobStore

    access = open_container(settings)
    return AzureBlobStore(access.container, settings["azure_blob.prefix"], location=access.location,
                          source=access.source, lock_wait=float(settings["azure_blob.lock_wait"]))
