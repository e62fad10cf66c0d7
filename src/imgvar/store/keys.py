"""Content addressing: canonical JSON and the cache key of a stage's output.

A key must depend only on what determines a stage's result, never on dict
ordering or on how Python happens to print a value, so every key is the
sha256 of one canonical byte string.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def sha256_hex(data: bytes) -> str:
    """The lowercase hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8, floats as `repr`.

    Lone surrogates (bytes that were not UTF-8 in a file name or argv, as
    Python decodes them) are kept as their own code points ("surrogatepass"),
    so such a value still has a key, distinct from its U+FFFD-replaced form.

    Raises TypeError for values JSON cannot hold and for non-string dict keys
    (json would silently turn `1` into `"1"`, letting two inputs share a key),
    and ValueError for NaN or infinity, which have no JSON spelling.
    """
    _check_keys(obj)
    text = json.dumps(
        obj,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return text.encode("utf-8", "surrogatepass")


def _check_keys(obj: Any) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if not isinstance(k, str):
                raise TypeError(f"canonical JSON needs string keys, got {type(k).__name__} {k!r}")
            _check_keys(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _check_keys(v)


def content_key(
    stage: str,
    engine: str,
    engine_version: str,
    params: dict[str, Any],
    inputs: dict[str, str],
) -> str:
    """The cache key of one stage run: sha256 of everything its output depends on.

    `inputs` maps each input's role (e.g. "image", "mask") to its content digest.
    """
    for name, value in (("stage", stage), ("engine", engine), ("engine_version", engine_version)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict, got {type(params).__name__}")
    if not isinstance(inputs, dict) or not all(isinstance(v, str) for v in inputs.values()):
        raise TypeError("inputs must map role -> digest string")
    doc = {
        "stage": stage,
        "engine": engine,
        "engine_version": engine_version,
        "params": params,
        "inputs": inputs,
    }
    return sha256_hex(canonical_json(doc))
