"""A store in a local directory.

Layout under the root:
    blobs/ab/<digest>            content-addressed bytes
    entries/ab/<key>.json        {"key", "created", "entry"} per cached stage output
    runs/YYYY-MM/<run_id>.json   run records
    ledger.jsonl                 append-only JSON lines
    tmp/                         files being written; never read as data

Every file is written to tmp/ (same filesystem as its destination), fsynced,
then published in one step, so a reader sees a whole file or none. Blobs and
entries are published with os.link, which fails if the name exists: that makes
"create if absent" a single atomic operation shared safely by many processes.
"""

from __future__ import annotations

import errno
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from imgvar.errors import StoreError
from imgvar.store.base import (
    check_digest,
    decode_ledger,
    decode_record,
    encode_ledger_row,
    encode_record,
    is_digest,
    is_run_id,
    is_run_prefix,
    record_run_id,
    run_month,
    run_time,
    save_under_new_id,
    unwrap_entry,
    wrap_entry,
)
from imgvar.store.keys import sha256_hex

try:
    import fcntl
except ImportError:  # not POSIX: appends and the no-hardlink fallback go unlocked
    fcntl = None  # type: ignore[assignment]

# os.link errors meaning "this filesystem has no hard links" rather than a real failure.
_NO_HARDLINK = {
    getattr(errno, name)
    for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV", "ENOSYS")
    if hasattr(errno, name)
}
# flock errors meaning "this filesystem cannot lock"; carry on unlocked.
_NO_FLOCK = {
    getattr(errno, name)
    for name in ("ENOLCK", "ENOTSUP", "EOPNOTSUPP", "EINVAL", "ENOSYS")
    if hasattr(errno, name)
}

CLEAR_KINDS = ("blobs", "entries", "runs", "tmp", "ledger", "cache", "all")
_CLEAR_GROUPS = {
    "cache": ("blobs", "entries", "tmp"),
    "all": ("blobs", "entries", "runs", "tmp", "ledger"),
}
_RUN_SUFFIX = ".json"
_ENTRY_SUFFIX = ".json"


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _store_error(action: str, path: str, exc: OSError) -> StoreError:
    return StoreError(f"cannot {action} {path}: {_reason(exc)}")


