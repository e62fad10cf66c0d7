"""What paid calls cost: the dated price table, estimates before a call, the real cost after it,
the budgets a call is checked against, the ledger rows that record it, and summaries of the ledger.

Estimates come in two figures: `usd`, the expected cost, and `usd_max`, an upper bound that
budgets are checked against, so a call is refused before it can take spending over a limit.
Ledger rows hold engines, models, token counts and money only: never keys, prompts or images.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

from .errors import BudgetError, ConfigError, UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

MILLION = 1_000_000
QUALITIES = ("low", "medium", "high")
# The output sizes of a GPT image model whose table entry lists none.
STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
STATUSES = ("ok", "failed", "timeout")
WITHHELD = "(withheld)"  # a ledger field whose value was not a plain identifier

# Text estimates: about four characters per token, plus the few tokens each chat message adds.
CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD_TOKENS = 7
# Margins of the upper bound: tokenizers differ from chars/4; image token counts are approximate.
TEXT_TOKEN_MARGIN = 1.25
IMAGE_INPUT_MARGIN = 1.1

_PRICE_FIELDS = ("text_input", "text_output", "image_input", "image_output", "cached_input")
_MODEL_KEYS = {"kind", *_PRICE_FIELDS, "source", "as_of", "note", "sizes", "input_fidelity"}
_TOP_KEYS = {"as_of", "models", "image_output_tokens"}
_SIZE_RE = re.compile(r"([1-9][0-9]*)x([1-9][0-9]*)")
_SNAPSHOT_RE = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # "gpt-5-nano-2025-08-07" is priced as "gpt-5-nano"
_SECRET_RE = re.compile(r"(sk-[A-Za-z0-9_\-]{8,}|Bearer\s|AccountKey=|api[-_]?key)", re.IGNORECASE)
_UNKNOWN_MODEL_HINT = "add it to a prices file named by cost.prices; see 'imgvar cost --prices'"


# -- prices ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelPrice:
    model: str
    kind: str  # "text" | "image"
    text_input: float  # USD per 1M text input tokens
    text_output: float = 0.0  # USD per 1M text output tokens (text models)
    image_input: float = 0.0  # USD per 1M image input tokens (image models)
    image_output: float = 0.0  # USD per 1M image output tokens (image models)
    cached_input: float | None = None
    source: str = ""  # where the figure comes from
    as_of: str = ""  # date the price was checked
    note: str = ""  # lifecycle remarks ("retired 2026-10-23")
    sizes: tuple[str, ...] = ()  # image models: the "WxH" output sizes the model makes (STANDARD_SIZES if unsaid)
    input_fidelity: bool = True  # image models: whether the model takes the input_fidelity parameter


@dataclass
class PriceTable:
    as_of: str
    models: dict[str, ModelPrice]
    image_output_tokens: dict[str, dict[str, int]]  # quality -> "WxH" -> tokens
    origin: list[str]

    def price(self, model: str) -> ModelPrice:
        """The price of `model`, or of the model a dated snapshot name belongs to."""
        found = self.models.get(model) or self.models.get(_SNAPSHOT_RE.sub("", model))
        if found is None:
            raise UsageError(f"no price is known for model '{model}'", hint=_UNKNOWN_MODEL_HINT)
        return found

    def output_tokens(self, quality: str, size: tuple[int, int]) -> int:
        """Image output tokens of one image; sizes not in the table scale the 1024x1024 figure by area."""
        level = "high" if quality == "auto" else quality
        table = self.image_output_tokens.get(level)
        if not table:
            raise UsageError(f"no image output tokens are known for quality '{quality}'",
                             hint=f"expected one of {', '.join(QUALITIES)} or auto")
        w, h = size
        if w <= 0 or h <= 0:
            raise ValueError(f"invalid image size {w}x{h}")
        exact = table.get(f"{w}x{h}")
        if exact is not None:
            return exact
        base = table.get("1024x1024")
        if base is None:
            raise UsageError(f"no 1024x1024 figure for quality '{level}' in the price table",
                             hint="add it under [image_output_tokens." + level + "]")
        return math.ceil(base * (w * h) / (1024 * 1024))


def load_prices(settings: Any = None) -> PriceTable:
    """The built-in table with the file named by `cost.prices` (if any) merged over it."""
    builtin = resources.files("imgvar").joinpath("data/prices.toml")
    table = PriceTable(as_of="", models={}, image_output_tokens={}, origin=[])
    _merge(table, _parse(builtin.read_text(encoding="utf-8"), "built-in prices.toml"), "built-in prices.toml",
           builtin=True)
    extra = _setting(settings, "cost.prices", "") or ""
    if extra.strip():
        path = Path(extra).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(f"{path}: prices file not found (named by cost.prices)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read prices file ({exc})") from None
        _merge(table, _parse(text, str(path)), str(path), builtin=False)
    return table


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML ({exc})") from None


def _merge(table: PriceTable, data: dict[str, Any], where: str, *, builtin: bool) -> None:
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key '{unknown[0]}' (expected as_of, models, image_output_tokens)")
    as_of = data.get("as_of", "")
    if not isinstance(as_of, (str, date)):
        raise ConfigError(f"{where}: as_of must be a date such as \"2026-11-01\"")
    as_of = str(as_of)
    if builtin:
        table.as_of = as_of
        table.origin.append(f"built-in {as_of}")
    else:
        table.origin.append(f"{where} (as of {as_of})" if as_of else where)

    models = data.get("models", {})
    if not isinstance(models, dict):
        raise ConfigError(f"{where}: 'models' must be a table of [models.\"NAME\"] entries")
    for name, entry in models.items():
        table.models[name] = _model_price(name, entry, table.models.get(name), as_of, where)

    tokens = data.get("image_output_tokens", {})
    if not isinstance(tokens, dict):
        raise ConfigError(f"{where}: 'image_output_tokens' must be a table per quality")
    for quality, sizes in tokens.items():
        if quality not in QUALITIES:
            raise ConfigError(f"{where}: image_output_tokens.{quality}: quality must be one of {', '.join(QUALITIES)}")
        if not isinstance(sizes, dict):
            raise ConfigError(f"{where}: image_output_tokens.{quality} must map \"WxH\" to a token count")
        merged = dict(table.image_output_tokens.get(quality, {}))
        for size, count in sizes.items():
            if not _SIZE_RE.fullmatch(size):
                raise ConfigError(f"{where}: image_output_tokens.{quality}: '{size}' is not a size like \"1024x1024\"")
            if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
                raise ConfigError(f"{where}: image_output_tokens.{quality}.\"{size}\" must be a positive integer")
            merged[size] = count
        table.image_output_tokens[quality] = merged


def _model_price(name: str, entry: Any, current: ModelPrice | None, file_as_of: str, where: str) -> ModelPrice:
    label = f"{where}: models.\"{name}\""
    if not isinstance(entry, dict):
        raise ConfigError(f"{label} must be a table")
    unknown = sorted(set(entry) - _MODEL_KEYS)
    if unknown:
        raise ConfigError(f"{label}: unknown key '{unknown[0]}' (expected {', '.join(sorted(_MODEL_KEYS))})")
    values: dict[str, Any] = {}
    for key in _PRICE_FIELDS:
        if key in entry:
            raw = entry[key]
            if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw < 0 or not math.isfinite(raw):
                raise ConfigError(f"{label}: {key} must be a number of USD per 1M tokens, at least 0")
            values[key] = float(raw)
    for key in ("kind", "source", "as_of", "note"):
        if key in entry:
            if not isinstance(entry[key], (str, date)):
                raise ConfigError(f"{label}: {key} must be a string")
            values[key] = str(entry[key])
    if "sizes" in entry:
        sizes = entry["sizes"]
        if not isinstance(sizes, list) or not sizes or not all(isinstance(s, str) and _SIZE_RE.fullmatch(s)
                                                                for s in sizes):
            raise ConfigError(f"{label}: sizes must be a list of sizes like [\"1024x1024\"]")
        values["sizes"] = tuple(sizes)
    if "input_fidelity" in entry:
        if not isinstance(entry["input_fidelity"], bool):
            raise ConfigError(f"{label}: input_fidelity must be true or false")
        values["input_fidelity"] = entry["input_fidelity"]
    if "kind" in values and values["kind"] not in ("text", "image"):
        raise ConfigError(f"{label}: kind must be \"text\" or \"image\"")
    if current is not None:  # a partial entry corrects some figures of a known model
        if "as_of" not in values and file_as_of:
            values["as_of"] = file_as_of
        return replace(current, **values)
    kind = values.get("kind")
    required = ("text_input", "image_output") if kind == "image" else ("text_input", "text_output")
    missing = [key for key in ("kind", *required) if key not in values]
    if missing:
        raise ConfigError(f"{label}: a new model needs {', '.join(missing)}")
    values.setdefault("as_of", file_as_of)
    if kind == "image":
        values.setdefault("sizes", STANDARD_SIZES)
    return ModelPrice(model=name, **values)


def _setting(settings: Any, key: str, default: Any) -> Any:
    if settings is None:
        return default
    getter = getattr(settings, "get", None)
    if getter is not None:
        value = getter(key, default)
        return default if value is None else value
    try:
        return settings[key]
    except (KeyError, TypeError):
        return default


# -- estimates ------------------------------------------------------------------------------


@dataclass
class CallEstimate:
    kind: str  # "text" | "image"
    engine: str  # "openai" | "azure"
    model: str  # model name used for pricing
    usd: float  # expected cost
    usd_max: float  # upper bound, what budgets are checked against
    tokens: dict[str, int]  # expected tokens
    detail: dict[str, Any] = field(default_factory=dict)
    # What the call needs that is not set yet ("OPENAI_API_KEY or --api-key"): a dry run
    # estimates without credentials, and says what the real run will need.
    needs_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["usd"] = round(self.usd, 8)
        data["usd_max"] = round(self.usd_max, 8)
        if self.needs_key is None:
            del data["needs_key"]
        return data


def text_tokens(chars: int) -> int:
    """Tokens of `chars` characters of text, about four characters a token."""
    return math.ceil(max(0, chars) / CHARS_PER_TOKEN)


def vision_image_tokens(size: tuple[int, int], detail: str = "low") -> int:
    """Input tokens of one image sent to a text model (tile rule: 85 base, 170 per 512-px tile)."""
    if detail == "low":
        return 85
    if detail not in ("high", "auto"):
        raise ValueError(f"unknown image detail {detail!r} (expected low, high or auto)")
    w, h = (float(v) for v in size)
    if w <= 0 or h <= 0:
        raise ValueError(f"invalid image size {size!r}")
    if max(w, h) > 2048:  # fit inside 2048x2048
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:  # then the short side down to 768
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    tiles = math.ceil(round(w) / 512) * math.ceil(round(h) / 512)
    return 85 + 170 * tiles


def edit_input_image_tokens(size: tuple[int, int], fidelity: str = "low") -> int:
    """Input tokens of one image uploaded to an image model (65 base, 129 per 512-px tile; more at high fidelity)."""
    w, h = size
    if w <= 0 or h <= 0:
        raise ValueError(f"invalid image size {size!r}")
    tokens = 65 + 129 * math.ceil(w / 512) * math.ceil(h / 512)
    if fidelity == "high":
        tokens += 4096 if max(w, h) / min(w, h) <= 1.1 else 6144
    elif fidelity != "low":
        raise ValueError(f"unknown input fidelity {fidelity!r} (expected low or high)")
    return tokens


def estimate_text_call(prices: PriceTable, engine: str, model: str, *, text_chars: int,
                       images: Iterable[tuple[int, int]] = (), detail: str = "low", max_output_tokens: int,
                       expected_output_tokens: int) -> CallEstimate:
    """Expected and worst-case cost of one text-model call; images are billed as text input."""
    price = price_of_kind(prices, model, "text")
    if max_output_tokens < 0 or expected_output_tokens < 0:
        raise ValueError("output token counts must be at least 0")
    expected_out = min(expected_output_tokens, max_output_tokens)
    text = text_tokens(text_chars) + MESSAGE_OVERHEAD_TOKENS
    sizes = list(images)
    image = sum(vision_image_tokens(size, detail) for size in sizes)
    usd = ((text + image) * price.text_input + expected_out * price.text_output) / MILLION
    usd_max = ((math.ceil(text * TEXT_TOKEN_MARGIN) + image) * price.text_input
               + max_output_tokens * price.text_output) / MILLION
    return CallEstimate(
        kind="text", engine=engine, model=model, usd=usd, usd_max=usd_max,
        tokens={"text_input": text, "image_input": image, "output": expected_out, "output_max": max_output_tokens},
        detail={"images": len(sizes), "image_detail": detail},
    )


def estimate_image_call(prices: PriceTable, engine: str, model: str, *, quality: str, size: tuple[int, int],
                        prompt_chars: int, input_images: Iterable[tuple[int, int]] = (),
                        input_fidelity: str = "low") -> CallEstimate:
    """Expected and worst-case cost of one image generation or edit returning one image."""
    price = price_of_kind(prices, model, "image")
    output = prices.output_tokens(quality, size)
    text = text_tokens(prompt_chars)
    sizes = list(input_images)
    image = sum(edit_input_image_tokens(s, input_fidelity) for s in sizes)
    usd = (text * price.text_input + image * price.image_input + output * price.image_output) / MILLION
    usd_max = (math.ceil(text * TEXT_TOKEN_MARGIN) * price.text_input
               + math.ceil(image * IMAGE_INPUT_MARGIN) * price.image_input
               + output * price.image_output) / MILLION
    w, h = size
    return CallEstimate(
        kind="image", engine=engine, model=model, usd=usd, usd_max=usd_max,
        tokens={"text_input": text, "image_input": image, "output": output},
        detail={"quality": quality, "size": f"{w}x{h}", "input_images": len(sizes), "input_fidelity": input_fidelity},
    )


def price_of_kind(prices: PriceTable, model: str, kind: str) -> ModelPrice:
    """The price of `model`, which must be a `kind` ("text" or "image") model."""
    price = prices.price(model)
    if price.kind != kind:
        article = {"text": "a", "image": "an"}
        raise UsageError(f"model '{model}' is priced as {article[price.kind]} {price.kind} model, "
                         f"not {article[kind]} {kind} model",
                         hint="check the model settings (openai.*_model, azure.*_model)")
    return price


def cost_of_usage(prices: PriceTable, model: str, usage: Mapping[str, Any] | None) -> float:
    """The real cost of a call from the API's `usage` object (chat, responses or image shape)."""
    if not usage:
        return 0.0
    price = prices.price(model)
    cached_rate = price.cached_input if price.cached_input is not None else price.text_input
    if "prompt_tokens" in usage or "completion_tokens" in usage:  # chat completions
        prompt = _count(usage, "prompt_tokens")
        cached = min(prompt, _count(usage, "prompt_tokens_details", "cached_tokens"))
        out = _count(usage, "completion_tokens")
        return ((prompt - cached) * price.text_input + cached * cached_rate + out * price.text_output) / MILLION
    total_in = _count(usage, "input_tokens")
    out = _count(usage, "output_tokens")
    cached = min(total_in, _count(usage, "input_tokens_details", "cached_tokens"))
    if price.kind == "text":  # responses API
        return ((total_in - cached) * price.text_input + cached * cached_rate + out * price.text_output) / MILLION
    details = usage.get("input_tokens_details") or {}
    image_in = _count(usage, "input_tokens_details", "image_tokens")
    text_in = (_count(usage, "input_tokens_details", "text_tokens") if "text_tokens" in details
               else max(0, total_in - image_in))
    cached = min(cached, text_in)
    out_details = usage.get("output_tokens_details") or {}
    if isinstance(out_details, Mapping) and "text_tokens" in out_details:
        text_out = min(out, _count(usage, "output_tokens_details", "text_tokens"))
        text_out_rate = price.text_output or price.image_output
    else:
        text_out, text_out_rate = 0, 0.0
    return ((text_in - cached) * price.text_input + cached * cached_rate + image_in * price.image_input
            + (out - text_out) * price.image_output + text_out * text_out_rate) / MILLION


