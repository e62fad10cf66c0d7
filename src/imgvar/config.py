"""Settings, their documentation, and where each effective value came from.

Precedence, lowest first: built-in defaults < user config file
(`$IMGVAR_HOME/config.toml`) < `--config FILE` < `IMGVAR_*` environment
variables < command-line flags. `config.example.toml` documents every key in
`OPTIONS`; a test keeps the two in step.
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .paths import user_config_path
from .text import clean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class Option:
    key: str  # dotted: "engine", "image.max_pixels"
    type: type
    default: Any
    help: str
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    secret: bool = False
    # Standard variables other tools share (OPENAI_API_KEY...): read when no file or IMGVAR_
    # variable sets the key, so a project's config still wins over a shell-wide key.
    env_aliases: tuple[str, ...] = ()
    # A regular expression the whole (lower-cased) value must match, and how to say it.
    pattern: str | None = None
    pattern_help: str = ""

    @property
    def env_var(self) -> str:
        return "IMGVAR_" + self.key.upper().replace(".", "_")


MAX_SEED = 2**32 - 1  # what every random generator the renderers use accepts

OPTIONS: tuple[Option, ...] = (
    # Not a fixed choice list: plugins add engines; the registry checks the name.
    Option("engine", str, "auto", "Engine for every stage: auto (a configured cloud engine, else local), local, "
           "openai, azure, or a plugin's name."),
    Option("store", str, "local", "Where stage results, originals and run records are kept: local (this machine) or "
           "azure (an Azure Storage container shared by every machine, cached locally).",
           choices=("local", "azure")),
    Option("cache", bool, True, "Reuse stored stage results; false recomputes every stage (results are still stored)."),
    Option("seed", int, 0, "Seed for randomised rendering; the same seed gives the same bytes.", minimum=0,
           maximum=MAX_SEED),
    Option("image.max_pixels", int, 89_478_485, "Largest input accepted, in pixels (guards against decompression bombs).",
           minimum=1),
    Option("output.format", str, "png", "Format when --out is not given (with --out, its extension decides).",
           choices=("png", "jpeg", "webp")),
    Option("output.quality", int, 92, "JPEG/WebP quality.", minimum=1, maximum=100),
    Option("output.png_compression", int, 1, "PNG zlib level, 0 (fastest, largest) to 9 (smallest, slowest); "
           "1 writes 5-7x faster than 6, for files some 15-40% larger.", minimum=0, maximum=9),
    Option("style.strength", float, 1.0, "How strongly a style replaces the original look (0 keeps the input).",
           minimum=0.0, maximum=1.0),
    Option("style.detail", float, 1.0, "Stroke scale of painterly styles: below 1 finer, above 1 coarser.",
           minimum=0.25, maximum=4.0),
    Option("style.candidates", int, 1, "Styled versions to make and choose from with CLIP (--candidates); 1 makes "
           "one. Needs CLIP weights: without them one is made and the run says so.", minimum=1, maximum=8),
    Option("style.time_budget", float, 60.0, "Ceiling in seconds for style transfer from a reference image.",
           minimum=1.0, maximum=3600.0),
    Option("recontext.harmonize", float, 0.5, "How far the subject's colours move toward the new background (0..1).",
           minimum=0.0, maximum=1.0),
    Option("recontext.feather", float, 1.5, "Softness of the subject's edge, in pixels per 1000 pixels of image side.",
           minimum=0.0, maximum=20.0),
    Option("recontext.shadow", float, 0.35, "Strength of the soft contact shadow under the subject (0 disables).",
           minimum=0.0, maximum=1.0),
    Option("matte.engine", str, "auto", "How the subject is found when the image has no alpha and no --mask: auto (a "
           "trained model when its weights are present, else classic), model, or classic (no weights).",
           choices=("auto", "model", "classic")),
    Option("matte.model", str, "isnet-general-use", "Background-removal model for the model tier "
           "(`imgvar models list` shows them).",
           choices=("isnet-general-use", "birefnet-general-lite", "u2net", "u2netp", "silueta")),
    # -- CLIP features ----------------------------------------------------------------------
    Option("clip.use", str, "auto", "CLIP features (tags, scores, nearest style, best candidate): auto (when its "
           "weights are on this machine) or off.", choices=("auto", "off")),
    Option("clip.model", str, "ViT-B-32", "open_clip architecture, e.g. ViT-B-32, ViT-B-16, ViT-L-14."),
    Option("clip.pretrained", str, "laion2b_s34b_b79k", "open_clip pretrained tag (weights from the Hugging Face "
           "hub by `imgvar models pull clip`)."),
    Option("clip.checkpoint", str, "", "A local weights file for clip.model, used instead of clip.pretrained."),
    Option("clip.model_config", str, "", "An open_clip model config (JSON) that defines clip.model, for an "
           "architecture open_clip does not ship."),
    Option("clip.device", str, "auto", "Where CLIP runs: auto (a GPU when torch sees one), cpu or cuda.",
           choices=("auto", "cpu", "cuda")),
    Option("clip.min_image_similarity", float, 0.7, "With --candidates: the least CLIP similarity to the original a "
           "candidate must keep to be chosen.", minimum=0.0, maximum=1.0),
    # -- cloud engines ----------------------------------------------------------------------
    Option("openai.api_key", str, "", "OpenAI API key (prefer the environment or a private config file).",
           secret=True, env_aliases=("OPENAI_API_KEY",)),
    Option("openai.base_url", str, "", "OpenAI API base URL; empty for the SDK's default.",
           env_aliases=("OPENAI_BASE_URL",)),
    Option("openai.text_model", str, "gpt-4.1-mini", "Text model for the plan and the output prompt (one call per run)."),
    # The defaults keep a run (one text call + one image call) at most $0.02 by the built-in prices.
    Option("openai.image_model", str, "gpt-image-1-mini", "Image model for edits and generations (one call per run)."),
    Option("azure.endpoint", str, "", "Azure OpenAI resource endpoint, https://RESOURCE.openai.azure.com.",
           env_aliases=("AZURE_OPENAI_ENDPOINT",)),
    Option("azure.api_key", str, "", "Azure OpenAI API key; not needed with auth = \"entra\".",
           secret=True, env_aliases=("AZURE_OPENAI_API_KEY",)),
    Option("azure.api_version", str, "2025-04-01-preview", "Azure OpenAI api-version for deployment-style URLs.",
           env_aliases=("OPENAI_API_VERSION",)),
    Option("azure.auth", str, "key", "How to authenticate: key (azure.api_key) or entra (DefaultAzureCredential, "
           "needs the azure-identity package).", choices=("key", "entra")),
    Option("azure.base_url", str, "", "v1-style base URL (https://RESOURCE.openai.azure.com/openai/v1/); when set it "
           "is used instead of endpoint + api-version."),
    Option("azure.text_deployment", str, "", "Deployment name of the text model."),
    Option("azure.image_deployment", str, "", "Deployment name of the image model."),
    Option("azure.text_model", str, "gpt-4.1-mini", "Model behind the text deployment (for prices)."),
    Option("azure.image_model", str, "gpt-image-1-mini", "Model behind the image deployment (for prices)."),
    Option("cloud.quality", str, "medium", "Image quality of cloud edits; cost grows steeply with it "
           "(the README lists the price of each).",
           choices=("low", "medium", "high", "auto")),
    Option("cloud.size", str, "auto", "Output size of cloud edits: auto (nearest to the input's shape), 1024x1024, "
           "1536x1024 or 1024x1536.", pattern=r"auto|[1-9][0-9]*x[1-9][0-9]*", pattern_help="auto or WIDTHxHEIGHT"),
    Option("cloud.input_fidelity", str, "low", "How closely an edit keeps the input's details; high costs more input "
           "tokens.", choices=("low", "high")),
    Option("cloud.output_format", str, "png", "Format the image model returns.", choices=("png", "jpeg", "webp")),
    Option("cloud.timeout", float, 300.0, "Seconds to wait for an image call (they take up to minutes).",
           minimum=1.0, maximum=3600.0),
    Option("cloud.text_timeout", float, 60.0, "Seconds to wait for the text call.", minimum=1.0, maximum=600.0),
    Option("cloud.max_retries", int, 2, "Retries after a 429 or 5xx answer (with backoff, honouring Retry-After).",
           minimum=0, maximum=10),
    Option("cloud.retry_timeouts", bool, False, "Re-send an image call that timed out (it may already be billed)."),
    # -- Azure Blob store (store = "azure") -----------------------------------------------------
    Option("azure_blob.connection_string", str, "", "Storage account connection string (the account key is a "
           "secret: prefer the environment).", secret=True, env_aliases=("AZURE_STORAGE_CONNECTION_STRING",)),
    Option("azure_blob.sas_url", str, "", "A container (or account) URL with a SAS token, used when no connection "
           "string is set.", secret=True),
    Option("azure_blob.account_url", str, "", "https://ACCOUNT.blob.core.windows.net, signed in with "
           "DefaultAzureCredential (needs azure-identity), used when neither of the above is set."),
    Option("azure_blob.container", str, "imgvar", "Container that holds the store (created on first write when the "
           "credentials allow).", pattern=r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]",
           pattern_help="3-63 lowercase letters, digits and single hyphens"),
    Option("azure_blob.prefix", str, "", "Folder inside the container, so several stores can share one.",
           pattern=r"([a-z0-9._-]+/)*[a-z0-9._-]*", pattern_help="letters, digits, '.', '_', '-' and '/'"),
    Option("azure_blob.connect_timeout", float, 5.0, "Seconds to wait for a connection to Azure Storage.",
           minimum=0.5, maximum=120.0),
    Option("azure_blob.read_timeout", float, 30.0, "Seconds to wait for an answer once connected.",
           minimum=1.0, maximum=600.0),
    Option("azure_blob.retries", int, 2, "Retries of a failed request (about 1 s apart); then the command goes "
           "on with the local copy and leaves the container alone for a minute.", minimum=0, maximum=10),
    Option("azure_blob.lock_wait", float, 600.0, "Most seconds to wait while another machine makes the same paid "
           "result, before giving up.", minimum=0.0, maximum=86400.0),
    # -- cost -------------------------------------------------------------------------------
    Option("cost.max_per_run", float, 0.5, "Most one run may spend, in USD, checked before each paid call "
           "(0 = no limit).", minimum=0.0),
    Option("cost.daily_budget", float, 5.0, "Most all runs may spend per UTC day, in USD (0 = no limit).", minimum=0.0),
    Option("cost.monthly_budget", float, 50.0, "Most all runs may spend per UTC month, in USD (0 = no limit).",
           minimum=0.0),
    Option("cost.prices", str, "", "TOML file of prices that override or extend the built-in, dated price table."),
)

OPTIONS_BY_KEY: dict[str, Option] = {o.key: o for o in OPTIONS}

SECRET_MASK = "****"


@dataclass
class Settings:
    """Effective settings with the origin of every value."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def source(self, key: str) -> str:
        return self.sources.get(key, "default")

    def with_overrides(self, overrides: Mapping[str, Any], origin: str = "flag") -> Settings:
        """A copy with `overrides` applied (None values are ignored), validated."""
        new = Settings(dict(self.values), dict(self.sources), list(self.files))
        for key, raw in overrides.items():
            if raw is None:
                continue
            option = _option(key, origin)
            new.values[key] = _coerce(option, raw, origin)
            new.sources[key] = origin
        return new

    def describe(self) -> list[dict[str, Any]]:
        """Rows for `imgvar config show`; secrets masked."""
        rows = []
        for option in OPTIONS:
            value = self.values[option.key]
            if option.secret and value:
                value = SECRET_MASK
            rows.append({"key": option.key, "value": value, "source": self.source(option.key),
                         "env": option.env_var, "help": option.help})
        return rows


