"""Cycles: create one with its dates, choose its agencies, launch it, close it."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from models import Agency, AuditReturn, Cycle, CycleAgency, Template, User, field_limits
from models.audit_return import ReturnState
from models.cycle import CycleKind, CycleState
from models.user import Role
from workflow.access import require_role
from workflow.calendar import joint_cycles
from workflow.clock import uk_date, utcnow
from workflow.errors import DomainError, NotFound, Reason
from workflow.lifecycle import history
from workflow.lifecycle.machines import CYCLE_LIFECYCLE
from workflow.lifecycle.moves import refusal_for_state
from workflow.mail.notify import tell_each
from workflow.people.recipients import contacts_of_agencies, executives_of_agencies

DATE_LABELS = {
    "opens_on": "the opening date",
    "submission_deadline": "the submission deadline",
    "qa_window_ends": "the end of the QA window",
    "action_plan_review": "the action plan review",
    "statement_deadline": "the statement of compliance deadline",
}


@dataclass(frozen=True)
class CycleDates:
    """The programme's dates; None where a person typed no real date."""

    opens_on: date | None
    submission_deadline: date | None
    qa_window_ends: date | None
    action_plan_review: date | None
    statement_deadline: date | None

    def problems(self) -> list[str]:
        """Every date given, and in the programme's order; each reason names its field."""
        problems: list[str] = [
            Reason(f"Enter {label} as a real date, for example 27 3 2027.", field)
            for field, label in DATE_LABELS.items()
            if getattr(self, field) is None
        ]
        order = ["opens_on", "submission_deadline", "qa_window_ends", "action_plan_review"]
        for earlier, later in zip(order, order[1:], strict=False):
            first, then = getattr(self, earlier), getattr(self, later)
            if first is not None and then is not None and then <= first:
                label = DATE_LABELS[later][:1].upper() + DATE_LABELS[later][1:]  # "The end of the QA window"
                problems.append(Reason(f"{label} must be after {DATE_LABELS[earlier]}.", later))
        if self.opens_on and self.statement_deadline and self.statement_deadline <= self.opens_on:
            problems.append(Reason("The statement of compliance deadline must be after the opening date.", "statement_deadline"))
        return problems

    def changed_from(self, cycle: Cycle) -> dict[str, tuple[str, str]]:
        """The dates that differ from the cycle's, as (was, now) in ISO form for the history."""
        return {
            field: (getattr(cycle, field).isoformat(), getattr(self, field).isoformat())
            for field in DATE_LABELS
            if getattr(self, field) != getattr(cycle, field)
        }


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
    escalation_days: int | None = 7,
    partnership_ids: list[int] | None = None,
) -> Cycle:
    """A draft cycle; nothing is sent until it is launched. `actor` None is the command line.

    `partnership_ids` names the partnerships a joint cycle is for (see `joint_cycles` for who may);
    None is the coordinator's own partnership alone."""
    if actor is not None:
        require_role(session, actor, {Role.COORDINATOR}, "create a cycle")
    settings = CycleSettings(
        name, kind, template_id, dates, agency_ids, previous_cycle_id, reminder_days, escalation_days, partnership_ids
    )
    reasons = settings_problems(session, settings)
    reasons.extend(joint_cycles.choice_problems(session, actor, sorted(set(partnership_ids or []))))
    if reasons:
        raise DomainError(reasons)
    launching, further = joint_cycles.choose(session, actor, partnership_ids)
    taking_part = [launching, *further]
    if problems := joint_cycles.agency_problems(session, taking_part, agency_ids):
        raise DomainError(problems)
    cycle = Cycle(name="", template_id=template_id, partnership_id=launching, **dates.__dict__)
    apply_settings(cycle, settings)
    session.add(cycle)
    session.flush()
    joint_cycles.record(session, cycle, further)
    for agency_id in sorted(set(agency_ids)):
        session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency_id))
    history.append(session, subject_type="cycle", subject_id=cycle.id, actor=actor, trigger="create", to_state=cycle.status)
    return cycle


@dataclass(frozen=True)
class CycleSettings:
    """What the coordinator sets for a draft cycle."""

    name: str
    kind: CycleKind
    template_id: int
    dates: CycleDates
    agency_ids: list[int]
    previous_cycle_id: int | None = None
    reminder_days: list[int] | None = None
    escalation_days: int | None = 7
    partnership_ids: list[int] | None = None  # a joint cycle's partnerships, when it is made


def settings_problems(session: Session, settings: CycleSettings, cycle_id: int | None = None) -> list[str]:
    """Every reason these settings cannot be saved, each naming its field; `cycle_id` is the draft being changed."""
    reasons: list[str] = []
    name = settings.name.strip()
    badly_typed = field_limits.text_problems("The cycle's name", name, field_limits.CYCLE_NAME)
    if not name:
        reasons.append(Reason("Give the cycle a name, for example “Section 11 audit 2026-27”.", "name"))
    elif badly_typed:  # the database could not even be asked about such a name
        reasons.extend(Reason(problem, "name") for problem in badly_typed)
    elif session.exec(select(Cycle.id).where(Cycle.name == name, Cycle.id != (cycle_id or 0))).first():
        reasons.append(Reason(f"There is already a cycle called “{name}”: give this one another name.", "name"))
    if not field_limits.is_database_id(settings.template_id) or session.get(Template, settings.template_id) is None:
        reasons.append(Reason("Choose a standards template.", "template_id"))
    if settings.kind == CycleKind.STATEMENT_YEAR:
        previous_id = settings.previous_cycle_id
        previous = session.get(Cycle, previous_id) if field_limits.is_database_id(previous_id) else None
        if previous is None:
            reasons.append(
                Reason("A statement of compliance year follows a full audit: choose the previous cycle.", "previous_cycle_id")
            )
    reasons.extend(settings.dates.problems())
    reasons.extend(reminder_problems(settings.reminder_days, settings.escalation_days))
    reasons.extend(Reason(r, "agency_ids") for r in _agency_problems(session, settings.agency_ids))
    if settings.partnership_ids:
        reasons.extend(joint_cycles.agency_problems(session, sorted(set(settings.partnership_ids)), settings.agency_ids))
    return reasons