def _count(usage: Mapping[str, Any], *path: str) -> int:
    value: Any = usage
    for key in path:
        if not isinstance(value, Mapping):
            return 0
        value = value.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        return 0
    return int(value)


# -- budgets --------------------------------------------------------------------------------


class Budget:
    """The per-run, daily and monthly limits; checked before every paid call against the ledger."""

    def __init__(self, settings: Any, store: Any, *, now: datetime | None = None,
                 max_per_run: float | None = None) -> None:
        self.store = store
        self.per_run_from_flag = max_per_run is not None
        self.max_per_run = float(max_per_run if max_per_run is not None
                                 else _setting(settings, "cost.max_per_run", 0.0))
        self.daily = float(_setting(settings, "cost.daily_budget", 0.0))
        self.monthly = float(_setting(settings, "cost.monthly_budget", 0.0))
        if min(self.max_per_run, self.daily, self.monthly) < 0:
            raise UsageError("cost limits must be at least 0 (0 means no limit)")
        self._now = now

    def now(self) -> datetime:
        """The time budgets are counted at, in UTC."""
        return _as_utc(self._now) if self._now is not None else datetime.now(timezone.utc)

    def spent(self, period: str, *, exclude_run: str | None = None) -> float:
        """USD recorded in the ledger this UTC "day" or "month"."""
        if period not in ("day", "month"):
            raise ValueError(f"unknown period {period!r} (expected day or month)")
        return self._totals(exclude_run)[period]

    def _totals(self, exclude_run: str | None) -> dict[str, float]:
        today = self.now().date()
        totals = {"day": 0.0, "month": 0.0}
        for row in self.store.read_ledger():
            when = row_time(row)
            if when is None or (exclude_run is not None and row.get("run") == exclude_run):
                continue
            day = when.date()
            if (day.year, day.month) == (today.year, today.month):
                usd = row_usd(row)
                totals["month"] += usd
                if day == today:
                    totals["day"] += usd
        return totals

    def check(self, estimate: CallEstimate, *, run_spent: float = 0.0, run: str | None = None) -> None:
        """Raise BudgetError if the call's upper bound could take spending over a limit.

        `run_spent` is what this run has spent so far; when its ledger rows carry a run id, pass it
        as `run` so those rows are not counted a second time in the day and month totals.
        """
        cost = estimate.usd_max
        what = f"this {estimate.kind} call may cost up to {format_usd(cost)}"
        if self.max_per_run > 0 and _over(run_spent + cost, self.max_per_run):
            label = "--max-cost" if self.per_run_from_flag else "cost.max_per_run"
            raise BudgetError(f"refused: {what}, which would take the run to {format_usd(run_spent + cost)}, "
                              f"over {label} {format_limit(self.max_per_run)}",
                              hint="raise --max-cost or cost.max_per_run; 0 means no limit")
        totals = self._totals(run) if self.daily > 0 or self.monthly > 0 else {}
        for period, limit, key, words in (("day", self.daily, "cost.daily_budget", "today's spending (UTC)"),
                                          ("month", self.monthly, "cost.monthly_budget",
                                           "this month's spending (UTC)")):
            if limit <= 0:
                continue
            total = totals[period] + run_spent + cost
            if _over(total, limit):
                raise BudgetError(f"refused: {what}, which would take {words} to {format_usd(total)}, "
                                  f"over {key} {format_limit(limit)}",
                                  hint=f"see 'imgvar cost'; raise {key} to allow more")

    def limits(self) -> dict[str, float]:
        return {"max_per_run": self.max_per_run, "daily_budget": self.daily, "monthly_budget": self.monthly}


