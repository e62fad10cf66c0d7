"""The Azure store as a command uses it: the local store in front, the container behind.

Reads try the local copy first and keep what they fetch, so a repeated run sends
nothing over the network, and a machine with an empty home gets another machine's
results without making them again. Writes land locally first, then in the
container. When the container cannot be reached or fails, the command goes on
with the local copy alone, says so once, and `sync` uploads what is missing later.

Beside the local store, `remotes/<id>/` remembers per container which names are
known to be there (so nothing is uploaded twice) and the ledger rows other
machines wrote (so a budget check lists the ledger but fetches only new rows).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from typing import Any, TypeVar

from ..errors import StoreError
from .azure_blob import AzureBlobStore, ledger_blob_name, ledger_row_id
from .base import (
    decode_ledger,
    decode_record,
    encode_ledger_row,
    new_run_id,
    save_under_new_id,
)
from .lease import LockTimeout
from .local import LocalStore

log = logging.getLogger(__name__)
T = TypeVar("T")
_SYNC_THREADS = 8
# A container that failed is left alone this long by every store object in the process (a
# command may open the store twice), so a down service costs its timeout once, not per call.
GIVE_UP_S = 60.0
_failed: dict[str, tuple[float, str]] = {}  # location -> (monotonic time, reason)
_failed_lock = threading.Lock()


def forget_failures() -> None:
    """Try every container again at the next call (after it came back, or in tests)."""
    with _failed_lock:
        _failed.clear()


class ReadThroughStore:
    """A `Store`: `local` answers first and keeps everything; `remote` is shared by every machine."""

    name = "azure"

    def __init__(self, local: LocalStore, remote: AzureBlobStore) -> None:
        self.local = local
        self.remote = remote
        self.location = remote.location
        slug = hashlib.sha256(remote.location.encode("utf-8")).hexdigest()[:16]
        self._dir = os.path.join(local.root, "remotes", slug)
        self._known: set[str] | None = None
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"ReadThroughStore({self.local!r}, {self.remote!r})"

    # -- the remote side, allowed to fail -----------------------------------

    @property
    def unreachable(self) -> str | None:
        """Why the container is being left alone, if it failed in the last GIVE_UP_S seconds."""
        with _failed_lock:
            failed = _failed.get(self.location)
        return failed[1] if failed and time.monotonic() - failed[0] < GIVE_UP_S else None

    def try_remote(self, action: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """`action` on the container, or None while it is given up on."""
        if self.unreachable is not None:
            return None
        try:
            return action(*args, **kwargs)
        except LockTimeout:
            raise
        except StoreError as exc:
            self._give_up(str(exc))
            return None

    def _give_up(self, reason: str) -> None:
        with _failed_lock:
            failed = _failed.get(self.location)
            _failed[self.location] = (time.monotonic(), reason)
            if failed is not None and failed[1] == reason:
                return  # said once already
        log.warning("Azure store: %s; going on with this machine's copy alone (what is made now stays here "
                    "until 'imgvar store sync')", reason)

    def _is_known(self, name: str) -> bool:
        with self._guard:
            if self._known is None:
                self._known = self._load_known()
            return name in self._known

    def _mark(self, *names: str) -> None:
        """Remember that these names are in the container (best effort: forgetting costs one request)."""
        with self._guard:
            if self._known is None:
                self._known = self._load_known()
            new = [n for n in names if n not in self._known]
            self._known.update(new)
        if new:
            try:
                os.makedirs(self._dir, exist_ok=True)
                with open(os.path.join(self._dir, "known"), "a", encoding="ascii") as f:
                    f.write("".join(n + "\n" for n in new))  # one write: appends from processes stay whole lines
            except OSError:
                log.debug("could not note uploaded names", exc_info=True)

    def _load_known(self) -> set[str]:
        try:
            with open(os.path.join(self._dir, "known"), encoding="ascii", errors="replace") as f:
                return {line.strip() for line in f if line.strip()}
        except OSError:
            return set()

    def forget_known(self) -> None:
        """Drop the list of names known to be in the container (after they were pruned there)."""
        with self._guard:
            self._known = set()
        try:
            os.unlink(os.path.join(self._dir, "known"))
        except OSError:
            pass

    # -- blobs ----------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        digest = self.local.put_blob(data)
        name = self.remote.blob_name(digest)
        if not self._is_known(name) and self.try_remote(self.remote.put_blob, data) is not None:
            self._mark(name)
        return digest

    def get_blob(self, digest: str) -> bytes | None:
        data = self.local.get_blob(digest)
        if data is None:
            data = self.try_remote(self.remote.get_blob, digest)
            if data is not None:
                self.local.put_blob(data)
                self._mark(self.remote.blob_name(digest))
        return data

    def has_blob(self, digest: str) -> bool:
        return self.local.has_blob(digest) or bool(self.try_remote(self.remote.has_blob, digest))

    # -- entries --------------------------------------------------------------

    def get_entry(self, key: str) -> dict[str, Any] | None:
        entry = self.local.get_entry(key)
        if entry is None:
            entry = self.try_remote(self.remote.get_entry, key)
            if entry is not None:
                self.local.put_entry(key, entry)
                self._mark(self.remote.entry_name(key))
        return entry

    def put_entry(self, key: str, entry: dict[str, Any], *, replace: bool = False) -> bool:
        wrote = self.local.put_entry(key, entry, replace=replace)
        name = self.remote.entry_name(key)
        if (replace or not self._is_known(name)) and \
                self.try_remote(self.remote.put_entry, key, entry, replace=replace) is not None:
            self._mark(name)
        return wrote

    # -- runs -----------------------------------------------------------------

    def save_run(self, record: dict[str, Any]) -> str:
        full = save_under_new_id(record, self.local.put_run)
        if self.try_remote(self.remote.put_run, full) is not None:
            self._mark(self.remote.run_name(full["run_id"]))
        return full["run_id"]

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        record = self.local.get_run(run_id)
        if record is None:
            record = self.try_remote(self.remote.get_run, run_id)
            if record is not None:
                self.local.put_run(record)
        return record

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        merged = {r["run_id"]: r for r in self.try_remote(self.remote.list_runs, limit) or []}
        merged.update((r["run_id"], r) for r in self.local.list_runs(limit))
        return [merged[rid] for rid in sorted(merged, reverse=True)[:limit]]

    # -- single flight --------------------------------------------------------

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """This machine's file lock, then the container's lease: one payer across every machine."""
        with self.local.lock(key), ExitStack() as stack:
            if self.unreachable is None:
                try:
                    stack.enter_context(self.remote.lock(key))
                except LockTimeout:
                    raise
                except StoreError as exc:
                    self._give_up(str(exc))
            yield

    # -- ledger ---------------------------------------------------------------

    def append_ledger(self, row: dict[str, Any]) -> None:
        if not isinstance(row, dict):
            raise TypeError(f"a ledger row must be a dict, got {type(row).__name__}")
        row = {**row, "id": row.get("id") or new_run_id()}
        self.local.append_ledger(row)  # first: a paid call is never left unrecorded
        if self.try_remote(self.remote.put_ledger_row, row) is not None:
            self._mark(ledger_blob_name(ledger_row_id(row)))

    def read_ledger(self) -> list[dict[str, Any]]:
        """This machine's rows and every other machine's, each once, oldest first."""
        rows = self.local.read_ledger() + self._fetched_rows()
        have = {ledger_blob_name(ledger_row_id(r)) for r in rows}
        names = self.try_remote(self.remote.ledger_names) or []
        missing = [n for n in names if n not in have]
        if missing:
            got = self.try_remote(self.remote.fetch_many, missing) or {}
            new = [r for r in (decode_record(data) for data in got.values() if data) if r is not None]
            self._keep_fetched(new)
            rows += new
        unique = {ledger_row_id(r): r for r in rows}
        return sorted(unique.values(), key=lambda r: (str(r.get("time") or ""), ledger_row_id(r)))

    def _fetched_rows(self) -> list[dict[str, Any]]:
        try:
            with open(os.path.join(self._dir, "ledger.jsonl"), "rb") as f:
                return decode_ledger(f.read())
        except OSError:
            return []

    def _keep_fetched(self, rows: list[dict[str, Any]]) -> None:
        try:
            os.makedirs(self._dir, exist_ok=True)
            with open(os.path.join(self._dir, "ledger.jsonl"), "ab") as f:
                f.write(b"".join(encode_ledger_row(r) for r in rows))
        except OSError:
            log.debug("could not keep fetched ledger rows", exc_info=True)

    # -- sync -----------------------------------------------------------------

    def sync(self) -> dict[str, dict[str, int]]:
        """Upload what is here and missing in the container; raises StoreError if it cannot be reached.

        Every upload is create-if-absent, so a sync that is interrupted, or runs beside another,
        is simply run again: nothing is uploaded twice.
        """
        remote = self.remote
        there = {item.name for item in remote.listing()}
        jobs: dict[str, list[tuple[str, Callable[[], bool]]]] = {k: [] for k in ("blobs", "entries", "runs", "ledger")}
        for digest in self.local.blob_digests():
            if remote.blob_name(digest) not in there:
                jobs["blobs"].append((remote.blob_name(digest), _job(self._upload_blob, digest)))
        for key in self.local.entry_keys():
            if remote.entry_name(key) not in there:
                jobs["entries"].append((remote.entry_name(key), _job(self._upload_entry, key)))
        for run_id in self.local.run_ids():
            if remote.run_name(run_id) not in there:
                jobs["runs"].append((remote.run_name(run_id), _job(self._upload_run, run_id)))
        for row in self.local.read_ledger():
            name = ledger_blob_name(ledger_row_id(row))
            if name not in there:
                jobs["ledger"].append((name, _job(remote.put_ledger_row, row)))
        # in_container: how many of the kind the container holds once this sync is done
        report = {kind: {"uploaded": 0, "in_container": sum(1 for n in there if n.startswith(kind + "/"))}
                  for kind in jobs}
        with ThreadPoolExecutor(max_workers=_SYNC_THREADS) as pool:
            for kind, items in jobs.items():
                for (name, _), created in zip(items, pool.map(lambda item: item[1](), items)):
                    report[kind]["uploaded"] += bool(created)
                    report[kind]["in_container"] += 1
                    self._mark(name)
        self._mark(*there)
        return report

    def _upload_blob(self, digest: str) -> bool:
        data = self.local.get_blob(digest)  # verified: a damaged local copy is not spread
        return data is not None and self.remote.create(self.remote.blob_name(digest), data,
                                                        metadata={"sha256": digest})

    def _upload_entry(self, key: str) -> bool:
        entry = self.local.get_entry(key)
        return entry is not None and self.remote.put_entry(key, entry)

    def _upload_run(self, run_id: str) -> bool:
        record = self.local.get_run(run_id)
        return record is not None and self.remote.put_run(record)


def _job(func: Callable[..., bool], *args: Any) -> Callable[[], bool]:
    return lambda: func(*args)
