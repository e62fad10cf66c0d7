"""`imgvar batch`: a manifest (or a glob) of images and prompts, run in one process."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer


def register(app: typer.Typer) -> None:
    from .app import command

    @command("batch")
    def batch_command(
        manifest: Annotated[Optional[str], typer.Argument(
            metavar="MANIFEST", help="CSV or JSON Lines with image,prompt[,out,engine,style_image,background,mask,"
                                     "object,seed,strength]; '-' reads stdin.")] = None,
        out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="Folder the outputs go to (created).")] = "",
        glob: Annotated[Optional[str], typer.Option("--glob", metavar="PATTERN",
                                                    help="Images to run instead of a manifest, e.g. 'photos/*.jpg'.")] = None,
        prompt: Annotated[Optional[str], typer.Option("--prompt", "-p", metavar="TEXT",
                                                      help="The prompt for every --glob image.")] = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, max=64, metavar="N",
                                          help="Items at once.")] = 1,
        workers: Annotated[str, typer.Option("--workers", metavar="auto|processes|threads",
                                             help="How items run at once: auto is forked processes where the "
                                                  "system forks (faster for offline work), else threads.")] = "auto",
        max_cost: Annotated[Optional[float], typer.Option("--max-cost", min=0.0, metavar="USD",
                                                          help="Most the whole batch may spend; each item reserves "
                                                               "its most before it starts.")] = None,
        fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop starting items after the first failure.")] = False,
        sheet: Annotated[Optional[str], typer.Option("--sheet", metavar="PATH",
                                                     help="Write a contact sheet: each input beside its output.")] = None,
        engine: Annotated[Optional[str], typer.Option("--engine", "-e", metavar="auto|local|openai|azure",
                                                      help="Engine for items that name none (config: engine).")] = None,
        store: Annotated[Optional[str], typer.Option("--store", metavar="local|azure",
                                                     help="Where results are cached (config: store).")] = None,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Recompute every stage.")] = False,
        config: Annotated[Optional[Path], typer.Option("--config", "-c", metavar="FILE",
                                                       help="Extra TOML config file.")] = None,
        json_out: Annotated[bool, typer.Option("--json", help="One JSON object per item as it ends, then a summary.")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the summary and failures.")] = False,
    ) -> int:
        from ..batch import glob_items, read_manifest, run_batch
        from ..engines.registry import default_registry
        from .common import Common, setup_logging

        from ..batch.runner import WORKERS

        setup_logging()
        if workers not in WORKERS:
            raise typer.BadParameter(f"'{workers}' is not one of {', '.join(WORKERS)}", param_hint="--workers")
        if not out:
            raise typer.BadParameter("give the output folder", param_hint="--out")
        if (manifest is None) == (glob is None):
            raise typer.BadParameter("give a MANIFEST or --glob PATTERN (one of them)", param_hint="MANIFEST")
        if glob is not None and not (prompt or "").strip():
            raise typer.BadParameter("--glob needs --prompt TEXT", param_hint="--prompt")
        if prompt is not None and glob is None:
            raise typer.BadParameter("--prompt goes with --glob; a manifest has a prompt per row", param_hint="--prompt")
        settings = Common(engine=engine, store=store, no_cache=no_cache, config=config).settings()
        engines = default_registry().names() + ["auto"]
        items = (glob_items(glob, prompt or "", out, engines=engines) if glob is not None
                 else read_manifest(manifest, out, engines=engines))
        _check_styles(items, settings, "--glob" if glob is not None else (manifest if manifest != "-" else "stdin"))
        _check_out_dir(out)
        report = _reporter(len(items), json_out, quiet)
        try:
            summary = run_batch(items, settings, jobs=jobs, max_cost=max_cost, fail_fast=fail_fast,
                                on_item=report.item, workers=workers)
        finally:
            report.close()
        if sheet:
            from ..batch.sheet import contact_sheet
            from ..imageio import encode_image, format_for_path, write_output

            write_output(encode_image(contact_sheet(summary.results), format_for_path(sheet)), sheet)
        report.summary(summary, sheet)
        if summary.interrupted:
            left = summary.items - sum(summary.counts.values())
            sys.stderr.write(f"imgvar: interrupted: {left} of {summary.items} items not run; run the same command "
                             "again to finish them\n")
            # Said already, in the summary: not the generic error line (nor, with --json, a second object).
            raise SystemExit(summary.exit_code)
        return summary.exit_code


def _check_styles(items: list[Any], settings: Any, name: str) -> None:
    """Rows whose style no offline preset answers are refused where they would run offline without CLIP
    (a cloud engine understands any style; CLIP picks the nearest preset)."""
    from ..batch.manifest import check_styles
    from ..clip import ClipFeatures
    from ..engines.registry import default_registry
    from ..errors import ImgvarError

    if ClipFeatures(settings).available:
        return
    registry, local = default_registry(), {}

    def offline(item: Any) -> bool:
        engine = item.engine or str(settings["engine"])
        if engine not in local:
            try:
                local[engine] = registry.resolve(engine, settings).name == "local"
            except ImgvarError:
                local[engine] = False  # it cannot run at all: the item says why when it runs
        return local[engine]

    check_styles(items, offline, name)


def _check_out_dir(out: str) -> None:
    from ..errors import OutputError

    path = Path(out)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{out}: not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {out}: {exc.strerror or exc}") from None


class _reporter:
    """Each item's line (a progress bar on a terminal, JSON with --json) and the summary."""

    def __init__(self, total: int, json_out: bool, quiet: bool) -> None:
        self.total, self.json_out, self.quiet = total, json_out, quiet
        self.bar: Any = None
        if not json_out and not quiet and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                TextColumn("{task.description}"), console=Console(file=sys.stderr), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("", total=total)

    def item(self, result: Any, summary: Any) -> None:
        if self.json_out:
            sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
            return
        finished = sum(summary.counts.values())
        if self.bar is not None:
            counts = ", ".join(f"{n} {s}" for s, n in summary.counts.items() if n)
            self.bar.update(self.task, completed=finished, description=f"{counts}  ${summary.cost_usd:.4f}")
            if result.status == "failed":
                self.bar.console.print(_line(result, finished, self.total), markup=False, highlight=False)
            return
        if not self.quiet or result.status in ("failed", "skipped"):
            sys.stderr.write(_line(result, finished, self.total) + "\n")
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()

    def summary(self, summary: Any, sheet: str | None) -> None:
        data = summary.to_dict()
        if sheet:
            data["sheet"] = sheet
        if self.json_out:
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        counts = ", ".join(f"{summary.counts[s]} {s}" for s in ("done", "cached", "failed", "skipped"))
        sys.stderr.write(f"batch: {summary.items} items: {counts} in {summary.seconds:.1f}s, "
                         f"${summary.cost_usd:.4f}{f'; contact sheet {sheet}' if sheet else ''}\n")


def _line(result: Any, finished: int, total: int) -> str:
    what = f"{result.status:<7} row {result.row}: {Path(result.input).name} -> {result.output}"
    if result.error:
        what += f": {result.error['message']}"
    return f"[{finished}/{total}] {what} ({result.seconds:.1f}s, ${result.cost_usd:.4f})"
