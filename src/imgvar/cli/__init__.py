"""Command-line entry point. `main` handles the fast paths, then hands over to the Typer app."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from .fast import fast_path

    handled = fast_path(args)
    if handled is not None:
        return handled
    from .app import app

    import typer

    command = typer.main.get_command(app)
    return command.main(args=args, prog_name="imgvar", standalone_mode=False)


def entry() -> None:  # console script
    sys.exit(main())
