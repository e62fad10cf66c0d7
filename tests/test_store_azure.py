"""The Azure store on Azurite: several machines sharing one container, credentials, faults,
single flight across processes, and the `imgvar store` commands."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from azurite import KEY, Azurite, connection_string, free_port
from conftest import make_photo

from imgvar import api
from imgvar.config import load_settings
from imgvar.errors import StoreError, UsageError
from imgvar.store.factory import open_azure, open_store
from imgvar.store.lease import LockTimeout
from imgvar.store.read_through import ReadThroughStore, forget_failures

WRONG_KEY = KEY[:10] + ("A" if KEY[10] != "A" else "B") + KEY[11:]


def imgvar(home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120,
           **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """`imgvar ARGS` in a process of its own, as on a machine whose home is `home`."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("IMGVAR_")}
    full.update(env or {})
    full["IMGVAR_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "imgvar", *args], env=full, capture_output=True, text=True,
                          timeout=timeout, **kwargs)


def stages_cached(stdout: str) -> list[bool]:
    return [stage["cache_hit"] for stage in json.loads(stdout)["stages"]]


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "photo.png"
    make_photo((160, 120)).save(path)
    return path


# -- credentials and settings ---------------------------------------------------------------

def test_no_credentials_is_a_usage_error_naming_the_settings(monkeypatch) -> None:
    monkeypatch.setenv("IMGVAR_STORE", "azure")
    with pytest.raises(UsageError, match="azure_blob.connection_string.*AZURE_STORAGE_CONNECTION_STRING"):
        open_store(load_settings())


def test_a_malformed_connection_string_says_so_in_one_line(monkeypatch) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", "not a connection string")
    with pytest.raises(UsageError, match="azure_blob.connection_string is not a valid connection string"):
        open_azure(load_settings())


@pytest.mark.parametrize("bad", ["UPPER", "ab", "a--b", "-abc", "x" * 64])
def test_container_names_are_checked(monkeypatch, bad: str) -> None:
    from imgvar.errors import ConfigError

    monkeypatch.setenv("IMGVAR_AZURE_BLOB_CONTAINER", bad)
    if bad == "UPPER":  # values are lower-cased like other names; UPPER becomes "upper"
        assert load_settings()["azure_blob.container"] == "upper"
        return
    with pytest.raises(ConfigError, match="azure_blob.container"):
        load_settings()


