"""Reminders, overdue notices and escalations: what is due on a given day, queued exactly once.

Every deadline has stages: reminders some days before it, an overdue notice the day after, and
for some an escalation later. On a given day only the latest stage already due is relevant, so a
scheduler catching up after days down sends that one message, never a pile of stale ones. Each
message's dedupe key names the subject, the deadline date, the stage and the recipient: running
twice, or in two processes at once, queues it once, and a moved deadline (an extension) starts a
fresh set of stages. Each operation only flushes; the job commits.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, func, select

from models import Action, AuditReturn, Cycle, DeadlineExtension, EvidenceRequest, User
from models.action import ActionState
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.cycle import CycleKind, CycleState
from models.evidence import EvidenceRequestState
from workflow.answering.actions import LIVE_RETURN_STATES
from workflow.answering.content import effective_deadline, load_agency
from workflow.clock import uk_date, uk_day
from workflow.mail import outbox
from workflow.mail.notify import return_context
from workflow.people.recipients import agency_contacts, agency_executives, coordinators

EVIDENCE_REMINDER_DAYS = (3, 1)
ACTION_REMINDER_DAYS = (7,)
OPEN_ACTION_STATES = (ActionState.OPEN, ActionState.IN_PROGRESS)
OVERDUE = "overdue"
ESCALATION = "escalation"

People = list[tuple[str, str]]


@dataclass(frozen=True)
class Stage:
    """One message in a deadline's sequence, relevant from `due_on` until `last_day` (if any)."""

    name: str
    due_on: date
    last_day: date | None = None


def reminder_stages(deadline: date, days_before: Iterable[int], *, issued_on: date) -> list[Stage]:
    """Reminders N days before the deadline, each relevant until the deadline itself.

    Stages on or before the day the subject was issued are left out: the invitation or request
    just gave the date, so a reminder the same day says nothing new.
    """
    stages = [Stage(f"before-{days}", deadline - timedelta(days=days), deadline) for days in days_before]
    return [stage for stage in stages if stage.due_on > issued_on]


def after_deadline_stages(deadline: date, escalate_after_days: int | None = None) -> list[Stage]:
    """The overdue notice the day after the deadline, and the escalation if there is one."""
    stages = [Stage(OVERDUE, deadline + timedelta(days=1))]
    if escalate_after_days is not None:
        stages.append(Stage(ESCALATION, deadline + timedelta(days=escalate_after_days)))
    return stages


def current_stage(stages: Iterable[Stage], on: date) -> Stage | None:
    """The latest stage due by `on` and still relevant; earlier ones are stale and never sent.
    Of two due the same day the later in the sequence wins (escalation after a single day)."""
    due = sorted((s for s in stages if s.due_on <= on and (s.last_day is None or on <= s.last_day)), key=lambda s: s.due_on)
    return due[-1] if due else None


def queue_submission_reminders(session: Session, on: date) -> int:
    """Reminders before each return's (possibly extended) submission deadline, the overdue notice,
    and the escalation to the agency's executive and the coordinators; none once it is submitted
    or withdrawn. Returns how many messages were queued."""
    rows = session.exec(
        select(AuditReturn, Cycle)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(Cycle.status == CycleState.OPEN, AuditReturn.status.in_(AWAITING_SUBMISSION))
        .order_by(AuditReturn.id)
    ).all()
    queued = 0
    for ret, cycle in rows:
        if cycle.kind == CycleKind.STATEMENT_YEAR and ret.status == ReturnState.INVITED:
            continue  # in year two an invited return awaits a statement, not a submission
        deadline = effective_deadline(session, ret)
        stages = reminder_stages(deadline, cycle.reminder_days, issued_on=_deadline_announced_on(session, ret))
        stages += after_deadline_stages(deadline, cycle.escalation_days)
        stage = current_stage(stages, on)
        if stage is None:
            continue
        agency = load_agency(session, ret)
        context = return_context(session, ret, **_timing(deadline, on, "deadline"))
        if stage.name == ESCALATION:
            kind, people = "submission_escalation", agency_executives(session, agency) + coordinators(session)
        elif stage.name == OVERDUE:
            kind, people = "submission_overdue", agency_contacts(session, agency)
        else:
            kind, people = "submission_reminder", agency_contacts(session, agency)
        key = f"submission:{ret.id}:{deadline.isoformat()}:{stage.name}"
        queued += _queue_once(session, kind, people, context, key=key, return_id=ret.id)
    return queued


def _deadline_announced_on(session: Session, ret: AuditReturn) -> date:
    """When the agency was last told its deadline: the invitation, or the latest extension."""
    extended = session.exec(
        select(func.max(DeadlineExtension.granted_at)).where(DeadlineExtension.return_id == ret.id)
    ).one()
    return uk_day(max(ret.created_at, extended)) if extended else uk_day(ret.created_at)


