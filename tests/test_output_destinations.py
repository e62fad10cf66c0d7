"""Where the image goes: every command × input (path, stdin) × --out (none, path, -) × --json.

The rule: the image is written where the status line (or the JSON) says, or the
command exits non-zero and writes nothing. Every image that lands is decoded.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from imgvar.cli.app import app
from imgvar.engines.local.placement import output_frame
from imgvar.errors import ExitCode

from conftest import make_cutout, make_photo

runner = CliRunner()

# command name -> (its arguments after IMAGE, suffix of its default output, needs a cut-out input)
COMMANDS = {
    "run": (["pencil"], "imgvar", False),
    "stylize": (["pencil"], "imgvar", False),
    "stylize --sheet": (["--sheet"], "sheet", False),
    "recontext": (["on a beach", "--background", "{background}"], "imgvar", True),
}


def _decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("out", ["none", "path", "-"])
@pytest.mark.parametrize("source", ["path", "stdin"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_the_image_lands_where_the_command_says(tmp_path: Path, background: Path, command: str, source: str,
                                                out: str, as_json: bool) -> None:
    extra, suffix, cutout = COMMANDS[command]
    picture = make_cutout() if cutout else make_photo((48, 32))
    image_path = tmp_path / "in.png"
    picture.save(image_path)
    name = command.split()[0]
    args = [name, "-" if source == "stdin" else str(image_path)]
    args += [a.format(background=background) for a in extra]
    target = tmp_path / "result.png"
    if out == "path":
        args += ["--out", str(target)]
    elif out == "-":
        args += ["--out", "-"]
    if as_json:
        args.append("--json")
    before = sorted(p.name for p in tmp_path.iterdir())

    result = runner.invoke(app, args, input=image_path.read_bytes() if source == "stdin" else None)

    to_stdout = out == "-" or (out == "none" and source == "stdin")
    if as_json and to_stdout:
        # --json owns stdout: refused before any work, nothing written anywhere.
        assert result.exit_code == ExitCode.USAGE, result.output
        assert json.loads(result.stdout)["error"]["exit_code"] == ExitCode.USAGE
        assert sorted(p.name for p in tmp_path.iterdir()) == before
        return
    assert result.exit_code == 0, result.output

    if to_stdout:
        landed = _decode(result.stdout_bytes)
        where = "-"
    else:
        path = target if out == "path" else tmp_path / f"in.{suffix}.png"
        assert path.is_file(), sorted(p.name for p in tmp_path.iterdir())
        landed = _decode(path.read_bytes())
        where = str(path)
    if name == "recontext":  # the new scene gives the frame its shape
        assert landed.size == output_frame(picture.size, Image.open(background).size)
    elif suffix == "imgvar":
        assert landed.size == picture.size
    else:
        assert landed.width > picture.width  # the sheet holds the original and every preset

    if as_json:
        data = json.loads(result.stdout)
        assert data["output"] == where
        return
    status = [line for line in result.stderr.splitlines() if line.startswith("wrote ")]
    assert status == [f"wrote {'stdout' if where == '-' else where} ({landed.width}x{landed.height}, "
                      + status[0].split(", ", 1)[1]], result.stderr
    if suffix == "imgvar":
        # The output prompt goes to whichever stream the image does not use.
        prompt_stream = result.stderr if to_stdout else result.stdout
        assert "pencil" in prompt_stream or "beach" in prompt_stream, (result.stdout, result.stderr)
        if not to_stdout:
            assert result.stdout.strip() and "\n" not in result.stdout.strip()


def test_analyze_writes_no_image_and_refuses_out(photo: Path) -> None:
    result = runner.invoke(app, ["analyze", str(photo), "in Van Gogh style", "--out", "x.png"])
    assert result.exit_code == ExitCode.USAGE
    assert not Path("x.png").exists()
