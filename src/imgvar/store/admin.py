"""Looking after a store: what it holds, fetching one item, pruning and syncing.

These back `imgvar store ...`; each takes the settings and opens the store they name.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import BadInputError, UsageError
from .base import is_digest, is_run_prefix
from .factory import open_store

if TYPE_CHECKING:
    from ..config import Settings
    from .azure_blob import AzureBlobStore

_DELETE_THREADS = 8
PRUNED_KINDS = ("blobs", "entries", "runs", "locks")


@dataclass
class Item:
    """What `get` found: the bytes to write and what they are."""

    kind: str  # "output" (of a run), "record" (a run record), "blob", "entry"
    ident: str  # the run id or digest it was found under
    data: bytes


def _remote_of(store: Any) -> AzureBlobStore | None:
    return getattr(store, "remote", None)


def stats(settings: Settings) -> dict[str, Any]:
    """Counts and bytes by kind, locally and, for the Azure store, in the container."""
    store = open_store(settings)
    local = getattr(store, "local", store)
    remote = _remote_of(store)
    return {"store": store.name, "local": local.stats(),
            "remote": remote.stats() if remote is not None else None}


def list_runs(settings: Settings, limit: int) -> list[dict[str, Any]]:
    return open_store(settings).list_runs(limit)


def get(settings: Settings, ident: str, *, record: bool = False) -> Item:
    """A run's output (or with `record`, its record), or a blob or cache entry by digest."""
    import json

    from .base import encode_record

    ident = ident.strip()
    store = open_store(settings)
    if is_digest(ident):
        data = store.get_blob(ident)
        if data is not None:
            return Item("blob", ident, data)
        entry = store.get_entry(ident)
        if entry is not None:
            return Item("entry", ident, encode_record(entry))
    if is_run_prefix(ident) and len(ident) >= 4:
        run = store.get_run(ident)
        if run is not None:
            run_id = str(run.get("run_id"))
            if record:
                return Item("record", run_id, (json.dumps(run, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
            digest = (run.get("output") or {}).get("digest")
            if not is_digest(digest):
                raise BadInputError(f"run {run_id} kept no output image (status {run.get('status')}); "
                                    "--record gives its record")
            data = store.get_blob(digest)
            if data is None:
                raise BadInputError(f"the output of run {run_id} is no longer stored (pruned?)")
            return Item("output", run_id, data)
        several = _matching_runs(store, ident)
        if len(several) > 1:
            raise BadInputError(f"{len(several)} runs start with '{ident}' (e.g. {several[0]}, {several[1]}): "
                                "give more of the id")
    raise BadInputError(f"no run, blob or cache entry matches '{ident}' (a run id or a unique prefix of one, "
                        "or a 64-digit digest)")


def _matching_runs(store: Any, prefix: str) -> list[str]:
    local = getattr(store, "local", store)
    ids = {rid for rid in local.run_ids() if rid.startswith(prefix)}
    remote = _remote_of(store)
    if remote is not None:
        ids.update(store.try_remote(remote.run_ids, prefix) or [])
    return sorted(ids, reverse=True)


def prune(settings: Settings, older_than_days: float, *, remote: bool = False) -> dict[str, Any]:
    """Delete cached results and run records older than the cut-off: here, and with `remote` in the container.

    The ledger is never pruned: it is the record of money spent.
    """
    store = open_store(settings)
    local = getattr(store, "local", store)
    seconds = older_than_days * 86400
    report: dict[str, Any] = {"local": local.prune(seconds), "remote": None}
    if remote:
        container = _remote_of(store)
        if container is None:
            raise UsageError("--remote needs store = \"azure\": the local store has no container")
        report["remote"] = prune_container(container, seconds)
        store.forget_known()  # what was deleted there must be uploaded again by the next run
    return report


def prune_container(remote: AzureBlobStore, older_than_s: float) -> dict[str, int]:
    cutoff = time.time() - older_than_s
    doomed: dict[str, list[str]] = {kind: [] for kind in PRUNED_KINDS}
    for kind in PRUNED_KINDS:
        for item in remote.listing(kind + "/"):
            if item.modified is not None and item.modified.timestamp() <= cutoff:
                doomed[kind].append(item.name)
    removed = {}
    with ThreadPoolExecutor(max_workers=_DELETE_THREADS) as pool:
        for kind, names in doomed.items():
            removed[kind] = sum(pool.map(_delete_quietly(remote), names))
    return removed


def _delete_quietly(remote: AzureBlobStore):
    from ..errors import StoreError

    def delete(name: str) -> bool:
        try:
            return remote.delete(name)
        except StoreError:
            if name.startswith("locks/"):
                return False  # leased right now: in use, so not stale
            raise

    return delete


def sync(settings: Settings) -> dict[str, Any]:
    """Upload what this machine holds and the container lacks."""
    store = open_store(settings)
    if _remote_of(store) is None:
        raise UsageError("sync needs store = \"azure\" (or --store azure): the local store has nothing to sync with")
    return {"location": store.location, "kinds": store.sync()}
