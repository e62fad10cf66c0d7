"""Where stage results, run records and the cost ledger are kept.

`Store` is the protocol; `LocalStore` keeps everything in a directory;
`AzureBlobStore` in an Azure Storage container, which `ReadThroughStore`
puts behind the local store for commands (see `factory.open_store`).
"""

from __future__ import annotations

from imgvar.store.base import Store, is_digest, is_run_id
from imgvar.store.keys import canonical_json, content_key, sha256_hex
from imgvar.store.local import CLEAR_KINDS, LocalStore

__all__ = [
    "CLEAR_KINDS",
    "LocalStore",
    "Store",
    "canonical_json",
    "content_key",
    "is_digest",
    "is_run_id",
    "sha256_hex",
]
