"""`imgvar cost`: spending from the ledger against the budgets, or the price table in use."""

import sys
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from .index import SUMMARY, epilog
from .options import PAID, Common, common_options


def register(app: typer.Typer) -> None:
    from .app import ImgvarCommand

    @app.command("cost", cls=ImgvarCommand, help=SUMMARY["cost"], epilog=epilog("cost"))
    @common_options(without=("out", "engine", "seed", "no_cache", "quiet", "verbose", *PAID))
    def cost_command(
        since: Annotated[Optional[str], typer.Option("--since", metavar="YYYY-MM-DD",
                                                     help="First UTC day to count.")] = None,
        until: Annotated[Optional[str], typer.Option("--until", metavar="YYYY-MM-DD",
                                                     help="Last UTC day to count.")] = None,
        days: Annotated[Optional[int], typer.Option("--days", min=1, metavar="N",
                                                    help="The last N UTC days, today included.")] = None,
        prices: Annotated[bool, typer.Option("--prices", help="Print the price table in use (its date and "
                                                              "origin) instead.")] = False,
        common: Common = None,
    ) -> None:
        settings = common.settings()
        if prices:
            from ..cost import load_prices

            _render_prices(load_prices(settings), common)
            return
        first, last = _period(since, until, days)
        from ..cost import Budget, summarize
        from ..store.factory import open_store

        store = open_store(settings)
        rows = store.read_ledger()
        summary = summarize(rows, since=first, until=last)
        budget = Budget(settings, store)
        totals = {"day": budget.spent("day"), "month": budget.spent("month")}
        _render_summary(summary, budget, totals, store.location, common)


def _parse_day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag}: '{value}' is not a date (expected YYYY-MM-DD)") from None


def _period(since: str | None, until: str | None, days: int | None) -> tuple[date | None, date | None]:
    first, last = _parse_day(since, "--since"), _parse_day(until, "--until")
    if days is not None:
        if first is not None:
            raise UsageError("give --days or --since, not both")
        first = datetime.now(timezone.utc).date() - timedelta(days=days - 1)
    if first is not None and last is not None and first > last:
        raise UsageError(f"--since {first} is after --until {last}")
    return first, last


def _budget_rows(budget: Any, totals: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"period": "today (UTC)", "key": "cost.daily_budget", "spent": totals["day"], "limit": budget.daily},
        {"period": "this month (UTC)", "key": "cost.monthly_budget", "spent": totals["month"],
         "limit": budget.monthly},
    ]


def _render_summary(summary: Any, budget: Any, totals: dict[str, float], location: str, common: Common) -> None:
    from ..cost import format_limit, format_usd
    from .render import emit_json

    if common.json:
        emit_json({
            "ledger": location,
            "summary": summary.to_dict(),
            "budgets": {
                "max_per_run": budget.max_per_run,
                "today": {"spent": round(totals["day"], 8), "limit": budget.daily},
                "month": {"spent": round(totals["month"], 8), "limit": budget.monthly},
            },
        })
        return
    if summary.calls == 0:
        span = _span(summary)
        sys.stdout.write(f"no paid calls recorded{' ' + span if span else ''}\n")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    span = _span(summary)
    console.print(f"{summary.calls} paid call{'s' if summary.calls != 1 else ''}, "
                  f"{format_usd(summary.total_usd)} in all{' ' + span if span else ''} (ledger {location})")
    for title, rows, name in (("by day (UTC)", summary.by_day, "day"), ("by model", summary.by_model, "model"),
                              ("by engine", summary.by_engine, "engine")):
        table = Table(title=title, title_justify="left")
        table.add_column(name, no_wrap=True)
        table.add_column("calls", justify="right")
        table.add_column("USD", justify="right")
        for row in rows:
            table.add_row(str(row[name]), str(row["calls"]), format_usd(row["usd"]))
        console.print(table)
    for row in _budget_rows(budget, totals):
        limit = f"of {format_limit(row['limit'])} ({row['key']})" if row["limit"] > 0 else "(no limit)"
        console.print(f"{row['period']}: {format_usd(row['spent'])} {limit}")
    per_run = format_limit(budget.max_per_run) if budget.max_per_run > 0 else "no limit"
    console.print(f"per run: {per_run} (cost.max_per_run)")


def _span(summary: Any) -> str:
    if summary.since and summary.until:
        return f"from {summary.since} to {summary.until}"
    if summary.since:
        return f"since {summary.since}"
    if summary.until:
        return f"until {summary.until}"
    return ""


def _render_prices(table: Any, common: Common) -> None:
    from .render import emit_json

    models = sorted(table.models.values(), key=lambda p: (p.kind, p.model))
    if common.json:
        from dataclasses import asdict

        emit_json({"as_of": table.as_of, "origin": table.origin, "unit": "USD per 1M tokens",
                   "models": [asdict(p) for p in models], "image_output_tokens": table.image_output_tokens})
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    grid = Table(title=f"prices in USD per 1M tokens, as of {table.as_of} ({'; '.join(table.origin)})",
                 title_justify="left")
    grid.add_column("model", no_wrap=True)
    grid.add_column("kind")
    cached = any(p.cached_input is not None for p in models)
    for label in ("text in", "text out", "image in", "image out") + (("cached in",) if cached else ()):
        grid.add_column(label, justify="right")
    grid.add_column("as of", no_wrap=True)
    for p in models:
        figures = [p.text_input, p.text_output, p.image_input, p.image_output] + ([p.cached_input] if cached else [])
        grid.add_row(p.model, p.kind, *("-" if v is None else f"{v:g}" for v in figures), p.as_of or "-")
    console.print(grid)
    for p in models:
        extra = f"; {p.note}" if p.note else ""
        console.print(f"{p.model}: {p.source or 'no source given'}{extra}")
    sizes = sorted({size for per_quality in table.image_output_tokens.values() for size in per_quality})
    tokens = Table(title="image output tokens per image (other sizes: the 1024x1024 figure scaled by area)",
                   title_justify="left")
    tokens.add_column("quality")
    for size in sizes:
        tokens.add_column(size, justify="right")
    for quality, per_size in table.image_output_tokens.items():
        tokens.add_row(quality, *(str(per_size.get(size, "-")) for size in sizes))
    console.print(tokens)