def reminder_problems(reminder_days: list[int] | None, escalation_days: int | None) -> list[str]:
    """Reminders go whole days before a deadline; the escalation whole days after it."""
    reasons: list[str] = []
    if reminder_days is not None and (not reminder_days or any(d < 1 or d > 365 for d in reminder_days)):
        reasons.append(
            Reason("Enter the reminder days as whole numbers of days before the deadline, from 1 to 365, "
                   "separated by commas, for example 14, 7, 1.", "reminder_days")
        )
    if escalation_days is None or not 1 <= escalation_days <= 365:
        reasons.append(
            Reason("Enter the escalation delay as a whole number of days after the deadline, from 1 to 365.", "escalation_days")
        )
    return reasons


def apply_settings(cycle: Cycle, settings: CycleSettings) -> None:
    cycle.name = settings.name.strip()
    cycle.kind = settings.kind.value
    cycle.template_id = settings.template_id
    cycle.previous_cycle_id = settings.previous_cycle_id
    cycle.reminder_days = sorted(set(settings.reminder_days or [14, 7, 1]), reverse=True)
    cycle.escalation_days = settings.escalation_days or 7
    for field, value in settings.dates.__dict__.items():
        setattr(cycle, field, value)


def _agency_problems(session: Session, agency_ids: list[int]) -> list[str]:
    if not agency_ids:
        return ["Choose at least one agency to take part."]
    if not all(field_limits.is_database_id(agency_id) for agency_id in agency_ids):
        return ["One of the chosen agencies does not exist."]
    found = session.exec(select(func.count()).select_from(Agency).where(Agency.id.in_(set(agency_ids)))).one()
    return [] if found == len(set(agency_ids)) else ["One of the chosen agencies does not exist."]


def set_agencies(session: Session, actor: User, cycle_id: int, agency_ids: list[int]) -> None:
    """Change who takes part, while the cycle is still a draft."""
    require_role(session, actor, {Role.COORDINATOR}, "choose a cycle's agencies")
    cycle = find_cycle(session, cycle_id)
    joint_cycles.require_all(session, actor, cycle, "choose its agencies")
    reasons = [] if cycle.status == CycleState.DRAFT else ["Agencies can be chosen only while the cycle is a draft."]
    reasons.extend(_agency_problems(session, agency_ids))
    reasons.extend(joint_cycles.agency_problems(session, joint_cycles.partnership_ids_of(session, cycle), agency_ids))
    if reasons:
        raise DomainError(reasons)
    for row in session.exec(select(CycleAgency).where(CycleAgency.cycle_id == cycle.id)):
        session.delete(row)
    session.flush()
    for agency_id in sorted(set(agency_ids)):
        session.add(CycleAgency(cycle_id=cycle.id, agency_id=agency_id))
    session.flush()


def find_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound("There is no such cycle.")
    return cycle


def move_cycle(session: Session, actor: User | None, cycle: Cycle, trigger: str, reasons: list[str], reason: str = "") -> None:
    if actor is not None:
        require_role(session, actor, CYCLE_LIFECYCLE.moves[trigger].roles, CYCLE_LIFECYCLE.moves[trigger].title)
        joint_cycles.require_all(session, actor, cycle, CYCLE_LIFECYCLE.moves[trigger].title.lower())
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
    cycle = find_cycle(session, cycle_id)
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
    move_cycle(session, actor, cycle, "launch", reasons)
    cycle.launched_at = utcnow()
    session.add(cycle)
    return invite_all(session, actor, cycle, agencies, contacts)


def invite(session: Session, actor: User | None, cycle: Cycle, agency: Agency) -> AuditReturn:
    """The agency's return in an open cycle, and the invitation to its contacts (in a statement of
    compliance year its executives are asked for their statement too)."""
    (ret,) = invite_all(session, actor, cycle, [agency], contacts_of_agencies(session, [agency]))
    return ret


def invite_all(
    session: Session, actor: User | None, cycle: Cycle, agencies: list[Agency], contacts: dict[int, list[tuple[str, str]]]
) -> list[AuditReturn]:
    """`invite` for many agencies, set-based: every return, first history record and invitation
    written in one batch each, however many agencies take part."""
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
        statement = uk_date(cycle.statement_deadline)
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
        "deadline": uk_date(cycle.submission_deadline),
    }


def close(session: Session, actor: User | None, cycle_id: int, *, reason: str = "") -> Cycle:
    """Close the cycle: no more submissions; returns keep the state they reached."""
    cycle = find_cycle(session, cycle_id)
    move_cycle(session, actor, cycle, "close", [], reason)
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
    cycle = find_cycle(session, cycle_id)
    counts = dict(
        session.exec(
            select(AuditReturn.status, func.count()).where(AuditReturn.cycle_id == cycle.id).group_by(AuditReturn.status)
        ).all()
    )
    by_state = {state.value: counts.get(state.value, 0) for state in ReturnState}
    return CycleStatus(cycle, by_state, sum(by_state.values()))
