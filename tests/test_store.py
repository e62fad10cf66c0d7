"""The store's guarantees, checked against real files in a temp directory."""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from imgvar.errors import ExitCode, StoreError
from imgvar.store import LocalStore, Store, canonical_json, content_key, is_run_id, sha256_hex

SRC = str(Path(__file__).resolve().parents[1] / "src")

KEY_ARGS = {
    "stage": "resize",
    "engine": "pillow",
    "engine_version": "10.1",
    "params": {"width": 512, "scale": 0.5, "name": "été"},
    "inputs": {"image": "ab" * 32},
}


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


@pytest.fixture
def store(tmp_path: Path) -> LocalStore:
    return LocalStore(tmp_path / "store")


def key_of(n: int) -> str:
    return content_key("stage", "engine", "1", {"n": n}, {})


# -- keys ---------------------------------------------------------------------


def test_canonical_json_is_sorted_compact_utf8() -> None:
    got = canonical_json({"b": [1, 2.5, True, None], "a": "é", "c": {"z": 0.1, "y": 1.0}})
    assert got == '{"a":"é","b":[1,2.5,true,null],"c":{"y":1.0,"z":0.1}}'.encode("utf-8")


@pytest.mark.parametrize("bad", [{1, 2}, b"bytes", object(), {"k": {1: "int key"}}])
def test_canonical_json_rejects_non_json(bad: object) -> None:
    with pytest.raises(TypeError):
        canonical_json(bad)


def test_content_key_ignores_dict_order() -> None:
    reordered = {
        "inputs": {"image": "ab" * 32},
        "params": {"name": "été", "scale": 0.5, "width": 512},
        "engine_version": "10.1",
        "engine": "pillow",
        "stage": "resize",
    }
    assert content_key(**KEY_ARGS) == content_key(**reordered)


@pytest.mark.parametrize(
    "field, value",
    [
        ("stage", "crop"),
        ("engine", "opencv"),
        ("engine_version", "10.2"),
        ("params", {"width": 512, "scale": 0.5, "name": "ete"}),
        ("params", {"width": 512.0, "scale": 0.5, "name": "été"}),
        ("inputs", {"image": "cd" * 32}),
        ("inputs", {"mask": "ab" * 32}),
    ],
)
def test_content_key_changes_with_any_field(field: str, value: object) -> None:
    assert content_key(**{**KEY_ARGS, field: value}) != content_key(**KEY_ARGS)


def test_content_key_known_vector() -> None:
    expected_bytes = (
        '{"engine":"pillow","engine_version":"10.1",'
        '"inputs":{"image":"' + "ab" * 32 + '"},'
        '"params":{"name":"été","scale":0.5,"width":512},'
        '"stage":"resize"}'
    ).encode("utf-8")
    assert content_key(**KEY_ARGS) == hashlib.sha256(expected_bytes).hexdigest()


def test_sha256_hex_known_vector() -> None:
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# -- blobs --------------------------------------------------------------------


def test_store_satisfies_protocol(store: LocalStore) -> None:
    assert isinstance(store, Store)
    assert store.name == "local"
    assert store.location == str(store.root)


def test_blob_round_trip_and_layout(store: LocalStore) -> None:
    data = b"\x89PNG fake image bytes"
    digest = store.put_blob(data)
    assert digest == sha256_hex(data)
    assert store.has_blob(digest)
    assert store.get_blob(digest) == data
    assert (Path(store.root) / "blobs" / digest[:2] / digest).read_bytes() == data


def test_blob_put_is_idempotent(store: LocalStore) -> None:
    first = store.put_blob(b"same")
    second = store.put_blob(b"same")
    assert first == second
    assert len(files_under(Path(store.root) / "blobs")) == 1
    assert files_under(Path(store.root) / "tmp") == []


def test_missing_blob_and_bad_digest(store: LocalStore) -> None:
    assert store.get_blob("0" * 64) is None
    assert not store.has_blob("0" * 64)
    assert not Path(store.root).exists()  # reads never create the store
    with pytest.raises(ValueError):
        store.get_blob("../../etc/passwd")


