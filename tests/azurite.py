"""Azurite, the Azure Storage emulator from npm, as a process the tests and benchmarks start and stop.

`scripts/install-azurite` puts it in .cache/azurite; `Azurite.start()` runs its blob
service alone on a free loopback port, in memory, and waits until it answers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ACCOUNT = "devstoreaccount1"
# The emulator's well-known public development key (documented by Microsoft; not a secret).
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def binary() -> str | None:
    """The azurite-blob command: installed in .cache, or on PATH."""
    local = REPO / ".cache" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
    return str(local) if local.exists() else shutil.which("azurite-blob")


def unavailable_reason() -> str | None:
    """Why the Azure tests cannot run here, or None. Only a missing Node.js is a reason to skip."""
    if shutil.which("node") is None:
        return "Node.js is not installed, so Azurite (the Azure Storage emulator) cannot run"
    return None


def ensure_installed() -> str:
    """The azurite-blob command, installing it with scripts/install-azurite if needed."""
    found = binary()
    if found is None:
        subprocess.run([str(REPO / "scripts" / "install-azurite")], check=True)
        found = binary()
    if found is None:
        raise RuntimeError("Azurite is not installed and scripts/install-azurite could not install it")
    return found


def _scratch() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="azurite-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connection_string(port: int, key: str = KEY) -> str:
    return (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={key};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};")


class Azurite:
    """One Azurite blob service; `stop()` kills it (its in-memory data goes with it)."""

    def __init__(self, port: int | None = None, log_dir: Path | None = None, *, debug_log: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_dir = log_dir
        self.debug_log = debug_log  # where Azurite logs every request it gets (see `requests`)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def connection_string(self) -> str:
        return connection_string(self.port)

    def start(self, timeout: float = 30.0) -> Azurite:
        command = [ensure_installed(), "--blobHost", "127.0.0.1", "--blobPort", str(self.port),
                   "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry"]
        if self.debug_log is not None:
            command += ["--debug", str(self.debug_log)]
        log = open(os.devnull, "wb") if self.log_dir is None else open(self.log_dir / "azurite.log", "ab")
        with log:
            # Its working folder is the current one; a temp folder keeps the repository clean.
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=_scratch(),
                                            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Azurite exited at start with code {self.process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Azurite did not listen on port {self.port} within {timeout:g} s")

    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request received so far; needs `debug_log`."""
        if self.debug_log is None or not self.debug_log.exists():
            return []
        found = re.findall(r"RequestMethod=(\w+) RequestURL=https?://[^/\s]+(\S*)",
                           self.debug_log.read_text(encoding="utf-8", errors="replace"))
        return [(method, url) for method, url in found]

    def stop(self) -> None:
        """Kill it at once, as a crash would (no clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
        self.process = None

    def __enter__(self) -> Azurite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
