"""The access log is written from a thread of its own while the app runs (relais/log_handoff.py)."""

from __future__ import annotations

import io
import logging
import threading

from uvicorn.logging import AccessFormatter

from relais.hardening import AccessLogRedaction
from relais.log_handoff import access_log_off_the_loop


class _Watched(logging.StreamHandler):  # type: ignore[type-arg]
    def __init__(self, stream: io.StringIO) -> None:
        super().__init__(stream)
        self.threads: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        self.threads.add(threading.get_ident())
        super().emit(record)


def test_access_lines_are_written_off_the_calling_thread_formatted_and_redacted() -> None:
    logger = logging.getLogger("tests.access")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addFilter(AccessLogRedaction())
    out = io.StringIO()
    handler = _Watched(out)
    handler.setFormatter(AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s'))
    logger.addHandler(handler)
    try:
        with access_log_off_the_loop("tests.access"):
            assert logger.handlers != [handler]
            for n in range(20):
                logger.info(
                    '%s - "%s %s HTTP/%s" %d',
                    "10.0.0.1:5",
                    "POST",
                    f"/webchat/sessions/s{n}/messages",
                    "1.1",
                    200,
                )
        assert logger.handlers == [handler]
        lines = out.getvalue().splitlines()
        assert len(lines) == 20  # every record written by the time the app stops
        assert lines[0] == '- "POST /webchat/sessions/…/messages HTTP/1.1" 200 OK'
        assert threading.get_ident() not in handler.threads
    finally:
        logger.removeHandler(handler)


def test_a_logger_without_handlers_is_left_as_it_is() -> None:
    logger = logging.getLogger("tests.quiet")
    with access_log_off_the_loop("tests.quiet"):
        assert logger.handlers == []
    assert logger.handlers == []
