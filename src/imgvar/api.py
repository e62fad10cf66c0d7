"""The library entry points: `run`, `analyze`, `stylize`, `recontext`.

Each loads its inputs, resolves the engine and store from the settings, runs
its stages through the cached pipeline, writes the output atomically, and logs
one run record, also when it fails.
"""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from . import __version__
from .clip import ClipFeatures
from .clip.judge import clip_analysis, run_quality
from .config import Settings, load_settings
from .errors import EngineError, ImgvarError, UsageError
from .imageio import (LoadedImage, encode_image, format_for_path, image_facts, load_image, load_mask,
                      pixel_digest, read_source, write_output)
from .pipeline import CacheMiss, Progress, run_stages
from .plan import Plan, SubTask
from .results import Analysis, Cutout, DryRun, Result, SheetResult
from .stages import (AddObjectStage, AnalyzeStage, DescribeStage, EditStage, MatteStage, PostprocessStage, RecontextStage,
                     RemoveStage, StylizeStage)
from .stages.base import State
from .stages.describe import unhandled_changes
from .stages.recontext import offline_refusal
from .store.factory import open_store
from .text import clean

if TYPE_CHECKING:
    from PIL import Image

    from .store.base import Store

MIN_STYLE_SIDE = 16
MIN_BACKGROUND_SIDE = 32

ImageInput = Union[str, os.PathLike, bytes, "Image.Image", LoadedImage]


def run(image: ImageInput, prompt: str, *, out: str | os.PathLike | None = None, settings: Settings | None = None,
        background: ImageInput | None = None, mask: ImageInput | None = None, style_image: ImageInput | None = None,
        at: tuple[float, float] | None = None, scale: float | None = None,
        save_mask: str | os.PathLike | None = None, object_image: ImageInput | None = None,
        progress: Progress | None = None) -> Result:
    """Analyse the prompt and apply every sub-task the engine can do; write to `out` if given.

    `at` (the subject's bottom-centre, fractions of the frame) and `scale` (its height as a
    fraction of the frame's) override where a recontext places the subject; `save_mask`
    writes the subject's matte (white = subject) as found in the input; `object_image` is the
    object an add-object task puts in ("add a hat on the dog")."""
    return _execute("run", image, _require_prompt(prompt), None, out=out, settings=settings,
                    background=background, mask=mask, style_image=style_image, progress=progress,
                    placement=_placement(at, scale), save_mask=save_mask, object_image=object_image)


def stylize(image: ImageInput, style: str | None = None, *, style_image: ImageInput | None = None,
            out: str | os.PathLike | None = None, settings: Settings | None = None,
            progress: Progress | None = None) -> Result:
    """Restyle the whole image with a preset or style phrase ("van gogh", "aquarelle"), or after `style_image`."""
    if style_image is not None and (style is None or not str(style).strip()):
        plan = Plan(prompt="", language="en", tasks=[])
        return _execute("stylize", image, "(style image)", plan, out=out, settings=settings,
                        style_image=style_image, progress=progress)
    style = _require_prompt(style, what="style")
    return _execute("stylize", image, style, _single_task_plan(style, "style"), out=out, settings=settings,
                    style_image=style_image, progress=progress)


def style_sheet(image: ImageInput, *, out: str | os.PathLike | None = None, settings: Settings | None = None,
                progress: Progress | None = None) -> SheetResult:
    """One image with the original and every preset, labelled: how to compare them."""
    from .styles.sheet import contact_sheet

    settings = settings or load_settings()
    source, _ = _load(image, settings)
    out_path = _resolve_out(out, image, settings, suffix="sheet")
    started = time.perf_counter()
    if progress is not None:
        progress("start", "sheet", {"engine": "local"})
    with _listening(progress):
        sheet, names = contact_sheet(source.image, detail=settings["style.detail"], seed=settings["seed"])
    if progress is not None:
        progress("done", "sheet", {"engine": "local", "cache_hit": False, "seconds": time.perf_counter() - started})
    fmt = format_for_path(out_path) if out_path not in (None, "-") else settings["output.format"]
    written = None
    if out_path is not None:
        data = encode_image(sheet, fmt, {"imgvar:prompt": "contact sheet of every style preset",
                                         "Software": f"imgvar {__version__}"}, quality=settings["output.quality"],
                            compress_level=settings["output.png_compression"])
        written = write_output(data, out_path)
        written = "-" if out_path == "-" else written
    return SheetResult(image=sheet, output=written, presets=names)


