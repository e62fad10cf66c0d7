"""Every paid call goes through here: budget check first, deliberate retries, honest accounting.

- Before sending: the worst-case estimate is checked against --max-cost and the
  daily and monthly budgets; a refused call sends nothing.
- 429 and 5xx answers are retried (at most `cloud.max_retries` times) after the
  server's Retry-After, else an exponential backoff. A timed-out image call is
  not re-sent unless `cloud.retry_timeouts` allows it: it may already be billed.
- Content refusals end the run with their own exit code and are never retried.
- After the call, the real cost from the response's `usage` goes to the ledger.
  A request that never left (connection refused, no DNS answer, connect
  timeout) is no call: it is neither counted nor written to the ledger. One
  that was sent and then failed or timed out is, at its estimate when it may
  be billed.
- No message, log line or ledger row carries a key.
"""

from __future__ import annotations

import logging
import random
import uuid
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ...errors import ContentRefusedError, EngineError, ImgvarError
from .provider import Provider

if TYPE_CHECKING:
    from ...config import Settings
    from ...cost import CallEstimate, PriceTable
    from ...store.base import Store

log = logging.getLogger(__name__)

MAX_BACKOFF = 30.0  # seconds; a longer Retry-After is honoured but capped here
BACKOFF_BASE = 0.5


