"""Changing a cycle once made, as a real year needs: correct or delete a draft, move a launched
cycle's dates with a reason (reminders and escalations follow, agencies are told), set its
reminder days and escalation delay, invite an agency admitted mid-year, and reopen a closed cycle.
Each change is one transaction with its history record and its e-mails; each refusal lists every reason."""

from datetime import date

from sqlmodel import Session, select

from models import Agency, AuditReturn, Cycle, CycleAgency, User
from models.audit_return import ReturnState
from models.cycle import CycleState
from models.user import Role
from workflow.access import require_role
from workflow.calendar import joint_cycles
from workflow.calendar.cycles import (
    DATE_LABELS,
    CycleDates,
    CycleSettings,
    apply_settings,
    find_cycle,
    invite,
    move_cycle,
    reminder_problems,
    settings_problems,
)
from workflow.clock import today, uk_date
from workflow.errors import DomainError, Reason
from workflow.lifecycle import history
from workflow.mail.notify import return_context, tell
from workflow.people.recipients import agency_contacts


def _coordinator(session: Session, actor: User | None, what: str) -> None:
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, what)


def _record(session: Session, actor: User | None, cycle: Cycle, trigger: str, reason: str = "", **details: object) -> None:
    history.append(
        session, subject_type="cycle", subject_id=cycle.id, actor=actor, trigger=trigger,
        from_state=cycle.status, to_state=cycle.status, reason=reason, details=details,
    )


def edit_draft(session: Session, actor: User | None, cycle_id: int, settings: CycleSettings) -> Cycle:
    """Correct a draft cycle: its name, template, dates, agencies and reminders. Nobody has been told anything yet."""
    _coordinator(session, actor, "change a draft cycle")
    cycle = find_cycle(session, cycle_id)
    joint_cycles.require_all(session, actor, cycle, "change it")
    reasons = [] if cycle.status == CycleState.DRAFT else ["Only a draft cycle can be changed like this; it has been launched."]
    reasons.extend(settings_problems(session, settings, cycle_id=cycle.id))
    reasons.extend(joint_cycles.agency_problems(session, joint_cycles.partnership_ids_of(session, cycle), settings.agency_ids))
    if reasons:
        raise DomainError(reasons)
    apply_settings(cycle, settings)
    session.add(cycle)
    for row in session.exec(select(CycleAgency).where(CycleAgency.cycle_id == cycle.id)):
        session.delete(row)
    session.flush()
    for agency_id in sorted(set(settings.agency_ids)):
        session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency_id))
    _record(session, actor, cycle, "edit", name=cycle.name)
    session.flush()
    return cycle


def delete_draft(session: Session, actor: User | None, cycle_id: int) -> str:
    """Delete a draft cycle made by mistake; its history keeps a record that it was deleted. Returns its name."""
    _coordinator(session, actor, "delete a draft cycle")
    cycle = find_cycle(session, cycle_id)
    joint_cycles.require_all(session, actor, cycle, "delete it")
    if cycle.status != CycleState.DRAFT:
        raise DomainError("Only a draft cycle can be deleted. A launched cycle can be closed instead.")
    followers = session.exec(select(Cycle.name).where(Cycle.previous_cycle_id == cycle.id)).all()
    if followers:
        raise DomainError(f"{followers[0]} follows this cycle: change or delete that one first.")
    name = cycle.name
    _record(session, actor, cycle, "delete", name=name)
    for row in session.exec(select(CycleAgency).where(CycleAgency.cycle_id == cycle.id)):
        session.delete(row)
    joint_cycles.forget(session, cycle)
    session.flush()  # the rows that name the cycle go first
    session.delete(cycle)
    session.flush()
    return name


def change_dates(session: Session, actor: User | None, cycle_id: int, dates: CycleDates, *, reason: str) -> Cycle:
    """Move a launched cycle's dates. Reminders and escalations follow the new dates (they are worked
    out from them each day); each agency still in the cycle is told; the history keeps both."""
    _coordinator(session, actor, "change a cycle's dates")
    cycle = find_cycle(session, cycle_id)
    joint_cycles.require_all(session, actor, cycle, "change its dates")
    reasons: list[str] = []
    if cycle.status == CycleState.DRAFT:
        reasons.append("This cycle is a draft: change its dates with its other details.")
    elif cycle.status == CycleState.CLOSED:
        reasons.append("This cycle is closed: reopen it first.")
    if not reason.strip():
        reasons.append(Reason("Say why the dates change: the agencies are told.", "reason"))
    reasons.extend(dates.problems())
    changed = dates.changed_from(cycle) if not dates.problems() else {}
    if not dates.problems() and not changed:
        reasons.append("None of the dates changed.")
    for field in changed:
        new = getattr(dates, field)
        if field != "opens_on" and new < today():
            reasons.append(Reason(f"The new {DATE_LABELS[field].removeprefix('the ')} cannot be in the past.", field))
    if "opens_on" in changed:
        reasons.append(Reason("The cycle has opened: its opening date cannot move.", "opens_on"))
    if reasons:
        raise DomainError(reasons)
    for field in changed:
        setattr(cycle, field, getattr(dates, field))
    session.add(cycle)
    _record(session, actor, cycle, "change_dates", reason.strip(), changed=changed)
    words = "; ".join(f"{DATE_LABELS[f]} is now {uk_date(getattr(dates, f))} (was {uk_date(date.fromisoformat(was))})"
                      for f, (was, _now) in changed.items())
    for ret in _returns_still_in(session, cycle):
        agency = session.get(Agency, ret.agency_id)
        context = return_context(session, ret, changes=words[0].upper() + words[1:], reason=reason.strip())
        tell(session, "cycle_dates_changed", agency_contacts(session, agency), context, return_id=ret.id)
    session.flush()
    return cycle


