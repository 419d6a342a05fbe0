"""E-mails that could not be delivered: the coordinators' list of them, and sending one again;
and e-mails that went out more than once (a worker killed mid-send sends its message again)."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from models import DeliveryEvent, OutboxMessage, User
from models.outbox import OutboxState
from models.user import Role
from workflow.access import require_role
from workflow.clock import utcnow
from workflow.errors import DomainError, NotFound


def failed_messages(session: Session, *, limit: int = 200) -> list[OutboxMessage]:
    """Messages the worker gave up on (refused by the provider, or out of attempts), newest first."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxState.FAILED.value)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def retry_failed(session: Session, actor: User, message_id: int) -> OutboxMessage:
    """A coordinator sends a failed message again (after fixing the address or the sender, say):
    it goes back to the queue with a fresh set of attempts; the last error stays until it is sent."""
    require_role(session, actor, {Role.COORDINATOR}, "send a failed e-mail again")
    message = session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound("There is no such e-mail.")
    if message.status != OutboxState.FAILED:
        raise DomainError(f"Only an e-mail that failed can be sent again; this one is {message.status}.")
    message.status = OutboxState.PENDING.value
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.claim_token = ""
    session.add(message)
    session.flush()
    return message


# Each copy SendGrid takes is processed once and delivered once, under its own sg_message_id.
ACCEPTED_EVENTS = ("processed", "delivered")


@dataclass(frozen=True)
class DuplicateSend:
    """One outbox message that SendGrid accepted or delivered more than once."""

    outbox_message_id: int
    subject: str
    to_name: str
    to_email: str
    copies: int
    first_at: datetime
    last_at: datetime


def duplicate_sends(session: Session, *, limit: int = 200) -> list[DuplicateSend]:
    """Messages with events under two or more different `sg_message_id`s for the same kind of
    event (two "processed", or two "delivered"): each is a copy sent again. Latest first."""
    copies = _copies_by_message(session)
    duplicated = {message_id: seen for message_id, seen in copies.items() if seen[0] > 1}
    if not duplicated:
        return []
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.id.in_(duplicated))).all()
    found = [
        DuplicateSend(m.id, m.subject, m.to_name, m.to_email, *duplicated[m.id]) for m in messages
    ]
    return sorted(found, key=lambda d: (d.last_at, d.outbox_message_id), reverse=True)[:limit]


def _copies_by_message(session: Session) -> dict[int, tuple[int, datetime, datetime]]:
    """For each outbox message with accepted events: how many copies (the most distinct
    `sg_message_id`s any one kind of event has), and the first and last of those events."""
    rows = session.exec(
        select(
            DeliveryEvent.outbox_message_id,
            func.count(func.distinct(DeliveryEvent.sg_message_id)),
            func.min(DeliveryEvent.at),
            func.max(DeliveryEvent.at),
        )
        .where(
            DeliveryEvent.outbox_message_id.is_not(None),
            DeliveryEvent.event.in_(ACCEPTED_EVENTS),
            DeliveryEvent.sg_message_id != "",
        )
        .group_by(DeliveryEvent.outbox_message_id, DeliveryEvent.event)
    ).all()
    copies: dict[int, tuple[int, datetime, datetime]] = {}
    for message_id, count, first, last in rows:
        if message_id in copies:
            known, known_first, known_last = copies[message_id]
            count, first, last = max(count, known), min(first, known_first), max(last, known_last)
        copies[message_id] = (count, first, last)
    return copies
