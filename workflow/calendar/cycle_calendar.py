"""Cycles that move by their dates: open on `opens_on`, release the returns QA did not pick when
the QA window ends, close after the statement deadline. The scheduler calls these daily.

Candidates are read with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite ignores it), so when two
processes run at once each row is moved by one of them; a move another process made first is
refused by the lifecycle or the version column and simply skipped. Each operation only flushes.
"""

import logging
from datetime import date, timedelta

from sqlmodel import Session, exists, select

from models import AuditReturn, Cycle, QaSelection
from models.audit_return import ReturnState
from models.cycle import CycleState
from workflow.calendar import cycles
from workflow.calendar.reminders import recipient_digest
from workflow.clock import uk_date
from workflow.errors import DomainError
from workflow.mail import outbox
from workflow.people.recipients import coordinators
from workflow.review import qa

logger = logging.getLogger(__name__)


def open_cycles_due(session: Session, on: date) -> list[Cycle]:
    """Launch draft cycles whose opening date has come. A cycle whose submission deadline has
    already passed is left for a coordinator to decide about."""
    due = session.exec(
        select(Cycle)
        .where(Cycle.status == CycleState.DRAFT, Cycle.opens_on <= on, Cycle.submission_deadline >= on)
        .order_by(Cycle.opens_on, Cycle.id)
        .with_for_update(skip_locked=True)
    ).all()
    launched = []
    for cycle in due:
        try:
            with session.begin_nested():
                cycles.launch(session, None, cycle.id)
            launched.append(cycle)
        except DomainError as refusal:
            logger.warning("cycle %s could not open: %s", cycle.id, refusal)
            _tell_coordinators_not_opened(session, cycle, refusal.reasons)
    return launched


def _tell_coordinators_not_opened(session: Session, cycle: Cycle, reasons: list[str]) -> None:
    """Once per cycle and opening date: the coordinators expected it to open by itself."""
    context = {
        "cycle_id": cycle.id,
        "cycle_name": cycle.name,
        "opens_on": uk_date(cycle.opens_on),
        "reasons": "\n".join(f"- {reason}" for reason in reasons),
    }
    for email, name in coordinators(session, cycle):
        outbox.queue(
            session,
            kind="cycle_not_opened",
            to_email=email,
            to_name=name,
            context=context,
            dedupe_key=f"cycle-open:{cycle.id}:{cycle.opens_on.isoformat()}:{recipient_digest(email)}",
        )


def release_unpicked_returns(session: Session, on: date) -> list[AuditReturn]:
    """Once a cycle's QA window has ended, submitted returns QA did not pick go straight to their
    live action plans."""
    picked = exists().where(QaSelection.return_id == AuditReturn.id)
    due = session.exec(
        select(AuditReturn)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            Cycle.status == CycleState.OPEN,
            Cycle.qa_window_ends < on,
            AuditReturn.status == ReturnState.SUBMITTED,
            ~picked,
        )
        .order_by(AuditReturn.id)
        .with_for_update(skip_locked=True, of=AuditReturn)
    ).all()
    released = []
    for ret in due:
        try:
            with session.begin_nested():
                qa.release_without_qa(session, None, ret.id)
            released.append(ret)
        except DomainError as refusal:
            logger.info("return %s was not released: %s", ret.id, refusal)
    return released


def close_cycles_due(session: Session, on: date) -> list[Cycle]:
    """Close open cycles once their statement deadline has passed and the last chase of a
    statement not signed (the overdue notice, then the escalation) has gone: a closed cycle is
    chased no more, so closing the day after the deadline would leave them unsent."""
    candidates = session.exec(
        select(Cycle)
        .where(Cycle.status == CycleState.OPEN, Cycle.statement_deadline < on)
        .order_by(Cycle.id)
        .with_for_update(skip_locked=True)
    ).all()
    closed = []
    for cycle in [c for c in candidates if last_chase(c) < on]:
        try:
            with session.begin_nested():
                cycles.close(session, None, cycle.id, reason="The statement deadline has passed.")
            closed.append(cycle)
        except DomainError as refusal:
            logger.info("cycle %s was not closed: %s", cycle.id, refusal)
    return closed


def last_chase(cycle: Cycle) -> date:
    """The day the last message about an unsigned statement is due: the escalation, or the
    overdue notice the day after the deadline."""
    return cycle.statement_deadline + timedelta(days=max(cycle.escalation_days or 0, 1))
