"""What a user of a serious CLI expects: examples in help, completion, tidy help, JSON errors, the README's
examples running as written."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.cli.index import COMMAND_EXAMPLES
from imgvar.errors import ExitCode

from conftest import REPO

runner = CliRunner()
IMAGE_COMMANDS = ("run", "analyze", "stylize", "recontext")


def help_of(*command: str) -> str:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "140"})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", ["run", "analyze", "stylize", "recontext", "styles", "runs", "cost", "store", "batch",
                                     "models", "config"])
def test_each_command_help_shows_examples_and_no_odd_metavars(command: str) -> None:
    text = help_of(command)
    assert "Examples:" in text
    shown = [e for e in COMMAND_EXAMPLES[command] if e in text]
    assert 2 <= len(shown) <= 3, shown
    for odd in ("<bool>", "<int>", "<str>", "<float range>", "<int range>", "{IMAGE}", "[[", "[default: 0]"):
        assert odd not in text, (odd, text)


def test_usage_line_reads_plainly() -> None:
    assert re.search(r"Usage: imgvar stylize \[OPTIONS\] IMAGE \[STYLE\]", help_of("stylize"))
    assert re.search(r"Usage: imgvar run \[OPTIONS\] IMAGE PROMPT", help_of("run"))


def test_options_appear_only_where_they_act() -> None:
    analyze, cost, stylize = help_of("analyze"), help_of("cost"), help_of("stylize")
    for option in ("--quality", "--size", "--input-fidelity", "--model-format", "--retry-timeouts", "--out",
                   "--seed"):
        assert option not in analyze, option
    for option in ("--dry-run", "--quality", "--max-cost", "--api-key", "--out", "--engine", "--seed"):
        assert option not in cost, option
    for option in ("--quality", "--dry-run", "--max-cost", "--out", "--seed"):
        assert option in stylize, option
    for text in (analyze, cost, stylize):  # every command that reads or writes the store can choose it
        assert "--store" in text and "local|azure" in text


def test_shell_completion_is_offered_and_completes_commands_and_options() -> None:
    top = subprocess.run([sys.executable, "-m", "imgvar", "--help"], capture_output=True, text=True)
    assert "--install-completion" in top.stdout and "--show-completion" in top.stdout
    # Shell detection walks the process tree, which a CI runner may not show; SHELL says it plainly.
    env = {**os.environ, "SHELL": "/bin/bash", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    script = subprocess.run([sys.executable, "-m", "imgvar", "--show-completion", "bash"], capture_output=True,
                            text=True, env=env)
    assert script.returncode == 0 and "_IMGVAR_COMPLETE" in script.stdout, script.stderr
    imgvar = shutil.which("imgvar", path=str(Path(sys.executable).parent))
    assert imgvar is not None

    def complete(words: str, cword: int) -> list[str]:
        done = subprocess.run([imgvar], capture_output=True, text=True,
                              env={**env, "_IMGVAR_COMPLETE": "complete_bash", "COMP_WORDS": words,
                                   "COMP_CWORD": str(cword)})
        return done.stdout.split()

    assert {"stylize", "styles"} <= set(complete("imgvar sty", 1))
    assert "--engine" in complete("imgvar stylize x.png --eng", 3)


def test_styles_text_shows_the_words_that_pick_each_preset() -> None:
    result = runner.invoke(app, ["styles"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "picked by" in result.stdout
    for phrase in ("van gogh", "aquarelle", "hokusai", "fusain"):
        assert phrase in result.stdout, phrase


@pytest.mark.parametrize("args,code,kind", [
    (["run", "missing.png", "pencil", "--json"], ExitCode.BAD_INPUT, "bad_input"),
    (["analyze", "missing.png", "pencil", "--json"], ExitCode.BAD_INPUT, "bad_input"),
    (["stylize", "{photo}", "--json", "--detail", "9"], ExitCode.USAGE, "usage"),
    (["run", "{photo}", "asdf qwerty", "--json"], ExitCode.USAGE, "usage"),
    (["cost", "--since", "yesterday", "--json"], ExitCode.USAGE, "usage"),
    (["run", "{photo}", "pencil", "--json", "--out", "/no/such/dir/o.png"], ExitCode.OUTPUT, "output"),
])
def test_json_errors_are_one_object_on_stdout(photo: Path, args: list[str], code: int, kind: str) -> None:
    result = runner.invoke(app, [a.format(photo=photo) for a in args])
    assert result.exit_code == code, result.output
    data = json.loads(result.stdout)
    assert data["error"]["exit_code"] == code and data["error"]["kind"] == kind
    assert data["error"]["message"] and data["error"]["message"] in result.stderr


def test_a_missing_background_is_the_same_usage_error_in_run_and_recontext(cutout: Path) -> None:
    by_run = runner.invoke(app, ["run", str(cutout), "put it on a beach"])
    by_recontext = runner.invoke(app, ["recontext", str(cutout), "on a beach"])
    assert by_run.exit_code == by_recontext.exit_code == ExitCode.USAGE, (by_run.output, by_recontext.output)
    assert "--background" in by_run.stderr and "--background" in by_recontext.stderr


def test_very_verbose_shows_imgvar_debug_lines_not_pillows(photo: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["stylize", str(photo), "pencil", "-vv", "--out", str(tmp_path / "o.png")])
    assert result.exit_code == 0, result.output
    assert "STREAM b'IHDR'" not in result.stderr and "PIL" not in result.stderr


def test_analyze_quiet_prints_only_the_plan(photo: Path) -> None:
    full = runner.invoke(app, ["analyze", str(photo), "in watercolor, brighter"])
    quiet = runner.invoke(app, ["analyze", str(photo), "in watercolor, brighter", "-q"])
    assert full.exit_code == quiet.exit_code == 0
    assert quiet.stdout.splitlines() == ["style\tstyle=watercolor", "adjust\tadjustment=brightness direction=increase"]
    assert len(quiet.stdout) < len(full.stdout) / 2


def test_plain_progress_is_one_line_per_stage_with_its_time(photo: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(photo), "pencil", "--out", str(tmp_path / "o.png")])
    assert result.exit_code == 0
    stages = [line.split()[0] for line in result.stderr.splitlines() if re.search(r"\d+\.\d\ds$", line)]
    assert stages == ["analyze", "stylize", "postprocess", "describe"], result.stderr
    quiet = runner.invoke(app, ["run", str(photo), "pencil", "--out", str(tmp_path / "p.png"), "-q"])
    assert quiet.stderr == ""


def _readme_commands() -> list[str]:
    """The shell lines of README's "Using it" block that need no key (those after `export …KEY` do)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Using it", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = []
    for line in block.splitlines():
        if line.startswith("export ") and "KEY" in line:
            break
        if line.strip():
            lines.append(line.split("  #", 1)[0].strip())
    return lines


def test_the_readme_examples_have_not_shrunk() -> None:
    assert len(_readme_commands()) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("line", _readme_commands())
def test_readme_example_runs_as_written(line: str, tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(["bash", "-o", "pipefail", "-c", line], cwd=tmp_path, env=env, capture_output=True,
                          timeout=300)
    assert done.returncode == 0, (line, done.stderr.decode(errors="replace")[-2000:])
    assert b"Traceback" not in done.stderr
    for word in shlex.split(line.replace("|", " ").replace(">", " ")):
        if word.endswith((".png", ".jpg")) and not word.startswith("examples/"):
            assert (tmp_path / word).stat().st_size > 0, word
