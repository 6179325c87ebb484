"""Keeps the bot token out of every log line, whoever logs it.

python-telegram-bot logs its API URL (which contains the token) at DEBUG, httpx logs
request URLs at INFO, and an invalid-token error quotes the token. A log record factory
rewrites message and traceback text before any handler sees them.
"""

from __future__ import annotations

import logging
from typing import Any, Final

MASK: Final = "<telegram-token>"
_secrets: set[str] = set()


def _scrub(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


def _wrap(factory: Any) -> Any:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = factory(*args, **kwargs)
        if not _secrets:
            return record
        message = record.getMessage()
        scrubbed = _scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if _scrub(text) != text:
                record.exc_text = _scrub(text)
        return record

    make_record.relais_redacting = True  # type: ignore[attr-defined]
    return make_record


def install_redaction(secret: str) -> None:
    """Redact `secret` from all log records from now on (idempotent, process-wide)."""
    if len(secret) < 8:
        return
    _secrets.add(secret)
    current = logging.getLogRecordFactory()
    if not getattr(current, "relais_redacting", False):
        logging.setLogRecordFactory(_wrap(current))
