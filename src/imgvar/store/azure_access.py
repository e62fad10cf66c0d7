"""Reaching an Azure Storage container from the settings, and saying in one line what went wrong.

Credentials, first one set wins: `azure_blob.connection_string`, `azure_blob.sas_url`,
`azure_blob.account_url` signed in with DefaultAzureCredential. The SDK's own
transport defaults (20 s connect, 60 s read, three retries 15 s and more apart)
suit a server, not a command a person waits on; the settings bound them instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from .. import secrets
from ..errors import UsageError
from ..text import clean

if TYPE_CHECKING:
    from ..config import Settings

_CREDENTIAL_KEYS = ("azure_blob.connection_string", "azure_blob.sas_url", "azure_blob.account_url")
_SECRET_PARTS = ("accountkey", "sharedaccesssignature")


@dataclass(frozen=True)
class Access:
    container: Any  # azure.storage.blob.ContainerClient
    source: str  # the setting the credentials came from, named in errors
    location: str  # the container URL and prefix, without any secret


def transport_options(settings: Settings) -> dict[str, Any]:
    from azure.storage.blob import LinearRetry

    return {
        "connection_timeout": float(settings["azure_blob.connect_timeout"]),
        "read_timeout": float(settings["azure_blob.read_timeout"]),
        "retry_policy": LinearRetry(backoff=1, random_jitter_range=0.5, retry_total=int(settings["azure_blob.retries"])),
    }


def open_container(settings: Settings) -> Access:
    """A client for the configured container; no request is sent yet."""
    source = next((key for key in _CREDENTIAL_KEYS if settings[key]), None)
    if source is None:
        raise UsageError("store 'azure' needs credentials: set azure_blob.connection_string (or "
                         "AZURE_STORAGE_CONNECTION_STRING), azure_blob.sas_url or azure_blob.account_url")
    value = str(settings[source]).strip()
    name = settings["azure_blob.container"]
    options = transport_options(settings)
    try:
        from azure.storage.blob import BlobServiceClient
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise UsageError("store 'azure' needs the azure-storage-blob package: pip install azure-storage-blob") from exc
    if source == "azure_blob.connection_string":
        _register_connection_string(value)
        try:
            container = BlobServiceClient.from_connection_string(value, **options).get_container_client(name)
        except ValueError as exc:
            raise UsageError("azure_blob.connection_string is not a valid connection string (expected "
                             "'AccountName=...;AccountKey=...' or one with BlobEndpoint=...)") from exc
    elif source == "azure_blob.sas_url":
        container = _from_sas_url(value, name, options)
    else:
        container = BlobServiceClient(_plain_url(value, source), credential=_default_credential(),
                                      **options).get_container_client(name)
    location = _strip_query(container.url).rstrip("/") + "/" + settings["azure_blob.prefix"].strip("/")
    return Access(container, source, location.rstrip("/"))


def _from_sas_url(url: str, name: str, options: dict[str, Any]) -> Any:
    from azure.storage.blob import BlobServiceClient, ContainerClient

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.query:
        raise UsageError("azure_blob.sas_url must be an https URL with a SAS token (…?sv=…&sig=…)")
    secrets.register(parts.query, *(v for vs in parse_qs(parts.query).values() for v in vs if len(v) >= 16))
    # A URL with a path names the container itself (a container SAS); without, the account.
    # Emulators put the account in the path first: http://127.0.0.1:10000/ACCOUNT/CONTAINER.
    segments = [s for s in parts.path.split("/") if s]
    host = parts.hostname or ""
    if host == "localhost" or host.replace(".", "").isdigit() or ":" in host:
        segments = segments[1:]
    if segments:
        return ContainerClient.from_container_url(url, **options)
    return BlobServiceClient(url, **options).get_container_client(name)


def _plain_url(url: str, setting: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{setting} must be a URL like https://ACCOUNT.blob.core.windows.net, got '{clean(url)}'")
    return url


def _default_credential() -> Any:
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:
        raise UsageError("azure_blob.account_url signs in with Entra ID, which needs the azure-identity package: "
                         "pip install 'imgvar[entra]' (or set azure_blob.connection_string or azure_blob.sas_url)") from exc
    return DefaultAzureCredential()


def _register_connection_string(value: str) -> None:
    secrets.register(value)
    for part in value.split(";"):
        key, _, secret = part.partition("=")
        if key.strip().lower() in _SECRET_PARTS:
            secrets.register(secret.strip())


def _strip_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def explain(exc: BaseException, action: str, container: str, source: str = "the azure_blob credentials") -> str:
    """One line naming what failed and the setting that fixes it; never a secret."""
    from azure.core.exceptions import (
        ClientAuthenticationError,
        HttpResponseError,
        ServiceRequestError,
        ServiceResponseError,
    )

    if isinstance(exc, ServiceRequestError):
        return f"cannot reach Azure Storage to {action}: {_reason(exc)} (check {source} and the network)"
    if isinstance(exc, ServiceResponseError):
        return f"Azure Storage did not answer in time to {action}: {_reason(exc)} (azure_blob.read_timeout)"
    code = _code(exc)
    status = getattr(exc, "status_code", None)
    if isinstance(exc, ClientAuthenticationError) or status in (401, 403):
        return (f"Azure Storage refused access to {action} ({status or 'sign-in'} {code or 'failed'}): check {source} "
                f"(a wrong key or token, or no read/write/list/delete permission on container '{container}')")
    if code == "ContainerNotFound":
        return (f"container '{container}' does not exist and was not created: create it or set azure_blob.container "
                f"({action})")
    if isinstance(exc, HttpResponseError):
        return f"Azure Storage could not {action}: {status} {code or _reason(exc)}"
    return f"Azure Storage could not {action}: {_reason(exc)}"


def _code(exc: BaseException) -> str | None:
    code = getattr(exc, "error_code", None)
    value = getattr(code, "value", code)
    return str(value) if value else None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    # urllib3 wraps the useful part: "...: Failed to establish a new connection: [Errno 111] Connection refused"
    if "] " in text:
        text = text.rsplit("] ", 1)[-1]
    return secrets.redact(clean(text))[:200]
