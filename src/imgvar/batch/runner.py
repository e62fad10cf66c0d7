"""Running a batch: items in parallel, a budget shared by all, a result per item.

Workers (`workers`, "auto" by default) are chosen by what measured faster in
benchmarks/batch.py: for offline items, forked processes, which start as copies of the loaded
batch process (an offline item spends much of its time in Python between the numpy, OpenCV and
torch calls, where threads take turns); for cloud items, threads, since they mostly wait on the
network and a process each would only add start-up.

Resume comes from the store: every stage's result is kept under a content key, so a
rerun of a half-finished batch answers the finished items from the store (`cached`)
and computes only the rest. Outputs are written whole or not at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ERROR_KINDS, BudgetError, ExitCode, ImgvarError
from ..text import clean
from .manifest import Item

if TYPE_CHECKING:
    from ..config import Settings

ITEM_SCHEMA = "imgvar.batch-item/1"
SUMMARY_SCHEMA = "imgvar.batch-summary/1"
STATUSES = ("done", "cached", "failed", "skipped")


@dataclass
class ItemResult:
    row: int
    input: str
    prompt: str
    output: str
    status: str  # one of STATUSES
    error: dict[str, Any] | None = None  # {"kind", "exit_code", "message"}
    cost_usd: float = 0.0
    seconds: float = 0.0
    run_id: str | None = None
    output_prompt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"schema": ITEM_SCHEMA, "row": self.row, "input": self.input, "prompt": self.prompt,
                "output": self.output, "status": self.status, "error": self.error,
                "cost_usd": round(self.cost_usd, 8), "seconds": round(self.seconds, 3), "run_id": self.run_id,
                "output_prompt": self.output_prompt}


@dataclass
class BatchSummary:
    items: int
    counts: dict[str, int] = field(default_factory=lambda: {s: 0 for s in STATUSES})
    cost_usd: float = 0.0
    seconds: float = 0.0
    interrupted: bool = False
    exit_code: int = 0
    results: list[ItemResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SUMMARY_SCHEMA, "items": self.items, **self.counts,
                "not_run": self.items - sum(self.counts.values()), "cost_usd": round(self.cost_usd, 8),
                "seconds": round(self.seconds, 3), "interrupted": self.interrupted, "exit_code": self.exit_code}


class SharedBudget:
    """--max-cost for a whole batch: an item reserves its most before it starts, and gives back what it
    did not spend when it ends, so items running at once can never take the total over the limit."""

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.spent = 0.0
        self.reserved = 0.0
        self._lock = threading.Lock()

    def reserve(self, amount: float) -> bool:
        with self._lock:
            if round(self.spent + self.reserved + amount, 9) > round(self.limit, 9):
                return False
            self.reserved += amount
            return True

    def settle(self, reserved: float, spent: float) -> None:
        with self._lock:
            self.reserved -= reserved
            self.spent += spent


def item_estimate(item: Item, settings: Settings) -> float:
    """The most an item's paid calls may cost (uncached calls' upper bounds); 0 for the local engine."""
    from .. import api

    dry = api.dry_run(item.image, item.prompt, command="run", settings=settings, background=item.background,
                      mask=item.mask, style_image=item.style_image, object_image=item.object)
    return sum(float(c.get("usd_max") or 0.0) for c in dry.calls if not c.get("cached"))


def item_settings(item: Item, settings: Settings, cap: float | None = None) -> Settings:
    flags: dict[str, Any] = {"engine": item.engine, "seed": item.seed, "style.strength": item.strength}
    if cap is not None:
        # The item may spend only what it reserved, nor more than one run may (0 means "no limit" to the
        # budget check, so a floor stays above it).
        per_run = float(settings["cost.max_per_run"])
        flags["cost.max_per_run"] = max(min(cap, per_run) if per_run > 0 else cap, 1e-9)
    return settings.with_overrides({k: v for k, v in flags.items() if v is not None}, origin="manifest")


def run_item(item: Item, settings: Settings, cap: float | None = None) -> ItemResult:
    """One item, never raising for the item's own failure: its status and error say what happened."""
    from .. import api

    started = time.perf_counter()
    result = ItemResult(item.row, item.image, item.prompt, item.out, "failed")
    try:
        Path(item.out).parent.mkdir(parents=True, exist_ok=True)
        run = api.run(item.image, item.prompt, out=item.out, settings=item_settings(item, settings, cap),
                      background=item.background, mask=item.mask, style_image=item.style_image,
                      object_image=item.object)
        result.status = "cached" if run.cached else "done"
        result.cost_usd, result.run_id, result.output_prompt = run.cost_usd, run.run_id, run.output_prompt
    except BudgetError as exc:
        result.status, result.error = "skipped", _error(exc, exc.exit_code)
    except ImgvarError as exc:
        result.error = _error(exc, exc.exit_code)
    except OSError as exc:
        result.error = _error(exc, ExitCode.OUTPUT)
    except Exception as exc:  # a bug in one item must not stop the others; the message says what
        result.error = _error(exc, ExitCode.INTERNAL, f"internal error: {type(exc).__name__}: {exc}")
    result.seconds = time.perf_counter() - started
    return result


def _error(exc: BaseException, code: int, message: str | None = None) -> dict[str, Any]:
    from ..secrets import redact

    code = ExitCode(int(code))
    return {"kind": ERROR_KINDS.get(code, "error"), "exit_code": int(code),
            "message": clean(redact(message or str(exc)))}


