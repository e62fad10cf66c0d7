"""A store in an Azure Storage container, shared by every machine that names it.

Layout under the container and prefix (the same names as the local store):
    blobs/ab/<digest>              content-addressed bytes
    entries/ab/<key>.json          cache entries
    runs/YYYY-MM/<run_id>.json     run records
    ledger/YYYY-MM/<row_id>.json   one blob per ledger row
    locks/<key>                    empty blobs whose lease is the single-flight lock

Every write is create-if-absent (`If-None-Match: *`): two machines writing the same
name never race, and a blob only becomes visible once whole (a block blob is
published by its final commit). Nothing is checked and then uploaded.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import StoreError
from .azure_access import explain
from .base import (
    check_digest,
    decode_record,
    encode_record,
    is_run_id,
    is_run_prefix,
    new_run_id,
    record_run_id,
    run_month,
    save_under_new_id,
    unwrap_entry,
    wrap_entry,
)
from .keys import sha256_hex

log = logging.getLogger(__name__)

KINDS = ("blobs", "entries", "runs", "ledger")
_JSON = "application/json"
_OCTETS = "application/octet-stream"
_FETCH_THREADS = 8


@dataclass(frozen=True)
class Listed:
    """One stored blob as a listing reports it."""

    name: str  # relative to the prefix, e.g. "blobs/ab/ab12..."
    size: int
    modified: datetime | None


def ledger_row_id(row: dict[str, Any]) -> str:
    """The id a ledger row is stored under: its own, else one derived from its content
    (rows written before ids existed), so uploading it again never makes a second copy."""
    rid = row.get("id")
    if isinstance(rid, str) and is_run_prefix(rid) and len(rid) >= 8:
        return rid
    stamp = str(row.get("time") or "")[:7].replace("-", "")
    digest = sha256_hex(encode_record({k: v for k, v in row.items() if k != "id"}))[:16]
    return f"{stamp or '000000'}00T000000.000Z-{digest}"


def _what(name: str) -> str:
    """A blob name as a person would say it: "a cache entry", "run record 2026...", "the lock"."""
    kind = name.split("/", 1)[0]
    if kind == "runs":
        return "run record " + name.rsplit("/", 1)[-1].removesuffix(".json")
    return {"blobs": "an image blob", "entries": "a cache entry", "ledger": "a ledger row",
            "locks": "a lock"}.get(kind, name)


def ledger_blob_name(row_id: str) -> str:
    return f"ledger/{run_month(row_id)}/{row_id}.json"


class AzureBlobStore:
    """A `Store` in an Azure Storage container (a `ContainerClient` from azure-storage-blob)."""

    name = "azure"

    def __init__(self, container: Any, prefix: str = "", *, location: str | None = None,
                 source: str = "the azure_blob credentials", lock_wait: float = 600.0,
                 lease_seconds: int = 30) -> None:
        self.container = container
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.location = location or f"{container.url}/{self.prefix}"
        self.source = source  # the setting to name when the credentials fail
        self.lock_wait = lock_wait
        self.lease_seconds = lease_seconds

    def __repr__(self) -> str:
        return f"AzureBlobStore({self.location!r})"

    # -- primitives ---------------------------------------------------------

    def _client(self, name: str) -> Any:
        return self.container.get_blob_client(self.prefix + name)

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Azure's exceptions as one-line StoreErrors that name the setting to fix."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # azure.core raises many kinds; explain() sorts them
            if type(exc).__module__.split(".")[0] not in ("azure", "requests", "urllib3"):
                raise
            raise StoreError(explain(exc, action, self.container.container_name, self.source)) from exc

    def create(self, name: str, data: bytes, content_type: str = _OCTETS,
               metadata: dict[str, str] | None = None) -> bool:
        """Upload `data` under `name` unless it exists; True if this call created it."""
        from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
        from azure.storage.blob import ContentSettings

        settings = ContentSettings(content_type=content_type)
        with self._errors(f"write {_what(name)}"):
            for attempt in (1, 2):
                try:
                    self._client(name).upload_blob(data, overwrite=False, content_settings=settings,
                                                   metadata=metadata)
                    return True
                except ResourceExistsError:
                    return False  # already stored: for content-addressed names, the same bytes
                except ResourceNotFoundError as exc:
                    if attempt == 2 or getattr(exc, "error_code", None) != "ContainerNotFound":
                        raise
                    self.ensure_container()
        return False

    def replace(self, name: str, data: bytes, content_type: str = _JSON) -> None:
        from azure.storage.blob import ContentSettings

        with self._errors(f"write {_what(name)}"):
            self._client(name).upload_blob(data, overwrite=True,
                                           content_settings=ContentSettings(content_type=content_type))

    def read(self, name: str) -> bytes | None:
        """The blob's bytes, or None if it (or the container) does not exist."""
        from azure.core.exceptions import ResourceNotFoundError

        with self._errors(f"read {_what(name)}"):
            try:
                return self._client(name).download_blob().readall()
            except ResourceNotFoundError:
                return None

    def exists(self, name: str) -> bool:
        with self._errors(f"look up {_what(name)}"):
            return bool(self._client(name).exists())

    def delete(self, name: str) -> bool:
        from azure.core.exceptions import ResourceNotFoundError

        with self._errors(f"delete {_what(name)}"):
            try:
                self._client(name).delete_blob()
                return True
            except ResourceNotFoundError:
                return False

    def listing(self, folder: str = "") -> Iterator[Listed]:
        """Every blob under `folder` (e.g. "runs/2026-12/"), in name order."""
        from azure.core.exceptions import ResourceNotFoundError

        start = len(self.prefix)
        with self._errors(f"list {folder.rstrip('/') or 'the container'}"):
            try:
                for props in self.container.list_blobs(name_starts_with=self.prefix + folder):
                    yield Listed(props.name[start:], int(props.size or 0), props.last_modified)
            except ResourceNotFoundError:
                return  # no container yet: nothing stored

    def ensure_container(self) -> None:
        """Create the container if it is missing (a first write, or after someone deleted it)."""
        from azure.core.exceptions import HttpResponseError, ResourceExistsError

        name = self.container.container_name
        with self._errors("create the container"):
            try:
                self.container.create_container()
            except ResourceExistsError:
                pass
            except HttpResponseError as exc:
                if exc.status_code != 403:
                    raise
                raise StoreError(f"container '{name}' does not exist and {self.source} may not create it: "
                                 "create it, or set azure_blob.container to one that exists") from exc

    def fetch_many(self, names: list[str]) -> dict[str, bytes | None]:
        """Several small blobs at once (ledger rows, run records): latency, not bandwidth, bounds them."""
        if len(names) <= 1:
            return {name: self.read(name) for name in names}
        with ThreadPoolExecutor(max_workers=min(_FETCH_THREADS, len(names))) as pool:
            return dict(zip(names, pool.map(self.read, names)))

    # -- blobs --------------------------------------------------------------

    @staticmethod
    def blob_name(digest: str) -> str:
        return f"blobs/{digest[:2]}/{digest}"

    @staticmethod
    def entry_name(key: str) -> str:
        return f"entries/{key[:2]}/{key}.json"

    @staticmethod
    def run_name(run_id: str) -> str:
        return f"runs/{run_month(run_id)}/{run_id}.json"

    def put_blob(self, data: bytes) -> str:
        digest = sha256_hex(data)
        self.create(self.blob_name(digest), data, _OCTETS, metadata={"sha256": digest})
        return digest

    def get_blob(self, digest: str) -> bytes | None:
        from azure.core import MatchConditions
        from azure.core.exceptions import ResourceNotFoundError

        name = self.blob_name(check_digest(digest))
        with self._errors(f"read {_what(name)}"):
            try:
                download = self._client(name).download_blob()
                data = download.readall()
            except ResourceNotFoundError:
                return None
        if sha256_hex(data) == digest:
            return data
        # Damaged: remove exactly the copy that was read (its etag), so the next put can write it
        # whole; create-if-absent would otherwise keep the bad one forever. Best effort.
        log.warning("blob %s in the container does not match its digest; removing it", digest[:12])
        try:
            self._client(name).delete_blob(etag=download.properties.etag, match_condition=MatchConditions.IfNotModified)
        except Exception:
            log.debug("could not remove a damaged blob", exc_info=True)
        return None

    def has_blob(self, digest: str) -> bool:
        return self.exists(self.blob_name(check_digest(digest)))

    # -- entries ------------------------------------------------------------

    def get_entry(self, key: str) -> dict[str, Any] | None:
        data = self.read(self.entry_name(check_digest(key, "key")))
        return None if data is None else unwrap_entry(key, decode_record(data))

    def put_entry(self, key: str, entry: dict[str, Any], *, replace: bool = False) -> bool:
        name = self.entry_name(check_digest(key, "key"))
        data = encode_record(wrap_entry(key, entry))
        if not replace and self.create(name, data, _JSON):
            return True
        if not replace and self.get_entry(key) is not None:
            return False  # a healthy entry is there: it wins
        self.replace(name, data)  # damaged, or the caller says so
        return True

    # -- runs ---------------------------------------------------------------

    def save_run(self, record: dict[str, Any]) -> str:
        return save_under_new_id(record, self.put_run)["run_id"]

    def put_run(self, record: dict[str, Any]) -> bool:
        """Store a record under its own `run_id` unless one is there; True if this call did."""
        return self.create(self.run_name(record_run_id(record)), encode_record(record), _JSON)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        if not is_run_prefix(run_id):
            return None
        if is_run_id(run_id):
            return self._load_run(run_id)
        matches = [rid for rid in self.run_ids(run_id) if rid.startswith(run_id)]
        return self._load_run(matches[0]) if len(matches) == 1 else None

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        ids = self.run_ids(limit=limit)
        got = self.fetch_many([self.run_name(rid) for rid in ids])
        records = []
        for rid in ids:
            data = got.get(self.run_name(rid))
            record = decode_record(data) if data else None
            if record is not None and record.get("run_id") == rid:
                records.append(record)
        return records

    def _load_run(self, run_id: str) -> dict[str, Any] | None:
        data = self.read(self.run_name(run_id))
        record = decode_record(data) if data else None
        return record if record is not None and record.get("run_id") == run_id else None

    def run_ids(self, prefix: str = "", limit: int | None = None) -> list[str]:
        """Run ids newest first, reading month folders newest first until `limit` are found."""
        ids: list[str] = []
        for month in self._run_months(prefix):
            for item in self.listing(month):
                stem = item.name.rsplit("/", 1)[-1].removesuffix(".json")
                if is_run_id(stem) and stem.startswith(prefix):
                    ids.append(stem)
            if limit is not None and len(ids) >= limit:
                break
        ids.sort(reverse=True)
        return ids if limit is None else ids[:limit]

    def _run_months(self, prefix: str) -> list[str]:
        """The month folders ("runs/2026-12/") that could hold ids starting with `prefix`, newest first."""
        if len(prefix) >= 6 and prefix[:6].isdigit():
            return [f"runs/{prefix[:4]}-{prefix[4:6]}/"]
        from azure.core.exceptions import ResourceNotFoundError

        start = len(self.prefix)
        with self._errors("list the run records"):
            try:
                folders = [item.name[start:] for item in
                           self.container.walk_blobs(name_starts_with=self.prefix + "runs/", delimiter="/")]
            except ResourceNotFoundError:
                return []
        month = prefix[:4] + ("-" + prefix[4:6] if len(prefix) > 4 else "")
        return sorted((f for f in folders if f.endswith("/") and f[5:].startswith(month)), reverse=True)

    # -- single flight ------------------------------------------------------

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """A lease on `locks/<key>`, renewed while held: one machine at a time makes this result."""
        from .lease import hold_lease

        check_digest(key, "key")
        name = f"locks/{key}"
        self.create(name, b"")
        with self._errors("hold the lock on a paid result"), hold_lease(self._client(name), wait_s=self.lock_wait,
                                                      lease_s=self.lease_seconds):
            yield

    # -- ledger -------------------------------------------------------------

    def append_ledger(self, row: dict[str, Any]) -> None:
        if not isinstance(row, dict):
            raise TypeError(f"a ledger row must be a dict, got {type(row).__name__}")
        if "id" not in row:
            row = {**row, "id": new_run_id()}
        self.put_ledger_row(row)

    def put_ledger_row(self, row: dict[str, Any]) -> bool:
        """Store one row under its id unless it is there: a retried upload never doubles a row."""
        return self.create(ledger_blob_name(ledger_row_id(row)), encode_record(row), _JSON)

    def ledger_names(self) -> list[str]:
        return [item.name for item in self.listing("ledger/") if item.name.endswith(".json")]

    def read_ledger(self) -> list[dict[str, Any]]:
        names = self.ledger_names()
        got = self.fetch_many(names)
        rows = [decode_record(got[n]) for n in names if got.get(n)]
        return [row for row in rows if row is not None]

    # -- maintenance --------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        out: dict[str, Any] = {"location": self.location}
        for kind in KINDS:
            items = list(self.listing(kind + "/"))
            out[kind] = {"count": len(items), "bytes": sum(i.size for i in items)}
        return out
