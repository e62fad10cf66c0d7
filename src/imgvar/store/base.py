"""The storage protocol every backend implements, and helpers they share.

The protocol speaks only of digests, keys, bytes and dicts so that a backend
without a filesystem (blob storage) fits it as well as a local directory.
The helpers here hold the formats (record JSON, entry wrapper, run ids,
ledger lines) so that every backend writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from datetime import datetime, timezone
from typing import Any, Callable, ContextManager, Protocol, runtime_checkable

from ..text import clean

_DIGEST_RE = re.compile(r"[0-9a-f]{64}")
# 20261121T081900.123Z-1a2b3c4d: milliseconds so that runs saved in the same
# second still sort by time; the random tail keeps ids unique across machines.
RUN_ID_RE = re.compile(r"(\d{8})T(\d{6})\.(\d{3})Z-([0-9a-f]{8})")
_RUN_PREFIX_RE = re.compile(r"[0-9A-Za-z.\-]+")


@runtime_checkable
class Store(Protocol):
    """Content-addressed blobs, cache entries keyed by `content_key`, run records, a ledger."""

    name: str  # backend name, e.g. "local"
    location: str  # where it lives, for humans: a path, a container URL

    def put_blob(self, data: bytes) -> str:
        """Store `data` if absent; return its sha256 digest."""
        ...

    def get_blob(self, digest: str) -> bytes | None:
        """The blob, or None if absent or its content does not match `digest`."""
        ...

    def has_blob(self, digest: str) -> bool:
        """Whether a blob is stored under `digest` (content is verified by get_blob)."""
        ...

    def get_entry(self, key: str) -> dict[str, Any] | None:
        """A stage's cached output record, or None if absent or unreadable."""
        ...

    def put_entry(self, key: str, entry: dict[str, Any], *, replace: bool = False) -> bool:
        """Create the entry if absent; True if this call wrote it.

        A healthy existing entry wins (concurrent writers of one key stay safe); one
        that cannot be read back replaces atomically, and so does any with `replace`
        (the caller found it damaged, e.g. its blob lost).
        """
        ...

    def save_run(self, record: dict[str, Any]) -> str:
        """Store a run record under a new time-sortable run id and return the id."""
        ...

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The run record for an id or a unique prefix of one, else None."""
        ...

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Up to `limit` run records, newest first."""
        ...

    def lock(self, key: str) -> ContextManager[None]:
        """An exclusive lock on `key` across processes sharing the store (single flight for paid stages)."""

    def append_ledger(self, row: dict[str, Any]) -> None:
        """Append one row to the append-only ledger."""
        ...

    def read_ledger(self) -> list[dict[str, Any]]:
        """Every readable ledger row, oldest first."""
        ...


def is_digest(value: object) -> bool:
    """Whether `value` is a lowercase hex sha256 (the form of digests and keys)."""
    return isinstance(value, str) and _DIGEST_RE.fullmatch(value) is not None


def check_digest(value: object, what: str = "digest") -> str:
    """`value` if it is a sha256 hex string; anything else could escape the store's layout."""
    if not isinstance(value, str) or _DIGEST_RE.fullmatch(value) is None:
        raise ValueError(f"invalid {what}: {value!r} (expected 64 lowercase hex digits)")
    return value