def queue_statement_reminders(session: Session, on: date) -> int:
    """In a statement of compliance year, remind the executives of returns still awaiting their
    statement before the cycle's statement deadline."""
    rows = session.exec(
        select(AuditReturn, Cycle)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            Cycle.status == CycleState.OPEN,
            Cycle.kind == CycleKind.STATEMENT_YEAR,
            AuditReturn.status == ReturnState.INVITED,
        )
        .order_by(AuditReturn.id)
    ).all()
    queued = 0
    for ret, cycle in rows:
        deadline = cycle.statement_deadline
        stage = current_stage(reminder_stages(deadline, cycle.reminder_days, issued_on=uk_day(ret.created_at)), on)
        if stage is None:
            continue
        context = return_context(session, ret, **_timing(deadline, on, "deadline"))
        people = agency_executives(session, load_agency(session, ret))
        key = f"statement:{ret.id}:{deadline.isoformat()}:{stage.name}"
        queued += _queue_once(session, "statement_reminder", people, context, key=key, return_id=ret.id)
    return queued


def queue_evidence_reminders(session: Session, on: date) -> int:
    """Reminders before an open evidence request's due date and the overdue notice after it."""
    rows = session.exec(
        select(EvidenceRequest, AuditReturn)
        .join(AuditReturn, AuditReturn.id == EvidenceRequest.return_id)
        .where(
            EvidenceRequest.status == EvidenceRequestState.OPEN,
            AuditReturn.status == ReturnState.EVIDENCE_REQUESTED,
        )
        .order_by(EvidenceRequest.id)
    ).all()
    queued = 0
    for request, ret in rows:
        due = request.due_date
        stages = reminder_stages(due, EVIDENCE_REMINDER_DAYS, issued_on=uk_day(request.requested_at))
        stage = current_stage(stages + after_deadline_stages(due), on)
        if stage is None:
            continue
        kind = "evidence_overdue" if stage.name == OVERDUE else "evidence_reminder"
        context = return_context(session, ret, description=request.description, **_timing(due, on, "due_date"))
        people = agency_contacts(session, load_agency(session, ret))
        key = f"evidence:{request.id}:{due.isoformat()}:{stage.name}"
        queued += _queue_once(session, kind, people, context, key=key, return_id=ret.id)
    return queued


def queue_action_reminders(session: Session, on: date) -> int:
    """For the live actions of every plan: a reminder to the lead person before the target date,
    an overdue notice after it, and an escalation to the agency's executive when it stays overdue
    for the cycle's escalation days."""
    rows = session.exec(
        select(Action, AuditReturn, Cycle)
        .join(AuditReturn, AuditReturn.id == Action.return_id)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .where(
            Action.status.in_(OPEN_ACTION_STATES),
            Action.target_date.is_not(None),
            AuditReturn.status.in_(LIVE_RETURN_STATES),
        )
        .order_by(Action.id)
    ).all()
    queued = 0
    for action, ret, cycle in rows:
        target = action.target_date
        stages = reminder_stages(target, ACTION_REMINDER_DAYS, issued_on=uk_day(action.created_at))
        stage = current_stage(stages + after_deadline_stages(target, cycle.escalation_days), on)
        if stage is None:
            continue
        agency = load_agency(session, ret)
        lead = _lead_of(session, action)
        context = return_context(
            session,
            ret,
            action_id=action.id,
            description=action.description,
            lead_name=lead[0][1] if lead else "not named yet",
            **_timing(target, on, "target_date"),
        )
        if stage.name == ESCALATION:
            kind, people = "action_escalation", agency_executives(session, agency)
        else:
            kind = "action_overdue" if stage.name == OVERDUE else "action_reminder"
            people = lead or agency_contacts(session, agency)
        key = f"action:{action.id}:{target.isoformat()}:{stage.name}"
        queued += _queue_once(session, kind, people, context, key=key, return_id=ret.id)
    return queued


def _lead_of(session: Session, action: Action) -> People:
    """The action's lead person, while their account is active."""
    lead = session.get(User, action.lead_user_id) if action.lead_user_id else None
    return [(lead.email, lead.name)] if lead and lead.active else []


def _timing(deadline: date, on: date, name: str) -> dict[str, Any]:
    """The deadline as the e-mails say it, and how far away it is as of `on`."""
    days = (deadline - on).days
    due_in = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return {name: uk_date(deadline), "due_in": due_in, "days_overdue": max(0, -days)}


def _queue_once(
    session: Session, kind: str, people: People, context: dict[str, Any], *, key: str, return_id: int | None
) -> int:
    """Queue the message to each distinct address under `key` plus the address; returns how many
    were new."""
    queued = 0
    seen: set[str] = set()
    for email, name in people:
        if not email or email.lower() in seen:
            continue
        seen.add(email.lower())
        message = outbox.queue(
            session,
            kind=kind,
            to_email=email,
            to_name=name,
            context=context,
            return_id=return_id,
            dedupe_key=f"{key}:{recipient_digest(email)}",
        )
        queued += message is not None
    return queued


def recipient_digest(email: str) -> str:
    """A short fixed-length stand-in for an address in a dedupe key (an address can be 254
    characters; the key holds 200)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]
