"""Which cloud service a cloud engine talks to, and the SDK client for it.

OpenAI and Azure OpenAI differ only here: where requests go, how they
authenticate, and what `model=` means (a model name at OpenAI, a deployment
name at Azure). Everything after the client is shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import UsageError

if TYPE_CHECKING:
    from ...config import Settings

TOKEN_SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class Missing:
    message: str  # "the openai engine needs an API key"
    needs: str  # what to set, short: "OPENAI_API_KEY or --api-key"
    hint: str

    def error(self) -> UsageError:
        return UsageError(self.message, hint=self.hint)


@dataclass(frozen=True)
class Provider:
    name: str  # engine name: "openai" | "azure"
    label: str  # for messages: "OpenAI" | "Azure OpenAI"
    text_model: str  # model names, for prices
    image_model: str
    text_target: str  # what `model=` carries: a model name, or an Azure deployment
    image_target: str
    where: str  # base URL or endpoint, for messages (never a secret)
    secrets: tuple[str, ...] = ()  # values to keep out of every message
    # What is missing before a call can be sent (None when nothing is): estimates and dry runs
    # need no credentials, so the engine is built without them and only sending refuses.
    missing: Missing | None = None

    def redact(self, text: str) -> str:
        from ...secrets import redact

        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "****")
        return redact(text)


def is_configured(name: str, settings: Settings) -> bool:
    if name == "openai":
        return bool(settings["openai.api_key"])
    if name == "azure":
        has_place = bool(settings["azure.endpoint"] or settings["azure.base_url"])
        has_auth = settings["azure.auth"] == "entra" or bool(settings["azure.api_key"])
        return has_place and has_auth
    return False


def provider_for(name: str, settings: Settings) -> Provider:
    from ... import secrets

    secrets.register(settings["openai.api_key"], settings["azure.api_key"])
    if name == "openai":
        missing = None
        if not settings["openai.api_key"]:
            missing = Missing("the openai engine needs an API key", "OPENAI_API_KEY or --api-key",
                              "set OPENAI_API_KEY, openai.api_key in the config, or --api-key")
        text, image = settings["openai.text_model"], settings["openai.image_model"]
        return Provider("openai", "OpenAI", text, image, text, image,
                        settings["openai.base_url"] or "https://api.openai.com/v1",
                        (settings["openai.api_key"],), missing)
    if name == "azure":
        missing = None
        no_key = settings["azure.auth"] == "key" and not settings["azure.api_key"]
        if not (settings["azure.endpoint"] or settings["azure.base_url"]):
            missing = Missing("the azure engine needs an endpoint",
                              "AZURE_OPENAI_ENDPOINT" + (" and AZURE_OPENAI_API_KEY" if no_key else ""),
                              "set AZURE_OPENAI_ENDPOINT or azure.endpoint (or azure.base_url)")
        elif no_key:
            missing = Missing("the azure engine needs an API key", "AZURE_OPENAI_API_KEY or --api-key",
                              "set AZURE_OPENAI_API_KEY, azure.api_key, --api-key, or azure.auth = \"entra\"")
        text, image = settings["azure.text_model"], settings["azure.image_model"]
        return Provider("azure", "Azure OpenAI", text, image,
                        settings["azure.text_deployment"] or text, settings["azure.image_deployment"] or image,
                        settings["azure.base_url"] or settings["azure.endpoint"] or "(no endpoint)",
                        (settings["azure.api_key"],), missing)
    raise UsageError(f"unknown cloud engine '{name}'")


def make_client(provider: Provider, settings: Settings) -> Any:
    """The SDK client; retries are ours (see calls.py), so the SDK's own are off.

    Missing credentials are refused here, before the first request, and not when the
    engine is built: a dry run or a run answered from the store needs none.
    """
    if provider.missing is not None:
        raise provider.missing.error()
    try:
        import openai
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UsageError(f"the {provider.name} engine needs the openai package ({exc})") from None
    try:
        return _client(openai, provider, settings)
    except openai.OpenAIError as exc:  # the SDK refuses a setting (an empty api-version...) before any request
        message = " ".join(str(exc).split())[:200]
        raise UsageError(f"the {provider.name} engine cannot be set up: {provider.redact(message)}") from None


def _client(openai: Any, provider: Provider, settings: Settings) -> Any:
    if provider.name == "openai":
        return openai.OpenAI(api_key=settings["openai.api_key"], base_url=settings["openai.base_url"] or None,
                             max_retries=0)
    auth: dict[str, Any] = {}
    if settings["azure.auth"] == "entra":
        auth["azure_ad_token_provider"] = _entra_token_provider()
    else:
        auth["api_key"] = settings["azure.api_key"]
    if settings["azure.base_url"]:
        # The v1 API: the plain client on the resource's /openai/v1/ URL; deployments are the model names.
        if "azure_ad_token_provider" in auth:
            return openai.OpenAI(base_url=settings["azure.base_url"], api_key=auth["azure_ad_token_provider"],
                                 max_retries=0)
        return openai.OpenAI(base_url=settings["azure.base_url"], api_key=auth["api_key"],
                             default_headers={"api-key": auth["api_key"]}, max_retries=0)
    return openai.AzureOpenAI(azure_endpoint=settings["azure.endpoint"], api_version=settings["azure.api_version"],
                              max_retries=0, **auth)


def _entra_token_provider() -> Any:
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:
        raise UsageError("azure.auth = \"entra\" needs the azure-identity package",
                         hint="pip install 'imgvar[entra]'") from None
    return get_bearer_token_provider(DefaultAzureCredential(), TOKEN_SCOPE)
