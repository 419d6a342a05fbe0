"""Delivery backends: hand one outgoing e-mail to a folder, the console or SendGrid.

Every backend raises one of two errors so the outbox worker needs no provider knowledge:
`TemporaryDeliveryError` means "try again later" and `PermanentDeliveryError` means "this message
will never go as it is; tell someone".
"""

from __future__ import annotations

import base64
import email.message
import email.policy
import email.utils
import http.client
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from pathlib import Path
from typing import Protocol, TextIO

import sendgrid
from python_http_client.exceptions import HTTPError
from sendgrid.helpers import mail as sg

TRACE_HEADER = "X-S11-Message-Id"
"""Carries our outbox id in the message headers."""

OUTBOX_ID_ARG = "outbox_id"
"""The one SendGrid custom argument: our outbox id, which the Event Webhook repeats as a field of
every event about the message (so a copy sent twice can be tied back). SendGrid keeps custom_args
indefinitely and shows them to its staff, so nothing personal goes there: the id and nothing else."""

_HEADER_BREAKS = re.compile(r"[\r\n]")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, kw_only=True)
class EmailMessage:
    """One e-mail to one person, as the outbox hands it to a backend.

    Keyword-only because the trace id has no sensible default yet comes after fields that do.
    """

    to_email: str
    to_name: str
    subject: str
    text_body: str
    html_body: str | None = None
    attachments: tuple[Attachment, ...] = ()
    message_id: str

    def __post_init__(self) -> None:
        # A line break in a header field would let text from a form inject extra headers.
        for field in ("to_email", "to_name", "subject", "message_id"):
            if _HEADER_BREAKS.search(getattr(self, field)):
                raise ValueError(f"{field} must not contain line breaks")
        if not self.message_id:
            raise ValueError("message_id is required so a delivery can be traced")


class DeliveryError(Exception):
    """A message was not handed over."""


class TemporaryDeliveryError(DeliveryError):
    """The provider is busy, down or unreachable: send the same message again later."""

    def __init__(self, detail: str, *, retry_after: float | None = None, status: int | None = None):
        super().__init__(detail)
        self.retry_after = retry_after
        self.status = status


class PermanentDeliveryError(DeliveryError):
    """The provider refused the message itself; sending it again unchanged will fail again."""

    def __init__(self, status: int | None, summary: str):
        super().__init__(f"refused ({status}): {summary}" if status else f"refused: {summary}")
        self.status = status
        self.summary = summary


class EmailBackend(Protocol):
    def send(self, message: EmailMessage) -> str | None:
        """Deliver `message`; return the provider's id for it, if it gives one.

        Raises TemporaryDeliveryError or PermanentDeliveryError when the message was not delivered.
        """
        ...


def _address(email_address: str, name: str) -> Address:
    try:
        return Address(display_name=name, addr_spec=email_address)
    except (ValueError, IndexError) as error:
        raise PermanentDeliveryError(None, f"not an e-mail address: {email_address!r}") from error


