"""A fake of SendGrid on loopback, so tests exercise the real client over real HTTP.

`FakeSendGrid` answers `POST /v3/mail/send` and checks every body against SendGrid's own OpenAPI
description of Mail Send, so a passing test means the body is one the real service accepts.
It can also misbehave on demand (rate limits, errors, hanging) to test the failure paths.
`WebhookSigner` signs Event Webhook batches the way SendGrid does.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import secrets
import socketserver
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, get_args

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from sendgrid.helpers.eventwebhook import EventWebhookHeader

SPEC_FILE = "sendgrid-mail-v3.json"
MAIL_SEND_SCHEMA = "#/components/requestBodies/PostMailSend/content/application~1json/schema"

Mode = Literal["accept", "rate_limit", "server_error", "bad_request", "hang"]
MODES: frozenset[str] = frozenset(get_args(Mode))
UNVERIFIED_SENDER = "The from address does not match a verified Sender Identity."


def specs_dir() -> Path:
    """The published specifications live in `shared/specs` beside the repository (`S11_SPECS_DIR`
    overrides): here that is /work/shared, and in CI the clone sits next to `shared/`."""
    override = os.environ.get("S11_SPECS_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[3] / "shared" / "specs"


def mail_send_validator() -> Draft202012Validator:
    """A validator for Mail Send request bodies, built from SendGrid's OpenAPI 3.1 document."""
    path = (specs_dir() / SPEC_FILE).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; set S11_SPECS_DIR to the folder holding it")
    return _validator(path)


