"""`imgvar`, `imgvar --help` and `imgvar --version` without importing Typer, rich or any engine."""

from __future__ import annotations

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
        "  --version  Show the version and exit.",
        "  --help     Show this message and exit.",
        "",
        "Common command options: --out PATH, --engine auto|local|openai|azure, --store local|azure,",
        "  --json, --seed N, --no-cache, --config FILE, -q/-v, --debug; for the paid cloud engines",
        "  --dry-run and --max-cost USD. See 'imgvar COMMAND --help'.",
        "",
        "Examples:",
        *(f"  {example}" for example in EXAMPLES),
    ]
    return "\n".join(lines) + "\n"


def fast_path(args: list[str]) -> int | None:
    """Handle the argument lists that need no command machinery; None means 'not handled'."""
    if args in ([], ["--help"], ["-h"]):
        sys.stdout.write(top_level_help())
        return 0
    if args in (["--version"], ["-V"]):
        from .. import __version__

        sys.stdout.write(f"imgvar {__version__}\n")
        return 0
    return None
