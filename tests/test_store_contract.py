"""One contract, every backend: the local store, the Azure container alone (on Azurite), and the
container read through the local store, which is what `store = "azure"` gives a command."""

from __future__ import annotations

import multiprocessing
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from imgvar.store import Store, sha256_hex
from imgvar.store.base import is_run_id

BACKENDS = ("local", "azure", "read_through")


def open_backend(spec: dict[str, Any]) -> Any:
    """A store from a picklable description, so other processes can open the same one."""
    from imgvar.store.local import LocalStore

    if spec["kind"] == "local":
        return LocalStore(spec["root"])
    from azure.storage.blob import BlobServiceClient

    from imgvar.store.azure_blob import AzureBlobStore

    container = BlobServiceClient.from_connection_string(spec["conn"]).get_container_client(spec["container"])
    remote = AzureBlobStore(container, spec.get("prefix", ""), lease_seconds=15)
    if spec["kind"] == "azure":
        return remote
    from imgvar.store.read_through import ReadThroughStore

    return ReadThroughStore(LocalStore(spec["root"]), remote)


@pytest.fixture(params=BACKENDS)
def spec(request, tmp_path: Path) -> dict[str, Any]:
    spec = {"kind": request.param, "root": str(tmp_path / "store")}
    if request.param != "local":
        azurite = request.getfixturevalue("azurite")
        spec.update(conn=azurite.connection_string, container="c" + uuid.uuid4().hex[:16], prefix="team/a")
    return spec


@pytest.fixture
def store(spec: dict[str, Any]) -> Any:
    return open_backend(spec)


def entry(n: int = 1) -> dict[str, Any]:
    return {"output": {"kind": "text", "value": f"résumé {n} ☕"}, "n": n}


KEY = "ab" * 32


# -- blobs ------------------------------------------------------------------------------------

def test_satisfies_the_protocol(store) -> None:
    assert isinstance(store, Store)
    assert store.name in ("local", "azure") and store.location


def test_blob_round_trip_is_content_addressed(store) -> None:
    data = bytes(range(256)) * 100
    digest = store.put_blob(data)
    assert digest == sha256_hex(data)
    assert store.get_blob(digest) == data
    assert store.has_blob(digest)
    assert store.put_blob(data) == digest  # idempotent


def test_missing_blob_is_none_and_bad_digests_are_refused(store) -> None:
    assert store.get_blob("0" * 64) is None
    assert not store.has_blob("0" * 64)
    for bad in ("../etc/passwd", "AB" * 32, "ab" * 31, ""):
        with pytest.raises(ValueError):
            store.get_blob(bad)


def test_empty_and_large_blobs(store) -> None:
    big = bytes(range(256)) * (3 * 4096 + 7)  # about 3 MB
    for data in (b"", big):
        assert store.get_blob(store.put_blob(data)) == data


# -- entries ----------------------------------------------------------------------------------

def test_entry_round_trip(store) -> None:
    assert store.get_entry(KEY) is None
    assert store.put_entry(KEY, entry()) is True
    assert store.get_entry(KEY) == entry()


def test_first_entry_wins_and_replace_overrides(store) -> None:
    assert store.put_entry(KEY, entry(1)) is True
    assert store.put_entry(KEY, entry(2)) is False
    assert store.get_entry(KEY) == entry(1)
    assert store.put_entry(KEY, entry(3), replace=True) is True
    assert store.get_entry(KEY) == entry(3)


def test_entry_that_is_not_json_is_refused_and_leaves_nothing(store) -> None:
    with pytest.raises(TypeError):
        store.put_entry(KEY, {"x": object()})
    assert store.get_entry(KEY) is None


def test_bad_keys_are_refused(store) -> None:
    with pytest.raises(ValueError):
        store.get_entry("../../x")
    with pytest.raises(ValueError):
        store.put_entry("nothex", entry())


def test_concurrent_writers_of_one_key_have_exactly_one_winner(store) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        barrier.wait()
        results.append(store.put_entry(KEY, entry(n)))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert store.get_entry(KEY) in [entry(n) for n in range(8)]


def _put_one(spec: dict[str, Any], n: int, start: Any, results: Any) -> None:
    store = open_backend(spec)
    start.wait(60)
    results.put((n, store.put_entry(KEY, entry(n))))


def test_concurrent_writers_of_one_key_in_processes_have_exactly_one_winner(spec) -> None:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_put_one, args=(spec, n, start, results)) for n in range(4)]
    for p in procs:
        p.start()
    time.sleep(1.5)  # let every process import and open its store, then release them together
    start.set()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    wins = [n for n, won in (results.get(timeout=5) for _ in procs) if won]
    assert len(wins) == 1
    assert open_backend(spec).get_entry(KEY) == entry(wins[0])


# -- runs -------------------------------------------------------------------------------------

def test_runs_save_get_and_list_newest_first(store) -> None:
    ids = [store.save_run({"command": "run", "prompt": f"p{n} ✓"}) for n in range(3)]
    assert all(is_run_id(i) for i in ids) and len(set(ids)) == 3
    assert store.get_run(ids[1])["prompt"] == "p1 ✓"
    assert [r["run_id"] for r in store.list_runs(10)] == ids[::-1]
    assert [r["run_id"] for r in store.list_runs(2)] == ids[:0:-1]
    assert store.list_runs(0) == []


def test_run_prefix_lookup(store) -> None:
    run_id = store.save_run({"command": "run"})
    assert store.get_run(run_id[:-3])["run_id"] == run_id
    assert store.get_run("19990101T") is None
    assert store.get_run("../x") is None
    store.save_run({"command": "run"})
    assert store.get_run(run_id[:8]) is None  # two runs today: ambiguous


# -- ledger -----------------------------------------------------------------------------------

def test_ledger_rows_come_back_whole_in_order(store) -> None:
    rows = [{"time": f"2026-12-0{n}T10:00:00Z", "usd": n / 100, "note": "line\nbreak \u2028 ☕"} for n in range(1, 4)]
    for row in rows:
        store.append_ledger(row)
    got = store.read_ledger()
    assert [{k: r[k] for k in ("time", "usd", "note")} for r in got] == rows


def test_concurrent_ledger_writers_in_threads_lose_and_double_nothing(store) -> None:
    def write(t: int) -> None:
        for n in range(10):
            store.append_ledger({"time": "2026-12-06T00:00:00Z", "writer": t, "n": n, "usd": 0.01})

    threads = [threading.Thread(target=write, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = sorted((r["writer"], r["n"]) for r in store.read_ledger())
    assert got == [(t, n) for t in range(6) for n in range(10)]


def _append_rows(spec: dict[str, Any], writer: int, count: int) -> None:
    store = open_backend(spec)
    for n in range(count):
        store.append_ledger({"time": "2026-12-06T00:00:00Z", "writer": writer, "n": n, "usd": 0.01})


def test_concurrent_ledger_writers_in_processes_lose_and_double_nothing(spec) -> None:
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_rows, args=(spec, w, 15)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    got = sorted((r["writer"], r["n"]) for r in open_backend(spec).read_ledger())
    assert got == [(w, n) for w in range(4) for n in range(15)]


# -- single flight ----------------------------------------------------------------------------

def test_lock_is_exclusive_between_threads(store) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    def work(n: int) -> None:
        with store.lock(KEY):
            inside.append(n)
            if len(inside) > 1:
                overlaps.append(n)
            time.sleep(0.2)
            inside.remove(n)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == []
    with store.lock(KEY):  # released: it can be taken again
        pass