@functools.cache
def _validator(spec_path: Path) -> Draft202012Validator:
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    # The schema's $refs point elsewhere in the same document, so register the whole document
    # under its own URI and start from a $ref into it. OpenAPI 3.1 schemas use draft 2020-12.
    uri = spec_path.as_uri()
    registry = Registry().with_resource(uri, DRAFT202012.create_resource(spec))
    return Draft202012Validator(
        {"$ref": uri + MAIL_SEND_SCHEMA},
        registry=registry,
        # The real service refuses malformed addresses; the spec marks them `format: email`.
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def spec_errors(body: Any) -> list[dict[str, Any]]:
    """SendGrid-style error objects for everything in `body` that breaks the published schema."""
    errors = sorted(mail_send_validator().iter_errors(body), key=lambda e: e.json_path)
    return [
        {"message": error.message, "field": ".".join(map(str, error.absolute_path)) or None}
        for error in errors
    ]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    status: int | None  # None when the fake hung up without answering
    schema_errors: tuple[dict[str, Any], ...] = ()  # what the body got wrong against the spec
    message_id: str | None = None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class _Reply:
    status: int
    headers: Mapping[str, str]
    body: dict[str, Any] | None = None
    schema_errors: tuple[dict[str, Any], ...] = ()
    message_id: str | None = None


def _error_reply(status: int, message: str, field: str | None = None, **headers: str) -> _Reply:
    return _Reply(status, headers, {"errors": [{"message": message, "field": field}]})


class FakeSendGrid:
    """SendGrid's Mail Send endpoint on 127.0.0.1, with a settable behaviour.

    Modes: `accept` (202 and an X-Message-Id), `rate_limit` (429 with SendGrid's X-RateLimit-*
    headers and, unless `retry_after` is None, Retry-After), `server_error` (500), `bad_request`
    (400) and `hang` (answers only after `hang_seconds`, as an accepted message, unless stopped
    first). `script([...])` queues modes for the next requests, after which `mode` applies again.
    """

    def __init__(
        self, api_key: str = "SG.fake-key", *, hang_seconds: float = 5.0, retry_after: int | None = 2
    ):
        self.api_key = api_key
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._mode: Mode = "accept"
        self._script: deque[Mode] = deque()
        self._requests: list[RecordedRequest] = []
        self._delivered: list[dict[str, Any]] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> FakeSendGrid:
        mail_send_validator()  # fail now, not inside a request, if the spec cannot be found
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            # A short poll keeps stop() (and so each test's teardown) quick.
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-sendgrid",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes hanging requests so they hang up
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSendGrid:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def host(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # Behaviour

    @property
    def mode(self) -> Mode:
        with self._lock:
            return self._mode

    @mode.setter
    def mode(self, mode: Mode) -> None:
        _check_mode(mode)
        with self._lock:
            self._mode = mode

    def script(self, modes: Iterable[Mode]) -> None:
        """Answer the next requests with these modes, in order, then go back to `mode`."""
        modes = list(modes)
        for mode in modes:
            _check_mode(mode)
        with self._lock:
            self._script = deque(modes)

    # What happened

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Bodies of accepted messages, parsed."""
        with self._lock:
            return list(self._delivered)

    @property
    def validation_errors(self) -> list[dict[str, Any]]:
        """Every schema error the fake has reported, across all requests."""
        with self._lock:
            return [error for request in self._requests for error in request.schema_errors]

    # Serving (called on the server's threads)

    def _answer(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> _Reply | None:
        reply = self._reply(path, headers, body)
        request = RecordedRequest(
            method,
            path,
            headers,
            body,
            reply.status if reply else None,
            reply.schema_errors if reply else (),
            reply.message_id if reply else None,
        )
        with self._lock:
            self._requests.append(request)
        return reply

    def _reply(self, path: str, headers: Mapping[str, str], body: bytes) -> _Reply | None:
        if path != "/v3/mail/send":
            return _error_reply(404, "not found")
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return _error_reply(401, "The provided authorization grant is invalid, expired, or revoked")
        with self._lock:
            mode = self._script.popleft() if self._script else self._mode
        if mode == "hang":
            if self._stopping.wait(self.hang_seconds):
                return None
            mode = "accept"
        if mode == "rate_limit":
            limits = {
                "X-RateLimit-Limit": "600",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(int(time.time()) + 60),
            }
            if self.retry_after is not None:
                limits["Retry-After"] = str(self.retry_after)
            return _error_reply(429, "too many requests", **limits)
        if mode == "server_error":
            return _error_reply(500, "internal server error")
        if mode == "bad_request":
            return _error_reply(400, UNVERIFIED_SENDER, "from")
        return self._accept(body)

    def _accept(self, body: bytes) -> _Reply:
        try:
            message = json.loads(body)
        except ValueError:
            return _error_reply(400, "Bad Request")
        errors = spec_errors(message)
        if errors:
            return _Reply(400, {}, {"errors": errors}, tuple(errors))
        message_id = secrets.token_urlsafe(16)
        with self._lock:
            self._delivered.append(message)
        return _Reply(202, {"X-Message-Id": message_id}, message_id=message_id)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; choose from {sorted(MODES)}")


class _Server(ThreadingHTTPServer):
    def __init__(self, fake: FakeSendGrid):
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's name, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up waiting, which the timeout tests make it do
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = self.server.fake._answer("POST", self.path, headers, body)
        if reply is None:
            self.close_connection = True
            return
        data = json.dumps(reply.body).encode() if reply.body is not None else b""
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read `FakeSendGrid.requests` instead."""


class WebhookSigner:
    """Signs Event Webhook batches as SendGrid does: ECDSA on P-256 with SHA-256 over the
    timestamp followed by the raw body, sent as base64 of the DER-encoded signature."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())

    @property
    def public_key(self) -> str:
        """The verification key as SendGrid's Mail Settings shows it: base64 of the DER key."""
        der = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")

    def sign(self, payload: bytes, timestamp: str) -> str:
        signature = self._key.sign(timestamp.encode() + payload, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(signature).decode("ascii")

    def headers(self, payload: bytes, timestamp: str | None = None) -> dict[str, str]:
        """The two headers SendGrid sends with a batch."""
        timestamp = timestamp or str(int(time.time()))
        return {
            EventWebhookHeader.SIGNATURE: self.sign(payload, timestamp),
            EventWebhookHeader.TIMESTAMP: timestamp,
        }