@dataclass
class CallMeter:
    """Sends a run's paid calls and keeps what they cost (one meter per engine instance, per run)."""

    provider: Provider
    settings: Settings
    prices: PriceTable
    store: Store | None = None
    # The content key of the stage result being paid for (set by the pipeline), for the ledger.
    key: str | None = None
    calls: list[dict[str, Any]] = field(default_factory=list)
    usd: float = 0.0
    # Tags this run's ledger rows, so budgets count them once (in run_spent), not twice.
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    # notify(event, info): "estimate" before a call is sent, "spent" after it answered.
    notify: Callable[[str, dict[str, Any]], None] | None = None

    def attach(self, store: Store) -> None:
        self.store = store

    def _flag_limit(self) -> float | None:
        """The per-run limit when it came from --max-cost (so a refusal names the flag)."""
        if self.settings.source("cost.max_per_run") == "flag":
            return float(self.settings["cost.max_per_run"])
        return None

    def report(self) -> dict[str, Any]:
        return {"usd": round(self.usd, 6), "calls": list(self.calls)}

    def send(self, estimate: CallEstimate, request: Callable[[], Any]) -> Any:
        """Run `request` (an SDK call) under the budget and retry rules; returns its response."""
        from ...cost import Budget, cost_of_usage, ledger_row

        image = estimate.kind == "image"
        key = self.key
        retries = int(self.settings["cloud.max_retries"])
        attempt = 0
        while True:
            if self.store is not None:
                Budget(self.settings, self.store, max_per_run=self._flag_limit()).check(
                    estimate, run_spent=self.usd, run=self.run)
            self._notify("estimate", {"kind": estimate.kind, "model": estimate.model, "usd": estimate.usd,
                                      "usd_max": estimate.usd_max, "attempt": attempt + 1})
            started = time.monotonic()
            try:
                response = request()
            except KeyboardInterrupt:
                # Stopped mid-call: an image call may be billed all the same, so it is counted.
                billed = estimate.usd if image else 0.0
                self._account(ledger_row(estimate, usd=billed, usage=None, status="failed", key=key, run=self.run,
                                         seconds=round(time.monotonic() - started, 3)), billed)
                raise
            except Exception as exc:  # classified below; anything unknown is re-raised as is
                seconds = time.monotonic() - started
                outcome = self._classify(exc, image)
                if outcome.sent:
                    billed = estimate.usd if outcome.maybe_billed else 0.0
                    self._account(ledger_row(estimate, usd=billed, usage=None, status=outcome.status, key=key,
                                             run=self.run, request_id=_request_id(exc), seconds=round(seconds, 3)),
                                  billed)
                if outcome.retry and attempt < retries:
                    wait = outcome.wait if outcome.wait is not None else _backoff(attempt)
                    log.info("%s %s call: %s; retrying in %.1f s", self.provider.label, estimate.kind,
                             outcome.message, wait)
                    _pause(wait)
                    attempt += 1
                    continue
                raise outcome.error(self, attempt) from None
            seconds = time.monotonic() - started
            usage = _usage_dict(getattr(response, "usage", None))
            usd = cost_of_usage(self.prices, estimate.model, usage) if usage else estimate.usd
            self._account(ledger_row(estimate, usd=usd, usage=usage, status="ok", key=key, run=self.run,
                                     request_id=getattr(response, "_request_id", None), seconds=round(seconds, 3)),
                          usd)
            self._notify("spent", {"kind": estimate.kind, "model": estimate.model, "usd": usd,
                                   "seconds": round(seconds, 3)})
            return response

    def _notify(self, event: str, info: dict[str, Any]) -> None:
        if self.notify is not None:
            self.notify(event, info)

    def _account(self, row: dict[str, Any], usd: float) -> None:
        self.usd += usd
        self.calls.append(row)
        if self.store is not None:
            from ...cost import record_call

            record_call(self.store, row)

    def _classify(self, exc: Exception, image: bool) -> _Outcome:
        import openai

        label = self.provider.label
        if isinstance(exc, openai.APIConnectionError) and not _was_sent(exc):
            # Nothing reached the service, so nothing can be billed: safe to retry, even an image call.
            return _Outcome("failed", f"cannot reach {label} at {self.provider.where} ({_reason(exc)})", retry=True,
                            sent=False)
        if isinstance(exc, openai.APITimeoutError):
            allowed = not image or bool(self.settings["cloud.retry_timeouts"])
            timeout = self.settings["cloud.timeout" if image else "cloud.text_timeout"]
            if image and not allowed:
                message = (f"the {label} image call timed out after {timeout:g} s and was not re-sent: it may "
                           "already be billed (allow re-sending with --retry-timeouts)")
            else:
                message = f"the {label} {'image' if image else 'text'} call timed out after {timeout:g} s"
            return _Outcome("timeout", message, retry=allowed, maybe_billed=image)
        if isinstance(exc, openai.APIConnectionError):
            # Lost after sending: like a timeout, an image call may be billed and is not re-sent unasked.
            allowed = not image or bool(self.settings["cloud.retry_timeouts"])
            message = f"the connection to {label} at {self.provider.where} failed ({_reason(exc)})"
            if not allowed:
                message += ("; the image call was sent and was not re-sent: it may already be billed "
                            "(allow re-sending with --retry-timeouts)")
            return _Outcome("failed", message, retry=allowed, maybe_billed=image)
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            code = _error_code(exc)
            if code in ("moderation_blocked", "content_filter", "contentFilter", "content_policy_violation"):
                categories = _filtered_categories(exc)
                named = f" ({', '.join(categories)})" if categories else ""
                return _Outcome("failed", f"{label} refused the request: {code}{named}", refusal=True)
            if status == 429 or status >= 500:
                return _Outcome("failed", f"{label} answered {status}{_code_suffix(code)}", retry=True,
                                wait=_retry_after(exc.response))
            if status in (401, 403):
                return _Outcome("failed", f"{label} rejected the credentials ({status}{_code_suffix(code)})",
                                hint=f"check the {self.provider.name} API key or sign-in")
            if status == 404:
                return _Outcome("failed", f"{label} has no such model or deployment ({status}: "
                                f"{_short(exc, self.provider)})", hint="check the model or deployment names")
            return _Outcome("failed", f"{label} rejected the request ({status}{_code_suffix(code)}: "
                            f"{_short(exc, self.provider)})")
        if isinstance(exc, openai.APIResponseValidationError):
            return _Outcome("failed", f"{label} returned a malformed answer ({_short(exc, self.provider)})")
        if _sign_in_failed(exc):
            # The token is fetched before the request is written: nothing was sent.
            first = " ".join(str(exc).split("\n")[0].split())[:200]
            return _Outcome("failed", f"signing in to {label} failed ({type(exc).__name__}: {first})",
                            hint="sign in (az login) or use a managed identity, or set azure.auth = \"key\"",
                            sent=False)
        if isinstance(exc, ImgvarError):
            raise exc
        if isinstance(exc, (ValueError, KeyError, TypeError, AttributeError)) or type(exc).__name__ in (
                "LengthFinishReasonError", "ContentFilterFinishReasonError", "JSONDecodeError", "ValidationError"):
            if type(exc).__name__ == "ContentFilterFinishReasonError":
                return _Outcome("failed", f"{label} refused the request: content_filter", refusal=True)
            # An answer came back, so the call is billed even though it is unusable.
            return _Outcome("failed", f"{label} returned a malformed answer ({type(exc).__name__})",
                            maybe_billed=True)
        raise exc