def _over(total: float, limit: float) -> bool:
    return round(total, 9) > round(limit, 9)


# -- the ledger -----------------------------------------------------------------------------


def ledger_row(estimate: CallEstimate, *, usd: float, usage: Mapping[str, Any] | None, status: str,
               key: str | None = None, run: str | None = None, request_id: str | None = None,
               seconds: float | None = None) -> dict[str, Any]:
    """One ledger row for a paid call: money, tokens and identifiers, never secrets, prompts or images.

    `usd` is the real cost; for a failed call that may still be billed, pass the estimate.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (expected {', '.join(STATUSES)})")
    row = {
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "engine": estimate.engine,
        "model": estimate.model,
        "kind": estimate.kind,
        "usd": round(float(usd), 8),
        "estimate_usd": round(estimate.usd, 8),
        "usage": _numbers_only(usage) if usage else None,
        "status": status,
        "key": key,
        "run": run,
        "request_id": request_id,
        "seconds": None if seconds is None else round(float(seconds), 3),
    }
    for name in ("engine", "model", "key", "run", "request_id"):
        value = row[name]
        # Identifiers only. Anything else is withheld rather than refused: the call has been paid
        # for, so its row must still be written.
        if value is not None and (not isinstance(value, str) or _SECRET_RE.search(value) or len(value) > 200):
            row[name] = WITHHELD
    return row


def _numbers_only(usage: Mapping[str, Any]) -> dict[str, Any]:
    # Token counts only: whatever else a usage object carries stays out of the ledger.
    out: dict[str, Any] = {}
    for key, value in usage.items():
        if isinstance(value, Mapping):
            nested = _numbers_only(value)
            if nested:
                out[str(key)] = nested
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[str(key)] = value
    return out


def record_call(store: Any, row: dict[str, Any]) -> None:
    """Append a row made by `ledger_row` to the store's ledger."""
    store.append_ledger(row)