def recontext(image: ImageInput, setting: str, *, background: ImageInput | None = None,
              mask: ImageInput | None = None, out: str | os.PathLike | None = None,
              settings: Settings | None = None, at: tuple[float, float] | None = None, scale: float | None = None,
              save_mask: str | os.PathLike | None = None, progress: Progress | None = None) -> Result:
    """Keep the subject, change its setting: onto `background`, or offline on the image's own
    background (night, snow, fog, blur, a studio backdrop...). The subject comes from `mask`,
    the image's alpha, or the automatic matte."""
    setting = _require_prompt(setting, what="setting")
    return _execute("recontext", image, setting, _single_task_plan(setting, "recontext"), out=out,
                    settings=settings, background=background, mask=mask, progress=progress,
                    placement=_placement(at, scale), save_mask=save_mask)


def cutout(image: ImageInput, *, out: str | os.PathLike | None = None, mask_only: bool = False,
           settings: Settings | None = None, progress: Progress | None = None) -> Cutout:
    """The subject on transparency (RGBA), or with `mask_only` its matte (white = subject)."""
    from .engines.local import local_engine

    settings = settings or load_settings()
    source, raw = _load(image, settings)
    out_path = _resolve_out(out, image, settings, suffix="mask" if mask_only else "cutout", fmt="png")
    if out_path not in (None, "-") and not mask_only and format_for_path(out_path) in ("jpeg", "bmp"):
        raise UsageError(f"{clean(out_path)}: a cut-out needs transparency; write .png, .webp or .tif "
                         "(or use --mask-only)")
    state = _state(source, "(cutout)", settings, None, None, None, None)
    state.wants_matte = True
    store = open_store(settings)
    started = time.time()
    try:
        if raw is not None:
            store.put_blob(raw)
        with _listening(progress):
            local = local_engine(settings)  # finding the subject is local work whatever engine is set
            reports = run_stages(state, [MatteStage()], local, local, store, use_cache=settings["cache"],
                                 progress=progress)
        matte = _subject_matte(state)
        if mask_only:
            picture = matte
        else:
            picture = source.image.convert("RGB")
            picture.putalpha(matte)
        result = Cutout(picture, state.matte or {"engine": "alpha", "confidence": 1.0, "notes": []},
                        cached=bool(reports) and all(r.cache_hit for r in reports))
        if out_path is not None:
            fmt = format_for_path(out_path) if out_path != "-" else "png"
            data = encode_image(picture, fmt, {"Software": f"imgvar {__version__}"},
                                quality=settings["output.quality"], compress_level=settings["output.png_compression"])
            written = write_output(data, out_path)
            result.output = "-" if out_path == "-" else written
    except BaseException as exc:
        _record_failure(store, "cutout", state, started, exc)
        raise
    record = _record("cutout", state, reports, started, status="ok")
    record["output"] = {"path": _display_path(result.output), "digest": None}
    result.run_id = store.save_run(record)
    return result


def _subject_matte(state: State) -> Image.Image:
    matte = state.subject_matte()
    if matte is None:
        raise EngineError("no subject matte was made")
    return matte


def _placement(at: tuple[float, float] | None, scale: float | None) -> dict[str, Any]:
    """--at and --scale, checked before any work: fractions of the frame."""
    from .engines.local.placement import check_overrides

    at = None if at is None else tuple(float(v) for v in at)
    scale = None if scale is None else float(scale)
    check_overrides(at, scale)
    return {"at": at, "scale": scale}


def analyze(image: ImageInput, prompt: str, *, settings: Settings | None = None,
            progress: Progress | None = None) -> Analysis:
    """The plan for `prompt` and facts about the image; changes nothing."""
    prompt = _require_prompt(prompt)
    settings = settings or load_settings()
    source, raw = _load(image, settings)
    store = open_store(settings)
    engine, fallback = _engines(settings, store, progress)
    state = State(source=source, facts=image_facts(source), prompt=prompt, settings=settings)
    state.clip = ClipFeatures(settings, store)
    started = time.time()
    try:
        if raw is not None:
            store.put_blob(raw)  # originals are kept beside what was made from them
        with _listening(progress):
            reports = run_stages(state, [AnalyzeStage()], engine, fallback, store,
                                 use_cache=settings["cache"], progress=progress)
    except BaseException as exc:
        _record_failure(store, "analyze", state, started, exc, engine)
        raise
    refusal = offline_refusal(state, engine)
    clip = clip_analysis(state, progress)
    analysis = Analysis(state.plan, state.facts, reports[0].engine, reports[0].cache_hit,
                        cost_usd=_cost(engine)["usd"],
                        warnings=[f"run would stop: {refusal}"] if refusal else [], clip=clip)
    record = _record("analyze", state, reports, started, status="ok", engine=engine)
    record["clip"] = clip
    analysis.run_id = store.save_run(record)
    return analysis