def to_mime(message: EmailMessage, sender: Address) -> email.message.EmailMessage:
    """Build the RFC 5322 form of `message`: text, an HTML alternative if any, then attachments."""
    mime = email.message.EmailMessage()
    mime["From"] = sender
    mime["To"] = _address(message.to_email, message.to_name)
    mime["Subject"] = message.subject
    mime["Date"] = email.utils.format_datetime(datetime.now(UTC))
    mime["Message-ID"] = email.utils.make_msgid(domain=sender.domain or None)
    mime[TRACE_HEADER] = message.message_id
    mime.set_content(message.text_body)
    if message.html_body is not None:
        mime.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mime.add_attachment(
            attachment.data,
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    return mime


class FolderBackend:
    """Writes each message as an .eml file, so the product runs (and can be demonstrated) offline."""

    def __init__(self, folder: Path, from_email: str, from_name: str):
        self.folder = Path(folder)
        self._sender = _address(from_email, from_name)

    def send(self, message: EmailMessage) -> str:
        """Write the file and return its name."""
        data = to_mime(message, self._sender).as_bytes(policy=email.policy.SMTP)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{re.sub(r'[^A-Za-z0-9._-]', '_', message.message_id)}.eml"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder / name, data)
        except OSError as error:
            raise TemporaryDeliveryError(f"could not write to {self.folder}: {error}") from error
        return name


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a hidden temporary file, then rename: a reader never sees half a message."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class ConsoleBackend:
    """Prints messages, for development; `stream` defaults to standard output at the time of sending."""

    def __init__(self, stream: TextIO | None = None):
        self._stream = stream

    def send(self, message: EmailMessage) -> None:
        lines = [
            f"--- e-mail {message.message_id} ---",
            f"To: {message.to_name} <{message.to_email}>",
            f"Subject: {message.subject}",
        ]
        if message.html_body is not None:
            lines.append(f"HTML alternative: {len(message.html_body)} characters")
        lines += [
            f"Attachment: {a.filename} ({a.content_type}, {len(a.data)} bytes)"
            for a in message.attachments
        ]
        lines += ["", message.text_body.rstrip("\n"), "--- end ---", ""]
        stream = self._stream or sys.stdout
        stream.write("\n".join(lines))
        stream.flush()


class SendGridBackend:
    """Sends through SendGrid's v3 Mail Send API with the official client.

    The client has no default timeout and never retries; this sets the timeout and leaves retrying
    to the outbox worker, which knows how long a message has been waiting.
    """

    def __init__(
        self,
        api_key: str,
        from_email: str,
        from_name: str,
        host: str = "https://api.sendgrid.com",
        timeout: float = 10.0,
    ):
        if not api_key:
            # The client would otherwise fall back to the environment and send "Bearer None".
            raise ValueError("a SendGrid API key is required")
        self._client = sendgrid.SendGridAPIClient(api_key, host=host)
        # python_http_client passes Client.timeout to urlopen and copies it to every sub-client.
        self._client.client.timeout = timeout
        self._from = sg.From(from_email, from_name)

    def request_body(self, message: EmailMessage) -> dict:
        """The JSON body for Mail Send: one recipient, the trace id in `headers` and (as the only
        custom argument, on the personalization, where the published spec allows an object) in
        `custom_args`; no categories."""
        try:
            mail = sg.Mail(
                from_email=self._from,
                to_emails=sg.To(message.to_email, message.to_name or None),
                subject=message.subject,
                plain_text_content=message.text_body,
                html_content=message.html_body,
            )
        except sg.ApiKeyIncludedException as error:
            summary = "the body looks like it holds a SendGrid API key"
            raise PermanentDeliveryError(None, summary) from error
        mail.header = sg.Header(TRACE_HEADER, message.message_id)
        mail.custom_arg = sg.CustomArg(OUTBOX_ID_ARG, message.message_id, p=0)
        for attachment in message.attachments:
            mail.add_attachment(
                sg.Attachment(
                    sg.FileContent(base64.b64encode(attachment.data).decode("ascii")),
                    sg.FileName(attachment.filename),
                    sg.FileType(attachment.content_type),
                    sg.Disposition("attachment"),
                )
            )
        return mail.get()

    def send(self, message: EmailMessage) -> str | None:
        """Send; return SendGrid's X-Message-Id, which webhook events repeat in `sg_message_id`."""
        body = self.request_body(message)
        try:
            response = self._client.send(body)
        except HTTPError as error:
            raise _classify(error) from None
        except (OSError, http.client.HTTPException) as error:
            # OSError covers socket timeouts, refused connections and urllib's URLError.
            raise TemporaryDeliveryError(f"SendGrid unreachable: {error!r}") from error
        return response.headers.get("X-Message-Id")


def _classify(error: HTTPError) -> DeliveryError:
    status = error.status_code
    if status == 429 or status >= 500:
        return TemporaryDeliveryError(
            f"SendGrid answered {status}", retry_after=retry_after(error.headers), status=status
        )
    return PermanentDeliveryError(status, summarise_errors(error.body))


def retry_after(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait, from `Retry-After` (seconds or an HTTP date) or else SendGrid's documented
    `X-RateLimit-Reset` (a Unix time); None when neither is usable."""
    if headers is None:
        return None
    now = time.time() if now is None else now
    value = headers.get("Retry-After")
    if value:
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
            except (TypeError, ValueError):
                seconds = math.nan
        if math.isfinite(seconds):
            return max(0.0, seconds)
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            seconds = float(reset) - now
        except ValueError:
            return None
        if math.isfinite(seconds):
            return max(0.0, seconds)
    return None


def summarise_errors(body: bytes | str | None, limit: int = 500) -> str:
    """SendGrid's `{"errors": [{"field", "message"}]}` as one short line, for logs and the outbox."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    try:
        errors = json.loads(text)["errors"]
        summary = "; ".join(
            f"{e['field']}: {e['message']}" if e.get("field") else str(e["message"]) for e in errors
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        summary = text.strip()
    return (summary or "(empty response)")[:limit]


def backend_from_config(config: Mapping[str, str]) -> EmailBackend:
    """Choose a backend from settings (usually the environment); the default needs no network."""
    kind = config.get("S11_EMAIL_BACKEND", "folder").strip().lower()
    from_email = config.get("S11_EMAIL_FROM", "section11@localhost")
    from_name = config.get("S11_EMAIL_FROM_NAME", "Section 11 audit")
    if kind == "folder":
        folder = Path(config.get("S11_EMAIL_FOLDER", "instance/outbox-mail"))
        return FolderBackend(folder, from_email, from_name)
    if kind == "console":
        return ConsoleBackend()
    if kind == "sendgrid":
        api_key = config.get("SENDGRID_API_KEY", "")
        if not api_key:
            raise ValueError("S11_EMAIL_BACKEND is 'sendgrid' but SENDGRID_API_KEY is not set")
        host = config.get("SENDGRID_HOST") or "https://api.sendgrid.com"
        return SendGridBackend(api_key, from_email, from_name, host=host)
    raise ValueError(f"S11_EMAIL_BACKEND must be folder, console or sendgrid, not {kind!r}")
