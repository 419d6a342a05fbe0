"""Cycles: create one with its dates, choose its agencies, launch it, close it."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from models import Agency, AuditReturn, Cycle, CycleAgency, Template, User
from models.audit_return import ReturnState
from models.cycle import CycleKind, CycleState
from models.user import Role
from workflow.access import require_role
from workflow.clock import utcnow
from workflow.errors import DomainError, NotFound
from workflow.lifecycle import history
from workflow.lifecycle.machines import CYCLE_LIFECYCLE
from workflow.lifecycle.moves import refusal_for_state
from workflow.mail.notify import tell_each
from workflow.people.recipients import contacts_of_agencies, executives_of_agencies


@dataclass(frozen=True)
class CycleDates:
    opens_on: date
    submission_deadline: date
    qa_window_ends: date
    action_plan_review: date
    statement_deadline: date

    def problems(self) -> list[str]:
        """Dates must follow the programme's order."""
        order = [
            ("the opening date", self.opens_on),
            ("the submission deadline", self.submission_deadline),
            ("the end of the QA window", self.qa_window_ends),
            ("the action plan review", self.action_plan_review),
        ]
        problems = [
            f"{later[0].capitalize()} must be after {earlier[0]}."
            for earlier, later in zip(order, order[1:], strict=False)
            if later[1] <= earlier[1]
        ]
        if self.statement_deadline <= self.opens_on:
            problems.append("The statement deadline must be after the opening date.")
        return problems


