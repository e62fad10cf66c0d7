"""`imgvar store`: what the store holds, one item out of it, pruning, and syncing to Azure."""

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ConfigOpt = Annotated[Optional[Path], typer.Option("--config", "-c", metavar="FILE", help="Extra TOML config file.")]
StoreOpt = Annotated[Optional[str], typer.Option("--store", metavar="local|azure", help="Which store (config: store).")]


def _settings(config: Optional[Path], store: Optional[str]) -> Any:
    from .common import Common, setup_logging

    setup_logging()
    return Common(config=config, store=store).settings()


def register(app: typer.Typer) -> None:
    from .app import ImgvarCommand, ImgvarSubGroup
    from .index import SUMMARY, epilog
    from .render import emit_json, human_size

    store_app = typer.Typer(cls=ImgvarSubGroup, help=SUMMARY["store"], no_args_is_help=True, epilog=epilog("store"))
    app.add_typer(store_app, name="store")

    @store_app.command("ls", cls=ImgvarCommand, help="List recent runs, newest first (for Azure: every machine's).")
    def store_ls(
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, metavar="N", help="How many runs.")] = 20,
        json_out: JsonOpt = False, config: ConfigOpt = None, store: StoreOpt = None,
    ) -> None:
        from ..store import admin

        runs = admin.list_runs(_settings(config, store), limit)
        if json_out:
            emit_json({"runs": runs})
            return
        for record in runs:
            output = (record.get("output") or {}).get("path") or "-"
            sys.stdout.write(f"{record.get('run_id')}  {record.get('command')!s:<9} {record.get('status')!s:<7} "
                             f"{record.get('prompt')!r} -> {output}\n")

    @store_app.command("get", cls=ImgvarCommand,
                       help="Write a run's output image (or its record), or a blob or cache entry, to a file.")
    def store_get(
        ident: Annotated[str, typer.Argument(metavar="RUN_ID|KEY", help="A run id (or a unique prefix), or a "
                                                                        "64-digit blob digest or cache key.")],
        out: Annotated[str, typer.Option("--out", "-o", metavar="PATH", help="Where to write it; '-' for stdout.")],
        record: Annotated[bool, typer.Option("--record", help="The run's JSON record instead of its output.")] = False,
        json_out: JsonOpt = False, config: ConfigOpt = None, store: StoreOpt = None,
    ) -> None:
        from ..imageio import write_output
        from ..store import admin

        if json_out and out == "-":
            raise typer.BadParameter("--json and --out - would both write to stdout", param_hint="--out")
        item = admin.get(_settings(config, store), ident, record=record)
        written = write_output(item.data, out)
        if json_out:
            emit_json({"kind": item.kind, "id": item.ident, "bytes": len(item.data), "path": written})
        elif out != "-":
            sys.stdout.write(f"wrote {written} ({item.kind} of {item.ident}, {len(item.data)} bytes)\n")

    @store_app.command("stats", cls=ImgvarCommand, help="Count and size of what is stored, by kind "
                                                         "(for Azure: here and in the container).")
    def store_stats(json_out: JsonOpt = False, config: ConfigOpt = None, store: StoreOpt = None) -> None:
        from ..store import admin

        report = admin.stats(_settings(config, store))
        if json_out:
            emit_json(report)
            return
        for side in ("local", "remote"):
            part = report[side]
            if part is None:
                continue
            sys.stdout.write(f"{side}: {part['location']}\n")
            for kind, numbers in part.items():
                if isinstance(numbers, dict):
                    sys.stdout.write(f"  {kind:<8} {numbers['count']:>7}  {human_size(numbers['bytes'])}\n")

    @store_app.command("prune", cls=ImgvarCommand,
                       help="Delete cached results and run records older than DAYS (never the cost ledger).")
    def store_prune(
        older_than: Annotated[float, typer.Option("--older-than", min=0.0, metavar="DAYS",
                                                  help="Age in days of what goes.")],
        remote: Annotated[bool, typer.Option("--remote", help="Also delete them in the Azure container, for "
                                                              "every machine (needs --yes).")] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Confirm --remote.")] = False,
        json_out: JsonOpt = False, config: ConfigOpt = None, store: StoreOpt = None,
    ) -> None:
        from ..errors import UsageError
        from ..store import admin

        if remote and not yes:
            raise UsageError("--remote deletes from the container every machine shares: add --yes to confirm")
        report = admin.prune(_settings(config, store), older_than, remote=remote)
        if json_out:
            emit_json(report)
            return
        for side in ("local", "remote"):
            if report[side] is not None:
                counts = ", ".join(f"{n} {kind}" for kind, n in report[side].items())
                sys.stdout.write(f"{side}: removed {counts}\n")

    @store_app.command("sync", cls=ImgvarCommand,
                       help="Upload to the Azure container what this machine holds and it lacks (after an outage).")
    def store_sync(json_out: JsonOpt = False, config: ConfigOpt = None, store: StoreOpt = None) -> None:
        from ..store import admin

        report = admin.sync(_settings(config, store))
        if json_out:
            emit_json(report)
            return
        sys.stdout.write(f"synced with {report['location']}\n")
        for kind, numbers in report["kinds"].items():
            sys.stdout.write(f"  {kind:<8} uploaded {numbers['uploaded']:>6}   in container {numbers['in_container']:>7}\n")

