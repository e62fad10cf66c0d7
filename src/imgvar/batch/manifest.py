"""A batch's items: read from a CSV or JSON Lines manifest (or a glob), every row checked before any work.

Columns: `image` and `prompt` (required), and `out`, `engine`, `style_image`,
`background`, `mask`, `object`, `seed`, `strength`. Paths are relative to the
manifest's folder (to the current folder for stdin and --glob); `out` is
relative to the output folder and may not leave it.
"""

from __future__ import annotations

import csv
import glob as globbing
import io
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..text import clean

REQUIRED = ("image", "prompt")
OPTIONAL = ("out", "engine", "style_image", "background", "mask", "object", "seed", "strength")
PATH_COLUMNS = ("image", "style_image", "background", "mask", "object")
OUTPUT_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp")
MAX_PROBLEMS = 10  # named in the error; the count says how many more


@dataclass(frozen=True)
class Item:
    """One row, checked: absolute input paths, the output path inside the output folder."""

    row: int  # 1-based, the first data row is 1
    image: str
    prompt: str
    out: str  # absolute
    engine: str | None = None
    style_image: str | None = None
    background: str | None = None
    mask: str | None = None
    object: str | None = None
    seed: int | None = None
    strength: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ManifestError(UsageError):
    """The manifest cannot be run as it is; the message names every row at fault."""


def read_manifest(source: str, out_dir: str | os.PathLike[str], *, engines: list[str] | None = None) -> list[Item]:
    """The items of a manifest file (CSV, or JSON Lines for .jsonl/.ndjson or content starting with '{'),
    or of standard input for "-"."""
    if source == "-":
        import sys

        try:
            text = sys.stdin.buffer.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ManifestError("stdin: not UTF-8 text; a manifest is CSV or JSON Lines") from None
        base, name = Path.cwd(), "stdin"
    else:
        path = Path(source)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ManifestError(f"{clean(source)}: no such manifest") from None
        except UnicodeDecodeError:
            raise ManifestError(f"{clean(source)}: not UTF-8 text; a manifest is CSV or JSON Lines") from None
        except OSError as exc:
            raise ManifestError(f"{clean(source)}: cannot read the manifest: {exc.strerror or exc}") from None
        base, name = path.resolve().parent, clean(source)
    jsonl = source.lower().endswith((".jsonl", ".ndjson")) or text.lstrip().startswith("{")
    rows = _json_rows(text, name) if jsonl else _csv_rows(text, name)
    return check_rows(rows, base, out_dir, engines=engines, name=name)


def glob_items(pattern: str, prompt: str, out_dir: str | os.PathLike[str], *,
               engines: list[str] | None = None) -> list[Item]:
    """One item per file matching `pattern` (sorted), each with `prompt`, written as STEM.png."""
    paths = sorted(p for p in globbing.glob(os.path.expanduser(pattern), recursive=True) if os.path.isfile(p))
    if not paths:
        raise ManifestError(f"--glob '{clean(pattern)}' matches no file")
    rows = [{"image": p, "prompt": prompt} for p in paths]
    return check_rows(rows, Path.cwd(), out_dir, engines=engines, name="--glob")