def create_cycle(
    session: Session,
    actor: User,
    *,
    name: str,
    kind: CycleKind,
    template_id: int,
    dates: CycleDates,
    agency_ids: list[int],
    previous_cycle_id: int | None = None,
    reminder_days: list[int] | None = None,
    escalation_days: int = 7,
) -> Cycle:
    """A draft cycle; nothing is sent until it is launched. `actor` None is the command line."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "create a cycle")
    reasons = []
    if not name.strip():
        reasons.append("Give the cycle a name, for example “Section 11 audit 2026-27”.")
    elif session.exec(select(Cycle.id).where(Cycle.name == name.strip())).first():
        reasons.append(f"There is already a cycle called “{name.strip()}”.")
    if session.get(Template, template_id) is None:
        reasons.append("Choose a standards template.")
    reasons.extend(dates.problems())
    if kind == CycleKind.STATEMENT_YEAR:
        previous = session.get(Cycle, previous_cycle_id) if previous_cycle_id else None
        if previous is None:
            reasons.append("A statement of compliance year follows a full audit: choose the previous cycle.")
    days = sorted(set(reminder_days or [14, 7, 1]), reverse=True)
    if any(d < 1 for d in days):
        reasons.append("Reminder days must be whole numbers of days before the deadline (1 or more).")
    if escalation_days < 1:
        reasons.append("Escalation must come at least one day after the deadline.")
    reasons.extend(_agency_problems(session, agency_ids))
    if reasons:
        raise DomainError(reasons)
    cycle = Cycle(
        name=name.strip(),
        kind=kind.value,
        template_id=template_id,
        previous_cycle_id=previous_cycle_id,
        reminder_days=days,
        escalation_days=escalation_days,
        **dates.__dict__,
    )
    session.add(cycle)
    session.flush()
    for agency_id in sorted(set(agency_ids)):
        session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency_id))
    history.append(session, subject_type="cycle", subject_id=cycle.id, actor=actor, trigger="create", to_state=cycle.status)
    return cycle


def _agency_problems(session: Session, agency_ids: list[int]) -> list[str]:
    if not agency_ids:
        return ["Choose at least one agency to take part."]
    found = session.exec(select(func.count()).select_from(Agency).where(Agency.id.in_(set(agency_ids)))).one()
    return [] if found == len(set(agency_ids)) else ["One of the chosen agencies does not exist."]


def set_agencies(session: Session, actor: User, cycle_id: int, agency_ids: list[int]) -> None:
    """Change who takes part, while the cycle is still a draft."""
    require_role(session, actor, {Role.COORDINATOR}, "choose a cycle's agencies")
    cycle = _cycle(session, cycle_id)
    reasons = [] if cycle.status == CycleState.DRAFT else ["Agencies can be chosen only while the cycle is a draft."]
    reasons.extend(_agency_problems(session, agency_ids))
    if reasons:
        raise DomainError(reasons)
    for row in session.exec(select(CycleAgency).where(CycleAgency.cycle_id == cycle.id)):
        session.delete(row)
    session.flush()
    for agency_id in sorted(set(agency_ids)):
        session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency_id))
    session.flush()


def _cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    return cycle


def _move_cycle(session: Session, actor: User | None, cycle: Cycle, trigger: str, reasons: list[str], reason: str = "") -> None:
    if actor is not None:
        require_role(session, actor, CYCLE_LIFECYCLE.moves[trigger].roles, CYCLE_LIFECYCLE.moves[trigger].title)
    problem = refusal_for_state(CYCLE_LIFECYCLE, trigger, cycle.status, "cycle")
    if problem or reasons:
        raise DomainError([problem] if problem else reasons)
    from_state = cycle.status
    CYCLE_LIFECYCLE.fire(trigger, cycle)
    session.add(cycle)
    session.flush()
    history.append(
        session,
        subject_type="cycle",
        subject_id=cycle.id,
        actor=actor,
        trigger=trigger,
        from_state=from_state,
        to_state=cycle.status,
        reason=reason,
    )


def launch(session: Session, actor: User | None, cycle_id: int) -> list[AuditReturn]:
    """Open the cycle: one return per chosen agency, and an invitation to each agency's contacts.

    In a statement of compliance year the executives are asked for their statement too.
    """
    cycle = _cycle(session, cycle_id)
    agencies = list(
        session.exec(
            select(Agency)
            .join(CycleAgency, CycleAgency.agency_id == Agency.id)
            .where(CycleAgency.cycle_id == cycle.id)
            .order_by(Agency.name)
        )
    )
    contacts = contacts_of_agencies(session, agencies)
    reasons = [] if agencies else ["Choose at least one agency to take part before launching."]
    reasons.extend(f"{a.name} has no contact to invite: add a contact e-mail or a user." for a in agencies if not contacts[a.id])
    _move_cycle(session, actor, cycle, "launch", reasons)
    cycle.launched_at = utcnow()
    session.add(cycle)
    # Set-based: every return, first history record and invitation written in one batch each.
    returns = [AuditReturn(cycle_id=cycle.id, agency_id=agency.id, status=ReturnState.INVITED.value) for agency in agencies]
    session.add_all(returns)
    session.flush()
    history.start_chains(
        session,
        subject_type="return",
        subject_ids=[ret.id for ret in returns],
        actor=actor,
        trigger="launch",
        to_state=ReturnState.INVITED.value,
        details={"cycle": cycle.name},
        returns=True,
    )
    contexts = [_invitation_context(cycle, ret, agency) for ret, agency in zip(returns, agencies, strict=True)]
    tell_each(session, "invitation", [(contacts[a.id], c, c["return_id"]) for a, c in zip(agencies, contexts, strict=True)])
    if cycle.kind == CycleKind.STATEMENT_YEAR:
        executives = executives_of_agencies(session, agencies)
        statement = f"{cycle.statement_deadline:%d %B %Y}"
        tell_each(
            session,
            "statement_requested",
            [(executives[a.id], {**c, "deadline": statement}, c["return_id"]) for a, c in zip(agencies, contexts, strict=True)],
        )
    return returns


def _invitation_context(cycle: Cycle, ret: AuditReturn, agency: Agency) -> dict[str, object]:
    return {
        "return_id": ret.id,
        "cycle_name": cycle.name,
        "agency_name": agency.name,
        "deadline": f"{cycle.submission_deadline:%d %B %Y}",
    }


def close(session: Session, actor: User | None, cycle_id: int, *, reason: str = "") -> Cycle:
    """Close the cycle: no more submissions; returns keep the state they reached."""
    cycle = _cycle(session, cycle_id)
    _move_cycle(session, actor, cycle, "close", [], reason)
    cycle.closed_at = utcnow()
    session.add(cycle)
    session.flush()
    return cycle


@dataclass(frozen=True)
class CycleStatus:
    cycle: Cycle
    by_state: dict[str, int]
    total: int


def status(session: Session, cycle_id: int) -> CycleStatus:
    """How many returns are in each state."""
    cycle = _cycle(session, cycle_id)
    counts = dict(
        session.exec(
            select(AuditReturn.status, func.count()).where(AuditReturn.cycle_id == cycle.id).group_by(AuditReturn.status)
        ).all()
    )
    by_state = {state.value: counts.get(state.value, 0) for state in ReturnState}
    return CycleStatus(cycle, by_state, sum(by_state.values()))