def load_settings(
    config_file: str | os.PathLike | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build the effective settings from every layer, in precedence order."""
    env = os.environ if environ is None else environ
    settings = Settings({o.key: o.default for o in OPTIONS}, {o.key: "default" for o in OPTIONS})

    user_file = user_config_path()
    if user_file.is_file():
        _apply_file(settings, user_file, "user config")
    if config_file is not None:
        path = Path(config_file).expanduser()
        try:
            found = path.is_file()
        except OSError as exc:  # a name too long, a loop of links...
            raise ConfigError(f"{clean(str(config_file))}: cannot read config file ({exc.strerror or exc})") from None
        if not found:
            raise ConfigError(f"{clean(str(config_file))}: config file not found")
        _apply_file(settings, path, "--config")

    for option in OPTIONS:
        if option.env_aliases and settings.values[option.key] and settings.sources[option.key] != "default":
            continue  # set by a file (an empty value there, as in the example config, does not count)
        for alias in option.env_aliases:
            raw = env.get(alias)
            if raw:
                settings.values[option.key] = _coerce(option, raw, alias)
                settings.sources[option.key] = f"env {alias}"
                break

    for option in OPTIONS:
        raw = env.get(option.env_var)
        if raw is not None and raw != "":
            settings.values[option.key] = _coerce(option, raw, option.env_var)
            settings.sources[option.key] = f"env {option.env_var}"

    return settings.with_overrides(flags or {}, "flag")


def _apply_file(settings: Settings, path: Path, label: str) -> None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc})") from None
    origin = f"{label} {path}"
    for key, value in _flatten(data):
        option = _option(key, str(path))
        settings.values[key] = _coerce(option, value, f"{path}: {key}")
        settings.sources[key] = origin
    settings.files.append(path)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            items.extend(_flatten(value, dotted + "."))
        else:
            items.append((dotted, value))
    return items


def _option(key: str, where: str) -> Option:
    option = OPTIONS_BY_KEY.get(key)
    if option is None:
        raise ConfigError(f"{where}: unknown setting '{key}' (see 'imgvar config show')")
    return option


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _coerce(option: Option, raw: Any, where: str) -> Any:
    """Convert a raw value (TOML value, env string, flag) to the option's type and check it."""
    try:
        if option.type is bool:
            value: Any = _to_bool(raw)
        elif option.type is int:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(raw)
        elif option.type is float:
            if isinstance(raw, bool):
                raise ValueError
            value = float(raw)
            if not math.isfinite(value):
                raise ConfigError(f"{where}: {option.key} must be a finite number, got {clean(str(raw))}")
        else:
            if not isinstance(raw, str):
                raise ValueError
            value = raw.strip().lower() if option.choices or option.pattern or option.key == "engine" else raw
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{where}: '{clean(str(raw))}' is not a valid {option.type.__name__} for {option.key}") from None
    if option.choices and value not in option.choices:
        raise ConfigError(f"{where}: '{raw}' is not one of {', '.join(option.choices)} for {option.key}")
    if option.pattern and not re.fullmatch(option.pattern, value):
        raise ConfigError(f"{where}: '{raw}' is not {option.pattern_help} for {option.key}")
    if option.minimum is not None and value < option.minimum:
        raise ConfigError(f"{where}: {option.key} must be at least {option.minimum}, got {raw}")
    if option.maximum is not None and value > option.maximum:
        raise ConfigError(f"{where}: {option.key} must be at most {option.maximum}, got {raw}")
    return value


def _to_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(raw)
