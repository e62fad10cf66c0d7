"""Keeping keys out of everything the tool writes: messages, logs, run records.

Engines register the secrets they were given; whatever leaves the process
through the CLI's error line, a log record or a stored record goes through
`redact` first, so a key echoed back inside a provider's error message is
masked as well.
"""

from __future__ import annotations

import logging
import threading

MASK = "****"
_SECRETS: set[str] = set()
_LOCK = threading.Lock()


def register(*values: str | None) -> None:
    with _LOCK:
        for value in values:
            if value and len(value) >= 8:  # shorter strings would mask ordinary words
                _SECRETS.add(value)


def redact(text: str) -> str:
    if not _SECRETS or not text:
        return text
    with _LOCK:
        secrets = sorted(_SECRETS, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks registered secrets in every log record that passes through a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
