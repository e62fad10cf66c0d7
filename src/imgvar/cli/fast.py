"""What the command line can answer without Typer, rich or any engine.

`imgvar`, `imgvar --help` and `imgvar --version`; and a `run` or `stylize`
whose every stage is in the store (a repeat), when its arguments are the plain
kind parsed here. Anything else, a miss or any error included, is handed to
the full command machinery, which parses, checks and reports as usual.
"""

from __future__ import annotations

import os
import sys

from .index import COMMANDS, EXAMPLES, TAGLINE


def top_level_help() -> str:
    width = max(len(name) for name, _ in COMMANDS) + 2
    lines = [
        "Usage: imgvar [--version] [--help] COMMAND [ARGS]...",
        "",
        TAGLINE,
        "",
        "Commands:",
        *(f"  {name.ljust(width)}{summary}" for name, summary in COMMANDS),
        "",
        "Options:",
        "  --version             Show the version and exit.",
        "  --install-completion  Install completion for the current shell.",
        "  --show-completion     Show completion for the current shell, to copy it or customise it.",
        "  --help                Show this message and exit.",
        "",
        "Common command options: --out PATH, --engine auto|local|openai|azure, --json, --seed N,",
        "  --no-cache, --config FILE, -q/-v, --debug; for the paid cloud engines --dry-run and",
        "  --max-cost USD. See 'imgvar COMMAND --help'.",
        "",
        "Examples:",
        *(f"  {example}" for example in EXAMPLES),
    ]
    return "\n".join(lines) + "\n"


def fast_path(args: list[str]) -> int | None:
    """Handle the argument lists that need no command machinery; None means 'not handled'."""
    if os.environ.get("_IMGVAR_COMPLETE"):
        return None  # the shell asks for completions: the full command machinery answers
    if args in ([], ["--help"], ["-h"]):
        sys.stdout.write(top_level_help())
        return 0
    if args in (["--version"], ["-V"]):
        from .. import __version__

        sys.stdout.write(f"imgvar {__version__}\n")
        return 0
    if args and args[0] in CACHED_COMMANDS:
        return cached_run(args)
    return None


CACHED_COMMANDS = ("run", "stylize")
# Options taking a value -> the Common field; flags -> the field they set.
_VALUED = {"--out": "out", "-o": "out", "--engine": "engine", "-e": "engine", "--config": "config", "-c": "config"}
_FLAGS = {"--json": "json", "--quiet": "quiet", "-q": "quiet"}


def plain_args(args: list[str]) -> tuple[str, str, str, dict] | None:
    """(command, image, text, options) for `COMMAND IMAGE TEXT [plain options]`, else None."""
    command, rest = args[0], args[1:]
    positional: list[str] = []
    options: dict = {}
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, value = arg.partition("=")
        if name in _VALUED:
            if not eq:
                if i + 1 >= len(rest):
                    return None
                i, value = i + 1, rest[i + 1]
            if _VALUED[name] in options or not value or value.startswith("-") and value != "-":
                return None
            options[_VALUED[name]] = value
        elif arg in _FLAGS:
            options[_FLAGS[arg]] = True
        elif arg.startswith("-"):  # stdin, "--" and every other option: the full parser's job
            return None
        else:
            positional.append(arg)
        i += 1
    if len(positional) != 2 or (options.get("json") and options.get("out") == "-"):
        return None
    return command, positional[0], positional[1], options


def cached_run(args: list[str]) -> int | None:
    """Answer a repeated `run`/`stylize` from the store; None when it is not one (nothing written then)."""
    parsed = plain_args(args)
    if parsed is None or os.environ.get("IMGVAR_DEBUG"):
        return None
    command, image, text, options = parsed
    from ..errors import ImgvarError
    from .common import Common, setup_logging
    from .render import _log_progress, render_result

    common = Common(**options)
    setup_logging()
    try:
        from .. import api

        quiet = common.quiet or common.json or sys.stderr.isatty()  # a terminal shows no lines for stored stages
        result = api.cached(command, image, text, out=common.out, settings=common.settings(),
                            progress=None if quiet else _log_progress(common))
    except (ImgvarError, OSError, ValueError):
        return None  # the full path reports it, with its exit code
    if result is None:
        return None
    render_result(result, common)
    return 0
