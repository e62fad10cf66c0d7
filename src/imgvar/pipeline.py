"""Runs stages over one state, with every stage's output cached in the store.

For each stage: compute its content key (stage, engine, engine version,
parameters, input digests); on a hit, load the stored output; otherwise run
the engine role and store the output create-if-absent. The runner names the
stage that failed.

An entry is `{"image", "format", "pixels", "same", "data"}`: the blob of the
output image (raw pixels, see `store.pixels`), the image's pixel digest, or
`same` when the stage returned its input unchanged (nothing is stored then).
Anything malformed about an entry (shape, digests, a lost or altered blob, an
image that does not decode, data the stage cannot apply) makes it a miss: the
stage runs again and its new entry replaces the damaged one.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import ImgvarError, StageError, UsageError
from .stages.base import Stage, StageOutput, StageReport, State
from .store.base import is_digest
from .store.keys import content_key

if TYPE_CHECKING:
    from PIL import Image

    from .engines.base import Engine
    from .store.base import Store

log = logging.getLogger(__name__)

# progress(event, stage_name, info): event is "start", "done" or "skip"
Progress = Callable[[str, str, dict], None]


def _noop(event: str, stage: str, info: dict) -> None:
    return None


class CacheMiss(Exception):
    """A stage would have to compute, in a run asked to answer from the store only."""


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
    cache_only: bool = False,
) -> list[StageReport]:
    """Run `stages` in order; `strict` turns a task the engine cannot do into an error;
    `cache_only` raises `CacheMiss` instead of computing a stage."""
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
        reports.append(_run_one(state, stage, engine_name, impl, store, use_cache, progress, meter, cache_only))
    return reports


def stage_key(state: State, stage: Stage, engine_name: str, impl: Any) -> tuple[str, str, dict[str, Any]]:
    """The content key of a stage's output for this state, with the version and params it covers."""
    version = getattr(impl, "version", None) or stage.version
    params = stage.params(state)
    return content_key(stage.name, engine_name, version, params, stage.inputs(state)), version, params


def cached_output(store: Store, key: str, state: State | None = None) -> StageOutput | None:
    """The stored output for `key`, or None if absent or damaged."""
    hit = _load(store, key, state)
    return hit.output if hit is not None else None


@dataclass
class _Hit:
    output: StageOutput
    digest: str | None  # pixel digest of output.image


def _run_one(state: State, stage: Stage, engine_name: str, impl: Any, store: Store,
             use_cache: bool, progress: Progress, meter: Any = None, cache_only: bool = False) -> StageReport:
    key, version, params = stage_key(state, stage, engine_name, impl)
    started = time.perf_counter()
    found, unusable = _applied_hit(store, key, state, stage) if use_cache else (None, False)
    if found is None and cache_only:
        raise CacheMiss(stage.name)
    progress("start", stage.name, {"engine": engine_name})
    try:
        if found is None and getattr(impl, "paid", False):
            # Single flight: one process pays for a result; another asking for the same key at
            # the same time waits for the lock and then finds it stored.
            with store.lock(key):
                if use_cache:
                    found, unusable = _applied_hit(store, key, state, stage)
                if found is None:
                    if meter is not None:
                        meter.key = key  # the ledger says which result each call paid for
                    found = _compute(state, stage, impl, store, key, unusable)
        elif found is None:
            found = _compute(state, stage, impl, store, key, unusable)
    except ImgvarError:
        raise
    except KeyboardInterrupt:
        raise
    except Exception as exc:
        log.debug("stage %s failed", stage.name, exc_info=True)
        raise StageError(stage.name, exc) from exc
    result, hit = found
    digest = None
    if result.output.image is not None and stage.makes_working_image:
        state.image = result.output.image
        digest = state.image_digest = result.digest or state.image_digest
    elif result.output.image is not None:
        digest = result.digest
    seconds = time.perf_counter() - started
    progress("done", stage.name, {"engine": engine_name, "cache_hit": hit, "seconds": seconds})
    return StageReport(stage.name, engine_name, version, key, params, hit, seconds, digest)


def _applied_hit(store: Store, key: str, state: State, stage: Stage) -> tuple[tuple[_Hit, bool] | None, bool]:
    """A stored output folded into the state, or None (absent or damaged) with the state untouched;
    the flag says a stored entry was there but its data could not be applied."""
    hit = _load(store, key, state)
    if hit is None:
        return None, False
    kept = len(state.changes)
    try:
        stage.apply(state, hit.output)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # Stored data the stage cannot read is damage like any other: recompute.
        del state.changes[kept:]
        log.debug("stage %s: stored output %s unusable (%s); recomputing", stage.name, key, exc)
        return None, True
    return (hit, True), False