def dry_run(image: ImageInput, prompt: str | None, *, command: str = "run", settings: Settings | None = None,
            background: ImageInput | None = None, mask: ImageInput | None = None,
            style_image: ImageInput | None = None, object_image: ImageInput | None = None) -> DryRun:
    """The plan and the paid calls `command` would make, each with its estimate; sends and spends nothing.

    Stored results count as free. When the cloud plan is not stored yet, the offline
    parser's plan stands in for it (the cloud model's may differ a little).
    """
    from .engines.local.analyzer import LocalAnalyzer
    from .pipeline import cached_output, role_impl, stage_key
    from .stages.edit import edit_request

    settings = settings or load_settings()
    source, _ = _load(image, settings)
    if command == "stylize":
        plan = _single_task_plan(prompt, "style") if prompt else Plan(prompt="", language="en", tasks=[])
    elif command == "recontext":
        plan = _single_task_plan(_require_prompt(prompt, what="setting"), "recontext")
    else:
        plan = None
    state = _state(source, prompt or "(style image)", settings, plan, background, mask, style_image, object_image)
    store = open_store(settings)
    engine, fallback = _engines(settings)
    use_cache = settings["cache"]
    calls: list[dict[str, Any]] = []
    plan_source = "local"

    if state.plan is None:
        stage = AnalyzeStage()
        name, impl = role_impl(stage, engine, fallback)
        key, _, _ = stage_key(state, stage, name, impl)
        stored = cached_output(store, key) if use_cache else None
        if stored is not None:
            stage.apply(state, stored)
            plan_source = "cache"
        else:
            state.plan = LocalAnalyzer().analyze(state.prompt, source.image, state.facts)
            if getattr(impl, "paid", False):
                plan_source = "offline parser"
                calls.append(_call_row("analyze", impl.estimate(state.prompt, source.image, state.facts), False))
    edit = EditStage()
    name, impl = role_impl(edit, engine, fallback)
    if command != "analyze" and impl is not None and edit.applies(state):
        key, _, _ = stage_key(state, edit, name, impl)
        cached = plan_source != "offline parser" and use_cache and cached_output(store, key) is not None
        calls.append(_call_row("edit", impl.estimate(state.image, edit_request(state)), cached))
    refusal = offline_refusal(state, engine) if command != "stylize" else None
    return DryRun(command=command, engine=engine.name, plan=state.plan, plan_source=plan_source, calls=calls,
                  refusal=str(refusal) if refusal else None)


def _call_row(stage: str, estimate: Any, cached: bool) -> dict[str, Any]:
    row = {"stage": stage, **estimate.to_dict(), "cached": cached}
    return row


def cached(command: str, image: str | os.PathLike, text: str, *, out: str | os.PathLike | None = None,
           settings: Settings | None = None, progress: Progress | None = None) -> Result | None:
    """`run` or `stylize` (with a style phrase) answered wholly from the store, or None when any stage
    would have to compute; then nothing was written, and the caller runs the command as usual."""
    text = _require_prompt(text, what="style" if command == "stylize" else "prompt")
    settings = settings or load_settings()
    if not settings["cache"]:
        return None
    plan = _single_task_plan(text, "style") if command == "stylize" else None
    try:
        return _execute(command, image, text, plan, out=out, settings=settings, progress=progress, cache_only=True)
    except CacheMiss:
        return None


