"""A local OpenAI / Azure OpenAI-compatible HTTP server for the tests.

The real ``openai`` SDK talks to it over HTTP, exactly as it would talk to the cloud:

* OpenAI:          ``openai.OpenAI(base_url=f"{fake.url}/v1", api_key=fake.api_key)``
* Azure (classic): ``openai.AzureOpenAI(azure_endpoint=fake.url, api_version="2025-04-01-preview",
  api_key=fake.api_key)``; requests go to ``/openai/deployments/{deployment}/...?api-version=...``
* Azure (v1):      ``openai.OpenAI(base_url=f"{fake.url}/openai/v1/", api_key=fake.api_key)``

Endpoints: ``chat/completions``, ``images/edits`` and ``images/generations`` under each of the three
prefixes. Anything else answers 404.

Authentication
    ``/v1/...``: ``Authorization: Bearer <api_key>``.
    ``/openai/deployments/...``: ``api-key: <api_key>``, or ``Authorization: Bearer <azure_token>``
    when ``azure_token`` is set; the ``api-version`` query parameter is required (400 without it).
    ``/openai/v1/...``: any of the above (``api-key`` header, or a bearer that is the API key or
    the Entra token); ``api-version`` is optional.
    A wrong or missing credential answers 401 and never echoes what was sent.

Chat completions
    With ``response_format={"type": "json_schema", ...}`` the answer's ``message.content`` is JSON
    that validates against ``response_format.json_schema.schema``: built by ``plan_for(user_text)``
    when that hook is set (``user_text`` is the text parts of the user messages joined by newlines;
    a ``str`` returned by the hook is sent verbatim), else by a generic generator that walks the
    schema (all properties of every object, one item per array unless ``minItems`` asks for more,
    the first ``enum`` value, ``const``, the first non-null branch of ``anyOf``/``oneOf``/type
    lists, ``$ref`` into ``$defs``, ``allOf`` with ``if``/``then``). Strings are ``"fake <name>"``.
    With ``"strict": true`` the schema must follow the strict-mode rules (every object has
    ``additionalProperties: false`` and lists all its properties in ``required``), else 400.
    ``json_object`` answers ``{"answer": "fake answer"}`` (or the hook's value), plain text answers
    ``"fake answer"``. Images in messages must be ``data:`` URLs of png, jpeg, gif or webp.

Image edits
    The output is derived from the first input image so that tests can trace it: the image is
    resized (stretched, Lanczos) to the output size, and its colours are inverted -- only where the
    mask, resized to the output size with nearest-neighbour, has alpha 0 when a mask is given; the
    whole image otherwise. Output size: the requested ``size``; for ``auto`` or none, 1024x1024 when
    the first input is square-ish (long side / short side < 1.25), else 1536x1024 (landscape) or
    1024x1536 (portrait). ``n`` identical images are returned. gpt-image-1, gpt-image-1.5 and
    gpt-image-1-mini accept only those three sizes (400 ``invalid_value`` otherwise); other models
    (and Azure deployment names) any WIDTHxHEIGHT with sides from 16 to 4096.

Image generations
    A deterministic two-colour gradient whose colours come from the SHA-256 of the prompt.

Token model (the fake's own model of pricing, derived from OpenAI's published figures)
    Chat, prompt tokens P = ceil(UTF-8 bytes of all message text parts / 4)
                            + per image: low detail 85; high/auto detail 85 + 170 per 512-px tile,
                              counted after scaling the image down to fit 2048x2048 and then down
                              so its short side is at most 768
                            + 7 per message.
    Chat, completion tokens C = ceil(UTF-8 bytes of the message content (or refusal) / 4).
    Images, output tokens per image by quality at 1024x1024: low 272, medium 1056, high 4160
        (``auto`` or no quality counts as high), scaled by the output area:
        O = ceil(per_quality * w * h / 1024**2) * n, so 1024x1536 and 1536x1024 are
        low 408, medium 1584, high 6240.
    Images, text input tokens It = ceil(UTF-8 bytes of the prompt / 4).
    Image edits, image input tokens Ii, summed over the input images (the mask is not counted):
        65 + 129 * ceil(w/512) * ceil(h/512) for the image as uploaded, plus, with
        ``input_fidelity=high``, 4096 for a square-ish image or 6144 for any other.
        Generations have Ii = 0.

Faults (``fail_next``) answer the next requests of a kind that pass authentication:
    "429" and "500" (with ``Retry-After`` and ``retry-after-ms`` when ``retry_after`` is given),
    "slow" (wait ``delay`` seconds, then answer normally), "moderation_blocked" (400, OpenAI
    shape), "content_filter" (400, Azure shape: code ``contentFilter`` for images,
    ``content_filter`` for chat, both with ``innererror.code == "ResponsibleAIPolicyViolation"``),
    "refusal" (chat: 200, ``content`` null and ``refusal`` set), "malformed" (200, ``text/html``
    body that is not JSON), "bad_schema" (chat: 200, JSON content that does not match the schema),
    "drop" (read the whole request, then close the connection without answering: a call that was
    sent and may be billed, unlike one whose connection was refused).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import itertools
import json
import math
import re
import socket
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

from PIL import Image, ImageOps

try:
    import re._parser as _sre_parse
except ImportError:  # Python 3.10
    import sre_parse as _sre_parse  # type: ignore[no-redef]

DEFAULT_API_KEY = "sk-test-fake-0123456789"

KINDS = ("chat", "edit", "generate")
FAULTS = ("429", "500", "slow", "moderation_blocked", "content_filter", "refusal", "malformed", "bad_schema",
          "drop")
_CHAT_ONLY_FAULTS = ("refusal", "bad_schema")

_ENDPOINTS = {"chat/completions": "chat", "images/edits": "edit", "images/generations": "generate"}
_EDIT_MIMETYPES = ("image/png", "image/jpeg", "image/webp")
_VISION_FORMATS = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
_OUTPUT_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_QUALITY_TOKENS = {"low": 272, "medium": 1056, "high": 4160}
_FAKE_ANSWER = "fake answer"
_REFUSAL = "I'm sorry, but I can't help with that request."


# --------------------------------------------------------------------------------------------
# Recorded requests


@dataclass
class UploadedFile:
    """One file part of a multipart request."""

    field: str                       # "image", "image[]" or "mask"
    filename: str | None
    content_type: str | None
    data: bytes
    size: tuple[int, int] | None     # (width, height) decoded with Pillow; None if it does not decode
    mode: str | None = None          # Pillow mode ("RGB", "RGBA", "P", ...)
    format: str | None = None        # Pillow format ("PNG", "JPEG", "WEBP", ...)


@dataclass
class Recorded:
    """One request the fake received, and how it answered."""

    kind: str                        # "chat" | "edit" | "generate" | "other"
    method: str
    path: str                        # without the query string
    query: dict[str, str]
    headers: dict[str, str]          # lower-case names
    body_bytes: int
    json: dict | None = None         # parsed JSON body (chat, generate)
    form: dict[str, str] = field(default_factory=dict)        # multipart text fields (edit)
    files: list[UploadedFile] = field(default_factory=list)   # multipart files (edit)
    deployment: str | None = None    # Azure deployment from the path
    fault: str | None = None         # the injected fault that answered, if any
    status: int = 0                  # status code answered; 0 while the answer is still pending
    images: list[tuple[int, int]] = field(default_factory=list)  # chat: image sizes, (0, 0) if undecodable
    details: list[str] = field(default_factory=list)             # chat: image detail ("low", "high", "auto")
    response: dict | None = None     # the JSON answered, when it was JSON
    request_id: str = ""             # the x-request-id answered


# --------------------------------------------------------------------------------------------
# Errors


class _ApiError(Exception):
    def __init__(self, status: int, message: str, *, code: str | None = None,
                 type: str | None = "invalid_request_error", param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = {"error": {"message": message, "type": type, "param": param, "code": code}}


def _bad_request(message: str, *, code: str | None = None, param: str | None = None) -> _ApiError:
    return _ApiError(400, message, code=code, param=param)


def _filter_result(violence: bool = True) -> dict:
    safe = {"filtered": False, "severity": "safe"}
    return {
        "violence": {"filtered": True, "severity": "medium"} if violence else dict(safe),
        "hate": dict(safe),
        "sexual": dict(safe),
        "self_harm": dict(safe),
    }


class _Drop(Exception):
    """The "drop" fault: close the connection without an answer."""


def _fault_answer(kind: str, fault: str, retry_after: float | None, request_id: str) -> tuple[int, dict, dict]:
    headers: dict[str, str] = {}
    if fault in ("429", "500") and retry_after is not None:
        headers["Retry-After"] = f"{retry_after:g}"
        headers["retry-after-ms"] = str(int(round(retry_after * 1000)))
    if fault == "429":
        wait = f"{retry_after:g}s" if retry_after is not None else "1s"
        return 429, {"error": {
            "message": "Rate limit reached for requests in organization org-fake on requests per min (RPM): "
                       f"Limit 5, Used 5, Requested 1. Please try again in {wait}.",
            "type": "requests", "param": None, "code": "rate_limit_exceeded"}}, headers
    if fault == "500":
        return 500, {"error": {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error", "param": None, "code": None}}, headers
    if fault == "moderation_blocked":
        return 400, {"error": {
            "message": "Your request was rejected by the safety system. If you believe this is an error, "
                       f"contact us at help.openai.com and include the request ID {request_id}.",
            "type": "image_generation_user_error", "param": None, "code": "moderation_blocked"}}, headers
    if fault == "content_filter":
        inner = {"code": "ResponsibleAIPolicyViolation", "content_filter_result": _filter_result()}
        if kind == "chat":
            return 400, {"error": {
                "message": "The response was filtered due to the prompt triggering Azure OpenAI's content "
                           "management policy. Please modify your prompt and retry.",
                "type": None, "param": "prompt", "code": "content_filter", "status": 400,
                "innererror": inner}}, headers
        return 400, {"error": {
            "code": "contentFilter",
            "message": "Your task failed as a result of our safety system.",
            "innererror": inner}}, headers
    raise AssertionError(fault)


# --------------------------------------------------------------------------------------------
# JSON schema: a generic value generator and the strict-mode rules


_FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "fake@example.com",
    "hostname": "example.com",
    "ipv4": "127.0.0.1",
    "ipv6": "::1",
    "uri": "https://example.com/fake",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
_MAX_DEPTH = 12


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and (schema.get("type") == "null" or schema.get("const", 0) is None)


class SchemaFaker:
    """Builds a value that validates against a JSON schema (the subset structured outputs use)."""

    def __init__(self, root: dict) -> None:
        self.root = root

    def resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#"):
                raise ValueError(f"only local $ref is supported, got {ref!r}")
            target: Any = self.root
            for token in filter(None, ref[1:].split("/")):
                target = target[unquote(token).replace("~1", "/").replace("~0", "~")]
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **siblings} if siblings else target
            seen += 1
            if seen > 64:
                raise ValueError(f"$ref loop at {ref!r}")
        return schema

    def value(self, schema: Any, name: str = "value", depth: int = 0, variant: int = 0) -> Any:
        if schema is True or schema is None:
            return f"fake {name}"
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            raise ValueError(f"cannot build a value for schema {schema!r}")
        conditionals = [schema] if "if" in schema else []
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k not in ("allOf", "if", "then", "else")}
            for sub in schema["allOf"]:
                sub = self.resolve(sub)
                if "if" in sub:
                    conditionals.append(sub)
                    sub = {k: v for k, v in sub.items() if k not in ("if", "then", "else")}
                merged = _merge_schemas(merged, sub)
            value = self._plain(merged, name, depth, variant)
        else:
            value = self._plain(schema, name, depth, variant)
        for cond in conditionals:
            branch = cond.get("then") if self._matches(cond["if"], value) else cond.get("else")
            if branch is not None:
                value = _deep_merge(value, self.value(branch, name, depth, variant))
        return value

    def _matches(self, schema: Any, value: Any) -> bool:
        import jsonschema

        probe = schema if isinstance(schema, bool) else {**schema}
        if isinstance(probe, dict):
            for key in ("$defs", "definitions"):
                if key in self.root:
                    probe.setdefault(key, self.root[key])
        return jsonschema.Draft202012Validator(probe).is_valid(value)

    def _plain(self, schema: dict, name: str, depth: int, variant: int) -> Any:
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if "enum" in schema:
            values = schema["enum"]
            non_null = [v for v in values if v is not None] or values
            return copy.deepcopy(non_null[variant % len(non_null)])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [self.resolve(b) for b in schema[key]]
                rest = {k: v for k, v in schema.items() if k != key}
                non_null = [b for b in branches if not _is_null_schema(b)]
                if depth >= _MAX_DEPTH and len(non_null) < len(branches):
                    return None
                chosen = non_null[0] if non_null else branches[0]
                return self.value(_merge_schemas(rest, chosen) if rest else chosen, name, depth, variant)
        kind = schema.get("type")
        if isinstance(kind, list):
            non_null = [t for t in kind if t != "null"]
            if not non_null or (depth >= _MAX_DEPTH and "null" in kind):
                return None
            kind = non_null[0]
        if kind is None:
            if any(k in schema for k in ("properties", "required", "additionalProperties")):
                kind = "object"
            elif any(k in schema for k in ("items", "prefixItems", "minItems", "maxItems")):
                kind = "array"
            elif any(k in schema for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")):
                kind = "number"
            else:
                kind = "string"
        if kind == "object":
            return self._object(schema, depth, variant)
        if kind == "array":
            return self._array(schema, name, depth)
        if kind == "string":
            return self._string(schema, name, variant)
        if kind in ("integer", "number"):
            return _number(schema, kind == "integer", variant)
        if kind == "boolean":
            return variant % 2 == 0
        if kind == "null":
            return None
        raise ValueError(f"unknown schema type {kind!r}")

    def _object(self, schema: dict, depth: int, variant: int) -> dict:
        properties = schema.get("properties") or {}
        required = schema.get("required") or []
        out: dict[str, Any] = {}
        for key, sub in properties.items():
            if depth >= _MAX_DEPTH and key not in required:
                continue
            out[key] = self.value(sub, key, depth + 1, variant)
        extra = schema.get("additionalProperties")
        for key in required:
            if key not in out:
                out[key] = self.value(extra if isinstance(extra, dict) else True, key, depth + 1, variant)
        wanted = schema.get("minProperties", 0)
        index = 1
        while len(out) < wanted and extra is not False:
            key = f"key{index}"
            if key not in out:
                out[key] = self.value(extra if isinstance(extra, dict) else True, key, depth + 1, variant)
            index += 1
        return out

    def _array(self, schema: dict, name: str, depth: int) -> list:
        prefix = schema.get("prefixItems") or []
        items = schema.get("items", True)
        count = max(schema.get("minItems", 0), len(prefix), 1 if depth < _MAX_DEPTH else 0)
        if "maxItems" in schema:
            count = min(count, schema["maxItems"])
        if items is False:
            count = min(count, len(prefix))
        out = []
        for i in range(count):
            sub = prefix[i] if i < len(prefix) else items
            out.append(self.value(sub, name, depth + 1, i))
        return out

    def _string(self, schema: dict, name: str, variant: int) -> str:
        text = _FORMAT_SAMPLES.get(schema.get("format", ""), f"fake {name}")
        if variant:
            text = f"{text} {variant + 1}" if "format" not in schema else text
        low = schema.get("minLength", 0)
        if len(text) < low:
            text = text + "x" * (low - len(text))
        if "maxLength" in schema:
            text = text[: schema["maxLength"]]
        pattern = schema.get("pattern")
        if pattern and not re.search(pattern, text):
            high = schema.get("maxLength", 10**9)
            for candidate in (_from_regex(pattern), "fake", "a", "A", "0", "1", "x1", ""):
                if candidate is not None and re.search(pattern, candidate) and low <= len(candidate) <= high:
                    return candidate
        return text


def _from_regex(pattern: str) -> str | None:
    """A short string matching a simple regular expression, or None when the pattern is beyond this."""
    try:
        return _emit_regex(_sre_parse.parse(pattern))
    except (re.error, ValueError, TypeError, IndexError):
        return None


def _emit_regex(items: Any) -> str:
    out = []
    for op, arg in items:
        if op is _sre_parse.LITERAL:
            out.append(chr(arg))
        elif op is _sre_parse.NOT_LITERAL:
            out.append("a" if arg != ord("a") else "b")
        elif op is _sre_parse.ANY:
            out.append("a")
        elif op is _sre_parse.IN:
            out.append(_emit_class(arg))
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT, getattr(_sre_parse, "POSSESSIVE_REPEAT", None)):
            lowest, _, sub = arg
            out.append(_emit_regex(sub) * lowest)
        elif op is _sre_parse.SUBPATTERN:
            out.append(_emit_regex(arg[-1]))
        elif op is _sre_parse.BRANCH:
            out.append(_emit_regex(arg[1][0]))
        elif op is _sre_parse.AT:
            continue
        else:
            raise ValueError(f"unsupported regular expression construct {op}")
    return "".join(out)


def _emit_class(items: list) -> str:
    negate = bool(items) and items[0][0] is _sre_parse.NEGATE
    if not negate:
        op, arg = items[0]
        if op is _sre_parse.LITERAL:
            return chr(arg)
        if op is _sre_parse.RANGE:
            return chr(arg[0])
        if op is _sre_parse.CATEGORY:
            return {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}.get(str(arg), "a")
    regex = re.compile(_sre_parse_class_text(items))
    for candidate in "a0xZ_ -.#":
        if regex.fullmatch(candidate):
            return candidate
    raise ValueError("no simple character fits the class")


def _sre_parse_class_text(items: list) -> str:
    parts = []
    for op, arg in items:
        if op is _sre_parse.NEGATE:
            parts.append("^")
        elif op is _sre_parse.LITERAL:
            parts.append(re.escape(chr(arg)))
        elif op is _sre_parse.RANGE:
            parts.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif op is _sre_parse.CATEGORY:
            parts.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_WORD": r"\w",
                          "CATEGORY_NOT_WORD": r"\W", "CATEGORY_SPACE": r"\s",
                          "CATEGORY_NOT_SPACE": r"\S"}[str(arg)])
        else:
            raise ValueError(f"unsupported character class construct {op}")
    return "[" + "".join(parts) + "]"


def _number(schema: dict, integer: bool, variant: int) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    step = 1 if integer else 0.5
    if isinstance(ex_low, (int, float)) and not isinstance(ex_low, bool):
        bound = math.floor(ex_low) + 1 if integer else ex_low + step
        low = bound if low is None else max(low, bound)
    if isinstance(ex_high, (int, float)) and not isinstance(ex_high, bool):
        bound = math.ceil(ex_high) - 1 if integer else ex_high - step
        high = bound if high is None else min(high, bound)
    if low is not None and high is not None and low > high:
        middle = ((schema.get("exclusiveMinimum", low)) + (schema.get("exclusiveMaximum", high))) / 2
        return middle
    value: int | float = low if low is not None else (0 if high is None or high >= 0 else high)
    value += variant
    if high is not None and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if multiple:
        value = math.ceil(value / multiple) * multiple
    if integer:
        value = int(math.ceil(value))
    return value


def _merge_schemas(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, value in b.items():
        if key == "properties" and isinstance(out.get(key), dict):
            props = dict(out[key])
            for name, sub in value.items():
                props[name] = _merge_schemas(props[name], sub) if isinstance(props.get(name), dict) \
                    and isinstance(sub, dict) else sub
            out[key] = props
        elif key == "required" and isinstance(out.get(key), list):
            out[key] = list(dict.fromkeys([*out[key], *value]))
        else:
            out[key] = value
    return out


def _deep_merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        out = dict(a)
        for key, value in b.items():
            out[key] = _deep_merge(out[key], value) if key in out else value
        return out
    return b


def strict_schema_problem(schema: Any, name: str) -> str | None:
    """Why ``schema`` breaks the strict structured-output rules, or None when it follows them."""
    prefix = f"Invalid schema for response_format '{name}'"
    if not isinstance(schema, dict) or schema.get("type") != "object":
        got = schema.get("type") if isinstance(schema, dict) else type(schema).__name__
        return f'{prefix}: schema must be a JSON Schema of \'type: "object"\', got \'type: "{got}"\'.'

    def walk(node: Any, context: tuple) -> str | None:
        if isinstance(node, list):
            for i, sub in enumerate(node):
                found = walk(sub, (*context, i))
                if found:
                    return found
            return None
        if not isinstance(node, dict):
            return None
        kind = node.get("type")
        is_object = kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node
        if is_object:
            if node.get("additionalProperties") is not False:
                return (f"{prefix}: In context={context}, 'additionalProperties' is required to be supplied "
                        "and to be false.")
            props = list((node.get("properties") or {}).keys())
            missing = [p for p in props if p not in (node.get("required") or [])]
            if missing:
                return (f"{prefix}: In context={context}, 'required' is required to be supplied and to be an "
                        f"array including every key in properties. Missing '{missing[0]}'.")
        for key in ("properties", "$defs", "definitions"):
            for sub_name, sub in (node.get(key) or {}).items():
                found = walk(sub, (*context, key, sub_name))
                if found:
                    return found
        for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems", "additionalProperties"):
            if key in node:
                found = walk(node[key], (*context, key))
                if found:
                    return found
        return None

    return walk(schema, ())


# --------------------------------------------------------------------------------------------
# Images


def _decode_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _has_alpha(image: Image.Image) -> bool:
    return "A" in image.getbands() or "a" in image.getbands() or "transparency" in image.info


def _squareish(w: int, h: int) -> bool:
    return max(w, h) / max(1, min(w, h)) < 1.25


def _tiles(w: float, h: float) -> int:
    return math.ceil(w / 512 - 1e-9) * math.ceil(h / 512 - 1e-9)


def vision_tokens(w: int, h: int, detail: str) -> int:
    """Prompt tokens the fake charges for one image in a chat message."""
    if detail == "low":
        return 85
    fw, fh = float(w), float(h)
    scale = min(1.0, 2048 / max(fw, fh))
    fw, fh = fw * scale, fh * scale
    if min(fw, fh) > 768:
        scale = 768 / min(fw, fh)
        fw, fh = fw * scale, fh * scale
    return 85 + 170 * _tiles(fw, fh)


def edit_image_tokens(w: int, h: int, fidelity: str) -> int:
    """Input image tokens the fake charges for one image given to images/edits."""
    tokens = 65 + 129 * _tiles(w, h)
    if fidelity == "high":
        tokens += 4096 if _squareish(w, h) else 6144
    return tokens


def output_image_tokens(quality: str | None, w: int, h: int) -> int:
    """Output tokens the fake charges for one generated or edited image."""
    base = _QUALITY_TOKENS["high" if quality in (None, "auto") else quality]
    return math.ceil(base * w * h / (1024 * 1024))


def text_tokens(text: str) -> int:
    return math.ceil(len(text.encode("utf-8")) / 4)


def _encode(image: Image.Image, fmt: str, compression: int | None) -> bytes:
    buffer = io.BytesIO()
    pil = _OUTPUT_FORMATS[fmt]
    if pil == "PNG":
        image.save(buffer, "PNG", compress_level=1)
    else:
        quality = 90 if compression is None else max(1, min(100, 100 - compression))
        if pil == "JPEG" and image.mode != "RGB":
            image = image.convert("RGB")
        image.save(buffer, pil, quality=quality)
    return buffer.getvalue()


def _gradient(prompt: str, size: tuple[int, int], transparent: bool) -> Image.Image:
    digest = hashlib.sha256(prompt.encode("utf-8")).digest()
    ramp = Image.linear_gradient("L").resize(size)
    if digest[6] % 2:
        ramp = ramp.transpose(Image.Transpose.ROTATE_90).resize(size)
    image = ImageOps.colorize(ramp, tuple(digest[0:3]), tuple(digest[3:6]))
    if transparent:
        image.putalpha(255)
    return image


# --------------------------------------------------------------------------------------------
# HTTP plumbing


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], list[UploadedFile]]:
    match = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type, re.IGNORECASE)
    if not content_type.lower().startswith("multipart/form-data") or not match:
        raise _bad_request("Invalid Content-Type header: expected multipart/form-data with a boundary.")
    boundary = (match.group(1) or match.group(2)).encode("latin-1")
    segments = (b"\r\n" + body).split(b"\r\n--" + boundary)
    if len(segments) < 2 or not segments[-1].startswith(b"--"):
        raise _bad_request("Malformed multipart/form-data body.")
    form: dict[str, str] = {}
    files: list[UploadedFile] = []
    for segment in segments[1:-1]:
        head, sep, data = segment.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"\r\n"):
            raise _bad_request("Malformed multipart/form-data part.")
        headers: dict[str, str] = {}
        for line in head[2:].split(b"\r\n"):
            name, _, value = line.decode("utf-8", "replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        params = {}
        for key, quoted, bare in re.findall(r';\s*([\w*-]+)=(?:"((?:[^"\\]|\\.)*)"|([^;]*))',
                                            headers.get("content-disposition", "")):
            params[key.lower()] = (quoted or bare).replace("%22", '"').replace('\\"', '"')
        name = params.get("name")
        if name is None:
            raise _bad_request("Multipart part without a name.")
        if "filename" in params:
            upload = UploadedFile(field=name, filename=params["filename"],
                                  content_type=headers.get("content-type"), data=data, size=None)
            try:
                image = _decode_image(data)
                upload.size, upload.mode, upload.format = image.size, image.mode, image.format
            except Exception:
                pass
            files.append(upload)
        else:
            form[name] = data.decode("utf-8", "replace")
    return form, files


def _route(method: str, path: str) -> tuple[str, str | None, str | None]:
    """(kind, flavor, deployment); flavor is "openai", "azure" or "azure-v1"."""
    if method != "POST":
        return "other", None, None
    path = path.rstrip("/")
    match = re.fullmatch(r"/openai/deployments/([^/]+)/(.+)", path)
    if match and match.group(2) in _ENDPOINTS:
        return _ENDPOINTS[match.group(2)], "azure", unquote(match.group(1))
    for prefix, flavor in (("/openai/v1/", "azure-v1"), ("/v1/", "openai")):
        if path.startswith(prefix) and path[len(prefix):] in _ENDPOINTS:
            return _ENDPOINTS[path[len(prefix):]], flavor, None
    return "other", None, None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, True)

    def handle(self) -> None:
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            pass

    def finish(self) -> None:
        try:
            super().finish()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass
        finally:
            self.server.fake._track(self.connection, False)

    def do_POST(self) -> None:
        self.server.fake._dispatch(self)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    fake: "FakeOpenAI"

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


# --------------------------------------------------------------------------------------------
# The fake


class FakeOpenAI:
    """A local OpenAI-compatible server on 127.0.0.1; see the module docstring for its behaviour."""

    def __init__(self, api_key: str = DEFAULT_API_KEY, *, azure_token: str | None = None,
                 plan_for: Callable[[str], dict] | None = None) -> None:
        self.api_key = api_key
        self.azure_token = azure_token
        self.plan_for = plan_for
        self.requests: list[Recorded] = []
        self.errors: list[str] = []  # tracebacks of failures inside the fake itself (answered 500)
        self._lock = threading.Lock()
        self._faults: dict[str, deque] = {kind: deque() for kind in KINDS}
        self._ids = itertools.count(1)
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-openai-{port}", daemon=True)
        self._thread.start()

    # -- public API ------------------------------------------------------------------------

    def calls(self, kind: str | None = None) -> list[Recorded]:
        """Recorded requests of one kind ("chat", "edit", "generate", "other"), or all of them."""
        with self._lock:
            return [r for r in self.requests if kind is None or r.kind == kind]

    def fail_next(self, kind: str, fault: str, *, times: int = 1, retry_after: float | None = None,
                  delay: float = 0.0) -> None:
        """Answer the next ``times`` authenticated requests of ``kind`` with ``fault``."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        if fault not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}, got {fault!r}")
        if fault in _CHAT_ONLY_FAULTS and kind != "chat":
            raise ValueError(f"fault {fault!r} applies to chat requests only")
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._faults[kind].extend([(fault, retry_after, delay)] * times)

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(timeout=5)

    def __enter__(self) -> "FakeOpenAI":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing --------------------------------------------------------------------------

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            (self._connections.add if alive else self._connections.discard)(conn)

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        method = handler.command
        headers = {k.lower(): v for k, v in handler.headers.items()}
        body = _read_body(handler)
        kind, flavor, deployment = _route(method, split.path)
        request_id = f"req_fake_{next(self._ids):06d}"
        record = Recorded(kind=kind, method=method, path=split.path,
                          query=dict(parse_qsl(split.query, keep_blank_values=True)), headers=headers,
                          body_bytes=len(body), deployment=deployment, request_id=request_id)
        try:
            parse_error = self._inspect(record, body)
        except Exception:
            parse_error = _bad_request("The request body could not be read.")
        with self._lock:
            self.requests.append(record)
        extra: dict[str, str] = {}
        content_type = "application/json"
        try:
            status, payload, extra = self._answer(record, flavor, parse_error)
        except _Drop:
            handler.close_connection = True  # the request was read in full; no answer is written
            return
        except _ApiError as exc:
            status, payload = exc.status, exc.payload
        except Exception:
            self.errors.append(traceback.format_exc())
            status, payload = 500, {"error": {"message": "The fake server failed: " + traceback.format_exc(),
                                              "type": "fake_server_error", "param": None, "code": None}}
        if isinstance(payload, bytes):
            raw, content_type = payload, "text/html; charset=utf-8"
        else:
            raw = json.dumps(payload).encode("utf-8")
            record.response = payload
        record.status = status
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(raw)))
            handler.send_header("x-request-id", request_id)
            for name, value in extra.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(raw)
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            handler.close_connection = True

    def _inspect(self, record: Recorded, body: bytes) -> _ApiError | None:
        """Fill the recorded request from its body; the parse error, if any, is answered later."""
        if record.kind in ("chat", "generate"):
            try:
                record.json = json.loads(body)
            except ValueError:
                return _bad_request("We could not parse the JSON body of your request. (HINT: This likely means "
                                    "you aren't using your HTTP library correctly.)")
            if record.kind == "chat" and isinstance(record.json, dict):
                for part in _message_parts(record.json.get("messages")):
                    if part.get("type") != "image_url":
                        continue
                    image_url = _image_url(part)
                    record.details.append(image_url.get("detail") or "auto")
                    try:
                        record.images.append(_decode_data_url(image_url.get("url", "")).size)
                    except _ApiError:
                        record.images.append((0, 0))
        elif record.kind == "edit":
            try:
                record.form, record.files = _parse_multipart(body, record.headers.get("content-type", ""))
            except _ApiError as exc:
                return exc
        return None

    def _authorized(self, record: Recorded, flavor: str) -> bool:
        bearer = record.headers.get("authorization", "")
        token = bearer[7:] if bearer[:7].lower() == "bearer " else None
        key_header = record.headers.get("api-key")
        if flavor == "openai":
            return token == self.api_key
        entra = self.azure_token is not None and token == self.azure_token
        if flavor == "azure":
            return key_header == self.api_key or entra
        return key_header == self.api_key or token == self.api_key or entra

    def _answer(self, record: Recorded, flavor: str | None, parse_error: _ApiError | None) -> tuple[int, Any, dict]:
        if record.kind == "other" or flavor is None:
            raise _ApiError(404, f"Invalid URL ({record.method} {record.path})")
        if not self._authorized(record, flavor):
            raise _ApiError(401, "Incorrect API key provided.", code="invalid_api_key")
        if flavor == "azure" and not record.query.get("api-version"):
            raise _bad_request("Missing required query parameter 'api-version'.", code="missing_api_version",
                               param="api-version")
        with self._lock:
            queued = self._faults[record.kind].popleft() if self._faults[record.kind] else None
        fault = None
        if queued:
            fault, retry_after, delay = queued
            record.fault = fault
            if fault in ("429", "500", "moderation_blocked", "content_filter"):
                status, payload, headers = _fault_answer(record.kind, fault, retry_after, record.request_id)
                return status, payload, headers
            if fault == "drop":
                raise _Drop()
            if fault == "malformed":
                return 200, b'<html><body><h1>Bad gateway</h1></body></html>{"choices": [{"mess', {}
            if fault == "slow":
                self._closing.wait(delay)
                fault = None
        if parse_error is not None:
            raise parse_error
        if record.kind == "chat":
            return 200, self._chat(record, flavor, fault), {}
        if record.kind == "edit":
            return 200, self._edit(record), {}
        return 200, self._generate(record), {}

    # -- endpoints -------------------------------------------------------------------------

    def _chat(self, record: Recorded, flavor: str, fault: str | None) -> dict:
        body = record.json
        if not isinstance(body, dict):
            raise _bad_request("The request body must be a JSON object.")
        model = body.get("model") or record.deployment
        if not model:
            raise _bad_request("you must provide a model parameter", param="model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _bad_request("'messages' must be a non-empty array.", param="messages",
                               code="missing_required_parameter" if messages is None else "invalid_value")
        text_bytes = 0
        image_tokens = 0
        user_texts = []
        for index, message in enumerate(messages):
            if not isinstance(message, dict) or "role" not in message:
                raise _bad_request(f"Missing required parameter: 'messages[{index}].role'.",
                                   param=f"messages[{index}].role", code="missing_required_parameter")
            for part in _message_parts([message]):
                if part.get("type") == "text":
                    text = str(part.get("text", ""))
                    text_bytes += len(text.encode("utf-8"))
                    if message["role"] == "user":
                        user_texts.append(text)
                elif part.get("type") == "image_url":
                    image_url = _image_url(part)
                    image = _decode_data_url(image_url.get("url", ""))
                    image_tokens += vision_tokens(*image.size, image_url.get("detail") or "auto")
        prompt_tokens = math.ceil(text_bytes / 4) + image_tokens + 7 * len(messages)
        user_text = "\n".join(user_texts)

        response_format = body.get("response_format") or {"type": "text"}
        if not isinstance(response_format, dict):
            raise _bad_request("'response_format' must be an object.", param="response_format",
                               code="invalid_type")
        kind = response_format.get("type", "text")
        schema = None
        if kind == "json_schema":
            spec = response_format.get("json_schema")
            schema = spec.get("schema") if isinstance(spec, dict) else None
            if not isinstance(schema, dict):
                raise _bad_request("Missing required parameter: 'response_format.json_schema.schema'.",
                                   param="response_format", code="missing_required_parameter")
            if spec.get("strict"):
                problem = strict_schema_problem(schema, spec.get("name", "response"))
                if problem:
                    raise _bad_request(problem, param="response_format", code="invalid_json_schema")
        elif kind not in ("text", "json_object"):
            raise _bad_request(f"Invalid value: '{kind}'. Supported values are: 'json_object', 'json_schema', "
                               "and 'text'.", param="response_format.type", code="invalid_value")

        content: str | None
        refusal = None
        if fault == "refusal":
            content, refusal = None, _REFUSAL
        elif fault == "bad_schema":
            content = json.dumps(_not_matching(schema))
        elif kind == "text":
            content = _FAKE_ANSWER
        elif self.plan_for is not None:
            planned = self.plan_for(user_text)
            content = planned if isinstance(planned, str) else json.dumps(planned)
        elif kind == "json_schema":
            content = json.dumps(SchemaFaker(schema).value(schema))
        else:
            content = json.dumps({"answer": _FAKE_ANSWER})
        completion_tokens = text_tokens(content if content is not None else refusal or "")
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop", "logprobs": None,
                                  "message": {"role": "assistant", "content": content, "refusal": refusal}}
        answer: dict[str, Any] = {
            "id": f"chatcmpl-fake-{record.request_id.rsplit('_', 1)[-1].lstrip('0')}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": [choice],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens,
                      "prompt_tokens_details": {"cached_tokens": 0}},
        }
        if flavor != "openai":
            choice["content_filter_results"] = _filter_result(violence=False)
            answer["prompt_filter_results"] = [{"prompt_index": 0,
                                                "content_filter_results": _filter_result(violence=False)}]
        return answer

    def _edit(self, record: Recorded) -> dict:
        form = record.form
        prompt = form.get("prompt")
        if not prompt:
            raise _bad_request("Missing required parameter: 'prompt'.", param="prompt",
                               code="missing_required_parameter")
        images = [f for f in record.files if re.fullmatch(r"image(\[\d*\])?", f.field)]
        masks = [f for f in record.files if f.field == "mask"]
        if not images:
            raise _bad_request("Missing required parameter: 'image'.", param="image",
                               code="missing_required_parameter")
        if len(images) > 16:
            raise _bad_request("Too many images: at most 16 can be given.", param="image", code="invalid_value")
        for upload in [*images, *masks]:
            if (upload.content_type or "").split(";")[0].strip().lower() not in _EDIT_MIMETYPES:
                raise _bad_request(
                    f"Invalid file '{upload.field}': unsupported mimetype ('{upload.content_type}'). "
                    "Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.",
                    param=upload.field, code="unsupported_file_mimetype")
            if upload.size is None:
                raise _bad_request(f"Invalid image file '{upload.filename}' in '{upload.field}': it could not "
                                   "be decoded.", param=upload.field, code="invalid_image")
        options = _image_options(form, default_size=images[0].size)
        fidelity = form.get("input_fidelity") or "low"
        if fidelity not in ("low", "high"):
            raise _invalid_value("input_fidelity", fidelity, ("low", "high"))
        source = _decode_image(images[0].data)
        mask_image = None
        if masks:
            mask = masks[0]
            mask_image = _decode_image(mask.data)
            if mask.format != "PNG" or not _has_alpha(mask_image):
                raise _bad_request("Invalid mask: the mask must be a PNG image with an alpha channel "
                                   f"(got {mask.format} in mode {mask.mode}).", param="mask", code="invalid_mask")
            if mask.size != images[0].size:
                raise _bad_request("Invalid mask: the mask must have the same dimensions as the first image "
                                   f"(mask is {mask.size[0]}x{mask.size[1]}, image is "
                                   f"{images[0].size[0]}x{images[0].size[1]}).", param="mask", code="invalid_mask")

        size = options["size"]
        mode = "RGBA" if options["transparent"] else "RGB"
        base = source.convert(mode).resize(size, Image.Resampling.LANCZOS)
        inverted = ImageOps.invert(base.convert("RGB")).convert(mode)
        if mode == "RGBA":
            inverted.putalpha(base.getchannel("A"))
        if mask_image is not None:
            where = mask_image.convert("RGBA").getchannel("A").resize(size, Image.Resampling.NEAREST)
            where = where.point(lambda a: 255 if a == 0 else 0)
            result = Image.composite(inverted, base, where)
        else:
            result = inverted
        image_tokens = sum(edit_image_tokens(*f.size, fidelity) for f in images)
        return _images_answer(result, options, prompt, image_tokens)

    def _generate(self, record: Recorded) -> dict:
        body = record.json
        if not isinstance(body, dict):
            raise _bad_request("The request body must be a JSON object.")
        prompt = body.get("prompt")
        if not prompt or not isinstance(prompt, str):
            raise _bad_request("Missing required parameter: 'prompt'.", param="prompt",
                               code="missing_required_parameter")
        options = _image_options({k: v for k, v in body.items() if v is not None}, default_size=None)
        return _images_answer(_gradient(prompt, options["size"], options["transparent"]), options, prompt, 0)