def _returns_still_in(session: Session, cycle: Cycle) -> list[AuditReturn]:
    return list(
        session.exec(
            select(AuditReturn)
            .where(AuditReturn.cycle_id == cycle.id, AuditReturn.status != ReturnState.WITHDRAWN)
            .order_by(AuditReturn.id)
        )
    )


def set_reminders(
    session: Session, actor: User | None, cycle_id: int, *, reminder_days: list[int] | None, escalation_days: int | None
) -> Cycle:
    """How many days before a deadline reminders go, and how many after it the escalation goes."""
    _coordinator(session, actor, "change a cycle's reminders")
    cycle = find_cycle(session, cycle_id)
    joint_cycles.require_all(session, actor, cycle, "change its reminders")
    reasons = ["This cycle is closed: nothing more is sent for it."] if cycle.status == CycleState.CLOSED else []
    reasons.extend(reminder_problems(reminder_days, escalation_days))
    if reminder_days is None:
        reasons.append(Reason("Enter the reminder days, for example 14, 7, 1.", "reminder_days"))
    if reasons:
        raise DomainError(reasons)
    before = {"reminder_days": list(cycle.reminder_days), "escalation_days": cycle.escalation_days}
    cycle.reminder_days = sorted(set(reminder_days), reverse=True)
    cycle.escalation_days = escalation_days
    session.add(cycle)
    after = {"reminder_days": list(cycle.reminder_days), "escalation_days": cycle.escalation_days}
    _record(session, actor, cycle, "set_reminders", was=before, now=after)
    session.flush()
    return cycle


def add_agency(session: Session, actor: User | None, cycle_id: int, agency_id: int) -> AuditReturn:
    """Invite an agency admitted mid-year into an open cycle: its return, and the invitation."""
    _coordinator(session, actor, "add an agency to a cycle")
    cycle = find_cycle(session, cycle_id)
    joint_cycles.require_all(session, actor, cycle, "add an agency to it")
    agency = session.get(Agency, agency_id)
    reasons: list[str] = []
    if cycle.status != CycleState.OPEN:
        reasons.append("Agencies can join a cycle this way only while it is open; choose a draft's agencies on its page.")
    if agency is None or not agency.active:
        reasons.append(Reason("Choose an agency from the list.", "agency_id"))
    else:
        taking_part = select(AuditReturn.id).where(AuditReturn.cycle_id == cycle.id, AuditReturn.agency_id == agency.id)
        if session.exec(taking_part).first():
            reasons.append(Reason(f"{agency.name} is already taking part in this cycle.", "agency_id"))
        if not agency_contacts(session, agency):
            reasons.append(Reason(f"{agency.name} has no contact to invite: add a contact e-mail or a user.", "agency_id"))
    if reasons:
        raise DomainError(reasons)
    session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency.id))
    _record(session, actor, cycle, "add_agency", agency=agency.name)
    return invite(session, actor, cycle, agency)


def reopen(
    session: Session, actor: User | None, cycle_id: int, *, reason: str, statement_deadline: date | None = None
) -> Cycle:
    """Reopen a closed cycle. If its statement deadline has passed a later one is needed, or the
    daily work would close it again that night."""
    cycle = find_cycle(session, cycle_id)
    reasons: list[str] = []
    if not reason.strip():
        reasons.append(Reason("Say why the cycle is reopened.", "reason"))
    deadline = statement_deadline or cycle.statement_deadline
    if deadline < today():
        reasons.append(Reason(
            f"The statement of compliance deadline ({uk_date(cycle.statement_deadline)}) has passed: give a new one, "
            "today or later, or the cycle would close again.", "statement_deadline"))
    elif deadline <= cycle.action_plan_review:
        reasons.append(Reason("The statement of compliance deadline must be after the action plan review.", "statement_deadline"))
    move_cycle(session, actor, cycle, "reopen", reasons, reason.strip())
    if deadline != cycle.statement_deadline:
        was = cycle.statement_deadline.isoformat()
        cycle.statement_deadline = deadline
        changed = {"statement_deadline": (was, deadline.isoformat())}
        _record(session, actor, cycle, "change_dates", reason.strip(), changed=changed)
    cycle.closed_at = None
    session.add(cycle)
    session.flush()
    return cycle
