"""`imgvar doctor`: versions, device, usable engines and models, store, config and installed size."""

import sys

import typer

from .index import SUMMARY
from .options import Common, common_options


def register(app: typer.Typer) -> None:
    @app.command("doctor", help=SUMMARY.get("doctor", "Show what is installed, what it weighs and what can run."))
    @common_options(without=("out", "engine", "seed", "no_cache"))
    def doctor_command(common: Common = None) -> None:
        from ..doctor import diagnose, render

        report = diagnose(common.settings())
        if common.json:
            from .render import emit_json

            emit_json(report.to_dict())
            return
        sys.stdout.write(render(report))