def _invalid_value(param: str, value: Any, allowed: tuple) -> _ApiError:
    listed = ", ".join(f"'{a}'" for a in allowed)
    return _bad_request(f"Invalid value: '{value}'. Supported values are: {listed}.", param=param,
                        code="invalid_value")


# The GPT image models before gpt-image-2 make three sizes only (a deployment name is not checked).
_FIXED_SIZE_MODELS = re.compile(r"gpt-image-1(\.5|-mini)?(-\d{4}-\d{2}-\d{2})?")
_FIXED_SIZES = ("1024x1024", "1536x1024", "1024x1536")


def _image_options(params: dict, default_size: tuple[int, int] | None) -> dict:
    size_text = str(params.get("size") or "auto")
    if size_text == "auto":
        if default_size is None or _squareish(*default_size):
            size = (1024, 1024)
        else:
            size = (1536, 1024) if default_size[0] > default_size[1] else (1024, 1536)
    else:
        match = re.fullmatch(r"(\d+)x(\d+)", size_text)
        if not match or not all(16 <= int(v) <= 4096 for v in match.groups()):
            raise _bad_request(f"Invalid value: '{size_text}'. Size must be 'auto' or WIDTHxHEIGHT.", param="size",
                               code="invalid_value")
        size = (int(match.group(1)), int(match.group(2)))
        if _FIXED_SIZE_MODELS.fullmatch(str(params.get("model") or "")) and size_text not in _FIXED_SIZES:
            raise _invalid_value("size", size_text, (*_FIXED_SIZES, "auto"))
    quality = str(params.get("quality") or "auto")
    if quality not in ("low", "medium", "high", "auto"):
        raise _invalid_value("quality", quality, ("low", "medium", "high", "auto"))
    fmt = str(params.get("output_format") or "png")
    if fmt not in _OUTPUT_FORMATS:
        raise _invalid_value("output_format", fmt, tuple(_OUTPUT_FORMATS))
    background = str(params.get("background") or "auto")
    if background not in ("transparent", "opaque", "auto"):
        raise _invalid_value("background", background, ("transparent", "opaque", "auto"))
    if background == "transparent" and fmt == "jpeg":
        raise _bad_request("Transparent background is not supported for the jpeg output format.",
                           param="background", code="invalid_value")
    try:
        n = int(params.get("n") or 1)
        compression = None if params.get("output_compression") in (None, "") else int(params["output_compression"])
    except (TypeError, ValueError):
        raise _bad_request("Invalid integer value for 'n' or 'output_compression'.", code="invalid_type") from None
    if not 1 <= n <= 10:
        raise _bad_request(f"Invalid value: {n}. 'n' must be between 1 and 10.", param="n", code="invalid_value")
    return {"size": size, "quality": quality, "format": fmt, "background": background, "n": n,
            "compression": compression, "transparent": background == "transparent"}


