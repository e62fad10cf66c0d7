"""A cloud engine: the text analyzer, the image editor and a describer that completes the draft.

Building one costs nothing and needs no credentials: the SDK client is made on
first use, so a run answered from the cache (or a --dry-run) never imports the
SDK or opens a connection, and only sending asks for a key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..base import Engine
from .calls import CallMeter
from .provider import Provider, make_client, provider_for

if TYPE_CHECKING:
    from ...config import Settings
    from ...cost import PriceTable


@dataclass
class CloudContext:
    provider: Provider
    settings: Settings
    prices: PriceTable
    meter: CallMeter
    _client: Any = field(default=None, repr=False)

    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.provider, self.settings)
        return self._client


def cloud_engine(name: str, settings: Settings) -> Engine:
    from ...cost import load_prices
    from .analyzer import CloudAnalyzer
    from .describer import DraftDescriber
    from .checks import check_settings
    from .editor import CloudEditor

    provider = provider_for(name, settings)
    prices = load_prices(settings)
    # Unpriced models and values the models cannot take fail here, before anything is sent.
    check_settings(provider, settings, prices)
    meter = CallMeter(provider, settings, prices)
    ctx = CloudContext(provider, settings, prices, meter)
    return Engine(name=name, analyzer=CloudAnalyzer(ctx), editor=CloudEditor(ctx), describer=DraftDescriber(),
                  meter=meter)
