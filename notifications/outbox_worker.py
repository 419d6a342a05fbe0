"""The outbox worker: sends queued e-mails after the transactions that queued them committed.

A batch is claimed in a short transaction of its own (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
two workers never take the same row; SQLite ignores it and the guarded UPDATE does the same job):
each row goes to `sending` with a lease and a claim token. Delivery happens outside any
transaction; the outcome is written only while the token still matches. A row left in `sending`
by a worker that died is claimed again once its lease runs out.

The messages sent are marked in one short transaction per batch (and before each renewal of the
lease, so no sent row outlives the lease unmarked), not one commit per message: claiming and
marking cost a few statements per fifty messages. Each message still carries its outbox id to
SendGrid, so one sent twice by a worker that died between sending and marking is found
(`workflow.mail.delivery`).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, case, literal, update
from sqlmodel import select

from models import OutboxMessage
from models.db import transaction
from models.outbox import OutboxState
from models.types import utcnow
from notifications.backends import Attachment, EmailBackend, EmailMessage, PermanentDeliveryError, TemporaryDeliveryError
from workflow.reporting.return_copy import attachments_for

logger = logging.getLogger(__name__)

CLAIMABLE = (OutboxState.PENDING.value, OutboxState.SENDING.value)


@dataclass(frozen=True)
class DeliverySettings:
    """How hard to try. The defaults keep a message trying for about a day of SendGrid outage."""

    batch_size: int = 50
    max_attempts: int = 30
    first_retry_after: timedelta = timedelta(seconds=30)
    longest_retry_after: timedelta = timedelta(hours=1)
    # Short, and renewed every third of it while a batch is being sent: a worker that dies holds
    # its rows for at most this long. Must stay well over three times the backend's timeout.
    lease: timedelta = timedelta(minutes=1)

    def retry_delay(self, attempts: int, retry_after: float | None) -> timedelta:
        """Exponential backoff from the first delay, capped; never sooner than the provider asked."""
        delay = min(self.longest_retry_after, self.first_retry_after * 2 ** max(0, attempts - 1))
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        return delay


DEFAULT_SETTINGS = DeliverySettings()


@dataclass
class DeliveryReport:
    """What one run of the worker did, for the logs and the tests."""

    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Claim:
    """A row this worker holds, and the e-mail to send for it."""

    message_id: int
    token: str
    attempts: int
    email: EmailMessage | None
    problem: str = ""


def deliver_pending(engine: Engine, backend: EmailBackend, settings: DeliverySettings = DEFAULT_SETTINGS) -> DeliveryReport:
    """Send every message due now, batch by batch. A row is tried at most once per run, so a
    provider that keeps failing cannot keep the worker busy."""
    report = DeliveryReport()
    started = utcnow()
    while True:
        claims = claim_batch(engine, settings, due_by=started)
        held, renewed = {c.message_id for c in claims}, time.monotonic()
        sent: list[Sent] = []
        for index, claim in enumerate(claims):
            if time.monotonic() - renewed > settings.lease.total_seconds() / 3:
                mark_sent(engine, sent, report)
                held, renewed = renew_lease(engine, claims[index:], settings), time.monotonic()
            if claim.message_id not in held:
                logger.warning("outbox message %s was taken over by another worker after its lease ran out", claim.message_id)
                continue
            # The lease was set or renewed within a third of its length: no one else can hold the row.
            pause = deliver_one(engine, backend, claim, settings, report, lease_held=True, sent=sent)
            if pause is not None:
                # The provider is down or limiting us: the rest of the batch waits, untried.
                mark_sent(engine, sent, report)
                release_untried(engine, claims[index + 1 :], utcnow() + pause)
                return report
        mark_sent(engine, sent, report)
        if len(claims) < settings.batch_size:
            return report


@dataclass(frozen=True)
class Sent:
    """A message the provider took, not yet marked sent."""

    claim: Claim
    provider_message_id: str
    at: datetime


def mark_sent(engine: Engine, sent: list[Sent], report: DeliveryReport) -> None:
    """Mark the messages sent in one UPDATE, each only while this worker still holds it; empties `sent`."""
    if not sent:
        return
    column = OutboxMessage.__table__.c
    by_id = {s.claim.message_id: s for s in sent}
    with transaction(engine) as session:
        marked = set(
            session.exec(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(list(by_id)),
                    OutboxMessage.claim_token == sent[0].claim.token,
                    OutboxMessage.status == OutboxState.SENDING.value,
                )
                .values(
                    status=OutboxState.SENT.value,
                    claim_token="",
                    provider_message_id=case(
                        {i: literal(s.provider_message_id, column.provider_message_id.type) for i, s in by_id.items()},
                        value=OutboxMessage.id,
                    ),
                    sent_at=case({i: literal(s.at, column.sent_at.type) for i, s in by_id.items()}, value=OutboxMessage.id),
                )
                .returning(OutboxMessage.id)
            ).scalars()
        )
    for message_id in by_id:
        if message_id in marked:
            report.sent.append(message_id)
        else:
            logger.warning("outbox message %s was taken over by another worker after its lease ran out", message_id)
    sent.clear()


def claim_batch(engine: Engine, settings: DeliverySettings, *, due_by: datetime) -> list[Claim]:
    """Take up to a batch of due rows (pending, or sending with an expired lease) for this worker."""
    token = uuid.uuid4().hex
    now = utcnow()
    with transaction(engine) as session:
        due = session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.status.in_(CLAIMABLE), OutboxMessage.next_attempt_at <= due_by)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(settings.batch_size)
            .with_for_update(skip_locked=True)
        ).all()
        if not due:
            return []
        session.exec(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(due),
                OutboxMessage.status.in_(CLAIMABLE),
                OutboxMessage.next_attempt_at <= due_by,
            )
            .values(
                status=OutboxState.SENDING.value,
                claim_token=token,
                attempts=OutboxMessage.attempts + 1,
                next_attempt_at=now + settings.lease,
            )
        )
        rows = session.exec(
            select(OutboxMessage).where(OutboxMessage.claim_token == token).order_by(OutboxMessage.id)
        ).all()
        return [_claim(row, token, attachments_for(session, row)) for row in rows]


def _claim(row: OutboxMessage, token: str, attachments: tuple[Attachment, ...] = ()) -> Claim:
    try:
        email = EmailMessage(
            to_email=row.to_email,
            to_name=row.to_name,
            subject=row.subject,
            text_body=row.text_body,
            html_body=row.html_body or None,
            attachments=attachments,
            message_id=str(row.id),
        )
    except ValueError as error:
        return Claim(row.id, token, row.attempts, None, f"cannot be sent: {error}")
    return Claim(row.id, token, row.attempts, email)


def renew_lease(engine: Engine, claims: list[Claim], settings: DeliverySettings) -> set[int]:
    """Extend the lease of the rows this worker still holds; returns their ids."""
    if not claims:
        return set()
    with transaction(engine) as session:
        ids = session.exec(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([c.message_id for c in claims]),
                OutboxMessage.claim_token == claims[0].token,
                OutboxMessage.status == OutboxState.SENDING.value,
            )
            .values(next_attempt_at=utcnow() + settings.lease)
            .returning(OutboxMessage.id)
        ).scalars()
        return set(ids)


def deliver_one(
    engine: Engine,
    backend: EmailBackend,
    claim: Claim,
    settings: DeliverySettings,
    report: DeliveryReport,
    *,
    lease_held: bool = False,
    sent: list[Sent] | None = None,
) -> timedelta | None:
    """Send one claimed message and record the outcome. When the provider is unavailable, returns
    how long every other message should wait too. `lease_held`: the caller renewed the lease
    recently enough that the row cannot have been taken over, so it need not be read again.
    `sent`: a sent message is added there for the caller to mark with the rest of its batch."""
    if not lease_held and not _still_held(engine, claim):
        logger.warning("outbox message %s was taken over by another worker after its lease ran out", claim.message_id)
        return None
    if claim.email is None:
        _finish(engine, claim, report.failed, status=OutboxState.FAILED.value, last_error=claim.problem)
        return None
    if claim.attempts > settings.max_attempts:
        # The last attempt's worker died mid-send: give up rather than loop for ever.
        error = f"gave up after {settings.max_attempts} attempts; the last one never finished"
        _finish(engine, claim, report.failed, status=OutboxState.FAILED.value, last_error=error)
        return None
    try:
        provider_id = backend.send(claim.email)
    except PermanentDeliveryError as error:
        logger.warning("outbox message %s refused: %s", claim.message_id, error)
        _finish(engine, claim, report.failed, status=OutboxState.FAILED.value, last_error=str(error))
        return None
    except TemporaryDeliveryError as error:
        return _retry_later(engine, claim, settings, report, str(error), error.retry_after)
    except Exception as error:  # a fault in a backend must not stop the other messages
        logger.exception("outbox message %s: unexpected error from the e-mail backend", claim.message_id)
        _retry_later(engine, claim, settings, report, f"unexpected error: {error!r}", None)
        return None
    if sent is not None:
        sent.append(Sent(claim, provider_id or "", utcnow()))
        return None
    _finish(
        engine, claim, report.sent,
        status=OutboxState.SENT.value, provider_message_id=provider_id or "", sent_at=utcnow(),
    )
    return None


def _still_held(engine: Engine, claim: Claim) -> bool:
    """Checked just before sending: a worker slower than its lease must not send a message that
    another worker has taken over."""
    with transaction(engine) as session:
        token = session.exec(select(OutboxMessage.claim_token).where(OutboxMessage.id == claim.message_id)).one()
    return token == claim.token


def _retry_later(
    engine: Engine, claim: Claim, settings: DeliverySettings, report: DeliveryReport, error: str, retry_after: float | None
) -> timedelta:
    """Back to pending after the backoff, or failed once the attempts are used up; returns the backoff."""
    delay = settings.retry_delay(claim.attempts, retry_after)
    if claim.attempts >= settings.max_attempts:
        logger.error("outbox message %s failed after %s attempts: %s", claim.message_id, claim.attempts, error)
        error = f"gave up after {claim.attempts} attempts: {error}"
        _finish(engine, claim, report.failed, status=OutboxState.FAILED.value, last_error=error[:1000])
        return delay
    logger.info("outbox message %s will be retried in %s: %s", claim.message_id, delay, error)
    _finish(
        engine, claim, report.retrying,
        status=OutboxState.PENDING.value, next_attempt_at=utcnow() + delay, last_error=error[:1000],
    )
    return delay


def _finish(engine: Engine, claim: Claim, outcome: list[int], **values: object) -> None:
    """Write the outcome if this worker still holds the row (its lease may have been taken over)."""
    with transaction(engine) as session:
        result = session.exec(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claim.message_id,
                OutboxMessage.claim_token == claim.token,
                OutboxMessage.status == OutboxState.SENDING.value,
            )
            .values(claim_token="", **values)
        )
    if result.rowcount == 1:
        outcome.append(claim.message_id)
    else:
        logger.warning("outbox message %s was taken over by another worker after its lease ran out", claim.message_id)


def release_untried(engine: Engine, claims: list[Claim], not_before: datetime) -> None:
    """Give back rows that were claimed but not tried; the attempt is not counted."""
    if not claims:
        return
    with transaction(engine) as session:
        for claim in claims:
            session.exec(
                update(OutboxMessage)
                .where(OutboxMessage.id == claim.message_id, OutboxMessage.claim_token == claim.token)
                .values(
                    status=OutboxState.PENDING.value,
                    claim_token="",
                    attempts=OutboxMessage.attempts - 1,
                    next_attempt_at=not_before,
                )
            )

