"""The model registry and downloads, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import typer
from typer.testing import CliRunner

from imgvar import models
from imgvar.errors import EngineError, UsageError
from imgvar.paths import models_dir
from imgvar.progress import listening

PAYLOAD = os.urandom(300_000)


class _Server:
    """Serves `files` (URL path -> bytes) with Content-Length; anything else is a 404."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.requests.append(self.path)
                body = outer.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = _Server({"/u2netp.onnx": PAYLOAD})
    yield srv
    srv.close()


def _checksum(monkeypatch, name: str, data: bytes) -> None:
    """Make the registry expect `data` for `name`, as if the publisher had released it."""
    spec = dataclasses.replace(models.MODELS[name], checksum="md5:" + hashlib.md5(data).hexdigest())
    monkeypatch.setitem(models.MODELS, name, spec)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _leftovers() -> list[str]:
    return sorted(p.name for p in models_dir().iterdir()) if models_dir().exists() else []


def test_registry_matches_rembg_sessions():
    """Names, file names and md5s are the ones rembg's own sessions use."""
    import inspect

    from rembg.sessions import sessions_class

    by_name = {c.name(): c for c in sessions_class}
    assert "bria-rmbg" not in models.MODELS  # its licence forbids commercial use
    for spec in models.MODELS.values():
        source = inspect.getsource(by_name[spec.name].download_models)
        assert spec.url in source, spec.name
        assert spec.checksum in source, spec.name
        assert spec.file_name == f"{spec.name}.onnx"
        assert spec.role == "matte" and spec.licence and spec.approx_bytes > 1_000_000


def test_list_models_reports_presence_and_size():
    rows = {m.name: m for m in models.list_models()}
    assert set(rows) == set(models.MODELS) | {models.CLIP}
    assert not any(m.present for m in rows.values())
    assert rows["isnet-general-use"].size_bytes is None
    models_dir().mkdir(parents=True)
    models.model_path("isnet-general-use").write_bytes(b"x" * 1234)
    rows = {m.name: m for m in models.list_models()}
    assert rows["isnet-general-use"].present and rows["isnet-general-use"].size_bytes == 1234
    assert rows["isnet-general-use"].path == str(models_dir() / "isnet-general-use.onnx")
    assert not rows["u2net"].present
    assert models.is_present("isnet-general-use") and not models.is_present("silueta")


def test_models_dir_env_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("IMGVAR_MODELS", str(tmp_path / "weights"))
    assert models.model_path("u2netp") == tmp_path / "weights" / "u2netp.onnx"


def test_unknown_name_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown model 'bria-rmbg'"):
        models.pull("bria-rmbg")


def test_pull_downloads_verifies_and_reports_progress(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    monkeypatch.setattr(models, "_CHUNK", 64 * 1024)
    _checksum(monkeypatch, "u2netp", PAYLOAD)
    seen: list[tuple[float, float, str]] = []
    with listening(lambda done, total, unit: seen.append((done, total, unit))):
        path = models.pull("u2netp", progress=True)
    assert path == models_dir() / "u2netp.onnx"
    assert path.read_bytes() == PAYLOAD
    assert _leftovers() == ["u2netp.onnx"]  # no temporary file left
    assert server.requests == ["/u2netp.onnx"]
    dones = [d for d, _, _ in seen]
    assert len(seen) >= 5 and dones == sorted(dones)
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD), "bytes")
    assert models.verify("u2netp")


def test_pull_keeps_a_verified_copy_without_the_network(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    _checksum(monkeypatch, "u2netp", PAYLOAD)
    first = models.pull_model("u2netp", progress=False)
    monkeypatch.setenv(models.URL_ENV, _closed_port_url())
    again = models.pull_model("u2netp", progress=False)
    assert first.downloaded and not again.downloaded
    assert again.path == first.path and again.size_bytes == len(PAYLOAD)


def test_pull_replaces_a_corrupt_copy(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    _checksum(monkeypatch, "u2netp", PAYLOAD)
    models_dir().mkdir(parents=True)
    models.model_path("u2netp").write_bytes(PAYLOAD[:1000])
    assert models.pull_model("u2netp", progress=False).downloaded
    assert models.model_path("u2netp").read_bytes() == PAYLOAD


def test_checksum_mismatch_is_refused_and_leaves_nothing(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    _checksum(monkeypatch, "u2netp", b"what the publisher released")
    with pytest.raises(EngineError, match="checksum mismatch for u2netp") as err:
        models.pull("u2netp", progress=False)
    assert "\n" not in str(err.value)
    assert _leftovers() == []
    assert not models.is_present("u2netp")


def test_offline_fails_fast_in_one_line(monkeypatch):
    url = _closed_port_url()
    monkeypatch.setenv(models.URL_ENV, url)
    start = time.monotonic()
    with pytest.raises(EngineError) as err:
        models.pull("isnet-general-use", progress=False)
    assert time.monotonic() - start < 5
    message = str(err.value)
    assert "\n" not in message
    assert url + "isnet-general-use.onnx" in message
    assert "retry when online" in message and str(models.model_path("isnet-general-use")) in message
    assert _leftovers() == []


def test_missing_file_on_the_server_names_the_http_status(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    with pytest.raises(EngineError, match="HTTP 404"):
        models.pull("silueta", progress=False)
    assert _leftovers() == []


def test_pull_role_uses_the_configured_model(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    monkeypatch.setenv("IMGVAR_MATTE_MODEL", "u2netp")
    _checksum(monkeypatch, "u2netp", PAYLOAD)
    assert models.pull("matte", progress=False) == models_dir() / "u2netp.onnx"


def test_published_url_without_override():
    assert models.download_url("birefnet-general-lite").startswith("https://github.com/danielgatis/rembg/")


def _cli() -> typer.Typer:
    from imgvar.cli.app import ImgvarGroup
    from imgvar.cli.models_cmd import register

    app = typer.Typer(cls=ImgvarGroup)

    @app.callback()
    def main() -> None:
        pass

    register(app)
    return app


def test_cli_list_and_pull(server, monkeypatch):
    monkeypatch.setenv(models.URL_ENV, server.url)
    monkeypatch.setenv("IMGVAR_MATTE_MODEL", "u2netp")
    _checksum(monkeypatch, "u2netp", PAYLOAD)
    runner, app = CliRunner(), _cli()

    listed = runner.invoke(app, ["models", "list"], prog_name="imgvar")
    assert listed.exit_code == 0, listed.output
    assert "* u2netp" in listed.output and "imgvar models pull matte" in listed.output

    pulled = runner.invoke(app, ["models", "pull", "--json"], prog_name="imgvar")
    assert pulled.exit_code == 0, pulled.output
    record = json.loads(pulled.stdout)
    assert record["name"] == "u2netp" and record["downloaded"] and record["size_bytes"] == len(PAYLOAD)

    rows = json.loads(runner.invoke(app, ["models", "list", "--json"]).stdout)["models"]
    u2netp = next(r for r in rows if r["name"] == "u2netp")
    assert u2netp["present"] and u2netp["default"] and u2netp["size_bytes"] == len(PAYLOAD)


def test_cli_pull_offline_exits_4_with_one_line(monkeypatch):
    monkeypatch.setenv(models.URL_ENV, _closed_port_url())
    result = CliRunner().invoke(_cli(), ["models", "pull", "u2net"], prog_name="imgvar")
    assert result.exit_code == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("imgvar: error: cannot download u2net from http://127.0.0.1:")
