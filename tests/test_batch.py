"""`imgvar batch`: manifests checked before any work, items in parallel, resume, the shared budget,
exit codes, the JSON lines and the contact sheet."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from PIL import Image

from conftest import REPO, make_photo

SCHEMAS = REPO / "src" / "imgvar" / "schemas"
PROMPTS = ("in Van Gogh style", "pencil sketch", "as a watercolor", "ukiyo-e print")


def imgvar(*args: str, cwd: Path, env: dict[str, str] | None = None, input: str | None = None,
           timeout: float = 300) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "imgvar", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, input=input, timeout=timeout)


def photos(folder: Path, count: int, size: tuple[int, int] = (96, 64)) -> list[str]:
    names = []
    for i in range(count):
        name = f"p{i:02d}.png"
        make_photo(size, seed=i + 1).save(folder / name)
        names.append(name)
    return names


def manifest(folder: Path, rows: list[dict[str, str]], name: str = "m.csv") -> Path:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def json_lines(stdout: str) -> tuple[list[dict], dict]:
    lines = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    item_schema = json.loads((SCHEMAS / "batch-item-1.json").read_text())
    summary_schema = json.loads((SCHEMAS / "batch-summary-1.json").read_text())
    for line in lines[:-1]:
        jsonschema.validate(line, item_schema)
    jsonschema.validate(lines[-1], summary_schema)
    return lines[:-1], lines[-1]


def decodes(path: Path) -> bool:
    with Image.open(path) as image:
        image.load()
    return True


# -- manifests are checked before any work --------------------------------------------------

def test_a_bad_manifest_is_refused_naming_each_row_and_nothing_runs(tmp_path: Path) -> None:
    photos(tmp_path, 1)
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "out" / "link")
    path = manifest(tmp_path, [
        {"image": "p00.png", "prompt": "pencil", "out": "../escape.png"},
        {"image": "p00.png", "prompt": "pencil", "out": "/tmp/abs.png"},
        {"image": "missing.png", "prompt": "pencil", "out": "a.png"},
        {"image": "p00.png", "prompt": "pencil", "out": "link/b.png"},
        {"image": "p00.png", "prompt": "", "out": "c.png"},
        {"image": "p00.png", "prompt": "pencil", "out": "d.png", "engine": "dalle"},
        {"image": "p00.png", "prompt": "pencil", "out": "e.png", "seed": "-1"},
        {"image": "p00.png", "prompt": "pencil", "out": "f.png"},
        {"image": "p00.png", "prompt": "pencil", "out": "f.png"},
    ])
    done = imgvar("batch", str(path), "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    for expected in ("row 1: out ../escape.png leaves the output folder", "row 2: out /tmp/abs.png is absolute",
                     "row 3: image missing.png: no such file", "row 4: out link/b.png leads outside",
                     "row 5: no prompt", "row 6: unknown engine 'dalle'", "row 7: seed -1 is outside",
                     "row 9: output f.png is also row 8's"):
        assert expected in message, expected
    assert list((tmp_path / "out").iterdir()) == [tmp_path / "out" / "link"]  # nothing was made


def test_a_manifest_that_is_not_text_is_refused(tmp_path: Path) -> None:
    photos(tmp_path, 1)
    done = imgvar("batch", "p00.png", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and "not UTF-8 text" in done.stderr and "Traceback" not in done.stderr
    piped = subprocess.run([sys.executable, "-m", "imgvar", "batch", "-", "--out", "out"], cwd=tmp_path,
                           input=(tmp_path / "p00.png").read_bytes(), capture_output=True, timeout=60)
    assert piped.returncode == 2 and b"stdin: not UTF-8 text" in piped.stderr


@pytest.mark.parametrize("text, expected", [
    ("image,colour\np00.png,red\n", "unknown column(s) colour"),
    ("image,out\np00.png,a.png\n", "missing column(s) prompt"),
    ("", "the manifest is empty"),
    ("image,prompt\n", "no rows to run"),
])
def test_manifest_shapes_that_cannot_run(tmp_path: Path, text: str, expected: str) -> None:
    photos(tmp_path, 1)
    (tmp_path / "m.csv").write_text(text)
    done = imgvar("batch", "m.csv", "--out", "out", cwd=tmp_path)
    assert done.returncode == 2 and expected in done.stderr


def test_usage_mistakes(tmp_path: Path) -> None:
    photos(tmp_path, 1)
    assert "MANIFEST or --glob" in imgvar("batch", "--out", "o", cwd=tmp_path).stderr
    assert "--glob needs --prompt" in imgvar("batch", "--glob", "*.png", "--out", "o", cwd=tmp_path).stderr
    assert "matches no file" in imgvar("batch", "--glob", "*.jpg", "--prompt", "x", "--out", "o", cwd=tmp_path).stderr
    assert "no such manifest" in imgvar("batch", "nope.csv", "--out", "o", cwd=tmp_path).stderr


# -- running ----------------------------------------------------------------------------------

def test_a_manifest_runs_in_parallel_and_reports_json_lines(tmp_path: Path) -> None:
    names = photos(tmp_path, 4)
    path = manifest(tmp_path, [{"image": n, "prompt": PROMPTS[i], "out": f"sub/{i}.jpg"} for i, n in enumerate(names)])
    done = imgvar("batch", str(path), "--out", "out", "--jobs", "2", "--json", "--sheet", "out/sheet.png",
                  cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    items, summary = json_lines(done.stdout)
    assert sorted(i["row"] for i in items) == [1, 2, 3, 4] and {i["status"] for i in items} == {"done"}
    assert summary["done"] == 4 and summary["exit_code"] == 0 and summary["sheet"] == "out/sheet.png"
    for i in range(4):
        assert decodes(tmp_path / "out" / "sub" / f"{i}.jpg")
    sheet = Image.open(tmp_path / "out" / "sheet.png")
    assert sheet.height >= 4 * 256  # a row per item

    again = imgvar("batch", str(path), "--out", "out", "--json", cwd=tmp_path)
    items, summary = json_lines(again.stdout)
    assert {i["status"] for i in items} == {"cached"} and summary["cached"] == 4


def test_jsonl_from_stdin_and_glob(tmp_path: Path) -> None:
    names = photos(tmp_path, 2)
    lines = "".join(json.dumps({"image": n, "prompt": "pencil sketch", "seed": i}) + "\n" for i, n in enumerate(names))
    done = imgvar("batch", "-", "--out", "out", "--json", cwd=tmp_path, input=lines)
    assert done.returncode == 0, done.stderr
    assert {Path(i["output"]).name for i in json_lines(done.stdout)[0]} == {"p00.png", "p01.png"}
    globbed = imgvar("batch", "--glob", "p*.png", "--prompt", "as a watercolor", "--out", "g", cwd=tmp_path)
    assert globbed.returncode == 0, globbed.stderr
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == ["p00.png", "p01.png"]
    assert "[2/2]" in globbed.stderr and "batch: 2 items: 2 done" in globbed.stderr  # a line per item, not a TTY


def test_a_failing_item_does_not_stop_the_batch_unless_fail_fast(tmp_path: Path) -> None:
    names = photos(tmp_path, 3)
    (tmp_path / "broken.png").write_bytes(b"not a png")
    rows = [{"image": names[0], "prompt": "pencil"}, {"image": "broken.png", "prompt": "pencil"},
            {"image": names[1], "prompt": "pencil"}, {"image": names[2], "prompt": "pencil"}]
    path = manifest(tmp_path, rows)
    done = imgvar("batch", str(path), "--out", "out", "--json", cwd=tmp_path)
    items, summary = json_lines(done.stdout)
    assert done.returncode == 3  # the failed item's own exit code: bad input
    failed = [i for i in items if i["status"] == "failed"]
    assert [i["row"] for i in failed] == [2] and failed[0]["error"]["kind"] == "bad_input"
    assert summary["done"] == 3 and summary["failed"] == 1
    fast = imgvar("batch", str(path), "--out", "out2", "--json", "--fail-fast", cwd=tmp_path)
    items, summary = json_lines(fast.stdout)
    assert fast.returncode == 3 and summary["not_run"] == 2 and len(items) == 2


# -- resume, interruption ---------------------------------------------------------------------

def _start(tmp_path: Path, path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "imgvar", "batch", str(path), "--out", "out", "--json", *extra],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_items(proc: subprocess.Popen[str], count: int) -> list[dict]:
    seen = []
    while len(seen) < count:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        seen.append(json.loads(line))
    return seen


def test_a_killed_batch_resumes_redoing_only_what_is_missing(tmp_path: Path) -> None:
    names = photos(tmp_path, 8, size=(320, 240))
    path = manifest(tmp_path, [{"image": n, "prompt": PROMPTS[i % 4]} for i, n in enumerate(names)])
    proc = _start(tmp_path, path)
    first = _read_items(proc, 2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    finished = {i["row"] for i in first}
    for output in (tmp_path / "out").iterdir():  # whatever is there is whole
        assert decodes(output)
    done = imgvar("batch", str(path), "--out", "out", "--json", cwd=tmp_path)
    items, summary = json_lines(done.stdout)
    assert done.returncode == 0 and summary["cached"] + summary["done"] == 8
    by_row = {i["row"]: i["status"] for i in items}
    assert all(by_row[r] == "cached" for r in finished)
    assert summary["done"] <= 8 - len(finished)
    assert len(list((tmp_path / "out").iterdir())) == 8


@pytest.mark.parametrize("workers", ["processes", "threads"])
def test_ctrl_c_stops_cleanly_with_130_and_nothing_half_written(tmp_path: Path, workers: str) -> None:
    names = photos(tmp_path, 24, size=(640, 480))  # seconds of work: the signal comes well before the end
    path = manifest(tmp_path, [{"image": n, "prompt": PROMPTS[i % 4]} for i, n in enumerate(names)])
    proc = _start(tmp_path, path, "--jobs", "2", "--workers", workers)
    _read_items(proc, 1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["interrupted"] and summary["exit_code"] == 130 and summary["not_run"] > 0
    for output in (tmp_path / "out").iterdir():
        assert decodes(output)
    assert not [p for p in (tmp_path / "out").iterdir() if not p.suffix == ".png"]  # no temp files left


# -- the budget across the batch ---------------------------------------------------------------

def test_the_batch_budget_is_never_exceeded_under_concurrency(tmp_path: Path, fake_openai) -> None:
    from fake_openai import parser_plan_for

    fake_openai.plan_for = parser_plan_for
    names = photos(tmp_path, 6)
    path = manifest(tmp_path, [{"image": n, "prompt": PROMPTS[i % 4], "engine": "openai"} for i, n in enumerate(names)])
    env = {"OPENAI_API_KEY": fake_openai.api_key, "OPENAI_BASE_URL": fake_openai.url + "/v1"}
    dry = imgvar("run", names[0], PROMPTS[0], "--engine", "openai", "--dry-run", "--json", cwd=tmp_path, env=env)
    most = sum(c["usd_max"] for c in json.loads(dry.stdout)["calls"])
    limit = round(most * 2.5, 6)  # room for two items' upper bounds, not three
    done = imgvar("batch", str(path), "--out", "out", "--jobs", "4", "--max-cost", str(limit), "--json",
                  cwd=tmp_path, env=env)
    items, summary = json_lines(done.stdout)
    assert done.returncode == 5, done.stderr
    ran = [i for i in items if i["status"] == "done"]
    skipped = [i for i in items if i["status"] == "skipped"]
    assert len(ran) >= 2 and len(ran) + len(skipped) == 6
    assert all(i["error"]["kind"] == "budget" and "--max-cost" in i["error"]["message"] for i in skipped)
    # Exact accounting: the fake server saw one edit per item that ran, and what they cost is within the limit.
    assert len(fake_openai.calls("edit")) == len(ran)
    assert summary["cost_usd"] == pytest.approx(sum(i["cost_usd"] for i in items))
    assert summary["cost_usd"] <= limit
    ledger = imgvar("cost", "--json", cwd=tmp_path, env=env)
    # Runs report their cost to the micro-dollar; the ledger keeps eight decimals.
    assert json.loads(ledger.stdout)["summary"]["total_usd"] == pytest.approx(summary["cost_usd"], abs=1e-5)
    assert json.loads(ledger.stdout)["summary"]["total_usd"] <= limit


def test_styles_no_offline_preset_answers_are_refused_before_any_work(tmp_path: Path) -> None:
    names = photos(tmp_path, 2)
    path = manifest(tmp_path, [{"image": names[0], "prompt": "in the style of blorp", "out": "a.png"},
                               {"image": names[1], "prompt": "pencil sketch", "out": "b.png"},
                               {"image": names[1], "prompt": "as a zork painting", "out": "c.png"}])
    done = imgvar("batch", str(path), "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert "row 1: unknown style 'blorp'" in done.stderr and "row 3: unknown style 'zork'" in done.stderr
    assert "row 2" not in done.stderr and not (tmp_path / "out" / "b.png").exists()
    # A single run still goes ahead with the default look and says so; only a batch refuses up front.
    single = imgvar("run", names[0], "in the style of blorp", "--out", "single.png", cwd=tmp_path)
    assert single.returncode == 0 and "since no offline preset matches 'blorp'" in single.stdout
