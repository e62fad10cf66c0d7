"""`imgvar`, `imgvar --help` and `imgvar --version` without importing Typer, rich or any engine."""

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
    return None
