"""Printing results: text for people on stderr/stdout, one JSON object for scripts."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from ..errors import OutputError

if TYPE_CHECKING:
    from ..results import Analysis, Result
    from .options import Common


def _console(stderr: bool = True):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def human_size(n: float | None) -> str:
    """Bytes as a person reads them: 1.23 MB."""
    if n is None:
        return "-"
    for unit in ("B", "KB", "MB"):
        if n < 999.5:
            return f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} GB"


@contextmanager
def progress(common: Common) -> Iterator[Any]:
    """Feedback while a command works, on stderr.

    On a terminal: a live bar per stage, with percentage and time left where the
    work is measurable (tiles, iterations, presets), a spinner where it is not.
    Elsewhere (CI logs, pipes): one plain line per finished stage with its time.
    `-q` and `--json` silence both; cost lines and skipped tasks are always said.
    """
    if common.json or common.quiet or not sys.stderr.isatty():
        yield _log_progress(common)
        return
    from rich.progress import (BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                   TimeRemainingColumn(), TimeElapsedColumn(), console=_console(), transient=True)
    current: dict[str, Any] = {}

    def update(event: str, stage: str, info: dict) -> None:
        task = current.get("task")
        if event == "start":
            if task is not None:
                bar.remove_task(task)
            current["label"] = f"{stage} ({info.get('engine')})"
            current["task"] = bar.add_task(current["label"], total=None)
        elif event == "advance" and task is not None:
            bar.update(task, total=info["total"], completed=info["done"],
                       description=f"{current['label']} {int(info['done'])}/{int(info['total'])} {info['unit']}")
        elif event == "done":
            if task is not None:
                bar.remove_task(task)
                current.pop("task")
            if common.verbose:
                bar.console.print(_stage_line(stage, info))
        elif event == "skip":
            bar.console.print(f"[yellow]skipped[/] {stage}: {info.get('reason')}")
        elif event in ("estimate", "spent"):
            bar.console.print(_cost_line(event, info))
            if event == "estimate" and task is not None:
                bar.update(task, description=f"waiting for the {info.get('kind')} model ({info.get('model')})")

    with bar:
        yield update


def _log_progress(common: Common):
    """Plain lines for a log: a line per finished stage, the cost of each paid call, skipped tasks."""
    def update(event: str, stage: str, info: dict) -> None:
        if common.json or common.quiet:
            return
        if event == "skip":
            sys.stderr.write(f"skipped {stage}: {info.get('reason')}\n")
        elif event == "done":
            sys.stderr.write(_stage_line(stage, info, markup=False) + "\n")
        elif event in ("estimate", "spent"):
            sys.stderr.write(_cost_line(event, info) + "\n")
    return update


def _cost_line(event: str, info: dict) -> str:
    """The cost shown before a paid call is sent, and after it answered."""
    from ..cost import format_usd

    if event == "estimate":
        again = f" (attempt {info['attempt']})" if info.get("attempt", 1) > 1 else ""
        return (f"{info.get('kind')} call to {info.get('model')}{again}: estimate {format_usd(info.get('usd', 0))}, "
                f"at most {format_usd(info.get('usd_max', 0))}")
    return f"{info.get('kind')} call to {info.get('model')}: cost {format_usd(info.get('usd', 0))} " \
           f"({info.get('seconds', 0):.1f}s)"


def _stage_line(stage: str, info: dict, markup: bool = True) -> str:
    origin = "from cache" if info.get("cache_hit") else f"{info.get('seconds', 0):.2f}s"
    text = f"{stage:<11} {info.get('engine', ''):<7} {origin}"
    return text if not markup else f"[dim]{text}[/]"


def _where(output: str | None) -> str:
    """How the status line names a destination; a command always has one, so none is a bug."""
    if output is None:
        raise OutputError("the result was made but not written anywhere")
    return "stdout" if output == "-" else output


def render_result(result: Result, common: Common) -> None:
    if common.json:
        emit_json(result.to_dict())
        return
    where = _where(result.output)  # raises when the image went nowhere, also under -q
    prompt_stream = sys.stderr if result.output == "-" else sys.stdout
    if not common.quiet:
        source = "from cache" if result.cached else f"engine {result.engine}"
        w, h = result.image.size
        spent = ""
        if result.calls or result.engine not in ("local",):
            from ..cost import format_usd

            spent = f", {len(result.calls)} paid call{'s' if len(result.calls) != 1 else ''}, {format_usd(result.cost_usd)}"
        sys.stderr.write(f"wrote {where} ({w}x{h}, {source}{spent})\n")
        if result.mask_output is not None:
            sys.stderr.write(f"wrote the subject's matte to {_where(result.mask_output)}\n")
        _matte_lines(result.matte, common)
        _clip_lines(result.clip, common)
        if common.verbose:
            sys.stderr.write(f"run {result.run_id}\n")
    prompt_stream.write(result.output_prompt + "\n")


def _matte_lines(matte: dict | None, common: Common) -> None:
    """How the subject was found, when imgvar had to find it: always when unsure, else with -v."""
    if not matte or matte.get("engine") in ("mask", "alpha"):
        return
    from ..matte import UNSURE_BELOW

    unsure = matte.get("confidence", 1.0) < UNSURE_BELOW
    if unsure or common.verbose:
        verdict = "unsure" if unsure else "found"
        sys.stderr.write(f"subject {verdict}: {matte.get('engine')} matte, confidence {matte.get('confidence', 0):.2f}"
                         f"{' (check it with --save-mask, or give --mask)' if unsure else ''}\n")
        for note in matte.get("notes") or []:
            sys.stderr.write(f"  {note}\n")


def _clip_lines(clip: dict | None, common: Common) -> None:
    """What CLIP could not do, always; its scores and candidates with -v."""
    if not clip:
        return
    for note in clip.get("notes") or []:
        sys.stderr.write(f"note: {note}\n")
    if not common.verbose:
        return
    if not clip.get("available"):
        sys.stderr.write(f"clip: unavailable: {clip.get('reason')}\n")
        return
    q = clip.get("quality") or {}
    if q:
        sys.stderr.write(f"clip ({clip['model']}): prompt score {q['text_score']:.3f}, directional "
                         f"{q['directional']:.3f}, similarity to the original {q['image_similarity']:.3f}\n")
    for i, c in enumerate(clip.get("candidates") or [], 1):
        sys.stderr.write(f"  candidate {i}: seed {c['seed']}, detail {c['detail']:g}, directional "
                         f"{c['directional']:.3f}, similarity {c['image_similarity']:.3f}{'  <- kept' if c['chosen'] else ''}\n")


def render_cutout(result, common: Common) -> None:
    if common.json:
        emit_json(result.to_dict())
        return
    where = _where(result.output)
    if not common.quiet:
        w, h = result.image.size
        what = "matte" if result.image.mode == "L" else "cut-out"
        origin = ", from cache" if result.cached else ""
        sys.stderr.write(f"wrote {what} {where} ({w}x{h}{origin})\n")
        _matte_lines(result.matte, common)


def render_dry_run(dry: Any, common: Common) -> None:
    """The plan, then one line per paid call it would make, then the total; nothing was sent."""
    if common.json:
        emit_json(dry.to_dict())
        return
    from ..cost import format_usd

    out = sys.stdout
    origin = {"cache": "stored plan", "offline parser": "offline parse; the cloud plan may differ",
              "local": "local engine"}.get(dry.plan_source, dry.plan_source)
    out.write(f"dry run, engine {dry.engine}: nothing is sent\n")
    out.write(f"plan ({origin}):\n")
    for task in dry.plan.tasks:
        args = ", ".join(f"{k}={v}" for k, v in task.args.items() if v is not None)
        out.write(f"  {task.kind:<14} {task.text}" + (f"  [{args}]" if args else "") + "\n")
    if not dry.calls:
        out.write("paid calls: none\n")
        _dry_run_notes(dry, out)
        return
    out.write("paid calls:\n")
    for call in dry.calls:
        what = f"  {call['stage']:<8} {call['kind']:<6} {call['model']}"
        if call["cached"]:
            out.write(f"{what}: stored, no call\n")
        else:
            detail = " ".join(f"{k} {v}" for k, v in call.get("detail", {}).items())
            out.write(f"{what}{' (' + detail + ')' if detail else ''}: estimate {format_usd(call['usd'])}, "
                      f"at most {format_usd(call['usd_max'])}\n")
    out.write(f"total: estimate {format_usd(dry.usd)}, at most {format_usd(dry.usd_max)}\n")
    _dry_run_notes(dry, out)


def _dry_run_notes(dry: Any, out: Any) -> None:
    for warning in getattr(dry, "warnings", ()) or ():
        out.write(f"note: {warning}\n")


def render_analysis(analysis: Analysis, common: Common) -> None:
    if common.json:
        emit_json(analysis.to_dict())
        return
    console = _console(stderr=False)
    from rich.table import Table

    plan, facts = analysis.plan, analysis.facts
    for warning in analysis.warnings:
        sys.stderr.write(f"note: {warning}\n")
    if common.quiet:  # the plan alone, one task a line: kind, then its arguments
        for task in plan.tasks:
            args = " ".join(f"{k}={v}" for k, v in task.args.items() if v is not None)
            sys.stdout.write(f"{task.kind}\t{args}\n")
        return
    table = Table(title=f"plan ({plan.language}, engine {analysis.engine}"
                        f"{', from cache' if analysis.cached else ''})", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("kind")
    table.add_column("arguments")
    table.add_column("from prompt", style="dim")
    for i, task in enumerate(plan.tasks, 1):
        args = ", ".join(f"{k}={v!r}" for k, v in task.args.items() if v is not None) or "-"
        table.add_row(str(i), task.kind, args, task.text)
    if not plan.tasks:
        table.add_row("-", "(none)", "-", "-")
    console.print(table)
    colours = ", ".join(f"{c.name} {c.hex} {round(c.share * 100)}%" for c in facts.dominant_colors)
    console.print(f"image: {facts.width}x{facts.height} {facts.format} {facts.mode}, {facts.orientation}, "
                  f"{facts.megapixels} MP{', alpha' if facts.has_alpha else ''}")
    console.print(f"dominant colours: {colours}")
    if plan.output_prompt:
        console.print(f"draft output prompt: {plan.output_prompt}")
    _analysis_clip_lines(analysis.clip, console)
    if analysis.cost_usd:
        from ..cost import format_usd

        console.print(f"cost: {format_usd(analysis.cost_usd)}")


def _analysis_clip_lines(clip: dict | None, console: Any) -> None:
    if not clip:
        return
    if not clip.get("available"):
        console.print(f"clip: unavailable: {clip.get('reason')}", markup=False)
        return
    tags = "; ".join(f"{facet.replace('_', ' ')}: {top[0]['label']} ({round(top[0]['p'] * 100)}%)"
                     for facet, top in (clip.get("tags") or {}).items() if top)
    console.print(f"clip ({clip['model']}): {tags}", markup=False)
    console.print(f"prompt-image similarity: {clip.get('prompt_similarity')}", markup=False)
    for task in clip.get("tasks") or []:
        state = "already shown" if task["satisfied"] else "not shown yet"
        console.print(f"  {task['kind']}: '{task['text']}' {state} (p {task['p']:.2f})", markup=False)


def render_sheet(result, common: Common) -> None:
    if common.json:
        emit_json(result.to_dict())
        return
    if not common.quiet:
        w, h = result.image.size
        sys.stderr.write(f"wrote {_where(result.output)} ({w}x{h}, {len(result.presets)} presets)\n")


def render_styles(rows: list[dict[str, Any]]) -> None:
    """Each preset, what it renders, and the phrases that pick it."""
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, show_header=True, pad_edge=False, header_style="bold")
    table.add_column("preset", no_wrap=True)
    table.add_column("what it renders")
    table.add_column("picked by (among others)")
    for row in rows:
        table.add_row(row["name"], row["description"], ", ".join(row["aliases"][:8]))
    Console(highlight=False).print(table)
