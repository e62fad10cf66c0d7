"""Settings, their documentation, and where each effective value came from.

Precedence, lowest first: built-in defaults < user config file
(`$IMGVAR_HOME/config.toml`) < `--config FILE` < `IMGVAR_*` environment
variables < command-line flags. `config.example.toml` documents every key in
`OPTIONS`; a test keeps the two in step.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .paths import user_config_path

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

    @property
    def env_var(self) -> str:
        return "IMGVAR_" + self.key.upper().replace(".", "_")


OPTIONS: tuple[Option, ...] = (
    # Not a fixed choice list: plugins add engines; the registry checks the name.
    Option("engine", str, "auto", "Engine for every stage: auto (a configured cloud engine, else local), local, "
           "openai, azure, or a plugin's name."),
    Option("store", str, "local", "Where stage results, originals and run records are kept.",
           choices=("local", "azure")),
    Option("cache", bool, True, "Reuse stored stage results; false recomputes every stage (results are still stored)."),
    Option("seed", int, 0, "Seed for randomised rendering; the same seed gives the same bytes.", minimum=0),
    Option("image.max_pixels", int, 89_478_485, "Largest input accepted, in pixels (guards against decompression bombs).",
           minimum=1),
    Option("output.format", str, "png", "Format when --out is not given (with --out, its extension decides).",
           choices=("png", "jpeg", "webp")),
    Option("output.quality", int, 92, "JPEG/WebP quality.", minimum=1, maximum=100),
    Option("style.strength", float, 1.0, "How strongly a style replaces the original look (0 keeps the input).",
           minimum=0.0, maximum=1.0),
    Option("style.detail", float, 1.0, "Stroke scale of painterly styles: below 1 finer, above 1 coarser.",
           minimum=0.25, maximum=4.0),
    Option("style.time_budget", float, 60.0, "Ceiling in seconds for style transfer from a reference image.",
           minimum=1.0, maximum=3600.0),
    Option("recontext.harmonize", float, 0.5, "How far the subject's colours move toward the new background (0..1).",
           minimum=0.0, maximum=1.0),
    Option("recontext.feather", float, 1.5, "Softness of the subject's edge, in pixels per 1000 pixels of image side.",
           minimum=0.0, maximum=20.0),
    Option("recontext.shadow", float, 0.35, "Strength of the soft contact shadow under the subject (0 disables).",
           minimum=0.0, maximum=1.0),
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
        if not path.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        _apply_file(settings, path, "--config")

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
        else:
            if not isinstance(raw, str):
                raise ValueError
            value = raw.strip().lower() if option.choices or option.key == "engine" else raw
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: '{raw}' is not a valid {option.type.__name__} for {option.key}") from None
    if option.choices and value not in option.choices:
        raise ConfigError(f"{where}: '{raw}' is not one of {', '.join(option.choices)} for {option.key}")
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