def test_corrupt_blob_is_absent_and_removed(store: LocalStore) -> None:
    digest = store.put_blob(b"original")
    path = Path(store.root) / "blobs" / digest[:2] / digest
    path.write_bytes(b"tampered")
    assert store.get_blob(digest) is None
    assert not path.exists()


def test_put_blob_heals_a_corrupt_copy(store: LocalStore) -> None:
    digest = store.put_blob(b"original")
    path = Path(store.root) / "blobs" / digest[:2] / digest
    path.write_bytes(b"tampered")
    assert store.put_blob(b"original") == digest
    assert store.get_blob(digest) == b"original"


# -- entries ------------------------------------------------------------------


def test_entry_round_trip_and_stored_form(store: LocalStore) -> None:
    key = key_of(1)
    entry = {"outputs": {"image": "ab" * 32}, "note": "café", "cost": 0.25}
    assert store.get_entry(key) is None
    assert store.put_entry(key, entry) is True
    assert store.get_entry(key) == entry
    text = (Path(store.root) / "entries" / key[:2] / f"{key}.json").read_text("utf-8")
    stored = json.loads(text)
    assert stored["key"] == key and stored["entry"] == entry and stored["created"].endswith("Z")
    assert text == json.dumps(stored, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_put_entry_twice_first_wins(store: LocalStore) -> None:
    key = key_of(2)
    assert store.put_entry(key, {"v": "first"}) is True
    assert store.put_entry(key, {"v": "second"}) is False
    assert store.get_entry(key) == {"v": "first"}
    assert files_under(Path(store.root) / "tmp") == []


def test_corrupt_entry_json_is_absent_and_removed(store: LocalStore) -> None:
    key = key_of(3)
    store.put_entry(key, {"v": 1})
    path = Path(store.root) / "entries" / key[:2] / f"{key}.json"
    path.write_bytes(b'{"key": "' + key.encode() + b'", "entry": {"v"')
    assert store.get_entry(key) is None
    assert not path.exists()
    assert store.put_entry(key, {"v": 2}) is True  # the caller can store a fresh result


def test_entry_under_wrong_key_is_absent(store: LocalStore) -> None:
    right, wrong = key_of(4), key_of(5)
    store.put_entry(right, {"v": 1})
    src = Path(store.root) / "entries" / right[:2] / f"{right}.json"
    dst = Path(store.root) / "entries" / wrong[:2] / f"{wrong}.json"
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())
    assert store.get_entry(wrong) is None
    assert not dst.exists()
    assert store.get_entry(right) == {"v": 1}


def test_put_entry_rejects_non_json_without_leftovers(store: LocalStore) -> None:
    with pytest.raises(TypeError):
        store.put_entry(key_of(6), {"v": {1, 2}})
    with pytest.raises(ValueError):
        store.put_entry("not-a-key", {"v": 1})
    assert files_under(Path(store.root)) == []


def test_publish_without_hard_links(store: LocalStore, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(src: str, dst: str) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_link)
    key = key_of(7)
    assert store.put_entry(key, {"v": "first"}) is True
    assert store.put_entry(key, {"v": "second"}) is False
    assert store.get_entry(key) == {"v": "first"}
    digest = store.put_blob(b"blob")
    assert store.put_blob(b"blob") == digest and store.get_blob(digest) == b"blob"
    assert store.get_run(store.save_run({"ok": True})) is not None
    assert files_under(Path(store.root) / "tmp") == []


# -- concurrency --------------------------------------------------------------


def _race_worker(root: str, key: str, n: int, barrier: Any, results: Any) -> None:
    store = LocalStore(root)
    barrier.wait()
    created = store.put_entry(key, {"writer": n, "payload": [n] * 1000})
    digest = store.put_blob(b"shared bytes" * 1000)
    results.put((n, created, digest))


def _ledger_worker(root: str, n: int, rows: int, barrier: Any) -> None:
    store = LocalStore(root)
    barrier.wait()
    for i in range(rows):
        store.append_ledger({"writer": n, "i": i, "pad": "x" * 300})