WORKERS = ("auto", "processes", "threads")
PRELOAD = ("numpy", "torch", "cv2", "imgvar.styles.render", "imgvar.styles.builtin", "imgvar.engines.local",
           "imgvar.matte.classic", "imgvar.engines.local.setting_changes")


def pick_workers(workers: str, jobs: int, cloud: bool = False) -> str:
    """`auto`: threads for one job or for cloud items (they wait on the network), else forked
    processes where the system forks (offline work is CPU-bound)."""
    import multiprocessing

    if workers not in WORKERS:
        raise ValueError(f"unknown workers {workers!r}")
    if workers == "auto":
        forks = "fork" in multiprocessing.get_all_start_methods()
        return "processes" if jobs > 1 and not cloud and forks else "threads"
    return workers


def uses_cloud(items: list[Item], settings: Settings) -> bool:
    """Whether any item runs on a cloud engine (named, or what `auto` picks with these settings)."""
    from ..engines.registry import default_registry

    registry = default_registry()
    for name in {item.engine or str(settings["engine"]) for item in items}:
        try:
            if registry.resolve(name, settings).name != "local":
                return True
        except ImgvarError:
            continue  # an engine that cannot be made: its items fail and say why
    return False


def _pool(workers: str, jobs: int) -> Executor:
    if workers == "threads":
        return ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="imgvar-batch")
    import multiprocessing
    import os

    # Loaded once here, the heavy modules are in every forked worker from its first item on.
    for module in PRELOAD:
        try:
            __import__(module)
        except ImportError:  # pragma: no cover - an optional part is missing: the item says so itself
            pass
    # Each process gets its share of the cores, so N processes do not each start N torch threads.
    threads = max(1, (os.cpu_count() or 1) // jobs)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_start_worker, initargs=(threads,))


def _start_worker(threads: int) -> None:
    import os
    import signal

    # Ctrl-C goes to the batch process, which stops handing out items; a worker finishes its item.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


def run_batch(items: list[Item], settings: Settings, *, jobs: int = 1, max_cost: float | None = None,
              fail_fast: bool = False, on_item: Callable[[ItemResult, BatchSummary], None] | None = None,
              worker: Callable[[Item, Settings, float | None], ItemResult] = run_item,
              workers: str = "auto") -> BatchSummary:
    """Run every item, at most `jobs` at once; `on_item` hears each result as it comes.

    Ctrl-C stops starting items and returns the summary so far, marked interrupted (exit code 130);
    items already running finish writing (or write nothing), so a rerun picks up where this one stopped.
    """
    summary = BatchSummary(len(items))
    budget = SharedBudget(max_cost) if max_cost else None
    started = time.perf_counter()
    queue: Iterator[Item] = iter(items)
    stop = threading.Event()

    def record(result: ItemResult) -> None:
        summary.results.append(result)
        summary.counts[result.status] += 1
        summary.cost_usd += result.cost_usd
        if result.status == "failed" and fail_fast:
            stop.set()
        if on_item is not None:
            on_item(result, summary)

    jobs = max(1, jobs)
    pool = _pool(pick_workers(workers, jobs, cloud=jobs > 1 and workers == "auto" and uses_cloud(items, settings)),
                 jobs)
    running: dict[Future[ItemResult], float] = {}

    # One item queued behind each running one, so a worker that finishes starts the next at once
    # instead of waiting for this loop to hear of it (not with --fail-fast: nothing may start after a failure).
    depth = jobs if fail_fast else 2 * jobs

    def start_next() -> None:
        while len(running) < depth and not stop.is_set():
            item = next(queue, None)
            if item is None:
                return
            reserved = None
            if budget is not None:
                try:
                    reserved = item_estimate(item, item_settings(item, settings))
                except ImgvarError as exc:  # it would fail the same way when run: say so now
                    record(ItemResult(item.row, item.image, item.prompt, item.out, "failed",
                                      _error(exc, exc.exit_code)))
                    continue
                if not budget.reserve(reserved):
                    left = max(0.0, budget.limit - budget.spent - budget.reserved)
                    record(ItemResult(item.row, item.image, item.prompt, item.out, "skipped", {
                        "kind": "budget", "exit_code": int(ExitCode.BUDGET),
                        "message": f"refused: this item may cost up to ${reserved:.4f}, more than the ${left:.4f} "
                                   f"left of --max-cost ${budget.limit:g}"}))
                    continue
            running[pool.submit(worker, item, settings, reserved)] = reserved or 0.0

    try:
        start_next()
        while running:
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in done:
                reserved = running.pop(future)
                result = future.result()
                if budget is not None:
                    budget.settle(reserved, result.cost_usd)
                record(result)
            start_next()
    except KeyboardInterrupt:
        stop.set()
        summary.interrupted = True
    finally:
        pool.shutdown(wait=not summary.interrupted, cancel_futures=True)
    summary.seconds = time.perf_counter() - started
    summary.exit_code = exit_code(summary)
    return summary


def exit_code(summary: BatchSummary) -> int:
    """0 when every item is done or cached; else the first failure's code, or 5 when only the budget refused."""
    if summary.interrupted:
        return int(ExitCode.INTERRUPTED)
    failed = sorted((r for r in summary.results if r.status == "failed"), key=lambda r: r.row)
    if failed:
        return int(failed[0].error["exit_code"]) if failed[0].error else int(ExitCode.ENGINE)
    if summary.counts["skipped"]:
        return int(ExitCode.BUDGET)
    return 0
