"""Options shared by the image commands, declared once.

`common_options` appends them to a command's signature, so every command
spells them the same way and receives them bundled in one `Common` value.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from typing import Annotated

from ..config import MAX_SEED
from .common import Common


_PARAMS: list[inspect.Parameter] = [
    inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="PATH",
        help="Where to write the result (format from the extension: .png .jpg .webp .tif .bmp; '-' for stdout). "
             "Default: beside the input, IMAGE.imgvar.png (IMAGE.sheet.png for a sheet, IMAGE.cutout.png or "
             "IMAGE.mask.png for cutout).")]),
    inspect.Parameter("engine", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--engine", "-e", metavar="auto|local|openai|azure", help="Engine for every stage (config: engine).")]),
    inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--store", metavar="local|azure", help="Where results are cached: this machine, or an Azure container "
                                              "shared by every machine (config: store).")]),
    inspect.Parameter("json", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--json", help="Print one JSON object on stdout instead of text.")]),
    inspect.Parameter("seed", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[int], typer.Option(
        "--seed", min=0, max=MAX_SEED, metavar="N", help="Seed for randomised rendering; same seed, same bytes (config: seed).")]),
    inspect.Parameter("no_cache", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--no-cache", help="Recompute every stage instead of reusing stored results.")]),
    inspect.Parameter("config", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[Path], typer.Option(
        "--config", "-c", metavar="FILE", help="Extra TOML config file (over the user config, under env and flags).")]),
    inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only the essential result.")]),
    inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=0, annotation=Annotated[int, typer.Option(
        "--verbose", "-v", count=True, show_default=False,
        help="More detail: stages, keys and timings (-vv for debug logs).")]),
    inspect.Parameter("debug", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--debug", help="Show tracebacks on errors.")]),
    # Cloud engines: what a run may spend, and how the paid calls are made.
    inspect.Parameter("max_cost", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[float], typer.Option(
        "--max-cost", min=0.0, metavar="USD", rich_help_panel="Cloud engines",
        help="Most this run may spend; checked before each paid call (config: cost.max_per_run; 0 = no limit).")]),
    inspect.Parameter("dry_run", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--dry-run", rich_help_panel="Cloud engines",
        help="Print the plan, the paid calls it would make and their estimate; send nothing, spend nothing.")]),
    inspect.Parameter("api_key", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--api-key", metavar="KEY", rich_help_panel="Cloud engines", show_default=False,
        help="Key for the cloud engine (prefer OPENAI_API_KEY / AZURE_OPENAI_API_KEY: a flag shows in process lists).")]),
    inspect.Parameter("quality", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--quality", metavar="low|medium|high|auto", rich_help_panel="Cloud engines",
        help="Image quality of a cloud edit (config: cloud.quality).")]),
    inspect.Parameter("size", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--size", metavar="auto|WxH", rich_help_panel="Cloud engines",
        help="Size the image model works at (config: cloud.size).")]),
    inspect.Parameter("input_fidelity", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--input-fidelity", metavar="low|high", rich_help_panel="Cloud engines",
        help="How closely a cloud edit keeps the input's details (config: cloud.input_fidelity).")]),
    inspect.Parameter("model_format", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--model-format", metavar="png|jpeg|webp", rich_help_panel="Cloud engines",
        help="Format the image model returns (config: cloud.output_format); --out still decides the file's.")]),
    inspect.Parameter("retry_timeouts", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--retry-timeouts", rich_help_panel="Cloud engines",
        help="Re-send an image call that timed out (it may already be billed).")]),
]
_NAMES = [p.name for p in _PARAMS]

# Options that act only with some commands; each command drops what does nothing for it.
IMAGE_MODEL = ("quality", "size", "input_fidelity", "model_format", "retry_timeouts")
PAID = ("max_cost", "dry_run", "api_key", *IMAGE_MODEL)


def common_options(*, without: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate `f(..., common: Common)` so Typer sees the shared options instead of `common`."""
    params = [p for p in _PARAMS if p.name not in without]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(func)
        own = [p for name, p in signature.parameters.items() if name != "common"]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            shared = {name: kwargs.pop(name) for name in _NAMES if name in kwargs}
            return func(*args, common=Common(**shared), **kwargs)

        wrapper.__signature__ = signature.replace(parameters=own + params)  # type: ignore[attr-defined]
        return wrapper

    return decorate
