"""Every cloud setting checked when the engine is built, before anything is sent.

A bad value found by the provider would come back after the text call was
paid for; found here, it is a usage error (exit 2) and nothing is sent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...errors import UsageError

if TYPE_CHECKING:
    from ...config import Settings
    from ...cost import PriceTable
    from .provider import Provider

QUALITIES = ("low", "medium", "high", "auto")
FIDELITIES = ("low", "high")
OUTPUT_FORMATS = ("png", "jpeg", "webp")
_SIZE_RE = re.compile(r"([1-9][0-9]*)x([1-9][0-9]*)")
_PRICES_HINT = "a model's sizes are in 'imgvar cost --prices --json'; a prices file named by cost.prices can add others"


def check_settings(provider: Provider, settings: Settings, prices: PriceTable) -> None:
    """Raise UsageError for the first cloud setting the chosen models cannot take."""
    from ...cost import price_of_kind

    price_of_kind(prices, provider.text_model, "text")
    image = price_of_kind(prices, provider.image_model, "image")
    quality = _choice(settings, "cloud.quality", QUALITIES)
    prices.output_tokens(quality, (1024, 1024))  # the table must price this quality
    fidelity = _choice(settings, "cloud.input_fidelity", FIDELITIES)
    if fidelity == "high" and not image.input_fidelity:
        raise UsageError(f"{provider.image_model} takes no input fidelity, so cloud.input_fidelity 'high' "
                         "cannot be sent", hint="use --input-fidelity low or another openai.image_model")
    _choice(settings, "cloud.output_format", OUTPUT_FORMATS)
    if provider.name == "azure" and not settings["azure.base_url"] and not str(settings["azure.api_version"]).strip():
        # The SDK would send the request without one, and Azure would refuse it after the call.
        raise UsageError("azure.api_version is empty", hint="set azure.api_version or OPENAI_API_VERSION, "
                         "e.g. 2025-04-01-preview")
    size = str(settings["cloud.size"]).strip().lower()
    if size == "auto":
        return
    if not _SIZE_RE.fullmatch(size):
        raise UsageError(f"cloud.size '{settings['cloud.size']}' is not WIDTHxHEIGHT or auto")
    if size not in image.sizes:
        raise UsageError(f"cloud.size '{size}' is not a size {provider.image_model} makes "
                         f"(auto, {', '.join(image.sizes)})", hint=_PRICES_HINT)


def _choice(settings: Settings, key: str, allowed: tuple[str, ...]) -> str:
    value = str(settings[key]).strip().lower()
    if value not in allowed:
        raise UsageError(f"{key} '{settings[key]}' is not one of {', '.join(allowed)}")
    return value