def _csv_rows(text: str, name: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ManifestError(f"{name}: the manifest is empty (expected a header row: image,prompt,...)")
    header = [h.strip() for h in reader.fieldnames]
    _check_columns(header, name)
    rows = []
    for record in reader:
        if None in record:  # more cells than the header has
            raise ManifestError(f"{name}: row {reader.line_num - 1} has more cells than the header")
        rows.append({k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in record.items()
                     if v not in (None, "")})
    return rows


def _json_rows(text: str, name: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate((ln for ln in text.splitlines() if ln.strip()), 1):
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise ManifestError(f"{name}: row {number} is not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ManifestError(f"{name}: row {number} is not a JSON object")
        _check_columns(list(record), name, row=number)
        rows.append({k: v for k, v in record.items() if v not in (None, "")})
    return rows


def _check_columns(columns: list[str], name: str, row: int | None = None) -> None:
    where = f"{name}: row {row}" if row else name
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise ManifestError(f"{where}: unknown column(s) {', '.join(map(clean, unknown))} "
                            f"(known: {', '.join(REQUIRED + OPTIONAL)})")
    if row is None:
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise ManifestError(f"{where}: missing column(s) {', '.join(missing)}")


def unknown_style(prompt: str) -> str | None:
    """The style phrase of `prompt` that no offline preset answers (the offline engine would fall back
    to its default look), else None."""
    from ..prompt import parse_prompt
    from ..styles import resolve_style

    for task in parse_prompt(prompt).of_kind("style"):
        phrase = str(task.args.get("style") or task.text)
        if resolve_style(phrase).how == "fallback":
            return phrase
    return None


def check_styles(items: list[Item], offline: Any, name: str = "manifest") -> None:
    """Refuse rows the offline engine would restyle with its default look because their style names
    no preset (`offline(item)` says whether an item runs offline without CLIP to find the nearest)."""
    _refuse(name, [f"row {item.row}: unknown style '{clean(phrase)}' for the offline engine (see 'imgvar styles')"
                   for item in items if offline(item) and (phrase := unknown_style(item.prompt))])


def _refuse(name: str, problems: list[str]) -> None:
    """One error naming every problem found (the first MAX_PROBLEMS, then how many more), if any."""
    if problems:
        more = f" (and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
        raise ManifestError(f"{name}: " + "; ".join(problems[:MAX_PROBLEMS]) + more)


def check_rows(rows: list[dict[str, Any]], base: Path, out_dir: str | os.PathLike[str], *,
               engines: list[str] | None = None, name: str = "manifest") -> list[Item]:
    """Every row as an Item, or one error naming each row at fault (up to MAX_PROBLEMS of them)."""
    if not rows:
        raise ManifestError(f"{name}: no rows to run")
    out_root = Path(os.path.realpath(out_dir))
    problems: list[str] = []
    items: list[Item] = []
    seen_out: dict[str, int] = {}
    for number, raw in enumerate(rows, 1):
        try:
            item = _item(number, raw, base, out_root, engines)
        except ValueError as exc:
            problems.append(f"row {number}: {exc}")
            continue
        key = os.path.normcase(item.out)
        if key in seen_out:
            problems.append(f"row {number}: output {clean(_relative(item.out, out_root))} is also row "
                            f"{seen_out[key]}'s")
            continue
        seen_out[key] = number
        items.append(item)
    _refuse(name, problems)
    return items


def _item(number: int, raw: dict[str, Any], base: Path, out_root: Path, engines: list[str] | None) -> Item:
    for column in REQUIRED:
        if not isinstance(raw.get(column), str) or not raw[column].strip():
            raise ValueError(f"no {column}")
    paths = {}
    for column in PATH_COLUMNS:
        value = raw.get(column)
        if value is None:
            continue
        if not isinstance(value, str):
            raise ValueError(f"{column} must be a path")
        path = (base / os.path.expanduser(value)).resolve() if value != "-" else None
        if path is None:
            raise ValueError(f"{column} cannot be '-' in a batch")
        if not path.is_file():
            raise ValueError(f"{column} {clean(value)}: {'is not a file' if path.exists() else 'no such file'}")
        if not os.access(path, os.R_OK):
            raise ValueError(f"{column} {clean(value)}: not readable")
        paths[column] = str(path)
    engine = raw.get("engine")
    if engine is not None and engines is not None and engine not in engines:
        raise ValueError(f"unknown engine '{clean(str(engine))}' (known: {', '.join(engines)})")
    return Item(row=number, prompt=raw["prompt"].strip(), out=_out_path(raw, paths["image"], out_root),
                engine=engine, seed=_number(raw, "seed", int, 0, 2**32 - 1),
                strength=_number(raw, "strength", float, 0.0, 1.0), **paths)


def _out_path(raw: dict[str, Any], image: str, out_root: Path) -> str:
    """The output's absolute path: `out` (relative, inside the output folder, even through links) or STEM.png."""
    value = raw.get("out")
    if value is None:
        return str(out_root / (Path(image).stem + ".png"))
    if not isinstance(value, str):
        raise ValueError("out must be a path")
    if os.path.isabs(value) or value.startswith("~"):
        raise ValueError(f"out {clean(value)} is absolute; give a path inside the output folder")
    parts = Path(value).parts
    if ".." in parts:
        raise ValueError(f"out {clean(value)} leaves the output folder")
    if Path(value).suffix.lower() not in OUTPUT_SUFFIXES:
        raise ValueError(f"out {clean(value)}: unknown image format (use {', '.join(OUTPUT_SUFFIXES)})")
    target = Path(os.path.realpath(out_root / value))
    if target != out_root and out_root not in target.parents:
        raise ValueError(f"out {clean(value)} leads outside the output folder through a link")
    return str(target)


def _number(raw: dict[str, Any], column: str, kind: type, low: float, high: float) -> Any:
    value = raw.get(column)
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value)
        if kind is int and isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        raise ValueError(f"{column} '{clean(str(value))}' is not a{'n integer' if kind is int else ' number'}") from None
    if not low <= number <= high:
        raise ValueError(f"{column} {number} is outside {low:g}..{high:g}")
    return number


def _relative(path: str, root: Path) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path
