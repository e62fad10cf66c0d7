"""Configuration: precedence of every layer, the source of each value, validation, the example file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from imgvar.config import OPTIONS, load_settings
from imgvar.errors import ConfigError
from imgvar.paths import user_config_path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_with_nothing_configured():
    settings = load_settings(environ={})
    for option in OPTIONS:
        assert settings[option.key] == option.default
        assert settings.source(option.key) == "default"


def test_each_layer_overrides_the_one_below(tmp_path):
    write(user_config_path(), 'seed = 1\nengine = "local"\n[style]\nstrength = 0.9\ndetail = 2.0\n')
    extra = write(tmp_path / "extra.toml", "seed = 2\n[style]\nstrength = 0.8\n")
    env = {"IMGVAR_SEED": "3", "IMGVAR_STYLE_DETAIL": "1.5"}
    settings = load_settings(extra, flags={"seed": 4}, environ=env)
    assert settings["engine"] == "local" and settings.source("engine").startswith("user config")
    assert settings["style.strength"] == 0.8 and settings.source("style.strength").startswith("--config")
    assert settings["style.detail"] == 1.5 and settings.source("style.detail") == "env IMGVAR_STYLE_DETAIL"
    assert settings["seed"] == 4 and settings.source("seed") == "flag"


def test_flags_set_to_none_do_not_override(tmp_path):
    settings = load_settings(flags={"seed": None, "engine": None}, environ={"IMGVAR_SEED": "7"})
    assert settings["seed"] == 7 and settings["engine"] == "auto"


@pytest.mark.parametrize("env,value", [("true", True), ("0", False), ("off", False), ("YES", True)])
def test_boolean_environment_values(env, value):
    assert load_settings(environ={"IMGVAR_CACHE": env})["cache"] is value


@pytest.mark.parametrize("text,fragment", [
    ("seed = [", "invalid TOML"),
    ("engien = 'local'", "unknown setting 'engien'"),
    ("seed = 'many'", "not a valid int"),
    ("store = 'ftp'", "not one of"),
    ("[style]\nstrength = 1.5", "at most"),
    ("[image]\nmax_pixels = 0", "at least"),
])
def test_bad_config_files_name_the_problem(tmp_path, text, fragment):
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ={})
    assert fragment in str(info.value) and str(path) in str(info.value)


def test_bad_environment_value_names_the_variable():
    with pytest.raises(ConfigError, match="IMGVAR_SEED"):
        load_settings(environ={"IMGVAR_SEED": "x"})


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_example_config_documents_every_key_with_its_default():
    data = tomllib.loads((REPO / "config.example.toml").read_text(encoding="utf-8"))
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    assert set(flat) == {o.key for o in OPTIONS}
    for option in OPTIONS:
        assert flat[option.key] == option.default, option.key
    # and the example is itself a valid config file
    load_settings(REPO / "config.example.toml", environ={})


def test_config_show_reports_sources(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from imgvar.cli.app import app

    monkeypatch.setenv("IMGVAR_ENGINE", "local")
    extra = write(tmp_path / "c.toml", "seed = 9\n")
    result = CliRunner().invoke(app, ["config", "show", "--json", "--config", str(extra)])
    assert result.exit_code == 0, result.output
    rows = {r["key"]: r for r in json.loads(result.stdout)["settings"]}
    assert rows["engine"]["value"] == "local" and rows["engine"]["source"] == "env IMGVAR_ENGINE"
    assert rows["seed"]["value"] == 9 and rows["seed"]["source"].startswith("--config")
    assert rows["store"]["source"] == "default"