def _images_answer(image: Image.Image, options: dict, prompt: str, image_tokens: int) -> dict:
    encoded = base64.b64encode(_encode(image, options["format"], options["compression"])).decode("ascii")
    w, h = options["size"]
    prompt_tokens = text_tokens(prompt)
    output_tokens = output_image_tokens(options["quality"], w, h) * options["n"]
    input_tokens = prompt_tokens + image_tokens
    return {
        "created": int(time.time()),
        "data": [{"b64_json": encoded} for _ in range(options["n"])],
        "usage": {"input_tokens": input_tokens,
                  "input_tokens_details": {"image_tokens": image_tokens, "text_tokens": prompt_tokens},
                  "output_tokens": output_tokens,
                  "total_tokens": input_tokens + output_tokens},
        "background": "transparent" if options["transparent"] else "opaque",
        "output_format": options["format"],
        "quality": "high" if options["quality"] == "auto" else options["quality"],
        "size": f"{w}x{h}",
    }


def _message_parts(messages: Any) -> list[dict]:
    """Every content part of the messages, plain string contents as text parts."""
    parts: list[dict] = []
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            parts.append({"type": "text", "text": content})
        elif isinstance(content, list):
            parts.extend(p for p in content if isinstance(p, dict))
    return parts


def _image_url(part: dict) -> dict:
    """The ``image_url`` object of a content part (a bare URL string counts as ``{"url": ...}``)."""
    value = part.get("image_url")
    if isinstance(value, str):
        return {"url": value}
    return value if isinstance(value, dict) else {}