def _execute(command: str, image: ImageInput, prompt: str, plan: Plan | None, *, out: Any, settings: Settings | None,
             background: ImageInput | None = None, mask: ImageInput | None = None,
             style_image: ImageInput | None = None, progress: Progress | None = None,
             cache_only: bool = False, placement: dict[str, Any] | None = None,
             save_mask: str | os.PathLike | None = None, object_image: ImageInput | None = None) -> Result:
    settings = settings or load_settings()
    source, raw = _load(image, settings)
    out_path = _resolve_out(out, image, settings)
    mask_path = _resolve_out(save_mask, None, settings, fmt="png") if save_mask is not None else None
    if mask_path is not None and _same_destination(mask_path, out_path):
        raise UsageError(f"--save-mask {clean(str(save_mask))} is where the image goes too; give it another path")
    state = _state(source, prompt, settings, plan, background, mask, style_image, object_image)
    state.placement = placement or {}
    state.wants_matte = mask_path is not None

    store = open_store(settings)
    state.clip = ClipFeatures(settings, store)
    engine, fallback = _engines(settings, store, progress)
    started = time.time()
    try:
        if raw is not None:
            store.put_blob(raw)  # originals are kept beside their results
        strict = command != "run"
        with _listening(progress):
            reports = run_stages(state, [AnalyzeStage()], engine, fallback, store, use_cache=settings["cache"],
                                 strict=strict, progress=progress, cache_only=cache_only)
            refusal = offline_refusal(state, engine)
            if refusal is not None:  # said before any image work
                raise refusal
            stages = [MatteStage(), EditStage(), RemoveStage(), AddObjectStage(), RecontextStage(), StylizeStage(),
                      PostprocessStage()]
            reports += run_stages(state, stages, engine, fallback, store, use_cache=settings["cache"],
                                  strict=strict, progress=progress, cache_only=cache_only)
        state.changes.extend(unhandled_changes(state, engine.name))
        _require_some_change(state)
        reports += run_stages(state, [DescribeStage()], engine, fallback, store, use_cache=settings["cache"],
                              progress=progress, cache_only=cache_only)
        cost = _cost(engine)
        result = Result(image=state.image, output_prompt=state.output_prompt or "", prompt=prompt, plan=state.plan,
                        facts=state.facts, engine=engine.name, changes=list(state.changes), stages=reports,
                        cost_usd=cost["usd"], calls=cost["calls"], clip=run_quality(state, progress))
        if out_path is not None:
            fmt = format_for_path(out_path) if out_path != "-" else settings["output.format"]
            data = encode_image(state.image, fmt, _metadata(prompt, result.output_prompt),
                                quality=settings["output.quality"], compress_level=settings["output.png_compression"])
            result.output_digest = store.put_blob(data)
            written = write_output(data, out_path)
            result.output = "-" if out_path == "-" else written
        result.matte = state.matte
        if mask_path is not None:
            matte = _subject_matte(state)
            written = write_output(encode_image(matte, format_for_path(mask_path) if mask_path != "-" else "png"),
                                   mask_path)
            result.mask_output = "-" if mask_path == "-" else written
    except CacheMiss:
        raise  # not a failure: the caller computes the run as usual
    except BaseException as exc:
        _record_failure(store, command, state, started, exc, engine)
        raise
    record = _record(command, state, reports, started, status="ok", engine=engine)
    record["output"] = {"path": _display_path(result.output), "digest": result.output_digest}
    record["clip"] = result.clip
    result.run_id = store.save_run(record)
    return result