def _unlink_quiet(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextmanager
def _flocked(fd: int, exclusive: bool) -> Iterator[None]:
    locked = False
    if fcntl is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            locked = True
        except OSError as exc:
            if exc.errno not in _NO_FLOCK:
                raise
    try:
        yield
    finally:
        if locked:
            fcntl.flock(fd, fcntl.LOCK_UN)


class LocalStore:
    """A `Store` in a directory; the directory is created on the first write."""

    name = "local"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        # Absolute, so a later chdir cannot move the store.
        self.root = os.path.abspath(os.fspath(root))
        self.location = self.root

    def __repr__(self) -> str:
        return f"LocalStore({self.root!r})"

    # -- layout -----------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def _blob_path(self, digest: str) -> str:
        return self._path("blobs", digest[:2], digest)

    def _entry_path(self, key: str) -> str:
        return self._path("entries", key[:2], key + _ENTRY_SUFFIX)

    def _run_path(self, run_id: str) -> str:
        return self._path("runs", run_month(run_id), run_id + _RUN_SUFFIX)

    @property
    def _tmp_dir(self) -> str:
        return self._path("tmp")

    @property
    def _ledger_path(self) -> str:
        return self._path("ledger.jsonl")

    # -- blobs ------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        digest = sha256_hex(data)
        final = self._blob_path(digest)
        # Already stored and whole (a repeat run): reading it back is cheaper than writing
        # and fsyncing another copy only to find the name taken.
        if os.path.isfile(final) and self._blob_ok(final, digest):
            return digest
        self._ensure_dir(os.path.dirname(final))
        tmp = self._write_tmp(data, "blob")
        try:
            self._publish_blob(tmp, final, digest)
        except OSError as exc:
            raise _store_error("write blob", final, exc) from exc
        finally:
            _unlink_quiet(tmp)
        return digest

    def _publish_blob(self, tmp: str, final: str, digest: str) -> None:
        try:
            os.link(tmp, final)
        except FileExistsError:
            # Already stored; replace it only if it went bad. Replacing is safe
            # for blobs: every writer of this name writes the same bytes.
            if not self._blob_ok(final, digest):
                os.replace(tmp, final)
        except OSError as exc:
            if exc.errno not in _NO_HARDLINK:
                raise
            os.replace(tmp, final)

    def _blob_ok(self, path: str, digest: str) -> bool:
        got = self._read(path, "blob")
        return got is not None and sha256_hex(got[0]) == digest

    def get_blob(self, digest: str) -> bytes | None:
        path = self._blob_path(check_digest(digest))
        got = self._read(path, "blob")
        if got is None:
            return None
        data, st = got
        if sha256_hex(data) != digest:
            self._remove_if_same(path, st)
            return None
        return data

    def has_blob(self, digest: str) -> bool:
        # Existence only, to stay cheap; get_blob is what verifies content.
        return os.path.isfile(self._blob_path(check_digest(digest)))

    # -- entries ----------------------------------------------------------

    def get_entry(self, key: str) -> dict[str, Any] | None:
        path = self._entry_path(check_digest(key, "key"))
        got = self._read(path, "cache entry")
        if got is None:
            return None
        data, st = got
        entry = unwrap_entry(key, decode_record(data))
        if entry is None:
            self._remove_if_same(path, st)
        return entry

    def put_entry(self, key: str, entry: dict[str, Any], *, replace: bool = False) -> bool:
        final = self._entry_path(check_digest(key, "key"))
        data = encode_record(wrap_entry(key, entry))  # a TypeError here leaves nothing behind
        self._ensure_dir(os.path.dirname(final))
        if not replace and self._publish_new(self._write_tmp(data, "entry"), final, "cache entry"):
            return True
        if not replace:
            got = self._read(final, "cache entry")
            if got is not None and unwrap_entry(key, decode_record(got[0])) is not None:
                return False  # a healthy entry is there: it wins
        # Damaged (or the caller says so): replace in one step. Every writer of a key
        # writes an equivalent entry, so racing replacements are harmless.
        tmp = self._write_tmp(data, "entry")
        try:
            os.replace(tmp, final)
        except OSError as exc:
            raise _store_error("write cache entry", final, exc) from exc
        finally:
            _unlink_quiet(tmp)
        return True

    # -- runs -------------------------------------------------------------

    def save_run(self, record: dict[str, Any]) -> str:
        return save_under_new_id(record, self.put_run)["run_id"]

    def put_run(self, record: dict[str, Any]) -> bool:
        """Store a record under its own `run_id` (one copied from another store) unless one is there."""
        final = self._run_path(record_run_id(record))
        self._ensure_dir(os.path.dirname(final))
        return self._publish_new(self._write_tmp(encode_record(record), "run"), final, "run record")

    def run_ids(self) -> list[str]:
        """Every run id, newest first."""
        return list(self._run_ids())

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The run with this id, or with the only id starting with it; None if none or several."""
        if not is_run_prefix(run_id):
            return None
        if is_run_id(run_id):
            return self._load_run(run_id)
        matches = [rid for rid in self._run_ids(run_id) if rid.startswith(run_id)]
        return self._load_run(matches[0]) if len(matches) == 1 else None

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        runs: list[dict[str, Any]] = []
        if limit <= 0:
            return runs
        for run_id in self._run_ids():
            record = self._load_run(run_id)
            if record is not None:
                runs.append(record)
                if len(runs) >= limit:
                    break
        return runs

    def _load_run(self, run_id: str) -> dict[str, Any] | None:
        got = self._read(self._run_path(run_id), "run record")
        record = decode_record(got[0]) if got else None
        # Run records are history, not cache: a bad one is skipped, never deleted.
        if record is None or record.get("run_id") != run_id:
            return None
        return record

    def _run_ids(self, prefix: str = "") -> Iterator[str]:
        """Run ids newest first, in month folders that could hold `prefix`."""
        months = sorted(
            (e.name for e in self._scandir(self._path("runs")) if e.is_dir()),
            reverse=True,
        )
        for month in months:
            compact = month.replace("-", "")
            if not compact.startswith(prefix[:6]):
                continue
            names = sorted(
                (e.name for e in self._scandir(self._path("runs", month)) if e.name.endswith(_RUN_SUFFIX)),
                reverse=True,
            )
            for name in names:
                run_id = name[: -len(_RUN_SUFFIX)]
                if is_run_id(run_id):
                    yield run_id

    # -- single flight ----------------------------------------------------

    @contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold an exclusive, process-wide lock named by a content key while a paid result is made.

        A second process asking for the same key waits here, then finds the first one's
        result in the store instead of paying for it again. The lock dies with its process.
        """
        check_digest(key, "key")
        folder = self._ensure_dir(self._path("locks"))
        path = os.path.join(folder, key + ".lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _store_error("open lock", path, exc) from exc
        try:
            with _flocked(fd, exclusive=True):
                yield
        finally:
            os.close(fd)

    # -- ledger -----------------------------------------------------------

    def append_ledger(self, row: dict[str, Any]) -> None:
        line = encode_ledger_row(row)
        path = self._ledger_path
        self._ensure_dir(self.root)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise _store_error("open ledger", path, exc) from exc
        try:
            # O_APPEND puts each write at the end; the lock keeps a line whole even
            # where the filesystem splits large writes.
            with _flocked(fd, exclusive=True):
                written = os.write(fd, line)
                while written < len(line):  # a short write; still under the lock
                    written += os.write(fd, line[written:])
        except OSError as exc:
            raise _store_error("append to ledger", path, exc) from exc
        finally:
            os.close(fd)

    def read_ledger(self) -> list[dict[str, Any]]:
        path = self._ledger_path
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise _store_error("read ledger", path, exc) from exc
        try:
            with os.fdopen(fd, "rb") as f, _flocked(f.fileno(), exclusive=False):
                data = f.read()
        except OSError as exc:
            raise _store_error("read ledger", path, exc) from exc
        return decode_ledger(data)

    # -- maintenance ------------------------------------------------------

    def cleanup_tmp(self, older_than_s: float = 3600) -> int:
        """Remove temp files left by crashed writers; returns how many were removed.

        Only files older than `older_than_s` go, so writers still at work keep theirs.
        """
        cutoff = time.time() - older_than_s
        removed = 0
        for entry in self._scandir(self._tmp_dir):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime <= cutoff:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:
                pass  # its writer published or removed it meanwhile
            except OSError as exc:
                raise _store_error("remove temp file", entry.path, exc) from exc
        return removed

    def blob_digests(self) -> Iterator[str]:
        """The digests of every stored blob (content unverified)."""
        for path, _ in self._kind_files("blobs"):
            name = os.path.basename(path)
            if is_digest(name):
                yield name

    def entry_keys(self) -> Iterator[str]:
        """The keys of every stored entry (content unverified)."""
        for path, _ in self._kind_files("entries"):
            key = os.path.basename(path)[: -len(_ENTRY_SUFFIX)]
            if is_digest(key):
                yield key

    def prune(self, older_than_s: float) -> dict[str, int]:
        """Remove blobs and entries not written for `older_than_s`, and runs older than that.

        The ledger is never pruned: it is the record of money spent.
        """
        cutoff = time.time() - older_than_s
        removed = {"blobs": 0, "entries": 0, "runs": 0}
        for kind in ("blobs", "entries"):
            for path, _ in list(self._kind_files(kind)):
                try:
                    if os.stat(path).st_mtime <= cutoff:
                        os.unlink(path)
                        removed[kind] += 1
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise _store_error("remove", path, exc) from exc
        for run_id in self.run_ids():
            if run_time(run_id) <= cutoff:
                try:
                    os.unlink(self._run_path(run_id))
                    removed["runs"] += 1
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise _store_error("remove", self._run_path(run_id), exc) from exc
        return removed

    def stats(self) -> dict[str, Any]:
        """Counts and total bytes of blobs, entries, runs, temp files and the ledger."""
        out: dict[str, Any] = {"location": self.location}
        for kind in ("blobs", "entries", "runs", "tmp"):
            files = list(self._kind_files(kind))
            out[kind] = {"count": len(files), "bytes": sum(size for _, size in files)}
        got = self._read(self._ledger_path, "ledger")
        data = got[0] if got else b""
        out["ledger"] = {"count": data.count(b"\n"), "bytes": len(data)}
        return out

    def clear(self, kind: str = "all") -> dict[str, int]:
        """Delete one kind of data (see CLEAR_KINDS); returns files removed per kind.

        "cache" is blobs, entries and temp files; "all" adds runs and the ledger.
        """
        if kind not in CLEAR_KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(CLEAR_KINDS)}")
        return {k: self._clear_one(k) for k in _CLEAR_GROUPS.get(kind, (kind,))}

    def _clear_one(self, kind: str) -> int:
        if kind == "ledger":
            paths = [self._ledger_path] if os.path.isfile(self._ledger_path) else []
        else:
            paths = [path for path, _ in self._kind_files(kind)]
        removed = 0
        for path in paths:
            try:
                os.unlink(path)
                removed += 1
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise _store_error("remove", path, exc) from exc
        if kind in ("blobs", "entries", "runs"):
            for sub in self._scandir(self._path(kind)):
                try:
                    os.rmdir(sub.path)  # only empty shard folders go
                except OSError:
                    pass
        return removed

    def _kind_files(self, kind: str) -> Iterator[tuple[str, int]]:
        """(path, size) of the data files of one kind."""
        if kind == "tmp":
            folders = [self._tmp_dir]
        else:
            folders = [e.path for e in self._scandir(self._path(kind)) if e.is_dir(follow_symlinks=False)]
        for folder in folders:
            for entry in self._scandir(folder):
                if kind in ("entries", "runs") and not entry.name.endswith(".json"):
                    continue
                try:
                    if entry.is_file(follow_symlinks=False):
                        yield entry.path, entry.stat(follow_symlinks=False).st_size
                except FileNotFoundError:
                    pass

    # -- file primitives --------------------------------------------------

    def _ensure_dir(self, path: str) -> str:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            if os.path.lexists(self.root) and not os.path.isdir(self.root):
                raise StoreError(f"cannot create store at {self.root}: a file is in the way") from exc
            raise _store_error("create store folder", path, exc) from exc
        return path

    def _write_tmp(self, data: bytes, kind: str) -> str:
        """A durable temp file holding `data`, ready to publish."""
        folder = self._ensure_dir(self._tmp_dir)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f"{kind}-", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise _store_error("create temp file in", folder, exc) from exc
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            _unlink_quiet(tmp)
            raise _store_error("write temp file", tmp, exc) from exc
        except BaseException:
            _unlink_quiet(tmp)
            raise
        return tmp

    def _publish_new(self, tmp: str, final: str, what: str) -> bool:
        """Move `tmp` to `final` unless `final` exists; True if this call created it."""
        try:
            os.link(tmp, final)
            return True
        except FileExistsError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_HARDLINK:
                raise _store_error(f"write {what}", final, exc) from exc
            return self._publish_locked(tmp, final, what)
        finally:
            _unlink_quiet(tmp)

    def _publish_locked(self, tmp: str, final: str, what: str) -> bool:
        # Without hard links, create-if-absent needs a lock around check + replace.
        # flock is released by the kernel if the holder dies, so no stale locks.
        lock_path = self._path(".lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                with _flocked(fd, exclusive=True):
                    if os.path.lexists(final):
                        return False
                    os.replace(tmp, final)
                    return True
            finally:
                os.close(fd)
        except OSError as exc:
            raise _store_error(f"write {what}", final, exc) from exc

    def _read(self, path: str, what: str) -> tuple[bytes, os.stat_result] | None:
        """The file's bytes and identity, or None if it does not exist."""
        try:
            with open(path, "rb") as f:
                return f.read(), os.fstat(f.fileno())
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _store_error(f"read {what}", path, exc) from exc

    @staticmethod
    def _remove_if_same(path: str, seen: os.stat_result) -> None:
        # Remove the bad file we read, not a good one another process has
        # published at the same name since. Best effort: the caller recomputes either way.
        try:
            now = os.stat(path)
            if (now.st_dev, now.st_ino) == (seen.st_dev, seen.st_ino):
                os.unlink(path)
        except OSError:
            pass

    def _scandir(self, path: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(path) as it:
                return list(it)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise _store_error("list", path, exc) from exc
