"""A lock across machines: a lease on a blob, renewed while held.

A lease expires on its own `lease_s` after the last renewal, so a holder that
dies (killed, network gone) frees the lock within that time; a live holder
renews it every third of that time from a background thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import StoreError

log = logging.getLogger(__name__)

_POLL_S = 0.5  # between attempts while another holder has the lease


class LockTimeout(StoreError):
    """Another holder kept the lock for longer than the caller would wait."""


@contextmanager
def hold_lease(blob: Any, *, wait_s: float, lease_s: int = 30) -> Iterator[None]:
    """Hold the lease on `blob` (a BlobClient of an existing blob) for the duration of the block.

    Waits at most `wait_s` for another holder; then raises StoreError rather than pay twice.
    """
    from azure.core.exceptions import ResourceExistsError

    deadline = time.monotonic() + wait_s
    while True:
        try:
            lease = blob.acquire_lease(lease_duration=lease_s)
            break
        except ResourceExistsError:  # LeaseAlreadyPresent: someone is making this result
            if time.monotonic() >= deadline:
                raise LockTimeout(f"another process has held the lock on this result for over {wait_s:g} s; "
                                 "try again later (azure_blob.lock_wait sets how long to wait)") from None
            time.sleep(min(_POLL_S, max(0.0, deadline - time.monotonic())))
    stop = threading.Event()
    renewer = threading.Thread(target=_renew, args=(lease, lease_s / 3, stop), name="imgvar-lease", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        try:
            lease.release()
        except Exception:  # expired or unreachable: it frees itself within lease_s
            log.debug("lease release failed", exc_info=True)


def _renew(lease: Any, every_s: float, stop: threading.Event) -> None:
    while not stop.wait(every_s):
        try:
            lease.renew()
        except Exception:  # keep trying: one failed renewal leaves two more before expiry
            log.debug("lease renewal failed", exc_info=True)
