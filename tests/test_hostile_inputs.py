"""Generated hostile input through the CLI: prompts, file names, option values, config values, bytes.

Whatever is thrown at it, a command ends with a documented exit code other
than 1 (internal error), prints no traceback, and leaves no partial output.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.config import OPTIONS
from imgvar.errors import ExitCode

from conftest import make_photo

runner = CliRunner()
DOCUMENTED = {int(code) for code in ExitCode} - {ExitCode.INTERNAL}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text as it reaches Python from a command line: any bytes, undecodable ones surrogate-escaped.
argv_text = st.one_of(st.text(max_size=80), st.binary(max_size=80).map(lambda b: b.decode("utf-8", "surrogateescape")))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tiny") / "tiny.png"
    make_photo((24, 16)).save(path)
    return path


def check(result, out_dir: Path | None = None, out_name: str | None = None) -> None:
    """A documented exit code, no traceback, one error line at most, and no partial file left behind."""
    assert result.exit_code in DOCUMENTED | {0}, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "internal error" not in result.stderr
    if result.exit_code:
        assert result.stderr.count("imgvar: error:") == 1, result.stderr
    if out_dir is not None:
        leftovers = [p.name for p in out_dir.iterdir() if p.name.endswith(".tmp")]
        assert not leftovers, leftovers
        if result.exit_code and out_name:
            assert not (out_dir / out_name).exists()


@SETTINGS
@given(prompt=argv_text)
def test_any_prompt_is_analysed_or_refused(tiny: Path, prompt: str) -> None:
    result = runner.invoke(app, ["analyze", str(tiny), prompt, "--json"])
    check(result)
    data = json.loads(result.stdout)  # one JSON object either way
    assert ("error" in data) == (result.exit_code != 0)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prompt=argv_text)
def test_any_prompt_runs_or_is_refused_and_the_run_is_logged(tiny: Path, tmp_path_factory, prompt: str) -> None:
    out_dir = tmp_path_factory.mktemp("out")
    result = runner.invoke(app, ["run", str(tiny), prompt, "--out", str(out_dir / "o.png")])
    check(result, out_dir, "o.png")
    if result.exit_code == 0:
        assert (out_dir / "o.png").is_file()
        runs = json.loads(runner.invoke(app, ["runs", "--json", "-n", "1"]).stdout)
        assert runs and runs[0]["status"] == "ok"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.binary(min_size=1, max_size=300).filter(lambda b: b"/" not in b and b"\0" not in b
                                                       and b not in (b".", b"..")))
def test_any_file_name_is_read_or_refused(tiny: Path, tmp_path_factory, name: bytes) -> None:
    folder = tmp_path_factory.mktemp("names")
    path = os.path.join(os.fsencode(folder), name)
    try:
        with open(path, "wb") as handle:
            handle.write(tiny.read_bytes())
        exists = True
    except OSError:  # too long for the file system: the command must say so, not crash
        exists = False
    result = runner.invoke(app, ["stylize", os.fsdecode(path), "pencil", "--strength", "0"])
    check(result, Path(folder))
    assert (result.exit_code == 0) == exists, result.output
    if exists:
        runs = json.loads(runner.invoke(app, ["runs", "--json", "-n", "1"]).stdout)
        assert runs[0]["status"] == "ok"


@SETTINGS
@given(name=argv_text.filter(lambda s: s.strip() != ""))
def test_any_out_name_is_written_or_refused(tiny: Path, tmp_path_factory, name: str) -> None:
    out_dir = tmp_path_factory.mktemp("outs")
    target = str(out_dir / name.replace("/", "_").replace("\0", "_")) + ".png"
    result = runner.invoke(app, ["stylize", str(tiny), "pencil", "--strength", "0", "--out", target])
    check(result, out_dir)
    assert (result.exit_code == 0) == os.path.isfile(target)


OPTION_VALUES = st.one_of(argv_text, st.integers(min_value=-2**70, max_value=2**70).map(str),
                          st.floats(allow_nan=True, allow_infinity=True).map(str),
                          st.sampled_from(["nan", "inf", "-inf", "1e400", "13x7", "0x0", "99999x99999", "", " "]))


@SETTINGS
@given(option=st.sampled_from(["--seed", "--strength", "--detail", "--time-budget", "--engine", "--quality",
                               "--size", "--input-fidelity", "--model-format", "--max-cost"]),
       value=OPTION_VALUES)
def test_any_option_value_is_accepted_or_refused(tiny: Path, tmp_path_factory, option: str, value: str) -> None:
    out_dir = tmp_path_factory.mktemp("opt")
    result = runner.invoke(app, ["stylize", str(tiny), "pencil", option, value, "--out", str(out_dir / "o.png"),
                                 "--dry-run" if option in ("--engine",) else "--no-cache"])
    check(result, out_dir, "o.png")


CONFIG_VALUES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(min_value=-2**70,
                          max_value=2**70), st.booleans(), st.text(max_size=30),
                          st.lists(st.integers(), max_size=3))


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value)


@SETTINGS
@given(option=st.sampled_from([o.key for o in OPTIONS]), value=CONFIG_VALUES)
def test_any_config_value_is_accepted_or_refused(tiny: Path, tmp_path_factory, option: str, value) -> None:
    folder = tmp_path_factory.mktemp("cfg")
    section, _, key = option.rpartition(".")
    text = (f"[{section}]\n" if section else "") + f"{key} = {_toml_value(value)}\n"
    config = folder / "config.toml"
    config.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["analyze", str(tiny), "in Van Gogh style", "--config", str(config), "--json"])
    check(result)
    if "\x00" in str(value):
        return  # an environment variable cannot hold a NUL byte
    env_result = runner.invoke(app, ["analyze", str(tiny), "in Van Gogh style", "--json"],
                               env={"IMGVAR_" + option.upper().replace(".", "_"): str(value)})
    check(env_result)


@SETTINGS
@given(data=st.binary(max_size=2048))
def test_any_bytes_on_stdin_are_an_image_or_bad_input(data: bytes) -> None:
    assume(data.strip())
    result = runner.invoke(app, ["analyze", "-", "pencil", "--json"], input=data)
    check(result)
    assert result.exit_code in (0, ExitCode.BAD_INPUT)


@pytest.mark.parametrize("args,code", [
    (["--seed", str(2**63)], ExitCode.USAGE),
    (["--seed", "-1"], ExitCode.USAGE),
    (["--config", "a" * 300 + ".toml"], ExitCode.USAGE),
    (["--out", "a" * 300 + ".png"], ExitCode.OUTPUT),
])
def test_known_hostile_options(tiny: Path, args: list[str], code: int) -> None:
    result = runner.invoke(app, ["stylize", str(tiny), "pencil", *args])
    check(result)
    assert result.exit_code == code, result.output


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_in_config_and_environment_are_usage_errors(tiny: Path, tmp_path: Path,
                                                                       value: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f"[style]\nstrength = {value}\n", encoding="utf-8")
    by_file = runner.invoke(app, ["stylize", str(tiny), "pencil", "--config", str(config)])
    by_env = runner.invoke(app, ["stylize", str(tiny), "pencil"], env={"IMGVAR_STYLE_STRENGTH": value})
    for result in (by_file, by_env):
        check(result)
        assert result.exit_code == ExitCode.USAGE and "finite" in result.stderr, result.output


def test_a_prompt_and_a_file_name_that_are_not_utf8_are_kept_in_the_run_log(tiny: Path, tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.png")
    with open(path, "wb") as handle:
        handle.write(tiny.read_bytes())
    prompt = b"pencil \xff\xfe".decode("utf-8", "surrogateescape")
    result = runner.invoke(app, ["run", os.fsdecode(path), prompt])
    check(result)
    assert result.exit_code == 0, result.output
    assert os.path.isfile(os.path.join(os.fsencode(tmp_path), b"caf\xe9-\xff.imgvar.png"))
    record = json.loads(runner.invoke(app, ["runs", "--json", "-n", "1"]).stdout)[0]
    assert record["status"] == "ok"
    assert record["prompt"].startswith("pencil") and "\ufffd" in record["prompt"]


@pytest.mark.parametrize("size", [(1, 1), (15, 200)])
def test_a_tiny_style_image_is_bad_input_before_any_work(tiny: Path, tmp_path: Path, size) -> None:
    from PIL import Image

    reference = tmp_path / "ref.png"
    Image.new("RGB", size, (200, 10, 10)).save(reference)
    result = runner.invoke(app, ["stylize", str(tiny), "--style-image", str(reference), "--out",
                                 str(tmp_path / "o.png")])
    check(result, tmp_path, "o.png")
    assert result.exit_code == ExitCode.BAD_INPUT and "at least 16 pixels" in result.stderr, result.output
