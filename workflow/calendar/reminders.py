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

from models import Action, Agency, AuditReturn, Cycle, DeadlineExtension, EvidenceRequest, User
from models.action import ActionState
from models.audit_return import AWAITING_SUBMISSION, ReturnState
from models.cycle import CycleKind, CycleState
from models.evidence import EvidenceRequestState
from workflow.answering.actions import LIVE_RETURN_STATES
from workflow.answering.content import cycle_submission_deadline
from workflow.clock import uk_date, uk_day
from workflow.mail import outbox
from workflow.people.recipients import contacts_of_agencies, coordinators_of_returns, executives_of_agencies

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


@dataclass(frozen=True)
class Letter:
    """One message the sweep means to queue, to each of `people` once under `key`."""

    kind: str
    people: People
    context: dict[str, Any]
    key: str
    return_id: int | None


def queue_submission_reminders(session: Session, on: date) -> int:
    """Reminders before each return's (possibly extended) submission deadline, the overdue notice,
    and the escalation to the agency's executive and the coordinators; none once it is submitted
    or withdrawn. Returns how many messages were queued.

    Only cycles whose first reminder is due by `on` are read: a cycle weeks from its deadline
    costs nothing however many returns it has."""
    cycles = [
        c for c in _open_cycles(session)
        if cycle_submission_deadline(c) - timedelta(days=max(c.reminder_days, default=0)) <= on
    ]
    if not cycles:
        return 0
    rows = session.exec(
        select(AuditReturn)
        .where(AuditReturn.cycle_id.in_([c.id for c in cycles]), AuditReturn.status.in_(AWAITING_SUBMISSION))
        .order_by(AuditReturn.id)
    ).all()
    if not rows:
        return 0
    cycle_of = {c.id: c for c in cycles}
    extensions = _extensions(session, [ret.id for ret in rows])
    due: list[tuple[AuditReturn, Cycle, date, Stage]] = []
    for ret in rows:
        cycle = cycle_of[ret.cycle_id]
        if cycle.kind == CycleKind.STATEMENT_YEAR and ret.status == ReturnState.INVITED:
            continue  # in year two an invited return awaits a statement, not a submission
        extended, granted_at = extensions.get(ret.id, (None, None))
        deadline = max(cycle_submission_deadline(cycle), extended) if extended else cycle_submission_deadline(cycle)
        announced = uk_day(max(ret.created_at, granted_at)) if granted_at else uk_day(ret.created_at)
        stages = reminder_stages(deadline, cycle.reminder_days, issued_on=announced)
        stages += after_deadline_stages(deadline, cycle.escalation_days)
        stage = current_stage(stages, on)
        if stage is not None:
            due.append((ret, cycle, deadline, stage))
    if not due:
        return 0
    agencies = _agencies(session, [ret.agency_id for ret, *_ in due])
    contacts = contacts_of_agencies(session, list(agencies.values()))
    escalating = any(stage.name == ESCALATION for *_, stage in due)
    executives = executives_of_agencies(session, list(agencies.values())) if escalating else {}
    staff = coordinators_of_returns(session, [ret for ret, *_, stage in due if stage.name == ESCALATION])
    letters = []
    for ret, cycle, deadline, stage in due:
        agency = agencies[ret.agency_id]
        context = _context(cycle, ret, agency, **_timing(deadline, on, "deadline"))
        if stage.name == ESCALATION:
            kind, people = "submission_escalation", executives[agency.id] + staff[ret.id]
        elif stage.name == OVERDUE:
            kind, people = "submission_overdue", contacts[agency.id]
        else:
            kind, people = "submission_reminder", contacts[agency.id]
        letters.append(Letter(kind, people, context, f"submission:{ret.id}:{deadline.isoformat()}:{stage.name}", ret.id))
    return queue_letters(session, letters)


def _open_cycles(session: Session) -> list[Cycle]:
    return list(session.exec(select(Cycle).where(Cycle.status == CycleState.OPEN)))


def _extensions(session: Session, return_ids: list[int]) -> dict[int, tuple[date, Any]]:
    """Each return's latest extended deadline and when the latest extension was granted."""
    rows = session.exec(
        select(DeadlineExtension.return_id, func.max(DeadlineExtension.new_deadline), func.max(DeadlineExtension.granted_at))
        .where(DeadlineExtension.return_id.in_(return_ids))
        .group_by(DeadlineExtension.return_id)
    )
    return {return_id: (deadline, granted_at) for return_id, deadline, granted_at in rows}


def _agencies(session: Session, agency_ids: Iterable[int]) -> dict[int, Agency]:
    return {a.id: a for a in session.exec(select(Agency).where(Agency.id.in_(set(agency_ids))))}


def _context(cycle: Cycle, ret: AuditReturn, agency: Agency, **extra: Any) -> dict[str, Any]:
    """`notify.return_context` from rows already read."""
    return {"return_id": ret.id, "cycle_name": cycle.name, "agency_name": agency.name, **extra}


