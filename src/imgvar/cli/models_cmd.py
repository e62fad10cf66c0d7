"""`imgvar models`: which model weights are known and on disk, and fetching them."""

import sys
from typing import Annotated, Any, Optional

import typer

SUMMARY = "List the downloadable models (matte, CLIP) and download their weights."
EXAMPLES = ("imgvar models list", "imgvar models pull matte", "imgvar models pull clip")
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    from .app import ImgvarCommand, ImgvarSubGroup

    examples = "\n".join(("Examples:", *(f"  {e}" for e in EXAMPLES)))
    models_app = typer.Typer(cls=ImgvarSubGroup, help=SUMMARY, no_args_is_help=True, epilog=examples)
    app.add_typer(models_app, name="models")

    @models_app.command("list", cls=ImgvarCommand,
                        help="Every known model: role, whether its weights are on disk, size and licence (--json: paths).")
    def models_list(json_out: JsonOpt = False) -> None:
        from ..models import default_model, list_models

        default = default_model("matte")
        rows = [dict(m.to_dict(), default=m.name in (default, "clip")) for m in list_models()]
        if json_out:
            from .render import emit_json

            emit_json({"models": rows})
            return
        _render_list(rows)

    @models_app.command("pull", cls=ImgvarCommand,
                        help="Download a model's weights, verify the checksum and put them in the models directory.")
    def models_pull(
        name: Annotated[Optional[str], typer.Argument(
            metavar="NAME", help="A model from 'imgvar models list', 'matte' for the configured matte model "
                                 "(config: matte.model) or 'clip' for the configured CLIP weights (config: clip.*).")] = "matte",
        json_out: JsonOpt = False,
    ) -> None:
        from ..models import pull_model

        result = pull_model(name or "matte", progress=not json_out and sys.stderr.isatty())
        if json_out:
            from .render import emit_json

            emit_json(result.to_dict())
            return
        from .render import human_size

        what = "downloaded" if result.downloaded else "already present and verified:"
        sys.stdout.write(f"{what} {result.name} ({human_size(result.size_bytes)}) at {result.path}\n")


def _render_list(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..paths import models_dir
    from .render import human_size

    table = Table(title=f"models in {models_dir()} (* = configured: matte.model, clip.*)", title_justify="left")
    # The file is always NAME.onnx in the directory the title names; JSON gives full paths.
    for column in ("name", "role", "present", "size", "licence"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        size = human_size(row["size_bytes"]) if row["present"] else f"~{human_size(row['expected_bytes'])}"
        table.add_row(("* " if row["default"] else "  ") + row["name"], row["role"],
                      "yes" if row["present"] else "no", size, row["licence"])
    console = Console(highlight=False)
    console.print(table)
    for row in rows:
        if row["default"] and not row["present"]:
            what = "CLIP weights are" if row["role"] == "clip" else "matte model is"
            console.print(f"the configured {what} not downloaded: imgvar models pull {row['role']}")