def test_an_account_url_without_azure_identity_says_what_to_install(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_identity(name, *args, **kwargs):
        if name.startswith("azure.identity"):
            raise ImportError("No module named 'azure.identity'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_identity)
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_ACCOUNT_URL", "https://acct.blob.core.windows.net")
    with pytest.raises(UsageError, match=r"imgvar\[entra\]"):
        open_azure(load_settings())
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_ACCOUNT_URL", "acct.blob.core.windows.net")
    with pytest.raises(UsageError, match="must be a URL"):
        open_azure(load_settings())


def test_a_wrong_key_names_the_setting_and_never_shows_the_key(azurite, tmp_path: Path) -> None:
    env = {"IMGVAR_STORE": "azure", "AZURE_STORAGE_CONNECTION_STRING": connection_string(azurite.port, WRONG_KEY)}
    done = imgvar(tmp_path / "home", "store", "stats", env=env)
    assert done.returncode == 7
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "azure_blob.connection_string" in lines[0] and "403" in lines[0]
    assert WRONG_KEY not in done.stderr + done.stdout and WRONG_KEY[:20] not in done.stderr


def test_a_run_with_a_wrong_key_still_finishes_and_keeps_its_result(azurite, tmp_path: Path, photo_file) -> None:
    env = {"IMGVAR_STORE": "azure", "AZURE_STORAGE_CONNECTION_STRING": connection_string(azurite.port, WRONG_KEY)}
    out = tmp_path / "out.png"
    done = imgvar(tmp_path / "home", "run", str(photo_file), "pencil sketch", "--out", str(out), "-q", env=env)
    assert done.returncode == 0, done.stderr
    assert out.exists()
    warnings = [line for line in done.stderr.splitlines() if "Azure store" in line]
    assert len(warnings) == 1 and "imgvar store sync" in warnings[0] and "azure_blob.connection_string" in warnings[0]
    assert WRONG_KEY not in done.stderr
    assert list((tmp_path / "home" / "store" / "runs").rglob("*.json"))  # the run is kept locally


def test_a_sas_url_gives_access_and_its_token_is_never_shown(azurite, tmp_path: Path, monkeypatch) -> None:
    from datetime import datetime, timedelta, timezone

    from azure.storage.blob import (
        BlobServiceClient,
        ContainerSasPermissions,
        generate_container_sas,
    )

    name = "sas" + uuid.uuid4().hex[:12]
    BlobServiceClient.from_connection_string(azurite.connection_string).create_container(name)
    token = generate_container_sas("devstoreaccount1", name, account_key=KEY,
                                   permission=ContainerSasPermissions(read=True, write=True, list=True, delete=True,
                                                                      create=True),
                                   expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    url = f"http://127.0.0.1:{azurite.port}/devstoreaccount1/{name}?{token}"
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_SAS_URL", url)
    store = open_azure(load_settings())
    digest = store.put_blob(b"through a SAS")
    assert store.get_blob(digest) == b"through a SAS"
    assert token not in store.location and store.location.endswith(f"/{name}")
    # A read-only token cannot write: the error names the setting and hides the token.
    reader = generate_container_sas("devstoreaccount1", name, account_key=KEY,
                                    permission=ContainerSasPermissions(read=True),
                                    expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_SAS_URL", url.split("?")[0] + "?" + reader)
    with pytest.raises(StoreError, match="azure_blob.sas_url") as caught:
        open_azure(load_settings()).put_blob(b"not allowed")
    from imgvar.secrets import redact

    assert reader.split("sig=")[1][:10] not in redact(str(caught.value))
    # A token for a container that does not exist cannot create it: the message says what to do.
    gone = "gone" + uuid.uuid4().hex[:10]
    token = generate_container_sas("devstoreaccount1", gone, account_key=KEY,
                                   permission=ContainerSasPermissions(read=True, write=True, create=True),
                                   expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_SAS_URL", f"http://127.0.0.1:{azurite.port}/devstoreaccount1/{gone}?{token}")
    with pytest.raises(StoreError, match=f"container '{gone}' does not exist and azure_blob.sas_url may not create it"):
        open_azure(load_settings()).put_blob(b"nowhere")


def test_a_missing_container_reads_as_empty_and_is_created_on_first_write(azure_store_env) -> None:
    store = open_azure(load_settings())
    assert store.get_blob("0" * 64) is None
    assert store.list_runs() == [] and store.read_ledger() == []
    digest = store.put_blob(b"first")
    assert store.get_blob(digest) == b"first"


def test_the_prefix_keeps_two_stores_apart_in_one_container(azure_store_env, monkeypatch) -> None:
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_PREFIX", "team-a")
    a = open_azure(load_settings())
    monkeypatch.setenv("IMGVAR_AZURE_BLOB_PREFIX", "team-b")
    b = open_azure(load_settings())
    a.save_run({"command": "run"})
    a.append_ledger({"usd": 1})
    assert b.list_runs() == [] and b.read_ledger() == []
    assert len(a.list_runs()) == 1 and a.location.endswith("/team-a")


def test_a_damaged_blob_in_the_container_reads_as_absent_and_is_written_again(azure_store_env) -> None:
    store = open_azure(load_settings())
    data = b"the real bytes" * 100
    digest = store.put_blob(data)
    store.replace(store.blob_name(digest), b"flipped" + data[7:], "application/octet-stream")
    assert store.get_blob(digest) is None
    store.put_blob(data)
    assert store.get_blob(digest) == data


def test_an_upload_that_fails_half_way_leaves_no_blob(azurite) -> None:
    import io

    from azure.storage.blob import BlobServiceClient

    from imgvar.store.azure_blob import AzureBlobStore

    class Breaks(io.BytesIO):
        """A stream that fails after its first megabyte, as a dropped connection would."""

        def read(self, size: int = -1) -> bytes:
            if self.tell() >= 1 << 20:
                raise OSError("connection lost")
            return super().read(size)

    # Small blocks, so the upload is staged block by block and committed at the end.
    service = BlobServiceClient.from_connection_string(azurite.connection_string, max_single_put_size=256 * 1024,
                                                       max_block_size=256 * 1024)
    store = AzureBlobStore(service.get_container_client("half" + uuid.uuid4().hex[:10]))
    data = os.urandom(3 << 20)
    with pytest.raises(Exception):
        store.create("blobs/ab/partial", Breaks(data))
    assert store.read("blobs/ab/partial") is None
    assert store.create("blobs/ab/partial", data) is True  # and the name is still free for a whole upload
    assert store.read("blobs/ab/partial") == data


# -- several machines -------------------------------------------------------------------------

def test_each_machine_sees_every_ledger_row_once_and_fetches_it_once(azure_store_env, tmp_path: Path,
                                                                     monkeypatch) -> None:
    from imgvar.store.local import LocalStore

    remote = open_azure(load_settings())
    a = ReadThroughStore(LocalStore(tmp_path / "a"), remote)
    b = ReadThroughStore(LocalStore(tmp_path / "b"), remote)
    for n in range(3):
        a.append_ledger({"time": "2026-12-06T10:00:00Z", "usd": 0.01, "n": n})
    b.append_ledger({"time": "2026-12-06T11:00:00Z", "usd": 0.02, "n": 9})
    for store in (a, b):
        assert sorted(r["n"] for r in store.read_ledger()) == [0, 1, 2, 9]
    fetched = []
    monkeypatch.setattr(remote, "read", lambda name: fetched.append(name))
    assert sorted(r["n"] for r in b.read_ledger()) == [0, 1, 2, 9]
    assert fetched == []  # the other machine's rows were kept at the first read



def test_a_second_machine_gets_the_first_ones_result_and_a_repeat_reads_nothing(tmp_path: Path,
                                                                                  photo_file) -> None:
    with Azurite(debug_log=tmp_path / "requests.log") as service:  # its own, to see every request
        env = {"IMGVAR_STORE": "azure", "AZURE_STORAGE_CONNECTION_STRING": service.connection_string}
        first = imgvar(tmp_path / "machine-a", "run", str(photo_file), "in Van Gogh style", "--out",
                       str(tmp_path / "a.png"), "--json", env=env)
        assert first.returncode == 0, first.stderr
        assert not any(stages_cached(first.stdout))
        second = imgvar(tmp_path / "machine-b", "run", str(photo_file), "in Van Gogh style", "--out",
                        str(tmp_path / "b.png"), "--json", env=env)
        assert second.returncode == 0, second.stderr
        assert all(stages_cached(second.stdout))
        assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
        assert any(method == "GET" and "/entries/" in path for method, path in service.requests())

        before = len(service.requests())
        repeat = imgvar(tmp_path / "machine-b", "run", str(photo_file), "in Van Gogh style", "--out",
                        str(tmp_path / "b2.png"), "--json", env=env)
        assert repeat.returncode == 0, repeat.stderr
        assert all(stages_cached(repeat.stdout))
        sent = service.requests()[before:]
        # Only the new run record goes out; nothing is read, nothing uploaded again.
        assert [method for method, _ in sent] == ["PUT"] and "/runs/" in sent[0][1], sent


def test_a_down_service_costs_seconds_and_the_run_is_kept(tmp_path: Path, photo_file) -> None:
    env = {"IMGVAR_STORE": "azure", "AZURE_STORAGE_CONNECTION_STRING": connection_string(free_port())}
    started = time.monotonic()
    done = imgvar(tmp_path / "home", "run", str(photo_file), "pencil sketch", "--out", str(tmp_path / "o.png"),
                  env=env)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if "Azure store" in line][0].count("cannot reach") == 1
    assert len([line for line in done.stderr.splitlines() if "Azure store" in line]) == 1
    assert seconds < 12  # one failed request with its two quick retries, not the SDK's minute


def _kill_on_first_stage(service: Azurite):
    def progress(event: str, stage: str, info: dict | None = None) -> None:
        if event == "start" and service.process is not None:
            service.stop()
    return progress


def test_a_ledger_row_written_twice_is_stored_once(azure_store_env, tmp_path: Path) -> None:
    from imgvar.store.local import LocalStore

    remote = open_azure(load_settings())
    row = {"id": "20261206T100000.000Z-0a1b2c3d", "time": "2026-12-06T10:00:00Z", "usd": 0.05}
    remote.append_ledger(row)
    remote.append_ledger(row)  # a retry of an upload whose answer was lost
    assert remote.read_ledger() == [row]
    both = ReadThroughStore(LocalStore(tmp_path / "store"), remote)
    both.append_ledger(row)
    assert both.read_ledger() == [row]


def test_paid_calls_recorded_while_the_container_was_down_are_synced_once(tmp_path: Path, caplog) -> None:
    from imgvar.store.local import LocalStore

    service = Azurite().start()
    try:
        def store_at(home: str) -> ReadThroughStore:
            from azure.storage.blob import BlobServiceClient

            from imgvar.config import load_settings as settings_of
            from imgvar.store.azure_access import transport_options
            from imgvar.store.azure_blob import AzureBlobStore

            options = transport_options(settings_of(environ={}))
            client = BlobServiceClient.from_connection_string(service.connection_string, **options)
            return ReadThroughStore(LocalStore(tmp_path / home), AzureBlobStore(client.get_container_client("ledger")))

        forget_failures()
        a = store_at("a")
        a.append_ledger({"time": "2026-12-06T10:00:00Z", "usd": 0.01, "n": 1})
        service.stop()
        a.append_ledger({"time": "2026-12-06T10:01:00Z", "usd": 0.02, "n": 2})  # down: kept here, said once
        a.append_ledger({"time": "2026-12-06T10:02:00Z", "usd": 0.03, "n": 3})
        assert len([r for r in caplog.records if "Azure store" in r.getMessage()]) == 1
        assert sorted(r["n"] for r in a.read_ledger()) == [1, 2, 3]  # the budget still counts them

        service = Azurite(port=service.port).start()  # back, and empty
        forget_failures()
        assert a.sync()["ledger"]["uploaded"] == 3
        assert a.sync()["ledger"]["uploaded"] == 0
        assert sorted(r["n"] for r in store_at("b").read_ledger()) == [1, 2, 3]
    finally:
        service.stop()


def test_azurite_killed_mid_run_then_restarted_and_synced(tmp_path: Path, monkeypatch, caplog, photo_file) -> None:
    from imgvar.store.local import LocalStore

    service = Azurite().start()
    try:
        monkeypatch.setenv("IMGVAR_STORE", "azure")
        monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", service.connection_string)
        forget_failures()
        result = api.run(str(photo_file), "in watercolor", out=tmp_path / "w.png",
                         progress=_kill_on_first_stage(service))
        assert (tmp_path / "w.png").exists() and result.run_id
        assert [r for r in caplog.records if "Azure store" in r.getMessage()]
        local = LocalStore(Path(os.environ["IMGVAR_HOME"]) / "store")
        assert local.get_run(result.run_id) is not None
        held = {"blobs": len(list(local.blob_digests())), "entries": len(list(local.entry_keys())), "runs": 1}

        service = Azurite(port=service.port).start()  # back, and empty (it kept nothing in memory)
        forget_failures()
        from imgvar.store import admin

        report = admin.sync(load_settings())["kinds"]
        assert {k: report[k]["uploaded"] for k in held} == held
        again = admin.sync(load_settings())["kinds"]
        assert all(v["uploaded"] == 0 for v in again.values())  # nothing is uploaded twice
        assert {k: again[k]["in_container"] for k in held} == held

        # Another machine now gets the result from the container.
        monkeypatch.setenv("IMGVAR_HOME", str(tmp_path / "machine-c"))
        other = api.run(str(photo_file), "in watercolor", out=tmp_path / "c.png")
        assert other.cached
        assert (tmp_path / "c.png").read_bytes() == (tmp_path / "w.png").read_bytes()
    finally:
        service.stop()


# -- single flight across machines ------------------------------------------------------------

def _hold(conn: str, container: str, key: str, seconds: float, log: Any, lease_seconds: int = 15) -> None:
    from azure.storage.blob import BlobServiceClient

    from imgvar.store.azure_blob import AzureBlobStore

    client = BlobServiceClient.from_connection_string(conn).get_container_client(container)
    store = AzureBlobStore(client, lock_wait=60, lease_seconds=lease_seconds)
    with store.lock(key):
        log.put(("in", time.time()))
        time.sleep(seconds)
        log.put(("out", time.time()))


def _remote(azurite: Azurite, container: str, **kwargs: Any):
    from azure.storage.blob import BlobServiceClient

    from imgvar.store.azure_blob import AzureBlobStore

    client = BlobServiceClient.from_connection_string(azurite.connection_string).get_container_client(container)
    return AzureBlobStore(client, **kwargs)


def _holders(azurite: Azurite, key: str, seconds: float, count: int = 1) -> tuple[str, list[Any], Any]:
    """`count` processes that each take the lock on `key` and hold it `seconds`, logging in and out."""
    container = "lk" + uuid.uuid4().hex[:12]
    _remote(azurite, container).ensure_container()
    ctx = multiprocessing.get_context("spawn")
    log = ctx.Queue()
    procs = [ctx.Process(target=_hold, args=(azurite.connection_string, container, key, seconds, log))
             for _ in range(count)]
    for p in procs:
        p.start()
    return container, procs, log


def test_the_lease_serialises_two_processes(azurite) -> None:
    _, procs, log = _holders(azurite, "cd" * 32, 2.0, count=2)
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    events = sorted((log.get(timeout=5) for _ in range(4)), key=lambda e: e[1])
    assert [e[0] for e in events] == ["in", "out", "in", "out"]  # never two inside at once


def test_the_lease_is_renewed_past_its_duration_and_a_waiter_gives_up_in_bounded_time(azurite) -> None:
    key = "ef" * 32
    container, (holder,), log = _holders(azurite, key, 20.0)
    try:
        assert log.get(timeout=30)[0] == "in"
        time.sleep(16)  # past the 15 s lease: only renewal keeps it held
        waiter = _remote(azurite, container, lock_wait=1.0)
        started = time.monotonic()
        with pytest.raises(LockTimeout, match="azure_blob.lock_wait"), waiter.lock(key):
            pass
        assert time.monotonic() - started < 5
    finally:
        holder.join(60)
    assert holder.exitcode == 0


def test_a_killed_holder_frees_the_lock_when_its_lease_runs_out(azurite) -> None:
    key = "0f" * 32
    container, (holder,), log = _holders(azurite, key, 300.0)
    assert log.get(timeout=30)[0] == "in"
    holder.kill()
    holder.join(10)
    started = time.monotonic()
    with _remote(azurite, container, lock_wait=40).lock(key):
        waited = time.monotonic() - started
    assert waited <= 17  # the 15 s lease ran out; no renewal came


def test_two_machines_asking_for_one_paid_result_at_once_pay_once(azure_store_env, fake_openai, tmp_path: Path,
                                                                   photo_file) -> None:
    from fake_openai import parser_plan_for

    fake_openai.plan_for = parser_plan_for
    fake_openai.fail_next("chat", "slow", delay=3.0)  # both are inside the run at the same time
    fake_openai.fail_next("edit", "slow", delay=3.0)
    env = dict(azure_store_env, OPENAI_API_KEY=fake_openai.api_key, OPENAI_BASE_URL=fake_openai.url + "/v1")
    args = ["run", str(photo_file), "in the style of a ukiyo-e woodblock print", "--engine", "openai", "--json"]
    procs = []
    for name in ("a", "b"):
        full = {k: v for k, v in os.environ.items() if not k.startswith("IMGVAR_")}
        full.update(env, IMGVAR_HOME=str(tmp_path / f"machine-{name}"))
        procs.append(subprocess.Popen([sys.executable, "-m", "imgvar", *args, "--out", str(tmp_path / f"{name}.png")],
                                      env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    assert len(fake_openai.calls("chat")) == 1
    assert len(fake_openai.calls("edit")) == 1
    costs = sorted(json.loads(o[0])["cost_usd"] for o in outs)
    assert costs[0] == 0 and costs[1] > 0  # one paid, the other read the result
    # Both machines' ledgers agree: one row per paid call, seen from either.
    for name in ("a", "b"):
        done = imgvar(tmp_path / f"machine-{name}", "cost", "--json", env=env)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["summary"]["calls"] == 2


# -- the store commands -----------------------------------------------------------------------

def test_store_commands_list_get_stats_prune_and_sync(azure_store_env, tmp_path: Path, photo_file) -> None:
    env = dict(azure_store_env)
    home = tmp_path / "home"
    assert imgvar(home, "run", str(photo_file), "pencil sketch", "--out", str(tmp_path / "p.png"), "-q",
                  env=env).returncode == 0

    listed = imgvar(home, "store", "ls", "--json", env=env)
    runs = json.loads(listed.stdout)["runs"]
    assert listed.returncode == 0 and len(runs) == 1
    run_id = runs[0]["run_id"]

    got = imgvar(tmp_path / "other", "store", "get", run_id[:16], "--out", str(tmp_path / "got.png"), env=env)
    assert got.returncode == 0, got.stderr
    assert (tmp_path / "got.png").read_bytes() == (tmp_path / "p.png").read_bytes()
    record = imgvar(home, "store", "get", run_id, "--record", "--out", "-", env=env)
    assert json.loads(record.stdout)["run_id"] == run_id
    missing = imgvar(home, "store", "get", "f" * 64, "--out", str(tmp_path / "x"), env=env)
    assert missing.returncode == 3 and "no run, blob or cache entry" in missing.stderr

    stats = json.loads(imgvar(home, "store", "stats", "--json", env=env).stdout)
    assert stats["store"] == "azure" and stats["remote"]["runs"]["count"] == 1
    assert stats["remote"]["blobs"]["count"] == stats["local"]["blobs"]["count"] >= 2

    refused = imgvar(home, "store", "prune", "--older-than", "0", "--remote", env=env)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    kept = json.loads(imgvar(home, "store", "prune", "--older-than", "1", "--remote", "--yes", "--json",
                             env=env).stdout)
    assert kept["local"]["runs"] == 0 and kept["remote"]["runs"] == 0
    pruned = json.loads(imgvar(home, "store", "prune", "--older-than", "0", "--remote", "--yes", "--json",
                               env=env).stdout)
    assert pruned["remote"]["runs"] == 1 and pruned["local"]["runs"] == 1 and pruned["remote"]["blobs"] >= 2
    after = json.loads(imgvar(home, "store", "stats", "--json", env=env).stdout)
    assert after["remote"]["blobs"]["count"] == 0 and after["local"]["runs"]["count"] == 0

    local_only = imgvar(home, "store", "sync", env={"IMGVAR_STORE": "local"})
    assert local_only.returncode == 2 and 'store = "azure"' in local_only.stderr


def test_store_commands_on_the_local_store(tmp_path: Path, photo_file) -> None:
    home = tmp_path / "home"
    assert imgvar(home, "run", str(photo_file), "pencil sketch", "--out", str(tmp_path / "p.png"), "-q").returncode == 0
    stats = json.loads(imgvar(home, "store", "stats", "--json").stdout)
    assert stats["store"] == "local" and stats["remote"] is None and stats["local"]["runs"]["count"] == 1
    refused = imgvar(home, "store", "prune", "--older-than", "0", "--remote", "--yes")
    assert refused.returncode == 2 and "--remote needs" in refused.stderr