def _decode_data_url(url: Any) -> Image.Image:
    url = url if isinstance(url, str) else ""
    match = re.fullmatch(r"data:image/([\w.+-]+);base64,(.*)", url, re.DOTALL)
    if not url.startswith("data:"):
        raise _bad_request("The fake server accepts images only as data: URLs.", param="url",
                           code="invalid_image_url")
    unsupported = _bad_request("You uploaded an unsupported image. Please make sure your image has of one the "
                               "following formats: ['png', 'jpeg', 'gif', 'webp'].", code="invalid_image_format")
    if not match or match.group(1).lower() not in _VISION_FORMATS:
        raise unsupported
    try:
        image = _decode_image(base64.b64decode(match.group(2), validate=True))
    except Exception:
        raise unsupported from None
    if image.format not in _VISION_FORMATS.values():
        raise unsupported
    return image


def _not_matching(schema: dict | None) -> Any:
    """A JSON value that does not validate against ``schema``."""
    if not isinstance(schema, dict):
        return {"unexpected_field": "fake"}
    import jsonschema

    candidate: Any = {"unexpected_field": "fake"}
    try:
        valid = SchemaFaker(schema).value(schema)
        if isinstance(valid, dict):
            required = list(schema.get("required") or [])
            candidate = {k: v for k, v in valid.items() if not required or k != required[0]}
            candidate["unexpected_field"] = "fake"
    except ValueError:
        pass
    if jsonschema.Draft202012Validator(schema).is_valid(candidate):
        candidate = ["not", "what", "the", "schema", "asked", "for"]
    return candidate