def _compute(state: State, stage: Stage, impl: Any, store: Store, key: str, replace: bool) -> tuple[_Hit, bool]:
    before_image, before_digest = state.image, state.image_digest
    output = stage.execute(state, impl)
    if output.image is not None and output.image.mode not in ("RGB", "RGBA", "L"):
        from .colors import to_rgb_or_rgba

        output.image = to_rgb_or_rgba(output.image)  # what the rest of imgvar, and the store, take
    digest = _save(store, key, output, state, before_image, before_digest, replace)
    stage.apply(state, output)
    return _Hit(output, digest), False


def _load(store: Store, key: str, state: State | None) -> _Hit | None:
    entry = store.get_entry(key)
    if entry is None:
        return None
    data, blob, pixels = entry.get("data"), entry.get("image"), entry.get("pixels")
    if not isinstance(data, dict) or (blob is not None and not is_digest(blob)) \
            or (pixels is not None and not is_digest(pixels)):
        log.debug("cache entry %s is malformed; recomputing", key)
        return None
    output = StageOutput(None, dict(data))
    if blob is None:
        if not entry.get("same"):
            return _Hit(output, None)
        if state is None:
            return _Hit(output, pixels)
        if pixels != state.image_digest:
            return None
        output.image = state.image  # the stage left its input as it was
        return _Hit(output, pixels)
    raw = store.get_blob(blob)
    if raw is None:  # lost or altered: recompute rather than fail
        return None
    image, digest = _decode(raw, entry.get("format"), blob)
    if image is None or (pixels is not None and digest != pixels):
        log.debug("cache entry %s: image unreadable or not the one recorded; recomputing", key)
        return None
    output.image = image
    return _Hit(output, digest)


def _decode(data: bytes, fmt: object, blob: str) -> tuple[Image.Image | None, str | None]:
    """The stored image and its pixel digest, or (None, None) if it does not decode."""
    from .store import pixels as raw_pixels

    try:
        if fmt == raw_pixels.FORMAT:
            return raw_pixels.decode_raw(data), blob  # the blob's verified hash is the pixel digest
        if fmt not in (None, "png"):
            return None, None
        import io

        from PIL import Image

        from .imageio import pixel_digest

        image = Image.open(io.BytesIO(data), formats=("PNG",))  # in memory: nothing to close
        image.load()
        return image, pixel_digest(image)  # in the mode it was stored in, as its digest was taken
    except Exception:  # whatever a damaged file makes a decoder raise
        return None, None


def _save(store: Store, key: str, output: StageOutput, state: State, before: Image.Image | None,
          before_digest: str, replace: bool = False) -> str | None:
    """Store the output (create-if-absent, replacing a damaged entry); returns its pixel digest."""
    entry: dict[str, Any] = {"image": None, "data": output.data}
    digest = None
    image = output.image
    if image is not None:
        if image is before:
            digest = before_digest
        else:
            blob, fmt, digest = _encode(image)
            if digest != before_digest:
                entry.update(image=store.put_blob(blob), format=fmt)
        entry["pixels"] = digest
        if entry["image"] is None:
            entry["same"] = True  # nothing new to keep: a hit reuses the stage's input
    if replace:
        store.put_entry(key, entry, replace=True)
    elif not store.put_entry(key, entry) and _load(store, key, state) is None:
        store.put_entry(key, entry, replace=True)  # the one there is damaged
    return digest


def _encode(image: Image.Image) -> tuple[bytes, str, str]:
    """Blob bytes, format and pixel digest of a stage's (RGB, RGBA or L) image: raw pixels."""
    from .store import pixels as raw_pixels

    data, digest = raw_pixels.encode_raw(image)
    return data, raw_pixels.FORMAT, digest


def encode_output(store: Store, image: Image.Image, image_digest: str, fmt: str, metadata: dict[str, str], *,
                  quality: int, compress_level: int, use_cache: bool = True) -> tuple[bytes, str]:
    """The output file's bytes and their blob digest, stored; a repeat reuses the stored encoding.

    Encoding is deterministic, so the file is keyed like a stage: by the image's pixel digest
    and everything else that shapes the bytes (format, metadata, settings, ICC profile, Pillow).
    """
    import PIL

    from .imageio import encode_image
    from .store.keys import sha256_hex

    icc = image.info.get("icc_profile")
    params = {"format": fmt, "metadata": metadata, "quality": int(quality), "compress_level": int(compress_level),
              "icc": sha256_hex(icc) if isinstance(icc, bytes) else None}
    key = content_key("encode", "imgvar", f"pillow-{PIL.__version__}", params, {"image": image_digest})
    found = store.get_entry(key) if use_cache else None
    blob = found.get("image") if found else None
    if is_digest(blob):
        data = store.get_blob(blob)
        if data is not None:
            return data, blob
    data = encode_image(image, fmt, metadata, quality=quality, compress_level=compress_level)
    digest = store.put_blob(data)
    store.put_entry(key, {"image": digest, "format": fmt, "data": {}}, replace=found is not None)
    return data, digest