def _same_destination(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether two output paths name one file (stdout counts as one destination)."""
    if str(a) == "-" or str(b) == "-":
        return str(a) == str(b)
    return os.path.abspath(os.fspath(a)) == os.path.abspath(os.fspath(b))


def _state(source: LoadedImage, prompt: str, settings: Settings, plan: Plan | None, background: ImageInput | None,
           mask: ImageInput | None, style_image: ImageInput | None, object_image: ImageInput | None = None) -> State:
    """The pipeline's state with the optional images loaded and checked."""
    state = State(source=source, facts=image_facts(source), prompt=prompt, settings=settings, plan=plan)
    if background is not None:
        state.background, _ = _load(background, settings, role="background")
        w, h = state.background.image.size
        if min(w, h) < MIN_BACKGROUND_SIDE:  # the output frame is sized from the scene: a few pixels make none
            from .errors import BadInputError

            raise BadInputError(f"{clean(state.background.source)}: the background is {w}x{h}; a new scene needs "
                                f"at least {MIN_BACKGROUND_SIDE} pixels on each side")
    if style_image is not None:
        state.style_image, _ = _load(style_image, settings, role="style image")
        w, h = state.style_image.image.size
        if min(w, h) < MIN_STYLE_SIDE:  # too few pixels to hold a texture or colour statistics
            from .errors import BadInputError

            raise BadInputError(f"{clean(state.style_image.source)}: the style image is {w}x{h}; a style reference "
                                f"needs at least {MIN_STYLE_SIDE} pixels on each side")
    if object_image is not None:
        state.object_image, _ = _load(object_image, settings, role="object")
        w, h = state.object_image.image.size
        if min(w, h) < MIN_STYLE_SIDE:
            from .errors import BadInputError

            raise BadInputError(f"{clean(state.object_image.source)}: the object image is {w}x{h}; it needs at "
                                f"least {MIN_STYLE_SIDE} pixels on each side")
    if mask is not None:
        state.mask = load_mask(mask, source.image.size, max_pixels=settings["image.max_pixels"])
        state.mask_digest = pixel_digest(state.mask)
    return state


def _require_some_change(state: State) -> None:
    """Refuse to write a copy of the input when no requested change could be made."""
    if any(c.applied for c in state.changes):
        return
    if state.plan is None or not state.plan.tasks or all(t.kind == "other" for t in state.plan.tasks):
        raise UsageError(f"nothing in the prompt was understood as a change: '{state.prompt}'")
    # Every task was skipped for want of an input or an engine that can do it: the same
    # usage error the single-task commands give for it, not an engine failure.
    reasons = "; ".join(c.summary for c in state.changes if not c.applied)
    raise UsageError(f"none of the requested changes could be made: {reasons}")


def _require_prompt(prompt: str, what: str = "prompt") -> str:
    if prompt is None or not str(prompt).strip():
        raise UsageError(f"the {what} is empty")
    return clean(str(prompt)).strip()


_ONE_WORD = re.compile(r"[A-Za-z][A-Za-z_\-]*")


def _single_task_plan(text: str, kind: str) -> Plan:
    """A plan for a one-stage command: the parsed task of that kind, else the whole text as its argument."""
    from .prompt import detect_language, parse_prompt

    if kind == "style" and _ONE_WORD.fullmatch(text):
        # A preset's name or one style word ("pencil", "ukiyo_e", "aquarelle"): nothing to parse,
        # and parsing costs more than decoding a photo; the style stage resolves the word itself.
        task = SubTask("style", text, {"style": text.lower()})
        return Plan(prompt=text, language=detect_language(text), tasks=[task])

    parsed = parse_prompt(text)
    task = parsed.first(kind)
    if task is None:
        args = {"style": text.lower()} if kind == "style" else {"setting": text, "subject": None}
        task = SubTask(kind, text, args)
    return Plan(prompt=text, language=detect_language(text), tasks=[task])


def _load(value: ImageInput, settings: Settings, role: str = "image") -> tuple[LoadedImage, bytes | None]:
    """A LoadedImage and, when read from a file or bytes, the original bytes (stored as the original)."""
    if isinstance(value, LoadedImage):
        return value, None
    max_pixels = settings["image.max_pixels"]
    if isinstance(value, (str, os.PathLike)):
        raw, name = read_source(value)
        return load_image(raw, name=name, max_pixels=max_pixels), raw
    if isinstance(value, (bytes, bytearray)):
        return load_image(bytes(value), name=role, max_pixels=max_pixels), bytes(value)
    from PIL import Image

    if isinstance(value, Image.Image):
        data = encode_image(value.convert("RGBA" if value.mode in ("RGBA", "LA", "P") else "RGB"), "png")
        return load_image(data, name=role, max_pixels=max_pixels), data
    raise UsageError(f"unsupported {role} input of type {type(value).__name__}")


def _listening(progress: Progress | None):
    """Route the measurable progress made inside the stages (tiles, iterations) to `progress`."""
    from .progress import listening

    if progress is None:
        return listening(None)
    return listening(lambda done, total, unit: progress("advance", "", {"done": done, "total": total, "unit": unit}))


def _engines(settings: Settings, store: Store | None = None, progress: Progress | None = None):
    """The engine the settings pick (and the local one for the roles it leaves empty).

    A paid engine's meter is given the store (for budgets and the ledger) and the
    progress callback, which shows each call's estimate before it is sent.
    """
    from .engines.local import local_engine
    from .engines.registry import resolve_engine

    engine = resolve_engine(settings["engine"], settings)
    if engine.meter is not None and store is not None:
        engine.meter.attach(store)
        if progress is not None:
            engine.meter.notify = lambda event, info: progress(event, info.get("kind", "call"), info)
    return engine, local_engine(settings)


def _cost(engine: Any) -> dict[str, Any]:
    if engine is None or engine.meter is None:
        return {"usd": 0.0, "calls": []}
    return engine.meter.report()


def default_out(image: Any, settings: Settings, suffix: str = "imgvar", fmt: str | None = None) -> str | None:
    """Where a result goes when no `out` is given: stdout for stdin, beside a file, nowhere for in-memory input."""
    if isinstance(image, str) and image == "-":
        return "-"
    if not isinstance(image, (str, os.PathLike)):
        return None  # bytes or a PIL image: the caller keeps `result.image`
    stem = Path(os.fsdecode(os.fspath(image)))
    fmt = fmt or settings["output.format"]
    ext = "jpg" if fmt == "jpeg" else fmt
    return str(stem.with_name(f"{stem.stem}.{suffix}.{ext}"))


def _resolve_out(out: Any, image: Any, settings: Settings, suffix: str = "imgvar", fmt: str | None = None) -> str | None:
    """Where the result goes; checked before any work so a bad path fails fast. `fmt` overrides
    the configured format of the default name (a cut-out or a matte is PNG)."""
    if out is None:
        out = default_out(image, settings, suffix, fmt)
        if out is None:
            return None
    out = os.fsdecode(os.fspath(out)) if not isinstance(out, str) else out
    if out == "-":
        return out
    format_for_path(out)  # raises on an unsupported extension
    from .errors import OutputError

    shown = clean(out)
    try:
        parent = Path(out).expanduser().resolve().parent
        if not parent.is_dir():
            raise OutputError(f"{shown}: directory {clean(str(parent))} does not exist")
        if not os.access(parent, os.W_OK):
            raise OutputError(f"{shown}: directory {clean(str(parent))} is not writable")
        if Path(out).is_dir():
            raise OutputError(f"{shown}: is a directory")
        if len(os.fsencode(Path(out).name)) > 255 - 16:  # room for the temporary file's prefix and suffix
            raise OutputError(f"{shown}: file name too long")
    except OSError as exc:
        raise OutputError(f"{shown}: {exc.strerror or exc}") from None
    return out


def _metadata(prompt: str, output_prompt: str) -> dict[str, str]:
    return {"imgvar:prompt": clean(prompt), "imgvar:output_prompt": clean(output_prompt),
            "Software": f"imgvar {__version__}"}


def _display_path(path: str | None) -> str | None:
    if path in (None, "-"):
        return path
    return clean(str(Path(path).resolve()))


def _record(command: str, state: State, reports: list, started: float, *, status: str,
            engine: Any = None) -> dict[str, Any]:
    return {
        "created": datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="seconds"),
        "imgvar_version": __version__,
        "command": command,
        "status": status,
        "seconds": round(time.time() - started, 3),
        "input": {"source": _display_path(state.source.source) if state.source.source != "-" else "-",
                  "digest": state.source.digest, "facts": state.facts.to_dict()},
        "prompt": state.prompt,
        "plan": state.plan.to_dict() if state.plan else None,
        "background": state.background.digest if state.background else None,
        "mask": state.mask_digest,
        "matte": state.matte,
        "engine": engine.name if engine is not None else state.settings["engine"],
        "stages": [r.to_dict() for r in reports],
        "changes": [c.to_dict() for c in state.changes],
        "output_prompt": state.output_prompt,
        "cost": _cost(engine),
    }


def _record_failure(store: Store, command: str, state: State, started: float, exc: BaseException,
                    engine: Any = None) -> None:
    """Log the failed run (with what its paid calls cost); a failure to log must not hide the original error."""
    record = _record(command, state, [], started, status="interrupted" if isinstance(exc, KeyboardInterrupt)
                     else "failed", engine=engine)
    from .secrets import redact

    record["error"] = redact(str(exc) if isinstance(exc, ImgvarError) else f"{type(exc).__name__}: {exc}")
    try:
        store.save_run(record)
    except Exception:
        pass