def utc_now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_record(obj: dict[str, Any]) -> bytes:
    """The stored form of entries and run records: readable, stable, UTF-8.

    Text that cannot be UTF-8 (lone surrogates from non-UTF-8 file names or
    arguments) is written with U+FFFD in its place rather than losing the record.
    """
    if not isinstance(obj, dict):
        raise TypeError(f"a record must be a dict, got {type(obj).__name__}")
    text = json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(scrub_text(obj), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def scrub_text(obj: Any) -> Any:
    """A copy of a JSON value with every string (keys too) passed through `clean`."""
    if isinstance(obj, str):
        return clean(obj)
    if isinstance(obj, dict):
        return {clean(k) if isinstance(k, str) else k: scrub_text(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [scrub_text(v) for v in obj]
    return obj


def decode_record(data: bytes) -> dict[str, Any] | None:
    """The dict in `data`, or None if it is not a JSON object."""
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def entry_check(entry: dict[str, Any]) -> str:
    """sha256 of an entry's canonical text: any change to a stored entry, even one
    flipped bit that leaves valid JSON, no longer matches it."""
    text = json.dumps(entry, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def wrap_entry(key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The stored document of an entry; the key detects a misplaced file, the check a damaged one."""
    if not isinstance(entry, dict):
        raise TypeError(f"an entry must be a dict, got {type(entry).__name__}")
    entry = scrub_text(entry)  # checked as stored, so it verifies when read back
    return {"key": key, "created": utc_now_iso(), "entry": entry, "check": entry_check(entry)}


def unwrap_entry(key: str, doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """The caller's entry from a stored document, or None if it does not belong to `key` or fails its check."""
    if doc is None or doc.get("key") != key:
        return None
    entry = doc.get("entry")
    if not isinstance(entry, dict):
        return None
    check = doc.get("check")
    # Entries written before checks existed have none; their shape is all there is to verify.
    if check is not None and check != entry_check(entry):
        return None
    return entry


_run_clock_lock = threading.Lock()
_last_run_ms = 0


def _next_run_ms() -> int:
    # Strictly increasing within a process, so ids from one process sort in
    # creation order even when saved in the same millisecond.
    global _last_run_ms
    with _run_clock_lock:
        now = time.time_ns() // 1_000_000
        _last_run_ms = max(now, _last_run_ms + 1)
        return _last_run_ms


def new_run_id() -> str:
    """A new run id, e.g. "20261121T081900.123Z-1a2b3c4d"; ids sort by creation time."""
    secs, ms = divmod(_next_run_ms(), 1000)
    stamp = datetime.fromtimestamp(secs, timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}.{ms:03d}Z-{secrets.token_hex(4)}"


def save_under_new_id(record: dict[str, Any], put: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """`record` with a new run id, stored by `put` (create-if-absent); a taken id (a 1-in-4-billion
    clash) draws another. Returns what was stored."""
    if not isinstance(record, dict):
        raise TypeError(f"a run record must be a dict, got {type(record).__name__}")
    while True:
        full = {**record, "run_id": new_run_id()}
        if put(full):
            return full


def record_run_id(record: dict[str, Any]) -> str:
    """The run id a record carries, checked: it names the record's file or blob."""
    run_id = record.get("run_id")
    if not is_run_id(run_id):
        raise ValueError(f"a run record needs a valid run_id, got {run_id!r}")
    return run_id


def is_run_id(value: object) -> bool:
    return isinstance(value, str) and RUN_ID_RE.fullmatch(value) is not None


def is_run_prefix(value: object) -> bool:
    """Whether `value` could start a run id (and is safe to use in a name lookup)."""
    return isinstance(value, str) and _RUN_PREFIX_RE.fullmatch(value) is not None


def run_time(run_id: str) -> float:
    """When a run id was made, in seconds since the epoch."""
    m = RUN_ID_RE.fullmatch(run_id)
    if m is None:
        raise ValueError(f"not a run id: {run_id!r}")
    stamp = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    return stamp.timestamp() + int(m.group(3)) / 1000


def run_month(run_id: str) -> str:
    """The folder a run is kept in: "YYYY-MM" of its id."""
    return f"{run_id[:4]}-{run_id[4:6]}"


def encode_ledger_row(row: dict[str, Any]) -> bytes:
    """One ledger line; json escapes newlines inside strings, so a row is exactly one line."""
    if not isinstance(row, dict):
        raise TypeError(f"a ledger row must be a dict, got {type(row).__name__}")
    try:
        text = json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, as in encode_record
        text = json.dumps(scrub_text(row), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
        return text.encode("utf-8")


def decode_ledger(data: bytes) -> list[dict[str, Any]]:
    """The rows of a ledger; a torn or garbled line (a crash mid-append) is skipped."""
    rows = []
    # Split on b"\n" only: str.splitlines would also break at U+2028 inside a value.
    for line in data.split(b"\n"):
        if line.strip():
            row = decode_record(line)
            if row is not None:
                rows.append(row)
    return rows
