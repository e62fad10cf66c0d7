"""The installed `imgvar` command, run as a user runs it: a real process, real exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

BIN = Path(sys.executable).parent / "imgvar"
IMGVAR = str(BIN) if BIN.exists() else shutil.which("imgvar")
pytestmark = pytest.mark.skipif(IMGVAR is None, reason="the imgvar command is not installed")


def imgvar(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([IMGVAR, *map(str, args)], capture_output=True, text=True, env=os.environ.copy(),
                          timeout=300, **kwargs)


def test_help_and_version():
    from imgvar import __version__

    assert imgvar("--version").stdout.strip() == f"imgvar {__version__}"
    help_run = imgvar("--help")
    assert help_run.returncode == 0 and "recontext" in help_run.stdout
    sub = imgvar("run", "--help")
    assert sub.returncode == 0 and "--no-cache" in sub.stdout


def test_help_imports_no_heavy_library():
    code = ("import sys; sys.argv = ['imgvar', '--help']; from imgvar.cli import main; main(); "
            "heavy = [m for m in ('torch', 'open_clip', 'openai', 'azure', 'typer', 'rich', 'numpy', 'PIL') "
            "if m in sys.modules]; print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("HEAVY []")


def test_run_on_a_bundled_example(tmp_path):
    image = EXAMPLES / "cat.png"
    first = imgvar("run", image, "in Van Gogh style", "--out", tmp_path / "vg.png", "--json")
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    assert data["output"] == str((tmp_path / "vg.png").resolve()) and "van gogh" in data["output_prompt"].lower()
    again = imgvar("run", image, "in Van Gogh style", "--out", tmp_path / "vg2.png")
    assert again.returncode == 0 and "from cache" in again.stderr
    assert (tmp_path / "vg.png").read_bytes() == (tmp_path / "vg2.png").read_bytes()


def test_errors_are_one_line_with_their_exit_code(tmp_path):
    missing = imgvar("run", tmp_path / "nope.png", "in Van Gogh style")
    assert missing.returncode == 3
    assert missing.stderr.strip().count("\n") == 0 and "nope.png" in missing.stderr
    bad_option = imgvar("analyze", EXAMPLES / "cat.png", "x", "--frobnicate")
    assert bad_option.returncode == 2 and "Traceback" not in bad_option.stderr


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "imgvar", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("imgvar ")
