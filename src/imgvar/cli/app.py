"""The Typer app: each command parses, calls one library function, renders."""

import functools
import os
import sys
from typing import Annotated, Any, Callable, Optional, Sequence

import typer
from typer.core import TyperCommand, TyperGroup

from ..errors import ERROR_KINDS, ExitCode, ImgvarError
from .index import SUMMARY, TAGLINE, epilog
from .options import IMAGE_MODEL, PAID, Common, common_options
from .render import (emit_json, progress, render_analysis, render_cutout, render_dry_run, render_result,
                     render_sheet, render_styles)


class ImgvarGroup(TyperGroup):
    """Turns every failure into one line on stderr and a documented exit code.

    With `--json` the failure is also one JSON object on stdout, so a script reads one stream.
    """

    def main(self, args: Optional[Sequence[str]] = None, prog_name: Optional[str] = None,
             complete_var: Optional[str] = None, standalone_mode: bool = True, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        code = self._run(args, prog_name or "imgvar", complete_var, **extra)
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(self, args: list[str], prog_name: str, complete_var: Optional[str], **extra: Any) -> int:
        from typer._click import exceptions as click_exc

        options = args[:args.index("--")] if "--" in args else args
        fail = functools.partial(_fail, debug="--debug" in options or bool(os.environ.get("IMGVAR_DEBUG")),
                                 as_json="--json" in options)
        try:
            rv = super().main(args=args, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
            if rv == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into a bare exit code
                return fail("interrupted", ExitCode.INTERRUPTED)
            return rv if isinstance(rv, int) else 0
        except ImgvarError as exc:
            return fail(str(exc), exc.exit_code)
        except click_exc.NoArgsIsHelpError as exc:  # `imgvar config` alone: help, not an error
            sys.stdout.write(exc.format_message() + "\n")
            return ExitCode.OK
        except click_exc.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            return fail(exc.format_message() + hint, ExitCode.USAGE)
        except click_exc.ClickException as exc:
            return fail(exc.format_message(), ExitCode.USAGE)
        except (typer.Abort, KeyboardInterrupt):
            return fail("interrupted", ExitCode.INTERRUPTED)
        except BrokenPipeError:
            return ExitCode.OK
        except Exception as exc:  # a bug: say so in one line, trace with --debug
            detail = f"{type(exc).__name__}: {exc}"
            return fail(f"internal error: {detail} (rerun with --debug for the traceback)", ExitCode.INTERNAL)


class _PlainParams:
    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False) or getattr(param, "count", False):
                param.metavar = ""  # a flag takes no value
            elif param.param_type_name == "argument":
                param.display_type_rich = _no_type  # the argument's name and help say it all
        return params


class ImgvarCommand(_PlainParams, TyperCommand):
    """Help that reads like a man page: `IMAGE` rather than `{IMAGE}`, no `<bool>` after a flag."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [p[1:-1] if p.startswith("{") and p.endswith("}") else p for p in pieces]


class ImgvarSubGroup(_PlainParams, TyperGroup):
    """A command group under imgvar (`config`, `models`, `store`) with the same plain help."""


def _no_type(ctx: Any) -> None:
    return None




def _fail(message: str, code: int, debug: bool, as_json: bool = False) -> int:
    from ..secrets import redact
    from ..text import clean

    message = clean(redact(message))
    if debug:
        import traceback

        sys.stderr.write(clean(redact(traceback.format_exc())))
    sys.stderr.write(f"imgvar: error: {message}\n")
    if as_json:
        kind = ERROR_KINDS.get(ExitCode(code), "error") if code in ExitCode._value2member_map_ else "error"
        emit_json({"error": {"exit_code": int(code), "kind": kind, "message": message}})
    return int(code)


app = typer.Typer(
    cls=ImgvarGroup,
    name="imgvar",
    help=TAGLINE,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def command(name: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`app.command` with imgvar's help layout, summary and examples."""
    return app.command(name, cls=ImgvarCommand, help=SUMMARY[name], epilog=epilog(name), **kwargs)


def _setup_logging(common: Common) -> None:
    from .common import setup_logging

    setup_logging(common.verbose, common.debug)


ImageArg = Annotated[str, typer.Argument(metavar="IMAGE", help="Input image (PNG, JPEG, WebP, TIFF, BMP, GIF); '-' reads stdin.")]
PromptArg = Annotated[str, typer.Argument(metavar="PROMPT", help='What to change, e.g. "in Van Gogh style".')]
BackgroundOpt = Annotated[Optional[str], typer.Option("--background", "-b", metavar="IMAGE",
                                                      help="New scene to place the subject in.")]
MaskOpt = Annotated[Optional[str], typer.Option("--mask", "-m", metavar="IMAGE",
                                                help="Subject mask (white = subject); the image's size, or its aspect ratio within 1% "
                                                     "(then scaled); default: the image's alpha. For a removal "
                                                     "(\"remove the sign\") with no new setting: what to remove, "
                                                     "filled offline from its surroundings.")]


AtOpt = Annotated[Optional[str], typer.Option(
    "--at", metavar="X,Y", help="Where the subject's feet go: fractions of the frame from the left and the top, "
                                "e.g. 0.3,0.9 (default: from the prompt's words, on the scene's ground).")]
ScaleOpt = Annotated[Optional[float], typer.Option(
    "--scale", metavar="S", help="The subject's height as a fraction of the frame's (0 < S <= 2; default: from "
                                 "the prompt's words and the scene).")]
SaveMaskOpt = Annotated[Optional[str], typer.Option(
    "--save-mask", metavar="PATH", help="Also write the subject's matte as found in the input (white = subject).")]
ObjectOpt = Annotated[Optional[str], typer.Option(
    "--object", metavar="IMAGE", help="An object to add where the prompt says (\"add a hat on the dog\"): its "
                                      "transparency, or its subject found automatically.")]
MatteOpt = Annotated[Optional[str], typer.Option(
    "--matte", metavar="auto|model|classic", help="How the subject is found when the image has no alpha and no "
                                                  "--mask (config: matte.engine).")]


def _parse_at(value: Optional[str]) -> Optional[tuple[float, float]]:
    if value is None:
        return None
    parts = value.replace(" ", "").split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not X,Y (two fractions of the frame, e.g. 0.3,0.9)",
                                 param_hint="--at") from None
    return x, y