@dataclass
class _Outcome:
    status: str  # ledger status: failed | timeout
    message: str
    retry: bool = False
    wait: float | None = None
    maybe_billed: bool = False
    refusal: bool = False
    hint: str | None = None
    sent: bool = True  # False: the request never reached the service (no call, no ledger row)

    def error(self, meter: CallMeter, attempts: int) -> ImgvarError:
        message = meter.provider.redact(self.message)
        if self.refusal:
            return ContentRefusedError(message)
        if self.retry and attempts:
            message += f" (after {attempts + 1} attempts)"
        return EngineError(message, hint=self.hint)


def _pause(seconds: float) -> None:
    time.sleep(seconds)


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF, BACKOFF_BASE * (2 ** attempt)) * (0.8 + 0.4 * random.random())


def _retry_after(response: Any) -> float | None:
    """Seconds from Retry-After / retry-after-ms headers, capped; None when absent or unreadable."""
    headers = getattr(response, "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, min(MAX_BACKOFF, float(value) * scale))
        except ValueError:
            continue  # an HTTP date; fall back to our own backoff
    return None


def _error_body(exc: Any) -> dict[str, Any]:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        return body.get("error", body) if isinstance(body.get("error", body), dict) else body
    return {}


def _error_code(exc: Any) -> str | None:
    code = getattr(exc, "code", None) or _error_body(exc).get("code")
    return str(code) if code else None


def _filtered_categories(exc: Any) -> list[str]:
    """Azure names the filtered categories in innererror.content_filter_result."""
    body = _error_body(exc)
    inner = body.get("innererror") or {}
    result = inner.get("content_filter_result") or body.get("content_filter_result") or {}
    names = []
    for category, verdict in result.items():
        if isinstance(verdict, dict) and verdict.get("filtered"):
            severity = verdict.get("severity")
            names.append(f"{category}: {severity}" if severity else category)
    return names


def _code_suffix(code: str | None) -> str:
    return f" {code}" if code else ""


def _short(exc: Any, provider: Provider) -> str:
    message = _error_body(exc).get("message") or str(exc)
    message = " ".join(str(message).split())
    return provider.redact(message[:200])


# Transport failures that happen before a request's first byte is written: connecting (refused,
# unreachable, DNS), a connect or pool timeout, a proxy that would not connect, a URL that cannot
# be sent. Read/write errors and read timeouts come after sending, so those calls may be billed.
_NOT_SENT = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout", "ProxyError", "UnsupportedProtocol",
                       "InvalidURL"})


def _sign_in_failed(exc: Exception) -> bool:
    """Whether `exc` is azure-identity's refusal to hand out a token (azure.core's auth error)."""
    if not type(exc).__module__.startswith("azure."):
        return False
    try:
        from azure.core.exceptions import ClientAuthenticationError
    except ImportError:  # pragma: no cover - azure-identity always brings azure-core
        return False
    return isinstance(exc, ClientAuthenticationError)


def _was_sent(exc: Any) -> bool:
    """Whether a connection error's request may have reached the service (from the transport's cause)."""
    cause = exc.__cause__ or exc.__context__
    return cause is None or type(cause).__name__ not in _NOT_SENT


def _reason(exc: Any) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause is not None else "connection failed"


def _request_id(exc: Any) -> str | None:
    return getattr(exc, "request_id", None)


def _usage_dict(usage: Any) -> dict[str, Any] | None:
    if usage is None:
        return None
    if hasattr(usage, "model_dump"):
        return usage.model_dump(exclude_none=True)
    return dict(usage) if isinstance(usage, dict) else None