def awaiting_statement(cycle: Cycle):
    """The returns whose executive has a statement to sign: every live action plan (the QA stage
    is over, and the lifecycle ends in a signed statement), and in a statement of compliance
    year every return still invited (signing is the year's whole task)."""
    if cycle.kind == CycleKind.STATEMENT_YEAR:
        return (ReturnState.INVITED, ReturnState.ACTION_PLAN_OPEN)
    return (ReturnState.ACTION_PLAN_OPEN,)


def queue_statement_reminders(session: Session, on: date) -> int:
    """Remind the executives of returns awaiting their statement before the cycle's statement
    deadline, tell them the day after it that it is overdue, and escalate to them and the
    coordinators after the cycle's escalation days (the cycle stays open until then: see
    `cycle_calendar.close_cycles_due`). Only cycles whose first reminder is due by `on` are read."""
    cycles = [
        c for c in _open_cycles(session) if c.statement_deadline - timedelta(days=max(c.reminder_days, default=0)) <= on
    ]
    if not cycles:
        return 0
    cycle_of = {c.id: c for c in cycles}
    rows = [
        ret
        for ret in session.exec(
            select(AuditReturn)
            .where(
                AuditReturn.cycle_id.in_(list(cycle_of)),
                AuditReturn.status.in_([ReturnState.INVITED, ReturnState.ACTION_PLAN_OPEN]),
            )
            .order_by(AuditReturn.id)
        ).all()
        if ret.status in awaiting_statement(cycle_of[ret.cycle_id])
    ]
    due = []
    for ret in rows:
        cycle = cycle_of[ret.cycle_id]
        deadline = cycle.statement_deadline
        stages = reminder_stages(deadline, cycle.reminder_days, issued_on=uk_day(ret.created_at))
        stage = current_stage(stages + after_deadline_stages(deadline, cycle.escalation_days), on)
        if stage is not None:
            due.append((ret, deadline, stage))
    if not due:
        return 0
    agencies = _agencies(session, [ret.agency_id for ret, _, _ in due])
    executives = executives_of_agencies(session, list(agencies.values()))
    staff = coordinators_of_returns(session, [ret for ret, _, stage in due if stage.name == ESCALATION])
    letters = []
    for ret, deadline, stage in due:
        cycle = cycle_of[ret.cycle_id]
        year_two = cycle.kind == CycleKind.STATEMENT_YEAR and ret.status == ReturnState.INVITED
        context = _context(cycle, ret, agencies[ret.agency_id], year_two=year_two, **_timing(deadline, on, "deadline"))
        if stage.name == ESCALATION:
            kind, people = "statement_escalation", executives[ret.agency_id] + staff[ret.id]
        elif stage.name == OVERDUE:
            kind, people = "statement_overdue", executives[ret.agency_id]
        else:
            kind, people = "statement_reminder", executives[ret.agency_id]
        letters.append(Letter(kind, people, context, f"statement:{ret.id}:{deadline.isoformat()}:{stage.name}", ret.id))
    return queue_letters(session, letters)


def queue_evidence_reminders(session: Session, on: date) -> int:
    """Reminders before an open evidence request's due date and the overdue notice after it.
    Only requests whose first reminder is due by `on` are read: from their table alone by the
    index on status and due date, then their returns (as for actions, below)."""
    requests = sorted(
        session.exec(
            select(EvidenceRequest).where(
                EvidenceRequest.status == EvidenceRequestState.OPEN,
                EvidenceRequest.due_date <= on + timedelta(days=max(EVIDENCE_REMINDER_DAYS)),
            )
        ),
        key=lambda request: request.id,
    )
    if not requests:
        return 0
    under_qa = _returns_in(session, {r.return_id for r in requests}, [ReturnState.EVIDENCE_REQUESTED])
    rows = [(request, *under_qa[request.return_id][:2]) for request in requests if request.return_id in under_qa]
    due = []
    for request, ret, cycle in rows:
        stages = reminder_stages(request.due_date, EVIDENCE_REMINDER_DAYS, issued_on=uk_day(request.requested_at))
        stage = current_stage(stages + after_deadline_stages(request.due_date), on)
        if stage is not None:
            due.append((request, ret, cycle, stage))
    if not due:
        return 0
    agencies = {ret.agency_id: under_qa[ret.id][2] for _, ret, _, _ in due}
    contacts = contacts_of_agencies(session, list(agencies.values()))
    letters = []
    for request, ret, cycle, stage in due:
        due_date = request.due_date
        kind = "evidence_overdue" if stage.name == OVERDUE else "evidence_reminder"
        timing = _timing(due_date, on, "due_date")
        context = _context(cycle, ret, agencies[ret.agency_id], description=request.description, **timing)
        key = f"evidence:{request.id}:{due_date.isoformat()}:{stage.name}"
        letters.append(Letter(kind, contacts[ret.agency_id], context, key, ret.id))
    return queue_letters(session, letters)


