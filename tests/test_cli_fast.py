"""The cache-hit fast path: a repeated `run`/`stylize` answered from the store without Typer,
saying and writing exactly what the full command says and writes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import typer

from imgvar.cli import main
from imgvar.cli.app import app
from imgvar.cli.fast import cached_run, plain_args


def full_path(args: list[str]) -> int:
    """The Typer command, as `main` runs it when the fast path declines."""
    return typer.main.get_command(app).main(args=args, prog_name="imgvar", standalone_mode=False)


@pytest.mark.parametrize("args, expected", [
    (["run", "a.png", "in Van Gogh style"], ("run", "a.png", "in Van Gogh style", {})),
    (["run", "a.png", "x", "-o", "b.png", "-q"], ("run", "a.png", "x", {"out": "b.png", "quiet": True})),
    (["stylize", "a.png", "pencil", "--out=b.jpg", "--json"],
     ("stylize", "a.png", "pencil", {"out": "b.jpg", "json": True})),
    (["run", "a.png", "x", "--engine", "local", "-c", "my.toml"],
     ("run", "a.png", "x", {"engine": "local", "config": "my.toml"})),
    (["run", "a.png", "x", "--out", "-"], ("run", "a.png", "x", {"out": "-"})),
])
def test_plain_arguments_are_parsed(args, expected):
    assert plain_args(args) == expected


@pytest.mark.parametrize("args", [
    ["run", "-", "x"],  # stdin: read once, by the full path
    ["run", "a.png"],  # a missing prompt is the full parser's error to report
    ["run", "a.png", "x", "y"],
    ["run", "a.png", "x", "--seed", "3"],  # an option this parser does not know
    ["run", "a.png", "x", "--", "-y"],
    ["run", "a.png", "x", "--out"],
    ["run", "a.png", "x", "-o", "a", "-o", "b"],
    ["run", "a.png", "x", "--json", "--out", "-"],  # a conflict the full path explains
    ["stylize", "a.png", "--sheet"],
])
def test_anything_else_is_left_to_the_full_parser(args):
    assert plain_args(args) is None


def test_a_miss_writes_nothing_and_declines(photo, tmp_path):
    out = tmp_path / "o.png"
    assert cached_run(["run", str(photo), "in Van Gogh style", "--out", str(out)]) is None
    assert not out.exists()


def test_bad_input_declines_so_the_full_path_reports_it(tmp_path):
    assert cached_run(["run", str(tmp_path / "missing.png"), "pencil"]) is None
    (tmp_path / "c.toml").write_text("seed = nan\n")
    assert cached_run(["run", str(tmp_path / "missing.png"), "pencil", "-c", str(tmp_path / "c.toml")]) is None


@pytest.mark.parametrize("command, text, extra", [
    ("run", "in Van Gogh style", []),
    ("stylize", "pencil", ["-q"]),
    ("run", "as a watercolour", ["--json"]),
])
def test_a_hit_says_and_writes_what_the_full_command_does(photo, tmp_path, capsys, command, text, extra):
    fast_out, full_out = tmp_path / "fast.png", tmp_path / "full.png"
    assert full_path([command, str(photo), text, "--out", str(full_out), *extra]) == 0  # fills the store
    capsys.readouterr()
    assert full_path([command, str(photo), text, "--out", str(full_out), *extra]) == 0
    full = capsys.readouterr()
    assert cached_run([command, str(photo), text, "--out", str(fast_out), *extra]) == 0
    fast = capsys.readouterr()
    assert fast_out.read_bytes() == full_out.read_bytes()
    assert fast.err == full.err.replace(str(full_out), str(fast_out))
    assert fast.out.replace(str(fast_out), "OUT").split("run_id")[0] == \
        full.out.replace(str(full_out), "OUT").split("run_id")[0]


def test_a_hit_is_logged_as_a_run(photo, tmp_path, capsys):
    from imgvar.config import load_settings
    from imgvar.store.factory import open_store

    args = ["run", str(photo), "in Van Gogh style", "--out", str(tmp_path / "o.png")]
    assert main(args) == 0
    assert main(args) == 0
    runs = open_store(load_settings()).list_runs(5)
    assert len(runs) == 2 and all(r["status"] == "ok" for r in runs)
    assert all(s["cache_hit"] for s in runs[0]["stages"])


def test_a_cached_run_imports_neither_typer_nor_numpy(photo, tmp_path):
    args = ["run", str(photo), "in Van Gogh style", "-q", "--out", str(tmp_path / "o.png")]
    code = ("import sys; from imgvar.cli import main; rc = main(sys.argv[1:]); "
            "print(rc, [m for m in ('typer', 'rich', 'pydantic', 'numpy', 'torch') if m in sys.modules])")
    env = dict(os.environ)
    first = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    second = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    assert first.stdout.split("\n")[-2].startswith("0 ['typer'")  # the miss ran the full command
    assert second.stdout.split("\n")[-2] == "0 []", second.stdout + second.stderr
