"""SendGrid Event Webhook: check that a batch really came from SendGrid, then read its events.

Pure functions; the web route supplies the raw body and headers. SendGrid batches events, retries
for up to 24 hours and may send an event twice, so callers de-duplicate on `sg_event_id`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from sendgrid.helpers.eventwebhook import EventWebhook, EventWebhookHeader

from notifications.backends import OUTBOX_ID_ARG

SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE
TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP


def verify_signature(public_key: str, payload: bytes, signature: str, timestamp: str) -> bool:
    """True when `signature` is SendGrid's ECDSA signature of `timestamp` + the raw `payload`.

    `public_key` is the verification key from SendGrid's Mail Settings (base64 DER, as shown
    there; a PEM block is accepted too). A key that cannot be read raises ValueError rather than
    returning False: it is a configuration fault, and SendGrid keeps retrying while it is fixed.
    """
    try:
        webhook = EventWebhook(_key_body(public_key))
    except ValueError as error:
        raise ValueError("the Event Webhook verification key could not be read") from error
    if not isinstance(webhook.public_key, ec.EllipticCurvePublicKey):
        raise ValueError("the Event Webhook verification key is missing or not an elliptic-curve key")
    if not signature or not timestamp:
        return False
    try:
        # The library takes text; SendGrid's body is UTF-8 JSON, so decoding it loses nothing.
        return webhook.verify_signature(payload.decode("utf-8"), signature, timestamp)
    except ValueError:  # a body that is not UTF-8 or a signature that is not base64
        return False


def _key_body(public_key: str) -> str:
    lines = [line.strip() for line in public_key.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))


@dataclass(frozen=True)
class WebhookEvent:
    sg_event_id: str
    event: str
    email: str | None
    timestamp: int
    reason: str | None
    sg_message_id: str | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    # Our outbox id, from the custom argument SendGrid repeats as a top-level field of each event.
    outbox_id: int | None = None

    def matches(self, provider_message_id: str) -> bool:
        """Whether this event is about the message Mail Send accepted with this X-Message-Id
        (what `SendGridBackend.send` returns): SendGrid reports that id in `sg_message_id`
        followed by "." and a suffix of its own. Asynchronous bounces carry no id at all."""
        prefix = provider_message_id + "."
        return self.sg_message_id is not None and self.sg_message_id.startswith(prefix)


def parse_events(payload: bytes) -> list[WebhookEvent]:
    """Read a batch (a JSON array of event objects); anything else raises ValueError."""
    try:
        batch = json.loads(payload)
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise ValueError(f"the webhook body is not valid JSON: {error}") from error
    if not isinstance(batch, list):
        raise ValueError("the webhook body must be a JSON array of events")
    return [_event(index, item) for index, item in enumerate(batch)]


def _event(index: int, item: object) -> WebhookEvent:
    if not isinstance(item, dict):
        raise ValueError(f"event {index} is not a JSON object")

    def text(name: str, required: bool) -> str | None:
        value = item.get(name)
        if value in (None, "") and not required:
            return None
        if not isinstance(value, str) or not value:
            raise ValueError(f"event {index}: {name!r} must be a non-empty string")
        return value

    timestamp = item.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise ValueError(f"event {index}: 'timestamp' must be a Unix time in whole seconds")
    return WebhookEvent(
        sg_event_id=text("sg_event_id", required=True),
        event=text("event", required=True),
        email=text("email", required=False),
        timestamp=timestamp,
        reason=text("reason", required=False),
        sg_message_id=text("sg_message_id", required=False),
        raw=item,
        outbox_id=_outbox_id(item.get(OUTBOX_ID_ARG)),
    )


def _outbox_id(value: object) -> int | None:
    """The outbox id SendGrid echoed back (custom arguments come back as strings), or None when it
    is absent or not one we could have sent: an event is still worth keeping without it."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value) or None
