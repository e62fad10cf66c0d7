"""Options shared by the image commands, declared once.

`common_options` appends them to a command's signature, so every command
spells them the same way and receives them bundled in one `Common` value.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import typer
from typing import Annotated


@dataclass
class Common:
    out: Optional[str] = None
    engine: Optional[str] = None
    store: Optional[str] = None
    json: bool = False
    seed: Optional[int] = None
    no_cache: bool = False
    config: Optional[Path] = None
    quiet: bool = False
    verbose: int = 0
    debug: bool = False

    def settings(self, **extra_flags: Any):
        """Effective settings: defaults < files < env < these flags."""
        from ..config import load_settings

        flags = {"engine": self.engine, "store": self.store, "seed": self.seed,
                 "cache": False if self.no_cache else None, **extra_flags}
        return load_settings(self.config, flags)


_PARAMS: list[inspect.Parameter] = [
    inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--out", "-o", metavar="PATH",
        help="Where to write the result (format from the extension: .png .jpg .webp .tif .bmp; '-' for stdout). "
             "Default: IMAGE.imgvar.png beside the input.")]),
    inspect.Parameter("engine", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--engine", "-e", metavar="auto|local|openai|azure", help="Engine for every stage (config: engine).")]),
    inspect.Parameter("store", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[str], typer.Option(
        "--store", metavar="local|azure", help="Where results are cached (config: store).")]),
    inspect.Parameter("json", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--json", help="Print one JSON object on stdout instead of text.")]),
    inspect.Parameter("seed", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[int], typer.Option(
        "--seed", min=0, help="Seed for randomised rendering; same seed, same bytes (config: seed).")]),
    inspect.Parameter("no_cache", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--no-cache", help="Recompute every stage instead of reusing stored results.")]),
    inspect.Parameter("config", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[Optional[Path], typer.Option(
        "--config", "-c", metavar="FILE", help="Extra TOML config file (over the user config, under env and flags).")]),
    inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only the essential result.")]),
    inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=0, annotation=Annotated[int, typer.Option(
        "--verbose", "-v", count=True, help="More detail: stages, keys and timings (-vv for debug logs).")]),
    inspect.Parameter("debug", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[bool, typer.Option(
        "--debug", help="Show tracebacks on errors.")]),
]
_NAMES = [p.name for p in _PARAMS]


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