def test_concurrent_put_entry_has_one_winner(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    root, key, workers = str(tmp_path / "store"), key_of(8), 8
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    procs = [ctx.Process(target=_race_worker, args=(root, key, n, barrier, results)) for n in range(workers)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=30) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    winners = [n for n, created, _ in outcomes if created]
    assert len(winners) == 1
    assert LocalStore(root).get_entry(key) == {"writer": winners[0], "payload": [winners[0]] * 1000}
    digests = {digest for _, _, digest in outcomes}
    assert digests == {sha256_hex(b"shared bytes" * 1000)}
    assert LocalStore(root).get_blob(digests.pop()) == b"shared bytes" * 1000
    assert files_under(tmp_path / "store" / "tmp") == []


def test_concurrent_ledger_appends_never_interleave(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    root, workers, rows = str(tmp_path / "store"), 4, 200
    barrier = ctx.Barrier(workers)
    procs = [ctx.Process(target=_ledger_worker, args=(root, n, rows, barrier)) for n in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    lines = (tmp_path / "store" / "ledger.jsonl").read_bytes().split(b"\n")
    assert lines[-1] == b""
    parsed = [json.loads(line) for line in lines[:-1]]
    assert len(parsed) == workers * rows
    for n in range(workers):
        assert [r["i"] for r in parsed if r["writer"] == n] == list(range(rows))
    assert LocalStore(root).read_ledger() == parsed


def test_ledger_round_trip_keeps_rows_whole(store: LocalStore) -> None:
    assert store.read_ledger() == []
    rows = [{"cost": 0.01, "note": "line\nbreak"}, {"note": "sep\u2028arator é"}]
    for row in rows:
        store.append_ledger(row)
    assert store.read_ledger() == rows
    # A torn last line (a crash mid-append) is skipped, not fatal.
    with open(Path(store.root) / "ledger.jsonl", "ab") as f:
        f.write(b'{"cost": 0.')
    assert store.read_ledger() == rows


# -- crash safety -------------------------------------------------------------

_CRASH_CHILD = """
import os, sys
from imgvar.store import LocalStore
store = LocalStore(sys.argv[1])
os.fsync = lambda fd: os.kill(os.getpid(), 9)  # die after writing, before publishing
store.put_entry(sys.argv[2], {"data": "x" * 2_000_000})
"""


def test_crash_mid_write_leaves_no_entry(store: LocalStore) -> None:
    key = key_of(9)
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run(
        [sys.executable, "-c", _CRASH_CHILD, store.root, key], env=env, capture_output=True, timeout=30
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    assert store.get_entry(key) is None
    assert files_under(Path(store.root) / "entries") == []
    leftovers = files_under(Path(store.root) / "tmp")
    assert len(leftovers) == 1
    assert store.cleanup_tmp() == 0  # too fresh to be a dead writer's
    assert store.cleanup_tmp(older_than_s=0) == 1
    assert files_under(Path(store.root) / "tmp") == []
    assert store.put_entry(key, {"data": "ok"}) is True


def test_cleanup_tmp_only_removes_old_files(store: LocalStore) -> None:
    tmp = Path(store.root) / "tmp"
    tmp.mkdir(parents=True)
    old, new = tmp / "entry-old.tmp", tmp / "entry-new.tmp"
    old.write_bytes(b"partial")
    new.write_bytes(b"partial")
    past = time.time() - 7200
    os.utime(old, (past, past))
    assert store.cleanup_tmp(older_than_s=3600) == 1
    assert not old.exists() and new.exists()


# -- runs ---------------------------------------------------------------------


def test_run_save_and_get(store: LocalStore) -> None:
    record = {"prompt": "a cat in the style of Monet", "outputs": ["ab" * 32]}
    run_id = store.save_run(record)
    assert is_run_id(run_id)
    assert "run_id" not in record  # the caller's dict is left alone
    assert store.get_run(run_id) == {**record, "run_id": run_id}
    month = f"{run_id[:4]}-{run_id[4:6]}"
    assert (Path(store.root) / "runs" / month / f"{run_id}.json").is_file()


def test_run_ids_sort_by_time(store: LocalStore) -> None:
    ids = [store.save_run({"n": n}) for n in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5


def test_run_prefix_lookup(store: LocalStore) -> None:
    first = store.save_run({"n": 1})
    second = store.save_run({"n": 2})
    shared = os.path.commonprefix([first, second])
    assert store.get_run(first[: len(shared) + 1]) == {"n": 1, "run_id": first}
    assert store.get_run(second[: len(shared) + 1]) == {"n": 2, "run_id": second}
    assert store.get_run(shared) is None  # ambiguous
    assert store.get_run("1999") is None
    assert store.get_run("../x") is None
    assert store.get_run("") is None


def test_list_runs_newest_first(store: LocalStore) -> None:
    assert store.list_runs() == []
    ids = [store.save_run({"n": n}) for n in range(5)]
    assert [r["run_id"] for r in store.list_runs()] == ids[::-1]
    assert [r["n"] for r in store.list_runs(limit=2)] == [4, 3]
    assert store.list_runs(limit=0) == []


def test_unreadable_run_is_skipped(store: LocalStore) -> None:
    good = store.save_run({"n": 1})
    bad = store.save_run({"n": 2})
    path = Path(store.root) / "runs" / f"{bad[:4]}-{bad[4:6]}" / f"{bad}.json"
    path.write_text("{not json", "utf-8")
    assert store.get_run(bad) is None
    assert [r["run_id"] for r in store.list_runs()] == [good]


# -- failures -----------------------------------------------------------------


@pytest.mark.parametrize(
    "write",
    [
        lambda s: s.put_blob(b"x"),
        lambda s: s.put_entry(key_of(10), {"v": 1}),
        lambda s: s.save_run({"v": 1}),
        lambda s: s.append_ledger({"v": 1}),
    ],
    ids=["blob", "entry", "run", "ledger"],
)
def test_root_blocked_by_a_file(tmp_path: Path, write: Callable[[LocalStore], object]) -> None:
    root = tmp_path / "store"
    root.write_text("not a directory")
    with pytest.raises(StoreError) as info:
        write(LocalStore(root))
    assert str(root) in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == ExitCode.OUTPUT


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions")
def test_root_without_permission(tmp_path: Path) -> None:
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=re.escape(str(parent / "store"))):
            LocalStore(parent / "store").put_blob(b"x")
    finally:
        parent.chmod(0o700)


def test_root_is_created_with_parents(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "a" / "b" / "store")
    digest = store.put_blob(b"x")
    assert store.get_blob(digest) == b"x"


# -- maintenance --------------------------------------------------------------


def test_stats_counts_and_bytes(store: LocalStore) -> None:
    store.put_blob(b"12345")
    store.put_blob(b"abc")
    store.put_entry(key_of(11), {"v": 1})
    store.save_run({"v": 1})
    store.append_ledger({"v": 1})
    stats = store.stats()
    assert stats["blobs"] == {"count": 2, "bytes": 8}
    assert stats["entries"]["count"] == 1 and stats["entries"]["bytes"] > 0
    assert stats["runs"]["count"] == 1 and stats["runs"]["bytes"] > 0
    assert stats["tmp"] == {"count": 0, "bytes": 0}
    assert stats["ledger"]["count"] == 1


def test_clear_by_kind(store: LocalStore) -> None:
    digest = store.put_blob(b"x")
    key = key_of(12)
    store.put_entry(key, {"v": 1})
    run_id = store.save_run({"v": 1})
    store.append_ledger({"v": 1})
    assert store.clear("cache") == {"blobs": 1, "entries": 1, "tmp": 0}
    assert store.get_blob(digest) is None and store.get_entry(key) is None
    assert store.get_run(run_id) is not None and store.read_ledger() == [{"v": 1}]
    assert store.clear("all") == {"blobs": 0, "entries": 0, "runs": 1, "tmp": 0, "ledger": 1}
    assert store.list_runs() == [] and store.read_ledger() == []
    with pytest.raises(ValueError):
        store.clear("everything")


# -- damaged entries are replaced; text that is not UTF-8 -----------------------


def _entry_path(store: LocalStore, key: str) -> Path:
    return Path(store.root) / "entries" / key[:2] / f"{key}.json"


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],  # torn JSON
    lambda text: "[]",  # JSON, not an object
    lambda text: text.replace('"first"', '"firsu"'),  # one flipped bit, still valid JSON
    lambda text: text.replace('"entry": {', '"entry": [{').replace("\n  },", "\n  }],", 1),  # wrong shape
])
def test_put_entry_replaces_a_damaged_entry_but_not_a_healthy_one(store: LocalStore, damage) -> None:
    key = key_of(20)
    store.put_entry(key, {"v": "first"})
    path = _entry_path(store, key)
    path.write_text(damage(path.read_text()))
    assert store.put_entry(key, {"v": "second"}) is True
    assert store.get_entry(key) == {"v": "second"}
    assert store.put_entry(key, {"v": "third"}) is False  # healthy now: create-if-absent again
    assert store.get_entry(key) == {"v": "second"}
    assert files_under(Path(store.root) / "tmp") == []


def test_put_entry_replace_overrides_a_healthy_entry(store: LocalStore) -> None:
    key = key_of(21)
    store.put_entry(key, {"v": "old"})
    assert store.put_entry(key, {"v": "new"}, replace=True) is True
    assert store.get_entry(key) == {"v": "new"}
    assert files_under(Path(store.root) / "tmp") == []


def test_a_changed_value_fails_the_entry_check(store: LocalStore) -> None:
    key = key_of(22)
    store.put_entry(key, {"image": "ab" * 32, "data": {"n": 1}})
    path = _entry_path(store, key)
    doc = json.loads(path.read_text())
    assert re.fullmatch(r"[0-9a-f]{64}", doc["check"])
    doc["entry"]["image"] = "!b" + "ab" * 31  # one bit: 'a' (0x61) -> '!' (0x21)
    path.write_text(json.dumps(doc))
    assert store.get_entry(key) is None


def test_an_entry_without_a_check_is_read_as_before(store: LocalStore) -> None:
    key = key_of(23)
    path = _entry_path(store, key)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"key": key, "created": "2026-01-01T00:00:00Z", "entry": {"v": 1}}))
    assert store.get_entry(key) == {"v": 1}