def queue_action_reminders(session: Session, on: date) -> int:
    """For the live actions of every plan: a reminder to the lead person before the target date,
    an overdue notice after it, and an escalation to the agency's executive when it stays overdue
    for the cycle's escalation days. Only actions whose reminder is due by `on` are read, so
    actions far from their dates cost nothing.

    The due actions are read from the action table alone and unsorted, so the index on status
    and target date is the planner's only good way in (joined to their returns, or ordered by id,
    SQLite would rather walk every live return's actions, or the whole table in id order); their
    returns, cycles and agencies follow in a second read of those rows only."""
    actions = sorted(
        session.exec(
            select(Action).where(
                Action.status.in_(OPEN_ACTION_STATES),
                Action.target_date <= on + timedelta(days=max(ACTION_REMINDER_DAYS)),
            )
        ),
        key=lambda action: action.id,
    )
    if not actions:
        return 0
    plans = _returns_in(session, {a.return_id for a in actions}, LIVE_RETURN_STATES)
    rows = [(action, *plans[action.return_id][:2]) for action in actions if action.return_id in plans]
    due = []
    for action, ret, cycle in rows:
        target = action.target_date
        stages = reminder_stages(target, ACTION_REMINDER_DAYS, issued_on=uk_day(action.created_at))
        stage = current_stage(stages + after_deadline_stages(target, cycle.escalation_days), on)
        if stage is not None:
            due.append((action, ret, cycle, stage))
    if not due:
        return 0
    agencies = {ret.agency_id: plans[ret.id][2] for _, ret, _, _ in due}
    leads = _leads(session, [action.lead_user_id for action, *_ in due])
    # The agency's contacts hear of an action only when it has no lead person to tell.
    unled = {ret.agency_id: agencies[ret.agency_id] for action, ret, _, _ in due if action.lead_user_id not in leads}
    contacts = contacts_of_agencies(session, list(unled.values())) if unled else {}
    escalating = any(stage.name == ESCALATION for *_, stage in due)
    executives = executives_of_agencies(session, list(agencies.values())) if escalating else {}
    letters = []
    for action, ret, cycle, stage in due:
        target = action.target_date
        lead = leads.get(action.lead_user_id, [])
        context = _context(
            cycle,
            ret,
            agencies[ret.agency_id],
            action_id=action.id,
            description=action.description,
            lead_name=lead[0][1] if lead else "not named yet",
            **_timing(target, on, "target_date"),
        )
        if stage.name == ESCALATION:
            kind, people = "action_escalation", executives[ret.agency_id]
        else:
            kind = "action_overdue" if stage.name == OVERDUE else "action_reminder"
            people = lead or contacts[ret.agency_id]
        letters.append(Letter(kind, people, context, f"action:{action.id}:{target.isoformat()}:{stage.name}", ret.id))
    return queue_letters(session, letters)


def _returns_in(
    session: Session, return_ids: set[int], states: Iterable[str]
) -> dict[int, tuple[AuditReturn, Cycle, Agency]]:
    """Those of the returns still in one of `states`, each with its cycle and agency, by id: what
    the letters about a due request or action say, read for the due ones only."""
    found = session.exec(
        select(AuditReturn, Cycle, Agency)
        .join(Cycle, Cycle.id == AuditReturn.cycle_id)
        .join(Agency, Agency.id == AuditReturn.agency_id)
        .where(AuditReturn.id.in_(return_ids), AuditReturn.status.in_(list(states)))
    )
    return {ret.id: (ret, cycle, agency) for ret, cycle, agency in found}


def _leads(session: Session, user_ids: Iterable[int | None]) -> dict[int, People]:
    """Each lead person, while their account is active."""
    wanted = {i for i in user_ids if i is not None}
    found = session.exec(select(User).where(User.id.in_(wanted), User.active == True))  # noqa: E712
    return {user.id: [(user.email, user.name)] for user in found}


def _timing(deadline: date, on: date, name: str) -> dict[str, Any]:
    """The deadline as the e-mails say it, and how far away it is as of `on`."""
    days = (deadline - on).days
    due_in = "today" if days == 0 else "tomorrow" if days == 1 else f"in {days} days"
    return {name: uk_date(deadline), "due_in": due_in, "days_overdue": max(0, -days)}


def queue_letters(session: Session, letters: list[Letter]) -> int:
    """Queue each letter to each distinct address under its key plus the address; returns how many
    were new. The keys already queued are read in one query, so a day whose messages all went out
    earlier costs one read."""
    wanted = []
    for letter in letters:
        seen: set[str] = set()
        for email, name in letter.people:
            if not email or email.lower() in seen:
                continue
            seen.add(email.lower())
            wanted.append((letter, email, name, f"{letter.key}:{recipient_digest(email)}"))
    sent = outbox.keys_queued(session, [key for *_, key in wanted])
    fresh = [
        (letter.kind, email, name, letter.context, letter.return_id, key)
        for letter, email, name, key in wanted
        if key not in sent
    ]
    # Two schedulers racing past the read above: the unique key lets exactly one of each in.
    return outbox.queue_once_many(session, fresh)


def recipient_digest(email: str) -> str:
    """A short fixed-length stand-in for an address in a dedupe key (an address can be 254
    characters; the key holds 200)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]