StyleImageOpt = Annotated[Optional[str], typer.Option(
    "--style-image", metavar="IMAGE", help="Reference painting whose palette and brush texture to transfer.")]
CandidatesOpt = Annotated[Optional[int], typer.Option(
    "--candidates", min=1, max=8, metavar="N", help="Make N styled versions and keep the one CLIP finds nearest "
                                                    "the style while like the original (needs CLIP weights; "
                                                    "config: style.candidates).")]


def _check_json_out(common: Common, image: str) -> None:
    """--json owns stdout, so the image must go elsewhere; refused before stdin is read."""
    if common.json and common.out == "-":
        raise typer.BadParameter("--json and --out - both want stdout; choose one", param_hint="--out")
    if common.json and image == "-" and common.out is None:
        raise typer.BadParameter("with '-' as input the image goes to stdout, which --json needs; "
                                 "give --out PATH", param_hint="--out")


@command("run")
@common_options()
def run_command(image: ImageArg, prompt: PromptArg, background: BackgroundOpt = None, mask: MaskOpt = None,
                style_image: StyleImageOpt = None, at: AtOpt = None, scale: ScaleOpt = None,
                save_mask: SaveMaskOpt = None, matte: MatteOpt = None, object_image: ObjectOpt = None,
                candidates: CandidatesOpt = None, common: Common = None) -> None:
    from .. import api

    _setup_logging(common)
    _check_json_out(common, image)
    settings = common.settings(**{"matte.engine": matte, "style.candidates": candidates})
    if common.dry_run:
        render_dry_run(api.dry_run(image, prompt, command="run", settings=settings, background=background,
                                   mask=mask, style_image=style_image, object_image=object_image), common)
        return
    with progress(common) as update:
        result = api.run(image, prompt, out=common.out, settings=settings, background=background,
                         mask=mask, style_image=style_image, at=_parse_at(at), scale=scale, save_mask=save_mask,
                         object_image=object_image, progress=update)
    render_result(result, common)


@command("stylize")
@common_options()
def stylize_command(
    image: ImageArg,
    style: Annotated[Optional[str], typer.Argument(
        metavar="STYLE", help="Preset name (see 'imgvar styles') or a phrase; optional with --style-image or --sheet.")] = None,
    style_image: StyleImageOpt = None,
    strength: Annotated[Optional[float], typer.Option("--strength", "-s", min=0.0, max=1.0, metavar="AMOUNT",
                                                      help="0 keeps the input, 1 is the full style (config: style.strength).")] = None,
    detail: Annotated[Optional[float], typer.Option("--detail", min=0.25, max=4.0, metavar="SCALE",
                                                    help="Stroke scale: <1 finer, >1 coarser (config: style.detail).")] = None,
    time_budget: Annotated[Optional[float], typer.Option("--time-budget", min=1.0, max=3600.0, metavar="SECONDS",
                                                         help="Ceiling for --style-image transfer (config: style.time_budget).")] = None,
    sheet: Annotated[bool, typer.Option("--sheet", help="Write one image with the original and every preset, labelled "
                                                        "(default IMAGE.sheet.png).")] = False,
    candidates: CandidatesOpt = None,
    common: Common = None,
) -> None:
    from .. import api

    _setup_logging(common)
    _check_json_out(common, image)
    settings = common.settings(**{"style.strength": strength, "style.detail": detail,
                                  "style.time_budget": time_budget, "style.candidates": candidates})
    if sheet:
        if style or style_image:
            raise typer.BadParameter("--sheet shows every preset; drop STYLE and --style-image", param_hint="--sheet")
        with progress(common) as update:
            result = api.style_sheet(image, out=common.out, settings=settings, progress=update)
        render_sheet(result, common)
        return
    if not style and not style_image:
        raise typer.BadParameter("give a STYLE (see 'imgvar styles'), --style-image IMAGE or --sheet",
                                 param_hint="STYLE")
    if common.dry_run:
        render_dry_run(api.dry_run(image, style, command="stylize", settings=settings, style_image=style_image),
                       common)
        return
    with progress(common) as update:
        result = api.stylize(image, style, style_image=style_image, out=common.out, settings=settings,
                             progress=update)
    render_result(result, common)