def row_time(row: Mapping[str, Any]) -> datetime | None:
    """When a ledger row was written, in UTC; None if it has no readable time."""
    raw = row.get("time")
    if not isinstance(raw, str):
        return None
    text = raw[:-1] + "+00:00" if raw.endswith("Z") else raw
    try:
        return _as_utc(datetime.fromisoformat(text))
    except ValueError:
        return None


def row_usd(row: Mapping[str, Any]) -> float:
    value = row.get("usd")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0.0
    return float(value)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


# -- summaries ------------------------------------------------------------------------------


@dataclass
class CostSummary:
    total_usd: float
    calls: int
    by_day: list[dict[str, Any]]
    by_model: list[dict[str, Any]]
    by_engine: list[dict[str, Any]]
    since: str | None
    until: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(rows: Iterable[Mapping[str, Any]], *, since: date | None = None,
              until: date | None = None) -> CostSummary:
    """Totals of ledger rows by UTC day, model and engine; `since` and `until` are inclusive."""
    groups: dict[str, dict[str, list[float]]] = {"day": {}, "model": {}, "engine": {}}
    total, calls = 0.0, 0
    for row in rows:
        when = row_time(row)
        if when is None:
            continue
        day = when.date()
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        usd = row_usd(row)
        total += usd
        calls += 1
        for name, value in (("day", day.isoformat()), ("model", row.get("model")), ("engine", row.get("engine"))):
            slot = groups[name].setdefault(str(value or "?"), [0.0, 0])
            slot[0] += usd
            slot[1] += 1

    def listing(name: str, by_time: bool) -> list[dict[str, Any]]:
        items = groups[name].items()
        ordered = sorted(items) if by_time else sorted(items, key=lambda kv: (-kv[1][0], kv[0]))
        return [{name: k, "usd": round(v[0], 8), "calls": int(v[1])} for k, v in ordered]

    return CostSummary(
        total_usd=round(total, 8), calls=calls,
        by_day=listing("day", True), by_model=listing("model", False), by_engine=listing("engine", False),
        since=since.isoformat() if since else None, until=until.isoformat() if until else None,
    )


def format_usd(value: float) -> str:
    """"$0.0421" below one dollar, "$12.34" from one dollar up."""
    sign = "-" if value < 0 else ""
    amount = abs(value)
    return f"{sign}${amount:.2f}" if amount >= 1 else f"{sign}${amount:.4f}"


def format_limit(value: float) -> str:
    """A configured limit as written: "$0.05", "$5.00", "$0.0125"."""
    text = f"{value:.4f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"${whole}.{frac.ljust(2, '0')}"