# --------------------------------------------------------------------------------------------
# A text model's answer for imgvar's planning call


PLAN_ARG_FIELDS = ("style", "subject", "setting", "object", "where", "target", "color", "adjustment", "direction",
                   "replacement")


def parser_plan_for(user_text: str) -> dict:
    """What a text model would answer to imgvar's planning call: the offline parser's tasks in the
    structured-output shape, and a two-sentence draft (its length is most of the answer's tokens).
    Use as `FakeOpenAI.plan_for`."""
    from imgvar.prompt import parse_prompt

    prompt = user_text.split("Request: ", 1)[1].split("\nImage:", 1)[0]
    plan = parse_prompt(prompt)
    tasks = []
    for task in plan.tasks:
        fields = dict.fromkeys(PLAN_ARG_FIELDS)
        fields.update({k: v for k, v in task.args.items() if k in fields})
        tasks.append({"kind": task.kind, "text": task.text, **fields})
    if plan.language == "fr":
        draft = (f"L'image garde la composition et le sujet de l'original, modifiée comme demandé : {prompt}. "
                 "Tout ce que la demande ne mentionne pas reste tel quel.")
    else:
        draft = (f"The image keeps the composition and the subject of the original, changed as asked: {prompt}. "
                 "Everything the request does not mention stays as it was.")
    return {"language": plan.language, "subject": "a photographed scene", "tasks": tasks, "output_prompt": draft}
