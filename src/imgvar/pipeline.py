"""Runs stages over one state, with every stage's output cached in the store.

For each stage: compute its content key (stage, engine, engine version,
parameters, input digests); on a hit, load the stored output; otherwise run
the engine role and store the output create-if-absent. The runner names the
stage that failed.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import ImgvarError, StageError, UsageError
from .stages.base import Stage, StageOutput, StageReport, State
from .store.keys import content_key

if TYPE_CHECKING:
    from .engines.base import Engine
    from .store.base import Store

log = logging.getLogger(__name__)

# progress(event, stage_name, info): event is "start", "done" or "skip"
Progress = Callable[[str, str, dict], None]


def _noop(event: str, stage: str, info: dict) -> None:
    return None


def role_impl(stage: Stage, engine: Engine, fallback: Engine) -> tuple[str, Any]:
    """The engine name and implementation for a stage's role (local fallback for empty roles)."""
    if stage.role is None:
        return "imgvar", None
    impl = engine.role(stage.role)
    if impl is not None:
        return engine.name, impl
    return fallback.name, fallback.role(stage.role)


def run_stages(
    state: State,
    stages: Sequence[Stage],
    engine: Engine,
    fallback: Engine,
    store: Store,
    *,
    use_cache: bool = True,
    strict: bool = False,
    progress: Progress | None = None,
) -> list[StageReport]:
    """Run `stages` in order; `strict` turns a task the engine cannot do into an error."""
    progress = progress or _noop
    reports: list[StageReport] = []
    for stage in stages:
        if not stage.applies(state):
            continue
        engine_name, impl = role_impl(stage, engine, fallback)
        if stage.role is not None and impl is None:
            continue  # a role only some engines fill (the cloud editor)
        skipped = stage.skip_reason(state, impl)
        if skipped is not None:
            if strict:
                raise UsageError(f"cannot {stage.name}: {skipped.detail.get('reason', skipped.summary)}")
            state.changes.append(skipped)
            progress("skip", stage.name, {"reason": skipped.summary})
            continue
        meter = engine.meter if engine_name == engine.name else None
        reports.append(_run_one(state, stage, engine_name, impl, store, use_cache, progress, meter))
    return reports


def stage_key(state: State, stage: Stage, engine_name: str, impl: Any) -> tuple[str, str, dict[str, Any]]:
    """The content key of a stage's output for this state, with the version and params it covers."""
    version = getattr(impl, "version", None) or stage.version
    params = stage.params(state)
    return content_key(stage.name, engine_name, version, params, stage.inputs(state)), version, params


def cached_output(store: Store, key: str) -> StageOutput | None:
    return _load(store, key)


def _run_one(state: State, stage: Stage, engine_name: str, impl: Any, store: Store,
             use_cache: bool, progress: Progress, meter: Any = None) -> StageReport:
    key, version, params = stage_key(state, stage, engine_name, impl)
    progress("start", stage.name, {"engine": engine_name})
    started = time.perf_counter()
    output = _load(store, key) if use_cache else None
    hit = output is not None
    try:
        if output is None and getattr(impl, "paid", False):
            # Single flight: one process pays for a result; another asking for the same key at
            # the same time waits for the lock and then finds it stored.
            with store.lock(key):
                output = _load(store, key) if use_cache else None
                hit = output is not None
                if output is None:
                    if meter is not None:
                        meter.key = key  # the ledger says which result each call paid for
                    output = stage.execute(state, impl)
                    _save(store, key, output)
        elif output is None:
            output = stage.execute(state, impl)
            _save(store, key, output)
        stage.apply(state, output)
    except ImgvarError:
        raise
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        log.debug("stage %s failed", stage.name, exc_info=True)
        raise StageError(stage.name, exc) from exc
    digest = None
    if output.image is not None:
        from .imageio import pixel_digest

        state.image = output.image
        digest = state.image_digest = pixel_digest(output.image)
    seconds = time.perf_counter() - started
    progress("done", stage.name, {"engine": engine_name, "cache_hit": hit, "seconds": seconds})
    return StageReport(stage.name, engine_name, version, key, params, hit, seconds, digest)


def _load(store: Store, key: str) -> StageOutput | None:
    entry = store.get_entry(key)
    if entry is None:
        return None
    image = None
    if entry.get("image"):
        data = store.get_blob(entry["image"])
        if data is None:  # blob lost or corrupt: recompute rather than fail
            return None
        import io

        from PIL import Image

        image = Image.open(io.BytesIO(data))
        image.load()
    return StageOutput(image, dict(entry.get("data") or {}))


def _save(store: Store, key: str, output: StageOutput) -> None:
    entry: dict[str, Any] = {"image": None, "data": output.data}
    if output.image is not None:
        from .imageio import encode_image

        entry["image"] = store.put_blob(encode_image(output.image, "png"))
    store.put_entry(key, entry)
