"""One JSON line per request on standard error: its id, route, status and duration.

No personal data: the route is the URL rule (`/reset/<token>`, never the token), with no query
string, no address, no user. The id comes from the proxy's X-Request-Id when it looks like one
(nginx's $request_id), so a request can be followed from nginx's log to ours, and it goes back to
the browser in the response's X-Request-Id.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, request

logger = logging.getLogger("s11.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class ToStandardError(logging.Handler):
    """Writes to whatever sys.stderr is at the time (gunicorn and tests replace it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break a request
            self.handleError(record)


def register(app: Flask) -> None:
    if not logger.handlers:
        logger.addHandler(ToStandardError())
        logger.setLevel(logging.INFO)
        logger.propagate = False  # one line per request, not a second copy through the root logger
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request that failed before _start ran
        return response
    response.headers["X-Request-Id"] = g.request_id
    logger.info(json.dumps(line(response, (time.perf_counter() - started) * 1000), separators=(",", ":")))
    return response


def line(response: Response, duration_ms: float) -> dict:
    """What is logged about one request."""
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": "request",
        "request_id": g.request_id,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else "(no route)",
        "status": response.status_code,
        "duration_ms": round(duration_ms, 1),
    }
