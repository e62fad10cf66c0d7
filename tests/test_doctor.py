"""`imgvar doctor`: the report states real facts and never shows a secret."""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.config import load_settings
from imgvar.doctor import diagnose, footprint, render

runner = CliRunner()
SECRET = "sk-doctor-test-0123456789abcdef"


def engines(report) -> dict[str, object]:
    return {e.name: e for e in report.engines}


def test_versions_and_device_are_torchs_own():
    torch = pytest.importorskip("torch")
    report = diagnose()
    assert report.packages["torch"] == version("torch")
    assert report.packages["torch"].split("+")[0] == torch.__version__.split("+")[0]
    assert report.packages["Pillow"] == __import__("PIL").__version__
    expected = f"CUDA {torch.version.cuda}" if torch.version.cuda else "CPU-only"
    if not torch.version.cuda and getattr(torch.version, "hip", None):
        expected = f"ROCm {torch.version.hip}"
    assert report.torch_build == expected
    if torch.cuda.is_available():
        assert torch.cuda.get_device_name(0) in report.device
    else:
        assert report.device.startswith(("CPU", "MPS"))
    assert report.torch_import_s is not None and report.torch_import_s >= 0


def test_openai_needs_a_key_and_names_where_it_came_from(monkeypatch):
    without = engines(diagnose(check_device=False))
    assert without["local"].usable
    assert not without["openai"].usable and "OPENAI_API_KEY" in without["openai"].detail
    assert not without["azure"].usable and "AZURE_OPENAI_ENDPOINT" in without["azure"].detail
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with_key = engines(diagnose(check_device=False))
    assert with_key["openai"].usable
    assert with_key["openai"].detail == "key set (from OPENAI_API_KEY)"


def test_azure_usable_with_endpoint_and_key(monkeypatch):
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://example.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    azure = engines(diagnose(check_device=False))["azure"]
    assert azure.usable and "AZURE_OPENAI_API_KEY" in azure.detail


def test_key_from_a_config_file_is_named_by_file_not_value(tmp_path):
    config = tmp_path / "imgvar.toml"
    config.write_text(f'[openai]\napi_key = "{SECRET}"\n')
    report = diagnose(load_settings(config), check_device=False)
    assert engines(report)["openai"].detail == f"key set (from openai.api_key in --config {config})"
    assert {"path": str(config), "role": "--config", "in_use": True} in report.config_files
    assert SECRET not in render(report) and SECRET not in json.dumps(report.to_dict())


def test_cli_json_parses_and_never_shows_the_key(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    result = runner.invoke(app, ["doctor", "--json"])
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    data = json.loads(result.stdout)
    assert data["packages"]["typer"] == version("typer")
    assert {"name": "openai", "usable": True, "detail": "key set (from OPENAI_API_KEY)"} in data["engines"]
    text = runner.invoke(app, ["doctor"])
    assert text.exit_code == 0 and SECRET not in text.output
    assert "openai   usable: key set (from OPENAI_API_KEY)" in text.stdout


def test_models_and_store_live_under_the_home(imgvar_home: Path):
    empty = diagnose(check_device=False)
    assert empty.models == [] and empty.models_dir == str(imgvar_home / "models")
    assert any(str(imgvar_home / "models") in note for note in empty.notes)
    assert empty.store == {"kind": "local", "location": str(imgvar_home / "store")}
    (imgvar_home / "models" / "clip").mkdir(parents=True)
    (imgvar_home / "models" / "clip" / "weights.bin").write_bytes(b"\0" * 2048)
    assert diagnose(check_device=False).models == ["clip/weights.bin (2.0 kB)"]


def test_footprint_adds_up_and_counts_torch():
    pytest.importorskip("torch")
    from importlib.metadata import files

    size = footprint()
    assert size.to_dict()["total"] == size.torch + size.cuda + size.triton + size.other > 0
    assert size.distributions > 5
    torch_files = sum(f.size or 0 for f in files("torch") or ())
    assert size.torch >= torch_files > 0