def test_run_records_with_lone_surrogates_are_saved(store: LocalStore) -> None:
    record = {"prompt": "van gogh \udcff", "input": {"source": "/tmp/caf\udce9.png"}, "list": ["\ud800"],
              "keys": {"na\udcefve": 1}}
    run_id = store.save_run(record)
    got = store.get_run(run_id)
    assert got["prompt"] == "van gogh \ufffd"
    assert got["input"]["source"] == "/tmp/caf\ufffd.png"
    assert got["list"] == ["\ufffd"] and got["keys"] == {"na\ufffdve": 1}


def test_entries_and_ledger_rows_with_lone_surrogates_are_stored(store: LocalStore) -> None:
    key = key_of(24)
    assert store.put_entry(key, {"output_prompt": "x \udcff"}) is True
    assert store.get_entry(key) == {"output_prompt": "x \ufffd"}  # and it passes its check
    store.append_ledger({"run": "r\udcff"})
    assert store.read_ledger() == [{"run": "r\ufffd"}]


def test_content_keys_of_lone_surrogates_are_stable_and_distinct() -> None:
    odd = content_key("s", "e", "1", {"prompt": "caf\udce9"}, {})
    assert odd == content_key("s", "e", "1", {"prompt": "caf\udce9"}, {})
    assert odd != content_key("s", "e", "1", {"prompt": "caf\ufffd"}, {})
    assert odd != content_key("s", "e", "1", {"prompt": "caf\udcea"}, {})


def test_raw_pixel_blobs_round_trip_and_reject_damage() -> None:
    from PIL import Image

    from imgvar.imageio import pixel_digest
    from imgvar.store.pixels import decode_raw, encode_raw

    for mode, color in (("RGB", (1, 2, 3)), ("RGBA", (1, 2, 3, 4)), ("L", 9)):
        image = Image.new(mode, (5, 3), color)
        data, digest = encode_raw(image)
        assert digest == pixel_digest(image) == sha256_hex(data)
        back = decode_raw(data)
        assert back.mode == mode and back.size == (5, 3) and back.tobytes() == image.tobytes()
    data, _ = encode_raw(Image.new("RGB", (5, 3)))
    for bad in (data[:-1], data + b"\0", b"RGB 5x4\n" + data[8:], b"CMYK 5x3\n" + data[8:], b"\x89PNG" + data):
        with pytest.raises(ValueError):
            decode_raw(bad)
    with pytest.raises(ValueError):
        encode_raw(Image.new("CMYK", (2, 2)))
