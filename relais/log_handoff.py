"""The access log written from a thread of its own, not from the event loop.

uvicorn logs every request from the event loop, and a `StreamHandler` writes and flushes
the line there: a write to a full pipe (a slow log collector) would stop every request of
the process, and over HTTP the write was about 2 % of the loop's time (issue 14). While
the app runs, the records of the access log go through a queue to the handlers uvicorn
configured, which run in a `QueueListener` thread; the redaction filter still runs first,
on the logger (relais/hardening.py). The records are handed over as they are: uvicorn's
formatters need their own arguments.
"""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from logging.handlers import QueueHandler, QueueListener

ACCESS_LOGGER = "uvicorn.access"


class _Handoff(QueueHandler):
    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        return record


@contextmanager
def access_log_off_the_loop(name: str = ACCESS_LOGGER) -> Iterator[None]:
    """While inside, the logger's handlers run in a thread; restored (and every record
    written) on the way out. Nothing changes for a logger without handlers (tests)."""
    logger = logging.getLogger(name)
    handlers = list(logger.handlers)
    if not handlers or any(isinstance(h, _Handoff) for h in handlers):
        yield
        return
    records: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    listener = QueueListener(records, *handlers, respect_handler_level=True)
    listener.start()
    logger.handlers = [_Handoff(records)]
    try:
        yield
    finally:
        logger.handlers = handlers
        listener.stop()
