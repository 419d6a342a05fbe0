"""What happened to our e-mails after SendGrid accepted them: events recorded once each (SendGrid
repeats them), and the contacts whose address does not work, for the coordinators to fix."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from models import DeliveryEvent, OutboxMessage
from notifications.webhook import WebhookEvent

# Opens and clicks are tracking of people, not delivery: they are not kept.
RECORDED_EVENTS = frozenset({"processed", "deferred", "delivered", "bounce", "dropped", "spamreport"})
UNDELIVERABLE = frozenset({"bounce", "dropped", "spamreport"})


@dataclass(frozen=True)
class RecordedBatch:
    recorded: int
    duplicates: int
    ignored: int


@dataclass(frozen=True)
class BouncedContact:
    """An address whose latest news is a failure; `outbox_message_id` names the e-mail if known."""

    email: str
    event: str
    reason: str
    at: datetime
    outbox_message_id: int | None


def record_events(session: Session, events: list[WebhookEvent]) -> RecordedBatch:
    """Keep each delivery event once: a repeated `sg_event_id` (in this batch, an earlier one, or
    a batch arriving at the same moment) is counted as a duplicate and left alone."""
    recorded = duplicates = ignored = 0
    for event in events:
        if event.event not in RECORDED_EVENTS:
            ignored += 1
            continue
        if session.exec(select(DeliveryEvent.id).where(DeliveryEvent.sg_event_id == event.sg_event_id)).first():
            duplicates += 1
            continue
        try:
            with session.begin_nested():
                session.add(_row(session, event))
            recorded += 1
        except IntegrityError:
            duplicates += 1
    return RecordedBatch(recorded, duplicates, ignored)


def _row(session: Session, event: WebhookEvent) -> DeliveryEvent:
    message = _outbox_message(session, event)
    return DeliveryEvent(
        sg_event_id=event.sg_event_id,
        event=event.event,
        email=event.email or "",
        reason=event.reason or str(event.raw.get("response") or ""),
        at=datetime.fromtimestamp(event.timestamp, UTC),
        sg_message_id=event.sg_message_id or "",
        outbox_message_id=message.id if message else None,
    )


def _outbox_message(session: Session, event: WebhookEvent) -> OutboxMessage | None:
    """The message the event is about: named by the outbox id we sent in `custom_args`, or else
    found through SendGrid's `sg_message_id` (only the last copy sent has its id stored)."""
    return _by_outbox_id(session, event) or _by_sg_message_id(session, event)


def _by_outbox_id(session: Session, event: WebhookEvent) -> OutboxMessage | None:
    """The row the event's `outbox_id` names, if it went to the address the event is about (an id
    echoed back from another installation sharing the SendGrid account is not ours)."""
    if event.outbox_id is None:
        return None
    message = session.get(OutboxMessage, event.outbox_id)
    if message is None or (event.email and event.email.lower() != message.to_email.lower()):
        return None
    return message


def _by_sg_message_id(session: Session, event: WebhookEvent) -> OutboxMessage | None:
    """SendGrid's `sg_message_id` is our stored X-Message-Id, a dot and a suffix; the id itself
    may contain dots, so each dotted prefix is a candidate."""
    if not event.sg_message_id:
        return None
    parts = event.sg_message_id.split(".")
    candidates = {".".join(parts[:n]) for n in range(1, len(parts))}
    found = session.exec(select(OutboxMessage).where(OutboxMessage.provider_message_id.in_(candidates))).all()
    return next((m for m in found if event.matches(m.provider_message_id)), None)


def bounced_contacts(session: Session) -> list[BouncedContact]:
    """Addresses whose latest delivered-or-failed event is a failure (bounce, dropped, spam
    report); a later delivery to the same address clears it. Most recent first."""
    failing = select(func.lower(DeliveryEvent.email)).where(DeliveryEvent.event.in_(UNDELIVERABLE))
    events = session.exec(
        select(DeliveryEvent)
        .where(
            func.lower(DeliveryEvent.email).in_(failing),
            DeliveryEvent.event.in_(UNDELIVERABLE | {"delivered"}),
        )
        .order_by(DeliveryEvent.at, DeliveryEvent.id)
    ).all()
    latest = {event.email.lower(): event for event in events}
    return sorted(
        (
            BouncedContact(e.email, e.event, e.reason, e.at, e.outbox_message_id)
            for e in latest.values()
            if e.event in UNDELIVERABLE
        ),
        key=lambda contact: contact.at,
        reverse=True,
    )
