#!/usr/bin/env python3
"""Put/get latency and throughput of the Azure store against the local store, and a cached `run`.

Starts Azurite (the Azure Storage emulator, from scripts/install-azurite) on a free
loopback port and, side by side in one run:

    blobs     put_blob and get_blob of 1 KB, 1 MB and 10 MB of random bytes: the
              local store (a directory) and the container alone (AzureBlobStore);
              median milliseconds per call and MB/s, and the ratio azure / local
    run       `imgvar run PHOTO "pencil sketch"` as a fresh process, repeated so that
              every stage is a cache hit: with store = "local", with store = "azure"
              on the machine that made it (read through the local copy), and with
              store = "azure" on a second machine with an empty home (every stage
              read from the container once, then kept)

Azurite runs on this machine, so the network part is loopback: the figures show
the store's own overhead (HTTP, signing, JSON, hashing), not an internet round trip.

    .venv/bin/python benchmarks/store.py [--repeat 5] [--json]

A measurement, not a test: it exits 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the Azurite launcher the tests use

SIZES = {"1 KB": 1 << 10, "1 MB": 1 << 20, "10 MB": 10 << 20}


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_blobs(stores: dict[str, object], repeat: int) -> list[dict]:
    rows = []
    for label, size in SIZES.items():
        for name, store in stores.items():
            puts, gets = [], []
            for _ in range(repeat):
                data = os.urandom(size)  # new content each time: every put really writes
                t = time.perf_counter()
                digest = store.put_blob(data)
                puts.append(time.perf_counter() - t)
                t = time.perf_counter()
                assert store.get_blob(digest) == data
                gets.append(time.perf_counter() - t)
            put_ms, get_ms = _median_ms(puts), _median_ms(gets)
            rows.append({"size": label, "store": name, "put_ms": round(put_ms, 2), "get_ms": round(get_ms, 2),
                         "put_MBps": round(size / 1e6 / (put_ms / 1000), 1),
                         "get_MBps": round(size / 1e6 / (get_ms / 1000), 1)})
    return rows


def _imgvar(home: Path, env: dict[str, str], photo: Path, out: Path) -> float:
    full = {k: v for k, v in os.environ.items() if not k.startswith("IMGVAR_")}
    full.update(env, IMGVAR_HOME=str(home))
    t = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "imgvar"), "run", str(photo), "pencil sketch", "--out",
                           str(out), "-q"], env=full, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(f"imgvar run failed: {done.stderr.strip()}")
    return seconds


def bench_run(azure_env: dict[str, str], repeat: int, work: Path) -> list[dict]:
    from conftest import make_photo

    photo = work / "photo.jpg"
    make_photo((1600, 1200)).save(photo, quality=92)
    out = work / "out.png"
    rows = []
    for name, env in (("local", {"IMGVAR_STORE": "local"}), ("azure", azure_env)):
        home = work / f"home-{name}"
        first = _imgvar(home, env, photo, out)  # computes and stores
        repeats = [_imgvar(home, env, photo, out) for _ in range(repeat)]
        rows.append({"case": f"{name}: first run (computes)", "seconds": round(first, 3)})
        rows.append({"case": f"{name}: repeat on the same machine", "seconds": round(statistics.median(repeats), 3)})
    fresh = [_imgvar(work / f"home-fresh-{n}", azure_env, photo, out) for n in range(repeat)]
    rows.append({"case": "azure: second machine, empty home", "seconds": round(statistics.median(fresh), 3)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="calls per case (the median is printed)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()

    from azure.storage.blob import BlobServiceClient
    from azurite import Azurite

    from imgvar.store.azure_blob import AzureBlobStore
    from imgvar.store.local import LocalStore

    with Azurite() as service, tempfile.TemporaryDirectory(prefix="imgvar-bench-store-") as tmp:
        work = Path(tmp)
        client = BlobServiceClient.from_connection_string(service.connection_string)
        container = client.get_container_client("bench" + uuid.uuid4().hex[:8])
        container.create_container()
        stores = {"local": LocalStore(work / "local"), "azure": AzureBlobStore(container)}
        blobs = bench_blobs(stores, args.repeat)
        azure_env = {"IMGVAR_STORE": "azure", "AZURE_STORAGE_CONNECTION_STRING": service.connection_string,
                     "IMGVAR_AZURE_BLOB_CONTAINER": "run" + uuid.uuid4().hex[:8]}
        runs = bench_run(azure_env, args.repeat, work)

    if args.json:
        print(json.dumps({"blobs": blobs, "run": runs}, indent=2))
        return
    print(f"blobs (median of {args.repeat}; Azurite on loopback)")
    print(f"{'size':>6} {'store':<6} {'put ms':>9} {'get ms':>9} {'put MB/s':>9} {'get MB/s':>9} {'put x':>7} {'get x':>7}")
    by = {(r["size"], r["store"]): r for r in blobs}
    for r in blobs:
        local = by[(r["size"], "local")]
        ratio_put = r["put_ms"] / local["put_ms"] if local["put_ms"] else float("nan")
        ratio_get = r["get_ms"] / local["get_ms"] if local["get_ms"] else float("nan")
        print(f"{r['size']:>6} {r['store']:<6} {r['put_ms']:>9.2f} {r['get_ms']:>9.2f} {r['put_MBps']:>9.1f} "
              f"{r['get_MBps']:>9.1f} {ratio_put:>7.1f} {ratio_get:>7.1f}")
    print("  (x = time against the local store's, same size)")
    print(f"\ncached `imgvar run` (1600x1200 photo, pencil sketch; median of {args.repeat} processes)")
    for r in runs:
        print(f"  {r['case']:<40} {r['seconds']:>7.3f} s")


if __name__ == "__main__":
    main()