@command("recontext")
@common_options()
def recontext_command(
    image: ImageArg,
    setting: Annotated[str, typer.Argument(metavar="SETTING", help='The new setting, e.g. "on a beach at sunset".')],
    background: BackgroundOpt = None,
    mask: MaskOpt = None,
    at: AtOpt = None,
    scale: ScaleOpt = None,
    save_mask: SaveMaskOpt = None,
    matte: MatteOpt = None,
    common: Common = None,
) -> None:
    from .. import api

    _setup_logging(common)
    _check_json_out(common, image)
    settings = common.settings(**{"matte.engine": matte})
    if common.dry_run:
        render_dry_run(api.dry_run(image, setting, command="recontext", settings=settings,
                                   background=background, mask=mask), common)
        return
    with progress(common) as update:
        result = api.recontext(image, setting, background=background, mask=mask, out=common.out,
                               settings=settings, at=_parse_at(at), scale=scale, save_mask=save_mask,
                               progress=update)
    render_result(result, common)


@command("cutout")
@common_options(without=("engine", "seed", *PAID))
def cutout_command(
    image: ImageArg,
    mask_only: Annotated[bool, typer.Option("--mask-only", help="Write the matte alone (white = subject) instead "
                                                                "of the subject on transparency.")] = False,
    matte: MatteOpt = None,
    common: Common = None,
) -> None:
    from .. import api

    _setup_logging(common)
    _check_json_out(common, image)
    with progress(common) as update:
        result = api.cutout(image, out=common.out, mask_only=mask_only,
                            settings=common.settings(**{"matte.engine": matte}), progress=update)
    render_cutout(result, common)


@command("analyze")
@common_options(without=("out", "seed", *IMAGE_MODEL))
def analyze_command(image: ImageArg, prompt: PromptArg, common: Common = None) -> None:
    from .. import api

    _setup_logging(common)
    if common.dry_run:
        render_dry_run(api.dry_run(image, prompt, command="analyze", settings=common.settings()), common)
        return
    with progress(common) as update:
        analysis = api.analyze(image, prompt, settings=common.settings(), progress=update)
    render_analysis(analysis, common)


@command("styles")
def styles_command(json_out: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False) -> None:
    from ..styles import presets

    rows = [{"name": p.name, "description": p.description, "aliases": list(p.aliases)} for p in presets()]
    if json_out:
        emit_json(rows)
        return
    render_styles(rows)


config_app = typer.Typer(cls=ImgvarSubGroup, help=SUMMARY["config"], no_args_is_help=True, epilog=epilog("config"))
app.add_typer(config_app, name="config")


@config_app.command("show", cls=ImgvarCommand, help="Print every setting, its value (secrets masked) and where it came from.")
def config_show(
    config: Annotated[Optional[str], typer.Option("--config", "-c", metavar="FILE", help="Extra TOML config file.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ..config import load_settings
    from ..paths import home_dir, user_config_path

    settings = load_settings(config)
    rows = settings.describe()
    if json_out:
        emit_json({"home": str(home_dir()), "user_config": str(user_config_path()), "settings": rows})
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"imgvar home: {home_dir()}", title_justify="left")
    for column in ("key", "value", "source"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["key"], str(row["value"]), row["source"])
    Console(highlight=False).print(table)


@config_app.command("path", cls=ImgvarCommand, help="Print the path of the user config file.")
def config_path() -> None:
    from ..paths import user_config_path

    sys.stdout.write(f"{user_config_path()}\n")


@command("runs")
def runs_command(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, metavar="N", help="How many runs to list.")] = 10,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    from ..config import load_settings
    from ..store.factory import open_store

    runs = open_store(load_settings()).list_runs(limit)
    if json_out:
        emit_json(runs)
        return
    for record in runs:
        output = (record.get("output") or {}).get("path") or "-"
        sys.stdout.write(f"{record.get('run_id')}  {record.get('command'):<9} {record.get('status'):<7} "
                         f"{record.get('prompt')!r} -> {output}\n")


from .cost_cmd import register as _register_cost  # noqa: E402  (registers `imgvar cost` on the app above)

_register_cost(app)

from .doctor_cmd import register as _register_doctor  # noqa: E402  (registers `imgvar doctor`)

_register_doctor(app)

from .models_cmd import register as _register_models  # noqa: E402  (registers `imgvar models`)

_register_models(app)

from .store_cmd import register as _register_store  # noqa: E402  (registers `imgvar store`)

_register_store(app)

from .batch_cmd import register as _register_batch  # noqa: E402  (registers `imgvar batch`)

_register_batch(app)
